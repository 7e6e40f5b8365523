//! The HTML pages of the vector API, each rendered from the route's JSON document (TiPg's
//! templates show the same things; these are cogtiler's own, with no CDN and no scripts
//! except the offline Leaflet map of items).

use serde_json::Value;

use super::html::{cell, esc, features_map, html_href, kv_table, links_list, page, path_segment};
use super::Ctx;
use crate::server::response::Resp;

/// The landing page.
pub fn landing(ctx: &Ctx, doc: &Value) -> Resp {
    let title = doc["title"].as_str().unwrap_or("Landing Page");
    page(ctx, title, &links_list(&ctx.base_url, &doc["links"]), "")
}

/// `/conformance`.
pub fn conformance(ctx: &Ctx, doc: &Value) -> Resp {
    let mut s = String::from("<ul>\n");
    for c in doc["conformsTo"].as_array().into_iter().flatten() {
        let c = esc(c.as_str().unwrap_or(""));
        s.push_str(&format!("<li><a href=\"{c}\">{c}</a></li>\n"));
    }
    s.push_str("</ul>\n");
    page(ctx, "Conformance", &s, "")
}

/// `numberMatched`/`numberReturned` and the `next`/`prev` links of a page of results.
fn paging(ctx: &Ctx, doc: &Value) -> String {
    let mut s = format!(
        "<p>Number matched: {}, returned: {}.",
        cell(&doc["numberMatched"]),
        cell(&doc["numberReturned"])
    );
    for l in doc["links"].as_array().into_iter().flatten() {
        let rel = l["rel"].as_str().unwrap_or("");
        if rel == "next" || rel == "prev" {
            let href = html_href(&ctx.base_url, l["href"].as_str().unwrap_or(""));
            s.push_str(&format!(
                " <a rel=\"{rel}\" href=\"{}\">{rel}</a>",
                esc(&href)
            ));
        }
    }
    s.push_str("</p>\n");
    s
}

fn extent_rows(doc: &Value) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    if let Some(b) = doc["extent"]["spatial"]["bbox"].get(0) {
        rows.push(("Bounding box".into(), cell(b)));
    }
    if let Some(i) = doc["extent"]["temporal"]["interval"].get(0) {
        rows.push(("Time interval".into(), cell(i)));
    }
    rows
}

/// `/collections`.
pub fn collections(ctx: &Ctx, doc: &Value) -> Resp {
    let base = &ctx.base_url;
    let mut s = paging(ctx, doc);
    s.push_str("<table><tr><th>Collection</th><th>Description</th><th>Extent</th></tr>\n");
    for c in doc["collections"].as_array().into_iter().flatten() {
        let href = c["links"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["rel"] == "collection"))
            .and_then(|l| l["href"].as_str())
            .unwrap_or("");
        let extent: Vec<String> = extent_rows(c).into_iter().map(|r| r.1).collect();
        s.push_str(&format!(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>\n",
            esc(&html_href(base, href)),
            cell(&c["title"]),
            cell(&c["description"]),
            extent.join("<br>")
        ));
    }
    s.push_str("</table>\n");
    page(ctx, "Collections", &s, "")
}

/// `/collections/{collectionId}`: its extent, links and a map viewer link.
pub fn collection(ctx: &Ctx, doc: &Value) -> Resp {
    let id = doc["id"].as_str().unwrap_or("");
    let mut s = String::new();
    if let Some(d) = doc["description"].as_str() {
        s.push_str(&format!("<p>{}</p>\n", esc(d)));
    }
    s.push_str(&kv_table(("", ""), &extent_rows(doc)));
    let has_tiles = doc["links"]
        .as_array()
        .is_some_and(|ls| ls.iter().any(|l| l["title"] == "Collection TileSets"));
    if has_tiles {
        s.push_str(&format!(
            "<p><a id=\"map-viewer\" href=\"{}/collections/{}/tiles/WebMercatorQuad/map.html\">\
Map viewer (WebMercatorQuad)</a></p>\n",
            esc(&ctx.base_url),
            esc(&path_segment(id))
        ));
    }
    s.push_str("<h2>Links</h2>\n");
    s.push_str(&links_list(&ctx.base_url, &doc["links"]));
    page(ctx, &format!("Collection {id}"), &s, "")
}

/// `/collections/{collectionId}/queryables`.
pub fn queryables(ctx: &Ctx, doc: &Value) -> Resp {
    let rows: Vec<(String, String)> = doc["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let t = v
                .get("type")
                .or_else(|| v.get("$ref"))
                .unwrap_or(&Value::Null);
            (esc(k), cell(t))
        })
        .collect();
    let title = format!("{} queryables", doc["title"].as_str().unwrap_or(""));
    page(ctx, &title, &kv_table(("Name", "Type"), &rows), "")
}

/// `/collections/{collectionId}/items`: a map and a table of the page's features.
pub fn items(ctx: &Ctx, doc: &Value) -> Resp {
    let base = &ctx.base_url;
    let feats: &[Value] = doc["features"].as_array().map_or(&[], Vec::as_slice);
    // columns: every property name, in the order first seen
    let mut cols: Vec<&str> = Vec::new();
    for f in feats {
        for k in f["properties"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.keys())
        {
            if !cols.contains(&k.as_str()) {
                cols.push(k);
            }
        }
    }
    let (head, map) = features_map(base, doc);
    let mut s = paging(ctx, doc);
    s.push_str(&map);
    s.push_str("<table><tr><th>id</th>");
    for c in &cols {
        s.push_str(&format!("<th>{}</th>", esc(c)));
    }
    s.push_str("</tr>\n");
    for f in feats {
        let href = f["links"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["rel"] == "item"))
            .and_then(|l| l["href"].as_str())
            .unwrap_or("");
        s.push_str(&format!(
            "<tr><td><a href=\"{}\">{}</a></td>",
            esc(&html_href(base, href)),
            cell(&f["id"])
        ));
        for c in &cols {
            s.push_str(&format!("<td>{}</td>", cell(&f["properties"][*c])));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    let title = format!("{} items", doc["id"].as_str().unwrap_or(""));
    page(ctx, &title, &s, &head)
}

/// `/collections/{collectionId}/items/{itemId}`: the feature on a map and its properties.
pub fn item(ctx: &Ctx, collection_id: &str, doc: &Value) -> Resp {
    let rows: Vec<(String, String)> = doc["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (esc(k), cell(v)))
        .collect();
    let (head, map) = features_map(&ctx.base_url, doc);
    let mut s = map;
    s.push_str(&kv_table(("Property", "Value"), &rows));
    s.push_str(&links_list(&ctx.base_url, &doc["links"]));
    let id = match &doc["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    page(ctx, &format!("{collection_id}/{id} item"), &s, &head)
}

/// `/collections/{collectionId}/tiles`.
pub fn tilesets(ctx: &Ctx, collection_id: &str, doc: &Value) -> Resp {
    let base = &ctx.base_url;
    let mut s = String::from("<ul>\n");
    for t in doc["tilesets"].as_array().into_iter().flatten() {
        let href = t["links"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["rel"] == "self"))
            .and_then(|l| l["href"].as_str())
            .unwrap_or("");
        s.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            esc(&html_href(base, href)),
            cell(&t["title"])
        ));
    }
    s.push_str("</ul>\n");
    page(ctx, &format!("{collection_id} tilesets"), &s, "")
}

/// `/collections/{collectionId}/tiles/{tileMatrixSetId}`.
pub fn tileset(ctx: &Ctx, doc: &Value) -> Resp {
    let mut rows = vec![
        ("Data type".to_string(), cell(&doc["dataType"])),
        ("CRS".to_string(), cell(&doc["crs"])),
    ];
    if !doc["boundingBox"].is_null() {
        rows.push(("Bounding box".into(), cell(&doc["boundingBox"])));
    }
    if let Some(limits) = doc["tileMatrixSetLimits"].as_array() {
        let zooms: Vec<String> = limits.iter().map(|l| cell(&l["tileMatrix"])).collect();
        rows.push(("Tile matrices".into(), zooms.join(", ")));
    }
    let mut s = kv_table(("", ""), &rows);
    s.push_str(&links_list(&ctx.base_url, &doc["links"]));
    page(ctx, doc["title"].as_str().unwrap_or("Tileset"), &s, "")
}

/// `/tileMatrixSets`.
pub fn tms_list(ctx: &Ctx, doc: &Value) -> Resp {
    let base = &ctx.base_url;
    let mut s = String::from("<ul>\n");
    for t in doc["tileMatrixSets"].as_array().into_iter().flatten() {
        let href = t["links"][0]["href"].as_str().unwrap_or("");
        s.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            esc(&html_href(base, href)),
            cell(&t["id"])
        ));
    }
    s.push_str("</ul>\n");
    page(ctx, "TileMatrixSets", &s, "")
}

/// `/tileMatrixSets/{tileMatrixSetId}`: the set's CRS and its matrices.
pub fn tms(ctx: &Ctx, doc: &Value) -> Resp {
    let mut s = kv_table(
        ("", ""),
        &[
            ("Id".into(), cell(&doc["id"])),
            ("CRS".into(), cell(&doc["crs"])),
        ],
    );
    s.push_str(
        "<table><tr><th>id</th><th>scale denominator</th><th>cell size</th>\
<th>matrix width</th><th>matrix height</th></tr>\n",
    );
    for m in doc["tileMatrices"].as_array().into_iter().flatten() {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            cell(&m["id"]),
            cell(&m["scaleDenominator"]),
            cell(&m["cellSize"]),
            cell(&m["matrixWidth"]),
            cell(&m["matrixHeight"])
        ));
    }
    s.push_str("</table>\n");
    let title = doc["title"].as_str().or(doc["id"].as_str()).unwrap_or("");
    page(ctx, title, &s, "")
}
