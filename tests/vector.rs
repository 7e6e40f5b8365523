//! The vector API (`/collections`) against a real PostGIS database.
//!
//! Set `COGTILER_TEST_DATABASE_URL` (or `DATABASE_URL`) to a database where this test may
//! create and drop the schema `cogtiler_test` — e.g. `../shared/tipg/db.sh start /tmp/pg 5439`.
//! Without one the database tests are skipped locally, but fail when `CI=true`: in CI a
//! missing database must not look like a pass.
//!
//! The injection tests send SQL in every request value that reaches a statement (`filter`,
//! `sortby`, `properties`, `ids`, column filters, collection ids, function parameters) and
//! check that the request is a 4xx or correct data, and that the sentinel table is untouched.
#![cfg(feature = "vector")]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cogtiler::server::{ApiMode, App, Backend, ServerConfig};
use cogtiler::tms::TmsRegistry;
use cogtiler::vector::{VectorBackend, VectorConfig};
use http_body_util::Full;
use serde_json::Value;

#[path = "vector/html.rs"]
mod html;

/// The raster side is not under test: every raster method keeps the trait's default.
struct NoRaster;

impl Backend for NoRaster {}

fn database_url() -> Option<String> {
    let url = std::env::var("COGTILER_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|s| !s.is_empty());
    if url.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("CI=true but no COGTILER_TEST_DATABASE_URL/DATABASE_URL: the vector tests must run in CI");
        }
        eprintln!("vector tests skipped: set COGTILER_TEST_DATABASE_URL to run them");
    }
    url
}

const SETUP: &str = "
DROP SCHEMA IF EXISTS cogtiler_test CASCADE;
CREATE SCHEMA cogtiler_test;
CREATE TABLE cogtiler_test.sentinel (id int);
INSERT INTO cogtiler_test.sentinel VALUES (1);
CREATE TABLE cogtiler_test.places (id serial PRIMARY KEY, name text, pop bigint, geom geometry(Point, 4326));
INSERT INTO cogtiler_test.places (name, pop, geom) VALUES
  ('Paris', 2000000, ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326)),
  ('Lima', 9000000, ST_SetSRID(ST_MakePoint(-77.04, -12.05), 4326)),
  ('O''Brien', 10, ST_SetSRID(ST_MakePoint(10, 10), 4326));
CREATE FUNCTION cogtiler_test.grid(n int DEFAULT 2)
  RETURNS TABLE (i int, geom geometry) LANGUAGE sql STABLE AS
  $$ SELECT g, ST_SetSRID(ST_MakePoint(g, g), 4326) FROM generate_series(1, n) g $$;
CREATE TABLE cogtiler_test.marked (id serial PRIMARY KEY, \"<b>col</b>\" text, geom geometry(Point, 4326));
INSERT INTO cogtiler_test.marked (\"<b>col</b>\", geom) VALUES
  ('<script>alert(1)</script>', ST_SetSRID(ST_MakePoint(1, 1), 4326));
CREATE TABLE cogtiler_test.\"m<i>x\" (id serial PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO cogtiler_test.\"m<i>x\" (geom) VALUES (ST_SetSRID(ST_MakePoint(3, 3), 4326));
";

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test database");
    tokio::spawn(conn);
    client
}

/// Creates the schema once per test process (the tests run in parallel on one database: a
/// second `DROP SCHEMA` would pull the tables from under the other test), then returns a
/// connection on this test's runtime.
async fn setup(url: &str) -> tokio_postgres::Client {
    use std::sync::atomic::{AtomicBool, Ordering};
    static CLAIMED: AtomicBool = AtomicBool::new(false);
    static READY: AtomicBool = AtomicBool::new(false);
    let client = connect(url).await;
    if !CLAIMED.swap(true, Ordering::SeqCst) {
        client
            .batch_execute(SETUP)
            .await
            .expect("create the test schema");
        READY.store(true, Ordering::SeqCst);
    } else {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !READY.load(Ordering::SeqCst) {
            assert!(
                std::time::Instant::now() < deadline,
                "schema setup never finished"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    client
}

fn app(url: &str) -> App {
    let mut vc = VectorConfig::new(url.to_string());
    vc.catalog.schemas = vec!["cogtiler_test".into()];
    vc.acquire_timeout = Duration::from_secs(2);
    vc.statement_timeout = Duration::from_secs(5);
    let v = VectorBackend::new(vc).unwrap();
    App::new(
        ServerConfig {
            api: ApiMode::All,
            ..ServerConfig::default()
        },
        Arc::new(TmsRegistry::defaults()),
        Arc::new(NoRaster),
    )
    .with_vector(Arc::new(v))
}

/// GET `path` with `query` pairs (encoded here); the status and body.
async fn get(app: &App, path: &str, query: &[(&str, &str)]) -> (u16, Bytes) {
    let mut uri = path.to_string();
    if !query.is_empty() {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in query {
            ser.append_pair(k, v);
        }
        uri = format!("{uri}?{}", ser.finish());
    }
    let path_enc: String = uri
        .replace(' ', "%20")
        .replace('"', "%22")
        .replace(';', "%3B");
    let req = http::Request::builder()
        .uri(path_enc)
        .header("host", "test")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let r = app.handle(req).await;
    (r.status().as_u16(), r.body().clone())
}

fn json(b: &Bytes) -> Value {
    serde_json::from_slice(b).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(b)))
}

async fn sentinel_intact(client: &tokio_postgres::Client) {
    let n: i64 = client
        .query_one("SELECT count(*) FROM cogtiler_test.sentinel", &[])
        .await
        .expect("the sentinel table still exists")
        .get(0);
    assert_eq!(n, 1, "sentinel rows");
    let n: i64 = client
        .query_one("SELECT count(*) FROM cogtiler_test.places", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3, "places rows");
}

#[tokio::test]
async fn features_and_tiles() {
    let Some(url) = database_url() else { return };
    let _client = setup(&url).await;
    let app = app(&url);
    let (s, b) = get(&app, "/collections", &[]).await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&b));
    let ids: Vec<String> = json(&b)["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        ids.contains(&"cogtiler_test.places".to_string()),
        "{ids:?} {}",
        String::from_utf8_lossy(&b)
    );
    assert!(ids.contains(&"cogtiler_test.grid".to_string()), "{ids:?}");
    assert!(
        !ids.contains(&"cogtiler_test.sentinel".to_string()),
        "not spatial"
    );

    let (s, b) = get(
        &app,
        "/collections/cogtiler_test.places/items",
        &[
            ("filter", "pop > 1000 AND name LIKE '%i%'"),
            ("sortby", "-pop"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&b));
    let d = json(&b);
    assert_eq!(d["numberMatched"], 2);
    assert_eq!(d["features"][0]["properties"]["name"], "Lima");
    assert_eq!(d["features"][1]["properties"]["name"], "Paris");

    let (s, b) = get(&app, "/collections/cogtiler_test.places/items/3", &[]).await;
    assert_eq!(s, 200);
    assert_eq!(json(&b)["properties"]["name"], "O'Brien");
    let (s, _) = get(&app, "/collections/cogtiler_test.places/items/99", &[]).await;
    assert_eq!(s, 404);

    let (s, b) = get(&app, "/collections/cogtiler_test.grid/items", &[("n", "5")]).await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&b));
    assert_eq!(json(&b)["numberMatched"], 5);

    let (s, b) = get(
        &app,
        "/collections/cogtiler_test.places/tiles/WebMercatorQuad/0/0/0",
        &[],
    )
    .await;
    assert_eq!(s, 200);
    assert!(!b.is_empty(), "a tile with 3 points");
    // the same tile in a TMS that is not Web Mercator
    let (s, b) = get(
        &app,
        "/collections/cogtiler_test.places/tiles/WorldCRS84Quad/0/1/0",
        &[],
    )
    .await;
    assert_eq!(s, 200);
    assert!(!b.is_empty());
    let (s, _) = get(
        &app,
        "/collections/cogtiler_test.places/tiles/WebMercatorQuad/1/5/5",
        &[],
    )
    .await;
    assert_eq!(s, 404, "outside the matrix");
}

#[tokio::test]
async fn injections_fail_safely() {
    let Some(url) = database_url() else { return };
    let client = setup(&url).await;
    let app = app(&url);
    let items = "/collections/cogtiler_test.places/items";
    // the routes answer at all (a 404 for everything would pass the checks below)
    let (s, _) = get(&app, items, &[("filter", "name = 'Paris'")]).await;
    assert_eq!(s, 200);
    let (s, _) = get(&app, "/collections/cogtiler_test.grid/items", &[("n", "3")]).await;
    assert_eq!(s, 200);
    let drop = "DROP TABLE cogtiler_test.sentinel";
    let cases: Vec<(String, Vec<(String, String)>)> = vec![
        // filter: a string literal, a quoted identifier, a function call
        (
            items.into(),
            vec![("filter".into(), format!("name = 'x''; {drop}; --'"))],
        ),
        (
            items.into(),
            vec![("filter".into(), format!("\"name\"\" = 1; {drop}; --\" = 1"))],
        ),
        (
            items.into(),
            vec![("filter".into(), "pg_sleep(3) = 1".into())],
        ),
        (
            items.into(),
            vec![
                ("filter-lang".into(), "cql2-json".into()),
                (
                    "filter".into(),
                    format!(r#"{{"op":"=","args":[{{"property":"name\"; {drop}; --"}},1]}}"#),
                ),
            ],
        ),
        (
            items.into(),
            vec![
                ("filter-lang".into(), "cql2-json".into()),
                (
                    "filter".into(),
                    format!(r#"{{"op":"pg_catalog.pg_sleep); {drop}; --","args":[1]}}"#),
                ),
            ],
        ),
        // sortby, properties, ids, column equality, geom-column, datetime
        (
            items.into(),
            vec![("sortby".into(), format!("name; {drop}"))],
        ),
        (
            items.into(),
            vec![("sortby".into(), format!("-\"name\"; {drop}"))],
        ),
        (
            items.into(),
            vec![("properties".into(), format!("name,\"; {drop}; --"))],
        ),
        (
            items.into(),
            vec![("ids".into(), format!("1); {drop}; --"))],
        ),
        (
            items.into(),
            vec![("ids".into(), format!("1','2'); {drop}; --"))],
        ),
        (
            items.into(),
            vec![("name".into(), format!("x' OR '1'='1'; {drop}; --"))],
        ),
        (
            items.into(),
            vec![("geom-column".into(), format!("geom\"; {drop}; --"))],
        ),
        (
            items.into(),
            vec![("datetime".into(), format!("2020-01-01'; {drop}; --"))],
        ),
        (
            items.into(),
            vec![("bbox".into(), format!("1,2,3,4); {drop}; --"))],
        ),
        // collection ids and item ids
        (
            format!("/collections/cogtiler_test.places; {drop}/items"),
            vec![],
        ),
        (
            format!("/collections/cogtiler_test.\"places\"; {drop}; --/items"),
            vec![],
        ),
        (format!("{items}/1; {drop}"), vec![]),
        // function parameters
        (
            "/collections/cogtiler_test.grid/items".into(),
            vec![("n".into(), format!("1); {drop}; --"))],
        ),
        (
            "/collections/cogtiler_test.grid/tiles/WebMercatorQuad/0/0/0".into(),
            vec![("n".into(), format!("1)::int; {drop}; --"))],
        ),
        (
            "/collections/cogtiler_test.places/tiles/WebMercatorQuad/0/0/0".into(),
            vec![("filter".into(), format!("name = '{drop}'"))],
        ),
    ];
    for (path, query) in &cases {
        let q: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (s, b) = get(&app, path, &q).await;
        let body = String::from_utf8_lossy(&b);
        assert!(
            (400..500).contains(&s) || s == 200,
            "{path} {query:?}: {s} {body}"
        );
        if s == 200 && path.ends_with("/items") {
            // correct data: the literal matched nothing, or the injection was ignored
            let d = json(&b);
            for f in d["features"].as_array().unwrap() {
                let props = f["properties"].as_object().unwrap();
                assert!(props
                    .keys()
                    .all(|k| ["id", "name", "pop", "i"].contains(&k.as_str())));
            }
            if query.iter().any(|(k, _)| k == "filter" || k == "name") {
                assert_eq!(d["numberMatched"], 0, "{path} {query:?}: {body}");
            }
        }
        sentinel_intact(&client).await;
    }
}

/// A database that does not answer: 503 with a detail naming the database, not a hang.
#[tokio::test]
async fn database_down_is_503() {
    let mut vc = VectorConfig::new("postgresql://postgres@127.0.0.1:9/none".into());
    vc.acquire_timeout = Duration::from_secs(2);
    let v = VectorBackend::new(vc).unwrap();
    let app = App::new(
        ServerConfig {
            api: ApiMode::All,
            ..ServerConfig::default()
        },
        Arc::new(TmsRegistry::defaults()),
        Arc::new(NoRaster),
    )
    .with_vector(Arc::new(v));
    let (s, b) = get(&app, "/collections", &[]).await;
    assert_eq!(s, 503, "{}", String::from_utf8_lossy(&b));
    let d = json(&b);
    assert!(
        d["detail"]
            .as_str()
            .unwrap()
            .contains("database unavailable"),
        "{d}"
    );
}

/// `--api`: `vector` answers TiPg's landing page and no raster routes; `all` links both.
#[tokio::test]
async fn api_modes() {
    let app_with = |api| {
        let v = VectorBackend::new(VectorConfig::new(
            "postgresql://postgres@127.0.0.1:9/none".into(),
        ))
        .unwrap();
        App::new(
            ServerConfig {
                api,
                ..ServerConfig::default()
            },
            Arc::new(TmsRegistry::defaults()),
            Arc::new(NoRaster),
        )
        .with_vector(Arc::new(v))
    };
    let vector = app_with(ApiMode::Vector);
    let (s, b) = get(&vector, "/", &[]).await;
    assert_eq!(s, 200);
    assert_eq!(json(&b)["title"], "TiPg: OGC Features and Tiles API");
    let (s, _) = get(&vector, "/cog/info", &[("url", "x.tif")]).await;
    assert_eq!(s, 404, "raster routes are off with --api vector");
    let (_, b) = get(&vector, "/conformance", &[]).await;
    let classes = json(&b)["conformsTo"].to_string();
    assert!(classes.contains("ogcapi-features-1/1.0/conf/core"));

    let all = app_with(ApiMode::All);
    let (s, b) = get(&all, "/", &[("f", "json")]).await;
    assert_eq!(s, 200);
    let links = json(&b)["links"].to_string();
    assert!(
        links.contains("/collections") && links.contains("/colorMaps"),
        "{links}"
    );

    let raster = app_with(ApiMode::Raster);
    let (s, _) = get(&raster, "/collections", &[]).await;
    assert_eq!(s, 404, "no vector routes with --api raster");
}
