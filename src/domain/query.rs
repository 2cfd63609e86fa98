//! Listing payments: page, limit, sorting and filters as types that cannot hold bad values.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Currency, InvalidValue, OrderRef, Payment, PaymentState};

/// A 1-based page number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageNumber(u32);

impl PageNumber {
    /// The first page.
    pub const FIRST: PageNumber = PageNumber(1);

    /// A page number ≥ 1.
    pub fn new(page: u32) -> Result<Self, InvalidValue> {
        if page == 0 {
            return Err(InvalidValue("must be 1 or more".into()));
        }
        Ok(PageNumber(page))
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for PageNumber {
    fn default() -> Self {
        PageNumber::FIRST
    }
}

/// Items per page: 1 to 250 (Mollie's bound), 10 by default (Sylius').
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limit(u32);

impl Limit {
    /// The largest page.
    pub const MAX: u32 = 250;

    /// A limit in 1..=250.
    pub fn new(limit: u32) -> Result<Self, InvalidValue> {
        if limit == 0 || limit > Self::MAX {
            return Err(InvalidValue(format!("must be between 1 and {}", Self::MAX)));
        }
        Ok(Limit(limit))
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Limit(10)
    }
}

/// A field payments can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    /// The payment amount in minor units.
    Amount,
    /// When the payment was created.
    CreatedAt,
    /// When the payment last changed.
    UpdatedAt,
}

impl SortField {
    /// Every sortable field.
    pub const ALL: [SortField; 3] = [
        SortField::Amount,
        SortField::CreatedAt,
        SortField::UpdatedAt,
    ];

    /// The API name, as in `sorting[createdAt]`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortField::Amount => "amount",
            SortField::CreatedAt => "createdAt",
            SortField::UpdatedAt => "updatedAt",
        }
    }

    /// Parses an API name (exact).
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        SortField::ALL
            .into_iter()
            .find(|f| f.as_str() == name)
            .ok_or_else(|| {
                InvalidValue(format!(
                    "`{name}` is not sortable; sort by amount, createdAt or updatedAt"
                ))
            })
    }
}

/// Ascending or descending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortDirection {
    /// Smallest first (oldest first for times).
    #[default]
    Asc,
    /// Largest first (newest first for times).
    Desc,
}

impl SortDirection {
    /// `asc` or `desc` in any letter case (Sylius documents `ASC`/`DESC`).
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        if name.eq_ignore_ascii_case("asc") {
            return Ok(SortDirection::Asc);
        }
        if name.eq_ignore_ascii_case("desc") {
            return Ok(SortDirection::Desc);
        }
        Err(InvalidValue(format!(
            "`{name}` is not a direction; use asc or desc"
        )))
    }

    /// `"asc"` or `"desc"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        }
    }
}

/// One to three sort keys, each field at most once, applied in order; ties are broken by
/// the payment id in the direction of the first key, so pages never overlap.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sorting(Vec<(SortField, SortDirection)>);

impl Sorting {
    /// Sorting by the given keys; an error for none or for a repeated field.
    pub fn new(keys: Vec<(SortField, SortDirection)>) -> Result<Self, InvalidValue> {
        if keys.is_empty() {
            return Err(InvalidValue("needs at least one sort key".into()));
        }
        for (i, (field, _)) in keys.iter().enumerate() {
            if keys[..i].iter().any(|(earlier, _)| earlier == field) {
                return Err(InvalidValue(format!(
                    "`{}` is sorted by twice",
                    field.as_str()
                )));
            }
        }
        Ok(Sorting(keys))
    }

    /// A single key.
    pub fn by(field: SortField, direction: SortDirection) -> Self {
        Sorting(vec![(field, direction)])
    }

    /// The keys in order.
    pub fn keys(&self) -> &[(SortField, SortDirection)] {
        &self.0
    }

    /// The direction of the id tie-breaker: that of the first key.
    pub fn tie_break(&self) -> SortDirection {
        self.0
            .first()
            .map(|(_, direction)| *direction)
            .unwrap_or_default()
    }
}

impl Default for Sorting {
    /// `createdAt` ascending, as Sylius.
    fn default() -> Self {
        Sorting::by(SortField::CreatedAt, SortDirection::Asc)
    }
}

/// Which payments a list shows; every field narrows it further.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    /// Only payments in this state.
    pub state: Option<PaymentState>,
    /// Payment method code.
    pub method: Option<String>,
    /// Channel code.
    pub channel: Option<String>,
    /// Only payments of this order, by id or by the shop's order number.
    pub order: Option<OrderRef>,
    /// Only payments in this currency.
    pub currency: Option<Currency>,
    /// Created at or after this instant.
    pub created_after: Option<DateTime<Utc>>,
    /// Created strictly before this instant.
    pub created_before: Option<DateTime<Utc>>,
}

/// Checks that an instant is one both backends store and the API prints: years 1 to 9999.
/// (PostgreSQL's timestamps stop at 4713 BC and 294276 AD; beyond, a query would fail in
/// the database instead of being refused here.)
pub fn check_instant(at: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidValue> {
    use chrono::Datelike;
    if (1..=9999).contains(&at.year()) {
        return Ok(at);
    }
    Err(InvalidValue(format!("{at} is outside the years 1 to 9999")))
}

/// A position in a sorted list: the sort key values and the id of the last item seen.
/// Listing "after" it costs the same at any depth (a keyset seek), where a page number
/// makes the database skip every row before the page.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// The id of the last item seen.
    pub id: i64,
    /// Its amount (set when the sorting uses it).
    pub amount: Option<i64>,
    /// Its creation time (set when the sorting uses it).
    pub created_at: Option<DateTime<Utc>>,
    /// Its last change (set when the sorting uses it).
    pub updated_at: Option<DateTime<Utc>>,
}

impl Cursor {
    /// The cursor just past `payment` in a list sorted by `sorting`.
    pub fn after(payment: &Payment, sorting: &Sorting) -> Self {
        let uses = |field| sorting.keys().iter().any(|(f, _)| *f == field);
        Cursor {
            id: payment.id,
            amount: uses(SortField::Amount).then_some(payment.amount),
            created_at: uses(SortField::CreatedAt).then_some(payment.created_at),
            updated_at: uses(SortField::UpdatedAt).then_some(payment.updated_at),
        }
    }

    /// The opaque text form: the sorting it belongs to, the key values and the id,
    /// base64url-encoded.
    pub fn encode(&self, sorting: &Sorting) -> String {
        let mut text = String::from("v1");
        for (field, direction) in sorting.keys() {
            let value = match field {
                SortField::Amount => self.amount.unwrap_or_default(),
                SortField::CreatedAt => self
                    .created_at
                    .map(|t| t.timestamp_micros())
                    .unwrap_or_default(),
                SortField::UpdatedAt => self
                    .updated_at
                    .map(|t| t.timestamp_micros())
                    .unwrap_or_default(),
            };
            text.push_str(&format!(
                "|{}.{}={value}",
                field.as_str(),
                direction.as_str()
            ));
        }
        text.push_str(&format!("|id={}", self.id));
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Parses a cursor made by [`Cursor::encode`] for the same `sorting`; any other text, or
    /// a cursor of another sorting, is refused.
    pub fn decode(text: &str, sorting: &Sorting) -> Result<Self, InvalidValue> {
        let invalid = || {
            InvalidValue("is not a cursor of this list (take `after` from a `next` link)".into())
        };
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.split('|');
        if parts.next() != Some("v1") {
            return Err(invalid());
        }
        let mut cursor = Cursor {
            id: 0,
            amount: None,
            created_at: None,
            updated_at: None,
        };
        for (field, direction) in sorting.keys() {
            let expected = format!("{}.{}=", field.as_str(), direction.as_str());
            let value: i64 = parts
                .next()
                .and_then(|part| part.strip_prefix(&expected))
                .and_then(|value| value.parse().ok())
                .ok_or_else(invalid)?;
            let instant = || {
                DateTime::from_timestamp_micros(value)
                    .and_then(|at| check_instant(at).ok())
                    .ok_or_else(invalid)
            };
            match field {
                SortField::Amount => cursor.amount = Some(value),
                SortField::CreatedAt => cursor.created_at = Some(instant()?),
                SortField::UpdatedAt => cursor.updated_at = Some(instant()?),
            }
        }
        cursor.id = parts
            .next()
            .and_then(|part| part.strip_prefix("id="))
            .and_then(|id| id.parse().ok())
            .ok_or_else(invalid)?;
        if parts.next().is_some() {
            return Err(invalid());
        }
        Ok(cursor)
    }
}

/// A request for one page of payments: the `page`-th page, or with `after`, the `limit`
/// items after a cursor (then `page` is not used).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentQuery {
    /// The 1-based page to return (ignored with `after`).
    pub page: PageNumber,
    /// The number of payments per page.
    pub limit: Limit,
    /// The order of the list.
    pub sorting: Sorting,
    /// Which payments the list holds.
    pub filter: PaymentFilter,
    /// List the payments after this cursor instead of a numbered page.
    pub after: Option<Cursor>,
}

/// One page of a list, with the numbers a paginator needs (Sylius' `page`, `limit`,
/// `pages`, `total`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Paginated<T> {
    /// The items of this page, at most `limit`.
    pub items: Vec<T>,
    /// The 1-based number of this page (1 for a page after a cursor).
    pub page: u32,
    /// The number of items per page asked for.
    pub limit: u32,
    /// At least 1, as Sylius (Pagerfanta) reports for an empty list.
    pub pages: u64,
    /// The number of items matching the query, over all pages.
    pub total: u64,
    /// The cursor just past the last item, when more items follow.
    #[serde(skip)]
    pub next: Option<Cursor>,
}

impl<T> Paginated<T> {
    /// Builds a page, computing `pages` from `total` and `limit`.
    pub fn new(items: Vec<T>, page: PageNumber, limit: Limit, total: u64) -> Self {
        let pages = total.div_ceil(u64::from(limit.get())).max(1);
        Paginated {
            items,
            page: page.get(),
            limit: limit.get(),
            pages,
            total,
            next: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_and_limit_reject_out_of_range_values() {
        assert!(PageNumber::new(0).is_err());
        assert_eq!(PageNumber::new(7).map(PageNumber::get), Ok(7));
        assert!(Limit::new(0).is_err());
        assert!(Limit::new(251).is_err());
        assert_eq!(Limit::new(250).map(Limit::get), Ok(250));
        assert_eq!(Limit::default().get(), 10);
    }

    #[test]
    fn directions_ignore_letter_case() {
        assert_eq!(SortDirection::parse("DESC"), Ok(SortDirection::Desc));
        assert_eq!(SortDirection::parse("Asc"), Ok(SortDirection::Asc));
        assert!(SortDirection::parse("sideways").is_err());
    }

    #[test]
    fn sorting_rejects_unknown_repeated_or_no_keys() {
        assert!(SortField::parse("foo").is_err());
        assert!(Sorting::new(vec![]).is_err());
        let twice = vec![
            (SortField::Amount, SortDirection::Asc),
            (SortField::Amount, SortDirection::Desc),
        ];
        assert!(Sorting::new(twice).is_err());
        let two = vec![
            (SortField::Amount, SortDirection::Desc),
            (SortField::CreatedAt, SortDirection::Asc),
        ];
        assert_eq!(
            Sorting::new(two).map(|s| s.tie_break()),
            Ok(SortDirection::Desc)
        );
    }

    #[test]
    fn cursors_round_trip_only_with_their_sorting() {
        let sorting = Sorting::new(vec![
            (SortField::Amount, SortDirection::Desc),
            (SortField::CreatedAt, SortDirection::Asc),
        ])
        .unwrap_or_default();
        let at = DateTime::from_timestamp_micros(1_767_268_800_123_456).unwrap_or_default();
        let cursor = Cursor {
            id: 42,
            amount: Some(4507),
            created_at: Some(at),
            updated_at: None,
        };
        let text = cursor.encode(&sorting);
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{text}"
        );
        assert_eq!(Cursor::decode(&text, &sorting), Ok(cursor));
        assert!(
            Cursor::decode(&text, &Sorting::default()).is_err(),
            "another sorting"
        );
        for bad in [
            "",
            "!!!",
            "djE",
            &URL_SAFE_NO_PAD.encode("v1|amount.desc=x|id=1"),
        ] {
            assert!(Cursor::decode(bad, &sorting).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_stay_within_four_digit_years() {
        let ok = DateTime::from_timestamp(0, 0).unwrap_or_default();
        assert_eq!(check_instant(ok), Ok(ok));
        let far = DateTime::from_timestamp_micros(i64::MIN / 2).unwrap_or_default();
        assert!(check_instant(far).is_err());
        let sorting = Sorting::by(SortField::CreatedAt, SortDirection::Asc);
        let cursor = Cursor {
            id: 1,
            amount: None,
            created_at: Some(far),
            updated_at: None,
        };
        assert!(Cursor::decode(&cursor.encode(&sorting), &sorting).is_err());
    }

    #[test]
    fn pages_are_rounded_up_and_never_zero() {
        let limit = Limit::new(2).unwrap_or_default();
        assert_eq!(
            Paginated::<()>::new(vec![], PageNumber::FIRST, limit, 20).pages,
            10
        );
        assert_eq!(
            Paginated::<()>::new(vec![], PageNumber::FIRST, limit, 21).pages,
            11
        );
        assert_eq!(
            Paginated::<()>::new(vec![], PageNumber::FIRST, limit, 0).pages,
            1
        );
    }
}
