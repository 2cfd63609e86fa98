//! The error of the public API: what went wrong, in terms a caller can act on.

use crate::domain::{self, PaymentState, Transition};
use crate::store::StoreError;

/// Everything a [`Payments`](crate::Payments) call can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An input field is invalid; `field` is its API name (camelCase, `payments[3].amount`).
    #[error("{field}: {message}")]
    Validation {
        /// The field's API name (camelCase), e.g. `payments[3].amount`.
        field: String,
        /// What is wrong with the value.
        message: String,
    },
    /// The resource named by the caller does not exist.
    #[error("{resource} `{key}` does not exist")]
    NotFound {
        /// The kind of resource: `payment`, `channel`, `payment method` or `order`.
        resource: &'static str,
        /// The id, code or order number the caller gave.
        key: String,
    },
    /// The payment's current state has no such transition.
    #[error(
        "transition `{transition}` is not allowed from state `{state}`; allowed: [{}]",
        allowed.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
    )]
    TransitionNotAllowed {
        /// The payment's current state.
        state: PaymentState,
        /// The transition that was asked for.
        transition: Transition,
        /// The transitions the current state allows, in graph order.
        allowed: Vec<Transition>,
    },
    /// The caller's `expected_version` is no longer the payment's version.
    #[error("payment {payment_id} is at version {current}, not the expected {expected}")]
    StaleVersion {
        /// The payment addressed.
        payment_id: i64,
        /// The version the caller last saw.
        expected: i64,
        /// The payment's version now.
        current: i64,
    },
    /// The idempotency key was used before for a different request.
    #[error(
        "externalRef `{external_ref}` was already used by payment {payment_id} for a different request"
    )]
    IdempotencyConflict {
        /// The reused idempotency key (`externalRef`).
        external_ref: String,
        /// The payment first created with that key.
        payment_id: i64,
    },
    /// The database is busy or unreachable; the call may be retried.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The database URL or the build does not allow opening the store.
    #[error("configuration error: {0}")]
    Config(String),
    /// A fault on our side (a database error we cannot explain, a corrupt row).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for [`Error::Validation`].
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(resource: &'static str, key: impl ToString) -> Self {
        Error::NotFound {
            resource,
            key: key.to_string(),
        }
    }

    /// The input field at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => Some(field),
            Error::IdempotencyConflict { .. } => Some("externalRef"),
            _ => None,
        }
    }
}

impl From<domain::Error> for Error {
    fn from(error: domain::Error) -> Self {
        match error {
            domain::Error::Invalid { field, message } => Error::Validation { field, message },
            domain::Error::Overflow { field } => Error::Validation {
                field,
                message: "overflows 64-bit minor units".into(),
            },
            domain::Error::TransitionNotAllowed {
                state,
                transition,
                allowed,
            } => Error::TransitionNotAllowed {
                state,
                transition,
                allowed,
            },
        }
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(message) => Error::Unavailable(message),
            StoreError::Config(message) => Error::Config(message),
            // The service maps the not-found and unique cases it expects before they get
            // here; any that reach this point are faults.
            other => Error::Internal(other.to_string()),
        }
    }
}
