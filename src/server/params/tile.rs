//! Tile addressing and tile-shaping parameters: the `{tileMatrixSetId}/{z}/{x}/{y}` path
//! (plus the legacy `@{scale}x`) and `tilesize`, `buffer`, `padding`.

use super::catalog::{as_strs, Catalog};
use super::render::{format_from_path, ImageFormat};
use crate::server::query::Query;
use crate::server::validation::{parse_float, Errors, Source};

/// Parses a `{tileMatrixSetId}` path parameter against the catalog (422 `literal_error`).
pub fn parse_tms_id(s: &str, catalog: &Catalog, errs: &mut Errors) -> Option<String> {
    errs.literal(
        Source::Path,
        "tileMatrixSetId",
        s,
        &as_strs(&catalog.tms_ids),
        false,
    )
    .map(str::to_string)
}

/// A tile address from the path.
#[derive(Clone, Debug, PartialEq)]
pub struct TilePath {
    pub tms: String,
    pub z: i64,
    pub x: i64,
    pub y: i64,
    /// Legacy `@{scale}x` (TiTiler ≤ 1.x): tile size = 256 × scale.
    pub scale: Option<u32>,
    /// `.{format}` suffix; `None` lets the renderer choose (PNG if masked, else JPEG).
    pub format: Option<ImageFormat>,
}

impl TilePath {
    /// Validates raw path segments `[tileMatrixSetId, z, x, y]` (all problems reported
    /// together, like FastAPI).
    pub fn parse(
        [tms, z, x, y]: [&str; 4],
        scale: Option<u32>,
        format: Option<&str>,
        catalog: &Catalog,
        errs: &mut Errors,
    ) -> Option<TilePath> {
        let tms = parse_tms_id(tms, catalog, errs);
        let z = errs.int(Source::Path, "z", &[], z);
        let x = errs.int(Source::Path, "x", &[], x);
        let y = errs.int(Source::Path, "y", &[], y);
        let format = match format {
            None => Some(None),
            Some(f) => format_from_path(f, errs).map(Some),
        };
        Some(TilePath {
            tms: tms?,
            z: z?,
            x: x?,
            y: y?,
            scale,
            format: format?,
        })
    }
}

/// `tilesize`, `buffer`, `padding` (TiTiler's `TileParams` + the tile endpoint's `tilesize`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TileParams {
    /// Output size in pixels (`gt=0`); `None` = the TMS matrix tile size (or 256×scale).
    pub tilesize: Option<u32>,
    /// Extra pixels around the tile (`gt=0`, multiple of 0.5): output is tilesize + 2×buffer.
    pub buffer: Option<f64>,
    /// Extra source pixels read around the tile then cropped (`gt=0`).
    pub padding: Option<u32>,
}

impl TileParams {
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<TileParams> {
        let tilesize = positive_u32(q, "tilesize", errs);
        let buffer = match q.get("buffer") {
            None => Some(None),
            Some(s) => match errs.float(Source::Query, "buffer", &[], s) {
                Some(v) if errs.check_gt(Source::Query, "buffer", s, v, 0) => {
                    if (v * 2.0).fract() != 0.0 {
                        errs.add(
                            Source::Query,
                            "buffer",
                            &[],
                            "multiple_of",
                            "Input should be a multiple of 0.5",
                            serde_json::json!(s),
                            Some(serde_json::json!({ "multiple_of": 0.5 })),
                        );
                        None
                    } else {
                        Some(Some(v))
                    }
                }
                _ => None,
            },
        };
        let padding = positive_u32(q, "padding", errs);
        Some(TileParams {
            tilesize: tilesize?,
            buffer: buffer?,
            padding: padding?,
        })
    }

    /// The output tile size for a request: `tilesize=` if given, else 256×`@scale`, else the
    /// TMS matrix's tile width.
    pub fn effective_tilesize(&self, scale: Option<u32>, tms_tile_width: u32) -> u32 {
        self.tilesize
            .or(scale.map(|s| 256 * s))
            .unwrap_or(tms_tile_width)
    }
}

/// An optional `int` query parameter constrained `gt=0` (also bounded to u32).
pub fn positive_u32(q: &Query, name: &str, errs: &mut Errors) -> Option<Option<u32>> {
    match q.get(name) {
        None => Some(None),
        Some(s) => {
            let v = errs.int(Source::Query, name, &[], s)?;
            if !errs.check_gt(Source::Query, name, s, v as f64, 0) {
                return None;
            }
            if !errs.check_le(Source::Query, name, s, v as f64, u32::MAX as i64) {
                return None;
            }
            Some(Some(v as u32))
        }
    }
}

/// An optional plain `int` query parameter.
pub fn optional_int(q: &Query, name: &str, errs: &mut Errors) -> Option<Option<i64>> {
    match q.get(name) {
        None => Some(None),
        Some(s) => errs.int(Source::Query, name, &[], s).map(Some),
    }
}

/// An optional plain `float` query parameter.
pub fn optional_float(q: &Query, name: &str, errs: &mut Errors) -> Option<Option<f64>> {
    match q.get(name) {
        None => Some(None),
        Some(s) => {
            if parse_float(s).is_none() {
                errs.float(Source::Query, name, &[], s);
                return None;
            }
            Some(parse_float(s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::error::ApiError;
    use crate::server::params::tests::case_detail;

    #[test]
    fn tile_paths() {
        let c = Catalog::default();
        let mut errs = Errors::new();
        let t = TilePath::parse(
            ["WebMercatorQuad", "3", "4", "2"],
            None,
            Some("png"),
            &c,
            &mut errs,
        )
        .unwrap();
        assert_eq!((t.z, t.x, t.y, t.format), (3, 4, 2, Some(ImageFormat::Png)));
        assert!(errs.is_empty());
        let mut errs = Errors::new();
        assert!(TilePath::parse(
            ["WebMercatorQuad", "a", "0", "0"],
            None,
            None,
            &c,
            &mut errs
        )
        .is_none());
        assert_eq!(
            ApiError::validation(errs.into_vec()).body_json(),
            case_detail("err_nonint_z")
        );
        let mut errs = Errors::new();
        assert!(TilePath::parse(["FooQuad", "1", "0", "0"], None, None, &c, &mut errs).is_none());
        assert_eq!(
            ApiError::validation(errs.into_vec()).body_json(),
            case_detail("err_unknown_tms")
        );
    }

    #[test]
    fn tile_params() {
        let mut errs = Errors::new();
        let p = TileParams::parse(&Query::parse("tilesize=0", false), &mut errs);
        assert!(p.is_none());
        assert_eq!(
            ApiError::validation(errs.into_vec()).body_json(),
            case_detail("err_tilesize_zero")
        );
        let mut errs = Errors::new();
        let p = TileParams::parse(
            &Query::parse("tilesize=512&buffer=0.5&padding=2", false),
            &mut errs,
        )
        .unwrap();
        assert_eq!(p.effective_tilesize(None, 256), 512);
        assert_eq!(p.buffer, Some(0.5));
        assert_eq!(TileParams::default().effective_tilesize(Some(2), 256), 512);
        assert_eq!(TileParams::default().effective_tilesize(None, 512), 512);
        let mut errs = Errors::new();
        assert!(TileParams::parse(&Query::parse("buffer=0.3", false), &mut errs).is_none());
        assert_eq!(errs.into_vec()[0].kind, "multiple_of");
    }
}
