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
mod serve;
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

pub use serve::{ConnLimits, serve_until};
pub use state::{AppState, Clock};

use pages::i18n::Locale;

/// Largest request body accepted (the API takes no large uploads).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Most request headers accepted (431 beyond).
pub const MAX_HEADERS: usize = 100;
/// Largest total size of the request headers, names and values (431 beyond).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

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
        .layer(middleware::from_fn_with_state(state.clone(), finish))
        .with_state(state)
}

/// The whole of the metrics listener (`relais serve --metrics-addr`): `/metrics` and nothing
/// else, with the same headers and error answers as the main one.
pub fn metrics_router(state: AppState) -> Router {
    health::metrics_routes()
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(middleware::from_fn_with_state(state.clone(), finish))
        .with_state(state)
}

/// Browsers ask for `/favicon.ico` on every site: answer "nothing" once, cached for a day.
async fn no_favicon() -> impl IntoResponse {
    (
        StatusCode::NO_CONTENT,
        [(header::CACHE_CONTROL, "public, max-age=86400")],
    )
}

/// Refuses over-long URLs before any parsing ([`finish`] writes the answer).
async fn limit_uri(req: Request, next: Next) -> Response {
    if req.uri().to_string().len() > params::MAX_QUERY_BYTES + 512 {
        return StatusCode::URI_TOO_LONG.into_response();
    }
    next.run(req).await
}

/// Where a request is going, for the form of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// `/api/…`: the JSON envelope.
    Api,
    /// `/healthz`, `/readyz`, `/metrics`: plain text for machines.
    Probe,
    /// Everything else: the pages' design.
    Person(Locale),
}

impl Audience {
    fn of(req: &Request) -> Self {
        let path = req.uri().path();
        if path == "/api" || path.starts_with("/api/") {
            return Self::Api;
        }
        if matches!(path, "/healthz" | "/readyz" | "/metrics") {
            return Self::Probe;
        }
        let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
        Self::Person(Locale::negotiate(
            req.uri().query(),
            header(header::COOKIE),
            header(header::ACCEPT_LANGUAGE),
        ))
    }

    /// Whether an error answer already has the form this audience reads.
    fn reads(self, res: &Response) -> bool {
        let Some(ct) = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        match self {
            Self::Api => ct.starts_with("application/json"),
            Self::Probe => true,
            Self::Person(_) => ct.starts_with("text/html"),
        }
    }

    /// The answer with `status` in this audience's form.
    fn refusal(self, status: StatusCode) -> Response {
        match self {
            Self::Api | Self::Probe => error::envelope(status, api_refusal(status)),
            Self::Person(locale) => pages::refused(locale, status),
        }
    }
}

/// What a refusal made before any handler means, in the API's words.
fn api_refusal(status: StatusCode) -> String {
    match status.as_u16() {
        400 => "requête mal formée".into(),
        404 => "cette adresse d'API n'existe pas ; voir /api/v1/openapi.json".into(),
        405 => "méthode non permise sur cette adresse (voir l'en-tête Allow)".into(),
        408 => format!("la requête a pris plus de {} s", REQUEST_TIMEOUT.as_secs()),
        413 => format!("corps trop grand : {} Kio au plus", MAX_BODY_BYTES / 1024),
        414 => "URL trop longue".into(),
        415 => "type de contenu non pris en charge".into(),
        422 => "corps illisible".into(),
        431 => format!(
            "en-têtes trop grands : {MAX_HEADERS} au plus, {} Kio en tout",
            MAX_HEADER_BYTES / 1024
        ),
        _ => status
            .canonical_reason()
            .unwrap_or("requête refusée")
            .to_owned(),
    }
}

/// The last word on every answer, whoever made it — a handler, the router (405), the body
/// limit (413), the timeout (408), the URL limit (414), an extractor (415, 422): an error keeps
/// the JSON envelope under `/api` and the pages' design elsewhere (their own headers, such as
/// `Allow`, kept), and every answer carries the security headers. Headers too many or too
/// large are refused here (431) so that the refusal has both too.
async fn finish(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let audience = Audience::of(&req);
    let headers = req.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    let mut res = if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        audience.refusal(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
    } else {
        next.run(req).await
    };
    let status = res.status();
    if (status.is_client_error() || status.is_server_error()) && !audience.reads(&res) {
        let mut shaped = audience.refusal(status);
        for (name, value) in res.headers() {
            if !matches!(
                *name,
                header::CONTENT_TYPE | header::CONTENT_LENGTH | header::CONTENT_ENCODING
            ) {
                shaped.headers_mut().insert(name, value.clone());
            }
        }
        res = shaped;
    }
    security_headers(res.headers_mut(), state.pro.tls);
    res
}

/// Headers every answer needs, pages or not.
fn security_headers(h: &mut axum::http::HeaderMap, tls: bool) {
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
    if tls {
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
}

/// Records each request's route, status and latency.
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
    let res = next.run(req).await;
    state
        .metrics
        .observe(&method, &route, res.status().as_u16(), start.elapsed());
    res
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM, with `limits` on connections.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ConnLimits,
) -> std::io::Result<()> {
    serve_until(listener, app, limits, shutdown_signal()).await
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
