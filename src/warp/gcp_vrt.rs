//! The warped VRT GDAL (through rasterio and rio-tiler) puts around a GCP-georeferenced raster.
//!
//! A raster georeferenced only by ground control points has no pixel grid on the map, so
//! rio-tiler does not read it directly: it wraps it in a rasterio `WarpedVRT` (GDAL's
//! `GDALAutoCreateWarpedVRT` into the GCPs' own CRS, an alpha band added unless the raster has
//! nodata or an alpha band) and reads *that* like any north-up dataset. Every TiTiler answer
//! about such a file is an answer about this VRT:
//!
//! - its grid is `GDALSuggestedWarpOutput2` over the GCP transformer
//!   ([`super::suggested_warp_output_gcp`]): `/cog/info` reports its size and bounds,
//!   driver `VRT`;
//! - its pixels are the source warped with nearest neighbour: each VRT pixel centre goes
//!   through the VRT geotransform and the inverse GCP polynomial to a source pixel, approximated
//!   per scanline of a 512 × 128 VRT block within 0.125 pixel (GDAL's approximate transformer),
//!   and the added alpha band is opaque where a source pixel was found;
//! - it has one *implicit overview* per source overview, `VRT size / source reduction` (rounded),
//!   warped from that source overview with the GCP transformer refitted to the overview's pixel
//!   grid ([`GcpTransform::scaled`]) and the VRT geotransform scaled to the overview size.
//!
//! This module is the pure description of that VRT (levels, grids, transformers) and the
//! mapping from VRT pixels to source pixels; the reader does the source I/O.

use super::approx::{ApproxTransform, PixelTransform, DEFAULT_MAX_ERROR};
use super::gcp::{Gcp, GcpError, GcpImgProj, GcpTransform};
use super::warper::{map_pixels, CoordMap, VRT_BLOCK_WIDTH};
use crate::affine::GeoTransform;

/// Why the warped VRT of a GCP raster could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GcpVrtError {
    #[error("gcp transformer: {0}")]
    Gcp(#[from] GcpError),
    #[error("gcp warped vrt grid: {0}")]
    Grid(#[from] crate::crs::Error),
    #[error("gcp warped vrt: source level {level} has an empty size {width}x{height}")]
    EmptyLevel {
        level: usize,
        width: usize,
        height: usize,
    },
}

/// One resolution level of the warped VRT (0 = full resolution, then the implicit overviews).
#[derive(Clone, Debug)]
pub struct GcpVrtLevel {
    pub width: usize,
    pub height: usize,
    /// The VRT level's geotransform in the GCP CRS.
    pub geotransform: GeoTransform,
    /// The GCP transformer at the matching source level's pixel scale.
    pub transform: GcpTransform,
    /// Size of the matching source level.
    pub source_size: (usize, usize),
}

/// rasterio's `WarpedVRT` around a GCP-georeferenced raster, as rio-tiler opens it.
#[derive(Clone, Debug)]
pub struct GcpVrt {
    /// Level 0 (the VRT itself), then one implicit overview per source overview; never empty
    /// (only [`GcpVrt::new`] builds one).
    levels: Vec<GcpVrtLevel>,
}

impl GcpVrt {
    /// The VRT of a source whose levels (full resolution first, then overviews) have the sizes
    /// `source_levels`, georeferenced by `gcps` in a CRS that is `geographic` or not.
    pub fn new(
        gcps: &[Gcp],
        source_levels: &[(usize, usize)],
        geographic: bool,
    ) -> Result<GcpVrt, GcpVrtError> {
        for (level, &(width, height)) in source_levels.iter().enumerate() {
            if width == 0 || height == 0 {
                return Err(GcpVrtError::EmptyLevel {
                    level,
                    width,
                    height,
                });
            }
        }
        let Some(&(sw, sh)) = source_levels.first() else {
            return Err(GcpVrtError::EmptyLevel {
                level: 0,
                width: 0,
                height: 0,
            });
        };
        let base = GcpTransform::new(gcps, 0)?;
        let grid = super::suggested_warp_output_gcp(&base, sw, sh, geographic)?;
        let gt = grid.geotransform;
        let (gw, gh) = (grid.width, grid.height);
        let mut levels = vec![GcpVrtLevel {
            width: gw,
            height: gh,
            geotransform: gt,
            transform: base.clone(),
            source_size: (sw, sh),
        }];
        for &(ow, oh) in source_levels.iter().skip(1) {
            let rx = sw as f64 / ow as f64;
            let ry = sh as f64 / oh as f64;
            // GDAL's VRTWarpedDataset::GetOverviewSize: both sides divided by the *x* ratio of
            // the source overview, rounded (so a source overview rounded up in height does not
            // make the VRT overview taller); at least one pixel
            let w = ((gw as f64 / rx + 0.5) as usize).max(1);
            let h = ((gh as f64 / rx + 0.5) as usize).max(1);
            levels.push(GcpVrtLevel {
                width: w,
                height: h,
                geotransform: gt.scaled(gw as f64 / w as f64, gh as f64 / h as f64),
                transform: base.scaled(rx, ry)?,
                source_size: (ow, oh),
            });
        }
        Ok(GcpVrt { levels })
    }

    /// The full-resolution VRT level.
    pub fn base(&self) -> &GcpVrtLevel {
        // `new` always pushes level 0 first and nothing removes it
        &self.levels[0]
    }

    /// Level `level` (0 = the VRT, then its implicit overviews).
    pub fn level(&self, level: usize) -> Option<&GcpVrtLevel> {
        self.levels.get(level)
    }

    /// Implicit overview sizes, largest first.
    pub fn overview_sizes(&self) -> Vec<(usize, usize)> {
        self.levels
            .iter()
            .skip(1)
            .map(|l| (l.width, l.height))
            .collect()
    }

    /// Overview factors as rasterio reports them: `round(width / overview width)`.
    pub fn overview_factors(&self) -> Vec<u32> {
        let w = self.base().width as f64;
        self.levels
            .iter()
            .skip(1)
            .map(|l| (w / l.width.max(1) as f64).round() as u32)
            .collect()
    }

    /// Source pixel positions (at source level `level`) of the centres of the VRT pixels in
    /// the window `(x, y, w, h)` of that level, clipped to the level's grid; `None` when the
    /// window misses the grid or the level does not exist. Each VRT row is transformed in
    /// 512-column block scanlines, as GDAL warps its VRT blocks.
    pub fn map_window(&self, level: usize, x: i64, y: i64, w: usize, h: usize) -> Option<CoordMap> {
        let l = self.levels.get(level)?;
        let clip = |start: i64, len: usize, size: usize| -> Vec<usize> {
            let end = start.saturating_add(len as i64).min(size as i64);
            (start.max(0)..end.max(0)).map(|v| v as usize).collect()
        };
        let cols = clip(x, w, l.width);
        let rows = clip(y, h, l.height);
        if cols.is_empty() || rows.is_empty() {
            return None;
        }
        Some(map_through(
            l,
            l.geotransform,
            l.width,
            VRT_BLOCK_WIDTH,
            &rows,
            &cols,
        ))
    }

    /// Source pixel positions (at source level `level`) of the centres of a `w × h` grid with
    /// geotransform `gt`, each row one scanline: GDAL's VRTWarpedDataset::IRasterIO warping a
    /// whole-band request straight into the caller's buffer. `None` for an unknown level or
    /// an empty grid.
    pub fn map_grid(&self, level: usize, gt: GeoTransform, w: usize, h: usize) -> Option<CoordMap> {
        let l = self.levels.get(level)?;
        if w == 0 || h == 0 {
            return None;
        }
        let rows: Vec<usize> = (0..h).collect();
        let cols: Vec<usize> = (0..w).collect();
        Some(map_through(l, gt, w, w, &rows, &cols))
    }
}

/// Maps the selected pixel centres of a grid (`gt`, `grid_w` wide) through the level's GCP
/// transformer, approximated per `span`-column scanline like GDAL.
fn map_through(
    l: &GcpVrtLevel,
    gt: GeoTransform,
    grid_w: usize,
    span: usize,
    rows: &[usize],
    cols: &[usize],
) -> CoordMap {
    let exact = GcpImgProj {
        dst_gt: gt,
        gcp: &l.transform,
    };
    let approx = ApproxTransform {
        exact: &exact,
        max_error: DEFAULT_MAX_ERROR,
    };
    let mut map = map_pixels(&approx, grid_w, span, rows, cols);
    retry_exact_near_edges(&mut map, &exact, l.source_size);
    map
}

/// GDAL's warp kernel (`GWKCheckAndComputeSrcOffsets`) gives a point the approximate
/// transformer put *just* outside the source (less than a pixel before its start, or in the
/// pixel past its end) a second chance: it transforms that one pixel centre again, exactly,
/// and keeps it if it is inside then. Without this, pixels along the footprint's edges that
/// GDAL fills would be transparent here.
fn retry_exact_near_edges(map: &mut CoordMap, exact: &GcpImgProj<'_>, (sw, sh): (usize, usize)) {
    let (w, h) = (sw as f64, sh as f64);
    let ncols = map.cols.len();
    for (ri, &row) in map.rows.iter().enumerate() {
        for (ci, &col) in map.cols.iter().enumerate() {
            let i = ri * ncols + ci;
            let (x, y) = (map.xs[i], map.ys[i]);
            if !(map.ok[i] && x.is_finite() && y.is_finite()) {
                continue;
            }
            let before = (x < 0.0 || y < 0.0) && x > -1.0 && y > -1.0;
            let (ix, iy) = ((x + 1e-10).floor(), (y + 1e-10).floor());
            let past = x >= 0.0 && y >= 0.0 && (ix >= w || iy >= h) && ix < w + 1.0 && iy < h + 1.0;
            if before || past {
                let mut xs = [col as f64 + 0.5];
                let mut ys = [row as f64 + 0.5];
                let mut ok = [true];
                exact.transform(&mut xs, &mut ys, &mut ok);
                map.xs[i] = xs[0];
                map.ys[i] = ys[0];
                map.ok[i] = ok[0];
            }
        }
    }
}

/// The value GDAL's warper writes into an added alpha band for "opaque" (its `DST_ALPHA_MAX`
/// default for the band type): 65535 for UInt16, 32767 for Int16, else 255.
pub fn alpha_max(dtype: crate::raster::DataType) -> f64 {
    use crate::raster::DataType;
    match dtype {
        DataType::U16 => 65535.0,
        DataType::I16 => 32767.0,
        _ => 255.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GCPs of a north-up affine grid: the VRT must reproduce that grid.
    #[test]
    fn affine_gcps_give_a_north_up_grid_of_the_same_size() {
        let gt = GeoTransform([10.0, 0.01, 0.0, 50.0, 0.0, -0.01]);
        let mut gcps = Vec::new();
        for j in 0..=10 {
            for i in 0..=10 {
                let (p, l) = (i as f64 * 40.0, j as f64 * 30.0);
                let (x, y) = gt.apply(p, l);
                gcps.push(Gcp {
                    pixel: p,
                    line: l,
                    x,
                    y,
                });
            }
        }
        let vrt = GcpVrt::new(&gcps, &[(400, 300), (200, 150)], true).unwrap();
        let b = vrt.base();
        assert_eq!((b.width, b.height), (400, 300));
        for (a, e) in b.geotransform.0.iter().zip(gt.0.iter()) {
            assert!((a - e).abs() < 1e-9, "{:?}", b.geotransform);
        }
        assert_eq!(vrt.overview_sizes(), vec![(200, 150)]);
        assert_eq!(vrt.overview_factors(), vec![2]);
        // pixel centres map onto source pixel centres
        let map = vrt.map_window(0, 5, 7, 3, 2).unwrap();
        assert!((map.xs[0] - 5.5).abs() < 1e-6 && (map.ys[0] - 7.5).abs() < 1e-6);
        let ovr = vrt.map_window(1, 0, 0, 1, 1).unwrap();
        assert!((ovr.xs[0] - 0.5).abs() < 1e-6 && (ovr.ys[0] - 0.5).abs() < 1e-6);
        assert!(vrt.map_window(0, 400, 0, 5, 5).is_none());
        assert!(vrt.map_window(2, 0, 0, 5, 5).is_none());
    }

    #[test]
    fn an_empty_source_level_is_an_error() {
        let gcps = [Gcp {
            pixel: 0.0,
            line: 0.0,
            x: 0.0,
            y: 0.0,
        }];
        assert!(matches!(
            GcpVrt::new(&gcps, &[(0, 10)], true),
            Err(GcpVrtError::EmptyLevel { level: 0, .. })
        ));
        assert!(matches!(
            GcpVrt::new(&gcps, &[(10, 10)], true),
            Err(GcpVrtError::Gcp(_))
        ));
    }
}
