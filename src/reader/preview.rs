//! `preview`: the whole dataset at a bounded size (rio-tiler `Reader.preview` / `read`).
//!
//! The output keeps the dataset's aspect ratio with the longest side `max_size` (default 1024;
//! a smaller dataset keeps its size), or an explicit width/height. GDAL's overview choice
//! applies, so a preview of a large COG reads one small overview. With `dst_crs` the whole
//! dataset is warped on GDAL's suggested grid first.

use crate::affine::Window;
use crate::crs::{Crs, Transformer};
use crate::warp::suggested_warp_output;

use super::options::ReadOptions;
use super::part::{width_height_for_max_size, ProjCoords};
use super::read::{read, Grid, ReadParams};
use super::{Dataset, Error, ImageData};

/// Options of [`preview`].
#[derive(Clone, Debug)]
pub struct PreviewOptions {
    pub read: ReadOptions,
    /// Longest side (ignored when `width` or `height` is given); rio-tiler's default is 1024.
    pub max_size: Option<usize>,
    pub width: Option<usize>,
    pub height: Option<usize>,
    pub dst_crs: Option<Crs>,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        PreviewOptions {
            read: ReadOptions::default(),
            max_size: Some(1024),
            width: None,
            height: None,
            dst_crs: None,
        }
    }
}

/// Reads the whole dataset (rio-tiler `read` with no window).
pub async fn preview<D: Dataset>(ds: &D, opts: &PreviewOptions) -> Result<ImageData, Error> {
    let meta = ds.meta();
    let max_size = opts
        .max_size
        .filter(|_| opts.width.is_none() && opts.height.is_none());
    let warped = match &opts.dst_crs {
        Some(c) if *c != meta.crs => {
            let out =
                suggested_warp_output(&meta.crs, c, meta.width, meta.height, &meta.geotransform)?;
            Some((c.clone(), out.geotransform, out.width, out.height))
        }
        _ => None,
    };
    let (gw, gh) = warped
        .as_ref()
        .map(|w| (w.2, w.3))
        .unwrap_or((meta.width, meta.height));
    let (mut height, mut width) = (opts.height, opts.width);
    if let Some(ms) = max_size {
        let (h, w) = width_height_for_max_size(ms, gh, gw);
        height = Some(h);
        width = Some(w);
    } else if width.is_some() != height.is_some() {
        let ratio = gh as f64 / gw as f64;
        match width {
            Some(w) => height = Some((w as f64 * ratio).ceil() as usize),
            None => width = Some((height.unwrap_or(1) as f64 / ratio).ceil() as usize),
        }
    }
    let params = ReadParams {
        out_width: width.unwrap_or(gw),
        out_height: height.unwrap_or(gh),
        indexes: opts
            .read
            .indexes
            .clone()
            .unwrap_or_else(|| meta.non_alpha_indexes()),
        nodata: opts.read.nodata,
        resampling: opts.read.resampling,
        reproject: opts.read.reproject,
        unscale: opts.read.unscale,
        max_output_pixels: opts.read.max_output_pixels,
    };
    match warped {
        Some((crs, gt, w, h)) => {
            let coords = ProjCoords(Transformer::new(&crs, &meta.crs)?);
            read(
                ds,
                Grid::Warped {
                    gt,
                    width: w,
                    height: h,
                    window: None,
                    crs,
                    dst_to_src: std::sync::Arc::new(coords),
                },
                &params,
            )
            .await
        }
        None => {
            let window = Window {
                col_off: 0.0,
                row_off: 0.0,
                width: gw as f64,
                height: gh as f64,
            };
            read(ds, Grid::Native { window }, &params).await
        }
    }
}
