//! Use cases of sales channels.

use super::{Error, Payments};
use crate::domain::{Channel, ChannelUpdate, Currency, NewChannel, validate_input};
use crate::store::{StoreError, channels};

impl Payments {
    /// Creates a channel; its `code` must be unused.
    pub fn create_channel(&self, input: &NewChannel) -> Result<Channel, Error> {
        validate_input(input)?;
        let currency = Currency::parse(&input.base_currency).map_err(|e| e.at("baseCurrency"))?;
        let now = self.now();
        self.write(|conn| channels::insert(conn, input, currency, now))
            .map_err(|e| code_taken_or(e, &input.code))
    }

    /// Updates the channel `code` with the fields present in `input`.
    pub fn update_channel(&self, code: &str, input: &ChannelUpdate) -> Result<Channel, Error> {
        validate_input(input)?;
        let currency = input
            .base_currency
            .as_deref()
            .map(|c| Currency::parse(c).map_err(|e| e.at("baseCurrency")))
            .transpose()?;
        let now = self.now();
        self.write(|conn| {
            let channel =
                channels::by_code(conn, code)?.ok_or_else(|| Error::not_found("channel", code))?;
            Ok(channels::update(conn, channel.id, input, currency, now)?)
        })
    }

    /// The channel with this code.
    pub fn channel(&self, code: &str) -> Result<Channel, Error> {
        self.read(|conn| {
            channels::by_code(conn, code)?.ok_or_else(|| Error::not_found("channel", code))
        })
    }

    /// Every channel, by code.
    pub fn channels(&self) -> Result<Vec<Channel>, Error> {
        self.read(|conn| Ok(channels::list(conn)?))
    }
}

/// A unique violation on `code` means the code is taken: the caller's fault, not ours.
pub(super) fn code_taken_or(error: StoreError, code: &str) -> Error {
    if error.is_unique_violation_on("code") {
        return Error::validation("code", format!("`{code}` is already used"));
    }
    error.into()
}
