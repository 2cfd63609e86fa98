//! Payment method rows, their channel links, and their queries.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::max;
use diesel::prelude::*;
use serde_json::Value;

use super::channels::ChannelRow;
use super::schema::{channels, payment_method_channels, payment_methods};
use super::{DbConnection, StoreResult, from_db, parse_stored, to_db};
use crate::domain::{
    Channel, Currency, Gateway, NewPaymentMethod, PaymentMethod, PaymentMethodSummary,
    PaymentMethodUpdate,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = payment_methods)]
struct MethodRow {
    id: i64,
    code: String,
    name: String,
    description: Option<String>,
    instructions: Option<String>,
    position: i32,
    enabled: bool,
    gateway_factory: String,
    gateway_config: String,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    currencies: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl MethodRow {
    fn into_domain(self, channels: Vec<Channel>) -> StoreResult<PaymentMethod> {
        let currencies = self
            .currencies
            .split_whitespace()
            .map(|code| parse_stored("payment_methods", Currency::parse(code)))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(PaymentMethod {
            id: self.id,
            code: self.code,
            name: self.name,
            description: self.description,
            instructions: self.instructions,
            position: self.position,
            enabled: self.enabled,
            gateway: Gateway {
                factory_name: self.gateway_factory,
                config: parse_stored(
                    "payment_methods",
                    serde_json::from_str(&self.gateway_config),
                )?,
            },
            channels,
            min_amount: self.min_amount,
            max_amount: self.max_amount,
            currencies,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

#[derive(Insertable)]
// `None` binds NULL: one SQL text whatever is absent, so the statement is prepared once.
#[diesel(table_name = payment_methods, treat_none_as_default_value = false)]
struct NewMethodRow<'a> {
    code: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    instructions: Option<&'a str>,
    position: i32,
    enabled: bool,
    gateway_factory: &'a str,
    gateway_config: String,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    currencies: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(AsChangeset)]
#[diesel(table_name = payment_methods)]
struct MethodChanges<'a> {
    name: Option<&'a str>,
    description: Option<Option<&'a str>>,
    instructions: Option<Option<&'a str>>,
    position: Option<i32>,
    enabled: Option<bool>,
    gateway_factory: Option<&'a str>,
    gateway_config: Option<String>,
    min_amount: Option<Option<i64>>,
    max_amount: Option<Option<i64>>,
    currencies: Option<String>,
    updated_at: NaiveDateTime,
}

/// The parsed parts of a method input that the store writes as they are.
pub struct MethodLinks<'a> {
    pub channel_ids: &'a [i64],
    pub currencies: &'a [Currency],
}

fn currency_list(currencies: &[Currency]) -> String {
    currencies
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(" ")
}

fn config_text(config: Option<&Value>) -> String {
    config
        .map(Value::to_string)
        .unwrap_or_else(|| "{}".to_owned())
}

/// Inserts a validated method at `position` and links it to its channels.
pub fn insert(
    conn: &mut DbConnection,
    input: &NewPaymentMethod,
    links: MethodLinks<'_>,
    position: i32,
    now: DateTime<Utc>,
) -> StoreResult<PaymentMethod> {
    let row = NewMethodRow {
        code: &input.code,
        name: &input.name,
        description: input.description.as_deref(),
        instructions: input.instructions.as_deref(),
        position,
        enabled: input.enabled,
        gateway_factory: &input.gateway_factory,
        gateway_config: config_text(input.gateway_config.as_ref()),
        min_amount: input.min_amount,
        max_amount: input.max_amount,
        currencies: currency_list(links.currencies),
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    let id = diesel::insert_into(payment_methods::table)
        .values(&row)
        .returning(payment_methods::id)
        .get_result::<i64>(conn)?;
    link_channels(conn, id, links.channel_ids)?;
    by_id(conn, id)
}

/// Applies a validated partial update; `channel_ids` and `currencies`, when given, replace
/// the method's lists.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    input: &PaymentMethodUpdate,
    channel_ids: Option<&[i64]>,
    currencies: Option<&[Currency]>,
    now: DateTime<Utc>,
) -> StoreResult<PaymentMethod> {
    let changes = MethodChanges {
        name: input.name.as_deref(),
        description: input.description.as_ref().map(Option::as_deref),
        instructions: input.instructions.as_ref().map(Option::as_deref),
        position: input.position,
        enabled: input.enabled,
        gateway_factory: input.gateway_factory.as_deref(),
        gateway_config: input.gateway_config.as_ref().map(|c| config_text(Some(c))),
        min_amount: input.min_amount,
        max_amount: input.max_amount,
        currencies: currencies.map(currency_list),
        updated_at: to_db(now),
    };
    diesel::update(payment_methods::table.find(id))
        .set(&changes)
        .execute(conn)?;
    if let Some(channel_ids) = channel_ids {
        diesel::delete(
            payment_method_channels::table
                .filter(payment_method_channels::payment_method_id.eq(id)),
        )
        .execute(conn)?;
        link_channels(conn, id, channel_ids)?;
    }
    by_id(conn, id)
}

fn link_channels(conn: &mut DbConnection, method_id: i64, channel_ids: &[i64]) -> StoreResult<()> {
    // A handful of rows: one statement each is simpler than a multi-row insert, which the
    // multi-backend connection cannot express.
    for channel_id in channel_ids {
        diesel::insert_into(payment_method_channels::table)
            .values((
                payment_method_channels::payment_method_id.eq(method_id),
                payment_method_channels::channel_id.eq(*channel_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The position after the last method.
pub fn next_position(conn: &mut DbConnection) -> StoreResult<i32> {
    let last: Option<i32> = payment_methods::table
        .select(max(payment_methods::position))
        .first(conn)?;
    Ok(last.map_or(0, |p| p.saturating_add(1)))
}

/// The method with this id, with its channels.
pub fn by_id(conn: &mut DbConnection, id: i64) -> StoreResult<PaymentMethod> {
    let row = payment_methods::table
        .find(id)
        .select(MethodRow::as_select())
        .first(conn)?;
    let channels = channels_of(conn, &[id])?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    row.into_domain(channels)
}

/// The method with this code, with its channels, if any.
pub fn by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<PaymentMethod>> {
    let Some(row) = payment_methods::table
        .filter(payment_methods::code.eq(code))
        .select(MethodRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let channels = channels_of(conn, &[row.id])?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    row.into_domain(channels).map(Some)
}

/// The id of the method with this code, if any.
pub fn id_by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<i64>> {
    Ok(payment_methods::table
        .filter(payment_methods::code.eq(code))
        .select(payment_methods::id)
        .first(conn)
        .optional()?)
}

/// Every method by position; with `channel_id`, only the enabled methods of that channel
/// (what a checkout may offer).
pub fn list(conn: &mut DbConnection, channel_id: Option<i64>) -> StoreResult<Vec<PaymentMethod>> {
    let mut query = payment_methods::table
        .select(MethodRow::as_select())
        .order((payment_methods::position.asc(), payment_methods::id.asc()))
        .into_boxed();
    if let Some(channel_id) = channel_id {
        let in_channel = payment_method_channels::table
            .filter(payment_method_channels::channel_id.eq(channel_id))
            .select(payment_method_channels::payment_method_id);
        query = query
            .filter(payment_methods::enabled.eq(true))
            .filter(payment_methods::id.eq_any(in_channel));
    }
    let rows = query.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let links = channels_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let channels = links
                .iter()
                .filter(|(m, _)| *m == row.id)
                .map(|(_, c)| c.clone())
                .collect();
            row.into_domain(channels)
        })
        .collect()
}

/// `(id, code)` of the methods with these ids.
pub fn summaries(conn: &mut DbConnection, ids: &[i64]) -> StoreResult<Vec<PaymentMethodSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String)> = payment_methods::table
        .filter(payment_methods::id.eq_any(ids))
        .select((payment_methods::id, payment_methods::code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code)| PaymentMethodSummary { id, code })
        .collect())
}

/// The channels of each of these methods, as `(method id, channel)`, by channel code.
fn channels_of(conn: &mut DbConnection, method_ids: &[i64]) -> StoreResult<Vec<(i64, Channel)>> {
    if method_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, ChannelRow)> = payment_method_channels::table
        .inner_join(channels::table)
        .filter(payment_method_channels::payment_method_id.eq_any(method_ids))
        .order(channels::code.asc())
        .select((
            payment_method_channels::payment_method_id,
            ChannelRow::as_select(),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(method, row)| Ok((method, row.into_domain()?)))
        .collect()
}
