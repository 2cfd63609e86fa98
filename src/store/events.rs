//! The event outbox: payment events written in the transaction of the change they describe.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::payment_events;
use super::{DbConnection, StoreResult, from_db, parse_stored, to_db};
use crate::domain::{EventType, PaymentEvent};

/// Appends an event to the outbox.
pub fn append(
    conn: &mut DbConnection,
    payment_id: i64,
    event_type: EventType,
    payment_version: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(payment_events::table)
        .values((
            payment_events::payment_id.eq(payment_id),
            payment_events::event_type.eq(event_type.as_str()),
            payment_events::payment_version.eq(payment_version),
            payment_events::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = payment_events)]
struct EventRow {
    id: i64,
    payment_id: i64,
    event_type: String,
    payment_version: i64,
    created_at: NaiveDateTime,
}

impl EventRow {
    fn into_domain(self) -> StoreResult<PaymentEvent> {
        Ok(PaymentEvent {
            id: self.id,
            payment_id: self.payment_id,
            event_type: parse_stored("payment_events", EventType::parse(&self.event_type))?,
            payment_version: self.payment_version,
            created_at: from_db(self.created_at),
        })
    }
}

/// The events of payment `payment_id`, oldest first.
pub fn of_payment(conn: &mut DbConnection, payment_id: i64) -> StoreResult<Vec<PaymentEvent>> {
    payment_events::table
        .filter(payment_events::payment_id.eq(payment_id))
        .order(payment_events::id.asc())
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(EventRow::into_domain)
        .collect()
}

/// Events after `after`, oldest first, at most `limit`: the outbox from a cursor.
pub fn after(conn: &mut DbConnection, after: i64, limit: i64) -> StoreResult<Vec<PaymentEvent>> {
    payment_events::table
        .filter(payment_events::id.gt(after))
        .order(payment_events::id.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(EventRow::into_domain)
        .collect()
}

/// The event with this id.
pub fn by_id(conn: &mut DbConnection, id: i64) -> StoreResult<PaymentEvent> {
    payment_events::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)?
        .into_domain()
}
