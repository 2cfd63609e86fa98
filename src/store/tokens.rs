//! API token rows: stored as SHA-256 hashes only.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::api_tokens;
use super::{DbConnection, StoreResult, from_db, parse_stored, to_db};
use crate::domain::{ApiToken, TokenScope};

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct TokenRow {
    id: i64,
    name: String,
    token_hash: String,
    scope: String,
    created_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
}

impl TokenRow {
    fn into_domain(self) -> StoreResult<(ApiToken, String)> {
        let token = ApiToken {
            id: self.id,
            name: self.name,
            scope: parse_stored("api_tokens", TokenScope::parse(&self.scope))?,
            created_at: from_db(self.created_at),
            revoked_at: self.revoked_at.map(from_db),
        };
        Ok((token, self.token_hash))
    }
}

/// Stores a token by its hash.
pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    token_hash: &str,
    scope: TokenScope,
    now: DateTime<Utc>,
) -> StoreResult<ApiToken> {
    let id: i64 = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::scope.eq(scope.as_str()),
            api_tokens::created_at.eq(to_db(now)),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    let row = api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)?;
    Ok(row.into_domain()?.0)
}

/// The token with this hash, and the stored hash to compare in constant time.
pub fn by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> StoreResult<Option<(ApiToken, String)>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?
        .map(TokenRow::into_domain)
        .transpose()
}

/// Marks token `id` revoked; `false` when there is no such token.
pub fn revoke(conn: &mut DbConnection, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
    let updated = diesel::update(api_tokens::table.find(id))
        .set(api_tokens::revoked_at.eq(Some(to_db(now))))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Every token, oldest first.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<ApiToken>> {
    api_tokens::table
        .order(api_tokens::id.asc())
        .select(TokenRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| Ok(row.into_domain()?.0))
        .collect()
}
