//! Payments: the stored payment, the input that creates one, its states and its events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;
use validator::Validate;

use super::validation::{check_code, check_external_ref, check_json_size, check_text};
use super::{Currency, InvalidValue, Money, OrderRef, Transition};

/// The largest `metadata` accepted, serialized (Mollie's limit: about 1 kB).
pub const MAX_METADATA_BYTES: usize = 1024;
/// The largest gateway `details` accepted, serialized.
pub const MAX_DETAILS_BYTES: usize = 16 * 1024;

/// Where a payment is in its life cycle (Sylius `sylius_payment` states).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentState {
    /// A draft payment of an order still being checked out.
    Cart,
    /// Created, awaiting payment.
    New,
    /// The gateway is processing it.
    Processing,
    /// Funds are reserved but not captured.
    Authorized,
    /// Paid.
    Completed,
    /// The payment failed.
    Failed,
    /// Cancelled before it was paid.
    Cancelled,
    /// The paid amount was given back.
    Refunded,
    /// Only ever read from stored data (Sylius has it); no transition leads in or out.
    Unknown,
}

impl PaymentState {
    /// Every state, `unknown` last.
    pub const ALL: [PaymentState; 9] = [
        PaymentState::Cart,
        PaymentState::New,
        PaymentState::Processing,
        PaymentState::Authorized,
        PaymentState::Completed,
        PaymentState::Failed,
        PaymentState::Cancelled,
        PaymentState::Refunded,
        PaymentState::Unknown,
    ];

    /// The stored and serialized name, e.g. `"processing"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Cart => "cart",
            PaymentState::New => "new",
            PaymentState::Processing => "processing",
            PaymentState::Authorized => "authorized",
            PaymentState::Completed => "completed",
            PaymentState::Failed => "failed",
            PaymentState::Cancelled => "cancelled",
            PaymentState::Refunded => "refunded",
            PaymentState::Unknown => "unknown",
        }
    }

    /// Parses a state name (exact, lower case).
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        PaymentState::ALL
            .into_iter()
            .find(|state| state.as_str() == name)
            .ok_or_else(|| {
                InvalidValue(format!(
                    "`{name}` is not a payment state; expected one of: {}",
                    PaymentState::ALL.map(PaymentState::as_str).join(", ")
                ))
            })
    }
}

impl fmt::Display for PaymentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for PaymentState {
    type Err = InvalidValue;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        PaymentState::parse(name)
    }
}

/// The payment method of a payment, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethodSummary {
    /// Our id of the payment method.
    pub id: i64,
    /// The payment method's code.
    pub code: String,
}

/// A payment of an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// Our id of the payment.
    pub id: i64,
    /// Our id of the order the payment belongs to.
    pub order_id: i64,
    /// The order's channel, copied so lists filter by channel through an index.
    pub channel_id: i64,
    /// `None` until a method is chosen.
    pub method: Option<PaymentMethodSummary>,
    /// The payment's currency, always the order's (`currencyCode`).
    pub currency_code: Currency,
    /// Minor units, always > 0.
    pub amount: i64,
    /// Where the payment is in the state machine.
    pub state: PaymentState,
    /// The caller's free-text description, if any.
    pub description: Option<String>,
    /// The caller's JSON metadata (at most 1 KiB serialized), if any.
    pub metadata: Option<Value>,
    /// The caller's idempotency key.
    pub external_ref: Option<String>,
    /// What the gateway reported (free-form JSON object).
    pub details: Value,
    /// Incremented by every change; the optimistic lock of `apply_transition`.
    pub version: i64,
    /// When the payment was created.
    pub created_at: DateTime<Utc>,
    /// When the payment last changed (a transition or a method choice).
    pub updated_at: DateTime<Utc>,
    /// When the payment became `authorized`; `None` if it never did.
    pub authorized_at: Option<DateTime<Utc>>,
    /// When the payment became `completed`; `None` if it never did.
    pub completed_at: Option<DateTime<Utc>>,
    /// When the payment became `failed`; `None` if it never did.
    pub failed_at: Option<DateTime<Utc>>,
    /// When the payment became `cancelled`; `None` if it never did.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When the payment became `refunded`; `None` if it never did.
    pub refunded_at: Option<DateTime<Utc>>,
}

impl Payment {
    /// The amount with its currency.
    pub fn money(&self) -> Money {
        Money::new(self.amount, self.currency_code)
    }

    /// The transitions that can be applied now.
    pub fn available_transitions(&self) -> Vec<Transition> {
        self.state.available_transitions()
    }

    /// This payment after entering `state` at `at`: the next version, `updated_at`, and
    /// the time of reaching the state for those that keep one (`authorizedAt`,
    /// `completedAt`, `failedAt`, `cancelledAt`, `refundedAt`). The times of earlier states
    /// are kept.
    pub fn entering(&self, state: PaymentState, at: DateTime<Utc>) -> Payment {
        let mut next = self.clone();
        next.state = state;
        next.version = self.version + 1;
        next.updated_at = at;
        let stamp = match state {
            PaymentState::Authorized => Some(&mut next.authorized_at),
            PaymentState::Completed => Some(&mut next.completed_at),
            PaymentState::Failed => Some(&mut next.failed_at),
            PaymentState::Cancelled => Some(&mut next.cancelled_at),
            PaymentState::Refunded => Some(&mut next.refunded_at),
            _ => None,
        };
        if let Some(stamp) = stamp {
            *stamp = Some(at);
        }
        next
    }
}

/// What creates a payment.
///
/// `amount` and `currencyCode` default to the order's outstanding amount and currency.
/// With an `externalRef`, a second identical request returns the first payment instead of
/// creating another one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPayment {
    /// The order, by id (a JSON number) or by the shop's order number (a JSON string).
    pub order: OrderRef,
    /// The payment method code.
    #[validate(custom(function = "check_code"))]
    #[serde(default)]
    pub method: Option<String>,
    /// Minor units, > 0.
    #[validate(range(min = 1, message = "must be greater than 0 minor units"))]
    #[serde(default)]
    pub amount: Option<i64>,
    /// ISO 4217; must equal the order's currency.
    #[serde(default)]
    pub currency_code: Option<String>,
    /// A free-text description, at most 255 characters.
    #[validate(
        length(max = 255, message = "must be at most 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub description: Option<String>,
    /// Any JSON, at most 1 KiB serialized.
    #[validate(custom(function = "check_metadata"))]
    #[serde(default)]
    pub metadata: Option<Value>,
    /// The idempotency key: unique across payments.
    #[validate(custom(function = "check_external_ref"))]
    #[serde(default)]
    pub external_ref: Option<String>,
    /// Gateway details (a JSON object, at most 16 KiB serialized).
    #[validate(custom(function = "check_details"))]
    #[serde(default)]
    pub details: Option<Value>,
    /// A quote the payment follows: its currency, channel and methods must agree.
    #[validate(
        length(min = 1, max = 64, message = "must be 1 to 64 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub quote_id: Option<String>,
    /// Create the payment in `cart` (Sylius' draft payment of an order still being checked
    /// out) instead of `new`; the `create` transition then moves it on. Library only: the
    /// HTTP API always creates payments in `new`.
    #[serde(skip)]
    pub in_cart: bool,
}

impl NewPayment {
    /// A payment for `order` with everything else defaulted.
    pub fn for_order(order: impl Into<OrderRef>) -> Self {
        NewPayment {
            order: order.into(),
            method: None,
            amount: None,
            currency_code: None,
            description: None,
            metadata: None,
            external_ref: None,
            details: None,
            quote_id: None,
            in_cart: false,
        }
    }

    /// Sets the payment method code.
    pub fn method(mut self, code: impl Into<String>) -> Self {
        self.method = Some(code.into());
        self
    }

    /// Sets the amount (minor units) and currency.
    pub fn amount(mut self, amount: i64, currency_code: impl Into<String>) -> Self {
        self.amount = Some(amount);
        self.currency_code = Some(currency_code.into());
        self
    }

    /// Sets the idempotency key.
    pub fn external_ref(mut self, key: impl Into<String>) -> Self {
        self.external_ref = Some(key.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// A digest of everything this request asks for. Stored with the payment, it tells an
    /// idempotent replay (same key, same request) from a reused key (same key, another
    /// request). Object keys are sorted first, so `{"a":1,"b":2}` and `{"b":2,"a":1}` agree.
    pub fn fingerprint(&self) -> String {
        let request = serde_json::json!({
            "order": self.order,
            "method": self.method,
            "amount": self.amount,
            "currencyCode": self.currency_code.as_deref().map(str::to_ascii_uppercase),
            "description": self.description,
            "metadata": self.metadata,
            "externalRef": self.external_ref,
            "details": self.details,
            "quoteId": self.quote_id,
            "inCart": self.in_cart,
        });
        let mut canonical = String::new();
        write_canonical(&request, &mut canonical);
        Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// Writes `value` as JSON with object keys in sorted order, whatever map type serde_json
/// was built with.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn check_metadata(metadata: &Value) -> Result<(), validator::ValidationError> {
    check_json_size(metadata, MAX_METADATA_BYTES)
}

fn check_details(details: &Value) -> Result<(), validator::ValidationError> {
    if !details.is_object() {
        return Err(
            validator::ValidationError::new("object").with_message("must be a JSON object".into())
        );
    }
    check_json_size(details, MAX_DETAILS_BYTES)
}

/// One applied transition, as the history table keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateChange {
    /// Our id of the history row.
    pub id: i64,
    /// The payment the transition was applied to.
    pub payment_id: i64,
    /// The transition applied.
    pub transition: Transition,
    /// The payment's state before the transition.
    pub from: PaymentState,
    /// The payment's state after the transition.
    pub to: PaymentState,
    /// When the transition was applied.
    pub created_at: DateTime<Utc>,
}

/// The kind of a payment event, as written to the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// The payment entered `new`: created directly or out of `cart`.
    #[serde(rename = "payment.created")]
    Created,
    /// The payment entered `processing`.
    #[serde(rename = "payment.processing")]
    Processing,
    /// The payment entered `authorized`.
    #[serde(rename = "payment.authorized")]
    Authorized,
    /// The payment entered `completed`.
    #[serde(rename = "payment.completed")]
    Completed,
    /// The payment entered `failed`.
    #[serde(rename = "payment.failed")]
    Failed,
    /// The payment entered `cancelled`.
    #[serde(rename = "payment.cancelled")]
    Cancelled,
    /// The payment entered `refunded`.
    #[serde(rename = "payment.refunded")]
    Refunded,
}

impl EventType {
    /// Every event type.
    pub const ALL: [EventType; 7] = [
        EventType::Created,
        EventType::Processing,
        EventType::Authorized,
        EventType::Completed,
        EventType::Failed,
        EventType::Cancelled,
        EventType::Refunded,
    ];

    /// The event a payment entering `state` emits. A payment entering `new` (created
    /// directly, or by the `create` transition out of `cart`) is `payment.created`; a draft
    /// payment in `cart` emits nothing until it enters the workflow.
    pub fn on_entering(state: PaymentState) -> Option<EventType> {
        match state {
            PaymentState::New => Some(EventType::Created),
            PaymentState::Processing => Some(EventType::Processing),
            PaymentState::Authorized => Some(EventType::Authorized),
            PaymentState::Completed => Some(EventType::Completed),
            PaymentState::Failed => Some(EventType::Failed),
            PaymentState::Cancelled => Some(EventType::Cancelled),
            PaymentState::Refunded => Some(EventType::Refunded),
            PaymentState::Cart | PaymentState::Unknown => None,
        }
    }

    /// The wire name, e.g. `"payment.completed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Created => "payment.created",
            EventType::Processing => "payment.processing",
            EventType::Authorized => "payment.authorized",
            EventType::Completed => "payment.completed",
            EventType::Failed => "payment.failed",
            EventType::Cancelled => "payment.cancelled",
            EventType::Refunded => "payment.refunded",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        EventType::ALL
            .into_iter()
            .find(|event| event.as_str() == name)
            .ok_or_else(|| InvalidValue(format!("`{name}` is not a payment event type")))
    }
}

/// A payment event as the outbox records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentEvent {
    /// Our id of the outbox row; later events have larger ids.
    pub id: i64,
    /// The payment the event is about.
    pub payment_id: i64,
    /// What happened to the payment (serialized as `type`).
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The payment's version after the change, so receivers can ignore stale events.
    pub payment_version: i64,
    /// When the event was recorded, in the transaction of the change.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate_input;
    use serde_json::json;

    #[test]
    fn states_round_trip_including_unknown() {
        for state in PaymentState::ALL {
            assert_eq!(PaymentState::parse(state.as_str()), Ok(state));
        }
        assert!(PaymentState::parse("paid").is_err());
    }

    #[test]
    fn metadata_over_one_kib_is_rejected_naming_the_field() {
        let big = NewPayment::for_order(1).metadata(json!({ "note": "x".repeat(1100) }));
        let error = validate_input(&big).expect_err("too big");
        assert_eq!(error.field(), Some("metadata"));
        let fits = NewPayment::for_order(1).metadata(json!({ "note": "x".repeat(900) }));
        assert_eq!(validate_input(&fits), Ok(()));
    }

    #[test]
    fn bad_fields_are_named_in_camel_case() {
        let cases = [
            (NewPayment::for_order(1).amount(0, "EUR"), "amount"),
            (NewPayment::for_order(1).external_ref(""), "externalRef"),
            (NewPayment::for_order(1).external_ref("a\nb"), "externalRef"),
            (
                NewPayment::for_order(1).external_ref("k".repeat(256)),
                "externalRef",
            ),
            (NewPayment::for_order(1).method("bank transfer"), "method"),
            (
                NewPayment::for_order(1).description("d".repeat(256)),
                "description",
            ),
        ];
        for (input, field) in cases {
            let error = validate_input(&input).expect_err(field);
            assert_eq!(error.field(), Some(field), "{input:?}");
        }
    }

    #[test]
    fn fingerprints_ignore_key_order_but_not_content() {
        let a = NewPayment::for_order(1)
            .amount(500, "EUR")
            .metadata(json!({"a": 1, "b": {"c": 2, "d": 3}}));
        let b = NewPayment::for_order(1)
            .amount(500, "eur")
            .metadata(json!({"b": {"d": 3, "c": 2}, "a": 1}));
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
        let other_amount = NewPayment::for_order(1)
            .amount(501, "EUR")
            .metadata(json!({"a": 1, "b": {"c": 2, "d": 3}}));
        assert_ne!(a.fingerprint(), other_amount.fingerprint());
        let other_order = NewPayment::for_order("1")
            .amount(500, "EUR")
            .metadata(json!({"a": 1, "b": {"c": 2, "d": 3}}));
        assert_ne!(a.fingerprint(), other_order.fingerprint());
    }

    #[test]
    fn details_must_be_an_object() {
        let mut input = NewPayment::for_order(1);
        input.details = Some(json!([1, 2]));
        assert_eq!(
            validate_input(&input).map_err(|e| e.field().map(str::to_owned)),
            Err(Some("details".into()))
        );
    }

    #[test]
    fn json_bodies_with_unknown_fields_are_rejected() {
        let body = json!({ "order": 1, "amount": 5, "colour": "red" });
        assert!(serde_json::from_value::<NewPayment>(body).is_err());
        let by_number = json!({ "order": "000123" });
        let parsed: NewPayment = serde_json::from_value(by_number).expect("valid body");
        assert_eq!(parsed.order, OrderRef::Number("000123".into()));
    }

    #[test]
    fn every_state_but_cart_and_unknown_emits_an_event() {
        for state in PaymentState::ALL {
            let event = EventType::on_entering(state);
            let silent = matches!(state, PaymentState::Cart | PaymentState::Unknown);
            assert_eq!(event.is_none(), silent, "{state}");
        }
        for event in EventType::ALL {
            assert_eq!(EventType::parse(event.as_str()), Ok(event));
        }
    }
}
