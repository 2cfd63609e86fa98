//! The route table: every endpoint once, read by the router and by the OpenAPI document.

mod catalog;
mod orders;
mod payments;
mod webhooks;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, Route, web};
use serde::Serialize;

use super::problem::ApiError;
use crate::{Error, Payments};

/// One endpoint: its method, its path under `/api/v1`, how to build its actix route, and
/// what the OpenAPI document says of it.
pub(crate) struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub route: fn() -> Route,
    pub summary: &'static str,
    /// The OpenAPI request body schema, if any.
    pub body: Option<&'static str>,
    /// The status and schema of the success response.
    pub ok: (u16, &'static str),
    /// The query parameters, by OpenAPI component name.
    pub query: &'static [&'static str],
    /// Error statuses beyond the 401/403/500 every endpoint may return.
    pub errors: &'static [u16],
}

/// Every endpoint, in matching order: fixed paths before the parameterized ones they
/// would otherwise shadow.
pub(crate) fn endpoints() -> Vec<Endpoint> {
    let mut all = payments::endpoints();
    all.extend(catalog::endpoints());
    all.extend(orders::endpoints());
    all.extend(webhooks::endpoints());
    all
}

/// Registers every endpoint, grouping the methods of one path into one resource so an
/// unsupported method on a known path is a 405 problem.
pub(crate) fn register(cfg: &mut web::ServiceConfig) {
    let endpoints = endpoints();
    let mut paths: Vec<&'static str> = Vec::new();
    for endpoint in &endpoints {
        if !paths.contains(&endpoint.path) {
            paths.push(endpoint.path);
        }
    }
    for path in paths {
        let mut resource = web::resource(path);
        let mut allowed = Vec::new();
        for endpoint in endpoints.iter().filter(|e| e.path == path) {
            resource = resource.route((endpoint.route)());
            allowed.push(endpoint.method.as_str());
        }
        let allowed = allowed.join(", ");
        resource = resource.default_service(web::to(move |req: HttpRequest| {
            let allowed = allowed.clone();
            async move { method_not_allowed(&req, &allowed) }
        }));
        cfg.service(resource);
    }
}

fn method_not_allowed(req: &HttpRequest, allowed: &str) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{} is not supported on `{}`; use {allowed}",
            req.method(),
            req.path()
        ),
    ))
}

/// Runs blocking `work` on the payments handle off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    payments: &web::Data<Payments>,
    work: impl FnOnce(&Payments) -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    let payments = payments.clone();
    Ok(web::block(move || work(&payments)).await??)
}

/// A HAL JSON response.
pub(crate) fn hal(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    match serde_json::to_string(body) {
        Ok(json) => HttpResponse::build(status)
            .content_type("application/hal+json")
            .body(json),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot serialize the response: {e}"),
        )
        .into_response(),
    }
}

trait IntoResponse {
    fn into_response(self) -> HttpResponse;
}

impl IntoResponse for ApiError {
    fn into_response(self) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

/// A numeric id from the path; anything else is a 400 naming the parameter.
pub(crate) fn path_id(raw: &str, name: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad_request(name, format!("`{raw}` is not a numeric id")))
}

/// `ETag` of a payment version: `"<version>"`.
pub(crate) fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}
