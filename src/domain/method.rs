//! Sales channels and the payment methods enabled in them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use validator::{Validate, ValidationError};

use super::payment::MAX_DETAILS_BYTES;
use super::validation::{check_code, check_json_size, check_text};
use super::{Currency, Error, InvalidValue, Money};

/// How a channel computes taxes (Sylius `taxCalculationStrategy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxCalculationStrategy {
    /// Tax is computed on each order item's total (Sylius' default).
    #[default]
    OrderItemsBased,
    /// Tax is computed on each unit of an order item, then summed.
    OrderItemUnitsBased,
}

impl TaxCalculationStrategy {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaxCalculationStrategy::OrderItemsBased => "order_items_based",
            TaxCalculationStrategy::OrderItemUnitsBased => "order_item_units_based",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        match name {
            "order_items_based" => Ok(TaxCalculationStrategy::OrderItemsBased),
            "order_item_units_based" => Ok(TaxCalculationStrategy::OrderItemUnitsBased),
            other => Err(InvalidValue(format!(
                "`{other}` is not a tax calculation strategy; expected order_items_based or order_item_units_based"
            ))),
        }
    }
}

/// A sales channel (a web store, a market).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    /// Our id of the channel.
    pub id: i64,
    /// The unique code that names the channel in inputs, e.g. `US_WEB`.
    pub code: String,
    /// The display name.
    pub name: String,
    /// The host the channel's store is served on, if any.
    pub hostname: Option<String>,
    /// A color that tells the channel apart in an admin UI, if any.
    pub color: Option<String>,
    /// Whether the channel is enabled; kept for the shop, payments do not check it.
    pub enabled: bool,
    /// How the channel computes taxes (`taxCalculationStrategy`).
    pub tax_calculation_strategy: TaxCalculationStrategy,
    /// The channel's base currency (`baseCurrency`).
    pub base_currency: Currency,
    /// When the channel was created.
    pub created_at: DateTime<Utc>,
    /// When the channel was last changed.
    pub updated_at: DateTime<Utc>,
}

/// What creates a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewChannel {
    /// The unique channel code: 1 to 255 letters, digits, `_` or `-`.
    #[validate(custom(function = "check_code"))]
    pub code: String,
    /// The display name, 1 to 255 characters.
    #[validate(
        length(min = 1, max = 255, message = "must be 1 to 255 characters"),
        custom(function = "check_text")
    )]
    pub name: String,
    /// The host the channel's store is served on, at most 255 characters.
    #[validate(
        length(max = 255, message = "must be at most 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub hostname: Option<String>,
    /// A color for admin UIs, at most 255 characters.
    #[validate(
        length(max = 255, message = "must be at most 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub color: Option<String>,
    /// Whether the channel is enabled; defaults to `true`.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// How the channel computes taxes; defaults to `order_items_based`.
    #[serde(default)]
    pub tax_calculation_strategy: TaxCalculationStrategy,
    /// ISO 4217.
    #[validate(custom(function = "check_currency"))]
    pub base_currency: String,
}

impl NewChannel {
    /// An enabled channel with the default tax strategy.
    pub fn new(
        code: impl Into<String>,
        name: impl Into<String>,
        base_currency: impl Into<String>,
    ) -> Self {
        NewChannel {
            code: code.into(),
            name: name.into(),
            hostname: None,
            color: None,
            enabled: true,
            tax_calculation_strategy: TaxCalculationStrategy::default(),
            base_currency: base_currency.into(),
        }
    }
}

/// A partial update of a channel: absent fields are kept; `null` clears a nullable one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChannelUpdate {
    /// A new display name, 1 to 255 characters.
    #[validate(
        length(min = 1, max = 255, message = "must be 1 to 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub name: Option<String>,
    /// A new hostname; `null` clears it.
    #[validate(
        length(max = 255, message = "must be at most 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default, deserialize_with = "present")]
    pub hostname: Option<Option<String>>,
    /// A new color; `null` clears it.
    #[validate(
        length(max = 255, message = "must be at most 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default, deserialize_with = "present")]
    pub color: Option<Option<String>>,
    /// Enables or disables the channel.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// A new tax calculation strategy.
    #[serde(default)]
    pub tax_calculation_strategy: Option<TaxCalculationStrategy>,
    /// A new base currency (ISO 4217).
    #[validate(custom(function = "check_currency"))]
    #[serde(default)]
    pub base_currency: Option<String>,
}

/// The payment gateway behind a method: a factory name (`offline`, `stripe_checkout`, ...)
/// and its configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Gateway {
    /// The gateway factory name, e.g. `offline` or `stripe_checkout`.
    pub factory_name: String,
    /// The gateway's configuration, a JSON object (`{}` when none was given).
    pub config: Value,
}

/// A payment method and the channels it is enabled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    /// Our id of the payment method.
    pub id: i64,
    /// The unique code that names the method in inputs, e.g. `bank_transfer`.
    pub code: String,
    /// The display name.
    pub name: String,
    /// A longer description of the method, if any.
    pub description: Option<String>,
    /// How to pay with this method (e.g. bank details for a transfer), if needed.
    pub instructions: Option<String>,
    /// Methods are listed by ascending position.
    pub position: i32,
    /// Whether payments may use the method; a disabled one is rejected.
    pub enabled: bool,
    /// The gateway that processes the method's payments.
    pub gateway: Gateway,
    /// Ordered by channel code.
    pub channels: Vec<Channel>,
    /// Smallest accepted payment, in minor units of the payment's currency.
    pub min_amount: Option<i64>,
    /// Largest accepted payment, in minor units of the payment's currency.
    pub max_amount: Option<i64>,
    /// Accepted currencies; empty means any.
    pub currencies: Vec<Currency>,
    /// When the method was created.
    pub created_at: DateTime<Utc>,
    /// When the method was last changed.
    pub updated_at: DateTime<Utc>,
}

impl PaymentMethod {
    /// Whether a payment of `money` in channel `channel_id` may use this method.
    ///
    /// Sylius lets disabled methods (#11678), methods of another channel (#11679) and
    /// amounts outside a method's limits (#18937) through; we reject each, naming the field.
    pub fn check_usable(&self, channel_id: i64, money: Money) -> Result<(), Error> {
        if !self.enabled {
            return Err(Error::invalid(
                "method",
                format!("payment method `{}` is disabled", self.code),
            ));
        }
        if !self.channels.iter().any(|channel| channel.id == channel_id) {
            return Err(Error::invalid(
                "method",
                format!(
                    "payment method `{}` is not available in the order's channel",
                    self.code
                ),
            ));
        }
        if !self.accepts_currency(money.currency()) {
            return Err(Error::invalid(
                "currencyCode",
                format!(
                    "payment method `{}` does not accept {}",
                    self.code,
                    money.currency()
                ),
            ));
        }
        if let Some(min) = self.min_amount.filter(|min| money.amount() < *min) {
            return Err(Error::invalid(
                "amount",
                format!(
                    "payment method `{}` accepts at least {}",
                    self.code,
                    Money::new(min, money.currency())
                ),
            ));
        }
        if let Some(max) = self.max_amount.filter(|max| money.amount() > *max) {
            return Err(Error::invalid(
                "amount",
                format!(
                    "payment method `{}` accepts at most {}",
                    self.code,
                    Money::new(max, money.currency())
                ),
            ));
        }
        Ok(())
    }

    /// Whether payments in `currency` may use this method.
    pub fn accepts_currency(&self, currency: Currency) -> bool {
        self.currencies.is_empty() || self.currencies.contains(&currency)
    }
}

/// What creates a payment method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPaymentMethod {
    /// The unique method code: 1 to 255 letters, digits, `_` or `-`.
    #[validate(custom(function = "check_code"))]
    pub code: String,
    /// The display name, 1 to 255 characters.
    #[validate(
        length(min = 1, max = 255, message = "must be 1 to 255 characters"),
        custom(function = "check_text")
    )]
    pub name: String,
    /// A longer description of the method, at most 4096 characters.
    #[validate(
        length(max = 4096, message = "must be at most 4096 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub description: Option<String>,
    /// How to pay with this method (e.g. bank details), at most 4096 characters.
    #[validate(
        length(max = 4096, message = "must be at most 4096 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub instructions: Option<String>,
    /// Defaults to after the last method.
    #[serde(default)]
    pub position: Option<i32>,
    /// Whether payments may use the method; defaults to `true`.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Defaults to `offline`.
    #[validate(
        length(min = 1, max = 255, message = "must be 1 to 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default = "offline")]
    pub gateway_factory: String,
    /// A JSON object, at most 16 KiB serialized.
    #[validate(custom(function = "check_gateway_config"))]
    #[serde(default)]
    pub gateway_config: Option<Value>,
    /// Channel codes.
    #[validate(custom(function = "check_codes"))]
    #[serde(default)]
    pub channels: Vec<String>,
    /// The smallest accepted payment in minor units (`minAmount`), > 0; none means no minimum.
    #[validate(range(min = 1, message = "must be greater than 0 minor units"))]
    #[serde(default)]
    pub min_amount: Option<i64>,
    /// The largest accepted payment in minor units (`maxAmount`), > 0; none means no maximum.
    #[validate(range(min = 1, message = "must be greater than 0 minor units"))]
    #[serde(default)]
    pub max_amount: Option<i64>,
    /// ISO 4217 codes; empty accepts any currency.
    #[validate(custom(function = "check_currencies"))]
    #[serde(default)]
    pub currencies: Vec<String>,
}

impl NewPaymentMethod {
    /// An enabled offline method in `channels`, accepting any currency and amount.
    pub fn new(code: impl Into<String>, name: impl Into<String>, channels: &[&str]) -> Self {
        NewPaymentMethod {
            code: code.into(),
            name: name.into(),
            description: None,
            instructions: None,
            position: None,
            enabled: true,
            gateway_factory: offline(),
            gateway_config: None,
            channels: channels.iter().map(|c| (*c).to_owned()).collect(),
            min_amount: None,
            max_amount: None,
            currencies: Vec::new(),
        }
    }
}

/// A partial update of a payment method: absent fields are kept; `null` clears a nullable
/// one; `channels` and `currencies`, when present, replace the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentMethodUpdate {
    /// A new display name, 1 to 255 characters.
    #[validate(
        length(min = 1, max = 255, message = "must be 1 to 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub name: Option<String>,
    /// A new description; `null` clears it.
    #[validate(
        length(max = 4096, message = "must be at most 4096 characters"),
        custom(function = "check_text")
    )]
    #[serde(default, deserialize_with = "present")]
    pub description: Option<Option<String>>,
    /// New payment instructions; `null` clears them.
    #[validate(
        length(max = 4096, message = "must be at most 4096 characters"),
        custom(function = "check_text")
    )]
    #[serde(default, deserialize_with = "present")]
    pub instructions: Option<Option<String>>,
    /// A new position in the list of methods.
    #[serde(default)]
    pub position: Option<i32>,
    /// Enables or disables the method.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// A new gateway factory name.
    #[validate(
        length(min = 1, max = 255, message = "must be 1 to 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub gateway_factory: Option<String>,
    /// A new gateway configuration, a JSON object of at most 16 KiB.
    #[validate(custom(function = "check_gateway_config"))]
    #[serde(default)]
    pub gateway_config: Option<Value>,
    /// Channel codes that replace the method's channels.
    #[validate(custom(function = "check_codes"))]
    #[serde(default)]
    pub channels: Option<Vec<String>>,
    /// A new `minAmount` in minor units, > 0; `null` removes the minimum.
    #[validate(range(min = 1, message = "must be greater than 0 minor units"))]
    #[serde(default, deserialize_with = "present")]
    pub min_amount: Option<Option<i64>>,
    /// A new `maxAmount` in minor units, > 0; `null` removes the maximum.
    #[validate(range(min = 1, message = "must be greater than 0 minor units"))]
    #[serde(default, deserialize_with = "present")]
    pub max_amount: Option<Option<i64>>,
    /// ISO 4217 codes that replace the accepted currencies; empty accepts any.
    #[validate(custom(function = "check_currencies"))]
    #[serde(default)]
    pub currencies: Option<Vec<String>>,
}

/// `minAmount` must not exceed `maxAmount`.
pub(crate) fn check_amount_bounds(min: Option<i64>, max: Option<i64>) -> Result<(), Error> {
    match (min, max) {
        (Some(min), Some(max)) if min > max => Err(Error::invalid(
            "maxAmount",
            format!("must not be less than minAmount ({min})"),
        )),
        _ => Ok(()),
    }
}

fn enabled_by_default() -> bool {
    true
}

fn offline() -> String {
    "offline".to_owned()
}

/// Distinguishes an absent field (`None`, via `#[serde(default)]`) from an explicit `null`
/// (`Some(None)`), so a partial update can clear a nullable field.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn check_currency(code: &str) -> Result<(), ValidationError> {
    Currency::parse(code)
        .map(|_| ())
        .map_err(|e| ValidationError::new("currency").with_message(e.0.into()))
}

fn check_currencies(codes: &[String]) -> Result<(), ValidationError> {
    codes.iter().try_for_each(|code| check_currency(code))
}

fn check_codes(codes: &[String]) -> Result<(), ValidationError> {
    codes.iter().try_for_each(|code| check_code(code))
}

fn check_gateway_config(config: &Value) -> Result<(), ValidationError> {
    if !config.is_object() {
        return Err(ValidationError::new("object").with_message("must be a JSON object".into()));
    }
    check_json_size(config, MAX_DETAILS_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate_input;
    use chrono::TimeZone;

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR")
    }

    fn channel(id: i64) -> Channel {
        let at = Utc.timestamp_opt(0, 0).single().unwrap_or_default();
        Channel {
            id,
            code: format!("C{id}"),
            name: "Web".into(),
            hostname: None,
            color: None,
            enabled: true,
            tax_calculation_strategy: TaxCalculationStrategy::OrderItemsBased,
            base_currency: eur(),
            created_at: at,
            updated_at: at,
        }
    }

    fn method() -> PaymentMethod {
        PaymentMethod {
            id: 1,
            code: "card".into(),
            name: "Card".into(),
            description: None,
            instructions: None,
            position: 0,
            enabled: true,
            gateway: Gateway {
                factory_name: "offline".into(),
                config: Value::Null,
            },
            channels: vec![channel(1)],
            min_amount: Some(100),
            max_amount: Some(10_000),
            currencies: vec![eur()],
            created_at: channel(1).created_at,
            updated_at: channel(1).created_at,
        }
    }

    fn field_of(result: Result<(), Error>) -> Option<String> {
        result.err().and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn a_usable_method_accepts_the_payment() {
        assert_eq!(method().check_usable(1, Money::new(500, eur())), Ok(()));
        assert_eq!(method().check_usable(1, Money::new(100, eur())), Ok(()));
        assert_eq!(method().check_usable(1, Money::new(10_000, eur())), Ok(()));
    }

    #[test]
    fn each_availability_rule_names_its_field() {
        let mut disabled = method();
        disabled.enabled = false;
        assert_eq!(
            field_of(disabled.check_usable(1, Money::new(500, eur()))),
            Some("method".into())
        );
        assert_eq!(
            field_of(method().check_usable(2, Money::new(500, eur()))),
            Some("method".into())
        );
        let usd = Currency::parse("USD").expect("USD");
        assert_eq!(
            field_of(method().check_usable(1, Money::new(500, usd))),
            Some("currencyCode".into())
        );
        assert_eq!(
            field_of(method().check_usable(1, Money::new(99, eur()))),
            Some("amount".into())
        );
        assert_eq!(
            field_of(method().check_usable(1, Money::new(10_001, eur()))),
            Some("amount".into())
        );
    }

    #[test]
    fn no_currency_list_means_any_currency() {
        let mut any = method();
        any.currencies.clear();
        assert!(any.accepts_currency(Currency::parse("JPY").expect("JPY")));
    }

    #[test]
    fn channel_input_is_validated() {
        let mut bad = NewChannel::new("US WEB", "US", "USD");
        assert_eq!(
            validate_input(&bad)
                .err()
                .and_then(|e| e.field().map(str::to_owned)),
            Some("code".into())
        );
        bad = NewChannel::new("US_WEB", "", "USD");
        assert_eq!(
            validate_input(&bad)
                .err()
                .and_then(|e| e.field().map(str::to_owned)),
            Some("name".into())
        );
        bad = NewChannel::new("US_WEB", "US", "DOLLARS");
        assert_eq!(
            validate_input(&bad)
                .err()
                .and_then(|e| e.field().map(str::to_owned)),
            Some("baseCurrency".into())
        );
    }

    #[test]
    fn updates_tell_absent_from_null() {
        let update: ChannelUpdate = serde_json::from_str(r#"{"hostname": null}"#).expect("valid");
        assert_eq!(update.hostname, Some(None));
        assert_eq!(update.color, None);
    }

    #[test]
    fn bounds_must_be_ordered() {
        assert!(check_amount_bounds(Some(10), Some(5)).is_err());
        assert!(check_amount_bounds(Some(5), Some(5)).is_ok());
        assert!(check_amount_bounds(None, Some(5)).is_ok());
    }
}
