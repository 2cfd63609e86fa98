//! The transition history of payments.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::payment_transitions;
use super::{DbConnection, StoreResult, from_db, parse_stored, to_db};
use crate::domain::{PaymentState, StateChange, Transition};

/// Records that `transition` moved payment `payment_id` from `from` to `to`.
pub fn record(
    conn: &mut DbConnection,
    payment_id: i64,
    transition: Transition,
    from: PaymentState,
    to: PaymentState,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(payment_transitions::table)
        .values((
            payment_transitions::payment_id.eq(payment_id),
            payment_transitions::transition.eq(transition.as_str()),
            payment_transitions::from_state.eq(from.as_str()),
            payment_transitions::to_state.eq(to.as_str()),
            payment_transitions::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every transition applied to payment `payment_id`, oldest first.
pub fn of_payment(conn: &mut DbConnection, payment_id: i64) -> StoreResult<Vec<StateChange>> {
    let rows: Vec<(i64, String, String, String, NaiveDateTime)> = payment_transitions::table
        .filter(payment_transitions::payment_id.eq(payment_id))
        .order(payment_transitions::id.asc())
        .select((
            payment_transitions::id,
            payment_transitions::transition,
            payment_transitions::from_state,
            payment_transitions::to_state,
            payment_transitions::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, transition, from, to, at)| {
            Ok(StateChange {
                id,
                payment_id,
                transition: parse_stored("payment_transitions", Transition::parse(&transition))?,
                from: parse_stored("payment_transitions", PaymentState::parse(&from))?,
                to: parse_stored("payment_transitions", PaymentState::parse(&to))?,
                created_at: from_db(at),
            })
        })
        .collect()
}
