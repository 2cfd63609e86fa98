//! The HTTP API through actix's test service: every endpoint, every error, auth, links.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod support;

mod auth;
mod catalog;
mod checkout;
mod errors;
mod listing;
mod openapi;
mod orders;
mod payments;
mod seed_shapes;
