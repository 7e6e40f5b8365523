//! Parameters of the documents that describe a dataset's tiles: TileJSON, `map.html`, the
//! OGC tilesets and WMTS capabilities.
//!
//! Besides their own parameters these documents echo the rest of the request's query into the
//! tile URL templates they contain, so a client following them gets the same rendering.

use serde_json::json;

use super::render::{format_from_query, ImageFormat};
use super::tile::{optional_int, positive_u32};
use crate::server::query::Query;
use crate::server::validation::{parse_bool, Errors, Source};

/// Parameters that shape the document itself and are never echoed into tile URLs.
pub const DOC_ONLY_PARAMS: &[&str] = &["tile_format", "tilesize", "minzoom", "maxzoom", "f"];

/// `/cog/{tms}/tilejson.json` and `/cog/{tms}/map.html`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TileJsonParams {
    /// `tile_format`: suffix added to the tile URL template.
    pub tile_format: Option<ImageFormat>,
    /// `tilesize`: echoed into the template (TileJSON default 512, map.html 256).
    pub tilesize: Option<u32>,
    /// `minzoom` / `maxzoom`: override the dataset's zoom range.
    pub minzoom: Option<i64>,
    pub maxzoom: Option<i64>,
}

impl TileJsonParams {
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<TileJsonParams> {
        let tile_format = match q.get("tile_format") {
            None => Some(None),
            Some(s) => format_from_query("tile_format", s, errs).map(Some),
        };
        let tilesize = positive_u32(q, "tilesize", errs);
        let minzoom = optional_int(q, "minzoom", errs);
        let maxzoom = optional_int(q, "maxzoom", errs);
        Some(TileJsonParams {
            tile_format: tile_format?,
            tilesize: tilesize?,
            minzoom: minzoom?,
            maxzoom: maxzoom?,
        })
    }
}

/// pydantic pattern on each `zooms` item of the WMTS endpoint.
pub const ZOOMS_PATTERN: &str = r"^(\*|\w+)::\d+,\d+$";

/// `/cog/WMTSCapabilities.xml`.
#[derive(Clone, Debug, PartialEq)]
pub struct WmtsParams {
    /// `tile_format`, default png.
    pub tile_format: ImageFormat,
    /// `use_epsg`: write `EPSG:XXXX` instead of the OGC URN for `SupportedCRS`.
    pub use_epsg: bool,
    /// `zooms=TMSID::min,max` (or `*::min,max`), repeatable.
    pub zooms: Vec<(String, i64, i64)>,
}

impl WmtsParams {
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<WmtsParams> {
        let tile_format = match q.get("tile_format") {
            None => Some(ImageFormat::Png),
            Some(s) => format_from_query("tile_format", s, errs),
        };
        let use_epsg = match q.get("use_epsg") {
            None => Some(false),
            Some(s) => errs.bool(Source::Query, "use_epsg", s),
        };
        let mut zooms = Vec::new();
        let mut ok = true;
        for (i, s) in q.get_all("zooms").iter().enumerate() {
            match parse_zoom_item(s) {
                Some(z) => zooms.push(z),
                None => {
                    errs.pattern_mismatch(Source::Query, "zooms", &[json!(i)], s, ZOOMS_PATTERN);
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        Some(WmtsParams {
            tile_format: tile_format?,
            use_epsg: use_epsg?,
            zooms,
        })
    }

    /// The zoom range override for one TMS (`TMS::a,b` wins over `*::a,b`).
    pub fn zooms_for(&self, tms_id: &str) -> Option<(i64, i64)> {
        let find = |id: &str| {
            self.zooms
                .iter()
                .rev()
                .find(|(t, _, _)| t == id)
                .map(|(_, a, b)| (*a, *b))
        };
        find(tms_id).or_else(|| find("*"))
    }
}

/// Matches [`ZOOMS_PATTERN`] by hand: `(\*|\w+)::\d+,\d+`.
fn parse_zoom_item(s: &str) -> Option<(String, i64, i64)> {
    let (id, range) = s.split_once("::")?;
    let word = !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || c == '_');
    if id != "*" && !word {
        return None;
    }
    let (a, b) = range.split_once(',')?;
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
    if !digits(a) || !digits(b) {
        return None;
    }
    Some((id.to_string(), a.parse().ok()?, b.parse().ok()?))
}

/// `/cog/tiles/{tms}`: `minzoom`, `maxzoom`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TilesetParams {
    pub minzoom: Option<i64>,
    pub maxzoom: Option<i64>,
}

impl TilesetParams {
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<TilesetParams> {
        let minzoom = optional_int(q, "minzoom", errs);
        let maxzoom = optional_int(q, "maxzoom", errs);
        Some(TilesetParams {
            minzoom: minzoom?,
            maxzoom: maxzoom?,
        })
    }
}

/// Output negotiation for OGC documents: `f=json|html`, else the `Accept` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    Json,
    Html,
}

impl DocFormat {
    /// `f=` wins; otherwise HTML only when the client's `Accept` prefers `text/html`
    /// (browsers), JSON for everything else (TiTiler's behaviour).
    pub fn negotiate(q: &Query, accept: Option<&str>, errs: &mut Errors) -> Option<DocFormat> {
        match q.get("f") {
            Some(s) => errs
                .literal(Source::Query, "f", s, &["html", "json"], true)
                .map(|f| {
                    if f == "html" {
                        DocFormat::Html
                    } else {
                        DocFormat::Json
                    }
                }),
            None => {
                let html = accept.is_some_and(|a| {
                    a.split(',')
                        .map(|p| p.split(';').next().unwrap_or("").trim())
                        .any(|m| m == "text/html")
                });
                Some(if html {
                    DocFormat::Html
                } else {
                    DocFormat::Json
                })
            }
        }
    }
}

/// Reads an optional boolean without recording errors (for lenient flags like `strict`).
pub fn lenient_bool(q: &Query, name: &str) -> Option<bool> {
    q.get(name).and_then(parse_bool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::error::ApiError;
    use crate::server::params::tests::case_detail;

    #[test]
    fn wmts_zooms() {
        let mut errs = Errors::new();
        let w = WmtsParams::parse(
            &Query::parse(
                "zooms=*::0,5&zooms=WebMercatorQuad::8,10&use_epsg=true",
                false,
            ),
            &mut errs,
        )
        .unwrap();
        assert_eq!(w.zooms_for("WebMercatorQuad"), Some((8, 10)));
        assert_eq!(w.zooms_for("WGS1984Quad"), Some((0, 5)));
        assert!(w.use_epsg);
        assert_eq!(w.tile_format, ImageFormat::Png);
        let mut errs = Errors::new();
        assert!(
            WmtsParams::parse(&Query::parse("zooms=WebMercatorQuad:8", false), &mut errs).is_none()
        );
        assert_eq!(
            ApiError::validation(errs.into_vec()).body_json(),
            case_detail("err_wmts_bad_zooms")
        );
    }

    #[test]
    fn negotiation() {
        let mut errs = Errors::new();
        let q = Query::default();
        assert_eq!(
            DocFormat::negotiate(&q, None, &mut errs),
            Some(DocFormat::Json)
        );
        assert_eq!(
            DocFormat::negotiate(&q, Some("text/html,application/xhtml+xml"), &mut errs),
            Some(DocFormat::Html)
        );
        let q = Query::parse("f=json", false);
        assert_eq!(
            DocFormat::negotiate(&q, Some("text/html"), &mut errs),
            Some(DocFormat::Json)
        );
    }
}
