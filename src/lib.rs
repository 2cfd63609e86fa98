#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod domain;
mod service;
mod store;

pub use domain::*;
pub use service::{Error, Options, PaymentCreation, Payments};
pub use store::{Backend, PoolOptions};
