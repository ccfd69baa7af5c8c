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
    let _ = writeln!(
        out,
        "# HELP relais_index_services Services in the search index."
    );
    let _ = writeln!(out, "# TYPE relais_index_services gauge");
    let _ = writeln!(out, "relais_index_services {}", stats.services);
    let _ = writeln!(
        out,
        "# HELP relais_index_terms Distinct terms in the search index."
    );
    let _ = writeln!(out, "# TYPE relais_index_terms gauge");
    let _ = writeln!(out, "relais_index_terms {}", stats.terms);
    let _ = writeln!(
        out,
        "# HELP relais_index_age_seconds Time since the index was last brought up to date with the store (grows only while syncing fails)."
    );
    let _ = writeln!(out, "# TYPE relais_index_age_seconds gauge");
    let _ = writeln!(
        out,
        "relais_index_age_seconds {}",
        (now - state.synced_at()).num_seconds().max(0)
    );
    let _ = writeln!(
        out,
        "# HELP relais_index_built_timestamp_seconds When the index was built from the store (Unix time)."
    );
    let _ = writeln!(out, "# TYPE relais_index_built_timestamp_seconds gauge");
    let _ = writeln!(
        out,
        "relais_index_built_timestamp_seconds {}",
        stats.built_at.timestamp()
    );
    let _ = writeln!(
        out,
        "# HELP relais_index_hours_window_age_seconds Time since the start of the window of precomputed opening hours."
    );
    let _ = writeln!(out, "# TYPE relais_index_hours_window_age_seconds gauge");
    let _ = writeln!(
        out,
        "relais_index_hours_window_age_seconds {}",
        (now - stats.window_start).num_seconds().max(0)
    );
    let _ = writeln!(
        out,
        "# HELP relais_index_applied_change_seq Last change sequence of the store applied to the index."
    );
    let _ = writeln!(out, "# TYPE relais_index_applied_change_seq gauge");
    let _ = writeln!(
        out,
        "relais_index_applied_change_seq {}",
        state.applied_seq()
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}
