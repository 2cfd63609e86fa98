//! Races on real threads: one winner per state change, one payment per idempotency key,
//! one order per number, and an order state resolved from committed sums.

mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::{TestDb, order, shop};
use storefront_payments::{
    Error, EventType, NewPayment, OrderPaymentState, OrderRef, PaymentFilter, PaymentQuery,
    PaymentState, Payments, Transition, UpsertOrder,
};

const THREADS: usize = 8;

/// Runs `work(i)` on `THREADS` threads released together; returns the results in order.
fn race<T: Send + 'static>(
    payments: &Payments,
    work: impl Fn(&Payments, usize) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(THREADS));
    let work = Arc::new(work);
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let (payments, barrier, work) = (payments.clone(), barrier.clone(), work.clone());
            thread::spawn(move || {
                barrier.wait();
                work(&payments, i)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("thread panicked"))
        .collect()
}

fn total_in_state(payments: &Payments, state: PaymentState) -> u64 {
    let query = PaymentQuery {
        filter: PaymentFilter {
            state: Some(state),
            ..Default::default()
        },
        ..Default::default()
    };
    payments.list_payments(&query).expect("list").total
}

fn two_racing_completions_only_one_wins(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "race-1", "US_WEB", "USD", 1000);
    let id = p
        .create_payment(&NewPayment::for_order("race-1"))
        .expect("payment")
        .payment
        .id;
    let results = race(p, move |p, _| {
        p.apply_transition(id, Transition::Complete, None)
    });
    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{results:?}");
    for result in results.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(
                result,
                Err(Error::TransitionNotAllowed {
                    state: PaymentState::Completed,
                    transition: Transition::Complete,
                    ..
                })
            ),
            "losers see the winner's state: {result:?}"
        );
    }
    let payment = p.payment(id).expect("payment");
    assert_eq!(
        (payment.state, payment.version),
        (PaymentState::Completed, 2)
    );
    assert_eq!(p.payment_history(id).map(|h| h.len()), Ok(1));
    let events: Vec<_> = p
        .payment_events(id)
        .expect("events")
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(events, vec![EventType::Created, EventType::Completed]);
    assert_eq!(
        (
            total_in_state(p, PaymentState::Completed),
            total_in_state(p, PaymentState::New)
        ),
        (1, 0)
    );
}

fn racing_transitions_at_one_version_have_one_winner(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "race-2", "US_WEB", "USD", 1000);
    let id = p
        .create_payment(&NewPayment::for_order("race-2"))
        .expect("payment")
        .payment
        .id;
    let transitions = [
        Transition::Process,
        Transition::Authorize,
        Transition::Complete,
        Transition::Fail,
        Transition::Cancel,
    ];
    let results = race(p, move |p, i| {
        p.apply_transition(id, transitions[i % transitions.len()], Some(1))
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for result in results.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(
                result,
                Err(Error::StaleVersion {
                    expected: 1,
                    current: 2,
                    ..
                })
            ),
            "a stale version is a conflict: {result:?}"
        );
    }
    assert_eq!(p.payment(id).map(|x| x.version), Ok(2));
    assert_eq!(p.payment_history(id).map(|h| h.len()), Ok(1));
}

fn racing_creates_with_one_key_make_one_payment(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "race-3", "US_WEB", "USD", 1000);
    let results = race(p, |p, _| {
        p.create_payment(
            &NewPayment::for_order("race-3")
                .method("bank_transfer")
                .external_ref("race-3-key"),
        )
    });
    let created: Vec<_> = results
        .into_iter()
        .map(|r| r.expect("every request succeeds"))
        .collect();
    assert_eq!(created.iter().filter(|c| !c.replayed).count(), 1);
    let id = created[0].payment.id;
    assert!(created.iter().all(|c| c.payment.id == id));
    assert_eq!(
        p.order_payments(&OrderRef::Number("race-3".into()))
            .map(|v| v.len()),
        Ok(1)
    );
    assert_eq!(
        p.list_payments(&PaymentQuery::default())
            .map(|page| page.total),
        Ok(1)
    );
}

fn racing_creates_reusing_a_key_for_other_orders_make_one_payment(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    for i in 0..THREADS {
        order(p, &format!("race-4-{i}"), "US_WEB", "USD", 1000);
    }
    let results = race(p, |p, i| {
        p.create_payment(&NewPayment::for_order(format!("race-4-{i}")).external_ref("shared-key"))
    });
    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = winners[0].payment.id;
    for result in results.iter().filter(|r| r.is_err()) {
        assert_eq!(
            result,
            &Err(Error::IdempotencyConflict {
                external_ref: "shared-key".into(),
                payment_id: winner
            })
        );
    }
    assert_eq!(
        p.list_payments(&PaymentQuery::default())
            .map(|page| page.total),
        Ok(1)
    );
}

fn racing_completions_of_one_orders_payments_leave_it_paid(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    for round in 0..3 {
        let number = format!("race-5-{round}");
        order(p, &number, "US_WEB", "USD", 8000);
        let ids: Vec<i64> = (0..THREADS)
            .map(|_| {
                p.create_payment(&NewPayment::for_order(number.as_str()).amount(1000, "USD"))
                    .expect("payment")
                    .payment
                    .id
            })
            .collect();
        let ids = Arc::new(ids);
        let results = race(p, {
            let ids = ids.clone();
            move |p, i| p.apply_transition(ids[i], Transition::Complete, None)
        });
        assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
        // Each transaction resolved the order from committed sums; the last one saw all.
        let state = p.order(&OrderRef::Number(number)).map(|o| o.payment_state);
        assert_eq!(state, Ok(OrderPaymentState::Paid), "round {round}");
    }
}

fn racing_upserts_of_a_new_number_make_one_order(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let results = race(p, |p, i| {
        p.upsert_order(&UpsertOrder {
            number: "race-6".into(),
            channel: "US_WEB".into(),
            currency_code: "USD".into(),
            total: 1000 + i as i64,
        })
    });
    let orders: Vec<_> = results
        .into_iter()
        .map(|r| r.expect("every upsert succeeds"))
        .collect();
    assert!(orders.iter().all(|o| o.id == orders[0].id), "one order");
    let stored = p.order(&OrderRef::Number("race-6".into())).expect("order");
    assert!((1000..1000 + THREADS as i64).contains(&stored.total));
}

on_both_backends!(
    two_racing_completions_only_one_wins,
    racing_transitions_at_one_version_have_one_winner,
    racing_creates_with_one_key_make_one_payment,
    racing_creates_reusing_a_key_for_other_orders_make_one_payment,
    racing_completions_of_one_orders_payments_leave_it_paid,
    racing_upserts_of_a_new_number_make_one_order,
);
