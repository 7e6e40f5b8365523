//! The TiTiler conformance kit, as the integration tests use it.
//!
//! `../shared/conformance` (beside the repository, or two levels up from a nested git
//! worktree) holds what TiTiler answered: `cases/*.json` (one recorded request each, with its
//! expected status and body or body file), the `corpus/` of COGs those requests read,
//! GDAL's block digests in `blocks/`, and `rangeserver.py`, the HTTP range server the
//! recordings were made against. Every test binary that replays recordings includes this
//! file (`#[path = "support/conformance.rs"] mod conformance;`) so there is one way to find
//! the kit, read a case, map its `{base}` dataset URL onto the local corpus, parse an `.npy`
//! body and run the range server.
//! Panics on a missing kit or malformed recordings: they are trusted test inputs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

#[path = "kit_dir.rs"]
mod kit_dir;

/// The conformance kit (see `kit_dir.rs`: `COGTILER_CONFORMANCE`, else found above the crate).
pub fn dir() -> PathBuf {
    kit_dir::conformance_dir()
}

/// `cases/` of the kit (recorded requests and their body files).
pub fn cases_dir() -> PathBuf {
    dir().join("cases")
}

/// A file of `cases/` (a recorded body: `.png`, `.npy`, `.xml`, ...), as bytes.
pub fn body(name: &str) -> Vec<u8> {
    let p = cases_dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The recorded case `cases/{id}.json`, parsed.
pub fn case(id: &str) -> Value {
    let p = cases_dir().join(format!("{id}.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One recorded request and TiTiler's answer.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub id: String,
    pub method: String,
    pub path: String,
    /// The query pairs in request order, `url` included (its value still holds `{base}`).
    pub query: Vec<(String, String)>,
    /// The whole case document (`expect`, `body`, `tags`...).
    pub json: Value,
}

impl Recorded {
    fn from_json(json: Value) -> Option<Recorded> {
        let query = json["query"]
            .as_array()
            .map(|pairs| {
                pairs
                    .iter()
                    .filter_map(|q| Some((q[0].as_str()?.to_string(), q[1].as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Some(Recorded {
            id: json["id"].as_str()?.to_string(),
            method: json["method"].as_str().unwrap_or("GET").to_string(),
            path: json["path"].as_str().unwrap_or("").to_string(),
            query,
            json,
        })
    }

    /// `expect`: status, content type, kind, body file, JSON body.
    pub fn expect(&self) -> &Value {
        &self.json["expect"]
    }

    pub fn status(&self) -> u64 {
        self.expect()["status"].as_u64().unwrap_or(0)
    }

    /// The first value of a query parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The query without the dataset `url`.
    pub fn query_without_url(&self) -> Vec<(String, String)> {
        self.query
            .iter()
            .filter(|(k, _)| k != "url")
            .cloned()
            .collect()
    }

    /// The dataset as a local path (`{base}` → the kit; the `?case=` tag kept, the reader
    /// ignores it for files).
    pub fn local_url(&self) -> Option<String> {
        self.param("url").map(local_url)
    }

    /// The dataset path inside the kit (`corpus/x.tif`), without query.
    pub fn dataset(&self) -> Option<String> {
        let url = self.param("url")?;
        let rel = url.trim_start_matches("{base}/");
        Some(rel.split('?').next().unwrap_or(rel).to_string())
    }
}

/// A recorded `{base}/...` URL with `{base}` replaced by the local kit directory.
pub fn local_url(url: &str) -> String {
    url.replace("{base}", dir().to_str().expect("utf-8 kit path"))
}

/// Every recorded case whose file name (without `.json`) passes `keep`, sorted by id.
pub fn cases_where(keep: impl Fn(&str) -> bool) -> Vec<Recorded> {
    let mut out: Vec<Recorded> = std::fs::read_dir(cases_dir())
        .expect("cases directory")
        .filter_map(|e| {
            let p = e.ok()?.path();
            let stem = p.file_name()?.to_str()?.strip_suffix(".json")?.to_string();
            if !keep(&stem) {
                return None;
            }
            let text = std::fs::read_to_string(&p).ok()?;
            Recorded::from_json(serde_json::from_str(&text).ok()?)
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Every recorded case, sorted by id.
pub fn all_cases() -> Vec<Recorded> {
    cases_where(|_| true)
}

/// A NumPy `.npy` array (TiTiler's `npy` tile format: C order, little-endian).
pub struct Npy {
    /// The dtype descriptor, e.g. `<f4`, `|u1`.
    pub descr: String,
    pub shape: Vec<usize>,
    /// The raw array bytes after the header.
    pub data: Vec<u8>,
}

impl Npy {
    pub fn parse(b: &[u8]) -> Npy {
        assert_eq!(&b[..6], b"\x93NUMPY", "not an npy file");
        let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
        let header = std::str::from_utf8(&b[10..10 + hlen]).unwrap();
        let field = |name: &str, end: char| {
            header
                .split(name)
                .nth(1)
                .and_then(|s| s.split(end).next())
                .unwrap_or_else(|| panic!("npy header without {name}: {header}"))
                .to_string()
        };
        let descr = field("'descr': '", '\'');
        let shape = field("'shape': (", ')')
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        Npy {
            descr,
            shape,
            data: b[10 + hlen..].to_vec(),
        }
    }

    /// The values as f64, whatever the stored type.
    pub fn values(&self) -> Vec<f64> {
        let b = &self.data;
        fn each<const N: usize>(b: &[u8], f: impl Fn([u8; N]) -> f64) -> Vec<f64> {
            b.chunks_exact(N)
                .map(|c| f(c.try_into().unwrap()))
                .collect()
        }
        match self.descr.as_str() {
            "|u1" => b.iter().map(|v| *v as f64).collect(),
            "|i1" => b.iter().map(|v| *v as i8 as f64).collect(),
            "<u2" => each(b, |c| u16::from_le_bytes(c) as f64),
            "<i2" => each(b, |c| i16::from_le_bytes(c) as f64),
            "<u4" => each(b, |c| u32::from_le_bytes(c) as f64),
            "<i4" => each(b, |c| i32::from_le_bytes(c) as f64),
            "<f4" => each(b, |c| f32::from_le_bytes(c) as f64),
            "<f8" => each(b, f64::from_le_bytes),
            d => panic!("unexpected npy dtype {d}"),
        }
    }
}

/// `rangeserver.py` serving the kit on a free port (what the recordings were made against);
/// killed when dropped.
pub struct RangeServer {
    child: Child,
    /// `http://127.0.0.1:PORT`: `{base}` of the recorded URLs.
    pub base: String,
}

impl RangeServer {
    /// Starts the server; with `log`, it writes one JSON line per request there.
    pub fn start(log: Option<&Path>) -> RangeServer {
        let kit = dir();
        let mut cmd = Command::new("python3");
        cmd.arg(kit.join("rangeserver.py"))
            .arg("--root")
            .arg(&kit)
            .args(["--port", "0"]);
        if let Some(log) = log {
            cmd.arg("--log").arg(log);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed for the range server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("range server address line");
        let base = line.trim().rsplit(' ').next().unwrap_or("").to_string();
        let server = RangeServer { child, base };
        assert!(server.base.starts_with("http://"), "{line}");
        server
    }
}

impl Drop for RangeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the pure-Rust build (no `c-codecs` feature) answers case `id` differently from TiTiler
/// by design: it is listed, with the reason, in tests/pure-rust-divergences.txt. Always false in
/// the default build.
#[allow(dead_code)]
pub fn pure_rust_divergence(id: &str) -> bool {
    if cfg!(feature = "c-codecs") {
        return false;
    }
    let list = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/pure-rust-divergences.txt"
    );
    std::fs::read_to_string(list)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .any(|listed| listed == id)
}
