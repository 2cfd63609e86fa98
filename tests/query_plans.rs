//! Every supported sort and single filter of the payment list is served by an index: no
//! full scan, and for a single sort key no separate sort step.

mod common;

use common::{TestDb, order, shop};
use storefront_payments::{
    Currency, Cursor, NewPayment, OrderRef, PaymentFilter, PaymentQuery, PaymentState, Payments,
    SortDirection, SortField, Sorting,
};

/// The payments handle to explain with. On PostgreSQL the planner prefers a sequential scan
/// on tables this small, so the explaining connection forbids scans and sorts: if an index
/// can serve the query it is used, and if none can the plan still shows a `Seq Scan` or a
/// `Sort` and the test fails.
fn explainer(db: &TestDb) -> Payments {
    if db.payments.backend() == storefront_payments::Backend::Sqlite {
        return db.payments.clone();
    }
    let url = format!("{}%20-cenable_seqscan%3Doff%20-cenable_sort%3Doff", db.url);
    Payments::open(&url).expect("second handle on the test schema")
}

fn filters() -> Vec<PaymentFilter> {
    let at = common::epoch() + chrono::TimeDelta::minutes(2);
    vec![
        PaymentFilter::default(),
        PaymentFilter {
            state: Some(PaymentState::New),
            ..Default::default()
        },
        PaymentFilter {
            method: Some("bank_transfer".into()),
            ..Default::default()
        },
        PaymentFilter {
            channel: Some("US_WEB".into()),
            ..Default::default()
        },
        PaymentFilter {
            currency: Some(Currency::parse("USD").expect("USD")),
            ..Default::default()
        },
        PaymentFilter {
            order: Some(OrderRef::Number("plan".into())),
            ..Default::default()
        },
        PaymentFilter {
            created_after: Some(at),
            ..Default::default()
        },
    ]
}

fn assert_indexed(plan: &[String], sql_backend_sqlite: bool, single_key: bool, context: &str) {
    assert!(!plan.is_empty(), "no plan for {context}");
    let text = plan.join("\n");
    if sql_backend_sqlite {
        for line in plan {
            let scans_table = line.starts_with("SCAN payments") && !line.contains("INDEX");
            assert!(!scans_table, "full scan for {context}:\n{text}");
        }
        assert!(text.contains("INDEX"), "no index for {context}:\n{text}");
        if single_key {
            assert!(
                !text.contains("TEMP B-TREE"),
                "sort step for {context}:\n{text}"
            );
        }
    } else {
        assert!(
            !text.contains("Seq Scan"),
            "full scan for {context}:\n{text}"
        );
        assert!(text.contains("Index"), "no index for {context}:\n{text}");
        if single_key {
            assert!(!text.contains("Sort"), "sort step for {context}:\n{text}");
        }
    }
}

fn every_sort_and_single_filter_uses_an_index(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "plan", "US_WEB", "USD", 100_000);
    for _ in 0..20 {
        db.clock.advance(chrono::TimeDelta::minutes(1));
        p.create_payment(
            &NewPayment::for_order("plan")
                .method("bank_transfer")
                .amount(10, "USD"),
        )
        .expect("payment");
    }
    let explainer = explainer(db);
    let sqlite = p.backend() == storefront_payments::Backend::Sqlite;
    for filter in filters() {
        for field in SortField::ALL {
            for direction in [SortDirection::Asc, SortDirection::Desc] {
                let sorting = Sorting::by(field, direction);
                let by_page = PaymentQuery {
                    sorting: sorting.clone(),
                    filter: filter.clone(),
                    ..Default::default()
                };
                let middle = p
                    .list_payments(&by_page)
                    .expect("page")
                    .items
                    .get(4)
                    .cloned()
                    .expect("a fifth payment");
                let by_cursor = PaymentQuery {
                    after: Some(Cursor::after(&middle, &sorting)),
                    ..by_page.clone()
                };
                // Listing by order needs the order's few rows sorted, not an index per sort.
                let single_key = filter.order.is_none();
                for (mode, query) in [("page", by_page), ("cursor", by_cursor)] {
                    let plan = explainer.explain_list_payments(&query).expect("plan");
                    assert_indexed(
                        &plan,
                        sqlite,
                        single_key,
                        &format!("{mode} {field:?} {direction:?} {filter:?}"),
                    );
                }
            }
        }
    }
    let several = Sorting::new(vec![
        (SortField::Amount, SortDirection::Desc),
        (SortField::CreatedAt, SortDirection::Asc),
    ])
    .expect("sorting");
    let combined = PaymentFilter {
        state: Some(PaymentState::New),
        currency: Currency::parse("USD").ok(),
        ..Default::default()
    };
    let query = PaymentQuery {
        sorting: several,
        filter: combined,
        ..Default::default()
    };
    let plan = explainer.explain_list_payments(&query).expect("plan");
    assert_indexed(&plan, sqlite, false, "two keys, two filters");
}

on_both_backends!(every_sort_and_single_filter_uses_an_index);
