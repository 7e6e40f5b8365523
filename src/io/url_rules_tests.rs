use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn url(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

#[test]
fn address_classes() {
    let forbidden = [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("255.255.255.255", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("febf::1", "link-local"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("::127.0.0.1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("2002:7f00:1::", "loopback"),
    ];
    for (a, class) in forbidden {
        assert_eq!(forbidden_class(ip(a)), Some(class), "{a}");
    }
    for a in [
        "8.8.8.8",
        "172.32.0.1",
        "172.15.255.255",
        "100.128.0.1",
        "169.255.0.1",
        "2001:4860:4860::8888",
        "::ffff:8.8.8.8",
    ] {
        assert_eq!(forbidden_class(ip(a)), None, "{a}");
    }
}

#[test]
fn open_allows_everything_and_protected_checks_addresses() {
    let open = UrlRules::open();
    assert!(open.check_ip(ip("127.0.0.1")).is_ok());
    assert!(open.check_remote(&url("ftp://x/y")).is_ok());
    let p = UrlRules::protected();
    assert!(p.check_ip(ip("8.8.8.8")).is_ok());
    let e = p.check_ip(ip("169.254.169.254")).unwrap_err();
    assert!(e.contains("link-local"), "{e}");
    for bad in [
        "http://127.0.0.1:8000/x.tif",
        "http://[::1]/x.tif",
        "http://[::ffff:7f00:1]/x.tif",
        "http://169.254.169.254/latest/meta-data",
        "http://0x7f000001/x.tif", // the URL parser reads this as 127.0.0.1
        "http://2130706433/x.tif",
        "ftp://example.com/x.tif",
    ] {
        let e = p.check_remote(&url(bad)).unwrap_err();
        assert!(matches!(e, Error::Refused { .. }), "{bad}: {e}");
    }
    for ok in [
        "https://example.com/x.tif",
        "http://8.8.8.8/x.tif",
        "s3://bucket/key.tif",
    ] {
        p.check_remote(&url(ok)).unwrap();
    }
    // a host name is only known at connection time
    p.check_remote(&url("http://localhost/x.tif")).unwrap();
    let private = UrlRules::explicit(&[], &[], true).unwrap();
    assert!(private.check_ip(ip("10.0.0.1")).is_ok());
    assert!(!private.checks_addresses());
}

#[test]
fn prefixes_match_parsed_urls_only() {
    let r = UrlRules::explicit(
        &[
            "https://Data.Example.com/cogs/".into(),
            "s3://bucket/".into(),
            "https://other.example.com/exact".into(),
        ],
        &[],
        false,
    )
    .unwrap();
    for ok in [
        "https://data.example.com/cogs/a.tif",
        "HTTPS://DATA.EXAMPLE.COM/cogs/a.tif",
        "https://data.example.com:443/cogs/a.tif?x=1",
        "s3://bucket/a/b.tif",
        "s3a://bucket/a.tif",
        "https://other.example.com/exact/a.tif",
        "https://other.example.com/exact",
    ] {
        r.check_remote(&url(ok))
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in [
        "https://data.example.com.evil.net/cogs/a.tif",
        "https://data.example.com@evil.net/cogs/a.tif",
        "https://data.example.com:8443/cogs/a.tif",
        "http://data.example.com/cogs/a.tif",
        "https://data.example.com/other/a.tif",
        "https://data.example.com/cogs/../secret.tif",
        "https://data.example.com/cogs/%2e%2e/secret.tif",
        "https://data.example.com/cogsx/a.tif",
        "https://other.example.com/exactly.tif",
        "s3://bucket2/a.tif",
    ] {
        let e = r
            .check_remote(&url(bad))
            .err()
            .unwrap_or_else(|| panic!("{bad} passed"));
        assert!(e.to_string().contains("--allow-url-prefix"), "{bad}: {e}");
    }
    assert!(UrlRules::explicit(&["https://u:p@h/".into()], &[], false).is_err());
    assert!(UrlRules::explicit(&["ftp://h/".into()], &[], false).is_err());
    assert!(UrlRules::explicit(&["not a url".into()], &[], false).is_err());
}

#[test]
fn local_roots_refuse_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("in.tif"), b"x").unwrap();
    std::fs::write(dir.path().join("secret.tif"), b"x").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.tif"), root.join("link.tif")).unwrap();
    let r = UrlRules::explicit(&[], std::slice::from_ref(&root), false).unwrap();

    let inside = root.join("in.tif");
    let got = r.check_local("in", &inside).unwrap();
    assert_eq!(got, std::fs::canonicalize(&inside).unwrap());
    let dotdot = root.join("../secret.tif");
    assert!(matches!(
        r.check_local("dd", &dotdot),
        Err(Error::Refused { .. })
    ));
    // a missing file outside is refused the same way as an existing one
    assert!(matches!(
        r.check_local("m", &dir.path().join("missing.tif")),
        Err(Error::Refused { .. })
    ));
    // a missing file inside is simply not found
    assert!(matches!(
        r.check_local("m", &root.join("missing.tif")),
        Err(Error::NotFound { .. })
    ));
    #[cfg(unix)]
    assert!(matches!(
        r.check_local("l", &root.join("link.tif")),
        Err(Error::Refused { .. })
    ));
    let p = UrlRules::protected();
    let e = p
        .check_local("/etc/passwd", Path::new("/etc/passwd"))
        .unwrap_err();
    assert!(e.to_string().contains("local paths are not allowed"), "{e}");
    assert!(UrlRules::explicit(&[], &[dir.path().join("nope")], false).is_err());
}

#[test]
fn describe_names_the_mode() {
    assert!(UrlRules::open().describe().starts_with("open"));
    assert!(UrlRules::protected().describe().starts_with("protected"));
    let r = UrlRules::explicit(&["s3://b/".into()], &[], true).unwrap();
    let d = r.describe();
    assert!(d.starts_with("explicit") && d.contains("s3://b/"), "{d}");
    assert_ne!(r.key(), UrlRules::protected().key());
}
