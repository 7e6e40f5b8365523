//! The address check below the network: a stub resolver, loopback test servers only.

use super::*;
use crate::io::UrlRules;
use std::net::IpAddr;

/// A resolver that answers `addrs` for every name.
fn stub(addrs: &[&str]) -> checked::Lookup {
    let ips: Vec<IpAddr> = addrs.iter().map(|a| a.parse().unwrap()).collect();
    Arc::new(move |_name| {
        let ips = ips.clone();
        Box::pin(async move { Ok(ips) })
    })
}

fn protected(lookup: checked::Lookup) -> QuickAckService {
    let options = ClientOptions::new()
        .with_timeout(Duration::from_secs(5))
        .with_allow_http(true);
    let rules = Arc::new(UrlRules::protected());
    QuickAckService::with_lookup(&options, rules.clone(), lookup, checked::rules_check(rules))
        .expect("client builds")
}

async fn ok_server() -> (String, Arc<Mutex<Vec<String>>>) {
    raw_server(|_| Some(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec())).await
}

#[tokio::test]
async fn a_name_resolving_to_a_forbidden_address_is_refused_before_connecting() {
    let (base, heads) = ok_server().await;
    let port = base.rsplit(':').next().unwrap();
    for answer in [
        &["127.0.0.1"][..],
        &["169.254.169.254"],
        &["::ffff:127.0.0.1"],
        &["10.0.0.7", "fd00::1"],
    ] {
        let svc = protected(stub(answer));
        let err = bounded(svc.call(get(&format!("http://public.test:{port}/x"), None)))
            .await
            .expect_err("refused");
        assert!(checked::is_refusal(&err), "{answer:?}: {err}");
        // a refusal is final: not a kind object_store retries
        assert_eq!(err.kind(), HttpErrorKind::Unknown, "{err}");
    }
    // an IP literal skips the resolver and is checked all the same
    let svc = protected(stub(&["8.8.8.8"]));
    let err = bounded(svc.call(get(&format!("{base}/x"), None)))
        .await
        .expect_err("refused");
    assert!(checked::is_refusal(&err), "{err}");
    assert!(
        heads.lock().unwrap().is_empty(),
        "nothing reached the server"
    );
}

#[tokio::test]
async fn the_resolver_keeps_only_allowed_addresses() {
    use hyper_util::client::legacy::connect::dns::Name;
    use std::str::FromStr;
    use tower_service::Service;
    let mut r = checked::CheckedResolver {
        check: checked::rules_check(Arc::new(UrlRules::protected())),
        lookup: stub(&["10.0.0.1", "93.184.216.34", "fe80::1", "2606:2800::1"]),
    };
    let got: Vec<_> = r
        .call(Name::from_str("mixed.test").unwrap())
        .await
        .unwrap()
        .map(|a| a.ip().to_string())
        .collect();
    assert_eq!(got, ["93.184.216.34", "2606:2800::1"]);
    let mut open = checked::CheckedResolver {
        check: checked::rules_check(Arc::new(UrlRules::open())),
        lookup: stub(&["127.0.0.1"]),
    };
    let got = open.call(Name::from_str("l.test").unwrap()).await.unwrap();
    assert_eq!(got.count(), 1);
}

#[tokio::test]
async fn every_redirect_hop_is_checked_against_the_rules() {
    let (base, heads) = raw_server(|head| {
        let to = if head.starts_with("GET /public/a ") {
            "/private/b"
        } else {
            "/public/a"
        };
        Some(
            format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n")
                .into_bytes(),
        )
    })
    .await;
    let rules = UrlRules::explicit(&[format!("{base}/public/")], &[], true).unwrap();
    let options = ClientOptions::new()
        .with_timeout(Duration::from_secs(5))
        .with_allow_http(true);
    let svc = QuickAckService::new(&options, Arc::new(rules)).expect("client builds");
    let err = bounded(svc.call(get(&format!("{base}/public/a"), None)))
        .await
        .expect_err("refused");
    assert!(checked::is_refusal(&err), "{err}");
    assert!(err.to_string().contains("/private/b"), "{err}");
    assert_eq!(
        heads.lock().unwrap().len(),
        1,
        "the redirect was not followed"
    );
}

#[tokio::test]
async fn a_redirect_to_a_forbidden_address_is_refused_by_the_connector() {
    // Stand-in check: 127.0.0.1 plays a public address, every other address keeps its
    // class, so the first hop reaches a loopback server and the redirect does not.
    let (base, heads) = raw_server(|_| {
        Some(
            b"HTTP/1.1 302 Found\r\nLocation: http://metadata.test/latest\r\nContent-Length: 0\r\n\r\n"
                .to_vec(),
        )
    })
    .await;
    let real = checked::rules_check(Arc::new(UrlRules::protected()));
    let check: checked::AddrCheck = Arc::new(move |ip: IpAddr| {
        if ip == IpAddr::from([127, 0, 0, 1]) {
            Ok(())
        } else {
            real(ip)
        }
    });
    let options = ClientOptions::new()
        .with_timeout(Duration::from_secs(5))
        .with_allow_http(true);
    let svc = QuickAckService::with_lookup(
        &options,
        Arc::new(UrlRules::open()),
        stub(&["169.254.169.254"]),
        check,
    )
    .expect("client builds");
    let err = bounded(svc.call(get(&format!("{base}/start"), None)))
        .await
        .expect_err("refused");
    assert!(checked::is_refusal(&err), "{err}");
    assert!(format!("{err:?}").contains("link-local"), "{err:?}");
    assert_eq!(heads.lock().unwrap().len(), 1, "the first hop was answered");
}
