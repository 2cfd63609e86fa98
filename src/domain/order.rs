//! Orders (owned by the host shop; we keep what payments need) and their payment state.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use validator::Validate;

use super::validation::{check_code, check_external_ref};
use super::{Currency, InvalidValue, PaymentState};

/// How an input names an order: its id, or the shop's order number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OrderRef {
    /// Our id (a JSON number).
    Id(i64),
    /// The shop's order number (a JSON string). A string that matches no order number but
    /// is a decimal id refers to the order with that id, since query strings and paths
    /// cannot tell the two apart.
    Number(String),
}

impl From<i64> for OrderRef {
    fn from(id: i64) -> Self {
        OrderRef::Id(id)
    }
}

impl From<&str> for OrderRef {
    fn from(number: &str) -> Self {
        OrderRef::Number(number.to_owned())
    }
}

impl From<String> for OrderRef {
    fn from(number: String) -> Self {
        OrderRef::Number(number)
    }
}

impl fmt::Display for OrderRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderRef::Id(id) => write!(f, "{id}"),
            OrderRef::Number(number) => f.write_str(number),
        }
    }
}

/// The payment state of an order (Sylius `sylius_order_payment`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderPaymentState {
    /// Every payment of the order is still a `cart` draft.
    Cart,
    /// No payment is authorized, completed or refunded yet (or there is none).
    AwaitingPayment,
    /// Authorized payments cover part of the total.
    PartiallyAuthorized,
    /// Authorized payments cover the whole total.
    Authorized,
    /// Completed payments cover part of the total.
    PartiallyPaid,
    /// Completed payments cover the whole total.
    Paid,
    /// Refunded payments cover part of the total.
    PartiallyRefunded,
    /// Refunded payments cover the whole total.
    Refunded,
    /// The order was cancelled (Sylius); never resolved from payments, only read from stored data.
    Cancelled,
}

impl OrderPaymentState {
    /// Every order payment state.
    pub const ALL: [OrderPaymentState; 9] = [
        OrderPaymentState::Cart,
        OrderPaymentState::AwaitingPayment,
        OrderPaymentState::PartiallyAuthorized,
        OrderPaymentState::Authorized,
        OrderPaymentState::PartiallyPaid,
        OrderPaymentState::Paid,
        OrderPaymentState::PartiallyRefunded,
        OrderPaymentState::Refunded,
        OrderPaymentState::Cancelled,
    ];

    /// The stored and serialized name, e.g. `"partially_paid"`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderPaymentState::Cart => "cart",
            OrderPaymentState::AwaitingPayment => "awaiting_payment",
            OrderPaymentState::PartiallyAuthorized => "partially_authorized",
            OrderPaymentState::Authorized => "authorized",
            OrderPaymentState::PartiallyPaid => "partially_paid",
            OrderPaymentState::Paid => "paid",
            OrderPaymentState::PartiallyRefunded => "partially_refunded",
            OrderPaymentState::Refunded => "refunded",
            OrderPaymentState::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        OrderPaymentState::ALL
            .into_iter()
            .find(|state| state.as_str() == name)
            .ok_or_else(|| InvalidValue(format!("`{name}` is not an order payment state")))
    }
}

impl fmt::Display for OrderPaymentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Resolves an order's payment state from its total and its payments' `(state, amount)`.
///
/// Sylius' rules with its two known bugs fixed: a state counts only when some payment is in
/// it, so an order without payments is never `paid` (Sylius #11677, which compares an empty
/// sum of 0 with a total of 0), and cancelled or failed payments count for nothing, so
/// cancelling an authorized payment returns the order to `awaiting_payment` (Sylius #19050).
/// Sums are taken in `i128`, which no number of `i64` amounts can overflow.
pub fn resolve_order_payment_state(
    total: i64,
    payments: impl IntoIterator<Item = (PaymentState, i64)>,
) -> OrderPaymentState {
    let (mut refunded, mut completed, mut authorized) =
        (Sum::default(), Sum::default(), Sum::default());
    let (mut any, mut all_cart) = (false, true);
    for (state, amount) in payments {
        any = true;
        all_cart &= state == PaymentState::Cart;
        match state {
            PaymentState::Refunded => refunded.add(amount),
            PaymentState::Completed => completed.add(amount),
            PaymentState::Authorized => authorized.add(amount),
            _ => {}
        }
    }
    let total = i128::from(total);
    if any && all_cart {
        return OrderPaymentState::Cart;
    }
    if let Some(sum) = refunded.value() {
        return if sum >= total {
            OrderPaymentState::Refunded
        } else {
            OrderPaymentState::PartiallyRefunded
        };
    }
    if let Some(sum) = completed.value() {
        return if sum >= total {
            OrderPaymentState::Paid
        } else {
            OrderPaymentState::PartiallyPaid
        };
    }
    if let Some(sum) = authorized.value() {
        return if sum >= total {
            OrderPaymentState::Authorized
        } else {
            OrderPaymentState::PartiallyAuthorized
        };
    }
    OrderPaymentState::AwaitingPayment
}

/// The sum of the amounts of the payments in one state; `None` when no payment is in it.
#[derive(Default)]
struct Sum(Option<i128>);

impl Sum {
    fn add(&mut self, amount: i64) {
        self.0 = Some(self.0.unwrap_or(0) + i128::from(amount));
    }

    fn value(&self) -> Option<i128> {
        self.0
    }
}

/// An order as we keep it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Our id of the order.
    pub id: i64,
    /// The shop's key, unique.
    pub number: String,
    /// Our id of the order's channel.
    pub channel_id: i64,
    /// The code of the order's channel.
    pub channel_code: String,
    /// The order's currency; its payments must use it (`currencyCode`).
    pub currency_code: Currency,
    /// Minor units, ≥ 0.
    pub total: i64,
    /// The state resolved from the order's payments (`paymentState`).
    pub payment_state: OrderPaymentState,
    /// When the order was first upserted.
    pub created_at: DateTime<Utc>,
    /// When the order or its payment state last changed.
    pub updated_at: DateTime<Utc>,
}

/// Creates an order or updates the one with the same `number`.
///
/// Once an order has payments its channel and currency are fixed (its payments were
/// validated against them); its total may still change and re-resolves its payment state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpsertOrder {
    /// The shop's order number, the upsert key: 1 to 255 characters, no control characters.
    #[validate(custom(function = "check_external_ref"))]
    pub number: String,
    /// Channel code.
    #[validate(custom(function = "check_code"))]
    pub channel: String,
    /// ISO 4217.
    pub currency_code: String,
    /// Minor units, ≥ 0.
    #[validate(range(min = 0, message = "must be 0 or more minor units"))]
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderPaymentState as O;
    use PaymentState as P;

    #[test]
    fn an_order_without_payments_is_awaiting_payment_even_when_free() {
        // Sylius #11677: a 0 total with no payment resolved to `paid`.
        assert_eq!(resolve_order_payment_state(0, []), O::AwaitingPayment);
        assert_eq!(resolve_order_payment_state(1000, []), O::AwaitingPayment);
    }

    #[test]
    fn cancelling_an_authorized_payment_returns_the_order_to_awaiting_payment() {
        // Sylius #19050: the order stayed `authorized`.
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Authorized, 1000)]),
            O::Authorized
        );
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Cancelled, 1000)]),
            O::AwaitingPayment
        );
    }

    #[test]
    fn completed_payments_pay_the_order_fully_or_partially() {
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Completed, 1000)]),
            O::Paid
        );
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Completed, 1200)]),
            O::Paid
        );
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Completed, 400)]),
            O::PartiallyPaid
        );
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Completed, 400), (P::Completed, 600)]),
            O::Paid
        );
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Completed, 400), (P::Authorized, 600)]),
            O::PartiallyPaid
        );
    }

    #[test]
    fn refunds_take_precedence() {
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Refunded, 1000)]),
            O::Refunded
        );
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Refunded, 500), (P::Completed, 500)]),
            O::PartiallyRefunded
        );
    }

    #[test]
    fn authorizations_resolve_likewise() {
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Authorized, 300)]),
            O::PartiallyAuthorized
        );
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Authorized, 300), (P::Authorized, 700)]),
            O::Authorized
        );
    }

    #[test]
    fn open_failed_and_cart_payments_leave_the_order_awaiting_payment_or_in_cart() {
        for state in [P::New, P::Processing, P::Failed, P::Cancelled, P::Unknown] {
            assert_eq!(
                resolve_order_payment_state(1000, [(state, 1000)]),
                O::AwaitingPayment,
                "{state}"
            );
        }
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Cart, 1000)]),
            O::Cart
        );
        assert_eq!(
            resolve_order_payment_state(1000, [(P::Cart, 1000), (P::New, 1000)]),
            O::AwaitingPayment
        );
    }

    #[test]
    fn sums_never_overflow() {
        let huge = [(P::Completed, i64::MAX), (P::Completed, i64::MAX)];
        assert_eq!(resolve_order_payment_state(i64::MAX, huge), O::Paid);
    }

    #[test]
    fn state_names_round_trip() {
        for state in O::ALL {
            assert_eq!(O::parse(state.as_str()), Ok(state));
        }
        assert_eq!(O::PartiallyPaid.as_str(), "partially_paid");
    }
}
