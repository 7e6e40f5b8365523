//! Linear rescaling of data values into 0..255 bytes.
//!
//! Display formats hold 8-bit samples, while a COG may hold elevations in metres or reflectances
//! in 0..10000. TiTiler maps a `[min, max]` range linearly onto `[0, 255]`:
//! `clip(x, min, max) - min) / (max - min) * 255`, computed in f64, masked pixels set to 0, and
//! then cast to `uint8` by **truncation** (not rounding). Two paths do this:
//!
//! - [`rescale`]: the user's `rescale=min,max` (one range per band; a single range is
//!   broadcast to all bands). rio-tiler stores each rescaled band back into the *source* dtype
//!   before casting to uint8, so float32 data is rounded to float32 first (`254.9999999` becomes
//!   `255`), which we reproduce.
//! - [`auto_rescale`]: when the data type is not allowed in the output format (PNG takes
//!   uint8/uint16, JPEG and WebP only uint8) TiTiler rescales from the dtype's full range (or the
//!   dataset statistics). TiTiler's `rescale_array` has a quirk reproduced here bit for bit: it
//!   tests `mask[bdx]`, which on a 2-D mask is **row `bdx`** broadcast over every row, so band `b`
//!   is zeroed in every column where mask row `b` is "false". The mask there holds dtype-min for
//!   invalid pixels, which is only false (zero) for unsigned types, or the real alpha value.

use crate::raster::{DataType, Raster, Sample, Samples};
use crate::with_samples;

use super::error::{Error, Result};
use super::image::Image;

/// Parses TiTiler's `rescale` query values: each `"min,max"` (brackets tolerated).
///
/// Mirrors `titiler.core.validation.validate_rescale`: the value is split on `,`, the characters
/// `[`, `]` and `|` are removed, and exactly two float-parseable parts are required.
pub fn parse_rescale(values: &[&str]) -> Result<Vec<(f64, f64)>> {
    let mut out = Vec::with_capacity(values.len());
    for value in values {
        let parts: Vec<String> = value
            .split(',')
            .map(|p| {
                p.chars()
                    .filter(|c| !matches!(c, '[' | ']' | '|'))
                    .collect()
            })
            .collect();
        if parts.len() != 2 {
            return Err(Error::InvalidRescale((*value).to_string()));
        }
        let lo = parse_python_float(&parts[0]);
        let hi = parse_python_float(&parts[1]);
        match (lo, hi) {
            (Some(lo), Some(hi)) => out.push((lo, hi)),
            _ => return Err(Error::InvalidRescale((*value).to_string())),
        }
    }
    Ok(out)
}

/// Parses a number the way Python's `float()` does for the inputs people type
/// (surrounding whitespace, `inf`, `nan`, exponents, `_` separators between digits).
pub fn parse_python_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let b = t.as_bytes();
    // Python allows `_` only between two digits.
    for (i, c) in b.iter().enumerate() {
        if *c == b'_'
            && !(i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
        {
            return None;
        }
    }
    // Rust's parser accepts the same spellings as Python's (`inf`, `nan`, `1e3`, `.5`, `5.`).
    t.replace('_', "").parse::<f64>().ok()
}

/// rio-tiler's `linear_rescale`: clip to `in_range`, map onto `out_range`, in f64.
#[inline]
pub fn linear_rescale(x: f64, in_range: (f64, f64), out_range: (f64, f64)) -> f64 {
    let (imin, imax) = in_range;
    let (omin, omax) = out_range;
    // numpy.clip: NaN stays NaN; bounds applied as max(min(x, imax), imin).
    let c = if x.is_nan() { x } else { x.min(imax).max(imin) };
    (c - imin) / (imax - imin) * (omax - omin) + omin
}

/// Casts a rescaled value (nominally 0..255) the way rio-tiler's store-then-`astype(uint8)` does.
///
/// The value is first stored in the source dtype: float32 data rounds it to float32, the other
/// types keep the integer part (float64 keeps it exactly). `astype(uint8)` then truncates; NaN
/// becomes 0 (what numpy yields on x86).
#[inline]
pub(crate) fn store_then_u8(v: f64, src: DataType) -> u8 {
    let v = if src == DataType::F32 {
        v as f32 as f64
    } else {
        v
    };
    // `as u8` truncates toward zero, saturates, and maps NaN to 0.
    v as u8
}

/// Applies the user's `rescale` ranges: the image becomes uint8.
pub fn rescale(image: &mut Image, ranges: &[(f64, f64)]) -> Result<()> {
    if ranges.is_empty() {
        return Ok(());
    }
    super::image::check_raster(&image.raster)?;
    let r = &image.raster;
    let plane = r.plane_len();
    let src = r.dtype();
    let mut out = vec![0u8; r.data.len()];
    with_samples!(&r.data, v => {
        for b in 0..r.bands {
            // numpy broadcasting rule in rio-tiler: a wrong-length list uses its first range.
            let range = if ranges.len() == r.bands { ranges[b] } else { ranges[0] };
            let start = b * plane;
            let (Some(vals), Some(outs)) =
                (v.get(start..start + plane), out.get_mut(start..start + plane))
            else {
                continue;
            };
            rescale_plane(vals, &r.mask, outs, range, src);
        }
    });
    image.raster.data = Samples::U8(out);
    Ok(())
}

/// One band of [`rescale`]. The loop is bound by its f64 division, which the baseline x86-64
/// build does two lanes at a time; with AVX2 (checked at run time) it does four. Division
/// and the other operations round the same way either way (no fused multiply-add), so the
/// bytes are the same.
fn rescale_plane<T: Sample>(
    vals: &[T],
    mask: &[u8],
    outs: &mut [u8],
    range: (f64, f64),
    src: DataType,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { rescale_plane_avx2(vals, mask, outs, range, src) };
    }
    rescale_plane_portable(vals, mask, outs, range, src)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rescale_plane_avx2<T: Sample>(
    vals: &[T],
    mask: &[u8],
    outs: &mut [u8],
    range: (f64, f64),
    src: DataType,
) {
    rescale_plane_portable(vals, mask, outs, range, src)
}

#[inline(always)]
fn rescale_plane_portable<T: Sample>(
    vals: &[T],
    mask: &[u8],
    outs: &mut [u8],
    range: (f64, f64),
    src: DataType,
) {
    // every pixel computed, masked ones then zeroed: no branch, so the loop vectorises
    for ((o, x), m) in outs.iter_mut().zip(vals).zip(mask) {
        let y = store_then_u8(linear_rescale(x.to_f64(), range, (0.0, 255.0)), src);
        *o = if *m != 0 { y } else { 0 };
    }
}

/// TiTiler's automatic rescale of a dtype the output format cannot hold (see the module doc).
///
/// `alpha` is the real alpha band when the image has one; `ranges` the dataset statistics or
/// the dtype range. Returns uint8 data, same shape.
///
/// `raster` must have passed the size checks of [`Image::new`]; a mask or alpha shorter than a
/// plane only disables the quirk for the missing part.
pub fn auto_rescale(raster: &Raster, alpha: Option<&[u8]>, ranges: &[(f64, f64)]) -> Samples {
    let plane = raster
        .plane_len()
        .min(raster.data.len() / raster.bands.max(1));
    let (w, h) = (raster.width, raster.height);
    let src = raster.dtype();
    let unsigned = matches!(src, DataType::U8 | DataType::U16 | DataType::U32);
    let mut out = vec![0u8; raster.data.len()];
    with_samples!(&raster.data, v => {
        for b in 0..raster.bands {
            let range = if ranges.len() == raster.bands {
                ranges[b]
            } else {
                ranges.first().copied().unwrap_or_else(|| src.range())
            };
            // Which columns the quirky `mask[bdx]` row zeroes.
            let row: Option<&[u8]> = if b < h {
                match alpha {
                    Some(a) => a.get(b * w..(b + 1) * w),
                    None if unsigned => raster.mask.get(b * w..(b + 1) * w),
                    None => None,
                }
            } else {
                None
            };
            let start = b * plane;
            for i in 0..plane {
                let zeroed = row.is_some_and(|r| r.get(i % w.max(1)) == Some(&0));
                if !zeroed {
                    let x = crate::raster::Sample::to_f64(v[start + i]);
                    out[start + i] = store_then_u8(linear_rescale(x, range, (0.0, 255.0)), src);
                }
            }
        }
    });
    Samples::U8(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dispatched_plane_loop_equals_the_portable_one() {
        // values spread over and beyond the range, with the awkward ones among them
        let mut f: Vec<f64> = (0..4000)
            .map(|i| (i as f64 * 0.7311).sin() * 900.0 + 400.0)
            .collect();
        f.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            1e300,
            -1e300,
        ]);
        let mask: Vec<u8> = (0..f.len())
            .map(|i| if i % 7 == 0 { 0 } else { 255 })
            .collect();
        let check = |vals: Samples, range: (f64, f64)| {
            let src = vals.dtype();
            with_samples!(&vals, v => {
                let mut fast = vec![0u8; v.len()];
                let mut slow = vec![0u8; v.len()];
                rescale_plane(v, &mask, &mut fast, range, src);
                rescale_plane_portable(v, &mask, &mut slow, range, src);
                assert_eq!(fast, slow, "{src:?} {range:?}");
                assert!(slow.iter().any(|&b| b != 0 && b != 255), "{src:?}: a real spread");
            });
        };
        for range in [(1.0, 674.0), (-3.34191, 26.5794), (100.0, 200.5)] {
            check(Samples::F64(f.clone()), range);
            check(Samples::F32(f.iter().map(|&x| x as f32).collect()), range);
            check(Samples::U16(f.iter().map(|&x| x as u16).collect()), range);
            check(Samples::I16(f.iter().map(|&x| x as i16).collect()), range);
        }
    }

    fn img(data: Samples, mask: Vec<u8>, w: usize, h: usize, bands: usize) -> Image {
        Image::new(Raster {
            width: w,
            height: h,
            bands,
            data,
            mask,
        })
        .unwrap()
    }

    #[test]
    fn parse_rescale_accepts_titiler_forms_and_rejects_garbage() {
        assert_eq!(
            parse_rescale(&["0,255", "[-1, 1]", " 1e3 ,2_000"]).unwrap(),
            vec![(0.0, 255.0), (-1.0, 1.0), (1000.0, 2000.0)]
        );
        assert!(parse_rescale(&["abc"]).is_err());
        assert!(parse_rescale(&["1,2,3"]).is_err());
        assert!(parse_rescale(&["1,"]).is_err());
        assert!(parse_rescale(&["1,x"]).is_err());
        assert_eq!(parse_rescale(&["abc"]).unwrap_err().status(), 422);
    }

    #[test]
    fn rescale_truncates_and_zeroes_masked() {
        // 1000 → 1000/3000*255 = 85.0 ; 2999 → 254.915 → 254 (truncation)
        let mut im = img(
            Samples::U16(vec![0, 1000, 2999, 5000]),
            vec![255, 255, 255, 0],
            4,
            1,
            1,
        );
        rescale(&mut im, &[(0.0, 3000.0)]).unwrap();
        assert_eq!(im.raster.data, Samples::U8(vec![0, 85, 254, 0]));
    }

    #[test]
    fn rescale_rounds_float32_before_truncating() {
        // 0.99999999 * 255 = 254.99999745 → float32 255.0 → 255
        let x = 0.999_999_99_f64;
        let mut f32img = img(Samples::F32(vec![x as f32]), vec![255], 1, 1, 1);
        rescale(&mut f32img, &[(0.0, 1.0)]).unwrap();
        assert_eq!(f32img.raster.data, Samples::U8(vec![255]));
        let mut f64img = img(Samples::F64(vec![x]), vec![255], 1, 1, 1);
        rescale(&mut f64img, &[(0.0, 1.0)]).unwrap();
        assert_eq!(f64img.raster.data, Samples::U8(vec![254]));
    }

    #[test]
    fn auto_rescale_reproduces_row_quirk_for_unsigned_only() {
        // 2x2, 2 bands; mask row 0 = [255, 0], row 1 = [255, 255].
        let data = vec![65535u16, 65535, 65535, 65535, 65535, 65535, 65535, 65535];
        let r = Raster {
            width: 2,
            height: 2,
            bands: 2,
            data: Samples::U16(data),
            mask: vec![255, 0, 255, 255],
        };
        let out = auto_rescale(&r, None, &[DataType::U16.range()]);
        // band 0 uses mask row 0: column 1 zeroed in both rows; band 1 uses row 1: nothing.
        assert_eq!(out, Samples::U8(vec![255, 0, 255, 0, 255, 255, 255, 255]));
        // int16: dtype-min mask value is truthy → nothing zeroed.
        let r16 = Raster {
            data: Samples::I16(vec![32767; 8]),
            ..r.clone()
        };
        let out = auto_rescale(&r16, None, &[DataType::I16.range()]);
        assert_eq!(out, Samples::U8(vec![255; 8]));
    }
}
