//! The reader core against the shared conformance corpus: every file opens, `info` equals
//! TiTiler's recorded `/cog/info` answer, every block decodes to GDAL's digest (masks too),
//! bad files give typed errors, HTTP opens need one range request (and no HEAD), S3 works
//! against a real local S3-compatible server.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use cogtiler::cog::PixelWindow;
use cogtiler::cog::{gdal_dataset_mask, Cog, OpenOptions};
use cogtiler::io::{CountingSource, MemorySource};
use serde_json::Value;
use sha2::{Digest, Sha256};

#[path = "support/conformance.rs"]
mod conformance;
use conformance::{cases_where, local_url, RangeServer};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// compare.py's JSON comparison: key order ignored, numbers within tolerance (coordinates
/// 1e-7 in degrees / 1e-3 in metres, else 1e-6 relative or absolute).
fn json_diff(ours: &Value, want: &Value, path: &str, out: &mut Vec<String>) {
    match (ours, want) {
        (Value::Object(a), Value::Object(b)) => {
            for k in a
                .keys()
                .chain(b.keys())
                .collect::<std::collections::BTreeSet<_>>()
            {
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => json_diff(x, y, &format!("{path}.{k}"), out),
                    (None, _) => out.push(format!("{path}.{k} missing")),
                    (_, None) => out.push(format!("{path}.{k} unexpected")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path}: {} items, want {}", a.len(), b.len()));
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                json_diff(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            let tol = if path.contains("bounds") {
                if b.abs() <= 360.0 {
                    1e-7
                } else {
                    1e-3
                }
            } else {
                1e-6f64.max(b.abs() * 1e-6)
            };
            if (a - b).abs() > tol {
                out.push(format!("{path}: {a} != {b}"));
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} != {b}")),
    }
}

#[test]
fn info_matches_every_recorded_reference() {
    let rt = rt();
    let mut checked = 0;
    let mut failures = Vec::new();
    let cases = cases_where(|n| {
        n.ends_with("__info") || n == "err_noncog_info" || n == "err_truncated_info"
    });
    assert!(
        cases.len() >= 50,
        "expected the recorded info cases, found {}",
        cases.len()
    );
    for rec in cases {
        let (id, case) = (rec.id.clone(), &rec.json);
        let url = rec.local_url().unwrap();
        let want = &case["expect"]["json"];
        let cog = match rt.block_on(Cog::open(&url, &OpenOptions::uncached())) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{id}: open failed: {e}"));
                continue;
            }
        };
        let ours = serde_json::to_value(cog.info()).unwrap();
        let mut diffs = Vec::new();
        json_diff(&ours, want, "$", &mut diffs);
        if !diffs.is_empty() {
            failures.push(format!("{id}: {diffs:?}"));
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("info: {checked} recorded references match");
}

#[test]
fn validate_matches_every_recorded_reference() {
    let rt = rt();
    let mut checked = 0;
    let mut failures = Vec::new();
    for rec in cases_where(|_| true) {
        let case = &rec.json;
        if rec.path != "/cog/validate" || rec.status() != 200 {
            continue;
        }
        let q: BTreeMap<String, String> = rec.query.iter().cloned().collect();
        let url = local_url(&q["url"]);
        let cog = rt
            .block_on(Cog::open(&url, &OpenOptions::uncached()))
            .unwrap();
        let strict = q.get("strict").is_some_and(|s| s == "true");
        let mut ours = serde_json::to_value(cogtiler::cog::validate(cog.header(), strict)).unwrap();
        let want = case["expect"]["json"].clone();
        ours["Path"] = want["Path"].clone();
        let mut diffs = Vec::new();
        json_diff(&ours, &want, "$", &mut diffs);
        if !diffs.is_empty() {
            failures.push(format!("{}: {diffs:?}", case["id"]));
        }
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} validate cases found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn sha256_hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Per-band mean and box-averaged ≤16×16 thumbnail (the digest generator's definition).
fn mean_and_thumb(v: &[f64], bands: usize, rows: usize, cols: usize) -> (Vec<f64>, Vec<f64>) {
    let (th, tw) = (rows.min(16), cols.min(16));
    let mut means = Vec::new();
    let mut thumb = Vec::new();
    for b in 0..bands {
        let p = &v[b * rows * cols..(b + 1) * rows * cols];
        means.push(p.iter().sum::<f64>() / p.len() as f64);
        for i in 0..th {
            let (r0, r1) = (i * rows / th, (i + 1) * rows / th);
            for j in 0..tw {
                let (c0, c1) = (j * cols / tw, (j + 1) * cols / tw);
                let mut s = 0.0;
                for r in r0..r1 {
                    for c in c0..c1 {
                        s += p[r * cols + c];
                    }
                }
                thumb.push(s / ((r1 - r0) * (c1 - c0)) as f64);
            }
        }
    }
    (means, thumb)
}

#[test]
fn every_block_matches_gdal_digests() {
    let dir = conformance::dir().join("blocks");
    let rt = rt();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut nfiles, mut exact, mut lossy_ok, mut masks) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for f in files {
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let path = conformance::dir().join(spec["path"].as_str().unwrap());
        let lossy = spec["lossy"].as_bool().unwrap_or(false);
        let name = spec["file"].as_str().unwrap().to_string();
        let cog = match rt.block_on(Cog::open(path.to_str().unwrap(), &OpenOptions::uncached())) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: open: {e}"));
                continue;
            }
        };
        nfiles += 1;
        for lv in spec["levels"].as_array().unwrap() {
            let li = lv["level"].as_u64().unwrap() as usize;
            let Some(level) = cog.header().levels.get(li) else {
                failures.push(format!("{name}: level {li} missing"));
                continue;
            };
            assert_eq!(
                level.width as u64,
                lv["width"].as_u64().unwrap(),
                "{name} level {li}"
            );
            assert_eq!(
                level.block_width as u64,
                lv["block_width"].as_u64().unwrap(),
                "{name} level {li}"
            );
            for (key, want) in lv["blocks"].as_object().unwrap() {
                let (c, r) = key.split_once(',').unwrap();
                let (c, r): (u32, u32) = (c.parse().unwrap(), r.parse().unwrap());
                let what = format!("{name} level {li} block {key}");
                let raster = match rt.block_on(cog.read_block(li, c, r)) {
                    Ok(x) => x,
                    Err(e) => {
                        failures.push(format!("{what}: {e}"));
                        continue;
                    }
                };
                let digest = sha256_hex(&raster.data.to_le_bytes());
                if digest == want["sha256"].as_str().unwrap() {
                    exact += 1;
                } else if lossy {
                    let v = raster.data.to_f64_vec();
                    let (m, t) = mean_and_thumb(&v, raster.bands, raster.height, raster.width);
                    let wm: Vec<f64> = serde_json::from_value(want["mean"].clone()).unwrap();
                    let wt: Vec<f64> = want["thumb16"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .flat_map(|b| b.as_array().unwrap().iter())
                        .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
                        .collect();
                    let mean_err = m
                        .iter()
                        .zip(&wm)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max);
                    let diffs: Vec<f64> = t.iter().zip(&wt).map(|(a, b)| (a - b).abs()).collect();
                    let over = diffs.iter().filter(|&&d| d > 2.0).count() as f64
                        / diffs.len().max(1) as f64;
                    let worst = diffs.iter().copied().fold(0.0, f64::max);
                    // JPEG decoders differ by a grey level or two; an 8×8-pixel thumbnail cell
                    // on a sharp edge can land a little past ±2.
                    if t.len() == wt.len() && mean_err <= 2.0 && worst <= 4.0 && over <= 0.02 {
                        lossy_ok += 1;
                    } else {
                        failures.push(format!(
                            "{what}: lossy mean err {mean_err:.2}, thumb worst {worst:.2}"
                        ));
                    }
                } else {
                    failures.push(format!("{what}: sha256 differs"));
                }
                if let Some(wmask) = want.get("mask_sha256").and_then(|m| m.as_str()) {
                    let mask = gdal_dataset_mask(cog.header(), &raster);
                    if sha256_hex(&mask) == wmask {
                        masks += 1;
                    } else if lossy && cog.header().alpha_band.is_some() {
                        // Lossy alpha (WebP) differs like the data does: compare the means.
                        let ours = mask.iter().map(|&x| x as f64).sum::<f64>() / mask.len() as f64;
                        let a = cog.header().alpha_band.unwrap();
                        let m: Vec<f64> = serde_json::from_value(want["mean"].clone()).unwrap();
                        if (ours - m[a]).abs() <= 2.0 {
                            masks += 1;
                        } else {
                            failures
                                .push(format!("{what}: alpha mask mean {ours:.2} != {:.2}", m[a]));
                        }
                    } else {
                        failures.push(format!("{what}: mask sha256 differs"));
                    }
                }
            }
        }
    }
    eprintln!(
        "blocks: {nfiles} files, {exact} exact, {lossy_ok} lossy within tolerance, {masks} masks"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        nfiles >= 50 && exact > 1000,
        "too few blocks checked: {nfiles} files, {exact} blocks"
    );
}

#[test]
fn bad_files_give_typed_errors() {
    let rt = rt();
    let c = conformance::dir().join("corpus");
    let e = rt
        .block_on(Cog::open(
            c.join("bad_not_a_tiff.tif").to_str().unwrap(),
            &OpenOptions::uncached(),
        ))
        .unwrap_err();
    assert!(
        matches!(
            e,
            cogtiler::cog::Error::Tiff(cogtiler::tiff::Error::NotTiff { .. })
        ),
        "{e}"
    );
    // The truncated COG opens (its header is intact) but full-resolution tiles point past EOF.
    let cog = rt
        .block_on(Cog::open(
            c.join("bad_truncated_cog.tif").to_str().unwrap(),
            &OpenOptions::uncached(),
        ))
        .unwrap();
    let lv = cog.header().levels[0].clone();
    let last = rt.block_on(cog.read_block(0, lv.blocks_across() - 1, lv.blocks_down() - 1));
    assert!(
        matches!(
            last,
            Err(cogtiler::cog::Error::Io(
                cogtiler::io::Error::Truncated { .. }
            ))
        ),
        "{last:?}"
    );
    // Out-of-range requests are typed too.
    assert!(matches!(
        rt.block_on(cog.read_block(9, 0, 0)),
        Err(cogtiler::cog::Error::InvalidLevel { .. })
    ));
    assert!(matches!(
        rt.block_on(cog.read_window(PixelWindow {
            level: 0,
            x: 0,
            y: 0,
            width: 4,
            height: 4,
            bands: &[2]
        })),
        Err(cogtiler::cog::Error::InvalidBand { .. })
    ));
    assert!(matches!(
        rt.block_on(cog.read_window(PixelWindow {
            level: 0,
            x: 0,
            y: 0,
            width: 1 << 20,
            height: 1 << 20,
            bands: &[1]
        })),
        Err(cogtiler::cog::Error::WindowTooLarge { .. })
    ));
    assert!(matches!(
        rt.block_on(cog.read_window(PixelWindow {
            level: 0,
            x: i64::MAX - 2,
            y: 0,
            width: 16,
            height: 16,
            bands: &[1]
        })),
        Err(cogtiler::cog::Error::WindowTooLarge { .. })
    ));
    let missing = rt.block_on(Cog::open("/nonexistent/x.tif", &OpenOptions::uncached()));
    assert!(matches!(
        missing,
        Err(cogtiler::cog::Error::Io(
            cogtiler::io::Error::NotFound { .. }
        ))
    ));
}

#[test]
fn header_needs_one_read_and_windows_coalesce() {
    let rt = rt();
    for name in [
        "dem_i16_lzw_p2_32631.tif",
        "rgb_jpeg_mask_3857.tif",
        "rio_u8_bigtiff_4326.tif",
        "singapore_u16_bigendian_3857.tif",
    ] {
        let bytes = std::fs::read(conformance::dir().join("corpus").join(name)).unwrap();
        let counting = Arc::new(CountingSource::new(Arc::new(MemorySource::new(
            name, bytes,
        ))));
        let cog = rt
            .block_on(Cog::open_source(counting.clone(), &OpenOptions::uncached()))
            .unwrap();
        assert_eq!(
            counting.requests(),
            1,
            "{name}: header reads {:?}",
            counting.ranges()
        );
        // A 2×2-block window in the middle of level 0: one coalesced request (GDAL stores
        // tiles row-major, masks interleaved, so two rows of two tiles are close together).
        let lv = cog.header().levels[0].clone();
        let (bw, bh) = (lv.block_width as i64, lv.block_height as i64);
        rt.block_on(cog.read_window(PixelWindow {
            level: 0,
            x: bw / 2,
            y: bh / 2,
            width: bw as usize,
            height: bh as usize,
            bands: &[1],
        }))
        .unwrap();
        let data_reads = counting.requests() - 1;
        assert!(
            (1..=2).contains(&data_reads),
            "{name}: {data_reads} data reads {:?}",
            counting.ranges()
        );
    }
}

#[test]
fn boundless_window_masks_outside_pixels() {
    let rt = rt();
    let p = conformance::dir().join("corpus/external/cog.tif");
    let cog = rt
        .block_on(Cog::open(p.to_str().unwrap(), &OpenOptions::uncached()))
        .unwrap();
    let inside = rt
        .block_on(cog.read_window(PixelWindow {
            level: 0,
            x: 0,
            y: 0,
            width: 8,
            height: 8,
            bands: &[1],
        }))
        .unwrap();
    let r = rt
        .block_on(cog.read_window(PixelWindow {
            level: 0,
            x: -4,
            y: -4,
            width: 8,
            height: 8,
            bands: &[1],
        }))
        .unwrap();
    for y in 0..8 {
        for x in 0..8 {
            let i = y * 8 + x;
            if x < 4 || y < 4 {
                assert_eq!((r.mask[i], r.data.get_f64(i)), (0, 0.0));
            } else {
                assert_eq!(r.mask[i], 255);
                assert_eq!(
                    r.data.get_f64(i),
                    inside.data.get_f64((y - 4) * 8 + (x - 4))
                );
            }
        }
    }
}

/// A child process killed on drop.
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn http_open_is_one_range_request_and_never_head() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let server = RangeServer::start(Some(log.path()));
    let base = server.base.clone();
    let rt = rt();
    let mut per_file = BTreeMap::new();
    for name in [
        "dem_i16_lzw_p2_32631.tif",
        "rio_u8_bigtiff_4326.tif",
        "reykjavik_u8_striped_4326.tif",
        "external/cog_gradient.tif",
        "bad_not_a_tiff.tif",
    ] {
        let url = format!("{base}/corpus/{name}?case={}", name.replace('/', "_"));
        let res = rt.block_on(Cog::open(&url, &OpenOptions::uncached()));
        if name.starts_with("bad_") {
            assert!(res.is_err());
        } else {
            let cog = res.unwrap();
            rt.block_on(cog.read_block(0, 0, 0)).unwrap();
        }
        per_file.insert(name, ());
    }
    let missing = rt.block_on(Cog::open(
        &format!("{base}/corpus/nope.tif"),
        &OpenOptions::uncached(),
    ));
    assert!(
        matches!(
            missing,
            Err(cogtiler::cog::Error::Io(
                cogtiler::io::Error::NotFound { .. }
            ))
        ),
        "{missing:?}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    let entries: Vec<Value> = std::fs::read_to_string(log.path())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        entries.iter().all(|e| e["method"] == "GET"),
        "a non-GET was sent: {entries:?}"
    );
    let count = |case: &str| {
        entries
            .iter()
            .filter(|e| e["query"].as_str().unwrap_or("").contains(case))
            .count()
    };
    // Header: 1 request; block (0, 0): 1 more.
    for name in [
        "dem_i16_lzw_p2_32631.tif",
        "rio_u8_bigtiff_4326.tif",
        "reykjavik_u8_striped_4326.tif",
        "external_cog_gradient.tif",
    ] {
        assert_eq!(count(name), 2, "{name}: {entries:?}");
    }
    assert_eq!(count("bad_not_a_tiff.tif"), 1);
}

#[test]
fn s3_against_a_local_moto_server() {
    let have_moto = Command::new("python3")
        .args(["-c", "import moto.server, boto3"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !have_moto {
        eprintln!(
            "NOTICE: moto[server] not installed; skipping the S3 test (pip install 'moto[server]')"
        );
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("python3")
        .args(["-m", "moto.server", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Proc(child);
    let endpoint = format!("http://127.0.0.1:{port}");
    let file = conformance::dir().join("corpus/dem_i16_lzw_p2_32631.tif");
    let script = format!(
        "import boto3,time\nfor i in range(100):\n  try:\n    s=boto3.client('s3',endpoint_url='{endpoint}',aws_access_key_id='x',aws_secret_access_key='y',region_name='us-east-1');s.create_bucket(Bucket='corpus');break\n  except Exception: time.sleep(0.1)\ns.upload_file('{}','corpus','dem.tif')\n",
        file.display()
    );
    let ok = Command::new("python3")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(ok.success(), "upload to moto failed");
    // SAFETY of env mutation: this is the only test that reads AWS_* variables.
    unsafe {
        std::env::set_var("AWS_ENDPOINT_URL", &endpoint);
        std::env::set_var("AWS_ACCESS_KEY_ID", "x");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "y");
        std::env::set_var("AWS_REGION", "us-east-1");
    }
    let rt = rt();
    let cog = rt
        .block_on(Cog::open("s3://corpus/dem.tif", &OpenOptions::uncached()))
        .unwrap();
    assert_eq!((cog.header().width, cog.header().height), (1536, 1024));
    let local = rt
        .block_on(Cog::open(file.to_str().unwrap(), &OpenOptions::uncached()))
        .unwrap();
    let a = rt.block_on(cog.read_block(0, 2, 1)).unwrap();
    let b = rt.block_on(local.read_block(0, 2, 1)).unwrap();
    assert_eq!(a, b);
    let missing = rt.block_on(Cog::open(
        "s3://corpus/missing.tif",
        &OpenOptions::uncached(),
    ));
    assert!(
        matches!(
            missing,
            Err(cogtiler::cog::Error::Io(
                cogtiler::io::Error::NotFound { .. }
            ))
        ),
        "{missing:?}"
    );
}

/// Arbitrary boundless windows (any band order) agree pixel by pixel with the blocks they
/// cover: the window assembly (clipping, planar planes, band selection) is checked against
/// the simplest read there is.
#[test]
fn windows_agree_with_blocks() {
    let rt = rt();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    for name in [
        "giza_rgb_planar_3857.tif",
        "kassel_rgb_deflate_p1_3035.tif",
        "dem_i16_lzw_p2_32631.tif",
    ] {
        let p = conformance::dir().join("corpus").join(name);
        let cog = rt
            .block_on(Cog::open(p.to_str().unwrap(), &OpenOptions::uncached()))
            .unwrap();
        let h = cog.header().clone();
        let bands: Vec<usize> = (1..=h.bands).rev().collect();
        let mut blocks: BTreeMap<(usize, u32, u32), cogtiler::raster::Raster> = BTreeMap::new();
        for _ in 0..12 {
            let level = next(h.levels.len() as u64) as usize;
            let lv = h.levels[level].clone();
            let (w, hh) = (1 + next(300) as usize, 1 + next(300) as usize);
            let x = next(lv.width as u64 + 200) as i64 - 100;
            let y = next(lv.height as u64 + 200) as i64 - 100;
            let win = rt
                .block_on(cog.read_window(PixelWindow {
                    level,
                    x,
                    y,
                    width: w,
                    height: hh,
                    bands: &bands,
                }))
                .unwrap();
            assert_eq!((win.width, win.height, win.bands), (w, hh, bands.len()));
            for yy in 0..hh as i64 {
                for xx in 0..w as i64 {
                    let (px, py) = (x + xx, y + yy);
                    let i = (yy * w as i64 + xx) as usize;
                    if px < 0 || py < 0 || px >= lv.width as i64 || py >= lv.height as i64 {
                        assert_eq!(win.mask[i], 0, "{name} outside pixel ({px}, {py})");
                        continue;
                    }
                    let (c, r) = (px as u32 / lv.block_width, py as u32 / lv.block_height);
                    let blk = blocks
                        .entry((level, c, r))
                        .or_insert_with(|| rt.block_on(cog.read_block(level, c, r)).unwrap());
                    let bx = (px as u32 % lv.block_width) as usize;
                    let by = (py as u32 % lv.block_height) as usize;
                    let bi = by * blk.width + bx;
                    assert_eq!(win.mask[i], blk.mask[bi]);
                    for (k, &b) in bands.iter().enumerate() {
                        assert_eq!(
                            win.data.get_f64(k * w * hh + i),
                            blk.data.get_f64((b - 1) * blk.plane_len() + bi),
                            "{name} level {level} pixel ({px}, {py}) band {b}"
                        );
                    }
                }
            }
        }
    }
}

/// The GCP-only corpus file: its 210 tie points become GCPs (no geotransform), fitted with
/// GDAL's automatic order 2, and the warped VRT around it has GDAL's grid and implicit overview
/// sizes (VRT size / the source overview's *x* ratio, rounded: 268 rows at level 2, not the
/// 269 the y ratio would give). The fitted polynomials reproduce the control points.
#[test]
fn gcp_raster_gets_gdals_warped_vrt() {
    let url = conformance::dir().join("corpus/external/cog_gcps.tif");
    let cog = rt()
        .block_on(Cog::open(url.to_str().unwrap(), &OpenOptions::uncached()))
        .unwrap();
    let h = cog.header();
    assert!(h.geotransform.is_none());
    let vrt = h.gcp_vrt.clone().expect("a gcp raster").unwrap();
    let base = vrt.base();
    assert_eq!((base.width, base.height), (1417, 1071));
    assert_eq!(base.transform.order(), 2);
    assert_eq!(base.transform.gcps().len(), 210);
    assert_eq!(
        vrt.overview_sizes(),
        vec![(709, 536), (354, 268), (177, 134)]
    );
    assert_eq!(vrt.overview_factors(), vec![2, 4, 8]);
    let t = &base.transform;
    let worst = t
        .gcps()
        .iter()
        .map(|g| {
            let (x, y) = t.to_geo(g.pixel, g.line);
            let (p, l) = t.to_pixel(g.x, g.y);
            (
                (x - g.x).abs().max((y - g.y).abs()),
                (p - g.pixel).abs().max((l - g.line).abs()),
            )
        })
        .fold((0.0f64, 0.0f64), |a, b| (a.0.max(b.0), a.1.max(b.1)));
    // worst residuals of both fits, as an independent numpy least-squares fit of the same
    // order-2 polynomials (centred coordinates, np.linalg.solve) gives them
    assert!((worst.0 - 0.001703526170459).abs() < 1e-9, "{worst:?}");
    assert!((worst.1 - 0.946260967362069).abs() < 1e-6, "{worst:?}");
    // level 2 of the VRT samples source overview 2 (320 × 210) with the refitted polynomial
    let l2 = vrt.level(2).unwrap();
    assert_eq!(l2.source_size, (320, 210));
    let (p, l) = l2.transform.to_pixel(t.gcps()[0].x, t.gcps()[0].y);
    assert!(p.abs() < 0.2 && l.abs() < 0.2, "{p}, {l}");
}

/// How tie points are read, on the GCP corpus file's own IFD: as GCPs only without a pixel
/// scale (with one, the first tie point is the affine origin, whatever their number), and moved
/// by half a pixel under PixelIsPoint, as GDAL's GTiff driver does.
#[test]
fn tie_points_become_gcps_only_without_a_pixel_scale() {
    use cogtiler::tiff::geokeys::{key, GeoKeyValue};
    let url = conformance::dir().join("corpus/external/cog_gcps.tif");
    let cog = rt()
        .block_on(Cog::open(url.to_str().unwrap(), &OpenOptions::uncached()))
        .unwrap();
    let h = cog.header();
    let ifd = &h.tiff.ifds[h.levels[0].ifd];
    let area = cogtiler::cog::gcps(ifd, h.geokeys.as_ref()).unwrap();
    assert_eq!(area.len(), 210);
    let tp = ifd.model_tiepoint.as_ref().unwrap();
    assert_eq!(
        (area[1].pixel, area[1].line, area[1].x, area[1].y),
        (tp[6], tp[7], tp[9], tp[10])
    );
    let mut point_keys = h.geokeys.clone().unwrap();
    point_keys
        .keys
        .insert(key::GT_RASTER_TYPE, GeoKeyValue::Short(vec![2]));
    let point = cogtiler::cog::gcps(ifd, Some(&point_keys)).unwrap();
    assert_eq!((point[1].pixel, point[1].line), (tp[6] + 0.5, tp[7] + 0.5));
    let mut scaled = ifd.clone();
    scaled.model_pixel_scale = Some(vec![0.01, 0.01, 0.0]);
    assert!(cogtiler::cog::gcps(&scaled, h.geokeys.as_ref()).is_none());
    let gt = cogtiler::cog::geotransform(&scaled, h.geokeys.as_ref()).unwrap();
    assert_eq!(gt.0, [tp[3], 0.01, 0.0, tp[4], 0.0, -0.01]);
}
