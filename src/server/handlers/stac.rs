//! The `/stac`-only endpoints: the item's assets, statistics per asset, and its renders.
//! (Every other `/stac` route is a `/cog` handler reading the selected assets.)

use serde_json::{json, Map, Value};

use super::Ctx;
use crate::pyrepr::py_str_json;
use crate::server::error::ApiError;
use crate::server::params::dataset::AssetsParams;
use crate::server::params::{AlgorithmParams, DatasetParams, RenderParams, TileParams};
use crate::server::query::Query;
use crate::server::response::{self, Resp};
use crate::server::validation::{Errors, Source};
use crate::stac::Render;

/// The `url` query parameter (422 when missing).
fn url(ctx: &Ctx<'_>) -> Result<String, ApiError> {
    let mut errs = Errors::new();
    let url = ctx.query.get("url").map(str::to_string);
    if url.is_none() {
        errs.missing(Source::Query, "url");
    }
    Ctx::done(errs, url)
}

/// `GET /stac/assets`.
pub async fn assets(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let url = url(ctx)?;
    Ok(response::json(&ctx.app.backend.stac_assets(&url).await?))
}

/// `GET /stac/asset_statistics`.
pub async fn asset_statistics(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let req = super::cog::statistics_request(ctx, &mut errs)?;
    let req = Ctx::done(errs, req)?;
    Ok(response::json(
        &ctx.app.backend.asset_statistics(&req).await?,
    ))
}

/// `GET /stac/renders`.
pub async fn render_list(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let url = url(ctx)?;
    let renders = ctx.app.backend.stac_renders(&url).await?;
    let mut out = Map::new();
    for (id, r) in renders {
        out.insert(id.clone(), prepare_render(ctx, &url, &id, r));
    }
    Ok(response::json(&json!({
        "renders": out,
        "links": [{
            "href": format!("{}{}", ctx.base_url, ctx.path_and_query),
            "rel": "self",
            "type": "application/json",
            "title": "List STAC Renders metadata",
        }],
    })))
}

/// `GET /stac/renders/{render_id}`.
pub async fn render(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let url = url(ctx)?;
    let id = ctx.captures.get("render_id");
    let renders = ctx.app.backend.stac_renders(&url).await?;
    let r = renders
        .into_iter()
        .find(|(k, _)| k == id)
        .ok_or_else(|| ApiError::new(http::StatusCode::NOT_FOUND, "Render not found"))?;
    Ok(response::json(&prepare_render(ctx, &url, id, r.1)))
}

/// One render entry as TiTiler describes it: its parameters (titiler 2 asset syntax), whether
/// they make a valid tile request, and links to its TileJSON and WMTS when they do.
fn prepare_render(ctx: &Ctx<'_>, url: &str, id: &str, mut params: Render) -> Value {
    adapt_assets(&mut params);
    let router = ctx.router_url();
    let enc = |pairs: &[(String, String)]| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        s.finish()
    };
    let mut links = vec![json!({
        "href": format!("{router}/renders/{id}?{}", enc(&[("url".into(), url.into())])),
        "rel": "self",
        "type": "application/json",
        "title": format!("STAC Renders metadata for {id}"),
    })];
    // the query a tile URL would carry: python's `urlencode({"url": ..., **render}, doseq=True)`
    let mut pairs = vec![("url".to_string(), url.to_string())];
    for (k, v) in &params {
        match v {
            Value::Array(items) => pairs.extend(items.iter().map(|i| (k.clone(), py_str_json(i)))),
            v => pairs.push((k.clone(), py_str_json(v))),
        }
    }
    let valid = valid_tile_query(ctx, &pairs);
    if valid {
        let qs = enc(&pairs);
        links.push(json!({
            "href": format!("{router}/%7BtileMatrixSetId%7D/tilejson.json?{qs}"),
            "rel": "tilesets-map",
            "title": format!("tilejson file for {id}"),
            "templated": true,
        }));
        links.push(json!({
            "href": format!("{router}/WMTSCapabilities.xml?{qs}"),
            "rel": "tilesets-map",
            "title": format!("WMTS service for {id}"),
            "templated": true,
        }));
    }
    json!({"valid": valid, "params": model_params(params), "links": links})
}

/// Render extension 1.x `asset_bidx` / `asset_expression` folded into titiler 2's
/// `assets=name|bidx=...` entries.
fn adapt_assets(params: &mut Render) {
    let Some(pos) = params.iter().position(|(k, _)| k == "assets") else {
        return;
    };
    let as_list = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(a) => a.iter().map(py_str_json).collect(),
            v => vec![py_str_json(v)],
        }
    };
    let assets = as_list(&params[pos].1);
    let mut options: Vec<(String, Vec<String>)> =
        assets.iter().map(|a| (a.clone(), Vec::new())).collect();
    for (key, opt) in [("asset_bidx", "bidx"), ("asset_expression", "expression")] {
        if let Some(i) = params.iter().position(|(k, _)| k == key) {
            let (_, v) = params.remove(i);
            for entry in as_list(&v) {
                if let Some((asset, value)) = entry.split_once('|') {
                    if let Some(o) = options.iter_mut().find(|(a, _)| a == asset) {
                        o.1.push(format!("{opt}={value}"));
                    }
                }
            }
        }
    }
    let adapted = options
        .into_iter()
        .map(|(a, o)| {
            if o.is_empty() {
                json!(a)
            } else {
                json!(format!("{a}|{}", o.join("|")))
            }
        })
        .collect();
    if let Some(p) = params.iter_mut().find(|(k, _)| k == "assets") {
        p.1 = Value::Array(adapted);
    }
}

/// Whether `pairs` pass the parameter checks of a tile request (TiTiler's
/// `check_query_params` over the tile dependencies).
fn valid_tile_query(ctx: &Ctx<'_>, pairs: &[(String, String)]) -> bool {
    let q = Query::from_pairs(pairs.iter().cloned());
    let mut errs = Errors::new();
    let cat = &ctx.app.catalog;
    let ok = DatasetParams::parse(&q, &mut errs).is_some()
        & AssetsParams::parse(&q, &mut errs).is_some()
        & matches!(RenderParams::parse(&q, cat, &mut errs), Ok(Some(_)))
        & AlgorithmParams::parse(&q, cat, &mut errs).is_some()
        & TileParams::parse(&q, &mut errs).is_some();
    ok && errs.is_empty()
}

/// The parameters as TiTiler's `RenderItem` model dumps them: `rescale` pairs and `nodata`
/// as floats, everything else as written.
fn model_params(params: Render) -> Value {
    let float = |v: &Value| v.as_f64().map_or(v.clone(), |f| json!(f));
    Value::Object(
        params
            .into_iter()
            .map(|(k, v)| {
                let v = match (k.as_str(), v) {
                    ("rescale", Value::Array(pairs)) => Value::Array(
                        pairs
                            .iter()
                            .map(|p| match p {
                                Value::Array(xs) => Value::Array(xs.iter().map(float).collect()),
                                other => other.clone(),
                            })
                            .collect(),
                    ),
                    ("nodata", v) => float(&v),
                    (_, v) => v,
                };
                (k, v)
            })
            .collect(),
    )
}
