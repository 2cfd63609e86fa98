//! A short-lived memory of token look-ups, so a busy API does not read the tokens table
//! on every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::ApiToken;

/// How long an answer is reused. A token revoked by another process (another app instance
/// on the same PostgreSQL) stops working within this time; one revoked through this
/// handle stops at once.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);
/// Entries kept at most; the memory is cleared when full (unknown tokens are cached too,
/// so a flood of guesses cannot grow it without bound).
const CAPACITY: usize = 4096;

/// Token hash → (the live token or `None`, when looked up).
#[derive(Default)]
pub(super) struct TokenCache(Mutex<HashMap<String, (Option<ApiToken>, Instant)>>);

impl TokenCache {
    /// The remembered answer for this hash, if still fresh.
    pub(super) fn get(&self, hash: &str) -> Option<Option<ApiToken>> {
        let entries = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < TOKEN_CACHE_TTL)
            .map(|(token, _)| token.clone())
    }

    pub(super) fn put(&self, hash: String, token: Option<ApiToken>) {
        let mut entries = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(hash, (token, Instant::now()));
    }

    /// Forgets everything: after a token is created, registered or revoked here.
    pub(super) fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}
