//! Use cases of payment quotes.

use rand::RngCore;

use super::{Error, Payments};
use crate::domain::{Country, Currency, NewQuote, Quote, QuoteMethod, validate_input};
use crate::store::quotes::{self, StoredQuote};
use crate::store::{DbConnection, channels, methods};

impl Payments {
    /// Quotes the methods usable for a currency, country, channel and (optional) amount:
    /// the channel's enabled methods, by position, that accept the currency and the amount.
    /// The quote expires after [`crate::Options::quote_ttl`]; payments created with its id
    /// must agree with it.
    pub fn create_quote(&self, input: &NewQuote) -> Result<Quote, Error> {
        validate_input(input)?;
        let currency = Currency::parse(&input.currency).map_err(|e| e.at("currency"))?;
        let country = Country::parse(&input.country).map_err(|e| e.at("country"))?;
        let now = self.now();
        let stored = StoredQuote {
            id: quote_id(),
            currency_code: currency.code().to_owned(),
            country_code: country.code().to_owned(),
            channel_id: 0,
            channel_code: input.channel.clone(),
            amount: input.amount,
            method_codes: Vec::new(),
            created_at: now,
            expires_at: now + self.inner.quote_ttl,
        };
        self.write(|conn| {
            let channel = channels::by_code(conn, &input.channel)?.ok_or_else(|| {
                Error::validation(
                    "channel",
                    format!("channel `{}` does not exist", input.channel),
                )
            })?;
            let usable = methods::list(conn, Some(channel.id))?
                .into_iter()
                .filter(|m| m.accepts_currency(currency))
                .filter(|m| {
                    input
                        .amount
                        .is_none_or(|a| m.min_amount.is_none_or(|min| a >= min))
                })
                .filter(|m| {
                    input
                        .amount
                        .is_none_or(|a| m.max_amount.is_none_or(|max| a <= max))
                })
                .map(|m| m.code)
                .collect();
            let stored = StoredQuote {
                channel_id: channel.id,
                method_codes: usable,
                ..stored
            };
            quotes::insert(conn, &stored)?;
            to_quote(conn, stored)
        })
    }

    /// The quote with this id.
    pub fn quote(&self, id: &str) -> Result<Quote, Error> {
        self.read(|conn| {
            let stored = quotes::by_id(conn, id)?.ok_or_else(|| Error::not_found("quote", id))?;
            to_quote(conn, stored)
        })
    }
}

/// `qt_` and 32 random hex digits: not guessable, so a quote id is a capability.
fn quote_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "qt_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

fn to_quote(conn: &mut DbConnection, stored: StoredQuote) -> Result<Quote, Error> {
    let mut offered = Vec::with_capacity(stored.method_codes.len());
    for code in &stored.method_codes {
        // A method deleted since the quote is simply no longer offered.
        if let Some(method) = methods::by_code(conn, code)? {
            offered.push(QuoteMethod {
                code: method.code,
                name: method.name,
                instructions: method.instructions,
                min_amount: method.min_amount,
                max_amount: method.max_amount,
            });
        }
    }
    Ok(Quote {
        currency: Currency::parse(&stored.currency_code).map_err(|e| Error::Internal(e.0))?,
        country: Country::parse(&stored.country_code)
            .map_err(|e| Error::Internal(e.0))?
            .code(),
        id: stored.id,
        channel: stored.channel_code,
        channel_id: stored.channel_id,
        amount: stored.amount,
        methods: offered,
        created_at: stored.created_at,
        expires_at: stored.expires_at,
    })
}
