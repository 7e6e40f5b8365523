//! The source transformers GDAL's `GDALSuggestedWarpOutput2` samples: how a source pixel
//! reaches the destination CRS and back.

use crate::affine::GeoTransform;
use crate::crs::{transform_bounds, Crs, Error, Transformer};
use crate::warp::GcpTransform;

/// Source pixel/line ↔ destination coordinates, the transformer GDALSuggestedWarpOutput2
/// samples: an affine geotransform plus a CRS change ([`PixelTransformer`]) or a GCP
/// polynomial in the GCPs' own CRS ([`GcpPixelTransformer`]). Failed points become NaN.
pub(super) trait SourceTransformer {
    /// Pixel → destination; returns per-point success.
    fn forward(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<Vec<bool>, Error>;
    /// Destination → pixel.
    fn inverse(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<Vec<bool>, Error>;

    fn forward_one(&self, x: f64, y: f64) -> Result<Option<(f64, f64)>, Error> {
        let mut xs = [x];
        let mut ys = [y];
        let ok = self.forward(&mut xs, &mut ys)?;
        Ok(ok[0].then_some((xs[0], ys[0])))
    }

    /// Geographic output of a projected source: whether the pole at `lat` lies inside the
    /// `nx × ny` raster (GDAL then extends the extent to it and to all longitudes).
    fn contains_pole(&self, _lat: f64, _nx: f64, _ny: f64) -> Result<bool, Error> {
        Ok(false)
    }

    /// Where a polar stereographic destination puts its opposite pole, when that pole lies
    /// inside the `nx × ny` raster (see [`opposite_pole_inside`]).
    fn opposite_pole(&self, _nx: f64, _ny: f64) -> Result<Option<(f64, f64)>, Error> {
        Ok(None)
    }

    /// PROJ's own transform of the raster bounds (2 points per side), which GDAL merges into
    /// the extent for axis-aligned geotransforms.
    fn proj_bounds(&self, _nx: f64, _ny: f64) -> Option<[f64; 4]> {
        None
    }
}

/// A GCP-georeferenced raster in the CRS of its GCPs: pixel ↔ map through the polynomials
/// (GDAL's GenImgProj transformer with a GCP source transformer and no reprojection).
pub(super) struct GcpPixelTransformer<'a>(pub(super) &'a GcpTransform);

impl SourceTransformer for GcpPixelTransformer<'_> {
    fn forward(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<Vec<bool>, Error> {
        for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
            (*x, *y) = self.0.to_geo(*x, *y);
        }
        Ok(success(xs, ys))
    }

    fn inverse(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<Vec<bool>, Error> {
        for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
            (*x, *y) = self.0.to_pixel(*x, *y);
        }
        Ok(success(xs, ys))
    }
}

/// Source pixel/line ↔ destination CRS coordinates (GDAL's GenImgProjTransformer without a
/// destination grid).
pub(super) struct PixelTransformer {
    pub(super) gt: GeoTransform,
    pub(super) inv_gt: GeoTransform,
    pub(super) fwd: Transformer,
    pub(super) inv: Transformer,
    pub(super) src: Crs,
    pub(super) dst: Crs,
}

impl SourceTransformer for PixelTransformer {
    fn opposite_pole(&self, nx: f64, ny: f64) -> Result<Option<(f64, f64)>, Error> {
        opposite_pole_inside(&self.src, &self.dst, self, nx, ny)
    }

    fn forward(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<Vec<bool>, Error> {
        for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
            (*x, *y) = self.gt.apply(*x, *y);
        }
        self.fwd.transform_lossy(xs, ys)?;
        Ok(success(xs, ys))
    }

    fn inverse(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<Vec<bool>, Error> {
        self.inv.transform_lossy(xs, ys)?;
        for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
            (*x, *y) = self.inv_gt.apply(*x, *y);
        }
        Ok(success(xs, ys))
    }

    fn contains_pole(&self, lat: f64, nx: f64, ny: f64) -> Result<bool, Error> {
        let mut px = [0.0];
        let mut py = [lat];
        let ok = self.inverse(&mut px, &mut py)?;
        const EPSILON: f64 = 1e-5;
        if ok[0]
            && px[0] >= -EPSILON
            && px[0] <= nx + EPSILON
            && py[0] >= -EPSILON
            && py[0] <= ny + EPSILON
        {
            let mut sx = [0.0];
            let mut sy = [lat];
            self.inv.transform_lossy(&mut sx, &mut sy)?;
            let back = self.fwd.transform_point(sx[0], sy[0]);
            return Ok(back.is_ok_and(|(_, y)| (y - lat).abs() <= 1e-6));
        }
        Ok(false)
    }

    fn proj_bounds(&self, nx: f64, ny: f64) -> Option<[f64; 4]> {
        let g = &self.gt.0;
        if !(g[1] != 0.0 && self.gt.is_rectilinear() && g[5] != 0.0) {
            return None;
        }
        let (ulx, uly) = self.gt.apply(0.0, 0.0);
        let (lrx, lry) = self.gt.apply(nx, ny);
        let b = [ulx.min(lrx), uly.min(lry), ulx.max(lrx), uly.max(lry)];
        transform_bounds(&self.src, &self.dst, b, 2).ok()
    }
}

fn success(xs: &[f64], ys: &[f64]) -> Vec<bool> {
    xs.iter()
        .zip(ys)
        .map(|(x, y)| x.is_finite() && y.is_finite())
        .collect()
}

/// Where a polar stereographic `dst` puts its opposite pole, when that pole lies inside the
/// `nx × ny` raster (`None` for other projections, or when the pole is outside the raster).
fn opposite_pole_inside(
    src: &Crs,
    dst: &Crs,
    t: &PixelTransformer,
    nx: f64,
    ny: f64,
) -> Result<Option<(f64, f64)>, Error> {
    let p = dst.proj();
    let phi0 = p.latitude_of_origin();
    if p.projname() != "stere" || (phi0.abs() - std::f64::consts::FRAC_PI_2).abs() > 1e-10 {
        return Ok(None);
    }
    let lat = -90.0 * phi0.signum();
    let geographic = dst.geodetic_crs()?;
    let mut sx = [0.0];
    let mut sy = [lat];
    Transformer::new(&geographic, src)?.transform_lossy(&mut sx, &mut sy)?;
    let (px, py) = t.inv_gt.apply(sx[0], sy[0]);
    const EPSILON: f64 = 1e-5;
    if !(px >= -EPSILON && px <= nx + EPSILON && py >= -EPSILON && py <= ny + EPSILON) {
        return Ok(None);
    }
    let mut dx = [0.0];
    let mut dy = [lat];
    Transformer::new(&geographic, dst)?.transform_lossy(&mut dx, &mut dy)?;
    Ok((dx[0].is_finite() && dy[0].is_finite()).then_some((dx[0], dy[0])))
}
