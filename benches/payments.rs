//! In-process benchmarks of the library on a store of 1,000,000 payments (`BENCH_PAYMENTS`
//! overrides the size): a SQLite file created once under `bench-data/` and reused, and
//! PostgreSQL too when `TEST_POSTGRES_URL` is set (a schema of its own, also reused).
//!
//! Every list benchmark runs twice on the same data: `ours` (counters, index seeks,
//! cursors) and `naive` (what Sylius does: `COUNT(*)` and `OFFSET`), so their ratio comes
//! from one run. The write benchmarks add payments; on SQLite they run on a copy of the
//! store made for each run, so the reused store keeps its size. `cargo bench --bench
//! payments [--features postgres]`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use storefront_payments::{
    Currency, Cursor, Limit, NewPayment, PageNumber, PaymentFilter, PaymentQuery, PaymentState,
    Payments, SortDirection, SortField, Sorting, Transition, UpsertOrder,
};

fn size() -> u64 {
    std::env::var("BENCH_PAYMENTS")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

/// Loads demo data up to `size` payments, printing progress.
fn ensure_loaded(payments: &Payments, backend: &str) -> Payments {
    let wanted = size();
    let have = payments
        .list_payments(&PaymentQuery::default())
        .expect("count")
        .total;
    if have < wanted {
        eprintln!(
            "{backend}: loading {} demo payments (once; the store is reused)",
            wanted - have
        );
        let started = std::time::Instant::now();
        payments
            .load_demo_data(wanted - have, |done| {
                if done % 100_000 == 0 {
                    eprintln!("  {done}");
                }
            })
            .expect("demo data");
        eprintln!(
            "{backend}: loaded in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    payments.clone()
}

fn bench_data() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data directory");
    dir
}

fn sqlite() -> Payments {
    let path = bench_data().join(format!("payments-{}.db", size()));
    let payments = Payments::open(&path.to_string_lossy()).expect("open the SQLite bench store");
    ensure_loaded(&payments, "sqlite")
}

/// A copy of the SQLite store for the write benchmarks. Nothing writes to the store while
/// it is copied (the read benchmarks are over), so its file and WAL copy consistently.
fn sqlite_scratch() -> Payments {
    let base = bench_data().join(format!("payments-{}.db", size()));
    let copy = bench_data().join(format!("payments-{}-writes.db", size()));
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", base.display()));
        let to = PathBuf::from(format!("{}{suffix}", copy.display()));
        let _ = std::fs::remove_file(&to);
        if from.exists() {
            std::fs::copy(&from, &to).expect("copy the bench store");
        }
    }
    Payments::open(&copy.to_string_lossy()).expect("open the copy")
}

#[cfg(feature = "postgres")]
fn postgres() -> Option<Payments> {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    let url = std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let schema = format!("bench_{}", size());
    let mut admin = diesel::PgConnection::establish(&url).expect("connect to TEST_POSTGRES_URL");
    admin
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .expect("bench schema");
    let separator = if url.contains('?') { '&' } else { '?' };
    let payments = Payments::open(&format!("{url}{separator}options=-csearch_path%3D{schema}"))
        .expect("open PostgreSQL");
    let loaded = ensure_loaded(&payments, "postgres");
    admin
        .batch_execute(&format!(
            "ANALYZE {schema}.payments; ANALYZE {schema}.orders"
        ))
        .expect("analyze");
    Some(loaded)
}

#[cfg(not(feature = "postgres"))]
fn postgres() -> Option<Payments> {
    None
}

fn query(sorting: Sorting, filter: PaymentFilter, page: u32) -> PaymentQuery {
    PaymentQuery {
        page: PageNumber::new(page).expect("page"),
        limit: Limit::new(10).expect("limit"),
        sorting,
        filter,
        after: None,
    }
}

/// Page 1 (limit 10) for each sort and each single filter, ours against naive.
fn list_first_page(c: &mut Criterion, backend: &str, payments: &Payments) {
    let mut group = c.benchmark_group(format!("{backend}/list_page_1"));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let mut cases = Vec::new();
    for field in SortField::ALL {
        for direction in [SortDirection::Asc, SortDirection::Desc] {
            let label = format!("sort_{}_{}", field.as_str(), direction.as_str());
            cases.push((
                label,
                query(Sorting::by(field, direction), PaymentFilter::default(), 1),
            ));
        }
    }
    let filters = [
        (
            "filter_state",
            PaymentFilter {
                state: Some(PaymentState::Completed),
                ..Default::default()
            },
        ),
        (
            "filter_method",
            PaymentFilter {
                method: Some("card".into()),
                ..Default::default()
            },
        ),
        (
            "filter_channel",
            PaymentFilter {
                channel: Some("EU_WEB".into()),
                ..Default::default()
            },
        ),
        (
            "filter_currency",
            PaymentFilter {
                currency: Currency::parse("EUR").ok(),
                ..Default::default()
            },
        ),
    ];
    for (label, filter) in filters {
        cases.push((label.to_owned(), query(Sorting::default(), filter, 1)));
    }
    for (label, q) in &cases {
        group.bench_function(BenchmarkId::new("ours", label), |b| {
            b.iter(|| black_box(payments.list_payments(q).expect("list")))
        });
        group.bench_function(BenchmarkId::new("naive", label), |b| {
            b.iter(|| black_box(payments.list_payments_naively(q).expect("list")))
        });
    }
    group.finish();
}

/// Page 50,000 (items 499,991 to 500,000) by page number and by cursor.
fn list_deep_page(c: &mut Criterion, backend: &str, payments: &Payments) {
    let mut group = c.benchmark_group(format!("{backend}/list_page_50000"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    let sorting = Sorting::by(SortField::Amount, SortDirection::Desc);
    let by_page = query(sorting.clone(), PaymentFilter::default(), 50_000);
    let before = query(sorting.clone(), PaymentFilter::default(), 49_999);
    let last_before = payments
        .list_payments(&before)
        .expect("page 49,999")
        .items
        .pop()
        .expect("a deep item");
    let by_cursor = PaymentQuery {
        after: Some(Cursor::after(&last_before, &sorting)),
        ..query(sorting.clone(), PaymentFilter::default(), 1)
    };
    let same = payments.list_payments(&by_cursor).expect("cursor").items;
    assert_eq!(
        same,
        payments.list_payments(&by_page).expect("page").items,
        "the cursor lands on page 50,000"
    );
    let first = query(sorting, PaymentFilter::default(), 1);
    group.bench_function("ours_page_1", |b| {
        b.iter(|| black_box(payments.list_payments(&first).expect("list")))
    });
    group.bench_function("ours_cursor", |b| {
        b.iter(|| black_box(payments.list_payments(&by_cursor).expect("list")))
    });
    group.bench_function("ours_page_number", |b| {
        b.iter(|| black_box(payments.list_payments(&by_page).expect("list")))
    });
    group.bench_function("naive_page_number", |b| {
        b.iter(|| black_box(payments.list_payments_naively(&by_page).expect("list")))
    });
    group.finish();
}

/// One payment with its method and the method's channels.
fn get_one(c: &mut Criterion, backend: &str, payments: &Payments) {
    let mut group = c.benchmark_group(format!("{backend}/get"));
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(3));
    let mut id = 0i64;
    let span = size() as i64;
    group.bench_function("payment_with_method", |b| {
        b.iter(|| {
            // Spread over the table so caches do not flatter the figure.
            id = (id + 7919) % span + 1;
            black_box(payments.payment_with_method(id).expect("payment"))
        })
    });
    group.finish();
}

fn new_order(payments: &Payments, number: String, total: i64) -> i64 {
    let order = UpsertOrder {
        number,
        channel: "US_WEB".into(),
        currency_code: "USD".into(),
        total,
    };
    payments.upsert_order(&order).expect("order").id
}

/// Creating one payment, a batch of 100, and applying a transition.
fn writes(c: &mut Criterion, backend: &str, payments: &Payments) {
    let mut group = c.benchmark_group(format!("{backend}/write"));
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(5));
    let run = std::process::id();
    let mut n = 0u64;
    group.throughput(Throughput::Elements(1));
    group.bench_function("create_one", |b| {
        b.iter_batched(
            || {
                n += 1;
                new_order(payments, format!("bench-{run}-{n}"), 5_000)
            },
            |order| {
                black_box(
                    payments
                        .create_payment(&NewPayment::for_order(order).method("bank_transfer"))
                        .expect("create"),
                )
            },
            BatchSize::SmallInput,
        )
    });
    group.throughput(Throughput::Elements(100));
    group.bench_function("create_batch_of_100", |b| {
        b.iter_batched(
            || {
                n += 1;
                let order = new_order(payments, format!("bench-{run}-{n}"), 1_000_000);
                (0..100)
                    .map(|_| {
                        NewPayment::for_order(order)
                            .method("bank_transfer")
                            .amount(100, "USD")
                    })
                    .collect::<Vec<_>>()
            },
            |batch| black_box(payments.create_payments(&batch).expect("batch")),
            BatchSize::SmallInput,
        )
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("apply_transition", |b| {
        b.iter_batched(
            || {
                n += 1;
                let order = new_order(payments, format!("bench-{run}-{n}"), 5_000);
                payments
                    .create_payment(&NewPayment::for_order(order))
                    .expect("payment")
                    .payment
                    .id
            },
            |id| {
                black_box(
                    payments
                        .apply_transition(id, Transition::Complete, Some(1))
                        .expect("transition"),
                )
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let mut stores = vec![("sqlite", sqlite())];
    if let Some(pg) = postgres() {
        stores.push(("postgres", pg));
    }
    for (backend, payments) in &stores {
        list_first_page(c, backend, payments);
        list_deep_page(c, backend, payments);
        get_one(c, backend, payments);
        if *backend == "sqlite" {
            writes(c, backend, &sqlite_scratch());
        } else {
            // PostgreSQL's store grows by the payments written (a few tens of thousands).
            writes(c, backend, payments);
        }
    }
}

criterion_group!(payments, benches);
criterion_main!(payments);
