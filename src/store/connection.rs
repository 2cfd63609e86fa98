//! Backend selection from the URL, the r2d2 pool, migrations and transactions.

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::R2D2Connection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

use super::{StoreError, StoreResult};

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("enable at least one backend feature: `sqlite` or `postgres`");

/// A connection to either backend; every query of the crate is written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    #[cfg(feature = "postgres")]
    Postgres(diesel::PgConnection),
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::SqliteConnection),
}

/// Which database a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite: a file path or `:memory:`.
    Sqlite,
    /// PostgreSQL: a `postgres://` or `postgresql://` URL.
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` URLs are PostgreSQL; anything else is a SQLite path
    /// (`:memory:` included).
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[cfg(feature = "sqlite")]
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite writer waits for the lock before giving up with "busy".
#[cfg(feature = "sqlite")]
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Opens connections of the backend chosen from the URL. We do not let diesel guess: its
/// generic `establish` tries each backend in turn, and a PostgreSQL URL that fails to
/// connect would fall through to SQLite and create a file named like the URL.
#[derive(Debug)]
pub struct ConnectionFactory {
    backend: Backend,
    url: String,
}

impl r2d2::ManageConnection for ConnectionFactory {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(&self.url)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // busy_timeout first, so switching to WAL waits for other openers.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA wal_autocheckpoint = 10000;"
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => diesel::PgConnection::establish(&self.url)
                .map(DbConnection::Postgres)
                .map_err(diesel::r2d2::Error::ConnectionError),
            #[allow(unreachable_patterns)]
            other => Err(diesel::r2d2::Error::ConnectionError(
                diesel::ConnectionError::BadConnection(format!(
                    "backend {other:?} is not compiled in"
                )),
            )),
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// The connection pool type.
pub type Pool = r2d2::Pool<ConnectionFactory>;
/// A connection checked out of the pool.
pub type PooledConnection = r2d2::PooledConnection<ConnectionFactory>;

/// Pool settings.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// Most connections open at once (default 8; `:memory:` always uses 1).
    pub max_size: u32,
    /// How long a caller waits for a free connection before an "unavailable" error.
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 8,
            connection_timeout: Duration::from_secs(30),
        }
    }
}

/// Builds the pool for `url` and brings the schema up to date.
pub fn open_pool(url: &str, options: &PoolOptions) -> StoreResult<(Pool, Backend)> {
    let backend = Backend::from_url(url);
    check_compiled_in(backend)?;
    let in_memory = backend == Backend::Sqlite && is_in_memory(url);
    let mut builder = r2d2::Pool::builder()
        .max_size(if in_memory {
            1
        } else {
            options.max_size.max(1)
        })
        .connection_timeout(options.connection_timeout)
        // A SQLite connection is a file handle: nothing to test. A PostgreSQL connection can
        // die with the server, so it is checked before use.
        .test_on_check_out(backend == Backend::Postgres);
    if in_memory {
        // The database lives as long as its only connection: never recycle it.
        builder = builder
            .min_idle(Some(1))
            .idle_timeout(None)
            .max_lifetime(None);
    }
    let factory = ConnectionFactory {
        backend,
        url: url.to_owned(),
    };
    // Connect once by hand: a wrong URL or a server that is down fails now, with its own
    // message, instead of after the pool's connection timeout.
    r2d2::ManageConnection::connect(&factory).map_err(|e| {
        StoreError::Unavailable(format!("cannot connect to {}: {e}", redacted(url)))
    })?;
    let pool = builder.build_unchecked(factory);
    // Migrate through the pool: an in-memory database exists only in the pool's connection.
    run_migrations(&mut *pool.get()?)?;
    Ok((pool, backend))
}

fn check_compiled_in(backend: Backend) -> StoreResult<()> {
    let compiled = match backend {
        Backend::Sqlite => cfg!(feature = "sqlite"),
        Backend::Postgres => cfg!(feature = "postgres"),
    };
    if compiled {
        return Ok(());
    }
    let feature = if backend == Backend::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    Err(StoreError::Config(format!(
        "this build has no {backend:?} support; enable the `{feature}` cargo feature"
    )))
}

/// The URL without its password, for error messages.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

fn is_in_memory(url: &str) -> bool {
    url == ":memory:" || url.contains("mode=memory")
}

/// Applies the pending embedded migrations of the connection's backend. On PostgreSQL an
/// advisory lock makes app instances starting together take turns instead of racing.
fn run_migrations(conn: &mut DbConnection) -> StoreResult<()> {
    let migrate = |conn: &mut DbConnection, migrations: EmbeddedMigrations| {
        conn.run_pending_migrations(migrations)
            .map(|_| ())
            .map_err(|e| StoreError::Config(format!("migration failed: {e}")))
    };
    match conn {
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(_) => migrate(conn, SQLITE_MIGRATIONS),
        #[cfg(feature = "postgres")]
        DbConnection::Postgres(_) => {
            const LOCK: &str = "SELECT pg_advisory_lock(7303260815)";
            const UNLOCK: &str = "SELECT pg_advisory_unlock(7303260815)";
            conn.batch_execute(LOCK)?;
            let result = migrate(conn, POSTGRES_MIGRATIONS);
            conn.batch_execute(UNLOCK)?;
            result
        }
    }
}

/// What a transaction does, which decides how it begins.
#[derive(Clone, Copy)]
enum Access {
    Read,
    Write,
}

/// Runs `work` in a transaction that writes. On SQLite it starts with `BEGIN IMMEDIATE`,
/// taking the write lock up front: a deferred transaction that reads first and writes later
/// can fail with SQLITE_BUSY at the upgrade, which the busy timeout does not cover.
pub fn write_transaction<T, E: From<StoreError>>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    run_in_transaction(conn, Access::Write, work)
}

/// Runs `work` in a read-only transaction, so a page and its total come from one snapshot.
pub fn read_transaction<T, E: From<StoreError>>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    run_in_transaction(conn, Access::Read, work)
}

fn run_in_transaction<T, E>(
    conn: &mut DbConnection,
    access: Access,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    match (conn as &mut DbConnection, access) {
        #[cfg(feature = "sqlite")]
        (DbConnection::Sqlite(inner), Access::Read) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN")
        }
        #[cfg(feature = "sqlite")]
        (DbConnection::Sqlite(inner), Access::Write) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
        }
        #[cfg(feature = "postgres")]
        (DbConnection::Postgres(inner), Access::Read) => {
            AnsiTransactionManager::begin_transaction_sql(
                inner,
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            )
        }
        #[cfg(feature = "postgres")]
        (DbConnection::Postgres(inner), Access::Write) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN")
        }
    }
    .map_err(|e| E::from(StoreError::from(e)))?;
    match work(conn) {
        Ok(value) => {
            DbConnection::commit_transaction(conn).map_err(|e| E::from(StoreError::from(e)))?;
            Ok(value)
        }
        Err(error) => {
            // The work's error is what the caller needs; a failed rollback leaves the
            // connection marked broken, and the pool discards it.
            let _ = DbConnection::rollback_transaction(conn);
            Err(error)
        }
    }
}

/// Runs the same diesel expression on whichever inner connection `conn` holds. For the few
/// statements the multi-backend connection cannot express (`ON CONFLICT` upserts) but both
/// backends spell identically: the code is written once and compiled for each backend.
macro_rules! on_each_backend {
    ($conn:expr, |$inner:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            $crate::store::DbConnection::Sqlite($inner) => $body,
            #[cfg(feature = "postgres")]
            $crate::store::DbConnection::Postgres($inner) => $body,
        }
    };
}
pub(crate) use on_each_backend;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_scheme_chooses_the_backend() {
        assert_eq!(Backend::from_url("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::from_url("payments.db"), Backend::Sqlite);
        assert_eq!(Backend::from_url(":memory:"), Backend::Sqlite);
        assert_eq!(Backend::from_url("/var/lib/postgres.db"), Backend::Sqlite);
    }

    #[test]
    fn passwords_never_reach_error_messages() {
        assert_eq!(
            redacted("postgres://shop:s3cret@db:5432/x"),
            "postgres://shop:***@db:5432/x"
        );
        assert_eq!(redacted("postgres://db/x"), "postgres://db/x");
        assert_eq!(redacted("payments.db"), "payments.db");
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout() {
        use diesel::sql_types::{BigInt, Text};
        #[derive(diesel::QueryableByName)]
        struct Mode {
            #[diesel(sql_type = Text)]
            journal_mode: String,
        }
        #[derive(diesel::QueryableByName)]
        struct Flag {
            #[diesel(sql_type = BigInt)]
            value: i64,
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let url = dir.path().join("pragmas.db").to_string_lossy().into_owned();
        let (pool, backend) = open_pool(&url, &PoolOptions::default()).expect("open");
        assert_eq!(backend, Backend::Sqlite);
        let mut conn = pool.get().expect("connection");
        #[allow(irrefutable_let_patterns)] // without the postgres feature there is one variant
        let DbConnection::Sqlite(inner) = &mut *conn else {
            panic!("a SQLite connection")
        };
        use diesel::RunQueryDsl;
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result(inner)
            .expect("journal_mode");
        assert_eq!(mode.journal_mode, "wal");
        let keys: Flag = diesel::sql_query("SELECT foreign_keys AS value FROM pragma_foreign_keys")
            .get_result(inner)
            .expect("fk");
        assert_eq!(keys.value, 1);
        let timeout: Flag = diesel::sql_query("SELECT timeout AS value FROM pragma_busy_timeout")
            .get_result(inner)
            .expect("timeout");
        assert_eq!(timeout.value, i64::from(SQLITE_BUSY_TIMEOUT_MS));
    }
}
