//! Creating payments (idempotently) and moving them through the graph over HTTP.

use actix_web::test::{self, TestRequest};
use serde_json::json;

use crate::common::TestDb;
use crate::support::{app, get, patch, post_json, run, send, shop_with_orders, tokens};

fn creating_returns_201_with_location_and_defaults(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("P-1", "US_WEB", "USD", 4507)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let body = json!({ "order": "P-1", "method": "bank_transfer", "description": "Order P-1", "metadata": { "cart": 7 } });
        let reply = send(&app, post_json("/api/v1/payments", &body), Some(&token)).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        assert_eq!(reply.header("location"), Some("/api/v1/payments/1"));
        assert_eq!(reply.header("etag"), Some("\"1\""));
        assert_eq!(reply.header("idempotent-replayed"), Some("false"));
        assert_eq!(reply.body["amount"], 4507);
        assert_eq!(reply.body["currencyCode"], "USD");
        assert_eq!(reply.body["state"], "new");
        assert_eq!(reply.body["metadata"], json!({ "cart": 7 }));
        assert_eq!(reply.body["method"]["code"], "bank_transfer");
        // By order id works as well.
        let by_id = json!({ "order": 1, "amount": 1, "currencyCode": "usd" });
        assert_eq!(
            send(&app, post_json("/api/v1/payments", &by_id), Some(&token))
                .await
                .status,
            201
        );
    });
}

fn idempotency_key_replays_and_conflicts(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("P-2", "US_WEB", "USD", 1000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let body = json!({ "order": "P-2", "amount": 400 });
        let keyed =
            |body| post_json("/api/v1/payments", body).insert_header(("Idempotency-Key", "key-2"));
        let first = send(&app, keyed(&body), Some(&token)).await;
        assert_eq!(first.status, 201);
        assert_eq!(first.body["externalRef"], "key-2");
        let replay = send(&app, keyed(&body), Some(&token)).await;
        assert_eq!(replay.status, 200);
        assert_eq!(replay.header("idempotent-replayed"), Some("true"));
        assert_eq!(replay.body["id"], first.body["id"]);
        // externalRef in the body is the same key.
        let in_body = json!({ "order": "P-2", "amount": 400, "externalRef": "key-2" });
        assert_eq!(
            send(&app, post_json("/api/v1/payments", &in_body), Some(&token))
                .await
                .status,
            200
        );
        let different = send(
            &app,
            keyed(&json!({ "order": "P-2", "amount": 500 })),
            Some(&token),
        )
        .await;
        different.assert_problem(422, Some("externalRef"));
        let mismatch = post_json(
            "/api/v1/payments",
            &json!({ "order": "P-2", "amount": 1, "externalRef": "other" }),
        )
        .insert_header(("Idempotency-Key", "key-3"));
        send(&app, mismatch, Some(&token))
            .await
            .assert_problem(422, Some("externalRef"));
        let list = send(&app, get("/api/v1/payments"), Some(&token)).await;
        assert_eq!(list.body["total"], 1);
    });
}

fn concurrent_requests_with_one_key_create_one_payment(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("P-3", "US_WEB", "USD", 1000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let body = json!({ "order": "P-3", "amount": 250 });
        let requests = (0..8).map(|_| {
            let request =
                post_json("/api/v1/payments", &body).insert_header(("Idempotency-Key", "same"));
            send(&app, request, Some(&token))
        });
        let replies = futures_util::future::join_all(requests).await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 200),
            "{statuses:?}"
        );
        assert!(
            replies
                .iter()
                .all(|r| r.body["id"] == replies[0].body["id"])
        );
        assert_eq!(
            db.payments
                .list_payments(&Default::default())
                .map(|p| p.total),
            Ok(1)
        );
    });
}

fn bad_bodies_are_4xx_problems_naming_the_field(db: &TestDb) {
    run(async {
        shop_with_orders(
            db,
            &[
                ("P-4", "US_WEB", "USD", 1000),
                ("E-4", "EU_WEB", "EUR", 1000),
            ],
        );
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let raw = |body: &'static str| {
            TestRequest::post()
                .uri("/api/v1/payments")
                .insert_header(("content-type", "application/json"))
                .set_payload(body)
        };
        send(&app, raw("{\"order\": "), Some(&token))
            .await
            .assert_problem(400, Some("order"));
        send(&app, raw("{"), Some(&token))
            .await
            .assert_problem(400, Some("body"));
        send(&app, raw("[1, 2]"), Some(&token))
            .await
            .assert_problem(400, Some("body"));
        send(
            &app,
            raw("{\"order\": \"P-4\", \"amount\": \"ten\"}"),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("amount"));
        send(
            &app,
            raw("{\"order\": \"P-4\", \"amount\": 1.5}"),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("amount"));
        send(
            &app,
            raw("{\"order\": \"P-4\", \"colour\": \"red\"}"),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("colour"));
        send(&app, raw("{\"amount\": 5}"), Some(&token))
            .await
            .assert_problem(400, Some("order"));
        let text = TestRequest::post()
            .uri("/api/v1/payments")
            .insert_header(("content-type", "text/plain"))
            .set_payload("{}");
        send(&app, text, Some(&token))
            .await
            .assert_problem(415, None);
        let huge = json!({ "order": "P-4", "description": "x".repeat(70 * 1024) });
        send(&app, post_json("/api/v1/payments", &huge), Some(&token))
            .await
            .assert_problem(413, None);
        for (body, field) in [
            (json!({ "order": "P-4", "amount": 0 }), "amount"),
            (json!({ "order": "P-4", "amount": -3 }), "amount"),
            (
                json!({ "order": "P-4", "currencyCode": "EUR" }),
                "currencyCode",
            ),
            (
                json!({ "order": "E-4", "method": "bank_transfer" }),
                "method",
            ),
            (
                json!({ "order": "E-4", "method": "card", "amount": 99 }),
                "amount",
            ),
            (json!({ "order": "NOPE" }), "order"),
            (
                json!({ "order": "P-4", "metadata": { "x": "y".repeat(1100) } }),
                "metadata",
            ),
            (json!({ "order": "P-4", "externalRef": "" }), "externalRef"),
            (
                json!({ "order": "P-4", "description": "a\u{0}b" }),
                "description",
            ),
        ] {
            send(&app, post_json("/api/v1/payments", &body), Some(&token))
                .await
                .assert_problem(422, Some(field));
        }
        assert_eq!(
            db.payments
                .list_payments(&Default::default())
                .map(|p| p.total),
            Ok(0),
            "nothing was created"
        );
    });
}

fn transitions_apply_conflict_and_respect_if_match(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("P-5", "US_WEB", "USD", 1000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let created = send(
            &app,
            post_json(
                "/api/v1/payments",
                &json!({ "order": "P-5", "method": "bank_transfer" }),
            ),
            Some(&token),
        )
        .await;
        let id = created.body["id"].as_i64().unwrap_or_default();
        let possible = send(
            &app,
            get(&format!("/api/v1/payments/{id}/transitions")),
            Some(&token),
        )
        .await;
        assert_eq!(possible.body["state"], "new");
        let names: Vec<_> = possible.body["transitions"]
            .as_array()
            .map(|a| a.iter().map(|t| t["transition"].clone()).collect())
            .unwrap_or_default();
        assert_eq!(
            names,
            vec![
                json!("process"),
                json!("authorize"),
                json!("complete"),
                json!("fail"),
                json!("cancel")
            ]
        );
        assert_eq!(
            possible.body["transitions"][0]["href"],
            format!("/api/v1/payments/{id}/process")
        );

        let processed = send(
            &app,
            patch(&format!("/api/v1/payments/{id}/process")).insert_header(("If-Match", "\"1\"")),
            Some(&token),
        )
        .await;
        assert_eq!(
            (processed.status.as_u16(), processed.body["state"].clone()),
            (200, json!("processing"))
        );
        assert_eq!(processed.header("etag"), Some("\"2\""));
        let stale = send(
            &app,
            patch(&format!("/api/v1/payments/{id}/complete")).insert_header(("If-Match", "\"1\"")),
            Some(&token),
        )
        .await;
        stale.assert_problem(412, None);
        let bad_etag = send(
            &app,
            patch(&format!("/api/v1/payments/{id}/complete")).insert_header(("If-Match", "soon")),
            Some(&token),
        )
        .await;
        bad_etag.assert_problem(400, Some("If-Match"));
        let completed = send(
            &app,
            patch(&format!("/api/v1/payments/{id}/complete"))
                .insert_header(("If-Match", "W/\"2\"")),
            Some(&token),
        )
        .await;
        assert_eq!(completed.body["state"], "completed");
        assert!(completed.body["completedAt"].is_string());
        let refused = send(
            &app,
            patch(&format!("/api/v1/payments/{id}/cancel")),
            Some(&token),
        )
        .await;
        refused.assert_problem(409, None);
        let detail = refused.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("completed") && detail.contains("refund"),
            "{detail}"
        );
        send(
            &app,
            patch(&format!("/api/v1/payments/{id}/explode")),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("transition"));
        send(&app, patch("/api/v1/payments/999/complete"), Some(&token))
            .await
            .assert_problem(404, None);
        send(&app, patch("/api/v1/payments/abc/complete"), Some(&token))
            .await
            .assert_problem(400, Some("id"));

        let history = send(
            &app,
            get(&format!("/api/v1/payments/{id}/history")),
            Some(&token),
        )
        .await;
        let steps: Vec<_> = history.body["_embedded"]["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|h| (h["transition"].clone(), h["from"].clone(), h["to"].clone()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            steps,
            vec![
                (json!("process"), json!("new"), json!("processing")),
                (json!("complete"), json!("processing"), json!("completed"))
            ]
        );
        let order = send(&app, get("/api/v1/orders/1"), Some(&token)).await;
        assert_eq!(order.body["paymentState"], "paid");
    });
}

fn showing_a_payment(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("P-6", "US_WEB", "USD", 1000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).read;
        let id = db
            .payments
            .create_payment(&storefront_payments::NewPayment::for_order("P-6"))
            .expect("payment")
            .payment
            .id;
        let reply = send(&app, get(&format!("/api/v1/payments/{id}")), Some(&token)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["method"], json!(null), "no method chosen yet");
        assert!(reply.body["_links"].get("payment-method").is_none());
        assert_eq!(reply.header("etag"), Some("\"1\""));
        send(&app, get("/api/v1/payments/424242"), Some(&token))
            .await
            .assert_problem(404, None);
        send(&app, get("/api/v1/payments/abc"), Some(&token))
            .await
            .assert_problem(400, Some("id"));
        send(&app, get("/api/v1/payments/-1"), Some(&token))
            .await
            .assert_problem(400, Some("id"));
        send(
            &app,
            get("/api/v1/payments/99999999999999999999"),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("id"));
        send(&app, get("/api/v1/payments/abc/history"), Some(&token))
            .await
            .assert_problem(400, Some("id"));
        send(&app, get("/api/v1/payments/77/transitions"), Some(&token))
            .await
            .assert_problem(404, None);
    });
}

on_both_backends!(
    creating_returns_201_with_location_and_defaults,
    idempotency_key_replays_and_conflicts,
    concurrent_requests_with_one_key_create_one_payment,
    bad_bodies_are_4xx_problems_naming_the_field,
    transitions_apply_conflict_and_respect_if_match,
    showing_a_payment,
);
