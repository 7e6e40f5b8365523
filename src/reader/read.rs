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

use std::sync::Arc;

use crate::affine::{GeoTransform, Window};
use crate::crs::Crs;
use crate::raster::{DataType, Raster, Samples};
use crate::warp::decimate::{
    convolve, nearest_indices, resample, BandSource, OutputRule, Plane, RasterIo,
};
use crate::warp::kernel::{Kernel, Source};
use crate::warp::{
    best_overview, gdal_source_window, map_corners, map_nearest, map_pixels, retry_exact,
    select_overview, warp_with, warper::VRT_BLOCK_WIDTH, window_indices, ApproxTransform,
    BoundlessVrt, CoordTransform, GdalWindow, GenImgProj, IntWindow, Resampling, SourceRequest,
    DEFAULT_MAX_ERROR, NO_PIXEL, NO_SOURCE,
};

use super::image::{samples_from_f64, ImageData};
use super::{Dataset, Error};

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

/// Values (one plane per read band) and validity for a native-grid read.
async fn read_native<D: Dataset>(
    ds: &D,
    window: Window,
    params: &ReadParams,
    bands: &[usize],
) -> Result<Planes, Error> {
    let meta = ds.meta();
    let (ow, oh) = (params.out_width, params.out_height);
    let boundless = window.col_off < 0.0
        || window.row_off < 0.0
        || window.col_off + window.width > meta.width as f64
        || window.row_off + window.height > meta.height as f64;
    if boundless {
        return if params.resampling == Resampling::Nearest {
            read_boundless(ds, window, params, bands).await
        } else {
            read_boundless_resampled(ds, window, params, bands).await
        };
    }
    let choice = best_overview(
        (meta.width, meta.height),
        &meta.overviews,
        window,
        (ow, oh),
        params.resampling.overview_threshold(),
    );
    let (level, win) = match choice {
        Some(c) => (c.index + 1, c.window),
        None => (0, window),
    };
    let (lw, lh) = meta.level_size(level).ok_or(Error::InvalidLevel(level))?;
    // a warped VRT dataset (GCP raster) read at its own resolution for all its bands, over
    // its whole extent or a window larger than a block, warps straight into the buffer (GDAL's
    // VRTWarpedDataset::IRasterIO; resized reads go block by block, as GCP transformers
    // cannot be cloned fast)
    let whole = window.col_off == 0.0
        && window.row_off == 0.0
        && window.width == meta.width as f64
        && window.height == meta.height as f64;
    let same_size = ow as f64 == window.width && oh as f64 == window.height;
    let integral = window.col_off.fract() == 0.0 && window.row_off.fract() == 0.0;
    if bands.len() == meta.bands
        && level == 0
        && same_size
        && integral
        && (whole || (ow > VRT_BLOCK_WIDTH && oh > 128))
    {
        let gt = GeoTransform::from_bounds(window.bounds(&meta.geotransform), ow, oh);
        if let Some(r) = ds.read_direct(level, gt, ow, oh, bands).await? {
            return Ok((split_bands(&r), r.mask));
        }
    }
    if params.resampling == Resampling::Nearest {
        let fix = |idx: Vec<i64>, size: usize| -> Vec<Option<i64>> {
            idx.into_iter()
                .map(|i| {
                    if i >= 0 && (i as usize) < size {
                        Some(i)
                    } else if boundless {
                        None
                    } else {
                        Some(i.clamp(0, size as i64 - 1))
                    }
                })
                .collect()
        };
        let cols = fix(nearest_indices(win.col_off, win.width, ow), lw);
        let rows = fix(nearest_indices(win.row_off, win.height, oh), lh);
        let span = |v: &[Option<i64>]| {
            let it = v.iter().flatten();
            Some((*it.clone().min()?, *it.max()?))
        };
        let (Some((c0, c1)), Some((r0, r1))) = (span(&cols), span(&rows)) else {
            return Ok(empty_planes(meta.dtype, bands.len(), ow * oh));
        };
        let (sw, sh) = ((c1 - c0 + 1) as usize, (r1 - r0 + 1) as usize);
        // where each output column and row sits in the source read: the window, or for a
        // window far larger than the output, only the sampled pixels
        let (fetched, cpos, rpos, stride) = if sw.saturating_mul(sh) > SAMPLED_READ_PIXELS {
            let at = |v: &[Option<i64>]| -> Vec<Option<usize>> {
                v.iter().map(|i| i.map(|i| i as usize)).collect()
            };
            let (cols, rows) = (at(&cols), at(&rows));
            let (ucols, urows) = (distinct(&cols), distinct(&rows));
            let raster =
                read_grid(ds, level, &ucols, &urows, bands, params.max_output_pixels).await?;
            let fetched: super::Assemble = Box::new(move || Ok(raster));
            (
                fetched,
                positions(&cols, &ucols),
                positions(&rows, &urows),
                ucols.len(),
            )
        } else {
            check_source(sw, sh)?;
            let pos = |v: &[Option<i64>], o: i64| -> Vec<Option<usize>> {
                v.iter().map(|i| i.map(|i| (i - o) as usize)).collect()
            };
            let fetched = ds.fetch_window(level, c0, r0, sw, sh, bands).await?;
            (fetched, pos(&cols, c0), pos(&rows, r0), sw)
        };
        return on_blocking(move || {
            let src = fetched()?;
            let mut idx = vec![NO_SOURCE; ow * oh];
            let mut valid = vec![0u8; ow * oh];
            for (j, r) in rpos.iter().enumerate() {
                let Some(r) = r else { continue };
                for (i, c) in cpos.iter().enumerate() {
                    let Some(c) = c else { continue };
                    let si = r * stride + c;
                    let o = j * ow + i;
                    idx[o] = si as u32;
                    valid[o] = src.mask.get(si).copied().unwrap_or(0);
                }
            }
            Ok((gather(&src, &idx), valid))
        })
        .await;
    }
    let int_window = choice.map_or(IntWindow::of(&window), |c| c.int_window);
    let rio = RasterIo {
        level: (lw, lh),
        int_window,
        window: win,
        buf: (ow, oh),
        block_width: meta.block_size.0,
        // GDALDataset::IRasterIO resamples several bands at once (padding chunks by the larger
        // factor) unless a band has nodata or has overviews it did not use for a reduction
        dataset_level: bands.len() > 1
            && meta.nodata.is_none()
            && !(level == 0
                && !meta.overviews.is_empty()
                && ((ow as i64) < int_window.width || (oh as i64) < int_window.height)),
    };
    read_resampled(ds, level, rio, params, bands, boundless).await
}

/// A resampled (non-nearest) read of one level, as GDAL's `RasterIOResampled` does it: the
/// convolution kernels through [`convolve`] with GDAL's masks (the nodata value, else the alpha
/// band, else the internal mask) weighting the taps, the footprint statistics through
/// [`resample`]. The validity follows rio-tiler: with an internal mask, rasterio reads the mask
/// band with the same resampling and a pixel is valid where that is non-zero.
async fn read_resampled<D: Dataset>(
    ds: &D,
    level: usize,
    rio: RasterIo,
    params: &ReadParams,
    bands: &[usize],
    boundless: bool,
) -> Result<Planes, Error> {
    let meta = ds.meta();
    let (ow, oh) = rio.buf;
    let (lw, lh) = rio.level;
    let win = rio.window;
    let method = params.resampling;
    let nb = bands.len();
    let convolution = method.kernel_radius().is_some() && !boundless;
    let rect = if convolution {
        rio.source_rect(method)
    } else {
        // the covered source pixels plus the kernel's reach
        let ratio = (win.width / ow as f64).max(win.height / oh as f64).max(1.0);
        let margin = (method.kernel_radius().unwrap_or(1.0) * ratio).ceil() as i64 + 1;
        let x0 = (win.col_off.floor() as i64 - margin).max(0);
        let y0 = (win.row_off.floor() as i64 - margin).max(0);
        let x1 = ((win.col_off + win.width).ceil() as i64 + margin).min(lw as i64);
        let y1 = ((win.row_off + win.height).ceil() as i64 + margin).min(lh as i64);
        (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
    };
    let Some((x0, y0, x1, y1)) = rect else {
        return Ok(empty_planes(meta.dtype, nb, ow * oh));
    };
    let (sw, sh) = ((x1 - x0) as usize, (y1 - y0) as usize);
    check_source(sw, sh)?;
    let fetched = ds.fetch_window(level, x0, y0, sw, sh, bands).await?;
    let dtype = meta.dtype;
    let gdal_nodata = meta.nodata;
    // GDAL takes an alpha band as the mask of the other bands only for gray + alpha and
    // RGB + alpha layouts of bytes or 16-bit words
    let alpha_pos = meta
        .alpha_band
        .filter(|&a| (meta.bands, a) == (2, 2) || (meta.bands, a) == (4, 4))
        .filter(|_| matches!(meta.dtype, DataType::U8 | DataType::U16))
        .and_then(|a| bands.iter().position(|&b| b == a));
    let has_mask = meta.has_mask;
    on_blocking(move || {
        let (planes, smask) = to_planes(&fetched()?);
        // GDAL's mask band of each read band (None: all valid)
        let alpha_weights: Option<Vec<u8>> = alpha_pos
            .and_then(|p| planes.get(p))
            .map(|a| a.iter().map(|&v| alpha_as_mask(dtype, v)).collect());
        let mask_of = |b: usize, p: &[f64]| -> Option<Vec<u8>> {
            if let Some(nd) = gdal_nodata {
                Some(
                    p.iter()
                        .map(|&v| if same_value(v, nd) { 0 } else { 255 })
                        .collect(),
                )
            } else if alpha_pos.is_some() {
                (Some(b) != alpha_pos)
                    .then(|| alpha_weights.clone())
                    .flatten()
            } else if has_mask {
                Some(smask.clone())
            } else {
                None
            }
        };
        let mut out = Vec::with_capacity(nb);
        let mut valid = vec![255u8; ow * oh];
        if convolution {
            for (b, p) in planes.iter().enumerate() {
                let m = mask_of(b, p);
                let src = BandSource {
                    origin: (x0, y0),
                    width: sw,
                    height: sh,
                    values: p,
                    mask: m.as_deref(),
                };
                let rule = OutputRule {
                    nodata: gdal_nodata,
                    dtype,
                };
                out.push(convolve(&rio, method, &src, rule));
            }
            if gdal_nodata.is_none() && alpha_pos.is_none() && has_mask {
                // rasterio reads the mask band itself with the same resampling (per band:
                // no dataset-level padding)
                let mvals: Vec<f64> = smask.iter().map(|&m| m as f64).collect();
                let src = BandSource {
                    origin: (x0, y0),
                    width: sw,
                    height: sh,
                    values: &mvals,
                    mask: None,
                };
                let rule = OutputRule {
                    nodata: None,
                    dtype: DataType::U8,
                };
                let band_rio = RasterIo {
                    dataset_level: false,
                    ..rio
                };
                let m = convolve(&band_rio, method, &src, rule);
                valid = samples_from_f64(DataType::U8, &m)
                    .to_f64_vec()
                    .iter()
                    .map(|&v| if v != 0.0 { 255 } else { 0 })
                    .collect();
            }
        } else {
            for (b, p) in planes.iter().enumerate() {
                let m = mask_of(b, p).unwrap_or_else(|| smask.clone());
                let plane = Plane {
                    width: sw,
                    height: sh,
                    values: p,
                    valid: &m,
                };
                let (v, ok) = resample(
                    &plane,
                    win.col_off - x0 as f64,
                    win.row_off - y0 as f64,
                    win.width,
                    win.height,
                    ow,
                    oh,
                    method,
                );
                valid = ok;
                out.push(v);
            }
        }
        Ok((typed_planes(dtype, &out), valid))
    })
    .await
}

/// A resampled read of a window reaching past the raster, through rasterio's boundless VRT:
/// the VRT hands each band's request to the raster (the first band through the VRT's
/// implicit overviews, like [`read_boundless`]), which resamples its part of the window into
/// the part of the buffer it covers; the rest stays empty.
async fn read_boundless_resampled<D: Dataset>(
    ds: &D,
    window: Window,
    params: &ReadParams,
    bands: &[usize],
) -> Result<Planes, Error> {
    let meta = ds.meta();
    let (ow, oh) = (params.out_width, params.out_height);
    let full = (meta.width, meta.height);
    let vrt = BoundlessVrt::new(full, &meta.overviews, &meta.geotransform, window).ok_or(
        Error::TooLarge {
            what: "boundless read window",
            value: window.width.max(window.height) as usize,
        },
    )?;
    let threshold = params.resampling.overview_threshold();
    let first = vrt.request((ow, oh), true, threshold);
    let rest = vrt.request((ow, oh), false, threshold);
    let nb = bands.len();
    let groups: Vec<(Option<SourceRequest>, std::ops::Range<usize>)> = if first == rest {
        vec![(first, 0..nb)]
    } else {
        vec![(first, 0..nb.min(1)), (rest, nb.min(1)..nb)]
    };
    let (mut out, mut valid) = empty_planes(meta.dtype, nb, ow * oh);
    for (req, range) in groups {
        let Some(req) = req else { continue };
        let (ox, oy, w, h) = req.out;
        if range.is_empty() || w == 0 || h == 0 {
            continue;
        }
        let choice = select_overview(
            full,
            &meta.overviews,
            req.int_window,
            req.window,
            (w, h),
            threshold,
        );
        let (level, win, int_window) = match choice {
            Some(c) => (c.index + 1, c.window, c.int_window),
            None => (0, req.window, req.int_window),
        };
        let (lw, lh) = meta.level_size(level).ok_or(Error::InvalidLevel(level))?;
        if lw == 0 || lh == 0 {
            continue;
        }
        let band_ids = &bands[range.clone()];
        let rio = RasterIo {
            level: (lw, lh),
            int_window,
            window: win,
            buf: (w, h),
            block_width: meta.block_size.0,
            dataset_level: band_ids.len() > 1
                && meta.nodata.is_none()
                && !(level == 0
                    && !meta.overviews.is_empty()
                    && ((w as i64) < int_window.width || (h as i64) < int_window.height)),
        };
        let (part, pvalid) = read_resampled(ds, level, rio, params, band_ids, false).await?;
        for (k, b) in range.enumerate() {
            if let (Some(dst), Some(src)) = (out.get_mut(b), part.get(k)) {
                let (d, s) = (dst.to_f64_vec(), src.to_f64_vec());
                let mut d = d;
                for j in 0..h {
                    for i in 0..w {
                        if let (Some(x), Some(&v)) =
                            (d.get_mut((oy + j) * ow + ox + i), s.get(j * w + i))
                        {
                            *x = v;
                        }
                    }
                }
                *dst = samples_from_f64(meta.dtype, &d);
            }
        }
        for j in 0..h {
            for i in 0..w {
                if let (Some(x), Some(&v)) =
                    (valid.get_mut((oy + j) * ow + ox + i), pvalid.get(j * w + i))
                {
                    *x |= v;
                }
            }
        }
    }
    Ok((out, valid))
}

/// GDAL's mask value for an alpha sample: the alpha itself for bytes; for 16-bit words
/// (`GDALRescaledAlphaBand`) divided by 257, with any non-zero alpha kept non-zero.
fn alpha_as_mask(dtype: DataType, v: f64) -> u8 {
    let v = v.clamp(0.0, 65535.0);
    match dtype {
        DataType::U8 => v.min(255.0) as u8,
        _ if v > 0.0 && v < 257.0 => 1,
        _ => (v / 257.0) as u8,
    }
}

/// Values and validity for a nearest read of a window reaching past the raster: rasterio's
/// boundless VRT ([`crate::warp::boundless`]). The first band read goes through the VRT's
/// implicit overviews, the others (alpha included) through the full-size VRT; each fills the
/// part of the output its source covers, which is also where it is valid.
async fn read_boundless<D: Dataset>(
    ds: &D,
    window: Window,
    params: &ReadParams,
    bands: &[usize],
) -> Result<Planes, Error> {
    let meta = ds.meta();
    let (ow, oh) = (params.out_width, params.out_height);
    let full = (meta.width, meta.height);
    let vrt = BoundlessVrt::new(full, &meta.overviews, &meta.geotransform, window).ok_or(
        Error::TooLarge {
            what: "boundless read window",
            value: window.width.max(window.height) as usize,
        },
    )?;
    let threshold = params.resampling.overview_threshold();
    let first = vrt.request((ow, oh), true, threshold);
    let rest = vrt.request((ow, oh), false, threshold);
    let nb = bands.len();
    // one read for all bands when both requests agree, else the first band apart
    let groups: Vec<(Option<SourceRequest>, std::ops::Range<usize>)> = if first == rest {
        vec![(first, 0..nb)]
    } else {
        vec![(first, 0..nb.min(1)), (rest, nb.min(1)..nb)]
    };
    // The output planes are made in the first CPU job, not here: a request waiting for its
    // chunks or for a core should not hold them.
    let dtype = meta.dtype;
    let mut planes: Option<Planes> = None;
    for (req, range) in groups {
        let Some(req) = req else { continue };
        if range.is_empty() {
            continue;
        }
        let (ox, oy, w, h) = req.out;
        let (level, win) = match select_overview(
            full,
            &meta.overviews,
            req.int_window,
            req.window,
            (w, h),
            threshold,
        ) {
            Some(c) => (c.index + 1, c.window),
            None => (0, req.window),
        };
        let (lw, lh) = meta.level_size(level).ok_or(Error::InvalidLevel(level))?;
        if lw == 0 || lh == 0 || w == 0 || h == 0 {
            continue;
        }
        // GDAL clamps sample positions to the raster (a snapped window may start before it)
        let clamp = |idx: Vec<i64>, size: usize| -> Vec<usize> {
            idx.into_iter()
                .map(|i| i.clamp(0, size as i64 - 1) as usize)
                .collect()
        };
        let cols = clamp(nearest_indices(win.col_off, win.width, w), lw);
        let rows = clamp(nearest_indices(win.row_off, win.height, h), lh);
        let (Some(&c0), Some(&c1), Some(&r0), Some(&r1)) = (
            cols.iter().min(),
            cols.iter().max(),
            rows.iter().min(),
            rows.iter().max(),
        ) else {
            continue;
        };
        let (sw, sh) = (c1 - c0 + 1, r1 - r0 + 1);
        let band_ids = &bands[range.clone()];
        // the window, or for a window far larger than the output only the sampled pixels
        let (fetched, cpos, rpos, stride) = if sw.saturating_mul(sh) > SAMPLED_READ_PIXELS {
            let (cols, rows): (Vec<_>, Vec<_>) = (
                cols.iter().map(|&c| Some(c)).collect(),
                rows.iter().map(|&r| Some(r)).collect(),
            );
            let (ucols, urows) = (distinct(&cols), distinct(&rows));
            let raster = read_grid(
                ds,
                level,
                &ucols,
                &urows,
                band_ids,
                params.max_output_pixels,
            )
            .await?;
            let fetched: super::Assemble = Box::new(move || Ok(raster));
            let pos = |v: &[Option<usize>], set: &[usize]| -> Vec<usize> {
                positions(v, set)
                    .into_iter()
                    .map(|p| p.unwrap_or(0))
                    .collect()
            };
            (fetched, pos(&cols, &ucols), pos(&rows, &urows), ucols.len())
        } else {
            check_source(sw, sh)?;
            let fetched = ds
                .fetch_window(level, c0 as i64, r0 as i64, sw, sh, band_ids)
                .await?;
            let cpos: Vec<usize> = cols.iter().map(|&c| c - c0).collect();
            let rpos: Vec<usize> = rows.iter().map(|&r| r - r0).collect();
            (fetched, cpos, rpos, sw)
        };
        let done = on_blocking(move || {
            let src = fetched()?;
            let (mut out, mut valid) = planes.unwrap_or_else(|| empty_planes(dtype, nb, ow * oh));
            // (output pixel, source pixel) of every sample this part places
            let mut moves = Vec::with_capacity(rpos.len() * cpos.len());
            for (j, &r) in rpos.iter().enumerate() {
                for (i, &c) in cpos.iter().enumerate() {
                    let si = r * stride + c;
                    let o = (oy + j) * ow + ox + i;
                    if let (Some(v), Some(&m)) = (valid.get_mut(o), src.mask.get(si)) {
                        *v |= m;
                        moves.push((o, si));
                    }
                }
            }
            for (k, b) in range.enumerate() {
                if let Some(dst) = out.get_mut(b) {
                    place(dst, &src, k, &moves);
                }
            }
            Ok((out, valid))
        })
        .await?;
        planes = Some(done);
    }
    Ok(planes.unwrap_or_else(|| empty_planes(dtype, nb, ow * oh)))
}

/// The distinct values of `v` (sorted).
fn distinct(v: &[Option<usize>]) -> Vec<usize> {
    let mut d: Vec<usize> = v.iter().flatten().copied().collect();
    d.sort_unstable();
    d.dedup();
    d
}

/// Where each value of `v` sits in `set` (sorted, holding every value of `v`).
fn positions(v: &[Option<usize>], set: &[usize]) -> Vec<Option<usize>> {
    v.iter()
        .map(|i| i.and_then(|i| set.binary_search(&i).ok()))
        .collect()
}

/// The source pixels at every (column, row) pair of a sampling grid (`cols` and `rows`
/// sorted, distinct, inside the level): a `cols.len() × rows.len()` raster read through
/// [`read_pixels`]. At most `max_pixels` (the output limit: a grid has no more points than
/// the output it samples for).
async fn read_grid<D: Dataset>(
    ds: &D,
    level: usize,
    cols: &[usize],
    rows: &[usize],
    bands: &[usize],
    max_pixels: usize,
) -> Result<Raster, Error> {
    let n = cols.len().saturating_mul(rows.len());
    if n > max_pixels {
        return Err(Error::TooLarge {
            what: "sampled pixels",
            value: n,
        });
    }
    let pixels: Vec<(u32, u32)> = rows
        .iter()
        .flat_map(|&r| cols.iter().map(move |&c| (c as u32, r as u32)))
        .collect();
    let mut r = read_pixels(ds, level, pixels, bands).await?;
    r.width = cols.len();
    r.height = rows.len();
    Ok(r)
}

/// Single source pixels (sorted by row) of `level`, as a `pixels.len() × 1` raster. The
/// dataset fetches only the blocks under them, a batch of block rows at a time (about
/// [`SAMPLED_BATCH_BLOCKS`] blocks), each batch decoded on the CPU pool while the next one
/// is fetched: the compressed bytes held stay those of two batches, whatever the raster's
/// size (GDAL's block cache plays that part for RasterIO).
async fn read_pixels<D: Dataset>(
    ds: &D,
    level: usize,
    pixels: Vec<(u32, u32)>,
    bands: &[usize],
) -> Result<Raster, Error> {
    let meta = ds.meta();
    let (dtype, nb, n) = (meta.dtype, bands.len(), pixels.len());
    let (bw, bh) = (meta.block_size.0.max(1), meta.block_size.1.max(1));
    let lw = meta.level_size(level).map_or(1, |s| s.0);
    let rows_per_batch = (SAMPLED_BATCH_BLOCKS / lw.div_ceil(bw).max(1)).max(1);
    // batches: runs of pixels whose rows fall in the same `rows_per_batch` block rows
    let mut batches: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        let key = |k: usize| pixels[k].1 as usize / bh / rows_per_batch;
        if i == n || key(i) != key(start) {
            batches.push(start..i);
            start = i;
        }
    }
    let pixels = Arc::new(pixels);
    let mut out: Option<Raster> = None;
    let mut pending: Option<(usize, super::Assemble)> = None;
    let mut next = batches.into_iter();
    loop {
        let batch = next.next();
        let fetch = async {
            match &batch {
                Some(b) => {
                    let part = pixels[b.clone()].to_vec();
                    ds.fetch_pixels(level, part, bands).await.map(Some)
                }
                None => Ok(None),
            }
        };
        let decode = async {
            let Some((at, assemble)) = pending.take() else {
                return Ok(out.take());
            };
            let prev = out.take();
            on_blocking(move || {
                let part = assemble()?;
                let mut all = prev.unwrap_or_else(|| Raster::empty(dtype, nb, n, 1));
                copy_pixels(&part, &mut all, at);
                Ok(Some(all))
            })
            .await
        };
        let (fetched, decoded) = tokio::join!(fetch, decode);
        out = decoded?;
        match (fetched?, batch) {
            (Some(a), Some(b)) => pending = Some((b.start, a)),
            _ => break,
        }
    }
    Ok(out.unwrap_or_else(|| Raster::empty(dtype, nb, n, 1)))
}

/// Copies the pixels of `part` (`k × 1`, same bands) into `all` (`n × 1`) from pixel `at`.
fn copy_pixels(part: &Raster, all: &mut Raster, at: usize) {
    let (k, n) = (part.plane_len(), all.plane_len());
    for b in 0..part.bands.min(all.bands) {
        let (src, dst) = (b * k..(b + 1) * k, b * n + at..b * n + at + k);
        match (&mut all.data, &part.data) {
            (Samples::U8(d), Samples::U8(s)) => copy_slice(d, s, dst, src),
            (Samples::I8(d), Samples::I8(s)) => copy_slice(d, s, dst, src),
            (Samples::U16(d), Samples::U16(s)) => copy_slice(d, s, dst, src),
            (Samples::I16(d), Samples::I16(s)) => copy_slice(d, s, dst, src),
            (Samples::U32(d), Samples::U32(s)) => copy_slice(d, s, dst, src),
            (Samples::I32(d), Samples::I32(s)) => copy_slice(d, s, dst, src),
            (Samples::F32(d), Samples::F32(s)) => copy_slice(d, s, dst, src),
            (Samples::F64(d), Samples::F64(s)) => copy_slice(d, s, dst, src),
            (d, s) => crate::with_samples!(d, dv => {
                for (o, i) in dst.zip(src) {
                    if let Some(x) = dv.get_mut(o) {
                        *x = crate::raster::Sample::from_f64(s.get_f64(i));
                    }
                }
            }),
        }
    }
    if let (Some(d), Some(s)) = (all.mask.get_mut(at..at + k), part.mask.get(..k)) {
        d.copy_from_slice(s);
    }
}

/// `d[dst] = s[src]` when both ranges are in bounds (same length by construction).
fn copy_slice<T: Copy>(
    d: &mut [T],
    s: &[T],
    dst: std::ops::Range<usize>,
    src: std::ops::Range<usize>,
) {
    if let (Some(d), Some(s)) = (d.get_mut(dst), s.get(src)) {
        if d.len() == s.len() {
            d.copy_from_slice(s);
        }
    }
}

/// Copies band `band` of `src` into `dst` at the given (output, source) pixel pairs.
fn place(dst: &mut Samples, src: &Raster, band: usize, moves: &[(usize, usize)]) {
    let n = src.plane_len();
    let range = band * n..(band + 1) * n;
    macro_rules! copy {
        ($d:expr, $s:expr) => {{
            let plane = $s.get(range).unwrap_or(&[]);
            for &(o, si) in moves {
                if let (Some(d), Some(s)) = ($d.get_mut(o), plane.get(si)) {
                    *d = *s;
                }
            }
        }};
    }
    match (dst, &src.data) {
        (Samples::U8(d), Samples::U8(s)) => copy!(d, s),
        (Samples::I8(d), Samples::I8(s)) => copy!(d, s),
        (Samples::U16(d), Samples::U16(s)) => copy!(d, s),
        (Samples::I16(d), Samples::I16(s)) => copy!(d, s),
        (Samples::U32(d), Samples::U32(s)) => copy!(d, s),
        (Samples::I32(d), Samples::I32(s)) => copy!(d, s),
        (Samples::F32(d), Samples::F32(s)) => copy!(d, s),
        (Samples::F64(d), Samples::F64(s)) => copy!(d, s),
        // a band stored in another type than the dataset's: convert on the way
        (d, s) => crate::with_samples!(d, dv => {
            for &(o, si) in moves {
                if let (Some(x), true) = (dv.get_mut(o), si < n && range.end <= s.len()) {
                    *x = crate::raster::Sample::from_f64(s.get_f64(range.start + si));
                }
            }
        }),
    }
}

/// Values and validity for a read of a warped VRT grid.
///
/// GDAL picks one of the VRT's implicit overviews (one per source overview, sized VRT size /
/// source factor) with the usual threshold rule. Then, when every VRT band is read over the
/// whole VRT (the usual tile read), it warps the chosen source level *directly* into the
/// output buffer: each output pixel centre maps straight to the source and the RasterIO
/// resampling plays no part. Otherwise (a band subset, or a padded window) it warps the VRT
/// block by block and decimates: two steps.
#[allow(clippy::too_many_arguments)]
async fn read_warped<D: Dataset>(
    ds: &D,
    gt: GeoTransform,
    (gw, gh): (usize, usize),
    win: Window,
    whole: bool,
    dst_to_src: &Arc<dyn CoordTransform + Send>,
    params: &ReadParams,
    bands: &[usize],
    nodata: Option<f64>,
) -> Result<Planes, Error> {
    let meta = ds.meta();
    let (ow, oh) = (params.out_width, params.out_height);
    // implicit overviews of the warped VRT: one per source overview
    let ovr_sizes: Vec<(usize, usize)> = meta
        .overviews
        .iter()
        .map(|&(w, h)| {
            let rx = meta.width as f64 / w.max(1) as f64;
            let ry = meta.height as f64 / h.max(1) as f64;
            (
                ((gw as f64 / rx) + 0.5) as usize,
                ((gh as f64 / ry) + 0.5) as usize,
            )
        })
        .collect();
    let choice = best_overview(
        (gw, gh),
        &ovr_sizes,
        win,
        (ow, oh),
        params.resampling.overview_threshold(),
    );
    // The path GDAL's VRTWarpedDataset::IRasterIO takes. Reading every band of the VRT over
    // its whole extent warps straight into the buffer (from the chosen implicit overview's
    // source level, or full resolution); reading a subset of bands or a small window goes
    // block by block (512 × 128) over the VRT (or overview VRT) grid and decimates that.
    let add_alpha = nodata.is_none() && meta.alpha_band.is_none();
    let vrt_bands = meta.bands + add_alpha as usize;
    let requested = bands.len() + add_alpha as usize;
    let same_size = ow as f64 == win.width && oh as f64 == win.height;
    let dataset_path = (requested == vrt_bands || vrt_bands == 1)
        && (whole || (ow > VRT_BLOCK_WIDTH && oh > 128))
        && (whole || same_size);
    let level = choice.map(|c| c.index + 1).unwrap_or(0);
    tracing::trace!(gw, gh, ?win, level, ow, oh, dataset_path, "warped read");
    let (grid_gt, grid_w, span, rows, cols, region, swin) = if dataset_path {
        let gt_out = GeoTransform::from_bounds(win.bounds(&gt), ow, oh);
        (
            gt_out,
            ow,
            ow,
            (0..oh).collect(),
            (0..ow).collect(),
            None,
            win,
        )
    } else {
        let (lgt, (lw, lh), lwin) = match choice {
            Some(c) => {
                let (w, h) = ovr_sizes[c.index];
                (
                    gt.scaled(gw as f64 / w as f64, gh as f64 / h as f64),
                    (w, h),
                    c.window,
                )
            }
            None => (gt, (gw, gh), win),
        };
        if params.resampling != Resampling::Nearest {
            // the resampled second step warps the whole covered region: bound it first
            let ratio = (lwin.width / ow as f64)
                .max(lwin.height / oh as f64)
                .max(1.0);
            let reach = 2.0 * (params.resampling.kernel_radius().unwrap_or(1.0) * ratio + 2.0);
            check_source(
                (lwin.width + reach).min(lw as f64) as usize,
                (lwin.height + reach).min(lh as f64) as usize,
            )?;
        }
        let (rows, cols, region) = two_step_pixels(lwin, (lw, lh), (ow, oh), params.resampling);
        (lgt, lw, VRT_BLOCK_WIDTH, rows, cols, region, lwin)
    };
    let src_gt = meta
        .level_geotransform(level)
        .ok_or(Error::InvalidLevel(level))?;
    let src_inv = src_gt.invert().ok_or(Error::Geotransform)?;
    let coords = dst_to_src.clone();
    let reproject = params.reproject;
    let nearest = reproject == Resampling::Nearest && region.is_none();
    let level_size = meta.level_size(level).ok_or(Error::InvalidLevel(level))?;
    // the output pixels' source positions and the window they need, in one CPU job; a nearest
    // warp keeps only the index of each point's source pixel in that window (4 bytes a pixel,
    // held while the request waits for its chunks and a core)
    let (mapped, window) = crate::cpu::run(move || {
        let exact = GenImgProj {
            dst_gt: grid_gt,
            src_inv_gt: src_inv,
            coords: &*coords,
        };
        let approx = ApproxTransform {
            exact: &exact,
            max_error: DEFAULT_MAX_ERROR,
        };
        if nearest {
            let (pixels, window) = map_nearest(&approx, grid_w, span, &rows, &cols, 1);
            let window = window.and_then(|w| clip_window(w, level_size));
            let large = window.is_some_and(|(x0, y0, x1, y1)| {
                ((x1 - x0) as usize).saturating_mul((y1 - y0) as usize) > SAMPLED_READ_PIXELS
            });
            if large {
                return (Mapped::Pixels(pixels), window);
            }
            let idx = window.map_or_else(Vec::new, |w| window_indices(&pixels, w));
            return (Mapped::Indices(idx), window);
        }
        let mut map = map_pixels(&approx, grid_w, span, &rows, &cols);
        // a warp straight into the output reads GDAL's own source window, and the kernel is
        // set up from it; the resampled second step keeps a window around its mapped region
        if region.is_none() {
            let gdal = gdal_source_window(&approx, (grid_w, rows.len()), level_size, reproject);
            let Some(g) = gdal else {
                return (Mapped::Points(Box::new((map, None, None))), None);
            };
            retry_exact(&mut map, &exact, &g);
            let corners = (reproject.kernel_radius().is_none())
                .then(|| map_corners(&approx, grid_w, span, &rows, &cols));
            let window = (
                g.x_off as i64,
                g.y_off as i64,
                (g.x_off + g.width) as i64,
                (g.y_off + g.height) as i64,
            );
            return (
                Mapped::Points(Box::new((map, corners, Some(g)))),
                Some(window),
            );
        }
        let scale = map.scale();
        let stretch = (1.0 / scale.0.min(scale.1).clamp(1e-3, 1.0)).ceil() as i64;
        let margin = 1 + reproject.kernel_radius().unwrap_or(1.0).ceil() as i64 * stretch + stretch;
        let window = map.source_window(margin);
        (Mapped::Points(Box::new((map, None, None))), window)
    })
    .await
    .map_err(|e| Error::Task(e.to_string()))?;
    let nb = bands.len();
    let empty = || empty_planes(meta.dtype, nb, ow * oh);
    let Some((sx0, sy0, sx1, sy1)) = window.and_then(|w| clip_window(w, level_size)) else {
        return Ok(empty());
    };
    let has_alpha = bands.len() > params.indexes.len();
    let mapped = match mapped {
        Mapped::Pixels(pixels) => {
            let window = (sx0, sy0, sx1, sy1);
            return warp_sampled(ds, level, pixels, window, bands, nodata, has_alpha).await;
        }
        m => m,
    };
    let (sw, sh) = ((sx1 - sx0) as usize, (sy1 - sy0) as usize);
    check_source(sw, sh)?;
    let fetched = ds.fetch_window(level, sx0, sy0, sw, sh, bands).await?;
    let has_mask = meta.has_mask;
    let resampling = params.resampling;
    let dtype = meta.dtype;
    on_blocking(move || {
        let raster = fetched()?;
        let svalid = warp_source_validity(&raster, nodata, has_alpha);
        let mut source = Source {
            x_off: sx0,
            y_off: sy0,
            width: sw,
            height: sh,
            bands: &[],
            valid: &svalid,
        };
        let map = match mapped {
            Mapped::Indices(mut idx) => {
                for k in idx.iter_mut() {
                    if *k != NO_SOURCE && svalid.get(*k as usize).is_none_or(|&v| v == 0) {
                        *k = NO_SOURCE;
                    }
                }
                let valid = idx
                    .iter()
                    .map(|&i| if i == NO_SOURCE { 0 } else { 255 })
                    .collect();
                return Ok((gather(&raster, &idx), valid));
            }
            Mapped::Points(p) => *p,
            // read above, by warp_sampled
            Mapped::Pixels(_) => return Ok(empty_planes(dtype, nb, ow * oh)),
        };
        let (map, corners, gdal) = map;
        let (planes, _) = to_planes(&raster);
        source.bands = &planes;
        // GDAL masks the chunk when the dataset has a per-dataset mask, or when some pixel of
        // the window is nodata / transparent (an all-valid mask is dropped)
        let masked = (has_mask && nodata.is_none() && !has_alpha) || svalid.contains(&0);
        let kernel = match gdal {
            // Measured against GDAL 3.10 through rio-tiler's WarpedVRT (the mechanism is not
            // traced yet): when rio-tiler adds an alpha band (no nodata, no alpha of its own)
            // the filter scale leaves the window's padding out, as ComputeSourceWindow's
            // `extra` says; with nodata or a source alpha it is output size over the whole
            // window, padding included
            Some(g) => Kernel::new(
                reproject,
                (g.width, g.height),
                if add_alpha { g.extra } else { (0.0, 0.0) },
                (map.cols.len(), map.rows.len()),
                masked,
                dtype,
                nodata,
            ),
            None => Kernel::new(
                reproject,
                (sw, sh),
                (0.0, 0.0),
                (map.cols.len(), map.rows.len()),
                masked,
                dtype,
                nodata,
            ),
        };
        let mut warped = warp_with(&source, &map, corners.as_ref(), reproject, &kernel);
        if has_alpha && gdal.is_some() {
            // GDAL writes the destination alpha band from the warp's density, not from the
            // interpolated alpha samples
            let opaque = match dtype {
                DataType::I16 => 32767.0,
                DataType::U16 => 65535.0,
                _ => 255.0,
            };
            if let Some(a) = warped.bands.last_mut() {
                for (v, ok) in a.iter_mut().zip(&warped.valid) {
                    *v = if *ok != 0 { opaque } else { 0.0 };
                }
            }
        }
        Ok(match region {
            None => (typed_planes(dtype, &warped.bands), warped.valid),
            // resampled second step over the warped region
            Some((rx0, ry0)) => {
                let mut valid = vec![0u8; ow * oh];
                let mut out = Vec::with_capacity(warped.bands.len());
                for p in &warped.bands {
                    let plane = Plane {
                        width: warped.width,
                        height: warped.height,
                        values: p,
                        valid: &warped.valid,
                    };
                    let (v, ok) = resample(
                        &plane,
                        swin.col_off - rx0 as f64,
                        swin.row_off - ry0 as f64,
                        swin.width,
                        swin.height,
                        ow,
                        oh,
                        resampling,
                    );
                    valid = ok;
                    out.push(v);
                }
                (typed_planes(dtype, &out), valid)
            }
        })
    })
    .await
}

/// A nearest warp whose source window is far larger than its output (a low-zoom tile over a
/// raster without overviews): the source pixels the output points fall on are read one by one
/// ([`read_pixels`]), only the blocks under them fetched, as GDAL's warper does through the
/// block cache.
async fn warp_sampled<D: Dataset>(
    ds: &D,
    level: usize,
    pixels: Vec<(u32, u32)>,
    (x0, y0, x1, y1): crate::warp::SourceWindow,
    bands: &[usize],
    nodata: Option<f64>,
    has_alpha: bool,
) -> Result<Planes, Error> {
    let inside = |&(x, y): &(u32, u32)| {
        (x as i64) >= x0 && (x as i64) < x1 && (y as i64) >= y0 && (y as i64) < y1
    };
    // distinct pixels by row, then column (the order the blocks are read in)
    let mut distinct: Vec<(u32, u32)> = pixels
        .iter()
        .filter(|p| **p != NO_PIXEL && inside(p))
        .map(|&(x, y)| (y, x))
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    let by_row = distinct.clone();
    let raster = read_pixels(
        ds,
        level,
        distinct.into_iter().map(|(y, x)| (x, y)).collect(),
        bands,
    )
    .await?;
    on_blocking(move || {
        let svalid = warp_source_validity(&raster, nodata, has_alpha);
        let idx: Vec<u32> = pixels
            .iter()
            .map(|&(x, y)| {
                by_row
                    .binary_search(&(y, x))
                    .ok()
                    .filter(|&k| svalid.get(k).is_some_and(|&v| v != 0))
                    .map_or(NO_SOURCE, |k| k as u32)
            })
            .collect();
        let valid = idx
            .iter()
            .map(|&i| if i == NO_SOURCE { 0 } else { 255 })
            .collect();
        Ok((gather(&raster, &idx), valid))
    })
    .await
}

/// Where a warp's output pixels come from: source positions to sample with a kernel, or for
/// a nearest warp just the source pixel of each.
enum Mapped {
    /// For a nearest warp over a very large source window, the source pixel of each output
    /// point ([`NO_PIXEL`] where none), read by [`warp_sampled`].
    Pixels(Vec<(u32, u32)>),
    /// Centre positions, corner positions (footprint methods), and GDAL's source window
    /// when the warp goes straight into the output.
    #[allow(clippy::type_complexity)]
    Points(
        Box<(
            crate::warp::CoordMap,
            Option<(crate::warp::CoordMap, crate::warp::CoordMap)>,
            Option<GdalWindow>,
        )>,
    ),
    /// Per output pixel, the index of its source pixel in the (clipped) source window, or
    /// [`NO_SOURCE`].
    Indices(Vec<u32>),
}

/// `w` clipped to a level of `size` pixels; `None` when nothing is left.
fn clip_window(
    (x0, y0, x1, y1): crate::warp::SourceWindow,
    (lw, lh): (usize, usize),
) -> Option<crate::warp::SourceWindow> {
    let (x0, y0) = (x0.max(0), y0.max(0));
    let (x1, y1) = (x1.min(lw as i64), y1.min(lh as i64));
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}

/// The warper's source alpha threshold: GDAL turns an alpha value into a density `alpha /
/// SRC_ALPHA_MAX` (in float32; 65535 for a UInt16 alpha band, 32767 for Int16, else 255,
/// clamped to 1) and leaves out a source pixel whose density is below 1e-4
/// (`GWKSetPixelValue`). True when `alpha` keeps its pixel.
fn alpha_density_ok(dtype: DataType, alpha: f64) -> bool {
    let max = match dtype {
        DataType::U16 => 65535.0,
        DataType::I16 => 32767.0,
        _ => 255.0,
    };
    let inv = (1.0 / max) as f32;
    let density = (alpha as f32 * inv).min(1.0);
    (density as f64) >= 1e-4
}

/// The warper's view of which source pixels are valid: the mask, less pixels whose every
/// band equals the nodata value, or (with a real alpha band, read last) whose alpha density
/// is too small ([`alpha_density_ok`]).
fn warp_source_validity(r: &Raster, nodata: Option<f64>, has_alpha: bool) -> Vec<u8> {
    use crate::raster::Sample;
    let mut valid = r.mask.clone();
    let n = r.plane_len();
    if n == 0 {
        return valid;
    }
    crate::with_samples!(&r.data, v => {
        let planes: Vec<_> = v.chunks(n).take(r.bands).collect();
        if let Some(nd) = nodata {
            for (i, ok) in valid.iter_mut().enumerate() {
                if *ok != 0 && planes.iter().all(|p| p.get(i).is_some_and(|x| same_value(x.to_f64(), nd))) {
                    *ok = 0;
                }
            }
        } else if let (true, Some(alpha)) = (has_alpha, planes.last()) {
            let dtype = r.dtype();
            for (ok, a) in valid.iter_mut().zip(alpha.iter()) {
                if !alpha_density_ok(dtype, a.to_f64()) {
                    *ok = 0;
                }
            }
        }
    });
    valid
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

/// 255 where `keep(value)` holds, else 0 (one pass over typed samples, no per-pixel dispatch).
fn mask_where<T: crate::raster::Sample>(v: &[T], keep: impl Fn(f64) -> bool) -> Vec<u8> {
    v.iter()
        .map(|x| if keep(x.to_f64()) { 255 } else { 0 })
        .collect()
}

/// Band-sequential samples of `dtype` from per-band planes, normally of that type already (a
/// plain copy); a plane of another type is converted.
fn concat_planes(dtype: DataType, planes: Vec<Samples>, n: usize) -> Samples {
    if let Some(all) = Samples::concat(dtype, &planes) {
        return all;
    }
    let mut vals = Vec::with_capacity(n * planes.len());
    for p in &planes {
        vals.extend(p.to_f64_vec());
    }
    samples_from_f64(dtype, &vals)
}

/// The VRT pixels the second step of a two-step read looks at: for nearest, the decimation
/// indices themselves (`region` = `None`); otherwise the whole covered region plus the
/// kernel's reach, returned as its top-left corner.
#[allow(clippy::type_complexity)]
fn two_step_pixels(
    win: Window,
    (gw, gh): (usize, usize),
    (ow, oh): (usize, usize),
    resampling: Resampling,
) -> (Vec<usize>, Vec<usize>, Option<(usize, usize)>) {
    let clamp = |idx: Vec<i64>, size: usize| -> Vec<usize> {
        idx.into_iter()
            .map(|i| i.clamp(0, size as i64 - 1) as usize)
            .collect()
    };
    if resampling == Resampling::Nearest {
        let cols = clamp(nearest_indices(win.col_off, win.width, ow), gw);
        let rows = clamp(nearest_indices(win.row_off, win.height, oh), gh);
        return (rows, cols, None);
    }
    let ratio = (win.width / ow as f64).max(win.height / oh as f64).max(1.0);
    let margin = (resampling.kernel_radius().unwrap_or(1.0) * ratio).ceil() as i64 + 1;
    let x0 = (win.col_off.floor() as i64 - margin).max(0) as usize;
    let y0 = (win.row_off.floor() as i64 - margin).max(0) as usize;
    let x1 = (((win.col_off + win.width).ceil() as i64 + margin).max(1) as usize).min(gw);
    let y1 = (((win.row_off + win.height).ceil() as i64 + margin).max(1) as usize).min(gh);
    (
        (y0..y1.max(y0 + 1)).collect(),
        (x0..x1.max(x0 + 1)).collect(),
        Some((x0, y0)),
    )
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

/// Turns sampled planes into rio-tiler's `ImageData` (types, masks, alpha, unscale). The pixel
/// work of a large read goes to the CPU pool; a tile's (a few tens of microseconds) is done in
/// place, cheaper than a hand-off.
#[allow(clippy::too_many_arguments)]
async fn assemble<D: Dataset>(
    dtype: DataType,
    planes: Vec<Samples>,
    valid: Vec<u8>,
    ow: usize,
    oh: usize,
    params: &ReadParams,
    nodata: Option<f64>,
    has_alpha: bool,
    warped: bool,
    bounds: [f64; 4],
    crs: Crs,
    ds: &D,
) -> Result<ImageData, Error> {
    let meta = ds.meta();
    let idx = &params.indexes;
    let stats: Vec<(f64, f64)> = idx
        .iter()
        .filter_map(|b| meta.statistics.get(b - 1).copied().flatten())
        .collect();
    let mut dataset_statistics = (stats.len() == idx.len()).then_some(stats);
    let mut scales: Vec<f64> = idx
        .iter()
        .map(|b| meta.scales.get(b - 1).copied().unwrap_or(1.0))
        .collect();
    let mut offsets: Vec<f64> = idx
        .iter()
        .map(|b| meta.offsets.get(b - 1).copied().unwrap_or(0.0))
        .collect();
    let pixels = Pixels {
        dtype,
        n: ow * oh,
        planes,
        valid,
        nodata,
        has_alpha,
        warped,
        unscale: params.unscale.then(|| (scales.clone(), offsets.clone())),
    };
    let (data, mask, band_masks, alpha) = if ow * oh <= INLINE_ASSEMBLE_PIXELS {
        pixels.assemble()
    } else {
        on_blocking(move || Ok(pixels.assemble())).await?
    };
    if params.unscale {
        if let Some(st) = dataset_statistics.as_mut() {
            for (b, s) in st.iter_mut().enumerate() {
                *s = (s.0 * scales[b] + offsets[b], s.1 * scales[b] + offsets[b]);
            }
        }
        scales = vec![1.0; idx.len()];
        offsets = vec![0.0; idx.len()];
    }
    let band_names: Vec<String> = idx.iter().map(|b| format!("b{b}")).collect();
    // Each band is described by its own description (or its name). rio-tiler 9 describes every
    // band like the *last* one read (a leftover loop variable); cogtiler deliberately does not:
    // see tests/conformance-divergences.txt
    let band_descriptions = idx
        .iter()
        .map(|b| {
            meta.descriptions
                .get(b - 1)
                .cloned()
                .flatten()
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| format!("b{b}"))
        })
        .collect();
    Ok(ImageData {
        raster: Raster {
            width: ow,
            height: oh,
            bands: idx.len(),
            data,
            mask,
        },
        band_masks,
        alpha,
        bounds,
        crs,
        band_names,
        band_descriptions,
        dataset_statistics,
        scales,
        offsets,
        nodata,
    })
}

/// Outputs up to this many pixels (a 512 × 512 tile) are assembled without a CPU job.
const INLINE_ASSEMBLE_PIXELS: usize = 512 * 512;

/// The pixel half of [`assemble`]: what it needs, owned, so it can run on the CPU pool.
struct Pixels {
    dtype: DataType,
    /// Pixels per plane.
    n: usize,
    /// One plane per read band (the alpha band last, if read).
    planes: Vec<Samples>,
    valid: Vec<u8>,
    nodata: Option<f64>,
    has_alpha: bool,
    warped: bool,
    /// Per-band scales and offsets to apply (rio-tiler's `unscale=True`).
    unscale: Option<(Vec<f64>, Vec<f64>)>,
}

impl Pixels {
    /// Fills pixels nothing landed on, derives the masks and joins the bands: (samples,
    /// dataset mask, per-band masks, alpha plane).
    fn assemble(self) -> (Samples, Vec<u8>, Vec<Vec<u8>>, Option<Samples>) {
        let Pixels {
            dtype,
            n,
            mut planes,
            valid,
            nodata,
            has_alpha,
            warped,
            unscale,
        } = self;
        let alpha = if has_alpha { planes.pop() } else { None };
        // pixels nothing landed on: the warper's initial value (nodata or 0); boundless reads
        // fill with nodata too
        let fill = nodata.unwrap_or(0.0);
        if warped || nodata.is_some() {
            for p in planes.iter_mut() {
                crate::with_samples!(p, v => {
                    let fill = crate::raster::Sample::from_f64(fill);
                    for (x, ok) in v.iter_mut().zip(&valid) {
                        if *ok == 0 {
                            *x = fill;
                        }
                    }
                });
            }
        }
        let band_masks: Vec<Vec<u8>> = match (nodata, &alpha) {
            (Some(nd), _) => planes
                .iter()
                .map(|s| crate::with_samples!(s, v => mask_where(v, |x| !same_value(x, nd))))
                .collect(),
            (None, Some(a)) => {
                let opaque = dtype.range().1;
                let m = crate::with_samples!(a, v => mask_where(v, |x| x == opaque));
                vec![m; planes.len()]
            }
            (None, None) => vec![valid.clone(); planes.len()],
        };
        let mut mask = vec![0u8; n];
        for bm in &band_masks {
            for (m, v) in mask.iter_mut().zip(bm) {
                *m |= *v;
            }
        }
        let data = match unscale {
            Some((scales, offsets)) => {
                let mut all = Vec::with_capacity(n * planes.len());
                for (b, s) in planes.iter().enumerate() {
                    // numpy: float32 data times the float64 scale, stored back as float32, then
                    // the same for the offset (two float32 roundings, like rio-tiler's in-place
                    // ufuncs)
                    let sc = scales.get(b).copied().unwrap_or(1.0);
                    let of = offsets.get(b).copied().unwrap_or(0.0);
                    crate::with_samples!(s, v => all.extend(v.iter().map(|x| {
                        let scaled = ((crate::raster::Sample::to_f64(*x) as f32) as f64 * sc) as f32;
                        (scaled as f64 + of) as f32
                    })));
                }
                Samples::F32(all)
            }
            None => concat_planes(dtype, planes, n),
        };
        (data, mask, band_masks, alpha)
    }
}
