//! Reads in another CRS ([`super::Grid::Warped`]): GDAL's warped VRT. The output pixels are
//! mapped to the source, the matching overview is warped (GDAL's source window, kernels and
//! validity rule), then resized to the output like RasterIO.

use std::sync::Arc;

use crate::affine::{GeoTransform, Window};
use crate::cog::PixelWindow;
use crate::raster::{DataType, Raster};
use crate::warp::decimate::{nearest_indices, resample, Plane};
use crate::warp::kernel::{Kernel, Source};
use crate::warp::{
    best_overview, gdal_source_window, map_corners, map_nearest, map_pixels, retry_exact,
    warp_with, warper::VRT_BLOCK_WIDTH, window_indices, ApproxTransform, CoordTransform,
    GdalWindow, GenImgProj, Resampling, DEFAULT_MAX_ERROR, NO_PIXEL, NO_SOURCE,
};

use super::sampled::read_pixels;
use super::{
    check_source, empty_planes, gather, on_blocking, same_value, to_planes, typed_planes, Planes,
    ReadParams, SAMPLED_READ_PIXELS,
};
use crate::reader::alpha::alpha_density_ok;
use crate::reader::{Dataset, Error};

/// Values and validity for a read of a warped VRT grid.
///
/// GDAL picks one of the VRT's implicit overviews (one per source overview, sized VRT size /
/// source factor) with the usual threshold rule. Then, when every VRT band is read over the
/// whole VRT (the usual tile read), it warps the chosen source level *directly* into the
/// output buffer: each output pixel centre maps straight to the source and the RasterIO
/// resampling plays no part. Otherwise (a band subset, or a padded window) it warps the VRT
/// block by block and decimates: two steps.
#[allow(clippy::too_many_arguments)]
pub(super) async fn read_warped<D: Dataset>(
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
    let fetched = ds
        .fetch_window(PixelWindow {
            level,
            x: sx0,
            y: sy0,
            width: sw,
            height: sh,
            bands,
        })
        .await?;
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
pub(super) async fn warp_sampled<D: Dataset>(
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
pub(super) enum Mapped {
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
pub(super) fn clip_window(
    (x0, y0, x1, y1): crate::warp::SourceWindow,
    (lw, lh): (usize, usize),
) -> Option<crate::warp::SourceWindow> {
    let (x0, y0) = (x0.max(0), y0.max(0));
    let (x1, y1) = (x1.min(lw as i64), y1.min(lh as i64));
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}

/// The warper's view of which source pixels are valid: the mask, less pixels whose every
/// band equals the nodata value, or (with a real alpha band, read last) whose alpha density
/// is too small ([`alpha_density_ok`]).
pub(super) fn warp_source_validity(r: &Raster, nodata: Option<f64>, has_alpha: bool) -> Vec<u8> {
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

/// The VRT pixels the second step of a two-step read looks at: for nearest, the decimation
/// indices themselves (`region` = `None`); otherwise the whole covered region plus the
/// kernel's reach, returned as its top-left corner.
#[allow(clippy::type_complexity)]
pub(super) fn two_step_pixels(
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
