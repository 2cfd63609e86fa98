//! Channel rows and their queries.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::channels;
use super::{DbConnection, StoreResult, from_db, parse_stored, to_db};
use crate::domain::{Channel, ChannelUpdate, Currency, NewChannel, TaxCalculationStrategy};

#[derive(Queryable, Selectable)]
#[diesel(table_name = channels)]
pub(crate) struct ChannelRow {
    id: i64,
    code: String,
    name: String,
    hostname: Option<String>,
    color: Option<String>,
    enabled: bool,
    tax_calculation_strategy: String,
    base_currency: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl ChannelRow {
    pub(crate) fn into_domain(self) -> StoreResult<Channel> {
        Ok(Channel {
            id: self.id,
            code: self.code,
            name: self.name,
            hostname: self.hostname,
            color: self.color,
            enabled: self.enabled,
            tax_calculation_strategy: parse_stored(
                "channels",
                TaxCalculationStrategy::parse(&self.tax_calculation_strategy),
            )?,
            base_currency: parse_stored("channels", Currency::parse(&self.base_currency))?,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

#[derive(Insertable)]
// `None` binds NULL: one SQL text whatever is absent, so the statement is prepared once.
#[diesel(table_name = channels, treat_none_as_default_value = false)]
struct NewChannelRow<'a> {
    code: &'a str,
    name: &'a str,
    hostname: Option<&'a str>,
    color: Option<&'a str>,
    enabled: bool,
    tax_calculation_strategy: &'static str,
    base_currency: &'static str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(AsChangeset)]
#[diesel(table_name = channels)]
struct ChannelChanges<'a> {
    name: Option<&'a str>,
    hostname: Option<Option<&'a str>>,
    color: Option<Option<&'a str>>,
    enabled: Option<bool>,
    tax_calculation_strategy: Option<&'static str>,
    base_currency: Option<&'static str>,
    updated_at: NaiveDateTime,
}

/// Inserts a validated channel; `base_currency` is its parsed currency.
pub fn insert(
    conn: &mut DbConnection,
    input: &NewChannel,
    base_currency: Currency,
    now: DateTime<Utc>,
) -> StoreResult<Channel> {
    let row = NewChannelRow {
        code: &input.code,
        name: &input.name,
        hostname: input.hostname.as_deref(),
        color: input.color.as_deref(),
        enabled: input.enabled,
        tax_calculation_strategy: input.tax_calculation_strategy.as_str(),
        base_currency: base_currency.code(),
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    let id = diesel::insert_into(channels::table)
        .values(&row)
        .returning(channels::id)
        .get_result::<i64>(conn)?;
    by_id(conn, id)
}

/// Applies a validated partial update to the channel `id`.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    input: &ChannelUpdate,
    base_currency: Option<Currency>,
    now: DateTime<Utc>,
) -> StoreResult<Channel> {
    let changes = ChannelChanges {
        name: input.name.as_deref(),
        hostname: input.hostname.as_ref().map(Option::as_deref),
        color: input.color.as_ref().map(Option::as_deref),
        enabled: input.enabled,
        tax_calculation_strategy: input
            .tax_calculation_strategy
            .map(TaxCalculationStrategy::as_str),
        base_currency: base_currency.map(Currency::code),
        updated_at: to_db(now),
    };
    diesel::update(channels::table.find(id))
        .set(&changes)
        .execute(conn)?;
    by_id(conn, id)
}

/// The channel with this id.
pub fn by_id(conn: &mut DbConnection, id: i64) -> StoreResult<Channel> {
    channels::table
        .find(id)
        .select(ChannelRow::as_select())
        .first(conn)?
        .into_domain()
}

/// The channel with this code, if any.
pub fn by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<Channel>> {
    channels::table
        .filter(channels::code.eq(code))
        .select(ChannelRow::as_select())
        .first(conn)
        .optional()?
        .map(ChannelRow::into_domain)
        .transpose()
}

/// The ids of the channels with these codes, and the codes that matched none.
pub fn ids_by_codes(
    conn: &mut DbConnection,
    codes: &[String],
) -> StoreResult<(Vec<i64>, Vec<String>)> {
    let found: Vec<(i64, String)> = channels::table
        .filter(channels::code.eq_any(codes))
        .select((channels::id, channels::code))
        .load(conn)?;
    let missing = codes
        .iter()
        .filter(|code| !found.iter().any(|(_, c)| c == *code))
        .cloned()
        .collect();
    Ok((found.into_iter().map(|(id, _)| id).collect(), missing))
}

/// Every channel, by code.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Channel>> {
    channels::table
        .order(channels::code.asc())
        .select(ChannelRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ChannelRow::into_domain)
        .collect()
}
