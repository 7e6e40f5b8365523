//! The warp kernel: the value of the source image at a fractional source pixel position.
//!
//! After the transformer has mapped an output pixel centre to `(sx, sy)` in source pixels, the
//! kernel decides the output value the way GDAL's `GDALWarpKernel` does (`gdalwarpkernel.cpp`),
//! within the source window GDAL read for the warp ([`super::warper::gdal_source_window`]):
//! - the point itself must fall inside that window, and (when GDAL masks the chunk) on a
//!   valid pixel: neighbours alone never make an output pixel;
//! - nearest: the pixel containing the point, `(int)(sx + 1e-10)`;
//! - bilinear / cubic: GDAL's 4-tap formulas while the warp shrinks by less than 5%,
//!   otherwise (and for cubic spline, lanczos) a separable filter stretched by `1 / scale`,
//!   the scale being set once per warp from the window ([`Kernel`]); invalid taps are left
//!   out and the weights renormalised. Bytes and 16-bit integers without masks take GDAL's
//!   unmasked fast paths, whose taps and edge handling differ slightly;
//! - average / mode / min / max / med / q1 / q3 / rms: a statistic of the source pixels in
//!   the box between the output pixel's mapped corners ([`sample_footprint`]); sum is the
//!   box-weighted sum, not yet GDAL's polygon-intersection sum (`GWKSumPreserving`);
//! - integer results are rounded half up and never equal the nodata value on GDAL's general
//!   path.

use super::Resampling;
use crate::raster::DataType;

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

/// How GDAL's warp kernel is set up for one warp (`GDALWarpKernel::PerformWarp`): the scale
/// and filter reach come from the chunk's source window against the output size, once for the
/// whole chunk (not per pixel), and the code path from the data type and whether GDAL built a
/// source mask. Each choice changes values, so all of them are GDAL's.
#[derive(Clone, Copy, Debug)]
pub struct Kernel {
    /// Output pixels per source pixel along x and y (GDAL's `dfXScale`, `dfYScale`); below 1
    /// the filters are stretched by `1 / scale`.
    pub scale: (f64, f64),
    /// Filter half-width in source pixels (`nXRadius`, `nYRadius`).
    pub radius: (i64, i64),
    /// GDAL built a validity (or density) mask for the chunk: the dataset has a per-dataset
    /// mask or alpha, or some pixel of the window is nodata. Without one GDAL runs its
    /// unmasked fast paths, which sample and round differently.
    pub masked: bool,
    /// Working (and output) data type: picks the code path and the rounding.
    pub dtype: DataType,
    /// The destination nodata value: the masked paths never write it for integer types.
    pub dst_nodata: Option<f64>,
}

impl Kernel {
    /// The set-up GDAL derives for a chunk warping a source window of `src_size` pixels, of
    /// which `extra` (fractional) were added around the mapped area for the filter, into
    /// `dst_size` output pixels.
    pub fn new(
        method: Resampling,
        src_size: (usize, usize),
        extra: (f64, f64),
        dst_size: (usize, usize),
        masked: bool,
        dtype: DataType,
        dst_nodata: Option<f64>,
    ) -> Kernel {
        let axis = |src: usize, extra: f64, dst: usize| {
            let (s, d) = (src as f64, dst as f64);
            let mut scale = d / (s - extra);
            if src >= dst && s <= d + extra {
                scale = 1.0;
            }
            // a reduction within 5% of an integer factor is taken as that factor
            if scale < 1.0 {
                let r = 1.0 / scale;
                let n = (r + 0.5) as i64;
                if (r - n as f64).abs() < 0.05 && n > 0 {
                    scale = 1.0 / n as f64;
                }
            }
            scale
        };
        let scale = (
            axis(src_size.0, extra.0, dst_size.0),
            axis(src_size.1, extra.1, dst_size.1),
        );
        Kernel {
            scale,
            radius: (
                filter_radius(method, scale.0),
                filter_radius(method, scale.1),
            ),
            masked,
            dtype,
            dst_nodata,
        }
    }

    /// GDAL's bilinear and cubic use their 4-tap formulas unless the warp shrinks by more
    /// than 5% along either axis.
    fn four_samples(&self) -> bool {
        self.scale.0 >= 0.95 && self.scale.1 >= 0.95
    }

    /// Whether GDAL takes one of its unmasked fast paths (`GWK*NoMasksOrDstDensityOnly*`),
    /// which exist only for some types and methods; everything else goes through the general
    /// real-valued path even without masks.
    fn fast_path(&self, method: Resampling) -> bool {
        use Resampling::*;
        !self.masked
            && match self.dtype {
                DataType::U8 | DataType::I16 | DataType::U16 => {
                    matches!(method, Bilinear | Cubic | CubicSpline)
                }
                DataType::F32 => matches!(method, Bilinear | Cubic),
                _ => false,
            }
    }

    /// A value as GDAL stores it in the output type: integers rounded half up and clamped.
    fn store(&self, v: f64) -> f64 {
        if matches!(self.dtype, DataType::F32 | DataType::F64) {
            return v;
        }
        let (lo, hi) = self.dtype.range();
        if v < lo {
            lo
        } else if v > hi {
            hi
        } else {
            (v + 0.5).floor()
        }
    }

    /// [`Kernel::store`], then GDAL's general path's refusal to write the nodata value by
    /// chance: an integer result equal to it moves one step down (up at the type's minimum).
    fn store_avoiding_nodata(&self, v: f64) -> f64 {
        let v = self.store(v);
        match self.dst_nodata {
            Some(nd) if nd == v && !matches!(self.dtype, DataType::F32 | DataType::F64) => {
                if v == self.dtype.range().0 {
                    v + 1.0
                } else {
                    v - 1.0
                }
            }
            _ => v,
        }
    }
}

/// GDAL's filter half-width for `method` at `scale` (`anGWKFilterRadius`, widened when
/// shrinking).
fn filter_radius(method: Resampling, scale: f64) -> i64 {
    let r = method.kernel_radius().unwrap_or(0.0);
    if scale < 1.0 {
        (r / scale).ceil() as i64
    } else {
        r as i64
    }
}

/// Samples every band at level position `(sx, sy)` into `out` the way GDAL's warp kernel
/// does; false when the output pixel stays empty. Footprint methods (average, mode, ...)
/// need the pixel's corners: they take a footprint of `1 / scale` source pixels around the
/// point here ([`sample_footprint`] takes the real corners).
pub fn sample(
    src: &Source<'_>,
    sx: f64,
    sy: f64,
    method: Resampling,
    k: &Kernel,
    out: &mut [f64],
) -> bool {
    if !(sx.is_finite() && sy.is_finite()) {
        return false;
    }
    if method == Resampling::Nearest {
        return match src.nearest(sx, sy) {
            Some(i) => {
                for (o, b) in out.iter_mut().zip(src.bands) {
                    *o = b[i];
                }
                true
            }
            None => false,
        };
    }
    if method.kernel_radius().is_none() {
        let hx = 0.5 / k.scale.0.clamp(1e-6, 1.0);
        let hy = 0.5 / k.scale.1.clamp(1e-6, 1.0);
        return sample_footprint(src, (sx - hx, sy - hy), (sx + hx, sy + hy), method, k, out);
    }
    convolve(src, sx, sy, method, k, out)
}

/// The window-relative pixel holding `(sx, sy)`, or `None` when the point is outside the
/// source window (`GWKCheckAndComputeSrcOffsets`: the kernel only runs for points inside it,
/// whatever the filter's reach).
fn centre_pixel(src: &Source<'_>, sx: f64, sy: f64) -> Option<(i64, i64)> {
    let (x0, y0) = (src.x_off as f64, src.y_off as f64);
    let (w, h) = (src.width as i64, src.height as i64);
    if sx < x0 || sy < y0 || sx + 1e-10 > x0 + w as f64 || sy + 1e-10 > y0 + h as f64 {
        return None;
    }
    let ix = (((sx + 1e-10) as i64) - src.x_off).min(w - 1);
    let iy = (((sy + 1e-10) as i64) - src.y_off).min(h - 1);
    Some((ix, iy))
}

/// Bilinear, cubic, cubic spline and lanczos, through the same code path GDAL would take.
fn convolve(
    src: &Source<'_>,
    sx: f64,
    sy: f64,
    method: Resampling,
    k: &Kernel,
    out: &mut [f64],
) -> bool {
    let Some((cx, cy)) = centre_pixel(src, sx, sy) else {
        return false;
    };
    // window-relative position
    let (lx, ly) = (sx - src.x_off as f64, sy - src.y_off as f64);
    let w = Window::of(src);
    if k.fast_path(method) {
        for (o, b) in out.iter_mut().zip(src.bands) {
            *o = match method {
                Resampling::Bilinear if k.four_samples() => {
                    k.store(bilinear4_unmasked(&w, b, lx, ly))
                }
                Resampling::Cubic if k.four_samples() => k.store(cubic4_unmasked(&w, b, lx, ly)),
                _ => k.store(general_unmasked(&w, b, lx, ly, method, k)),
            };
        }
        return true;
    }
    let ci = (cy as usize) * src.width + cx as usize;
    if k.masked && src.valid.get(ci).is_none_or(|&v| v == 0) {
        return false;
    }
    for (o, b) in out.iter_mut().zip(src.bands) {
        let v = if src.width == 1 || src.height == 1 {
            Some(b[ci])
        } else {
            match method {
                Resampling::Bilinear if k.four_samples() => bilinear4(&w, b, lx, ly),
                Resampling::Cubic if k.four_samples() => cubic4(&w, b, lx, ly),
                _ => general(&w, b, lx, ly, method, k),
            }
        };
        match v {
            Some(v) => *o = k.store_avoiding_nodata(v),
            None => return false,
        }
    }
    true
}

/// The source window as the kernel addresses it: window-relative pixels and validity.
struct Window<'a> {
    w: i64,
    h: i64,
    valid: &'a [u8],
}

impl<'a> Window<'a> {
    fn of(src: &Source<'a>) -> Window<'a> {
        Window {
            w: src.width as i64,
            h: src.height as i64,
            valid: src.valid,
        }
    }

    fn ok(&self, x: i64, y: i64) -> bool {
        x >= 0
            && y >= 0
            && x < self.w
            && y < self.h
            && self
                .valid
                .get((y * self.w + x) as usize)
                .is_some_and(|&v| v != 0)
    }

    fn at(&self, b: &[f64], x: i64, y: i64) -> f64 {
        b[(y * self.w + x) as usize]
    }
}

/// GDAL's 4-tap bilinear without masks (`GWKBilinearResampleNoMasks4SampleT`): neighbours
/// outside the window are left out and the rest renormalised.
fn bilinear4_unmasked(w: &Window<'_>, b: &[f64], x: f64, y: f64) -> f64 {
    let ix = (x - 0.5).floor() as i64;
    let iy = (y - 0.5).floor() as i64;
    let rx = 1.5 - (x - ix as f64);
    let ry = 1.5 - (y - iy as f64);
    if ix >= 0 && ix + 1 < w.w && iy >= 0 && iy + 1 < w.h {
        return (w.at(b, ix, iy) * rx + w.at(b, ix + 1, iy) * (1.0 - rx)) * ry
            + (w.at(b, ix, iy + 1) * rx + w.at(b, ix + 1, iy + 1) * (1.0 - rx)) * (1.0 - ry);
    }
    let inside = |x: i64, y: i64| x >= 0 && x < w.w && y >= 0 && y < w.h;
    let (mut div, mut acc) = (0.0, 0.0);
    for (dx, dy, m) in [
        (0, 0, rx * ry),
        (1, 0, (1.0 - rx) * ry),
        (1, 1, (1.0 - rx) * (1.0 - ry)),
        (0, 1, rx * (1.0 - ry)),
    ] {
        if inside(ix + dx, iy + dy) {
            div += m;
            acc += w.at(b, ix + dx, iy + dy) * m;
        }
    }
    if div < 0.00001 {
        0.0
    } else if div == 1.0 {
        acc
    } else {
        acc / div
    }
}

/// GDAL's 4-tap bilinear with masks (`GWKBilinearResample4Sample`); `None` when no valid
/// neighbour carries weight.
fn bilinear4(w: &Window<'_>, b: &[f64], x: f64, y: f64) -> Option<f64> {
    let mut ix = (x - 0.5).floor() as i64;
    let mut iy = (y - 0.5).floor() as i64;
    let mut rx = 1.5 - (x - ix as f64);
    let mut ry = 1.5 - (y - iy as f64);
    if ix == -1 {
        ix = 0;
        rx = 1.0;
    }
    if iy == -1 {
        iy = 0;
        ry = 1.0;
    }
    let (mut div, mut acc) = (0.0, 0.0);
    for (dx, dy, m) in [
        (0, 0, rx * ry),
        (1, 0, (1.0 - rx) * ry),
        (0, 1, rx * (1.0 - ry)),
        (1, 1, (1.0 - rx) * (1.0 - ry)),
    ] {
        if w.ok(ix + dx, iy + dy) {
            div += m;
            acc += w.at(b, ix + dx, iy + dy) * m;
        }
    }
    if div == 1.0 {
        Some(acc)
    } else if div < 0.00001 {
        None
    } else {
        Some(acc / div)
    }
}

/// Cubic convolution weights of the four taps around a point `d` past the second one.
fn cubic_weights(d: f64) -> [f64; 4] {
    let half = 0.5 * d;
    let three = 3.0 * d;
    let half2 = half * d;
    [
        half * (-1.0 + d * (2.0 - d)),
        1.0 + half2 * (-5.0 + three),
        half * (1.0 + d * (4.0 - three)),
        half2 * (-1.0 + d),
    ]
}

/// GDAL's 4×4 cubic without masks (`GWKCubicResampleNoMasks4SampleT`); bilinear near the
/// window's edges.
fn cubic4_unmasked(w: &Window<'_>, b: &[f64], x: f64, y: f64) -> f64 {
    let ix = (x - 0.5) as i64;
    let iy = (y - 0.5) as i64;
    if ix - 1 < 0 || ix + 2 >= w.w || iy - 1 < 0 || iy + 2 >= w.h {
        return bilinear4_unmasked(w, b, x, y);
    }
    let (dx, dy) = (x - 0.5 - ix as f64, y - 0.5 - iy as f64);
    let c = cubic_weights(dx);
    let mut v = [0.0; 4];
    for (r, vr) in v.iter_mut().enumerate() {
        let yy = iy - 1 + r as i64;
        *vr = (0..4).map(|t| c[t] * w.at(b, ix - 1 + t as i64, yy)).sum();
    }
    let (d2, d3) = (dy * dy, dy * dy * dy);
    v[1] + 0.5
        * (dy * (v[2] - v[0])
            + d2 * (2.0 * v[0] - 5.0 * v[1] + 4.0 * v[2] - v[3])
            + d3 * (3.0 * (v[1] - v[2]) + v[3] - v[0]))
}

/// GDAL's 4×4 cubic with masks (`GWKCubicResample4Sample`): bilinear near the window's
/// edges or as soon as one of the 16 taps is invalid.
fn cubic4(w: &Window<'_>, b: &[f64], x: f64, y: f64) -> Option<f64> {
    let ix = (x - 0.5) as i64;
    let iy = (y - 0.5) as i64;
    if ix - 1 < 0 || ix + 2 >= w.w || iy - 1 < 0 || iy + 2 >= w.h {
        return bilinear4(w, b, x, y);
    }
    for yy in iy - 1..iy + 3 {
        for xx in ix - 1..ix + 3 {
            if !w.ok(xx, yy) {
                return bilinear4(w, b, x, y);
            }
        }
    }
    let (dx, dy) = (x - 0.5 - ix as f64, y - 0.5 - iy as f64);
    let (cx, cy) = (cubic_weights(dx), cubic_weights(dy));
    let mut acc = 0.0;
    for (r, wy) in cy.iter().enumerate() {
        let yy = iy - 1 + r as i64;
        let row: f64 = (0..4).map(|t| cx[t] * w.at(b, ix - 1 + t as i64, yy)).sum();
        acc += wy * row;
    }
    Some(acc)
}

/// The filter weight GDAL's general kernels use at distance `x` (unnormalised: the cubic
/// B-spline is 6× its textbook value, which cancels out in the normalisation).
fn weight(method: Resampling, x: f64) -> f64 {
    match method {
        Resampling::Bilinear => {
            let a = x.abs();
            if a <= 1.0 {
                1.0 - a
            } else {
                0.0
            }
        }
        Resampling::Cubic => {
            let a = x.abs();
            let x2 = x * x;
            if a <= 1.0 {
                x2 * (1.5 * a - 2.5) + 1.0
            } else if a <= 2.0 {
                x2 * (-0.5 * a + 2.5) - 4.0 * a + 2.0
            } else {
                0.0
            }
        }
        Resampling::CubicSpline => {
            let (xp2, xp1, xm1) = (x + 2.0, x + 1.0, x - 1.0);
            let mut v = 0.0;
            if xp2 > 0.0 {
                v += xp2 * xp2 * xp2;
                if xp1 > 0.0 {
                    v -= 4.0 * xp1 * xp1 * xp1;
                    if x > 0.0 {
                        v += 6.0 * x * x * x;
                        if xm1 > 0.0 {
                            v -= 4.0 * xm1 * xm1 * xm1;
                        }
                    }
                }
            }
            v
        }
        Resampling::Lanczos => {
            if x == 0.0 {
                1.0
            } else {
                let px = std::f64::consts::PI * x;
                px.sin() * (px / 3.0).sin() / (px * px / 3.0)
            }
        }
        _ => 0.0,
    }
}

/// GDAL's general separable filter without masks (`GWKResampleNoMasksT`): taps from
/// `1 - radius` to `radius` around the pixel left of / above the point, clipped to the
/// window, normalised by the product of the x and y weight sums.
fn general_unmasked(
    w: &Window<'_>,
    b: &[f64],
    x: f64,
    y: f64,
    method: Resampling,
    k: &Kernel,
) -> f64 {
    let ix = (x - 0.5).floor() as i64;
    let iy = (y - 0.5).floor() as i64;
    let (rx, ry) = k.radius;
    if ix >= w.w || iy >= w.h || rx > w.w || ry > w.h {
        return bilinear4_unmasked(w, b, x, y);
    }
    let (dx, dy) = (x - 0.5 - ix as f64, y - 0.5 - iy as f64);
    let (fx, fy) = (k.scale.0.min(1.0), k.scale.1.min(1.0));
    let imin = (1 - rx).max(-ix);
    let imax = rx.min(w.w - 1 - ix);
    let jmin = (1 - ry).max(-iy);
    let jmax = ry.min(w.h - 1 - iy);
    let wx: Vec<f64> = (imin..=imax)
        .map(|i| weight(method, (i as f64 - dx) * fx))
        .collect();
    let wsum_x: f64 = wx.iter().sum();
    let (mut acc, mut wsum_y) = (0.0, 0.0);
    for j in jmin..=jmax {
        let row: f64 = (imin..=imax)
            .zip(&wx)
            .map(|(i, wi)| w.at(b, ix + i, iy + j) * wi)
            .sum();
        let wj = weight(method, (j as f64 - dy) * fy);
        acc += wj * row;
        wsum_y += wj;
    }
    acc / (wsum_x * wsum_y)
}

/// GDAL's general separable filter (`GWKResample`, and for lanczos
/// `GWKResampleOptimizedLanczos`, which also drops taps past its radius): invalid taps are
/// left out and the valid weights renormalised; `None` when they sum to (almost) nothing.
fn general(
    w: &Window<'_>,
    b: &[f64],
    x: f64,
    y: f64,
    method: Resampling,
    k: &Kernel,
) -> Option<f64> {
    let ix = (x - 0.5).floor() as i64;
    let iy = (y - 0.5).floor() as i64;
    let (dx, dy) = (x - 0.5 - ix as f64, y - 0.5 - iy as f64);
    let (rx, ry) = k.radius;
    let r0 = method.kernel_radius().unwrap_or(1.0) as i64;
    // the window starts one tap later for even filter radii (cubic, cubic spline)
    let init = (r0 + 1) % 2;
    let (fx, fy) = (
        if k.scale.0 < 1.0 { k.scale.0 } else { 1.0 },
        if k.scale.1 < 1.0 { k.scale.1 } else { 1.0 },
    );
    let mut imin = (init - rx).max(-ix);
    let mut imax = rx.min(w.w - 1 - ix);
    let mut jmin = (init - ry).max(-iy);
    let mut jmax = ry.min(w.h - 1 - iy);
    if method == Resampling::Lanczos {
        while (imin as f64 - dx) * fx < -3.0 {
            imin += 1;
        }
        while (imax as f64 - dx) * fx > 3.0 {
            imax -= 1;
        }
        while (jmin as f64 - dy) * fy < -3.0 {
            jmin += 1;
        }
        while (jmax as f64 - dy) * fy > 3.0 {
            jmax -= 1;
        }
    }
    let (mut acc, mut wsum) = (0.0, 0.0);
    for j in jmin..=jmax {
        let wy = weight(method, (j as f64 - dy) * fy);
        let (mut racc, mut rw) = (0.0, 0.0);
        for i in imin..=imax {
            if !w.ok(ix + i, iy + j) {
                continue;
            }
            let wi = weight(method, (i as f64 - dx) * fx);
            racc += w.at(b, ix + i, iy + j) * wi;
            rw += wi;
        }
        acc += racc * wy;
        wsum += rw * wy;
    }
    if wsum < 0.000001 {
        return None;
    }
    Some(if !(0.99999..=1.00001).contains(&wsum) {
        acc / wsum
    } else {
        acc
    })
}

/// Footprint statistics (average, rms, mode, min, max, med, q1, q3, sum) the way GDAL's
/// `GWKAverageOrMode` computes them: the output pixel's footprint is the box between its
/// mapped top-left and bottom-right corners (`tl`, `br`, level pixels); source pixels
/// partly inside count by their covered fraction (average, rms, sum).
pub fn sample_footprint(
    src: &Source<'_>,
    tl: (f64, f64),
    br: (f64, f64),
    method: Resampling,
    k: &Kernel,
    out: &mut [f64],
) -> bool {
    let (xo, yo) = (src.x_off as f64, src.y_off as f64);
    let (w, h) = (src.width as f64, src.height as f64);
    let mx = 2.0 * (1.0 / k.scale.0).ceil().max(1.0);
    let my = 2.0 * (1.0 / k.scale.1).ceil().max(1.0);
    let fin = |v: f64| v.is_finite();
    if !(fin(tl.0) && fin(tl.1) && fin(br.0) && fin(br.1)) {
        return false;
    }
    let near = |v: f64, o: f64, size: f64, m: f64| v - o >= -m && v - o - size <= m;
    let inside = near(tl.0, xo, w, mx)
        && near(br.0, xo, w, mx)
        && near(tl.1, yo, h, my)
        && near(br.1, yo, h, my);
    if !inside {
        return false;
    }
    const EPS: f64 = 1e-10;
    let (x0, x1) = if tl.0 > br.0 {
        (br.0, tl.0)
    } else {
        (tl.0, br.0)
    };
    let (y0, y1) = if tl.1 > br.1 {
        (br.1, tl.1)
    } else {
        (tl.1, br.1)
    };
    let (xmin, xmax) = (x0 - xo, x1 - xo);
    let (ymin, ymax) = (y0 - yo, y1 - yo);
    if !(xmax > -EPS && xmin < w + EPS && ymax > -EPS && ymin < h + EPS) {
        return false;
    }
    let span = |lo: f64, hi: f64, size: i64| {
        let a = (lo + EPS).floor().max(0.0) as i64;
        let mut b = ((hi - EPS).ceil() as i64).min(size);
        if a == b && b < size {
            b += 1;
        }
        (a, b)
    };
    let (ix0, ix1) = span(xmin, xmax, src.width as i64);
    let (iy0, iy1) = span(ymin, ymax, src.height as i64);
    let weight_y = |iy: i64| {
        if iy == iy0 {
            if iy0 + 1 == iy1 {
                1.0
            } else {
                1.0 - (ymin - iy0 as f64)
            }
        } else if iy + 1 == iy1 {
            1.0 - (iy1 as f64 - ymax)
        } else {
            1.0
        }
    };
    let weight_x = |ix: i64, wy: f64| {
        if ix == ix0 {
            if ix0 + 1 == ix1 {
                wy
            } else {
                wy * (1.0 - (xmin - ix0 as f64))
            }
        } else if ix + 1 == ix1 {
            wy * (1.0 - (ix1 as f64 - xmax))
        } else {
            wy
        }
    };
    let win = Window::of(src);
    let mut vals: Vec<(f64, f64)> = Vec::new();
    for (o, b) in out.iter_mut().zip(src.bands) {
        vals.clear();
        for iy in iy0..iy1 {
            let wy = weight_y(iy);
            for ix in ix0..ix1 {
                if win.ok(ix, iy) {
                    vals.push((win.at(b, ix, iy), weight_x(ix, wy)));
                }
            }
        }
        match footprint_value(&mut vals, method, k.dtype) {
            Some(v) => *o = k.store_avoiding_nodata(v),
            None => return false,
        }
    }
    true
}

/// One band's footprint statistic over `(value, weight)` pairs in raster order, GDAL's way.
fn footprint_value(vals: &mut [(f64, f64)], method: Resampling, dtype: DataType) -> Option<f64> {
    if vals.is_empty() {
        return None;
    }
    match method {
        Resampling::Average | Resampling::Gauss => {
            // weighted incremental mean, as GDAL computes it
            let (mut tw, mut mean) = (0.0, 0.0);
            for &(v, w) in vals.iter() {
                if w > 0.0 {
                    tw += w;
                    mean += (w / tw) * (v - mean);
                }
            }
            (tw > 0.0).then_some(mean)
        }
        Resampling::Rms => {
            let (mut tw, mut acc) = (0.0, 0.0);
            for &(v, w) in vals.iter() {
                tw += w;
                acc += v * v * w;
            }
            (tw > 0.0).then(|| (acc / tw).sqrt())
        }
        Resampling::Sum => Some(vals.iter().map(|(v, w)| v * w).sum()),
        Resampling::Min => Some(vals.iter().map(|v| v.0).fold(f64::MAX, f64::min)),
        Resampling::Max => Some(vals.iter().map(|v| v.0).fold(f64::MIN, f64::max)),
        Resampling::Mode => Some(match dtype {
            // a histogram: the first value to reach the highest count wins
            DataType::U8 | DataType::I16 | DataType::U16 => {
                let mut counts: std::collections::HashMap<i64, usize> = Default::default();
                let (mut best, mut best_n) = (0i64, 0usize);
                for &(v, _) in vals.iter() {
                    let key = v as i64;
                    let n = counts.entry(key).or_insert(0);
                    *n += 1;
                    if *n > best_n {
                        best = key;
                        best_n = *n;
                    }
                }
                best as f64
            }
            // GDAL's list scan for other types, kept as it behaves (an equal count does not
            // stop the scan, so the value is listed again)
            _ => {
                let mut list: Vec<(f32, usize)> = Vec::new();
                let mut imax: Option<usize> = None;
                for &(v, _) in vals.iter() {
                    let fv = v as f32;
                    let mut i = 0;
                    while i < list.len() {
                        if list[i].0 == fv {
                            list[i].1 += 1;
                            if list[i].1 > imax.map_or(0, |m| list[m].1) {
                                imax = Some(i);
                                break;
                            }
                        }
                        i += 1;
                    }
                    if i == list.len() {
                        list.push((fv, 1));
                        if imax.is_none() {
                            imax = Some(i);
                        }
                    }
                }
                imax.map_or(0.0, |m| list[m].0 as f64)
            }
        }),
        Resampling::Med | Resampling::Q1 | Resampling::Q3 => {
            let q: f32 = match method {
                Resampling::Q1 => 0.25,
                Resampling::Q3 => 0.75,
                _ => 0.5,
            };
            vals.sort_by(|a, b| a.0.total_cmp(&b.0));
            let idx = (q * vals.len() as f32 - 1.0).ceil().max(0.0) as usize;
            Some(vals[idx.min(vals.len() - 1)].0)
        }
        _ => None,
    }
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

    /// A kernel at scale 1 over `dtype` data.
    fn unit(masked: bool, dtype: DataType, nodata: Option<f64>) -> Kernel {
        Kernel::new(
            Resampling::Bilinear,
            (256, 256),
            (0.0, 0.0),
            (256, 256),
            masked,
            dtype,
            nodata,
        )
    }

    fn source<'a>(b: &'a [Vec<f64>], v: &'a [u8], w: usize, h: usize) -> Source<'a> {
        Source {
            x_off: 0,
            y_off: 0,
            width: w,
            height: h,
            bands: b,
            valid: v,
        }
    }

    #[test]
    fn nearest_takes_containing_pixel() {
        let b = vec![(0..16).map(|i| i as f64).collect::<Vec<_>>()];
        let v = vec![255; 16];
        let s = source(&b, &v, 4, 4);
        let k = unit(false, DataType::F64, None);
        let mut out = [0.0];
        assert!(sample(&s, 1.5, 2.99, Resampling::Nearest, &k, &mut out));
        assert_eq!(out[0], 9.0);
        // 1e-10 below an edge snaps up like GDAL
        assert!(sample(
            &s,
            2.0 - 1e-11,
            0.5,
            Resampling::Nearest,
            &k,
            &mut out
        ));
        assert_eq!(out[0], 2.0);
        assert!(!sample(&s, -0.2, 0.5, Resampling::Nearest, &k, &mut out));
        assert!(!sample(&s, 4.2, 0.5, Resampling::Nearest, &k, &mut out));
    }

    #[test]
    fn scale_comes_from_the_window_and_snaps_to_integer_factors() {
        let k = |src: usize, extra: f64, dst: usize| {
            Kernel::new(
                Resampling::Cubic,
                (src, src),
                (extra, extra),
                (dst, dst),
                false,
                DataType::U8,
                None,
            )
        };
        // 256 / 336: no integer factor near
        let a = k(336, 0.0, 256);
        assert!((a.scale.0 - 256.0 / 336.0).abs() < 1e-15);
        assert_eq!(a.radius, (3, 3)); // ceil(2 / 0.762)
                                      // 256 / 515 is within 5% of 1/2: taken as 1/2, radius 4
        let b = k(515, 0.0, 256);
        assert_eq!(b.scale, (0.5, 0.5));
        assert_eq!(b.radius, (4, 4));
        // the filter's padding does not count: 300 - 44 = 256 source pixels for 256
        let c = k(300, 44.0, 256);
        assert_eq!(c.scale, (1.0, 1.0));
        assert_eq!(c.radius, (2, 2));
        // upsampling keeps the plain radius
        assert_eq!(k(100, 4.0, 256).radius, (2, 2));
    }

    #[test]
    fn bilinear_four_taps_and_the_centre_rule() {
        let b = vec![vec![0.0, 10.0, 0.0, 10.0]];
        let v = vec![255; 4];
        let s = source(&b, &v, 2, 2);
        let mut out = [0.0];
        let k = unit(false, DataType::F64, None);
        assert!(sample(&s, 1.0, 1.0, Resampling::Bilinear, &k, &mut out));
        assert!((out[0] - 5.0).abs() < 1e-12);
        // masked: an invalid neighbour is left out, not averaged in as zero
        let v2 = vec![255, 0, 255, 0];
        let s = source(&b, &v2, 2, 2);
        let k = unit(true, DataType::F64, None);
        assert!(sample(&s, 0.9, 1.0, Resampling::Bilinear, &k, &mut out));
        assert_eq!(out[0], 0.0);
        // but a point whose own pixel is invalid stays empty, whatever its neighbours
        assert!(!sample(&s, 1.2, 1.0, Resampling::Bilinear, &k, &mut out));
    }

    #[test]
    fn integers_round_half_up_and_dodge_the_nodata_value() {
        // GDAL rounds with floor(v + 0.5): -2.5 gives -2, not -3
        let k = unit(true, DataType::I16, Some(-9999.0));
        assert_eq!(k.store(-2.5), -2.0);
        assert_eq!(k.store(2.5), 3.0);
        assert_eq!(k.store(1e9), 32767.0);
        // a result landing on nodata moves one step down, or up at the type's minimum
        assert_eq!(k.store_avoiding_nodata(-9999.2), -10000.0);
        let k = unit(true, DataType::U8, Some(0.0));
        assert_eq!(k.store_avoiding_nodata(0.3), 1.0);
        // floats are stored as they are
        let k = unit(true, DataType::F32, Some(0.0));
        assert_eq!(k.store_avoiding_nodata(0.0), 0.0);
        // the unmasked fast paths exist for bytes and 16-bit integers only
        let k = unit(false, DataType::U8, Some(0.0));
        assert!(k.fast_path(Resampling::CubicSpline));
        assert!(!k.fast_path(Resampling::Lanczos));
        assert!(!unit(false, DataType::F32, None).fast_path(Resampling::CubicSpline));
        assert!(!unit(true, DataType::U8, None).fast_path(Resampling::Bilinear));
    }

    #[test]
    fn unmasked_bilinear_renormalises_at_the_window_edge() {
        // a 3 x 1 window: at x = 2.9 only the last column is inside, weight 0.6
        let b = vec![vec![10.0, 20.0, 30.0]];
        let v = vec![255; 3];
        let w = Window::of(&source(&b, &v, 3, 1));
        assert!((bilinear4_unmasked(&w, &b[0], 2.9, 0.5) - 30.0).abs() < 1e-12);
        // interior: between the centres of columns 0 and 1
        assert!((bilinear4_unmasked(&w, &b[0], 1.25, 0.5) - 17.5).abs() < 1e-12);
    }

    #[test]
    fn footprint_weights_partial_pixels() {
        // pixels [[1, 2], [3, 4]]; footprint from (0.5, 0.5) to (2, 2): the first column and
        // row count half
        let b = vec![vec![1.0, 2.0, 3.0, 4.0]];
        let v = vec![255; 4];
        let s = source(&b, &v, 2, 2);
        let k = unit(false, DataType::F64, None);
        let mut out = [0.0];
        assert!(sample_footprint(
            &s,
            (0.5, 0.5),
            (2.0, 2.0),
            Resampling::Average,
            &k,
            &mut out
        ));
        // (0.25 * 1 + 0.5 * 2 + 0.5 * 3 + 1 * 4) / 2.25
        assert!((out[0] - 3.0).abs() < 1e-12);
        // a footprint entirely outside the window has nothing
        assert!(!sample_footprint(
            &s,
            (2.5, 0.0),
            (3.0, 1.0),
            Resampling::Average,
            &k,
            &mut out
        ));
    }

    #[test]
    fn footprint_statistics_like_gdal() {
        let vals = |v: &[f64]| v.iter().map(|x| (*x, 1.0)).collect::<Vec<_>>();
        let m = |v: &[f64], r| footprint_value(&mut vals(v), r, DataType::U8);
        // quantiles pick element ceil(q n - 1) of the sorted values: no interpolation
        assert_eq!(m(&[4.0, 1.0, 3.0, 2.0], Resampling::Med), Some(2.0));
        assert_eq!(m(&[4.0, 1.0, 3.0, 2.0], Resampling::Q1), Some(1.0));
        assert_eq!(m(&[4.0, 1.0, 3.0, 2.0], Resampling::Q3), Some(3.0));
        // mode: the first value to reach the highest count wins
        assert_eq!(m(&[3.0, 9.0, 9.0, 3.0, 3.0], Resampling::Mode), Some(3.0));
        assert_eq!(m(&[3.0, 9.0, 9.0, 3.0], Resampling::Mode), Some(9.0));
        assert_eq!(
            footprint_value(
                &mut vals(&[3.0, 9.0, 9.0, 3.0]),
                Resampling::Mode,
                DataType::F32
            ),
            Some(9.0)
        );
        assert_eq!(m(&[3.0, 9.0], Resampling::Min), Some(3.0));
        assert_eq!(m(&[3.0, 9.0], Resampling::Max), Some(9.0));
        assert_eq!(m(&[3.0, 4.0], Resampling::Rms), Some(12.5f64.sqrt()));
        assert_eq!(m(&[], Resampling::Average), None);
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
