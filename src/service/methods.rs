//! Use cases of payment methods.

use super::channels::code_taken_or;
use super::{Error, Payments};
use crate::domain::{
    Currency, NewPaymentMethod, PaymentMethod, PaymentMethodUpdate, check_amount_bounds,
    validate_input,
};
use crate::store::{DbConnection, channels, methods};

impl Payments {
    /// Creates a payment method enabled in the channels its input names.
    pub fn create_payment_method(&self, input: &NewPaymentMethod) -> Result<PaymentMethod, Error> {
        validate_input(input)?;
        check_amount_bounds(input.min_amount, input.max_amount)?;
        let currencies = parse_currencies(&input.currencies)?;
        let now = self.now();
        self.write(|conn| {
            let channel_ids = channel_ids(conn, &input.channels)?;
            let position = match input.position {
                Some(position) => position,
                None => methods::next_position(conn)?,
            };
            let links = methods::MethodLinks {
                channel_ids: &channel_ids,
                currencies: &currencies,
            };
            methods::insert(conn, input, links, position, now)
                .map_err(|e| code_taken_or(e, &input.code))
        })
    }

    /// Updates the method `code` with the fields present in `input`.
    pub fn update_payment_method(
        &self,
        code: &str,
        input: &PaymentMethodUpdate,
    ) -> Result<PaymentMethod, Error> {
        validate_input(input)?;
        let currencies = input
            .currencies
            .as_deref()
            .map(parse_currencies)
            .transpose()?;
        let now = self.now();
        self.write(|conn| {
            let method = methods::by_code(conn, code)?
                .ok_or_else(|| Error::not_found("payment method", code))?;
            let min = input.min_amount.unwrap_or(method.min_amount);
            let max = input.max_amount.unwrap_or(method.max_amount);
            check_amount_bounds(min, max)?;
            let channel_ids = input
                .channels
                .as_deref()
                .map(|codes| channel_ids(conn, codes))
                .transpose()?;
            Ok(methods::update(
                conn,
                method.id,
                input,
                channel_ids.as_deref(),
                currencies.as_deref(),
                now,
            )?)
        })
    }

    /// The payment method with this code, with its channels.
    pub fn payment_method(&self, code: &str) -> Result<PaymentMethod, Error> {
        self.read(|conn| {
            methods::by_code(conn, code)?.ok_or_else(|| Error::not_found("payment method", code))
        })
    }

    /// Every payment method by position; with a channel code, only the enabled methods of
    /// that channel (none for an unknown channel).
    pub fn payment_methods(&self, channel: Option<&str>) -> Result<Vec<PaymentMethod>, Error> {
        self.read(|conn| {
            let Some(code) = channel else {
                return Ok(methods::list(conn, None)?);
            };
            match channels::by_code(conn, code)? {
                Some(channel) => Ok(methods::list(conn, Some(channel.id))?),
                None => Ok(Vec::new()),
            }
        })
    }
}

fn parse_currencies(codes: &[String]) -> Result<Vec<Currency>, Error> {
    let mut currencies = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let currency = Currency::parse(code).map_err(|e| e.at(format!("currencies[{i}]")))?;
        if !currencies.contains(&currency) {
            currencies.push(currency);
        }
    }
    Ok(currencies)
}

/// The ids of the channels named by `codes`; an unknown code is the caller's error.
fn channel_ids(conn: &mut DbConnection, codes: &[String]) -> Result<Vec<i64>, Error> {
    let mut unique: Vec<String> = codes.to_vec();
    unique.sort();
    unique.dedup();
    let (ids, missing) = channels::ids_by_codes(conn, &unique).map_err(Error::from)?;
    if let Some(code) = missing.first() {
        return Err(Error::validation(
            "channels",
            format!("channel `{code}` does not exist"),
        ));
    }
    Ok(ids)
}
