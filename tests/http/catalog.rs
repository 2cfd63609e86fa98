//! Channels and payment methods over HTTP.

use actix_web::test::{self, TestRequest};
use serde_json::json;

use crate::common::TestDb;
use crate::support::{app, get, post_json, run, send, shop_with_orders, tokens};

fn channels_are_created_listed_shown_and_updated(db: &TestDb) {
    run(async {
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let body = json!({ "code": "US_WEB", "name": "US Web Store", "hostname": "localhost", "color": "DeepSkyBlue", "baseCurrency": "USD" });
        let created = send(&app, post_json("/api/v1/channels", &body), Some(&token)).await;
        assert_eq!(created.status, 201, "{created:?}");
        assert_eq!(created.header("location"), Some("/api/v1/channels/US_WEB"));
        assert_eq!(created.body["taxCalculationStrategy"], "order_items_based");
        assert_eq!(created.body["enabled"], true);
        send(&app, post_json("/api/v1/channels", &body), Some(&token))
            .await
            .assert_problem(422, Some("code"));
        let bad = json!({ "code": "x y", "name": "n", "baseCurrency": "USD" });
        send(&app, post_json("/api/v1/channels", &bad), Some(&token))
            .await
            .assert_problem(422, Some("code"));
        let nul = json!({ "code": "X", "name": "a\u{0}b", "baseCurrency": "USD" });
        send(&app, post_json("/api/v1/channels", &nul), Some(&token))
            .await
            .assert_problem(422, Some("name"));
        let bell =
            json!({ "code": "m", "name": "M", "instructions": "tab\tline\n ok, bell \u{7} not" });
        send(
            &app,
            post_json("/api/v1/payment-methods", &bell),
            Some(&token),
        )
        .await
        .assert_problem(422, Some("instructions"));
        let bad_strategy = json!({ "code": "X", "name": "n", "baseCurrency": "USD", "taxCalculationStrategy": "none" });
        send(
            &app,
            post_json("/api/v1/channels", &bad_strategy),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("taxCalculationStrategy"));
        let list = send(&app, get("/api/v1/channels"), Some(&token)).await;
        assert_eq!(list.body["total"], 1);
        assert_eq!(list.body["_embedded"]["items"][0]["code"], "US_WEB");
        let update = TestRequest::patch()
            .uri("/api/v1/channels/US_WEB")
            .set_json(json!({ "color": null, "name": "US" }));
        let updated = send(&app, update, Some(&token)).await;
        assert_eq!(
            (updated.body["color"].clone(), updated.body["name"].clone()),
            (json!(null), json!("US"))
        );
        let shown = send(&app, get("/api/v1/channels/US_WEB"), Some(&token)).await;
        assert_eq!(shown.body["name"], "US");
        send(&app, get("/api/v1/channels/NOPE"), Some(&token))
            .await
            .assert_problem(404, None);
        let missing = TestRequest::patch()
            .uri("/api/v1/channels/NOPE")
            .set_json(json!({}));
        send(&app, missing, Some(&token))
            .await
            .assert_problem(404, None);
    });
}

fn payment_methods_are_created_listed_per_channel_and_updated(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[]);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        let body = json!({ "code": "paypal", "name": "PayPal", "channels": ["EU_WEB"], "currencies": ["EUR"], "minAmount": 100, "gatewayConfig": { "secret": "s3cr3t" } });
        let created = send(
            &app,
            post_json("/api/v1/payment-methods", &body),
            Some(&token),
        )
        .await;
        assert_eq!(created.status, 201, "{created:?}");
        assert_eq!(
            created.header("location"),
            Some("/api/v1/payment-methods/paypal")
        );
        assert_eq!(created.body["channels"][0]["code"], "EU_WEB");
        assert!(
            !created.body.to_string().contains("s3cr3t"),
            "gateway credentials are never shown"
        );
        let eu = send(
            &app,
            get("/api/v1/payment-methods?criteria[channel]=EU_WEB"),
            Some(&token),
        )
        .await;
        let codes: Vec<_> = eu.body["_embedded"]["items"]
            .as_array()
            .map(|a| a.iter().map(|m| m["code"].clone()).collect())
            .unwrap_or_default();
        assert_eq!(codes, vec![json!("card"), json!("paypal")]);
        let all = send(&app, get("/api/v1/payment-methods"), Some(&token)).await;
        assert_eq!(all.body["total"], 4);
        send(
            &app,
            get("/api/v1/payment-methods?criteria[state]=x"),
            Some(&token),
        )
        .await
        .assert_problem(400, Some("criteria[state]"));
        let disable = TestRequest::patch()
            .uri("/api/v1/payment-methods/paypal")
            .set_json(json!({ "enabled": false }));
        assert_eq!(
            send(&app, disable, Some(&token)).await.body["enabled"],
            false
        );
        let eu = send(
            &app,
            get("/api/v1/payment-methods?criteria[channel]=EU_WEB"),
            Some(&token),
        )
        .await;
        assert_eq!(eu.body["total"], 1);
        let bounds = TestRequest::patch()
            .uri("/api/v1/payment-methods/paypal")
            .set_json(json!({ "maxAmount": 5 }));
        send(&app, bounds, Some(&token))
            .await
            .assert_problem(422, Some("maxAmount"));
        send(&app, get("/api/v1/payment-methods/nope"), Some(&token))
            .await
            .assert_problem(404, None);
        let unknown_channel = json!({ "code": "x", "name": "X", "channels": ["MARS"] });
        send(
            &app,
            post_json("/api/v1/payment-methods", &unknown_channel),
            Some(&token),
        )
        .await
        .assert_problem(422, Some("channels"));
    });
}

on_both_backends!(
    channels_are_created_listed_shown_and_updated,
    payment_methods_are_created_listed_per_channel_and_updated,
);
