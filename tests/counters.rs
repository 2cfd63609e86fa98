//! The list counters stay exact: thousands of random creates, transitions and method
//! choices, then every counter is compared with a `COUNT(*)` of the same filter.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{TestDb, order, shop};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use storefront_payments::{
    Currency, NewPayment, PaymentFilter, PaymentQuery, PaymentState, Payments, Transition,
};

const OPERATIONS: usize = 2_000;

fn total(p: &Payments, filter: PaymentFilter) -> u64 {
    p.list_payments(&PaymentQuery {
        filter,
        ..Default::default()
    })
    .expect("list")
    .total
}

/// The same filter, answered by counting rows: a created-at bound that every payment
/// meets takes the list off the counters.
fn counted(p: &Payments, filter: PaymentFilter) -> u64 {
    let long_ago: DateTime<Utc> = DateTime::UNIX_EPOCH;
    total(
        p,
        PaymentFilter {
            created_after: Some(long_ago),
            ..filter
        },
    )
}

fn counters_match_count_after_random_changes(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let orders = [("c-us", "US_WEB", "USD"), ("c-eu", "EU_WEB", "EUR")];
    for (number, channel, currency) in orders {
        order(p, number, channel, currency, i64::MAX / 4);
    }
    let methods = [
        None,
        Some("bank_transfer"),
        Some("cash_on_delivery"),
        Some("card"),
    ];
    let mut rng = StdRng::seed_from_u64(7);
    let mut ids: Vec<i64> = Vec::new();
    let (mut created, mut moved, mut refused) = (0, 0, 0);
    for _ in 0..OPERATIONS {
        db.clock.advance(TimeDelta::seconds(1));
        match rng.random_range(0..10) {
            0..=3 => {
                let (number, _, currency) = orders[rng.random_range(0..orders.len())];
                let mut input =
                    NewPayment::for_order(number).amount(rng.random_range(100..10_000), currency);
                input.method = methods[rng.random_range(0..methods.len())].map(str::to_owned);
                input.in_cart = rng.random_range(0..10) == 0;
                // Some methods do not fit the order (card is EU only): a refusal changes nothing.
                match p.create_payment(&input) {
                    Ok(c) => {
                        ids.push(c.payment.id);
                        created += 1;
                    }
                    Err(_) => refused += 1,
                }
            }
            4..=8 if !ids.is_empty() => {
                let id = ids[rng.random_range(0..ids.len())];
                let transition = Transition::ALL[rng.random_range(0..Transition::ALL.len())];
                match p.apply_transition(id, transition, None) {
                    Ok(_) => moved += 1,
                    Err(_) => refused += 1,
                }
            }
            _ if !ids.is_empty() => {
                let id = ids[rng.random_range(0..ids.len())];
                let method = ["bank_transfer", "cash_on_delivery", "card"][rng.random_range(0..3)];
                if p.choose_payment_method(id, method, None).is_err() {
                    refused += 1;
                }
            }
            _ => {}
        }
    }
    assert!(
        created > 400 && moved > 300 && refused > 100,
        "{created} {moved} {refused}"
    );
    let mut filters = vec![PaymentFilter::default()];
    filters.extend(PaymentState::ALL.map(|state| PaymentFilter {
        state: Some(state),
        ..Default::default()
    }));
    filters.extend(
        ["bank_transfer", "cash_on_delivery", "card"].map(|m| PaymentFilter {
            method: Some(m.into()),
            ..Default::default()
        }),
    );
    filters.extend(["US_WEB", "EU_WEB"].map(|c| PaymentFilter {
        channel: Some(c.into()),
        ..Default::default()
    }));
    filters.extend(["USD", "EUR"].map(|c| PaymentFilter {
        currency: Currency::parse(c).ok(),
        ..Default::default()
    }));
    for filter in filters {
        assert_eq!(
            total(p, filter.clone()),
            counted(p, filter.clone()),
            "{filter:?}"
        );
    }
    assert_eq!(total(p, PaymentFilter::default()), created);
}

on_both_backends!(counters_match_count_after_random_changes);
