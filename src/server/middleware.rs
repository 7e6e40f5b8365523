//! What every response gets on its way out: CORS, `Cache-Control`, compression, HEAD.
//!
//! These mirror TiTiler's Starlette middlewares: `CORSMiddleware` (origins `*` by default),
//! `CacheControlMiddleware` (`public, max-age=3600` on successful GET/HEAD, never on
//! `/healthz` or on 5xx), and the compression middleware (gzip for text-like bodies only:
//! images are already compressed).

use std::io::Write;

use bytes::Bytes;
use http::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_ENCODING,
    CONTENT_LENGTH, CONTENT_TYPE, VARY,
};
use http::{Method, Response, StatusCode};

use super::config::ServerConfig;

/// The parts of the request the response middleware looks at.
#[derive(Clone, Debug, Default)]
pub struct ReqInfo {
    pub method: Method,
    pub path: String,
    pub origin: Option<String>,
    pub accept_encoding: Option<String>,
    pub request_headers: Option<String>,
}

/// Whether `origin` may read responses under the configured CORS origins.
fn allowed_origin(cfg: &ServerConfig, origin: Option<&str>) -> Option<String> {
    if cfg.cors_origins.iter().any(|o| o == "*") {
        return Some("*".into());
    }
    let o = origin?;
    cfg.cors_origins
        .iter()
        .any(|a| a == o)
        .then(|| o.to_string())
}

/// Answers a CORS preflight (`OPTIONS` with `Origin`), or `None` for other requests.
pub fn preflight(info: &ReqInfo, cfg: &ServerConfig) -> Option<Response<Bytes>> {
    if info.method != Method::OPTIONS || info.origin.is_none() {
        return None;
    }
    let mut r = Response::new(Bytes::from_static(b"OK"));
    let h = r.headers_mut();
    match allowed_origin(cfg, info.origin.as_deref()) {
        Some(o) => {
            if let Ok(v) = HeaderValue::from_str(&o) {
                h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, v);
            }
        }
        None => {
            *r.status_mut() = StatusCode::BAD_REQUEST;
            *r.body_mut() = Bytes::from_static(b"Disallowed CORS origin");
            return Some(r);
        }
    }
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&cfg.cors_allow_methods) {
        h.insert(ACCESS_CONTROL_ALLOW_METHODS, v);
    }
    if let Some(Ok(v)) = info.request_headers.as_deref().map(HeaderValue::from_str) {
        h.insert(ACCESS_CONTROL_ALLOW_HEADERS, v);
    }
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Some(r)
}

/// Media types worth compressing (text-like; images and npy are left alone).
fn compressible(content_type: &str) -> bool {
    let ct = content_type.split(';').next().unwrap_or("").trim();
    ct.starts_with("text/")
        || ct.ends_with("json")
        || ct.ends_with("xml")
        || ct == "application/javascript"
}

/// Applies the outgoing middlewares.
pub fn finish(info: &ReqInfo, mut resp: Response<Bytes>, cfg: &ServerConfig) -> Response<Bytes> {
    let status = resp.status();
    if let Some(o) = allowed_origin(cfg, info.origin.as_deref()) {
        if let Ok(v) = HeaderValue::from_str(&o) {
            resp.headers_mut().insert(ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        if o != "*" {
            resp.headers_mut()
                .append(VARY, HeaderValue::from_static("Origin"));
        }
    }
    let cacheable_method = info.method == Method::GET || info.method == Method::HEAD;
    if let Some(cc) = &cfg.cache_control {
        if cacheable_method
            && status.as_u16() < 500
            && info.path != "/healthz"
            && !resp.headers().contains_key(CACHE_CONTROL)
        {
            if let Ok(v) = HeaderValue::from_str(cc) {
                resp.headers_mut().insert(CACHE_CONTROL, v);
            }
        }
    }
    let ct = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let wants_gzip = info.accept_encoding.as_deref().is_some_and(|a| {
        a.split(',')
            .any(|e| e.split(';').next().unwrap_or("").trim() == "gzip")
    });
    if cfg.compress
        && wants_gzip
        && compressible(&ct)
        && !resp.body().is_empty()
        && !resp.headers().contains_key(CONTENT_ENCODING)
    {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        if enc.write_all(resp.body()).is_ok() {
            if let Ok(z) = enc.finish() {
                *resp.body_mut() = Bytes::from(z);
                let h = resp.headers_mut();
                h.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                h.append(VARY, HeaderValue::from_static("Accept-Encoding"));
            }
        }
    }
    if info.method == Method::HEAD {
        let len = resp.body().len();
        resp.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(len));
        *resp.body_mut() = Bytes::new();
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_resp(status: u16) -> Response<Bytes> {
        let mut r = Response::new(Bytes::from(vec![b' '; 300]));
        *r.status_mut() = StatusCode::from_u16(status).unwrap();
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    }

    fn info(method: Method, path: &str, gzip: bool) -> ReqInfo {
        ReqInfo {
            method,
            path: path.into(),
            origin: Some("http://a".into()),
            accept_encoding: gzip.then(|| "gzip, br".to_string()),
            request_headers: None,
        }
    }

    #[test]
    fn cache_control_rules() {
        let cfg = ServerConfig::default();
        let r = finish(&info(Method::GET, "/cog/info", false), json_resp(200), &cfg);
        assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=3600");
        assert_eq!(r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        let r = finish(&info(Method::GET, "/healthz", false), json_resp(200), &cfg);
        assert!(!r.headers().contains_key(CACHE_CONTROL));
        let r = finish(&info(Method::GET, "/cog/info", false), json_resp(502), &cfg);
        assert!(!r.headers().contains_key(CACHE_CONTROL));
        let r = finish(&info(Method::GET, "/cog/info", false), json_resp(404), &cfg);
        assert!(r.headers().contains_key(CACHE_CONTROL));
    }

    #[test]
    fn gzip_and_head() {
        let cfg = ServerConfig::default();
        let r = finish(&info(Method::GET, "/x", true), json_resp(200), &cfg);
        assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
        assert!(r.body().len() < 300);
        let mut png = json_resp(200);
        png.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
        let r = finish(&info(Method::GET, "/x", true), png, &cfg);
        assert!(!r.headers().contains_key(CONTENT_ENCODING));
        let r = finish(&info(Method::HEAD, "/x", false), json_resp(200), &cfg);
        assert!(r.body().is_empty());
        assert_eq!(r.headers()[CONTENT_LENGTH], "300");
    }

    #[test]
    fn cors_specific_origins() {
        let cfg = ServerConfig {
            cors_origins: vec!["http://ok".into()],
            ..ServerConfig::default()
        };
        let mut i = info(Method::GET, "/x", false);
        let r = finish(&i, json_resp(200), &cfg);
        assert!(!r.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
        i.origin = Some("http://ok".into());
        let r = finish(&i, json_resp(200), &cfg);
        assert_eq!(r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "http://ok");
        i.method = Method::OPTIONS;
        let p = preflight(&i, &cfg).unwrap();
        assert_eq!(p.headers()[ACCESS_CONTROL_ALLOW_METHODS], "GET");
    }
}
