//! The JSON API, version 1.

pub mod hours;
pub mod services;
pub mod write;

use axum::Router;
use axum::http::header;
use axum::routing::get;

use crate::error::ApiError;
use crate::state::AppState;

/// The OpenAPI 3.1 description of the API (hand-written, checked by a test against the routes).
pub const OPENAPI: &str = include_str!("openapi.json");

/// Every `/api/v1` route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(services::router())
        .merge(hours::router())
        .merge(write::router())
        .route(
            "/api/v1/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        )
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("cette adresse d'API n'existe pas ; voir /api/v1/openapi.json".into())
}
