//! `part`: the pixels of a bounding box, in the dataset CRS or reprojected (rio-tiler
//! `reader.part`). Tiles are parts whose bounds are the tile's and whose size is the tile size.
//!
//! Same CRS: the box becomes a fractional window of the dataset and RasterIO resizes it.
//! Other CRS: rio-tiler builds a warped VRT over the box at the dataset's native resolution
//! in the output CRS (`get_vrt_transform`: GDAL's suggested warp output gives the resolution;
//! the output resolution is used instead when it is finer, i.e. over-zoom), and reads the whole
//! VRT into the output size.

use crate::affine::{GeoTransform, Window};
use crate::crs::{transform_bounds, Crs, Transformer};
use crate::raster::{Raster, Samples};
use crate::warp::calculate_default_transform;
use crate::warp::CoordTransform;

use super::options::PartOptions;
use super::read::{read, Grid, ReadParams};
use super::{Dataset, DatasetMeta, Error, ImageData};

/// Adapts a CRS transformer to the warper's coordinate interface (failures → not ok).
pub(crate) struct ProjCoords(pub Transformer);

impl CoordTransform for ProjCoords {
    fn transform_coords(&self, xs: &mut [f64], ys: &mut [f64], ok: &mut [bool]) {
        if self.0.transform_lossy(xs, ys).is_err() {
            ok.iter_mut().for_each(|o| *o = false);
            return;
        }
        for i in 0..ok.len().min(xs.len()) {
            if !(xs[i].is_finite() && ys[i].is_finite()) {
                ok[i] = false;
            }
        }
    }
}

/// rio-tiler `_get_width_height`: keep the native size when it fits in `max_size`, else make
/// the longest side `max_size` and round the other up.
pub fn width_height_for_max_size(max_size: usize, height: usize, width: usize) -> (usize, usize) {
    if height.max(width) < max_size {
        return (height, width);
    }
    let ratio = height as f64 / width.max(1) as f64;
    if ratio > 1.0 {
        (max_size, (max_size as f64 / ratio).ceil() as usize)
    } else {
        ((max_size as f64 * ratio).ceil() as usize, max_size)
    }
}

/// Python's `round()` (ties to even), which rio-tiler uses for sizes.
pub(crate) fn py_round(v: f64) -> f64 {
    v.round_ties_even()
}

/// Grows `bounds` by `buffer` output pixels on each side (rio-tiler `_apply_buffer`).
fn apply_buffer(
    buffer: f64,
    bounds: [f64; 4],
    height: usize,
    width: usize,
) -> ([f64; 4], usize, usize) {
    let xres = (bounds[2] - bounds[0]) / width as f64;
    let yres = (bounds[3] - bounds[1]) / height as f64;
    let b = [
        bounds[0] - xres * buffer,
        bounds[1] - yres * buffer,
        bounds[2] + xres * buffer,
        bounds[3] + yres * buffer,
    ];
    let grow = (buffer * 2.0) as usize;
    (b, height + grow, width + grow)
}

/// rio-tiler `_requested_tile_aligned_with_internal_tile`.
fn is_aligned(meta: &DatasetMeta, bounds: [f64; 4], bounds_crs: &Crs) -> bool {
    if meta.block_size.0 == meta.width {
        return false;
    }
    if meta.crs != *bounds_crs {
        return false;
    }
    let Some(w) = meta.geotransform.window(bounds) else {
        return false;
    };
    let (rw, rh) = (py_round(w.width) as i64, py_round(w.height) as i64);
    if rw % 64 != 0 && rh % 64 != 0 {
        return false;
    }
    if (meta.width as i64 - py_round(w.col_off) as i64) % 64 != 0 {
        return false;
    }
    if (meta.height as i64 - py_round(w.row_off) as i64) % 64 != 0 {
        return false;
    }
    true
}

fn round_to(v: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (v * p).round_ties_even() / p
}

/// rio-tiler `get_vrt_transform`: the warped VRT grid for `bounds` in `dst_crs`.
fn vrt_transform(
    meta: &DatasetMeta,
    bounds: [f64; 4],
    height: Option<usize>,
    width: Option<usize>,
    dst_crs: &Crs,
    align_bounds_with_dataset: bool,
) -> Result<(GeoTransform, usize, usize), Error> {
    let dst_gt = if meta.crs != *dst_crs {
        let mut src_w = meta.width;
        let mut src_h = meta.height;
        let mut sb = meta.bounds();
        // rio-tiler #654: clamp latitudes beyond Web Mercator's domain before asking GDAL
        if meta.crs.epsg() == Some(4326)
            && dst_crs.epsg() == Some(3857)
            && (sb[1] < -85.06 || sb[3] > 85.06)
        {
            let nb = [sb[0], sb[1].max(-85.06), sb[2], sb[3].min(85.06)];
            if let Some(w) = meta.geotransform.window(nb) {
                src_h = py_round(w.height) as usize;
                src_w = py_round(w.width) as usize;
                sb = nb;
            }
        }
        // rasterio's `calculate_default_transform` from the *bounds*: a rotated dataset is
        // taken as the axis-aligned grid over its extent, as rio-tiler asks
        let out = calculate_default_transform(&meta.crs, dst_crs, src_w, src_h, sb)?;
        out.geotransform
    } else {
        meta.geotransform
    };
    let mut bounds = bounds;
    if is_aligned(meta, bounds, dst_crs) {
        if let Some(w) = dst_gt.window(bounds) {
            let w = Window {
                col_off: round_to(w.col_off, 6),
                row_off: round_to(w.row_off, 6),
                width: round_to(w.width, 6),
                height: round_to(w.height, 6),
            };
            bounds = w.bounds(&meta.geotransform);
        }
    } else if align_bounds_with_dataset {
        if let Some(w) = dst_gt.window(bounds) {
            let (c0, c1) = (w.col_off.floor(), (w.col_off + w.width).ceil());
            let (r0, r1) = (w.row_off.floor(), (w.row_off + w.height).ceil());
            let w = Window {
                col_off: c0,
                row_off: r0,
                width: c1 - c0,
                height: r1 - r0,
            };
            bounds = w.bounds(&dst_gt);
        }
    }
    let [w, s, e, n] = bounds;
    let mut w_res = dst_gt.0[1];
    let mut h_res = dst_gt.0[5];
    if height.is_some() || width.is_some() {
        let (mut height, mut width) = (height, width);
        if height.is_none() || width.is_none() {
            let tw = py_round((e - w) / w_res).max(1.0);
            let th = py_round((s - n) / h_res).max(1.0);
            let ratio = th / tw;
            match width {
                Some(wd) => height = Some((wd as f64 * ratio).ceil() as usize),
                None => width = Some((height.unwrap_or(1) as f64 / ratio).ceil() as usize),
            }
        }
        let out = GeoTransform::from_bounds(
            bounds,
            width.unwrap_or(1).max(1),
            height.unwrap_or(1).max(1),
        );
        if dst_gt.0[1].abs() > out.0[1].abs() {
            w_res = out.0[1];
        }
        if dst_gt.0[5].abs() > out.0[5].abs() {
            h_res = out.0[5];
        }
    }
    let vw = py_round((e - w) / w_res).max(1.0);
    let vh = py_round((s - n) / h_res).max(1.0);
    // GDAL's limit: a (never allocated) warped VRT of up to 2^31 - 1 pixels per side
    if !(vw.is_finite() && vh.is_finite()) || vw > i32::MAX as f64 || vh > i32::MAX as f64 {
        return Err(Error::TooLarge {
            what: "warped grid",
            value: usize::MAX,
        });
    }
    let (vw, vh) = (vw as usize, vh as usize);
    Ok((GeoTransform::from_bounds(bounds, vw, vh), vw, vh))
}

fn missing_size(w: Option<usize>, h: Option<usize>) -> bool {
    w.is_some() != h.is_some()
}

/// Reads `bounds` (in `opts.bounds_crs`, default `dst_crs`) into an image (rio-tiler `part`).
pub async fn part<D: Dataset>(
    ds: &D,
    bounds: [f64; 4],
    opts: &PartOptions,
) -> Result<ImageData, Error> {
    let meta = ds.meta();
    let mut max_size = opts.max_size;
    if max_size.is_some() && (opts.width.is_some() || opts.height.is_some()) {
        max_size = None;
    }
    if let Some(b) = opts.buffer {
        if b % 0.5 != 0.0 || !b.is_finite() || b < 0.0 {
            return Err(Error::InvalidBufferSize(b));
        }
    }
    let buffer = opts.buffer.filter(|b| *b > 0.0);
    let padding = opts.padding;
    let dst_crs = opts.dst_crs.clone().unwrap_or_else(|| meta.crs.clone());
    let mut bounds = bounds;
    if let Some(bc) = &opts.bounds_crs {
        if *bc != dst_crs {
            bounds = transform_bounds(bc, &dst_crs, bounds, 21)?;
        }
    }
    let indexes = opts
        .read
        .indexes
        .clone()
        .unwrap_or_else(|| meta.non_alpha_indexes());
    let mk = |w: usize, h: usize| ReadParams {
        out_width: w,
        out_height: h,
        indexes: indexes.clone(),
        nodata: opts.read.nodata,
        resampling: opts.read.resampling,
        reproject: opts.read.reproject,
        unscale: opts.read.unscale,
        max_output_pixels: opts.read.max_output_pixels,
    };
    if meta.crs != dst_crs {
        let (mut vgt, mut vw, mut vh) = vrt_transform(
            meta,
            bounds,
            opts.height,
            opts.width,
            &dst_crs,
            opts.align_bounds_with_dataset,
        )?;
        bounds = vgt.bounds(vw, vh);
        let (mut height, mut width) = (opts.height, opts.width);
        if let Some(ms) = max_size {
            let (h, w) = width_height_for_max_size(ms, vh, vw);
            height = Some(h);
            width = Some(w);
        } else if missing_size(width, height) {
            let ratio = vh as f64 / vw as f64;
            match width {
                Some(w) => height = Some((w as f64 * ratio).ceil() as usize),
                None => width = Some((height.unwrap_or(1) as f64 / ratio).ceil() as usize),
            }
        }
        let mut height = height.unwrap_or(vh);
        let mut width = width.unwrap_or(vw);
        if let Some(b) = buffer {
            let (nb, h, w) = apply_buffer(b, bounds, height, width);
            height = h;
            width = w;
            let t = vrt_transform(
                meta,
                nb,
                Some(height),
                Some(width),
                &dst_crs,
                opts.align_bounds_with_dataset,
            )?;
            vgt = t.0;
            vw = t.1;
            vh = t.2;
            bounds = vgt.bounds(vw, vh);
        }
        let mut window = None;
        if padding > 0 && !is_aligned(meta, bounds, &dst_crs) {
            let p = padding as f64;
            vgt = vgt.translated(-p, -p);
            window = Some(Window {
                col_off: p,
                row_off: p,
                width: vw as f64,
                height: vh as f64,
            });
            vw += 2 * padding;
            vh += 2 * padding;
        }
        let transformer = Transformer::new(&dst_crs, &meta.crs)?;
        let coords = ProjCoords(transformer);
        let grid = Grid::Warped {
            gt: vgt,
            width: vw,
            height: vh,
            window,
            crs: dst_crs.clone(),
            dst_to_src: std::sync::Arc::new(coords),
        };
        return read(ds, grid, &mk(width, height)).await;
    }
    // same CRS: a window of the dataset grid
    let gt = meta.geotransform;
    let mut window = gt.window(bounds).ok_or(Error::Geotransform)?;
    if opts.align_bounds_with_dataset {
        let (c0, c1) = (
            window.col_off.floor(),
            (window.col_off + window.width).ceil(),
        );
        let (r0, r1) = (
            window.row_off.floor(),
            (window.row_off + window.height).ceil(),
        );
        window = Window {
            col_off: c0,
            row_off: r0,
            width: c1 - c0,
            height: r1 - r0,
        };
        bounds = window.bounds(&gt);
    }
    let (mut height, mut width) = (opts.height, opts.width);
    if let Some(ms) = max_size {
        let (h, w) = width_height_for_max_size(
            ms,
            py_round(window.height) as usize,
            py_round(window.width) as usize,
        );
        height = Some(h);
        width = Some(w);
    } else if missing_size(width, height) {
        let ratio = window.height / window.width;
        match width {
            Some(w) => height = Some((w as f64 * ratio).ceil() as usize),
            None => width = Some((height.unwrap_or(1) as f64 / ratio).ceil() as usize),
        }
    }
    let mut height = height.unwrap_or_else(|| py_round(window.height).max(1.0) as usize);
    let mut width = width.unwrap_or_else(|| py_round(window.width).max(1.0) as usize);
    if let Some(b) = buffer {
        let (nb, h, w) = apply_buffer(b, bounds, height, width);
        bounds = nb;
        height = h;
        width = w;
        window = gt.window(bounds).ok_or(Error::Geotransform)?;
    }
    if padding > 0 && !is_aligned(meta, bounds, &dst_crs) {
        let (pb, h, w) = apply_buffer(padding as f64, bounds, height, width);
        let pwin = gt.window(pb).ok_or(Error::Geotransform)?;
        let img = read(ds, Grid::Native { window: pwin }, &mk(w, h)).await?;
        let mut cropped = crop(img, padding, width, height);
        cropped.bounds = bounds;
        return Ok(cropped);
    }
    let mut img = read(ds, Grid::Native { window }, &mk(width, height)).await?;
    img.bounds = window.bounds(&gt);
    Ok(img)
}

/// Removes `pad` pixels on every side of an image of `width + 2·pad` × `height + 2·pad`.
fn crop(img: ImageData, pad: usize, width: usize, height: usize) -> ImageData {
    let w = img.width();
    let rows = |plane_off: usize| {
        (0..height).map(move |r| {
            let s = plane_off + (r + pad) * w + pad;
            s..s + width
        })
    };
    let crop_samples = |src: &Samples, bands: usize| -> Samples {
        let n_src = src.len() / bands.max(1);
        let mut idx = Vec::with_capacity(bands * width * height);
        for b in 0..bands {
            for rg in rows(b * n_src) {
                idx.extend(rg);
            }
        }
        gather(src, &idx)
    };
    let crop_mask = |m: &[u8]| -> Vec<u8> { rows(0).flat_map(|rg| m[rg].to_vec()).collect() };
    ImageData {
        raster: Raster {
            width,
            height,
            bands: img.raster.bands,
            data: crop_samples(&img.raster.data, img.raster.bands),
            mask: crop_mask(&img.raster.mask),
        },
        band_masks: img.band_masks.iter().map(|m| crop_mask(m)).collect(),
        alpha: img.alpha.as_ref().map(|a| crop_samples(a, 1)),
        ..img
    }
}

/// The samples of `src` at `idx`, same type.
fn gather(src: &Samples, idx: &[usize]) -> Samples {
    match src {
        Samples::U8(v) => Samples::U8(idx.iter().map(|i| v[*i]).collect()),
        Samples::I8(v) => Samples::I8(idx.iter().map(|i| v[*i]).collect()),
        Samples::U16(v) => Samples::U16(idx.iter().map(|i| v[*i]).collect()),
        Samples::I16(v) => Samples::I16(idx.iter().map(|i| v[*i]).collect()),
        Samples::U32(v) => Samples::U32(idx.iter().map(|i| v[*i]).collect()),
        Samples::I32(v) => Samples::I32(idx.iter().map(|i| v[*i]).collect()),
        Samples::F32(v) => Samples::F32(idx.iter().map(|i| v[*i]).collect()),
        Samples::F64(v) => Samples::F64(idx.iter().map(|i| v[*i]).collect()),
    }
}
