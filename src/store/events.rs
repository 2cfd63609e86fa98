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

/// The events of payment `payment_id`, oldest first.
pub fn of_payment(conn: &mut DbConnection, payment_id: i64) -> StoreResult<Vec<PaymentEvent>> {
    let rows: Vec<(i64, String, i64, NaiveDateTime)> = payment_events::table
        .filter(payment_events::payment_id.eq(payment_id))
        .order(payment_events::id.asc())
        .select((
            payment_events::id,
            payment_events::event_type,
            payment_events::payment_version,
            payment_events::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, event_type, payment_version, at)| {
            Ok(PaymentEvent {
                id,
                payment_id,
                event_type: parse_stored("payment_events", EventType::parse(&event_type))?,
                payment_version,
                created_at: from_db(at),
            })
        })
        .collect()
}
