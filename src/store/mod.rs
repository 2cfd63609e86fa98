//! Storage: the diesel schema, row structs next to their queries, the pool and the backend
//! choice. Every query is written once against [`DbConnection`], which is SQLite or
//! PostgreSQL at run time.

mod connection;
mod error;
mod schema;

pub mod bulk;
pub mod channels;
pub mod counters;
pub mod events;
pub mod history;
pub mod methods;
pub mod orders;
pub mod payments;
pub mod quotes;
pub mod tokens;
pub mod webhooks;

pub(crate) use connection::on_each_backend;
pub use connection::{
    Backend, DbConnection, Pool, PoolOptions, PooledConnection, open_pool, read_transaction,
    write_transaction,
};
pub use error::{StoreError, StoreResult};

use chrono::{DateTime, NaiveDateTime, Utc};

/// Timestamps are stored as UTC without a zone (the same column type on both backends).
fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc()
}

fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// Parses a stored value, reporting a failure as a corrupt row of `table`.
fn parse_stored<T, E: std::fmt::Display>(
    table: &'static str,
    parsed: Result<T, E>,
) -> StoreResult<T> {
    parsed.map_err(|e| StoreError::Corrupt {
        table,
        message: e.to_string(),
    })
}
