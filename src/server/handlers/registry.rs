//! Registries: `/tileMatrixSets`, `/colorMaps`, `/algorithms`.
//!
//! The lists come from the [`Catalog`](crate::server::params::Catalog); TileMatrixSet
//! documents are the `tms` registry's JSON verbatim; colormap tables/legends and algorithm
//! descriptions come from the `render` module once it is wired, and answer 501 until then.

use serde_json::{json, Value};

use super::Ctx;
use crate::server::error::ApiError;
use crate::server::params::catalog::as_strs;
use crate::server::params::tile::parse_tms_id;
use crate::server::response::{self, Resp};
use crate::server::validation::{Errors, Source};

/// `GET /tileMatrixSets`.
pub fn tms_list(ctx: &Ctx) -> Resp {
    let base = &ctx.base_url;
    let sets: Vec<Value> = ctx
        .app
        .catalog
        .tms_ids
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "links": [{
                    "href": format!("{base}/tileMatrixSets/{id}"),
                    "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                    "type": "application/json",
                    "title": format!("Definition of {id} tileMatrixSet"),
                }]
            })
        })
        .collect();
    response::json(&json!({ "tileMatrixSets": sets }))
}

/// `GET /tileMatrixSets/{tileMatrixSetId}`.
pub fn tms_document(ctx: &Ctx) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let id = parse_tms_id(
        ctx.captures.get("tileMatrixSetId"),
        &ctx.app.catalog,
        &mut errs,
    );
    let id = Ctx::done(errs, id)?;
    let tms = ctx
        .app
        .tms
        .get(&id)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(response::with_type(
        http::StatusCode::OK,
        "application/json",
        tms.json().as_bytes().to_vec(),
    ))
}

/// `GET /colorMaps`.
pub fn colormap_list(ctx: &Ctx) -> Resp {
    let base = &ctx.base_url;
    let maps: Vec<Value> = ctx
        .app
        .catalog
        .colormap_names
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "links": [{
                    "href": format!("{base}/colorMaps/{id}"),
                    "rel": "item",
                    "type": "application/json",
                    "title": format!("Definition of {id} ColorMap"),
                }]
            })
        })
        .collect();
    response::json(&json!({ "colormaps": maps }))
}

/// `GET /colorMaps/{colorMapId}`.
pub fn colormap(ctx: &Ctx) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let names = as_strs(&ctx.app.catalog.colormap_names);
    let id = errs
        .literal(
            Source::Path,
            "colorMapId",
            ctx.captures.get("colorMapId"),
            &names,
            false,
        )
        .map(str::to_string);
    let _id = Ctx::done(errs, id)?;
    Err(ApiError::not_implemented("colormap documents"))
}

/// `GET /algorithms`.
pub fn algorithm_list(_ctx: &Ctx) -> Result<Resp, ApiError> {
    Err(ApiError::not_implemented("algorithm documents"))
}

/// `GET /algorithms/{algorithmId}`.
pub fn algorithm(ctx: &Ctx) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let names = as_strs(&ctx.app.catalog.algorithm_names);
    let id = errs
        .literal(
            Source::Path,
            "algorithmId",
            ctx.captures.get("algorithmId"),
            &names,
            false,
        )
        .map(str::to_string);
    let _id = Ctx::done(errs, id)?;
    Err(ApiError::not_implemented("algorithm documents"))
}
