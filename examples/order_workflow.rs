//! The library on its own: set up a channel and two payment methods, upsert an order, pay
//! it, and print the order's payment state.
//!
//! `cargo run --example order_workflow` (an in-memory SQLite database), or with
//! `DATABASE_URL` pointing at a SQLite file or, built with `--features postgres`, a
//! PostgreSQL database.

use storefront_payments::{
    Error, NewChannel, NewPayment, NewPaymentMethod, OrderRef, Payments, Transition, UpsertOrder,
};

fn main() -> Result<(), Error> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| ":memory:".to_owned());
    let payments = Payments::open(&url)?;

    let mut channel = NewChannel::new("US_WEB", "US Web Store", "USD");
    channel.hostname = Some("localhost".into());
    payments.create_channel(&channel)?;
    payments.create_payment_method(&NewPaymentMethod::new(
        "bank_transfer",
        "Bank transfer",
        &["US_WEB"],
    ))?;
    payments.create_payment_method(&NewPaymentMethod::new(
        "cash_on_delivery",
        "Cash on delivery",
        &["US_WEB"],
    ))?;

    // The shop owns its orders; it upserts what payments need, keyed by the order number.
    let order = payments.upsert_order(&UpsertOrder {
        number: "000000001".into(),
        channel: "US_WEB".into(),
        currency_code: "USD".into(),
        total: 4507,
    })?;

    // Amount and currency default to what the order still owes; the external reference
    // makes a retried request return this payment instead of creating another.
    let payment = payments
        .create_payment(
            &NewPayment::for_order(order.id)
                .method("bank_transfer")
                .external_ref("checkout-000000001"),
        )?
        .payment;
    println!(
        "created payment {} for {} ({})",
        payment.id,
        payment.money(),
        payment.state
    );

    let processing =
        payments.apply_transition(payment.id, Transition::Process, Some(payment.version))?;
    let completed =
        payments.apply_transition(payment.id, Transition::Complete, Some(processing.version))?;
    println!(
        "payment {} is {} (version {})",
        completed.id, completed.state, completed.version
    );

    let order = payments.order(&OrderRef::Number("000000001".into()))?;
    println!("order {} is {}", order.number, order.payment_state);
    Ok(())
}
