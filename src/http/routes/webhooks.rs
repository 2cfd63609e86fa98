//! Webhook subscriptions and their deliveries.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Endpoint, blocking, hal, path_id};
use crate::http::body::JsonBody;
use crate::http::catch_panics;
use crate::http::problem::ApiError;
use crate::http::query;
use crate::http::views::{API, DeliveryDocument, SubscriptionDocument, subscription_location};
use crate::{NewSubscription, Payments};

pub(super) fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: Method::GET,
            path: "/subscriptions",
            route: || web::get().to(catch_panics(list)),
            summary: "List webhook subscriptions (without their secrets)",
            body: None,
            ok: (200, "SubscriptionCollection"),
            query: &[],
            errors: &[],
        },
        Endpoint {
            method: Method::GET,
            path: "/subscriptions/{id}",
            route: || web::get().to(catch_panics(show)),
            summary: "Show a webhook subscription",
            body: None,
            ok: (200, "Subscription"),
            query: &[],
            errors: &[400, 404],
        },
        Endpoint {
            method: Method::DELETE,
            path: "/subscriptions/{id}",
            route: || web::delete().to(catch_panics(delete)),
            summary: "Delete a webhook subscription, its pending deliveries and their history",
            body: None,
            ok: (204, "Empty"),
            query: &[],
            errors: &[400, 404],
        },
        Endpoint {
            method: Method::GET,
            path: "/subscriptions/{id}/deliveries",
            route: || web::get().to(catch_panics(deliveries)),
            summary: "The latest deliveries of a subscription, newest first, with every attempt",
            body: None,
            ok: (200, "DeliveryCollection"),
            query: &["limit"],
            errors: &[400, 404],
        },
        Endpoint {
            method: Method::POST,
            path: "/deliveries/{id}/replay",
            route: || web::post().to(catch_panics(replay)),
            summary: "Send a failed delivery again (due now, with a new 7-day window)",
            body: None,
            ok: (200, "Delivery"),
            query: &[],
            errors: &[400, 404, 422],
        },
    ]
}

pub(super) async fn subscribe(
    payments: web::Data<Payments>,
    JsonBody(input): JsonBody<NewSubscription>,
) -> Result<HttpResponse, ApiError> {
    let created = blocking(&payments, move |p| p.subscribe(&input)).await?;
    let location = subscription_location(created.subscription.id);
    // The secret is shown this once.
    let mut response = hal(
        StatusCode::CREATED,
        &SubscriptionDocument::of(&created.subscription, Some(created.secret)),
    );
    let value = header::HeaderValue::from_str(&location)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    response.headers_mut().insert(header::LOCATION, value);
    Ok(response)
}

async fn list(payments: web::Data<Payments>) -> Result<HttpResponse, ApiError> {
    let subscriptions = blocking(&payments, |p| p.subscriptions()).await?;
    let items: Vec<_> = subscriptions
        .iter()
        .map(|s| SubscriptionDocument::of(s, None))
        .collect();
    let body = serde_json::json!({
        "total": items.len(),
        "_links": { "self": { "href": format!("{API}/subscriptions") } },
        "_embedded": { "items": items },
    });
    Ok(hal(StatusCode::OK, &body))
}

async fn show(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    let subscription = blocking(&payments, move |p| p.subscription(id)).await?;
    Ok(hal(
        StatusCode::OK,
        &SubscriptionDocument::of(&subscription, None),
    ))
}

async fn delete(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    blocking(&payments, move |p| p.unsubscribe(id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn deliveries(
    req: HttpRequest,
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    let limit = query::limit_only(req.query_string())?;
    let deliveries = blocking(&payments, move |p| p.deliveries(id, limit)).await?;
    let items: Vec<_> = deliveries
        .iter()
        .map(|(d, attempts)| DeliveryDocument::of(d, attempts))
        .collect();
    let body = serde_json::json!({
        "total": items.len(),
        "_links": { "self": { "href": format!("{}/deliveries", subscription_location(id)) } },
        "_embedded": { "items": items },
    });
    Ok(hal(StatusCode::OK, &body))
}

async fn replay(
    payments: web::Data<Payments>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "id")?;
    let delivery = blocking(&payments, move |p| p.replay_delivery(id)).await?;
    Ok(hal(StatusCode::OK, &DeliveryDocument::of(&delivery, &[])))
}
