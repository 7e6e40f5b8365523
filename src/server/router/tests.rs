//! The route table's tests: which endpoint and captures each path gets (kept beside
//! `router.rs` so the table itself stays short).

use super::*;

fn get(path: &str) -> (Endpoint, Captures) {
    match route(&Method::GET, path) {
        Matched::Found(e, c) => (e, c),
        other => panic!("{path}: {other:?}"),
    }
}

#[test]
fn tile_routes_capture_like_starlette() {
    let (e, c) = get("/cog/tiles/WebMercatorQuad/12/2093/1360.png");
    assert_eq!(e, Endpoint::Tile);
    assert_eq!(
        (
            c.get("tileMatrixSetId"),
            c.get("z"),
            c.get("x"),
            c.get("y"),
            c.get("format")
        ),
        ("WebMercatorQuad", "12", "2093", "1360", "png")
    );
    let (e, c) = get("/cog/tiles/WebMercatorQuad/12/2093/1360");
    assert_eq!((e, c.has("format")), (Endpoint::Tile, false));
    // a bad format still matches the `.{format}` route (422 later, not 404)
    let (_, c) = get("/cog/tiles/WebMercatorQuad/1/0/0.gif");
    assert_eq!(c.get("format"), "gif");
    // greedy {y}: the last dot splits y and format
    let (_, c) = get("/cog/tiles/WebMercatorQuad/1/0/1.5.png");
    assert_eq!((c.get("y"), c.get("format")), ("1.5", "png"));
}

#[test]
fn legacy_scale_routes() {
    let (e, c) = get("/cog/tiles/WebMercatorQuad/14/8514/5816@2x.png");
    assert_eq!(e, Endpoint::TileScaled);
    assert_eq!(
        (c.get("y"), c.get("scale"), c.get("format")),
        ("5816", "2", "png")
    );
    let (e, _) = get("/cog/tiles/WebMercatorQuad/14/8514/5816@4x");
    assert_eq!(e, Endpoint::TileScaled);
    // scale 5 falls through to the 2.x route: y = "0@5x" (cases/err_bad_scale.json)
    let (e, c) = get("/cog/tiles/WebMercatorQuad/1/0/0@5x.png");
    assert_eq!((e, c.get("y")), (Endpoint::Tile, "0@5x"));
    let (e, c) = get("/cog/tiles/3/4/2.png");
    assert_eq!((e, c.get("z")), (Endpoint::TileNoTms, "3"));
}

#[test]
fn families_share_the_cog_templates() {
    let (e, c) = get("/stac/tiles/WebMercatorQuad/12/3697/2513.png");
    assert_eq!(
        (e, c.family, c.get("z")),
        (Endpoint::Tile, Family::Stac, "12")
    );
    assert_eq!(get("/stac/assets").0, Endpoint::Assets);
    assert_eq!(get("/stac/renders/ndvi").1.get("render_id"), "ndvi");
    assert_eq!(get("/cog/info").1.family, Family::Cog);
    assert_eq!(route(&Method::GET, "/cog/assets"), Matched::NotFound);
    assert_eq!(route(&Method::GET, "/stac/validate"), Matched::NotFound);
    assert_eq!(get("/tileMatrixSets").1.family, Family::Cog);
    assert_eq!(get("/mosaicjson/").0, Endpoint::MosaicDocument);
    let (e, c) = get("/mosaicjson/tiles/WebMercatorQuad/12/2126/1459/assets");
    assert_eq!((e, c.get("y")), (Endpoint::TileAssets, "1459"));
    assert_eq!(
        get("/mosaicjson/tiles/WebMercatorQuad/12/2126/1459.png").0,
        Endpoint::Tile
    );
    assert!(matches!(
        route(&Method::POST, "/mosaicjson/validate"),
        Matched::Found(Endpoint::MosaicValidate, _)
    ));
    assert_eq!(
        route(&Method::POST, "/cog/validate"),
        Matched::MethodNotAllowed(vec![Method::GET])
    );
    assert_eq!(
        route(&Method::GET, "/mosaicjson/preview.png"),
        Matched::NotFound
    );
    assert_eq!(route(&Method::GET, "/cog/"), Matched::NotFound);
}

#[test]
fn adversarial_paths_stay_fast() {
    let t = std::time::Instant::now();
    let path = format!("/cog/bbox/{}", "1,".repeat(500));
    assert_eq!(route(&Method::GET, &path), Matched::NotFound);
    let long = format!("/cog/{}", "a".repeat(MAX_PATH_LEN));
    assert_eq!(route(&Method::GET, &long), Matched::NotFound);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn other_routes() {
    assert_eq!(get("/cog/point/-3.5,40.1").1.get("lon"), "-3.5");
    let (e, c) = get("/cog/bbox/1.5,2,3,4/256x128.tif");
    assert_eq!(e, Endpoint::Bbox);
    assert_eq!(
        (c.get("maxy"), c.get("width"), c.get("height")),
        ("4", "256", "128")
    );
    assert_eq!(
        route(&Method::GET, "/cog/bbox/1,2,3.png"),
        Matched::NotFound
    );
    assert_eq!(get("/cog/preview/100x50.webp").1.get("width"), "100");
    assert_eq!(
        get("/cog/WebMercatorQuad/tilejson.json").0,
        Endpoint::TileJson
    );
    assert_eq!(get("/cog/info.geojson").0, Endpoint::InfoGeojson);
    assert_eq!(route(&Method::GET, "/cog/nope"), Matched::NotFound);
    assert_eq!(
        route(&Method::POST, "/cog/info"),
        Matched::MethodNotAllowed(vec![Method::GET])
    );
    assert!(matches!(
        route(&Method::HEAD, "/healthz"),
        Matched::Found(Endpoint::Healthz, _)
    ));
    assert!(matches!(
        route(&Method::POST, "/cog/statistics"),
        Matched::Found(Endpoint::StatisticsFeature, _)
    ));
}

#[test]
fn vector_map_viewer_route() {
    let (e, c) = get("/collections/public.countries/tiles/WebMercatorQuad/map.html");
    assert_eq!(e, Endpoint::VectorMap);
    assert_eq!(c.get("collectionId"), "public.countries");
    assert_eq!(c.get("tileMatrixSetId"), "WebMercatorQuad");
    assert!(e.is_vector());
    // a tile path is still a tile
    let (e, _) = get("/collections/public.countries/tiles/WebMercatorQuad/1/2/3");
    assert_eq!(e, Endpoint::VectorTile);
}
