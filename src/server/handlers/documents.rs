//! Dataset documents: TileJSON, tilesets, WMTS capabilities, `map.html`.
//!
//! Parameters are validated here, the dataset facts come from the backend, and the pure
//! builders in [`crate::server::docs`] write the documents.

use super::Ctx;
use crate::server::backend::FactsRequest;
use crate::server::docs::{
    map_html as map_doc, tilejson as tj, tileset as ts, wmts as wm, DatasetFacts, TmsFacts,
};
use crate::server::error::ApiError;
use crate::server::params::tile::parse_tms_id;
use crate::server::params::{DatasetParams, TileJsonParams, TilesetParams, WmtsParams};
use crate::server::response::{self, Resp};
use crate::server::router::Endpoint;
use crate::server::validation::Errors;

fn facts_request(ds: DatasetParams, tms_ids: Vec<String>, crs: Option<&str>) -> FactsRequest {
    FactsRequest {
        dataset: ds,
        tms_ids,
        crs: crs.map(str::to_string),
    }
}

/// The `{tileMatrixSetId}` path segment, validated against the server's TMS list.
fn path_tms(ctx: &Ctx<'_>, errs: &mut Errors) -> Option<String> {
    parse_tms_id(ctx.captures.get("tileMatrixSetId"), &ctx.app.catalog, errs)
}

/// The dataset's facts seen through one TMS (TileJSON and tileset documents describe one).
async fn facts_for_tms(
    ctx: &Ctx<'_>,
    ds: DatasetParams,
    tms: &str,
) -> Result<(DatasetFacts, TmsFacts), ApiError> {
    let facts = ctx
        .app
        .backend
        .dataset_facts(&facts_request(ds, vec![tms.to_string()], None))
        .await?;
    let t = facts
        .tms(tms)
        .cloned()
        .ok_or_else(|| ApiError::internal(format!("no facts for tms {tms:?}")))?;
    Ok((facts, t))
}

/// `GET /cog/{tileMatrixSetId}/tilejson.json` (and legacy `/cog/tilejson.json`).
pub async fn tilejson(ctx: &Ctx<'_>, endpoint: Endpoint) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let raw_tms = if endpoint == Endpoint::TileJsonNoTms {
        "WebMercatorQuad"
    } else {
        ctx.captures.get("tileMatrixSetId")
    };
    let tms = parse_tms_id(raw_tms, &ctx.app.catalog, &mut errs);
    let ds = ctx.dataset(&mut errs);
    let params = TileJsonParams::parse(&ctx.query, &mut errs);
    let ((tms, ds), params) = Ctx::done(errs, tms.zip(ds).zip(params))?;
    let (facts, t) = facts_for_tms(ctx, ds, &tms).await?;
    let doc = tj::tilejson(
        &facts,
        &t,
        &params,
        &ctx.query,
        &ctx.router_url(),
        ctx.app.config.attribution.as_deref(),
    );
    Ok(response::json(&doc))
}

/// `GET /cog/tiles`.
pub async fn tileset_list(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let ds = ctx.dataset(&mut errs);
    let ds = Ctx::done(errs, ds)?;
    let ids = ctx.app.catalog.tms_ids.clone();
    let facts = ctx
        .app
        .backend
        .dataset_facts(&facts_request(ds, ids, ctx.query.get("crs")))
        .await?;
    Ok(response::json(&ts::tileset_list(
        &facts,
        &ctx.query,
        &ctx.router_url(),
    )))
}

/// `GET /cog/tiles/{tileMatrixSetId}`.
pub async fn tileset(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let tms = path_tms(ctx, &mut errs);
    let ds = ctx.dataset(&mut errs);
    let params = TilesetParams::parse(&ctx.query, &mut errs);
    let ((tms, ds), params) = Ctx::done(errs, tms.zip(ds).zip(params))?;
    let (facts, t) = facts_for_tms(ctx, ds, &tms).await?;
    Ok(response::json(&ts::tileset(
        &facts,
        &t,
        &params,
        &ctx.query,
        &ctx.router_url(),
    )))
}

/// `GET /cog/WMTSCapabilities.xml` (all TMSs) and legacy `/cog/{tms}/WMTSCapabilities.xml`.
pub async fn wmts(ctx: &Ctx<'_>, endpoint: Endpoint) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let ids = if endpoint == Endpoint::WmtsTms {
        path_tms(ctx, &mut errs).map(|t| vec![t])
    } else {
        Some(ctx.app.catalog.tms_ids.clone())
    };
    let ds = ctx.dataset(&mut errs);
    let params = WmtsParams::parse(&ctx.query, &mut errs);
    let ((ids, ds), params) = Ctx::done(errs, ids.zip(ds).zip(params))?;
    let url = ds.url.clone();
    let facts = ctx
        .app
        .backend
        .dataset_facts(&facts_request(ds, ids, None))
        .await?;
    let self_url = format!("{}{}", ctx.base_url, ctx.path_and_query);
    Ok(response::xml(wm::capabilities(
        &facts,
        &params,
        &ctx.query,
        &ctx.router_url(),
        &self_url,
        &url,
    )))
}

/// `GET /cog/{tileMatrixSetId}/map.html`.
pub fn map_html(ctx: &Ctx) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let tms = path_tms(ctx, &mut errs);
    let ds = ctx.dataset(&mut errs);
    let params = TileJsonParams::parse(&ctx.query, &mut errs);
    let ((tms, _ds), _params) = Ctx::done(errs, tms.zip(ds).zip(params))?;
    let map_tms = crate::server::docs::facts::map_tms(&ctx.app.tms, &tms)
        .ok_or_else(|| ApiError::internal(format!("tilematrixset {tms:?} has no usable extent")))?;
    Ok(response::html(map_doc::map_html(
        &map_tms,
        &ctx.query,
        &ctx.router_url(),
        ctx.app.config.cdn_assets,
    )))
}
