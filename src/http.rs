//! `/metrics`, `/healthz` and `/readyz`, and the readiness they report.
//!
//! Readiness means "consuming normally": it is down until jaga has joined its consumer group
//! (its first assignment restored), and while it restores partition state,
//! retries a broker error (consumption is paused meanwhile) or drains on shutdown, so an operator
//! (or a Kubernetes probe) sees a stuck processor without reading logs. `/healthz` only says the
//! process is alive.

use crate::metrics::Metrics;
use crate::pipeline::PipelineError;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Default)]
struct Flags {
    /// What was last published, to log changes.
    published: AtomicBool,
    consuming: AtomicBool,
    draining: AtomicBool,
    restoring: AtomicUsize,
    retrying: AtomicUsize,
}

/// Readiness as served by `/readyz` (and the `jaga_ready` gauge).
#[derive(Clone)]
pub struct Health {
    flags: Arc<Flags>,
    metrics: Metrics,
}

impl Health {
    pub fn new(metrics: Metrics) -> Self {
        let h = Health { flags: Arc::default(), metrics };
        h.publish();
        h
    }

    /// True while consuming normally.
    pub fn is_ready(&self) -> bool {
        let f = &self.flags;
        f.consuming.load(Ordering::Relaxed)
            && !f.draining.load(Ordering::Relaxed)
            && f.restoring.load(Ordering::Relaxed) == 0
            && f.retrying.load(Ordering::Relaxed) == 0
    }

    pub fn set_consuming(&self, on: bool) {
        self.flags.consuming.store(on, Ordering::Relaxed);
        self.publish();
    }

    pub fn set_draining(&self) {
        self.flags.draining.store(true, Ordering::Relaxed);
        self.publish();
    }

    /// Partitions whose state is being restored.
    pub fn set_restoring(&self, partitions: usize) {
        self.flags.restoring.store(partitions, Ordering::Relaxed);
        self.publish();
    }

    /// Marks a retry in progress until the guard is dropped.
    pub fn retrying(&self) -> RetryGuard {
        self.flags.retrying.fetch_add(1, Ordering::Relaxed);
        self.publish();
        RetryGuard(self.clone())
    }

    fn publish(&self) {
        let ready = self.is_ready();
        self.metrics.ready.set(i64::from(ready));
        if self.flags.published.swap(ready, Ordering::Relaxed) != ready {
            let f = &self.flags;
            tracing::info!(
                ready,
                consuming = f.consuming.load(Ordering::Relaxed),
                restoring = f.restoring.load(Ordering::Relaxed),
                retrying = f.retrying.load(Ordering::Relaxed),
                draining = f.draining.load(Ordering::Relaxed),
                "Readiness changed."
            );
        }
    }
}

/// See [`Health::retrying`].
pub struct RetryGuard(Health);

impl Drop for RetryGuard {
    fn drop(&mut self) {
        self.0.flags.retrying.fetch_sub(1, Ordering::Relaxed);
        self.0.publish();
    }
}

/// Binds `addr` now (so a port clash fails start-up loudly) and serves the endpoints in the
/// background until the process ends.
pub fn spawn(addr: &str, metrics: Metrics, health: Health) -> Result<(), PipelineError> {
    let listener = std::net::TcpListener::bind(addr)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|source| PipelineError::Listener { addr: addr.to_owned(), source })?;
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|source| PipelineError::Listener { addr: addr.to_owned(), source })?;
    let addr = addr.to_owned();
    tokio::spawn(async move {
        tracing::info!(addr, "Serving /metrics, /healthz and /readyz.");
        if let Err(e) = axum::serve(listener, router(metrics, health)).await {
            tracing::error!(error = %e, addr, "Metrics listener stopped.");
        }
    });
    Ok(())
}

fn router(metrics: Metrics, health: Health) -> axum::Router {
    use axum::{http::StatusCode, routing::get, Router};
    Router::new()
        .route(
            "/metrics",
            get(move || {
                let m = metrics.clone();
                async move { ([("content-type", "text/plain; version=0.0.4")], m.render()) }
            }),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || {
                let ready = health.is_ready();
                async move {
                    if ready {
                        (StatusCode::OK, "ready\n")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
                    }
                }
            }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_needs_consuming_and_nothing_in_the_way() {
        let m = Metrics::new();
        let h = Health::new(m.clone());
        assert!(!h.is_ready(), "not ready before consuming");
        h.set_consuming(true);
        assert!(h.is_ready());
        assert_eq!(m.ready.get(), 1);
        h.set_restoring(2);
        assert!(!h.is_ready());
        h.set_restoring(0);
        {
            let _a = h.retrying();
            let _b = h.retrying();
            assert!(!h.is_ready());
            assert_eq!(m.ready.get(), 0);
        }
        assert!(h.is_ready(), "ready again once every retry ended");
        h.set_draining();
        assert!(!h.is_ready());
    }
}
