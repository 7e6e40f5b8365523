//! `/mosaicjson`: a MosaicJSON document's assets read as one layer.
//!
//! A tile asks the document which assets cover it, reads them as COGs
//! (`--asset-concurrency` at a time, in document order) and merges them with the requested
//! `pixel_selection` ([`crate::mosaic::mosaic_reader`]; `first` stops once the tile is full).
//! An asset that does not cover the tile is skipped, as rio-tiler's `allowed_exceptions`; no
//! asset at all is a 204. Parsed documents are cached (a big document costs tens of
//! milliseconds to parse) for as long as their bytes are.

use serde_json::{json, Value};
use std::sync::Arc;

use super::{json as body, CogBackend};
use crate::crs::Crs;
use crate::mosaic::{mosaic_reader, MosaicJson, PixelSelection};
use crate::reader::{ImageData, TileOptions};
use crate::server::error::ApiError;
use crate::tms::{Tile, TileMatrixSet};

/// A mosaic document and how to merge its assets.
pub(super) struct MosaicSource {
    pub doc: Arc<MosaicJson>,
    pub method: PixelSelection,
}

/// Why an asset gave no image: outside the tile (skipped) or a real failure.
enum AssetError {
    Outside,
    Failed(ApiError),
}

impl From<crate::mosaic::Error> for AssetError {
    fn from(e: crate::mosaic::Error) -> Self {
        AssetError::Failed(e.into())
    }
}

impl From<AssetError> for ApiError {
    fn from(e: AssetError) -> ApiError {
        match e {
            AssetError::Failed(e) => e,
            AssetError::Outside => crate::mosaic::Error::EmptyMosaic.into(),
        }
    }
}

impl CogBackend {
    /// The document at `url`, parsed once per document-cache lifetime.
    pub(super) async fn mosaic_document(&self, url: &str) -> Result<Arc<MosaicJson>, ApiError> {
        let max = usize::try_from(self.assets.documents.max_bytes).unwrap_or(usize::MAX);
        self.mosaics
            .get(self, url, move |bytes| {
                Ok(MosaicJson::from_bytes(&bytes, max)?)
            })
            .await
    }

    /// A tile of the mosaic: its assets read and merged.
    pub(super) async fn mosaic_tile(
        &self,
        m: &MosaicSource,
        tms: &TileMatrixSet,
        z: i32,
        x: i64,
        y: i64,
        opts: &TileOptions,
    ) -> Result<ImageData, ApiError> {
        let assets = m.doc.assets_for_tile_in(tms, Tile::new(x, y, z))?;
        if assets.is_empty() {
            return Err(crate::mosaic::Error::EmptyMosaic.into());
        }
        self.check_asset_count(assets.len())?;
        let read = |url: &str| {
            let url = url.to_string();
            async move {
                let reader = self.reader(&url).await.map_err(AssetError::Failed)?;
                match reader.tile(tms, z, x, y, opts).await {
                    Ok(img) => Ok(img),
                    Err(crate::reader::Error::TileOutsideBounds { .. }) => Err(AssetError::Outside),
                    Err(e) => Err(AssetError::Failed(e.into())),
                }
            }
        };
        let merged = mosaic_reader(
            &assets,
            m.method,
            self.assets.concurrency,
            read,
            |e: &AssetError| matches!(e, AssetError::Outside),
        )
        .await?;
        Ok(merged.image)
    }

    /// `/mosaicjson/point`: each covering asset's values (`null` where masked); 204 when no
    /// asset has the point.
    pub(super) async fn mosaic_point(
        &self,
        doc: &MosaicJson,
        lon: f64,
        lat: f64,
        crs: &Crs,
        read: &crate::reader::ReadOptions,
    ) -> Result<Value, ApiError> {
        let assets = doc.assets_for_point_in(crs, lon, lat)?;
        self.check_asset_count(assets.len())?;
        let points = self
            .for_each_asset(&assets, |url| async move {
                let reader = self.reader(url).await?;
                match reader.point(lon, lat, crs, read).await {
                    Ok(p) => Ok(Some(p)),
                    Err(crate::reader::Error::PointOutsideBounds { .. }) => Ok(None),
                    Err(e) => Err(ApiError::from(e)),
                }
            })
            .await?;
        let found: Vec<Value> = assets
            .iter()
            .zip(points)
            .filter_map(|(url, p)| {
                let p = p?;
                let values: Vec<Value> = p
                    .values
                    .iter()
                    .zip(&p.valid)
                    .map(|(v, ok)| if *ok { body::num(*v) } else { Value::Null })
                    .collect();
                Some(json!({
                    "name": url,
                    "values": values,
                    "band_names": p.band_names,
                    "band_descriptions": p.band_descriptions,
                }))
            })
            .collect();
        if found.is_empty() {
            return Err(crate::mosaic::Error::EmptyMosaic.into());
        }
        Ok(json!({"coordinates": [lon, lat], "assets": found}))
    }

    /// `/mosaicjson/info` (and the properties of `info.geojson`).
    pub(super) async fn mosaic_info(
        &self,
        url: &str,
    ) -> Result<(Arc<MosaicJson>, Value), ApiError> {
        let doc = self.mosaic_document(url).await?;
        let info = serde_json::to_value(doc.info(false)?)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((doc, info))
    }
}
