//! Query strings of list endpoints: `page`, `limit`, `sorting[...]`, `criteria[...]`,
//! parsed into domain types; anything else is a 400 naming the parameter.

use chrono::{DateTime, NaiveDate, Utc};

use super::problem::ApiError;
use crate::{
    Currency, Cursor, Limit, OrderRef, PageNumber, PaymentFilter, PaymentQuery, PaymentState,
    SortDirection, SortField, Sorting,
};

/// The decoded `(name, value)` pairs of a query string, in request order.
pub(crate) fn pairs(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .map_err(|e| ApiError::bad_request("query", format!("malformed query string: {e}")))
}

/// A payment list request and the parameters it came from (links repeat them).
pub(crate) struct ListRequest {
    /// `after` was given (an empty one starts reading by cursor at the top of the list).
    pub cursor_mode: bool,
    pub query: PaymentQuery,
    pub pairs: Vec<(String, String)>,
}

/// Parses the query string of `GET /api/v1/payments`.
pub(crate) fn payment_list(raw: &str) -> Result<ListRequest, ApiError> {
    let pairs = pairs(raw)?;
    let mut query = PaymentQuery::default();
    let mut sort_keys = Vec::new();
    let mut after = None;
    for (i, (name, value)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
            return Err(ApiError::bad_request(
                name.as_str(),
                format!("`{name}` is given more than once"),
            ));
        }
        let invalid = |e: crate::InvalidValue| {
            ApiError::bad_request(name.as_str(), format!("{name}: {}", e.0))
        };
        match name.as_str() {
            "page" => query.page = PageNumber::new(number(name, value)?).map_err(invalid)?,
            "limit" => query.limit = Limit::new(number(name, value)?).map_err(invalid)?,
            "after" => after = Some(value.as_str()),
            _ => {
                if let Some(field) = bracketed(name, "sorting") {
                    let field = SortField::parse(field).map_err(invalid)?;
                    sort_keys.push((field, SortDirection::parse(value).map_err(invalid)?));
                } else if let Some(criterion) = bracketed(name, "criteria") {
                    apply_criterion(&mut query.filter, criterion, value).map_err(invalid)?;
                } else {
                    return Err(ApiError::bad_request(
                        name.as_str(),
                        format!("unknown query parameter `{name}`"),
                    ));
                }
            }
        }
    }
    if !sort_keys.is_empty() {
        // Duplicates were refused above, so this cannot fail; map it anyway.
        query.sorting =
            Sorting::new(sort_keys).map_err(|e| ApiError::bad_request("sorting", e.0))?;
    }
    if let Some(after) = after {
        // A cursor belongs to one sorting, so it is read once the sorting is known.
        if pairs.iter().any(|(name, _)| name == "page") {
            return Err(ApiError::bad_request(
                "after",
                "use either page or after, not both",
            ));
        }
        if after.is_empty() {
            return Ok(ListRequest {
                query,
                pairs,
                cursor_mode: true,
            });
        }
        let cursor = Cursor::decode(after, &query.sorting)
            .map_err(|e| ApiError::bad_request("after", format!("after: {}", e.0)))?;
        query.after = Some(cursor);
    }
    let cursor_mode = query.after.is_some();
    Ok(ListRequest {
        query,
        pairs,
        cursor_mode,
    })
}

/// A query string with at most `limit` (1 to 250, default 50).
pub(crate) fn limit_only(raw: &str) -> Result<u32, ApiError> {
    let mut limit = 50;
    for (name, value) in pairs(raw)? {
        if name != "limit" {
            return Err(ApiError::bad_request(
                name.as_str(),
                format!("unsupported query parameter `{name}`"),
            ));
        }
        limit = Limit::new(number(&name, &value)?)
            .map_err(|e| ApiError::bad_request("limit", format!("limit: {}", e.0)))?
            .get();
    }
    Ok(limit)
}

/// `criteria[channel]` in a query that allows only that criterion (the method list).
pub(crate) fn channel_criterion(raw: &str) -> Result<Option<String>, ApiError> {
    let mut channel = None;
    for (name, value) in pairs(raw)? {
        match bracketed(&name, "criteria") {
            Some("channel") if channel.is_none() => channel = Some(value),
            _ => {
                return Err(ApiError::bad_request(
                    name.as_str(),
                    format!("unsupported query parameter `{name}`"),
                ));
            }
        }
    }
    Ok(channel)
}

fn number(name: &str, value: &str) -> Result<u32, ApiError> {
    value.parse::<u32>().map_err(|_| {
        ApiError::bad_request(name, format!("{name}: `{value}` is not a positive integer"))
    })
}

/// `sorting[amount]` → `Some("amount")` for prefix `sorting`.
fn bracketed<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    name.strip_prefix(prefix)?
        .strip_prefix('[')?
        .strip_suffix(']')
}

fn apply_criterion(
    filter: &mut PaymentFilter,
    criterion: &str,
    value: &str,
) -> Result<(), crate::InvalidValue> {
    match criterion {
        "state" => filter.state = Some(PaymentState::parse(value)?),
        "method" => filter.method = Some(value.to_owned()),
        "channel" => filter.channel = Some(value.to_owned()),
        "order" => filter.order = Some(OrderRef::Number(value.to_owned())),
        "currency" => filter.currency = Some(Currency::parse(value)?),
        "createdAfter" => filter.created_after = Some(instant(value)?),
        "createdBefore" => filter.created_before = Some(instant(value)?),
        other => {
            return Err(crate::InvalidValue(format!(
                "`{other}` is not a criterion; use state, method, channel, order, currency, createdAfter or createdBefore"
            )));
        }
    }
    Ok(())
}

/// An instant as RFC 3339 (`2026-01-31T12:00:00Z`), as the API prints it
/// (`2026-01-31T12:00:00+0000`), or a date (`2026-01-31`, midnight UTC). A `+` that the
/// query string decoded into a space is taken back.
pub(crate) fn instant(value: &str) -> Result<DateTime<Utc>, crate::InvalidValue> {
    let value = value.trim().replace(' ', "+");
    let parsed = DateTime::parse_from_rfc3339(&value)
        .or_else(|_| DateTime::parse_from_str(&value, "%Y-%m-%dT%H:%M:%S%z"))
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            let midnight = NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                .ok()?
                .and_hms_opt(0, 0, 0)?;
            Some(midnight.and_utc())
        });
    match parsed {
        Some(at) => crate::check_instant(at),
        None => Err(crate::InvalidValue(format!(
            "`{value}` is not a date or time; use e.g. 2026-01-31 or 2026-01-31T12:00:00Z"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(raw: &str) -> Option<String> {
        payment_list(raw)
            .err()
            .and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn defaults_follow_sylius() {
        let request = payment_list("").map_err(|e| e.to_string());
        let query = request.map(|r| r.query).unwrap_or_default();
        assert_eq!((query.page.get(), query.limit.get()), (1, 10));
        assert_eq!(query.sorting, Sorting::default());
    }

    #[test]
    fn sort_keys_keep_their_order_and_ignore_case() {
        let query = payment_list("sorting%5BupdatedAt%5D=DESC&sorting[amount]=asc")
            .map(|r| r.query.sorting)
            .ok();
        let expected = Sorting::new(vec![
            (SortField::UpdatedAt, SortDirection::Desc),
            (SortField::Amount, SortDirection::Asc),
        ])
        .ok();
        assert_eq!(query, expected);
    }

    #[test]
    fn bad_parameters_name_themselves() {
        assert_eq!(field_of("page=0"), Some("page".into()));
        assert_eq!(field_of("page=abc"), Some("page".into()));
        assert_eq!(field_of("page=-1"), Some("page".into()));
        assert_eq!(field_of("limit=100000"), Some("limit".into()));
        assert_eq!(field_of("limit=0"), Some("limit".into()));
        assert_eq!(field_of("sorting[foo]=asc"), Some("sorting[foo]".into()));
        assert_eq!(
            field_of("sorting[amount]=sideways"),
            Some("sorting[amount]".into())
        );
        assert_eq!(
            field_of("criteria[state]=paid"),
            Some("criteria[state]".into())
        );
        assert_eq!(
            field_of("criteria[currency]=EURO"),
            Some("criteria[currency]".into())
        );
        assert_eq!(
            field_of("criteria[createdAfter]=yesterday"),
            Some("criteria[createdAfter]".into())
        );
        assert_eq!(
            field_of("criteria[color]=red"),
            Some("criteria[color]".into())
        );
        assert_eq!(field_of("page=1&page=2"), Some("page".into()));
        assert_eq!(field_of("foo=bar"), Some("foo".into()));
        assert_eq!(
            field_of("page=%ZZ"),
            Some("page".into()),
            "undecodable escapes stay as text"
        );
        assert_eq!(field_of("after=garbage"), Some("after".into()));
        let cursor = crate::Cursor {
            id: 5,
            amount: Some(10),
            created_at: None,
            updated_at: None,
        };
        let amount_desc = Sorting::by(SortField::Amount, SortDirection::Desc);
        let text = cursor.encode(&amount_desc);
        assert_eq!(
            field_of(&format!("after={text}")),
            Some("after".into()),
            "another sorting's cursor"
        );
        assert_eq!(
            field_of(&format!("sorting[amount]=desc&after={text}&page=2")),
            Some("after".into())
        );
        let parsed = payment_list(&format!("after={text}&sorting[amount]=DESC"))
            .map(|r| r.query.after)
            .ok();
        assert_eq!(
            parsed,
            Some(Some(cursor)),
            "the cursor may come before the sorting"
        );
    }

    #[test]
    fn instants_accept_the_api_format_and_dates() {
        let noon = DateTime::parse_from_rfc3339("2026-01-31T12:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .ok();
        assert_eq!(instant("2026-01-31T12:00:00Z").ok(), noon);
        assert_eq!(instant("2026-01-31T13:00:00+0100").ok(), noon);
        assert_eq!(
            instant("2026-01-31T13:00:00 0100").ok(),
            noon,
            "a decoded +"
        );
        assert!(instant("2026-01-31").is_ok());
        assert!(instant("31/01/2026").is_err());
        assert!(
            instant("+12345-01-01T00:00:00+0000").is_err(),
            "beyond four-digit years"
        );
    }
}
