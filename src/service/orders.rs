//! Use cases of orders: the host upserts them; their payment state follows their payments.

use chrono::{DateTime, Utc};

use super::{Attempt, Error, Payments, retry_on_unique};
use crate::domain::{
    Currency, Order, OrderPaymentState, OrderRef, Payment, PaymentState, UpsertOrder,
    resolve_order_payment_state, validate_input,
};
use crate::store::{DbConnection, StoreResult, channels, orders, payments};

impl Payments {
    /// Creates the order `input.number`, or updates it when it exists.
    ///
    /// Once an order has payments, its channel and currency are fixed (the payments were
    /// checked against them); a new total re-resolves its payment state.
    pub fn upsert_order(&self, input: &UpsertOrder) -> Result<Order, Error> {
        validate_input(input)?;
        let currency = Currency::parse(&input.currency_code).map_err(|e| e.at("currencyCode"))?;
        let now = self.now();
        // Two hosts upserting one new number race on the unique index; the loser retries
        // and updates the winner's row.
        retry_on_unique("number", || {
            self.write(|conn| upsert(conn, input, currency, now))
        })
    }

    /// The order with this id or number.
    pub fn order(&self, order: &OrderRef) -> Result<Order, Error> {
        self.read(|conn| orders::find(conn, order)?.ok_or_else(|| Error::not_found("order", order)))
    }

    /// The payments of an order, oldest first.
    pub fn order_payments(&self, order: &OrderRef) -> Result<Vec<Payment>, Error> {
        self.read(|conn| {
            let id =
                orders::find_id(conn, order)?.ok_or_else(|| Error::not_found("order", order))?;
            Ok(payments::of_order(conn, id)?)
        })
    }
}

fn upsert(
    conn: &mut DbConnection,
    input: &UpsertOrder,
    currency: Currency,
    now: DateTime<Utc>,
) -> Result<Order, Attempt> {
    let channel = channels::by_code(conn, &input.channel)?.ok_or_else(|| {
        Error::validation(
            "channel",
            format!("channel `{}` does not exist", input.channel),
        )
    })?;
    let fields = orders::OrderFields {
        number: &input.number,
        channel_id: channel.id,
        currency,
        total: input.total,
    };
    let Some(existing) = orders::by_number(conn, &input.number)? else {
        return Ok(orders::insert(
            conn,
            &fields,
            resolve_order_payment_state(input.total, []),
            now,
        )?);
    };
    orders::lock(conn, existing.id)?;
    let amounts = payments::states_and_amounts(conn, existing.id)?;
    if !amounts.is_empty() {
        if existing.channel_id != channel.id {
            return Err(
                Error::validation("channel", "cannot change once the order has payments").into(),
            );
        }
        if existing.currency_code != currency {
            return Err(Error::validation(
                "currencyCode",
                "cannot change once the order has payments",
            )
            .into());
        }
    }
    orders::update(conn, existing.id, &fields, now)?;
    resolve_payment_state(
        conn,
        existing.id,
        input.total,
        existing.payment_state,
        &amounts,
        now,
    )?;
    Ok(orders::by_id(conn, existing.id)?)
}

/// Re-resolves the payment state of order `order_id` from its payments' `(state, amount)`
/// and stores it when it changed; called in the transaction of every change to either.
pub(super) fn resolve_payment_state(
    conn: &mut DbConnection,
    order_id: i64,
    total: i64,
    current: OrderPaymentState,
    amounts: &[(PaymentState, i64)],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let resolved = resolve_order_payment_state(total, amounts.iter().copied());
    if resolved == current {
        return Ok(());
    }
    orders::set_payment_state(conn, order_id, resolved, now)
}
