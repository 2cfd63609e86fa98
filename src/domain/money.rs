//! Money: `i64` minor units with an ISO 4217 currency; no floats anywhere.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use super::{Error, InvalidValue};

/// An ISO 4217 currency that has minor units (so not `XXX`, `XAU`, ...).
///
/// The codes and exponents come from the maintained `iso_currency` tables, not from a list
/// typed here: JPY has exponent 0, EUR 2, KWD 3, CLF 4.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Parses a three-letter code; lower case is accepted and normalised.
    pub fn parse(code: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue(format!("`{code}` is not an ISO 4217 currency code"));
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(invalid());
        }
        iso_currency::Currency::from_code(&code.to_ascii_uppercase())
            // Funds and metals without an exponent cannot be expressed in minor units.
            .filter(|currency| currency.exponent().is_some())
            .map(Currency)
            .ok_or_else(invalid)
    }

    /// The upper-case ISO 4217 code, e.g. `"EUR"`.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// The number of decimal digits of the minor unit: 2 for EUR (cents), 0 for JPY.
    pub fn exponent(self) -> u32 {
        self.0.exponent().map(u32::from).unwrap_or(0)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Currency {
    type Err = InvalidValue;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Currency::parse(code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of money: integer minor units (cents for EUR) and its currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount: i64,
    currency: Currency,
}

impl Money {
    /// Any amount, including zero and negative ones (balances, differences).
    pub fn new(amount: i64, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// The amount of a payment, which must be strictly positive.
    pub fn positive(amount: i64, currency: Currency) -> Result<Self, InvalidValue> {
        if amount <= 0 {
            return Err(InvalidValue(format!(
                "must be greater than 0 minor units, got {amount}"
            )));
        }
        Ok(Money { amount, currency })
    }

    /// The amount in minor units.
    pub fn amount(self) -> i64 {
        self.amount
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// `self + other`; an error when the currencies differ or the sum overflows.
    pub fn checked_add(self, other: Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::Overflow {
                field: "amount".into(),
            })
    }

    /// `self - other`; an error when the currencies differ or the difference overflows.
    pub fn checked_sub(self, other: Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        self.amount
            .checked_sub(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::Overflow {
                field: "amount".into(),
            })
    }

    fn same_currency(self, other: Money) -> Result<(), Error> {
        if self.currency == other.currency {
            return Ok(());
        }
        Err(Error::invalid(
            "currencyCode",
            format!(
                "cannot combine {} with {}",
                self.currency.code(),
                other.currency.code()
            ),
        ))
    }
}

impl fmt::Display for Money {
    /// Formats in major units with the currency's exponent, using integers only:
    /// `4507 USD` → `45.07 USD`, `500 JPY` → `500 JPY`, `-5 EUR` → `-0.05 EUR`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exponent = self.currency.exponent();
        let sign = if self.amount < 0 { "-" } else { "" };
        let magnitude = self.amount.unsigned_abs();
        if exponent == 0 {
            return write!(f, "{sign}{magnitude} {}", self.currency);
        }
        let scale = 10u64.pow(exponent);
        write!(
            f,
            "{sign}{}.{:0width$} {}",
            magnitude / scale,
            magnitude % scale,
            self.currency,
            width = exponent as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::parse(code).expect("valid currency in test")
    }

    #[test]
    fn exponents_come_from_iso_4217() {
        for (code, exponent) in [
            ("JPY", 0),
            ("KRW", 0),
            ("USD", 2),
            ("EUR", 2),
            ("BHD", 3),
            ("IQD", 3),
            ("JOD", 3),
            ("KWD", 3),
            ("LYD", 3),
            ("OMR", 3),
            ("TND", 3),
            ("CLF", 4),
        ] {
            assert_eq!(currency(code).exponent(), exponent, "{code}");
        }
    }

    #[test]
    fn lower_case_codes_are_normalised() {
        assert_eq!(currency("eur").code(), "EUR");
    }

    #[test]
    fn unknown_or_malformed_codes_are_rejected() {
        for code in ["", "EU", "EURO", "ZZZ", "E1R", "€", "XXX", "XAU", " EU"] {
            assert!(
                Currency::parse(code).is_err(),
                "{code:?} should be rejected"
            );
        }
    }

    #[test]
    fn payment_amounts_must_be_positive() {
        assert!(Money::positive(0, currency("EUR")).is_err());
        assert!(Money::positive(-1, currency("EUR")).is_err());
        assert_eq!(
            Money::positive(1, currency("EUR")).map(Money::amount),
            Ok(1)
        );
    }

    #[test]
    fn addition_is_checked() {
        let eur = currency("EUR");
        let sum = Money::new(i64::MAX - 1, eur).checked_add(Money::new(1, eur));
        assert_eq!(sum.map(Money::amount), Ok(i64::MAX));
        let overflow = Money::new(i64::MAX, eur).checked_add(Money::new(1, eur));
        assert!(matches!(overflow, Err(Error::Overflow { .. })));
        let underflow = Money::new(i64::MIN, eur).checked_sub(Money::new(1, eur));
        assert!(matches!(underflow, Err(Error::Overflow { .. })));
    }

    #[test]
    fn currencies_never_mix() {
        let mixed = Money::new(1, currency("EUR")).checked_add(Money::new(1, currency("USD")));
        assert_eq!(
            mixed.map_err(|e| e.field().map(str::to_owned)),
            Err(Some("currencyCode".into()))
        );
    }

    #[test]
    fn display_uses_the_exponent() {
        assert_eq!(Money::new(4507, currency("USD")).to_string(), "45.07 USD");
        assert_eq!(Money::new(500, currency("JPY")).to_string(), "500 JPY");
        assert_eq!(Money::new(1234, currency("KWD")).to_string(), "1.234 KWD");
        assert_eq!(Money::new(-5, currency("EUR")).to_string(), "-0.05 EUR");
        assert_eq!(
            Money::new(i64::MIN, currency("CLF")).to_string(),
            "-922337203685477.5808 CLF"
        );
    }

    #[test]
    fn currency_round_trips_through_json() {
        let json = serde_json::to_string(&currency("KWD")).expect("serializes");
        assert_eq!(json, "\"KWD\"");
        assert!(serde_json::from_str::<Currency>("\"NOPE\"").is_err());
    }
}
