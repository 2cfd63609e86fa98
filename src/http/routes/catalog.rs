//! `/api/v1/channels` and `/api/v1/payment-methods`: what a shop sets up once.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Endpoint, blocking, hal};
use crate::http::body::JsonBody;
use crate::http::catch_panics;
use crate::http::problem::ApiError;
use crate::http::query;
use crate::http::views::{API, ChannelDocument, MethodDocument};
use crate::{ChannelUpdate, NewChannel, NewPaymentMethod, PaymentMethodUpdate, Payments};

pub(super) fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: Method::GET,
            path: "/payment-methods",
            route: || web::get().to(catch_panics(list_methods)),
            summary: "List payment methods by position; with criteria[channel], the enabled methods of that channel",
            body: None,
            ok: (200, "MethodCollection"),
            query: &["criteriaChannel"],
            errors: &[400],
        },
        Endpoint {
            method: Method::POST,
            path: "/payment-methods",
            route: || web::post().to(catch_panics(create_method)),
            summary: "Create a payment method",
            body: Some("NewPaymentMethod"),
            ok: (201, "PaymentMethod"),
            query: &[],
            errors: &[400, 413, 415, 422],
        },
        Endpoint {
            method: Method::GET,
            path: "/payment-methods/{code}",
            route: || web::get().to(catch_panics(show_method)),
            summary: "Show a payment method with its channels",
            body: None,
            ok: (200, "PaymentMethod"),
            query: &[],
            errors: &[404],
        },
        Endpoint {
            method: Method::PATCH,
            path: "/payment-methods/{code}",
            route: || web::patch().to(catch_panics(update_method)),
            summary: "Update a payment method (absent fields are kept, null clears)",
            body: Some("PaymentMethodUpdate"),
            ok: (200, "PaymentMethod"),
            query: &[],
            errors: &[400, 404, 413, 415, 422],
        },
        Endpoint {
            method: Method::GET,
            path: "/channels",
            route: || web::get().to(catch_panics(list_channels)),
            summary: "List channels by code",
            body: None,
            ok: (200, "ChannelCollection"),
            query: &[],
            errors: &[],
        },
        Endpoint {
            method: Method::POST,
            path: "/channels",
            route: || web::post().to(catch_panics(create_channel)),
            summary: "Create a channel",
            body: Some("NewChannel"),
            ok: (201, "Channel"),
            query: &[],
            errors: &[400, 413, 415, 422],
        },
        Endpoint {
            method: Method::GET,
            path: "/channels/{code}",
            route: || web::get().to(catch_panics(show_channel)),
            summary: "Show a channel",
            body: None,
            ok: (200, "Channel"),
            query: &[],
            errors: &[404],
        },
        Endpoint {
            method: Method::PATCH,
            path: "/channels/{code}",
            route: || web::patch().to(catch_panics(update_channel)),
            summary: "Update a channel (absent fields are kept, null clears)",
            body: Some("ChannelUpdate"),
            ok: (200, "Channel"),
            query: &[],
            errors: &[400, 404, 413, 415, 422],
        },
    ]
}

/// A collection that is not paginated (channels and methods are few).
fn collection<T: serde::Serialize>(path: &str, items: Vec<T>) -> HttpResponse {
    let body = serde_json::json!({
        "total": items.len(),
        "_links": { "self": { "href": path } },
        "_embedded": { "items": items },
    });
    hal(StatusCode::OK, &body)
}

fn created<T: serde::Serialize>(location: String, body: &T) -> Result<HttpResponse, ApiError> {
    let mut response = hal(StatusCode::CREATED, body);
    let value = header::HeaderValue::from_str(&location)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    response.headers_mut().insert(header::LOCATION, value);
    Ok(response)
}

async fn list_methods(
    req: HttpRequest,
    payments: web::Data<Payments>,
) -> Result<HttpResponse, ApiError> {
    let channel = query::channel_criterion(req.query_string())?;
    let methods = blocking(&payments, move |p| p.payment_methods(channel.as_deref())).await?;
    let self_href = match req.query_string() {
        "" => format!("{API}/payment-methods"),
        query => format!("{API}/payment-methods?{query}"),
    };
    Ok(collection(
        &self_href,
        methods.iter().map(MethodDocument::of).collect(),
    ))
}

async fn create_method(
    payments: web::Data<Payments>,
    JsonBody(input): JsonBody<NewPaymentMethod>,
) -> Result<HttpResponse, ApiError> {
    let method = blocking(&payments, move |p| p.create_payment_method(&input)).await?;
    created(
        format!("{API}/payment-methods/{}", method.code),
        &MethodDocument::of(&method),
    )
}

async fn show_method(
    payments: web::Data<Payments>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let method = blocking(&payments, move |p| p.payment_method(&code)).await?;
    Ok(hal(StatusCode::OK, &MethodDocument::of(&method)))
}

async fn update_method(
    payments: web::Data<Payments>,
    code: web::Path<String>,
    JsonBody(input): JsonBody<PaymentMethodUpdate>,
) -> Result<HttpResponse, ApiError> {
    let method = blocking(&payments, move |p| p.update_payment_method(&code, &input)).await?;
    Ok(hal(StatusCode::OK, &MethodDocument::of(&method)))
}

async fn list_channels(payments: web::Data<Payments>) -> Result<HttpResponse, ApiError> {
    let channels = blocking(&payments, |p| p.channels()).await?;
    Ok(collection(
        &format!("{API}/channels"),
        channels.iter().map(ChannelDocument::of).collect(),
    ))
}

async fn create_channel(
    payments: web::Data<Payments>,
    JsonBody(input): JsonBody<NewChannel>,
) -> Result<HttpResponse, ApiError> {
    let channel = blocking(&payments, move |p| p.create_channel(&input)).await?;
    created(
        format!("{API}/channels/{}", channel.code),
        &ChannelDocument::of(&channel),
    )
}

async fn show_channel(
    payments: web::Data<Payments>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let channel = blocking(&payments, move |p| p.channel(&code)).await?;
    Ok(hal(StatusCode::OK, &ChannelDocument::of(&channel)))
}

async fn update_channel(
    payments: web::Data<Payments>,
    code: web::Path<String>,
    JsonBody(input): JsonBody<ChannelUpdate>,
) -> Result<HttpResponse, ApiError> {
    let channel = blocking(&payments, move |p| p.update_channel(&code, &input)).await?;
    Ok(hal(StatusCode::OK, &ChannelDocument::of(&channel)))
}
