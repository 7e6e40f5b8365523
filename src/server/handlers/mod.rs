//! Endpoint handlers, one file per group: service metadata ([`meta`]), registries of TMS,
//! colormaps and algorithms ([`registry`]), dataset data ([`cog`]), dataset documents
//! ([`documents`]) and static files, the viewer and the bundled sample ([`assets`]).
//!
//! A handler receives a [`Ctx`] (the parsed request) and returns a response or an
//! [`ApiError`]; it validates every parameter first so bad requests never reach the reader.

pub mod assets;
pub mod cog;
pub mod documents;
pub mod meta;
pub mod mosaic;
pub mod registry;
pub mod stac;
#[cfg(feature = "vector")]
pub mod vector;

use bytes::Bytes;
use http::HeaderMap;

use super::error::ApiError;
use super::params::dataset::{AssetsParams, MosaicParams};
use super::params::DatasetParams;
use super::response::Resp;
use super::router::{Captures, Endpoint, Family};
use super::validation::Errors;
use super::{query::Query, App};

/// One request, parsed: what handlers read.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub query: Query,
    pub captures: Captures,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// `http://host:port` as the client addressed us (links in documents are absolute).
    pub base_url: String,
    /// Path and query as received (WMTS echoes it).
    pub path_and_query: String,
}

impl Ctx<'_> {
    /// The `Accept` header, if any.
    pub fn accept(&self) -> Option<&str> {
        self.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
    }

    /// `http://host:port/cog` (or `/stac`, `/mosaicjson`): where the family's links point.
    pub fn router_url(&self) -> String {
        format!("{}/{}", self.base_url, self.captures.family.prefix())
    }

    /// The dataset parameters of the route's family: `/stac` adds its asset selection.
    pub fn dataset(&self, errs: &mut Errors) -> Option<DatasetParams> {
        let ds = DatasetParams::parse(&self.query, errs);
        match self.captures.family {
            Family::Stac => {
                let assets = AssetsParams::parse(&self.query, errs);
                let mut ds = ds?;
                ds.assets = Some(assets?);
                Some(ds)
            }
            Family::Mosaic => {
                let mosaic = MosaicParams::parse(&self.query, errs);
                let mut ds = ds?;
                ds.mosaic = Some(mosaic?);
                Some(ds)
            }
            Family::Cog => ds,
        }
    }

    /// Finishes validation: `Ok(value)` when nothing failed, else the 422 of all errors.
    pub fn done<T>(errs: Errors, v: Option<T>) -> Result<T, ApiError> {
        match v {
            Some(v) if errs.is_empty() => Ok(v),
            _ => Err(ApiError::validation(errs.into_vec())),
        }
    }
}

/// Runs the handler of `endpoint`.
pub async fn dispatch(endpoint: Endpoint, ctx: Ctx<'_>) -> Result<Resp, ApiError> {
    use Endpoint as E;
    match endpoint {
        E::Landing => meta::landing(&ctx),
        E::Conformance => meta::conformance(&ctx),
        E::Healthz => Ok(meta::healthz()),
        E::Api => Ok(meta::openapi_json(&ctx)),
        E::ApiHtml => Ok(meta::openapi_html(&ctx)),
        E::TmsList => registry::tms_list(&ctx),
        E::Tms => registry::tms_document(&ctx),
        E::ColorMapList => Ok(registry::colormap_list(&ctx)),
        E::ColorMap => registry::colormap(&ctx),
        E::AlgorithmList => registry::algorithm_list(&ctx),
        E::Algorithm => registry::algorithm(&ctx),
        E::Info => cog::info(&ctx).await,
        E::InfoGeojson => cog::info_geojson(&ctx).await,
        E::Statistics => cog::statistics(&ctx).await,
        E::StatisticsFeature => cog::feature_statistics(&ctx).await,
        E::Tile | E::TileScaled | E::TileNoTms => cog::tile(&ctx, endpoint).await,
        E::Point => cog::point(&ctx).await,
        E::Preview => cog::preview(&ctx).await,
        E::Bbox => cog::bbox(&ctx).await,
        E::Feature => cog::feature(&ctx).await,
        E::OgcMap => cog::ogc_map(&ctx).await,
        E::Validate => cog::validate(&ctx).await,
        E::TilesetList => documents::tileset_list(&ctx).await,
        E::Tileset => documents::tileset(&ctx).await,
        E::TileJson | E::TileJsonNoTms => documents::tilejson(&ctx, endpoint).await,
        E::MapHtml => documents::map_html(&ctx),
        E::Wmts | E::WmtsTms => documents::wmts(&ctx, endpoint).await,
        E::Viewer => Ok(assets::viewer(&ctx)),
        E::Static => assets::static_file(&ctx),
        E::SampleTif => Ok(assets::sample_tif(&ctx)),
        E::Assets => stac::assets(&ctx).await,
        E::AssetStatistics => stac::asset_statistics(&ctx).await,
        E::RenderList => stac::render_list(&ctx).await,
        E::Render => stac::render(&ctx).await,
        E::MosaicDocument => mosaic::document(&ctx).await,
        E::MosaicValidate => mosaic::validate(&ctx),
        E::TileAssets | E::PointAssets | E::BboxAssets => mosaic::assets(&ctx, endpoint).await,
        E::Collections
        | E::Collection
        | E::Queryables
        | E::Items
        | E::Item
        | E::VectorTilesets
        | E::VectorTileset
        | E::VectorTile
        | E::VectorTileJson
        | E::VectorStyleJson
        | E::VectorMap => vector_api(&ctx, endpoint).await,
    }
}

/// The `/collections` routes (`App::serves` lets them through only when the vector API runs).
#[cfg(feature = "vector")]
async fn vector_api(ctx: &Ctx<'_>, endpoint: Endpoint) -> Result<Resp, ApiError> {
    vector::dispatch(ctx, endpoint).await
}

/// A build without the `vector` feature never serves the `/collections` routes.
#[cfg(not(feature = "vector"))]
async fn vector_api(_ctx: &Ctx<'_>, _endpoint: Endpoint) -> Result<Resp, ApiError> {
    Err(ApiError::not_found())
}
