//! Opening stores: backend choice from the URL, in-memory SQLite, reopening, bad URLs.

mod common;

use storefront_payments::{Backend, Error, NewChannel, Payments};

#[test]
fn an_in_memory_database_keeps_its_data_between_calls() {
    let payments = Payments::open(":memory:").expect("open :memory:");
    assert_eq!(payments.backend(), Backend::Sqlite);
    payments
        .create_channel(&NewChannel::new("MEM", "Memory", "EUR"))
        .expect("create");
    // Many calls, each on a pooled connection: the one connection must be the same.
    for _ in 0..20 {
        assert_eq!(
            payments.channel("MEM").map(|c| c.code),
            Ok("MEM".to_owned())
        );
    }
}

#[test]
fn reopening_a_file_keeps_its_data_and_applies_no_migration_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let url = path.to_string_lossy().into_owned();
    Payments::open(&url)
        .expect("first open")
        .create_channel(&NewChannel::new("A", "A", "EUR"))
        .expect("create");
    let reopened = Payments::open(&url).expect("second open");
    assert_eq!(reopened.channels().map(|c| c.len()), Ok(1));
}

#[test]
fn a_postgres_url_never_falls_back_to_a_sqlite_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let previous = std::env::current_dir().expect("cwd");
    // Relative SQLite paths resolve against the working directory: watch an empty one.
    std::env::set_current_dir(dir.path()).expect("chdir");
    let result = Payments::open("postgres://nobody@127.0.0.1:1/none");
    std::env::set_current_dir(previous).expect("chdir back");
    let error = result.err().expect("no server listens on port 1");
    assert!(
        matches!(error, Error::Unavailable(_) | Error::Config(_)),
        "{error:?}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "no file was created"
    );
}

#[test]
fn an_unwritable_sqlite_path_is_an_error_not_a_panic() {
    let result = Payments::open("/nonexistent-dir/for/sure/payments.db");
    assert!(result.is_err());
}
