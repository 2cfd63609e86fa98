//! Payments: creation, the state graph, the order's payment state, idempotency, history.

mod common;

use common::{TestDb, field, order, shop};
use serde_json::json;
use storefront_payments::{
    Error, EventType, NewPayment, OrderPaymentState, OrderRef, PaymentState, Transition,
};

fn creating_a_payment_defaults_to_the_outstanding_amount_and_currency(db: &TestDb) {
    let p = &db.payments;
    let shop = shop(p);
    let order = order(p, "000001", "US_WEB", "USD", 4507);
    let created = p
        .create_payment(&NewPayment::for_order(order.id).method("bank_transfer"))
        .expect("created");
    assert!(!created.replayed);
    let payment = created.payment;
    assert_eq!(
        (payment.amount, payment.currency_code.code()),
        (4507, "USD")
    );
    assert_eq!(payment.state, PaymentState::New);
    assert_eq!(payment.version, 1);
    assert_eq!(payment.order_id, order.id);
    assert_eq!(payment.channel_id, shop.us_web.id);
    assert_eq!(
        payment.method.as_ref().map(|m| (m.id, m.code.as_str())),
        Some((shop.bank_transfer.id, "bank_transfer"))
    );
    assert_eq!(payment.details, json!({}));
    assert_eq!(payment.created_at, common::epoch());
    assert_eq!(p.payment(payment.id), Ok(payment.clone()));
    // The order is now awaiting the payment, and nothing more is outstanding.
    assert_eq!(
        p.order(&OrderRef::Id(order.id)).map(|o| o.payment_state),
        Ok(OrderPaymentState::AwaitingPayment)
    );
    let again = p
        .create_payment(&NewPayment::for_order(order.id))
        .expect_err("nothing outstanding");
    assert_eq!(field(&again), Some("amount".into()));
}

fn a_payment_stores_every_field_it_was_given(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "000002", "US_WEB", "USD", 10_000);
    let mut input = NewPayment::for_order("000002")
        .amount(2500, "usd")
        .description("First instalment")
        .metadata(json!({"order_id": "000002", "nested": {"k": [1, 2]}}))
        .external_ref("ref-2");
    input.details = Some(json!({"gateway": "offline"}));
    let payment = p.create_payment(&input).expect("created").payment;
    assert_eq!(payment.amount, 2500);
    assert_eq!(payment.currency_code.code(), "USD");
    assert_eq!(payment.method, None);
    assert_eq!(payment.description.as_deref(), Some("First instalment"));
    assert_eq!(
        payment.metadata,
        Some(json!({"order_id": "000002", "nested": {"k": [1, 2]}}))
    );
    assert_eq!(payment.external_ref.as_deref(), Some("ref-2"));
    assert_eq!(payment.details, json!({"gateway": "offline"}));
}

fn completing_a_new_payment_marks_the_order_paid(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let order = order(p, "000003", "US_WEB", "USD", 1000);
    let payment = p
        .create_payment(&NewPayment::for_order(order.id).method("bank_transfer"))
        .expect("created")
        .payment;
    db.clock.advance(chrono::TimeDelta::seconds(5));
    let processing = p
        .apply_transition(payment.id, Transition::Process, Some(1))
        .expect("process");
    assert_eq!(
        (processing.state, processing.version),
        (PaymentState::Processing, 2)
    );
    db.clock.advance(chrono::TimeDelta::seconds(5));
    let completed = p
        .apply_transition(payment.id, Transition::Complete, Some(2))
        .expect("complete");
    assert_eq!(
        (completed.state, completed.version),
        (PaymentState::Completed, 3)
    );
    assert_eq!(
        completed.completed_at,
        Some(common::epoch() + chrono::TimeDelta::seconds(10))
    );
    assert_eq!(
        completed.updated_at,
        common::epoch() + chrono::TimeDelta::seconds(10)
    );
    assert_eq!(completed.authorized_at, None);
    let order = p.order(&OrderRef::Number("000003".into())).expect("order");
    assert_eq!(order.payment_state, OrderPaymentState::Paid);
}

fn every_edge_of_the_graph_applies_through_the_store(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    // (start in cart?, path of transitions, end state)
    let paths: [(bool, &[Transition], PaymentState); 8] = [
        (true, &[Transition::Create], PaymentState::New),
        (
            false,
            &[
                Transition::Authorize,
                Transition::Complete,
                Transition::Refund,
            ],
            PaymentState::Refunded,
        ),
        (
            false,
            &[
                Transition::Process,
                Transition::Authorize,
                Transition::Cancel,
            ],
            PaymentState::Cancelled,
        ),
        (
            false,
            &[Transition::Process, Transition::Fail],
            PaymentState::Failed,
        ),
        (
            false,
            &[Transition::Authorize, Transition::Fail],
            PaymentState::Failed,
        ),
        (false, &[Transition::Complete], PaymentState::Completed),
        (false, &[Transition::Cancel], PaymentState::Cancelled),
        (false, &[Transition::Fail], PaymentState::Failed),
    ];
    for (i, (in_cart, path, end)) in paths.into_iter().enumerate() {
        let number = format!("graph-{i}");
        order(p, &number, "US_WEB", "USD", 500);
        let mut input = NewPayment::for_order(number.as_str()).method("bank_transfer");
        input.in_cart = in_cart;
        let payment = p.create_payment(&input).expect("created").payment;
        assert_eq!(
            payment.state,
            if in_cart {
                PaymentState::Cart
            } else {
                PaymentState::New
            }
        );
        let mut state = payment.state;
        for transition in path {
            let after = p
                .apply_transition(payment.id, *transition, None)
                .expect("allowed edge");
            let stored = p.payment(payment.id);
            assert_eq!(
                stored.as_ref(),
                Ok(&after),
                "the returned payment is the stored one"
            );
            assert_eq!(
                Ok(after.state),
                transition.apply(state),
                "{transition} from {state}"
            );
            state = after.state;
        }
        assert_eq!(state, end);
        let history = p.payment_history(payment.id).expect("history");
        assert_eq!(
            history.iter().map(|h| h.transition).collect::<Vec<_>>(),
            path.to_vec()
        );
    }
}

fn a_transition_the_state_does_not_allow_names_the_state_and_the_allowed_ones(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let order = order(p, "000004", "US_WEB", "USD", 1000);
    let payment = p
        .create_payment(&NewPayment::for_order(order.id))
        .expect("created")
        .payment;
    let refused = p
        .apply_transition(payment.id, Transition::Refund, None)
        .expect_err("refund from new");
    assert_eq!(
        refused,
        Error::TransitionNotAllowed {
            state: PaymentState::New,
            transition: Transition::Refund,
            allowed: vec![
                Transition::Process,
                Transition::Authorize,
                Transition::Complete,
                Transition::Fail,
                Transition::Cancel
            ],
        }
    );
    // Nothing changed: same version, no history, only the creation event.
    assert_eq!(p.payment(payment.id).map(|x| x.version), Ok(1));
    assert_eq!(p.payment_history(payment.id), Ok(vec![]));
    assert_eq!(p.payment_events(payment.id).map(|e| e.len()), Ok(1));
    p.apply_transition(payment.id, Transition::Cancel, None)
        .expect("cancel");
    let after_cancel = p
        .apply_transition(payment.id, Transition::Complete, None)
        .expect_err("complete cancelled");
    assert!(
        matches!(after_cancel, Error::TransitionNotAllowed { state: PaymentState::Cancelled, ref allowed, .. } if allowed.is_empty())
    );
    assert_eq!(p.available_transitions(payment.id), Ok(vec![]));
}

fn a_stale_expected_version_is_a_conflict(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let order = order(p, "000005", "US_WEB", "USD", 1000);
    let payment = p
        .create_payment(&NewPayment::for_order(order.id))
        .expect("created")
        .payment;
    p.apply_transition(payment.id, Transition::Process, Some(1))
        .expect("process at v1");
    let stale = p
        .apply_transition(payment.id, Transition::Complete, Some(1))
        .expect_err("v1 is stale");
    assert_eq!(
        stale,
        Error::StaleVersion {
            payment_id: payment.id,
            expected: 1,
            current: 2
        }
    );
    assert_eq!(
        p.payment(payment.id).map(|x| x.state),
        Ok(PaymentState::Processing)
    );
}

fn unknown_payments_are_not_found(db: &TestDb) {
    let p = &db.payments;
    let missing = Error::NotFound {
        resource: "payment",
        key: "999".into(),
    };
    assert_eq!(p.payment(999), Err(missing.clone()));
    assert_eq!(
        p.apply_transition(999, Transition::Complete, None),
        Err(missing.clone())
    );
    assert_eq!(p.payment_history(999), Err(missing.clone()));
    assert_eq!(p.available_transitions(999), Err(missing));
}

fn cancelling_an_authorized_payment_returns_the_order_to_awaiting_payment(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let order = order(p, "000006", "US_WEB", "USD", 1000);
    let payment = p
        .create_payment(&NewPayment::for_order(order.id))
        .expect("created")
        .payment;
    p.apply_transition(payment.id, Transition::Authorize, None)
        .expect("authorize");
    assert_eq!(
        p.order(&OrderRef::Id(order.id)).map(|o| o.payment_state),
        Ok(OrderPaymentState::Authorized)
    );
    p.apply_transition(payment.id, Transition::Cancel, None)
        .expect("cancel");
    assert_eq!(
        p.order(&OrderRef::Id(order.id)).map(|o| o.payment_state),
        Ok(OrderPaymentState::AwaitingPayment)
    );
}

fn split_payments_move_the_order_through_partial_states(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let order = order(p, "000007", "US_WEB", "USD", 1000);
    let state = || p.order(&OrderRef::Id(order.id)).map(|o| o.payment_state);
    let first = p
        .create_payment(&NewPayment::for_order(order.id).amount(400, "USD"))
        .expect("first")
        .payment;
    let second = p
        .create_payment(&NewPayment::for_order(order.id))
        .expect("second")
        .payment;
    assert_eq!(second.amount, 600, "defaults to what is still outstanding");
    p.apply_transition(first.id, Transition::Authorize, None)
        .expect("authorize");
    assert_eq!(state(), Ok(OrderPaymentState::PartiallyAuthorized));
    p.apply_transition(first.id, Transition::Complete, None)
        .expect("complete");
    assert_eq!(state(), Ok(OrderPaymentState::PartiallyPaid));
    p.apply_transition(second.id, Transition::Complete, None)
        .expect("complete");
    assert_eq!(state(), Ok(OrderPaymentState::Paid));
    p.apply_transition(first.id, Transition::Refund, None)
        .expect("refund");
    assert_eq!(state(), Ok(OrderPaymentState::PartiallyRefunded));
    p.apply_transition(second.id, Transition::Refund, None)
        .expect("refund");
    assert_eq!(state(), Ok(OrderPaymentState::Refunded));
    let payments = p.order_payments(&OrderRef::Id(order.id)).expect("payments");
    assert_eq!(
        payments.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![first.id, second.id]
    );
}

fn a_failed_payment_frees_its_amount_for_the_next_attempt(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let order = order(p, "000008", "US_WEB", "USD", 1000);
    let first = p
        .create_payment(&NewPayment::for_order(order.id))
        .expect("first")
        .payment;
    p.apply_transition(first.id, Transition::Fail, None)
        .expect("fail");
    let retry = p
        .create_payment(&NewPayment::for_order(order.id))
        .expect("retry")
        .payment;
    assert_eq!(retry.amount, 1000);
}

fn method_availability_rules_reject_bad_payments(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "eu-1", "EU_WEB", "EUR", 1000);
    order(p, "us-1", "US_WEB", "USD", 1000);
    let disabled = storefront_payments::PaymentMethodUpdate {
        enabled: Some(false),
        ..Default::default()
    };
    p.update_payment_method("cash_on_delivery", &disabled)
        .expect("disable");
    let cases = [
        (
            NewPayment::for_order("us-1").method("cash_on_delivery"),
            "method",
            "disabled",
        ),
        (
            NewPayment::for_order("us-1").method("card"),
            "method",
            "channel",
        ),
        (
            NewPayment::for_order("eu-1").method("bank_transfer"),
            "method",
            "channel",
        ),
        (
            NewPayment::for_order("eu-1")
                .method("card")
                .amount(99, "EUR"),
            "amount",
            "at least",
        ),
        (
            NewPayment::for_order("eu-1")
                .method("card")
                .amount(50_001, "EUR"),
            "amount",
            "at most",
        ),
        (
            NewPayment::for_order("eu-1").method("nope"),
            "method",
            "does not exist",
        ),
        (
            NewPayment::for_order("eu-1").amount(100, "USD"),
            "currencyCode",
            "order's currency",
        ),
        (
            NewPayment::for_order("eu-1").amount(100, "XYZ"),
            "currencyCode",
            "ISO 4217",
        ),
        (NewPayment::for_order("missing"), "order", "does not exist"),
        (NewPayment::for_order(424242), "order", "does not exist"),
        (
            NewPayment::for_order("eu-1").amount(-5, "EUR"),
            "amount",
            "greater than 0",
        ),
        (
            NewPayment::for_order("eu-1").metadata(json!({"blob": "x".repeat(1024)})),
            "metadata",
            "1024",
        ),
    ];
    for (input, expected_field, message_part) in cases {
        let error = p.create_payment(&input).expect_err("rejected");
        assert_eq!(
            field(&error).as_deref(),
            Some(expected_field),
            "{input:?}: {error}"
        );
        assert!(
            error.to_string().contains(message_part),
            "{error} should mention {message_part}"
        );
    }
    // A currency the method does not accept, on an order in that currency.
    p.create_channel(&storefront_payments::NewChannel::new(
        "JP_WEB", "Japan", "JPY",
    ))
    .expect("JP_WEB");
    let update = storefront_payments::PaymentMethodUpdate {
        channels: Some(vec!["EU_WEB".into(), "JP_WEB".into()]),
        ..Default::default()
    };
    p.update_payment_method("card", &update)
        .expect("card in Japan");
    order(p, "jp-1", "JP_WEB", "JPY", 1000);
    let error = p
        .create_payment(&NewPayment::for_order("jp-1").method("card"))
        .expect_err("JPY");
    assert_eq!(field(&error).as_deref(), Some("currencyCode"));
    // Nothing was written by any of the rejected requests.
    let listed = p.list_payments(&Default::default()).expect("list");
    assert_eq!(listed.total, 0);
}

fn replaying_a_request_with_the_same_external_ref_returns_the_first_payment(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "000009", "US_WEB", "USD", 1000);
    let input = NewPayment::for_order("000009")
        .method("bank_transfer")
        .external_ref("checkout-9")
        .metadata(json!({"a": 1, "b": 2}));
    let first = p.create_payment(&input).expect("first");
    assert!(!first.replayed);
    let replay = p.create_payment(&input).expect("replay");
    assert!(replay.replayed);
    assert_eq!(replay.payment, first.payment);
    // Same content with keys in another order is the same request.
    let reordered = NewPayment::for_order("000009")
        .method("bank_transfer")
        .external_ref("checkout-9")
        .metadata(json!({"b": 2, "a": 1}));
    assert_eq!(
        p.create_payment(&reordered).map(|c| c.payment.id),
        Ok(first.payment.id)
    );
    // The same key for a different request is refused.
    let other = NewPayment::for_order("000009")
        .amount(10, "USD")
        .external_ref("checkout-9");
    let error = p.create_payment(&other).expect_err("reused key");
    assert_eq!(
        error,
        Error::IdempotencyConflict {
            external_ref: "checkout-9".into(),
            payment_id: first.payment.id
        }
    );
    assert_eq!(field(&error).as_deref(), Some("externalRef"));
    assert_eq!(
        p.order_payments(&OrderRef::Number("000009".into()))
            .map(|v| v.len()),
        Ok(1)
    );
}

fn every_change_writes_an_outbox_event_with_the_new_version(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "000010", "US_WEB", "USD", 1000);
    let payment = p
        .create_payment(&NewPayment::for_order("000010"))
        .expect("created")
        .payment;
    p.apply_transition(payment.id, Transition::Process, None)
        .expect("process");
    p.apply_transition(payment.id, Transition::Complete, None)
        .expect("complete");
    let events = p.payment_events(payment.id).expect("events");
    let seen: Vec<_> = events
        .iter()
        .map(|e| (e.event_type, e.payment_version))
        .collect();
    assert_eq!(
        seen,
        vec![
            (EventType::Created, 1),
            (EventType::Processing, 2),
            (EventType::Completed, 3)
        ]
    );
    // A cart payment is a draft: no event until the `create` transition.
    let mut draft = NewPayment::for_order("000010").amount(5, "USD");
    draft.in_cart = true;
    let draft = p.create_payment(&draft).expect("draft").payment;
    assert_eq!(p.payment_events(draft.id), Ok(vec![]));
    p.apply_transition(draft.id, Transition::Create, None)
        .expect("create");
    let events = p.payment_events(draft.id).expect("events");
    assert_eq!(
        events.iter().map(|e| e.event_type).collect::<Vec<_>>(),
        vec![EventType::Created]
    );
}

fn the_history_records_each_transition_with_its_time(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "000011", "US_WEB", "USD", 1000);
    let payment = p
        .create_payment(&NewPayment::for_order("000011"))
        .expect("created")
        .payment;
    db.clock.advance(chrono::TimeDelta::minutes(1));
    p.apply_transition(payment.id, Transition::Authorize, None)
        .expect("authorize");
    db.clock.advance(chrono::TimeDelta::minutes(1));
    p.apply_transition(payment.id, Transition::Complete, None)
        .expect("complete");
    let history = p.payment_history(payment.id).expect("history");
    let rows: Vec<_> = history
        .iter()
        .map(|h| (h.transition, h.from, h.to, h.created_at))
        .collect();
    let t = |minutes| common::epoch() + chrono::TimeDelta::minutes(minutes);
    assert_eq!(
        rows,
        vec![
            (
                Transition::Authorize,
                PaymentState::New,
                PaymentState::Authorized,
                t(1)
            ),
            (
                Transition::Complete,
                PaymentState::Authorized,
                PaymentState::Completed,
                t(2)
            ),
        ]
    );
    let completed = p.payment(payment.id).expect("payment");
    assert_eq!(
        (completed.authorized_at, completed.completed_at),
        (Some(t(1)), Some(t(2)))
    );
}

fn a_method_can_be_chosen_until_the_payment_is_processed(db: &TestDb) {
    let p = &db.payments;
    let shop = shop(p);
    order(p, "000012", "US_WEB", "USD", 1000);
    let payment = p
        .create_payment(&NewPayment::for_order("000012"))
        .expect("created")
        .payment;
    assert_eq!(payment.method, None);
    let chosen = p
        .choose_payment_method(payment.id, "cash_on_delivery", Some(1))
        .expect("chosen");
    assert_eq!(chosen.method.map(|m| m.id), Some(shop.cash_on_delivery.id));
    assert_eq!(chosen.version, 2);
    let wrong_channel = p
        .choose_payment_method(payment.id, "card", None)
        .expect_err("card is EU only");
    assert_eq!(field(&wrong_channel).as_deref(), Some("method"));
    p.apply_transition(payment.id, Transition::Process, None)
        .expect("process");
    let too_late = p
        .choose_payment_method(payment.id, "bank_transfer", None)
        .expect_err("processing");
    assert_eq!(field(&too_late).as_deref(), Some("method"));
}

on_both_backends!(
    creating_a_payment_defaults_to_the_outstanding_amount_and_currency,
    a_payment_stores_every_field_it_was_given,
    completing_a_new_payment_marks_the_order_paid,
    every_edge_of_the_graph_applies_through_the_store,
    a_transition_the_state_does_not_allow_names_the_state_and_the_allowed_ones,
    a_stale_expected_version_is_a_conflict,
    unknown_payments_are_not_found,
    cancelling_an_authorized_payment_returns_the_order_to_awaiting_payment,
    split_payments_move_the_order_through_partial_states,
    a_failed_payment_frees_its_amount_for_the_next_attempt,
    method_availability_rules_reject_bad_payments,
    replaying_a_request_with_the_same_external_ref_returns_the_first_payment,
    every_change_writes_an_outbox_event_with_the_new_version,
    the_history_records_each_transition_with_its_time,
    a_method_can_be_chosen_until_the_payment_is_processed,
);
