//! Payment quotes: which methods they offer, expiry, and payments that must agree with them.

mod common;

use chrono::TimeDelta;
use common::{TestDb, field, order, shop};
use storefront_payments::{Error, NewPayment, NewPaymentMethod, NewQuote, PaymentMethodUpdate};

fn quote(currency: &str, country: &str, channel: &str, amount: Option<i64>) -> NewQuote {
    NewQuote {
        currency: currency.into(),
        country: country.into(),
        channel: channel.into(),
        amount,
    }
}

fn codes(q: &storefront_payments::Quote) -> Vec<&str> {
    q.methods.iter().map(|m| m.code.as_str()).collect()
}

fn a_quote_offers_the_usable_methods_by_position(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    // A EUR-only method in US_WEB, with bounds, and a disabled one.
    let mut euro = NewPaymentMethod::new("sepa", "SEPA", &["US_WEB"]);
    euro.currencies = vec!["EUR".into()];
    p.create_payment_method(&euro).expect("sepa");
    let mut large = NewPaymentMethod::new("invoice", "Invoice", &["US_WEB"]);
    large.min_amount = Some(10_000);
    large.instructions = Some("Pay within 30 days".into());
    p.create_payment_method(&large).expect("invoice");
    let off = PaymentMethodUpdate {
        enabled: Some(false),
        ..Default::default()
    };
    p.update_payment_method("cash_on_delivery", &off)
        .expect("disable");

    let usd = p
        .create_quote(&quote("usd", "us", "US_WEB", Some(500)))
        .expect("quote");
    assert_eq!(
        codes(&usd),
        vec!["bank_transfer"],
        "sepa wants EUR, invoice 100.00 and more, cash is off"
    );
    assert!(usd.id.starts_with("qt_") && usd.id.len() == 35);
    assert_eq!(
        (
            usd.currency.code(),
            usd.country,
            usd.channel.as_str(),
            usd.amount
        ),
        ("USD", "US", "US_WEB", Some(500))
    );
    assert_eq!(usd.expires_at - usd.created_at, TimeDelta::minutes(15));
    assert_eq!(
        codes(
            &p.create_quote(&quote("USD", "US", "US_WEB", Some(20_000)))
                .expect("quote")
        ),
        vec!["bank_transfer", "invoice"]
    );
    assert_eq!(
        codes(
            &p.create_quote(&quote("EUR", "DE", "US_WEB", None))
                .expect("quote")
        ),
        vec!["bank_transfer", "sepa", "invoice"]
    );
    let invoice = &p
        .create_quote(&quote("USD", "US", "US_WEB", None))
        .expect("quote")
        .methods[1];
    assert_eq!(
        (invoice.min_amount, invoice.instructions.as_deref()),
        (Some(10_000), Some("Pay within 30 days"))
    );
    assert_eq!(p.quote(&usd.id), Ok(usd));
}

fn bad_quote_requests_name_the_field(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    let cases = [
        (quote("EURO", "DE", "EU_WEB", None), "currency"),
        (quote("EUR", "XX", "EU_WEB", None), "country"),
        (quote("EUR", "DEU", "EU_WEB", None), "country"),
        (quote("EUR", "DE", "NOPE", None), "channel"),
        (quote("EUR", "DE", "bad code", None), "channel"),
        (quote("EUR", "DE", "EU_WEB", Some(0)), "amount"),
    ];
    for (input, expected) in cases {
        let error = p.create_quote(&input).expect_err("refused");
        assert_eq!(field(&error).as_deref(), Some(expected), "{input:?}");
    }
    assert_eq!(
        p.quote("qt_missing"),
        Err(Error::NotFound {
            resource: "quote",
            key: "qt_missing".into()
        })
    );
}

fn payments_must_agree_with_their_quote(db: &TestDb) {
    let p = &db.payments;
    shop(p);
    order(p, "q-us", "US_WEB", "USD", 1000);
    order(p, "q-eu", "EU_WEB", "EUR", 1000);
    let usd = p
        .create_quote(&quote("USD", "US", "US_WEB", None))
        .expect("quote")
        .id;
    let with = |number: &str, quote_id: &str| {
        let mut input = NewPayment::for_order(number);
        input.quote_id = Some(quote_id.to_owned());
        input
    };
    let cases = [
        (with("q-eu", &usd), "currencyCode"),
        (with("q-us", "qt_unknown"), "quoteId"),
        (with("q-us", &usd).method("card"), "method"),
    ];
    for (input, expected) in cases {
        let error = p.create_payment(&input).expect_err("refused");
        assert_eq!(field(&error).as_deref(), Some(expected), "{error}");
    }
    // Same currency, other channel: the order's channel must be the quote's.
    p.create_channel(&storefront_payments::NewChannel::new(
        "US_APP", "US App", "USD",
    ))
    .expect("channel");
    order(p, "q-app", "US_APP", "USD", 1000);
    let error = p
        .create_payment(&with("q-app", &usd))
        .expect_err("other channel");
    assert_eq!(field(&error).as_deref(), Some("order"));
    // Agreeing, it works; after 15 minutes the quote is spent.
    p.create_payment(
        &with("q-us", &usd)
            .method("bank_transfer")
            .amount(100, "USD"),
    )
    .expect("agrees");
    db.clock.advance(TimeDelta::minutes(15));
    let expired = p
        .create_payment(&with("q-us", &usd).amount(100, "USD"))
        .expect_err("expired");
    assert_eq!(field(&expired).as_deref(), Some("quoteId"));
    assert!(expired.to_string().contains("expired"), "{expired}");
}

on_both_backends!(
    a_quote_offers_the_usable_methods_by_position,
    bad_quote_requests_name_the_field,
    payments_must_agree_with_their_quote,
);
