//! The address check of the URL rules, where it cannot be fooled: on the addresses a name
//! resolves to (each connection resolves again, so DNS rebinding meets the same check) and
//! on IP-literal hosts, which hyper's connector never resolves. Redirects open connections
//! through the same connector, so every hop is checked.

use std::net::{IpAddr, SocketAddr};

use futures::future::BoxFuture;
use hyper_util::client::legacy::connect::dns::Name;

use super::*;
use crate::io::error::REFUSED_MARK;
use crate::io::UrlRules;

/// Name → addresses; a stub in tests, the system resolver otherwise.
pub(crate) type Lookup =
    Arc<dyn Fn(String) -> BoxFuture<'static, io::Result<Vec<IpAddr>>> + Send + Sync>;

/// Which addresses may be connected to: [`UrlRules::check_ip`] (see [`rules_check`]), or a
/// stand-in in tests that need an allowed loopback server; `Err` holds the rule.
pub(crate) type AddrCheck = Arc<dyn Fn(IpAddr) -> Result<(), String> + Send + Sync>;

/// The address check of `rules`.
pub(crate) fn rules_check(rules: Arc<UrlRules>) -> AddrCheck {
    Arc::new(move |ip| rules.check_ip(ip))
}

/// The system resolver (getaddrinfo on tokio's blocking pool, like hyper's `GaiResolver`).
pub(crate) fn system_lookup() -> Lookup {
    Arc::new(|name: String| {
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((name.as_str(), 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    })
}

/// The error of a refused connection; its text carries [`REFUSED_MARK`] so the refusal
/// comes out of object_store as [`crate::io::Error::Refused`], and it is never retried.
pub(super) fn refusal(rule: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        Refused(format!("{REFUSED_MARK}{rule}")),
    )
}

/// Whether `err` or one of its sources is a refusal by the URL rules.
pub(super) fn is_refusal(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.to_string().contains(REFUSED_MARK) {
            return true;
        }
        cur = e.source();
    }
    false
}

/// A resolver for hyper's `HttpConnector` that drops the addresses the rules refuse, and
/// fails when none is left.
#[derive(Clone)]
pub(super) struct CheckedResolver {
    pub(super) check: AddrCheck,
    pub(super) lookup: Lookup,
}

impl tower_service::Service<Name> for CheckedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = BoxFuture<'static, io::Result<Self::Response>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let (check, lookup) = (self.check.clone(), self.lookup.clone());
        Box::pin(async move {
            let host = name.as_str().to_string();
            let ips = lookup(host.clone()).await?;
            let mut first_refusal = None;
            let mut kept = Vec::new();
            for ip in ips {
                match check(ip) {
                    Ok(()) => kept.push(SocketAddr::new(ip, 0)),
                    Err(rule) => {
                        first_refusal.get_or_insert(rule);
                    }
                }
            }
            match (kept.is_empty(), first_refusal) {
                (true, Some(rule)) => Err(refusal(&format!("{host}: {rule}"))),
                _ => Ok(kept.into_iter()),
            }
        })
    }
}

/// The check of an address connected to without the resolver (an IP-literal host) or
/// after it (the peer of the socket, in case anything bypassed it).
pub(super) fn check_addr(check: &AddrCheck, ip: IpAddr) -> io::Result<()> {
    check(ip).map_err(|rule| refusal(&rule))
}

/// The IP address of a URI's host when it is a literal (`[::1]` without brackets).
pub(super) fn literal_ip(uri: &Uri) -> Option<IpAddr> {
    let host = uri.host()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}
