//! The one error type at the HTTP edge, and the table that maps library errors to statuses.
//!
//! Every failure leaves the server as `{"detail": ...}` JSON, like TiTiler: a string for most
//! errors, FastAPI's list of validation entries for 422s. Library layers keep their own
//! `thiserror` enums; they reach the edge through [`Classify`], which sorts each error into an
//! [`ErrorKind`]. [`ErrorKind::status`] is the single table from kind to HTTP status (TiTiler's
//! `DEFAULT_STATUS_CODES`, improved where TiTiler answers a client's mistake or an upstream
//! failure with a bare 500). To map a new layer, implement `Classify` for its error enum;
//! `?` then converts it into an [`ApiError`].

use http::StatusCode;
use serde_json::{json, Value};

use super::validation::ValidationError;

/// What went wrong, independent of which layer noticed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The tile does not intersect the dataset (`TileOutsideBounds`): 404.
    TileOutsideBounds,
    /// A route, TMS, colormap, algorithm... that does not exist: 404.
    NotFound,
    /// The URL rules refuse the dataset's path or URL: 403.
    Refused,
    /// The client asked for something impossible with this data (bad expression, bad
    /// colormap, bands out of range, point outside bounds): 400.
    BadRequest,
    /// A parameter failed validation (not FastAPI-shaped; those use [`ApiError::validation`]): 422.
    Unprocessable,
    /// The dataset URL does not exist upstream: 404 is the client's mistake, but TiTiler says
    /// 500; we answer 404 (the conformance cases accept any error status).
    UpstreamNotFound,
    /// The upstream store failed or sent garbage (5xx, refused connection, truncated file): 502.
    Upstream,
    /// The upstream store did not answer in time: 504.
    UpstreamTimeout,
    /// A feature this server does not implement (jp2 output, an unsupported projection): 501.
    NotImplemented,
    /// The server is saturated: 503.
    Overloaded,
    /// Our request deadline passed: 504.
    Timeout,
    /// A bug or an unexpected condition: 500.
    Internal,
    /// Nothing to return: no mosaic asset covers the tile or point (TiTiler's
    /// `EmptyMosaicError` / `NoAssetFoundError`): 204 with an empty body.
    NoData,
}

impl ErrorKind {
    /// The HTTP status for this kind: the one mapping table.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::TileOutsideBounds | ErrorKind::NotFound | ErrorKind::UpstreamNotFound => {
                StatusCode::NOT_FOUND
            }
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Refused => StatusCode::FORBIDDEN,
            ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Upstream => StatusCode::BAD_GATEWAY,
            ErrorKind::UpstreamTimeout | ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorKind::NotImplemented => StatusCode::NOT_IMPLEMENTED,
            ErrorKind::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::NoData => StatusCode::NO_CONTENT,
        }
    }
}

/// Implemented by each library layer's error enum so `?` turns it into an [`ApiError`].
///
/// The lead wires `reader::Error`, `render::Error`, `cog::Error`, `io::Error`, `tms::Error`
/// and `crs::Error` here, e.g. `TileOutsideBounds → ErrorKind::TileOutsideBounds`,
/// `InvalidExpression → BadRequest`, `io::Error::NotFound → UpstreamNotFound`,
/// `io::Error::Timeout → UpstreamTimeout`, other io errors → `Upstream`.
pub trait Classify: std::fmt::Display {
    fn kind(&self) -> ErrorKind;
}

/// The `detail` member of an error body.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    /// `{"detail": "message"}`.
    Message(String),
    /// `{"detail": [{type, loc, msg, input, ctx?}, ...]}` (FastAPI validation).
    Validation(Vec<ValidationError>),
}

/// An error response: a status and a `detail`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: Detail,
}

impl ApiError {
    /// An error with a plain message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: Detail::Message(message.into()),
        }
    }

    /// An error of the given kind (status from the mapping table).
    pub fn of_kind(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError::new(kind.status(), message)
    }

    /// 422 with FastAPI's validation list.
    pub fn validation(errors: Vec<ValidationError>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: Detail::Validation(errors),
        }
    }

    /// `404 {"detail": "Not Found"}` (Starlette's unknown route answer).
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "Not Found")
    }

    /// `405 {"detail": "Method Not Allowed"}`.
    pub fn method_not_allowed() -> ApiError {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
    }

    /// 400 with a message (TiTiler's `BadRequestError` and friends).
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 501: an endpoint or feature that is not available in this build.
    pub fn not_implemented(what: &str) -> ApiError {
        ApiError::of_kind(
            ErrorKind::NotImplemented,
            format!("{what} is not implemented yet"),
        )
    }

    /// 500 without leaking internals.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::of_kind(ErrorKind::Internal, message)
    }

    /// The response body.
    pub fn body_json(&self) -> Value {
        match &self.detail {
            Detail::Message(m) => json!({ "detail": m }),
            Detail::Validation(list) => {
                json!({ "detail": list.iter().map(ValidationError::to_json).collect::<Vec<_>>() })
            }
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Detail::Message(m) => write!(f, "{} {}", self.status.as_u16(), m),
            Detail::Validation(l) => write!(
                f,
                "{} validation failed ({} errors)",
                self.status.as_u16(),
                l.len()
            ),
        }
    }
}

impl std::error::Error for ApiError {}

impl<E: Classify> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError::of_kind(e.kind(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outside;
    impl std::fmt::Display for Outside {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Tile(x=0, y=0, z=31) is outside bounds")
        }
    }
    impl Classify for Outside {
        fn kind(&self) -> ErrorKind {
            ErrorKind::TileOutsideBounds
        }
    }

    fn fails() -> Result<(), ApiError> {
        Err(Outside)?;
        Ok(())
    }

    #[test]
    fn classified_errors_convert_with_question_mark() {
        // cases/err_bad_z.json: 404 {"detail": "Tile(x=0, y=0, z=31) is outside bounds"}
        let e = fails().unwrap_err();
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        assert_eq!(
            e.body_json(),
            json!({"detail": "Tile(x=0, y=0, z=31) is outside bounds"})
        );
    }

    #[test]
    fn table_statuses() {
        assert_eq!(ErrorKind::BadRequest.status().as_u16(), 400);
        assert_eq!(ErrorKind::Upstream.status().as_u16(), 502);
        assert_eq!(ErrorKind::UpstreamTimeout.status().as_u16(), 504);
        assert_eq!(ErrorKind::Internal.status().as_u16(), 500);
        assert_eq!(ErrorKind::UpstreamNotFound.status().as_u16(), 404);
    }
}
