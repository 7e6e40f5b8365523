//! The seam between HTTP and the library: what the data endpoints ask of the reader.
//!
//! Handlers parse and validate every parameter, then call one [`Backend`] method with a typed
//! request. The backend opens the dataset, runs the reader verb and the renderer, and returns
//! bytes or JSON; the handler adds headers and status. Keeping this a trait lets the server be
//! tested without datasets (a fake backend) and keeps HTTP concerns out of the library.
//!
//! [`super::CogBackend`] is the real implementation (`cogtiler serve` runs it). Every method
//! defaults to a clear `501`, so a test double implements only the calls it answers.
//!
//! Wiring notes (what each method should do, TiTiler-wise):
//! - Open the dataset from `DatasetParams::url`; the URL [`super::sample::SAMPLE_URL`]
//!   (`"sample"`) is the embedded [`super::sample::SAMPLE_COG`] (an in-memory byte source).
//!   Library errors convert with `?` once their enum implements
//!   [`Classify`](super::error::Classify) (see `error_map.rs`).
//! - `dataset_facts`: per requested TMS id, `docs::facts::tms_facts(tms, bounds in
//!   tms.geographic_crs (densified transform), rio-tiler minzoom, maxzoom)`; `wgs84_bounds`
//!   from the dataset bounds → EPSG:4326 (`-180,-90,180,90` if not finite), band descriptions
//!   `("b{i}", description or "b{i}")`, dtype name.
//! - `tile`: `reader.tile(tms, z, x, y, tilesize = tile_params.effective_tilesize(scale,
//!   tms matrix tile width), bidx/expression/nodata/unscale/resampling/reproject, buffer,
//!   padding)`, then algorithm, then `render::render_image` with `render`/`format`; set
//!   `Image::bounds`/`crs_uri` to the tile's `xy_bounds` and the TMS CRS URI.
//! - `preview`/`part`/`feature`/`ogc_map`: the matching reader verb with `SizeParams`
//!   (`max_size` already dropped when width/height are given), then render as for tiles.
//! - `statistics`: preview (max_size 1024 unless given) → rio-tiler statistics; keys `b1..`.
//! - `point`: values (masked → `null`), `band_names`, `band_descriptions`, `coordinates`.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use serde_json::Value;

use super::docs::DatasetFacts;
use super::error::ApiError;
use crate::render::algorithm::Algorithm;

use super::params::{
    BboxParams, DatasetParams, ImageFormat, OgcMapParams, PointParams, RenderParams, SizeParams,
    StatisticsParams, TileParams, TilePath,
};

/// A boxed future returned by backend methods (object-safe async).
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// A rendered image and what TiTiler says about it in headers.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub bytes: Bytes,
    /// The format actually written (decides `Content-Type`; the auto choice is PNG or JPEG).
    pub format: ImageFormat,
    /// `Content-Bbox`: the image bounds in `crs` (tiles, parts).
    pub bounds: Option<[f64; 4]>,
    /// `Content-Crs`: the bounds' CRS URI (`http://www.opengis.net/def/crs/EPSG/0/3857`).
    pub crs_uri: Option<String>,
}

/// Parameters every image endpoint shares: bands, rendering, post-processing.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageRequest {
    pub dataset: DatasetParams,
    pub render: RenderParams,
    /// Post-processing, parameters already validated against the algorithm's schema.
    pub algorithm: Option<Algorithm>,
    /// Requested output format; `None` = PNG if any pixel is masked, else JPEG.
    pub format: Option<ImageFormat>,
}

/// `/cog/tiles/{tms}/{z}/{x}/{y}`.
#[derive(Clone, Debug, PartialEq)]
pub struct TileRequest {
    pub image: ImageRequest,
    pub tile: TilePath,
    pub tile_params: TileParams,
}

/// `/cog/preview`.
#[derive(Clone, Debug, PartialEq)]
pub struct PreviewRequest {
    pub image: ImageRequest,
    pub size: SizeParams,
    pub dst_crs: Option<String>,
}

/// `/cog/bbox/...` (and `/cog/map` once its bbox/size/CRS are resolved).
#[derive(Clone, Debug, PartialEq)]
pub struct PartRequest {
    pub image: ImageRequest,
    pub bbox: BboxParams,
    pub size: SizeParams,
}

/// `POST /cog/feature`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureRequest {
    pub image: ImageRequest,
    /// The validated GeoJSON `Feature`.
    pub feature: Value,
    pub size: SizeParams,
    pub coord_crs: Option<String>,
    pub dst_crs: Option<String>,
}

/// `GET /cog/statistics`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatisticsRequest {
    pub dataset: DatasetParams,
    /// Post-processing, parameters already validated against the algorithm's schema.
    pub algorithm: Option<Algorithm>,
    pub stats: StatisticsParams,
    pub size: SizeParams,
    pub dst_crs: Option<String>,
}

/// `POST /cog/statistics`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureStatisticsRequest {
    pub statistics: StatisticsRequest,
    /// A GeoJSON `Feature` or `FeatureCollection`.
    pub geojson: Value,
    pub coord_crs: Option<String>,
    /// `cover_scale` (1..=1000, default 10).
    pub cover_scale: u32,
}

/// Where `/mosaicjson/.../assets` looks.
#[derive(Clone, Debug, PartialEq)]
pub enum AssetsAt {
    Tile {
        tms: String,
        z: i64,
        x: i64,
        y: i64,
    },
    /// Coordinates in `coord_crs` (default WGS84).
    Point {
        lon: f64,
        lat: f64,
        coord_crs: Option<String>,
    },
    /// `[minx, miny, maxx, maxy]` in `coord_crs` (default WGS84).
    Bbox {
        bbox: [f64; 4],
        coord_crs: Option<String>,
    },
}

/// What a document endpoint needs to know about a dataset for one or more TMSs.
#[derive(Clone, Debug, PartialEq)]
pub struct FactsRequest {
    pub dataset: DatasetParams,
    /// TMS ids to compute zoom ranges and limits for.
    pub tms_ids: Vec<String>,
    /// Requested geographic CRS for bounds (`crs=` of `/cog/tiles`), default WGS84.
    pub crs: Option<String>,
}

/// The reader side of the data endpoints. Every method defaults to "not wired" (501).
pub trait Backend: Send + Sync + 'static {
    /// Dataset facts for TileJSON, tilesets, WMTS and map pages.
    fn dataset_facts<'a>(&'a self, _req: &'a FactsRequest) -> BoxFut<'a, DatasetFacts> {
        not_wired("dataset documents")
    }
    /// `/cog/info` JSON.
    fn info<'a>(&'a self, _ds: &'a DatasetParams) -> BoxFut<'a, Value> {
        not_wired("/cog/info")
    }
    /// `/cog/info.geojson` Feature.
    fn info_geojson<'a>(
        &'a self,
        _ds: &'a DatasetParams,
        _crs: Option<&'a str>,
    ) -> BoxFut<'a, Value> {
        not_wired("/cog/info.geojson")
    }
    /// `GET /cog/statistics`.
    fn statistics<'a>(&'a self, _req: &'a StatisticsRequest) -> BoxFut<'a, Value> {
        not_wired("/cog/statistics")
    }
    /// `POST /cog/statistics`.
    fn feature_statistics<'a>(&'a self, _req: &'a FeatureStatisticsRequest) -> BoxFut<'a, Value> {
        not_wired("POST /cog/statistics")
    }
    /// A map tile.
    fn tile<'a>(&'a self, _req: &'a TileRequest) -> BoxFut<'a, Image> {
        not_wired("tiles")
    }
    /// `/cog/preview`.
    fn preview<'a>(&'a self, _req: &'a PreviewRequest) -> BoxFut<'a, Image> {
        not_wired("/cog/preview")
    }
    /// `/cog/bbox` and `/cog/map`.
    fn part<'a>(&'a self, _req: &'a PartRequest) -> BoxFut<'a, Image> {
        not_wired("/cog/bbox")
    }
    /// `POST /cog/feature`.
    fn feature<'a>(&'a self, _req: &'a FeatureRequest) -> BoxFut<'a, Image> {
        not_wired("/cog/feature")
    }
    /// `/cog/point/{lon},{lat}` JSON.
    fn point<'a>(&'a self, _ds: &'a DatasetParams, _p: &'a PointParams) -> BoxFut<'a, Value> {
        not_wired("/cog/point")
    }
    /// `/cog/validate` JSON (rio-cogeo's model).
    fn validate<'a>(&'a self, _url: &'a str, _strict: bool) -> BoxFut<'a, Value> {
        not_wired("/cog/validate")
    }
    /// `/cog/map` (OGC API Maps): resolve defaults (bbox = dataset bounds, crs) then render.
    fn ogc_map<'a>(&'a self, _image: &'a ImageRequest, _p: &'a OgcMapParams) -> BoxFut<'a, Image> {
        not_wired("/cog/map")
    }
    /// `/stac/assets`: the item's readable assets, in document order.
    fn stac_assets<'a>(&'a self, _url: &'a str) -> BoxFut<'a, Value> {
        not_wired("/stac/assets")
    }
    /// `/stac/asset_statistics`: a statistics document per asset.
    fn asset_statistics<'a>(&'a self, _req: &'a StatisticsRequest) -> BoxFut<'a, Value> {
        not_wired("/stac/asset_statistics")
    }
    /// `GET /mosaicjson/`: the document as TiTiler dumps it (JSON text).
    fn mosaic_document<'a>(&'a self, _url: &'a str) -> BoxFut<'a, String> {
        not_wired("/mosaicjson/")
    }
    /// `/mosaicjson/.../assets`: the assets a tile, point or bbox reads.
    fn mosaic_assets<'a>(&'a self, _url: &'a str, _at: &'a AssetsAt) -> BoxFut<'a, Value> {
        not_wired("/mosaicjson assets")
    }
    /// `/stac/renders`: the item's render extension entries, parameters in document order.
    fn stac_renders<'a>(&'a self, _url: &'a str) -> BoxFut<'a, Vec<(String, crate::stac::Render)>> {
        not_wired("/stac/renders")
    }
}

fn not_wired<'a, T: Send + 'a>(what: &str) -> BoxFut<'a, T> {
    let e = ApiError::not_implemented(what);
    Box::pin(async move { Err(e) })
}
