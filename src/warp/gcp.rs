//! Georeferencing by ground control points: GDAL's polynomial GCP transformer.
//!
//! Some rasters (satellite swaths, scanned maps) are not tied to the map by one affine
//! transform but by a list of *ground control points*: "pixel (p, l) is at map (x, y)". GDAL
//! turns such a list into a pair of polynomials (`alg/gdal_crs.cpp`, from GRASS's CRS.C):
//!
//! - the *forward* one, pixel/line → map, fitted by least squares to the points;
//! - the *inverse* one, map → pixel/line, fitted **independently** to the same points with the
//!   roles swapped (it is not the algebraic inverse of the forward one, so a round trip is off
//!   by the fit residuals).
//!
//! The order is chosen from the point count when not asked for: 2 from 6 points on (GDAL
//! avoids order 3 as unstable), else 1. Coordinates are centred on the mean of the points
//! before fitting, the normal equations are summed point by point in GDAL's order and solved
//! by Gauss-Jordan elimination with partial pivoting, so the coefficients (and the warped VRT
//! grid derived from them) agree with GDAL's to the last bits, not just approximately.
//!
//! A warped VRT's implicit overviews reuse the transformer "scaled" to the overview: the GCP
//! pixel/line positions divided by the overview's reduction factors, and both polynomials
//! fitted again ([`GcpTransform::scaled`], GDAL's `GDALCreateSimilarGCPTransformer`).

use std::sync::Arc;

use super::approx::PixelTransform;
use crate::affine::GeoTransform;

/// Largest number of ground control points accepted: fitting is linear in the count, but a
/// crafted header should not make us sum millions of normal-equation terms per overview.
pub const MAX_GCPS: usize = 100_000;

/// One ground control point: the image position `(pixel, line)` (pixel corner convention,
/// (0, 0) = top-left corner of the top-left pixel) and its map coordinates `(x, y)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gcp {
    pub pixel: f64,
    pub line: f64,
    pub x: f64,
    pub y: f64,
}

/// Why a GCP transformer could not be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GcpError {
    #[error("{count} ground control points are too few for a polynomial of order {order}")]
    TooFew { count: usize, order: usize },
    #[error("{count} ground control points are more than the {max} accepted")]
    TooMany { count: usize, max: usize },
    #[error("polynomial order {0} is not 1, 2 or 3")]
    Order(usize),
    #[error("ground control point {index} has a non-finite coordinate")]
    NonFinite { index: usize },
    #[error("the ground control points do not determine a transform (collinear points)")]
    Unsolvable,
}

/// One fitted direction: coefficients of the polynomial in coordinates centred on `mean`.
#[derive(Clone, Debug, PartialEq)]
struct Poly {
    e: [f64; 10],
    n: [f64; 10],
    mean: (f64, f64),
}

/// GDAL's GCP polynomial transformer (forward and inverse polynomials of one order).
#[derive(Clone, Debug, PartialEq)]
pub struct GcpTransform {
    order: usize,
    to_geo: Poly,
    from_geo: Poly,
    gcps: Arc<[Gcp]>,
}

/// Number of polynomial terms of `order` (3, 6 or 10).
fn term_count(order: usize) -> usize {
    (order + 1) * (order + 2) / 2
}

/// The `k`-th term (1-based, GDAL's numbering) of the polynomial basis at `(e, n)`:
/// 1, e, n, e², en, n², e³, e²n, en², n³.
fn term(k: usize, e: f64, n: f64) -> f64 {
    match k {
        1 => 1.0,
        2 => e,
        3 => n,
        4 => e * e,
        5 => e * n,
        6 => n * n,
        7 => e * e * e,
        8 => e * e * n,
        9 => e * n * n,
        10 => n * n * n,
        _ => 0.0,
    }
}

/// Evaluates a fitted polynomial pair at centred `(e1, n1)`, term by term in GDAL's order.
fn georef(e1: f64, n1: f64, e: &[f64; 10], n: &[f64; 10], order: usize) -> (f64, f64) {
    match order {
        1 => (e[0] + e[1] * e1 + e[2] * n1, n[0] + n[1] * e1 + n[2] * n1),
        2 => {
            let e2 = e1 * e1;
            let n2 = n1 * n1;
            let en = e1 * n1;
            (
                e[0] + e[1] * e1 + e[2] * n1 + e[3] * e2 + e[4] * en + e[5] * n2,
                n[0] + n[1] * e1 + n[2] * n1 + n[3] * e2 + n[4] * en + n[5] * n2,
            )
        }
        _ => {
            let e2 = e1 * e1;
            let en = e1 * n1;
            let n2 = n1 * n1;
            let e3 = e1 * e2;
            let e2n = e2 * n1;
            let en2 = e1 * n2;
            let n3 = n1 * n2;
            (
                e[0] + e[1] * e1
                    + e[2] * n1
                    + e[3] * e2
                    + e[4] * en
                    + e[5] * n2
                    + e[6] * e3
                    + e[7] * e2n
                    + e[8] * en2
                    + e[9] * n3,
                n[0] + n[1] * e1
                    + n[2] * n1
                    + n[3] * e2
                    + n[4] * en
                    + n[5] * n2
                    + n[6] * e3
                    + n[7] * e2n
                    + n[8] * en2
                    + n[9] * n3,
            )
        }
    }
}

/// Fits `(e2, n2) = P(e1 - mean.0, n1 - mean.1)` to the points: exactly when there are just
/// enough of them, by least squares (normal equations) otherwise.
fn fit(
    from: &[(f64, f64)],
    to: &[(f64, f64)],
    mean: (f64, f64),
    order: usize,
) -> Result<Poly, GcpError> {
    let m = term_count(order);
    if from.len() < m {
        return Err(GcpError::TooFew {
            count: from.len(),
            order,
        });
    }
    let mut mat = vec![0.0; m * m];
    let mut a = vec![0.0; m];
    let mut b = vec![0.0; m];
    if from.len() == m {
        for (row, (&(e1, n1), &(e2, n2))) in from.iter().zip(to).enumerate() {
            for j in 0..m {
                mat[row * m + j] = term(j + 1, e1 - mean.0, n1 - mean.1);
            }
            a[row] = e2;
            b[row] = n2;
        }
    } else {
        // the upper half, summed point by point like GDAL, then mirrored
        for (&(e1, n1), &(e2, n2)) in from.iter().zip(to) {
            let (ce, cn) = (e1 - mean.0, n1 - mean.1);
            for i in 0..m {
                let ti = term(i + 1, ce, cn);
                for j in i..m {
                    mat[i * m + j] += ti * term(j + 1, ce, cn);
                }
                a[i] += e2 * ti;
                b[i] += n2 * ti;
            }
        }
        for i in 1..m {
            for j in 0..i {
                mat[i * m + j] = mat[j * m + i];
            }
        }
    }
    solve(&mut mat, &mut a, &mut b, m)?;
    let mut poly = Poly {
        e: [0.0; 10],
        n: [0.0; 10],
        mean,
    };
    for i in 0..m {
        poly.e[i] = a[i] / mat[i * m + i];
        poly.n[i] = b[i] / mat[i * m + i];
    }
    Ok(poly)
}

/// GDAL's `solvemat`: Gauss-Jordan elimination with partial pivoting on two right-hand sides,
/// leaving a diagonal matrix (the caller divides by the diagonal).
fn solve(mat: &mut [f64], a: &mut [f64], b: &mut [f64], m: usize) -> Result<(), GcpError> {
    for i in 0..m {
        let j = i;
        let mut pivot = mat[i * m + j];
        let mut imark = i;
        for i2 in i + 1..m {
            if mat[i2 * m + j].abs() > pivot.abs() {
                pivot = mat[i2 * m + j];
                imark = i2;
            }
        }
        if pivot == 0.0 || !pivot.is_finite() {
            return Err(GcpError::Unsolvable);
        }
        if imark != i {
            for j2 in 0..m {
                mat.swap(imark * m + j2, i * m + j2);
            }
            a.swap(imark, i);
            b.swap(imark, i);
        }
        for i2 in 0..m {
            if i2 != i {
                let factor = mat[i2 * m + j] / pivot;
                for j2 in j..m {
                    mat[i2 * m + j2] -= factor * mat[i * m + j2];
                }
                a[i2] -= factor * a[i];
                b[i2] -= factor * b[i];
            }
        }
    }
    Ok(())
}

/// GDAL's automatic order for `count` points (`MAX_GCP_ORDER` 0): 2 from 6 points on, else 1.
pub fn auto_order(count: usize) -> usize {
    if count >= 6 {
        2
    } else {
        1
    }
}

impl GcpTransform {
    /// Fits both polynomials of `order` (0 = GDAL's automatic choice) to `gcps`.
    pub fn new(gcps: &[Gcp], order: usize) -> Result<GcpTransform, GcpError> {
        if gcps.len() > MAX_GCPS {
            return Err(GcpError::TooMany {
                count: gcps.len(),
                max: MAX_GCPS,
            });
        }
        if let Some(index) = gcps.iter().position(|g| {
            !(g.pixel.is_finite() && g.line.is_finite() && g.x.is_finite() && g.y.is_finite())
        }) {
            return Err(GcpError::NonFinite { index });
        }
        let order = if order == 0 {
            auto_order(gcps.len())
        } else {
            order
        };
        if !(1..=3).contains(&order) {
            return Err(GcpError::Order(order));
        }
        if gcps.is_empty() {
            return Err(GcpError::TooFew { count: 0, order });
        }
        let count = gcps.len() as f64;
        let mut sums = [0.0; 4];
        for g in gcps {
            sums[0] += g.pixel;
            sums[1] += g.line;
            sums[2] += g.x;
            sums[3] += g.y;
        }
        let raster_mean = (sums[0] / count, sums[1] / count);
        let geo_mean = (sums[2] / count, sums[3] / count);
        let raster: Vec<(f64, f64)> = gcps.iter().map(|g| (g.pixel, g.line)).collect();
        let geo: Vec<(f64, f64)> = gcps.iter().map(|g| (g.x, g.y)).collect();
        let to_geo = fit(&raster, &geo, raster_mean, order)?;
        let from_geo = fit(&geo, &raster, geo_mean, order)?;
        Ok(GcpTransform {
            order,
            to_geo,
            from_geo,
            gcps: gcps.into(),
        })
    }

    /// The polynomial order in use.
    pub fn order(&self) -> usize {
        self.order
    }

    /// The control points the polynomials were fitted to.
    pub fn gcps(&self) -> &[Gcp] {
        &self.gcps
    }

    /// The same transformer for an image `rx × ry` times coarser (an overview): GCP pixel/line
    /// divided by the ratios and both polynomials fitted again with the same order.
    pub fn scaled(&self, rx: f64, ry: f64) -> Result<GcpTransform, GcpError> {
        if rx == 1.0 && ry == 1.0 {
            return Ok(self.clone());
        }
        let gcps: Vec<Gcp> = self
            .gcps
            .iter()
            .map(|g| Gcp {
                pixel: g.pixel / rx,
                line: g.line / ry,
                ..*g
            })
            .collect();
        GcpTransform::new(&gcps, self.order)
    }

    /// Pixel/line → map coordinates (the forward polynomial).
    pub fn to_geo(&self, pixel: f64, line: f64) -> (f64, f64) {
        let p = &self.to_geo;
        georef(pixel - p.mean.0, line - p.mean.1, &p.e, &p.n, self.order)
    }

    /// Map coordinates → pixel/line (the separately fitted inverse polynomial).
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let p = &self.from_geo;
        georef(x - p.mean.0, y - p.mean.1, &p.e, &p.n, self.order)
    }
}

/// GDAL's GenImgProj chain for a GCP-georeferenced source in its own CRS: destination pixel →
/// map (the destination geotransform) → source pixel/line (the inverse polynomial).
pub struct GcpImgProj<'a> {
    pub dst_gt: GeoTransform,
    pub gcp: &'a GcpTransform,
}

impl PixelTransform for GcpImgProj<'_> {
    fn transform(&self, xs: &mut [f64], ys: &mut [f64], ok: &mut [bool]) {
        for ((x, y), o) in xs.iter_mut().zip(ys.iter_mut()).zip(ok.iter_mut()) {
            let (gx, gy) = self.dst_gt.apply(*x, *y);
            let (px, py) = self.gcp.to_pixel(gx, gy);
            *x = px;
            *y = py;
            *o = px.is_finite() && py.is_finite();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grid of GCPs placed exactly by `f`.
    fn grid(f: impl Fn(f64, f64) -> (f64, f64), n: usize, step: f64) -> Vec<Gcp> {
        let mut out = Vec::new();
        for j in 0..n {
            for i in 0..n {
                let (p, l) = (i as f64 * step, j as f64 * step);
                let (x, y) = f(p, l);
                out.push(Gcp {
                    pixel: p,
                    line: l,
                    x,
                    y,
                });
            }
        }
        out
    }

    #[test]
    fn affine_gcps_give_back_the_affine_both_ways() {
        let gt = GeoTransform([75.5, 0.002, 0.0003, 11.2, -0.0004, -0.0018]);
        let gcps = grid(|p, l| gt.apply(p, l), 15, 90.0);
        let t = GcpTransform::new(&gcps, 0).unwrap();
        assert_eq!(t.order(), 2);
        let inv = gt.invert().unwrap();
        for &(p, l) in &[(0.0, 0.0), (1279.5, 836.5), (333.3, 777.7), (-50.0, 900.0)] {
            let (x, y) = t.to_geo(p, l);
            let (ex, ey) = gt.apply(p, l);
            assert!((x - ex).abs() < 1e-9 && (y - ey).abs() < 1e-9, "{p},{l}");
            let (bp, bl) = t.to_pixel(ex, ey);
            let (ip, il) = inv.apply(ex, ey);
            assert!(
                (bp - ip).abs() < 1e-6 && (bl - il).abs() < 1e-6,
                "{bp},{bl}"
            );
        }
    }

    #[test]
    fn quadratic_gcps_are_fitted_exactly_by_order_two() {
        let f = |p: f64, l: f64| {
            (
                10.0 + 0.01 * p + 1e-6 * p * l,
                50.0 - 0.01 * l + 2e-6 * p * p,
            )
        };
        let t = GcpTransform::new(&grid(f, 8, 100.0), 2).unwrap();
        let (x, y) = t.to_geo(512.25, 333.75);
        let (ex, ey) = f(512.25, 333.75);
        assert!((x - ex).abs() < 1e-10 && (y - ey).abs() < 1e-10);
    }

    #[test]
    fn exact_determination_with_the_minimum_count() {
        // three points: order 1 solved exactly (no least squares)
        let gcps = [
            Gcp {
                pixel: 0.0,
                line: 0.0,
                x: 1.0,
                y: 2.0,
            },
            Gcp {
                pixel: 10.0,
                line: 0.0,
                x: 2.0,
                y: 2.0,
            },
            Gcp {
                pixel: 0.0,
                line: 10.0,
                x: 1.0,
                y: 1.0,
            },
        ];
        let t = GcpTransform::new(&gcps, 0).unwrap();
        assert_eq!(t.order(), 1);
        let (x, y) = t.to_geo(5.0, 5.0);
        assert!((x - 1.5).abs() < 1e-12 && (y - 1.5).abs() < 1e-12);
        let (p, l) = t.to_pixel(1.5, 1.5);
        assert!((p - 5.0).abs() < 1e-12 && (l - 5.0).abs() < 1e-12);
    }

    #[test]
    fn degenerate_and_hostile_inputs_are_errors() {
        // every point at the same place: the normal matrix is exactly singular
        let line: Vec<Gcp> = (0..10)
            .map(|i| Gcp {
                pixel: 1.0,
                line: 1.0,
                x: i as f64,
                y: 2.0,
            })
            .collect();
        assert_eq!(
            GcpTransform::new(&line, 1).unwrap_err(),
            GcpError::Unsolvable
        );
        assert!(matches!(
            GcpTransform::new(&line[..2], 0),
            Err(GcpError::TooFew { count: 2, order: 1 })
        ));
        let mut bad = grid(|p, l| (p, l), 3, 1.0);
        bad[4].x = f64::NAN;
        assert_eq!(
            GcpTransform::new(&bad, 0).unwrap_err(),
            GcpError::NonFinite { index: 4 }
        );
        assert_eq!(
            GcpTransform::new(&grid(|p, l| (p, l), 3, 1.0), 4).unwrap_err(),
            GcpError::Order(4)
        );
        assert!(matches!(
            GcpTransform::new(&[], 0),
            Err(GcpError::TooFew { count: 0, .. })
        ));
    }

    #[test]
    fn scaled_transformer_matches_the_overview_grid() {
        let gt = GeoTransform([0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
        let t = GcpTransform::new(&grid(|p, l| gt.apply(p, l), 6, 50.0), 0).unwrap();
        let half = t.scaled(2.0, 2.0).unwrap();
        let (x, y) = half.to_geo(10.0, 20.0);
        assert!((x - 20.0).abs() < 1e-9 && (y + 40.0).abs() < 1e-9);
        assert_eq!(t.scaled(1.0, 1.0).unwrap(), t);
    }
}
