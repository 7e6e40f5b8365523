//! The real [`Backend`]: data endpoints answered by the COG reader and the renderer.
//!
//! A request flows through three stages, each owned by another module:
//!
//! 1. **open** — the dataset URL becomes a [`Cog`] (header cache: one parse per URL; the
//!    bundled sample `url=sample` is read from memory) and a [`Reader`] over it;
//! 2. **read** — a rio-tiler verb (tile, part, preview, feature, point) produces an
//!    [`ImageData`](crate::reader::ImageData): arrays plus masks. I/O is async; decoding and
//!    warping already run on the CPU pool inside the reader;
//! 3. **render** — band math, the post-processing algorithm, rescale/colormap and encoding,
//!    all synchronous CPU work, run here through [`crate::cpu::run`] ([`render`]).
//!
//! Errors of every layer convert into [`ApiError`] through their
//! [`Classify`](super::error::Classify) impls (`error_map.rs`), so a missing upstream file is a
//! 404 naming the URL, a timeout a 504, a tile outside the dataset a 404.

mod documents;
mod json;
mod mosaic;
mod render;
mod source;
mod stac;

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

use super::backend::{
    AssetsAt, Backend, BoxFut, FactsRequest, FeatureRequest, FeatureStatisticsRequest, Image,
    ImageRequest, PartRequest, PreviewRequest, StatisticsRequest, TileRequest,
};
use super::docs::facts::tms_facts;
use super::docs::DatasetFacts;
use super::error::ApiError;
use super::params::{DatasetParams, OgcMapParams, PointParams, SizeParams};
use super::sample::{SAMPLE_COG, SAMPLE_URL};
use crate::cog::{Cog, OpenOptions};
use crate::crs::Crs;
use crate::io::{DocumentCache, DocumentOptions, MemorySource};
use crate::reader::{
    CogDataset, PartOptions, PreviewOptions, Reader, TileOptions, DEFAULT_MAX_OUTPUT_PIXELS,
};
use crate::tms::{geographic_bounds, TmsRegistry};

use render::Prepared;
use source::Source;

/// The reader-backed [`Backend`] `cogtiler serve` runs with.
pub struct CogBackend {
    opts: OpenOptions,
    tms: Arc<TmsRegistry>,
    sample: OnceCell<Cog>,
    /// STAC items and mosaic documents.
    documents: DocumentCache,
    /// Parsed STAC items.
    items: documents::Parsed<crate::stac::Item>,
    /// Parsed mosaic documents (a few: each may hold many thousands of quadkeys).
    mosaics: documents::Parsed<crate::mosaic::MosaicJson>,
    assets: AssetOptions,
    /// Largest output image, pixels per band ([`crate::reader::ReadOptions::max_output_pixels`]).
    max_output_pixels: usize,
}

/// How many files one request may read: a STAC request's assets, a mosaic tile's COGs.
#[derive(Clone, Debug)]
pub struct AssetOptions {
    /// More assets than this in one request is a 400, answered before any asset is read
    /// (a low-zoom mosaic tile over thousands of files would otherwise time out). Default 50.
    pub max_assets: usize,
    /// Assets read at once per request. Default 16: every asset of a typical request opens in
    /// one parallel round and reads its data in the next.
    pub concurrency: usize,
    /// Size limit and cache lifetime of items and mosaic documents.
    pub documents: DocumentOptions,
}

impl Default for AssetOptions {
    fn default() -> AssetOptions {
        AssetOptions {
            max_assets: 50,
            concurrency: 16,
            documents: DocumentOptions::default(),
        }
    }
}

impl CogBackend {
    /// A backend opening datasets with `opts` (caches, I/O settings) and resolving TileMatrixSet
    /// ids in `tms` (the registry the router validates ids against).
    pub fn new(opts: OpenOptions, tms: Arc<TmsRegistry>) -> CogBackend {
        CogBackend {
            opts,
            tms,
            sample: OnceCell::new(),
            documents: DocumentCache::new(DocumentOptions::default()),
            items: documents::Parsed::new(256),
            mosaics: documents::Parsed::new(32),
            assets: AssetOptions::default(),
            max_output_pixels: DEFAULT_MAX_OUTPUT_PIXELS,
        }
    }

    /// Refuses outputs (tiles, parts, previews, feature crops) larger than `pixels` per band
    /// with a 400, instead of allocating them (default [`DEFAULT_MAX_OUTPUT_PIXELS`], 5000²).
    pub fn with_max_output_pixels(mut self, pixels: usize) -> CogBackend {
        self.max_output_pixels = pixels;
        self
    }

    /// Sets the limits of multi-file requests (STAC assets, mosaic tiles).
    pub fn with_assets(mut self, assets: AssetOptions) -> CogBackend {
        self.documents = DocumentCache::new(assets.documents.clone());
        self.assets = assets;
        self
    }

    /// Opens a dataset: the embedded sample from memory, anything else through `io`.
    async fn cog(&self, url: &str) -> Result<Cog, ApiError> {
        if url == SAMPLE_URL {
            let opts = &self.opts;
            let cog = self
                .sample
                .get_or_try_init(|| async {
                    let src = MemorySource::new(SAMPLE_URL, Bytes::from_static(SAMPLE_COG));
                    Cog::open_source(Arc::new(src), opts).await
                })
                .await?;
            return Ok(cog.clone());
        }
        Ok(Cog::open(url, &self.opts).await?)
    }

    async fn reader(&self, url: &str) -> Result<Reader<CogDataset>, ApiError> {
        let cog = self.cog(url).await?;
        Ok(Reader::new(CogDataset::new(cog)?))
    }

    /// Opens the dataset of an image request and completes its [`Prepared`] options.
    async fn image_reader(&self, ds: &DatasetParams) -> Result<(Source, Prepared), ApiError> {
        let prep = Prepared::new(ds, self.max_output_pixels)?;
        let source = self.source(ds).await?;
        let prep = prep.with_dataset_colormap(source.colormap());
        Ok((source, prep))
    }

    async fn preview_image(
        &self,
        reader: &Source,
        prep: &Prepared,
        size: &SizeParams,
        dst_crs: Option<&str>,
    ) -> Result<crate::reader::ImageData, ApiError> {
        let opts = PreviewOptions {
            read: prep.read.clone(),
            max_size: size.max_size.map(|v| v as usize),
            width: size.width.map(|v| v as usize),
            height: size.height.map(|v| v as usize),
            dst_crs: parse_crs(dst_crs)?,
        };
        reader.preview(&opts).await
    }
}

/// Parses an optional user CRS (`EPSG:3857`, an OGC URI...): a bad one is a 400.
fn parse_crs(s: Option<&str>) -> Result<Option<Crs>, ApiError> {
    s.map(|s| Crs::parse(s).map_err(ApiError::from)).transpose()
}

fn part_options(prep: &Prepared, size: &SizeParams) -> PartOptions {
    PartOptions {
        read: prep.read.clone(),
        max_size: size.max_size.map(|v| v as usize),
        width: size.width.map(|v| v as usize),
        height: size.height.map(|v| v as usize),
        ..PartOptions::default()
    }
}

impl Backend for CogBackend {
    fn dataset_facts<'a>(&'a self, req: &'a FactsRequest) -> BoxFut<'a, DatasetFacts> {
        Box::pin(async move {
            let source = self.source(&req.dataset).await?;
            let (bounds, crs) = source.extent();
            let geo = parse_crs(req.crs.as_deref())?.unwrap_or_else(Crs::wgs84);
            // a mosaic's bounds are geographic already, and cogeo-mosaic gives them as they
            // are for any geographic CRS
            let is_mosaic = matches!(source, Source::Mosaic(_));
            let geographic = |to: &Crs| {
                if is_mosaic {
                    bounds
                } else {
                    geographic_bounds(&crs, bounds, to)
                }
            };
            let wgs84_bounds = geographic(&geo);
            let mut tms = Vec::with_capacity(req.tms_ids.len());
            for id in &req.tms_ids {
                let set = self.tms.get(id)?;
                let gcrs = set.geographic_crs()?;
                let gb = geographic(&gcrs);
                let (minz, maxz) = source.zoom_range(&set);
                tms.push(tms_facts(&set, gb, minz as i64, maxz as i64));
            }
            let (band_descriptions, dtype) = match &source {
                Source::Cog(r) => {
                    let info = r.dataset().cog().info();
                    (
                        Some(info.band_descriptions.clone()),
                        Some(info.dtype.clone()),
                    )
                }
                Source::Stac(_) | Source::Mosaic(_) => (None, None),
            };
            Ok(DatasetFacts {
                wgs84_bounds,
                band_descriptions,
                dtype,
                tms,
            })
        })
    }

    fn info<'a>(&'a self, ds: &'a DatasetParams) -> BoxFut<'a, Value> {
        Box::pin(async move {
            if ds.assets.is_some() {
                return Ok(Value::Object(self.stac_info(ds).await?));
            }
            if ds.mosaic.is_some() {
                return Ok(self.mosaic_info(&ds.url).await?.1);
            }
            let cog = self.cog(&ds.url).await?;
            serde_json::to_value(cog.info()).map_err(|e| ApiError::internal(e.to_string()))
        })
    }

    fn info_geojson<'a>(
        &'a self,
        ds: &'a DatasetParams,
        crs: Option<&'a str>,
    ) -> BoxFut<'a, Value> {
        Box::pin(async move {
            if ds.assets.is_some() {
                return self.stac_info_geojson(ds, crs).await;
            }
            if ds.mosaic.is_some() {
                let (doc, info) = self.mosaic_info(&ds.url).await?;
                let from = doc.tms().geographic_crs()?;
                let geo = parse_crs(crs)?.unwrap_or_else(Crs::wgs84);
                let b = if from.same_coordinates(&geo) {
                    doc.bounds
                } else {
                    geographic_bounds(&from, doc.bounds, &geo)
                };
                return Ok(json::bounds_feature(b, info));
            }
            let cog = self.cog(&ds.url).await?;
            let info =
                serde_json::to_value(cog.info()).map_err(|e| ApiError::internal(e.to_string()))?;
            let geo = parse_crs(crs)?.unwrap_or_else(Crs::wgs84);
            let h = cog.header();
            let b = match &h.crs {
                Ok(c) => geographic_bounds(c, h.bounds(), &geo),
                Err(_) => [-180.0, -90.0, 180.0, 90.0],
            };
            Ok(json::bounds_feature(b, info))
        })
    }

    fn statistics<'a>(&'a self, req: &'a StatisticsRequest) -> BoxFut<'a, Value> {
        Box::pin(async move {
            let prep = Prepared::new(&req.dataset, self.max_output_pixels)?;
            let reader = self.source(&req.dataset).await?;
            let img = self
                .preview_image(&reader, &prep, &req.size, req.dst_crs.as_deref())
                .await?;
            let stats = render::stats_options(&req.stats)?;
            let algorithm = req.algorithm.clone();
            blocking(move || render::statistics_json(img, &prep, algorithm.as_ref(), &stats, None))
                .await
        })
    }

    fn feature_statistics<'a>(&'a self, req: &'a FeatureStatisticsRequest) -> BoxFut<'a, Value> {
        Box::pin(async move {
            let sr = &req.statistics;
            let prep = Prepared::new(&sr.dataset, self.max_output_pixels)?;
            let reader = self.source(&sr.dataset).await?;
            let shape_crs = parse_crs(req.coord_crs.as_deref())?.unwrap_or_else(Crs::wgs84);
            let stats = render::stats_options(&sr.stats)?;
            let mut opts = part_options(&prep, &sr.size);
            opts.dst_crs = parse_crs(sr.dst_crs.as_deref())?;
            opts.align_bounds_with_dataset = true;
            let mut out = req.geojson.clone();
            let is_collection =
                out.get("type").and_then(Value::as_str) == Some("FeatureCollection");
            let features: Vec<&mut Value> = if is_collection {
                match out.get_mut("features").and_then(Value::as_array_mut) {
                    Some(f) => f.iter_mut().collect(),
                    None => Vec::new(),
                }
            } else {
                vec![&mut out]
            };
            for feat in features {
                let img = reader.feature(feat, &shape_crs, &opts).await?;
                let (prep2, alg, st, shape, scale) = (
                    prep.clone(),
                    sr.algorithm.clone(),
                    stats.clone(),
                    feat.clone(),
                    req.cover_scale,
                );
                let crs = shape_crs.clone();
                let s = blocking(move || {
                    let cov = render::coverage(&img, &shape, &crs, scale as usize)?;
                    render::statistics_json(img, &prep2, alg.as_ref(), &st, Some(&cov))
                })
                .await?;
                if let Some(obj) = feat.as_object_mut() {
                    let props = obj.entry("properties").or_insert_with(|| json!({}));
                    if !props.is_object() {
                        *props = json!({});
                    }
                    if let Some(p) = props.as_object_mut() {
                        p.insert("statistics".into(), s);
                    }
                }
            }
            Ok(out)
        })
    }

    fn tile<'a>(&'a self, req: &'a TileRequest) -> BoxFut<'a, Image> {
        Box::pin(async move {
            let t = &req.tile;
            let tms = self.tms.get(&t.tms)?;
            let z = i32::try_from(t.z).map_err(|_| {
                ApiError::bad_request(format!("zoom level {} is out of range", t.z))
            })?;
            let matrix_width = tms.matrix(z)?.tile_width;
            let tilesize = req.tile_params.effective_tilesize(t.scale, matrix_width) as usize;
            let (reader, prep) = self.image_reader(&req.image.dataset).await?;
            let opts = TileOptions {
                read: prep.read.clone(),
                tilesize: Some(tilesize),
                buffer: req.tile_params.buffer,
                padding: req.tile_params.padding.unwrap_or(0) as usize,
            };
            let img = match &reader {
                Source::Mosaic(m) => self.mosaic_tile(m, &tms, z, t.x, t.y, &opts).await?,
                other => other.tile(&tms, z, t.x, t.y, &opts).await?,
            };
            let crs_uri = tms.crs_uri.clone();
            render::render_blocking(img, prep, req.image.clone(), Some(crs_uri)).await
        })
    }

    fn preview<'a>(&'a self, req: &'a PreviewRequest) -> BoxFut<'a, Image> {
        Box::pin(async move {
            let (reader, prep) = self.image_reader(&req.image.dataset).await?;
            let img = self
                .preview_image(&reader, &prep, &req.size, req.dst_crs.as_deref())
                .await?;
            render::render_blocking(img, prep, req.image.clone(), None).await
        })
    }

    fn part<'a>(&'a self, req: &'a PartRequest) -> BoxFut<'a, Image> {
        Box::pin(async move {
            let (reader, prep) = self.image_reader(&req.image.dataset).await?;
            let mut opts = part_options(&prep, &req.size);
            let dst = parse_crs(req.bbox.dst_crs.as_deref())?;
            // rio-tiler: bounds are in `coord_crs` (default WGS84), output in `dst_crs`
            // (default the bounds' CRS).
            let bounds_crs = parse_crs(req.bbox.coord_crs.as_deref())?.unwrap_or_else(Crs::wgs84);
            opts.dst_crs = Some(dst.unwrap_or_else(|| bounds_crs.clone()));
            opts.bounds_crs = Some(bounds_crs);
            let img = reader.part(req.bbox.bbox, &opts).await?;
            let uri = img.crs.to_titiler_string();
            render::render_blocking(img, prep, req.image.clone(), Some(uri)).await
        })
    }

    fn feature<'a>(&'a self, req: &'a FeatureRequest) -> BoxFut<'a, Image> {
        Box::pin(async move {
            let (reader, prep) = self.image_reader(&req.image.dataset).await?;
            let shape_crs = parse_crs(req.coord_crs.as_deref())?.unwrap_or_else(Crs::wgs84);
            let mut opts = part_options(&prep, &req.size);
            opts.dst_crs = parse_crs(req.dst_crs.as_deref())?;
            let img = reader.feature(&req.feature, &shape_crs, &opts).await?;
            let uri = img.crs.to_titiler_string();
            render::render_blocking(img, prep, req.image.clone(), Some(uri)).await
        })
    }

    fn point<'a>(&'a self, ds: &'a DatasetParams, p: &'a PointParams) -> BoxFut<'a, Value> {
        Box::pin(async move {
            let prep = Prepared::new(ds, self.max_output_pixels)?;
            let reader = self.source(ds).await?;
            let crs = parse_crs(p.coord_crs.as_deref())?.unwrap_or_else(Crs::wgs84);
            if let Source::Mosaic(m) = &reader {
                return self
                    .mosaic_point(&m.doc, p.lon, p.lat, &crs, &prep.read)
                    .await;
            }
            let pt = reader.point(p.lon, p.lat, &crs, &prep.read).await?;
            json::point(pt, [p.lon, p.lat], prep.expression.as_ref())
        })
    }

    fn stac_assets<'a>(&'a self, url: &'a str) -> BoxFut<'a, Value> {
        Box::pin(async move {
            let item = self.stac_item(url).await?;
            Ok(json!(item.raster_assets()))
        })
    }

    fn asset_statistics<'a>(&'a self, req: &'a StatisticsRequest) -> BoxFut<'a, Value> {
        Box::pin(self.stac_asset_statistics(req))
    }

    fn mosaic_document<'a>(&'a self, url: &'a str) -> BoxFut<'a, String> {
        Box::pin(async move { Ok(self.mosaic_document(url).await?.to_titiler_json()) })
    }

    fn mosaic_assets<'a>(&'a self, url: &'a str, at: &'a AssetsAt) -> BoxFut<'a, Value> {
        Box::pin(async move {
            let doc = self.mosaic_document(url).await?;
            let assets = match at {
                AssetsAt::Tile { tms, z, x, y } => {
                    let set = self.tms.get(tms)?;
                    let z = i32::try_from(*z).map_err(|_| {
                        ApiError::bad_request(format!("zoom level {z} is out of range"))
                    })?;
                    doc.assets_for_tile_in(&set, crate::tms::Tile::new(*x, *y, z))?
                }
                AssetsAt::Point {
                    lon,
                    lat,
                    coord_crs,
                } => {
                    let crs = parse_crs(coord_crs.as_deref())?.unwrap_or_else(Crs::wgs84);
                    doc.assets_for_point_in(&crs, *lon, *lat)?
                }
                AssetsAt::Bbox { bbox, coord_crs } => {
                    let crs = parse_crs(coord_crs.as_deref())?.unwrap_or_else(Crs::wgs84);
                    doc.assets_for_bbox_in(&crs, *bbox)?
                }
            };
            Ok(json!(assets))
        })
    }

    fn stac_renders<'a>(&'a self, url: &'a str) -> BoxFut<'a, Vec<(String, crate::stac::Render)>> {
        Box::pin(async move { Ok(self.stac_item(url).await?.renders.clone()) })
    }

    fn validate<'a>(&'a self, url: &'a str, strict: bool) -> BoxFut<'a, Value> {
        Box::pin(async move {
            let cog = self.cog(url).await?;
            let v = crate::cog::validate(cog.header(), strict);
            serde_json::to_value(v).map_err(|e| ApiError::internal(e.to_string()))
        })
    }

    fn ogc_map<'a>(&'a self, image: &'a ImageRequest, p: &'a OgcMapParams) -> BoxFut<'a, Image> {
        Box::pin(async move {
            let (reader, prep) = self.image_reader(&image.dataset).await?;
            let size = SizeParams {
                max_size: (p.width.is_none() && p.height.is_none()).then_some(1024),
                width: p.width,
                height: p.height,
            };
            let dst = parse_crs(p.crs.as_deref())?;
            let img = match p.bbox {
                Some(bbox) => {
                    let bounds_crs = parse_crs(p.bbox_crs.as_deref())?.unwrap_or_else(Crs::wgs84);
                    let mut opts = part_options(&prep, &size);
                    // OGC Maps: the output is in `crs`, else the dataset's own CRS (not the
                    // bbox's, as /cog/bbox would do).
                    opts.dst_crs = Some(dst.unwrap_or_else(|| reader.extent().1));
                    opts.bounds_crs = Some(bounds_crs);
                    reader.part(bbox, &opts).await?
                }
                None => {
                    self.preview_image(&reader, &prep, &size, p.crs.as_deref())
                        .await?
                }
            };
            let uri = img.crs.to_titiler_string();
            render::render_blocking(img, prep, image.clone(), Some(uri)).await
        })
    }
}

/// Runs CPU work (band math, statistics, encoding) through [`crate::cpu::run`].
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    crate::cpu::run(f)
        .await
        .map_err(|e| ApiError::internal(format!("render {e}")))?
}

#[cfg(test)]
mod tests;
