//! The HTTP API (feature `http`): Sylius-compatible `/api/v1` routes on actix-web, with
//! bearer tokens and `application/problem+json` errors.
//!
//! Mount it in any actix `App`, beside the shop's own routes:
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use storefront_payments::{Payments, http};
//!
//! # async fn run() -> std::io::Result<()> {
//! let payments = Payments::open("payments.db").expect("open the store");
//! HttpServer::new(move || {
//!     App::new()
//!         .app_data(web::Data::new(payments.clone()))
//!         .configure(http::configure)
//! })
//! .bind("127.0.0.1:8080")?
//! .run()
//! .await
//! # }
//! ```

mod body;
mod middleware;
mod openapi;
mod problem;
mod query;
mod routes;
pub(crate) mod views;

pub use body::MAX_BODY_BYTES;
pub use middleware::{CatchPanics, catch_panics, log_request, require_token};
pub use openapi::document as openapi_document;
pub use problem::{ApiError, PROBLEM_JSON};

use actix_web::{HttpRequest, web};

/// Registers `GET /api/v1/openapi.json` (public) and every other `/api/v1` route (behind
/// bearer tokens, each handler's panics turned into 500 problems, and a 404 problem for
/// unknown paths under `/api/v1`). The app must hold the [`crate::Payments`] handle as
/// `web::Data<Payments>`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        &format!("{}/openapi.json", views::API),
        web::get().to(openapi::serve),
    );
    cfg.service(
        web::scope(views::API)
            .wrap(actix_web::middleware::from_fn(require_token))
            .configure(routes::register)
            .default_service(web::to(not_found)),
    );
}

/// A 404 problem for a path no route serves: use as the host app's default service.
pub async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::no_route(req.path()))
}

/// `(method, path)` of every route [`configure`] serves, for documentation and tests.
pub fn served_routes() -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = routes::endpoints()
        .into_iter()
        .map(|e| {
            (
                e.method.as_str().to_owned(),
                format!("{}{}", views::API, e.path),
            )
        })
        .collect();
    routes.push(("GET".into(), format!("{}/openapi.json", views::API)));
    routes
}
