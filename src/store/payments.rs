//! Payment rows and their queries: insert, fetch, compare-and-set state, and list pages.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Bool;
use serde_json::Value;

use super::schema::{payment_methods, payments};
use super::{Backend, DbConnection, StoreResult, from_db, parse_stored, to_db};
use crate::domain::{
    Currency, Cursor, Payment, PaymentMethodSummary, PaymentState, SortDirection, SortField,
    Sorting,
};

type Db = <DbConnection as Connection>::Backend;

#[derive(Queryable, Selectable)]
#[diesel(table_name = payments)]
pub(crate) struct PaymentRow {
    id: i64,
    order_id: i64,
    channel_id: i64,
    method_id: Option<i64>,
    currency_code: String,
    amount: i64,
    state: String,
    description: Option<String>,
    metadata: Option<String>,
    external_ref: Option<String>,
    details: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    authorized_at: Option<NaiveDateTime>,
    completed_at: Option<NaiveDateTime>,
    failed_at: Option<NaiveDateTime>,
    cancelled_at: Option<NaiveDateTime>,
    refunded_at: Option<NaiveDateTime>,
}

impl PaymentRow {
    fn into_domain(self, method: Option<PaymentMethodSummary>) -> StoreResult<Payment> {
        let metadata = self
            .metadata
            .map(|text| parse_stored("payments", serde_json::from_str::<Value>(&text)))
            .transpose()?;
        Ok(Payment {
            id: self.id,
            order_id: self.order_id,
            channel_id: self.channel_id,
            method,
            currency_code: parse_stored("payments", Currency::parse(&self.currency_code))?,
            amount: self.amount,
            state: parse_stored("payments", PaymentState::parse(&self.state))?,
            description: self.description,
            metadata,
            external_ref: self.external_ref,
            details: parse_stored("payments", serde_json::from_str(&self.details))?,
            version: self.version,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            authorized_at: self.authorized_at.map(from_db),
            completed_at: self.completed_at.map(from_db),
            failed_at: self.failed_at.map(from_db),
            cancelled_at: self.cancelled_at.map(from_db),
            refunded_at: self.refunded_at.map(from_db),
        })
    }
}

/// A payment to insert, already validated and resolved against its order and method.
pub struct PaymentInsert<'a> {
    pub order_id: i64,
    pub channel_id: i64,
    pub method_id: Option<i64>,
    pub currency: Currency,
    pub amount: i64,
    pub state: PaymentState,
    pub description: Option<&'a str>,
    pub metadata: Option<&'a Value>,
    pub external_ref: Option<&'a str>,
    pub request_fingerprint: Option<&'a str>,
    pub details: Option<&'a Value>,
}

#[derive(Insertable)]
// `None` binds NULL: one SQL text whatever is absent, so the statement is prepared once.
#[diesel(table_name = payments, treat_none_as_default_value = false)]
struct NewPaymentRow<'a> {
    order_id: i64,
    channel_id: i64,
    method_id: Option<i64>,
    currency_code: &'static str,
    amount: i64,
    state: &'static str,
    description: Option<&'a str>,
    metadata: Option<String>,
    external_ref: Option<&'a str>,
    request_fingerprint: Option<&'a str>,
    details: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Inserts a payment at version 1 and returns its id.
pub fn insert(
    conn: &mut DbConnection,
    payment: &PaymentInsert<'_>,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    let row = NewPaymentRow {
        order_id: payment.order_id,
        channel_id: payment.channel_id,
        method_id: payment.method_id,
        currency_code: payment.currency.code(),
        amount: payment.amount,
        state: payment.state.as_str(),
        description: payment.description,
        metadata: payment.metadata.map(Value::to_string),
        external_ref: payment.external_ref,
        request_fingerprint: payment.request_fingerprint,
        details: payment
            .details
            .map_or_else(|| "{}".to_owned(), Value::to_string),
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    Ok(diesel::insert_into(payments::table)
        .values(&row)
        .returning(payments::id)
        .get_result(conn)?)
}

/// The payment with this id, with its method's id and code.
pub fn by_id(conn: &mut DbConnection, id: i64) -> StoreResult<Payment> {
    let (row, code) = payments::table
        .left_join(payment_methods::table)
        .filter(payments::id.eq(id))
        .select((PaymentRow::as_select(), payment_methods::code.nullable()))
        .first::<(PaymentRow, Option<String>)>(conn)?;
    let method = row
        .method_id
        .zip(code)
        .map(|(id, code)| PaymentMethodSummary { id, code });
    row.into_domain(method)
}

/// Reads payment `id` for a change. On PostgreSQL its order's row lock is taken first (see
/// [`super::orders::lock`]), so what is read is the latest committed state and stays so
/// until the transaction ends; on SQLite the write transaction already excludes every
/// other writer.
pub fn for_update(conn: &mut DbConnection, id: i64) -> StoreResult<Payment> {
    #[cfg(feature = "sqlite")]
    if matches!(conn, DbConnection::Sqlite(_)) {
        return by_id(conn, id);
    }
    let order_id = order_id_of(conn, id)?;
    super::orders::lock(conn, order_id)?;
    by_id(conn, id)
}

/// The order a payment belongs to (it never changes), or `NotFound`.
pub fn order_id_of(conn: &mut DbConnection, id: i64) -> StoreResult<i64> {
    Ok(payments::table
        .find(id)
        .select(payments::order_id)
        .first(conn)?)
}

/// The id and request fingerprint of the payment created with this idempotency key.
pub fn by_external_ref(
    conn: &mut DbConnection,
    key: &str,
) -> StoreResult<Option<(i64, Option<String>)>> {
    Ok(payments::table
        .filter(payments::external_ref.eq(key))
        .select((payments::id, payments::request_fingerprint))
        .first(conn)
        .optional()?)
}

/// `(state, amount)` of every payment of an order: the input of its payment state.
pub fn states_and_amounts(
    conn: &mut DbConnection,
    order_id: i64,
) -> StoreResult<Vec<(PaymentState, i64)>> {
    let rows: Vec<(String, i64)> = payments::table
        .filter(payments::order_id.eq(order_id))
        .select((payments::state, payments::amount))
        .load(conn)?;
    rows.into_iter()
        .map(|(state, amount)| {
            Ok((
                parse_stored("payments", PaymentState::parse(&state))?,
                amount,
            ))
        })
        .collect()
}

/// All payments of an order, oldest first.
pub fn of_order(conn: &mut DbConnection, order_id: i64) -> StoreResult<Vec<Payment>> {
    let rows = payments::table
        .filter(payments::order_id.eq(order_id))
        .order(payments::id.asc())
        .select(PaymentRow::as_select())
        .load(conn)?;
    with_methods(conn, rows)
}

#[derive(AsChangeset)]
// Every column is written (a payment keeps the timestamps of states it left), so the
// statement is the same for every transition and is prepared once.
#[diesel(table_name = payments, treat_none_as_null = true)]
struct StateChanges {
    state: &'static str,
    version: i64,
    updated_at: NaiveDateTime,
    authorized_at: Option<NaiveDateTime>,
    completed_at: Option<NaiveDateTime>,
    failed_at: Option<NaiveDateTime>,
    cancelled_at: Option<NaiveDateTime>,
    refunded_at: Option<NaiveDateTime>,
}

/// Writes `after`'s state, version and timestamps over `before`, as a compare-and-set:
/// returns `false`, changing nothing, when the stored payment is no longer `before` (its
/// state or version changed).
pub fn set_state(conn: &mut DbConnection, before: &Payment, after: &Payment) -> StoreResult<bool> {
    let changes = StateChanges {
        state: after.state.as_str(),
        version: after.version,
        updated_at: to_db(after.updated_at),
        authorized_at: after.authorized_at.map(to_db),
        completed_at: after.completed_at.map(to_db),
        failed_at: after.failed_at.map(to_db),
        cancelled_at: after.cancelled_at.map(to_db),
        refunded_at: after.refunded_at.map(to_db),
    };
    let updated = diesel::update(
        payments::table
            .filter(payments::id.eq(before.id))
            .filter(payments::version.eq(before.version))
            .filter(payments::state.eq(before.state.as_str())),
    )
    .set(&changes)
    .execute(conn)?;
    Ok(updated == 1)
}

/// Sets the method of payment `id` at `version` (a compare-and-set, like [`set_state`]).
pub fn set_method(
    conn: &mut DbConnection,
    id: i64,
    version: i64,
    method_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let updated = diesel::update(
        payments::table
            .filter(payments::id.eq(id))
            .filter(payments::version.eq(version)),
    )
    .set((
        payments::method_id.eq(Some(method_id)),
        payments::version.eq(version + 1),
        payments::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// A list filter with codes already resolved to ids.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub state: Option<PaymentState>,
    pub method_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub order_id: Option<i64>,
    pub currency: Option<Currency>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

fn filtered(filter: &ListFilter) -> payments::BoxedQuery<'static, Db> {
    let mut query = payments::table.into_boxed();
    if let Some(state) = filter.state {
        query = query.filter(payments::state.eq(state.as_str()));
    }
    if let Some(method_id) = filter.method_id {
        query = query.filter(payments::method_id.eq(method_id));
    }
    if let Some(channel_id) = filter.channel_id {
        query = query.filter(payments::channel_id.eq(channel_id));
    }
    if let Some(order_id) = filter.order_id {
        query = query.filter(payments::order_id.eq(order_id));
    }
    if let Some(currency) = filter.currency {
        query = query.filter(payments::currency_code.eq(currency.code()));
    }
    if let Some(after) = filter.created_after {
        query = query.filter(payments::created_at.ge(to_db(after)));
    }
    if let Some(before) = filter.created_before {
        query = query.filter(payments::created_at.lt(to_db(before)));
    }
    query
}

/// How many payments match: a `COUNT(*)` through the filter's index.
pub fn count(conn: &mut DbConnection, filter: &ListFilter) -> StoreResult<u64> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    Ok(u64::try_from(total).unwrap_or(0))
}

/// Where a page starts: after `offset` matching rows, or just past a cursor.
#[derive(Clone, Copy, Debug)]
pub enum Start<'a> {
    /// Skip this many rows (the database still walks them).
    Offset(i64),
    /// Seek past this position (costs the same at any depth).
    After(&'a Cursor),
}

/// One page of matching payments in `sorting` order, ties broken by id.
pub fn page(
    conn: &mut DbConnection,
    filter: &ListFilter,
    sorting: &Sorting,
    start: Start<'_>,
    limit: i64,
) -> StoreResult<Vec<Payment>> {
    let rows = page_query(filter, sorting, start, limit).load(conn)?;
    with_methods(conn, rows)
}

/// The database's plan for [`page`], one line per plan node: `EXPLAIN QUERY PLAN` on
/// SQLite, `EXPLAIN` on PostgreSQL.
pub fn page_plan(
    conn: &mut DbConnection,
    backend: Backend,
    filter: &ListFilter,
    sorting: &Sorting,
    start: Start<'_>,
    limit: i64,
) -> StoreResult<Vec<String>> {
    let query = page_query(filter, sorting, start, limit);
    Ok(match backend {
        Backend::Sqlite => Explain {
            prefix: "EXPLAIN QUERY PLAN ",
            query,
        }
        .load::<SqlitePlanLine>(conn)?
        .into_iter()
        .map(|line| line.detail)
        .collect(),
        Backend::Postgres => Explain {
            prefix: "EXPLAIN ",
            query,
        }
        .load::<PostgresPlanLine>(conn)?
        .into_iter()
        .map(|line| line.plan)
        .collect(),
    })
}

type PageQuery = diesel::internal::table_macro::BoxedSelectStatement<
    'static,
    diesel::dsl::AsSelect<PaymentRow, Db>,
    diesel::internal::table_macro::FromClause<payments::table>,
    Db,
>;

fn page_query(filter: &ListFilter, sorting: &Sorting, start: Start<'_>, limit: i64) -> PageQuery {
    use SortDirection::{Asc, Desc};
    let mut query = filtered(filter).select(PaymentRow::as_select());
    for (field, direction) in sorting.keys() {
        query = match (field, direction) {
            (SortField::Amount, Asc) => query.then_order_by(payments::amount.asc()),
            (SortField::Amount, Desc) => query.then_order_by(payments::amount.desc()),
            (SortField::CreatedAt, Asc) => query.then_order_by(payments::created_at.asc()),
            (SortField::CreatedAt, Desc) => query.then_order_by(payments::created_at.desc()),
            (SortField::UpdatedAt, Asc) => query.then_order_by(payments::updated_at.asc()),
            (SortField::UpdatedAt, Desc) => query.then_order_by(payments::updated_at.desc()),
        };
    }
    query = match sorting.tie_break() {
        Asc => query.then_order_by(payments::id.asc()),
        Desc => query.then_order_by(payments::id.desc()),
    };
    match start {
        Start::Offset(offset) => query.offset(offset).limit(limit),
        Start::After(cursor) => query.filter(past(cursor, sorting)).limit(limit),
    }
}

type Predicate = Box<dyn BoxableExpression<payments::table, Db, SqlType = Bool>>;

/// The rows after `cursor` in `sorting` order: for keys k1..kn and the id, `k1 beyond c1`
/// or `k1 = c1 and k2 beyond c2` ... or `all equal and id beyond`. A redundant bound on the
/// first key (`k1 >= c1` ascending) lets the database seek its index and walk it in order,
/// which the disjunction alone would hide.
fn past(cursor: &Cursor, sorting: &Sorting) -> Predicate {
    let keys = sorting.keys();
    let mut disjunction: Predicate = beyond_id(cursor.id, sorting.tie_break());
    for (field, direction) in keys.iter().rev() {
        disjunction =
            Box::new(beyond(cursor, *field, *direction).or(equal(cursor, *field).and(disjunction)));
    }
    match keys.first() {
        Some((field, direction)) => {
            Box::new(at_or_beyond(cursor, *field, *direction).and(disjunction))
        }
        None => disjunction,
    }
}

fn beyond_id(id: i64, direction: SortDirection) -> Predicate {
    match direction {
        SortDirection::Asc => Box::new(payments::id.gt(id)),
        SortDirection::Desc => Box::new(payments::id.lt(id)),
    }
}

/// Compares one sort key with the cursor's value by `$op`, for whichever field it is.
macro_rules! compare {
    ($cursor:expr, $field:expr, $op:ident) => {{
        let predicate: Predicate = match $field {
            SortField::Amount => Box::new(payments::amount.$op($cursor.amount.unwrap_or_default())),
            SortField::CreatedAt => {
                Box::new(payments::created_at.$op(cursor_time($cursor.created_at)))
            }
            SortField::UpdatedAt => {
                Box::new(payments::updated_at.$op(cursor_time($cursor.updated_at)))
            }
        };
        predicate
    }};
}

fn beyond(cursor: &Cursor, field: SortField, direction: SortDirection) -> Predicate {
    match direction {
        SortDirection::Asc => compare!(cursor, field, gt),
        SortDirection::Desc => compare!(cursor, field, lt),
    }
}

fn at_or_beyond(cursor: &Cursor, field: SortField, direction: SortDirection) -> Predicate {
    match direction {
        SortDirection::Asc => compare!(cursor, field, ge),
        SortDirection::Desc => compare!(cursor, field, le),
    }
}

fn equal(cursor: &Cursor, field: SortField) -> Predicate {
    compare!(cursor, field, eq)
}

fn cursor_time(at: Option<DateTime<Utc>>) -> NaiveDateTime {
    to_db(at.unwrap_or_default())
}

/// `EXPLAIN` in front of a query, keeping the query's bind parameters.
#[derive(QueryId)]
struct Explain<Q> {
    prefix: &'static str,
    query: Q,
}

impl<Q: QueryFragment<Db>> QueryFragment<Db> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        out.push_sql(self.prefix);
        self.query.walk_ast(out.reborrow())
    }
}

impl<Q> Query for Explain<Q> {
    type SqlType = diesel::sql_types::Untyped;
}

impl<Q> RunQueryDsl<DbConnection> for Explain<Q> {}

#[derive(QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PostgresPlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    plan: String,
}

/// Attaches each row's method summary, loading every distinct method once.
fn with_methods(conn: &mut DbConnection, rows: Vec<PaymentRow>) -> StoreResult<Vec<Payment>> {
    let mut method_ids: Vec<i64> = rows.iter().filter_map(|row| row.method_id).collect();
    method_ids.sort_unstable();
    method_ids.dedup();
    let methods = super::methods::summaries(conn, &method_ids)?;
    rows.into_iter()
        .map(|row| {
            let method = row
                .method_id
                .and_then(|id| methods.iter().find(|m| m.id == id).cloned());
            row.into_domain(method)
        })
        .collect()
}
