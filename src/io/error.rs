//! Typed I/O failures, mapped from `object_store` errors so callers can answer 404 vs 403 vs 502.

/// Why bytes could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The object does not exist (HTTP 404, missing file).
    #[error("not found: {url}")]
    NotFound { url: String },
    /// Access denied (HTTP 401/403).
    #[error("access denied (403): {url}")]
    Forbidden { url: String },
    /// The upstream answered with an unexpected HTTP status.
    #[error("upstream answered status {status} for {url}")]
    Upstream { status: u16, url: String },
    /// The upstream did not answer in time.
    #[error("timed out reading {url}")]
    Timeout { url: String },
    /// Fewer bytes came back than the range asked for (the object ends early).
    #[error("truncated read of {url}: expected {expected} bytes, got {got}")]
    Truncated {
        url: String,
        expected: u64,
        got: u64,
    },
    /// The server ignored the `Range` header (answered 200 with the whole body) or rejected it.
    #[error("server does not support range requests: {url}")]
    RangeNotSupported { url: String },
    /// The URL could not be understood.
    #[error("invalid url '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    /// A whole-object read (a STAC item, a mosaic document) larger than its limit.
    #[error("{url} is larger than the {limit}-byte limit for documents")]
    TooLarge { url: String, limit: u64 },
    /// The URL rules do not allow this path or URL ([`super::UrlRules`]); `rule` says which.
    #[error("{url} is refused: {rule}")]
    Refused { url: String, rule: String },
    /// Any other transport failure (connection refused, TLS, ...).
    #[error("cannot read {url}: {message}")]
    Other { url: String, message: String },
}

impl Error {
    /// Maps an `object_store` error for `url` to our variants.
    ///
    /// object_store keeps its HTTP status inside a private error type, so for the generic case
    /// we recover it from the message chain ("status code: 503").
    pub(crate) fn from_store(url: &str, err: object_store::Error) -> Error {
        let url = url.to_string();
        match err {
            object_store::Error::NotFound { .. } => Error::NotFound { url },
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => Error::Forbidden { url },
            other => {
                let message = error_chain(&other);
                // A refusal from the HTTP client's address check (see `io/http`).
                // The innermost (last) one ends the chain: nothing follows its rule.
                if let Some(i) = message.rfind(REFUSED_MARK) {
                    let rule = message[i + REFUSED_MARK.len()..].to_string();
                    return Error::Refused { url, rule };
                }
                if let Some(status) = status_in(&message) {
                    return match status {
                        404 => Error::NotFound { url },
                        401 | 403 => Error::Forbidden { url },
                        416 => Error::RangeNotSupported { url },
                        s => Error::Upstream { status: s, url },
                    };
                }
                let lower = message.to_ascii_lowercase();
                if lower.contains("timed out") || lower.contains("timeout") {
                    Error::Timeout { url }
                } else if lower.contains("range request not supported")
                    || lower.contains("not partial")
                    || lower.contains("content-range")
                {
                    Error::RangeNotSupported { url }
                } else {
                    Error::Other { url, message }
                }
            }
        }
    }
}

/// Starts the text of the HTTP client's refusals, so they come back out of object_store's
/// error chain as [`Error::Refused`].
pub(crate) const REFUSED_MARK: &str = "refused by the URL rules: ";

impl Error {
    /// A store that could not be built: [`Error::Refused`] when the URL rules said no (the
    /// client refuses to exist behind a proxy), else [`Error::InvalidUrl`].
    pub(crate) fn from_build(url: &str, message: &str) -> Error {
        let url = url.to_string();
        match message.rfind(REFUSED_MARK) {
            Some(i) => Error::Refused {
                url,
                rule: message[i + REFUSED_MARK.len()..].to_string(),
            },
            None => Error::InvalidUrl {
                url,
                reason: message.to_string(),
            },
        }
    }
}

/// The error and all its sources joined by ": ".
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut src = err.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

/// Finds "status code: NNN" (object_store's wording for non-2xx answers).
fn status_in(message: &str) -> Option<u16> {
    let idx = message.find("status code: ")?;
    let rest = &message[idx + "status code: ".len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_found_in_message() {
        assert_eq!(
            status_in("Server returned non-2xx status code: 503 Service Unavailable: x"),
            Some(503)
        );
        assert_eq!(status_in("connection refused"), None);
    }
}
