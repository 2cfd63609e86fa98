#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// The OpenAPI document is one large `serde_json::json!` literal.
#![recursion_limit = "512"]
#![warn(missing_docs)]

pub mod domain;
#[cfg(feature = "http")]
pub mod events;
#[cfg(feature = "http")]
pub mod http;
mod service;
mod store;

pub use domain::*;
pub use service::{
    AttemptResult, CreatedSubscription, DemoData, Error, IssuedToken, LeasedDelivery, MAX_BATCH,
    Options, PaymentCreation, Payments, TOKEN_CACHE_TTL,
};
pub use store::{Backend, PoolOptions};
