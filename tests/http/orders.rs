//! Orders over HTTP: upsert, payment state, payments of an order.

use actix_web::test;
use serde_json::json;

use crate::common::TestDb;
use crate::support::{app, get, patch, post_json, run, send, shop_with_orders, tokens};

fn orders_are_upserted_and_show_their_payment_state(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let body =
            json!({ "number": "O-1", "channel": "US_WEB", "currencyCode": "USD", "total": 1000 });
        let created = send(&app, post_json("/api/v1/orders", &body), Some(&token)).await;
        assert_eq!(created.status, 200, "{created:?}");
        assert_eq!(created.body["paymentState"], "awaiting_payment");
        assert_eq!(
            created.body["_links"]["payments"]["href"],
            "/api/v1/orders/1/payments"
        );
        let grown =
            json!({ "number": "O-1", "channel": "US_WEB", "currencyCode": "USD", "total": 1500 });
        assert_eq!(
            send(&app, post_json("/api/v1/orders", &grown), Some(&token))
                .await
                .body["total"],
            1500
        );
        let payment = send(
            &app,
            post_json("/api/v1/payments", &json!({ "order": "O-1" })),
            Some(&token),
        )
        .await;
        assert_eq!(payment.body["amount"], 1500);
        send(&app, patch("/api/v1/payments/1/complete"), Some(&token)).await;
        let order = send(&app, get("/api/v1/orders/1"), Some(&token)).await;
        for key in [
            "id",
            "number",
            "channel",
            "currencyCode",
            "total",
            "paymentState",
            "createdAt",
            "updatedAt",
        ] {
            assert!(order.body.get(key).is_some(), "order shows {key}");
        }
        assert_eq!(
            (
                order.body["paymentState"].clone(),
                order.body["channel"].clone()
            ),
            (json!("paid"), json!("US_WEB"))
        );
        let payments = send(&app, get("/api/v1/orders/1/payments"), Some(&token)).await;
        assert_eq!(payments.body["_embedded"]["items"][0]["state"], "completed");
        send(&app, get("/api/v1/orders/9"), Some(&token))
            .await
            .assert_problem(404, None);
        send(&app, get("/api/v1/orders/nine"), Some(&token))
            .await
            .assert_problem(400, Some("id"));
        send(&app, get("/api/v1/orders/9/payments"), Some(&token))
            .await
            .assert_problem(404, None);
        let bad =
            json!({ "number": "O-2", "channel": "US_WEB", "currencyCode": "USD", "total": -1 });
        send(&app, post_json("/api/v1/orders", &bad), Some(&token))
            .await
            .assert_problem(422, Some("total"));
        let missing = json!({ "number": "O-2", "channel": "US_WEB", "currencyCode": "USD" });
        send(&app, post_json("/api/v1/orders", &missing), Some(&token))
            .await
            .assert_problem(400, Some("total"));
    });
}

on_both_backends!(orders_are_upserted_and_show_their_payment_state);
