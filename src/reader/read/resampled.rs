//! Resampled same-CRS reads (bilinear, cubic, lanczos, average, ...): GDAL's
//! `RasterIOResampled` over the source chunks the kernel needs, weighted by GDAL's mask.

use crate::cog::PixelWindow;
use crate::raster::DataType;
use crate::warp::decimate::{convolve, resample, BandSource, OutputRule, Plane, RasterIo};

use super::{
    check_source, empty_planes, on_blocking, same_value, to_planes, typed_planes, Planes,
    ReadParams,
};
use crate::reader::alpha::alpha_as_mask;
use crate::reader::image::samples_from_f64;
use crate::reader::{Dataset, Error};

/// A resampled (non-nearest) read of one level, as GDAL's `RasterIOResampled` does it: the
/// convolution kernels through [`convolve`] with GDAL's masks (the nodata value, else the alpha
/// band, else the internal mask) weighting the taps, the footprint statistics through
/// [`resample`]. The validity follows rio-tiler: with an internal mask, rasterio reads the mask
/// band with the same resampling and a pixel is valid where that is non-zero.
pub(super) async fn read_resampled<D: Dataset>(
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
    let fetched = ds
        .fetch_window(PixelWindow {
            level,
            x: x0,
            y: y0,
            width: sw,
            height: sh,
            bands,
        })
        .await?;
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
