//! Which URLs and paths a server may open: the guard that makes cogtiler safe to expose.
//!
//! A tile server opens whatever `url=` a client names. Bound to loopback that is the operator's
//! own business ([`UrlRules::open`]); bound to anything else it would let any client read local
//! files and make the server send requests to internal hosts (cloud metadata services, admin
//! ports). So there, unless told otherwise, the rules are *protected* ([`UrlRules::protected`]):
//! no local paths, and no HTTP(S) connection to a loopback, private, link-local, unique-local,
//! multicast or unspecified address. The address check runs on the addresses actually
//! connected to (see `io/http`), so a name that resolves to `127.0.0.1`, DNS rebinding and
//! redirects are caught too; [`UrlRules::check_remote`] only catches what the URL alone shows.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Component, Path, PathBuf};

use super::Error;

/// The URL policy of a process; [`Default`] is [`UrlRules::open`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlRules {
    /// Everything allowed (loopback-bound server, command line, library use).
    open: bool,
    /// When not empty, remote URLs must start with one of these.
    prefixes: Vec<UrlPrefix>,
    /// Canonical directories local paths may be under (none: no local paths).
    local_roots: Vec<PathBuf>,
    /// Connect to loopback/private/link-local/... addresses anyway.
    allow_private_hosts: bool,
}

impl Default for UrlRules {
    fn default() -> Self {
        UrlRules::open()
    }
}

/// A normalised allowed prefix: scheme and host lower-cased, default port explicit.
#[derive(Clone, Debug, PartialEq, Eq)]
struct UrlPrefix {
    scheme: String,
    host: String,
    port: Option<u16>,
    path: String,
}

/// A rule given on the command line that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RuleError {
    #[error("--allow-url-prefix {0:?}: {1}")]
    Prefix(String, String),
    #[error("--allow-local-root {0:?}: {1}")]
    Root(String, String),
}

impl UrlRules {
    /// Everything allowed, as a loopback-bound server or a command-line tool needs.
    pub fn open() -> UrlRules {
        UrlRules {
            open: true,
            ..UrlRules::protected()
        }
    }

    /// No local paths, no private hosts; any public http(s) host and any S3 bucket.
    pub fn protected() -> UrlRules {
        UrlRules {
            open: false,
            prefixes: Vec::new(),
            local_roots: Vec::new(),
            allow_private_hosts: false,
        }
    }

    /// Protected mode amended by explicit rules: remote URLs must match one of `prefixes`
    /// (when any is given), local paths must lie under one of `roots` (canonicalised here, so
    /// they must exist), and `allow_private_hosts` lifts the address check.
    pub fn explicit(
        prefixes: &[String],
        roots: &[PathBuf],
        allow_private_hosts: bool,
    ) -> Result<UrlRules, RuleError> {
        let prefixes = prefixes
            .iter()
            .map(|p| UrlPrefix::parse(p).map_err(|e| RuleError::Prefix(p.clone(), e)))
            .collect::<Result<_, _>>()?;
        let local_roots = roots
            .iter()
            .map(|r| {
                let c = std::fs::canonicalize(r)
                    .map_err(|e| RuleError::Root(r.display().to_string(), e.to_string()))?;
                if c.is_dir() {
                    Ok(c)
                } else {
                    Err(RuleError::Root(
                        r.display().to_string(),
                        "not a directory".into(),
                    ))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(UrlRules {
            open: false,
            prefixes,
            local_roots,
            allow_private_hosts,
        })
    }

    /// Whether everything is allowed.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Whether connections must be checked address by address.
    pub fn checks_addresses(&self) -> bool {
        !self.open && !self.allow_private_hosts
    }

    /// One line for the start-up log: the mode and its rules.
    pub fn describe(&self) -> String {
        if self.open {
            return "open (bound to loopback, no rules given): every path and URL allowed".into();
        }
        let mut parts = Vec::new();
        if self.prefixes.is_empty() {
            parts.push("any http(s)/s3 URL".to_string());
        } else {
            let list: Vec<String> = self.prefixes.iter().map(UrlPrefix::to_string).collect();
            parts.push(format!("URLs under {}", list.join(", ")));
        }
        if self.local_roots.is_empty() {
            parts.push("no local paths".into());
        } else {
            let list: Vec<String> = self
                .local_roots
                .iter()
                .map(|r| r.display().to_string())
                .collect();
            parts.push(format!("local paths under {}", list.join(", ")));
        }
        parts.push(if self.allow_private_hosts {
            "private hosts allowed".into()
        } else {
            "loopback/private/link-local/unique-local/multicast hosts refused".into()
        });
        let mode = if self == &UrlRules::protected() {
            "protected"
        } else {
            "explicit rules"
        };
        format!("{mode}: {}", parts.join("; "))
    }

    /// A short text that tells rule sets apart (store and client caches are keyed by it).
    pub(crate) fn key(&self) -> String {
        if self.open {
            String::new()
        } else {
            format!("{self:?}")
        }
    }

    /// Checks a local path (`url` is what the client wrote) and returns its canonical form.
    /// A path lexically outside every root is refused without touching the file system, so
    /// a refusal says nothing about whether it exists; inside a root, symlinks are followed
    /// and the canonical path must still be inside.
    pub fn check_local(&self, url: &str, path: &Path) -> Result<PathBuf, Error> {
        let not_found = || Error::NotFound {
            url: url.to_string(),
        };
        if self.open {
            return std::fs::canonicalize(path).map_err(|_| not_found());
        }
        if self.local_roots.is_empty() {
            return Err(refused(
                url,
                "local paths are not allowed (no --allow-local-root)",
            ));
        }
        let outside = || refused(url, "the path is not under an --allow-local-root");
        let lexical = lexical_absolute(path).ok_or_else(outside)?;
        if !self.local_roots.iter().any(|r| lexical.starts_with(r)) {
            return Err(outside());
        }
        let canonical = std::fs::canonicalize(path).map_err(|_| not_found())?;
        if !self.local_roots.iter().any(|r| canonical.starts_with(r)) {
            return Err(outside());
        }
        Ok(canonical)
    }

    /// Checks what a remote URL shows by itself: its scheme, the allowed prefixes, and an IP
    /// literal host. Host names are checked when connecting (see `io/http`).
    pub fn check_remote(&self, url: &url::Url) -> Result<(), Error> {
        if self.open {
            return Ok(());
        }
        let scheme = normal_scheme(url.scheme());
        let shown = url.as_str();
        if !matches!(scheme, "http" | "https" | "s3") {
            return Err(refused(
                shown,
                &format!("the {scheme}:// scheme is refused"),
            ));
        }
        if !self.prefixes.is_empty() && !self.prefixes.iter().any(|p| p.matches(url)) {
            return Err(refused(
                shown,
                "the URL is not under any --allow-url-prefix",
            ));
        }
        if scheme != "s3" {
            let ip = match url.host() {
                Some(url::Host::Ipv4(a)) => Some(IpAddr::V4(a)),
                Some(url::Host::Ipv6(a)) => Some(IpAddr::V6(a)),
                _ => None,
            };
            if let Some(ip) = ip {
                self.check_ip(ip).map_err(|rule| refused(shown, &rule))?;
            }
        }
        Ok(())
    }

    /// Whether a connection to `ip` is allowed; `Err` holds the rule that refuses it.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), String> {
        if !self.checks_addresses() {
            return Ok(());
        }
        match forbidden_class(ip) {
            None => Ok(()),
            Some(class) => Err(format!(
                "{ip} is a {class} address (refused unless --allow-private-hosts)"
            )),
        }
    }
}

fn refused(url: &str, rule: &str) -> Error {
    Error::Refused {
        url: url.to_string(),
        rule: rule.to_string(),
    }
}

/// `s3a://` is `s3://` to object_store and to the rules.
fn normal_scheme(s: &str) -> &str {
    if s == "s3a" {
        "s3"
    } else {
        s
    }
}

/// `path` made absolute (against the current directory) with `.` and `..` resolved on the
/// text alone; `None` when it climbs above the file-system root.
fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

impl UrlPrefix {
    fn parse(raw: &str) -> Result<UrlPrefix, String> {
        let u = url::Url::parse(raw).map_err(|e| e.to_string())?;
        let scheme = normal_scheme(u.scheme()).to_string();
        if !matches!(scheme.as_str(), "http" | "https" | "s3") {
            return Err("only http://, https:// and s3:// prefixes are supported".into());
        }
        if !u.username().is_empty() || u.password().is_some() {
            return Err("a prefix may not hold user information".into());
        }
        let host = u
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("a prefix needs a host (or bucket)")?
            .to_ascii_lowercase();
        if u.query().is_some() || u.fragment().is_some() {
            return Err("a prefix may not hold a query or fragment".into());
        }
        Ok(UrlPrefix {
            scheme,
            host,
            port: u.port_or_known_default(),
            path: u.path().to_string(),
        })
    }

    /// Same scheme, host and port (compared parsed, so `@` user information or a longer
    /// host name cannot pass) and a path under the prefix's, whole segments only.
    fn matches(&self, url: &url::Url) -> bool {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        if normal_scheme(url.scheme()) != self.scheme
            || host != self.host
            || url.port_or_known_default() != self.port
        {
            return false;
        }
        let path = url.path();
        // http(s) paths arrive with `..` resolved by the parser; s3 ones do not.
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        if decoded.split('/').any(|s| s == ".." || s == ".") {
            return false;
        }
        if self.path.ends_with('/') || self.path.is_empty() {
            return path.starts_with(&self.path) || format!("{path}/") == self.path;
        }
        path == self.path || path.starts_with(&format!("{}/", self.path))
    }
}

impl std::fmt::Display for UrlPrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        if let Some(p) = self.port {
            if Some(p) != default_port(&self.scheme) {
                write!(f, ":{p}")?;
            }
        }
        write!(f, "{}", self.path)
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// The class of an address a public server must not connect to, or `None` for a public one.
/// IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) take its class.
pub fn forbidden_class(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(a) => v4_class(a),
        IpAddr::V6(a) => v6_class(a),
    }
}

fn v4_class(a: Ipv4Addr) -> Option<&'static str> {
    let [b0, b1, ..] = a.octets();
    if a.is_loopback() {
        Some("loopback")
    } else if a.is_unspecified() || b0 == 0 {
        Some("unspecified")
    } else if a.is_private() {
        Some("private")
    } else if b0 == 100 && (b1 & 0xc0) == 64 {
        Some("shared (carrier-grade NAT)")
    } else if a.is_link_local() {
        Some("link-local")
    } else if a.is_multicast() {
        Some("multicast")
    } else if a.is_broadcast() || b0 >= 240 {
        Some("reserved")
    } else {
        None
    }
}

fn v6_class(a: Ipv6Addr) -> Option<&'static str> {
    let s = a.segments();
    if a.is_loopback() {
        return Some("loopback");
    }
    if a.is_unspecified() {
        return Some("unspecified");
    }
    if let Some(v4) = a.to_ipv4_mapped() {
        return v4_class(v4);
    }
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96)
    if s[..6] == [0; 6] || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return v4_class(low);
    }
    if s[0] == 0x2002 {
        // 6to4: the IPv4 address is in segments 1 and 2
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return v4_class(v4);
    }
    if (s[0] & 0xffc0) == 0xfe80 {
        Some("link-local")
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some("unique-local")
    } else if (s[0] & 0xff00) == 0xff00 {
        Some("multicast")
    } else if (s[0] & 0xffc0) == 0xfec0 {
        Some("site-local")
    } else {
        None
    }
}

#[cfg(test)]
#[path = "url_rules_tests.rs"]
mod tests;
