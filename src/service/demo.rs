//! Demo data: a Sylius-like catalog and any number of orders with one payment each, spread
//! over channels, methods, states, currencies, amounts and a year of dates, loaded in
//! batched transactions.

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

use super::{Error, Payments};
use crate::domain::{
    Currency, NewChannel, NewPaymentMethod, PaymentState, resolve_order_payment_state,
};
use crate::store::bulk::{self, OrderRow, PaymentRow};
use crate::store::counters::{self, Counter};
use crate::store::{DbConnection, StoreError, write_transaction};

/// Payments per transaction.
const BATCH: u64 = 10_000;

/// What [`Payments::load_demo_data`] added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoData {
    /// Orders created (one per payment).
    pub orders: u64,
    /// Payments created.
    pub payments: u64,
}

/// The channels of the demo catalog: code, name, currency, share of the orders in percent.
const CHANNELS: [(&str, &str, &str, u32); 3] = [
    ("US_WEB", "US Web Store", "USD", 50),
    ("EU_WEB", "EU Web Store", "EUR", 35),
    ("JP_WEB", "Japan Web Store", "JPY", 15),
];

/// The methods of the demo catalog: code, name, channels.
const METHODS: [(&str, &str, &[&str]); 4] = [
    (
        "bank_transfer",
        "Bank transfer",
        &["US_WEB", "EU_WEB", "JP_WEB"],
    ),
    (
        "cash_on_delivery",
        "Cash on delivery",
        &["US_WEB", "EU_WEB"],
    ),
    ("card", "Card", &["US_WEB", "EU_WEB", "JP_WEB"]),
    ("paypal", "PayPal", &["US_WEB", "EU_WEB"]),
];

/// How demo payments are spread over states, in percent.
const STATES: [(PaymentState, u32); 7] = [
    (PaymentState::New, 20),
    (PaymentState::Processing, 5),
    (PaymentState::Authorized, 10),
    (PaymentState::Completed, 45),
    (PaymentState::Failed, 8),
    (PaymentState::Cancelled, 7),
    (PaymentState::Refunded, 5),
];

struct DemoChannel {
    id: i64,
    currency: Currency,
    /// Method ids enabled in the channel.
    methods: Vec<i64>,
}

impl Payments {
    /// Loads `count` demo orders with one payment each (plus the demo catalog: channels
    /// `US_WEB`, `EU_WEB`, `JP_WEB` and methods `bank_transfer`, `cash_on_delivery`, `card`,
    /// `paypal`, created when missing), `BATCH` payments per transaction, calling
    /// `on_progress` with the number loaded so far after each. The data is deterministic.
    /// It did not happen through the API, so it writes no history rows and no outbox events;
    /// the list counters and the orders' payment states are kept exact.
    pub fn load_demo_data(
        &self,
        count: u64,
        mut on_progress: impl FnMut(u64),
    ) -> Result<DemoData, Error> {
        let channels = self.demo_catalog()?;
        let end = self.now();
        let start = end - TimeDelta::days(365);
        let mut rng = StdRng::seed_from_u64(0x5EED_CAFE);
        // One connection for the whole load, with a page cache large enough for the indexes.
        let mut conn = self.connection::<Error>()?;
        bulk::bulk_cache(&mut conn, true)?;
        let mut loaded = 0;
        let result = (|| {
            while loaded < count {
                let size = BATCH.min(count - loaded);
                write_transaction(&mut conn, |conn| {
                    load_batch(
                        conn,
                        &channels,
                        &mut rng,
                        (loaded, size, count),
                        (start, end),
                    )
                })?;
                loaded += size;
                on_progress(loaded);
            }
            write_transaction(&mut conn, bulk::sync_id_sequences)
        })();
        bulk::bulk_cache(&mut conn, false)?;
        result?;
        Ok(DemoData {
            orders: count,
            payments: count,
        })
    }

    fn demo_catalog(&self) -> Result<Vec<DemoChannel>, Error> {
        for (code, name, currency, _) in CHANNELS {
            if let Err(Error::NotFound { .. }) = self.channel(code) {
                let mut channel = NewChannel::new(code, name, currency);
                channel.hostname = Some("localhost".into());
                channel.color = Some("DeepSkyBlue".into());
                self.create_channel(&channel)?;
            }
        }
        for (code, name, channels) in METHODS {
            if let Err(Error::NotFound { .. }) = self.payment_method(code) {
                let mut method = NewPaymentMethod::new(code, name, channels);
                method.instructions =
                    (code == "bank_transfer").then(|| "Pay to IBAN XX00 0000 0000 0000".to_owned());
                self.create_payment_method(&method)?;
            }
        }
        CHANNELS
            .iter()
            .map(|(code, ..)| {
                let channel = self.channel(code)?;
                let methods = self
                    .payment_methods(Some(code))?
                    .into_iter()
                    .map(|m| m.id)
                    .collect();
                Ok(DemoChannel {
                    id: channel.id,
                    currency: channel.base_currency,
                    methods,
                })
            })
            .collect()
    }
}

/// Inserts payments `first .. first + size` of `total`, spread over `start .. end`.
fn load_batch(
    conn: &mut DbConnection,
    channels: &[DemoChannel],
    rng: &mut StdRng,
    (first, size, total): (u64, u64, u64),
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Result<(), StoreError> {
    let (last_order, last_payment) = bulk::max_ids(conn)?;
    let span = (end - start).num_seconds().max(1);
    let mut orders = Vec::with_capacity(size as usize);
    let mut payments = Vec::with_capacity(size as usize);
    let mut counts: HashMap<Counter, i64> = HashMap::new();
    for k in 0..size {
        let (order_id, payment_id) = (last_order + 1 + k as i64, last_payment + 1 + k as i64);
        let channel = pick(rng, &CHANNELS.map(|c| c.3)).map_or(&channels[0], |i| &channels[i]);
        let method_id = if rng.random_range(0..100) < 5 {
            None
        } else {
            Some(channel.methods[rng.random_range(0..channel.methods.len())])
        };
        let state = pick(rng, &STATES.map(|s| s.1)).map_or(PaymentState::New, |i| STATES[i].0);
        let amount = demo_amount(rng, channel.currency);
        // Spread evenly over the year, in id order, with a little jitter.
        let offset = span * (first + k) as i64 / total.max(1) as i64 + rng.random_range(0..60);
        let created = (start + TimeDelta::seconds(offset)).naive_utc();
        let changed = created + TimeDelta::seconds(rng.random_range(60..3 * 86_400));
        let at = |s: PaymentState| (state == s).then_some(changed);
        let version = match state {
            PaymentState::New => 1,
            PaymentState::Refunded => 3,
            _ => 2,
        };
        payments.push(PaymentRow {
            id: payment_id,
            order_id,
            channel_id: channel.id,
            method_id,
            currency_code: channel.currency.code(),
            amount,
            state: state.as_str(),
            description: Some(format!("Payment for order demo-{order_id:09}")),
            details: "{}",
            version,
            created_at: created,
            updated_at: if state == PaymentState::New {
                created
            } else {
                changed
            },
            authorized_at: at(PaymentState::Authorized),
            completed_at: if state == PaymentState::Refunded {
                Some(created + TimeDelta::seconds(30))
            } else {
                at(PaymentState::Completed)
            },
            failed_at: at(PaymentState::Failed),
            cancelled_at: at(PaymentState::Cancelled),
            refunded_at: at(PaymentState::Refunded),
        });
        orders.push(OrderRow {
            id: order_id,
            number: format!("demo-{order_id:09}"),
            channel_id: channel.id,
            currency_code: channel.currency.code(),
            total: amount,
            payment_state: resolve_order_payment_state(amount, [(state, amount)]).as_str(),
            created_at: created,
            updated_at: if state == PaymentState::New {
                created
            } else {
                changed
            },
        });
        for counter in [
            Counter::all(),
            Counter::state(state),
            Counter::method(method_id),
            Counter::channel(channel.id),
            Counter::currency(channel.currency),
        ] {
            *counts.entry(counter).or_default() += 1;
        }
    }
    bulk::insert_orders(conn, &orders)?;
    bulk::insert_payments(conn, &payments)?;
    let changes: Vec<(Counter, i64)> = counts.into_iter().collect();
    counters::add(conn, &changes, 0)?;
    Ok(())
}

/// The index of a weighted choice.
fn pick(rng: &mut StdRng, weights: &[u32]) -> Option<usize> {
    let mut roll = rng.random_range(0..weights.iter().sum::<u32>().max(1));
    weights.iter().position(|weight| {
        if roll < *weight {
            return true;
        }
        roll -= weight;
        false
    })
}

/// An amount of 1 to 999 major units, more small ones than large, in minor units.
fn demo_amount(rng: &mut StdRng, currency: Currency) -> i64 {
    let major = match rng.random_range(0..10) {
        0..=5 => rng.random_range(1..100),
        6..=8 => rng.random_range(100..500),
        _ => rng.random_range(500..1000),
    };
    let unit = 10i64.pow(currency.exponent());
    major * unit + rng.random_range(0..unit)
}
