//! Elevation algorithms: hillshade, slope, contours, terrarium, terrainrgb.
//!
//! Hillshade and slope differentiate the surface with numpy's `gradient` (central differences
//! inside, one-sided at the edges), so they need neighbours: the reader reads `buffer` extra
//! pixels around the tile and the algorithm crops them. A float32 DEM is differentiated in
//! float32 like numpy does (we round every intermediate to float32), an integer DEM in float64.
//! A derivative is masked where a neighbour it used is masked (numpy.ma propagation).

use crate::raster::{DataType, Raster, Samples};
use crate::render::error::{Error, Result};
use crate::render::image::{Georef, Image};
use crate::render::named;
use crate::render::rescale::linear_rescale;

/// Rounds to float32 when the computation runs in float32.
#[derive(Clone, Copy)]
struct Prec(bool);

impl Prec {
    #[inline]
    fn r(self, v: f64) -> f64 {
        if self.0 {
            v as f32 as f64
        } else {
            v
        }
    }
}

fn first_band(image: &Image) -> Result<Vec<f64>> {
    let r = &image.raster;
    if r.bands < 1 {
        return Err(Error::AlgorithmInput(
            "algorithm needs 1 band, got 0".into(),
        ));
    }
    Ok(crate::render::image::band_f64(r, 0))
}

/// numpy.gradient along rows (axis 0) and columns (axis 1), with masks.
struct Gradient {
    rows: Vec<f64>,
    cols: Vec<f64>,
    valid: Vec<bool>,
}

fn gradient(a: &[f64], mask: &[u8], w: usize, h: usize, p: Prec) -> Result<Gradient> {
    if w < 2 || h < 2 {
        return Err(Error::AlgorithmInput(format!(
            "gradient needs at least 2x2 pixels, got {w}x{h}"
        )));
    }
    let n = w * h;
    let mut rows = vec![0.0; n];
    let mut cols = vec![0.0; n];
    let mut valid = vec![true; n];
    let ok = |i: usize| mask[i] != 0;
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let (ya, yb, dy) = if y == 0 {
                (1, 0, 1.0)
            } else if y == h - 1 {
                (h - 1, h - 2, 1.0)
            } else {
                (y + 1, y - 1, 2.0)
            };
            let (ia, ib) = (ya * w + x, yb * w + x);
            rows[i] = p.r(p.r(a[ia] - a[ib]) / dy);
            let (xa, xb, dx) = if x == 0 {
                (1, 0, 1.0)
            } else if x == w - 1 {
                (w - 1, w - 2, 1.0)
            } else {
                (x + 1, x - 1, 2.0)
            };
            let (ja, jb) = (y * w + xa, y * w + xb);
            cols[i] = p.r(p.r(a[ja] - a[jb]) / dx);
            valid[i] = ok(ia) && ok(ib) && ok(ja) && ok(jb);
        }
    }
    Ok(Gradient { rows, cols, valid })
}

/// Crops `buffer` pixels from every side of a plane-sequential buffer.
fn crop<T: Copy>(v: &[T], bands: usize, w: usize, h: usize, buffer: usize) -> Vec<T> {
    let (nw, nh) = (w - 2 * buffer, h - 2 * buffer);
    let mut out = Vec::with_capacity(bands * nw * nh);
    for b in 0..bands {
        for y in buffer..h - buffer {
            let start = b * w * h + y * w + buffer;
            out.extend_from_slice(&v[start..start + nw]);
        }
    }
    out
}

fn cropped_georef(g: &Option<Georef>, w: usize, h: usize, buffer: usize) -> Option<Georef> {
    g.as_ref().map(|g| {
        let gt = g.geotransform(w, h);
        let (dx, dy) = (gt[1] * buffer as f64, -gt[5] * buffer as f64);
        Georef {
            bounds: [
                g.bounds[0] + dx,
                g.bounds[1] + dy,
                g.bounds[2] - dx,
                g.bounds[3] - dy,
            ],
            ..g.clone()
        }
    })
}

fn check_buffer(w: usize, h: usize, buffer: usize) -> Result<()> {
    if 2 * buffer >= w || 2 * buffer >= h {
        return Err(Error::AlgorithmInput(format!(
            "buffer of {buffer} pixels leaves nothing of a {w}x{h} image"
        )));
    }
    Ok(())
}

fn finish(
    image: &Image,
    data: Samples,
    valid: Vec<bool>,
    bands: usize,
    buffer: usize,
    descriptions: &[&str],
) -> Result<Image> {
    let (w, h) = (image.width(), image.height());
    let mask: Vec<u8> = valid.iter().map(|v| if *v { 255 } else { 0 }).collect();
    let (data, mask, nw, nh) = if buffer > 0 {
        let d = match data {
            Samples::U8(v) => Samples::U8(crop(&v, bands, w, h, buffer)),
            Samples::F32(v) => Samples::F32(crop(&v, bands, w, h, buffer)),
            other => other,
        };
        (
            d,
            crop(&mask, 1, w, h, buffer),
            w - 2 * buffer,
            h - 2 * buffer,
        )
    } else {
        (data, mask, w, h)
    };
    let mut out = Image::new(Raster {
        width: nw,
        height: nh,
        bands,
        data,
        mask,
    })?;
    out.georef = cropped_georef(&image.georef, w, h, buffer);
    out.band_descriptions = descriptions.iter().map(|s| s.to_string()).collect();
    Ok(out)
}

/// titiler's `HillShade`.
pub fn hillshade(
    image: &Image,
    azimuth: f64,
    angle_altitude: f64,
    buffer: usize,
    z_exaggeration: f64,
) -> Result<Image> {
    let (w, h) = (image.width(), image.height());
    check_buffer(w, h, buffer)?;
    let p = Prec(image.dtype() == DataType::F32);
    let a: Vec<f64> = first_band(image)?.into_iter().map(|v| p.r(v)).collect();
    let g = gradient(&a, &image.raster.mask, w, h, p)?;
    let half_pi = p.r(std::f64::consts::FRAC_PI_2);
    let az = (360.0 - azimuth).to_radians();
    let alt = angle_altitude.to_radians();
    let (sin_alt, cos_alt) = (alt.sin(), alt.cos());
    let mut out = vec![0u8; w * h];
    for (i, o) in out.iter_mut().enumerate() {
        let x = p.r(g.rows[i] * z_exaggeration);
        let y = p.r(g.cols[i] * z_exaggeration);
        let mag = p.r((p.r(p.r(x * x) + p.r(y * y))).sqrt());
        let slope = p.r(half_pi - p.r(mag.atan()));
        let aspect = p.r((-x).atan2(y));
        let shaded = sin_alt * p.r(slope.sin()) + cos_alt * p.r(slope.cos()) * (az - aspect).cos();
        let v = 255.0 * (shaded + 1.0) / 2.0;
        *o = if v < 0.0 { 0 } else { v as u8 };
    }
    finish(image, Samples::U8(out), g.valid, 1, buffer, &["hillshade"])
}

/// titiler's `Slope`: degrees, float32.
pub fn slope(image: &Image, buffer: usize, z_exaggeration: f64) -> Result<Image> {
    let (w, h) = (image.width(), image.height());
    check_buffer(w, h, buffer)?;
    let p = Prec(image.dtype() == DataType::F32);
    // rio-tiler's transform: from_bounds, or Affine.scale(width, -height) without bounds.
    let (px, py) = match &image.georef {
        Some(g) => {
            let gt = g.geotransform(w, h);
            (gt[1].abs(), gt[5].abs())
        }
        None => (w as f64, h as f64),
    };
    let a: Vec<f64> = first_band(image)?.into_iter().map(|v| p.r(v)).collect();
    let g = gradient(&a, &image.raster.mask, w, h, p)?;
    let to_deg = p.r(180.0 / std::f64::consts::PI);
    let mut out = vec![0f32; w * h];
    for (i, o) in out.iter_mut().enumerate() {
        let x = p.r(g.rows[i] * z_exaggeration);
        let y = p.r(g.cols[i] * z_exaggeration);
        let dx = p.r(x / px);
        let dy = p.r(y / py);
        let mag = p.r(p.r(p.r(dx * dx) + p.r(dy * dy)).sqrt());
        *o = p.r(p.r(mag.atan()) * to_deg) as f32;
    }
    finish(image, Samples::F32(out), g.valid, 1, buffer, &["slope"])
}

/// titiler's `Contours`: terrain colours from `minz..maxz`, black lines every `increment`.
pub fn contours(
    image: &Image,
    increment: f64,
    thickness: f64,
    minz: f64,
    maxz: f64,
) -> Result<Image> {
    if image.count() != 1 {
        return Err(Error::InvalidFormat("Source data must be 1 band".into()));
    }
    let terrain =
        named::table("terrain").ok_or_else(|| Error::UnknownColormap("terrain".into()))?;
    let plane = image.raster.plane_len();
    let mut rgb = vec![0u8; plane * 3];
    for (i, v) in crate::render::image::band_f64(&image.raster, 0)
        .into_iter()
        .enumerate()
    {
        let level = linear_rescale(v, (minz, maxz), (1.0, 255.0)) as u8;
        let m = v - (v / increment).floor() * increment;
        let line = m < thickness;
        let c = terrain[level as usize];
        for b in 0..3 {
            rgb[b * plane + i] = if line { 0 } else { c[b] };
        }
    }
    let valid = image.raster.mask.iter().map(|m| *m != 0).collect();
    finish(
        image,
        Samples::U8(rgb),
        valid,
        3,
        0,
        &["contours_r", "contours_g", "contours_b"],
    )
}

/// titiler's `Terrarium` (Mapzen) RGB encoding of elevations.
pub fn terrarium(image: &Image, nodata_height: Option<f64>) -> Result<Image> {
    let p = Prec(image.dtype() == DataType::F32);
    let a = first_band(image)?;
    let plane = a.len();
    let mut rgb = vec![0u8; plane * 3];
    for i in 0..plane {
        let mut v = p.r(a[i] + 32768.0).clamp(0.0, 65535.0);
        if let (Some(nh), true) = (nodata_height, image.raster.mask[i] == 0) {
            v = p.r((nh + 32768.0).clamp(0.0, 65535.0));
        }
        let r = v / 256.0;
        let g = v - (v / 256.0).floor() * 256.0;
        let bb = p.r(v * 256.0);
        let b = bb - (bb / 256.0).floor() * 256.0;
        rgb[i] = r as u8;
        rgb[plane + i] = g as u8;
        rgb[2 * plane + i] = b as u8;
    }
    let valid = image.raster.mask.iter().map(|m| *m != 0).collect();
    finish(
        image,
        Samples::U8(rgb),
        valid,
        3,
        0,
        &["terranium_r", "terranium_g", "terranium_b"],
    )
}

/// titiler's `TerrainRGB` (Mapbox) encoding: `(h - baseval) / interval` as a 24-bit integer.
pub fn terrainrgb(
    image: &Image,
    interval: f64,
    baseval: f64,
    nodata_height: Option<f64>,
) -> Result<Image> {
    let a = first_band(image)?;
    let mask = &image.raster.mask;
    let mut v: Vec<f64> = a
        .iter()
        .map(|x| ((x - baseval) / interval).round_ties_even())
        .collect();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (x, m) in v.iter().zip(mask) {
        if *m != 0 {
            lo = lo.min(*x);
            hi = hi.max(*x);
        }
    }
    if hi - lo > 256f64.powi(3) {
        return Err(Error::AlgorithmInput(format!(
            "Data of {} larger than 256 ** 3",
            hi - lo
        )));
    }
    if let Some(nh) = nodata_height {
        for (x, m) in v.iter_mut().zip(mask) {
            if *m == 0 {
                *x = (nh - baseval) / interval;
            }
        }
    }
    let plane = v.len();
    let mut rgb = vec![0u8; plane * 3];
    for (i, x) in v.iter().enumerate() {
        // astype(int32): truncation, out of range → i32::MIN on x86
        let n = if x.is_finite() && x.abs() < 2_147_483_648.0 {
            *x as i32
        } else {
            i32::MIN
        };
        rgb[i] = ((n >> 16) & 0xff) as u8;
        rgb[plane + i] = ((n >> 8) & 0xff) as u8;
        rgb[2 * plane + i] = (n & 0xff) as u8;
    }
    let valid = mask.iter().map(|m| *m != 0).collect();
    finish(
        image,
        Samples::U8(rgb),
        valid,
        3,
        0,
        &["terrain_r", "terrain_g", "terrain_b"],
    )
}
