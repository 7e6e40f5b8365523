//! Building [`TmsFacts`] and [`MapTms`] from the `tms` module, so the reader side only has to
//! supply what it knows about the dataset (geographic bounds and its zoom range per TMS).

use super::map_html::{web_mercator_quad, MapTms};
use super::{MatrixFacts, TileMatrixLimit, TmsFacts};
use crate::tms::{TileMatrixSet, TmsRegistry};

/// Describes one TMS for the documents: every matrix, and the dataset's tile limits at every
/// zoom of the TMS (zooms where the tile math fails, e.g. bounds outside a polar grid's
/// domain, are left out). `geographic_bounds` are in the TMS's geographic CRS, `minzoom` and
/// `maxzoom` the dataset's range in this TMS (rio-tiler's `minzoom`/`maxzoom`).
pub fn tms_facts(
    tms: &TileMatrixSet,
    geographic_bounds: [f64; 4],
    minzoom: i64,
    maxzoom: i64,
) -> TmsFacts {
    let mut limits = Vec::new();
    for z in tms.minzoom()..=tms.maxzoom() {
        if let Ok(mut l) = tms.limits(geographic_bounds, Some((z, z))) {
            if let Some(l) = l.pop() {
                limits.push(TileMatrixLimit {
                    tile_matrix: l.tile_matrix,
                    zoom: z as i64,
                    min_tile_row: l.min_tile_row.max(0) as u64,
                    max_tile_row: l.max_tile_row.max(0) as u64,
                    min_tile_col: l.min_tile_col.max(0) as u64,
                    max_tile_col: l.max_tile_col.max(0) as u64,
                });
            }
        }
    }
    let matrices = tms
        .tile_matrices
        .iter()
        .map(|m| MatrixFacts {
            id: m.id.clone(),
            scale_denominator: m.scale_denominator,
            top_left: m.point_of_origin,
            tile_width: m.tile_width,
            tile_height: m.tile_height,
            matrix_width: m.matrix_width,
            matrix_height: m.matrix_height,
        })
        .collect();
    TmsFacts {
        id: tms.id.clone(),
        crs_uri: tms.crs_uri.clone(),
        epsg: tms.crs.epsg(),
        minzoom,
        maxzoom,
        geographic_bounds,
        limits,
        matrices,
        tile_width: tms
            .tile_matrices
            .first()
            .map(|m| m.tile_width)
            .unwrap_or(256),
    }
}

/// How `map.html` describes a TMS to Leaflet/proj4leaflet. WebMercatorQuad uses TiTiler's
/// exact strings (so the page is byte-identical); other TMSs use the `crs` module's proj string.
pub fn map_tms(registry: &TmsRegistry, id: &str) -> Option<MapTms> {
    if id == "WebMercatorQuad" {
        return Some(web_mercator_quad());
    }
    let tms = registry.get(id).ok()?;
    let b = tms.xy_bbox().ok()?;
    Some(MapTms {
        id: tms.id.clone(),
        crs_uri: tms.crs_uri.clone(),
        proj4: tms.crs.proj_string().to_string(),
        xy_bbox: [b.left, b.bottom, b.right, b.top],
        resolutions: tms.tile_matrices.iter().map(|m| m.cell_size).collect(),
        minzoom: tms.minzoom() as i64,
        maxzoom: tms.maxzoom() as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tms::default_registry;

    #[test]
    fn wmq_facts_give_the_recorded_limits() {
        // cases/dem_f32_deflate_p3_3857__tileset_wmq.json: zooms 10..12
        let tms = default_registry().get("WebMercatorQuad").unwrap();
        let b = [
            6.692448866690435,
            45.71283723539017,
            7.037401935792331,
            45.95318340819353,
        ];
        let f = tms_facts(&tms, b, 10, 12);
        let z11 = f.limits.iter().find(|l| l.zoom == 11).unwrap();
        assert_eq!(
            (
                z11.min_tile_row,
                z11.max_tile_row,
                z11.min_tile_col,
                z11.max_tile_col
            ),
            (728, 730, 1062, 1064)
        );
        assert_eq!(f.matrices.len(), 25);
        assert_eq!(f.epsg, Some(3857));
        assert_eq!(f.crs_uri, "http://www.opengis.net/def/crs/EPSG/0/3857");
    }

    #[test]
    fn map_tms_for_registry_sets() {
        let m = map_tms(default_registry(), "WorldCRS84Quad").unwrap();
        assert_eq!(m.minzoom, 0);
        assert!(!m.resolutions.is_empty());
        assert!(map_tms(default_registry(), "Nope").is_none());
    }
}
