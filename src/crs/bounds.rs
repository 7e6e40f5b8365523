//! Bounding boxes across CRSs, as rasterio's `transform_bounds` computes them.
//!
//! Transforming only the four corners of a box is wrong as soon as the edges curve (a UTM
//! square is a curved quadrilateral in Web Mercator), so the edges are *densified*:
//! `densify_pts` extra points per side, and the result is the min/max of all transformed
//! points. This is PROJ's `proj_trans_bounds` / GDAL's `OCTTransformBounds` (what rasterio
//! ≥ 1.3 calls), including its two special cases for geographic output: a box containing a
//! pole extends to ±90° over all longitudes, and a ring crossing the antimeridian yields
//! `left > right` (the GeoJSON convention) instead of a box spanning the whole globe.

use super::{Crs, Error, Transformer};

/// Transforms `[left, bottom, right, top]` from `src` to `dst`. For a geographic `src`,
/// `left > right` means the box crosses the antimeridian.
pub fn transform_bounds(
    src: &Crs,
    dst: &Crs,
    bounds: [f64; 4],
    densify_pts: usize,
) -> Result<[f64; 4], Error> {
    let [xmin, ymin, xmax, ymax] = bounds;
    if bounds.iter().any(|v| !v.is_finite()) {
        return Err(Error::Transform(format!("non-finite bounds {bounds:?}")));
    }
    if densify_pts > 10_000 {
        return Err(Error::Transform(format!(
            "densify_pts {densify_pts} is above 10000"
        )));
    }
    if src.same_coordinates(dst) {
        // rasterio returns the input untouched when both CRSs are the same.
        return Ok(bounds);
    }
    let degree_input = src.is_geographic();
    let degree_output = dst.is_geographic();
    if degree_output && densify_pts < 2 {
        return Err(Error::Transform(
            "densify_pts must be at least 2 if the output is geographic".into(),
        ));
    }
    if !degree_input && xmax < xmin {
        return Err(Error::Transform(format!(
            "left {xmin} is east of right {xmax} in a projected crs"
        )));
    }
    if degree_input && ymax < ymin {
        return Err(Error::Transform(format!(
            "latitude max {ymax} < latitude min {ymin}"
        )));
    }
    let fwd = Transformer::new(src, dst)?;
    let (north_pole, south_pole) = if degree_output {
        let inv = Transformer::new(dst, src)?;
        (
            contains_pole(&inv, 90.0, bounds)?,
            contains_pole(&inv, -90.0, bounds)?,
        )
    } else {
        (false, false)
    };

    let side = densify_pts + 1;
    let n = side * 4;
    let delta_x = if degree_input && xmax < xmin {
        (xmax - xmin + 360.0) / side as f64
    } else {
        (xmax - xmin) / side as f64
    };
    let delta_y = (ymax - ymin) / side as f64;
    let mut xs = vec![0.0; n];
    let mut ys = vec![0.0; n];
    // A closed ring, in order, as the antimeridian logic below needs.
    for i in 0..side {
        let fi = i as f64;
        ys[i] = ymax - fi * delta_y;
        xs[i] = xmin;
        ys[i + side] = ymin;
        xs[i + side] = xmin + fi * delta_x;
        ys[i + side * 2] = ymin + fi * delta_y;
        xs[i + side * 2] = xmax;
        ys[i + side * 3] = ymax;
        xs[i + side * 3] = xmax - fi * delta_x;
    }
    fwd.transform_lossy(&mut xs, &mut ys)?;

    let out = if !degree_output {
        [
            simple_min(&xs),
            simple_min(&ys),
            simple_max(&xs),
            simple_max(&ys),
        ]
    } else if north_pole {
        [-180.0, simple_min(&ys), 180.0, 90.0]
    } else if south_pole {
        [-180.0, -90.0, 180.0, simple_max(&ys)]
    } else {
        [
            antimeridian_min(&xs),
            simple_min(&ys),
            antimeridian_max(&xs),
            simple_max(&ys),
        ]
    };
    if out.iter().any(|v| !v.is_finite()) {
        return Err(Error::Transform(format!(
            "unable to transform bounds {bounds:?} from {src} to {dst}"
        )));
    }
    Ok(out)
}

/// Whether the pole at latitude `lat` falls strictly inside `bounds` (in the source CRS).
fn contains_pole(inv: &Transformer, lat: f64, bounds: [f64; 4]) -> Result<bool, Error> {
    let mut x = [0.0];
    let mut y = [lat];
    inv.transform_lossy(&mut x, &mut y)?;
    let [xmin, ymin, xmax, ymax] = bounds;
    Ok(xmin < x[0] && x[0] < xmax && ymax > y[0] && y[0] > ymin)
}

fn simple_min(v: &[f64]) -> f64 {
    v.iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::INFINITY, f64::min)
}

fn simple_max(v: &[f64]) -> f64 {
    v.iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Index of the previous finite value before `i` in the ring (wrapping), if any.
fn prev_valid(v: &[f64], i: usize) -> Option<usize> {
    let n = v.len();
    let mut p = if i == 0 { n - 1 } else { i - 1 };
    while !v[p].is_finite() {
        if p == i {
            return None;
        }
        p = if p == 0 { n - 1 } else { p - 1 };
    }
    (p != i).then_some(p)
}

/// Western bound of a longitude ring that may cross the antimeridian: a jump of ≥ 200°
/// between neighbours is a crossing; with two crossings the west bound is the minimum on
/// the positive (eastern-hemisphere) side.
fn antimeridian_min(v: &[f64]) -> f64 {
    let mut positive_min = f64::INFINITY;
    let mut min_value = f64::INFINITY;
    let mut crossings = 0;
    let mut positive_meridian = false;
    for i in 0..v.len() {
        if !v[i].is_finite() {
            continue;
        }
        if let Some(p) = prev_valid(v, i) {
            let delta = v[p] - v[i];
            if delta >= 200.0 {
                if crossings == 0 {
                    positive_min = min_value;
                }
                crossings += 1;
                positive_meridian = false;
            } else if delta <= -200.0 {
                if crossings == 0 {
                    positive_min = v[i];
                }
                crossings += 1;
                positive_meridian = true;
            }
        }
        if positive_meridian && v[i] < positive_min {
            positive_min = v[i];
        }
        if v[i] < min_value {
            min_value = v[i];
        }
    }
    match crossings {
        2 => positive_min,
        4 => -180.0,
        _ => min_value,
    }
}

/// Eastern bound counterpart of [`antimeridian_min`].
fn antimeridian_max(v: &[f64]) -> f64 {
    let mut negative_max = f64::NEG_INFINITY;
    let mut max_value = f64::NEG_INFINITY;
    let mut crossings = 0;
    let mut negative_meridian = false;
    for i in 0..v.len() {
        if !v[i].is_finite() {
            continue;
        }
        if let Some(p) = prev_valid(v, i) {
            let delta = v[p] - v[i];
            if delta <= -200.0 {
                if crossings == 0 {
                    negative_max = max_value;
                }
                crossings += 1;
                negative_meridian = false;
            } else if delta >= 200.0 {
                if crossings == 0 {
                    negative_max = v[i];
                }
                crossings += 1;
                negative_meridian = true;
            }
        }
        if negative_meridian && v[i] > negative_max {
            negative_max = v[i];
        }
        if v[i] > max_value {
            max_value = v[i];
        }
    }
    match crossings {
        2 => negative_max,
        4 => 180.0,
        _ => max_value,
    }
}
