//! Payment quote rows.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{channels, payment_quotes};
use super::{DbConnection, StoreResult, from_db, to_db};

/// A quote as stored: the usable methods by code only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredQuote {
    pub id: String,
    pub currency_code: String,
    pub country_code: String,
    pub channel_id: i64,
    pub channel_code: String,
    pub amount: Option<i64>,
    pub method_codes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = payment_quotes)]
struct QuoteRow {
    id: String,
    currency_code: String,
    country_code: String,
    channel_id: i64,
    amount: Option<i64>,
    methods: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

/// Stores a quote.
pub fn insert(conn: &mut DbConnection, quote: &StoredQuote) -> StoreResult<()> {
    diesel::insert_into(payment_quotes::table)
        .values((
            payment_quotes::id.eq(&quote.id),
            payment_quotes::currency_code.eq(&quote.currency_code),
            payment_quotes::country_code.eq(&quote.country_code),
            payment_quotes::channel_id.eq(quote.channel_id),
            payment_quotes::amount.eq(quote.amount),
            payment_quotes::methods.eq(quote.method_codes.join(" ")),
            payment_quotes::created_at.eq(to_db(quote.created_at)),
            payment_quotes::expires_at.eq(to_db(quote.expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The quote with this id, if any.
pub fn by_id(conn: &mut DbConnection, id: &str) -> StoreResult<Option<StoredQuote>> {
    let found: Option<(QuoteRow, String)> = payment_quotes::table
        .inner_join(channels::table)
        .filter(payment_quotes::id.eq(id))
        .select((QuoteRow::as_select(), channels::code))
        .first(conn)
        .optional()?;
    Ok(found.map(|(row, channel_code)| StoredQuote {
        id: row.id,
        currency_code: row.currency_code,
        country_code: row.country_code,
        channel_id: row.channel_id,
        channel_code,
        amount: row.amount,
        method_codes: row.methods.split_whitespace().map(str::to_owned).collect(),
        created_at: from_db(row.created_at),
        expires_at: from_db(row.expires_at),
    }))
}
