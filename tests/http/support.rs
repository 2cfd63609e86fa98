//! Helpers: an app over a test database, tokens, and requests that return parsed JSON.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use serde_json::Value;
use storefront_payments::{Payments, TokenScope, http};

use crate::common::TestDb;

/// A response: status, headers and the body parsed as JSON (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json error with this status (and field, when given).
    pub fn assert_problem(&self, status: u16, field: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{self:?}"
        );
        assert_eq!(self.body["status"], status, "{self:?}");
        assert!(
            self.body["title"].is_string() && self.body["detail"].is_string(),
            "{self:?}"
        );
        match field {
            Some(field) => assert_eq!(self.body["field"], field, "{self:?}"),
            None => assert!(self.body.get("field").is_none(), "{self:?}"),
        }
    }
}

/// The API as a host mounts it, with a 404 problem for paths outside it.
pub fn app(
    payments: Payments,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(payments))
        .configure(http::configure)
        .default_service(web::to(http::not_found))
}

/// A write token and a read token.
pub struct Tokens {
    pub write: String,
    pub read: String,
}

pub fn tokens(payments: &Payments) -> Tokens {
    let write = payments
        .create_api_token("tests", TokenScope::Write)
        .expect("write token")
        .secret;
    let read = payments
        .create_api_token("reader", TokenScope::Read)
        .expect("read token")
        .secret;
    Tokens { write, read }
}

/// Sends `request` with `token` (when given) and parses the reply.
pub async fn send<S, B>(app: &S, request: TestRequest, token: Option<&str>) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let request = match token {
        Some(token) => request.insert_header(("Authorization", format!("Bearer {token}"))),
        None => request,
    };
    let response = test::call_service(app, request.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = test::read_body(response).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// Runs an async test body on an actix system.
pub fn run<F: std::future::Future<Output = ()>>(future: F) {
    actix_web::rt::System::new().block_on(future);
}

/// Upserts the small shop of `common::shop` and one order per `(number, channel, currency,
/// total)`.
pub fn shop_with_orders(db: &TestDb, orders: &[(&str, &str, &str, i64)]) {
    crate::common::shop(&db.payments);
    for (number, channel, currency, total) in orders {
        crate::common::order(&db.payments, number, channel, currency, *total);
    }
}

pub fn get(uri: &str) -> TestRequest {
    TestRequest::get().uri(uri)
}

pub fn post_json(uri: &str, body: &Value) -> TestRequest {
    TestRequest::post().uri(uri).set_json(body)
}

pub fn patch(uri: &str) -> TestRequest {
    TestRequest::patch().uri(uri)
}
