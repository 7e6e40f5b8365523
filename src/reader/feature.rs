//! `feature`: the pixels under a GeoJSON polygon (rio-tiler `Reader.feature`).
//!
//! The polygon's bounding box is read like a part, then a cutline mask is burnt into the
//! output grid the way rio-tiler 9 does it, `rasterio.features.rasterize(all_touched=True)`:
//! GDAL's scanline polygon filler (on each row, the edges crossing the row's centre line are
//! intersected, sorted, and the pixels whose centres fall between pairs of crossings are
//! inside) plus every pixel an edge passes through. Pixels outside are masked; their values
//! are kept.

use serde_json::Value;

use crate::affine::GeoTransform;
use crate::crs::{Crs, Transformer};

use super::options::PartOptions;
use super::part::part;
use super::{Dataset, Error, ImageData};

/// Polygons as rings of `[x, y]` points (first ring exterior, others holes).
pub type Polygons = Vec<Vec<Vec<[f64; 2]>>>;

/// Extracts the polygons of a GeoJSON Feature, FeatureCollection (first feature) or geometry.
pub fn polygons_from_geojson(v: &Value) -> Result<Polygons, Error> {
    let bad = |m: &str| Error::BadRequest(format!("invalid geojson: {m}"));
    let geom = match v.get("type").and_then(Value::as_str) {
        Some("Feature") => v
            .get("geometry")
            .ok_or_else(|| bad("feature without geometry"))?,
        Some("FeatureCollection") => v
            .get("features")
            .and_then(|f| f.get(0))
            .and_then(|f| f.get("geometry"))
            .ok_or_else(|| bad("empty feature collection"))?,
        Some(_) => v,
        None => return Err(bad("missing 'type'")),
    };
    let ring = |r: &Value| -> Result<Vec<[f64; 2]>, Error> {
        r.as_array()
            .ok_or_else(|| bad("ring is not an array"))?
            .iter()
            .map(|p| {
                let x = p.get(0).and_then(Value::as_f64);
                let y = p.get(1).and_then(Value::as_f64);
                match (x, y) {
                    (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok([x, y]),
                    _ => Err(bad("position is not two numbers")),
                }
            })
            .collect()
    };
    let polygon = |p: &Value| -> Result<Vec<Vec<[f64; 2]>>, Error> {
        p.as_array()
            .ok_or_else(|| bad("polygon is not an array"))?
            .iter()
            .map(ring)
            .collect()
    };
    let coords = geom
        .get("coordinates")
        .ok_or_else(|| bad("geometry without coordinates"))?;
    match geom.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(vec![polygon(coords)?]),
        Some("MultiPolygon") => coords
            .as_array()
            .ok_or_else(|| bad("multipolygon is not an array"))?
            .iter()
            .map(polygon)
            .collect(),
        Some(t) => Err(bad(&format!("unsupported geometry type '{t}'"))),
        None => Err(bad("geometry without 'type'")),
    }
}

/// Bounding box of every point of the polygons (rio-tiler `featureBounds`).
pub fn polygons_bounds(p: &Polygons) -> Option<[f64; 4]> {
    let mut it = p.iter().flatten().flatten();
    let first = it.next()?;
    let mut b = [first[0], first[1], first[0], first[1]];
    for pt in it {
        b = [
            b[0].min(pt[0]),
            b[1].min(pt[1]),
            b[2].max(pt[0]),
            b[3].max(pt[1]),
        ];
    }
    Some(b)
}

/// Burns polygons into a `width × height` grid: 255 where a pixel centre is inside.
pub fn rasterize(polys: &Polygons, gt: &GeoTransform, width: usize, height: usize) -> Vec<u8> {
    let mut out = vec![0u8; width * height];
    let Some(inv) = gt.invert() else { return out };
    // every ring's edges, in pixel coordinates
    let mut edges: Vec<([f64; 2], [f64; 2])> = Vec::new();
    for ring in polys.iter().flatten() {
        let px: Vec<[f64; 2]> = ring
            .iter()
            .map(|p| {
                let (c, r) = inv.apply(p[0], p[1]);
                [c, r]
            })
            .collect();
        for w in px.windows(2) {
            edges.push((w[0], w[1]));
        }
        if let (Some(a), Some(b)) = (px.last(), px.first()) {
            if a != b {
                edges.push((*a, *b));
            }
        }
    }
    let mut xs: Vec<f64> = Vec::new();
    for row in 0..height {
        let y = row as f64 + 0.5;
        xs.clear();
        for (a, b) in &edges {
            let (y1, y2) = (a[1], b[1]);
            if y1 == y2 {
                continue;
            }
            let (lo, hi) = if y1 < y2 { (a, b) } else { (b, a) };
            // half-open in y so a vertex shared by two edges is counted once
            if y < lo[1] || y >= hi[1] {
                continue;
            }
            xs.push(lo[0] + (y - lo[1]) * (hi[0] - lo[0]) / (hi[1] - lo[1]));
        }
        xs.sort_by(|a, b| a.total_cmp(b));
        for pair in xs.chunks_exact(2) {
            let start = (pair[0] + 0.5).floor().max(0.0);
            let end = (pair[1] + 0.5).floor().min(width as f64);
            if end <= start {
                continue;
            }
            let row_off = row * width;
            for c in start as usize..end as usize {
                out[row_off + c] = 255;
            }
        }
    }
    out
}

/// Burns polygons with `all_touched=True`: every pixel whose centre is inside, plus every pixel
/// an edge passes through (a supercover walk of each segment).
pub fn rasterize_all_touched(
    polys: &Polygons,
    gt: &GeoTransform,
    width: usize,
    height: usize,
) -> Vec<u8> {
    let mut out = rasterize(polys, gt, width, height);
    let Some(inv) = gt.invert() else { return out };
    let mut burn = |c: i64, r: i64| {
        if c >= 0 && r >= 0 && (c as usize) < width && (r as usize) < height {
            out[r as usize * width + c as usize] = 255;
        }
    };
    for ring in polys.iter().flatten() {
        let px: Vec<(f64, f64)> = ring.iter().map(|p| inv.apply(p[0], p[1])).collect();
        for w in px.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let (dx, dy) = (x1 - x0, y1 - y0);
            let (mut cx, mut cy) = (x0.floor() as i64, y0.floor() as i64);
            let (ex, ey) = (x1.floor() as i64, y1.floor() as i64);
            let (sx, sy) = (dx.signum() as i64, dy.signum() as i64);
            // parametric distance to the next vertical / horizontal grid line
            let next = |p: f64, d: f64| -> f64 {
                if d > 0.0 {
                    (p.floor() + 1.0 - p) / d
                } else if d < 0.0 {
                    (p - p.floor()) / -d
                } else {
                    f64::INFINITY
                }
            };
            let (mut tx, mut ty) = (next(x0, dx), next(y0, dy));
            let (stx, sty) = (
                if dx != 0.0 {
                    1.0 / dx.abs()
                } else {
                    f64::INFINITY
                },
                if dy != 0.0 {
                    1.0 / dy.abs()
                } else {
                    f64::INFINITY
                },
            );
            burn(cx, cy);
            let steps = (ex - cx).abs() + (ey - cy).abs();
            for _ in 0..steps.min(1_000_000) {
                if tx < ty {
                    cx += sx;
                    tx += stx;
                } else {
                    cy += sy;
                    ty += sty;
                }
                burn(cx, cy);
            }
        }
    }
    out
}

/// Largest supersampled grid [`coverage_array`] rasterises (10000² bytes): it bounds the
/// memory `cover_scale²` times the output would take.
const MAX_COVERAGE_PIXELS: usize = 100_000_000;

/// rio-tiler `get_coverage_array`: the fraction (float32) of each pixel covered by the
/// polygons, from an `all_touched` rasterisation `cover_scale` times finer.
pub fn coverage_array(
    polys: &Polygons,
    gt: &GeoTransform,
    width: usize,
    height: usize,
    cover_scale: usize,
) -> Result<Vec<f64>, Error> {
    let s = cover_scale.max(1);
    let (fw, fh) = (width.checked_mul(s), height.checked_mul(s));
    let (Some(fw), Some(fh)) = (fw, fh) else {
        return Err(Error::TooLarge {
            what: "coverage grid",
            value: usize::MAX,
        });
    };
    if fw.saturating_mul(fh) > MAX_COVERAGE_PIXELS {
        return Err(Error::TooLarge {
            what: "coverage grid",
            value: fw.saturating_mul(fh),
        });
    }
    let fine = rasterize_all_touched(polys, &gt.scaled(1.0 / s as f64, 1.0 / s as f64), fw, fh);
    let mut out = vec![0.0; width * height];
    for (r, row) in out.chunks_mut(width).enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            let mut n = 0u32;
            for fr in r * s..(r + 1) * s {
                n += fine[fr * fw + c * s..fr * fw + (c + 1) * s]
                    .iter()
                    .filter(|x| **x != 0)
                    .count() as u32;
            }
            *v = (n as f32 / (s * s) as f32) as f64;
        }
    }
    Ok(out)
}

/// Reads the pixels under a GeoJSON polygon given in `shape_crs`; the output is in
/// `opts.dst_crs` (default `shape_crs`) with pixels outside the polygon masked.
pub async fn feature<D: Dataset>(
    ds: &D,
    shape: &Value,
    shape_crs: &Crs,
    opts: &PartOptions,
) -> Result<ImageData, Error> {
    let polys = polygons_from_geojson(shape)?;
    let bbox = polygons_bounds(&polys).ok_or_else(|| Error::BadRequest("empty geometry".into()))?;
    let dst_crs = opts.dst_crs.clone().unwrap_or_else(|| shape_crs.clone());
    let mut p = opts.clone();
    p.dst_crs = Some(dst_crs.clone());
    p.bounds_crs = Some(shape_crs.clone());
    let mut img = part(ds, bbox, &p).await?;
    let polys = transform_polygons(&polys, shape_crs, &dst_crs)?;
    let cut = rasterize_all_touched(&polys, &image_gt(&img), img.width(), img.height());
    for m in img.band_masks.iter_mut() {
        for (v, c) in m.iter_mut().zip(&cut) {
            if *c == 0 {
                *v = 0;
            }
        }
    }
    for (v, c) in img.raster.mask.iter_mut().zip(&cut) {
        if *c == 0 {
            *v = 0;
        }
    }
    Ok(img)
}

/// The geotransform of an image's grid (its bounds over its size).
pub fn image_gt(img: &ImageData) -> GeoTransform {
    GeoTransform::from_bounds(img.bounds, img.width(), img.height())
}

/// Polygons transformed from `src` to `dst` (vertices only, like rasterio `transform_geom`).
pub fn transform_polygons(polys: &Polygons, src: &Crs, dst: &Crs) -> Result<Polygons, Error> {
    if src == dst {
        return Ok(polys.clone());
    }
    let t = Transformer::new(src, dst)?;
    let mut out = polys.clone();
    for ring in out.iter_mut().flatten() {
        let mut xs: Vec<f64> = ring.iter().map(|p| p[0]).collect();
        let mut ys: Vec<f64> = ring.iter().map(|p| p[1]).collect();
        t.transform(&mut xs, &mut ys)?;
        for (p, (x, y)) in ring.iter_mut().zip(xs.into_iter().zip(ys)) {
            *p = [x, y];
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rasterize_square_uses_pixel_centres() {
        let gt = GeoTransform([0.0, 1.0, 0.0, 10.0, 0.0, -1.0]);
        // square from x 2.4..5.6, y 4.4..7.6 (rows 2.4..5.6)
        let poly = vec![vec![vec![
            [2.4, 7.6],
            [5.6, 7.6],
            [5.6, 4.4],
            [2.4, 4.4],
            [2.4, 7.6],
        ]]];
        let m = rasterize(&poly, &gt, 10, 10);
        let inside: Vec<(usize, usize)> = (0..100)
            .filter(|i| m[*i] != 0)
            .map(|i| (i / 10, i % 10))
            .collect();
        // centres 2.5..5.5 in both axes -> 4 x 4 pixels
        assert_eq!(inside.len(), 16);
        assert!(inside.contains(&(2, 2)) && inside.contains(&(5, 5)));
        assert!(!inside.contains(&(6, 6)));
    }

    #[test]
    fn all_touched_and_coverage() {
        let gt = GeoTransform([0.0, 1.0, 0.0, 10.0, 0.0, -1.0]);
        // a thin sliver through pixel row 5 touches cells without covering their centres
        let poly = vec![vec![vec![
            [0.2, 4.8],
            [9.8, 4.8],
            [9.8, 4.6],
            [0.2, 4.6],
            [0.2, 4.8],
        ]]];
        assert_eq!(
            rasterize(&poly, &gt, 10, 10)
                .iter()
                .filter(|v| **v != 0)
                .count(),
            0
        );
        let touched = rasterize_all_touched(&poly, &gt, 10, 10);
        assert_eq!(touched.iter().filter(|v| **v != 0).count(), 10);
        // a square covering exactly pixel (2, 2) and half of (2, 3)
        let sq = vec![vec![vec![
            [2.0, 8.0],
            [3.5, 8.0],
            [3.5, 7.0],
            [2.0, 7.0],
            [2.0, 8.0],
        ]]];
        let cov = coverage_array(&sq, &gt, 10, 10, 10).unwrap();
        assert!((cov[2 * 10 + 2] - 1.0).abs() < 0.02, "{}", cov[22]);
        assert!((cov[2 * 10 + 3] - 0.5).abs() < 0.11, "{}", cov[23]);
        assert_eq!(cov[5 * 10 + 5], 0.0);
    }

    #[test]
    fn holes_are_excluded_and_geojson_parses() {
        let v: Value = serde_json::json!({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
            [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]],
            [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]
        ]}});
        let p = polygons_from_geojson(&v).unwrap();
        assert_eq!(polygons_bounds(&p), Some([0.0, 0.0, 10.0, 10.0]));
        let gt = GeoTransform([0.0, 1.0, 0.0, 10.0, 0.0, -1.0]);
        let m = rasterize(&p, &gt, 10, 10);
        assert_eq!(m.iter().filter(|v| **v != 0).count(), 96);
        assert_eq!(m[4 * 10 + 4], 0);
        assert!(polygons_from_geojson(
            &serde_json::json!({"type": "Point", "coordinates": [1, 2]})
        )
        .is_err());
    }
}
