//! Colormaps: turning one band of values into RGBA colours.
//!
//! rio-tiler knows three shapes of colormap, and TiTiler accepts all of them through
//! `colormap_name=` (the embedded tables, see [`super::named`]) or `colormap=` (JSON):
//!
//! - a **256-entry table** for the keys 0..=255: applied as a lookup table after casting the
//!   data to uint8 the numpy way (integers wrap modulo 256, floats are truncated first);
//! - any **other key → colour dict**: exact matches only, unmatched pixels become transparent
//!   black;
//! - an **interval list** `[[[min, max], [r, g, b, a]], ...]`: `min <= x < max`, later intervals
//!   win where they overlap.
//!
//! The colormap's alpha becomes the output alpha where the pixel is valid; invalid pixels get
//! alpha 0 (`where(mask != 0, cmap_alpha, 0)`).

use std::collections::HashMap;

use serde_json::Value;

use crate::raster::{Raster, Samples};

use super::error::{Error, Result};
use super::image::Image;

/// An RGBA colour.
pub type Rgba = [u8; 4];

/// Most entries a `colormap=` document may have (bounds the per-pixel interval search).
pub const MAX_COLORMAP_ENTRIES: usize = 4096;

/// A colormap in one of rio-tiler's three shapes.
#[derive(Clone, Debug, PartialEq)]
pub enum ColorMap {
    /// Key → colour, in the order given (later duplicates replace earlier values).
    Discrete(Vec<(i64, Rgba)>),
    /// `[min, max)` → colour, in the order given.
    Intervals(Vec<((f64, f64), Rgba)>),
}

impl ColorMap {
    /// Builds a 256-entry table colormap (what every named colormap is).
    pub fn from_table(table: &[Rgba; 256]) -> ColorMap {
        ColorMap::Discrete(
            table
                .iter()
                .enumerate()
                .map(|(i, c)| (i as i64, *c))
                .collect(),
        )
    }

    /// Parses TiTiler's `colormap=` JSON value.
    ///
    /// Not JSON → [`Error::ColormapNotJson`] (400 "Could not parse the colormap value."); a key
    /// that is not an integer or a colour that is not `#rgb[a]`/`#rrggbb[aa]`/`[r,g,b(,a)]` →
    /// [`Error::InvalidColorFormat`] (400).
    pub fn parse_json(text: &str) -> Result<ColorMap> {
        let v: Value = serde_json::from_str(text).map_err(|_| Error::ColormapNotJson)?;
        let n = match &v {
            Value::Object(m) => m.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if n > MAX_COLORMAP_ENTRIES {
            return Err(Error::InvalidColorFormat(format!(
                "colormap with {n} entries (at most {MAX_COLORMAP_ENTRIES})"
            )));
        }
        match v {
            Value::Object(map) => {
                let mut entries: Vec<(i64, Rgba)> = Vec::with_capacity(map.len());
                for (k, c) in map.iter() {
                    let key = parse_int_key(k)?;
                    let color = parse_color(c)?;
                    if let Some(e) = entries.iter_mut().find(|e| e.0 == key) {
                        e.1 = color;
                    } else {
                        entries.push((key, color));
                    }
                }
                if entries.is_empty() {
                    return Err(Error::InvalidColorFormat("empty colormap".into()));
                }
                Ok(ColorMap::Discrete(entries))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in &items {
                    let pair = item.as_array().filter(|p| p.len() == 2).ok_or_else(|| {
                        Error::InvalidColorFormat(format!("interval entry {item}"))
                    })?;
                    let bounds = pair[0]
                        .as_array()
                        .filter(|b| b.len() == 2)
                        .and_then(|b| Some((b[0].as_f64()?, b[1].as_f64()?)))
                        .ok_or_else(|| {
                            Error::InvalidColorFormat(format!("interval {}", pair[0]))
                        })?;
                    out.push((bounds, parse_color(&pair[1])?));
                }
                if out.is_empty() {
                    return Err(Error::InvalidColorFormat("empty colormap".into()));
                }
                Ok(ColorMap::Intervals(out))
            }
            other => Err(Error::InvalidColorFormat(other.to_string())),
        }
    }

    /// A dataset's own palette (the TIFF `ColorMap` tag: all reds, then greens, then blues, as
    /// 16-bit values), the way GDAL exposes it and TiTiler applies it when no colormap is asked:
    /// 16-bit components divided by 257 (by 256 when every value is a multiple of 256 but not
    /// of 257, by 1 when none exceeds 255), alpha 255 except 0 for the entry equal to `nodata`.
    /// `None` when the tag length is not a multiple of 3.
    pub fn from_tiff_colormap(values: &[u16], nodata: Option<f64>) -> Option<ColorMap> {
        if values.is_empty() || !values.len().is_multiple_of(3) {
            return None;
        }
        let n = values.len() / 3;
        let max = values.iter().copied().max().unwrap_or(0);
        let div: u32 = if max < 256 {
            1
        } else if values.iter().all(|v| v % 257 == 0) {
            257
        } else if values.iter().all(|v| v % 256 == 0) {
            256
        } else {
            257
        };
        let nodata_index = nodata
            .filter(|v| v.fract() == 0.0 && *v >= 0.0)
            .map(|v| v as usize);
        let entries = (0..n)
            .map(|i| {
                let c = |k: usize| (u32::from(values[k * n + i]) / div).min(255) as u8;
                let alpha = if nodata_index == Some(i) { 0 } else { 255 };
                (i as i64, [c(0), c(1), c(2), alpha])
            })
            .collect();
        Some(ColorMap::Discrete(entries))
    }

    /// True when rio-tiler applies this colormap as a 256-entry lookup table.
    pub fn is_lut(&self) -> bool {
        match self {
            ColorMap::Discrete(e) => e.len() == 256 && e.iter().all(|(k, _)| (0..256).contains(k)),
            ColorMap::Intervals(_) => false,
        }
    }

    /// The `/colorMaps/{id}` JSON body: `{"0": [r,g,b,a], ...}` or `[[[min,max],[r,g,b,a]], ...]`.
    pub fn to_json(&self) -> Value {
        match self {
            ColorMap::Discrete(e) => {
                let mut m = serde_json::Map::new();
                for (k, c) in e {
                    m.insert(k.to_string(), Value::from(c.to_vec()));
                }
                Value::Object(m)
            }
            ColorMap::Intervals(e) => Value::Array(
                e.iter()
                    .map(|((lo, hi), c)| {
                        Value::Array(vec![
                            Value::Array(vec![num(*lo), num(*hi)]),
                            Value::from(c.to_vec()),
                        ])
                    })
                    .collect(),
            ),
        }
    }

    /// Colours one value (the per-pixel rule of the colormap's shape).
    fn lookup(
        &self,
        lut: Option<&[Rgba; 256]>,
        exact: &HashMap<i64, Rgba>,
        x: f64,
        lut_index: u8,
    ) -> Rgba {
        if let Some(t) = lut {
            return t[lut_index as usize];
        }
        match self {
            ColorMap::Discrete(_) => {
                // keys are integers: only an integral value can match one exactly
                if x.fract() == 0.0 && x.abs() < 9.0e18 {
                    exact.get(&(x as i64)).copied().unwrap_or([0; 4])
                } else {
                    [0; 4]
                }
            }
            ColorMap::Intervals(e) => {
                let mut out = [0; 4];
                for ((lo, hi), c) in e {
                    if x >= *lo && x < *hi {
                        out = *c;
                    }
                }
                out
            }
        }
    }

    fn table(&self) -> Option<Box<[Rgba; 256]>> {
        if !self.is_lut() {
            return None;
        }
        let mut t = Box::new([[0u8; 4]; 256]);
        if let ColorMap::Discrete(e) = self {
            for (k, c) in e {
                if let Some(slot) = usize::try_from(*k).ok().and_then(|i| t.get_mut(i)) {
                    *slot = *c;
                }
            }
        }
        Some(t)
    }
}

fn num(v: f64) -> Value {
    serde_json::Number::from_f64(v)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Python's `int(key)` on a JSON object key (surrounding whitespace and `_` between digits ok).
fn parse_int_key(k: &str) -> Result<i64> {
    let t = k.trim();
    let digits = t.trim_start_matches(['+', '-']);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return Err(Error::InvalidColorFormat(format!(
            "colormap key {k:?} is not an integer"
        )));
    }
    t.replace('_', "")
        .parse::<i64>()
        .map_err(|_| Error::InvalidColorFormat(format!("colormap key {k:?} is not an integer")))
}

/// rio-tiler's `parse_color`: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, or 3/4 numbers.
pub fn parse_color(v: &Value) -> Result<Rgba> {
    let bad = || Error::InvalidColorFormat(v.to_string());
    match v {
        Value::String(s) => {
            let hex = s.strip_prefix('#').ok_or_else(bad)?;
            if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let digits: Vec<u8> = hex
                .chars()
                .map(|c| c.to_digit(16).unwrap_or(0) as u8)
                .collect();
            let comps: Vec<u8> = match digits.len() {
                3 | 4 => digits.iter().map(|d| d * 17).collect(),
                6 | 8 => digits.chunks(2).map(|p| p[0] * 16 + p[1]).collect(),
                _ => return Err(bad()),
            };
            Ok([
                comps[0],
                comps[1],
                comps[2],
                comps.get(3).copied().unwrap_or(255),
            ])
        }
        Value::Array(items) if items.len() == 3 || items.len() == 4 => {
            let mut out = [255u8; 4];
            for (slot, item) in out.iter_mut().zip(items) {
                let x = item.as_f64().ok_or_else(bad)?;
                // numpy assigns into a uint8 array by truncation; values outside 0..=255 would
                // wrap there, we refuse them instead.
                if !(0.0..256.0).contains(&x) {
                    return Err(bad());
                }
                *slot = x as u8;
            }
            Ok(out)
        }
        _ => Err(bad()),
    }
}

/// numpy's `astype(uint8)` of one value: integers wrap, floats truncate then wrap (x86 rules:
/// NaN and values beyond ±2^31 become 0).
#[inline]
pub(crate) fn numpy_u8_cast(x: f64) -> u8 {
    if x.is_nan() || x.abs() >= 2_147_483_648.0 {
        0
    } else {
        (x.trunc() as i64) as u8
    }
}

/// Applies a colormap to a 1-band image: returns RGB uint8 data and the alpha to emit.
///
/// Errors with TiTiler's 400 "Source data must be 1 band" otherwise.
pub fn apply_colormap(image: &Image, cm: &ColorMap) -> Result<Image> {
    let r = &image.raster;
    if r.bands != 1 {
        return Err(Error::InvalidFormat("Source data must be 1 band".into()));
    }
    let plane = r.plane_len();
    let valid = image.output_alpha();
    let table = cm.table();
    let exact: HashMap<i64, Rgba> = match cm {
        ColorMap::Discrete(e) if table.is_none() => e.iter().copied().collect(),
        _ => HashMap::new(),
    };
    let mut rgb = vec![0u8; plane * 3];
    let mut alpha = vec![0u8; plane];
    let values = super::image::band_f64(r, 0);
    for (i, x) in values.into_iter().enumerate() {
        let c = cm.lookup(table.as_deref(), &exact, x, numpy_u8_cast(x));
        rgb[i] = c[0];
        rgb[plane + i] = c[1];
        rgb[2 * plane + i] = c[2];
        alpha[i] = if valid.get(i).is_some_and(|v| *v != 0) {
            c[3]
        } else {
            0
        };
    }
    let mask = alpha
        .iter()
        .map(|a| if *a != 0 { 255 } else { 0 })
        .collect();
    let mut out = Image::new(Raster {
        width: r.width,
        height: r.height,
        bands: 3,
        data: Samples::U8(rgb),
        mask,
    })?;
    out.alpha = Some(alpha);
    out.georef = image.georef.clone();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_band(data: Samples, mask: Vec<u8>) -> Image {
        let n = mask.len();
        Image::new(Raster {
            width: n,
            height: 1,
            bands: 1,
            data,
            mask,
        })
        .unwrap()
    }

    #[test]
    fn parses_hex_list_and_interval_forms() {
        let cm =
            ColorMap::parse_json(r##"{"1": "#ff0000", "2": [0, 255, 0], "3": "#00F8"}"##).unwrap();
        assert_eq!(
            cm,
            ColorMap::Discrete(vec![
                (1, [255, 0, 0, 255]),
                (2, [0, 255, 0, 255]),
                (3, [0, 0, 255, 136])
            ])
        );
        let iv =
            ColorMap::parse_json("[[[0, 10], [1, 2, 3, 4]], [[10, 20], \"#ffffff\"]]").unwrap();
        assert_eq!(
            iv,
            ColorMap::Intervals(vec![
                ((0.0, 10.0), [1, 2, 3, 4]),
                ((10.0, 20.0), [255, 255, 255, 255])
            ])
        );
    }

    #[test]
    fn parse_errors_match_titiler_statuses() {
        let e = ColorMap::parse_json("{not json").unwrap_err();
        assert_eq!(e, Error::ColormapNotJson);
        assert_eq!(e.status(), 400);
        assert_eq!(e.to_string(), "Could not parse the colormap value.");
        let e = ColorMap::parse_json(r#"{"1": "red"}"#).unwrap_err();
        assert!(matches!(e, Error::InvalidColorFormat(_)));
        assert_eq!(e.status(), 400);
        assert!(ColorMap::parse_json(r##"{"x": "#fff"}"##).is_err());
        assert!(ColorMap::parse_json(r#"{"1": [1, 2]}"#).is_err());
    }

    #[test]
    fn discrete_matches_exactly_and_masks_alpha() {
        let cm = ColorMap::parse_json(r##"{"1": "#ff0000", "2": "#00ff0080"}"##).unwrap();
        let im = one_band(Samples::U8(vec![1, 2, 3, 1]), vec![255, 255, 255, 0]);
        let out = apply_colormap(&im, &cm).unwrap();
        assert_eq!(
            out.raster.data,
            Samples::U8(vec![255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 0, 0])
        );
        assert_eq!(out.alpha, Some(vec![255, 128, 0, 0]));
    }

    #[test]
    fn lut_wraps_integers_like_numpy_astype() {
        let table: [Rgba; 256] = std::array::from_fn(|i| [i as u8, 0, 0, 255]);
        let cm = ColorMap::from_table(&table);
        assert!(cm.is_lut());
        let im = one_band(Samples::I16(vec![300, -1, 5]), vec![255; 3]);
        let out = apply_colormap(&im, &cm).unwrap();
        let Samples::U8(d) = out.raster.data else {
            panic!()
        };
        assert_eq!(&d[0..3], &[44, 255, 5]);
    }

    #[test]
    fn intervals_are_half_open_and_later_wins() {
        let cm =
            ColorMap::parse_json("[[[0, 10], [1, 1, 1, 255]], [[5, 10], [2, 2, 2, 255]]]").unwrap();
        let im = one_band(Samples::F32(vec![0.0, 5.0, 10.0]), vec![255; 3]);
        let out = apply_colormap(&im, &cm).unwrap();
        let Samples::U8(d) = out.raster.data else {
            panic!()
        };
        assert_eq!(&d[0..3], &[1, 2, 0]);
        assert_eq!(out.alpha, Some(vec![255, 255, 0]));
    }

    /// Reads tag 320 (ColorMap) and 42113 (GDAL_NODATA) of a little-endian classic TIFF.
    fn palette_and_nodata(b: &[u8]) -> (Vec<u16>, Option<f64>) {
        let u16at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
        let u32at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]) as usize;
        let ifd = u32at(4);
        let (mut pal, mut nodata) = (Vec::new(), None);
        for k in 0..u16at(ifd) as usize {
            let e = ifd + 2 + 12 * k;
            let (tag, count) = (u16at(e), u32at(e + 4));
            if tag == 320 {
                let o = u32at(e + 8);
                pal = (0..count).map(|i| u16at(o + 2 * i)).collect();
            }
            if tag == 42113 {
                let o = if count <= 4 { e + 8 } else { u32at(e + 8) };
                let text = std::str::from_utf8(&b[o..o + count]).unwrap();
                nodata = text.trim_end_matches('\0').trim().parse().ok();
            }
        }
        (pal, nodata)
    }

    #[test]
    fn dataset_palette_equals_titiler_info_colormap() {
        use crate::render::test_support::shared;
        let Some(root) = shared("conformance") else {
            return;
        };
        for (file, case) in [
            ("corpus/external/cog_cmap.tif", "ext_cog_cmap__info"),
            (
                "corpus/landcover_u8_palette_3035.tif",
                "landcover_u8_palette_3035__info",
            ),
        ] {
            let bytes = std::fs::read(root.join(file)).unwrap();
            let (pal, nodata) = palette_and_nodata(&bytes);
            let cm = ColorMap::from_tiff_colormap(&pal, nodata).unwrap();
            let case: Value = serde_json::from_slice(
                &std::fs::read(root.join(format!("cases/{case}.json"))).unwrap(),
            )
            .unwrap();
            assert_eq!(cm.to_json(), case["expect"]["json"]["colormap"], "{file}");
            assert!(cm.is_lut());
        }
    }

    #[test]
    fn multi_band_is_rejected_with_titiler_message() {
        let im = Image::new(Raster {
            width: 1,
            height: 1,
            bands: 3,
            data: Samples::U8(vec![1, 2, 3]),
            mask: vec![255],
        })
        .unwrap();
        let e = apply_colormap(&im, &ColorMap::Discrete(vec![(1, [0; 4])])).unwrap_err();
        assert_eq!(e.to_string(), "Source data must be 1 band");
        assert_eq!(e.status(), 400);
    }
}
