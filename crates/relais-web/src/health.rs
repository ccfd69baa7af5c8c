//! `GET /healthz` (the process answers), `GET /readyz` (database reachable and index loaded),
//! `GET /metrics` (Prometheus text: per-route counters and the journal's head, which are not for
//! everyone: on its own listener, behind a bearer token, or both — see [`MetricsAccess`]).

use std::fmt::Write;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::state::AppState;

/// Who may read `/metrics`.
#[derive(Clone, Default)]
pub struct MetricsAccess {
    /// A bearer token that the scraper must send (`Authorization: Bearer …`); `None`: whoever
    /// reaches the listener that serves `/metrics` reads it.
    pub token: Option<String>,
    /// `/metrics` is served on a listener of its own ([`metrics_router`]): the main one
    /// answers 404 for it.
    pub separate: bool,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsAccess")
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("separate", &self.separate)
            .finish()
    }
}

impl MetricsAccess {
    /// Whether `headers` carry the token (any, when none is required). Both sides are hashed
    /// before a constant-time comparison, so that neither the content nor the length of the
    /// token shows in the time taken.
    fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.token else {
            return true;
        };
        let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::api::write::bearer_token)
        else {
            return false;
        };
        let given = Sha256::digest(given.as_bytes());
        let expected = Sha256::digest(expected.as_bytes());
        given.ct_eq(&expected).into()
    }
}

/// The routes of this resource on the main listener (`/metrics` unless it has its own).
pub fn router(separate_metrics: bool) -> Router<AppState> {
    let r = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if separate_metrics {
        r
    } else {
        r.merge(metrics_routes())
    }
}

/// `/metrics` alone, for a listener of its own (`crate::metrics_router`).
pub fn metrics_routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if !state.is_ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "index not loaded\n".to_owned(),
        );
    }
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            format!("ready: {} services\n", state.index().len()),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unreachable\n".to_owned(),
            )
        }
    }
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !state.metrics_access.allows(&headers) {
        let mut res = (StatusCode::UNAUTHORIZED, "metrics token required\n").into_response();
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return res;
    }
    let mut out = String::with_capacity(4096);
    state.metrics.render(&mut out);
    let stats = state.index().stats();
    let now = state.now();
    let gauges: [(&str, &str, i64); 6] = [
        (
            "relais_index_services",
            "Services in the search index.",
            stats.services as i64,
        ),
        (
            "relais_index_terms",
            "Distinct terms in the search index.",
            stats.terms as i64,
        ),
        (
            "relais_index_age_seconds",
            "Time since the index was last brought up to date with the store (grows only while syncing fails).",
            (now - state.synced_at()).num_seconds().max(0),
        ),
        (
            "relais_index_built_timestamp_seconds",
            "When the index was built from the store (Unix time).",
            stats.built_at.timestamp(),
        ),
        (
            "relais_index_hours_window_age_seconds",
            "Time since the start of the window of precomputed opening hours.",
            (now - stats.window_start).num_seconds().max(0),
        ),
        (
            "relais_index_applied_change_seq",
            "Last change sequence of the store applied to the index.",
            state.applied_seq(),
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    }
    // The journal's head, so that a monitoring system keeps a history of it: a tail cut later
    // is caught by `relais audit verify --expect-head HASH` with an earlier value.
    match state.store.journal_head().await {
        Ok(head) => {
            let (count, hash) =
                head.unwrap_or_else(|| (0, relais_domain::journal::GENESIS.to_owned()));
            let _ = writeln!(
                out,
                "# HELP relais_journal_events Events in the audit journal.\n# TYPE relais_journal_events gauge\nrelais_journal_events {count}\n# HELP relais_journal_head_info Hash of the journal's last event (check later with relais audit verify --expect-head).\n# TYPE relais_journal_head_info gauge\nrelais_journal_head_info{{hash=\"{hash}\"}} 1"
            );
        }
        Err(e) => tracing::warn!(error = %e, "metrics: journal head unavailable"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
