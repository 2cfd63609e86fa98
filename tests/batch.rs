//! Creating payments in batches: all or nothing, errors naming the item, idempotent replays.

mod common;

use common::{TestDb, field, order, shop};
use storefront_payments::{
    EventType, NewPayment, OrderPaymentState, OrderRef, PaymentQuery, PaymentState,
};

fn count(db: &TestDb) -> u64 {
    db.payments
        .list_payments(&PaymentQuery::default())
        .expect("list")
        .total
}

fn a_batch_creates_every_payment_in_one_go(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "b-1", "US_WEB", "USD", 1000);
    order(p, "b-2", "EU_WEB", "EUR", 700);
    let batch = vec![
        NewPayment::for_order("b-1")
            .amount(400, "USD")
            .external_ref("b-1-a"),
        NewPayment::for_order("b-1")
            .method("bank_transfer")
            .external_ref("b-1-b"),
        NewPayment::for_order("b-2")
            .method("card")
            .external_ref("b-2-a"),
    ];
    let created = p.create_payments(&batch).expect("batch");
    let amounts: Vec<_> = created
        .iter()
        .map(|c| (c.payment.amount, c.replayed))
        .collect();
    assert_eq!(
        amounts,
        vec![(400, false), (600, false), (700, false)],
        "defaults see earlier items"
    );
    for creation in &created {
        assert_eq!(
            p.payment(creation.payment.id).as_ref(),
            Ok(&creation.payment)
        );
        let events = p.payment_events(creation.payment.id).expect("events");
        assert_eq!(
            events.iter().map(|e| e.event_type).collect::<Vec<_>>(),
            vec![EventType::Created]
        );
    }
    assert_eq!(count(db), 3);
    let state = p
        .order(&OrderRef::Number("b-1".into()))
        .map(|o| o.payment_state);
    assert_eq!(state, Ok(OrderPaymentState::AwaitingPayment));
    // The same batch again replays every item.
    let again = p.create_payments(&batch).expect("replay");
    assert!(again.iter().all(|c| c.replayed));
    assert_eq!(
        again.iter().map(|c| c.payment.id).collect::<Vec<_>>(),
        created.iter().map(|c| c.payment.id).collect::<Vec<_>>()
    );
    assert_eq!(count(db), 3);
}

fn one_bad_item_rejects_the_whole_batch_naming_it(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "b-3", "US_WEB", "USD", 10_000);
    let good = || NewPayment::for_order("b-3").amount(100, "USD");
    let cases = [
        (
            vec![
                good(),
                good(),
                good(),
                NewPayment::for_order("b-3").amount(0, "USD"),
            ],
            "payments[3].amount",
        ),
        (
            vec![good(), NewPayment::for_order("b-3").amount(1, "XXX")],
            "payments[1].currencyCode",
        ),
        (
            vec![good(), NewPayment::for_order("nope")],
            "payments[1].order",
        ),
        (vec![good(), good().method("card")], "payments[1].method"),
        (
            vec![
                good().external_ref("k"),
                good().amount(200, "USD").external_ref("k"),
            ],
            "payments[1].externalRef",
        ),
        (vec![], "payments"),
        ((0..101).map(|_| good()).collect(), "payments"),
    ];
    for (batch, expected) in cases {
        let error = p.create_payments(&batch).expect_err("refused");
        assert_eq!(field(&error).as_deref(), Some(expected), "{error}");
        assert_eq!(count(db), 0, "nothing of a refused batch is kept");
    }
    // The same key twice with the same content is one payment.
    let created = p
        .create_payments(&[good().external_ref("twice"), good().external_ref("twice")])
        .expect("batch");
    assert_eq!((created[0].replayed, created[1].replayed), (false, true));
    assert_eq!(created[0].payment.id, created[1].payment.id);
    assert_eq!(count(db), 1);
    assert_eq!(
        p.payment(created[0].payment.id).map(|x| x.state),
        Ok(PaymentState::New)
    );
}

on_both_backends!(
    a_batch_creates_every_payment_in_one_go,
    one_bad_item_rejects_the_whole_batch_naming_it
);
