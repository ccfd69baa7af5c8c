//! `GET /healthz` (the process answers), `GET /readyz` (database reachable and index loaded),
//! `GET /metrics` (Prometheus text).

use std::fmt::Write;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
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

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
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
}
