//! `GET /api/v1/openapi.json`: an OpenAPI 3 document generated from the route table, so
//! every route served is described.

use actix_web::HttpResponse;
use serde_json::{Map, Value, json};

use super::routes::{Endpoint, endpoints};
use super::views::API;
use crate::{EventType, PaymentState, SortField, Transition};

/// Serves the document.
pub(crate) async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .json(document())
}

/// The OpenAPI 3.0 document of every endpoint.
pub fn document() -> Value {
    let mut paths = Map::new();
    for endpoint in endpoints() {
        let path = format!("{API}{}", endpoint.path);
        let operations = paths.entry(path).or_insert_with(|| json!({}));
        if let Value::Object(operations) = operations {
            operations.insert(
                endpoint.method.as_str().to_ascii_lowercase(),
                operation(&endpoint),
            );
        }
    }
    paths.insert(
        format!("{API}/openapi.json"),
        json!({ "get": {
            "summary": "This document",
            "operationId": "openapi",
            "security": [],
            "responses": { "200": { "description": "The OpenAPI document", "content": { "application/json": { "schema": { "type": "object" } } } } }
        }}),
    );
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "storefront-payments",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Payments of e-commerce orders: the Sylius Payments API (HAL JSON, integer amounts in minor units) with idempotent creation, a payment state machine and problem+json errors."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearerAuth": [] }],
        "paths": paths,
        "components": components(),
    })
}

fn operation(endpoint: &Endpoint) -> Value {
    let mut parameters: Vec<Value> = path_parameters(endpoint.path);
    parameters.extend(
        endpoint
            .query
            .iter()
            .map(|name| json!({ "$ref": format!("#/components/parameters/{name}") })),
    );
    if endpoint.path == "/payments" && endpoint.method == actix_web::http::Method::POST {
        parameters.push(json!({ "$ref": "#/components/parameters/IdempotencyKey" }));
    }
    if endpoint.path.ends_with("{transition}") {
        parameters.push(json!({ "$ref": "#/components/parameters/IfMatch" }));
    }
    let (status, schema) = endpoint.ok;
    let mut responses = Map::new();
    if status == 204 {
        responses.insert("204".into(), json!({ "description": "Done; no content" }));
    } else {
        responses.insert(
        status.to_string(),
        json!({ "description": "Success", "content": { "application/hal+json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } }),
    );
    }
    if endpoint.path == "/payments" && endpoint.method == actix_web::http::Method::POST {
        responses.insert(
            "200".into(),
            json!({ "description": "A replay of an earlier request with the same key: the payment it created (header Idempotent-Replayed: true)", "content": { "application/hal+json": { "schema": { "$ref": "#/components/schemas/Payment" } } } }),
        );
    }
    for error in endpoint.errors.iter().chain(&[401, 403, 500, 503]) {
        responses.insert(
            error.to_string(),
            json!({ "$ref": format!("#/components/responses/E{error}") }),
        );
    }
    let mut operation = json!({
        "summary": endpoint.summary,
        "operationId": format!("{}{}", endpoint.method.as_str().to_ascii_lowercase(), endpoint.path.replace(['/', '{', '}', '-'], "_")),
        "parameters": parameters,
        "responses": responses,
    });
    if let (Some(body), Value::Object(fields)) = (endpoint.body, &mut operation) {
        let mut schema = json!({ "$ref": format!("#/components/schemas/{body}") });
        if body == "NewPayment" {
            // One payment, or a batch of them.
            schema =
                json!({ "oneOf": [schema, { "$ref": "#/components/schemas/NewPaymentBatch" }] });
        }
        fields.insert(
            "requestBody".into(),
            json!({ "required": true, "content": { "application/json": { "schema": schema } } }),
        );
    }
    operation
}

fn path_parameters(path: &str) -> Vec<Value> {
    let mut parameters = Vec::new();
    if path.contains("{id}") {
        parameters.push(json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 1 } }));
    }
    if path.contains("{code}") {
        parameters.push(json!({ "name": "code", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[A-Za-z0-9_-]+$" } }));
    }
    if path.contains("{quote}") {
        parameters.push(json!({ "name": "quote", "in": "path", "required": true, "schema": { "type": "string", "example": "qt_0f3c9a6e2d2b4b1f8a7e5d4c3b2a1908" } }));
    }
    if path.contains("{transition}") {
        let names: Vec<&str> = Transition::ALL.iter().map(|t| t.as_str()).collect();
        parameters.push(json!({ "name": "transition", "in": "path", "required": true, "schema": { "type": "string", "enum": names } }));
    }
    parameters
}

fn query_parameter(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn components() -> Value {
    let direction = json!({ "type": "string", "enum": ["asc", "desc", "ASC", "DESC"], "description": "asc or desc, any letter case" });
    let states: Vec<&str> = PaymentState::ALL.iter().map(|s| s.as_str()).collect();
    let sort_fields: Vec<&str> = SortField::ALL.iter().map(|f| f.as_str()).collect();
    let event_types: Vec<&str> = EventType::ALL.iter().map(|e| e.as_str()).collect();
    let link = json!({ "type": "object", "required": ["href"], "properties": { "href": { "type": "string" } } });
    let timestamp = json!({ "type": "string", "example": "2017-02-26T11:31:19+0000", "description": "%Y-%m-%dT%H:%M:%S%z, UTC" });
    let nullable_timestamp =
        json!({ "type": "string", "nullable": true, "example": "2017-02-26T11:31:19+0000" });
    let errors: Map<String, Value> = [
        (400, "Malformed request: bad query parameter, path id, JSON syntax, type or unknown field"),
        (401, "No bearer token, or an unknown or revoked one (WWW-Authenticate: Bearer)"),
        (403, "A read token on a write"),
        (404, "No such resource or route"),
        (409, "The transition is not allowed from the payment's state; the detail names the state and the allowed transitions"),
        (412, "If-Match names a version the payment no longer has"),
        (413, "The body exceeds 64 KiB"),
        (415, "The body is not application/json"),
        (422, "Invalid input (the field is named), or an externalRef reused for a different request"),
        (500, "A fault on the server"),
        (503, "The database is busy or unreachable; retry"),
    ]
    .into_iter()
    .map(|(status, description)| {
        (
            format!("E{status}"),
            json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        )
    })
    .collect();
    json!({
        "securitySchemes": { "bearerAuth": { "type": "http", "scheme": "bearer", "description": "A read token for GET, a write token for everything" } },
        "parameters": {
            "page": query_parameter("page", "1-based page number (default 1)", json!({ "type": "integer", "minimum": 1, "default": 1 })),
            "after": query_parameter("after", "An opaque cursor from a `next` link: the page after it, at constant cost whatever the depth (instead of `page`)", json!({ "type": "string" })),
            "limit": query_parameter("limit", "Items per page (default 10)", json!({ "type": "integer", "minimum": 1, "maximum": 250, "default": 10 })),
            "sortingAmount": query_parameter("sorting[amount]", "Sort by amount; several sorting keys apply in the order given, ties by id", direction.clone()),
            "sortingCreatedAt": query_parameter("sorting[createdAt]", "Sort by creation time (the default, ascending)", direction.clone()),
            "sortingUpdatedAt": query_parameter("sorting[updatedAt]", "Sort by last change", direction),
            "criteriaState": query_parameter("criteria[state]", "Only payments in this state", json!({ "type": "string", "enum": states })),
            "criteriaMethod": query_parameter("criteria[method]", "Only payments with this method code", json!({ "type": "string" })),
            "criteriaChannel": query_parameter("criteria[channel]", "Only this channel (code)", json!({ "type": "string" })),
            "criteriaOrder": query_parameter("criteria[order]", "Only this order: its number, or its id", json!({ "type": "string" })),
            "criteriaCurrency": query_parameter("criteria[currency]", "Only this ISO 4217 currency", json!({ "type": "string", "example": "USD" })),
            "criteriaCreatedAfter": query_parameter("criteria[createdAfter]", "Created at or after (RFC 3339, the API's format, or a date)", json!({ "type": "string" })),
            "criteriaCreatedBefore": query_parameter("criteria[createdBefore]", "Created before (RFC 3339, the API's format, or a date)", json!({ "type": "string" })),
            "IdempotencyKey": { "name": "Idempotency-Key", "in": "header", "required": false, "description": "An alias of externalRef", "schema": { "type": "string", "maxLength": 255 } },
            "IfMatch": { "name": "If-Match", "in": "header", "required": false, "description": "The payment version (its ETag) the change expects", "schema": { "type": "string", "example": "\"3\"" } },
        },
        "responses": errors,
        "schemas": {
            "Problem": { "type": "object", "required": ["status", "title", "detail"], "properties": {
                "type": { "type": "string" }, "status": { "type": "integer" }, "title": { "type": "string" },
                "detail": { "type": "string" }, "field": { "type": "string", "description": "The input field at fault" } } },
            "Link": link,
            "MethodReference": { "type": "object", "properties": { "id": { "type": "integer" }, "code": { "type": "string" }, "_links": { "type": "object", "properties": { "self": { "$ref": "#/components/schemas/Link" } } } } },
            "PaymentLinks": { "type": "object", "properties": {
                "self": { "$ref": "#/components/schemas/Link" }, "payment-method": { "$ref": "#/components/schemas/Link" }, "order": { "$ref": "#/components/schemas/Link" } } },
            "PaymentItem": { "type": "object", "properties": {
                "id": { "type": "integer" }, "method": { "allOf": [{ "$ref": "#/components/schemas/MethodReference" }], "nullable": true },
                "amount": { "type": "integer", "description": "Minor units" }, "state": { "type": "string", "enum": states },
                "currencyCode": { "type": "string" }, "createdAt": timestamp, "updatedAt": timestamp,
                "_links": { "$ref": "#/components/schemas/PaymentLinks" } } },
            "Payment": { "type": "object", "properties": {
                "id": { "type": "integer" }, "method": { "allOf": [{ "$ref": "#/components/schemas/PaymentMethod" }], "nullable": true },
                "amount": { "type": "integer", "description": "Minor units" }, "state": { "type": "string", "enum": states },
                "currencyCode": { "type": "string" }, "description": { "type": "string", "nullable": true },
                "metadata": { "nullable": true }, "externalRef": { "type": "string", "nullable": true },
                "details": { "type": "object" }, "version": { "type": "integer" },
                "availableTransitions": { "type": "array", "items": { "type": "string" } },
                "createdAt": timestamp, "updatedAt": timestamp, "authorizedAt": nullable_timestamp, "completedAt": nullable_timestamp,
                "failedAt": nullable_timestamp, "cancelledAt": nullable_timestamp, "refundedAt": nullable_timestamp,
                "_links": { "$ref": "#/components/schemas/PaymentLinks" } } },
            "PaymentPage": { "type": "object", "properties": {
                "page": { "type": "integer" }, "limit": { "type": "integer" }, "pages": { "type": "integer" }, "total": { "type": "integer" },
                "_links": { "type": "object", "properties": {
                    "self": { "$ref": "#/components/schemas/Link" }, "first": { "$ref": "#/components/schemas/Link" }, "last": { "$ref": "#/components/schemas/Link" },
                    "next": { "$ref": "#/components/schemas/Link" }, "previous": { "$ref": "#/components/schemas/Link" } } },
                "_embedded": { "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/PaymentItem" } } } } } },
            "PaymentCollection": collection_schema("PaymentItem"),
            "Channel": { "type": "object", "properties": {
                "id": { "type": "integer" }, "code": { "type": "string" }, "name": { "type": "string" },
                "hostname": { "type": "string", "nullable": true }, "color": { "type": "string", "nullable": true },
                "createdAt": timestamp, "updatedAt": timestamp, "enabled": { "type": "boolean" },
                "taxCalculationStrategy": { "type": "string", "enum": ["order_items_based", "order_item_units_based"] },
                "baseCurrency": { "type": "string" }, "_links": { "type": "object" } } },
            "ChannelCollection": collection_schema("Channel"),
            "PaymentMethod": { "type": "object", "properties": {
                "id": { "type": "integer" }, "code": { "type": "string" }, "name": { "type": "string" },
                "description": { "type": "string", "nullable": true }, "instructions": { "type": "string", "nullable": true },
                "position": { "type": "integer" }, "enabled": { "type": "boolean" }, "gatewayFactory": { "type": "string" },
                "channels": { "type": "array", "items": { "$ref": "#/components/schemas/Channel" } },
                "minAmount": { "type": "integer", "nullable": true }, "maxAmount": { "type": "integer", "nullable": true },
                "currencies": { "type": "array", "items": { "type": "string" } },
                "createdAt": timestamp, "updatedAt": timestamp, "_links": { "type": "object" } } },
            "MethodCollection": collection_schema("PaymentMethod"),
            "Order": { "type": "object", "properties": {
                "id": { "type": "integer" }, "number": { "type": "string" }, "channel": { "type": "string" },
                "currencyCode": { "type": "string" }, "total": { "type": "integer" },
                "paymentState": { "type": "string", "enum": ["cart", "awaiting_payment", "partially_authorized", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "cancelled"] },
                "createdAt": timestamp, "updatedAt": timestamp, "_links": { "type": "object" } } },
            "Transitions": { "type": "object", "properties": {
                "state": { "type": "string" }, "version": { "type": "integer" },
                "transitions": { "type": "array", "items": { "type": "object", "properties": {
                    "transition": { "type": "string" }, "to": { "type": "string" }, "method": { "type": "string" }, "href": { "type": "string" } } } } } },
            "History": collection_schema_of(json!({ "type": "object", "properties": {
                "id": { "type": "integer" }, "transition": { "type": "string" }, "from": { "type": "string" }, "to": { "type": "string" }, "createdAt": timestamp } })),
            "NewPayment": { "type": "object", "required": ["order"], "additionalProperties": false, "properties": {
                "order": { "oneOf": [{ "type": "integer" }, { "type": "string" }], "description": "The order id (a number) or order number (a string)" },
                "method": { "type": "string" }, "amount": { "type": "integer", "minimum": 1, "description": "Minor units; defaults to the order's outstanding amount" },
                "currencyCode": { "type": "string", "description": "Defaults to the order's currency, which it must equal" },
                "description": { "type": "string", "maxLength": 255 }, "metadata": { "description": "Any JSON, at most 1 KiB" },
                "externalRef": { "type": "string", "maxLength": 255, "description": "Idempotency key" },
                "details": { "type": "object" } } },
            "NewChannel": { "type": "object", "required": ["code", "name", "baseCurrency"], "additionalProperties": false, "properties": {
                "code": { "type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 255 }, "name": { "type": "string" },
                "hostname": { "type": "string" }, "color": { "type": "string" }, "enabled": { "type": "boolean" },
                "taxCalculationStrategy": { "type": "string", "enum": ["order_items_based", "order_item_units_based"] }, "baseCurrency": { "type": "string" } } },
            "ChannelUpdate": { "type": "object", "additionalProperties": false, "properties": {
                "name": { "type": "string" }, "hostname": { "type": "string", "nullable": true }, "color": { "type": "string", "nullable": true },
                "enabled": { "type": "boolean" }, "taxCalculationStrategy": { "type": "string" }, "baseCurrency": { "type": "string" } } },
            "NewPaymentMethod": { "type": "object", "required": ["code", "name"], "additionalProperties": false, "properties": {
                "code": { "type": "string", "pattern": "^[A-Za-z0-9_-]+$" }, "name": { "type": "string" },
                "description": { "type": "string" }, "instructions": { "type": "string" }, "position": { "type": "integer" },
                "enabled": { "type": "boolean" }, "gatewayFactory": { "type": "string" }, "gatewayConfig": { "type": "object" },
                "channels": { "type": "array", "items": { "type": "string" } }, "minAmount": { "type": "integer", "minimum": 1 },
                "maxAmount": { "type": "integer", "minimum": 1 }, "currencies": { "type": "array", "items": { "type": "string" } } } },
            "PaymentMethodUpdate": { "type": "object", "additionalProperties": false, "properties": {
                "name": { "type": "string" }, "description": { "type": "string", "nullable": true }, "instructions": { "type": "string", "nullable": true },
                "position": { "type": "integer" }, "enabled": { "type": "boolean" }, "gatewayFactory": { "type": "string" }, "gatewayConfig": { "type": "object" },
                "channels": { "type": "array", "items": { "type": "string" } }, "minAmount": { "type": "integer", "nullable": true },
                "maxAmount": { "type": "integer", "nullable": true }, "currencies": { "type": "array", "items": { "type": "string" } } } },
            "NewQuote": { "type": "object", "required": ["currency", "country", "channel"], "additionalProperties": false, "properties": {
                "currency": { "type": "string", "description": "ISO 4217" }, "country": { "type": "string", "description": "ISO 3166-1 alpha-2" },
                "channel": { "type": "string" }, "amount": { "type": "integer", "minimum": 1 } } },
            "Quote": { "type": "object", "properties": {
                "id": { "type": "string" }, "currency": { "type": "string" }, "country": { "type": "string" }, "channel": { "type": "string" },
                "amount": { "type": "integer", "nullable": true },
                "methods": { "type": "array", "items": { "type": "object", "properties": {
                    "code": { "type": "string" }, "name": { "type": "string" }, "instructions": { "type": "string", "nullable": true },
                    "minAmount": { "type": "integer", "nullable": true }, "maxAmount": { "type": "integer", "nullable": true } } } },
                "createdAt": timestamp, "expiresAt": timestamp, "_links": { "type": "object" } } },
            "NewPaymentBatch": { "type": "object", "required": ["payments"], "additionalProperties": false, "properties": {
                "payments": { "type": "array", "minItems": 1, "maxItems": 100, "items": { "$ref": "#/components/schemas/NewPayment" } } } },
            "NewSubscription": { "type": "object", "required": ["url"], "additionalProperties": false, "properties": {
                "url": { "type": "string", "format": "uri", "description": "http or https" },
                "events": { "type": "array", "items": { "type": "string", "enum": event_types } },
                "secret": { "type": "string", "minLength": 16, "maxLength": 255, "description": "Generated when absent" } } },
            "Subscription": { "type": "object", "properties": {
                "id": { "type": "integer" }, "url": { "type": "string" }, "events": { "type": "array", "items": { "type": "string" } },
                "createdAt": timestamp, "_links": { "type": "object" } } },
            "CreatedSubscription": { "allOf": [{ "$ref": "#/components/schemas/Subscription" }, { "type": "object", "properties": {
                "secret": { "type": "string", "description": "The signing secret, shown only here" } } }] },
            "SubscriptionCollection": collection_schema("Subscription"),
            "Delivery": { "type": "object", "properties": {
                "id": { "type": "integer" }, "eventId": { "type": "integer" }, "subscriptionId": { "type": "integer" },
                "status": { "type": "string", "enum": ["pending", "delivered", "failed"] }, "attempts": { "type": "integer" },
                "nextAttemptAt": nullable_timestamp, "deadline": timestamp, "lastStatusCode": { "type": "integer", "nullable": true },
                "lastError": { "type": "string", "nullable": true }, "deliveredAt": nullable_timestamp, "createdAt": timestamp,
                "history": { "type": "array", "items": { "type": "object", "properties": {
                    "attemptedAt": timestamp, "statusCode": { "type": "integer", "nullable": true },
                    "error": { "type": "string", "nullable": true }, "durationMs": { "type": "integer" } } } },
                "_links": { "type": "object" } } },
            "DeliveryCollection": collection_schema("Delivery"),
            "UpsertOrder": { "type": "object", "required": ["number", "channel", "currencyCode", "total"], "additionalProperties": false, "properties": {
                "number": { "type": "string" }, "channel": { "type": "string" }, "currencyCode": { "type": "string" }, "total": { "type": "integer", "minimum": 0 } } },
            "SortField": { "type": "string", "enum": sort_fields },
        }
    })
}

fn collection_schema(item: &str) -> Value {
    collection_schema_of(json!({ "$ref": format!("#/components/schemas/{item}") }))
}

fn collection_schema_of(item: Value) -> Value {
    json!({ "type": "object", "properties": {
        "total": { "type": "integer" }, "_links": { "type": "object" },
        "_embedded": { "type": "object", "properties": { "items": { "type": "array", "items": item } } } } })
}
