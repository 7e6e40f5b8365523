//! The `/cog/*` data endpoints: validate everything, then one [`Backend`] call each.
//!
//! [`Backend`]: crate::server::backend::Backend

use http::header::HeaderValue;
use http::StatusCode;

use super::Ctx;
use crate::server::backend::{
    FeatureRequest, FeatureStatisticsRequest, Image, ImageRequest, PartRequest, PreviewRequest,
    StatisticsRequest, TileRequest,
};
use crate::server::error::{ApiError, ErrorKind};
use crate::server::params::geo::{parse_geojson_body, path_size};
use crate::server::params::render::format_from_path;
use crate::server::params::{
    AlgorithmParams, BboxParams, ImageFormat, OgcMapParams, PointParams, RenderParams, SizeParams,
    StatisticsParams, TileParams, TilePath,
};
use crate::server::response::{self, Resp};
use crate::server::router::Endpoint;
use crate::server::validation::{Errors, Source};

/// Parses the parameters shared by image endpoints.
fn image_request(
    ctx: &Ctx,
    format: Option<ImageFormat>,
    errs: &mut Errors,
) -> Result<Option<ImageRequest>, ApiError> {
    let dataset = ctx.dataset(errs);
    let render = RenderParams::parse(&ctx.query, &ctx.app.catalog, errs)?;
    let algorithm = match AlgorithmParams::parse(&ctx.query, &ctx.app.catalog, errs) {
        Some(Some(a)) if errs.is_empty() => Some(Some(a.build()?)),
        Some(Some(_)) => None,
        Some(None) => Some(None),
        None => None,
    };
    Ok((|| {
        Some(ImageRequest {
            dataset: dataset?,
            render: render?,
            algorithm: algorithm?,
            format,
        })
    })())
}

/// A `.{format}` path capture, if the route has one.
fn path_format(ctx: &Ctx, errs: &mut Errors) -> Option<Option<ImageFormat>> {
    if ctx.captures.has("format") {
        format_from_path(ctx.captures.get("format"), errs).map(Some)
    } else {
        Some(None)
    }
}

/// The image response with TiTiler's headers.
pub fn image_response(img: Image) -> Resp {
    let mut r = response::with_type(StatusCode::OK, img.format.media_type(), img.bytes);
    if let Some(b) = img.bounds {
        let v = b.map(crate::server::docs::py_float).join(",");
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().insert("content-bbox", v);
        }
    }
    if let Some(c) = img.crs_uri {
        if let Ok(v) = HeaderValue::from_str(&format!("<{c}>")) {
            r.headers_mut().insert("content-crs", v);
        }
    }
    r
}

/// `GET /cog/info`.
pub async fn info(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let ds = ctx.dataset(&mut errs);
    let ds = Ctx::done(errs, ds)?;
    Ok(response::json(&ctx.app.backend.info(&ds).await?))
}

/// `GET /cog/info.geojson`.
pub async fn info_geojson(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let ds = ctx.dataset(&mut errs);
    let ds = Ctx::done(errs, ds)?;
    let v = ctx
        .app
        .backend
        .info_geojson(&ds, ctx.query.get("crs"))
        .await?;
    Ok(response::json_typed(&v, "application/geo+json"))
}

pub(super) fn statistics_request(
    ctx: &Ctx,
    errs: &mut Errors,
) -> Result<Option<StatisticsRequest>, ApiError> {
    let dataset = ctx.dataset(errs);
    let algorithm = match AlgorithmParams::parse(&ctx.query, &ctx.app.catalog, errs) {
        Some(Some(a)) if errs.is_empty() => Some(Some(a.build()?)),
        Some(Some(_)) => None,
        Some(None) => Some(None),
        None => None,
    };
    let stats = StatisticsParams::parse(&ctx.query, errs);
    let size = SizeParams::parse(&ctx.query, Some(1024), errs);
    Ok((|| {
        Some(StatisticsRequest {
            dataset: dataset?,
            algorithm: algorithm?,
            stats: stats?,
            size: size?,
            dst_crs: ctx.query.get("dst_crs").map(str::to_string),
        })
    })())
}

/// `GET /cog/statistics`.
pub async fn statistics(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let req = statistics_request(ctx, &mut errs)?;
    let req = Ctx::done(errs, req)?;
    Ok(response::json(&ctx.app.backend.statistics(&req).await?))
}

/// `POST /cog/statistics` with a GeoJSON Feature or FeatureCollection.
pub async fn feature_statistics(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let stats = statistics_request(ctx, &mut errs)?;
    let cover_scale = match ctx.query.get("cover_scale") {
        None => Some(10),
        Some(s) => errs
            .int(Source::Query, "cover_scale", &[], s)
            .and_then(|v| {
                (errs.check_gt(Source::Query, "cover_scale", s, v as f64, 0)
                    && errs.check_le(Source::Query, "cover_scale", s, v as f64, 1000))
                .then_some(v as u32)
            }),
    };
    let geojson = parse_geojson_body(&ctx.body, true, &mut errs);
    let req = (|| {
        Some(FeatureStatisticsRequest {
            statistics: stats?,
            geojson: geojson?,
            coord_crs: ctx.query.get("coord_crs").map(str::to_string),
            cover_scale: cover_scale?,
        })
    })();
    let req = Ctx::done(errs, req)?;
    let v = ctx.app.backend.feature_statistics(&req).await?;
    Ok(response::json_typed(&v, "application/geo+json"))
}

/// Tiles, including the legacy `@{scale}x` and pre-TMS forms.
pub async fn tile(ctx: &Ctx<'_>, endpoint: Endpoint) -> Result<Resp, ApiError> {
    let c = &ctx.captures;
    let mut errs = Errors::new();
    let scale = c.get("scale").parse::<u32>().ok();
    let tms = if endpoint == Endpoint::TileNoTms {
        "WebMercatorQuad"
    } else {
        c.get("tileMatrixSetId")
    };
    let fmt = c.has("format").then(|| c.get("format"));
    let tile = TilePath::parse(
        [tms, c.get("z"), c.get("x"), c.get("y")],
        scale,
        fmt,
        &ctx.app.catalog,
        &mut errs,
    );
    let tile_params = TileParams::parse(&ctx.query, &mut errs);
    let image = image_request(ctx, tile.as_ref().and_then(|t| t.format), &mut errs)?;
    let req = (|| {
        Some(TileRequest {
            image: image?,
            tile: tile?,
            tile_params: tile_params?,
        })
    })();
    let req = Ctx::done(errs, req)?;
    check_tile_in_matrix(ctx, &req.tile)?;
    Ok(image_response(ctx.app.backend.tile(&req).await?))
}

/// A tile whose column/row lies outside its TMS matrix (or whose zoom the TMS cannot have)
/// is a 404 at once, before any I/O. TiTiler 2.4 renders wrapped data there for seconds; the
/// message is the one TiTiler gives for tiles outside the dataset.
fn check_tile_in_matrix(ctx: &Ctx, t: &TilePath) -> Result<(), ApiError> {
    let outside = || {
        ApiError::of_kind(
            ErrorKind::TileOutsideBounds,
            format!("Tile(x={}, y={}, z={}) is outside bounds", t.x, t.y, t.z),
        )
    };
    let tms = ctx.app.tms.get(&t.tms)?;
    let z = i32::try_from(t.z).map_err(|_| outside())?;
    if z < tms.minzoom() {
        return Err(outside());
    }
    let m = tms.matrix(z).map_err(|_| outside())?;
    let inside = |v: i64, n: u64| v >= 0 && (v as u64) < n;
    if !inside(t.x, m.matrix_width) || !inside(t.y, m.matrix_height) {
        return Err(outside());
    }
    Ok(())
}

/// `GET /cog/point/{lon},{lat}`.
pub async fn point(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let p = PointParams::parse(
        ctx.captures.get("lon"),
        ctx.captures.get("lat"),
        &ctx.query,
        &mut errs,
    );
    let ds = ctx.dataset(&mut errs);
    let (p, ds) = Ctx::done(errs, p.zip(ds))?;
    Ok(response::json(&ctx.app.backend.point(&ds, &p).await?))
}

/// The `{width}x{height}` path segment of preview and feature routes, validated (422 like
/// TiTiler's path parameters) and applied to `size`.
fn apply_path_size(ctx: &Ctx<'_>, size: Option<&mut SizeParams>, errs: &mut Errors) {
    let c = &ctx.captures;
    if !c.has("width") {
        return;
    }
    let w = path_size(c.get("width"), "width", errs);
    let h = path_size(c.get("height"), "height", errs);
    if let (Some(s), Some(w), Some(h)) = (size, w, h) {
        s.set_size(w, h);
    }
}

/// `GET /cog/preview[.{format}]`, `/cog/preview/{width}x{height}.{format}`.
pub async fn preview(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let fmt = path_format(ctx, &mut errs);
    let mut size = SizeParams::parse(&ctx.query, Some(1024), &mut errs);
    apply_path_size(ctx, size.as_mut(), &mut errs);
    let image = image_request(ctx, fmt.flatten(), &mut errs)?;
    let req = (|| {
        fmt?;
        Some(PreviewRequest {
            image: image?,
            size: size?,
            dst_crs: ctx.query.get("dst_crs").map(str::to_string),
        })
    })();
    let req = Ctx::done(errs, req)?;
    Ok(image_response(ctx.app.backend.preview(&req).await?))
}

/// `GET /cog/bbox/{minx},{miny},{maxx},{maxy}[/{width}x{height}].{format}`.
pub async fn bbox(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let c = &ctx.captures;
    let mut errs = Errors::new();
    let fmt = path_format(ctx, &mut errs);
    let size_path = c.has("width").then(|| (c.get("width"), c.get("height")));
    let bbox = BboxParams::parse(
        [c.get("minx"), c.get("miny"), c.get("maxx"), c.get("maxy")],
        size_path,
        &ctx.query,
        &mut errs,
    );
    let mut size = SizeParams::parse(&ctx.query, None, &mut errs);
    if let (Some(s), Some(b)) = (size.as_mut(), bbox.as_ref()) {
        if b.width.is_some() || b.height.is_some() {
            s.set_size(b.width, b.height);
        }
    }
    let image = image_request(ctx, fmt.flatten(), &mut errs)?;
    let req = (|| {
        fmt?;
        Some(PartRequest {
            image: image?,
            bbox: bbox?,
            size: size?,
        })
    })();
    let req = Ctx::done(errs, req)?;
    Ok(image_response(ctx.app.backend.part(&req).await?))
}

/// `POST /cog/feature[.{format}]`, `/cog/feature/{width}x{height}.{format}`.
pub async fn feature(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let fmt = path_format(ctx, &mut errs);
    let mut size = SizeParams::parse(&ctx.query, None, &mut errs);
    apply_path_size(ctx, size.as_mut(), &mut errs);
    let image = image_request(ctx, fmt.flatten(), &mut errs)?;
    let feature = parse_geojson_body(&ctx.body, false, &mut errs);
    let req = (|| {
        fmt?;
        Some(FeatureRequest {
            image: image?,
            feature: feature?,
            size: size?,
            coord_crs: ctx.query.get("coord_crs").map(str::to_string),
            dst_crs: ctx.query.get("dst_crs").map(str::to_string),
        })
    })();
    let req = Ctx::done(errs, req)?;
    Ok(image_response(ctx.app.backend.feature(&req).await?))
}

/// `GET /cog/map` (OGC API Maps).
pub async fn ogc_map(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let p = OgcMapParams::parse(&ctx.query, &mut errs);
    let image = image_request(ctx, p.as_ref().and_then(|p| p.format), &mut errs)?;
    let (p, mut image) = Ctx::done(errs, p.zip(image))?;
    if image.format.is_none() {
        // no `f`: negotiate with Accept, else PNG (TiTiler's default for maps)
        image.format = Some(
            ctx.accept()
                .and_then(|a| {
                    a.split(',')
                        .map(|m| m.split(';').next().unwrap_or("").trim())
                        .find_map(|m| match m {
                            "image/png" => Some(ImageFormat::Png),
                            "image/jpeg" => Some(ImageFormat::Jpeg),
                            "image/tiff" => Some(ImageFormat::Tif),
                            "image/webp" => Some(ImageFormat::Webp),
                            _ => None,
                        })
                })
                .unwrap_or(ImageFormat::Png),
        );
    }
    Ok(image_response(ctx.app.backend.ogc_map(&image, &p).await?))
}

/// `GET /cog/validate`.
pub async fn validate(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let mut errs = Errors::new();
    let url = ctx.query.get("url").map(str::to_string);
    if url.is_none() {
        errs.missing(Source::Query, "url");
    }
    let strict = match ctx.query.get("strict") {
        None => Some(false),
        Some(s) => errs.bool(Source::Query, "strict", s),
    };
    let (url, strict) = Ctx::done(errs, url.zip(strict))?;
    Ok(response::json(
        &ctx.app.backend.validate(&url, strict).await?,
    ))
}
