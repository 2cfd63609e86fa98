//! `/api/v1/payments`: list, create (idempotently), show, transitions and history.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Endpoint, blocking, etag, hal, path_id};
use crate::http::body::JsonBody;
use crate::http::catch_panics;
use crate::http::problem::ApiError;
use crate::http::query;
use crate::http::views::{
    API, HistoryEntry, PageDocument, PaymentDocument, PaymentItem, payment_location,
};
use crate::{NewPayment, Payment, Payments, Transition};

pub(super) fn endpoints() -> Vec<Endpoint> {
    let list_query: &[&str] = &[
        "page",
        "limit",
        "sortingAmount",
        "sortingCreatedAt",
        "sortingUpdatedAt",
        "criteriaState",
        "criteriaMethod",
        "criteriaChannel",
        "criteriaOrder",
        "criteriaCurrency",
        "criteriaCreatedAfter",
        "criteriaCreatedBefore",
    ];
    vec![
        Endpoint {
            method: Method::GET,
            path: "/payments",
            route: || web::get().to(catch_panics(list)),
            summary: "List payments, paginated, sorted and filtered",
            body: None,
            ok: (200, "PaymentPage"),
            query: list_query,
            errors: &[400],
        },
        Endpoint {
            method: Method::GET,
            path: "/payments/",
            route: || web::get().to(catch_panics(list)),
            summary: "List payments (the Sylius path, with a trailing slash)",
            body: None,
            ok: (200, "PaymentPage"),
            query: list_query,
            errors: &[400],
        },
        Endpoint {
            method: Method::POST,
            path: "/payments",
            route: || web::post().to(catch_panics(create)),
            summary: "Create a payment for an order (idempotent with externalRef or Idempotency-Key)",
            body: Some("NewPayment"),
            ok: (201, "Payment"),
            query: &[],
            errors: &[400, 413, 415, 422],
        },
        Endpoint {
            method: Method::GET,
            path: "/payments/{id}",
            route: || web::get().to(catch_panics(show)),
            summary: "Show a payment with its method and the method's channels",
            body: None,
            ok: (200, "Payment"),
            query: &[],
            errors: &[400, 404],
        },
        Endpoint {
            method: Method::GET,
            path: "/payments/{id}/transitions",
            route: || web::get().to(catch_panics(transitions)),
            summary: "The transitions the payment allows now",
            body: None,
            ok: (200, "Transitions"),
            query: &[],
            errors: &[400, 404],
        },
        Endpoint {
            method: Method::GET,
            path: "/payments/{id}/history",
            route: || web::get().to(catch_panics(history)),
            summary: "The transitions applied to the payment",
            body: None,
            ok: (200, "History"),
            query: &[],
            errors: &[400, 404],
        },
        Endpoint {
            method: Method::PATCH,
            path: "/payments/{id}/{transition}",
            route: || web::patch().to(catch_panics(apply)),
            summary: "Apply a transition (process, authorize, complete, fail, cancel, refund, create)",
            body: None,
            ok: (200, "Payment"),
            query: &[],
            errors: &[400, 404, 409, 412],
        },
    ]
}

async fn list(req: HttpRequest, payments: web::Data<Payments>) -> Result<HttpResponse, ApiError> {
    let query::ListRequest {
        query,
        pairs,
        cursor_mode,
    } = query::payment_list(req.query_string())?;
    let sorting = query.sorting.clone();
    let page = blocking(&payments, move |p| p.list_payments(&query)).await?;
    let document = PageDocument::of(
        page,
        req.path(),
        &pairs,
        &sorting,
        cursor_mode,
        PaymentItem::of,
    );
    Ok(hal(StatusCode::OK, &document))
}

async fn create(
    req: HttpRequest,
    payments: web::Data<Payments>,
    JsonBody(mut input): JsonBody<NewPayment>,
) -> Result<HttpResponse, ApiError> {
    if let Some(key) = idempotency_key(&req)? {
        match &input.external_ref {
            Some(reference) if *reference != key => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "the Idempotency-Key header and externalRef differ",
                )
                .with_field("externalRef"));
            }
            _ => input.external_ref = Some(key),
        }
    }
    let creation = blocking(&payments, move |p| p.create_payment(&input)).await?;
    let (status, replayed) = if creation.replayed {
        (StatusCode::OK, "true")
    } else {
        (StatusCode::CREATED, "false")
    };
    let id = creation.payment.id;
    let mut response = document(&payments, creation.payment, status).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::LOCATION,
        header::HeaderValue::from_str(&payment_location(id)).map_err(internal)?,
    );
    headers.insert(
        header::HeaderName::from_static("idempotent-replayed"),
        header::HeaderValue::from_static(replayed),
    );
    Ok(response)
}

/// The `Idempotency-Key` header: an alias of `externalRef`.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::bad_request("Idempotency-Key", "must be visible ASCII"))?;
    Ok(Some(key.to_owned()))
}

async fn show(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    let (payment, method) = blocking(&payments, move |p| p.payment_with_method(id)).await?;
    let version = payment.version;
    let mut response = hal(
        StatusCode::OK,
        &PaymentDocument::of(payment, method.as_ref()),
    );
    let (name, value) = etag(version);
    response.headers_mut().insert(
        name,
        header::HeaderValue::from_str(&value).map_err(internal)?,
    );
    Ok(response)
}

/// The single-payment document of `payment`, loading its method's channels.
async fn document(
    payments: &web::Data<Payments>,
    payment: Payment,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let method = match &payment.method {
        Some(summary) => {
            let code = summary.code.clone();
            Some(blocking(payments, move |p| p.payment_method(&code)).await?)
        }
        None => None,
    };
    let version = payment.version;
    let mut response = hal(status, &PaymentDocument::of(payment, method.as_ref()));
    let (name, value) = etag(version);
    response.headers_mut().insert(
        name,
        header::HeaderValue::from_str(&value).map_err(internal)?,
    );
    Ok(response)
}

async fn apply(
    req: HttpRequest,
    payments: web::Data<Payments>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw_id, raw_transition) = path.into_inner();
    let id = path_id(&raw_id, "id")?;
    let transition =
        Transition::parse(&raw_transition).map_err(|e| ApiError::bad_request("transition", e.0))?;
    let expected = if_match(&req)?;
    // A refused transition is a 409 whose detail names the state and what it allows; a
    // stale If-Match is a 412.
    let payment = blocking(&payments, move |p| {
        p.apply_transition(id, transition, expected)
    })
    .await?;
    document(&payments, payment, StatusCode::OK).await
}

/// `If-Match: "3"` (or `3`, or `W/"3"`): the version the client expects; `*` or no header
/// matches any.
fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::bad_request(
            "If-Match",
            "must be a payment version as its ETag gives it, e.g. \"3\"",
        )
    };
    let text = value.to_str().map_err(|_| invalid())?.trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i64>().map(Some).map_err(|_| invalid())
}

#[derive(Serialize)]
struct TransitionLink {
    transition: Transition,
    to: &'static str,
    method: &'static str,
    href: String,
}

#[derive(Serialize)]
struct Transitions {
    state: &'static str,
    version: i64,
    transitions: Vec<TransitionLink>,
    #[serde(rename = "_links")]
    links: serde_json::Value,
}

async fn transitions(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    let payment = blocking(&payments, move |p| p.payment(id)).await?;
    let transitions = payment
        .available_transitions()
        .into_iter()
        .map(|t| TransitionLink {
            transition: t,
            to: t.edge().to.as_str(),
            method: "PATCH",
            href: format!("{API}/payments/{id}/{t}"),
        })
        .collect();
    let body = Transitions {
        state: payment.state.as_str(),
        version: payment.version,
        transitions,
        links: serde_json::json!({
            "self": { "href": format!("{API}/payments/{id}/transitions") },
            "payment": { "href": payment_location(id) },
        }),
    };
    Ok(hal(StatusCode::OK, &body))
}

async fn history(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    let changes = blocking(&payments, move |p| p.payment_history(id)).await?;
    let body = serde_json::json!({
        "total": changes.len(),
        "_links": {
            "self": { "href": format!("{API}/payments/{id}/history") },
            "payment": { "href": payment_location(id) },
        },
        "_embedded": { "items": changes.iter().map(HistoryEntry::of).collect::<Vec<_>>() },
    });
    Ok(hal(StatusCode::OK, &body))
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}
