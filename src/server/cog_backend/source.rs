//! What a data request reads: one COG (`/cog`), or the selected assets of a STAC item
//! (`/stac`), behind the same verbs.
//!
//! A STAC request reads each selected asset as a COG with that asset's band selection, in
//! parallel (all headers in one round, all data in the next), then stacks the results band
//! by band as rio-tiler's `MultiBaseReader` does: bands renamed `b1..bN`, described as
//! `{asset}_{description}` (or `{asset}` with `asset_as_band`), and the item's
//! `raster:bands` statistics used as the dataset statistics when the file has none.

use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use serde_json::Value;

use super::mosaic::MosaicSource;
use super::render::expression_on_image;
use super::{blocking, CogBackend};
use crate::crs::Crs;
use crate::reader::{
    tile_intersects, CogDataset, Dataset, ImageData, PartOptions, PointData, PreviewOptions,
    ReadOptions, Reader, TileOptions, TileSpec,
};
use crate::render::expression::Expression;
use crate::server::error::ApiError;
use crate::server::params::DatasetParams;
use crate::stac::{AssetRequest, BandSelection, Item};
use crate::tms::TileMatrixSet;

/// One readable asset of a request.
pub(super) struct AssetReader {
    pub name: String,
    pub reader: Reader<CogDataset>,
    pub selection: BandSelection,
    /// The asset's own `expression=`, parsed.
    expression: Option<Expression>,
    /// `raster:bands` statistics of the asset.
    statistics: Option<Vec<(f64, f64)>>,
}

/// The selected assets of a STAC item.
pub(super) struct StacSource {
    /// Assets read at once.
    concurrency: usize,
    pub assets: Vec<AssetReader>,
    asset_as_band: bool,
    /// The item's extent: the projection extension's grid, else its WGS84 bbox.
    pub bounds: [f64; 4],
    pub crs: Crs,
    /// The grid of the projection extension, for zoom levels.
    pub grid: Option<crate::stac::Projection>,
}

/// A dataset behind the verbs.
pub(super) enum Source {
    Cog(Reader<CogDataset>),
    Stac(StacSource),
    /// Tiles and points of a mosaic need the backend (it opens the assets): see `mosaic.rs`.
    Mosaic(MosaicSource),
}

impl CogBackend {
    /// The item at `url` (document cache: one fetch per TTL however many tiles ask).
    pub(super) async fn stac_item(&self, url: &str) -> Result<Arc<Item>, ApiError> {
        let item = self
            .items
            .get(self, url, |bytes| Ok(Item::parse(&bytes)?))
            .await?;
        if item.raster_assets().is_empty() {
            return Err(crate::stac::Error::NoRasterAssets.into());
        }
        Ok(item)
    }

    /// Opens what a request reads: the COG, or the item and its selected assets (headers
    /// of all assets fetched concurrently).
    pub(super) async fn source(&self, ds: &DatasetParams) -> Result<Source, ApiError> {
        let url = ds.url.as_str();
        if let Some(m) = &ds.mosaic {
            return Ok(Source::Mosaic(MosaicSource {
                doc: self.mosaic_document(url).await?,
                method: m.pixel_selection,
            }));
        }
        let Some(ap) = ds.assets.as_ref() else {
            return Ok(Source::Cog(self.reader(url).await?));
        };
        let item = self.stac_item(url).await?;
        let names = expand_all(&item, &ap.assets, false);
        self.check_asset_count(names.len())?;
        let requests = names
            .iter()
            .map(|s| AssetRequest::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        let mut plans = Vec::with_capacity(requests.len());
        for r in &requests {
            let asset = item.check_asset(&r.name)?;
            let selection = r.selection(asset)?;
            let expression = match &selection {
                BandSelection::Expression(e) => Some(Expression::parse(e)?),
                _ => None,
            };
            plans.push((r, Item::asset_url(asset, url)?, selection, expression));
        }
        let readers = self.for_each_asset(&plans, |p| self.reader(&p.1)).await?;
        let assets = plans
            .into_iter()
            .zip(readers)
            .map(|((r, _, selection, expression), reader)| AssetReader {
                name: r.name.clone(),
                statistics: item.asset(&r.name).and_then(|a| a.statistics()),
                reader,
                selection,
                expression,
            })
            .collect();
        let names: Vec<&str> = requests.iter().map(|r| r.name.as_str()).collect();
        let grid = item.projection(&names);
        let (bounds, crs) = match &grid {
            Some(g) => (g.bounds, g.crs.clone()),
            None => (item_wgs84_bbox(&item), Crs::wgs84()),
        };
        Ok(Source::Stac(StacSource {
            concurrency: self.assets.concurrency,
            assets,
            asset_as_band: ap.asset_as_band,
            bounds,
            crs,
            grid,
        }))
    }
}

impl CogBackend {
    /// A request over more files than `--max-assets` is refused before reading any.
    pub(super) fn check_asset_count(&self, n: usize) -> Result<(), ApiError> {
        let max = self.assets.max_assets;
        if n > max {
            return Err(ApiError::bad_request(format!(
                "this request needs {n} assets, more than the limit of {max} (--max-assets)"
            )));
        }
        Ok(())
    }

    /// Runs `f` over `items`, at most `--asset-concurrency` at once, results in order.
    pub(super) async fn for_each_asset<'a, T: 'a, R, Fut>(
        &self,
        items: &'a [T],
        f: impl Fn(&'a T) -> Fut,
    ) -> Result<Vec<R>, ApiError>
    where
        Fut: std::future::Future<Output = Result<R, ApiError>>,
    {
        bounded(items, self.assets.concurrency, f).await
    }
}

/// `f` over `items`, `concurrency` at a time, results in input order.
async fn bounded<'a, T: 'a, R, Fut>(
    items: &'a [T],
    concurrency: usize,
    f: impl Fn(&'a T) -> Fut,
) -> Result<Vec<R>, ApiError>
where
    Fut: std::future::Future<Output = Result<R, ApiError>>,
{
    // the futures are made up front: a stream holding the closure itself trips the
    // compiler's higher-ranked `Send` inference in the boxed backend futures
    let futs: Vec<Fut> = items.iter().map(f).collect();
    futures::stream::iter(futs)
        .buffered(concurrency.max(1))
        .try_collect()
        .await
}

/// The verbs a mosaic router does not serve (TiTiler's has no preview, part or feature).
fn mosaic_verb() -> ApiError {
    ApiError::of_kind(
        crate::server::error::ErrorKind::NotImplemented,
        "this request is not served for mosaics",
    )
}

/// `[":all:"]` stands for every readable asset where TiTiler allows it (`info`, statistics).
pub(super) fn expand_all(item: &Item, assets: &[String], allow_all: bool) -> Vec<String> {
    if allow_all && assets.len() == 1 && assets[0] == ":all:" {
        item.raster_assets().iter().map(|s| s.to_string()).collect()
    } else {
        assets.to_vec()
    }
}

/// The item's `bbox`, else the extent of its geometry.
pub(super) fn item_wgs84_bbox(item: &Item) -> [f64; 4] {
    if let Some(b) = item.bbox {
        return b;
    }
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    fn walk(v: &Value, b: &mut [f64; 4]) {
        match v {
            Value::Array(a) if a.len() >= 2 && a[0].is_number() && a[1].is_number() => {
                let (x, y) = (a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0));
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, b)),
            _ => {}
        }
    }
    if let Some(c) = item.geometry.as_ref().and_then(|g| g.get("coordinates")) {
        walk(c, &mut b);
    }
    if b.iter().all(|v| v.is_finite()) {
        b
    } else {
        [-180.0, -90.0, 180.0, 90.0]
    }
}

impl AssetReader {
    /// The read options of this asset: the request's, with the asset's bands.
    fn read(&self, base: &ReadOptions) -> ReadOptions {
        let mut read = base.clone();
        read.indexes = match (&self.selection, &self.expression) {
            (_, Some(e)) => Some(e.bands_used()),
            (BandSelection::Indexes(i), None) => Some(i.clone()),
            _ => None,
        };
        read
    }

    /// The asset image as the stack needs it: its own expression applied, STAC statistics,
    /// bands described after the asset.
    async fn finish(&self, img: ImageData, asset_as_band: bool) -> Result<ImageData, ApiError> {
        let mut img = match &self.expression {
            Some(e) => {
                let e = e.clone();
                blocking(move || expression_on_image(img, &e)).await?
            }
            None => img,
        };
        if img.dataset_statistics.is_none() && self.expression.is_none() {
            if let Some(stats) = &self.statistics {
                let idx: Vec<usize> = match &self.selection {
                    BandSelection::Indexes(i) => i.clone(),
                    _ => (1..=img.count()).collect(),
                };
                if idx.iter().all(|i| *i >= 1 && *i <= stats.len()) {
                    img.dataset_statistics = Some(idx.iter().map(|i| stats[i - 1]).collect());
                }
            }
        }
        img.band_descriptions = if asset_as_band {
            if img.count() > 1 {
                return Err(ApiError::bad_request(
                    "Can't use `asset_as_band` for multibands asset",
                ));
            }
            vec![self.name.clone()]
        } else {
            img.band_descriptions
                .iter()
                .map(|d| format!("{}_{d}", self.name))
                .collect()
        };
        Ok(img)
    }
}

impl StacSource {
    /// Reads every asset with `verb` and stacks the results.
    async fn each<'a, F, Fut>(&'a self, verb: F) -> Result<ImageData, ApiError>
    where
        F: Fn(&'a AssetReader) -> Fut,
        Fut: std::future::Future<Output = Result<ImageData, crate::reader::Error>>,
    {
        let images = bounded(&self.assets, self.concurrency, |a| {
            let fut = verb(a);
            async move { a.finish(fut.await?, self.asset_as_band).await }
        })
        .await?;
        let mut img = blocking(move || {
            ImageData::stack(images).ok_or_else(|| ApiError::bad_request("no assets to read"))
        })
        .await?;
        img.band_names = (1..=img.count()).map(|b| format!("b{b}")).collect();
        Ok(img)
    }
}

impl Source {
    pub async fn tile(
        &self,
        tms: &TileMatrixSet,
        z: i32,
        x: i64,
        y: i64,
        opts: &TileOptions,
    ) -> Result<ImageData, ApiError> {
        match self {
            Source::Mosaic(_) => Err(mosaic_verb()),
            Source::Cog(r) => Ok(r.tile(tms, z, x, y, opts).await?),
            Source::Stac(s) => {
                let spec = TileSpec::from_tms(tms, z, x, y)?;
                if !tile_intersects(&s.crs, s.bounds, &spec) {
                    return Err(
                        crate::reader::Error::TileOutsideBounds { x, y, z: z as i64 }.into(),
                    );
                }
                s.each(|a| {
                    let o = TileOptions {
                        read: a.read(&opts.read),
                        ..opts.clone()
                    };
                    async move { a.reader.tile(tms, z, x, y, &o).await }
                })
                .await
            }
        }
    }

    pub async fn part(&self, bounds: [f64; 4], opts: &PartOptions) -> Result<ImageData, ApiError> {
        match self {
            Source::Mosaic(_) => Err(mosaic_verb()),
            Source::Cog(r) => Ok(r.part(bounds, opts).await?),
            Source::Stac(s) => {
                s.each(|a| {
                    let o = PartOptions {
                        read: a.read(&opts.read),
                        ..opts.clone()
                    };
                    async move { a.reader.part(bounds, &o).await }
                })
                .await
            }
        }
    }

    pub async fn feature(
        &self,
        shape: &Value,
        shape_crs: &Crs,
        opts: &PartOptions,
    ) -> Result<ImageData, ApiError> {
        match self {
            Source::Mosaic(_) => Err(mosaic_verb()),
            Source::Cog(r) => Ok(r.feature(shape, shape_crs, opts).await?),
            Source::Stac(s) => {
                s.each(|a| {
                    let o = PartOptions {
                        read: a.read(&opts.read),
                        ..opts.clone()
                    };
                    async move { a.reader.feature(shape, shape_crs, &o).await }
                })
                .await
            }
        }
    }

    pub async fn preview(&self, opts: &PreviewOptions) -> Result<ImageData, ApiError> {
        match self {
            Source::Mosaic(_) => Err(mosaic_verb()),
            Source::Cog(r) => Ok(r.preview(opts).await?),
            Source::Stac(s) => {
                s.each(|a| {
                    let o = PreviewOptions {
                        read: a.read(&opts.read),
                        ..opts.clone()
                    };
                    async move { a.reader.preview(&o).await }
                })
                .await
            }
        }
    }

    pub async fn point(
        &self,
        x: f64,
        y: f64,
        crs: &Crs,
        read: &ReadOptions,
    ) -> Result<PointData, ApiError> {
        match self {
            Source::Mosaic(_) => Err(mosaic_verb()),
            Source::Cog(r) => Ok(r.point(x, y, crs, read).await?),
            Source::Stac(s) => {
                let points = bounded(&s.assets, s.concurrency, |a| async move {
                    let mut pt = a.reader.point(x, y, crs, &a.read(read)).await?;
                    if let Some(e) = &a.expression {
                        pt = super::json::point_expression(pt, e)?;
                    }
                    if s.asset_as_band {
                        if pt.values.len() > 1 {
                            return Err(ApiError::bad_request(
                                "Can't use `asset_as_band` for multibands asset",
                            ));
                        }
                        pt.band_descriptions = vec![a.name.clone()];
                    } else {
                        pt.band_descriptions = pt
                            .band_descriptions
                            .iter()
                            .map(|d| format!("{}_{d}", a.name))
                            .collect();
                    }
                    Ok::<_, ApiError>(pt)
                })
                .await?;
                let mut out = PointData {
                    values: Vec::new(),
                    valid: Vec::new(),
                    band_names: Vec::new(),
                    band_descriptions: Vec::new(),
                    coordinates: [x, y],
                };
                for p in points {
                    out.values.extend(p.values);
                    out.valid.extend(p.valid);
                    out.band_descriptions.extend(p.band_descriptions);
                }
                out.band_names = (1..=out.values.len()).map(|b| format!("b{b}")).collect();
                Ok(out)
            }
        }
    }

    /// `(minzoom, maxzoom)` in `tms`: the COG's, or the item grid's (the TMS's own range
    /// when the item has no projection extension).
    pub fn zoom_range(&self, tms: &TileMatrixSet) -> (i32, i32) {
        match self {
            Source::Cog(r) => r.zoom_range(tms),
            Source::Stac(s) => match &s.grid {
                Some(g) => tms.dataset_zoom_range(&g.crs, g.width, g.height, &g.geotransform),
                None => (tms.minzoom(), tms.maxzoom()),
            },
            // cogeo-mosaic: the document's zooms, whatever the TileMatrixSet
            Source::Mosaic(m) => (i32::from(m.doc.minzoom), i32::from(m.doc.maxzoom)),
        }
    }

    /// Bounds and their CRS.
    pub fn extent(&self) -> ([f64; 4], Crs) {
        match self {
            Source::Cog(r) => {
                let m = r.dataset().meta();
                (m.bounds(), m.crs.clone())
            }
            Source::Stac(s) => (s.bounds, s.crs.clone()),
            Source::Mosaic(m) => (
                m.doc.bounds,
                m.doc
                    .tms()
                    .geographic_crs()
                    .unwrap_or_else(|_| Crs::wgs84()),
            ),
        }
    }

    /// The dataset's palette (a COG's; items have none).
    pub fn colormap(&self) -> Option<&[[u8; 4]]> {
        match self {
            Source::Cog(r) => r.dataset().cog().header().colormap.as_deref(),
            Source::Stac(_) | Source::Mosaic(_) => None,
        }
    }
}
