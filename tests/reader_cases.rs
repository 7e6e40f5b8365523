//! Reader-level conformance: our tiles against TiTiler's recorded `.npy` tile bodies.
//!
//! Every recorded case whose answer is an `.npy` tile (`cases/*__tile_*npy*`) is replayed
//! through the library (no HTTP): open the corpus file, read the tile with the case's options,
//! serialise like TiTiler and compare with compare.py's tolerances (≥ 99 % of pixels within
//! ±1 in every band incl. the mask band, floats within rel 1e-4). The `/cog/point` and
//! `/cog/statistics` (GET) cases are replayed the same way and their JSON numbers compared with
//! compare.py's tolerances (rel 1e-6, statistics-like fields rel 1e-3).

use std::collections::BTreeMap;

use cogtiler::cog::PixelWindow;
use cogtiler::crs::Crs;
use cogtiler::reader::statistics::{HistogramBins, StatsOptions};
use cogtiler::reader::{PreviewOptions, ReadOptions, Reader, TileOptions};
use cogtiler::tms::default_registry;
use serde_json::Value;

#[path = "support/conformance.rs"]
mod conformance;
use conformance::{cases_where, local_url, Npy};

/// compare.py's raster comparison for npy bodies: share of pixels whose every band is close.
fn pixel_fraction(ours: &Npy, exp: &Npy) -> Result<f64, String> {
    if ours.shape != exp.shape {
        return Err(format!("shape {:?} != {:?}", ours.shape, exp.shape));
    }
    if ours.descr != exp.descr {
        return Err(format!("dtype {} != {}", ours.descr, exp.descr));
    }
    let (bands, n) = (exp.shape[0], exp.shape[1] * exp.shape[2]);
    let float = exp.descr.contains('f');
    let (ours_v, exp_v) = (ours.values(), exp.values());
    let mut good = 0usize;
    for i in 0..n {
        let ok = (0..bands).all(|b| {
            let (a, e) = (ours_v[b * n + i], exp_v[b * n + i]);
            if float {
                (a.is_nan() && e.is_nan()) || a == e || (a - e).abs() <= 1e-6 + 1e-4 * e.abs()
            } else {
                (a - e).abs() <= 1.0
            }
        });
        good += ok as usize;
    }
    Ok(good as f64 / n as f64)
}

struct Case {
    id: String,
    tms: String,
    z: i32,
    x: i64,
    y: i64,
    url: String,
    query: Vec<(String, String)>,
    body_file: String,
}

fn npy_tile_cases() -> Vec<Case> {
    cases_where(|_| true)
        .into_iter()
        .filter(|c| {
            c.expect()["kind"] == "npy" && c.path.starts_with("/cog/tiles/") && c.status() == 200
        })
        .map(|c| {
            let parts: Vec<&str> = c
                .path
                .trim_start_matches("/cog/tiles/")
                .trim_end_matches(".npy")
                .split('/')
                .collect();
            Case {
                id: c.id.clone(),
                tms: parts[0].to_string(),
                z: parts[1].parse().unwrap(),
                x: parts[2].parse().unwrap(),
                y: parts[3].parse().unwrap(),
                url: c.local_url().unwrap(),
                query: c.query_without_url(),
                body_file: c.expect()["body_file"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn options(case: &Case) -> Result<TileOptions, String> {
    let mut o = TileOptions {
        read: ReadOptions::default(),
        ..Default::default()
    };
    let mut bidx = Vec::new();
    for (k, v) in &case.query {
        match k.as_str() {
            "bidx" => bidx.push(v.parse::<usize>().map_err(|e| e.to_string())?),
            "buffer" => {
                o.buffer = Some(
                    v.parse()
                        .map_err(|e: std::num::ParseFloatError| e.to_string())?,
                )
            }
            "unscale" => o.read.unscale = v == "true",
            "tilesize" => {
                o.tilesize = Some(
                    v.parse()
                        .map_err(|e: std::num::ParseIntError| e.to_string())?,
                )
            }
            other => return Err(format!("option '{other}' not handled by the reader")),
        }
    }
    if !bidx.is_empty() {
        o.read.indexes = Some(bidx);
    }
    Ok(o)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn npy_tiles_match_titiler() {
    let cases = npy_tile_cases();
    assert!(
        cases.len() >= 30,
        "expected the recorded npy tile cases, found {}",
        cases.len()
    );
    let mut results: BTreeMap<String, Result<f64, String>> = BTreeMap::new();
    for case in &cases {
        let r = async {
            let opts = options(case)?;
            let tms = default_registry()
                .get(&case.tms)
                .map_err(|e| e.to_string())?;
            let reader = Reader::open(&case.url).await.map_err(|e| e.to_string())?;
            let img = reader
                .tile(&tms, case.z, case.x, case.y, &opts)
                .await
                .map_err(|e| e.to_string())?;
            let exp = conformance::body(&case.body_file);
            if let Ok(dir) = std::env::var("READER_CASES_OUT") {
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(format!("{dir}/{}.npy", case.id), img.to_npy());
            }
            pixel_fraction(&Npy::parse(&img.to_npy()), &Npy::parse(&exp))
        }
        .await;
        results.insert(case.id.clone(), r);
    }
    let mut passed = 0;
    for (id, r) in &results {
        // (a listed pure-Rust-build divergence counts as passing there, as in `report`)
        let ok = matches!(r, Ok(f) if *f >= 0.99) || conformance::pure_rust_divergence(id);
        passed += ok as usize;
        match r {
            Ok(f) => println!(
                "{} {id}: {:.2}% pixels match",
                if ok { "PASS" } else { "FAIL" },
                f * 100.0
            ),
            Err(e) => println!("FAIL {id}: {e}"),
        }
    }
    println!("npy tile cases: {passed}/{} pass", results.len());
    // ratchet: the number of passing cases may only go up
    assert!(
        passed >= MIN_PASSING,
        "only {passed} of {} npy tile cases pass",
        results.len()
    );
}

const MIN_PASSING: usize = 29;

/// Whether the recorded case tells compare.py to ignore band descriptions (`expect.ignore`):
/// TiTiler 2.4 describes every band like the last one read there, cogtiler does not.
fn ignores_descriptions(id: &str) -> bool {
    let Some(case) = cases_where(|n| n == id).pop() else {
        return false;
    };
    case.expect()["ignore"].as_array().is_some_and(|paths| {
        paths
            .iter()
            .any(|p| p.as_str().is_some_and(|p| p.contains("description")))
    })
}

/// A recorded JSON case: id, path, dataset path, query (without url), expected body.
type JsonCase = (String, String, String, Vec<(String, String)>, Value);

/// Every recorded GET case under `prefix` answered 200, with its query (url mapped to a path).
fn json_cases(prefix: &str) -> Vec<JsonCase> {
    cases_where(|_| true)
        .into_iter()
        .filter(|c| c.path.starts_with(prefix) && c.method == "GET" && c.status() == 200)
        .filter_map(|c| {
            Some((
                c.id.clone(),
                c.path.clone(),
                c.local_url()?,
                c.query_without_url(),
                c.expect()["json"].clone(),
            ))
        })
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= 1e-6 + rel * b.abs() || (a.is_nan() && b.is_nan())
}

/// Prints each result and counts the passing ones; a case the pure-Rust build answers
/// differently by design (tests/pure-rust-divergences.txt) counts as passing there.
fn report(kind: &str, results: &[(String, Result<(), String>)]) -> usize {
    let mut passed = 0;
    for (id, r) in results {
        match r {
            Ok(()) => println!("PASS {id}"),
            Err(e) if conformance::pure_rust_divergence(id) => println!("DIVERGED {id}: {e}"),
            Err(e) => println!("FAIL {id}: {e}"),
        }
        passed += usize::from(r.is_ok() || conformance::pure_rust_divergence(id));
    }
    println!("{kind} cases: {passed}/{} pass", results.len());
    passed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_values_match_titiler() {
    let cases = json_cases("/cog/point/");
    assert!(
        cases.len() >= 40,
        "expected the recorded point cases, found {}",
        cases.len()
    );
    let mut results = Vec::new();
    for (id, path, url, query, expect) in &cases {
        let r = async {
            let coords = path.trim_start_matches("/cog/point/");
            let (lon, lat) = coords.split_once(',').ok_or("bad path")?;
            let (lon, lat): (f64, f64) = (
                lon.parse().map_err(|_| "lon")?,
                lat.parse().map_err(|_| "lat")?,
            );
            let mut opts = ReadOptions::default();
            let mut crs = Crs::from_epsg(4326).map_err(|e| e.to_string())?;
            let mut bidx = Vec::new();
            for (k, v) in query {
                match k.as_str() {
                    "bidx" => bidx.push(v.parse::<usize>().map_err(|e| e.to_string())?),
                    "coord_crs" => crs = Crs::parse(v).map_err(|e| e.to_string())?,
                    "unscale" => opts.unscale = v == "true",
                    other => return Err(format!("option '{other}' not handled by the reader")),
                }
            }
            if !bidx.is_empty() {
                opts.indexes = Some(bidx);
            }
            let reader = Reader::open(url).await.map_err(|e| e.to_string())?;
            let pt = reader
                .point(lon, lat, &crs, &opts)
                .await
                .map_err(|e| e.to_string())?;
            let exp = expect["values"].as_array().ok_or("no values")?;
            if exp.len() != pt.values.len() {
                return Err(format!("{} values != {}", pt.values.len(), exp.len()));
            }
            for (i, e) in exp.iter().enumerate() {
                match (e.as_f64(), pt.valid[i]) {
                    (None, false) => {}
                    (Some(e), true) if close(pt.values[i], e, 1e-6) => {}
                    (e, v) => {
                        return Err(format!(
                            "band {}: ours {:?} (valid {v}), expected {e:?}",
                            i + 1,
                            pt.values[i]
                        ))
                    }
                }
            }
            if !ignores_descriptions(id)
                && expect["band_descriptions"] != serde_json::json!(pt.band_descriptions)
            {
                return Err(format!(
                    "band_descriptions {:?} != {}",
                    pt.band_descriptions, expect["band_descriptions"]
                ));
            }
            Ok(())
        }
        .await;
        results.push((id.clone(), r));
    }
    let passed = report("point", &results);
    assert!(
        passed >= MIN_POINT_PASSING,
        "only {passed} of {} point cases pass",
        results.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_match_titiler() {
    let cases = json_cases("/cog/statistics");
    assert!(
        cases.len() >= 40,
        "expected the recorded statistics cases, found {}",
        cases.len()
    );
    let mut results = Vec::new();
    for (id, _path, url, query, expect) in &cases {
        let r = async {
            let mut p = PreviewOptions::default();
            let mut st = StatsOptions::default();
            let mut bidx = Vec::new();
            let mut pct = Vec::new();
            let mut cats = Vec::new();
            for (k, v) in query {
                let num = |v: &str| v.parse::<f64>().map_err(|e| e.to_string());
                match k.as_str() {
                    "bidx" => bidx.push(v.parse::<usize>().map_err(|e| e.to_string())?),
                    "max_size" => {
                        p.max_size = Some(
                            v.parse()
                                .map_err(|e: std::num::ParseIntError| e.to_string())?,
                        )
                    }
                    "p" => pct.push(v.parse::<u32>().map_err(|e| e.to_string())?),
                    "c" => cats.push(num(v)?),
                    "categorical" => st.categorical = v == "true",
                    "unscale" => p.read.unscale = v == "true",
                    "histogram_bins" => {
                        let parts: Vec<f64> = v.split(',').map(num).collect::<Result<_, _>>()?;
                        st.bins = if parts.len() == 1 {
                            HistogramBins::Count(parts[0] as usize)
                        } else {
                            HistogramBins::Edges(parts)
                        };
                    }
                    "histogram_range" => {
                        let parts: Vec<f64> = v.split(',').map(num).collect::<Result<_, _>>()?;
                        st.range = Some((parts[0], parts[1]));
                    }
                    other => return Err(format!("option '{other}' not handled by the reader")),
                }
            }
            if !bidx.is_empty() {
                p.read.indexes = Some(bidx);
            }
            if !pct.is_empty() {
                st.percentiles = pct;
            }
            if !cats.is_empty() {
                st.categories = Some(cats);
            }
            let reader = Reader::open(url).await.map_err(|e| e.to_string())?;
            let img = reader.preview(&p).await.map_err(|e| e.to_string())?;
            let stats = cogtiler::reader::image_statistics(&img, &st);
            for (b, s) in stats.iter().enumerate() {
                let key = &img.band_names[b];
                let e = &expect[key];
                if e.is_null() {
                    return Err(format!("unexpected band {key}"));
                }
                let mut fields = vec![
                    ("min", s.min, 1e-6),
                    ("max", s.max, 1e-6),
                    ("mean", s.mean, 1e-3),
                    ("count", s.count, 1e-6),
                    ("sum", s.sum, 1e-3),
                    ("std", s.std, 1e-3),
                    ("median", s.median, 1e-3),
                    ("majority", s.majority, 1e-6),
                    ("minority", s.minority, 1e-6),
                    ("unique", s.unique, 1e-6),
                    ("valid_percent", s.valid_percent, 1e-6),
                    ("masked_pixels", s.masked_pixels, 1e-6),
                    ("valid_pixels", s.valid_pixels, 1e-6),
                ];
                let names: Vec<String> = s
                    .percentiles
                    .iter()
                    .map(|(p, _)| format!("percentile_{p}"))
                    .collect();
                for (i, (_, v)) in s.percentiles.iter().enumerate() {
                    fields.push((names[i].as_str(), *v, 1e-3));
                }
                for (name, ours, rel) in fields {
                    // JSON null stands for NaN (no valid pixels)
                    let Some(exp) = e[name].as_f64() else {
                        if e[name].is_null() && ours.is_nan() {
                            continue;
                        }
                        return Err(format!("{key}.{name}: ours {ours}, expected {}", e[name]));
                    };
                    if !close(ours, exp, rel) {
                        return Err(format!("{key}.{name}: ours {ours}, expected {exp}"));
                    }
                }
                let h = &e["histogram"];
                for (k, ours) in [&s.histogram.0, &s.histogram.1].iter().enumerate() {
                    let exp: Vec<f64> = h[k]
                        .as_array()
                        .ok_or("histogram")?
                        .iter()
                        .filter_map(Value::as_f64)
                        .collect();
                    if exp.len() != ours.len()
                        || exp
                            .iter()
                            .zip(ours.iter())
                            .any(|(e, o)| !close(*o, *e, 1e-3))
                    {
                        return Err(format!(
                            "{key}.histogram[{k}]: ours {ours:?}, expected {exp:?}"
                        ));
                    }
                }
                if !ignores_descriptions(id)
                    && e["description"] != serde_json::json!(img.band_descriptions[b])
                {
                    return Err(format!(
                        "{key}.description {:?} != {}",
                        img.band_descriptions[b], e["description"]
                    ));
                }
            }
            if expect.as_object().map(|o| o.len()) != Some(stats.len()) {
                return Err(format!("{} bands, expected {}", stats.len(), expect));
            }
            Ok(())
        }
        .await;
        results.push((id.clone(), r));
    }
    let passed = report("statistics", &results);
    assert!(
        passed >= MIN_STATS_PASSING,
        "only {passed} of {} statistics cases pass",
        results.len()
    );
}

const MIN_POINT_PASSING: usize = 55;
const MIN_STATS_PASSING: usize = 63;

/// `GET /cog/bbox/{minx},{miny},{maxx},{maxy}/128x128.tif`: TiTiler's GeoTIFF body (data bands
/// then the mask band) read back with our own COG reader and compared with `Reader::part`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bbox_tif_matches_titiler() {
    let dir = conformance::dir();
    let case = conformance::case("dem_f32_deflate_p3_3857__bbox_size_tif");
    let path = case["path"].as_str().unwrap();
    let coords = path
        .trim_start_matches("/cog/bbox/")
        .split('/')
        .next()
        .unwrap();
    let b: Vec<f64> = coords.split(',').map(|v| v.parse().unwrap()).collect();
    let url = dir.join("corpus/dem_f32_deflate_p3_3857.tif");
    let reader = Reader::open(url.to_str().unwrap()).await.unwrap();
    let wgs84 = Crs::from_epsg(4326).unwrap();
    let opts = cogtiler::reader::PartOptions {
        bounds_crs: Some(wgs84.clone()),
        // TiTiler's bbox endpoint: dst_crs defaults to the coordinates' CRS
        dst_crs: Some(wgs84),
        width: Some(128),
        height: Some(128),
        ..Default::default()
    };
    let img = reader.part([b[0], b[1], b[2], b[3]], &opts).await.unwrap();
    let body = dir
        .join("cases")
        .join(case["expect"]["body_file"].as_str().unwrap());
    let exp = Reader::open(body.to_str().unwrap()).await.unwrap();
    let m = exp.dataset().cog().header();
    assert_eq!(
        (m.width as usize, m.height as usize),
        (img.width(), img.height())
    );
    let all: Vec<usize> = (1..=m.bands).collect();
    let r = exp
        .dataset()
        .cog()
        .read_window(PixelWindow {
            level: 0,
            x: 0,
            y: 0,
            width: 128,
            height: 128,
            bands: &all,
        })
        .await
        .unwrap();
    assert_eq!(r.bands, img.count() + 1, "data bands + mask band");
    let n = 128 * 128;
    let (ours, theirs) = (img.raster.data.to_f64_vec(), r.data.to_f64_vec());
    let mut good = 0;
    for i in 0..n {
        let mask_ok = (theirs[n + i] != 0.0) == (img.raster.mask[i] != 0);
        let (a, e) = (ours[i], theirs[i]);
        let val_ok = img.raster.mask[i] == 0 || a == e || (a - e).abs() <= 1e-6 + 1e-4 * e.abs();
        good += (mask_ok && val_ok) as usize;
    }
    let frac = good as f64 / n as f64;
    println!("bbox tif: {:.2}% pixels match", frac * 100.0);
    assert!(frac >= 0.99, "only {:.2}% of pixels match", frac * 100.0);
}

/// POST /cog/statistics: a GeoJSON feature (or the first of a collection), window snapped to
/// dataset pixels, statistics weighted by polygon coverage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feature_statistics_match_titiler() {
    let mut results = Vec::new();
    for id in [
        "dem_f32_deflate_p3_3857__feature_stats",
        "dem_f32_deflate_p3_3857__feature_stats_cover",
        "rgb_jpeg_mask_3857__feature_stats_hist",
    ] {
        let case = conformance::case(id);
        let r = async {
            let mut opts = cogtiler::reader::PartOptions::default();
            let mut st = StatsOptions::default();
            let mut cover = 10;
            for q in case["query"].as_array().unwrap() {
                let (k, v) = (q[0].as_str().unwrap(), q[1].as_str().unwrap());
                match k {
                    "url" => {}
                    "max_size" => opts.max_size = Some(v.parse().unwrap()),
                    "cover_scale" => cover = v.parse().unwrap(),
                    "histogram_bins" => st.bins = HistogramBins::Count(v.parse().unwrap()),
                    other => return Err(format!("option '{other}' not handled")),
                }
            }
            let url = local_url(case["query"][0][1].as_str().unwrap());
            let reader = Reader::open(&url).await.map_err(|e| e.to_string())?;
            let body = &case["body"];
            let feature = if body["type"] == "FeatureCollection" {
                &body["features"][0]
            } else {
                body
            };
            let wgs84 = Crs::from_epsg(4326).unwrap();
            let stats = reader
                .feature_statistics(feature, &wgs84, &opts, cover, &st)
                .await
                .map_err(|e| e.to_string())?;
            let exp_props = if body["type"] == "FeatureCollection" {
                &case["expect"]["json"]["features"][0]["properties"]["statistics"]
            } else {
                &case["expect"]["json"]["properties"]["statistics"]
            };
            let s = &stats[0];
            let e = &exp_props["b1"];
            for (name, ours, rel) in [
                ("min", s.min, 1e-6),
                ("max", s.max, 1e-6),
                ("mean", s.mean, 1e-3),
                ("count", s.count, 1e-6),
                ("sum", s.sum, 1e-3),
                ("std", s.std, 1e-3),
                ("median", s.median, 1e-3),
                ("valid_pixels", s.valid_pixels, 1e-6),
                ("masked_pixels", s.masked_pixels, 1e-6),
            ] {
                let exp = e[name].as_f64().ok_or(format!("{name} missing"))?;
                if !close(ours, exp, rel) {
                    return Err(format!("b1.{name}: ours {ours}, expected {exp}"));
                }
            }
            Ok(())
        }
        .await;
        results.push((id.to_string(), r));
    }
    let passed = report("feature statistics", &results);
    assert!(
        passed >= MIN_FEATURE_STATS_PASSING,
        "only {passed} feature statistics cases pass"
    );
}

const MIN_FEATURE_STATS_PASSING: usize = 3;
