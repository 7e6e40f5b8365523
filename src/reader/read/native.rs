//! Same-CRS reads ([`super::Grid::Native`]): GDAL RasterIO's overview choice, then each output
//! pixel mapped to a source pixel; a window past the raster goes through the boundless VRT
//! ([`super::boundless`]), a resampled one through [`super::resampled`], a window far larger
//! than the output reads only its sample points ([`super::sampled`]).

use crate::affine::{GeoTransform, Window};
use crate::cog::PixelWindow;
use crate::warp::decimate::{nearest_indices, RasterIo};
use crate::warp::{best_overview, warper::VRT_BLOCK_WIDTH, IntWindow, Resampling, NO_SOURCE};

use super::boundless::{read_boundless, read_boundless_resampled};
use super::resampled::read_resampled;
use super::sampled::{distinct, positions, read_grid};
use super::{
    check_source, empty_planes, gather, on_blocking, split_bands, Planes, ReadParams,
    SAMPLED_READ_PIXELS,
};
use crate::reader::{Dataset, Error};

/// Values (one plane per read band) and validity for a native-grid read.
pub(super) async fn read_native<D: Dataset>(
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
            let fetched: crate::reader::Assemble = Box::new(move || Ok(raster));
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
            let fetched = ds
                .fetch_window(PixelWindow {
                    level,
                    x: c0,
                    y: r0,
                    width: sw,
                    height: sh,
                    bands,
                })
                .await?;
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
