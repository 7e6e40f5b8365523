//! The `/mosaicjson`-only endpoints: the document itself, its validation, and which assets a
//! tile, point or bbox reads. (Tiles, points, info and the documents are `/cog` handlers over
//! a mosaic source.)

use http::StatusCode;
use serde_json::Value;

use super::Ctx;
use crate::mosaic::MosaicJson;
use crate::server::backend::AssetsAt;
use crate::server::error::ApiError;
use crate::server::params::tile::parse_tms_id;
use crate::server::response::{self, Resp};
use crate::server::router::Endpoint;
use crate::server::validation::{Errors, Source, ValidationError};

/// The `url` query parameter (422 when missing).
fn url(ctx: &Ctx<'_>, errs: &mut Errors) -> Option<String> {
    let url = ctx.query.get("url").map(str::to_string);
    if url.is_none() {
        errs.missing(Source::Query, "url");
    }
    url
}

/// `GET /mosaicjson/`.
pub async fn document(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let url = url(ctx, &mut errs);
    let url = Ctx::done(errs, url)?;
    let body = ctx.app.backend.mosaic_document(&url).await?;
    Ok(response::with_type(
        StatusCode::OK,
        "application/json",
        body,
    ))
}

/// `POST /mosaicjson/validate`: `true`, or FastAPI's 422 listing what the body lacks.
pub fn validate(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let errors = MosaicJson::validation_errors(&ctx.body).map_err(|e| {
        ApiError::validation(vec![ValidationError {
            kind: "json_invalid".into(),
            loc: vec![Value::from("body")],
            msg: format!("JSON decode error: {e}"),
            input: Value::Null,
            ctx: None,
        }])
    })?;
    if errors.is_empty() {
        return Ok(response::json(&Value::Bool(true)));
    }
    Err(ApiError::validation(
        errors
            .iter()
            .map(|e| {
                let v = e.to_fastapi("body");
                ValidationError {
                    kind: e.kind.to_string(),
                    loc: v["loc"].as_array().cloned().unwrap_or_default(),
                    msg: e.msg.clone(),
                    input: e.input.clone(),
                    ctx: e.ctx.clone(),
                }
            })
            .collect(),
    ))
}

/// `GET /mosaicjson/{tiles/...|point/...|bbox/...}/assets`.
pub async fn assets(ctx: &Ctx<'_>, endpoint: Endpoint) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let url = url(ctx, &mut errs);
    let c = &ctx.captures;
    let coord_crs = ctx.query.get("coord_crs").map(str::to_string);
    let at = match endpoint {
        Endpoint::TileAssets => {
            let tms = parse_tms_id(c.get("tileMatrixSetId"), &ctx.app.catalog, &mut errs);
            let z = errs.int(Source::Path, "z", &[], c.get("z"));
            let x = errs.int(Source::Path, "x", &[], c.get("x"));
            let y = errs.int(Source::Path, "y", &[], c.get("y"));
            (|| {
                Some(AssetsAt::Tile {
                    tms: tms?,
                    z: z?,
                    x: x?,
                    y: y?,
                })
            })()
        }
        Endpoint::PointAssets => {
            let lon = errs.float(Source::Path, "lon", &[], c.get("lon"));
            let lat = errs.float(Source::Path, "lat", &[], c.get("lat"));
            lon.zip(lat).map(|(lon, lat)| AssetsAt::Point {
                lon,
                lat,
                coord_crs,
            })
        }
        _ => {
            let names = ["minx", "miny", "maxx", "maxy"];
            let v: Vec<Option<f64>> = names
                .iter()
                .map(|n| errs.float(Source::Path, n, &[], c.get(n)))
                .collect();
            (|| {
                Some(AssetsAt::Bbox {
                    bbox: [v[0]?, v[1]?, v[2]?, v[3]?],
                    coord_crs,
                })
            })()
        }
    };
    let (url, at) = Ctx::done(errs, url.zip(at))?;
    Ok(response::json(
        &ctx.app.backend.mosaic_assets(&url, &at).await?,
    ))
}
