//! How pixels become an image: rescale, color formula, colormap, mask, output format
//! (TiTiler's `RescalingParams`, `ColorFormulaParams`, `ColorMapParams`, `ImageRenderingParams`).

use serde_json::json;

use super::catalog::{as_strs, Catalog, IMAGE_FORMATS};
use crate::server::error::ApiError;
use crate::server::query::Query;
use crate::server::validation::{parse_float, Errors, Source};

pub use crate::render::{ColorMap, ImageFormat};

/// Parses a `{format}` path parameter, recording FastAPI's `enum` error on failure.
pub fn format_from_path(s: &str, errs: &mut Errors) -> Option<ImageFormat> {
    errs.literal(Source::Path, "format", s, IMAGE_FORMATS, true)
        .and_then(|f| ImageFormat::parse(f).ok())
}

/// Parses a query parameter holding a format (`tile_format=`, `f=`).
pub fn format_from_query(name: &str, s: &str, errs: &mut Errors) -> Option<ImageFormat> {
    errs.literal(Source::Query, name, s, IMAGE_FORMATS, true)
        .and_then(|f| ImageFormat::parse(f).ok())
}

/// The rendering parameters shared by every image endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderParams {
    /// `rescale` (repeatable): one `(min, max)` per band, a single one is broadcast.
    pub rescale: Vec<(f64, f64)>,
    /// `color_formula`: rio-color operations (validated by `render`).
    pub color_formula: Option<String>,
    /// `colormap_name`: a built-in colormap.
    pub colormap_name: Option<String>,
    /// `colormap`: a user colormap (overrides `colormap_name`, like TiTiler).
    pub colormap: Option<ColorMap>,
    /// `return_mask` (default true): add the mask as an alpha band.
    pub return_mask: bool,
}

impl RenderParams {
    /// Parses the rendering parameters. A `colormap` that is not valid JSON is TiTiler's
    /// `400 Could not parse the colormap value.` (an `HTTPException`, not a 422), so it is
    /// returned as `Err` while the 422-type problems go into `errs`.
    pub fn parse(
        q: &Query,
        catalog: &Catalog,
        errs: &mut Errors,
    ) -> Result<Option<RenderParams>, ApiError> {
        let rescale = parse_rescale(q, errs);
        let color_formula = q.get("color_formula").map(str::to_string);
        let colormap_name = match q.get("colormap_name") {
            None => Some(None),
            Some(s) => errs
                .literal(
                    Source::Query,
                    "colormap_name",
                    s,
                    &as_strs(&catalog.colormap_names),
                    false,
                )
                .map(|n| Some(n.to_string())),
        };
        let colormap = match q.get("colormap") {
            None => None,
            Some(s) => Some(ColorMap::parse_json(s)?),
        };
        let return_mask = match q.get("return_mask") {
            None => Some(true),
            Some(s) => errs.bool(Source::Query, "return_mask", s),
        };
        Ok((|| {
            Some(RenderParams {
                rescale: rescale?,
                color_formula,
                colormap_name: colormap_name?,
                colormap,
                return_mask: return_mask?,
            })
        })())
    }
}

/// `rescale=min,max` values: brackets and spaces tolerated (`[0, 255]`); any bad item fails
/// the whole list with pydantic's `Value error, invalid rescale format` (input = the list).
fn parse_rescale(q: &Query, errs: &mut Errors) -> Option<Vec<(f64, f64)>> {
    let raw = q.get_all("rescale");
    let mut out = Vec::with_capacity(raw.len());
    for s in &raw {
        let cleaned: String = s.chars().filter(|c| !matches!(c, '[' | ']')).collect();
        let parts: Vec<Option<f64>> = cleaned.split(',').map(parse_float).collect();
        match parts.as_slice() {
            [Some(a), Some(b)] => out.push((*a, *b)),
            _ => {
                errs.value_error(
                    Source::Query,
                    "rescale",
                    "invalid rescale format",
                    json!(raw),
                );
                return None;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::params::tests::case_detail;
    use serde_json::Value;

    fn parse(raw: &str) -> Result<RenderParams, Value> {
        let mut errs = Errors::new();
        let r = RenderParams::parse(&Query::parse(raw, false), &Catalog::default(), &mut errs)
            .map_err(|e| e.body_json())?;
        match r {
            Some(p) if errs.is_empty() => Ok(p),
            _ => Err(ApiError::validation(errs.into_vec()).body_json()),
        }
    }

    #[test]
    fn rescale_lists() {
        let p = parse("rescale=0,10&rescale=%5B-1,%201%5D").unwrap();
        assert_eq!(p.rescale, vec![(0.0, 10.0), (-1.0, 1.0)]);
        assert!(p.return_mask);
        assert_eq!(
            parse("rescale=abc").unwrap_err(),
            case_detail("err_bad_rescale")
        );
    }

    #[test]
    fn colormaps() {
        assert_eq!(
            parse("colormap=%7Bnot%20json").unwrap_err(),
            case_detail("err_bad_colormap_json")
        );
        let p =
            parse("colormap_name=viridis&colormap=%7B%221%22:%22%23ff0000%22,%222%22:[0,255,0]%7D")
                .unwrap();
        assert_eq!(p.colormap_name.as_deref(), Some("viridis"));
        assert_eq!(
            p.colormap,
            Some(ColorMap::Discrete(vec![
                (1, [255, 0, 0, 255]),
                (2, [0, 255, 0, 255])
            ]))
        );
        let err = parse("colormap_name=nope").unwrap_err();
        assert_eq!(err["detail"][0]["type"], "literal_error");
        assert_eq!(err["detail"][0]["loc"], json!(["query", "colormap_name"]));
    }

    #[test]
    fn formats() {
        let mut errs = Errors::new();
        assert_eq!(
            format_from_path("jpg", &mut errs).map(ImageFormat::media_type),
            Some("image/jpg")
        );
        assert_eq!(format_from_path("gif", &mut errs), None);
        let got = ApiError::validation(errs.into_vec()).body_json();
        assert_eq!(got, case_detail("err_bad_format"));
    }
}
