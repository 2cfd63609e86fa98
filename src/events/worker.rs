//! The webhook delivery worker: fans outbox events out to subscriptions and POSTs them,
//! signed, retrying failures on the schedule of [`crate::retry_wait`] for 7 days.

use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::signature::{SIGNATURE_HEADER, sign};
use crate::http::views::{PaymentDocument, Timestamp};
use crate::{AttemptResult, DeliveryStatus, Error, LeasedDelivery, MAX_JITTER_PERMILLE, Payments};

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WebhookOptions {
    /// Delivery threads: a slow receiver holds one while the others go on (default 4).
    pub threads: usize,
    /// How long a receiver has to answer; no answer in time is a failed attempt
    /// (default 10 s).
    pub timeout: Duration,
    /// How long a leased delivery stays with this worker before another may take it
    /// over (default: the timeout plus 30 s).
    pub lease: Duration,
    /// How often an idle worker looks for events written by other processes (default 1 s;
    /// events committed through the same `Payments` handle wake it at once).
    pub poll: Duration,
    /// Deliveries leased at a time by one thread (default 4).
    pub batch: u32,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            threads: 4,
            timeout: Duration::from_secs(10),
            lease: Duration::from_secs(40),
            poll: Duration::from_secs(1),
            batch: 4,
        }
    }
}

/// What [`WebhookWorker::run_once`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Events fanned out to subscriptions.
    pub dispatched: usize,
    /// Delivery attempts made.
    pub attempted: usize,
    /// Attempts answered with a 2xx.
    pub delivered: usize,
    /// Failed attempts that will be retried.
    pub retrying: usize,
    /// Deliveries given up (past their 7-day window).
    pub failed: usize,
}

/// Delivers payment events to webhook subscriptions. Several workers (threads, processes,
/// app instances on one PostgreSQL) share the work: each delivery is leased to one of
/// them at a time. Delivery is at least once and not necessarily in order; each event
/// carries the payment's version.
#[derive(Clone)]
pub struct WebhookWorker {
    payments: Payments,
    options: WebhookOptions,
    owner: String,
    agent: ureq::Agent,
}

impl WebhookWorker {
    /// A worker over `payments` (its clock schedules the retries).
    pub fn new(payments: Payments, options: WebhookOptions) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout(options.timeout)
            // A redirect is not a delivery: the receiver must answer 2xx at its URL.
            .redirects(0)
            .user_agent(concat!("storefront-payments/", env!("CARGO_PKG_VERSION")))
            .build();
        let owner = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
        WebhookWorker {
            payments,
            options,
            owner,
            agent,
        }
    }

    /// Fans out new events and makes every attempt due now, until nothing is due; for
    /// tests (with a [`crate::FixedClock`]) and for hosts that schedule the work themselves.
    pub fn run_once(&self) -> Result<RunReport, Error> {
        let mut report = RunReport::default();
        loop {
            let dispatched = self.payments.dispatch_events()?;
            report.dispatched += dispatched;
            let threads = u32::try_from(self.options.threads.max(1)).unwrap_or(1);
            let leased = self.payments.lease_deliveries(
                &self.owner,
                self.options.batch.max(1) * threads,
                self.options.lease,
            )?;
            if leased.is_empty() && dispatched == 0 {
                return Ok(report);
            }
            // Deliver concurrently, so one slow receiver does not hold the others back.
            let outcomes: Vec<Result<DeliveryStatus, Error>> = std::thread::scope(|scope| {
                let handles: Vec<_> = leased
                    .iter()
                    .map(|delivery| scope.spawn(move || self.attempt(delivery)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(Error::Internal("a delivery thread panicked".into()))
                        })
                    })
                    .collect()
            });
            for outcome in outcomes {
                report.attempted += 1;
                match outcome? {
                    DeliveryStatus::Delivered => report.delivered += 1,
                    DeliveryStatus::Pending => report.retrying += 1,
                    DeliveryStatus::Failed => report.failed += 1,
                }
            }
        }
    }

    /// Starts the worker's threads; they run until the handle is stopped or dropped.
    pub fn start(self) -> WorkerHandle {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..self.options.threads.max(1))
            .map(|i| {
                let (worker, stop) = (self.clone(), stop.clone());
                std::thread::Builder::new()
                    .name(format!("webhooks-{i}"))
                    .spawn(move || worker.run_until(&stop))
            })
            .filter_map(Result::ok)
            .collect();
        WorkerHandle {
            stop,
            threads,
            payments: self.payments,
        }
    }

    fn run_until(&self, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            let seen = self.payments.outbox_generation();
            match self.step() {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "webhook worker step failed"),
            }
            if !stop.load(Ordering::Relaxed) {
                self.payments.wait_for_events(seen, self.options.poll);
            }
        }
    }

    /// One round of a worker thread: fan out, lease a few deliveries, attempt them.
    /// Whether there was anything to do.
    fn step(&self) -> Result<bool, Error> {
        let dispatched = self.payments.dispatch_events()?;
        let leased = self.payments.lease_deliveries(
            &self.owner,
            self.options.batch.max(1),
            self.options.lease,
        )?;
        for delivery in &leased {
            if let Err(error) = self.attempt(delivery) {
                // The lease runs out and the delivery is tried again: nothing is lost.
                tracing::warn!(%error, delivery = delivery.delivery.id, "webhook attempt not recorded");
            }
        }
        Ok(dispatched > 0 || !leased.is_empty())
    }

    /// POSTs one event and records what happened.
    fn attempt(&self, leased: &LeasedDelivery) -> Result<DeliveryStatus, Error> {
        let event = &leased.event;
        let (payment, method) = self.payments.payment_with_method(event.payment_id)?;
        let body = json!({
            "id": event.id,
            "type": event.event_type.as_str(),
            "createdAt": Timestamp(event.created_at),
            "paymentVersion": event.payment_version,
            "payment": PaymentDocument::of(payment, method.as_ref()),
        });
        let bytes = serde_json::to_vec(&body).map_err(|e| Error::Internal(e.to_string()))?;
        let attempted_at = self.payments.now_for_webhooks();
        let signature = sign(&leased.secret, attempted_at.timestamp(), &bytes);
        let started = Instant::now();
        let response = self
            .agent
            .post(&leased.url)
            .set("Content-Type", "application/json")
            .set("Webhook-Id", &event.id.to_string())
            .set(SIGNATURE_HEADER, &signature)
            .send_bytes(&bytes);
        let (status_code, error) = match response {
            Ok(answer) => (Some(answer.status()), None),
            Err(ureq::Error::Status(code, _)) => (Some(code), None),
            Err(ureq::Error::Transport(transport)) => (None, Some(transport.to_string())),
        };
        let result = AttemptResult {
            attempted_at,
            status_code,
            error,
            duration: started.elapsed(),
        };
        let jitter = rand::random_range(0..=MAX_JITTER_PERMILLE);
        let delivery = self.payments.record_attempt(leased, &result, jitter)?;
        tracing::info!(
            delivery = delivery.id,
            event = event.id,
            status = ?result.status_code,
            outcome = delivery.status.as_str(),
            "webhook attempt"
        );
        Ok(delivery.status)
    }
}

/// The running worker's threads; stopping (or dropping) the handle ends them after their
/// current attempt.
pub struct WorkerHandle {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    payments: Payments,
}

impl WorkerHandle {
    /// Stops the threads and waits for them.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.payments.wake_webhook_worker();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.halt();
    }
}
