//! The document's parsing, validation and dump against cogeo-mosaic's and TiTiler's answers.

use super::document::*;
use super::Error;

/// The server's default document limit.
const DEFAULT_MAX_DOCUMENT_BYTES: usize = crate::io::DEFAULT_MAX_DOCUMENT_BYTES as usize;

const CONFORMANCE: &str = "../shared/conformance";

fn fixture(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("{CONFORMANCE}/mosaics/{name}")).ok()
}

/// The `expect.json` of a recorded TiTiler case, re-serialised compactly.
fn expected_json(case: &str) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(format!("{CONFORMANCE}/cases-stac/{case}.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(v["expect"]["json"].clone())
}

#[test]
fn dump_matches_titiler_for_both_fixtures() {
    for (file, case) in [
        ("dem_quads.json", "mosaic_dem_quads__doc"),
        ("titiler_mosaic.json", "mosaic_titiler__doc"),
    ] {
        let (Some(bytes), Some(want)) = (fixture(file), expected_json(case)) else {
            eprintln!("skipping {case}: conformance files not found");
            continue;
        };
        let doc = MosaicJson::from_bytes(&bytes, DEFAULT_MAX_DOCUMENT_BYTES).unwrap();
        let got = doc.to_titiler_json();
        let parsed: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(parsed, want, "{case}");
        // Field order and the order of `tiles` are TiTiler's, not sorted.
        let text =
            std::fs::read_to_string(format!("{CONFORMANCE}/cases-stac/{case}.json")).unwrap();
        let keys_in = |s: &str| -> Vec<usize> {
            doc.tiles
                .iter()
                .map(|(k, _)| s.find(&format!("\"{k}\"")).unwrap())
                .collect()
        };
        let (a, b) = (keys_in(&got), keys_in(&text));
        let order = |v: &[usize]| {
            let mut idx: Vec<usize> = (0..v.len()).collect();
            idx.sort_by_key(|&i| v[i]);
            idx
        };
        assert_eq!(order(&a), order(&b), "{case}: tiles order");
    }
}

#[test]
fn info_matches_titiler_for_both_fixtures() {
    for (file, case) in [
        ("dem_quads.json", "mosaic_dem_quads__info"),
        ("titiler_mosaic.json", "mosaic_titiler__info"),
    ] {
        let (Some(bytes), Some(want)) = (fixture(file), expected_json(case)) else {
            continue;
        };
        let doc = MosaicJson::from_bytes(&bytes, DEFAULT_MAX_DOCUMENT_BYTES).unwrap();
        let info = doc.info(false).unwrap();
        assert_eq!(serde_json::to_value(&info).unwrap(), want, "{case}");
        assert!(serde_json::to_string(&info)
            .unwrap()
            .starts_with("{\"bounds\":"));
        assert_eq!(doc.info(true).unwrap().quadkeys.len(), doc.tiles.len());
    }
}

#[test]
fn dump_field_order_and_defaults() {
    let doc = MosaicJson::from_bytes(
        br#"{"tiles": {"0": ["a"]}, "mosaicjson": "0.0.2", "bounds": [-10, -5, 10, 5], "minzoom": 3, "name": "n"}"#,
        1000,
    )
    .unwrap();
    assert_eq!(
        doc.to_titiler_json(),
        r#"{"mosaicjson":"0.0.2","name":"n","version":"1.0.0","minzoom":3,"maxzoom":30,"bounds":[-10.0,-5.0,10.0,5.0],"center":[0.0,0.0,3],"tiles":{"0":["a"]}}"#
    );
    assert_eq!(doc.quadkey_zoom(), 3);
}

#[test]
fn gzip_documents_parse_and_bombs_stop_at_the_limit() {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let json = br#"{"mosaicjson": "0.0.3", "tiles": {"1": ["x.tif"]}}"#;
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(json).unwrap();
    let gz = enc.finish().unwrap();
    let doc = MosaicJson::from_bytes(&gz, 1000).unwrap();
    assert_eq!(doc.assets_of("1").unwrap(), ["x.tif".to_string()]);

    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![b' '; 5_000_000]).unwrap();
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 50_000);
    let err = MosaicJson::from_bytes(&bomb, 1 << 20).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit } if limit == 1 << 20),
        "{err}"
    );
    assert!(matches!(
        MosaicJson::from_bytes(json, 10),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        MosaicJson::from_bytes(&gz[..gz.len() / 2], 1000),
        Err(Error::Gzip(_))
    ));
    assert!(matches!(
        MosaicJson::from_bytes(b"{not json", 1000),
        Err(Error::Json(_))
    ));
}

#[test]
fn missing_fields_give_pydantic_text_and_422_entries() {
    let body = br#"{"type": "Feature", "stac_version": "1.0.0", "assets": {"meta": {"roles": ["metadata"]}}}"#;
    let err = MosaicJson::from_bytes(body, 1000).unwrap_err();
    assert_eq!(
        err.to_string(),
        "2 validation errors for MosaicJSON\nmosaicjson\n  Field required [type=missing, input_value={'type': 'Feature', 'stac...'roles': ['metadata']}}}, input_type=dict]\n    For further information visit https://errors.pydantic.dev/2.14/v/missing\ntiles\n  Field required [type=missing, input_value={'type': 'Feature', 'stac...'roles': ['metadata']}}}, input_type=dict]\n    For further information visit https://errors.pydantic.dev/2.14/v/missing"
    );
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(MosaicJson::missing_fields(&value), ["mosaicjson", "tiles"]);

    let body = br#"{"mosaicjson": "0.0.3", "minzoom": 11, "name": "dem_quads"}"#;
    let errs = MosaicJson::validation_errors(body).unwrap();
    assert_eq!(errs.len(), 1);
    assert_eq!(
        errs[0].to_fastapi("body"),
        serde_json::json!({
            "type": "missing",
            "loc": ["body", "tiles"],
            "msg": "Field required",
            "input": {"mosaicjson": "0.0.3", "minzoom": 11, "name": "dem_quads"}
        })
    );
}

#[test]
fn recorded_not_a_mosaic_500_text_matches() {
    let (Ok(item), Some(want)) = (
        std::fs::read(format!("{CONFORMANCE}/stac/s2_melbourne.json")),
        expected_json("mosaic_err_not_a_mosaic"),
    ) else {
        eprintln!("skipping: conformance files not found");
        return;
    };
    let err = MosaicJson::from_bytes(&item, DEFAULT_MAX_DOCUMENT_BYTES).unwrap_err();
    assert_eq!(err.to_string(), want["detail"].as_str().unwrap());
}

#[test]
fn recorded_validate_bad_cases_match() {
    for case in [
        "mosaic_dem_quads__validate_bad",
        "mosaic_titiler__validate_bad",
    ] {
        let Ok(text) = std::fs::read_to_string(format!("{CONFORMANCE}/cases-stac/{case}.json"))
        else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let body = serde_json::to_vec(&v["body"]).unwrap();
        let errs = MosaicJson::validation_errors(&body).unwrap();
        let got: Vec<_> = errs.iter().map(|e| e.to_fastapi("body")).collect();
        assert_eq!(serde_json::Value::from(got), v["expect"]["json"]["detail"]);
    }
    for case in ["mosaic_dem_quads__validate", "mosaic_titiler__validate"] {
        let Ok(text) = std::fs::read_to_string(format!("{CONFORMANCE}/cases-stac/{case}.json"))
        else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["expect"]["json"], true);
        let body = serde_json::to_vec(&v["body"]).unwrap();
        assert_eq!(MosaicJson::validation_errors(&body).unwrap(), [], "{case}");
    }
}

#[test]
fn bad_fields_are_all_reported() {
    let body = br#"{"mosaicjson": 3, "minzoom": -1, "maxzoom": 31, "quadkey_zoom": 4000,
        "bounds": [1, 2, 3], "center": [0, 0, 1.5], "tiles": {"0": "a.tif", "1": [2]},
        "colormap": {"x": [1, 2, 3, 4]}, "layers": []}"#;
    let errs = MosaicJson::validation_errors(body).unwrap();
    let kinds: Vec<_> = errs
        .iter()
        .map(|e| {
            let loc: Vec<_> = e.loc.iter().map(|l| l.to_string()).collect();
            format!("{}@{}", e.kind, loc.join("."))
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "string_type@mosaicjson",
            "greater_than_equal@minzoom",
            "less_than_equal@maxzoom",
            "less_than_equal@quadkey_zoom",
            "too_short@bounds",
            "int_from_float@center.2",
            "list_type@tiles.0",
            "string_type@tiles.1.0",
            "int_parsing@colormap.x.[key]",
            "dict_type@layers",
        ]
    );
    let err = MosaicJson::from_bytes(b"[1, 2]", 100).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cogeo_mosaic.mosaic.MosaicJSON() argument after ** must be a mapping, not list"
    );
    let errs = MosaicJson::validation_errors(b"[1, 2]").unwrap();
    assert_eq!(
        errs[0].to_fastapi("body"),
        serde_json::json!({
            "type": "model_attributes_type",
            "loc": ["body"],
            "msg": "Input should be a valid dictionary or object to extract fields from",
            "input": [1, 2]
        })
    );
}

#[test]
fn hostile_documents_are_errors() {
    // deep nesting: serde_json's recursion limit, not a stack overflow
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        MosaicJson::from_bytes(deep.as_bytes(), 1 << 20),
        Err(Error::Json(_))
    ));
    let deep_tiles = format!(
        r#"{{"mosaicjson": "0.0.2", "tiles": {{"0": {}1{}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(MosaicJson::from_bytes(deep_tiles.as_bytes(), 1 << 20).is_err());
    for body in [
        &b""[..],
        b"null",
        b"\xff\xfe",
        br#"{"mosaicjson": "0.0.2", "tiles": {}, "minzoom": 1e300}"#,
        br#"{"mosaicjson": "0.0.2", "tiles": {}, "quadkey_zoom": -5}"#,
        br#"{"mosaicjson": "0.0.2", "tiles": {}, "bounds": "world"}"#,
        br#"{"mosaicjson": "0.0.2", "tiles": {}, "bounds": ["nan", 0, 1, 1]}"#,
        br#"{"mosaicjson": "0.0.2", "tiles": {}, "tilematrixset": {"id": 3}}"#,
        br#"{"mosaicjson": "0.0.2", "tiles": [], "center": [0, 0]}"#,
    ] {
        assert!(
            MosaicJson::from_bytes(body, 1 << 20).is_err(),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    // a gzip header with garbage after it
    assert!(matches!(
        MosaicJson::from_bytes(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff], 100),
        Err(Error::Gzip(_))
    ));
}

#[test]
fn optional_0_0_3_members_round_trip() {
    let doc = MosaicJson::from_bytes(
        br#"{"mosaicjson": "0.0.3", "tiles": {}, "asset_prefix": "s3://b/", "data_type": "uint8",
             "colormap": {"1": [255, 0, 0, 255]}, "layers": {"z": {"b": 1, "a": 2}}, "attribution": null}"#,
        10_000,
    )
    .unwrap();
    let out = doc.to_titiler_json();
    assert!(out.ends_with(
        r#""tiles":{},"asset_prefix":"s3://b/","data_type":"uint8","colormap":{"1":[255,0,0,255]},"layers":{"z":{"b":1,"a":2}}}"#
    ), "{out}");
    assert!(!out.contains("attribution"));
}

#[test]
fn embedded_tilematrixset_is_used_and_must_be_a_quadtree() {
    let wmq = include_str!("../tms/data/WorldCRS84Quad.json");
    let body = format!(r#"{{"mosaicjson": "0.0.3", "tiles": {{}}, "tilematrixset": {wmq}}}"#);
    let doc = MosaicJson::from_bytes(body.as_bytes(), 1 << 20).unwrap();
    assert_eq!(doc.tms().id, "WorldCRS84Quad");
    assert!(doc.to_titiler_json().contains("\"tilematrixset\":{"));

    let mut v: serde_json::Value = serde_json::from_str(wmq).unwrap();
    v["tileMatrices"][1]["matrixWidth"] = 3.into();
    let body = format!(r#"{{"mosaicjson": "0.0.3", "tiles": {{}}, "tilematrixset": {v}}}"#);
    let err = MosaicJson::from_bytes(body.as_bytes(), 1 << 20).unwrap_err();
    assert!(
        err.to_string().contains("does not support quadtree"),
        "{err}"
    );
}
