//! The list and the single payment have the seed's shape: every key of the Sylius examples
//! at every level, with the same JSON types (our extra fields are allowed).

use actix_web::test;
use serde_json::{Value, json};

use crate::common::TestDb;
use crate::support::{app, get, post_json, run, send, shop_with_orders, tokens};

/// Asserts that every key of `seed` exists in `ours` with the same JSON type, recursively;
/// arrays compare their first elements.
fn assert_shape(seed: &Value, ours: &Value, path: &str) {
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    assert_eq!(
        kind(seed),
        kind(ours),
        "type of {path}: seed {seed}, ours {ours}"
    );
    match (seed, ours) {
        (Value::Object(seed), Value::Object(ours)) => {
            for (key, value) in seed {
                let inner = format!("{path}.{key}");
                let Some(our_value) = ours.get(key) else {
                    panic!("{inner} is missing from {ours:?}")
                };
                assert_shape(value, our_value, &inner);
            }
        }
        (Value::Array(seed), Value::Array(ours)) => {
            if let Some(first) = seed.first() {
                let Some(our_first) = ours.first() else {
                    panic!("{path} is empty")
                };
                assert_shape(first, our_first, &format!("{path}[0]"));
            }
        }
        _ => {}
    }
}

fn seed(name: &str) -> Value {
    let path = format!("{}/tests/seed/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("seed file")).expect("seed JSON")
}

fn list_and_single_payment_match_the_sylius_examples(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("000000020", "US_WEB", "USD", 10_000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let tokens = tokens(&db.payments);
        for amount in [3812, 3915, 4507] {
            let body = json!({ "order": "000000020", "method": "bank_transfer", "amount": amount });
            assert_eq!(
                send(
                    &app,
                    post_json("/api/v1/payments", &body),
                    Some(&tokens.write)
                )
                .await
                .status,
                201
            );
        }
        let list = send(&app, get("/api/v1/payments/?limit=2"), Some(&tokens.read)).await;
        assert_eq!(list.status, 200);
        assert_eq!(list.header("content-type"), Some("application/hal+json"));
        assert_shape(&seed("sylius_payment_list.json"), &list.body, "list");
        assert_eq!(
            list.body["_links"]["self"]["href"],
            "/api/v1/payments/?page=1&limit=2"
        );
        assert_eq!(
            list.body["_links"]["next"]["href"],
            "/api/v1/payments/?page=2&limit=2"
        );
        let item = &list.body["_embedded"]["items"][0];
        assert_eq!(
            item["_links"]["payment-method"]["href"],
            "/api/v1/payment-methods/bank_transfer"
        );
        assert_eq!(item["_links"]["order"]["href"], "/api/v1/orders/1");
        assert_eq!(
            item["method"]["_links"]["self"]["href"],
            "/api/v1/payment-methods/bank_transfer"
        );
        for extra in ["currencyCode", "createdAt", "updatedAt"] {
            assert!(item[extra].is_string(), "list items show {extra}");
        }

        let single = send(&app, get("/api/v1/payments/3"), Some(&tokens.read)).await;
        assert_eq!(single.status, 200);
        assert_shape(&seed("sylius_payment.json"), &single.body, "payment");
        assert_eq!(single.body["amount"], 4507);
        assert_eq!(single.body["method"]["channels"][0]["code"], "US_WEB");
        assert_eq!(
            single.body["method"]["channels"][0]["_links"]["self"]["href"],
            "/api/v1/channels/US_WEB"
        );
        assert_eq!(single.body["_links"]["self"]["href"], "/api/v1/payments/3");
        let timestamp = single.body["method"]["channels"][0]["createdAt"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(
            timestamp, "2026-01-01T12:00:00+0000",
            "Sylius' timestamp format"
        );
        assert_eq!(single.body["createdAt"], "2026-01-01T12:00:00+0000");
    });
}

on_both_backends!(list_and_single_payment_match_the_sylius_examples);
