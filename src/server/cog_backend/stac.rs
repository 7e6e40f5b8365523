//! The STAC answers that are not a verb over the stacked assets: info and statistics per
//! asset, the asset list, the render extension.

use serde_json::{Map, Value};

use super::render::{self, Prepared};
use super::source::{expand_all, Source};
use super::{blocking, json, parse_crs, CogBackend};
use crate::crs::Crs;
use crate::server::backend::StatisticsRequest;
use crate::server::error::ApiError;
use crate::server::params::DatasetParams;
use crate::stac::{AssetRequest, BandSelection, Item};
use crate::tms::geographic_bounds;

impl CogBackend {
    /// The selected assets (`:all:` expanded) as `(key, request, url)`: TiTiler keys results
    /// by the entry as written.
    async fn asset_urls(
        &self,
        ds: &DatasetParams,
    ) -> Result<(std::sync::Arc<Item>, Vec<(AssetRequest, String)>), ApiError> {
        let item = self.stac_item(&ds.url).await?;
        let wanted = ds
            .assets
            .as_ref()
            .map(|a| a.assets.clone())
            .unwrap_or_default();
        let mut out = Vec::new();
        let all = expand_all(&item, &wanted, true);
        self.check_asset_count(all.len())?;
        for raw in all {
            let r = AssetRequest::parse(&raw)?;
            let asset = item.check_asset(&r.name)?;
            let url = Item::asset_url(asset, &ds.url)?;
            out.push((r, url));
        }
        Ok((item, out))
    }

    /// `/stac/info`: each asset's COG info, keyed by asset.
    pub(super) async fn stac_info(
        &self,
        ds: &DatasetParams,
    ) -> Result<Map<String, Value>, ApiError> {
        let (_, assets) = self.asset_urls(ds).await?;
        let infos = self
            .for_each_asset(&assets, |(_, url)| async move {
                let cog = self.cog(url).await?;
                serde_json::to_value(cog.info()).map_err(|e| ApiError::internal(e.to_string()))
            })
            .await?;
        Ok(assets
            .into_iter()
            .zip(infos)
            .map(|((r, _), info)| (r.raw, info))
            .collect())
    }

    /// `/stac/info.geojson`: the item's extent as a Feature, the asset infos as properties.
    pub(super) async fn stac_info_geojson(
        &self,
        ds: &DatasetParams,
        crs: Option<&str>,
    ) -> Result<Value, ApiError> {
        let geo = parse_crs(crs)?.unwrap_or_else(Crs::wgs84);
        let info = self.stac_info(ds).await?;
        let item = self.stac_item(&ds.url).await?;
        let names: Vec<&str> = info.keys().map(String::as_str).collect();
        let (bounds, from) = match item.projection(&names) {
            Some(p) => (p.bounds, p.crs),
            None => (super::source::item_wgs84_bbox(&item), Crs::wgs84()),
        };
        let b = geographic_bounds(&from, bounds, &geo);
        Ok(json::bounds_feature(b, Value::Object(info)))
    }

    /// `/stac/asset_statistics`: rio-tiler's `Reader.statistics` per asset.
    pub(super) async fn stac_asset_statistics(
        &self,
        req: &StatisticsRequest,
    ) -> Result<Value, ApiError> {
        let (item, assets) = self.asset_urls(&req.dataset).await?;
        let stats = render::stats_options(&req.stats)?;
        let docs = self
            .for_each_asset(&assets, |(r, url)| {
                let (item, stats) = (item.clone(), stats.clone());
                async move {
                    let mut ds = req.dataset.clone();
                    ds.url = url.clone();
                    ds.assets = None;
                    let asset = item.check_asset(&r.name)?;
                    match r.selection(asset)? {
                        BandSelection::Indexes(i) => {
                            ds.bidx = Some(i.iter().map(|b| *b as i64).collect())
                        }
                        BandSelection::Expression(e) => ds.expression = Some(e),
                        BandSelection::All => {}
                    }
                    let prep = Prepared::new(&ds, self.max_output_pixels)?;
                    let source = Source::Cog(self.reader(url).await?);
                    let img = self
                        .preview_image(&source, &prep, &req.size, req.dst_crs.as_deref())
                        .await?;
                    let algorithm = req.algorithm.clone();
                    blocking(move || {
                        render::statistics_json(img, &prep, algorithm.as_ref(), &stats, None)
                    })
                    .await
                }
            })
            .await?;
        Ok(Value::Object(
            assets
                .into_iter()
                .zip(docs)
                .map(|((r, _), d)| (r.raw, d))
                .collect(),
        ))
    }
}
