//! `point`: the value of every band at one coordinate (rio-tiler `reader.point`).
//!
//! The coordinate is transformed into the dataset CRS; it must lie strictly inside the dataset
//! bounds, else [`Error::PointOutsideBounds`] (TiTiler answers 500). The pixel containing it
//! (`floor` of the fractional pixel position) is read as a 1 × 1 window, with the same masking
//! rules as every other read.

use crate::affine::Window;
use crate::crs::{Crs, Transformer};

use super::options::ReadOptions;
use super::read::{read, Grid, ReadParams};
use super::{Dataset, Error};

/// Band values at a point, with per-band validity.
#[derive(Clone, Debug, PartialEq)]
pub struct PointData {
    /// One value per band (the stored value even where masked).
    pub values: Vec<f64>,
    /// Per band: true when valid.
    pub valid: Vec<bool>,
    pub band_names: Vec<String>,
    pub band_descriptions: Vec<String>,
    /// The input coordinates (in `coord_crs`).
    pub coordinates: [f64; 2],
}

/// Reads the bands at `(x, y)` given in `coord_crs` (default EPSG:4326 at the API).
pub async fn point<D: Dataset>(
    ds: &D,
    x: f64,
    y: f64,
    coord_crs: &Crs,
    opts: &ReadOptions,
) -> Result<PointData, Error> {
    let meta = ds.meta();
    let (px, py) = if *coord_crs != meta.crs {
        Transformer::new(coord_crs, &meta.crs)?
            .transform_point(x, y)
            .map_err(|_| Error::PointOutsideBounds { x, y })?
    } else {
        (x, y)
    };
    // rio-tiler puts the latitudes of a south-up dataset's bounds in order, not the x's
    let b = meta.bounds();
    let (south, north) = (b[1].min(b[3]), b[1].max(b[3]));
    if !(b[0] < px && px < b[2] && south < py && py < north) {
        return Err(Error::PointOutsideBounds { x, y });
    }
    let inv = meta.geotransform.invert().ok_or(Error::Geotransform)?;
    let (c, r) = inv.apply_fused(px, py);
    let window = Window {
        col_off: c.floor(),
        row_off: r.floor(),
        width: 1.0,
        height: 1.0,
    };
    let params = ReadParams {
        out_width: 1,
        out_height: 1,
        indexes: opts
            .indexes
            .clone()
            .unwrap_or_else(|| meta.non_alpha_indexes()),
        nodata: opts.nodata,
        resampling: opts.resampling,
        reproject: opts.reproject,
        unscale: opts.unscale,
        max_output_pixels: opts.max_output_pixels,
    };
    let img = read(ds, Grid::Native { window }, &params).await?;
    Ok(PointData {
        values: (0..img.count())
            .map(|b| img.raster.data.get_f64(b))
            .collect(),
        valid: img
            .band_masks
            .iter()
            .map(|m| m.first().is_some_and(|v| *v != 0))
            .collect(),
        band_names: img.band_names,
        band_descriptions: img.band_descriptions,
        coordinates: [x, y],
    })
}
