//! The HTTP layer of Relais: one router per resource, merged here so that every route can be
//! read top to bottom; a metrics layer; limits on requests.

pub mod api;
pub mod error;
pub mod health;
pub mod mail;
pub mod metrics;
pub mod pages;
pub mod params;
pub mod pro;
pub mod state;
pub mod views;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

pub use state::{AppState, Clock};

/// Largest request body accepted (the API takes no large uploads).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router())
        .merge(pro::router())
        .merge(health::router(state.metrics_access.separate))
        .merge(api::router())
        .route("/favicon.ico", get(no_favicon))
        .fallback(pages::fallback)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        // Pages, JSON and CSS are compressed (gzip or brotli, as the client accepts) at the
        // fastest level: a results page is 4.1 KB instead of 3.7 KB gzipped, for half the CPU
        // (BENCHMARKS.md), and both are far below the 14 KB budget.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(middleware::from_fn(limit_uri))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

/// The whole of the metrics listener (`relais serve --metrics-addr`): `/metrics` and nothing
/// else.
pub fn metrics_router(state: AppState) -> Router {
    health::metrics_routes()
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(state)
}

/// Browsers ask for `/favicon.ico` on every site: answer "nothing" once, cached for a day.
async fn no_favicon() -> impl IntoResponse {
    (
        StatusCode::NO_CONTENT,
        [(header::CACHE_CONTROL, "public, max-age=86400")],
    )
}

/// Refuses over-long URLs before any parsing.
async fn limit_uri(req: Request, next: Next) -> Response {
    if req.uri().to_string().len() > params::MAX_QUERY_BYTES + 512 {
        return (StatusCode::URI_TOO_LONG, "URL trop longue\n").into_response();
    }
    next.run(req).await
}

/// Records each request's route, status and latency; adds headers every answer needs.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    // Only standard methods become label values: arbitrary ones must not create series.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m.to_owned(),
        _ => "other".to_owned(),
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let mut res = next.run(req).await;
    state
        .metrics
        .observe(&method, &route, res.status().as_u16(), start.elapsed());
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    if state.pro.tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // Geolocation only for our own "near me" button; nothing else.
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(
            "geolocation=(self), camera=(), microphone=(), payment=(), usb=()",
        ),
    );
    res
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    // The peer address reaches handlers (sign-in throttling per IP, the journal's `ip`).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
