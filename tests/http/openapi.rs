//! The OpenAPI document describes every route served, and its references resolve.

use actix_web::test;
use serde_json::Value;
use storefront_payments::http;

use crate::common::TestDb;
use crate::support::{app, get, run, send};

fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => refs(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

fn every_served_route_is_documented(db: &TestDb) {
    run(async {
        let app = test::init_service(app(db.payments.clone())).await;
        let document = send(&app, get("/api/v1/openapi.json"), None).await.body;
        let served = http::served_routes();
        assert!(served.len() >= 19, "{served:?}");
        for (method, path) in &served {
            let operation = &document["paths"][path][method.to_ascii_lowercase()];
            assert!(
                operation.is_object(),
                "{method} {path} is not in the OpenAPI document"
            );
            assert!(
                operation["responses"].is_object(),
                "{method} {path} has no responses"
            );
            // And the route really is served: the router does not answer "no route" for it.
            let uri = path
                .replace("{id}", "1")
                .replace("{code}", "X")
                .replace("{transition}", "complete");
            let request = test::TestRequest::default()
                .method(method.parse().unwrap_or_default())
                .uri(&uri);
            let reply = send(&app, request, None).await;
            assert!(
                reply.status != 404 && reply.status != 405
                    || reply.body["detail"]
                        .as_str()
                        .is_some_and(|d| !d.contains("no resource")),
                "{method} {uri}: {reply:?}"
            );
        }
        let documented: usize = document["paths"]
            .as_object()
            .map(|p| {
                p.values()
                    .map(|ops| ops.as_object().map_or(0, |o| o.len()))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(
            documented,
            served.len(),
            "the document describes exactly the served routes"
        );
        let mut targets = Vec::new();
        refs(&document, &mut targets);
        for target in targets {
            let pointer = target.trim_start_matches('#');
            assert!(
                document.pointer(pointer).is_some(),
                "dangling $ref {target}"
            );
        }
        for status in [
            "400", "401", "403", "404", "409", "412", "413", "415", "422",
        ] {
            assert!(
                document
                    .pointer(&format!("/components/responses/E{status}"))
                    .is_some(),
                "{status} is described"
            );
        }
    });
}

on_both_backends!(every_served_route_is_documented);
