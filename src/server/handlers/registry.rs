//! Registries: `/tileMatrixSets`, `/colorMaps`, `/algorithms`.
//!
//! The lists come from the [`Catalog`](crate::server::params::Catalog); TileMatrixSet
//! documents are the `tms` registry's JSON verbatim; colormap tables, legends and algorithm
//! descriptions come from `render`.

use serde_json::{json, Value};

use super::Ctx;
use crate::render::legend::{render_legend, Orientation};
use crate::render::{algorithm, named};
use crate::server::error::ApiError;
use crate::server::params::catalog::as_strs;
use crate::server::params::render::format_from_query;
use crate::server::params::tile::{parse_tms_id, positive_u32};
use crate::server::response::{self, Resp};
use crate::server::validation::{Errors, Source};

/// `GET /tileMatrixSets`.
pub fn tms_list(ctx: &Ctx) -> Result<Resp, ApiError> {
    let base = &ctx.base_url;
    #[cfg(feature = "vector")]
    if ctx.app.config.api == crate::server::ApiMode::Vector {
        return super::vector::tms_list(ctx);
    }
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
    Ok(response::json(&json!({ "tileMatrixSets": sets })))
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
    #[cfg(feature = "vector")]
    if ctx.app.config.api == crate::server::ApiMode::Vector {
        // TiPg's page for `f=html`
        if let Some(page) = super::vector::tms_html(ctx, tms.json())? {
            return Ok(page);
        }
    }
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

/// `GET /colorMaps/{colorMapId}`: the table as JSON, or a legend image with
/// `f=png|jpeg|...`, `orientation=horizontal|vertical`, `width`, `height`.
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
    let q = &ctx.query;
    let format = match q.get("f") {
        None => Some(None),
        Some("json") => Some(None),
        Some(s) => format_from_query("f", s, &mut errs).map(Some),
    };
    let orientation = match q.get("orientation") {
        None => Some(Orientation::default()),
        Some(s) => errs
            .literal(
                Source::Query,
                "orientation",
                s,
                &["vertical", "horizontal"],
                false,
            )
            .map(|o| {
                if o == "vertical" {
                    Orientation::Vertical
                } else {
                    Orientation::Horizontal
                }
            }),
    };
    let width = positive_u32(q, "width", &mut errs);
    let height = positive_u32(q, "height", &mut errs);
    let v = (|| Some((id?, format?, orientation?, width?, height?)))();
    let (id, format, orientation, width, height) = Ctx::done(errs, v)?;
    let cm = named::colormap(&id)
        .ok_or_else(|| ApiError::internal(format!("colormap table {id:?} missing")))?;
    match format {
        None => Ok(response::json(&cm.to_json())),
        Some(f) => {
            let r = render_legend(
                &cm,
                f,
                orientation,
                width.map(|w| w as usize),
                height.map(|h| h as usize),
            )?;
            Ok(response::with_type(
                http::StatusCode::OK,
                r.media_type,
                r.body,
            ))
        }
    }
}

/// `GET /algorithms`.
pub fn algorithm_list(ctx: &Ctx) -> Result<Resp, ApiError> {
    Ok(response::json(&algorithm::list(&ctx.base_url)))
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
    let id = Ctx::done(errs, id)?;
    let doc = algorithm::metadata(&id)
        .ok_or_else(|| ApiError::internal(format!("algorithm {id:?} has no description")))?;
    Ok(response::json(&doc))
}
