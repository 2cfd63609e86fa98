//! Storage errors: diesel and pool failures mapped once to what callers can act on.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row the caller expected is missing.
    #[error("not found")]
    NotFound,
    /// An insert or update hit a unique index; `constraint` names the index or column.
    #[error("unique constraint violated: {constraint}")]
    UniqueViolation { constraint: String },
    /// The database is busy (SQLite lock wait timed out) or the pool had no connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value does not parse (a row written by something other than this crate).
    #[error("corrupt row in {table}: {message}")]
    Corrupt {
        table: &'static str,
        message: String,
    },
    /// The database URL, a migration or a connection setting is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(DieselError),
}

impl StoreError {
    /// Whether this is a unique violation of an index or constraint whose name mentions
    /// `column` (SQLite reports `table.column`, PostgreSQL the constraint name).
    pub fn is_unique_violation_on(&self, column: &str) -> bool {
        matches!(self, StoreError::UniqueViolation { constraint } if constraint.contains(column))
    }
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let constraint = info.constraint_name().map(str::to_owned);
                StoreError::UniqueViolation {
                    constraint: constraint.unwrap_or_else(|| info.message().to_owned()),
                }
            }
            DieselError::DatabaseError(_, ref info)
                if info.message().contains("database is locked")
                    || info.message().contains("database is busy") =>
            {
                StoreError::Unavailable(info.message().to_owned())
            }
            other => StoreError::Database(other),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

/// Shorthand for results of this layer.
pub type StoreResult<T> = Result<T, StoreError>;
