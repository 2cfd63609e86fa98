//! Order rows and their queries.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{channels, orders};
use super::{DbConnection, StoreError, StoreResult, from_db, parse_stored, to_db};
use crate::domain::{Currency, Order, OrderPaymentState, OrderRef};

#[derive(Queryable, Selectable)]
#[diesel(table_name = orders)]
struct OrderRow {
    id: i64,
    number: String,
    channel_id: i64,
    currency_code: String,
    total: i64,
    payment_state: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl OrderRow {
    fn into_domain(self, channel_code: String) -> StoreResult<Order> {
        Ok(Order {
            id: self.id,
            number: self.number,
            channel_id: self.channel_id,
            channel_code,
            currency_code: parse_stored("orders", Currency::parse(&self.currency_code))?,
            total: self.total,
            payment_state: parse_stored("orders", OrderPaymentState::parse(&self.payment_state))?,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

/// The fields of an order that the host sets.
pub struct OrderFields<'a> {
    pub number: &'a str,
    pub channel_id: i64,
    pub currency: Currency,
    pub total: i64,
}

/// Inserts an order in `payment_state`.
pub fn insert(
    conn: &mut DbConnection,
    fields: &OrderFields<'_>,
    payment_state: OrderPaymentState,
    now: DateTime<Utc>,
) -> StoreResult<Order> {
    let id = diesel::insert_into(orders::table)
        .values((
            orders::number.eq(fields.number),
            orders::channel_id.eq(fields.channel_id),
            orders::currency_code.eq(fields.currency.code()),
            orders::total.eq(fields.total),
            orders::payment_state.eq(payment_state.as_str()),
            orders::created_at.eq(to_db(now)),
            orders::updated_at.eq(to_db(now)),
        ))
        .returning(orders::id)
        .get_result::<i64>(conn)?;
    by_id(conn, id)
}

/// Overwrites the host-owned fields of order `id`.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    fields: &OrderFields<'_>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::update(orders::table.find(id))
        .set((
            orders::channel_id.eq(fields.channel_id),
            orders::currency_code.eq(fields.currency.code()),
            orders::total.eq(fields.total),
            orders::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes the order's row lock until the transaction ends.
///
/// Every change to an order's payments starts here, so on PostgreSQL two transactions
/// touching payments of one order run one after the other and each resolves the order's
/// payment state from committed sums. A no-op `UPDATE` takes the lock (diesel's
/// multi-backend connection has no `FOR UPDATE`). On SQLite the write transaction already
/// holds the database's only write lock (`BEGIN IMMEDIATE`), so there is nothing to take.
pub fn lock(conn: &mut DbConnection, id: i64) -> StoreResult<()> {
    #[cfg(feature = "sqlite")]
    if matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(());
    }
    let locked = diesel::update(orders::table.find(id))
        .set(orders::payment_state.eq(orders::payment_state))
        .execute(conn)?;
    if locked == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records a newly resolved payment state.
pub fn set_payment_state(
    conn: &mut DbConnection,
    id: i64,
    state: OrderPaymentState,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::update(orders::table.find(id))
        .set((
            orders::payment_state.eq(state.as_str()),
            orders::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The order with this id.
pub fn by_id(conn: &mut DbConnection, id: i64) -> StoreResult<Order> {
    let (row, code) = orders::table
        .inner_join(channels::table)
        .filter(orders::id.eq(id))
        .select((OrderRow::as_select(), channels::code))
        .first::<(OrderRow, String)>(conn)?;
    row.into_domain(code)
}

/// The order with this number, if any.
pub fn by_number(conn: &mut DbConnection, number: &str) -> StoreResult<Option<Order>> {
    orders::table
        .inner_join(channels::table)
        .filter(orders::number.eq(number))
        .select((OrderRow::as_select(), channels::code))
        .first::<(OrderRow, String)>(conn)
        .optional()?
        .map(|(row, code)| row.into_domain(code))
        .transpose()
}

/// The order an input refers to, if it exists. A number that matches no order but is a
/// decimal id refers to the order with that id (query strings cannot tell the two apart).
pub fn find(conn: &mut DbConnection, order: &OrderRef) -> StoreResult<Option<Order>> {
    let id = match order {
        OrderRef::Id(id) => *id,
        OrderRef::Number(_) => match find_id(conn, order)? {
            Some(id) => id,
            None => return Ok(None),
        },
    };
    match by_id(conn, id) {
        Err(StoreError::NotFound) => Ok(None),
        other => other.map(Some),
    }
}

/// The id of the order an input refers to, if it exists (see [`find`]).
pub fn find_id(conn: &mut DbConnection, order: &OrderRef) -> StoreResult<Option<i64>> {
    let id_of = |conn: &mut DbConnection, id: i64| -> StoreResult<Option<i64>> {
        Ok(orders::table
            .find(id)
            .select(orders::id)
            .first(conn)
            .optional()?)
    };
    match order {
        OrderRef::Id(id) => id_of(conn, *id),
        OrderRef::Number(number) => {
            let by_number: Option<i64> = orders::table
                .filter(orders::number.eq(number.as_str()))
                .select(orders::id)
                .first(conn)
                .optional()?;
            match (by_number, number.parse::<i64>()) {
                (Some(id), _) => Ok(Some(id)),
                (None, Ok(id)) => id_of(conn, id),
                (None, Err(_)) => Ok(None),
            }
        }
    }
}
