//! Path routing, Starlette-style.
//!
//! TiTiler's routes are path templates such as `/cog/tiles/{tileMatrixSetId}/{z}/{x}/{y}.{format}`
//! where each `{param}` matches one or more characters other than `/` (greedy, with
//! backtracking, like the regex Starlette compiles). Routes are tried in registration order and
//! the first whose template matches wins; its parameters are validated afterwards, so
//! `/tiles/WebMercatorQuad/1/0/0.gif` matches the `.{format}` route and fails with a 422 on
//! `format`, exactly like TiTiler. A path that matches a template registered for other methods
//! only is a 405; a path matching nothing is a 404.
//!
//! The router only captures raw strings; parsing them into typed values is the handlers' job.

use http::Method;

/// One piece of a template: literal text or a `{name}` capture.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Lit(String),
    Param(String),
}

fn tokenize(template: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(start) = rest.find('{') {
            if start > 0 {
                out.push(Token::Lit(rest[..start].to_string()));
            }
            let end = rest[start..]
                .find('}')
                .map(|e| start + e)
                .unwrap_or(rest.len());
            out.push(Token::Param(rest[start + 1..end].to_string()));
            rest = rest.get(end + 1..).unwrap_or("");
        } else {
            out.push(Token::Lit(rest.to_string()));
            break;
        }
    }
    out
}

/// Matches `path[pos..]` against `tokens[ti..]`, pushing `(token, start, end)` captures in
/// template order.
///
/// `{param}` is `[^/]+`, greedy with backtracking. Only ends where the next literal matches are
/// tried, and `failed` remembers `(token, offset)` pairs known not to match, so adversarial
/// paths (`/cog/bbox/1,1,1,...`) cost polynomial, not exponential, time.
fn match_tokens(
    tokens: &[Token],
    ti: usize,
    path: &str,
    pos: usize,
    caps: &mut Vec<(usize, usize, usize)>,
    failed: &mut std::collections::HashSet<(usize, usize)>,
) -> bool {
    let Some(tok) = tokens.get(ti) else {
        return pos == path.len();
    };
    if failed.contains(&(ti, pos)) {
        return false;
    }
    let rest = &path[pos..];
    let ok = match tok {
        Token::Lit(l) => {
            rest.starts_with(l.as_str())
                && match_tokens(tokens, ti + 1, path, pos + l.len(), caps, failed)
        }
        Token::Param(_) => {
            let max = rest.find('/').unwrap_or(rest.len());
            let next_lit = match tokens.get(ti + 1) {
                Some(Token::Lit(l)) => Some(l.as_str()),
                _ => None,
            };
            // candidate capture lengths, longest first (greedy)
            let ends: Vec<usize> = match next_lit {
                Some(l) => rest[..max]
                    .match_indices(l)
                    .map(|(i, _)| i)
                    .chain((rest[max..].starts_with(l)).then_some(max))
                    .filter(|&i| i > 0)
                    .collect(),
                None if ti + 1 < tokens.len() => {
                    (1..=max).filter(|&i| rest.is_char_boundary(i)).collect()
                }
                None => (max == rest.len() && max > 0)
                    .then_some(max)
                    .into_iter()
                    .collect(),
            };
            let mut found = false;
            for &len in ends.iter().rev() {
                caps.push((ti, pos, pos + len));
                if match_tokens(tokens, ti + 1, path, pos + len, caps, failed) {
                    found = true;
                    break;
                }
                caps.pop();
            }
            found
        }
    };
    if !ok {
        failed.insert((ti, pos));
    }
    ok
}

/// Longest path routed; longer ones are a 404 without trying the templates.
pub const MAX_PATH_LEN: usize = 1024;

/// The router family a dataset endpoint was reached through: the same verbs serve one COG
/// (`/cog`), a STAC item's assets (`/stac`) and a MosaicJSON document (`/mosaicjson`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Family {
    #[default]
    Cog,
    Stac,
    Mosaic,
}

impl Family {
    /// The path prefix of the family's routes (without slashes).
    pub fn prefix(self) -> &'static str {
        match self {
            Family::Cog => "cog",
            Family::Stac => "stac",
            Family::Mosaic => "mosaicjson",
        }
    }

    /// Whether the family serves `e`: STAC has no `/validate` but lists and describes its
    /// assets; `/cog` has none of the STAC-only routes.
    fn serves(self, e: Endpoint) -> bool {
        use Endpoint as E;
        let stac_only = matches!(
            e,
            E::Assets | E::AssetStatistics | E::RenderList | E::Render
        );
        let mosaic_only = matches!(
            e,
            E::MosaicDocument | E::MosaicValidate | E::TileAssets | E::PointAssets | E::BboxAssets
        );
        match self {
            Family::Cog => !stac_only && !mosaic_only,
            Family::Stac => !mosaic_only && !matches!(e, E::Validate | E::SampleTif),
            // TiTiler's mosaic router: no preview, statistics, feature or image bbox
            Family::Mosaic => {
                mosaic_only
                    || matches!(
                        e,
                        E::Info
                            | E::InfoGeojson
                            | E::TilesetList
                            | E::Tileset
                            | E::Tile
                            | E::TileJson
                            | E::MapHtml
                            | E::Wmts
                            | E::Point
                    )
            }
        }
    }
}

/// Captured path parameters of a matched route.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Captures {
    params: Vec<(String, String)>,
    /// The family of a dataset route (`Cog` for every other route).
    pub family: Family,
}

impl Captures {
    /// The raw value of `{name}` (empty string if the template has no such parameter).
    pub fn get(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Whether the template had `{name}`.
    pub fn has(&self, name: &str) -> bool {
        self.params.iter().any(|(k, _)| k == name)
    }
}

/// Which endpoint a request is for (see [`ROUTES`] for the templates).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Landing,
    Conformance,
    Healthz,
    Api,
    ApiHtml,
    TmsList,
    Tms,
    ColorMapList,
    ColorMap,
    AlgorithmList,
    Algorithm,
    Info,
    InfoGeojson,
    Statistics,
    StatisticsFeature,
    TilesetList,
    Tileset,
    /// `{tileMatrixSetId}/{z}/{x}/{y}[.{format}]`.
    Tile,
    /// Legacy `...{y}@{scale}x[.{format}]`.
    TileScaled,
    /// Legacy pre-TMS `/cog/tiles/{z}/{x}/{y}...` (implicit WebMercatorQuad).
    TileNoTms,
    TileJson,
    /// Legacy `/cog/tilejson.json` (implicit WebMercatorQuad).
    TileJsonNoTms,
    MapHtml,
    Wmts,
    /// Legacy `/cog/{tileMatrixSetId}/WMTSCapabilities.xml` (one layer).
    WmtsTms,
    Point,
    Preview,
    Bbox,
    Feature,
    OgcMap,
    Validate,
    Viewer,
    Static,
    SampleTif,
    /// `/stac/assets`: the item's readable assets.
    Assets,
    /// `/stac/asset_statistics`: statistics per asset.
    AssetStatistics,
    /// `/stac/renders`: the item's render extension.
    RenderList,
    Render,
    /// `GET /mosaicjson/`: the document as TiTiler dumps it.
    MosaicDocument,
    /// `POST /mosaicjson/validate`: is the body a MosaicJSON document?
    MosaicValidate,
    /// `/mosaicjson/.../assets`: the assets a tile, point or bbox would read.
    TileAssets,
    PointAssets,
    BboxAssets,
    /// `/collections`: TiPg's vector API (only with a database).
    Collections,
    Collection,
    Queryables,
    Items,
    Item,
    VectorTilesets,
    VectorTileset,
    VectorTile,
    VectorTileJson,
    VectorStyleJson,
    /// `/collections/{id}/tiles/{tms}/map.html`: the MapLibre viewer.
    VectorMap,
}

impl Endpoint {
    /// The `/collections` routes of the vector API.
    pub fn is_vector(self) -> bool {
        use Endpoint as E;
        matches!(
            self,
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
                | E::VectorMap
        )
    }
}

/// A route: template, methods, endpoint and an optional extra condition on the captures.
pub struct Route {
    pub template: &'static str,
    pub methods: &'static [Method],
    pub endpoint: Endpoint,
    guard: Option<fn(&Captures) -> bool>,
}

const GET: &[Method] = &[Method::GET];
const POST: &[Method] = &[Method::POST];

const fn r(template: &'static str, methods: &'static [Method], endpoint: Endpoint) -> Route {
    Route {
        template,
        methods,
        endpoint,
        guard: None,
    }
}

const fn g(template: &'static str, endpoint: Endpoint, guard: fn(&Captures) -> bool) -> Route {
    Route {
        template,
        methods: GET,
        endpoint,
        guard: Some(guard),
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `@{scale}x` is served only for scale 1..=4 with an integer `y`; anything else falls through
/// to the 2.x routes, which answer TiTiler 2.4's 422 on `y` (cases/err_bad_scale.json).
fn legacy_scale_ok(c: &Captures) -> bool {
    all_digits(c.get("y")) && matches!(c.get("scale"), "1" | "2" | "3" | "4")
}

/// Pre-TMS tile URLs: the first segment is a zoom level, not a TMS id.
fn legacy_no_tms_ok(c: &Captures) -> bool {
    all_digits(c.get("z")) && (!c.has("scale") || legacy_scale_ok(c))
}

/// Every route, in TiTiler's registration order where templates overlap.
pub static ROUTES: &[Route] = &[
    r("/", GET, Endpoint::Landing),
    r("/conformance", GET, Endpoint::Conformance),
    r("/healthz", GET, Endpoint::Healthz),
    r("/api", GET, Endpoint::Api),
    r("/api.html", GET, Endpoint::ApiHtml),
    r("/tileMatrixSets", GET, Endpoint::TmsList),
    r("/tileMatrixSets/{tileMatrixSetId}", GET, Endpoint::Tms),
    r("/colorMaps", GET, Endpoint::ColorMapList),
    r("/colorMaps/{colorMapId}", GET, Endpoint::ColorMap),
    r("/algorithms", GET, Endpoint::AlgorithmList),
    r("/algorithms/{algorithmId}", GET, Endpoint::Algorithm),
    r("/cog/info", GET, Endpoint::Info),
    r("/cog/info.geojson", GET, Endpoint::InfoGeojson),
    r("/cog/statistics", GET, Endpoint::Statistics),
    r("/cog/statistics", POST, Endpoint::StatisticsFeature),
    r("/cog/tiles", GET, Endpoint::TilesetList),
    r("/cog/tiles/{tileMatrixSetId}", GET, Endpoint::Tileset),
    g(
        "/cog/tiles/{z}/{x}/{y}@{scale}x.{format}",
        Endpoint::TileNoTms,
        legacy_no_tms_ok,
    ),
    g(
        "/cog/tiles/{z}/{x}/{y}@{scale}x",
        Endpoint::TileNoTms,
        legacy_no_tms_ok,
    ),
    g(
        "/cog/tiles/{z}/{x}/{y}.{format}",
        Endpoint::TileNoTms,
        legacy_no_tms_ok,
    ),
    g(
        "/cog/tiles/{z}/{x}/{y}",
        Endpoint::TileNoTms,
        legacy_no_tms_ok,
    ),
    g(
        "/cog/tiles/{tileMatrixSetId}/{z}/{x}/{y}@{scale}x.{format}",
        Endpoint::TileScaled,
        legacy_scale_ok,
    ),
    g(
        "/cog/tiles/{tileMatrixSetId}/{z}/{x}/{y}@{scale}x",
        Endpoint::TileScaled,
        legacy_scale_ok,
    ),
    r(
        "/cog/tiles/{tileMatrixSetId}/{z}/{x}/{y}.{format}",
        GET,
        Endpoint::Tile,
    ),
    r(
        "/cog/tiles/{tileMatrixSetId}/{z}/{x}/{y}",
        GET,
        Endpoint::Tile,
    ),
    r("/cog/tilejson.json", GET, Endpoint::TileJsonNoTms),
    r(
        "/cog/{tileMatrixSetId}/tilejson.json",
        GET,
        Endpoint::TileJson,
    ),
    r("/cog/{tileMatrixSetId}/map.html", GET, Endpoint::MapHtml),
    r("/cog/point/{lon},{lat}", GET, Endpoint::Point),
    r("/cog/preview", GET, Endpoint::Preview),
    r("/cog/preview.{format}", GET, Endpoint::Preview),
    r(
        "/cog/preview/{width}x{height}.{format}",
        GET,
        Endpoint::Preview,
    ),
    r(
        "/cog/bbox/{minx},{miny},{maxx},{maxy}.{format}",
        GET,
        Endpoint::Bbox,
    ),
    r(
        "/cog/bbox/{minx},{miny},{maxx},{maxy}/{width}x{height}.{format}",
        GET,
        Endpoint::Bbox,
    ),
    r("/cog/feature", POST, Endpoint::Feature),
    r("/cog/feature.{format}", POST, Endpoint::Feature),
    r(
        "/cog/feature/{width}x{height}.{format}",
        POST,
        Endpoint::Feature,
    ),
    r("/cog/map", GET, Endpoint::OgcMap),
    r("/cog/WMTSCapabilities.xml", GET, Endpoint::Wmts),
    r(
        "/cog/{tileMatrixSetId}/WMTSCapabilities.xml",
        GET,
        Endpoint::WmtsTms,
    ),
    r("/cog/validate", GET, Endpoint::Validate),
    r("/cog/viewer", GET, Endpoint::Viewer),
    r("/cog/assets", GET, Endpoint::Assets),
    r("/cog/asset_statistics", GET, Endpoint::AssetStatistics),
    r("/cog/renders", GET, Endpoint::RenderList),
    r("/cog/renders/{render_id}", GET, Endpoint::Render),
    r("/cog/", GET, Endpoint::MosaicDocument),
    r("/cog/validate", POST, Endpoint::MosaicValidate),
    r(
        "/cog/tiles/{tileMatrixSetId}/{z}/{x}/{y}/assets",
        GET,
        Endpoint::TileAssets,
    ),
    r("/cog/point/{lon},{lat}/assets", GET, Endpoint::PointAssets),
    r(
        "/cog/bbox/{minx},{miny},{maxx},{maxy}/assets",
        GET,
        Endpoint::BboxAssets,
    ),
    r("/static/{file}", GET, Endpoint::Static),
    r("/static/{dir}/{file}", GET, Endpoint::Static),
    r("/static/{dir}/{sub}/{file}", GET, Endpoint::Static),
    r("/sample.tif", GET, Endpoint::SampleTif),
    r("/collections", GET, Endpoint::Collections),
    r("/collections/{collectionId}", GET, Endpoint::Collection),
    r(
        "/collections/{collectionId}/queryables",
        GET,
        Endpoint::Queryables,
    ),
    r("/collections/{collectionId}/items", GET, Endpoint::Items),
    r(
        "/collections/{collectionId}/items/{itemId}",
        GET,
        Endpoint::Item,
    ),
    r(
        "/collections/{collectionId}/tiles",
        GET,
        Endpoint::VectorTilesets,
    ),
    r(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}",
        GET,
        Endpoint::VectorTileset,
    ),
    r(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson.json",
        GET,
        Endpoint::VectorTileJson,
    ),
    r(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/style.json",
        GET,
        Endpoint::VectorStyleJson,
    ),
    r(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/map.html",
        GET,
        Endpoint::VectorMap,
    ),
    r(
        "/collections/{collectionId}/{tileMatrixSetId}/tilejson.json",
        GET,
        Endpoint::VectorTileJson,
    ),
    r(
        "/collections/{collectionId}/{tileMatrixSetId}/style.json",
        GET,
        Endpoint::VectorStyleJson,
    ),
    r(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{z}/{x}/{y}",
        GET,
        Endpoint::VectorTile,
    ),
];

/// The outcome of routing one request.
#[derive(Debug, PartialEq)]
pub enum Matched {
    Found(Endpoint, Captures),
    /// The path exists for other methods (405); carries the allowed ones.
    MethodNotAllowed(Vec<Method>),
    NotFound,
}

/// Routes a (percent-decoded) path. `HEAD` is routed like `GET`.
///
/// `/stac/...` and `/mosaicjson/...` are matched against the `/cog` templates and then kept
/// only if their family serves the endpoint: one route table, three routers.
pub fn route(method: &Method, path: &str) -> Matched {
    let (family, rewritten) = match path.split_once('/').map(|(_, r)| r.split_once('/')) {
        Some(Some(("stac", rest))) => (Family::Stac, Some(format!("/cog/{rest}"))),
        Some(Some(("mosaicjson", rest))) => (Family::Mosaic, Some(format!("/cog/{rest}"))),
        _ => (Family::Cog, None),
    };
    let path = rewritten.as_deref().unwrap_or(path);
    let dataset_route = path.starts_with("/cog/");
    let want = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    static COMPILED: std::sync::OnceLock<Vec<Vec<Token>>> = std::sync::OnceLock::new();
    let compiled = COMPILED.get_or_init(|| ROUTES.iter().map(|r| tokenize(r.template)).collect());
    let mut allowed: Vec<Method> = Vec::new();
    if path.len() > MAX_PATH_LEN {
        return Matched::NotFound;
    }
    for (rt, tokens) in ROUTES.iter().zip(compiled) {
        let mut spans = Vec::new();
        let mut failed = std::collections::HashSet::new();
        if !match_tokens(tokens, 0, path, 0, &mut spans, &mut failed) {
            continue;
        }
        let caps = Captures {
            params: spans
                .iter()
                .filter_map(|&(ti, a, b)| match tokens.get(ti) {
                    Some(Token::Param(name)) => Some((name.clone(), path[a..b].to_string())),
                    _ => None,
                })
                .collect(),
            family,
        };
        if rt.guard.is_some_and(|g| !g(&caps)) {
            continue;
        }
        if dataset_route && !family.serves(rt.endpoint) {
            continue;
        }
        if rt.methods.contains(want) {
            return Matched::Found(rt.endpoint, caps);
        }
        allowed.extend(rt.methods.iter().cloned());
    }
    if allowed.is_empty() {
        Matched::NotFound
    } else {
        Matched::MethodNotAllowed(allowed)
    }
}

#[cfg(test)]
mod tests;
