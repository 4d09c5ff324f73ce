//! `ApiError`: the one error type of the HTTP layer; 4xx carry a clear message, 5xx are logged and kept generic.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    /// The request is wrong; the message says how.
    BadRequest(String),
    NotFound(String),
    /// Something failed on our side; the detail goes to the log, not to the client.
    Internal(String),
    /// Busy or too slow: `503` with `Retry-After` (seconds); the client may try again.
    Unavailable {
        message: String,
        retry_after_secs: u32,
    },
}

impl ApiError {
    pub fn bad(message: impl Into<String>) -> Self {
        ApiError::BadRequest(message.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_string())
            }
            ApiError::Unavailable { message, retry_after_secs } => {
                let retry = [(header::RETRY_AFTER, retry_after_secs.to_string())];
                return (StatusCode::SERVICE_UNAVAILABLE, retry, Json(json!({ "error": message }))).into_response();
            }
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}
