//! Building responses: JSON, text documents, binary images, and errors.
//!
//! Handlers return `Result<Response<Full<Bytes>>, ApiError>`; these helpers set the content
//! types TiTiler uses (`application/json`, `text/html; charset=utf-8`, `application/xml`, the
//! image media types) so every handler says what it sends in one call.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use serde_json::Value;

use super::error::ApiError;

/// A response before it goes on the wire (the body is complete: middlewares can compress it).
pub type Resp = Response<Bytes>;

/// A response with the given status, content type and body.
pub fn with_type(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

/// `200 application/json` (compact, like Starlette's `JSONResponse`).
pub fn json(v: &Value) -> Resp {
    json_typed(v, "application/json")
}

/// JSON with another media type (`application/geo+json`, ...).
pub fn json_typed(v: &Value, content_type: &str) -> Resp {
    let body = serde_json::to_vec(v).unwrap_or_else(|_| b"null".to_vec());
    with_type(StatusCode::OK, content_type, body)
}

/// `200 text/html; charset=utf-8`.
pub fn html(s: String) -> Resp {
    with_type(StatusCode::OK, "text/html; charset=utf-8", s)
}

/// `200 application/xml`.
pub fn xml(s: String) -> Resp {
    with_type(StatusCode::OK, "application/xml", s)
}

/// The response for an [`ApiError`]: its status and `{"detail": ...}`.
pub fn error(e: &ApiError) -> Resp {
    if e.status == StatusCode::NO_CONTENT {
        let mut r = Resp::new(Bytes::new());
        *r.status_mut() = StatusCode::NO_CONTENT;
        return r;
    }
    let body = serde_json::to_vec(&e.body_json()).unwrap_or_default();
    with_type(e.status, "application/json", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies() {
        let r = error(&ApiError::not_found());
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(&r.body()[..], br#"{"detail":"Not Found"}"#);
    }
}
