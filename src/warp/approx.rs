//! Mapping destination pixels to source pixels, exactly or approximately.
//!
//! A warp asks, for every output pixel centre, "where is this in the source image?". The exact
//! answer chains three steps ([`GenImgProj`]): output pixel → output map coordinates (affine),
//! output CRS → source CRS (a projection, expensive), source map coordinates → source pixel
//! (affine). GDAL does not project every pixel: its approximate transformer
//! ([`ApproxTransform`], `GDALApproxTransform`) projects the first, middle and last point of a
//! scanline exactly, and if straight-line interpolation between the ends misses the middle by
//! no more than `max_error` source pixels (0.125 by default) it interpolates the whole line,
//! otherwise it splits the line in two and repeats. The interpolation error moves a nearest
//! neighbour sample across a pixel boundary now and then, so matching GDAL pixel for pixel
//! means approximating the same way, on the same scanline spans.

use crate::affine::GeoTransform;

/// Transforms points in place; clears `ok[i]` where a point has no image.
pub trait PixelTransform: Sync {
    fn transform(&self, xs: &mut [f64], ys: &mut [f64], ok: &mut [bool]);
}

/// A change of coordinate system on map coordinates (x east, y north), in place.
pub trait CoordTransform: Sync {
    fn transform_coords(&self, xs: &mut [f64], ys: &mut [f64], ok: &mut [bool]);
}

/// No change of coordinates: source and destination share a CRS.
#[derive(Clone, Copy, Debug, Default)]
pub struct Identity;

impl CoordTransform for Identity {
    fn transform_coords(&self, _xs: &mut [f64], _ys: &mut [f64], _ok: &mut [bool]) {}
}

/// GDAL's "general image projection" chain: destination pixel → destination map → source map
/// → source pixel.
pub struct GenImgProj<'a> {
    pub dst_gt: GeoTransform,
    /// Inverse of the source level's geotransform.
    pub src_inv_gt: GeoTransform,
    pub coords: &'a dyn CoordTransform,
}

impl PixelTransform for GenImgProj<'_> {
    fn transform(&self, xs: &mut [f64], ys: &mut [f64], ok: &mut [bool]) {
        for i in 0..xs.len().min(ys.len()) {
            let (x, y) = self.dst_gt.apply(xs[i], ys[i]);
            xs[i] = x;
            ys[i] = y;
        }
        self.coords.transform_coords(xs, ys, ok);
        for i in 0..xs.len().min(ys.len()) {
            if !(xs[i].is_finite() && ys[i].is_finite()) {
                ok[i] = false;
                continue;
            }
            let (c, r) = self.src_inv_gt.apply(xs[i], ys[i]);
            xs[i] = c;
            ys[i] = r;
        }
    }
}

/// GDAL's approximate transformer around an exact one.
pub struct ApproxTransform<'a, T: PixelTransform + ?Sized> {
    pub exact: &'a T,
    /// Largest tolerated interpolation error, in output units of `exact` (source pixels).
    pub max_error: f64,
}

/// The default error bound of gdalwarp and rasterio's `WarpedVRT` (`tolerance=0.125`).
pub const DEFAULT_MAX_ERROR: f64 = 0.125;

impl<T: PixelTransform + ?Sized> PixelTransform for ApproxTransform<'_, T> {
    fn transform(&self, xs: &mut [f64], ys: &mut [f64], ok: &mut [bool]) {
        let n = xs.len();
        if n <= 5 || self.max_error <= 0.0 {
            return self.exact.transform(xs, ys, ok);
        }
        let mid = (n - 1) / 2;
        if ys[0] != ys[n - 1] || ys[0] != ys[mid] || xs[0] == xs[n - 1] || xs[0] == xs[mid] {
            return self.exact.transform(xs, ys, ok);
        }
        let mut sx = [xs[0], xs[mid], xs[n - 1]];
        let mut sy = [ys[0], ys[mid], ys[n - 1]];
        let mut sok = [true; 3];
        self.exact.transform(&mut sx, &mut sy, &mut sok);
        if sok.iter().any(|o| !o) {
            return self.exact.transform(xs, ys, ok);
        }
        self.internal(xs, ys, ok, sx, sy);
    }
}

impl<T: PixelTransform + ?Sized> ApproxTransform<'_, T> {
    /// One span whose start, middle and end are already known exactly (`sx`, `sy`).
    fn internal(
        &self,
        xs: &mut [f64],
        ys: &mut [f64],
        ok: &mut [bool],
        sx: [f64; 3],
        sy: [f64; 3],
    ) {
        let n = xs.len();
        let mid = (n - 1) / 2;
        let span = xs[n - 1] - xs[0];
        let dx = (sx[2] - sx[0]) / span;
        let dy = (sy[2] - sy[0]) / span;
        let err = ((sx[0] + dx * (xs[mid] - xs[0])) - sx[1]).abs()
            + ((sy[0] + dy * (xs[mid] - xs[0])) - sy[1]).abs();
        if err > self.max_error && mid >= 1 {
            // split into [0, mid) and [mid, n): the first half needs its last point and its
            // middle exactly, the second half only its middle (its ends are known)
            let m1 = (mid - 1) / 2;
            let m2 = mid + (n - mid - 1) / 2;
            let mut px = [xs[m1], xs[mid - 1], xs[m2]];
            let mut py = [ys[m1], ys[mid - 1], ys[m2]];
            let mut pok = [true; 3];
            self.exact.transform(&mut px, &mut py, &mut pok);
            let (x1, x2) = xs.split_at_mut(mid);
            let (y1, y2) = ys.split_at_mut(mid);
            let (o1, o2) = ok.split_at_mut(mid);
            let exact1 = mid <= 5
                || y1[0] != y1[mid - 1]
                || y1[0] != y1[m1]
                || x1[0] == x1[mid - 1]
                || x1[0] == x1[m1]
                || !pok[0]
                || !pok[1];
            let n2 = n - mid;
            let exact2 = n2 <= 5
                || y2[0] != y2[n2 - 1]
                || y2[0] != y2[m2 - mid]
                || x2[0] == x2[n2 - 1]
                || x2[0] == x2[m2 - mid]
                || !pok[2];
            if exact1 {
                self.exact.transform(x1, y1, o1);
            } else {
                self.internal(x1, y1, o1, [sx[0], px[0], px[1]], [sy[0], py[0], py[1]]);
            }
            if exact2 {
                self.exact.transform(x2, y2, o2);
            } else {
                self.internal(x2, y2, o2, [sx[1], px[2], sx[2]], [sy[1], py[2], sy[2]]);
            }
            return;
        }
        let x0 = xs[0];
        for i in (0..n).rev() {
            let dist = xs[i] - x0;
            ys[i] = sy[0] + dy * dist;
            xs[i] = sx[0] + dx * dist;
            ok[i] = true;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A gently curved transform (a projection's curvature across a scanline).
    pub(crate) struct Curved;
    impl PixelTransform for Curved {
        fn transform(&self, xs: &mut [f64], ys: &mut [f64], _ok: &mut [bool]) {
            for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
                *y += *x * *x * *x / 1e9;
                *x += *x * *x / 1e5;
            }
        }
    }

    #[test]
    fn approximation_stays_within_error() {
        let n = 512;
        let mut xs: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
        let mut ys = vec![10.5; n];
        let mut ok = vec![true; n];
        let (mut ex, mut ey) = (xs.clone(), ys.clone());
        Curved.transform(&mut ex, &mut ey, &mut ok.clone());
        let approx = ApproxTransform {
            exact: &Curved,
            max_error: DEFAULT_MAX_ERROR,
        };
        approx.transform(&mut xs, &mut ys, &mut ok);
        let worst = (0..n)
            .map(|i| (xs[i] - ex[i]).abs() + (ys[i] - ey[i]).abs())
            .fold(0.0, f64::max);
        // interpolation error is checked at the middle only, so allow some slack beyond 0.125
        assert!(worst < 0.5, "worst error {worst}");
        assert!(worst > 0.0, "should have interpolated somewhere");
        assert!(ok.iter().all(|o| *o));
    }

    #[test]
    fn linear_transform_is_exact_and_short_rows_are_exact() {
        struct Lin;
        impl PixelTransform for Lin {
            fn transform(&self, xs: &mut [f64], ys: &mut [f64], _ok: &mut [bool]) {
                for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
                    *x = 2.0 * *x + 1.0;
                    *y -= 3.0;
                }
            }
        }
        let mut xs: Vec<f64> = (0..100).map(|i| i as f64 + 0.5).collect();
        let mut ys = vec![4.5; 100];
        let mut ok = vec![false; 100];
        ApproxTransform {
            exact: &Lin,
            max_error: 0.125,
        }
        .transform(&mut xs, &mut ys, &mut ok);
        for (i, x) in xs.iter().enumerate() {
            assert!((x - (2.0 * (i as f64 + 0.5) + 1.0)).abs() < 1e-9);
        }
        assert!(ok.iter().all(|o| *o));
        assert!(ys.iter().all(|y| (*y - 1.5).abs() < 1e-12));
    }
}
