//! Channels and payment methods: creation, validation, updates, availability per channel.

mod common;

use common::{TestDb, field, shop};
use serde_json::json;
use storefront_payments::{
    ChannelUpdate, Error, NewChannel, NewPaymentMethod, PaymentMethodUpdate, TaxCalculationStrategy,
};

fn creating_a_channel_stores_every_field(db: &TestDb) {
    let p = &db.payments;
    let mut input = NewChannel::new("US_WEB", "US Web Store", "usd");
    input.hostname = Some("localhost".into());
    input.color = Some("DeepSkyBlue".into());
    input.tax_calculation_strategy = TaxCalculationStrategy::OrderItemUnitsBased;
    let channel = p.create_channel(&input).expect("created");
    assert_eq!(channel.code, "US_WEB");
    assert_eq!(channel.name, "US Web Store");
    assert_eq!(channel.hostname.as_deref(), Some("localhost"));
    assert_eq!(channel.color.as_deref(), Some("DeepSkyBlue"));
    assert!(channel.enabled);
    assert_eq!(
        channel.tax_calculation_strategy,
        TaxCalculationStrategy::OrderItemUnitsBased
    );
    assert_eq!(channel.base_currency.code(), "USD");
    assert_eq!(
        (channel.created_at, channel.updated_at),
        (common::epoch(), common::epoch())
    );
    assert_eq!(p.channel("US_WEB"), Ok(channel));
}

fn channel_codes_are_unique(db: &TestDb) {
    let p = &db.payments;
    p.create_channel(&NewChannel::new("US_WEB", "US", "USD"))
        .expect("first");
    let error = p
        .create_channel(&NewChannel::new("US_WEB", "Other", "EUR"))
        .expect_err("duplicate");
    assert_eq!(field(&error).as_deref(), Some("code"));
    assert!(error.to_string().contains("already used"), "{error}");
    assert_eq!(p.channel("US_WEB").map(|c| c.name), Ok("US".to_owned()));
}

fn bad_channel_input_names_the_field(db: &TestDb) {
    let p = &db.payments;
    let long = "x".repeat(256);
    let cases = [
        (NewChannel::new("US WEB", "US", "USD"), "code"),
        (NewChannel::new("", "US", "USD"), "code"),
        (NewChannel::new(long.as_str(), "US", "USD"), "code"),
        (NewChannel::new("US_WEB", "", "USD"), "name"),
        (NewChannel::new("US_WEB", long.as_str(), "USD"), "name"),
        (NewChannel::new("US_WEB", "US", "US"), "baseCurrency"),
        (NewChannel::new("US_WEB", "US", "XXX"), "baseCurrency"),
    ];
    for (input, expected) in cases {
        let error = p.create_channel(&input).expect_err("invalid");
        assert_eq!(field(&error).as_deref(), Some(expected), "{input:?}");
    }
    assert_eq!(p.channels().map(|c| c.len()), Ok(0));
}

fn updating_a_channel_changes_only_the_given_fields(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    db.clock.advance(chrono::TimeDelta::hours(1));
    let update: ChannelUpdate =
        serde_json::from_value(json!({"name": "US Store", "hostname": null})).expect("json");
    let channel = p.update_channel("US_WEB", &update).expect("updated");
    assert_eq!(channel.name, "US Store");
    assert_eq!(channel.hostname, None, "null clears");
    assert_eq!(
        channel.color.as_deref(),
        Some("DeepSkyBlue"),
        "absent keeps"
    );
    assert_eq!(
        channel.updated_at,
        common::epoch() + chrono::TimeDelta::hours(1)
    );
    assert_eq!(channel.created_at, common::epoch());
    let bad = ChannelUpdate {
        base_currency: Some("EURO".into()),
        ..Default::default()
    };
    assert_eq!(
        p.update_channel("US_WEB", &bad).map_err(|e| field(&e)),
        Err(Some("baseCurrency".into()))
    );
}

fn unknown_channels_are_not_found(db: &TestDb) {
    let p = &db.payments;
    let missing = Error::NotFound {
        resource: "channel",
        key: "NOPE".into(),
    };
    assert_eq!(p.channel("NOPE"), Err(missing.clone()));
    assert_eq!(
        p.update_channel("NOPE", &ChannelUpdate::default()),
        Err(missing)
    );
}

fn channels_and_methods_are_listed_in_order(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let codes: Vec<_> = p
        .channels()
        .expect("channels")
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(codes, vec!["EU_WEB", "US_WEB"]);
    let methods: Vec<_> = p
        .payment_methods(None)
        .expect("methods")
        .into_iter()
        .map(|m| (m.code, m.position))
        .collect();
    assert_eq!(
        methods,
        vec![
            ("bank_transfer".into(), 0),
            ("cash_on_delivery".into(), 1),
            ("card".into(), 2)
        ]
    );
}

fn a_method_is_created_with_its_channels_and_rules(db: &TestDb) {
    let p = &db.payments;
    let shop = shop(p);
    let card = p.payment_method("card").expect("card");
    assert_eq!(card, shop.card);
    assert_eq!(
        card.channels
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        vec!["EU_WEB"]
    );
    assert_eq!(card.channels[0], shop.eu_web);
    assert_eq!(
        card.currencies.iter().map(|c| c.code()).collect::<Vec<_>>(),
        vec!["EUR"]
    );
    assert_eq!(
        (card.min_amount, card.max_amount),
        (Some(100), Some(50_000))
    );
    assert_eq!(card.gateway.factory_name, "offline");
    assert_eq!(card.gateway.config, json!({}));
}

fn bad_method_input_names_the_field(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let base = || NewPaymentMethod::new("paypal", "PayPal", &["US_WEB"]);
    let mut cases = vec![
        (
            NewPaymentMethod::new("pay pal", "PayPal", &["US_WEB"]),
            "code",
        ),
        (NewPaymentMethod::new("paypal", "", &["US_WEB"]), "name"),
        (
            NewPaymentMethod::new("paypal", "PayPal", &["NOPE"]),
            "channels",
        ),
        (
            NewPaymentMethod::new("paypal", "PayPal", &["bad code"]),
            "channels",
        ),
        (
            NewPaymentMethod::new("bank_transfer", "Again", &["US_WEB"]),
            "code",
        ),
    ];
    let mut bounds = base();
    (bounds.min_amount, bounds.max_amount) = (Some(500), Some(100));
    cases.push((bounds, "maxAmount"));
    let mut zero = base();
    zero.min_amount = Some(0);
    cases.push((zero, "minAmount"));
    let mut currency = base();
    currency.currencies = vec!["EUR".into(), "EURO".into()];
    cases.push((currency, "currencies"));
    let mut config = base();
    config.gateway_config = Some(json!("not an object"));
    cases.push((config, "gatewayConfig"));
    for (input, expected) in cases {
        let error = p.create_payment_method(&input).expect_err("invalid");
        assert_eq!(
            field(&error).as_deref(),
            Some(expected),
            "{input:?}: {error}"
        );
    }
    assert_eq!(p.payment_methods(None).map(|m| m.len()), Ok(3));
}

fn updating_a_method_replaces_its_lists_and_keeps_the_rest(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let update: PaymentMethodUpdate = serde_json::from_value(json!({
        "channels": ["US_WEB", "EU_WEB"],
        "currencies": ["USD", "EUR"],
        "maxAmount": null,
        "instructions": "Pay on delivery",
    }))
    .expect("json");
    let card = p.update_payment_method("card", &update).expect("updated");
    assert_eq!(
        card.channels
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        vec!["EU_WEB", "US_WEB"]
    );
    assert_eq!(
        card.currencies.iter().map(|c| c.code()).collect::<Vec<_>>(),
        vec!["USD", "EUR"]
    );
    assert_eq!((card.min_amount, card.max_amount), (Some(100), None));
    assert_eq!(card.instructions.as_deref(), Some("Pay on delivery"));
    assert_eq!(card.name, "Card");
    // Bounds are checked against the stored values they are combined with.
    let below_min = PaymentMethodUpdate {
        max_amount: Some(Some(50)),
        ..Default::default()
    };
    assert_eq!(
        p.update_payment_method("card", &below_min)
            .map_err(|e| field(&e)),
        Err(Some("maxAmount".into()))
    );
    assert_eq!(
        p.update_payment_method("nope", &PaymentMethodUpdate::default()),
        Err(Error::NotFound {
            resource: "payment method",
            key: "nope".into()
        })
    );
}

fn a_channel_offers_its_enabled_methods_by_position(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let reorder = PaymentMethodUpdate {
        position: Some(-1),
        ..Default::default()
    };
    p.update_payment_method("cash_on_delivery", &reorder)
        .expect("reorder");
    let offered = |channel| {
        p.payment_methods(Some(channel))
            .expect("methods")
            .into_iter()
            .map(|m| m.code)
            .collect::<Vec<_>>()
    };
    assert_eq!(offered("US_WEB"), vec!["cash_on_delivery", "bank_transfer"]);
    assert_eq!(offered("EU_WEB"), vec!["card"]);
    let disable = PaymentMethodUpdate {
        enabled: Some(false),
        ..Default::default()
    };
    p.update_payment_method("bank_transfer", &disable)
        .expect("disable");
    assert_eq!(offered("US_WEB"), vec!["cash_on_delivery"]);
    assert_eq!(offered("NOPE"), Vec::<String>::new());
}

on_both_backends!(
    creating_a_channel_stores_every_field,
    channel_codes_are_unique,
    bad_channel_input_names_the_field,
    updating_a_channel_changes_only_the_given_fields,
    unknown_channels_are_not_found,
    channels_and_methods_are_listed_in_order,
    a_method_is_created_with_its_channels_and_rules,
    bad_method_input_names_the_field,
    updating_a_method_replaces_its_lists_and_keeps_the_rest,
    a_channel_offers_its_enabled_methods_by_position,
);
