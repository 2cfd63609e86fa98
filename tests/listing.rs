//! Listing payments: pagination, every sort (ties broken by id), every filter, totals.

mod common;

use std::cmp::Ordering;

use chrono::TimeDelta;
use common::{TestDb, order, shop};
use storefront_payments::{
    Currency, Limit, NewPayment, OrderRef, PageNumber, Payment, PaymentFilter, PaymentQuery,
    PaymentState, SortDirection, SortField, Sorting, Transition,
};

/// 24 payments over three orders, two channels, three methods, three currencies, several
/// states and repeated amounts (to exercise the id tie-breaker), one minute apart.
fn seed(db: &TestDb) -> Vec<Payment> {
    let p = &db.payments;
    shop(p);
    order(p, "us-a", "US_WEB", "USD", 1_000_000);
    order(p, "us-b", "US_WEB", "USD", 1_000_000);
    order(p, "eu-a", "EU_WEB", "EUR", 1_000_000);
    let plan: [(&str, Option<&str>, &str, &[Transition]); 6] = [
        ("us-a", Some("bank_transfer"), "USD", &[]),
        (
            "us-a",
            Some("cash_on_delivery"),
            "USD",
            &[Transition::Complete],
        ),
        ("us-b", None, "USD", &[Transition::Process]),
        ("eu-a", Some("card"), "EUR", &[Transition::Authorize]),
        ("us-b", Some("bank_transfer"), "USD", &[Transition::Cancel]),
        (
            "eu-a",
            Some("card"),
            "EUR",
            &[Transition::Complete, Transition::Refund],
        ),
    ];
    let amounts = [500, 300, 500, 700, 300, 900, 100, 500];
    let mut ids = Vec::new();
    for i in 0..24 {
        let (number, method, currency, transitions) = plan[i % plan.len()];
        db.clock.advance(TimeDelta::minutes(1));
        let mut input = NewPayment::for_order(number).amount(amounts[i % amounts.len()], currency);
        input.method = method.map(str::to_owned);
        let id = p.create_payment(&input).expect("seed payment").payment.id;
        ids.push((id, transitions));
    }
    // Transitions happen later, in reverse creation order, so updatedAt differs from
    // createdAt order.
    for (id, transitions) in ids.iter().rev() {
        for transition in *transitions {
            db.clock.advance(TimeDelta::seconds(1));
            p.apply_transition(*id, *transition, None)
                .expect("seed transition");
        }
    }
    let mut all = Vec::new();
    for number in ["us-a", "us-b", "eu-a"] {
        all.extend(
            p.order_payments(&OrderRef::Number(number.into()))
                .expect("order payments"),
        );
    }
    all.sort_by_key(|payment| payment.id);
    all
}

fn query(sorting: Sorting, filter: PaymentFilter, page: u32, limit: u32) -> PaymentQuery {
    PaymentQuery {
        page: PageNumber::new(page).expect("page"),
        limit: Limit::new(limit).expect("limit"),
        sorting,
        filter,
        after: None,
    }
}

/// The expected order, computed independently of the store.
fn sorted(mut payments: Vec<Payment>, sorting: &Sorting) -> Vec<Payment> {
    payments.sort_by(|a, b| {
        for (field, direction) in sorting.keys() {
            let ordering = match field {
                SortField::Amount => a.amount.cmp(&b.amount),
                SortField::CreatedAt => a.created_at.cmp(&b.created_at),
                SortField::UpdatedAt => a.updated_at.cmp(&b.updated_at),
            };
            let ordering = if *direction == SortDirection::Desc {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        let by_id = a.id.cmp(&b.id);
        if sorting.tie_break() == SortDirection::Desc {
            by_id.reverse()
        } else {
            by_id
        }
    });
    payments
}

fn ids(payments: &[Payment]) -> Vec<i64> {
    payments.iter().map(|p| p.id).collect()
}

fn pages_report_totals_and_never_overlap(db: &TestDb) {
    let all = seed(db);
    let p = &db.payments;
    let first = p
        .list_payments(&query(Sorting::default(), PaymentFilter::default(), 1, 10))
        .expect("page 1");
    assert_eq!(
        (first.page, first.limit, first.pages, first.total),
        (1, 10, 3, 24)
    );
    assert_eq!(first.items.len(), 10);
    let last = p
        .list_payments(&query(Sorting::default(), PaymentFilter::default(), 3, 10))
        .expect("page 3");
    assert_eq!(last.items.len(), 4);
    let past = p
        .list_payments(&query(Sorting::default(), PaymentFilter::default(), 4, 10))
        .expect("page 4");
    assert_eq!((past.items.len(), past.total, past.pages), (0, 24, 3));
    // Every sort, walked page by page, yields each payment exactly once, in order.
    let directions = [SortDirection::Asc, SortDirection::Desc];
    for field in SortField::ALL {
        for direction in directions {
            let sorting = Sorting::by(field, direction);
            let mut walked = Vec::new();
            for page in 1..=4 {
                let listed = p
                    .list_payments(&query(sorting.clone(), PaymentFilter::default(), page, 7))
                    .expect("page");
                walked.extend(listed.items);
            }
            assert_eq!(
                ids(&walked),
                ids(&sorted(all.clone(), &sorting)),
                "{field:?} {direction:?}"
            );
            assert_eq!(
                walked,
                sorted(all.clone(), &sorting),
                "items are whole payments"
            );
        }
    }
}

fn several_sort_keys_apply_in_the_order_given(db: &TestDb) {
    let all = seed(db);
    let p = &db.payments;
    let keys = [
        vec![
            (SortField::Amount, SortDirection::Asc),
            (SortField::CreatedAt, SortDirection::Desc),
        ],
        vec![
            (SortField::Amount, SortDirection::Desc),
            (SortField::UpdatedAt, SortDirection::Asc),
        ],
        vec![
            (SortField::UpdatedAt, SortDirection::Desc),
            (SortField::Amount, SortDirection::Asc),
            (SortField::CreatedAt, SortDirection::Asc),
        ],
    ];
    for keys in keys {
        let sorting = Sorting::new(keys).expect("sorting");
        let listed = p
            .list_payments(&query(sorting.clone(), PaymentFilter::default(), 1, 250))
            .expect("list");
        assert_eq!(
            ids(&listed.items),
            ids(&sorted(all.clone(), &sorting)),
            "{sorting:?}"
        );
    }
}

fn every_filter_narrows_the_list_and_its_total(db: &TestDb) {
    let all = seed(db);
    let p = &db.payments;
    let usd = Currency::parse("USD").expect("USD");
    let us_a = p.order(&OrderRef::Number("us-a".into())).expect("order");
    let at = |minutes| common::epoch() + TimeDelta::minutes(minutes);
    type Check = Box<dyn Fn(&Payment) -> bool>;
    let cases: Vec<(PaymentFilter, Check)> = vec![
        (
            PaymentFilter {
                state: Some(PaymentState::Completed),
                ..Default::default()
            },
            Box::new(|x: &Payment| x.state == PaymentState::Completed),
        ),
        (
            PaymentFilter {
                state: Some(PaymentState::Failed),
                ..Default::default()
            },
            Box::new(|_: &Payment| false),
        ),
        (
            PaymentFilter {
                method: Some("card".into()),
                ..Default::default()
            },
            Box::new(|x: &Payment| x.method.as_ref().is_some_and(|m| m.code == "card")),
        ),
        (
            PaymentFilter {
                channel: Some("US_WEB".into()),
                ..Default::default()
            },
            Box::new(|x: &Payment| x.currency_code.code() == "USD"),
        ),
        (
            PaymentFilter {
                order: Some(OrderRef::Id(us_a.id)),
                ..Default::default()
            },
            Box::new(move |x: &Payment| x.order_id == us_a.id),
        ),
        (
            PaymentFilter {
                order: Some(OrderRef::Number("us-a".into())),
                ..Default::default()
            },
            Box::new(move |x: &Payment| x.order_id == us_a.id),
        ),
        (
            PaymentFilter {
                currency: Some(usd),
                ..Default::default()
            },
            Box::new(|x: &Payment| x.currency_code.code() == "USD"),
        ),
        (
            PaymentFilter {
                created_after: Some(at(5)),
                ..Default::default()
            },
            Box::new(move |x: &Payment| x.created_at >= at(5)),
        ),
        (
            PaymentFilter {
                created_before: Some(at(5)),
                ..Default::default()
            },
            Box::new(move |x: &Payment| x.created_at < at(5)),
        ),
        (
            PaymentFilter {
                created_after: Some(at(3)),
                created_before: Some(at(9)),
                state: Some(PaymentState::New),
                ..Default::default()
            },
            Box::new(move |x: &Payment| {
                x.created_at >= at(3) && x.created_at < at(9) && x.state == PaymentState::New
            }),
        ),
        (
            PaymentFilter {
                method: Some("bank_transfer".into()),
                state: Some(PaymentState::Cancelled),
                ..Default::default()
            },
            Box::new(|x: &Payment| {
                x.state == PaymentState::Cancelled
                    && x.method.as_ref().is_some_and(|m| m.code == "bank_transfer")
            }),
        ),
        (
            PaymentFilter {
                channel: Some("EU_WEB".into()),
                currency: Some(usd),
                ..Default::default()
            },
            Box::new(|_: &Payment| false),
        ),
        (
            PaymentFilter {
                method: Some("nope".into()),
                ..Default::default()
            },
            Box::new(|_: &Payment| false),
        ),
        (
            PaymentFilter {
                channel: Some("NOPE".into()),
                ..Default::default()
            },
            Box::new(|_: &Payment| false),
        ),
        (
            PaymentFilter {
                order: Some(OrderRef::Number("nope".into())),
                ..Default::default()
            },
            Box::new(|_: &Payment| false),
        ),
    ];
    for (filter, check) in cases {
        let expected: Vec<Payment> = all.iter().filter(|x| check(x)).cloned().collect();
        let listed = p
            .list_payments(&query(Sorting::default(), filter.clone(), 1, 250))
            .expect("list");
        assert_eq!(listed.total, expected.len() as u64, "total for {filter:?}");
        assert_eq!(ids(&listed.items), ids(&expected), "items for {filter:?}");
        assert!(!expected.is_empty() || listed.pages == 1);
    }
}

fn cursors_walk_every_sort_and_filter_like_pages_do(db: &TestDb) {
    let all = seed(db);
    let p = &db.payments;
    let sortings = [
        Sorting::by(SortField::Amount, SortDirection::Asc),
        Sorting::by(SortField::Amount, SortDirection::Desc),
        Sorting::by(SortField::CreatedAt, SortDirection::Asc),
        Sorting::by(SortField::UpdatedAt, SortDirection::Desc),
        Sorting::new(vec![
            (SortField::Amount, SortDirection::Asc),
            (SortField::CreatedAt, SortDirection::Desc),
        ])
        .expect("sorting"),
        Sorting::new(vec![
            (SortField::UpdatedAt, SortDirection::Desc),
            (SortField::Amount, SortDirection::Asc),
        ])
        .expect("sorting"),
    ];
    let filters = [
        PaymentFilter::default(),
        PaymentFilter {
            state: Some(PaymentState::New),
            ..Default::default()
        },
        PaymentFilter {
            method: Some("card".into()),
            ..Default::default()
        },
    ];
    for sorting in &sortings {
        for filter in &filters {
            let expected = ids(&p
                .list_payments(&query(sorting.clone(), filter.clone(), 1, 250))
                .expect("all")
                .items);
            let mut walked = Vec::new();
            let mut request = query(sorting.clone(), filter.clone(), 1, 4);
            loop {
                let page = p.list_payments(&request).expect("page");
                assert_eq!(page.total, expected.len() as u64);
                walked.extend(ids(&page.items));
                let Some(next) = page.next else { break };
                request.after = Some(next);
            }
            assert_eq!(walked, expected, "{sorting:?} {filter:?}");
        }
    }
    assert_eq!(all.len(), 24);
}

fn instants_no_database_stores_are_refused_not_failed_on(db: &TestDb) {
    let p = &db.payments;
    let far = chrono::DateTime::from_timestamp_micros(i64::MIN / 2).expect("an instant");
    let filter = PaymentFilter {
        created_after: Some(far),
        ..Default::default()
    };
    let error = p
        .list_payments(&query(Sorting::default(), filter, 1, 10))
        .expect_err("refused");
    assert_eq!(common::field(&error).as_deref(), Some("createdAfter"));
    let filter = PaymentFilter {
        created_before: Some(far),
        ..Default::default()
    };
    let error = p
        .list_payments(&query(Sorting::default(), filter, 1, 10))
        .expect_err("refused");
    assert_eq!(common::field(&error).as_deref(), Some("createdBefore"));
    let cursor = storefront_payments::Cursor {
        id: 1,
        amount: None,
        created_at: Some(far),
        updated_at: None,
    };
    let after = PaymentQuery {
        after: Some(cursor),
        ..query(Sorting::default(), PaymentFilter::default(), 1, 10)
    };
    assert_eq!(
        p.list_payments(&after).map_err(|e| common::field(&e)),
        Err(Some("after".into()))
    );
}

on_both_backends!(
    instants_no_database_stores_are_refused_not_failed_on,
    cursors_walk_every_sort_and_filter_like_pages_do,
    pages_report_totals_and_never_overlap,
    several_sort_keys_apply_in_the_order_given,
    every_filter_narrows_the_list_and_its_total,
);
