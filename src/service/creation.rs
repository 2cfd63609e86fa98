//! Creating payments, one or a batch, idempotently: every payment of a call in one
//! transaction, all or nothing.

use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::orders::resolve_payment_state;
use super::{Attempt, Error, Payments, retry_on_unique};
use crate::domain::{
    Currency, EventType, Money, NewPayment, Order, OrderRef, Payment, PaymentMethod,
    PaymentMethodSummary, PaymentState, validate_input,
};
use crate::store::counters::{self, Counter};
use crate::store::payments::PaymentInsert;
use crate::store::quotes::{self, StoredQuote};
use crate::store::{Backend, DbConnection, events, methods, orders, payments};

/// The most payments one [`Payments::create_payments`] call creates.
pub const MAX_BATCH: usize = 100;

/// What [`Payments::create_payment`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentCreation {
    /// The payment: new, or the one first created with the same `externalRef`.
    pub payment: Payment,
    /// `true` when the request replayed an earlier one and nothing was created.
    pub replayed: bool,
}

impl Payments {
    /// Creates a payment for an order, in state `new` (or `cart`, see
    /// [`NewPayment::in_cart`]).
    ///
    /// The amount and currency default to the order's outstanding amount and currency. A
    /// method must be enabled, attached to the order's channel, accept the currency and the
    /// amount. With an `externalRef`, repeating the same request returns the first payment
    /// (`replayed: true`) and reusing the key for another request is
    /// [`Error::IdempotencyConflict`]; concurrent requests with one key create one payment.
    pub fn create_payment(&self, input: &NewPayment) -> Result<PaymentCreation, Error> {
        let requests = vec![CreateRequest::parse(input, None)?];
        let mut created = self.create_all(&requests)?;
        created
            .pop()
            .ok_or_else(|| Error::Internal("a creation returned no payment".into()))
    }

    /// Creates up to [`MAX_BATCH`] payments in one transaction: all of them, or none when
    /// any is refused, with the error naming the item (`payments[3].amount`). Each item
    /// follows [`Payments::create_payment`]; items repeating an earlier request with the
    /// same `externalRef` return the earlier payment.
    pub fn create_payments(&self, inputs: &[NewPayment]) -> Result<Vec<PaymentCreation>, Error> {
        if inputs.is_empty() || inputs.len() > MAX_BATCH {
            return Err(Error::validation(
                "payments",
                format!("must hold 1 to {MAX_BATCH} payments"),
            ));
        }
        let requests = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| CreateRequest::parse(input, Some(i)))
            .collect::<Result<Vec<_>, Error>>()?;
        self.create_all(&requests)
    }

    fn create_all(&self, requests: &[CreateRequest<'_>]) -> Result<Vec<PaymentCreation>, Error> {
        let created = self.create_all_once(requests)?;
        // The commit wrote outbox events: wake the webhook worker.
        self.inner.outbox.notify();
        Ok(created)
    }

    fn create_all_once(
        &self,
        requests: &[CreateRequest<'_>],
    ) -> Result<Vec<PaymentCreation>, Error> {
        let (backend, now) = (self.backend(), self.now());
        // A concurrent request with the same key on another order is not held back by the
        // order lock; the unique index stops it and the retry replays the winner's payment.
        retry_on_unique("external_ref", || {
            self.write(|conn| {
                let mut batch = Batch::default();
                let created = requests
                    .iter()
                    .map(|request| {
                        batch
                            .create(conn, request, now)
                            .map_err(|e| request.locate(e))
                    })
                    .collect::<Result<Vec<_>, Attempt>>()?;
                batch.finish(conn, backend, now)?;
                Ok(created)
            })
        })
    }
}

/// One validated creation request.
struct CreateRequest<'a> {
    input: &'a NewPayment,
    currency: Option<Currency>,
    fingerprint: Option<String>,
    /// The item's position in a batch, which errors name.
    index: Option<usize>,
}

impl<'a> CreateRequest<'a> {
    fn parse(input: &'a NewPayment, index: Option<usize>) -> Result<Self, Error> {
        let locate = |e: Error| locate(e, index);
        validate_input(input).map_err(|e| locate(e.into()))?;
        let currency = input
            .currency_code
            .as_deref()
            .map(|code| Currency::parse(code).map_err(|e| locate(e.at("currencyCode").into())))
            .transpose()?;
        let fingerprint = input.external_ref.as_ref().map(|_| input.fingerprint());
        Ok(CreateRequest {
            input,
            currency,
            fingerprint,
            index,
        })
    }

    /// Names this item in an error about one of its fields.
    fn locate(&self, error: Attempt) -> Attempt {
        match error {
            Attempt::Service(e) => Attempt::Service(locate(e, self.index)),
            store => store,
        }
    }
}

/// Prefixes the field of a validation error with the item's place in the batch.
fn locate(error: Error, index: Option<usize>) -> Error {
    let Some(i) = index else { return error };
    match error {
        Error::Validation { field, message } => Error::Validation {
            field: format!("payments[{i}].{field}"),
            message,
        },
        Error::IdempotencyConflict {
            external_ref,
            payment_id,
        } => Error::Validation {
            field: format!("payments[{i}].externalRef"),
            message: format!(
                "`{external_ref}` was already used by payment {payment_id} for a different request"
            ),
        },
        other => other,
    }
}

/// What one creation transaction keeps across its payments: each order found and locked
/// once, each method read once; counters and order states written once, at the end.
#[derive(Default)]
struct Batch {
    order_ids: HashMap<OrderRef, i64>,
    orders: HashMap<i64, (Order, Vec<(PaymentState, i64)>)>,
    methods: HashMap<String, PaymentMethod>,
    quotes: HashMap<String, StoredQuote>,
    counters: HashMap<Counter, i64>,
    first_id: Option<i64>,
}

impl Batch {
    fn create(
        &mut self,
        conn: &mut DbConnection,
        request: &CreateRequest<'_>,
        now: DateTime<Utc>,
    ) -> Result<PaymentCreation, Attempt> {
        let input = request.input;
        let order_id = self.lock_order(conn, &input.order)?;
        if let Some(replay) = replay(conn, request)? {
            return Ok(replay);
        }
        let (order, amounts) = self
            .orders
            .get(&order_id)
            .ok_or_else(|| Error::Internal("a locked order went missing".into()))?;
        let money = payment_money(order, input.amount, request.currency, amounts)?;
        let channel_id = order.channel_id;
        let method = match &input.method {
            Some(code) => {
                let method = self.method(conn, code)?;
                method.check_usable(channel_id, money)?;
                Some(PaymentMethodSummary {
                    id: method.id,
                    code: method.code.clone(),
                })
            }
            None => None,
        };
        if let Some(quote_id) = &input.quote_id {
            self.check_quote(
                conn,
                quote_id,
                money,
                channel_id,
                input.method.as_deref(),
                now,
            )?;
        }
        let state = if input.in_cart {
            PaymentState::Cart
        } else {
            PaymentState::New
        };
        let row = PaymentInsert {
            order_id,
            channel_id,
            method_id: method.as_ref().map(|m| m.id),
            currency: money.currency(),
            amount: money.amount(),
            state,
            description: input.description.as_deref(),
            metadata: input.metadata.as_ref(),
            external_ref: input.external_ref.as_deref(),
            request_fingerprint: request.fingerprint.as_deref(),
            details: input.details.as_ref(),
        };
        let id = payments::insert(conn, &row, now)?;
        self.first_id.get_or_insert(id);
        for counter in [
            Counter::all(),
            Counter::state(state),
            Counter::method(row.method_id),
            Counter::channel(channel_id),
            Counter::currency(money.currency()),
        ] {
            *self.counters.entry(counter).or_default() += 1;
        }
        if let Some(event) = EventType::on_entering(state) {
            events::append(conn, id, event, 1, now)?;
        }
        if let Some((_, amounts)) = self.orders.get_mut(&order_id) {
            amounts.push((state, money.amount()));
        }
        // The row as inserted; reading it back would only return what we just wrote.
        let payment = Payment {
            id,
            order_id,
            channel_id,
            method,
            currency_code: money.currency(),
            amount: money.amount(),
            state,
            description: input.description.clone(),
            metadata: input.metadata.clone(),
            external_ref: input.external_ref.clone(),
            details: input.details.clone().unwrap_or_else(|| json!({})),
            version: 1,
            created_at: now,
            updated_at: now,
            authorized_at: None,
            completed_at: None,
            failed_at: None,
            cancelled_at: None,
            refunded_at: None,
        };
        Ok(PaymentCreation {
            payment,
            replayed: false,
        })
    }

    /// A payment made with a quote must agree with it: the quote exists and has not
    /// expired, and currency, channel and method are the quote's.
    fn check_quote(
        &mut self,
        conn: &mut DbConnection,
        quote_id: &str,
        money: Money,
        channel_id: i64,
        method: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), Attempt> {
        let quote = match self.quotes.entry(quote_id.to_owned()) {
            Entry::Occupied(cached) => cached.into_mut(),
            Entry::Vacant(slot) => {
                let quote = quotes::by_id(conn, quote_id)?.ok_or_else(|| {
                    Error::validation("quoteId", format!("quote `{quote_id}` does not exist"))
                })?;
                slot.insert(quote)
            }
        };
        if quote.expires_at <= now {
            let expired = quote.expires_at.format("%Y-%m-%dT%H:%M:%S%z");
            return Err(Error::validation(
                "quoteId",
                format!("quote `{quote_id}` expired at {expired}"),
            )
            .into());
        }
        if quote.currency_code != money.currency().code() {
            let message = format!(
                "{} differs from the quote's currency {}",
                money.currency(),
                quote.currency_code
            );
            return Err(Error::validation("currencyCode", message).into());
        }
        if quote.channel_id != channel_id {
            let message = format!(
                "the order's channel differs from the quote's channel `{}`",
                quote.channel_code
            );
            return Err(Error::validation("order", message).into());
        }
        if let Some(code) = method.filter(|code| !quote.method_codes.iter().any(|m| m == code)) {
            let offered = quote.method_codes.join(", ");
            let message =
                format!("payment method `{code}` is not one the quote offers ({offered})");
            return Err(Error::validation("method", message).into());
        }
        Ok(())
    }

    /// Finds the order an input names, locks it (see [`orders::lock`]) and reads its
    /// payments, once per transaction.
    fn lock_order(
        &mut self,
        conn: &mut DbConnection,
        reference: &OrderRef,
    ) -> Result<i64, Attempt> {
        if let Some(id) = self.order_ids.get(reference) {
            return Ok(*id);
        }
        let order = orders::find(conn, reference)?.ok_or_else(|| {
            Error::validation("order", format!("order `{reference}` does not exist"))
        })?;
        let id = order.id;
        if let Entry::Vacant(slot) = self.orders.entry(id) {
            orders::lock(conn, id)?;
            let amounts = payments::states_and_amounts(conn, id)?;
            slot.insert((order, amounts));
        }
        self.order_ids.insert(reference.clone(), id);
        Ok(id)
    }

    fn method(&mut self, conn: &mut DbConnection, code: &str) -> Result<&PaymentMethod, Attempt> {
        match self.methods.entry(code.to_owned()) {
            Entry::Occupied(cached) => Ok(cached.into_mut()),
            Entry::Vacant(slot) => {
                let method = methods::by_code(conn, code)?.ok_or_else(|| {
                    Error::validation("method", format!("payment method `{code}` does not exist"))
                })?;
                Ok(slot.insert(method))
            }
        }
    }

    /// Writes the counter deltas and the new payment states of the orders touched.
    fn finish(
        self,
        conn: &mut DbConnection,
        backend: Backend,
        now: DateTime<Utc>,
    ) -> Result<(), Attempt> {
        let Some(first_id) = self.first_id else {
            return Ok(());
        };
        let shard = counters::shard_for(backend, first_id);
        let changes: Vec<(Counter, i64)> = self.counters.into_iter().collect();
        counters::add(conn, &changes, shard)?;
        for (id, (order, amounts)) in &self.orders {
            resolve_payment_state(conn, *id, order.total, order.payment_state, amounts, now)?;
        }
        Ok(())
    }
}

/// The payment an earlier request with the same key created, when this request repeats
/// it; an error when the key was used for another request.
fn replay(
    conn: &mut DbConnection,
    request: &CreateRequest<'_>,
) -> Result<Option<PaymentCreation>, Attempt> {
    let (Some(key), Some(fingerprint)) = (&request.input.external_ref, &request.fingerprint) else {
        return Ok(None);
    };
    let Some((id, stored)) = payments::by_external_ref(conn, key)? else {
        return Ok(None);
    };
    if stored.as_ref() != Some(fingerprint) {
        return Err(Error::IdempotencyConflict {
            external_ref: key.clone(),
            payment_id: id,
        }
        .into());
    }
    Ok(Some(PaymentCreation {
        payment: payments::by_id(conn, id)?,
        replayed: true,
    }))
}

/// The amount and currency of a new payment: as given, or the order's outstanding amount
/// in the order's currency.
fn payment_money(
    order: &Order,
    amount: Option<i64>,
    currency: Option<Currency>,
    payments_of_order: &[(PaymentState, i64)],
) -> Result<Money, Error> {
    let currency = currency.unwrap_or(order.currency_code);
    if currency != order.currency_code {
        return Err(Error::validation(
            "currencyCode",
            format!("must be the order's currency, {}", order.currency_code),
        ));
    }
    let amount = match amount {
        Some(amount) => amount,
        None => outstanding(order, payments_of_order)?,
    };
    Ok(Money::positive(amount, currency).map_err(|e| e.at("amount"))?)
}

/// The order total less the payments that may still (or did) collect money: those in cart,
/// new, processing, authorized or completed. Failed, cancelled and refunded ones free
/// their amount again.
fn outstanding(order: &Order, payments_of_order: &[(PaymentState, i64)]) -> Result<i64, Error> {
    let mut due = Money::new(order.total, order.currency_code);
    for (state, amount) in payments_of_order {
        let collecting = matches!(
            state,
            PaymentState::Cart
                | PaymentState::New
                | PaymentState::Processing
                | PaymentState::Authorized
                | PaymentState::Completed
        );
        if collecting {
            due = due.checked_sub(Money::new(*amount, order.currency_code))?;
        }
    }
    if due.amount() <= 0 {
        return Err(Error::validation(
            "amount",
            format!(
                "order `{}` has nothing outstanding; give an amount",
                order.number
            ),
        ));
    }
    Ok(due.amount())
}
