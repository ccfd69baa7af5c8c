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
    /// The record already exists (409).
    #[error("conflict")]
    Conflict(String),
    /// No credential, or one that is unknown or revoked (401).
    #[error("unauthorized")]
    Unauthorized(String),
    /// A valid credential that does not allow this (403).
    #[error("forbidden")]
    Forbidden(String),
    #[error("request too large")]
    TooLarge(String),
    /// A body in a format the route does not read (415).
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
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

/// The envelope with one message and any status: for refusals made before a handler runs
/// (wrong method, body or URL too large, timeout), so that they read like the handlers' own.
pub fn envelope(status: StatusCode, detail: impl Into<String>) -> Response {
    (
        status,
        Json(Envelope {
            errors: &[FieldError {
                field: None,
                detail: detail.into(),
            }],
        }),
    )
        .into_response()
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
            Self::Unauthorized(d) => {
                let mut res = (
                    StatusCode::UNAUTHORIZED,
                    Json(Envelope {
                        errors: &[FieldError {
                            field: None,
                            detail: d,
                        }],
                    }),
                )
                    .into_response();
                res.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer realm=\"relais\""),
                );
                return res;
            }
            Self::Conflict(d) => (
                StatusCode::CONFLICT,
                vec![FieldError {
                    field: None,
                    detail: d,
                }],
            ),
            Self::Forbidden(d) => (
                StatusCode::FORBIDDEN,
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
            Self::UnsupportedMediaType(d) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
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
