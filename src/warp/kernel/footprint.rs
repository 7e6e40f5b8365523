//! Footprint statistics (average, rms, mode, min, max, med, q1, q3, sum): GDAL's
//! `GWKAverageOrMode` over the box between an output pixel's mapped corners.

use super::{Kernel, Scratch, Source, Window};
use crate::raster::DataType;
use crate::warp::Resampling;

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
    scratch: &mut Scratch,
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
    let vals = &mut scratch.footprint;
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
        match footprint_value(vals, method, k.dtype) {
            Some(v) => *o = k.store_avoiding_nodata(v),
            None => return false,
        }
    }
    true
}

/// One band's footprint statistic over `(value, weight)` pairs in raster order, GDAL's way.
pub(super) fn footprint_value(
    vals: &mut [(f64, f64)],
    method: Resampling,
    dtype: DataType,
) -> Option<f64> {
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
