//! OGC WMTS 1.0 capabilities (`/cog/WMTSCapabilities.xml`): one layer per TileMatrixSet.
//!
//! A WMTS client (QGIS, OpenLayers) reads this XML to learn the tile grids (`TileMatrixSet`
//! sections: scale, origin, matrix sizes per zoom) and, per layer, where data exists
//! (`TileMatrixSetLimits`) and how to fetch a tile (`ResourceURL` template with
//! `{TileMatrix}/{TileCol}/{TileRow}`). Layout and wording follow TiTiler's template, except that the
//! service title and provider say cogtiler ([`identity`]).

use std::fmt::Write;

use super::{py_float, xml_escape, DatasetFacts, TmsFacts};
use crate::server::identity;
use crate::server::params::WmtsParams;
use crate::server::query::Query;

/// Query parameters that only shape the capabilities document (not echoed into tile URLs).
const WMTS_ONLY: &[&str] = &["tile_format", "use_epsg", "zooms", "f"];

/// Builds the capabilities document.
///
/// `self_url` is the full URL of this request (echoed in `GetCapabilities`), `dataset_url`
/// the `url=` value (layer titles are `{url}_{tms}_default`, as TiTiler writes them).
pub fn capabilities(
    facts: &DatasetFacts,
    params: &WmtsParams,
    query: &Query,
    router_url: &str,
    self_url: &str,
    dataset_url: &str,
) -> String {
    let mut x = String::with_capacity(64 * 1024);
    let self_url = xml_escape(self_url);
    let tile_qs = query.encode_without(WMTS_ONLY);
    let media = params.tile_format.media_type();
    let ext = params.tile_format.name();
    x.push_str(r#"<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:gml="http://www.opengis.net/gml" xsi:schemaLocation="http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd" version="1.0.0">
    <ows:ServiceIdentification>
        <ows:Title>Web Map Tile Service by "#);
    x.push_str(identity::NAME);
    x.push_str(
        r#"</ows:Title>
        <ows:ServiceType>OGC WMTS</ows:ServiceType>
        <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
    </ows:ServiceIdentification>
    <ows:ServiceProvider>
        <ows:ProviderName>"#,
    );
    x.push_str(identity::NAME);
    // The provider's site is this server's landing page: cogtiler has no public home to name.
    let _ = write!(
        x,
        r#"</ows:ProviderName>
        <ows:ProviderSite xlink:href="{}/"/>
        <ows:ServiceContact/>
    </ows:ServiceProvider>
    <ows:OperationsMetadata>
"#,
        xml_escape(super::root_of(router_url))
    );
    for op in ["GetCapabilities", "GetTile"] {
        let _ = write!(
            x,
            r#"        <ows:Operation name="{op}">
            <ows:DCP>
                <ows:HTTP>
                    <ows:Get xlink:href="{self_url}">
                        <ows:Constraint name="GetEncoding">
                            <ows:AllowedValues>
                                <ows:Value>RESTful</ows:Value>
                            </ows:AllowedValues>
                        </ows:Constraint>
                    </ows:Get>
                </ows:HTTP>
            </ows:DCP>
        </ows:Operation>
"#
        );
    }
    x.push_str("    </ows:OperationsMetadata>\n    <Contents>\n");
    let b = facts.wgs84_bounds;
    for t in &facts.tms {
        let (minz, maxz) = params.zooms_for(&t.id).unwrap_or((t.minzoom, t.maxzoom));
        let title = xml_escape(&format!("{dataset_url}_{}_default", t.id));
        let _ = write!(
            x,
            r#"    <Layer>
            <ows:Title>{title}</ows:Title>
            <ows:Identifier>{title}</ows:Identifier>
            <ows:WGS84BoundingBox crs="urn:ogc:def:crs:OGC:2:84">
                <ows:LowerCorner>{} {}</ows:LowerCorner>
                <ows:UpperCorner>{} {}</ows:UpperCorner>
            </ows:WGS84BoundingBox>
            <Style isDefault="true">
                <ows:Title>{title}</ows:Title>
                <ows:Identifier>{title}</ows:Identifier>
            </Style>
            <Format>{media}</Format>
            <TileMatrixSetLink>
                <TileMatrixSet>{}</TileMatrixSet>
                <TileMatrixSetLimits>
"#,
            py_float(b[0]),
            py_float(b[1]),
            py_float(b[2]),
            py_float(b[3]),
            xml_escape(&t.id),
        );
        for l in t.limits.iter().filter(|l| l.zoom >= minz && l.zoom <= maxz) {
            let _ = write!(
                x,
                r#"                    <TileMatrixLimits>
                    <TileMatrix>{}</TileMatrix>
                    <MinTileRow>{}</MinTileRow>
                    <MaxTileRow>{}</MaxTileRow>
                    <MinTileCol>{}</MinTileCol>
                    <MaxTileCol>{}</MaxTileCol>
                    </TileMatrixLimits>
"#,
                xml_escape(&l.tile_matrix),
                l.min_tile_row,
                l.max_tile_row,
                l.min_tile_col,
                l.max_tile_col
            );
        }
        let template = xml_escape(&format!(
            "{router_url}/tiles/{}/{{TileMatrix}}/{{TileCol}}/{{TileRow}}.{ext}{}",
            t.id,
            if tile_qs.is_empty() {
                String::new()
            } else {
                format!("?{tile_qs}")
            }
        ));
        let _ = write!(
            x,
            r#"                </TileMatrixSetLimits>
            </TileMatrixSetLink>
            <ResourceURL format="{media}" resourceType="tile" template="{template}" />
        </Layer>"#
        );
    }
    x.push('\n');
    for t in &facts.tms {
        push_matrix_set(&mut x, t, params.use_epsg);
    }
    let _ = write!(
        x,
        "    </Contents>\n    <ServiceMetadataURL xlink:href=\"{self_url}\" />\n</Capabilities>"
    );
    x
}

fn push_matrix_set(x: &mut String, t: &TmsFacts, use_epsg: bool) {
    let crs = if use_epsg {
        match t.epsg {
            Some(c) => format!("EPSG:{c}"),
            // TiTiler prints Python's None for CRSs without an EPSG code (OGC:CRS84).
            None => "EPSG:None".to_string(),
        }
    } else {
        t.crs_uri.clone()
    };
    let _ = write!(
        x,
        "        <TileMatrixSet>\n            <ows:Identifier>{}</ows:Identifier>\n            <ows:SupportedCRS>{}</ows:SupportedCRS>\n",
        xml_escape(&t.id),
        xml_escape(&crs)
    );
    for m in &t.matrices {
        let _ = write!(
            x,
            r#"            <TileMatrix>
                <ows:Identifier>{}</ows:Identifier>
                <ScaleDenominator>{}</ScaleDenominator>
                <TopLeftCorner>{} {}</TopLeftCorner>
                <TileWidth>{}</TileWidth>
                <TileHeight>{}</TileHeight>
                <MatrixWidth>{}</MatrixWidth>
                <MatrixHeight>{}</MatrixHeight>
            </TileMatrix>
"#,
            xml_escape(&m.id),
            py_float(m.scale_denominator),
            py_float(m.top_left[0]),
            py_float(m.top_left[1]),
            m.tile_width,
            m.tile_height,
            m.matrix_width,
            m.matrix_height
        );
    }
    x.push_str("        </TileMatrixSet>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::docs::tests::dem_facts;
    use crate::server::docs::MatrixFacts;
    use crate::server::validation::Errors;

    #[test]
    fn layer_limits_template_and_matrices() {
        let mut facts = dem_facts();
        facts.tms[0].matrices = vec![MatrixFacts {
            id: "0".into(),
            scale_denominator: 559082264.0287178,
            top_left: [-20037508.3427892, 20037508.3427892],
            tile_width: 256,
            tile_height: 256,
            matrix_width: 1,
            matrix_height: 1,
        }];
        let q = Query::from_pairs([
            ("url", "http://h/a.tif"),
            ("rescale", "1331,4004"),
            ("tile_format", "webp"),
            ("use_epsg", "true"),
            ("zooms", "WebMercatorQuad::8,9"),
        ]);
        let p = WmtsParams::parse(&q, &mut Errors::new()).unwrap();
        let xml = capabilities(
            &facts,
            &p,
            &q,
            "http://s/cog",
            "http://s/cog/WMTSCapabilities.xml?x=1&y=2",
            "http://h/a.tif",
        );
        assert!(xml.contains("<ows:Title>http://h/a.tif_WebMercatorQuad_default</ows:Title>"));
        assert!(xml.contains(r#"template="http://s/cog/tiles/WebMercatorQuad/{TileMatrix}/{TileCol}/{TileRow}.webp?url=http%3A%2F%2Fh%2Fa.tif&amp;rescale=1331%2C4004""#));
        assert!(xml.contains("<ows:SupportedCRS>EPSG:3857</ows:SupportedCRS>"));
        assert!(xml.contains("<TopLeftCorner>-20037508.3427892 20037508.3427892</TopLeftCorner>"));
        assert!(xml.contains("xlink:href=\"http://s/cog/WMTSCapabilities.xml?x=1&amp;y=2\""));
        // zooms override: only 8 and 9
        assert_eq!(xml.matches("<TileMatrixLimits>").count(), 2);
        assert!(xml.contains("<TileMatrix>9</TileMatrix>"));
        assert!(xml.contains("<Format>image/webp</Format>"));
    }
}
