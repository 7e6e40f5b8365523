//! GDAL's sampling of the raster edges (or a full grid), the extent and the square pixel of
//! `GDALSuggestedWarpOutput2`, step by step.

use super::transformers::SourceTransformer;
use super::WarpOutput;
use crate::affine::GeoTransform;
use crate::crs::Error;

/// The sampling, extent and resolution logic shared by every source transformer. `labels`
/// name the source and destination in error messages.
pub(super) fn suggest(
    t: &dyn SourceTransformer,
    width: usize,
    height: usize,
    dst_geographic: bool,
    geographic_out: bool,
    (src, dst): &(String, String),
) -> Result<WarpOutput, Error> {
    let nx = width as f64;
    let ny = height as f64;

    // GDAL: one sample every 50 px along the shorter side, between 20 and 100 steps.
    let n_steps = ((width.min(height) as f64 / 50.0 + 0.5) as usize).clamp(20, 100);
    let step = 1.0 / n_steps as f64;
    let ratio = |i: usize| if i == n_steps { 1.0 } else { i as f64 * step };
    let side = n_steps + 1;

    // Edges: top, bottom, left, right, each `side` points.
    let mut xs = Vec::with_capacity(4 * side);
    let mut ys = Vec::with_capacity(4 * side);
    for i in 0..side {
        xs.push(ratio(i) * nx);
        ys.push(0.0);
    }
    for i in 0..side {
        xs.push(ratio(i) * nx);
        ys.push(ny);
    }
    for i in 0..side {
        xs.push(0.0);
        ys.push(ratio(i) * ny);
    }
    for i in 0..side {
        xs.push(nx);
        ys.push(ratio(i) * ny);
    }
    let mut ok = t.forward(&mut xs, &mut ys)?;
    let mut failed = ok.iter().filter(|s| !**s).count();
    fix_sign_discontinuity(t, &mut xs, &ys, &ok, dst_geographic)?;

    // Check the edges transform back to where they came from.
    if failed == 0 {
        let mut rx = xs.clone();
        let mut ry = ys.clone();
        let rok = t.inverse(&mut rx, &mut ry)?;
        for i in 0..xs.len() {
            if !rok[i] {
                failed += 1;
                break;
            }
            let r = {
                let v = (i % side) as f64 * step;
                if v > 0.99 {
                    1.0
                } else {
                    v
                }
            };
            let (ex, ey) = match i / side {
                0 => (r * nx, 0.0),
                1 => (r * nx, ny),
                2 => (0.0, r * ny),
                _ => (nx, r * ny),
            };
            if (rx[i] - ex).abs() > nx / n_steps as f64 || (ry[i] - ey).abs() > ny / n_steps as f64
            {
                failed += 1;
                break;
            }
        }
    }

    // Any failure: sample a full grid instead, row by row.
    let full_grid = failed > 0;
    if full_grid {
        xs.clear();
        ys.clear();
        for j in 0..side {
            for i in 0..side {
                xs.push(ratio(i) * nx);
                ys.push(ratio(j) * ny);
            }
        }
        ok = t.forward(&mut xs, &mut ys)?;
    }
    let n_samples = xs.len();

    // Collect the extent; refine sign changes of x along rows by bisection (GDAL's
    // discontinuity search), which also adds points along edges near failures.
    let mut ext: Option<[f64; 4]> = None;
    let mut add = |x: f64, y: f64| {
        ext = Some(match ext {
            None => [x, y, x, y],
            Some([a, b, c, d]) => [a.min(x), b.min(y), c.max(x), d.max(y)],
        });
    };
    let mut n_failed = 0;
    for i in 0..n_samples {
        let (x_i, y_i) = if full_grid {
            (i % side, i / side)
        } else if i < 2 * side {
            (i % side, if i < side { 0 } else { n_steps })
        } else {
            (0, 0)
        };
        if x_i > 0 && (ok[i - 1] || ok[i]) {
            let mut out_before = xs[i - 1];
            let mut out_after = xs[i];
            let mut in_before = (x_i - 1) as f64 * nx / n_steps as f64;
            let mut in_after = x_i as f64 * nx / n_steps as f64;
            let mut valid_before = ok[i - 1];
            let mut valid_after = ok[i];
            let mut iter = 0;
            while (!valid_before || !valid_after || out_before * out_after < 0.0) && iter < 16 {
                let px = (in_before + in_after) / 2.0;
                let py = y_i as f64 * ny / n_steps as f64;
                match t.forward_one(px, py)? {
                    None => {
                        if !valid_before {
                            in_before = px;
                        } else if !valid_after {
                            in_after = px;
                        } else {
                            break;
                        }
                    }
                    Some((x, y)) => {
                        add(x, y);
                        if !valid_before || out_before * x < 0.0 {
                            valid_after = true;
                            in_after = px;
                            out_after = x;
                        } else {
                            valid_before = true;
                            out_before = x;
                            in_before = px;
                        }
                    }
                }
                iter += 1;
            }
        }
        if !ok[i] {
            n_failed += 1;
            continue;
        }
        add(xs[i], ys[i]);
    }
    let Some([mut min_x, mut min_y, mut max_x, mut max_y]) = ext else {
        return Err(Error::Transform(format!(
            "no point of the raster transforms from {src} to {dst}"
        )));
    };
    if n_failed + 10 > n_samples {
        return Err(Error::Transform(format!(
            "too many points ({n_failed} out of {n_samples}) failed to transform from {src} to {dst}"
        )));
    }

    // Polar stereographic output whose opposite pole lies inside the raster: PROJ projects
    // that pole ~1e23 m away (see `Transformer`), GDAL's bounds sampling lands on it and the
    // output grid becomes absurdly large ("computed dimensions are too big" below). rio-tiler
    // then falls back to the TMS zoom range, as TiTiler does for an Arctic raster in the
    // Antarctic grids (UPSAntarcticWGS84Quad, LINZAntarticaMapTilegrid).
    if let Some((x, y)) = t.opposite_pole(nx, ny)? {
        min_x = min_x.min(x);
        min_y = min_y.min(y);
        max_x = max_x.max(x);
        max_y = max_y.max(y);
    }

    // Geographic output from a projected source: a pole inside the raster extends the
    // extent to that pole and to all longitudes.
    if geographic_out {
        for sign in [-1.0, 1.0] {
            let lat = 90.0 * sign;
            if t.contains_pole(lat, nx, ny)? {
                min_x = -180.0;
                max_x = 180.0;
                if sign < 0.0 {
                    min_y = lat;
                } else {
                    max_y = lat;
                }
            }
        }
    }
    // GDAL also merges PROJ's bounds transform (2 points per side) for "particular cases".
    if let Some(tb) = t.proj_bounds(nx, ny) {
        min_x = min_x.min(tb[0]);
        min_y = min_y.min(tb[1]);
        max_x = max_x.max(tb[2]);
        max_y = max_y.max(tb[3]);
    }

    // Square pixel preserving the diagonal pixel count.
    let (mut dx, mut dy) = (0.0, 0.0);
    if ok[0] && ok[n_samples - 1] {
        dx = xs[n_samples - 1] - xs[0];
        dy = ys[n_samples - 1] - ys[0];
    }
    if dx == 0.0 || dy == 0.0 {
        dx = max_x - min_x;
        dy = max_y - min_y;
    }
    let diagonal = (dx * dx + dy * dy).sqrt();
    let pixel = diagonal / (nx * nx + ny * ny).sqrt();
    let pixels = (max_x - min_x) / pixel;
    let lines = (max_y - min_y) / pixel;
    if !(pixels.is_finite() && lines.is_finite())
        || pixels > f64::from(i32::MAX - 1)
        || lines > f64::from(i32::MAX - 1)
    {
        return Err(Error::Transform(format!(
            "computed dimensions are too big: {pixels:.0} x {lines:.0}"
        )));
    }
    let n_pixels = (pixels + 0.5) as usize;
    let n_lines = (lines + 0.5) as usize;
    if n_pixels == 0 || n_lines == 0 {
        return Err(Error::Transform(format!(
            "degenerate output grid {n_pixels}x{n_lines} from {src} to {dst}"
        )));
    }

    // Border checks: shrink the pixel a little if the right/bottom border maps entirely
    // outside the source (GDAL tries these ratios in order, keeping the first that fits).
    let mut px_x = pixel;
    let mut px_y = pixel;
    const RATIOS: [f64; 5] = [0.0, 0.001, 0.01, 0.1, 1.0];
    for r in RATIOS {
        let try_x = px_x - px_x * r / n_pixels.max(1) as f64;
        let extent = [
            min_x,
            max_y - n_lines as f64 * px_y,
            min_x + n_pixels as f64 * try_x,
            max_y,
        ];
        if !must_adjust_right(t, extent, n_lines, try_x, px_y)? {
            px_x = try_x;
            break;
        }
    }
    for r in RATIOS {
        let try_y = px_y - px_y * r / n_lines.max(1) as f64;
        let extent = [
            min_x,
            max_y - n_lines as f64 * try_y,
            min_x + n_pixels as f64 * px_x,
            max_y,
        ];
        if !must_adjust_bottom(t, extent, n_pixels, px_x, try_y)? {
            px_y = try_y;
            break;
        }
    }
    // Snap to the ±180 / -90 limits of geographic output instead of overshooting them.
    let max_x_new = min_x + n_pixels as f64 * px_x;
    if geographic_out && ((max_x <= 180.0 && max_x_new > 180.0) || max_x == 180.0) {
        px_x = (180.0 - min_x) / n_pixels as f64;
    }
    let min_y_new = max_y - n_lines as f64 * px_y;
    if geographic_out && min_y >= -90.0 && min_y_new < -90.0 {
        px_y = (max_y + 90.0) / n_lines as f64;
    }
    Ok(WarpOutput {
        geotransform: GeoTransform([min_x, px_x, 0.0, max_y, 0.0, -px_y]),
        width: n_pixels,
        height: n_lines,
    })
}

/// GDAL's ±180° fix-up (ticket 7243): with a geographic output whose longitudes all share one
/// sign, a point at the opposite ±180 is moved to the same side when both are the same place.
fn fix_sign_discontinuity(
    t: &dyn SourceTransformer,
    xs: &mut [f64],
    ys: &[f64],
    ok: &[bool],
    geographic: bool,
) -> Result<(), Error> {
    if !geographic {
        return Ok(());
    }
    const UNINIT: i32 = -2;
    const INVALID: i32 = 0;
    let mut sign = UNINIT;
    let fits = |s: i32, x: f64| {
        let s = f64::from(s);
        (s * x > 0.0 && s * x <= 180.0) || (x - s * -180.0).abs() < 1e-8
    };
    for i in 0..xs.len() {
        if !ok[i] {
            continue;
        }
        if sign == 1 || sign == -1 {
            if !fits(sign, xs[i]) {
                sign = INVALID;
            }
        } else if sign == UNINIT {
            sign = [-1, 1]
                .into_iter()
                .find(|s| fits(*s, xs[i]))
                .unwrap_or(INVALID);
        }
    }
    if sign != 1 && sign != -1 {
        return Ok(());
    }
    let s = f64::from(sign);
    for i in 0..xs.len() {
        if ok[i] && (xs[i] - s * -180.0).abs() < 1e-8 {
            let mut ax = [s * -180.0, s * 180.0];
            let mut ay = [ys[i], ys[i]];
            let r = t.inverse(&mut ax, &mut ay)?;
            if r.iter().all(|v| *v) && (ax[0] - ax[1]).abs() < 1e-8 && (ay[0] - ay[1]).abs() < 1e-8
            {
                xs[i] = s * 180.0;
            }
        }
    }
    Ok(())
}

/// 21 points along the right border of `extent`, to source pixels and back: true when none
/// comes back within a pixel of where it started.
fn must_adjust_right(
    t: &dyn SourceTransformer,
    extent: [f64; 4],
    n_lines: usize,
    px_x: f64,
    px_y: f64,
) -> Result<bool, Error> {
    let max_x = extent[2];
    let max_y = extent[3];
    let ratios = border_ratios();
    let mut xs: Vec<f64> = ratios.iter().map(|_| max_x).collect();
    let mut ys: Vec<f64> = ratios
        .iter()
        .map(|r| max_y - px_y * r * n_lines as f64)
        .collect();
    t.inverse(&mut xs, &mut ys)?;
    t.forward(&mut xs, &mut ys)?;
    let bad = ratios
        .iter()
        .zip(xs.iter().zip(&ys))
        .filter(|(r, (x, y))| {
            let ey = max_y - px_y * **r * n_lines as f64;
            // NaN compares false: a failed point counts as bad.
            !((*x - max_x).abs() <= px_x && (*y - ey).abs() <= px_y)
        })
        .count();
    Ok(bad == ratios.len())
}

/// Bottom-border counterpart of [`must_adjust_right`].
fn must_adjust_bottom(
    t: &dyn SourceTransformer,
    extent: [f64; 4],
    n_pixels: usize,
    px_x: f64,
    px_y: f64,
) -> Result<bool, Error> {
    let min_x = extent[0];
    let min_y = extent[1];
    let ratios = border_ratios();
    let mut xs: Vec<f64> = ratios
        .iter()
        .map(|r| min_x + px_x * r * n_pixels as f64)
        .collect();
    let mut ys: Vec<f64> = ratios.iter().map(|_| min_y).collect();
    t.inverse(&mut xs, &mut ys)?;
    t.forward(&mut xs, &mut ys)?;
    let bad = ratios
        .iter()
        .zip(xs.iter().zip(&ys))
        .filter(|(r, (x, y))| {
            let ex = min_x + px_x * **r * n_pixels as f64;
            !((*x - ex).abs() <= px_x && (*y - min_y).abs() <= px_y)
        })
        .count();
    Ok(bad == ratios.len())
}

/// GDAL's `for (dfRatio = 0; dfRatio <= 1.01; dfRatio += 0.05)` with the last clamped to 1.
/// The check loop re-accumulates without the clamp, so its expected values use the
/// accumulated ratios; we keep both identical to the sampling loop, which only differs in
/// the last point by < 1e-15.
fn border_ratios() -> Vec<f64> {
    let mut out = Vec::with_capacity(21);
    let mut r = 0.0_f64;
    while r <= 1.01 {
        if r > 0.99 {
            r = 1.0;
        }
        out.push(r);
        r += 0.05;
    }
    out
}
