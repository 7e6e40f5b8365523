//! The convolution kernels (bilinear, cubic, cubic spline, lanczos) through the code path GDAL's
//! warp kernel would take: the 4-tap formulas, the general separable filter, masked or not.

use super::{Kernel, Scratch, Source, Window};
use crate::warp::Resampling;

/// The window-relative pixel holding `(sx, sy)`, or `None` when the point is outside the
/// source window (`GWKCheckAndComputeSrcOffsets`: the kernel only runs for points inside it,
/// whatever the filter's reach).
pub(super) fn centre_pixel(src: &Source<'_>, sx: f64, sy: f64) -> Option<(i64, i64)> {
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
pub(super) fn convolve(
    src: &Source<'_>,
    sx: f64,
    sy: f64,
    method: Resampling,
    k: &Kernel,
    out: &mut [f64],
    scratch: &mut Scratch,
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
                _ => k.store(general_unmasked(&w, b, lx, ly, method, k, scratch)),
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
                _ => general(&w, b, lx, ly, method, k, scratch),
            }
        };
        match v {
            Some(v) => *o = k.store_avoiding_nodata(v),
            None => return false,
        }
    }
    true
}

/// GDAL's 4-tap bilinear without masks (`GWKBilinearResampleNoMasks4SampleT`): neighbours
/// outside the window are left out and the rest renormalised.
pub(super) fn bilinear4_unmasked(w: &Window<'_>, b: &[f64], x: f64, y: f64) -> f64 {
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
pub(super) fn bilinear4(w: &Window<'_>, b: &[f64], x: f64, y: f64) -> Option<f64> {
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
pub(super) fn cubic_weights(d: f64) -> [f64; 4] {
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
pub(super) fn cubic4_unmasked(w: &Window<'_>, b: &[f64], x: f64, y: f64) -> f64 {
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
pub(super) fn cubic4(w: &Window<'_>, b: &[f64], x: f64, y: f64) -> Option<f64> {
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
pub(super) fn weight(method: Resampling, x: f64) -> f64 {
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
pub(super) fn general_unmasked(
    w: &Window<'_>,
    b: &[f64],
    x: f64,
    y: f64,
    method: Resampling,
    k: &Kernel,
    scratch: &mut Scratch,
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
    let wx = &mut scratch.weights_x;
    wx.clear();
    wx.extend((imin..=imax).map(|i| weight(method, (i as f64 - dx) * fx)));
    let wsum_x: f64 = wx.iter().sum();
    let (mut acc, mut wsum_y) = (0.0, 0.0);
    for j in jmin..=jmax {
        let row: f64 = (imin..=imax)
            .zip(wx.iter())
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
pub(super) fn general(
    w: &Window<'_>,
    b: &[f64],
    x: f64,
    y: f64,
    method: Resampling,
    k: &Kernel,
    scratch: &mut Scratch,
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
    // the x weights are the same on every row: computed once (the same values, so the same
    // sums, as computing each tap's weight where it is used)
    let wx = &mut scratch.weights_x;
    wx.clear();
    wx.extend((imin..=imax).map(|i| weight(method, (i as f64 - dx) * fx)));
    let (mut acc, mut wsum) = (0.0, 0.0);
    for j in jmin..=jmax {
        let wy = weight(method, (j as f64 - dy) * fy);
        let (mut racc, mut rw) = (0.0, 0.0);
        for (i, &wi) in (imin..=imax).zip(wx.iter()) {
            if !w.ok(ix + i, iy + j) {
                continue;
            }
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
