//! GDAL's source window for one warp chunk (`GDALWarpOperation::ComputeSourceWindow`): the
//! source pixels the chunk's output maps onto, grown by the kernel's reach, and the points
//! GDAL maps again exactly when the approximate transformer failed.

#[allow(unused_imports)]
use super::*;

/// GDAL's second chance for a point the approximate transformer put just outside the source
/// window (less than a pixel out): it is transformed again on its own, exactly, and the
/// kernel takes whatever that gives (`GWKCheckAndComputeSrcOffsets`).
pub fn retry_exact(map: &mut CoordMap, exact: &dyn PixelTransform, win: &GdalWindow) {
    let (x0, y0) = (win.x_off as f64, win.y_off as f64);
    let (x1, y1) = (x0 + win.width as f64, y0 + win.height as f64);
    let nc = map.cols.len();
    if nc == 0 {
        return;
    }
    for i in 0..map.xs.len() {
        let (x, y) = (map.xs[i], map.ys[i]);
        if !map.ok[i] || x.is_nan() || y.is_nan() {
            continue;
        }
        // the first failing test decides, as in GDAL
        let retry = if x < x0 {
            x > x0 - 1.0
        } else if y < y0 {
            y > y0 - 1.0
        } else if x + 1e-10 > x1 {
            x < x1 + 1.0
        } else if y + 1e-10 > y1 {
            y < y1 + 1.0
        } else {
            false
        };
        if retry {
            let mut px = [map.cols[i % nc] as f64 + 0.5];
            let mut py = [map.rows[i / nc] as f64 + 0.5];
            let mut ok = [true];
            exact.transform(&mut px, &mut py, &mut ok);
            map.xs[i] = px[0];
            map.ys[i] = py[0];
            map.ok[i] = ok[0];
        }
    }
}

/// The source window GDAL reads for a warp into a `dst` grid (`ComputeSourceWindow`), in
/// pixels of a source level of size `level`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GdalWindow {
    pub x_off: usize,
    pub y_off: usize,
    pub width: usize,
    pub height: usize,
    /// Pixels (fractional) the window holds beyond the mapped area, for the filter's reach.
    pub extra: (f64, f64),
}

/// GDAL's `ComputeSourceWindow` for a warp of a whole `dst` grid: 21 points along each edge
/// of the grid are mapped to the source (every edge pixel when a corner has no image, a grid
/// of points when some fail), their bounding box is grown by the filter's reach (widened when
/// shrinking) and clipped to the level; covering over 90% of the level along an axis takes it
/// whole. `None` when GDAL would read nothing.
pub fn gdal_source_window(
    t: &dyn PixelTransform,
    (dw, dh): (usize, usize),
    (lw, lh): (usize, usize),
    method: Resampling,
) -> Option<GdalWindow> {
    let (fw, fh) = (dw as f64, dh as f64);
    let corners_fail = {
        let mut xs = [0.0, fw, 0.0, fw];
        let mut ys = [0.0, 0.0, fh, fh];
        let mut ok = [true; 4];
        t.transform(&mut xs, &mut ys, &mut ok);
        ok.iter()
            .zip(xs.iter().zip(&ys))
            .any(|(o, (x, y))| !o || !x.is_finite() || !y.is_finite())
    };
    let bounds = |xs: Vec<f64>, ys: Vec<f64>| {
        let (mut xs, mut ys) = (xs, ys);
        let mut ok = vec![true; xs.len()];
        t.transform(&mut xs, &mut ys, &mut ok);
        let mut e = Extent::default();
        let mut failed = 0;
        for i in 0..xs.len() {
            if ok[i] && !xs[i].is_nan() && !ys[i].is_nan() {
                e.add(&xs[i..i + 1], &ys[i..i + 1], &[true]);
            } else {
                failed += 1;
            }
        }
        (e, failed, xs.len())
    };
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    if corners_fail {
        for ix in 0..=dw {
            xs.extend([ix as f64, ix as f64]);
            ys.extend([0.0, fh]);
        }
        for iy in 1..dh {
            xs.extend([0.0, fw]);
            ys.extend([iy as f64, iy as f64]);
        }
    } else {
        let step = 1.0 / 20.0;
        let mut r = 0.0;
        while r <= 1.0 + step * 0.5 {
            xs.extend([r * fw, r * fw, 0.0, fw]);
            ys.extend([0.0, fh, r * fh, r * fh]);
            r += step;
        }
    }
    let (mut e, mut failed, mut n) = bounds(xs, ys);
    if failed > 0 {
        // a grid of points through the whole area
        let step = 1.0 / 20.0;
        let ratio = |i: usize, size: f64| match i {
            0 => 0.5 / fw,
            i if i <= 21 => (i - 1) as f64 * step,
            _ => 1.0 - 0.5 / fw,
        } * size;
        let (mut gx, mut gy) = (Vec::new(), Vec::new());
        for iy in 0..23 {
            for ix in 0..23 {
                gx.push(ratio(ix, fw));
                gy.push(ratio(iy, fh));
            }
        }
        (e, failed, n) = bounds(gx, gy);
    }
    if failed + 5 > n || e.x0 > e.x1 {
        return None;
    }
    let (lwf, lhf) = (lw as f64, lh as f64);
    if e.x0 > lwf || e.x1 < 0.0 || e.y0 > lhf || e.y1 < 0.0 {
        return None;
    }
    let snap = |v: f64| {
        let r = v.round();
        if (r - v).abs() < 1e-6 {
            r
        } else {
            v
        }
    };
    let (x0, y0, x1, y1) = (snap(e.x0), snap(e.y0), snap(e.x1), snap(e.y1));
    let r0 = method.kernel_radius().unwrap_or(0.0) as i64;
    let reach = |d: f64, span: f64| {
        let s = (d / span).max(1e-3);
        if s < 0.95 {
            (r0 as f64 / s).ceil() as i64
        } else {
            r0
        }
    };
    let (rx, ry) = (reach(fw, x1 - x0), reach(fh, y1 - y0));
    let axis = |lo: f64, hi: f64, size: usize, r: i64| {
        let sz = size as i64;
        let lo_c = lo.max(0.0) as i64;
        let hi_c = hi.ceil().min(size as f64) as i64;
        let raw = ((sz - lo_c) as f64).min(hi - lo).max(0.0);
        let (off, len) = if (hi_c - lo_c) as f64 > 0.9 * size as f64 {
            (0, sz)
        } else {
            let off = (lo_c - r).clamp(0, sz);
            (off, (hi_c - off + r).min(sz - off).max(0))
        };
        (off as usize, len as usize, len as f64 - raw)
    };
    let (xo, xl, ex) = axis(x0, x1, lw, rx);
    let (yo, yl, ey) = axis(y0, y1, lh, ry);
    if xl == 0 || yl == 0 {
        return None;
    }
    Some(GdalWindow {
        x_off: xo,
        y_off: yo,
        width: xl,
        height: yl,
        extra: (ex, ey),
    })
}
