//! The reader's output: an array with its masks and georeferencing (rio-tiler's `ImageData`).

use crate::crs::Crs;
use crate::raster::{titiler_npy, DataType, Raster, Samples};

/// Pixels read for a tile, part, preview or feature.
#[derive(Clone, Debug)]
pub struct ImageData {
    /// Data bands; `raster.mask` is 255 where **any** band is valid (rio-tiler's output mask).
    pub raster: Raster,
    /// Per-band validity (255 valid), what statistics use; each `width × height`.
    pub band_masks: Vec<Vec<u8>>,
    /// The dataset's real alpha band values, kept verbatim (partial transparency survives).
    pub alpha: Option<Samples>,
    /// `[west, south, east, north]` in `crs`.
    pub bounds: [f64; 4],
    pub crs: Crs,
    /// `b1`, `b2`, ... for the bands read.
    pub band_names: Vec<String>,
    /// Band description, or the band name when the file has none.
    pub band_descriptions: Vec<String>,
    /// `(min, max)` per band from STATISTICS_* metadata, when every band has them.
    pub dataset_statistics: Option<Vec<(f64, f64)>>,
    pub scales: Vec<f64>,
    pub offsets: Vec<f64>,
    /// The nodata value in effect (override or the file's).
    pub nodata: Option<f64>,
}

impl ImageData {
    pub fn width(&self) -> usize {
        self.raster.width
    }

    pub fn height(&self) -> usize {
        self.raster.height
    }

    pub fn count(&self) -> usize {
        self.raster.bands
    }

    /// TiTiler's `.npy` body (data bands, then the mask band), built by the one builder the
    /// server uses too ([`crate::raster::titiler_npy`]).
    pub fn to_npy(&self) -> Vec<u8> {
        titiler_npy(&self.raster, Some(&self.raster.mask), self.alpha.as_ref())
    }
}

/// Converts f64 values to a typed buffer with GDAL's rounding and clamping.
pub(crate) fn samples_from_f64(dtype: DataType, vals: &[f64]) -> Samples {
    let mut s = Samples::zeros(dtype, vals.len());
    crate::with_samples!(&mut s, v => {
        for (d, x) in v.iter_mut().zip(vals) {
            *d = crate::raster::Sample::from_f64(*x);
        }
    });
    s
}
