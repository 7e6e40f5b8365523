//! The MosaicJSON document (0.0.2 and 0.0.3), validated as cogeo-mosaic's pydantic model is.
//!
//! Validation collects every bad field (pydantic reports them all at once) so the server can
//! answer `POST /mosaicjson/validate` with FastAPI's 422 list and a bad document behind `?url=`
//! with TiTiler's 500 text ([`Error::Invalid`]'s message).

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use super::pyrepr::{py_float, truncate_repr, Tree};
use super::Error;
use crate::tms::{default_registry, TileMatrixSet};

/// Default cap on a document's size once decompressed: a 64 MiB document already indexes
/// hundreds of thousands of quadkeys; beyond that a gzip bomb is more likely than a mosaic.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 64 << 20;

/// Zoom levels a quadkey can address (cogeo-mosaic's `minzoom`/`maxzoom` bounds). Also bounds
/// `quadkey_zoom`, which cogeo-mosaic leaves open but whose child lookups grow as 4^zoom.
pub const MAX_ZOOM: i64 = 30;

/// One step of a pydantic error location (`["tiles", "0123", 0]`).
#[derive(Clone, Debug, PartialEq)]
pub enum LocItem {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for LocItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocItem::Key(k) => f.write_str(k),
            LocItem::Index(i) => write!(f, "{i}"),
        }
    }
}

/// One pydantic validation error: what FastAPI puts in a 422 `detail` entry (the server
/// prefixes `loc` with `"body"`).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// pydantic's error type: `missing`, `string_type`, `int_parsing`, `less_than_equal`, ...
    pub kind: &'static str,
    pub loc: Vec<LocItem>,
    pub msg: String,
    /// The offending value (for `missing`, the whole object).
    pub input: serde_json::Value,
    /// pydantic's `ctx` (`{"le": 30}`, ...), when the error type has one.
    pub ctx: Option<serde_json::Value>,
    input_repr: String,
    input_type: &'static str,
}

impl FieldError {
    fn new(kind: &'static str, loc: Vec<LocItem>, msg: impl Into<String>, input: &Tree) -> Self {
        FieldError {
            kind,
            loc,
            msg: msg.into(),
            input: input.to_value(),
            ctx: None,
            input_repr: input.py_repr(),
            input_type: input.py_type(),
        }
    }

    fn with_ctx(mut self, ctx: serde_json::Value) -> Self {
        self.ctx = Some(ctx);
        self
    }

    /// The FastAPI 422 entry, `loc` prefixed with `prefix` (`"body"` for a request body).
    pub fn to_fastapi(&self, prefix: &str) -> serde_json::Value {
        let mut loc = vec![serde_json::Value::from(prefix)];
        loc.extend(self.loc.iter().map(|l| match l {
            LocItem::Key(k) => serde_json::Value::from(k.as_str()),
            LocItem::Index(i) => serde_json::Value::from(*i),
        }));
        let mut o = serde_json::json!({
            "type": self.kind,
            "loc": loc,
            "msg": self.msg,
            "input": self.input,
        });
        if let Some(ctx) = &self.ctx {
            o["ctx"] = ctx.clone();
        }
        o
    }
}

/// pydantic's `ValidationError` text for the model `MosaicJSON`.
pub fn pydantic_message(errors: &[FieldError]) -> String {
    let n = errors.len();
    let mut s = format!(
        "{n} validation error{} for MosaicJSON",
        if n == 1 { "" } else { "s" }
    );
    for e in errors {
        let loc: Vec<String> = e.loc.iter().map(|l| l.to_string()).collect();
        s.push_str(&format!(
            "\n{}\n  {} [type={}, input_value={}, input_type={}]\n    For further information visit https://errors.pydantic.dev/2.14/v/{}",
            loc.join("."),
            e.msg,
            e.kind,
            truncate_repr(&e.input_repr),
            e.input_type,
            e.kind
        ));
    }
    s
}

/// cogeo-mosaic's `Info` (TiTiler's `/mosaicjson/info`); serialises in its field order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MosaicInfo {
    pub bounds: [f64; 4],
    /// The mosaic TMS's geographic CRS, as an OGC URI (bounds are in it).
    pub crs: String,
    /// The document's name, `"mosaic"` when it has none (or an empty one).
    pub name: String,
    /// The document's quadkeys in document order, only when asked for.
    pub quadkeys: Vec<String>,
    /// morecantile's `repr` of the mosaic TMS (its unbalanced quote included).
    pub mosaic_tilematrixset: String,
    pub mosaic_minzoom: u8,
    pub mosaic_maxzoom: u8,
}

/// A parsed, validated MosaicJSON document.
#[derive(Clone, Debug)]
pub struct MosaicJson {
    pub mosaicjson: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `"1.0.0"` when absent (cogeo-mosaic's default).
    pub version: String,
    pub attribution: Option<String>,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// As written; [`MosaicJson::quadkey_zoom`] is the one lookups use.
    pub quadkey_zoom: Option<u8>,
    /// `[-180, -90, 180, 90]` when absent; in the mosaic TMS's geographic CRS.
    pub bounds: [f64; 4],
    /// Computed from `bounds` and `minzoom` when absent, as cogeo-mosaic does.
    pub center: (f64, f64, i64),
    /// Quadkey → assets, in document order.
    pub tiles: Vec<(String, Vec<String>)>,
    /// The 0.0.3 `tilematrixset` member as written.
    pub tilematrixset: Option<serde_json::Value>,
    pub asset_type: Option<String>,
    pub asset_prefix: Option<String>,
    pub data_type: Option<String>,
    pub colormap: Option<Vec<(i64, [i64; 4])>>,
    pub layers: Option<serde_json::Value>,
    /// Document-order JSON of `tilematrixset` and `layers`, for [`MosaicJson::to_titiler_json`].
    tms_json: Option<String>,
    layers_json: Option<String>,
    tms: Arc<TileMatrixSet>,
    /// Quadkey → position in `tiles`.
    by_key: HashMap<String, usize>,
    /// Positions in `tiles` of well-formed quadkeys, sorted by quadkey (prefix range lookups).
    pub(crate) sorted: Vec<usize>,
}

/// Undoes gzip (detected by its magic bytes, as the extension may lie) and enforces `max_bytes`
/// on the result.
pub fn decompress(bytes: &[u8], max_bytes: usize) -> Result<Vec<u8>, Error> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let limit = u64::try_from(max_bytes)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        flate2::read::GzDecoder::new(bytes)
            .take(limit)
            .read_to_end(&mut out)
            .map_err(|e| Error::Gzip(e.to_string()))?;
        if out.len() > max_bytes {
            return Err(Error::TooLarge { limit: max_bytes });
        }
        Ok(out)
    } else if bytes.len() > max_bytes {
        Err(Error::TooLarge { limit: max_bytes })
    } else {
        Ok(bytes.to_vec())
    }
}

fn parse_tree(bytes: &[u8]) -> Result<Tree, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Json(e.to_string()))
}

impl MosaicJson {
    /// Parses a document as fetched: JSON or gzipped JSON, at most `max_bytes` decompressed.
    pub fn from_bytes(bytes: &[u8], max_bytes: usize) -> Result<MosaicJson, Error> {
        let raw = decompress(bytes, max_bytes)?;
        let tree = parse_tree(&raw)?;
        build(&tree)
    }

    /// The validation errors of a JSON body (`POST /mosaicjson/validate`); empty when valid.
    /// Only bytes that are not JSON at all are an `Err`.
    pub fn validation_errors(body: &[u8]) -> Result<Vec<FieldError>, Error> {
        let tree = parse_tree(body)?;
        Ok(match build(&tree) {
            Ok(_) => Vec::new(),
            Err(Error::Invalid { errors, .. }) => errors,
            // FastAPI validates bodies with `from_attributes=True`.
            Err(Error::NotAMapping(_)) => vec![FieldError::new(
                "model_attributes_type",
                vec![],
                "Input should be a valid dictionary or object to extract fields from",
                &tree,
            )],
            Err(e) => vec![FieldError::new("value_error", vec![], e.to_string(), &tree)],
        })
    }

    /// The required fields (`mosaicjson`, `tiles`) a JSON object lacks, in model order.
    pub fn missing_fields(value: &serde_json::Value) -> Vec<&'static str> {
        ["mosaicjson", "tiles"]
            .into_iter()
            .filter(|f| value.get(f).is_none())
            .collect()
    }

    /// The zoom of the quadkeys: `quadkey_zoom`, or `minzoom` when it is absent or 0 (cogeo-mosaic
    /// tests it for truthiness).
    pub fn quadkey_zoom(&self) -> u8 {
        match self.quadkey_zoom {
            Some(q) if q != 0 => q,
            _ => self.minzoom,
        }
    }

    /// The mosaic's TileMatrixSet (WebMercatorQuad unless a 0.0.3 document embeds one).
    pub fn tms(&self) -> &Arc<TileMatrixSet> {
        &self.tms
    }

    /// Assets listed under one quadkey, as written (no prefix).
    pub fn assets_of(&self, quadkey: &str) -> Option<&[String]> {
        self.by_key
            .get(quadkey)
            .map(|&i| self.tiles[i].1.as_slice())
    }

    /// cogeo-mosaic's `info(quadkeys=...)`.
    pub fn info(&self, quadkeys: bool) -> Result<MosaicInfo, Error> {
        let tms = self.tms();
        let title = tms.title.as_deref().unwrap_or("None");
        Ok(MosaicInfo {
            bounds: self.bounds,
            crs: tms.geographic_crs()?.to_titiler_string(),
            name: match self.name.as_deref() {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => "mosaic".to_string(),
            },
            quadkeys: if quadkeys {
                self.tiles.iter().map(|(k, _)| k.clone()).collect()
            } else {
                Vec::new()
            },
            mosaic_tilematrixset: format!(
                "<TileMatrixSet title='{title}' id='{}' crs='{}>",
                tms.id,
                tms.crs.to_titiler_string()
            ),
            mosaic_minzoom: self.minzoom,
            mosaic_maxzoom: self.maxzoom,
        })
    }

    /// The body of TiTiler's `GET /mosaicjson/`: the model dumped with `exclude_none`, fields in
    /// model order, compact as Starlette's `JSONResponse` writes it, floats as Python prints
    /// them. An embedded `tilematrixset` is echoed as written, where cogeo-mosaic re-dumps
    /// morecantile's model (adding its defaults, e.g. `cornerOfOrigin`).
    pub fn to_titiler_json(&self) -> String {
        let mut s = String::from("{");
        let mut first = true;
        let mut field = |s: &mut String, name: &str, json: String| {
            if !first {
                s.push(',');
            }
            first = false;
            s.push_str(&format!("\"{name}\":{json}"));
        };
        let js = |v: &str| serde_json::Value::from(v).to_string();
        field(&mut s, "mosaicjson", js(&self.mosaicjson));
        if let Some(v) = &self.name {
            field(&mut s, "name", js(v));
        }
        if let Some(v) = &self.description {
            field(&mut s, "description", js(v));
        }
        field(&mut s, "version", js(&self.version));
        if let Some(v) = &self.attribution {
            field(&mut s, "attribution", js(v));
        }
        field(&mut s, "minzoom", self.minzoom.to_string());
        field(&mut s, "maxzoom", self.maxzoom.to_string());
        if let Some(q) = self.quadkey_zoom {
            field(&mut s, "quadkey_zoom", q.to_string());
        }
        let b: Vec<String> = self.bounds.iter().map(|v| py_float(*v)).collect();
        field(&mut s, "bounds", format!("[{}]", b.join(",")));
        let (cx, cy, cz) = self.center;
        field(
            &mut s,
            "center",
            format!("[{},{},{cz}]", py_float(cx), py_float(cy)),
        );
        let mut tiles = String::from("{");
        for (i, (qk, assets)) in self.tiles.iter().enumerate() {
            if i > 0 {
                tiles.push(',');
            }
            let a: Vec<String> = assets.iter().map(|a| js(a)).collect();
            tiles.push_str(&format!("{}:[{}]", js(qk), a.join(",")));
        }
        tiles.push('}');
        field(&mut s, "tiles", tiles);
        if let Some(t) = &self.tms_json {
            field(&mut s, "tilematrixset", t.clone());
        }
        for (name, v) in [
            ("asset_type", &self.asset_type),
            ("asset_prefix", &self.asset_prefix),
            ("data_type", &self.data_type),
        ] {
            if let Some(v) = v {
                field(&mut s, name, js(v));
            }
        }
        if let Some(cm) = &self.colormap {
            let e: Vec<String> = cm
                .iter()
                .map(|(k, [r, g, b, a])| format!("\"{k}\":[{r},{g},{b},{a}]"))
                .collect();
            field(&mut s, "colormap", format!("{{{}}}", e.join(",")));
        }
        if let Some(l) = &self.layers_json {
            field(&mut s, "layers", l.clone());
        }
        s.push('}');
        s
    }
}

fn key(k: &str) -> LocItem {
    LocItem::Key(k.to_string())
}

/// Collects field errors while reading a document tree.
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn err(&mut self, kind: &'static str, loc: Vec<LocItem>, msg: &str, input: &Tree) {
        self.errors.push(FieldError::new(kind, loc, msg, input));
    }

    /// A `str` field (strict: pydantic does not turn numbers into strings).
    fn string(&mut self, loc: Vec<LocItem>, v: &Tree) -> Option<String> {
        match v {
            Tree::Str(s) => Some(s.clone()),
            _ => {
                self.err("string_type", loc, "Input should be a valid string", v);
                None
            }
        }
    }

    fn opt_string(&mut self, doc: &Tree, name: &str) -> Option<String> {
        match doc.get(name) {
            None | Some(Tree::Null) => None,
            Some(v) => self.string(vec![key(name)], v),
        }
    }

    /// An `int` field in pydantic's lax mode: integers, integral floats, numeric strings.
    fn int(&mut self, loc: Vec<LocItem>, v: &Tree) -> Option<i64> {
        match v {
            Tree::Int(i) => Some(*i),
            Tree::Bool(b) => Some(i64::from(*b)),
            Tree::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            Tree::Float(f) if f.is_finite() => {
                self.err(
                    "int_from_float",
                    loc,
                    "Input should be a valid integer, got a number with a fractional part",
                    v,
                );
                None
            }
            Tree::Str(s) => match s.trim().parse::<i64>() {
                Ok(i) => Some(i),
                Err(_) => {
                    self.err(
                        "int_parsing",
                        loc,
                        "Input should be a valid integer, unable to parse string as an integer",
                        v,
                    );
                    None
                }
            },
            _ => {
                self.err("int_type", loc, "Input should be a valid integer", v);
                None
            }
        }
    }

    /// A zoom in `0..=MAX_ZOOM` (pydantic's `Field(ge=0, le=30)`).
    fn zoom(&mut self, name: &str, v: &Tree) -> Option<u8> {
        let z = self.int(vec![key(name)], v)?;
        if z < 0 {
            self.errors.push(
                FieldError::new(
                    "greater_than_equal",
                    vec![key(name)],
                    "Input should be greater than or equal to 0",
                    v,
                )
                .with_ctx(serde_json::json!({"ge": 0})),
            );
            None
        } else if z > MAX_ZOOM {
            self.errors.push(
                FieldError::new(
                    "less_than_equal",
                    vec![key(name)],
                    format!("Input should be less than or equal to {MAX_ZOOM}"),
                    v,
                )
                .with_ctx(serde_json::json!({ "le": MAX_ZOOM })),
            );
            None
        } else {
            Some(z as u8)
        }
    }

    /// A `float` in lax mode: numbers and numeric strings.
    fn float(&mut self, loc: Vec<LocItem>, v: &Tree) -> Option<f64> {
        match v {
            Tree::Int(i) => Some(*i as f64),
            Tree::UInt(u) => Some(*u as f64),
            Tree::Float(f) => Some(*f),
            Tree::Bool(b) => Some(f64::from(u8::from(*b))),
            // pydantic would take "nan"/"inf", which the JSON dump could then not write.
            Tree::Str(s) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Some(f),
                Ok(_) => {
                    self.err("finite_number", loc, "Input should be a finite number", v);
                    None
                }
                Err(_) => {
                    self.err(
                        "float_parsing",
                        loc,
                        "Input should be a valid number, unable to parse string as a number",
                        v,
                    );
                    None
                }
            },
            _ => {
                self.err("float_type", loc, "Input should be a valid number", v);
                None
            }
        }
    }

    /// The items of a fixed-length tuple field, or `None` after recording why not.
    fn tuple<'t>(&mut self, name: &str, v: &'t Tree, n: usize) -> Option<&'t [Tree]> {
        let Tree::List(items) = v else {
            self.err(
                "tuple_type",
                vec![key(name)],
                "Input should be a valid tuple",
                v,
            );
            return None;
        };
        if items.len() < n {
            let msg = format!(
                "Tuple should have at least {n} items after validation, not {}",
                items.len()
            );
            self.err("too_short", vec![key(name)], &msg, v);
            return None;
        }
        if items.len() > n {
            let msg = format!(
                "Tuple should have at most {n} items after validation, not {}",
                items.len()
            );
            self.err("too_long", vec![key(name)], &msg, v);
            return None;
        }
        Some(items)
    }

    fn tiles(&mut self, v: &Tree) -> Option<Vec<(String, Vec<String>)>> {
        let Tree::Map(m) = v else {
            self.err(
                "dict_type",
                vec![key("tiles")],
                "Input should be a valid dictionary",
                v,
            );
            return None;
        };
        let before = self.errors.len();
        let mut out = Vec::with_capacity(m.len());
        for (qk, assets) in m {
            let Tree::List(items) = assets else {
                self.err(
                    "list_type",
                    vec![key("tiles"), key(qk)],
                    "Input should be a valid list",
                    assets,
                );
                continue;
            };
            let mut list = Vec::with_capacity(items.len());
            for (i, a) in items.iter().enumerate() {
                if let Some(s) = self.string(vec![key("tiles"), key(qk), LocItem::Index(i)], a) {
                    list.push(s);
                }
            }
            out.push((qk.clone(), list));
        }
        (self.errors.len() == before).then_some(out)
    }

    fn colormap(&mut self, v: &Tree) -> Option<Vec<(i64, [i64; 4])>> {
        let Tree::Map(m) = v else {
            self.err(
                "dict_type",
                vec![key("colormap")],
                "Input should be a valid dictionary",
                v,
            );
            return None;
        };
        let before = self.errors.len();
        let mut out = Vec::with_capacity(m.len());
        for (k, rgba) in m {
            let loc = |extra: Option<LocItem>| {
                let mut l = vec![key("colormap"), key(k)];
                l.extend(extra);
                l
            };
            let ki = self.int(loc(Some(key("[key]"))), &Tree::Str(k.clone()));
            let vals = match rgba {
                Tree::List(items) if items.len() == 4 => {
                    let mut c = [0i64; 4];
                    let mut ok = true;
                    for (i, item) in items.iter().enumerate() {
                        match self.int(loc(Some(LocItem::Index(i))), item) {
                            Some(x) => c[i] = x,
                            None => ok = false,
                        }
                    }
                    ok.then_some(c)
                }
                Tree::List(items) => {
                    let msg = format!(
                        "Tuple should have {} 4 items after validation, not {}",
                        if items.len() < 4 {
                            "at least"
                        } else {
                            "at most"
                        },
                        items.len()
                    );
                    let kind = if items.len() < 4 {
                        "too_short"
                    } else {
                        "too_long"
                    };
                    self.err(kind, loc(None), &msg, rgba);
                    None
                }
                _ => {
                    self.err(
                        "tuple_type",
                        loc(None),
                        "Input should be a valid tuple",
                        rgba,
                    );
                    None
                }
            };
            if let (Some(k), Some(c)) = (ki, vals) {
                out.push((k, c));
            }
        }
        (self.errors.len() == before).then_some(out)
    }
}

/// A TMS document embedded in a 0.0.3 mosaic: parsed, and refused unless it is a quadtree
/// (every level twice the previous one's matrix, as morecantile's `is_quadtree` requires).
fn parse_tms(v: &Tree) -> Result<(TileMatrixSet, String), String> {
    let mut json = String::new();
    v.write_json(&mut json);
    let tms = TileMatrixSet::from_json(&json, None).map_err(|e| e.to_string())?;
    let ms = &tms.tile_matrices;
    let quad = ms.windows(2).all(|w| {
        w[1].matrix_width == w[0].matrix_width.saturating_mul(2)
            && w[1].matrix_height == w[0].matrix_height.saturating_mul(2)
    }) && ms.iter().all(|m| m.variable_matrix_widths.is_none());
    if !quad {
        return Err(format!("{} TMS does not support quadtree.", tms.id));
    }
    Ok((tms, json))
}

fn build(doc: &Tree) -> Result<MosaicJson, Error> {
    if !matches!(doc, Tree::Map(_)) {
        return Err(Error::NotAMapping(doc.py_type()));
    }
    let fields = doc;
    let mut c = Checker { errors: Vec::new() };
    let missing = |c: &mut Checker, name: &str| {
        c.err("missing", vec![key(name)], "Field required", doc);
    };

    let mosaicjson = match fields.get("mosaicjson") {
        None => {
            missing(&mut c, "mosaicjson");
            None
        }
        Some(v) => c.string(vec![key("mosaicjson")], v),
    };
    let name = c.opt_string(fields, "name");
    let description = c.opt_string(fields, "description");
    let version = match fields.get("version") {
        None => Some("1.0.0".to_string()),
        Some(v) => c.string(vec![key("version")], v),
    };
    let attribution = c.opt_string(fields, "attribution");
    let minzoom = match fields.get("minzoom") {
        None => Some(0),
        Some(v) => c.zoom("minzoom", v),
    };
    let maxzoom = match fields.get("maxzoom") {
        None => Some(MAX_ZOOM as u8),
        Some(v) => c.zoom("maxzoom", v),
    };
    let quadkey_zoom = match fields.get("quadkey_zoom") {
        None | Some(Tree::Null) => Some(None),
        Some(v) => c.zoom("quadkey_zoom", v).map(Some),
    };
    let bounds = match fields.get("bounds") {
        None => Some([-180.0, -90.0, 180.0, 90.0]),
        Some(v) => c.tuple("bounds", v, 4).and_then(|items| {
            let mut b = [0.0; 4];
            let mut ok = true;
            for (i, it) in items.iter().enumerate() {
                match c.float(vec![key("bounds"), LocItem::Index(i)], it) {
                    Some(f) => b[i] = f,
                    None => ok = false,
                }
            }
            ok.then_some(b)
        }),
    };
    let center = match fields.get("center") {
        None | Some(Tree::Null) => Some(None),
        Some(v) => c.tuple("center", v, 3).and_then(|items| {
            let x = c.float(vec![key("center"), LocItem::Index(0)], &items[0]);
            let y = c.float(vec![key("center"), LocItem::Index(1)], &items[1]);
            let z = c.int(vec![key("center"), LocItem::Index(2)], &items[2]);
            Some(Some((x?, y?, z?)))
        }),
    };
    let tiles = match fields.get("tiles") {
        None => {
            missing(&mut c, "tiles");
            None
        }
        Some(v) => c.tiles(v),
    };
    let tms = match fields.get("tilematrixset") {
        None | Some(Tree::Null) => Some(None),
        Some(v) => match parse_tms(v) {
            Ok(t) => Some(Some(t)),
            Err(reason) => {
                let msg = format!("Assertion failed, {reason}");
                c.err("assertion_error", vec![key("tilematrixset")], &msg, v);
                None
            }
        },
    };
    let asset_type = c.opt_string(fields, "asset_type");
    let asset_prefix = c.opt_string(fields, "asset_prefix");
    let data_type = c.opt_string(fields, "data_type");
    let colormap = match fields.get("colormap") {
        None | Some(Tree::Null) => Some(None),
        Some(v) => c.colormap(v).map(Some),
    };
    let layers = match fields.get("layers") {
        None | Some(Tree::Null) => Some(None),
        Some(v @ Tree::Map(_)) => Some(Some(v)),
        Some(v) => {
            c.err(
                "dict_type",
                vec![key("layers")],
                "Input should be a valid dictionary",
                v,
            );
            None
        }
    };

    if !c.errors.is_empty() {
        let message = pydantic_message(&c.errors);
        return Err(Error::Invalid {
            errors: c.errors,
            message,
        });
    }
    // Every `None` above recorded an error, so these cannot fail.
    let (
        Some(mosaicjson),
        Some(version),
        Some(minzoom),
        Some(maxzoom),
        Some(quadkey_zoom),
        Some(bounds),
        Some(center),
        Some(tiles),
        Some(tms),
        Some(colormap),
        Some(layers),
    ) = (
        mosaicjson,
        version,
        minzoom,
        maxzoom,
        quadkey_zoom,
        bounds,
        center,
        tiles,
        tms,
        colormap,
        layers,
    )
    else {
        return Err(Error::Malformed("document validation lost a field".into()));
    };

    let center = center.unwrap_or((
        (bounds[0] + bounds[2]) / 2.0,
        (bounds[1] + bounds[3]) / 2.0,
        i64::from(minzoom),
    ));
    let (tms, tms_json, tilematrixset) = match tms {
        Some((t, json)) => {
            let v = serde_json::from_str(&json).ok();
            (Arc::new(t), Some(json), v)
        }
        None => (
            default_registry()
                .get("WebMercatorQuad")
                .map_err(|e| Error::TileMatrixSet(e.to_string()))?,
            None,
            None,
        ),
    };
    let layers_json = layers.map(|l| {
        let mut s = String::new();
        l.write_json(&mut s);
        s
    });
    let by_key: HashMap<String, usize> = tiles
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    let mut sorted: Vec<usize> = (0..tiles.len())
        .filter(|&i| tiles[i].0.bytes().all(|b| (b'0'..=b'3').contains(&b)))
        .collect();
    sorted.sort_by(|&a, &b| tiles[a].0.cmp(&tiles[b].0));

    Ok(MosaicJson {
        mosaicjson,
        name,
        description,
        version,
        attribution,
        minzoom,
        maxzoom,
        quadkey_zoom,
        bounds,
        center,
        tiles,
        tilematrixset,
        asset_type,
        asset_prefix,
        data_type,
        colormap,
        layers: layers.map(Tree::to_value),
        tms_json,
        layers_json,
        tms,
        by_key,
        sorted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
