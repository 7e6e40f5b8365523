//! Affine georeferencing: the six-number GDAL geotransform.
//!
//! A raster's pixel grid is tied to map coordinates by an affine transform. GDAL writes it as
//! `[c, a, b, f, d, e]`: `x = c + col·a + row·b`, `y = f + col·d + row·e` (`e` is negative for
//! north-up images). Inverting it takes map coordinates back to fractional pixel coordinates,
//! which is how windows and warps find the source pixels under a point.

/// A GDAL-ordered geotransform `[origin_x, pixel_w, row_rot, origin_y, col_rot, pixel_h]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoTransform(pub [f64; 6]);

/// A fractional pixel window, like rasterio's `Window` (offsets may be negative or past the edge).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub col_off: f64,
    pub row_off: f64,
    pub width: f64,
    pub height: f64,
}

impl GeoTransform {
    /// The transform that spreads `width × height` pixels over `bounds` `[west, south, east, north]`
    /// (rasterio's `transform.from_bounds`).
    pub fn from_bounds(bounds: [f64; 4], width: usize, height: usize) -> GeoTransform {
        let [w, s, e, n] = bounds;
        GeoTransform([
            w,
            (e - w) / width as f64,
            0.0,
            n,
            0.0,
            (s - n) / height as f64,
        ])
    }

    /// Map coordinates of the fractional pixel position `(col, row)`.
    pub fn apply(&self, col: f64, row: f64) -> (f64, f64) {
        let g = &self.0;
        (
            g[0] + col * g[1] + row * g[2],
            g[3] + col * g[4] + row * g[5],
        )
    }

    /// The inverse transform (map → pixel), computed the way the `affine` package does so that
    /// windows agree with rasterio's to the last bit; `None` when the matrix is singular.
    pub fn invert(&self) -> Option<GeoTransform> {
        let [c, a, b, f, d, e] = self.0;
        let det = a * e - b * d;
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let idet = 1.0 / det;
        let ra = e * idet;
        let rb = -b * idet;
        let rd = -d * idet;
        let re = a * idet;
        Some(GeoTransform([
            -c * ra - f * rb,
            ra,
            rb,
            -c * rd - f * re,
            rd,
            re,
        ]))
    }

    /// The geotransform of a grid covering the same area with pixels `fx × fy` times larger
    /// (an overview, or a decimated read).
    pub fn scaled(&self, fx: f64, fy: f64) -> GeoTransform {
        let g = self.0;
        GeoTransform([g[0], g[1] * fx, g[2] * fy, g[3], g[4] * fx, g[5] * fy])
    }

    /// The transform of the grid shifted by `(cols, rows)` pixels (a window's own transform).
    pub fn translated(&self, cols: f64, rows: f64) -> GeoTransform {
        let (x, y) = self.apply(cols, rows);
        let g = self.0;
        GeoTransform([x, g[1], g[2], y, g[4], g[5]])
    }

    /// Bounds `[west, south, east, north]` of a `width × height` grid (rasterio `array_bounds`).
    pub fn bounds(&self, width: usize, height: usize) -> [f64; 4] {
        let (x0, y0) = self.apply(0.0, 0.0);
        let (x1, y1) = self.apply(width as f64, height as f64);
        [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]
    }

    /// The fractional window covering `bounds` (rasterio `windows.from_bounds`).
    pub fn window(&self, bounds: [f64; 4]) -> Option<Window> {
        let inv = self.invert()?;
        let [left, bottom, right, top] = bounds;
        let pts = [(left, top), (right, top), (right, bottom), (left, bottom)];
        let (mut c0, mut c1, mut r0, mut r1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (x, y) in pts {
            let (c, r) = inv.apply(x, y);
            c0 = c0.min(c);
            c1 = c1.max(c);
            r0 = r0.min(r);
            r1 = r1.max(r);
        }
        Some(Window {
            col_off: c0,
            row_off: r0,
            width: (c1 - c0).max(0.0),
            height: (r1 - r0).max(0.0),
        })
    }

    /// Pixel width and height as positive numbers (rotation ignored).
    pub fn resolution(&self) -> (f64, f64) {
        (self.0[1].hypot(self.0[4]), self.0[2].hypot(self.0[5]))
    }
}

impl Window {
    /// Bounds of this window in the grid of `gt` (rasterio `windows.bounds`).
    pub fn bounds(&self, gt: &GeoTransform) -> [f64; 4] {
        let (x0, y0) = gt.apply(self.col_off, self.row_off);
        let (x1, y1) = gt.apply(self.col_off + self.width, self.row_off + self.height);
        [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_round_trips_pixels() {
        let gt = GeoTransform([500000.0, 10.0, 0.0, 4000000.0, 0.0, -10.0]);
        let inv = gt.invert().unwrap();
        let (x, y) = gt.apply(12.5, 7.25);
        let (c, r) = inv.apply(x, y);
        assert!((c - 12.5).abs() < 1e-9 && (r - 7.25).abs() < 1e-9);
        assert!(GeoTransform([0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
            .invert()
            .is_none());
    }

    #[test]
    fn window_from_bounds_matches_rasterio() {
        let gt = GeoTransform([0.0, 2.0, 0.0, 100.0, 0.0, -2.0]);
        let w = gt.window([10.0, 50.0, 30.0, 90.0]).unwrap();
        assert_eq!(
            w,
            Window {
                col_off: 5.0,
                row_off: 5.0,
                width: 10.0,
                height: 20.0
            }
        );
        assert_eq!(w.bounds(&gt), [10.0, 50.0, 30.0, 90.0]);
    }

    #[test]
    fn from_bounds_and_bounds_agree() {
        let gt = GeoTransform::from_bounds([-10.0, -5.0, 10.0, 5.0], 20, 10);
        assert_eq!(gt.0, [-10.0, 1.0, 0.0, 5.0, 0.0, -1.0]);
        assert_eq!(gt.bounds(20, 10), [-10.0, -5.0, 10.0, 5.0]);
        assert_eq!(gt.scaled(2.0, 2.0).bounds(10, 5), [-10.0, -5.0, 10.0, 5.0]);
    }
}
