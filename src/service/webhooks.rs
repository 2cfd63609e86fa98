//! Use cases of webhooks: subscriptions, and the steps the delivery worker takes (fan the
//! outbox out, lease due deliveries, record what an attempt found).

use chrono::{DateTime, Utc};
use rand::RngCore;
use std::time::Duration;

use super::{Error, Payments};
use crate::domain::{
    Delivery, DeliveryAttempt, DeliveryStatus, NewSubscription, PaymentEvent, RETRY_WINDOW,
    Subscription, parse_event_types, retry_wait, validate_input,
};
use crate::store::events;
use crate::store::webhooks::{self, AttemptOutcome};

/// Events fanned out per transaction.
const DISPATCH_BATCH: i64 = 500;

/// A subscription as created: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedSubscription {
    /// The subscription.
    pub subscription: Subscription,
    /// The signing secret: the one given, or the one generated.
    pub secret: String,
}

/// A delivery leased to a worker, with what it needs to make the attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedDelivery {
    /// The delivery.
    pub delivery: Delivery,
    /// Its event.
    pub event: PaymentEvent,
    /// Where it goes.
    pub url: String,
    /// What it is signed with.
    pub secret: String,
}

/// What one attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    /// When the attempt started.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// The transport error, if it did not.
    pub error: Option<String>,
    /// How long the attempt took.
    pub duration: Duration,
}

impl AttemptResult {
    /// Success is a 2xx answer.
    pub fn succeeded(&self) -> bool {
        self.status_code
            .is_some_and(|code| (200..300).contains(&code))
    }
}

impl Payments {
    /// Subscribes `url` to payment events (all of them, or `events`). Without a `secret`
    /// a random one is generated; either way it is returned here and never again.
    pub fn subscribe(&self, input: &NewSubscription) -> Result<CreatedSubscription, Error> {
        validate_input(input)?;
        let events = parse_event_types(input.events.as_deref().unwrap_or_default())
            .map_err(|e| e.at("events"))?;
        let secret = input.secret.clone().unwrap_or_else(random_secret);
        let now = self.now();
        let subscription =
            self.write(|conn| webhooks::subscribe(conn, &input.url, &events, &secret, now))?;
        Ok(CreatedSubscription {
            subscription,
            secret,
        })
    }

    /// Every subscription, oldest first.
    pub fn subscriptions(&self) -> Result<Vec<Subscription>, Error> {
        self.read(|conn| {
            Ok(webhooks::subscriptions(conn)?
                .into_iter()
                .map(|(s, _)| s)
                .collect())
        })
    }

    /// The subscription with this id.
    pub fn subscription(&self, id: i64) -> Result<Subscription, Error> {
        self.read(|conn| {
            webhooks::subscription(conn, id)?
                .map(|(s, _)| s)
                .ok_or_else(|| Error::not_found("subscription", id))
        })
    }

    /// Deletes a subscription, with its pending deliveries and its delivery history.
    pub fn unsubscribe(&self, id: i64) -> Result<(), Error> {
        self.write(|conn| match webhooks::unsubscribe(conn, id)? {
            true => Ok(()),
            false => Err(Error::not_found("subscription", id)),
        })
    }

    /// The latest deliveries of a subscription (newest first, at most `limit`), each with
    /// its attempts.
    pub fn deliveries(
        &self,
        subscription_id: i64,
        limit: u32,
    ) -> Result<Vec<(Delivery, Vec<DeliveryAttempt>)>, Error> {
        self.read(|conn| {
            if webhooks::subscription(conn, subscription_id)?.is_none() {
                return Err(Error::not_found("subscription", subscription_id));
            }
            let mut out = Vec::new();
            for delivery in webhooks::deliveries_of(conn, subscription_id, i64::from(limit))? {
                let attempts = webhooks::attempts_of(conn, delivery.id)?;
                out.push((delivery, attempts));
            }
            Ok(out)
        })
    }

    /// Sends a failed delivery again: pending, due now, with a new 7-day window.
    pub fn replay_delivery(&self, id: i64) -> Result<Delivery, Error> {
        let now = self.now();
        let replayed = self.write(|conn| {
            let delivery =
                webhooks::delivery(conn, id)?.ok_or_else(|| Error::not_found("delivery", id))?;
            if delivery.status != DeliveryStatus::Failed {
                return Err(Error::validation(
                    "status",
                    format!(
                        "only a failed delivery can be replayed; this one is {}",
                        delivery.status.as_str()
                    ),
                ));
            }
            webhooks::replay(conn, id, now + RETRY_WINDOW, now)?;
            webhooks::delivery(conn, id)?.ok_or_else(|| Error::not_found("delivery", id))
        })?;
        self.inner.outbox.notify();
        Ok(replayed)
    }

    /// Fans new outbox events out to the subscriptions that want them: one pending
    /// delivery each, due now, retried until 7 days after the event. One worker at a time
    /// (the cursor's row lock); returns how many events were fanned out.
    pub fn dispatch_events(&self) -> Result<usize, Error> {
        let now = self.now();
        self.write(|conn| {
            let cursor = webhooks::lock_dispatch_cursor(conn)?;
            let events = events::after(conn, cursor, DISPATCH_BATCH)?;
            let Some(last) = events.last().map(|e| e.id) else {
                return Ok(0);
            };
            let subscriptions = webhooks::subscriptions(conn)?;
            for event in &events {
                for (subscription, _) in subscriptions
                    .iter()
                    .filter(|(s, _)| s.wants(event.event_type))
                {
                    webhooks::queue_delivery(
                        conn,
                        event.id,
                        subscription.id,
                        event.created_at + RETRY_WINDOW,
                        now,
                    )?;
                }
            }
            webhooks::advance_dispatch_cursor(conn, last)?;
            Ok(events.len())
        })
    }

    /// Leases up to `limit` due deliveries to `owner` for `lease` (then another worker may
    /// take them over, so a crashed worker loses nothing). Of workers racing for one
    /// delivery exactly one leases it.
    pub fn lease_deliveries(
        &self,
        owner: &str,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<LeasedDelivery>, Error> {
        let now = self.now();
        let until =
            now + chrono::TimeDelta::from_std(lease).unwrap_or(chrono::TimeDelta::minutes(1));
        self.write(|conn| {
            let mut leased = Vec::new();
            for id in webhooks::due_deliveries(conn, now, i64::from(limit))? {
                if !webhooks::lease(conn, id, owner, now, until)? {
                    continue;
                }
                let Some(delivery) = webhooks::delivery(conn, id)? else {
                    continue;
                };
                let event = events::by_id(conn, delivery.event_id)?;
                let Some((subscription, secret)) =
                    webhooks::subscription(conn, delivery.subscription_id)?
                else {
                    continue;
                };
                leased.push(LeasedDelivery {
                    delivery,
                    event,
                    url: subscription.url,
                    secret,
                });
            }
            Ok(leased)
        })
    }

    /// Records an attempt at a leased delivery and schedules what follows: delivered on a
    /// 2xx; otherwise the next retry (30 s after the first failure, doubling, capped at
    /// 24 h, plus `jitter_permille` thousandths), or failed once past the delivery's
    /// deadline. Returns the delivery as it now is.
    pub fn record_attempt(
        &self,
        leased: &LeasedDelivery,
        result: &AttemptResult,
        jitter_permille: u32,
    ) -> Result<Delivery, Error> {
        let now = self.now();
        let failures = u32::try_from(leased.delivery.attempts).unwrap_or(0) + 1;
        let (status, next) = if result.succeeded() {
            (DeliveryStatus::Delivered, now)
        } else {
            let next = now + retry_wait(failures, jitter_permille);
            if next > leased.delivery.deadline {
                (DeliveryStatus::Failed, now)
            } else {
                (DeliveryStatus::Pending, next)
            }
        };
        let outcome = AttemptOutcome {
            attempted_at: result.attempted_at,
            status_code: result.status_code.map(i32::from),
            error: result.error.as_deref(),
            duration_ms: i64::try_from(result.duration.as_millis()).unwrap_or(i64::MAX),
        };
        let id = leased.delivery.id;
        self.write(|conn| {
            webhooks::record_attempt(conn, id, &outcome, status, next, now)?;
            webhooks::delivery(conn, id)?.ok_or_else(|| Error::not_found("delivery", id))
        })
    }

    /// Wakes every thread waiting in [`Payments::wait_for_events`].
    pub fn wake_webhook_worker(&self) {
        self.inner.outbox.notify();
    }

    /// The handle's clock, which schedules webhook attempts and signs their timestamps.
    pub fn now_for_webhooks(&self) -> DateTime<Utc> {
        self.now()
    }

    /// The outbox's generation: it moves whenever this handle commits events.
    pub fn outbox_generation(&self) -> u64 {
        self.inner.outbox.current()
    }

    /// Waits until this handle commits events after generation `seen`, or `timeout`.
    pub fn wait_for_events(&self, seen: u64, timeout: Duration) {
        self.inner.outbox.wait(seen, timeout);
    }
}

fn random_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}
