//! Middleware and handler wrappers of the API: bearer-token authentication, panics turned
//! into 500 problems, and request logs through `tracing`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Handler, HttpMessage, ResponseError, web};
use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::time::Instant;

use super::problem::ApiError;
use crate::{Payments, TokenScope};

const CHALLENGE: &str = "Bearer realm=\"storefront-payments\"";
const CHALLENGE_INVALID: &str = "Bearer realm=\"storefront-payments\", error=\"invalid_token\"";

/// Requires `Authorization: Bearer <token>`: a `read` token for `GET`/`HEAD`, a `write` token
/// for everything else. The authenticated [`crate::ApiToken`] is left in the request's
/// extensions. A refusal is answered here, as a problem response.
pub async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match authenticate(&req).await {
        Ok(token) => {
            req.extensions_mut().insert(token);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(refusal) => Ok(req
            .into_response(refusal.error_response())
            .map_into_right_body()),
    }
}

async fn authenticate(req: &ServiceRequest) -> Result<crate::ApiToken, ApiError> {
    let needed = if matches!(*req.method(), Method::GET | Method::HEAD) {
        TokenScope::Read
    } else {
        TokenScope::Write
    };
    let secret = bearer_token(req)?;
    let payments = req
        .app_data::<web::Data<Payments>>()
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the Payments handle is not registered as app data",
            )
        })?;
    // A token seen in the last seconds is answered from memory, without a blocking hop.
    let token = match payments.cached_authentication(&secret) {
        Some(known) => known,
        None => web::block(move || payments.authenticate(&secret)).await??,
    };
    let Some(token) = token else {
        return Err(ApiError::unauthorized(
            "the bearer token is unknown or revoked",
            CHALLENGE_INVALID,
        ));
    };
    if !token.scope.allows(needed) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "a {} token cannot {}; use a write token",
                token.scope.as_str(),
                req.method()
            ),
        ));
    }
    Ok(token)
}

fn bearer_token(req: &ServiceRequest) -> Result<String, ApiError> {
    let missing = || ApiError::unauthorized("send `Authorization: Bearer <token>`", CHALLENGE);
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token.to_owned())
}

/// Wraps a handler so that a panic in it becomes a 500 problem instead of a dropped
/// connection; the worker goes on serving. Every route of the API is wrapped; hosts may
/// wrap their own handlers too: `web::get().to(catch_panics(handler))`.
pub fn catch_panics<F>(handler: F) -> CatchPanics<F> {
    CatchPanics(handler)
}

/// A handler whose panics are answered with a 500 problem (see [`catch_panics`]).
#[derive(Clone)]
pub struct CatchPanics<F>(F);

impl<F, Args> Handler<Args> for CatchPanics<F>
where
    F: Handler<Args>,
    Args: 'static,
    F::Output: 'static,
{
    type Output = Result<F::Output, ApiError>;
    type Future = Pin<Box<dyn Future<Output = Self::Output>>>;

    fn call(&self, args: Args) -> Self::Future {
        let handler = self.0.clone();
        Box::pin(async move {
            // Calling the handler may panic before its future exists: both are caught.
            let outcome = AssertUnwindSafe(async move { handler.call(args).await })
                .catch_unwind()
                .await;
            outcome.map_err(|_| {
                tracing::error!("handler panicked");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the server failed to handle the request",
                )
            })
        })
    }
}

/// Logs every request: method, path, status and duration.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let result = next.call(req).await;
    let micros = started.elapsed().as_micros();
    match &result {
        Ok(response) => {
            tracing::info!(%method, %path, status = response.status().as_u16(), micros, "request")
        }
        Err(error) => {
            tracing::info!(%method, %path, status = error.as_response_error().status_code().as_u16(), micros, "request")
        }
    }
    result
}
