//! Affine georeferencing: the six-number GDAL geotransform, and windows of its pixel grid.
//!
//! A raster's pixel grid is tied to map coordinates by an affine transform. GDAL writes it as
//! `[c, a, b, f, d, e]`: `x = c + col·a + row·b`, `y = f + col·d + row·e`, where (col, row) =
//! (0, 0) is the *corner* of the top-left pixel (`e` is negative for north-up images; `b` and
//! `d` are non-zero for rotated or sheared grids: older aerial imagery, some drone products).
//! Inverting it takes map coordinates back to fractional pixel coordinates, which is how
//! windows and warps find the source pixels under a point.
//!
//! Why a module of its own, at the bottom of the stack: every layer needs the same affine
//! and the same answers from it. `cog` reads it from the GeoTIFF tags, `crs` samples it to
//! suggest warp grids, `tms` derives zoom ranges from it, `warp` maps pixels through it, and
//! `reader` and `server` report bounds from it. `cog` and `crs` are siblings that cannot see
//! each other or `warp`, so the type lives here, as plain arithmetic with no dependencies,
//! and every "geotransform + size → bounds" question goes through [`Window::bounds`].
//! Rotation and shear are kept everywhere: nothing below assumes `b = d = 0` except where
//! rasterio itself does (noted at each such place).

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

/// GDAL's geotransform for a raster without georeferencing: pixel coordinates, y down.
impl Default for GeoTransform {
    fn default() -> GeoTransform {
        GeoTransform([0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
    }
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

    /// Map coordinates of the fractional pixel position `(col, row)`, rounded as the `affine`
    /// package's `transform * (col, row)` does (`a·col + b·row + c`, left to right: rasterio's
    /// window transforms and bounds). For an axis-aligned grid every order gives the same bits.
    pub fn apply(&self, col: f64, row: f64) -> (f64, f64) {
        let g = &self.0;
        (
            g[1] * col + g[2] * row + g[0],
            g[4] * col + g[5] * row + g[3],
        )
    }

    /// [`GeoTransform::apply`] rounded as rasterio's `AffineTransformer` (`rowcol`,
    /// `windows.from_bounds`, `dataset.index`) computes it: a numpy `dot`, whose BLAS kernel
    /// fuses the second product into the first, `fma(b, row, a·col) + c`. It differs from
    /// [`GeoTransform::apply`] only in the last bits of rotated grids, which decide the pixel
    /// of a point on a pixel edge.
    pub fn apply_fused(&self, col: f64, row: f64) -> (f64, f64) {
        let g = &self.0;
        (
            g[2].mul_add(row, g[1] * col) + g[0],
            g[5].mul_add(row, g[4] * col) + g[3],
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

    /// The inverse transform as GDAL's `GDALInvGeoTransform` computes it (a different
    /// rounding from [`GeoTransform::invert`]): what GDAL's own transformers use, so grids
    /// GDAL derives by sampling them (`GDALSuggestedWarpOutput2`) agree to the last bit.
    pub fn invert_gdal(&self) -> Option<GeoTransform> {
        let g = &self.0;
        let det = g[1] * g[5] - g[2] * g[4];
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let inv_det = 1.0 / det;
        Some(GeoTransform([
            (g[2] * g[3] - g[0] * g[5]) * inv_det,
            g[5] * inv_det,
            -g[2] * inv_det,
            (-g[1] * g[3] + g[0] * g[4]) * inv_det,
            -g[4] * inv_det,
            g[1] * inv_det,
        ]))
    }

    /// True when the grid is axis-aligned (no rotation or shear terms), rasterio's
    /// `b == d == 0` test.
    pub fn is_rectilinear(&self) -> bool {
        self.0[2] == 0.0 && self.0[4] == 0.0
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

    /// Bounds of the whole `width × height` grid: [`Window::bounds`] of the full window.
    pub fn bounds(&self, width: usize, height: usize) -> [f64; 4] {
        Window::full(width, height).bounds(self)
    }

    /// The fractional window covering `bounds` (rasterio `windows.from_bounds`).
    pub fn window(&self, bounds: [f64; 4]) -> Option<Window> {
        let inv = self.invert()?;
        let [left, bottom, right, top] = bounds;
        let pts = [(left, top), (right, top), (right, bottom), (left, bottom)];
        let (mut c0, mut c1, mut r0, mut r1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (x, y) in pts {
            let (c, r) = inv.apply_fused(x, y);
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

    /// Pixel size `(|a|, |e|)`, the two diagonal terms: what rio-tiler takes as a dataset's
    /// resolution (its `_dst_geom_in_tms_crs`), rotation terms ignored as there.
    pub fn resolution(&self) -> (f64, f64) {
        (self.0[1].abs(), self.0[5].abs())
    }
}

impl Window {
    /// The window covering a whole `width × height` grid.
    pub fn full(width: usize, height: usize) -> Window {
        Window {
            col_off: 0.0,
            row_off: 0.0,
            width: width as f64,
            height: height as f64,
        }
    }

    /// `(left, bottom, right, top)` of this window in the grid of `gt`, as rasterio's
    /// `array_bounds` gives them for the window's own transform: the one bounds rule of the
    /// crate. An axis-aligned grid gives its corners as written, without reordering (a
    /// south-up grid, with a positive y scale, reports bottom > top and TiTiler passes that
    /// through); a rotated or sheared grid gives the extent of its four corners.
    pub fn bounds(&self, gt: &GeoTransform) -> [f64; 4] {
        let (c0, r0) = (self.col_off, self.row_off);
        let (c1, r1) = (c0 + self.width, r0 + self.height);
        if gt.is_rectilinear() {
            let (left, top) = gt.apply(c0, r0);
            let (right, bottom) = gt.apply(c1, r1);
            return [left, bottom, right, top];
        }
        let corners = [
            gt.apply(c0, r0),
            gt.apply(c1, r0),
            gt.apply(c0, r1),
            gt.apply(c1, r1),
        ];
        let (mut b, mut t) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for (x, y) in corners {
            b = [b[0].min(x), b[1].min(y)];
            t = [t[0].max(x), t[1].max(y)];
        }
        [b[0], b[1], t[0], t[1]]
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

    /// rasterio's `array_bounds`: corners as written for a south-up grid, the extent of
    /// the four corners for a rotated one (not just the two diagonal corners).
    #[test]
    fn bounds_like_rasterio_array_bounds() {
        let south_up = GeoTransform([0.0, 1.0, 0.0, 10.0, 0.0, 1.0]);
        assert_eq!(south_up.bounds(4, 5), [0.0, 15.0, 4.0, 10.0]);
        // 30° rotation of 10 m pixels (rasterio: Affine.rotation(30) * Affine.scale(10, -10))
        let (s, c) = 30f64.to_radians().sin_cos();
        let gt = GeoTransform([500000.0, 10.0 * c, 10.0 * s, 5000000.0, 10.0 * s, -10.0 * c]);
        let b = gt.bounds(300, 200);
        let expect = [500000.0, 4998267.949192431, 503598.0762113533, 5001500.0];
        for (v, e) in b.iter().zip(expect) {
            assert!((v - e).abs() < 1e-6, "{b:?}");
        }
    }

    #[test]
    fn gdal_and_affine_inverses_agree_closely() {
        let gt = GeoTransform([75.5, 0.002, 0.0003, 11.2, -0.0004, -0.0018]);
        let (a, g) = (gt.invert().unwrap(), gt.invert_gdal().unwrap());
        for (x, y) in a.0.iter().zip(g.0) {
            assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0));
        }
    }
}
