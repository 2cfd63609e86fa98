//! Payment events on their way out: the webhook delivery worker and the signatures that
//! let a receiver trust what it gets (feature `http`).

mod signature;
mod worker;

pub use signature::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, SignatureError, sign, verify_signature};
pub use worker::{RunReport, WebhookOptions, WebhookWorker, WorkerHandle};
