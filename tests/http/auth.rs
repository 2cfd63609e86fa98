//! Bearer tokens: hashed, scoped, revocable; the OpenAPI document is public.

use actix_web::test::{self, TestRequest};
use serde_json::json;
use storefront_payments::TokenScope;

use crate::common::TestDb;
use crate::support::{app, get, post_json, run, send, shop_with_orders, tokens};

fn requests_without_a_valid_token_are_401_with_a_bearer_challenge(db: &TestDb) {
    run(async {
        let app = test::init_service(app(db.payments.clone())).await;
        let tokens = tokens(&db.payments);
        for token in [None, Some("not-a-token"), Some("")] {
            let reply = send(&app, get("/api/v1/payments"), token).await;
            reply.assert_problem(401, None);
            assert!(
                reply
                    .header("www-authenticate")
                    .is_some_and(|v| v.starts_with("Bearer")),
                "{reply:?}"
            );
        }
        for header in [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Token abc",
            &format!("bearer{}", tokens.read),
        ] {
            let request =
                get("/api/v1/payments").insert_header(("Authorization", header.to_owned()));
            send(&app, request, None).await.assert_problem(401, None);
        }
        // The scheme is case-insensitive.
        let request = get("/api/v1/payments")
            .insert_header(("Authorization", format!("bearer {}", tokens.read)));
        assert_eq!(send(&app, request, None).await.status, 200);
    });
}

fn a_read_token_reads_but_cannot_write(db: &TestDb) {
    run(async {
        shop_with_orders(db, &[("A-1", "US_WEB", "USD", 1000)]);
        let app = test::init_service(app(db.payments.clone())).await;
        let tokens = tokens(&db.payments);
        assert_eq!(
            send(&app, get("/api/v1/payments"), Some(&tokens.read))
                .await
                .status,
            200
        );
        let write = send(
            &app,
            post_json("/api/v1/payments", &json!({ "order": "A-1" })),
            Some(&tokens.read),
        )
        .await;
        write.assert_problem(403, None);
        let patch = TestRequest::patch().uri("/api/v1/payments/1/complete");
        send(&app, patch, Some(&tokens.read))
            .await
            .assert_problem(403, None);
        // Nothing was written by the refused request.
        assert_eq!(
            db.payments
                .list_payments(&Default::default())
                .map(|p| p.total),
            Ok(0)
        );
        let created = send(
            &app,
            post_json("/api/v1/payments", &json!({ "order": "A-1" })),
            Some(&tokens.write),
        )
        .await;
        assert_eq!(created.status, 201, "{created:?}");
    });
}

fn revoked_tokens_stop_working_and_tokens_are_stored_hashed(db: &TestDb) {
    run(async {
        let app = test::init_service(app(db.payments.clone())).await;
        let issued = db
            .payments
            .create_api_token("temporary", TokenScope::Write)
            .expect("token");
        assert!(issued.secret.starts_with("sp_") && issued.secret.len() == 67);
        assert_eq!(
            send(&app, get("/api/v1/channels"), Some(&issued.secret))
                .await
                .status,
            200
        );
        db.payments
            .revoke_api_token(issued.token.id)
            .expect("revoke");
        send(&app, get("/api/v1/channels"), Some(&issued.secret))
            .await
            .assert_problem(401, None);
        let listed = db.payments.api_tokens().expect("tokens");
        assert!(
            listed
                .iter()
                .any(|t| t.id == issued.token.id && t.revoked_at.is_some())
        );
        // A registered secret authenticates; registering it again returns the same token.
        let mine = "host-configured-token-0123456789";
        let first = db
            .payments
            .register_api_token(mine, "from config", TokenScope::Read)
            .expect("register");
        let again = db
            .payments
            .register_api_token(mine, "from config", TokenScope::Read)
            .expect("register again");
        assert_eq!(first.id, again.id);
        assert_eq!(
            db.payments.authenticate(mine).map(|t| t.map(|t| t.id)),
            Ok(Some(first.id))
        );
        assert!(
            db.payments
                .register_api_token("short", "x", TokenScope::Read)
                .is_err()
        );
    });
}

fn the_openapi_document_needs_no_token(db: &TestDb) {
    run(async {
        let app = test::init_service(app(db.payments.clone())).await;
        let reply = send(&app, get("/api/v1/openapi.json"), None).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["openapi"], "3.0.3");
    });
}

on_both_backends!(
    requests_without_a_valid_token_are_401_with_a_bearer_challenge,
    a_read_token_reads_but_cannot_write,
    revoked_tokens_stop_working_and_tokens_are_stored_hashed,
    the_openapi_document_needs_no_token,
);
