//! Reading a MosaicJSON document: gzip, JSON, and validation as cogeo-mosaic's pydantic model
//! does it (every bad field collected, so the server can answer FastAPI's 422 list or
//! TiTiler's 500 text).

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use super::document::{pydantic_message, FieldError, LocItem, MosaicJson, MAX_ZOOM};
use super::pyrepr::Tree;
use super::Error;
use crate::tms::{default_registry, TileMatrixSet};

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
