//! The `Payments` handle: every use case, each composed from store calls in one transaction.

mod channels;
mod creation;
mod demo;
mod error;
mod methods;
mod orders;
mod payments;
mod quotes;
mod signal;
mod token_cache;
mod tokens;
mod webhooks;

pub use creation::{MAX_BATCH, PaymentCreation};
pub use demo::DemoData;
pub use error::Error;
pub use token_cache::TOKEN_CACHE_TTL;
pub use tokens::IssuedToken;
pub use webhooks::{AttemptResult, CreatedSubscription, LeasedDelivery};

use std::sync::Arc;

use crate::domain::{Clock, SystemClock};
use crate::store::{self, Backend, DbConnection, Pool, PoolOptions, StoreError};

/// Settings of [`Payments::open_with`].
#[derive(Clone)]
pub struct Options {
    /// How long a payment quote stays usable (default 15 minutes).
    pub quote_ttl: chrono::TimeDelta,
    /// Connection pool settings.
    pub pool: PoolOptions,
    /// The source of every timestamp written (inject a [`crate::FixedClock`] in tests).
    pub clock: Arc<dyn Clock>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            pool: PoolOptions::default(),
            clock: Arc::new(SystemClock),
            quote_ttl: chrono::TimeDelta::minutes(15),
        }
    }
}

/// The payments module: a cheap-to-clone handle over a connection pool, on SQLite or
/// PostgreSQL. Every method is blocking; call it from `spawn_blocking`/`web::block` in async
/// code.
#[derive(Clone)]
pub struct Payments {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    backend: Backend,
    clock: Arc<dyn Clock>,
    tokens: token_cache::TokenCache,
    quote_ttl: chrono::TimeDelta,
    outbox: signal::OutboxSignal,
}

impl Payments {
    /// Opens the store at `url` and applies pending migrations: `postgres://…` or
    /// `postgresql://…` is PostgreSQL, anything else a SQLite path (`:memory:` included).
    pub fn open(url: &str) -> Result<Self, Error> {
        Self::open_with(url, Options::default())
    }

    /// [`Payments::open`] with explicit settings.
    pub fn open_with(url: &str, options: Options) -> Result<Self, Error> {
        let (pool, backend) = store::open_pool(url, &options.pool)?;
        Ok(Payments {
            inner: Arc::new(Inner {
                pool,
                backend,
                clock: options.clock,
                tokens: Default::default(),
                quote_ttl: options.quote_ttl,
                outbox: Default::default(),
            }),
        })
    }

    /// The backend the URL selected.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// A connection of the pool, for work that spans several transactions.
    fn connection<E: From<StoreError>>(&self) -> Result<store::PooledConnection, E> {
        self.inner
            .pool
            .get()
            .map_err(|e| E::from(StoreError::from(e)))
    }

    /// Runs `work` in a write transaction on a pooled connection.
    fn write<T, E: From<StoreError>>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        store::write_transaction(&mut *self.connection()?, work)
    }

    /// Runs `work` in a read-only transaction on a pooled connection.
    fn read<T, E: From<StoreError>>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        store::read_transaction(&mut *self.connection()?, work)
    }
}

/// Runs `attempt` again once when it fails on a unique index over `column`: the racing
/// writer that won has committed by then, so the second attempt finds its row and takes
/// the "already exists" path (a replay, an update) instead of inserting.
fn retry_on_unique<T>(
    column: &str,
    mut attempt: impl FnMut() -> Result<T, Attempt>,
) -> Result<T, Error> {
    match attempt() {
        Err(Attempt::Store(e)) if e.is_unique_violation_on(column) => {
            attempt().map_err(Error::from)
        }
        other => other.map_err(Error::from),
    }
}

/// The error of one attempt of a retried write: the store's error is kept whole so
/// [`retry_on_unique`] can see which index was hit.
enum Attempt {
    Store(StoreError),
    Service(Error),
}

impl From<StoreError> for Attempt {
    fn from(error: StoreError) -> Self {
        Attempt::Store(error)
    }
}

impl From<Error> for Attempt {
    fn from(error: Error) -> Self {
        Attempt::Service(error)
    }
}

impl From<crate::domain::Error> for Attempt {
    fn from(error: crate::domain::Error) -> Self {
        Attempt::Service(error.into())
    }
}

impl From<Attempt> for Error {
    fn from(attempt: Attempt) -> Self {
        match attempt {
            Attempt::Store(e) => e.into(),
            Attempt::Service(e) => e,
        }
    }
}
