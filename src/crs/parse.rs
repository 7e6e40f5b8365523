//! User-supplied CRS strings (`dst_crs=`, `coord_crs=`, TileMatrixSet `crs` fields).
//!
//! Accepted, as pyproj's `CRS.from_user_input` accepts them: `EPSG:4326` (any case),
//! `http://www.opengis.net/def/crs/EPSG/0/3857`, `urn:ogc:def:crs:EPSG::2193` (with or without
//! a version), `OGC:CRS84` and its URI/URN forms, proj strings (`+proj=...`), and WKT
//! (see [`super::wkt_parse`]).

use super::{Crs, Error};

/// Parses a CRS string; [`Error::Invalid`] when it is not one of the accepted forms,
/// [`Error::Unsupported`] when it is well formed but names a CRS we have no definition for.
pub fn parse(input: &str) -> Result<Crs, Error> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Error::Invalid("empty crs string".into()));
    }
    if s.starts_with('+') {
        return Crs::from_proj_string(s);
    }
    if super::wkt_parse::looks_like_wkt(s) {
        return super::wkt_parse::parse_wkt(s);
    }
    let (authority, code) = split_authority(s)
        .ok_or_else(|| Error::Invalid(format!("`{s}` is not a crs identifier")))?;
    match authority.to_ascii_uppercase().as_str() {
        "EPSG" => {
            let n: u32 = code.parse().map_err(|_| {
                Error::Invalid(format!("`{s}`: epsg code `{code}` is not a number"))
            })?;
            Crs::from_epsg(n)
        }
        "OGC" => match code.to_ascii_uppercase().as_str() {
            "CRS84" => Ok(Crs::crs84()),
            other => Err(Error::Unsupported(format!("OGC:{other}"))),
        },
        other => Err(Error::Unsupported(format!("authority `{other}` in `{s}`"))),
    }
}

/// `(authority, code)` out of the accepted identifier shapes.
fn split_authority(s: &str) -> Option<(&str, &str)> {
    let lower = s.to_ascii_lowercase();
    for prefix in [
        "http://www.opengis.net/def/crs/",
        "https://www.opengis.net/def/crs/",
    ] {
        if lower.starts_with(prefix) {
            // {authority}/{version}/{code}
            let rest = &s[prefix.len()..];
            let mut parts = rest.split('/');
            let auth = parts.next()?;
            let _version = parts.next()?;
            let code = parts.next()?;
            if parts.next().is_some() || auth.is_empty() || code.is_empty() {
                return None;
            }
            return Some((auth, code));
        }
    }
    if lower.starts_with("urn:ogc:def:crs:") {
        // urn:ogc:def:crs:{authority}:{version?}:{code}
        let rest = &s["urn:ogc:def:crs:".len()..];
        let parts: Vec<&str> = rest.split(':').collect();
        return match parts.as_slice() {
            [auth, _version, code] if !auth.is_empty() && !code.is_empty() => Some((auth, code)),
            [auth, code] if !auth.is_empty() && !code.is_empty() => Some((auth, code)),
            _ => None,
        };
    }
    if lower == "crs84" {
        return Some(("OGC", s));
    }
    let (auth, code) = s.split_once(':')?;
    let code = code.strip_prefix(':').unwrap_or(code);
    if auth.is_empty()
        || code.is_empty()
        || !auth.chars().all(|c| c.is_ascii_alphanumeric())
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return None;
    }
    Some((auth, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        for (s, code) in [
            ("EPSG:4326", 4326),
            ("epsg:3857", 3857),
            ("http://www.opengis.net/def/crs/EPSG/0/3857", 3857),
            ("https://www.opengis.net/def/crs/EPSG/0/32631", 32631),
            ("urn:ogc:def:crs:EPSG::2193", 2193),
            ("urn:ogc:def:crs:EPSG:6.18.3:3857", 3857),
            ("  EPSG:5482 ", 5482),
        ] {
            assert_eq!(parse(s).unwrap().epsg(), Some(code), "{s}");
        }
        for s in [
            "OGC:CRS84",
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "urn:ogc:def:crs:OGC:1.3:CRS84",
        ] {
            let c = parse(s).unwrap();
            assert_eq!(c.epsg(), None, "{s}");
            assert!(c.is_geographic() && !c.is_northing_first());
            assert_eq!(
                c.to_titiler_string(),
                "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
            );
        }
        let c = parse("+proj=utm +zone=33 +datum=WGS84").unwrap();
        assert!(!c.is_geographic());
    }

    #[test]
    fn bad_input_is_invalid_unknown_is_unsupported() {
        for s in [
            "",
            "nonsense",
            "EPSG:abc",
            "EPSG:",
            "http://example.com/x",
            "+proj=nope",
        ] {
            assert!(
                matches!(parse(s), Err(Error::Invalid(_))),
                "{s}: {:?}",
                parse(s)
            );
        }
        for s in ["EPSG:1", "ESRI:102100", "OGC:CRS27"] {
            assert!(matches!(parse(s), Err(Error::Unsupported(_))), "{s}");
        }
    }
}
