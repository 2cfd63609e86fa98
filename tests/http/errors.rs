//! Errors that belong to no endpoint: unknown routes, wrong methods, panics.

use actix_web::test::{self, TestRequest};
use actix_web::{App, web};

use crate::common::TestDb;
use crate::support::{app, get, run, send, tokens};

fn unknown_routes_and_methods_are_problems(db: &TestDb) {
    run(async {
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).write;
        send(&app, get("/api/v1/nothing-here"), Some(&token))
            .await
            .assert_problem(404, None);
        send(&app, get("/elsewhere"), Some(&token))
            .await
            .assert_problem(404, None);
        let delete = TestRequest::delete().uri("/api/v1/payments");
        let reply = send(&app, delete, Some(&token)).await;
        reply.assert_problem(405, None);
        assert!(
            reply.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("GET, POST")),
            "{reply:?}"
        );
    });
}

fn a_panicking_handler_is_a_500_problem_and_the_server_keeps_serving(_db: &TestDb) {
    run(async {
        async fn boom() -> &'static str {
            panic!("handler bug")
        }
        let app = test::init_service(
            App::new()
                .route(
                    "/boom",
                    web::get().to(storefront_payments::http::catch_panics(boom)),
                )
                .route("/fine", web::get().to(|| async { "fine" })),
        )
        .await;
        send(&app, get("/boom"), None)
            .await
            .assert_problem(500, None);
        let after = send(&app, get("/fine"), None).await;
        assert_eq!(after.status, 200);
    });
}

on_both_backends!(
    unknown_routes_and_methods_are_problems,
    a_panicking_handler_is_a_500_problem_and_the_server_keeps_serving,
);
