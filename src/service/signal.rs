//! Wakes the webhook worker when a commit wrote outbox events, so the first delivery
//! attempt follows within moments instead of at the next poll.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// A generation counter and a condition variable: writers bump it, the worker waits for
/// it to move.
#[derive(Default)]
pub(super) struct OutboxSignal {
    generation: Mutex<u64>,
    changed: Condvar,
}

impl OutboxSignal {
    pub(super) fn notify(&self) {
        let mut generation = self
            .generation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *generation = generation.wrapping_add(1);
        self.changed.notify_all();
    }

    pub(super) fn current(&self) -> u64 {
        *self
            .generation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until the generation moves past `seen` or `timeout` passes.
    pub(super) fn wait(&self, seen: u64, timeout: Duration) {
        let generation = self
            .generation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = self
            .changed
            .wait_timeout_while(generation, timeout, |generation| *generation == seen)
            .map_err(|poisoned| poisoned.into_inner());
    }
}
