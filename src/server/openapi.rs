//! The OpenAPI 3.1 description of the HTTP API (`/api`) and a plain HTML rendering (`/api.html`).
//!
//! Generated from the route table so it cannot drift from what the router accepts; each
//! endpoint lists the query parameters of the concerns it uses (dataset, rendering, tile...),
//! with TiTiler's names, types, enums and defaults.

use serde_json::{json, Map, Value};

use super::params::catalog::{Catalog, IMAGE_FORMATS, RIO_RESAMPLING, WARP_RESAMPLING};
use super::router::{Endpoint, ROUTES};

fn q(name: &str, schema: Value, required: bool, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema, "description": description})
}

fn qs(name: &str, description: &str) -> Value {
    q(name, json!({"type": "string"}), false, description)
}

fn dataset_params() -> Vec<Value> {
    vec![
        q(
            "url",
            json!({"type": "string"}),
            true,
            "Dataset URL (path, file://, http(s)://, s3://)",
        ),
        q(
            "bidx",
            json!({"type": "array", "items": {"type": "integer"}}),
            false,
            "Band indexes (repeatable)",
        ),
        qs("expression", "Band math expression, e.g. (b4-b1)/(b4+b1)"),
        q(
            "nodata",
            json!({"anyOf": [{"type": "string", "enum": ["nan", "inf", "-inf"]}, {"type": "integer"}, {"type": "number"}]}),
            false,
            "Overwrite internal nodata value",
        ),
        q(
            "unscale",
            json!({"type": "boolean", "default": false}),
            false,
            "Apply internal scale/offset",
        ),
        q(
            "resampling",
            json!({"type": "string", "enum": RIO_RESAMPLING, "default": "nearest"}),
            false,
            "RasterIO resampling",
        ),
        q(
            "reproject",
            json!({"type": "string", "enum": WARP_RESAMPLING, "default": "nearest"}),
            false,
            "Warp resampling",
        ),
    ]
}

fn render_params(c: &Catalog) -> Vec<Value> {
    vec![
        q(
            "rescale",
            json!({"type": "array", "items": {"type": "string"}}),
            false,
            "min,max per band (repeatable)",
        ),
        qs("color_formula", "rio-color formula"),
        q(
            "colormap_name",
            json!({"type": "string", "enum": c.colormap_names}),
            false,
            "Colormap name",
        ),
        qs("colormap", "JSON encoded custom colormap"),
        q(
            "return_mask",
            json!({"type": "boolean", "default": true}),
            false,
            "Add mask to the output",
        ),
        q(
            "algorithm",
            json!({"type": "string", "enum": c.algorithm_names}),
            false,
            "Post-processing algorithm",
        ),
        qs("algorithm_params", "JSON encoded algorithm parameters"),
    ]
}

fn size_params() -> Vec<Value> {
    ["max_size", "width", "height"]
        .iter()
        .map(|n| {
            q(
                n,
                json!({"type": "integer", "exclusiveMinimum": 0}),
                false,
                "Output size",
            )
        })
        .collect()
}

fn stats_params() -> Vec<Value> {
    vec![
        q(
            "categorical",
            json!({"type": "boolean", "default": false}),
            false,
            "Categorical statistics",
        ),
        q(
            "c",
            json!({"type": "array", "items": {"type": "number"}}),
            false,
            "Categories",
        ),
        q(
            "p",
            json!({"type": "array", "items": {"type": "integer"}}),
            false,
            "Percentiles (default 2, 98)",
        ),
        qs("histogram_bins", "Bin count or comma-separated edges"),
        qs("histogram_range", "min,max"),
    ]
}

fn doc_params() -> Vec<Value> {
    vec![
        q(
            "tile_format",
            json!({"type": "string", "enum": IMAGE_FORMATS}),
            false,
            "Tile format in templates",
        ),
        q(
            "tilesize",
            json!({"type": "integer", "exclusiveMinimum": 0}),
            false,
            "Tile size",
        ),
        q(
            "minzoom",
            json!({"type": "integer"}),
            false,
            "Override minzoom",
        ),
        q(
            "maxzoom",
            json!({"type": "integer"}),
            false,
            "Override maxzoom",
        ),
    ]
}

/// Query parameters (beyond path parameters) of an endpoint.
fn query_params(e: Endpoint, c: &Catalog) -> Vec<Value> {
    use Endpoint as E;
    let mut v = Vec::new();
    match e {
        E::Info | E::Point => v.extend(dataset_params()),
        E::InfoGeojson | E::TilesetList => {
            v.extend(dataset_params());
            v.push(qs("crs", "CRS of the returned bounds"));
        }
        E::Statistics | E::StatisticsFeature => {
            v.extend(dataset_params());
            v.extend(stats_params());
            v.extend(size_params());
            if e == E::StatisticsFeature {
                v.push(q("cover_scale", json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 1000, "default": 10}), false, "Coverage scale"));
                v.push(qs("coord_crs", "CRS of the GeoJSON"));
            }
        }
        E::Tile | E::TileScaled | E::TileNoTms => {
            v.extend(dataset_params());
            v.extend(render_params(c));
            v.push(q(
                "tilesize",
                json!({"type": "integer", "exclusiveMinimum": 0}),
                false,
                "Tile size",
            ));
            v.push(q(
                "buffer",
                json!({"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.5}),
                false,
                "Tile buffer",
            ));
            v.push(q(
                "padding",
                json!({"type": "integer", "exclusiveMinimum": 0}),
                false,
                "Padding",
            ));
        }
        E::Preview | E::Bbox | E::Feature => {
            v.extend(dataset_params());
            v.extend(render_params(c));
            v.extend(size_params());
            v.push(qs("dst_crs", "Output CRS"));
            if e != E::Preview {
                v.push(qs("coord_crs", "CRS of the coordinates"));
            }
        }
        E::OgcMap => {
            v.extend(dataset_params());
            v.extend(render_params(c));
            v.push(qs("bbox", "minx,miny,maxx,maxy"));
            v.push(qs("bbox-crs", "CRS of bbox"));
            v.push(qs("crs", "Output CRS"));
            v.push(q(
                "width",
                json!({"type": "integer", "exclusiveMinimum": 0}),
                false,
                "Width",
            ));
            v.push(q(
                "height",
                json!({"type": "integer", "exclusiveMinimum": 0}),
                false,
                "Height",
            ));
            v.push(q(
                "f",
                json!({"type": "string", "enum": IMAGE_FORMATS}),
                false,
                "Format",
            ));
        }
        E::TileJson | E::TileJsonNoTms | E::MapHtml | E::Tileset => {
            v.extend(dataset_params());
            v.extend(render_params(c));
            v.extend(doc_params());
        }
        E::Wmts | E::WmtsTms => {
            v.extend(dataset_params());
            v.extend(render_params(c));
            v.push(q(
                "tile_format",
                json!({"type": "string", "enum": IMAGE_FORMATS, "default": "png"}),
                false,
                "Tile format",
            ));
            v.push(q(
                "use_epsg",
                json!({"type": "boolean", "default": false}),
                false,
                "EPSG codes instead of URNs",
            ));
            v.push(q("zooms", json!({"type": "array", "items": {"type": "string", "pattern": r"^(\*|\w+)::\d+,\d+$"}}), false, "TMS::min,max"));
        }
        E::Validate => {
            v.push(q("url", json!({"type": "string"}), true, "Dataset URL"));
            v.push(q(
                "strict",
                json!({"type": "boolean", "default": false}),
                false,
                "Warnings are errors",
            ));
        }
        E::Landing | E::Conformance | E::TmsList | E::Tms => {
            v.push(q(
                "f",
                json!({"type": "string", "enum": ["html", "json"]}),
                false,
                "Output format",
            ));
        }
        E::ColorMap => {
            v.push(q(
                "format",
                json!({"type": "string", "enum": IMAGE_FORMATS}),
                false,
                "Legend image format",
            ));
            v.push(q(
                "orientation",
                json!({"type": "string", "enum": ["vertical", "horizontal"]}),
                false,
                "Legend orientation",
            ));
            v.push(q(
                "width",
                json!({"type": "integer"}),
                false,
                "Legend width",
            ));
            v.push(q(
                "height",
                json!({"type": "integer"}),
                false,
                "Legend height",
            ));
        }
        E::Viewer => v.push(qs("url", "Dataset URL (default: the bundled sample)")),
        _ => {}
    }
    v
}

fn path_param(name: &str, c: &Catalog) -> Value {
    let schema = match name {
        "tileMatrixSetId" => json!({"type": "string", "enum": c.tms_ids}),
        "colorMapId" => json!({"type": "string", "enum": c.colormap_names}),
        "algorithmId" => json!({"type": "string", "enum": c.algorithm_names}),
        "z" | "x" | "y" | "scale" | "width" | "height" => json!({"type": "integer"}),
        "lon" | "lat" | "minx" | "miny" | "maxx" | "maxy" => json!({"type": "number"}),
        "format" => json!({"type": "string", "enum": IMAGE_FORMATS}),
        _ => json!({"type": "string"}),
    };
    json!({"name": name, "in": "path", "required": true, "schema": schema})
}

fn template_params(t: &str) -> Vec<String> {
    t.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

fn responses(e: Endpoint) -> Value {
    use Endpoint as E;
    let ok = match e {
        E::Tile | E::TileScaled | E::TileNoTms | E::Preview | E::Bbox | E::Feature | E::OgcMap => {
            let mut m = Map::new();
            for t in [
                "image/png",
                "image/jpeg",
                "image/webp",
                "image/tiff",
                "application/x-binary",
            ] {
                m.insert(t.into(), json!({}));
            }
            json!({"description": "Image", "content": m})
        }
        E::MapHtml | E::Viewer | E::ApiHtml => {
            json!({"description": "HTML page", "content": {"text/html": {}}})
        }
        E::Wmts | E::WmtsTms => {
            json!({"description": "WMTS capabilities", "content": {"application/xml": {}}})
        }
        E::SampleTif => {
            json!({"description": "The bundled sample COG", "content": {"image/tiff": {}}})
        }
        E::Static => json!({"description": "Static file"}),
        _ => {
            json!({"description": "JSON document", "content": {"application/json": {"schema": {"type": "object"}}}})
        }
    };
    json!({
        "200": ok,
        "422": {"description": "Validation error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}},
        "default": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    })
}

/// The OpenAPI 3.0 document.
pub fn document(c: &Catalog) -> Value {
    let mut paths = Map::new();
    for (i, rt) in ROUTES.iter().enumerate() {
        let mut params: Vec<Value> = template_params(rt.template)
            .iter()
            .map(|n| path_param(n, c))
            .collect();
        params.extend(query_params(rt.endpoint, c));
        let entry = paths
            .entry(rt.template.to_string())
            .or_insert_with(|| json!({}));
        for m in rt.methods {
            let method = m.as_str().to_ascii_lowercase();
            let mut op = json!({
                "operationId": format!("{:?}_{}_{i}", rt.endpoint, method),
                "summary": format!("{:?}", rt.endpoint),
                "parameters": params,
                "responses": responses(rt.endpoint),
            });
            if method == "post" {
                op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
            }
            if let Some(obj) = entry.as_object_mut() {
                obj.insert(method, op);
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cogtiler",
            "description": "A dynamic tile server for Cloud Optimized GeoTIFFs, compatible with TiTiler 2.4.",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"detail": {}}, "required": ["detail"]},
            "ValidationError": {"type": "object", "properties": {
                "type": {"type": "string"}, "loc": {"type": "array", "items": {}},
                "msg": {"type": "string"}, "input": {}, "ctx": {"type": "object"}},
                "required": ["type", "loc", "msg"]},
            "HTTPValidationError": {"type": "object", "properties": {
                "detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}}},
        }},
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A plain HTML listing of the OpenAPI document (Swagger UI needs a CDN; this does not).
pub fn html(doc: &Value) -> String {
    let mut out = String::from("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>cogtiler API</title>\
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}code{background:#eee}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style></head><body>\n\
<h1>cogtiler API</h1><p>OpenAPI document: <a href=\"/api\">/api</a></p>\n");
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                out.push_str(&format!(
                    "<h2><code>{} {}</code></h2>\n<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>\n",
                    esc(&method.to_uppercase()),
                    esc(path)
                ));
                for p in op["parameters"].as_array().into_iter().flatten() {
                    out.push_str(&format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                        esc(p["name"].as_str().unwrap_or("")),
                        esc(p["in"].as_str().unwrap_or("")),
                        p["required"].as_bool().unwrap_or(false),
                        esc(&p["schema"].to_string().chars().take(200).collect::<String>()),
                        esc(p["description"].as_str().unwrap_or("")),
                    ));
                }
                out.push_str("</table>\n");
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_with_its_path_params() {
        let doc = document(&Catalog::default());
        let paths = doc["paths"].as_object().unwrap();
        for rt in ROUTES {
            let entry = &paths[rt.template];
            for m in rt.methods {
                let op = &entry[m.as_str().to_ascii_lowercase()];
                let names: Vec<&str> = op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                assert_eq!(names, template_params(rt.template), "{}", rt.template);
            }
        }
        let mut ids: Vec<&str> = paths
            .values()
            .flat_map(|ops| ops.as_object().unwrap().values())
            .map(|op| op["operationId"].as_str().unwrap())
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "operationIds must be unique");
        let tile = &paths["/cog/tiles/{tileMatrixSetId}/{z}/{x}/{y}.{format}"]["get"];
        assert!(tile["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "rescale"));
        assert!(html(&doc).contains("/cog/info"));
    }
}
