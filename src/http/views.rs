//! The JSON shapes of the API (Sylius' HAL documents), separate from the domain types.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::{
    Channel, Delivery, DeliveryAttempt, DeliveryStatus, EventType, Order, Paginated, Payment,
    PaymentMethod, PaymentMethodSummary, Quote, QuoteMethod, Sorting, StateChange, Subscription,
    Transition,
};

/// The URL prefix of every route.
pub const API: &str = "/api/v1";

/// A timestamp as Sylius prints it: `2017-02-26T11:31:19+0100`.
#[derive(Debug, Clone, Copy)]
pub struct Timestamp(pub DateTime<Utc>);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format("%Y-%m-%dT%H:%M:%S%z"))
    }
}

fn optional(at: Option<DateTime<Utc>>) -> Option<Timestamp> {
    at.map(Timestamp)
}

/// A HAL link.
#[derive(Debug, Serialize)]
pub struct Link {
    href: String,
}

impl Link {
    fn to(href: String) -> Self {
        Link { href }
    }
}

#[derive(Serialize)]
struct SelfLink {
    #[serde(rename = "self")]
    this: Link,
}

fn payment_href(id: i64) -> String {
    format!("{API}/payments/{id}")
}

fn method_href(code: &str) -> String {
    format!("{API}/payment-methods/{code}")
}

fn channel_href(code: &str) -> String {
    format!("{API}/channels/{code}")
}

fn order_href(id: i64) -> String {
    format!("{API}/orders/{id}")
}

/// Where a created payment lives (the `Location` header).
pub fn payment_location(id: i64) -> String {
    payment_href(id)
}

#[derive(Serialize)]
struct PaymentLinks {
    #[serde(rename = "self")]
    this: Link,
    #[serde(rename = "payment-method", skip_serializing_if = "Option::is_none")]
    payment_method: Option<Link>,
    order: Link,
}

impl PaymentLinks {
    fn of(payment: &Payment) -> Self {
        PaymentLinks {
            this: Link::to(payment_href(payment.id)),
            payment_method: payment
                .method
                .as_ref()
                .map(|m| Link::to(method_href(&m.code))),
            order: Link::to(order_href(payment.order_id)),
        }
    }
}

/// A payment method as a list item embeds it: id, code, link.
#[derive(Serialize)]
struct MethodReference {
    id: i64,
    code: String,
    #[serde(rename = "_links")]
    links: SelfLink,
}

impl MethodReference {
    fn of(method: &PaymentMethodSummary) -> Self {
        MethodReference {
            id: method.id,
            code: method.code.clone(),
            links: SelfLink {
                this: Link::to(method_href(&method.code)),
            },
        }
    }
}

/// A payment in a list (the seed's list item, plus currency and timestamps).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentItem {
    id: i64,
    method: Option<MethodReference>,
    amount: i64,
    state: &'static str,
    currency_code: &'static str,
    created_at: Timestamp,
    updated_at: Timestamp,
    #[serde(rename = "_links")]
    links: PaymentLinks,
}

impl PaymentItem {
    /// The list view of `payment`.
    pub fn of(payment: &Payment) -> Self {
        PaymentItem {
            id: payment.id,
            method: payment.method.as_ref().map(MethodReference::of),
            amount: payment.amount,
            state: payment.state.as_str(),
            currency_code: payment.currency_code.code(),
            created_at: Timestamp(payment.created_at),
            updated_at: Timestamp(payment.updated_at),
            links: PaymentLinks::of(payment),
        }
    }
}

/// One payment (the seed's single payment: its method in full, with channels).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDocument {
    id: i64,
    method: Option<MethodDocument>,
    amount: i64,
    state: &'static str,
    currency_code: &'static str,
    description: Option<String>,
    metadata: Option<Value>,
    external_ref: Option<String>,
    details: Value,
    version: i64,
    available_transitions: Vec<Transition>,
    created_at: Timestamp,
    updated_at: Timestamp,
    authorized_at: Option<Timestamp>,
    completed_at: Option<Timestamp>,
    failed_at: Option<Timestamp>,
    cancelled_at: Option<Timestamp>,
    refunded_at: Option<Timestamp>,
    #[serde(rename = "_links")]
    links: PaymentLinks,
}

impl PaymentDocument {
    /// The single view of `payment`, with its method when it has one.
    pub fn of(payment: Payment, method: Option<&PaymentMethod>) -> Self {
        let links = PaymentLinks::of(&payment);
        PaymentDocument {
            id: payment.id,
            method: method.map(MethodDocument::of),
            amount: payment.amount,
            state: payment.state.as_str(),
            currency_code: payment.currency_code.code(),
            available_transitions: payment.available_transitions(),
            description: payment.description,
            metadata: payment.metadata,
            external_ref: payment.external_ref,
            details: payment.details,
            version: payment.version,
            created_at: Timestamp(payment.created_at),
            updated_at: Timestamp(payment.updated_at),
            authorized_at: optional(payment.authorized_at),
            completed_at: optional(payment.completed_at),
            failed_at: optional(payment.failed_at),
            cancelled_at: optional(payment.cancelled_at),
            refunded_at: optional(payment.refunded_at),
            links,
        }
    }
}

/// A channel (Sylius fields, plus its base currency).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelDocument {
    id: i64,
    code: String,
    name: String,
    hostname: Option<String>,
    color: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
    enabled: bool,
    tax_calculation_strategy: &'static str,
    base_currency: &'static str,
    #[serde(rename = "_links")]
    links: SelfLink,
}

impl ChannelDocument {
    /// The view of `channel`.
    pub fn of(channel: &Channel) -> Self {
        ChannelDocument {
            id: channel.id,
            code: channel.code.clone(),
            name: channel.name.clone(),
            hostname: channel.hostname.clone(),
            color: channel.color.clone(),
            created_at: Timestamp(channel.created_at),
            updated_at: Timestamp(channel.updated_at),
            enabled: channel.enabled,
            tax_calculation_strategy: channel.tax_calculation_strategy.as_str(),
            base_currency: channel.base_currency.code(),
            links: SelfLink {
                this: Link::to(channel_href(&channel.code)),
            },
        }
    }
}

/// A payment method with its channels. The gateway's configuration is never shown: it
/// holds the gateway's credentials.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodDocument {
    id: i64,
    code: String,
    name: String,
    description: Option<String>,
    instructions: Option<String>,
    position: i32,
    enabled: bool,
    gateway_factory: String,
    channels: Vec<ChannelDocument>,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    currencies: Vec<&'static str>,
    created_at: Timestamp,
    updated_at: Timestamp,
    #[serde(rename = "_links")]
    links: SelfLink,
}

impl MethodDocument {
    /// The view of `method`.
    pub fn of(method: &PaymentMethod) -> Self {
        MethodDocument {
            id: method.id,
            code: method.code.clone(),
            name: method.name.clone(),
            description: method.description.clone(),
            instructions: method.instructions.clone(),
            position: method.position,
            enabled: method.enabled,
            gateway_factory: method.gateway.factory_name.clone(),
            channels: method.channels.iter().map(ChannelDocument::of).collect(),
            min_amount: method.min_amount,
            max_amount: method.max_amount,
            currencies: method.currencies.iter().map(|c| c.code()).collect(),
            created_at: Timestamp(method.created_at),
            updated_at: Timestamp(method.updated_at),
            links: SelfLink {
                this: Link::to(method_href(&method.code)),
            },
        }
    }
}

#[derive(Serialize)]
struct OrderLinks {
    #[serde(rename = "self")]
    this: Link,
    payments: Link,
    channel: Link,
}

/// An order and its payment state.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDocument {
    id: i64,
    number: String,
    channel: String,
    currency_code: &'static str,
    total: i64,
    payment_state: &'static str,
    created_at: Timestamp,
    updated_at: Timestamp,
    #[serde(rename = "_links")]
    links: OrderLinks,
}

impl OrderDocument {
    /// The view of `order`.
    pub fn of(order: &Order) -> Self {
        OrderDocument {
            id: order.id,
            number: order.number.clone(),
            channel: order.channel_code.clone(),
            currency_code: order.currency_code.code(),
            total: order.total,
            payment_state: order.payment_state.as_str(),
            created_at: Timestamp(order.created_at),
            updated_at: Timestamp(order.updated_at),
            links: OrderLinks {
                this: Link::to(order_href(order.id)),
                payments: Link::to(format!("{}/payments", order_href(order.id))),
                channel: Link::to(channel_href(&order.channel_code)),
            },
        }
    }
}

/// An applied transition.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    id: i64,
    transition: Transition,
    from: &'static str,
    to: &'static str,
    created_at: Timestamp,
}

impl HistoryEntry {
    /// The view of `change`.
    pub fn of(change: &StateChange) -> Self {
        HistoryEntry {
            id: change.id,
            transition: change.transition,
            from: change.from.as_str(),
            to: change.to.as_str(),
            created_at: Timestamp(change.created_at),
        }
    }
}

/// A payment quote.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteDocument {
    id: String,
    currency: &'static str,
    country: &'static str,
    channel: String,
    amount: Option<i64>,
    methods: Vec<QuoteMethod>,
    created_at: Timestamp,
    expires_at: Timestamp,
    #[serde(rename = "_links")]
    links: SelfLink,
}

impl QuoteDocument {
    /// The view of `quote`.
    pub fn of(quote: Quote) -> Self {
        let href = quote_location(&quote.id);
        QuoteDocument {
            currency: quote.currency.code(),
            country: quote.country,
            channel: quote.channel,
            amount: quote.amount,
            methods: quote.methods,
            created_at: Timestamp(quote.created_at),
            expires_at: Timestamp(quote.expires_at),
            id: quote.id,
            links: SelfLink {
                this: Link::to(href),
            },
        }
    }
}

/// Where a quote lives.
pub fn quote_location(id: &str) -> String {
    format!("{API}/payments/quote/{id}")
}

/// A webhook subscription; the secret only in the answer that created it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionDocument {
    id: i64,
    url: String,
    events: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    created_at: Timestamp,
    #[serde(rename = "_links")]
    links: SubscriptionLinks,
}

#[derive(Serialize)]
struct SubscriptionLinks {
    #[serde(rename = "self")]
    this: Link,
    deliveries: Link,
}

impl SubscriptionDocument {
    /// The view of `subscription`, with its secret when just created.
    pub fn of(subscription: &Subscription, secret: Option<String>) -> Self {
        let events = if subscription.events.is_empty() {
            EventType::ALL.to_vec()
        } else {
            subscription.events.clone()
        };
        SubscriptionDocument {
            id: subscription.id,
            url: subscription.url.clone(),
            events: events.iter().map(|e| e.as_str()).collect(),
            secret,
            created_at: Timestamp(subscription.created_at),
            links: SubscriptionLinks {
                this: Link::to(subscription_location(subscription.id)),
                deliveries: Link::to(format!(
                    "{}/deliveries",
                    subscription_location(subscription.id)
                )),
            },
        }
    }
}

/// Where a subscription lives.
pub fn subscription_location(id: i64) -> String {
    format!("{API}/subscriptions/{id}")
}

/// A delivery and its attempts.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDocument {
    id: i64,
    event_id: i64,
    subscription_id: i64,
    status: &'static str,
    attempts: i32,
    next_attempt_at: Option<Timestamp>,
    deadline: Timestamp,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    delivered_at: Option<Timestamp>,
    created_at: Timestamp,
    history: Vec<AttemptDocument>,
    #[serde(rename = "_links")]
    links: serde_json::Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttemptDocument {
    attempted_at: Timestamp,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
}

impl DeliveryDocument {
    /// The view of `delivery` with its `attempts`.
    pub fn of(delivery: &Delivery, attempts: &[DeliveryAttempt]) -> Self {
        let pending = delivery.status == DeliveryStatus::Pending;
        DeliveryDocument {
            id: delivery.id,
            event_id: delivery.event_id,
            subscription_id: delivery.subscription_id,
            status: delivery.status.as_str(),
            attempts: delivery.attempts,
            next_attempt_at: pending.then_some(Timestamp(delivery.next_attempt_at)),
            deadline: Timestamp(delivery.deadline),
            last_status_code: delivery.last_status_code,
            last_error: delivery.last_error.clone(),
            delivered_at: optional(delivery.delivered_at),
            created_at: Timestamp(delivery.created_at),
            history: attempts
                .iter()
                .map(|a| AttemptDocument {
                    attempted_at: Timestamp(a.attempted_at),
                    status_code: a.status_code,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                })
                .collect(),
            links: serde_json::json!({
                "replay": { "href": format!("{API}/deliveries/{}/replay", delivery.id), "method": "POST" },
                "subscription": { "href": subscription_location(delivery.subscription_id) },
            }),
        }
    }
}

#[derive(Serialize)]
struct PageLinks {
    #[serde(rename = "self")]
    this: Link,
    first: Link,
    last: Link,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Link>,
}

#[derive(Serialize)]
struct Embedded<T> {
    items: Vec<T>,
}

/// A page of a list (Sylius' paginated HAL collection).
#[derive(Serialize)]
pub struct PageDocument<T> {
    page: u32,
    limit: u32,
    pages: u64,
    total: u64,
    #[serde(rename = "_links")]
    links: PageLinks,
    #[serde(rename = "_embedded")]
    embedded: Embedded<T>,
}

impl<T> PageDocument<T> {
    /// The page document of `page`: links point at `path` and keep every query parameter
    /// of the request, with `page` (or `after`) and `limit` first as Sylius writes them. In
    /// a page read by cursor (`cursor_mode`), `next` carries the cursor after the last item.
    pub fn of<U>(
        page: Paginated<U>,
        path: &str,
        params: &[(String, String)],
        sorting: &Sorting,
        cursor_mode: bool,
        view: impl Fn(&U) -> T,
    ) -> Self {
        let others: Vec<&(String, String)> = params
            .iter()
            .filter(|(k, _)| k != "page" && k != "limit" && k != "after")
            .collect();
        let limit = page.limit.to_string();
        let href = |position: Position<'_>| {
            let first = match position {
                Position::Page(number) => {
                    vec![("page", number.to_string()), ("limit", limit.clone())]
                }
                Position::After(cursor) => {
                    vec![("limit", limit.clone()), ("after", cursor.to_owned())]
                }
            };
            let mut query = form_urlencoded_pairs(&first);
            for (key, value) in &others {
                query.push('&');
                query.push_str(&form_urlencoded_pairs(&[(key.as_str(), value.clone())]));
            }
            Link::to(format!("{path}?{query}"))
        };
        let current = u64::from(page.page);
        let requested_after = params
            .iter()
            .find(|(k, _)| k == "after")
            .map(|(_, v)| v.as_str());
        let (this, previous, next) = match (cursor_mode, requested_after) {
            (true, Some(after)) => {
                let next = page.next.as_ref().map(|cursor| cursor.encode(sorting));
                (
                    href(Position::After(after)),
                    None,
                    next.map(|cursor| href(Position::After(&cursor))),
                )
            }
            _ => (
                href(Position::Page(current)),
                (current > 1).then(|| href(Position::Page((current - 1).min(page.pages)))),
                (current < page.pages).then(|| href(Position::Page(current + 1))),
            ),
        };
        PageDocument {
            page: page.page,
            limit: page.limit,
            pages: page.pages,
            total: page.total,
            links: PageLinks {
                this,
                first: href(Position::Page(1)),
                last: href(Position::Page(page.pages)),
                previous,
                next,
            },
            embedded: Embedded {
                items: page.items.iter().map(view).collect(),
            },
        }
    }
}

/// Where a link points in a list.
#[derive(Clone, Copy)]
enum Position<'a> {
    Page(u64),
    After(&'a str),
}

fn form_urlencoded_pairs(pairs: &[(&str, String)]) -> String {
    // Encoding a list of string pairs cannot fail.
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}
