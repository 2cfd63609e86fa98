//! Payment quotes: which methods a checkout may offer for a currency, country, channel and
//! amount, valid for a while.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use super::validation::check_code;
use super::{Currency, InvalidValue};

/// An ISO 3166-1 alpha-2 country, from the maintained `isocountry` tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Country(isocountry::CountryCode);

impl Country {
    /// Parses a two-letter code; lower case is accepted and normalised.
    pub fn parse(code: &str) -> Result<Self, InvalidValue> {
        let invalid = || {
            InvalidValue(format!(
                "`{code}` is not an ISO 3166-1 alpha-2 country code"
            ))
        };
        if code.len() != 2 {
            return Err(invalid());
        }
        isocountry::CountryCode::for_alpha2(&code.to_ascii_uppercase())
            .map(Country)
            .map_err(|_| invalid())
    }

    /// The upper-case alpha-2 code, e.g. `"US"`.
    pub fn code(self) -> &'static str {
        self.0.alpha2()
    }
}

/// What asks for a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewQuote {
    /// ISO 4217.
    #[validate(custom(function = "check_currency"))]
    pub currency: String,
    /// ISO 3166-1 alpha-2.
    #[validate(custom(function = "check_country"))]
    pub country: String,
    /// The channel code.
    #[validate(custom(function = "check_code"))]
    pub channel: String,
    /// The amount to pay, in minor units; methods whose bounds exclude it are left out.
    #[validate(range(min = 1, message = "must be greater than 0 minor units"))]
    #[serde(default)]
    pub amount: Option<i64>,
}

fn check_currency(code: &str) -> Result<(), ValidationError> {
    Currency::parse(code)
        .map(|_| ())
        .map_err(|e| ValidationError::new("currency").with_message(e.0.into()))
}

fn check_country(code: &str) -> Result<(), ValidationError> {
    Country::parse(code)
        .map(|_| ())
        .map_err(|e| ValidationError::new("country").with_message(e.0.into()))
}

/// A method a quote offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteMethod {
    /// The method code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How to pay with it.
    pub instructions: Option<String>,
    /// Its smallest accepted amount.
    pub min_amount: Option<i64>,
    /// Its largest accepted amount.
    pub max_amount: Option<i64>,
}

/// A quote: the methods usable for its inputs, until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    /// An opaque id (`qt_` and 32 hex digits), to create payments with.
    pub id: String,
    /// The currency asked for.
    pub currency: Currency,
    /// The country asked for.
    pub country: &'static str,
    /// The channel code.
    pub channel: String,
    /// The channel's id.
    pub channel_id: i64,
    /// The amount asked for, if any.
    pub amount: Option<i64>,
    /// The usable methods, by position.
    pub methods: Vec<QuoteMethod>,
    /// When the quote was made.
    pub created_at: DateTime<Utc>,
    /// After this, payments can no longer be created with it.
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_iso_3166_alpha_2() {
        assert_eq!(Country::parse("us").map(Country::code), Ok("US"));
        assert_eq!(Country::parse("DE").map(Country::code), Ok("DE"));
        for bad in ["", "U", "USA", "XX", "12", "ü"] {
            assert!(Country::parse(bad).is_err(), "{bad}");
        }
    }
}
