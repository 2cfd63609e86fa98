//! Exact payment counts per list filter, kept in the transaction of every change.

use diesel::prelude::*;

use super::schema::payment_counters;
use super::{Backend, DbConnection, StoreResult, on_each_backend};
use crate::domain::{Currency, PaymentState};

/// The filters a counter exists for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Every payment; the value is empty.
    All,
    State,
    /// The method id; empty for payments without a method.
    Method,
    /// The channel id.
    Channel,
    Currency,
}

impl Dimension {
    fn as_str(self) -> &'static str {
        match self {
            Dimension::All => "all",
            Dimension::State => "state",
            Dimension::Method => "method",
            Dimension::Channel => "channel",
            Dimension::Currency => "currency",
        }
    }
}

/// One counter: a dimension and a value of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Counter {
    pub dimension: Dimension,
    pub value: String,
}

impl Counter {
    pub fn all() -> Self {
        Counter {
            dimension: Dimension::All,
            value: String::new(),
        }
    }

    pub fn state(state: PaymentState) -> Self {
        Counter {
            dimension: Dimension::State,
            value: state.as_str().to_owned(),
        }
    }

    pub fn method(method_id: Option<i64>) -> Self {
        Counter {
            dimension: Dimension::Method,
            value: method_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }

    pub fn channel(channel_id: i64) -> Self {
        Counter {
            dimension: Dimension::Channel,
            value: channel_id.to_string(),
        }
    }

    pub fn currency(currency: Currency) -> Self {
        Counter {
            dimension: Dimension::Currency,
            value: currency.code().to_owned(),
        }
    }
}

/// How many rows each counter is spread over. SQLite has one writer at a time, so one row
/// suffices; PostgreSQL writers would queue on a single hot row.
fn shards(backend: Backend) -> i64 {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 16,
    }
}

/// The shard a change of payment `payment_id` writes to: spread by id, so concurrent
/// changes of different payments mostly touch different rows.
pub fn shard_for(backend: Backend, payment_id: i64) -> i32 {
    // rem_euclid of a positive modulus below 17 always fits in i32.
    i32::try_from(payment_id.rem_euclid(shards(backend))).unwrap_or(0)
}

/// Adds each `(counter, delta)` in `shard`, creating rows on first use, in one statement.
pub fn add(conn: &mut DbConnection, changes: &[(Counter, i64)], shard: i32) -> StoreResult<()> {
    use diesel::upsert::excluded;
    use payment_counters::columns as c;
    // One row per counter: PostgreSQL refuses an upsert that touches a row twice.
    let mut merged: Vec<(&Counter, i64)> = Vec::with_capacity(changes.len());
    for (counter, delta) in changes {
        match merged.iter_mut().find(|(seen, _)| *seen == counter) {
            Some((_, total)) => *total += delta,
            None => merged.push((counter, *delta)),
        }
    }
    let rows: Vec<_> = merged
        .into_iter()
        .filter(|(_, delta)| *delta != 0)
        .map(|(counter, delta)| {
            (
                c::dimension.eq(counter.dimension.as_str()),
                c::value.eq(counter.value.as_str()),
                c::shard.eq(shard),
                c::count.eq(delta),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    // The multi-backend connection has no ON CONFLICT; both backends spell it the same.
    on_each_backend!(conn, |inner| diesel::insert_into(payment_counters::table)
        .values(&rows)
        .on_conflict((c::dimension, c::value, c::shard))
        .do_update()
        .set(c::count.eq(c::count + excluded(c::count)))
        .execute(inner))?;
    Ok(())
}

/// The current value of `counter`: the sum of its shards.
pub fn get(conn: &mut DbConnection, counter: &Counter) -> StoreResult<u64> {
    let shards: Vec<i64> = payment_counters::table
        .filter(payment_counters::dimension.eq(counter.dimension.as_str()))
        .filter(payment_counters::value.eq(counter.value.as_str()))
        .select(payment_counters::count)
        .load(conn)?;
    Ok(u64::try_from(shards.iter().sum::<i64>()).unwrap_or(0))
}
