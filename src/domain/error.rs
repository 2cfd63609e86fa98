//! The rule violations of the domain, each naming what is at fault.

use super::{PaymentState, Transition};

/// A value that failed to parse, before we know which field it came from.
///
/// Parsers (`Currency::parse`, `PaymentState::parse`, ...) return this; the caller, who knows
/// the field, turns it into an [`Error::Invalid`] with [`InvalidValue::at`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

impl InvalidValue {
    /// Attaches the name of the field (as the API spells it, camelCase) the value came from.
    pub fn at(self, field: impl Into<String>) -> Error {
        Error::Invalid {
            field: field.into(),
            message: self.0,
        }
    }
}

/// A violation of a domain rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// One input field holds a value the rules reject.
    #[error("{field}: {message}")]
    Invalid {
        /// The field's API name (camelCase), e.g. `currencyCode`.
        field: String,
        /// What is wrong with the value.
        message: String,
    },
    /// The state machine has no edge for this transition from the current state.
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
    /// An arithmetic result does not fit in `i64` minor units.
    #[error("{field}: amount overflows 64-bit minor units")]
    Overflow {
        /// The API name (camelCase) of the field whose arithmetic overflowed.
        field: String,
    },
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The input field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } | Error::Overflow { field } => Some(field),
            Error::TransitionNotAllowed { .. } => None,
        }
    }
}
