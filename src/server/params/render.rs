//! How pixels become an image: rescale, color formula, colormap, mask, output format
//! (TiTiler's `RescalingParams`, `ColorFormulaParams`, `ColorMapParams`, `ImageRenderingParams`).

use serde_json::{json, Value};

use super::catalog::{as_strs, Catalog, IMAGE_FORMATS};
use crate::server::error::ApiError;
use crate::server::query::Query;
use crate::server::validation::{parse_float, Errors, Source};

/// An output image format (TiTiler's `ImageType`), with its media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Npy,
    Tif,
    Tiff,
    Jpeg,
    Jpg,
    Jp2,
    Webp,
    PngRaw,
}

impl ImageFormat {
    /// Parses a path suffix / `f=` value (case-sensitive, like TiTiler's enum).
    pub fn from_name(s: &str) -> Option<ImageFormat> {
        Some(match s {
            "png" => ImageFormat::Png,
            "npy" => ImageFormat::Npy,
            "tif" => ImageFormat::Tif,
            "tiff" => ImageFormat::Tiff,
            "jpeg" => ImageFormat::Jpeg,
            "jpg" => ImageFormat::Jpg,
            "jp2" => ImageFormat::Jp2,
            "webp" => ImageFormat::Webp,
            "pngraw" => ImageFormat::PngRaw,
            _ => return None,
        })
    }

    /// The name used in URLs.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Npy => "npy",
            ImageFormat::Tif => "tif",
            ImageFormat::Tiff => "tiff",
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Jpg => "jpg",
            ImageFormat::Jp2 => "jp2",
            ImageFormat::Webp => "webp",
            ImageFormat::PngRaw => "pngraw",
        }
    }

    /// The `Content-Type` TiTiler sends (note the non-standard `image/jpg` for `.jpg`).
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Png | ImageFormat::PngRaw => "image/png",
            ImageFormat::Npy => "application/x-binary",
            ImageFormat::Tif | ImageFormat::Tiff => "image/tiff; application=geotiff",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Jpg => "image/jpg",
            ImageFormat::Jp2 => "image/jp2",
            ImageFormat::Webp => "image/webp",
        }
    }

    /// Parses a `{format}` path parameter, recording FastAPI's `enum` error on failure.
    pub fn parse_path(s: &str, errs: &mut Errors) -> Option<ImageFormat> {
        errs.literal(Source::Path, "format", s, IMAGE_FORMATS, true)
            .and_then(ImageFormat::from_name)
    }

    /// Parses a query parameter holding a format (`tile_format=`, `f=`).
    pub fn parse_query(name: &str, s: &str, errs: &mut Errors) -> Option<ImageFormat> {
        errs.literal(Source::Query, name, s, IMAGE_FORMATS, true)
            .and_then(ImageFormat::from_name)
    }
}

/// A user colormap from `colormap=`: a value → RGBA table or a list of intervals.
#[derive(Clone, Debug, PartialEq)]
pub enum UserColormap {
    /// `{"1": "#ff0000", "2": [0, 255, 0, 255]}` (keys are ints; values hex or RGB(A)).
    Discrete(Vec<(i64, [u8; 4])>),
    /// `[[[min, max], [r, g, b, a]], ...]`: `min <= v < max`.
    Intervals(Vec<((f64, f64), [u8; 4])>),
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
    pub colormap: Option<UserColormap>,
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
            Some(s) => Some(parse_user_colormap(s)?),
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

fn colormap_error() -> ApiError {
    ApiError::bad_request("Could not parse the colormap value.")
}

/// Parses a `colormap=` JSON value into a [`UserColormap`] (400 on anything malformed).
pub fn parse_user_colormap(s: &str) -> Result<UserColormap, ApiError> {
    let v: Value = serde_json::from_str(s).map_err(|_| colormap_error())?;
    match v {
        Value::Object(map) => {
            let mut out = Vec::with_capacity(map.len());
            for (k, val) in map {
                let key: i64 = k.trim().parse().map_err(|_| colormap_error())?;
                out.push((key, color_value(&val).ok_or_else(colormap_error)?));
            }
            out.sort_by_key(|(k, _)| *k);
            Ok(UserColormap::Discrete(out))
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let pair = item.as_array().ok_or_else(colormap_error)?;
                let [range, color] = pair.as_slice() else {
                    return Err(colormap_error());
                };
                let r = range.as_array().ok_or_else(colormap_error)?;
                let (Some(lo), Some(hi)) = (
                    r.first().and_then(Value::as_f64),
                    r.get(1).and_then(Value::as_f64),
                ) else {
                    return Err(colormap_error());
                };
                if r.len() != 2 {
                    return Err(colormap_error());
                }
                out.push(((lo, hi), color_value(color).ok_or_else(colormap_error)?));
            }
            Ok(UserColormap::Intervals(out))
        }
        _ => Err(colormap_error()),
    }
}

/// `"#rrggbb"`, `"#rrggbbaa"`, `[r, g, b]` or `[r, g, b, a]` → RGBA.
fn color_value(v: &Value) -> Option<[u8; 4]> {
    match v {
        Value::String(s) => {
            let h = s.strip_prefix('#')?;
            let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
            match h.len() {
                6 => Some([byte(0)?, byte(2)?, byte(4)?, 255]),
                8 => Some([byte(0)?, byte(2)?, byte(4)?, byte(6)?]),
                _ => None,
            }
        }
        Value::Array(a) if a.len() == 3 || a.len() == 4 => {
            let mut c = [255u8; 4];
            for (i, x) in a.iter().enumerate() {
                let n = x.as_u64().filter(|n| *n <= 255)?;
                c[i] = n as u8;
            }
            Some(c)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::params::tests::case_detail;

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
            Some(UserColormap::Discrete(vec![
                (1, [255, 0, 0, 255]),
                (2, [0, 255, 0, 255])
            ]))
        );
        let UserColormap::Intervals(iv) =
            parse_user_colormap("[[[0, 10], [1, 2, 3, 4]], [[10, 20], \"#0000ff\"]]").unwrap()
        else {
            panic!("intervals expected")
        };
        assert_eq!(iv[1], ((10.0, 20.0), [0, 0, 255, 255]));
        let err = parse("colormap_name=nope").unwrap_err();
        assert_eq!(err["detail"][0]["type"], "literal_error");
        assert_eq!(err["detail"][0]["loc"], json!(["query", "colormap_name"]));
    }

    #[test]
    fn formats() {
        let mut errs = Errors::new();
        assert_eq!(
            ImageFormat::parse_path("jpg", &mut errs).map(ImageFormat::media_type),
            Some("image/jpg")
        );
        assert_eq!(ImageFormat::parse_path("gif", &mut errs), None);
        let got = ApiError::validation(errs.into_vec()).body_json();
        assert_eq!(got, case_detail("err_bad_format"));
    }
}
