//! `/api/v1/payments`: list, create (idempotently), show, transitions and history.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Endpoint, blocking, etag, hal, path_id};
use crate::http::body::{JsonBody, from_value};
use crate::http::catch_panics;
use crate::http::problem::ApiError;
use crate::http::query;
use crate::http::views::{
    API, HistoryEntry, PageDocument, PaymentDocument, PaymentItem, QuoteDocument, payment_location,
    quote_location,
};
use crate::{NewPayment, NewQuote, Payment, Payments, Transition};
use serde::Deserialize;

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
            summary: "Create a payment for an order (idempotent with externalRef or Idempotency-Key), or a batch of up to 100 ({\"payments\": [...]}, all or nothing)",
            body: Some("NewPayment"),
            ok: (201, "Payment"),
            query: &[],
            errors: &[400, 413, 415, 422],
        },
        Endpoint {
            method: Method::POST,
            path: "/payments/quote",
            route: || web::post().to(catch_panics(create_quote)),
            summary: "Quote the payment methods usable for a currency, country, channel and amount",
            body: Some("NewQuote"),
            ok: (201, "Quote"),
            query: &[],
            errors: &[400, 413, 415, 422],
        },
        Endpoint {
            method: Method::GET,
            path: "/payments/quote/{quote}",
            route: || web::get().to(catch_panics(show_quote)),
            summary: "Show a payment quote",
            body: None,
            ok: (200, "Quote"),
            query: &[],
            errors: &[404],
        },
        Endpoint {
            method: Method::POST,
            path: "/payments/subscribe",
            route: || web::post().to(catch_panics(super::webhooks::subscribe)),
            summary: "Subscribe a URL to payment events (webhooks)",
            body: Some("NewSubscription"),
            ok: (201, "CreatedSubscription"),
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

/// `{"payments": [...]}`: the tutorial's CreatePaymentsRequest.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRequest {
    payments: Vec<NewPayment>,
}

/// One payment (`NewPayment`) or a batch (`{"payments": [...]}`, all or nothing).
async fn create(
    req: HttpRequest,
    payments: web::Data<Payments>,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    if body.get("payments").is_some() {
        return create_batch(&req, &payments, from_value(body)?).await;
    }
    let mut input: NewPayment = from_value(body)?;
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
    let (status, replayed) = replay_status(creation.replayed);
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

/// 201 when something was created, 200 when the request only replayed earlier ones.
fn replay_status(replayed: bool) -> (StatusCode, &'static str) {
    if replayed {
        (StatusCode::OK, "true")
    } else {
        (StatusCode::CREATED, "false")
    }
}

async fn create_batch(
    req: &HttpRequest,
    payments: &web::Data<Payments>,
    batch: BatchRequest,
) -> Result<HttpResponse, ApiError> {
    if req.headers().contains_key("idempotency-key") {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a batch takes no Idempotency-Key: each payment carries its own externalRef",
        )
        .with_field("Idempotency-Key"));
    }
    let created = blocking(payments, move |p| p.create_payments(&batch.payments)).await?;
    let (status, replayed) = replay_status(created.iter().all(|c| c.replayed));
    let items: Vec<PaymentItem> = created
        .iter()
        .map(|c| PaymentItem::of(&c.payment))
        .collect();
    let body = serde_json::json!({ "total": items.len(), "_embedded": { "items": items } });
    let mut response = hal(status, &body);
    response.headers_mut().insert(
        header::HeaderName::from_static("idempotent-replayed"),
        header::HeaderValue::from_static(replayed),
    );
    Ok(response)
}

async fn create_quote(
    payments: web::Data<Payments>,
    JsonBody(input): JsonBody<NewQuote>,
) -> Result<HttpResponse, ApiError> {
    let quote = blocking(&payments, move |p| p.create_quote(&input)).await?;
    let location = quote_location(&quote.id);
    let mut response = hal(StatusCode::CREATED, &QuoteDocument::of(quote));
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(internal)?,
    );
    Ok(response)
}

async fn show_quote(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let quote = blocking(&payments, move |p| p.quote(&id)).await?;
    Ok(hal(StatusCode::OK, &QuoteDocument::of(quote)))
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
