//! GDAL's private `GDAL_METADATA` tag (42112): a small XML document of metadata items.
//!
//! ```xml
//! <GDALMetadata>
//!   <Item name="PRODUCT">L2A</Item>                               <!-- dataset item -->
//!   <Item name="WAVELENGTH" sample="0">665</Item>                 <!-- band 1 item -->
//!   <Item name="DESCRIPTION" sample="0" role="description">red</Item>
//!   <Item name="SCALE" sample="0" role="scale">0.01</Item>
//!   <Item name="X" domain="IMAGE_STRUCTURE">...</Item>            <!-- other domain -->
//! </GDALMetadata>
//! ```
//!
//! Items with a `role` are band properties (description, scale, offset, unit type), not
//! metadata; items with a `domain` belong to another metadata domain. The grammar GDAL writes
//! is tiny and regular, so a hand-written scanner is enough (and cannot be made to allocate
//! more than the tag's own size).

use std::collections::BTreeMap;

/// Per-band part of GDAL_METADATA.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BandMetadata {
    /// Default-domain items (`STATISTICS_MAXIMUM`, `WAVELENGTH`, ...).
    pub items: BTreeMap<String, String>,
    pub description: Option<String>,
    pub scale: Option<f64>,
    pub offset: Option<f64>,
    pub unit: Option<String>,
    /// GDAL's colour interpretation name (`Undefined`, `Alpha`, ...): GDAL writes it when the
    /// TIFF tags cannot say it, and it overrides what PhotometricInterpretation and
    /// ExtraSamples imply.
    pub colorinterp: Option<String>,
    /// Items of non-default domains, by domain.
    pub domains: BTreeMap<String, BTreeMap<String, String>>,
}

/// Parsed GDAL_METADATA.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GdalMetadata {
    /// Default-domain dataset items.
    pub dataset: BTreeMap<String, String>,
    /// Dataset items of other domains, by domain.
    pub domains: BTreeMap<String, BTreeMap<String, String>>,
    /// Band items by 0-based sample index.
    pub bands: BTreeMap<usize, BandMetadata>,
}

impl GdalMetadata {
    /// Parses the XML leniently: malformed items are skipped, never an error.
    pub fn parse(xml: &str) -> GdalMetadata {
        let mut md = GdalMetadata::default();
        let mut rest = xml;
        while let Some(start) = rest.find("<Item") {
            rest = &rest[start + 5..];
            let Some(tag_end) = rest.find('>') else { break };
            let attrs_str = &rest[..tag_end];
            if attrs_str.ends_with('/') {
                rest = &rest[tag_end + 1..];
                continue;
            }
            let body_start = tag_end + 1;
            let Some(close) = rest[body_start..].find("</Item>") else {
                break;
            };
            let text = unescape(&rest[body_start..body_start + close]);
            rest = &rest[body_start + close + 7..];
            let attrs = parse_attrs(attrs_str);
            let Some(name) = attrs.get("name").cloned() else {
                continue;
            };
            let domain = attrs.get("domain").cloned().filter(|d| !d.is_empty());
            let sample = attrs.get("sample").and_then(|s| s.parse::<usize>().ok());
            match sample {
                Some(b) => {
                    let band = md.bands.entry(b).or_default();
                    match attrs.get("role").map(|s| s.as_str()) {
                        Some("description") => band.description = Some(text),
                        Some("scale") => band.scale = text.trim().parse().ok(),
                        Some("offset") => band.offset = text.trim().parse().ok(),
                        Some("unittype") => band.unit = Some(text),
                        Some("colorinterp") => band.colorinterp = Some(text.trim().to_string()),
                        Some(_) => {}
                        None => match domain {
                            Some(d) => {
                                band.domains.entry(d).or_default().insert(name, text);
                            }
                            None => {
                                band.items.insert(name, text);
                            }
                        },
                    }
                }
                None => match domain {
                    Some(d) => {
                        md.domains.entry(d).or_default().insert(name, text);
                    }
                    None => {
                        md.dataset.insert(name, text);
                    }
                },
            }
        }
        md
    }
}

/// `name="X" sample="0"` → map (single or double quotes).
fn parse_attrs(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = s;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(end) = after[1..].find(q) else { break };
        out.insert(key, unescape(&after[1..1 + end]));
        rest = &after[1 + end + 1..];
    }
    out
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bands_roles_and_domains() {
        let xml = r#"<GDALMetadata>
  <Item name="PRODUCT">a &amp; b</Item>
  <Item name="WAVELENGTH" sample="0">665</Item>
  <Item name="DESCRIPTION" sample="0" role="description">red</Item>
  <Item name="SCALE" sample="1" role="scale">0.01</Item>
  <Item name="OFFSET" sample="1" role="offset">273.15</Item>
  <Item name="X" domain="IMAGE_STRUCTURE">y</Item>
  <Item name="COLORINTERP" sample="1" role="colorinterp">Undefined</Item>
  <Item name="broken" sample="2"
</GDALMetadata>"#;
        let md = GdalMetadata::parse(xml);
        assert_eq!(md.dataset.get("PRODUCT").map(|s| s.as_str()), Some("a & b"));
        assert_eq!(md.domains["IMAGE_STRUCTURE"]["X"], "y");
        assert_eq!(md.bands[&0].items["WAVELENGTH"], "665");
        assert_eq!(md.bands[&0].description.as_deref(), Some("red"));
        assert_eq!(md.bands[&1].scale, Some(0.01));
        assert_eq!(md.bands[&1].offset, Some(273.15));
        assert_eq!(md.bands[&1].colorinterp.as_deref(), Some("Undefined"));
        assert_eq!(md.bands[&0].colorinterp, None);
        assert!(!md.bands[&0].items.contains_key("DESCRIPTION"));
    }

    #[test]
    fn garbage_does_not_panic() {
        for s in [
            "<Item",
            "<Item name='a'>",
            "<Item>x</Item>",
            "<Item name=>",
            "&&&<Item name=\"é\" sample=\"99999999999999999999\">v</Item>",
        ] {
            let _ = GdalMetadata::parse(s);
        }
    }
}
