//! Webhook rows: subscriptions, the fan-out cursor, deliveries and their attempts.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{
    webhook_attempts, webhook_deliveries, webhook_dispatch, webhook_subscriptions,
};
use super::{DbConnection, StoreError, StoreResult, from_db, parse_stored, to_db};
use crate::domain::{Delivery, DeliveryAttempt, DeliveryStatus, EventType, Subscription};

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions)]
struct SubscriptionRow {
    id: i64,
    url: String,
    events: String,
    secret: String,
    created_at: NaiveDateTime,
}

impl SubscriptionRow {
    fn into_domain(self) -> StoreResult<(Subscription, String)> {
        let events = self
            .events
            .split_whitespace()
            .map(|name| parse_stored("webhook_subscriptions", EventType::parse(name)))
            .collect::<StoreResult<Vec<_>>>()?;
        let subscription = Subscription {
            id: self.id,
            url: self.url,
            events,
            created_at: from_db(self.created_at),
        };
        Ok((subscription, self.secret))
    }
}

/// Stores a subscription.
pub fn subscribe(
    conn: &mut DbConnection,
    url: &str,
    events: &[EventType],
    secret: &str,
    now: DateTime<Utc>,
) -> StoreResult<Subscription> {
    let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    let id: i64 = diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::url.eq(url),
            webhook_subscriptions::events.eq(names.join(" ")),
            webhook_subscriptions::secret.eq(secret),
            webhook_subscriptions::created_at.eq(to_db(now)),
        ))
        .returning(webhook_subscriptions::id)
        .get_result(conn)?;
    subscription(conn, id)?
        .map(|(s, _)| s)
        .ok_or(StoreError::NotFound)
}

/// The subscription with this id and its secret, if any.
pub fn subscription(
    conn: &mut DbConnection,
    id: i64,
) -> StoreResult<Option<(Subscription, String)>> {
    webhook_subscriptions::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()?
        .map(SubscriptionRow::into_domain)
        .transpose()
}

/// Every subscription with its secret, oldest first.
pub fn subscriptions(conn: &mut DbConnection) -> StoreResult<Vec<(Subscription, String)>> {
    webhook_subscriptions::table
        .order(webhook_subscriptions::id.asc())
        .select(SubscriptionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(SubscriptionRow::into_domain)
        .collect()
}

/// Deletes a subscription with its deliveries and their attempts; `false` if none.
pub fn unsubscribe(conn: &mut DbConnection, id: i64) -> StoreResult<bool> {
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(id))
        .select(webhook_deliveries::id);
    diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
    )
    .execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::subscription_id.eq(id)))
        .execute(conn)?;
    Ok(diesel::delete(webhook_subscriptions::table.find(id)).execute(conn)? == 1)
}

/// Reads the fan-out cursor, taking its row lock (on PostgreSQL) until the transaction
/// ends, so one worker fans out at a time.
pub fn lock_dispatch_cursor(conn: &mut DbConnection) -> StoreResult<i64> {
    diesel::update(webhook_dispatch::table.find(1))
        .set(webhook_dispatch::last_event_id.eq(webhook_dispatch::last_event_id))
        .execute(conn)?;
    Ok(webhook_dispatch::table
        .find(1)
        .select(webhook_dispatch::last_event_id)
        .first(conn)?)
}

/// Moves the fan-out cursor.
pub fn advance_dispatch_cursor(conn: &mut DbConnection, last_event_id: i64) -> StoreResult<()> {
    diesel::update(webhook_dispatch::table.find(1))
        .set(webhook_dispatch::last_event_id.eq(last_event_id))
        .execute(conn)?;
    Ok(())
}

/// Queues the delivery of event `event_id` to `subscription_id`, due at once.
pub fn queue_delivery(
    conn: &mut DbConnection,
    event_id: i64,
    subscription_id: i64,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::event_id.eq(event_id),
            webhook_deliveries::subscription_id.eq(subscription_id),
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(to_db(now)),
            webhook_deliveries::deadline.eq(to_db(deadline)),
            webhook_deliveries::created_at.eq(to_db(now)),
            webhook_deliveries::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: i64,
    event_id: i64,
    subscription_id: i64,
    status: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    deadline: NaiveDateTime,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    delivered_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

impl DeliveryRow {
    fn into_domain(self) -> StoreResult<Delivery> {
        Ok(Delivery {
            id: self.id,
            event_id: self.event_id,
            subscription_id: self.subscription_id,
            status: parse_stored("webhook_deliveries", DeliveryStatus::parse(&self.status))?,
            attempts: self.attempts,
            next_attempt_at: from_db(self.next_attempt_at),
            deadline: from_db(self.deadline),
            last_status_code: self.last_status_code,
            last_error: self.last_error,
            delivered_at: self.delivered_at.map(from_db),
            created_at: from_db(self.created_at),
        })
    }
}

/// The ids of up to `limit` pending deliveries due at `now` that no live lease holds,
/// the longest waiting first.
pub fn due_deliveries(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<i64>> {
    let now = to_db(now);
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.lt(now)),
        )
        .order((
            webhook_deliveries::next_attempt_at.asc(),
            webhook_deliveries::id.asc(),
        ))
        .limit(limit)
        .select(webhook_deliveries::id)
        .load(conn)?)
}

/// Leases delivery `id` to `owner` until `until`, if it is still pending and unleased: a
/// compare-and-set, so of two workers reaching for one delivery exactly one gets it.
pub fn lease(
    conn: &mut DbConnection,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<bool> {
    let now = to_db(now);
    let leased = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(
                webhook_deliveries::lease_until
                    .is_null()
                    .or(webhook_deliveries::lease_until.lt(now)),
            ),
    )
    .set((
        webhook_deliveries::lease_until.eq(Some(to_db(until))),
        webhook_deliveries::lease_owner.eq(Some(owner)),
    ))
    .execute(conn)?;
    Ok(leased == 1)
}

/// The delivery with this id.
pub fn delivery(conn: &mut DbConnection, id: i64) -> StoreResult<Option<Delivery>> {
    webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?
        .map(DeliveryRow::into_domain)
        .transpose()
}

/// The deliveries of a subscription, newest first, at most `limit`.
pub fn deliveries_of(
    conn: &mut DbConnection,
    subscription_id: i64,
    limit: i64,
) -> StoreResult<Vec<Delivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(DeliveryRow::into_domain)
        .collect()
}

/// What an attempt found, to record.
pub struct AttemptOutcome<'a> {
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
}

/// Records an attempt at delivery `id` and sets where the delivery goes next, releasing
/// its lease.
pub fn record_attempt(
    conn: &mut DbConnection,
    id: i64,
    outcome: &AttemptOutcome<'_>,
    status: DeliveryStatus,
    next_attempt_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::delivery_id.eq(id),
            webhook_attempts::attempted_at.eq(to_db(outcome.attempted_at)),
            webhook_attempts::status_code.eq(outcome.status_code),
            webhook_attempts::error.eq(outcome.error),
            webhook_attempts::duration_ms.eq(outcome.duration_ms),
        ))
        .execute(conn)?;
    let delivered_at = (status == DeliveryStatus::Delivered).then(|| to_db(now));
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(status.as_str()),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::next_attempt_at.eq(to_db(next_attempt_at)),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::lease_owner.eq(None::<String>),
            webhook_deliveries::last_status_code.eq(outcome.status_code),
            webhook_deliveries::last_error.eq(outcome.error),
            webhook_deliveries::delivered_at.eq(delivered_at),
            webhook_deliveries::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Makes a delivery pending again, due at once, with a new retry window.
pub fn replay(
    conn: &mut DbConnection,
    id: i64,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let updated = diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::next_attempt_at.eq(to_db(now)),
            webhook_deliveries::deadline.eq(to_db(deadline)),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::lease_owner.eq(None::<String>),
            webhook_deliveries::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
struct AttemptRow {
    id: i64,
    delivery_id: i64,
    attempted_at: NaiveDateTime,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
}

/// The attempts of a delivery, oldest first.
pub fn attempts_of(conn: &mut DbConnection, delivery_id: i64) -> StoreResult<Vec<DeliveryAttempt>> {
    let rows: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(delivery_id))
        .order(webhook_attempts::id.asc())
        .select(AttemptRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| DeliveryAttempt {
            id: row.id,
            delivery_id: row.delivery_id,
            attempted_at: from_db(row.attempted_at),
            status_code: row.status_code,
            error: row.error,
            duration_ms: row.duration_ms,
        })
        .collect())
}
