//! One error type for the API that knows how to answer: a JSON envelope
//! `{"errors":[{"field":…,"detail":…}]}` with a status a client can act on. Internal errors are
//! logged with their cause and answered with an opaque 500 carrying a request id.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One problem with a request, tied to the field (query parameter) it concerns.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    pub field: Option<String>,
    pub detail: String,
}

/// What the API answers when it cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is understood but its values are wrong (422).
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// The request is malformed (400).
    #[error("bad request")]
    BadRequest(Vec<FieldError>),
    #[error("not found")]
    NotFound(String),
    #[error("request too large")]
    TooLarge(String),
    #[error("service unavailable")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 for one field.
    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: Some(field.to_owned()),
            detail: detail.into(),
        }])
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    errors: &'a [FieldError],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, errors) = match self {
            Self::Invalid(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
            Self::BadRequest(e) => (StatusCode::BAD_REQUEST, e),
            Self::NotFound(d) => (
                StatusCode::NOT_FOUND,
                vec![FieldError {
                    field: None,
                    detail: d,
                }],
            ),
            Self::TooLarge(d) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                vec![FieldError {
                    field: None,
                    detail: d,
                }],
            ),
            Self::Unavailable(d) => (
                StatusCode::SERVICE_UNAVAILABLE,
                vec![FieldError {
                    field: None,
                    detail: d,
                }],
            ),
            Self::Internal(e) => {
                let id = uuid::Uuid::new_v4();
                tracing::error!(request_error_id = %id, error = ?e, "internal error");
                let detail = format!("erreur interne ; référence {id}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    vec![FieldError {
                        field: None,
                        detail,
                    }],
                )
            }
        };
        (status, Json(Envelope { errors: &errors })).into_response()
    }
}
