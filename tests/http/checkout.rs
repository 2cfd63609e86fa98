//! The checkout flow of the payments tutorial over HTTP: quotes, batches, subscriptions.

use actix_web::test::{self, TestRequest};
use serde_json::json;

use crate::common::TestDb;
use crate::support::{app, get, post_json, run, send, shop_with_orders, tokens};

fn quotes_are_created_fetched_and_used(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("Q-1", "EU_WEB", "EUR", 20_000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let body =
            json!({ "currency": "EUR", "country": "DE", "channel": "EU_WEB", "amount": 20_000 });
        let created = send(
            &app,
            post_json("/api/v1/payments/quote", &body),
            Some(&token),
        )
        .await;
        assert_eq!(created.status, 201, "{created:?}");
        let id = created.body["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(
            created.header("location"),
            Some(format!("/api/v1/payments/quote/{id}").as_str())
        );
        assert_eq!(created.body["methods"][0]["code"], "card");
        assert_eq!(created.body["methods"][0]["maxAmount"], 50_000);
        assert!(created.body["expiresAt"].is_string());
        let shown = send(
            &app,
            get(&format!("/api/v1/payments/quote/{id}")),
            Some(&token),
        )
        .await;
        assert_eq!(shown.body, created.body);
        send(&app, get("/api/v1/payments/quote/qt_nope"), Some(&token))
            .await
            .assert_problem(404, None);
        let bad = json!({ "currency": "EUR", "country": "ZZ", "channel": "EU_WEB" });
        send(
            &app,
            post_json("/api/v1/payments/quote", &bad),
            Some(&token),
        )
        .await
        .assert_problem(422, Some("country"));
        let payment = json!({ "order": "Q-1", "quoteId": id, "method": "card" });
        assert_eq!(
            send(&app, post_json("/api/v1/payments", &payment), Some(&token))
                .await
                .status,
            201
        );
        let mismatch =
            json!({ "order": "Q-1", "quoteId": id, "method": "bank_transfer", "amount": 1 });
        send(&app, post_json("/api/v1/payments", &mismatch), Some(&token))
            .await
            .assert_problem(422, Some("method"));
    });
}

fn batches_are_all_or_nothing_and_replay(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("B-1", "US_WEB", "USD", 100_000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let item = |key: &str, amount: i64| json!({ "order": "B-1", "amount": amount, "externalRef": key });
        let bad = json!({ "payments": [item("k1", 100), item("k2", 100), item("k3", 100), item("k4", 0)] });
        send(&app, post_json("/api/v1/payments", &bad), Some(&token))
            .await
            .assert_problem(422, Some("payments[3].amount"));
        let wrong_type =
            json!({ "payments": [item("k1", 100), { "order": "B-1", "amount": "lots" }] });
        send(
            &app,
            post_json("/api/v1/payments", &wrong_type),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("payments[1].amount"));
        let too_many =
            json!({ "payments": (0..101).map(|i| item(&format!("n{i}"), 1)).collect::<Vec<_>>() });
        send(&app, post_json("/api/v1/payments", &too_many), Some(&token))
            .await
            .assert_problem(422, Some("payments"));
        assert_eq!(
            db.payments
                .list_payments(&Default::default())
                .map(|p| p.total),
            Ok(0),
            "nothing was kept"
        );
        let good = json!({ "payments": [item("k1", 100), item("k2", 200), item("k3", 300)] });
        let created = send(&app, post_json("/api/v1/payments", &good), Some(&token)).await;
        assert_eq!(
            (
                created.status.as_u16(),
                created.header("idempotent-replayed")
            ),
            (201, Some("false")),
            "{created:?}"
        );
        assert_eq!(created.body["total"], 3);
        let replay = send(&app, post_json("/api/v1/payments", &good), Some(&token)).await;
        assert_eq!(
            (replay.status.as_u16(), replay.header("idempotent-replayed")),
            (200, Some("true"))
        );
        assert_eq!(
            replay.body["_embedded"]["items"],
            created.body["_embedded"]["items"]
        );
        let keyed = post_json("/api/v1/payments", &good).insert_header(("Idempotency-Key", "x"));
        send(&app, keyed, Some(&token))
            .await
            .assert_problem(422, Some("Idempotency-Key"));
        assert_eq!(
            db.payments
                .list_payments(&Default::default())
                .map(|p| p.total),
            Ok(3)
        );
    });
}

fn subscriptions_and_deliveries_over_http(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("S-1", "US_WEB", "USD", 1000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let body = json!({ "url": "http://127.0.0.1:9/hooks", "events": ["payment.completed"] });
        let created = send(
            &app,
            post_json("/api/v1/payments/subscribe", &body),
            Some(&token),
        )
        .await;
        assert_eq!(created.status, 201, "{created:?}");
        let secret = created.body["secret"].as_str().unwrap_or_default();
        assert!(
            secret.starts_with("whsec_") && secret.len() > 40,
            "a secret is generated and shown once"
        );
        let id = created.body["id"].as_i64().unwrap_or_default();
        assert_eq!(created.body["events"], json!(["payment.completed"]));
        let shown = send(
            &app,
            get(&format!("/api/v1/subscriptions/{id}")),
            Some(&token),
        )
        .await;
        assert!(shown.body.get("secret").is_none(), "never shown again");
        let listed = send(&app, get("/api/v1/subscriptions"), Some(&token)).await;
        assert_eq!(listed.body["total"], 1);
        assert!(listed.body["_embedded"]["items"][0].get("secret").is_none());
        let mine = json!({ "url": "https://shop.example/hooks", "secret": "my-own-secret-123456" });
        let given = send(
            &app,
            post_json("/api/v1/payments/subscribe", &mine),
            Some(&token),
        )
        .await;
        assert_eq!(given.body["secret"], "my-own-secret-123456");
        assert_eq!(
            given.body["events"].as_array().map(Vec::len),
            Some(7),
            "all event types by default"
        );
        for (bad, field) in [
            (json!({ "url": "ftp://x/y" }), "url"),
            (json!({ "url": "not a url" }), "url"),
            (
                json!({ "url": "http://x/y", "events": ["payment.paid"] }),
                "events",
            ),
            (json!({ "url": "http://x/y", "secret": "short" }), "secret"),
        ] {
            send(
                &app,
                post_json("/api/v1/payments/subscribe", &bad),
                Some(&token),
            )
            .await
            .assert_problem(422, Some(field));
        }
        // A completed payment is fanned out; the receiver is down, so the attempt fails.
        let payment = db
            .payments
            .create_payment(&storefront_payments::NewPayment::for_order("S-1"))
            .expect("payment")
            .payment;
        db.payments
            .apply_transition(payment.id, storefront_payments::Transition::Complete, None)
            .expect("complete");
        let worker = storefront_payments::events::WebhookWorker::new(
            db.payments.clone(),
            Default::default(),
        );
        worker.run_once().expect("run");
        let deliveries = send(
            &app,
            get(&format!("/api/v1/subscriptions/{id}/deliveries")),
            Some(&token),
        )
        .await;
        assert_eq!(deliveries.body["total"], 1, "{deliveries:?}");
        let delivery = &deliveries.body["_embedded"]["items"][0];
        assert_eq!(
            (delivery["status"].as_str(), delivery["attempts"].as_i64()),
            (Some("pending"), Some(1))
        );
        assert!(
            delivery["history"][0]["error"].is_string()
                && delivery["history"][0]["durationMs"].is_i64()
        );
        let delivery_id = delivery["id"].as_i64().unwrap_or_default();
        let replay = TestRequest::post().uri(&format!("/api/v1/deliveries/{delivery_id}/replay"));
        send(&app, replay, Some(&token))
            .await
            .assert_problem(422, Some("status"));
        send(
            &app,
            get("/api/v1/subscriptions/99/deliveries"),
            Some(&token),
        )
        .await
        .assert_problem(404, None);
        send(
            &app,
            get(&format!("/api/v1/subscriptions/{id}/deliveries?limit=0")),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("limit"));
        let delete = TestRequest::delete().uri(&format!("/api/v1/subscriptions/{id}"));
        assert_eq!(send(&app, delete, Some(&token)).await.status, 204);
        send(
            &app,
            get(&format!("/api/v1/subscriptions/{id}")),
            Some(&token),
        )
        .await
        .assert_problem(404, None);
        let again = TestRequest::delete().uri(&format!("/api/v1/subscriptions/{id}"));
        send(&app, again, Some(&token))
            .await
            .assert_problem(404, None);
    });
}

on_both_backends!(
    quotes_are_created_fetched_and_used,
    batches_are_all_or_nothing_and_replay,
    subscriptions_and_deliveries_over_http,
);
