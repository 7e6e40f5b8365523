//! A GCP-georeferenced COG seen through its warped VRT ([`crate::warp::gcp_vrt`]).
//!
//! rio-tiler never reads such a raster directly: it reads the north-up warped VRT rasterio
//! builds around it. So the reader's [`Dataset`](super::Dataset) for it *is* that VRT: its
//! description ([`gcp_meta`]) is the VRT grid, with the added alpha band and the implicit
//! overviews, and its window reads ([`read_gcp_window`]) warp the source pixels under the
//! window with nearest neighbour, the way GDAL fills the VRT's blocks. Everything above (tile
//! warps, previews, statistics) then runs unchanged, as rio-tiler's does over the VRT.

use std::sync::Arc;

use crate::affine::GeoTransform;
use crate::cog::PixelWindow;
use crate::cog::{Cog, CogHeader};
use crate::raster::{Raster, Sample};
use crate::warp::gcp_vrt::alpha_max;
use crate::warp::kernel::Source;
use crate::warp::{warp_points, CoordMap, GcpVrt, Resampling};

use super::band_meta::BandMeta;
use super::dataset::DatasetMeta;
use super::read::{on_blocking, same_value, to_planes, MAX_SOURCE_PIXELS};
use super::Error;

/// True when rasterio's `WarpedVRT` gets an added alpha band (rio-tiler's `add_alpha`): the
/// raster has neither a nodata value nor an alpha band of its own.
fn adds_alpha(h: &CogHeader) -> bool {
    h.nodata.is_none() && h.alpha_band.is_none()
}

/// The reader's description of the warped VRT around the GCP raster `h`.
pub(super) fn gcp_meta(
    h: &CogHeader,
    vrt: &GcpVrt,
    crs: crate::crs::Crs,
) -> Result<DatasetMeta, Error> {
    if h.alpha_band.is_some() {
        // GDAL would warp the source alpha as the VRT's alpha; not modelled here
        return Err(Error::Unsupported(format!(
            "dataset '{}' is georeferenced by ground control points and has an alpha band",
            h.url
        )));
    }
    let base = vrt.base();
    let extra = adds_alpha(h) as usize;
    let bands = h.bands + extra;
    let BandMeta {
        mut descriptions,
        mut scales,
        mut offsets,
        mut statistics,
    } = BandMeta::of(h);
    if extra == 1 {
        statistics.push(None);
        descriptions.push(None);
        scales.push(1.0);
        offsets.push(0.0);
    }
    Ok(DatasetMeta {
        width: base.width,
        height: base.height,
        bands,
        dtype: h.dtype,
        geotransform: base.geotransform,
        crs,
        nodata: h.nodata,
        alpha_band: (extra == 1).then_some(bands),
        has_mask: false,
        overviews: vrt.overview_sizes(),
        // GDAL's warped VRT block size
        block_size: (base.width.min(512), base.height.min(128)),
        descriptions,
        scales,
        offsets,
        statistics,
    })
}

/// Reads the boundless window `(x, y, w, h)` of VRT level `level` for the 1-based `bands` of
/// the VRT (the added alpha band included), block by block as GDAL fills the VRT. Outside the
/// VRT grid: 0 with mask 0.
pub(super) async fn read_gcp_window(
    cog: &Cog,
    vrt: &Arc<GcpVrt>,
    meta: &DatasetMeta,
    window: PixelWindow<'_>,
) -> Result<Raster, Error> {
    let PixelWindow {
        level,
        x,
        y,
        width: w,
        height: h,
        bands,
    } = window;
    check_request(meta, level, w, h, bands)?;
    let vrt2 = Arc::clone(vrt);
    let map = on_blocking(move || Ok(vrt2.map_window(level, x, y, w, h))).await?;
    warp_into(cog, meta, level, map, (x, y, w, h), bands).await
}

/// Reads every pixel of a `w × h` grid with geotransform `gt` over VRT level `level`'s
/// source, each output pixel centre mapped straight to the source: what GDAL's
/// VRTWarpedDataset::IRasterIO does when all bands of the VRT are read over its whole extent
/// (the request's resampling plays no part).
pub(super) async fn read_gcp_direct(
    cog: &Cog,
    vrt: &Arc<GcpVrt>,
    meta: &DatasetMeta,
    level: usize,
    (gt, w, h): (GeoTransform, usize, usize),
    bands: &[usize],
) -> Result<Raster, Error> {
    check_request(meta, level, w, h, bands)?;
    let vrt2 = Arc::clone(vrt);
    let map = on_blocking(move || Ok(vrt2.map_grid(level, gt, w, h))).await?;
    warp_into(cog, meta, level, map, (0, 0, w, h), bands).await
}

/// Rejects bad band indexes, unknown levels and oversized outputs before any work.
fn check_request(
    meta: &DatasetMeta,
    level: usize,
    w: usize,
    h: usize,
    bands: &[usize],
) -> Result<(), Error> {
    for &b in bands {
        if b == 0 || b > meta.bands {
            return Err(Error::InvalidBand(b));
        }
    }
    meta.level_size(level).ok_or(Error::InvalidLevel(level))?;
    match w.checked_mul(h) {
        Some(n) if n <= MAX_SOURCE_PIXELS => Ok(()),
        _ => Err(Error::TooLarge {
            what: "gcp vrt window",
            value: w.saturating_mul(h),
        }),
    }
}

/// Samples the source level under the mapped pixels (nearest) into a `w × h` raster whose
/// pixel `(0, 0)` is grid pixel `(x, y)`. Mapped pixels get mask 255; a pixel whose centre
/// lands on a valid source pixel gets that pixel's values and an opaque alpha, any other the
/// fill value (nodata or 0) and alpha 0.
async fn warp_into(
    cog: &Cog,
    meta: &DatasetMeta,
    level: usize,
    map: Option<CoordMap>,
    (x, y, w, h): (i64, i64, usize, usize),
    bands: &[usize],
) -> Result<Raster, Error> {
    let plane = w * h;
    let mut out = Raster::empty(meta.dtype, bands.len(), w, h);
    let Some(map) = map else {
        return Ok(out);
    };
    // the source bands behind the requested VRT bands (band 1 when only alpha is asked: its
    // mask still decides where alpha is opaque)
    let src_count = cog.header().bands;
    let mut src_bands: Vec<usize> = bands.iter().copied().filter(|b| *b <= src_count).collect();
    src_bands.sort_unstable();
    src_bands.dedup();
    if src_bands.is_empty() {
        src_bands.push(1);
    }
    let (slw, slh) = cog
        .header()
        .levels
        .get(level)
        .map(|l| (l.width as i64, l.height as i64))
        .ok_or(Error::InvalidLevel(level))?;
    let window = map
        .source_window(1)
        .map(|(x0, y0, x1, y1)| (x0.max(0), y0.max(0), x1.min(slw), y1.min(slh)))
        .filter(|(x0, y0, x1, y1)| x1 > x0 && y1 > y0);
    let src = match window {
        Some((x0, y0, x1, y1)) => {
            let (sw, sh) = ((x1 - x0) as usize, (y1 - y0) as usize);
            if sw.saturating_mul(sh) > MAX_SOURCE_PIXELS {
                return Err(Error::TooLarge {
                    what: "gcp vrt source window",
                    value: sw.saturating_mul(sh),
                });
            }
            Some((
                x0,
                y0,
                cog.read_window(PixelWindow {
                    level,
                    x: x0,
                    y: y0,
                    width: sw,
                    height: sh,
                    bands: &src_bands,
                })
                .await?,
            ))
        }
        None => None,
    };
    let nodata = meta.nodata;
    let alpha = meta.alpha_band;
    let opaque = alpha_max(meta.dtype);
    let bands = bands.to_vec();
    on_blocking(move || {
        let warped = src.map(|(x0, y0, r)| {
            let (planes, mut valid) = to_planes(&r);
            if let Some(nd) = nodata {
                // the warper skips source pixels equal to nodata in every band
                for (i, v) in valid.iter_mut().enumerate() {
                    if planes.iter().all(|p| same_value(p[i], nd)) {
                        *v = 0;
                    }
                }
            }
            let source = Source {
                x_off: x0,
                y_off: y0,
                width: r.width,
                height: r.height,
                bands: &planes,
                valid: &valid,
            };
            warp_points(&source, &map, Resampling::Nearest)
        });
        let fill = nodata.unwrap_or(0.0);
        let ncols = map.cols.len();
        crate::with_samples!(&mut out.data, dst => {
            for (ri, &row) in map.rows.iter().enumerate() {
                for (ci, &col) in map.cols.iter().enumerate() {
                    let i = ri * ncols + ci;
                    let o = (row as i64 - y) as usize * w + (col as i64 - x) as usize;
                    out.mask[o] = 255;
                    let ok = warped.as_ref().is_some_and(|wp| wp.valid[i] != 0);
                    for (k, &b) in bands.iter().enumerate() {
                        let v = if Some(b) == alpha {
                            if ok { opaque } else { 0.0 }
                        } else if ok {
                            let p = src_bands.iter().position(|s| *s == b);
                            match (warped.as_ref(), p) {
                                (Some(wp), Some(p)) => wp.bands[p][i],
                                _ => fill,
                            }
                        } else {
                            fill
                        };
                        dst[k * plane + o] = Sample::from_f64(v);
                    }
                }
            }
        });
        Ok(out)
    })
    .await
}
