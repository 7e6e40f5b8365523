//! The warp kernel: the value of the source image at a fractional source pixel position.
//!
//! After the transformer has mapped an output pixel centre to `(sx, sy)` in source pixels, the
//! kernel decides the output value (`gdalwarpkernel.cpp`):
//! - nearest: the pixel containing the point, `(int)(sx + 1e-10)`; points left of or above the
//!   source are outside;
//! - bilinear / cubic / cubic spline / lanczos: a separable filter centred on `(sx - 0.5,
//!   sy - 0.5)` in pixel-centre coordinates. When the warp shrinks the image (scale < 1) the
//!   filter is stretched by `1 / scale` so every source pixel contributes (antialiasing), as
//!   GDAL does below a scale of 0.95. Invalid source pixels are left out and the weights
//!   renormalised;
//! - average / mode / min / max / med / q1 / q3 / sum / rms: a statistic of the source pixels
//!   under the output pixel's footprint (`1 / scale` source pixels wide).

use super::Resampling;

/// A window of source pixels, all bands as f64, plus validity.
pub struct Source<'a> {
    /// Position of the window's top-left pixel in the source level.
    pub x_off: i64,
    pub y_off: i64,
    pub width: usize,
    pub height: usize,
    /// One plane per band, `width × height` each.
    pub bands: &'a [Vec<f64>],
    /// 255 valid, 0 invalid, `width × height`.
    pub valid: &'a [u8],
}

impl Source<'_> {
    /// Index into the planes of level pixel `(x, y)` when inside the window and valid.
    fn index(&self, x: i64, y: i64) -> Option<usize> {
        let (lx, ly) = (x - self.x_off, y - self.y_off);
        if lx < 0 || ly < 0 || lx as usize >= self.width || ly as usize >= self.height {
            return None;
        }
        let i = ly as usize * self.width + lx as usize;
        (*self.valid.get(i)? != 0).then_some(i)
    }

    /// The plane index nearest-neighbour sampling takes at level position `(sx, sy)`
    /// ([`nearest_pixel`]); `None` outside the window or on an invalid pixel too.
    pub fn nearest(&self, sx: f64, sy: f64) -> Option<usize> {
        let (x, y) = nearest_pixel(sx, sy)?;
        self.index(x as i64, y as i64)
    }
}

/// The level pixel nearest-neighbour sampling takes at level position `(sx, sy)`: the pixel
/// containing the point, GDAL's `(int)(sx + 1e-10)`; `None` left of or above the source (or
/// past `u32`, beyond any TIFF).
pub fn nearest_pixel(sx: f64, sy: f64) -> Option<(u32, u32)> {
    let ok = |v: f64| v.is_finite() && v >= 0.0 && v + NEAREST_EPSILON < u32::MAX as f64;
    (ok(sx) && ok(sy)).then_some(((sx + NEAREST_EPSILON) as u32, (sy + NEAREST_EPSILON) as u32))
}

/// GDAL's nudge before truncating a position to a pixel: a point on a pixel edge a rounding
/// error short of it still lands in the pixel it is meant for.
pub const NEAREST_EPSILON: f64 = 1e-10;

/// Samples every band at level position `(sx, sy)` into `out`; false when no valid source
/// pixel contributes. `scale` is output pixels per source pixel along x and y.
pub fn sample(
    src: &Source<'_>,
    sx: f64,
    sy: f64,
    method: Resampling,
    scale: (f64, f64),
    out: &mut [f64],
) -> bool {
    if !(sx.is_finite() && sy.is_finite()) {
        return false;
    }
    match method {
        Resampling::Nearest => match src.nearest(sx, sy) {
            Some(i) => {
                for (o, b) in out.iter_mut().zip(src.bands) {
                    *o = b[i];
                }
                true
            }
            None => false,
        },
        m if m.kernel_radius().is_some() => convolve(src, sx, sy, m, scale, out),
        m => footprint(src, sx, sy, m, scale, out),
    }
}

fn convolve(
    src: &Source<'_>,
    sx: f64,
    sy: f64,
    method: Resampling,
    scale: (f64, f64),
    out: &mut [f64],
) -> bool {
    let radius = method.kernel_radius().unwrap_or(1.0);
    // GDAL only widens the kernel when downsampling noticeably (scale < 0.95)
    let fx = if scale.0 < 0.95 {
        scale.0.max(1e-6)
    } else {
        1.0
    };
    let fy = if scale.1 < 0.95 {
        scale.1.max(1e-6)
    } else {
        1.0
    };
    let (cx, cy) = (sx - 0.5, sy - 0.5);
    let (rx, ry) = ((radius / fx).ceil() as i64, (radius / fy).ceil() as i64);
    let (bx, by) = (cx.floor() as i64, cy.floor() as i64);
    let mut wsum = 0.0;
    out.iter_mut().for_each(|o| *o = 0.0);
    for y in (by - ry + 1)..=(by + ry) {
        let wy = method.kernel_weight((y as f64 - cy) * fy);
        if wy == 0.0 {
            continue;
        }
        for x in (bx - rx + 1)..=(bx + rx) {
            let wx = method.kernel_weight((x as f64 - cx) * fx);
            if wx == 0.0 {
                continue;
            }
            if let Some(i) = src.index(x, y) {
                let w = wx * wy;
                wsum += w;
                for (o, b) in out.iter_mut().zip(src.bands) {
                    *o += w * b[i];
                }
            }
        }
    }
    if wsum.abs() < 1e-10 {
        return false;
    }
    out.iter_mut().for_each(|o| *o /= wsum);
    true
}

fn footprint(
    src: &Source<'_>,
    sx: f64,
    sy: f64,
    method: Resampling,
    scale: (f64, f64),
    out: &mut [f64],
) -> bool {
    let hx = 0.5 / scale.0.clamp(1e-6, 1.0);
    let hy = 0.5 / scale.1.clamp(1e-6, 1.0);
    let (x0, x1) = (sx - hx, sx + hx);
    let (y0, y1) = (sy - hy, sy + hy);
    let mut any = false;
    let mut vals: Vec<(f64, f64)> = Vec::new();
    for (bi, o) in out.iter_mut().enumerate() {
        vals.clear();
        for y in y0.floor() as i64..y1.ceil() as i64 {
            let wy = (y1.min(y as f64 + 1.0) - y0.max(y as f64)).max(0.0);
            for x in x0.floor() as i64..x1.ceil() as i64 {
                let wx = (x1.min(x as f64 + 1.0) - x0.max(x as f64)).max(0.0);
                if wx * wy <= 0.0 {
                    continue;
                }
                if let Some(i) = src.index(x, y) {
                    vals.push((src.bands[bi][i], wx * wy));
                }
            }
        }
        match summarise(&mut vals, method) {
            Some(v) => {
                *o = v;
                any = true;
            }
            None => return false,
        }
    }
    any
}

/// A footprint statistic over `(value, weight)` pairs; `None` when there are none.
pub(crate) fn summarise(vals: &mut [(f64, f64)], method: Resampling) -> Option<f64> {
    if vals.is_empty() {
        return None;
    }
    let wsum: f64 = vals.iter().map(|v| v.1).sum();
    Some(match method {
        Resampling::Average | Resampling::Gauss => {
            vals.iter().map(|(v, w)| v * w).sum::<f64>() / wsum
        }
        Resampling::Rms => (vals.iter().map(|(v, w)| v * v * w).sum::<f64>() / wsum).sqrt(),
        Resampling::Sum => vals.iter().map(|(v, w)| v * w).sum::<f64>(),
        Resampling::Min => vals.iter().map(|v| v.0).fold(f64::INFINITY, f64::min),
        Resampling::Max => vals.iter().map(|v| v.0).fold(f64::NEG_INFINITY, f64::max),
        Resampling::Mode => {
            // most frequent value; ties go to the first seen (GDAL scans in raster order)
            let mut best = (vals[0].0, 0usize);
            for (i, (v, _)) in vals.iter().enumerate() {
                let c = vals[..].iter().filter(|(u, _)| u == v).count();
                if c > best.1 || (c == best.1 && i == 0) {
                    best = (*v, c);
                }
            }
            best.0
        }
        Resampling::Med | Resampling::Q1 | Resampling::Q3 => {
            let q = match method {
                Resampling::Q1 => 0.25,
                Resampling::Q3 => 0.75,
                _ => 0.5,
            };
            vals.sort_by(|a, b| a.0.total_cmp(&b.0));
            let target = q * wsum;
            let mut acc = 0.0;
            let mut out = vals[vals.len() - 1].0;
            for (v, w) in vals.iter() {
                acc += w;
                if acc >= target {
                    out = *v;
                    break;
                }
            }
            out
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(values: Vec<f64>, valid: Vec<u8>, w: usize) -> (Vec<Vec<f64>>, Vec<u8>, usize) {
        (vec![values], valid, w)
    }

    #[test]
    fn nearest_takes_containing_pixel() {
        let (b, v, w) = src((0..16).map(|i| i as f64).collect(), vec![255; 16], 4);
        let s = Source {
            x_off: 0,
            y_off: 0,
            width: w,
            height: 4,
            bands: &b,
            valid: &v,
        };
        let mut out = [0.0];
        assert!(sample(
            &s,
            1.5,
            2.99,
            Resampling::Nearest,
            (1.0, 1.0),
            &mut out
        ));
        assert_eq!(out[0], 9.0);
        // 1e-10 below an edge snaps up like GDAL
        assert!(sample(
            &s,
            2.0 - 1e-11,
            0.5,
            Resampling::Nearest,
            (1.0, 1.0),
            &mut out
        ));
        assert_eq!(out[0], 2.0);
        assert!(!sample(
            &s,
            -0.2,
            0.5,
            Resampling::Nearest,
            (1.0, 1.0),
            &mut out
        ));
        assert!(!sample(
            &s,
            4.2,
            0.5,
            Resampling::Nearest,
            (1.0, 1.0),
            &mut out
        ));
    }

    #[test]
    fn bilinear_interpolates_between_centres() {
        let (b, v, w) = src(vec![0.0, 10.0, 0.0, 10.0], vec![255; 4], 2);
        let s = Source {
            x_off: 0,
            y_off: 0,
            width: w,
            height: 2,
            bands: &b,
            valid: &v,
        };
        let mut out = [0.0];
        assert!(sample(
            &s,
            1.0,
            1.0,
            Resampling::Bilinear,
            (1.0, 1.0),
            &mut out
        ));
        assert!((out[0] - 5.0).abs() < 1e-12);
        // an invalid neighbour is left out, not averaged in as zero
        let v2 = vec![255, 0, 255, 0];
        let s = Source {
            x_off: 0,
            y_off: 0,
            width: 2,
            height: 2,
            bands: &b,
            valid: &v2,
        };
        assert!(sample(
            &s,
            1.0,
            1.0,
            Resampling::Bilinear,
            (1.0, 1.0),
            &mut out
        ));
        assert_eq!(out[0], 0.0);
    }

    #[test]
    fn footprint_statistics() {
        let mut v = vec![(1.0, 1.0), (5.0, 1.0), (5.0, 1.0), (9.0, 1.0)];
        assert_eq!(summarise(&mut v, Resampling::Average), Some(5.0));
        assert_eq!(summarise(&mut v, Resampling::Mode), Some(5.0));
        assert_eq!(summarise(&mut v, Resampling::Min), Some(1.0));
        assert_eq!(summarise(&mut v, Resampling::Max), Some(9.0));
        assert_eq!(summarise(&mut v, Resampling::Sum), Some(20.0));
        assert_eq!(summarise(&mut v, Resampling::Med), Some(5.0));
        assert_eq!(summarise(&mut [], Resampling::Average), None);
    }
}
