//! Per-pixel algorithms across bands: min, max, median, mean, std, var, sum, cast, ceil,
//! floor, grayscale, bitonal, normalizedIndex.
//!
//! numpy.ma reductions over the band axis ignore masked values; our rasters carry one mask for
//! all bands, so a pixel's output is masked exactly when its input was.

use crate::raster::{DataType, Raster, Samples};
use crate::render::colormap::numpy_u8_cast;
use crate::render::error::{Error, Result};
use crate::render::image::Image;

/// A reduction over the band axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduce {
    Min,
    Max,
    Median,
    Mean,
    Std,
    Var,
    Sum,
}

fn pixel_values(r: &Raster, i: usize, buf: &mut Vec<f64>) {
    let plane = r.plane_len();
    buf.clear();
    buf.extend((0..r.bands).map(|b| r.data.get_f64(b * plane + i)));
}

fn with_data(
    image: &Image,
    data: Samples,
    bands: usize,
    descriptions: Vec<String>,
) -> Result<Image> {
    let r = &image.raster;
    let mut out = Image::new(Raster {
        width: r.width,
        height: r.height,
        bands,
        data,
        mask: r.mask.clone(),
    })?;
    out.georef = image.georef.clone();
    out.alpha = image.alpha.clone();
    out.band_descriptions = descriptions;
    Ok(out)
}

/// numpy's result dtype for min/max (the input's) and sum (64-bit for integers → float64 here).
fn reduce_dtype(op: Reduce, d: DataType) -> DataType {
    match op {
        Reduce::Min | Reduce::Max => d,
        Reduce::Sum if d == DataType::F32 => DataType::F32,
        _ => DataType::F64,
    }
}

fn from_f64(d: DataType, v: Vec<f64>) -> Samples {
    match d {
        DataType::U8 => Samples::U8(v.into_iter().map(|x| x as u8).collect()),
        DataType::I8 => Samples::I8(v.into_iter().map(|x| x as i8).collect()),
        DataType::U16 => Samples::U16(v.into_iter().map(|x| x as u16).collect()),
        DataType::I16 => Samples::I16(v.into_iter().map(|x| x as i16).collect()),
        DataType::U32 => Samples::U32(v.into_iter().map(|x| x as u32).collect()),
        DataType::I32 => Samples::I32(v.into_iter().map(|x| x as i32).collect()),
        DataType::F32 => Samples::F32(v.into_iter().map(|x| x as f32).collect()),
        DataType::F64 => Samples::F64(v),
    }
}

/// titiler's `_Min`, `_Max`, `_Median`, `_Mean`, `_Std` (ddof 1), `_Var` (ddof 1), `_Sum`.
pub fn reduce(image: &Image, op: Reduce) -> Result<Image> {
    let r = &image.raster;
    if r.bands == 0 {
        return Err(Error::AlgorithmInput("no band to reduce".into()));
    }
    let plane = r.plane_len();
    let mut buf = Vec::with_capacity(r.bands);
    let mut out = Vec::with_capacity(plane);
    let n = r.bands as f64;
    for i in 0..plane {
        pixel_values(r, i, &mut buf);
        let v = match op {
            Reduce::Min => buf.iter().copied().fold(f64::INFINITY, f64::min),
            Reduce::Max => buf.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Reduce::Sum => buf.iter().sum(),
            Reduce::Mean => buf.iter().sum::<f64>() / n,
            Reduce::Median => {
                buf.sort_by(f64::total_cmp);
                let k = buf.len();
                if k % 2 == 1 {
                    buf[k / 2]
                } else {
                    (buf[k / 2 - 1] + buf[k / 2]) / 2.0
                }
            }
            Reduce::Std | Reduce::Var => {
                let mean = buf.iter().sum::<f64>() / n;
                let ss: f64 = buf.iter().map(|x| (x - mean) * (x - mean)).sum();
                // ddof=1: a single band has no spread to estimate (numpy.ma masks it)
                let var = if r.bands > 1 { ss / (n - 1.0) } else { 0.0 };
                if op == Reduce::Std {
                    var.sqrt()
                } else {
                    var
                }
            }
        };
        out.push(v);
    }
    let name = match op {
        Reduce::Min => "min",
        Reduce::Max => "max",
        Reduce::Median => "median",
        Reduce::Mean => "mean",
        Reduce::Std => "std",
        Reduce::Var => "var",
        Reduce::Sum => "sum",
    };
    let dtype = reduce_dtype(op, r.dtype());
    let mut img = with_data(image, from_f64(dtype, out), 1, vec![name.to_string()])?;
    if r.bands == 1 && matches!(op, Reduce::Std | Reduce::Var) {
        img.raster.mask.iter_mut().for_each(|m| *m = 0);
    }
    Ok(img)
}

/// Rounding applied before the uint8 cast of `cast`, `ceil` and `floor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToUint8 {
    Cast,
    Ceil,
    Floor,
}

/// titiler's `CastToInt`, `Ceil`, `Floor`: numpy's `astype("uint8")` (wrapping).
pub fn to_uint8(image: &Image, how: ToUint8) -> Result<Image> {
    let r = &image.raster;
    let out: Vec<u8> = (0..r.data.len())
        .map(|i| {
            let v = r.data.get_f64(i);
            let v = match how {
                ToUint8::Cast => v,
                ToUint8::Ceil => v.ceil(),
                ToUint8::Floor => v.floor(),
            };
            numpy_u8_cast(v)
        })
        .collect();
    with_data(
        image,
        Samples::U8(out),
        r.bands,
        image.band_descriptions.clone(),
    )
}

fn luma(r: &Raster, i: usize) -> f64 {
    let plane = r.plane_len();
    r.data.get_f64(i) * 299.0 / 1000.0
        + r.data.get_f64(plane + i) * 587.0 / 1000.0
        + r.data.get_f64(2 * plane + i) * 114.0 / 1000.0
}

/// titiler's `ToGrayScale`: ITU-R 601-2 luma of the first three bands, in the input dtype.
pub fn grayscale(image: &Image) -> Result<Image> {
    let r = &image.raster;
    if r.bands < 3 {
        return Err(Error::AlgorithmInput(format!(
            "Cannot apply `grayscale` algorithm on image with {} bands.",
            r.bands
        )));
    }
    let v: Vec<f64> = (0..r.plane_len()).map(|i| luma(r, i)).collect();
    with_data(image, from_f64(r.dtype(), v), 1, vec!["grayscale".into()])
}

/// titiler's `ToBitonal`: 255 where (grey) value > 127, else 0.
pub fn bitonal(image: &Image) -> Result<Image> {
    let r = &image.raster;
    let v: Vec<u8> = match r.bands {
        3 => (0..r.plane_len())
            .map(|i| if luma(r, i) > 127.0 { 255 } else { 0 })
            .collect(),
        1 => (0..r.plane_len())
            .map(|i| if r.data.get_f64(i) > 127.0 { 255 } else { 0 })
            .collect(),
        n => {
            return Err(Error::AlgorithmInput(format!(
                "Cannot apply `bitonal` algorithm on image with {n} bands."
            )))
        }
    };
    with_data(image, Samples::U8(v), 1, vec!["bitonal".into()])
}

/// titiler's `NormalizedIndex`: `(b2 - b1) / (b2 + b1)` in float32; masked where the sum is 0.
pub fn normalized_index(image: &Image) -> Result<Image> {
    let r = &image.raster;
    if r.bands < 2 {
        return Err(Error::AlgorithmInput(format!(
            "normalizedIndex needs 2 bands, got {}",
            r.bands
        )));
    }
    let plane = r.plane_len();
    let f = |v: f64| v as f32;
    let mut out = vec![0f32; plane];
    let mut mask = r.mask.clone();
    for i in 0..plane {
        let (b1, b2) = (f(r.data.get_f64(i)), f(r.data.get_f64(plane + i)));
        let den = b2 + b1;
        if den == 0.0 {
            mask[i] = 0;
        } else {
            out[i] = (b2 - b1) / den;
        }
    }
    let d = &image.band_descriptions;
    let (n0, n1) = (
        d.first().cloned().unwrap_or_else(|| "b1".into()),
        d.get(1).cloned().unwrap_or_else(|| "b2".into()),
    );
    let mut img = with_data(
        image,
        Samples::F32(out),
        1,
        vec![format!("({n1} - {n0}) / ({n1} + {n0})")],
    )?;
    img.raster.mask = mask;
    Ok(img)
}
