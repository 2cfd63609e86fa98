//! `/api/v1/orders`: the host upserts its orders; anyone reads their payment state.

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, web};

use super::{Endpoint, blocking, hal, path_id};
use crate::http::body::JsonBody;
use crate::http::catch_panics;
use crate::http::problem::ApiError;
use crate::http::views::{API, OrderDocument, PaymentItem};
use crate::{OrderRef, Payments, UpsertOrder};

pub(super) fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: Method::POST,
            path: "/orders",
            route: || web::post().to(catch_panics(upsert)),
            summary: "Create the order with this number, or update it",
            body: Some("UpsertOrder"),
            ok: (200, "Order"),
            query: &[],
            errors: &[400, 413, 415, 422],
        },
        Endpoint {
            method: Method::GET,
            path: "/orders/{id}",
            route: || web::get().to(catch_panics(show)),
            summary: "Show an order and its payment state",
            body: None,
            ok: (200, "Order"),
            query: &[],
            errors: &[400, 404],
        },
        Endpoint {
            method: Method::GET,
            path: "/orders/{id}/payments",
            route: || web::get().to(catch_panics(payments_of)),
            summary: "The payments of an order, oldest first",
            body: None,
            ok: (200, "PaymentCollection"),
            query: &[],
            errors: &[400, 404],
        },
    ]
}

async fn upsert(
    payments: web::Data<Payments>,
    JsonBody(input): JsonBody<UpsertOrder>,
) -> Result<HttpResponse, ApiError> {
    let order = blocking(&payments, move |p| p.upsert_order(&input)).await?;
    Ok(hal(StatusCode::OK, &OrderDocument::of(&order)))
}

async fn show(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    let order = blocking(&payments, move |p| p.order(&OrderRef::Id(id))).await?;
    Ok(hal(StatusCode::OK, &OrderDocument::of(&order)))
}

async fn payments_of(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    let list = blocking(&payments, move |p| p.order_payments(&OrderRef::Id(id))).await?;
    let body = serde_json::json!({
        "total": list.len(),
        "_links": {
            "self": { "href": format!("{API}/orders/{id}/payments") },
            "order": { "href": format!("{API}/orders/{id}") },
        },
        "_embedded": { "items": list.iter().map(PaymentItem::of).collect::<Vec<_>>() },
    });
    Ok(hal(StatusCode::OK, &body))
}
