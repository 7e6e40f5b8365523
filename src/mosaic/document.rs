//! The MosaicJSON document (0.0.2 and 0.0.3), validated as cogeo-mosaic's pydantic model is.
//!
//! Validation collects every bad field (pydantic reports them all at once) so the server can
//! answer `POST /mosaicjson/validate` with FastAPI's 422 list and a bad document behind `?url=`
//! with TiTiler's 500 text ([`Error::Invalid`]'s message).

use std::collections::HashMap;
use std::sync::Arc;

use super::pyrepr::{py_float, truncate_repr, Tree};
use super::Error;
use crate::tms::TileMatrixSet;

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
    pub(super) fn new(
        kind: &'static str,
        loc: Vec<LocItem>,
        msg: impl Into<String>,
        input: &Tree,
    ) -> Self {
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

    pub(super) fn with_ctx(mut self, ctx: serde_json::Value) -> Self {
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
    pub(super) tms_json: Option<String>,
    pub(super) layers_json: Option<String>,
    pub(super) tms: Arc<TileMatrixSet>,
    /// Quadkey → position in `tiles`.
    pub(super) by_key: HashMap<String, usize>,
    /// Positions in `tiles` of well-formed quadkeys, sorted by quadkey (prefix range lookups).
    pub(crate) sorted: Vec<usize>,
}

impl MosaicJson {
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
