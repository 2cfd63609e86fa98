//! The demo data loader: exact counters, every state, consistent orders, reusable ids.

mod common;

use std::collections::HashMap;

use common::TestDb;
use storefront_payments::{
    NewPayment, OrderPaymentState, OrderRef, PaymentFilter, PaymentQuery, PaymentState,
    resolve_order_payment_state,
};

fn total(db: &TestDb, filter: PaymentFilter) -> u64 {
    let query = PaymentQuery {
        filter,
        ..Default::default()
    };
    db.payments.list_payments(&query).expect("list").total
}

fn demo_data_is_spread_and_its_counters_are_exact(db: &TestDb) {
    let p = &db.payments;
    let mut progress = Vec::new();
    let loaded = p
        .load_demo_data(12_345, |done| progress.push(done))
        .expect("demo data");
    assert_eq!((loaded.orders, loaded.payments), (12_345, 12_345));
    assert_eq!(progress, vec![10_000, 12_345], "progress after each batch");
    assert_eq!(total(db, PaymentFilter::default()), 12_345);
    // Every state appears, and the state counters agree with a full walk of the list.
    let mut walked: HashMap<PaymentState, u64> = HashMap::new();
    let mut page = 1;
    loop {
        let query = PaymentQuery {
            page: storefront_payments::PageNumber::new(page).expect("page"),
            limit: storefront_payments::Limit::new(250).expect("limit"),
            ..Default::default()
        };
        let items = p.list_payments(&query).expect("page").items;
        if items.is_empty() {
            break;
        }
        for payment in items {
            *walked.entry(payment.state).or_default() += 1;
        }
        page += 1;
    }
    for state in [
        PaymentState::New,
        PaymentState::Processing,
        PaymentState::Authorized,
        PaymentState::Completed,
        PaymentState::Failed,
        PaymentState::Cancelled,
        PaymentState::Refunded,
    ] {
        let counted = total(
            db,
            PaymentFilter {
                state: Some(state),
                ..Default::default()
            },
        );
        assert!(counted > 0, "{state} appears");
        assert_eq!(Some(&counted), walked.get(&state), "{state}");
    }
    for channel in ["US_WEB", "EU_WEB", "JP_WEB"] {
        assert!(
            total(
                db,
                PaymentFilter {
                    channel: Some(channel.into()),
                    ..Default::default()
                }
            ) > 1000,
            "{channel}"
        );
    }
    // Orders carry their payment's resolved state.
    for id in [1, 777, 12_345] {
        let order = p.order(&OrderRef::Id(id)).expect("order");
        let payments = p.order_payments(&OrderRef::Id(id)).expect("payments");
        let expected =
            resolve_order_payment_state(order.total, payments.iter().map(|x| (x.state, x.amount)));
        assert_eq!(order.payment_state, expected);
        assert_eq!(order.number, format!("demo-{id:09}"));
    }
    // The id sequences moved past the loaded rows: the API creates the next ids.
    let order = common::order(p, "after-demo", "US_WEB", "USD", 500);
    assert_eq!(order.id, 12_346);
    let payment = p
        .create_payment(&NewPayment::for_order(order.id))
        .expect("payment")
        .payment;
    assert_eq!(payment.id, 12_346);
    assert_eq!(
        p.order(&OrderRef::Id(order.id)).map(|o| o.payment_state),
        Ok(OrderPaymentState::AwaitingPayment)
    );
    // Loading again appends, reusing the catalog.
    p.load_demo_data(10, |_| {}).expect("more demo data");
    assert_eq!(total(db, PaymentFilter::default()), 12_356);
    assert_eq!(p.channels().map(|c| c.len()), Ok(3));
}

on_both_backends!(demo_data_is_spread_and_its_counters_are_exact);
