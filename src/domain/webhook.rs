//! Webhooks: subscriptions to payment events, their deliveries, the attempts made, and the
//! retry schedule.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use super::validation::check_text;
use super::{EventType, InvalidValue};

/// The first retry comes this long after a failed first attempt.
pub const FIRST_RETRY: TimeDelta = TimeDelta::seconds(30);
/// Waits double after each failure, up to this.
pub const LONGEST_WAIT: TimeDelta = TimeDelta::hours(24);
/// A delivery is retried for this long after its event, then marked failed.
pub const RETRY_WINDOW: TimeDelta = TimeDelta::days(7);
/// At most this share (in thousandths) is added to a wait at random, so receivers that
/// fail together are not retried together.
pub const MAX_JITTER_PERMILLE: u32 = 200;

/// The wait before retry `retry` (1 for the first retry): 30 s, 1 min, 2 min, … capped at
/// 24 h, plus `jitter_permille` thousandths of it (0 to [`MAX_JITTER_PERMILLE`]).
pub fn retry_wait(retry: u32, jitter_permille: u32) -> TimeDelta {
    let doublings = retry.saturating_sub(1).min(20);
    let base = FIRST_RETRY
        .checked_mul(1 << doublings)
        .unwrap_or(LONGEST_WAIT)
        .min(LONGEST_WAIT);
    let jitter =
        base.num_milliseconds() * i64::from(jitter_permille.min(MAX_JITTER_PERMILLE)) / 1000;
    base + TimeDelta::milliseconds(jitter)
}

/// Where a webhook goes: a URL, the event types it wants, and the secret deliveries are
/// signed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The subscription's id.
    pub id: i64,
    /// Where events are POSTed (http or https).
    pub url: String,
    /// The event types delivered; every type when empty.
    pub events: Vec<EventType>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl Subscription {
    /// Whether events of this type go to this subscription.
    pub fn wants(&self, event: EventType) -> bool {
        self.events.is_empty() || self.events.contains(&event)
    }
}

/// What creates a subscription (`POST /api/v1/payments/subscribe`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSubscription {
    /// An absolute http or https URL.
    #[validate(custom(function = "check_url"))]
    pub url: String,
    /// Event types (`payment.completed`, …); all of them when absent.
    #[validate(custom(function = "check_events"))]
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// The signing secret (16 to 255 characters); a random one is made when absent.
    #[validate(
        length(min = 16, max = 255, message = "must be 16 to 255 characters"),
        custom(function = "check_text")
    )]
    #[serde(default)]
    pub secret: Option<String>,
}

fn check_url(text: &str) -> Result<(), ValidationError> {
    let invalid =
        |message: &str| ValidationError::new("url").with_message(message.to_owned().into());
    if text.len() > 2048 {
        return Err(invalid("must be at most 2048 characters"));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid("must not contain control characters"));
    }
    let parsed = url::Url::parse(text).map_err(|e| invalid(&format!("is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(invalid("must be an absolute http or https URL"));
    }
    Ok(())
}

fn check_events(names: &[String]) -> Result<(), ValidationError> {
    for name in names {
        EventType::parse(name)
            .map_err(|e| ValidationError::new("event").with_message(e.0.into()))?;
    }
    Ok(())
}

/// Parses event type names, keeping each once.
pub fn parse_event_types(names: &[String]) -> Result<Vec<EventType>, InvalidValue> {
    let mut events = Vec::new();
    for name in names {
        let event = EventType::parse(name)?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(events)
}

/// Where a delivery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not yet answered with a 2xx; attempts go on.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Retries ran out (7 days after the event); it can be replayed.
    Failed,
}

impl DeliveryStatus {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        match name {
            "pending" => Ok(DeliveryStatus::Pending),
            "delivered" => Ok(DeliveryStatus::Delivered),
            "failed" => Ok(DeliveryStatus::Failed),
            other => Err(InvalidValue(format!("`{other}` is not a delivery status"))),
        }
    }
}

/// One event on its way to one subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The delivery's id.
    pub id: i64,
    /// The outbox event delivered.
    pub event_id: i64,
    /// The subscription delivered to.
    pub subscription_id: i64,
    /// Where the delivery is.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due (for a pending delivery).
    pub next_attempt_at: DateTime<Utc>,
    /// Retries stop after this.
    pub deadline: DateTime<Utc>,
    /// The receiver's last HTTP status, if it answered.
    pub last_status_code: Option<i32>,
    /// The last transport error, if it did not.
    pub last_error: Option<String>,
    /// When a 2xx answer came.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the event was fanned out to the subscription.
    pub created_at: DateTime<Utc>,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    /// The attempt's id.
    pub id: i64,
    /// The delivery attempted.
    pub delivery_id: i64,
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i32>,
    /// The transport error (connection refused, timeout), if it did not.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_30_seconds_up_to_a_day() {
        let waits: Vec<i64> = (1..=14)
            .map(|retry| retry_wait(retry, 0).num_seconds())
            .collect();
        assert_eq!(
            waits,
            vec![
                30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 61440, 86400, 86400
            ]
        );
        assert_eq!(retry_wait(1000, 0), LONGEST_WAIT);
    }

    #[test]
    fn jitter_adds_at_most_a_fifth() {
        assert_eq!(retry_wait(1, 200), TimeDelta::seconds(36));
        assert_eq!(retry_wait(1, 5_000), TimeDelta::seconds(36), "capped");
        assert_eq!(retry_wait(13, 100), TimeDelta::seconds(86_400 + 8_640));
    }

    #[test]
    fn only_http_urls_are_accepted() {
        for good in [
            "http://127.0.0.1:9000/hook",
            "https://shop.example/webhooks/payments?x=1",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        for bad in [
            "ftp://x/y",
            "not a url",
            "/relative",
            "http://",
            "mailto:a@b.c",
            "file:///etc/passwd",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn empty_event_lists_want_everything() {
        let all = Subscription {
            id: 1,
            url: "http://x".into(),
            events: vec![],
            created_at: DateTime::UNIX_EPOCH,
        };
        assert!(EventType::ALL.iter().all(|e| all.wants(*e)));
        let some = Subscription {
            events: vec![EventType::Completed],
            ..all
        };
        assert!(some.wants(EventType::Completed) && !some.wants(EventType::Created));
        assert_eq!(
            parse_event_types(&["payment.completed".into(), "payment.completed".into()]),
            Ok(vec![EventType::Completed])
        );
        assert!(parse_event_types(&["payment.paid".into()]).is_err());
    }
}
