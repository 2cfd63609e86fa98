//! The runnable server: the `/api/v1` routes over a SQLite file (or PostgreSQL).
//!
//! `cargo run --release --example server`; configured by environment variables:
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | `storefront-payments.db` | a SQLite path, or a `postgres://` URL (build with `--features postgres`) |
//! | `BIND_ADDR` | `127.0.0.1:8080` | the address to listen on |
//! | `API_TOKEN` | none | registered as a write token at start; when unset, a random write token is created and printed once |
//! | `DEMO_PAYMENTS` | none | when the database has no payments, load this many demo orders with payments |
//! | `WORKERS` | the number of cores | HTTP worker threads |
//! | `RUST_LOG` | `info` | the log filter (request logs at `info`) |
//! | `WEBHOOK_THREADS` | `4` | threads delivering webhooks; `0` runs no delivery worker (another instance may) |
//! | `BENCH_ROUTES` | unset | `1` adds `GET /bench/fixed/{bytes}`: a fixed body of that size, without database or token, the ceiling of the HTTP stack for load tests |

use std::io;
use std::time::Instant;

use actix_web::{App, HttpServer, middleware, web};
use indicatif::{ProgressBar, ProgressStyle};
use storefront_payments::events::{WebhookOptions, WebhookWorker};
use storefront_payments::{PaymentQuery, Payments, TokenScope, http};
use tracing_subscriber::EnvFilter;

fn main() -> io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "storefront-payments.db".to_owned());
    let bind = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let payments = Payments::open(&url).map_err(failed("open the database"))?;
    tracing::info!(backend = ?payments.backend(), "database ready");

    register_token(&payments)?;
    if let Some(count) = demo_payments()? {
        load_demo(&payments, count)?;
    }

    let workers = std::env::var("WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(num_cpus);
    let bench_routes = std::env::var("BENCH_ROUTES").is_ok_and(|v| v == "1");
    let webhook_threads = std::env::var("WEBHOOK_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(4);
    let webhooks = (webhook_threads > 0).then(|| {
        let options = WebhookOptions {
            threads: webhook_threads,
            ..WebhookOptions::default()
        };
        WebhookWorker::new(payments.clone(), options).start()
    });
    let data = web::Data::new(payments);
    tracing::info!(%bind, workers, "serving /api/v1 (Ctrl-C or SIGTERM stops gracefully)");
    actix_web::rt::System::new().block_on(
        HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(middleware::from_fn(http::log_request))
                .configure(|cfg| {
                    if bench_routes {
                        cfg.route("/bench/fixed/{bytes}", web::get().to(fixed_body));
                    }
                })
                .configure(http::configure)
                .default_service(web::to(http::not_found))
        })
        .workers(workers)
        .shutdown_timeout(10)
        .bind(&bind)?
        .run(),
    )?;
    if let Some(worker) = webhooks {
        worker.stop();
    }
    tracing::info!("stopped");
    Ok(())
}

/// `API_TOKEN` becomes a write token; without it a random one is issued and printed once.
fn register_token(payments: &Payments) -> io::Result<()> {
    match std::env::var("API_TOKEN") {
        Ok(secret) if !secret.is_empty() => {
            payments
                .register_api_token(&secret, "API_TOKEN", TokenScope::Write)
                .map_err(failed("register API_TOKEN"))?;
            tracing::info!("API_TOKEN registered as a write token");
        }
        _ => {
            let issued = payments
                .create_api_token("server", TokenScope::Write)
                .map_err(failed("create a token"))?;
            // Printed once, on stdout, and never stored: only its hash is.
            println!("API token (write scope, shown once): {}", issued.secret);
        }
    }
    Ok(())
}

fn demo_payments() -> io::Result<Option<u64>> {
    match std::env::var("DEMO_PAYMENTS") {
        Ok(value) if !value.is_empty() => value.replace('_', "").parse().map(Some).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("DEMO_PAYMENTS={value} is not a count"),
            )
        }),
        _ => Ok(None),
    }
}

/// Loads the demo data when the database has no payments yet, with a progress bar.
fn load_demo(payments: &Payments, count: u64) -> io::Result<()> {
    let existing = payments
        .list_payments(&PaymentQuery::default())
        .map_err(failed("count payments"))?
        .total;
    if existing > 0 {
        tracing::info!(
            existing,
            "DEMO_PAYMENTS ignored: the database already has payments"
        );
        return Ok(());
    }
    let bar = ProgressBar::new(count);
    bar.set_style(
        ProgressStyle::with_template(
            "loading demo payments {bar:40} {pos}/{len} ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let loaded = payments
        .load_demo_data(count, |done| bar.set_position(done))
        .map_err(failed("load demo data"))?;
    bar.finish();
    tracing::info!(
        payments = loaded.payments,
        seconds = started.elapsed().as_secs_f64(),
        "demo data loaded"
    );
    Ok(())
}

/// A JSON string body of exactly `bytes` bytes (at most 1 MiB), built per request like a real
/// response but without a database: what the HTTP stack costs on its own.
async fn fixed_body(bytes: web::Path<usize>) -> actix_web::HttpResponse {
    let size = bytes.into_inner().clamp(2, 1 << 20);
    let mut body = vec![b'x'; size];
    body[0] = b'"';
    body[size - 1] = b'"';
    actix_web::HttpResponse::Ok()
        .content_type("application/hal+json")
        .body(body)
}

fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(2)
}

fn failed(what: &'static str) -> impl Fn(storefront_payments::Error) -> io::Error {
    move |error| io::Error::other(format!("cannot {what}: {error}"))
}
