//! The one error type of the HTTP layer and the one table from error code to HTTP status
//! (spec §10, and §4.9 for the failure reasons a synchronous run reports).
//!
//! Every error body is `{"code", "message", "retryable", "requestId"}` (plus `runId` when a
//! synchronous call timed out while its run goes on), and every 429 carries `Retry-After`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

tokio::task_local! {
    /// The id of the request being served (set by the request-id middleware).
    pub static REQUEST_ID: String;
}

/// The request id of the current task, if it serves a request.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Every error code the server answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    /// Bad body, query, header or parameter.
    InvalidRequest,
    /// Missing, malformed or unknown API key.
    Unauthorized,
    /// Not there, or not in the caller's workspace (never 403 across workspaces).
    NotFound,
    /// The route exists but not with this HTTP method.
    MethodNotAllowed,
    /// A request body other than an upload is over the size limit.
    PayloadTooLarge,
    /// Per-key rate limit or full run queue.
    RateLimitExceeded,
    /// The synchronous wait for a run ran out; the run goes on (`runId`). Also the failure
    /// reason of a run that passed its deadline (`--edit-run-timeout-secs`, …).
    Timeout,
    /// The request body did not arrive in time (`--body-read-timeout-secs`,
    /// `--body-timeout-secs`); the connection is closed.
    RequestTimeout,
    /// Run failure: the input could not be fetched.
    UnableToDownloadFile,
    /// Run failure: not a PDF.
    FileTypeNotSupported,
    /// Upload or input over the configured size limit.
    FileSizeTooLarge,
    /// Run failure: unreadable PDF.
    CorruptFile,
    /// Run failure: detection failed.
    FieldDetectionError,
    /// Run failure: a password is needed (or the one given is wrong).
    PasswordProtectedFile,
    /// Run failure: conversion to PDF failed (LibreOffice missing or failing).
    FailedToConvertToPdf,
    /// Parse failure: the parse config is malformed.
    InvalidConfigOptions,
    /// Parse failure: OCR failed or is not available.
    OcrError,
    /// Parse failure: chunking failed.
    ChunkingError,
    /// Parse failure: the target format could not be produced.
    FailedToGenerateTargetFormat,
    /// Run failure: the config or schema is malformed.
    InvalidOptions,
    /// Run failure: no schema and no fields found.
    EmptySchema,
    /// Run failure: values break the schema.
    SchemaValidationError,
    /// A bug or an environment problem on our side.
    InternalError,
}

/// The table: code -> (wire name, HTTP status, retryable).
pub const TABLE: &[(Code, &str, u16, bool)] = &[
    (Code::InvalidRequest, "INVALID_REQUEST", 400, false),
    (Code::Unauthorized, "UNAUTHORIZED", 401, false),
    (Code::NotFound, "NOT_FOUND", 404, false),
    (Code::MethodNotAllowed, "METHOD_NOT_ALLOWED", 405, false),
    (Code::PayloadTooLarge, "PAYLOAD_TOO_LARGE", 413, false),
    (Code::RateLimitExceeded, "RATE_LIMIT_EXCEEDED", 429, true),
    (Code::Timeout, "TIMEOUT", 504, false),
    (Code::RequestTimeout, "REQUEST_TIMEOUT", 408, true),
    (
        Code::UnableToDownloadFile,
        "UNABLE_TO_DOWNLOAD_FILE",
        422,
        false,
    ),
    (
        Code::FileTypeNotSupported,
        "FILE_TYPE_NOT_SUPPORTED",
        422,
        false,
    ),
    (Code::FileSizeTooLarge, "FILE_SIZE_TOO_LARGE", 413, false),
    (Code::CorruptFile, "CORRUPT_FILE", 422, false),
    (
        Code::FieldDetectionError,
        "FIELD_DETECTION_ERROR",
        422,
        false,
    ),
    (
        Code::PasswordProtectedFile,
        "PASSWORD_PROTECTED_FILE",
        422,
        false,
    ),
    (
        Code::FailedToConvertToPdf,
        "FAILED_TO_CONVERT_TO_PDF",
        422,
        false,
    ),
    (Code::InvalidOptions, "INVALID_OPTIONS", 400, false),
    (Code::InvalidConfigOptions, "INVALID_CONFIG_OPTIONS", 400, false),
    (Code::OcrError, "OCR_ERROR", 422, false),
    (Code::ChunkingError, "CHUNKING_ERROR", 422, false),
    (
        Code::FailedToGenerateTargetFormat,
        "FAILED_TO_GENERATE_TARGET_FORMAT",
        422,
        false,
    ),
    (Code::EmptySchema, "EMPTY_SCHEMA", 422, false),
    (
        Code::SchemaValidationError,
        "SCHEMA_VALIDATION_ERROR",
        422,
        false,
    ),
    (Code::InternalError, "INTERNAL_ERROR", 500, true),
];

impl Code {
    fn row(self) -> (&'static str, u16, bool) {
        TABLE
            .iter()
            .find(|(c, ..)| *c == self)
            .map(|(_, name, status, retryable)| (*name, *status, *retryable))
            .unwrap_or(("INTERNAL_ERROR", 500, true))
    }

    /// The wire name, e.g. `CORRUPT_FILE`.
    pub fn as_str(self) -> &'static str {
        self.row().0
    }

    /// The HTTP status of this code.
    pub fn status(self) -> StatusCode {
        StatusCode::from_u16(self.row().1).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Whether a client should retry.
    pub fn retryable(self) -> bool {
        self.row().2
    }

    /// The code of a wire name (failure reasons stored on runs).
    pub fn from_wire(name: &str) -> Code {
        TABLE
            .iter()
            .find(|(_, n, ..)| *n == name)
            .map(|(c, ..)| *c)
            .unwrap_or(Code::InternalError)
    }

    /// The code of an engine/schema failure reason.
    pub fn from_reason(reason: formsmith_engine::FailureReason) -> Code {
        Code::from_wire(reason.code())
    }
}

/// An error answered to a client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// What kind of error.
    pub code: Code,
    /// For a person; not stable.
    pub message: String,
    /// Seconds to wait, sent as `Retry-After` (429).
    pub retry_after: Option<u64>,
    /// The run that goes on after a synchronous timeout.
    pub run_id: Option<String>,
}

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
            run_id: None,
        }
    }

    /// 400 INVALID_REQUEST.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidRequest, message)
    }

    /// 404 NOT_FOUND for `what` (`"edit run edr_…"`).
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(Code::NotFound, format!("{what} not found"))
    }

    /// 500 INTERNAL_ERROR; the detail goes to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(
            request_id = current_request_id().as_deref().unwrap_or("-"),
            "internal error: {detail}"
        );
        Self::new(
            Code::InternalError,
            "internal error; see the server log for this request id",
        )
    }

    /// 429 RATE_LIMIT_EXCEEDED with `Retry-After`.
    pub fn too_many(message: impl Into<String>, retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(Code::RateLimitExceeded, message)
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::internal(format!("database: {e}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::internal(format!("file store: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = current_request_id();
        let mut body = json!({
            "code": self.code.as_str(),
            "message": self.message,
            "retryable": self.code.retryable(),
            "requestId": request_id,
        });
        if let Some(run_id) = &self.run_id {
            body["runId"] = json!(run_id);
        }
        let mut response = (self.code.status(), axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        // A 413 may answer before the body was read; the rest of it would be read as the
        // next request, so the connection ends here and the client must not reuse it.
        if self.code.status() == StatusCode::PAYLOAD_TOO_LARGE {
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_consistent() {
        for reason in [
            "UNABLE_TO_DOWNLOAD_FILE",
            "FILE_TYPE_NOT_SUPPORTED",
            "FILE_SIZE_TOO_LARGE",
            "CORRUPT_FILE",
            "FIELD_DETECTION_ERROR",
            "PASSWORD_PROTECTED_FILE",
            "FAILED_TO_CONVERT_TO_PDF",
            "INTERNAL_ERROR",
            "INVALID_OPTIONS",
            "EMPTY_SCHEMA",
            "SCHEMA_VALIDATION_ERROR",
        ] {
            assert_eq!(Code::from_wire(reason).as_str(), reason);
        }
        assert_eq!(Code::CorruptFile.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(Code::InvalidOptions.status(), StatusCode::BAD_REQUEST);
        assert!(Code::InternalError.retryable() && Code::RateLimitExceeded.retryable());
        let mut names: Vec<_> = TABLE.iter().map(|r| r.1).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLE.len());
    }
}
