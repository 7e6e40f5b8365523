//! From the reader's [`ImageData`] to what a client receives: band math, algorithm, rendering
//! and statistics, in TiTiler's order (`expression` → `algorithm` → `render_image`).
//!
//! Everything here is synchronous CPU work; the async entry point [`render_blocking`] moves it
//! to the CPU pool ([`crate::cpu`]).

use serde_json::Value;

use super::blocking;
use super::json;
use crate::crs::Crs;
use crate::raster::{DataType, Samples};
use crate::reader::statistics::{band_statistics, BandStatistics, HistogramBins, StatsOptions};
use crate::reader::{
    coverage_array, image_gt, polygons_from_geojson, transform_polygons, ImageData, ReadOptions,
};
use crate::render::algorithm::Algorithm;
use crate::render::color_formula::ColorFormula;
use crate::render::expression::Expression;
use crate::render::{self as rnd, ColorMap, Georef, RenderOptions};
use crate::server::backend::{Image, ImageRequest};
use crate::server::error::ApiError;
use crate::server::params::{DatasetParams, HistogramBins as QueryBins, StatisticsParams};
use crate::warp::Resampling;

/// A request's dataset parameters turned into reader options, with the band-math expression
/// parsed up front (so a bad expression fails before any I/O and only its bands are read).
#[derive(Clone, Debug)]
pub(super) struct Prepared {
    pub read: ReadOptions,
    pub expression: Option<Expression>,
    /// The dataset's own palette (TiTiler renders with it when no colormap is asked for).
    pub dataset_colormap: Option<ColorMap>,
}

impl Prepared {
    /// The request's dataset parameters as reader options, refusing outputs over
    /// `max_output_pixels` (the server's `--max-output-pixels`).
    pub fn new(ds: &DatasetParams, max_output_pixels: usize) -> Result<Prepared, ApiError> {
        let expression = ds
            .expression
            .as_deref()
            .map(Expression::parse)
            .transpose()?;
        let mut read = read_options(ds)?;
        read.max_output_pixels = max_output_pixels;
        if let Some(e) = &expression {
            // rio-tiler: an expression overrides `bidx`; read exactly the bands it names.
            read.indexes = Some(e.bands_used());
        }
        Ok(Prepared {
            read,
            expression,
            dataset_colormap: None,
        })
    }

    /// Remembers the dataset's palette (`PhotometricInterpretation=Palette`), as rasterio's
    /// `colormap(1)`: index → RGBA for every entry of the table.
    pub fn with_dataset_colormap(mut self, table: Option<&[[u8; 4]]>) -> Prepared {
        self.dataset_colormap = table.map(|t| {
            ColorMap::Discrete(t.iter().enumerate().map(|(i, c)| (i as i64, *c)).collect())
        });
        self
    }
}

/// `bidx`, `nodata`, `unscale`, `resampling`, `reproject` as reader options.
pub(super) fn read_options(ds: &DatasetParams) -> Result<ReadOptions, ApiError> {
    let indexes = match &ds.bidx {
        None => None,
        Some(list) => Some(
            list.iter()
                .map(|b| match usize::try_from(*b) {
                    Ok(v) if v >= 1 => Ok(v),
                    _ => Err(ApiError::bad_request(format!(
                        "band index {b} out of range (bands are numbered from 1)"
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let method = |name: &str| -> Result<Resampling, ApiError> {
        name.parse::<Resampling>()
            .map_err(|_| ApiError::bad_request(format!("unsupported resampling method '{name}'")))
    };
    Ok(ReadOptions {
        indexes,
        nodata: ds.nodata,
        unscale: ds.unscale,
        resampling: method(ds.resampling)?,
        reproject: method(ds.reproject)?,
        ..ReadOptions::default()
    })
}

/// The real alpha band as the renderer's 8-bit alpha (GDAL's mask-band scaling for 16 bits).
fn alpha_u8(alpha: &Samples) -> Vec<u8> {
    match alpha {
        Samples::U8(v) => v.clone(),
        Samples::U16(v) => v.iter().map(|a| (a / 257) as u8).collect(),
        other => other
            .to_f64_vec()
            .into_iter()
            .map(|a| a.clamp(0.0, 255.0) as u8)
            .collect(),
    }
}

/// The reader's image as the renderer's, with its georeferencing.
fn to_render_image(img: ImageData) -> Result<rnd::Image, ApiError> {
    let georef = Georef {
        bounds: img.bounds,
        epsg: img.crs.epsg(),
        geographic: img.crs.is_geographic(),
    };
    let mut out = rnd::Image::new(img.raster)?;
    out.alpha = img.alpha.as_ref().map(alpha_u8);
    out.source_alpha = img.alpha;
    if img.band_names.len() == out.count() {
        out.band_names = img.band_names;
    }
    if img.band_descriptions.len() == out.count() {
        out.band_descriptions = img.band_descriptions;
    }
    out.dataset_statistics = img.dataset_statistics;
    out.georef = Some(georef);
    Ok(out)
}

/// rio-tiler's `ImageData.apply_expression` on a reader image (a STAC asset's own
/// `expression=`): the results become the bands, valid where the image was.
pub(super) fn expression_on_image(img: ImageData, e: &Expression) -> Result<ImageData, ApiError> {
    let (bounds, crs, nodata) = (img.bounds, img.crs.clone(), img.nodata);
    let out = e.apply(&to_render_image(img)?)?;
    let n = out.raster.bands;
    Ok(ImageData {
        band_masks: vec![out.raster.mask.clone(); n],
        alpha: None,
        bounds,
        crs,
        band_names: out.band_names,
        band_descriptions: out.band_descriptions,
        dataset_statistics: out.dataset_statistics,
        scales: vec![1.0; n],
        offsets: vec![0.0; n],
        nodata,
        raster: out.raster,
    })
}

/// Band math then post-processing: the image TiTiler renders or computes statistics on.
fn post_process(
    image: rnd::Image,
    expression: Option<&Expression>,
    algorithm: Option<&Algorithm>,
) -> Result<rnd::Image, ApiError> {
    let image = match expression {
        Some(e) => e.apply(&image)?,
        None => image,
    };
    Ok(match algorithm {
        Some(a) => a.apply(&image)?,
        None => image,
    })
}

/// Renders an image request (sync): band math, algorithm, `render_image`.
fn render_sync(
    img: ImageData,
    prep: &Prepared,
    req: &ImageRequest,
    crs_uri: Option<String>,
) -> Result<Image, ApiError> {
    let bounds = img.bounds;
    let image = post_process(
        to_render_image(img)?,
        prep.expression.as_ref(),
        req.algorithm.as_ref(),
    )?;
    let r = &req.render;
    let color_formula = r
        .color_formula
        .as_deref()
        .map(ColorFormula::parse)
        .transpose()?;
    // TiTiler's ColorMapParams: a named colormap wins over a JSON one.
    let colormap = match &r.colormap_name {
        Some(name) => Some(
            rnd::named::colormap(name)
                .ok_or_else(|| ApiError::from(rnd::Error::UnknownColormap(name.clone())))?,
        ),
        None => r.colormap.clone().or_else(|| prep.dataset_colormap.clone()),
    };
    let opts = RenderOptions {
        format: req.format,
        add_mask: r.return_mask,
        rescale: &r.rescale,
        color_formula: color_formula.as_ref(),
        colormap: colormap.as_ref(),
    };
    let out = rnd::render_image(image, &opts)?;
    Ok(Image {
        bytes: out.body.into(),
        format: out.format,
        bounds: crs_uri.is_some().then_some(bounds),
        crs_uri,
    })
}

/// [`render_sync`] on the CPU pool ([`crate::cpu`]).
pub(super) async fn render_blocking(
    img: ImageData,
    prep: Prepared,
    req: ImageRequest,
    crs_uri: Option<String>,
) -> Result<Image, ApiError> {
    blocking(move || render_sync(img, &prep, &req, crs_uri)).await
}

/// The query's statistics options in the reader's terms.
pub(super) fn stats_options(p: &StatisticsParams) -> Result<StatsOptions, ApiError> {
    let percentiles = p
        .percentiles
        .iter()
        .map(|v| match u32::try_from(*v) {
            Ok(v) if v <= 100 => Ok(v),
            _ => Err(ApiError::bad_request(format!(
                "percentile {v} is not between 0 and 100"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StatsOptions {
        categorical: p.categorical,
        categories: (!p.categories.is_empty()).then(|| p.categories.clone()),
        percentiles,
        bins: match &p.histogram_bins {
            QueryBins::Count(n) => HistogramBins::Count(*n as usize),
            QueryBins::Edges(e) => HistogramBins::Edges(e.clone()),
        },
        range: p.histogram_range,
    })
}

/// Statistics JSON of a preview or feature image (`{"b1": {...}, ...}`), after band math and
/// the algorithm. Without either, each band is judged on its own mask (rio-tiler's masked
/// array); after them, on the image mask. `coverage` weights pixels (POST /statistics).
pub(super) fn statistics_json(
    img: ImageData,
    prep: &Prepared,
    algorithm: Option<&Algorithm>,
    opts: &StatsOptions,
    coverage: Option<&[f64]>,
) -> Result<Value, ApiError> {
    let band_masks = img.band_masks.clone();
    let plain = prep.expression.is_none() && algorithm.is_none();
    let image = post_process(to_render_image(img)?, prep.expression.as_ref(), algorithm)?;
    let r = &image.raster;
    let n = r.plane_len();
    let all = r.data.to_f64_vec();
    let dtype: DataType = r.dtype();
    let stats: Vec<BandStatistics> = (0..r.bands)
        .map(|b| {
            let vals = all.get(b * n..(b + 1) * n).unwrap_or(&[]);
            let mask = if plain {
                band_masks.get(b).map(Vec::as_slice).unwrap_or(&r.mask)
            } else {
                &r.mask
            };
            band_statistics(vals, mask, coverage, dtype, opts)
        })
        .collect();
    Ok(json::statistics(
        &stats,
        &image.band_names,
        &image.band_descriptions,
    ))
}

/// rio-tiler's `get_coverage_array`: the fraction of each output pixel the shape covers
/// (the reader's all-touched rasterisation at `scale`× resolution, averaged back).
pub(super) fn coverage(
    img: &ImageData,
    shape: &Value,
    shape_crs: &Crs,
    scale: usize,
) -> Result<Vec<f64>, ApiError> {
    let polys = polygons_from_geojson(shape)?;
    let polys = transform_polygons(&polys, shape_crs, &img.crs)?;
    Ok(coverage_array(
        &polys,
        &image_gt(img),
        img.width(),
        img.height(),
        scale,
    )?)
}
