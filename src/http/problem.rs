//! Errors over HTTP: every one is `application/problem+json` with `status`, `title`,
//! `detail` and, when one input field is at fault, `field`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

use crate::Error;

/// The media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An HTTP error: the one type every handler and middleware of the API fails with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    field: Option<String>,
    /// For 401: the `WWW-Authenticate` challenge to send.
    challenge: Option<&'static str>,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    status: u16,
    title: &'a str,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// An error with this status and explanation.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: detail.into(),
            field: None,
            challenge: None,
        }
    }

    /// 400: a malformed request, naming the field at fault.
    pub fn bad_request(field: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, detail).with_field(field)
    }

    /// 401 with a `WWW-Authenticate: Bearer` challenge.
    pub fn unauthorized(detail: impl Into<String>, challenge: &'static str) -> Self {
        ApiError {
            challenge: Some(challenge),
            ..ApiError::new(StatusCode::UNAUTHORIZED, detail)
        }
    }

    /// 404 for a path no route serves.
    pub fn no_route(path: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, format!("no resource at `{path}`"))
    }

    /// Names the input field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The field at fault, if any.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let problem = Problem {
            kind: "about:blank",
            status: self.status.as_u16(),
            title: self.status.canonical_reason().unwrap_or("Error"),
            detail: &self.detail,
            field: self.field.as_deref(),
        };
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Some(challenge) = self.challenge {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            ));
        }
        // Serializing this struct of strings and integers cannot fail.
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        let detail = error.to_string();
        let status = match &error {
            Error::Validation { .. } | Error::IdempotencyConflict { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Error::NotFound { .. } => StatusCode::NOT_FOUND,
            Error::TransitionNotAllowed { .. } => StatusCode::CONFLICT,
            Error::StaleVersion { .. } => StatusCode::PRECONDITION_FAILED,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Config(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(error = %detail, "request failed");
        }
        let api = ApiError::new(status, detail);
        match error.field() {
            Some(field) => api.with_field(field),
            None => api,
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        // The blocking pool is gone (shutdown) or the database call panicked.
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request could not be completed",
        )
    }
}
