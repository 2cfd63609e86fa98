//! Shared fixtures: a fresh database per test on SQLite (a temporary file, so pools and
//! threads are real) and on PostgreSQL (a schema of its own in `TEST_POSTGRES_URL`).
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Once};

use chrono::{DateTime, TimeZone, Utc};
use storefront_payments::{
    Channel, FixedClock, NewChannel, NewPaymentMethod, Options, Order, PaymentMethod, Payments,
    UpsertOrder,
};

/// A database that lives as long as the value.
pub struct TestDb {
    pub payments: Payments,
    pub clock: Arc<FixedClock>,
    pub url: String,
    _cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    #[cfg(feature = "postgres")]
    Postgres {
        admin_url: String,
        schema: String,
    },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Cleanup::Postgres { admin_url, schema } = self {
            use diesel::Connection;
            use diesel::connection::SimpleConnection;
            if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// The instant every test clock starts at.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn options(clock: &Arc<FixedClock>) -> Options {
    Options {
        clock: clock.clone(),
        ..Options::default()
    }
}

impl TestDb {
    /// A new SQLite database file in a temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = dir
            .path()
            .join("payments.db")
            .to_string_lossy()
            .into_owned();
        let clock = Arc::new(FixedClock::new(epoch()));
        let payments = Payments::open_with(&url, options(&clock)).expect("open SQLite");
        TestDb {
            payments,
            clock,
            url,
            _cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A new schema in the PostgreSQL of `TEST_POSTGRES_URL`; `None` (and a note on stderr)
    /// when the variable is unset. With `REQUIRE_POSTGRES=1` (CI), skipping is a failure.
    pub fn postgres() -> Option<TestDb> {
        let Some(admin_url) = std::env::var("TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            return skip("TEST_POSTGRES_URL is not set");
        };
        open_postgres(admin_url)
    }
}

#[cfg(feature = "postgres")]
fn open_postgres(admin_url: String) -> Option<TestDb> {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "sp_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        Utc::now().timestamp_subsec_nanos()
    );
    let mut admin =
        diesel::PgConnection::establish(&admin_url).expect("connect to TEST_POSTGRES_URL");
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create test schema");
    let separator = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{separator}options=-csearch_path%3D{schema}");
    let clock = Arc::new(FixedClock::new(epoch()));
    let payments = Payments::open_with(&url, options(&clock)).expect("open PostgreSQL");
    Some(TestDb {
        payments,
        clock,
        url,
        _cleanup: Cleanup::Postgres { admin_url, schema },
    })
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_admin_url: String) -> Option<TestDb> {
    skip("this build has no `postgres` feature (run with --all-features)")
}

fn skip(reason: &str) -> Option<TestDb> {
    if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("PostgreSQL tests are required (REQUIRE_POSTGRES=1) but cannot run: {reason}");
    }
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Straight to stderr: libtest captures print macros of passing tests, not this.
        let _ = writeln!(
            std::io::stderr(),
            "note: PostgreSQL tests SKIPPED: {reason}; set TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run them"
        );
    });
    None
}

/// Runs each named `fn(&TestDb)` as a test on SQLite and as a test on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let db = $crate::common::TestDb::sqlite();
                    super::$name(&db);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    let Some(db) = $crate::common::TestDb::postgres() else { return };
                    super::$name(&db);
                }
            )*
        }
    };
}

/// A small shop: channel `US_WEB` (USD) with `bank_transfer` and `cash_on_delivery`, and
/// channel `EU_WEB` (EUR) with `card` (EUR only, 1.00 to 500.00).
pub struct Shop {
    pub us_web: Channel,
    pub eu_web: Channel,
    pub bank_transfer: PaymentMethod,
    pub cash_on_delivery: PaymentMethod,
    pub card: PaymentMethod,
}

pub fn shop(payments: &Payments) -> Shop {
    let mut us = NewChannel::new("US_WEB", "US Web Store", "USD");
    us.hostname = Some("localhost".into());
    us.color = Some("DeepSkyBlue".into());
    let us_web = payments.create_channel(&us).expect("US_WEB");
    let eu_web = payments
        .create_channel(&NewChannel::new("EU_WEB", "EU Web Store", "EUR"))
        .expect("EU_WEB");
    let bank_transfer = payments
        .create_payment_method(&NewPaymentMethod::new(
            "bank_transfer",
            "Bank transfer",
            &["US_WEB"],
        ))
        .expect("bank_transfer");
    let cash_on_delivery = payments
        .create_payment_method(&NewPaymentMethod::new(
            "cash_on_delivery",
            "Cash on delivery",
            &["US_WEB"],
        ))
        .expect("cash_on_delivery");
    let mut card = NewPaymentMethod::new("card", "Card", &["EU_WEB"]);
    card.currencies = vec!["EUR".into()];
    card.min_amount = Some(100);
    card.max_amount = Some(50_000);
    let card = payments.create_payment_method(&card).expect("card");
    Shop {
        us_web,
        eu_web,
        bank_transfer,
        cash_on_delivery,
        card,
    }
}

/// Upserts order `number` on `channel` for `total` minor units of `currency`.
pub fn order(
    payments: &Payments,
    number: &str,
    channel: &str,
    currency: &str,
    total: i64,
) -> Order {
    payments
        .upsert_order(&UpsertOrder {
            number: number.into(),
            channel: channel.into(),
            currency_code: currency.into(),
            total,
        })
        .expect("upsert order")
}

/// The field an error names, for assertions.
pub fn field(error: &storefront_payments::Error) -> Option<String> {
    error.field().map(str::to_owned)
}
