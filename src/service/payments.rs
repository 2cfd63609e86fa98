//! Use cases of payments: read, list, and move through the state graph.

use chrono::{DateTime, Utc};

use super::orders::resolve_payment_state;
use super::{Error, Payments};
use crate::domain::{
    Cursor, EventType, PageNumber, Paginated, Payment, PaymentEvent, PaymentFilter, PaymentMethod,
    PaymentQuery, PaymentState, StateChange, Transition, check_instant,
};
use crate::store::counters::{self, Counter};
use crate::store::payments::{ListFilter, Start};
use crate::store::{
    DbConnection, StoreError, channels, events, history, methods, orders, payments,
};

impl Payments {
    /// The payment with this id.
    pub fn payment(&self, id: i64) -> Result<Payment, Error> {
        self.read(|conn| payment_or_not_found(conn, id))
    }

    /// The payment with this id and its method in full (with channels), read together.
    pub fn payment_with_method(&self, id: i64) -> Result<(Payment, Option<PaymentMethod>), Error> {
        self.read(|conn| {
            let payment = payment_or_not_found(conn, id)?;
            let method = match &payment.method {
                Some(summary) => Some(methods::by_id(conn, summary.id)?),
                None => None,
            };
            Ok((payment, method))
        })
    }

    /// One page of payments, filtered and sorted: the `page`-th, or with `query.after` the
    /// ones after that cursor (a keyset seek whose cost does not grow with depth). The total
    /// comes from counters kept with every write when at most one of state, method, channel
    /// or currency filters the list, and from an indexed count otherwise. `next` is the
    /// cursor after the last item when more follow.
    pub fn list_payments(&self, query: &PaymentQuery) -> Result<Paginated<Payment>, Error> {
        check_cursor(query)?;
        self.read(|conn| {
            let page = if query.after.is_some() {
                PageNumber::FIRST
            } else {
                query.page
            };
            let Some(filter) = resolve_filter(conn, &query.filter)? else {
                return Ok(Paginated::new(Vec::new(), page, query.limit, 0));
            };
            let total = match single_counter(&filter) {
                Some(counter) => counters::get(conn, &counter)?,
                None => payments::count(conn, &filter)?,
            };
            let limit = i64::from(query.limit.get());
            let start = page_start(query);
            if let Start::Offset(offset) = start
                && u64::try_from(offset).unwrap_or(u64::MAX) >= total
            {
                return Ok(Paginated::new(Vec::new(), page, query.limit, total));
            }
            // One row more than the page tells whether another page follows.
            let mut items = payments::page(conn, &filter, &query.sorting, start, limit + 1)?;
            let more = items.len() > query.limit.get() as usize;
            items.truncate(query.limit.get() as usize);
            let next = items
                .last()
                .filter(|_| more)
                .map(|last| Cursor::after(last, &query.sorting));
            Ok(Paginated {
                next,
                ..Paginated::new(items, page, query.limit, total)
            })
        })
    }

    /// [`Payments::list_payments`] the way Sylius runs it: the total by `COUNT(*)` and the
    /// page by `OFFSET`, even after a cursor. For benchmarks, as the baseline to beat.
    #[doc(hidden)]
    pub fn list_payments_naively(&self, query: &PaymentQuery) -> Result<Paginated<Payment>, Error> {
        self.read(|conn| {
            let Some(filter) = resolve_filter(conn, &query.filter)? else {
                return Ok(Paginated::new(Vec::new(), query.page, query.limit, 0));
            };
            let total = payments::count(conn, &filter)?;
            let limit = i64::from(query.limit.get());
            let offset = i64::from(query.page.get() - 1) * limit;
            let items =
                payments::page(conn, &filter, &query.sorting, Start::Offset(offset), limit)?;
            Ok(Paginated::new(items, query.page, query.limit, total))
        })
    }

    /// How the database runs the page query of [`Payments::list_payments`], one line per
    /// plan node (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL): to check that a
    /// list is served by an index. Empty when a code in the filter matches nothing (no
    /// query runs then).
    pub fn explain_list_payments(&self, query: &PaymentQuery) -> Result<Vec<String>, Error> {
        check_cursor(query)?;
        let backend = self.backend();
        self.read(|conn| {
            let Some(filter) = resolve_filter(conn, &query.filter)? else {
                return Ok(Vec::new());
            };
            let limit = i64::from(query.limit.get()) + 1;
            let plan = payments::page_plan(
                conn,
                backend,
                &filter,
                &query.sorting,
                page_start(query),
                limit,
            )?;
            Ok(plan)
        })
    }

    /// Applies `transition` to payment `id` and re-resolves its order's payment state, in one
    /// transaction that also records the history row, the outbox event and the counters.
    ///
    /// With `expected_version`, a payment changed since the caller read it is
    /// [`Error::StaleVersion`]. Of two racing calls, one wins; the other sees the new state
    /// and gets [`Error::TransitionNotAllowed`] naming it (or `StaleVersion`).
    pub fn apply_transition(
        &self,
        id: i64,
        transition: Transition,
        expected_version: Option<i64>,
    ) -> Result<Payment, Error> {
        let (backend, now) = (self.backend(), self.now());
        self.write(|conn| {
            let (order_id, payment) = lock_payment(conn, id, expected_version)?;
            let to = transition.apply(payment.state)?;
            let after = payment.entering(to, now);
            if !payments::set_state(conn, &payment, &after)? {
                // Cannot happen while we hold the order lock; refuse rather than guess.
                return Err(Error::Internal(format!(
                    "payment {id} changed under the order lock"
                )));
            }
            history::record(conn, id, transition, payment.state, to, now)?;
            if let Some(event) = EventType::on_entering(to) {
                events::append(conn, id, event, after.version, now)?;
            }
            let shard = counters::shard_for(backend, id);
            counters::add(
                conn,
                &[(Counter::state(payment.state), -1), (Counter::state(to), 1)],
                shard,
            )?;
            resolve_order(conn, order_id, now)?;
            Ok(after)
        })
        .inspect(|_| self.inner.outbox.notify())
    }

    /// Chooses the method of a payment that has none yet or is still `cart` or `new`.
    pub fn choose_payment_method(
        &self,
        id: i64,
        code: &str,
        expected_version: Option<i64>,
    ) -> Result<Payment, Error> {
        let (backend, now) = (self.backend(), self.now());
        self.write(|conn| {
            let (order_id, payment) = lock_payment(conn, id, expected_version)?;
            if !matches!(payment.state, PaymentState::Cart | PaymentState::New) {
                return Err(Error::validation(
                    "method",
                    format!(
                        "the method of a `{}` payment can no longer change",
                        payment.state
                    ),
                ));
            }
            let order = orders::by_id(conn, order_id)?;
            let method = methods::by_code(conn, code)?.ok_or_else(|| {
                Error::validation("method", format!("payment method `{code}` does not exist"))
            })?;
            method.check_usable(order.channel_id, payment.money())?;
            if !payments::set_method(conn, id, payment.version, method.id, now)? {
                return Err(Error::Internal(format!(
                    "payment {id} changed under the order lock"
                )));
            }
            let shard = counters::shard_for(backend, id);
            let moved = [
                (Counter::method(payment.method.map(|m| m.id)), -1),
                (Counter::method(Some(method.id)), 1),
            ];
            counters::add(conn, &moved, shard)?;
            Ok(payments::by_id(conn, id)?)
        })
    }

    /// The transitions payment `id` allows now, in graph order.
    pub fn available_transitions(&self, id: i64) -> Result<Vec<Transition>, Error> {
        Ok(self.payment(id)?.available_transitions())
    }

    /// Every transition applied to payment `id`, oldest first.
    pub fn payment_history(&self, id: i64) -> Result<Vec<StateChange>, Error> {
        self.read(|conn| {
            payment_or_not_found(conn, id)?;
            Ok(history::of_payment(conn, id)?)
        })
    }

    /// The outbox events of payment `id`, oldest first.
    pub fn payment_events(&self, id: i64) -> Result<Vec<PaymentEvent>, Error> {
        self.read(|conn| {
            payment_or_not_found(conn, id)?;
            Ok(events::of_payment(conn, id)?)
        })
    }
}

/// Locks the order of payment `id` (see [`orders::lock`]) and reads the payment, which
/// nobody else can change until the transaction ends; a payment changed since the caller
/// read it at `expected_version` is [`Error::StaleVersion`]. Returns the order id too.
fn lock_payment(
    conn: &mut DbConnection,
    id: i64,
    expected_version: Option<i64>,
) -> Result<(i64, Payment), Error> {
    let payment = match payments::for_update(conn, id) {
        Err(StoreError::NotFound) => return Err(Error::not_found("payment", id)),
        other => other?,
    };
    if let Some(expected) = expected_version.filter(|v| *v != payment.version) {
        return Err(Error::StaleVersion {
            payment_id: id,
            expected,
            current: payment.version,
        });
    }
    Ok((payment.order_id, payment))
}

fn resolve_order(conn: &mut DbConnection, order_id: i64, now: DateTime<Utc>) -> Result<(), Error> {
    let order = orders::by_id(conn, order_id)?;
    let amounts = payments::states_and_amounts(conn, order_id)?;
    Ok(resolve_payment_state(
        conn,
        order_id,
        order.total,
        order.payment_state,
        &amounts,
        now,
    )?)
}

fn payment_or_not_found(conn: &mut DbConnection, id: i64) -> Result<Payment, Error> {
    match payments::by_id(conn, id) {
        Err(StoreError::NotFound) => Err(Error::not_found("payment", id)),
        other => Ok(other?),
    }
}

/// A cursor built by hand (not by [`Cursor::after`]) may hold instants no database stores.
fn check_cursor(query: &PaymentQuery) -> Result<(), Error> {
    let Some(cursor) = &query.after else {
        return Ok(());
    };
    for at in [cursor.created_at, cursor.updated_at].into_iter().flatten() {
        check_instant(at).map_err(|e| e.at("after"))?;
    }
    Ok(())
}

/// Where the page of `query` starts.
fn page_start(query: &PaymentQuery) -> Start<'_> {
    match &query.after {
        Some(cursor) => Start::After(cursor),
        // At most (2^32 - 1) * 250: no overflow in i64.
        None => Start::Offset(i64::from(query.page.get() - 1) * i64::from(query.limit.get())),
    }
}

/// The filter with codes resolved to ids; `None` when a code matches nothing, so the list
/// is empty without a query.
fn resolve_filter(
    conn: &mut DbConnection,
    filter: &PaymentFilter,
) -> Result<Option<ListFilter>, Error> {
    let bound = |at: Option<DateTime<Utc>>, field: &str| {
        at.map(|at| check_instant(at).map_err(|e| e.at(field)))
            .transpose()
    };
    let mut resolved = ListFilter {
        state: filter.state,
        currency: filter.currency,
        created_after: bound(filter.created_after, "createdAfter")?,
        created_before: bound(filter.created_before, "createdBefore")?,
        ..ListFilter::default()
    };
    if let Some(code) = &filter.method {
        let Some(id) = methods::id_by_code(conn, code)? else {
            return Ok(None);
        };
        resolved.method_id = Some(id);
    }
    if let Some(code) = &filter.channel {
        let Some(channel) = channels::by_code(conn, code)? else {
            return Ok(None);
        };
        resolved.channel_id = Some(channel.id);
    }
    if let Some(order) = &filter.order {
        let Some(id) = orders::find_id(conn, order)? else {
            return Ok(None);
        };
        resolved.order_id = Some(id);
    }
    Ok(Some(resolved))
}

/// The counter that holds the total of `filter`, when it filters by at most one of the
/// counted dimensions and nothing else.
fn single_counter(filter: &ListFilter) -> Option<Counter> {
    let others = filter.order_id.is_some()
        || filter.created_after.is_some()
        || filter.created_before.is_some();
    let counted = [
        filter.state.is_some(),
        filter.method_id.is_some(),
        filter.channel_id.is_some(),
        filter.currency.is_some(),
    ];
    if others || counted.iter().filter(|set| **set).count() > 1 {
        return None;
    }
    Some(
        match (
            filter.state,
            filter.method_id,
            filter.channel_id,
            filter.currency,
        ) {
            (Some(state), ..) => Counter::state(state),
            (_, Some(method), ..) => Counter::method(Some(method)),
            (_, _, Some(channel), _) => Counter::channel(channel),
            (.., Some(currency)) => Counter::currency(currency),
            _ => Counter::all(),
        },
    )
}
