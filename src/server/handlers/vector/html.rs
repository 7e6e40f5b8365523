//! The vector API's HTML pages (`f=html`, or `Accept: text/html` as TiPg negotiates it).
//!
//! Each page is rendered from the JSON document the route answers anyway, so the two never
//! disagree and the JSON stays as it was. Every value that reaches the page — collection ids,
//! column names and feature properties come from the database — goes through [`esc`]; JSON
//! embedded for scripts goes through [`script_json`].

use serde_json::Value;

use super::Ctx;
use crate::server::error::ApiError;
use crate::server::response::{self, Resp};
use crate::server::validation::{Errors, Source};

/// A collection id as one URL path segment (ids come from the database: `/`, `?`, `#`
/// or spaces must not change the URL's shape).
pub fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON to put inside `<script type="application/json">`: `<`, `>` and `&` as `\u` escapes,
/// so no value can close the element (`</script>`) or open a comment.
pub fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// TiPg's `accept_media_type`: among `offered` media types, the first one the `Accept` header
/// lists at its highest quality; a bare `*` takes the first offered; `None` when nothing fits
/// (the route's default then).
pub fn accept_media(accept: &str, offered: &[&str]) -> Option<usize> {
    let mut prefs: Vec<(String, f64)> = Vec::new();
    for part in accept.replace(' ', "").split(',') {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").to_string();
        let mut q = 1.0;
        for param in it {
            if let Some(v) = param.strip_prefix("q=") {
                q = v.parse::<f64>().unwrap_or(0.0);
            }
        }
        if q > 0.0 {
            // a repeated name keeps its last quality, like TiPg's dict
            prefs.retain(|(n, _)| *n != name);
            prefs.push((name, q));
        }
    }
    let mut levels: Vec<f64> = prefs.iter().map(|p| p.1).collect();
    levels.sort_by(|a, b| b.total_cmp(a));
    levels.dedup();
    for level in levels {
        for (i, m) in offered.iter().enumerate() {
            if prefs.iter().any(|(n, q)| *q == level && n == m) {
                return Some(i);
            }
        }
    }
    (prefs.iter().any(|(n, _)| n == "*") && !offered.is_empty()).then_some(0)
}

/// The output format of a route offering `choices` (`f` value, media type), the first being
/// its default: `f` (a 422 when not a choice), else the `Accept` header, else the default.
pub fn negotiate(ctx: &Ctx, choices: &[(&str, &str)], as_enum: bool) -> Result<usize, ApiError> {
    if let Some(f) = ctx.query.get("f") {
        return match choices.iter().position(|c| c.0 == f) {
            Some(i) => Ok(i),
            None => {
                let names: Vec<&str> = choices.iter().map(|c| c.0).collect();
                let mut errs = Errors::new();
                errs.literal(Source::Query, "f", f, &names, as_enum);
                Err(ApiError::validation(errs.into_vec()))
            }
        };
    }
    let media: Vec<&str> = choices.iter().map(|c| c.1).collect();
    Ok(ctx
        .accept()
        .and_then(|a| accept_media(a, &media))
        .unwrap_or(0))
}

/// `f=json|html` routes: is the answer the HTML page?
pub fn wants_html(ctx: &Ctx) -> Result<bool, ApiError> {
    Ok(negotiate(
        ctx,
        &[("json", "application/json"), ("html", "text/html")],
        false,
    )? == 1)
}

/// A link for the HTML pages: this server's JSON links get `f=html` so browsing stays in
/// HTML; templated and foreign links are kept.
pub fn html_href(base: &str, href: &str) -> String {
    if !href.starts_with(base) || href.contains('{') || href.contains("f=") {
        return href.to_string();
    }
    let sep = if href.contains('?') { '&' } else { '?' };
    format!("{href}{sep}f=html")
}

/// The page around `body`: title, breadcrumbs from the request path, a link to the JSON.
pub fn page(ctx: &Ctx, title: &str, body: &str, head: &str) -> Resp {
    let base = &ctx.base_url;
    let path = ctx
        .path_and_query
        .split('?')
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    let mut crumbs = format!("<a href=\"{}/?f=html\">Home</a>", esc(base));
    let mut acc = String::new();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, seg) in segments.iter().enumerate() {
        acc.push('/');
        acc.push_str(seg);
        if i + 1 == segments.len() {
            crumbs.push_str(&format!(" / <span>{}</span>", esc(seg)));
        } else {
            crumbs.push_str(&format!(
                " / <a href=\"{}{}?f=html\">{}</a>",
                esc(base),
                esc(&acc),
                esc(seg)
            ));
        }
    }
    // the route's machine-readable format: `f=json` is the flat table on items
    let alt = if path.ends_with("/queryables") {
        "schemajson"
    } else if path.ends_with("/items") || path.contains("/items/") {
        "geojson"
    } else {
        "json"
    };
    let json_url = {
        let qs = ctx.query.encode_without(&["f"]);
        let sep = if qs.is_empty() { "" } else { "&" };
        format!("{base}{path}?{qs}{sep}f={alt}")
    };
    response::html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{t}</title>\n<style>{CSS}</style>\n{head}</head>\n<body>\
<nav class=\"crumbs\">{crumbs}</nav>\n<h1>{t}</h1>\n\
<p class=\"alt\"><a href=\"{json}\">JSON</a></p>\n{body}\n</body></html>\n",
        t = esc(title),
        json = esc(&json_url),
    ))
}

const CSS: &str = "body{font-family:sans-serif;margin:1em 2em;color:#222}\
.crumbs{padding:.5em;background:#eee;border-bottom:4px solid #3333a4}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;\
text-align:left;vertical-align:top}th{background:#f4f4f4}.alt{float:right;margin:0}\
#map{height:360px;border:1px solid #ccc;margin:.5em 0}";

/// `<ul>` of a document's `links`.
pub fn links_list(base: &str, links: &Value) -> String {
    let mut s = String::from("<ul class=\"links\">\n");
    for l in links.as_array().into_iter().flatten() {
        let href = l["href"].as_str().unwrap_or("");
        let title = l["title"].as_str().unwrap_or(href);
        let rel = l["rel"].as_str().unwrap_or("");
        let typ = l["type"].as_str().unwrap_or("");
        let templated = l["templated"].as_bool().unwrap_or(false);
        if templated {
            s.push_str(&format!(
                "<li>{} <code>{}</code> ({}, {})</li>\n",
                esc(title),
                esc(href),
                esc(rel),
                esc(typ)
            ));
        } else {
            s.push_str(&format!(
                "<li><a href=\"{}\">{}</a> ({}, {})</li>\n",
                esc(&html_href(base, href)),
                esc(title),
                esc(rel),
                esc(typ)
            ));
        }
    }
    s.push_str("</ul>\n");
    s
}

/// A JSON value as table-cell text: strings as they are, everything else as JSON.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => esc(s),
        Value::Null => String::new(),
        other => esc(&other.to_string()),
    }
}

/// A two-column table of an object's members.
pub fn kv_table(head: (&str, &str), rows: &[(String, String)]) -> String {
    let mut s = format!("<table><tr><th>{}</th><th>{}</th></tr>\n", head.0, head.1);
    for (k, v) in rows {
        s.push_str(&format!("<tr><td>{k}</td><td>{v}</td></tr>\n"));
    }
    s.push_str("</table>\n");
    s
}

/// A Leaflet map (cogtiler's offline copy) of the GeoJSON `fc`, with no base layer.
pub fn features_map(base: &str, fc: &Value) -> (String, String) {
    let head = format!(
        "<link rel=\"stylesheet\" href=\"{b}/static/leaflet/leaflet.css\">\n\
<script src=\"{b}/static/leaflet/leaflet.js\"></script>\n",
        b = esc(base)
    );
    let body = format!(
        "<div id=\"map\"></div>\n<script type=\"application/json\" id=\"features\">{}</script>\n\
<script>\nvar data = JSON.parse(document.getElementById('features').textContent);\n\
var map = L.map('map');\nvar layer = L.geoJSON(data, {{pointToLayer: function (f, ll) \
{{ return L.circleMarker(ll, {{radius: 4}}); }}}}).addTo(map);\n\
var b = layer.getBounds();\nif (b.isValid()) {{ map.fitBounds(b, {{maxZoom: 12}}); }} \
else {{ map.setView([0, 0], 1); }}\n</script>\n",
        script_json(fc)
    );
    (head, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        let s = script_json(&json!({"a": "</script><!--"}));
        assert!(!s.contains('<') && !s.contains('>'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["a"], "</script><!--");
    }

    #[test]
    fn accept_negotiation_follows_tipg() {
        let offered = ["application/json", "text/html"];
        assert_eq!(accept_media("text/html", &offered), Some(1));
        assert_eq!(
            accept_media(
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                &offered
            ),
            Some(1)
        );
        assert_eq!(
            accept_media("text/html;q=0.5, application/json", &offered),
            Some(0)
        );
        assert_eq!(accept_media("*/*", &offered), None);
        assert_eq!(accept_media("*", &offered), Some(0));
        assert_eq!(accept_media("text/html;q=0", &offered), None);
        assert_eq!(accept_media("", &offered), None);
    }

    #[test]
    fn ids_stay_one_segment() {
        assert_eq!(path_segment("public.countries"), "public.countries");
        assert_eq!(path_segment("a/b?c d#<"), "a%2Fb%3Fc%20d%23%3C");
    }

    #[test]
    fn html_links_stay_html() {
        let b = "http://h";
        assert_eq!(
            html_href(b, "http://h/collections"),
            "http://h/collections?f=html"
        );
        assert_eq!(
            html_href(b, "http://h/c?limit=2"),
            "http://h/c?limit=2&f=html"
        );
        assert_eq!(html_href(b, "http://h/c?f=csv"), "http://h/c?f=csv");
        assert_eq!(html_href(b, "http://h/c/{id}"), "http://h/c/{id}");
        assert_eq!(html_href(b, "https://x/y"), "https://x/y");
    }
}
