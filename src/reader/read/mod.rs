//! The one read primitive under every verb (rio-tiler's `reader.read`).
//!
//! A read fills an `out_width × out_height` array from a grid:
//! - [`Grid::Native`]: a fractional window of the dataset's own pixel grid (same CRS). GDAL
//!   RasterIO picks an overview, then maps each output pixel to a source pixel
//!   ([`crate::warp::decimate`]);
//! - [`Grid::Warped`]: the grid of a warped VRT in another CRS. GDAL picks one of the VRT's
//!   implicit overviews (one per source overview), warps that from the matching source
//!   overview, then resizes to the output like RasterIO.
//!
//! Only the source pixels the output needs are read: the output pixels are mapped first, the
//! bounding window of their sources is read with one [`Dataset::read_window`], and the CPU work
//! runs on the CPU pool. Masks follow rio-tiler: with a nodata value, `data == nodata`;
//! with a real alpha band, `alpha != opaque` (alpha kept); otherwise the internal mask (or,
//! when warping, whether any valid source pixel landed there).
//!
//! By concern: same-CRS reads ([`native`], [`resampled`]), windows past the raster
//! ([`boundless`]), huge windows sampled block row by block row ([`sampled`]), reads in another
//! CRS ([`warped`]), and the planes made into an [`ImageData`] ([`assemble`]). GDAL's alpha
//! rules are in [`crate::reader::alpha`].

mod assemble;
mod boundless;
mod native;
mod resampled;
mod sampled;
mod warped;

use std::sync::Arc;

use crate::affine::{GeoTransform, Window};
use crate::crs::Crs;
use crate::raster::{DataType, Raster, Samples};
use crate::warp::{CoordTransform, Resampling};

use super::image::{samples_from_f64, ImageData};
use super::{Dataset, Error};
use assemble::assemble;
use native::read_native;
use warped::read_warped;

/// Largest source window a single read may request (pixels per band, 10000²).
pub const MAX_SOURCE_PIXELS: usize = 100_000_000;

/// A nearest-neighbour read whose source window holds more pixels than this (4096²) fetches
/// only the blocks under its sample points ([`read_grid`], [`read_pixels`]) instead of the
/// window, like GDAL's RasterIO: memory then follows the output, not the window, and sparse
/// blocks cost nothing. Smaller windows (every map tile over a COG with overviews) keep the
/// one-window read.
const SAMPLED_READ_PIXELS: usize = 1 << 24;

/// Blocks fetched and decoded at once by a sampled read: it goes block row by block row
/// (several rows for narrow rasters), so its compressed bytes stay around this many blocks.
const SAMPLED_BATCH_BLOCKS: usize = 64;

/// A read's output before it becomes an [`ImageData`]: one plane of samples per read band, in
/// the dataset's type, and the validity of each output pixel (255 valid, 0 not).
type Planes = (Vec<Samples>, Vec<u8>);

/// Where the output pixels come from.
pub enum Grid {
    /// The dataset's own grid: a fractional window of full-resolution pixels.
    Native { window: Window },
    /// A warped VRT grid (`gt`, `width × height`) in `crs`; `window` inside it (`None`: all).
    Warped {
        gt: GeoTransform,
        width: usize,
        height: usize,
        window: Option<Window>,
        crs: Crs,
        /// Maps destination-CRS coordinates to the dataset CRS (shared with the CPU job that
        /// maps the output pixels).
        dst_to_src: Arc<dyn CoordTransform + Send>,
    },
}

/// Everything about a read besides the grid.
#[derive(Clone, Debug)]
pub struct ReadParams {
    pub out_width: usize,
    pub out_height: usize,
    /// 1-based band indexes to return.
    pub indexes: Vec<usize>,
    /// Nodata override (else the dataset's).
    pub nodata: Option<f64>,
    /// RasterIO resampling (decimation / upsampling).
    pub resampling: Resampling,
    /// Warp kernel.
    pub reproject: Resampling,
    pub unscale: bool,
    /// Largest `out_width × out_height` accepted ([`super::ReadOptions::max_output_pixels`]).
    pub max_output_pixels: usize,
}

/// Reads `grid` into an [`ImageData`] of `params.out_width × params.out_height`.
pub async fn read<D: Dataset>(ds: &D, grid: Grid, params: &ReadParams) -> Result<ImageData, Error> {
    let meta = ds.meta();
    let (ow, oh) = (params.out_width, params.out_height);
    if ow == 0 || oh == 0 || ow.saturating_mul(oh) > params.max_output_pixels {
        return Err(Error::TooLarge {
            what: "output size",
            value: ow.saturating_mul(oh),
        });
    }
    for &b in &params.indexes {
        if b == 0 || b > meta.bands {
            return Err(Error::InvalidBand(b));
        }
    }
    let nodata = params.nodata.or(meta.nodata);
    // a real alpha band is read with the data when no nodata value takes precedence
    let alpha = meta.alpha_band.filter(|_| nodata.is_none());
    let mut read_bands = params.indexes.clone();
    if let Some(a) = alpha {
        read_bands.push(a);
    }
    let (planes, valid, bounds, crs, warped) = match grid {
        Grid::Native { window } => {
            let (p, v) = read_native(ds, window, params, &read_bands).await?;
            (
                p,
                v,
                window.bounds(&meta.geotransform),
                meta.crs.clone(),
                false,
            )
        }
        Grid::Warped {
            gt,
            width,
            height,
            window,
            crs,
            dst_to_src,
        } => {
            let win = window.unwrap_or(Window {
                col_off: 0.0,
                row_off: 0.0,
                width: width as f64,
                height: height as f64,
            });
            let (p, v) = read_warped(
                ds,
                gt,
                (width, height),
                win,
                window.is_none(),
                &dst_to_src,
                params,
                &read_bands,
                nodata,
            )
            .await?;
            (p, v, win.bounds(&gt), crs, true)
        }
    };
    assemble(
        meta.dtype,
        planes,
        valid,
        ow,
        oh,
        params,
        nodata,
        alpha.is_some(),
        warped,
        bounds,
        crs,
        ds,
    )
    .await
}

/// Picks samples out of every band of `r` by index: output pixel `o` of band `b` is pixel
/// `idx[o]` of `r`'s band `b`, zero where `idx[o]` is [`NO_SOURCE`]. Nearest-neighbour reads
/// and warps are this copy, made in the samples' own type.
fn gather(r: &Raster, idx: &[u32]) -> Vec<Samples> {
    use crate::raster::Sample;
    let n = r.plane_len();
    (0..r.bands)
        .map(|b| {
            crate::with_samples!(&r.data, v => {
                let plane = v.get(b * n..(b + 1) * n).unwrap_or(&[]);
                Sample::wrap(
                    idx.iter()
                        .map(|&i| plane.get(i as usize).copied().unwrap_or_default())
                        .collect(),
                )
            })
        })
        .collect()
}

/// Each band of `r` as its own plane of samples.
fn split_bands(r: &Raster) -> Vec<Samples> {
    use crate::raster::Sample;
    let n = r.plane_len();
    (0..r.bands)
        .map(|b| {
            crate::with_samples!(&r.data, v => Sample::wrap(
                v.get(b * n..(b + 1) * n).map_or_else(|| vec![Default::default(); n], <[_]>::to_vec)
            ))
        })
        .collect()
}

/// f64 planes (interpolated or resampled values) in the dataset's type, rounded like GDAL.
fn typed_planes(dtype: DataType, planes: &[Vec<f64>]) -> Vec<Samples> {
    planes.iter().map(|p| samples_from_f64(dtype, p)).collect()
}

/// `nb` planes of zeros, nothing valid.
fn empty_planes(dtype: DataType, nb: usize, n: usize) -> Planes {
    (vec![Samples::zeros(dtype, n); nb], vec![0; n])
}

/// Runs the CPU half of a read (decode, assemble, sample) as one blocking task.
pub(super) async fn on_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    crate::cpu::run(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}

pub(super) fn same_value(v: f64, nodata: f64) -> bool {
    v == nodata || (v.is_nan() && nodata.is_nan())
}

fn check_source(w: usize, h: usize) -> Result<(), Error> {
    match w.checked_mul(h) {
        Some(n) if n <= MAX_SOURCE_PIXELS => Ok(()),
        _ => Err(Error::TooLarge {
            what: "source window",
            value: w.saturating_mul(h),
        }),
    }
}

/// Splits a raster into f64 planes plus its mask (one plane converted at a time: no
/// whole-raster f64 copy on the way).
pub(super) fn to_planes(r: &Raster) -> (Vec<Vec<f64>>, Vec<u8>) {
    use crate::raster::Sample;
    let n = r.plane_len();
    let planes = (0..r.bands)
        .map(|b| {
            crate::with_samples!(&r.data, v => v
                .get(b * n..(b + 1) * n)
                .map(|s| s.iter().map(|x| x.to_f64()).collect())
                .unwrap_or_else(|| vec![0.0; n]))
        })
        .collect();
    (planes, r.mask.clone())
}
