//! Windows reaching past the raster, read through rasterio's boundless VRT
//! ([`crate::warp::boundless`]): each VRT request (the first band through the VRT's implicit
//! overviews, the others at full size) fills the part of the output its source covers.

use crate::affine::Window;
use crate::cog::PixelWindow;
use crate::warp::decimate::{nearest_indices, RasterIo};
use crate::warp::{select_overview, BoundlessVrt, IntWindow, SourceRequest};

use super::resampled::read_resampled;
use super::sampled::{distinct, place, positions, read_grid};
use super::{check_source, empty_planes, on_blocking, Planes, ReadParams, SAMPLED_READ_PIXELS};
use crate::reader::image::samples_from_f64;
use crate::reader::{Dataset, DatasetMeta, Error};

/// One read of a boundless VRT request: the bands it serves, where its samples land in the
/// output (`(x, y, width, height)`), and the level and window read for it.
struct BoundlessPart {
    bands: std::ops::Range<usize>,
    out: (usize, usize, usize, usize),
    level: usize,
    /// The window in the level's pixels, and rasterio's integer version of it.
    window: Window,
    int_window: IntWindow,
    /// The level's size.
    level_size: (usize, usize),
}

/// The VRT set-up both boundless reads share: rasterio's boundless VRT over `window`, its
/// request for the first band (through the VRT's implicit overviews) and for the others (one
/// part when both agree), and for each the overview GDAL reads. Parts with nothing to read
/// are left out.
fn boundless_parts(
    meta: &DatasetMeta,
    window: Window,
    params: &ReadParams,
    band_count: usize,
) -> Result<Vec<BoundlessPart>, Error> {
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
    let nb = band_count;
    // one read for all bands when both requests agree, else the first band apart
    let groups: Vec<(Option<SourceRequest>, std::ops::Range<usize>)> = if first == rest {
        vec![(first, 0..nb)]
    } else {
        vec![(first, 0..nb.min(1)), (rest, nb.min(1)..nb)]
    };
    let mut parts = Vec::with_capacity(groups.len());
    for (req, bands) in groups {
        let Some(req) = req else { continue };
        let (_, _, w, h) = req.out;
        if bands.is_empty() || w == 0 || h == 0 {
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
        let (level, window, int_window) = match choice {
            Some(c) => (c.index + 1, c.window, c.int_window),
            None => (0, req.window, req.int_window),
        };
        let (lw, lh) = meta.level_size(level).ok_or(Error::InvalidLevel(level))?;
        if lw == 0 || lh == 0 {
            continue;
        }
        parts.push(BoundlessPart {
            bands,
            out: req.out,
            level,
            window,
            int_window,
            level_size: (lw, lh),
        });
    }
    Ok(parts)
}

/// A resampled read of a window reaching past the raster, through rasterio's boundless VRT:
/// the VRT hands each band's request to the raster (the first band through the VRT's
/// implicit overviews, like [`read_boundless`]), which resamples its part of the window into
/// the part of the buffer it covers; the rest stays empty.
pub(super) async fn read_boundless_resampled<D: Dataset>(
    ds: &D,
    window: Window,
    params: &ReadParams,
    bands: &[usize],
) -> Result<Planes, Error> {
    let meta = ds.meta();
    let (ow, oh) = (params.out_width, params.out_height);
    let nb = bands.len();
    let (mut out, mut valid) = empty_planes(meta.dtype, nb, ow * oh);
    for part in boundless_parts(meta, window, params, nb)? {
        let BoundlessPart {
            bands: range,
            out: (ox, oy, w, h),
            level,
            window: win,
            int_window,
            level_size: (lw, lh),
        } = part;
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

/// Values and validity for a nearest read of a window reaching past the raster: rasterio's
/// boundless VRT ([`crate::warp::boundless`]). The first band read goes through the VRT's
/// implicit overviews, the others (alpha included) through the full-size VRT; each fills the
/// part of the output its source covers, which is also where it is valid.
pub(super) async fn read_boundless<D: Dataset>(
    ds: &D,
    window: Window,
    params: &ReadParams,
    bands: &[usize],
) -> Result<Planes, Error> {
    let meta = ds.meta();
    let (ow, oh) = (params.out_width, params.out_height);
    let nb = bands.len();
    // The output planes are made in the first CPU job, not here: a request waiting for its
    // chunks or for a core should not hold them.
    let dtype = meta.dtype;
    let mut planes: Option<Planes> = None;
    for part in boundless_parts(meta, window, params, nb)? {
        let BoundlessPart {
            bands: range,
            out: (ox, oy, w, h),
            level,
            window: win,
            level_size: (lw, lh),
            ..
        } = part;
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
            let fetched: crate::reader::Assemble = Box::new(move || Ok(raster));
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
                .fetch_window(PixelWindow {
                    level,
                    x: c0 as i64,
                    y: r0 as i64,
                    width: sw,
                    height: sh,
                    bands: band_ids,
                })
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
