//! rio-color's colour operations (`color_formula=`): gamma, sigmoidal contrast, saturation.
//!
//! A formula is a chain of operations such as `gamma RGB 1.5, sigmoidal RGB 10 0.3,
//! saturation 1.2`. Each operation sees the bands scaled to 0..1 (divided by the integer
//! type's maximum), changes some of them, and the result is scaled back to uint8 by truncation
//! before the next operation runs — the `color-operations` package's `to_math_type` /
//! `scale_dtype` round trip that rio-tiler applies. Band specs are digits 1–3 or the letters
//! `r`, `g`, `b` (so `RGB` is all three); `saturation` always works on the first three bands in
//! the LCH colour space. Negative data values are set to 0 first.

use crate::raster::{DataType, Samples};
use crate::with_samples;

use super::error::{Error, Result};
use super::image::Image;

const EPS: f64 = f64::EPSILON;

/// One operation of a formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Operation {
    /// `out = in ^ (1 / g)` on the listed 1-based bands.
    Gamma { bands: Vec<usize>, g: f64 },
    /// Sigmoidal contrast `contrast` centred on `bias` on the listed bands.
    Sigmoidal {
        bands: Vec<usize>,
        contrast: f64,
        bias: f64,
    },
    /// Multiply the LCH chroma of the first three bands by `proportion`.
    Saturation { proportion: f64 },
}

/// A parsed `color_formula`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColorFormula {
    pub operations: Vec<Operation>,
}

impl ColorFormula {
    /// Parses a formula like color-operations' `parse_operations` does (TiTiler validates with
    /// it and answers 422 "invalid color formula"). We also check, at parse time, the argument
    /// counts and ranges that color-operations only checks when applying (TiTiler's 500s).
    pub fn parse(text: &str) -> Result<ColorFormula> {
        let bad = |why: String| Error::InvalidColorFormula(format!("{text:?}: {why}"));
        let names = ["saturation", "sigmoidal", "gamma"];
        // Commas are optional whitespace; tokens are split on single spaces.
        let cleaned = text.replace(',', "");
        let mut groups: Vec<Vec<String>> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for token in cleaned.split(' ').map(str::trim) {
            let lower = token.to_lowercase();
            if names.contains(&lower.as_str()) && !current.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
            current.push(lower);
        }
        if !current.is_empty() {
            groups.push(current);
        }
        let mut operations = Vec::new();
        for parts in groups {
            let op = parts[0].as_str();
            let Some(second) = parts.get(1) else {
                return Err(bad(format!("{op:?} needs arguments")));
            };
            let numbers = |args: &[String]| -> Result<Vec<f64>> {
                args.iter()
                    .map(|a| {
                        super::rescale::parse_python_float(a)
                            .ok_or_else(|| bad(format!("{a:?} is not a number")))
                    })
                    .collect()
            };
            let bands = |spec: &str| -> Result<Vec<usize>> {
                let mut out: Vec<usize> = Vec::new();
                for ch in spec.chars() {
                    let b = match ch {
                        'r' => 1,
                        'g' => 2,
                        'b' => 3,
                        c => c
                            .to_digit(10)
                            .map(|d| d as usize)
                            .ok_or_else(|| bad(format!("band {c:?} is not r, g, b or 1-3")))?,
                    };
                    if !(1..=3).contains(&b) {
                        return Err(bad(format!("{op} BAND must be between 1 and 3")));
                    }
                    if !out.contains(&b) {
                        out.push(b);
                    }
                }
                out.sort_unstable();
                Ok(out)
            };
            match op {
                "saturation" => {
                    let args = numbers(&parts[1..])?;
                    let Some(&proportion) = args.first() else {
                        return Err(bad("saturation needs a proportion".into()));
                    };
                    operations.push(Operation::Saturation { proportion });
                }
                "gamma" => {
                    let bands = bands(second)?;
                    let args = numbers(&parts[2..])?;
                    let Some(&g) = args.first() else {
                        return Err(bad("gamma needs a value".into()));
                    };
                    if g.is_nan() || g <= 0.0 {
                        return Err(bad("gamma must be greater than 0".into()));
                    }
                    operations.push(Operation::Gamma { bands, g });
                }
                "sigmoidal" => {
                    let bands = bands(second)?;
                    let args = numbers(&parts[2..])?;
                    let (Some(&contrast), Some(&bias)) = (args.first(), args.get(1)) else {
                        return Err(bad("sigmoidal needs contrast and bias".into()));
                    };
                    if !(-EPS..=1.0 + EPS).contains(&bias) {
                        return Err(bad("bias must be a scalar float between 0 and 1".into()));
                    }
                    operations.push(Operation::Sigmoidal {
                        bands,
                        contrast,
                        bias,
                    });
                }
                other => return Err(bad(format!("{other} is not a valid operation"))),
            }
        }
        Ok(ColorFormula { operations })
    }

    /// Applies the formula in place: the image becomes uint8 (rio-tiler's
    /// `ImageData.apply_color_formula`). Float data cannot be scaled (rio-tiler fails with a
    /// 500): rescale it first.
    pub fn apply(&self, image: &mut Image) -> Result<()> {
        super::image::check_raster(&image.raster)?;
        let r = &image.raster;
        let plane = r.plane_len();
        let dtype = r.dtype();
        let max = match dtype {
            DataType::F32 | DataType::F64 => {
                return Err(Error::InvalidFormat(format!(
                    "color_formula needs integer data, got {dtype}: add a rescale"
                )))
            }
            d => d.range().1,
        };
        let needed = self
            .operations
            .iter()
            .map(|op| match op {
                Operation::Saturation { .. } => 3,
                Operation::Gamma { bands, .. } | Operation::Sigmoidal { bands, .. } => {
                    bands.iter().copied().max().unwrap_or(0)
                }
            })
            .max()
            .unwrap_or(0);
        if needed > r.bands {
            return Err(Error::InvalidFormat(format!(
                "color_formula needs {needed} bands, the image has {}",
                r.bands
            )));
        }
        if self.operations.is_empty() {
            return Ok(());
        }
        // out[out < 0] = 0, then to 0..1.
        let mut math: Vec<f64> = with_samples!(&r.data, v => v
            .iter()
            .map(|x| {
                let f = crate::raster::Sample::to_f64(*x);
                if f < 0.0 { 0.0 } else { f / max }
            })
            .collect());
        let mut bytes = vec![0u8; math.len()];
        for (k, op) in self.operations.iter().enumerate() {
            if k > 0 {
                for (m, b) in math.iter_mut().zip(&bytes) {
                    *m = *b as f64 / 255.0;
                }
            }
            match op {
                Operation::Gamma { bands, g } => {
                    for b in bands {
                        for x in &mut math[(b - 1) * plane..b * plane] {
                            *x = x.powf(1.0 / g);
                        }
                    }
                }
                Operation::Sigmoidal {
                    bands,
                    contrast,
                    bias,
                } => {
                    for b in bands {
                        sigmoidal(&mut math[(b - 1) * plane..b * plane], *contrast, *bias);
                    }
                }
                Operation::Saturation { proportion } => {
                    for i in 0..plane {
                        let (r0, g0, b0) = (math[i], math[plane + i], math[2 * plane + i]);
                        let (l, c, h) = rgb_to_lch(r0, g0, b0);
                        let (r1, g1, b1) = lch_to_rgb(l, c * proportion, h);
                        math[i] = r1;
                        math[plane + i] = g1;
                        math[2 * plane + i] = b1;
                    }
                }
            }
            // scale_dtype(..., uint8): truncation.
            for (b, m) in bytes.iter_mut().zip(&math) {
                *b = (m * 255.0) as u8;
            }
        }
        image.raster.data = Samples::U8(bytes);
        Ok(())
    }
}

/// color-operations' sigmoidal contrast on 0..1 values.
fn sigmoidal(arr: &mut [f64], contrast: f64, bias: f64) {
    let beta = contrast;
    let alpha = if bias == 0.0 { EPS } else { bias };
    if beta == 0.0 {
        return;
    }
    if beta > 0.0 {
        let lo = 1.0 / (1.0 + (beta * alpha).exp());
        let den = 1.0 / (1.0 + (beta * (alpha - 1.0)).exp()) - lo;
        for x in arr {
            *x = (1.0 / (1.0 + (beta * (alpha - *x)).exp()) - lo) / den;
        }
    } else {
        let e1 = 1.0 + (beta * alpha - beta).exp();
        let e0 = 1.0 + (beta * alpha).exp();
        for x in arr {
            *x = (beta * alpha - (1.0 / (*x / e1 - *x / e0 + 1.0 / e0) - 1.0).ln()) / beta;
        }
    }
}

// CIE constants of color-operations' colorspace module (sRGB companding, D65 white).
const BINTERCEPT: f64 = 4.0 / 29.0;
const DELTA: f64 = 6.0 / 29.0;
const XN: f64 = 0.95047;
const ZN: f64 = 1.08883;

fn t0() -> f64 {
    DELTA * DELTA * DELTA
}

fn lab_alpha() -> f64 {
    1.0 / (DELTA * DELTA) / 3.0
}

fn rgb_to_lch(r: f64, g: f64, b: f64) -> (f64, f64, f64) {
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let (rl, gl, bl) = (lin(r), lin(g), lin(b));
    let x = (rl * 0.4124564 + gl * 0.3575761 + bl * 0.1804375) / XN;
    let y = rl * 0.2126729 + gl * 0.7151522 + bl * 0.0721750;
    let z = (rl * 0.0193339 + gl * 0.1191920 + bl * 0.9503041) / ZN;
    let f = |t: f64| {
        if t > t0() {
            t.powf(1.0 / 3.0)
        } else {
            lab_alpha() * t + BINTERCEPT
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    let l = 116.0 * fy - 16.0;
    let a = 500.0 * (fx - fy);
    let bb = 200.0 * (fy - fz);
    (l, (a * a + bb * bb).powf(0.5), bb.atan2(a))
}

fn lch_to_rgb(l: f64, c: f64, h: f64) -> (f64, f64, f64) {
    let a = c * h.cos();
    let b = c * h.sin();
    let inv = |t: f64| {
        if t > DELTA {
            t * t * t
        } else {
            3.0 * DELTA * DELTA * (t - BINTERCEPT)
        }
    };
    let x = inv((l + 16.0) / 116.0 + a / 500.0) * XN;
    let y = inv((l + 16.0) / 116.0);
    let z = inv((l + 16.0) / 116.0 - b / 200.0) * ZN;
    let rlin = x * 3.2404542 + y * -1.5371385 + z * -0.4985314;
    let glin = x * -0.9692660 + y * 1.8760108 + z * 0.0415560;
    let blin = x * 0.0556434 + y * -0.2040259 + z * 1.0572252;
    let comp = |c: f64| {
        let v = if c <= 0.0031308 {
            12.92 * c
        } else {
            1.055 * c.powf(1.0 / 2.4) - 0.055
        };
        v.clamp(0.0, 1.0)
    };
    (comp(rlin), comp(glin), comp(blin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::Raster;

    fn rgb(pixels: &[[u8; 3]]) -> Image {
        let n = pixels.len();
        let mut d = vec![0u8; n * 3];
        for (i, p) in pixels.iter().enumerate() {
            for b in 0..3 {
                d[b * n + i] = p[b];
            }
        }
        Image::new(Raster {
            width: n,
            height: 1,
            bands: 3,
            data: Samples::U8(d),
            mask: vec![255; n],
        })
        .unwrap()
    }

    #[test]
    fn parses_titiler_examples_and_rejects_bad_ones() {
        let f = ColorFormula::parse("gamma RGB 1.5, sigmoidal RGB 10 0.3, saturation 1.2").unwrap();
        assert_eq!(
            f.operations,
            vec![
                Operation::Gamma {
                    bands: vec![1, 2, 3],
                    g: 1.5
                },
                Operation::Sigmoidal {
                    bands: vec![1, 2, 3],
                    contrast: 10.0,
                    bias: 0.3
                },
                Operation::Saturation { proportion: 1.2 },
            ]
        );
        assert_eq!(
            ColorFormula::parse("Gamma B 2").unwrap().operations,
            vec![Operation::Gamma {
                bands: vec![3],
                g: 2.0
            }]
        );
        for bad in [
            "",
            "gamma",
            "gamma RGB x",
            "gamma RGBA 1",
            "gamma 4 1",
            "blur RGB 1",
            "gamma RGB  1",
        ] {
            let e = ColorFormula::parse(bad).unwrap_err();
            assert_eq!(e.status(), 422, "{bad:?}");
        }
    }

    #[test]
    fn gamma_matches_the_numpy_formula() {
        // 64/255 ** (1/2) * 255 = 127.75 → 127 (truncated)
        let mut im = rgb(&[[64, 0, 255]]);
        ColorFormula::parse("gamma r 2")
            .unwrap()
            .apply(&mut im)
            .unwrap();
        assert_eq!(im.raster.data, Samples::U8(vec![127, 0, 255]));
    }

    #[test]
    fn sigmoidal_keeps_ends_and_raises_midtones_above_bias() {
        let mut im = rgb(&[[0, 128, 255]]);
        ColorFormula::parse("sigmoidal RGB 10 0.3")
            .unwrap()
            .apply(&mut im)
            .unwrap();
        let Samples::U8(d) = &im.raster.data else {
            panic!()
        };
        assert_eq!(d[0], 0);
        assert!(d[1] > 200, "{}", d[1]);
        assert!(d[2] >= 254);
    }

    #[test]
    fn saturation_zero_gives_grey_and_one_is_identity() {
        let mut grey = rgb(&[[200, 30, 30]]);
        ColorFormula::parse("saturation 0")
            .unwrap()
            .apply(&mut grey)
            .unwrap();
        let Samples::U8(d) = &grey.raster.data else {
            panic!()
        };
        assert!((d[0] as i32 - d[1] as i32).abs() <= 1 && (d[1] as i32 - d[2] as i32).abs() <= 1);
        let mut same = rgb(&[[200, 30, 30], [10, 220, 90]]);
        ColorFormula::parse("saturation 1")
            .unwrap()
            .apply(&mut same)
            .unwrap();
        let Samples::U8(d) = &same.raster.data else {
            panic!()
        };
        // the LCH round trip plus truncation can lose at most one step
        for (got, want) in d.iter().zip([200u8, 10, 30, 220, 30, 90]) {
            assert!((*got as i32 - want as i32).abs() <= 1, "{got} vs {want}");
        }
    }

    #[test]
    fn float_data_and_missing_bands_are_clear_errors() {
        let mut f = Image::new(Raster {
            width: 1,
            height: 1,
            bands: 1,
            data: Samples::F32(vec![0.5]),
            mask: vec![255],
        })
        .unwrap();
        assert!(ColorFormula::parse("gamma r 2")
            .unwrap()
            .apply(&mut f)
            .is_err());
        let mut one = Image::new(Raster {
            width: 1,
            height: 1,
            bands: 1,
            data: Samples::U8(vec![5]),
            mask: vec![255],
        })
        .unwrap();
        let e = ColorFormula::parse("gamma RGB 2")
            .unwrap()
            .apply(&mut one)
            .unwrap_err();
        assert_eq!(e.status(), 400);
    }
}
