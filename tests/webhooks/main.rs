//! Webhooks end to end: a real receiver, the outbox, signatures, the 7-day retry schedule
//! (on a fixed clock, without waiting), restarts, and several workers sharing the work.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;
mod receiver;

use std::time::Duration;

use chrono::TimeDelta;
use common::{TestDb, order, shop};
use receiver::{Receiver, nobody_listening};
use storefront_payments::events::{
    DEFAULT_TOLERANCE, RunReport, WebhookOptions, WebhookWorker, verify_signature,
};
use storefront_payments::{
    Clock, DeliveryStatus, FIRST_RETRY, LONGEST_WAIT, NewPayment, NewSubscription, Options,
    Payments, RETRY_WINDOW, Transition,
};

fn subscribe(p: &Payments, url: &str, events: Option<&[&str]>) -> (i64, String) {
    let input = NewSubscription {
        url: url.to_owned(),
        events: events.map(|e| e.iter().map(|s| (*s).to_owned()).collect()),
        secret: None,
    };
    let created = p.subscribe(&input).expect("subscribe");
    (created.subscription.id, created.secret)
}

fn worker(p: &Payments) -> WebhookWorker {
    WebhookWorker::new(
        p.clone(),
        WebhookOptions {
            timeout: Duration::from_secs(5),
            ..WebhookOptions::default()
        },
    )
}

fn pay(p: &Payments, number: &str) -> i64 {
    order(p, number, "US_WEB", "USD", 1000);
    p.create_payment(&NewPayment::for_order(number))
        .expect("payment")
        .payment
        .id
}

fn an_event_arrives_signed_once_the_receiver_recovers_and_retries_follow_the_schedule(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let receiver = Receiver::start(3);
    let (subscription, secret) = subscribe(p, &receiver.url(), None);
    let payment = pay(p, "wh-1");
    let worker = worker(p);
    let mut waits = Vec::new();
    for attempt in 1..=3 {
        let report = worker.run_once().expect("run");
        assert_eq!(
            (report.attempted, report.retrying),
            (1, 1),
            "attempt {attempt}: {report:?}"
        );
        let (delivery, attempts) = p
            .deliveries(subscription, 10)
            .expect("deliveries")
            .remove(0);
        assert_eq!(
            (delivery.status, delivery.attempts, attempts.len()),
            (DeliveryStatus::Pending, attempt, attempt as usize)
        );
        assert_eq!(attempts.last().and_then(|a| a.status_code), Some(500));
        let wait = delivery.next_attempt_at - db.clock.now();
        waits.push(wait);
        // Nothing is due before the wait is over.
        db.clock.advance(wait - TimeDelta::seconds(1));
        assert_eq!(worker.run_once().expect("run").attempted, 0, "too early");
        db.clock.advance(TimeDelta::seconds(1));
    }
    // 30 s, then doubling, each with up to 20% jitter.
    for (i, wait) in waits.iter().enumerate() {
        let base = FIRST_RETRY * (1 << i);
        assert!(
            *wait >= base && *wait <= base + base / 5,
            "wait {i}: {wait} for base {base}"
        );
    }
    let report = worker.run_once().expect("run");
    assert_eq!((report.attempted, report.delivered), (1, 1), "{report:?}");
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1);
    let received = &accepted[0];
    let body = received.json();
    assert_eq!(body["type"], "payment.created");
    assert_eq!(body["payment"]["id"], payment);
    assert_eq!(body["paymentVersion"], 1);
    assert_eq!(body["payment"]["state"], "new");
    assert_eq!(received.event_id, body["id"].to_string());
    let now = db.clock.now().timestamp();
    assert_eq!(
        verify_signature(
            &secret,
            &received.signature,
            &received.body,
            now,
            DEFAULT_TOLERANCE
        ),
        Ok(())
    );
    assert!(
        verify_signature(
            "whsec_wrong_secret_0000",
            &received.signature,
            &received.body,
            now,
            DEFAULT_TOLERANCE
        )
        .is_err()
    );
    // Every attempt is recorded: three 500s, then the 200.
    let (delivery, attempts) = p
        .deliveries(subscription, 10)
        .expect("deliveries")
        .remove(0);
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    assert_eq!(
        attempts.iter().map(|a| a.status_code).collect::<Vec<_>>(),
        vec![Some(500), Some(500), Some(500), Some(200)]
    );
    assert_eq!(
        worker.run_once().expect("run"),
        RunReport::default(),
        "nothing left to do"
    );
}

fn a_receiver_down_for_good_fails_after_seven_days_and_can_be_replayed(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let (subscription, _) = subscribe(p, &nobody_listening(), None);
    pay(p, "wh-2");
    let worker = worker(p);
    let started = db.clock.now();
    let mut attempts = 0;
    loop {
        let report = worker.run_once().expect("run");
        attempts += report.attempted;
        let (delivery, _) = p.deliveries(subscription, 1).expect("deliveries").remove(0);
        if delivery.status == DeliveryStatus::Failed {
            break;
        }
        assert!(attempts < 40, "retries must end");
        // Jump to the next attempt: the schedule, simulated.
        let wait = delivery.next_attempt_at - db.clock.now();
        assert!(
            wait <= LONGEST_WAIT + LONGEST_WAIT / 5,
            "waits are capped at a day: {wait}"
        );
        db.clock.advance(wait);
    }
    let elapsed = db.clock.now() - started;
    assert!(
        elapsed <= RETRY_WINDOW && elapsed >= RETRY_WINDOW - LONGEST_WAIT - LONGEST_WAIT / 5,
        "gave up after {elapsed}"
    );
    let (delivery, history) = p.deliveries(subscription, 1).expect("deliveries").remove(0);
    assert_eq!(history.len(), attempts);
    assert!(
        history
            .iter()
            .all(|a| a.status_code.is_none() && a.error.is_some()),
        "transport errors are recorded"
    );
    assert_eq!(delivery.attempts as usize, attempts);
    // A failed delivery can be replayed: pending again, due at once, for 7 more days.
    let replayed = p.replay_delivery(delivery.id).expect("replay");
    assert_eq!(replayed.status, DeliveryStatus::Pending);
    assert_eq!(replayed.deadline, db.clock.now() + RETRY_WINDOW);
    assert_eq!(worker.run_once().expect("run").attempted, 1);
    assert!(
        p.replay_delivery(delivery.id).is_err(),
        "only failed deliveries are replayed"
    );
}

fn rolled_back_changes_emit_nothing_and_subscriptions_filter_event_types(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let everything = Receiver::start(0);
    let completions = Receiver::start(0);
    subscribe(p, &everything.url(), None);
    subscribe(p, &completions.url(), Some(&["payment.completed"]));
    order(p, "wh-3", "US_WEB", "USD", 1000);
    // A batch with one bad item writes nothing, events included.
    let batch = [
        NewPayment::for_order("wh-3").amount(100, "USD"),
        NewPayment::for_order("wh-3").amount(0, "USD"),
    ];
    assert!(p.create_payments(&batch).is_err());
    // A refused transition writes nothing either.
    let payment = p
        .create_payment(&NewPayment::for_order("wh-3"))
        .expect("payment")
        .payment
        .id;
    assert!(
        p.apply_transition(payment, Transition::Refund, None)
            .is_err()
    );
    p.apply_transition(payment, Transition::Complete, None)
        .expect("complete");
    let report = worker(p).run_once().expect("run");
    assert_eq!(report.dispatched, 2, "created and completed: {report:?}");
    let types = |r: &Receiver| {
        r.accepted()
            .iter()
            .map(|x| x.json()["type"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let mut all = types(&everything);
    all.sort();
    assert_eq!(all, vec!["payment.completed", "payment.created"]);
    assert_eq!(types(&completions), vec!["payment.completed"]);
    let completed = completions.accepted()[0].json();
    assert_eq!(
        (
            completed["paymentVersion"].as_i64(),
            completed["payment"]["state"].as_str()
        ),
        (Some(2), Some("completed"))
    );
}

fn a_restarted_worker_delivers_what_was_pending(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let receiver = Receiver::start(1);
    subscribe(p, &receiver.url(), None);
    pay(p, "wh-4");
    assert_eq!(worker(p).run_once().expect("first run").retrying, 1);
    // The process goes away; a new one opens the same database.
    let url = db.url.clone();
    let reopened = Payments::open_with(
        &url,
        Options {
            clock: db.clock.clone(),
            ..Options::default()
        },
    )
    .expect("reopen");
    db.clock.advance(TimeDelta::minutes(1));
    let report = worker(&reopened).run_once().expect("after the restart");
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(receiver.accepted().len(), 1);
}

fn two_workers_never_deliver_one_attempt_twice(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let receiver = Receiver::start(0);
    subscribe(p, &receiver.url(), None);
    order(p, "wh-5", "US_WEB", "USD", 1_000_000);
    let batch: Vec<_> = (0..40)
        .map(|_| NewPayment::for_order("wh-5").amount(100, "USD"))
        .collect();
    p.create_payments(&batch).expect("batch");
    // Two workers, each its own handle as two app instances would have.
    let second = Payments::open_with(
        &db.url,
        Options {
            clock: db.clock.clone(),
            ..Options::default()
        },
    )
    .expect("second handle");
    let workers = [worker(p), worker(&second)];
    let reports: Vec<RunReport> = std::thread::scope(|scope| {
        let runs: Vec<_> = workers
            .iter()
            .map(|w| scope.spawn(move || w.run_once().expect("run")))
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("worker thread"))
            .collect()
    });
    let delivered: usize = reports.iter().map(|r| r.delivered).sum();
    assert_eq!(delivered, 40, "{reports:?}");
    let mut ids: Vec<String> = receiver
        .received()
        .into_iter()
        .map(|r| r.event_id)
        .collect();
    assert_eq!(ids.len(), 40, "each event was sent once");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
}

fn a_slow_receiver_does_not_hold_the_others_back(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let slow = Receiver::start(0);
    let fast = Receiver::start(0);
    subscribe(p, &slow.url(), None);
    subscribe(p, &fast.url(), None);
    pay(p, "wh-6");
    slow.hold(true);
    let worker = worker(p);
    std::thread::scope(|scope| {
        let run = scope.spawn(|| worker.run_once().expect("run"));
        // The fast receiver gets its event while the slow one still holds its request.
        let fast_got_it = fast.wait_for(Duration::from_secs(4), |r| r.len() == 1);
        let slow_still_holding = slow.received().is_empty();
        slow.hold(false);
        let report = run.join().expect("worker");
        assert!(fast_got_it && slow_still_holding, "{report:?}");
        assert_eq!(report.delivered, 2);
    });
}

fn the_first_attempt_follows_the_commit_within_moments(db: &TestDb) {
    shop(&db.payments);
    let receiver = Receiver::start(0);
    subscribe(&db.payments, &receiver.url(), None);
    // A handle on the real clock, and a worker that would poll only every minute: only the
    // wake-up on commit can bring the event in time.
    let live = Payments::open(&db.url).expect("live handle");
    let options = WebhookOptions {
        poll: Duration::from_secs(60),
        threads: 2,
        ..WebhookOptions::default()
    };
    let running = WebhookWorker::new(live.clone(), options).start();
    std::thread::sleep(Duration::from_millis(200));
    order(&live, "wh-7", "US_WEB", "USD", 1000);
    live.create_payment(&NewPayment::for_order("wh-7"))
        .expect("payment");
    let arrived = receiver.wait_for(Duration::from_secs(3), |r| r.len() == 1);
    running.stop();
    assert!(
        arrived,
        "the event arrived within 3 s of the commit, well before the 60 s poll"
    );
}

on_both_backends!(
    an_event_arrives_signed_once_the_receiver_recovers_and_retries_follow_the_schedule,
    a_receiver_down_for_good_fails_after_seven_days_and_can_be_replayed,
    rolled_back_changes_emit_nothing_and_subscriptions_filter_event_types,
    a_restarted_worker_delivers_what_was_pending,
    two_workers_never_deliver_one_attempt_twice,
    a_slow_receiver_does_not_hold_the_others_back,
    the_first_attempt_follows_the_commit_within_moments,
);
