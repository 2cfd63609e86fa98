//! Orders: upserts by number and the payment state that follows their payments.

mod common;

use common::{TestDb, field, order, shop};
use storefront_payments::{
    Error, NewPayment, OrderPaymentState, OrderRef, Transition, UpsertOrder,
};

fn upserting_a_number_twice_updates_the_same_order(db: &TestDb) {
    let p = &db.payments;
    let shop = shop(p);
    let created = order(p, "000100", "US_WEB", "USD", 1000);
    assert_eq!(created.channel_id, shop.us_web.id);
    assert_eq!(created.channel_code, "US_WEB");
    db.clock.advance(chrono::TimeDelta::seconds(30));
    let updated = order(p, "000100", "EU_WEB", "EUR", 2000);
    assert_eq!(updated.id, created.id);
    assert_eq!(
        (
            updated.channel_code.as_str(),
            updated.currency_code.code(),
            updated.total
        ),
        ("EU_WEB", "EUR", 2000)
    );
    assert_eq!(updated.created_at, created.created_at);
    assert_eq!(
        updated.updated_at,
        created.updated_at + chrono::TimeDelta::seconds(30)
    );
    assert_eq!(p.order(&OrderRef::Id(created.id)), Ok(updated.clone()));
    assert_eq!(p.order(&OrderRef::Number("000100".into())), Ok(updated));
}

fn an_order_without_payments_is_awaiting_payment_even_when_free(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    // Sylius #11677 marks this order paid.
    let free = order(p, "free", "US_WEB", "USD", 0);
    assert_eq!(free.payment_state, OrderPaymentState::AwaitingPayment);
}

fn a_new_total_re_resolves_the_payment_state(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "000101", "US_WEB", "USD", 1000);
    let payment = p
        .create_payment(&NewPayment::for_order("000101"))
        .expect("payment")
        .payment;
    p.apply_transition(payment.id, Transition::Complete, None)
        .expect("complete");
    assert_eq!(
        p.order(&OrderRef::Number("000101".into()))
            .map(|o| o.payment_state),
        Ok(OrderPaymentState::Paid)
    );
    let grown = order(p, "000101", "US_WEB", "USD", 1500);
    assert_eq!(grown.payment_state, OrderPaymentState::PartiallyPaid);
    let shrunk = order(p, "000101", "US_WEB", "USD", 900);
    assert_eq!(shrunk.payment_state, OrderPaymentState::Paid);
}

fn channel_and_currency_are_fixed_once_an_order_has_payments(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "000102", "US_WEB", "USD", 1000);
    p.create_payment(&NewPayment::for_order("000102"))
        .expect("payment");
    let upsert = |channel: &str, currency: &str| {
        p.upsert_order(&UpsertOrder {
            number: "000102".into(),
            channel: channel.into(),
            currency_code: currency.into(),
            total: 1000,
        })
    };
    assert_eq!(
        upsert("EU_WEB", "USD").map_err(|e| field(&e)),
        Err(Some("channel".into()))
    );
    assert_eq!(
        upsert("US_WEB", "EUR").map_err(|e| field(&e)),
        Err(Some("currencyCode".into()))
    );
    assert_eq!(
        p.order(&OrderRef::Number("000102".into()))
            .map(|o| o.currency_code.code()),
        Ok("USD")
    );
}

fn bad_order_input_names_the_field(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let input = |number: &str, channel: &str, currency: &str, total| UpsertOrder {
        number: number.into(),
        channel: channel.into(),
        currency_code: currency.into(),
        total,
    };
    let cases = [
        (input("", "US_WEB", "USD", 1), "number"),
        (input("a\u{0}b", "US_WEB", "USD", 1), "number"),
        (input(&"n".repeat(256), "US_WEB", "USD", 1), "number"),
        (input("n1", "NOPE", "USD", 1), "channel"),
        (input("n1", "bad code", "USD", 1), "channel"),
        (input("n1", "US_WEB", "DOLLAR", 1), "currencyCode"),
        (input("n1", "US_WEB", "USD", -1), "total"),
    ];
    for (order, expected) in cases {
        let error = p.upsert_order(&order).expect_err("invalid");
        assert_eq!(field(&error).as_deref(), Some(expected), "{order:?}");
    }
    assert_eq!(
        p.order(&OrderRef::Number("n1".into())),
        Err(Error::NotFound {
            resource: "order",
            key: "n1".into()
        })
    );
    assert_eq!(
        p.order_payments(&OrderRef::Id(77)),
        Err(Error::NotFound {
            resource: "order",
            key: "77".into()
        })
    );
}

on_both_backends!(
    upserting_a_number_twice_updates_the_same_order,
    an_order_without_payments_is_awaiting_payment_even_when_free,
    a_new_total_re_resolves_the_payment_state,
    channel_and_currency_are_fixed_once_an_order_has_payments,
    bad_order_input_names_the_field,
);
