//! Bulk loading (demo data, benchmarks): many rows per statement and per transaction.

use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::prelude::*;

use super::schema::{orders, payments};
use super::{DbConnection, StoreResult, on_each_backend};

/// An order row with its id chosen by the loader.
#[derive(Insertable)]
#[diesel(table_name = orders, treat_none_as_default_value = false)]
pub struct OrderRow {
    pub id: i64,
    pub number: String,
    pub channel_id: i64,
    pub currency_code: &'static str,
    pub total: i64,
    pub payment_state: &'static str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A payment row with its id chosen by the loader.
#[derive(Insertable)]
#[diesel(table_name = payments, treat_none_as_default_value = false)]
pub struct PaymentRow {
    pub id: i64,
    pub order_id: i64,
    pub channel_id: i64,
    pub method_id: Option<i64>,
    pub currency_code: &'static str,
    pub amount: i64,
    pub state: &'static str,
    pub description: Option<String>,
    pub details: &'static str,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub authorized_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub refunded_at: Option<NaiveDateTime>,
}

/// Rows per `INSERT`: within SQLite's 32766 bind parameters for the widest row.
const ROWS_PER_STATEMENT: usize = 1000;

/// The largest order and payment ids in use.
pub fn max_ids(conn: &mut DbConnection) -> StoreResult<(i64, i64)> {
    let order: Option<i64> = orders::table.select(max(orders::id)).first(conn)?;
    let payment: Option<i64> = payments::table.select(max(payments::id)).first(conn)?;
    Ok((order.unwrap_or(0), payment.unwrap_or(0)))
}

/// Inserts orders, many per statement.
pub fn insert_orders(conn: &mut DbConnection, rows: &[OrderRow]) -> StoreResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        // The multi-backend connection cannot express a multi-row insert; both backends can.
        on_each_backend!(&mut *conn, |inner| diesel::insert_into(orders::table)
            .values(chunk)
            .execute(inner))?;
    }
    Ok(())
}

/// Inserts payments, many per statement.
pub fn insert_payments(conn: &mut DbConnection, rows: &[PaymentRow]) -> StoreResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        on_each_backend!(&mut *conn, |inner| diesel::insert_into(payments::table)
            .values(chunk)
            .execute(inner))?;
    }
    Ok(())
}

/// After rows were inserted with explicit ids, moves PostgreSQL's id sequences past them
/// (SQLite takes the next rowid from the table itself).
pub fn sync_id_sequences(conn: &mut DbConnection) -> StoreResult<()> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)] // one variant without the sqlite feature
    if let DbConnection::Postgres(inner) = conn {
        use diesel::connection::SimpleConnection;
        inner.batch_execute(
            "SELECT setval(pg_get_serial_sequence('orders', 'id'), GREATEST((SELECT MAX(id) FROM orders), 1));
             SELECT setval(pg_get_serial_sequence('payments', 'id'), GREATEST((SELECT MAX(id) FROM payments), 1));",
        )?;
    }
    let _ = conn;
    Ok(())
}

/// SQLite's default page cache per connection, in KiB.
const SQLITE_DEFAULT_CACHE_KIB: i64 = 2_000;
/// The page cache of a bulk-loading SQLite connection: index pages of a growing table stay
/// in memory instead of being re-read for every batch.
const SQLITE_BULK_CACHE_KIB: i64 = 256 * 1024;

/// Enlarges (`true`) or restores (`false`) the page cache of a SQLite connection for a bulk
/// load; PostgreSQL's buffers are shared and need nothing.
pub fn bulk_cache(conn: &mut DbConnection, bulk: bool) -> StoreResult<()> {
    #[cfg(feature = "sqlite")]
    #[allow(irrefutable_let_patterns)] // one variant without the postgres feature
    if let DbConnection::Sqlite(inner) = conn {
        use diesel::connection::SimpleConnection;
        let kib = if bulk {
            SQLITE_BULK_CACHE_KIB
        } else {
            SQLITE_DEFAULT_CACHE_KIB
        };
        inner.batch_execute(&format!("PRAGMA cache_size = -{kib}"))?;
    }
    let _ = (conn, bulk);
    Ok(())
}
