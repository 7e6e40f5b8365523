//! The names parameters are validated against: TMS ids, colormaps, algorithms, formats.
//!
//! TiTiler types these parameters as `Literal[...]`, so an unknown name is a 422 that lists the
//! valid choices. The lists live in a [`Catalog`] held by the server state rather than in
//! constants: custom TileMatrixSets (`TILEMATRIXSET_DIRECTORY`) extend the TMS list at start-up,
//! and the colormap names are `render`'s tables (in TiTiler's listing order).

/// Output formats TiTiler accepts as a path suffix (`ImageType`), in its order.
pub const IMAGE_FORMATS: &[&str] = &[
    "png", "npy", "tif", "tiff", "jpeg", "jpg", "jp2", "webp", "pngraw",
];

/// GDAL RasterIO resampling names (`RIOResampling`), for `resampling=`.
pub const RIO_RESAMPLING: &[&str] = &[
    "nearest",
    "bilinear",
    "cubic",
    "cubic_spline",
    "lanczos",
    "average",
    "mode",
    "gauss",
    "rms",
];

/// GDAL warp resampling names (`WarpResampling`), for `reproject=`.
pub const WARP_RESAMPLING: &[&str] = &[
    "nearest",
    "bilinear",
    "cubic",
    "cubic_spline",
    "lanczos",
    "average",
    "mode",
    "max",
    "min",
    "med",
    "q1",
    "q3",
    "sum",
    "rms",
];

/// The 13 morecantile default TileMatrixSet ids, sorted like morecantile lists them.
pub const DEFAULT_TMS_IDS: &[&str] = &[
    "CDB1GlobalGrid",
    "CanadianNAD83_LCC",
    "EuropeanETRS89_LAEAQuad",
    "GNOSISGlobalGrid",
    "LINZAntarticaMapTilegrid",
    "NZTM2000Quad",
    "UPSAntarcticWGS84Quad",
    "UPSArcticWGS84Quad",
    "UTM31WGS84Quad",
    "WGS1984Quad",
    "WebMercatorQuad",
    "WorldCRS84Quad",
    "WorldMercatorWGS84Quad",
];

/// The valid names for the `Literal`-typed parameters of this server instance.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// TileMatrixSet ids (defaults plus any loaded from `TILEMATRIXSET_DIRECTORY`).
    pub tms_ids: Vec<String>,
    /// Colormap names accepted by `colormap_name=` and `/colorMaps/{id}`.
    pub colormap_names: Vec<String>,
    /// Algorithm ids accepted by `algorithm=` and `/algorithms/{id}`.
    pub algorithm_names: Vec<String>,
}

impl Catalog {
    /// The catalog with the TMS ids of `registry` (defaults plus custom TileMatrixSets).
    pub fn with_tms(registry: &crate::tms::TmsRegistry) -> Catalog {
        Catalog {
            tms_ids: registry.ids().map(str::to_string).collect(),
            ..Catalog::default()
        }
    }
}

impl Default for Catalog {
    fn default() -> Catalog {
        Catalog {
            tms_ids: DEFAULT_TMS_IDS.iter().map(|s| s.to_string()).collect(),
            colormap_names: crate::render::named::names().map(str::to_string).collect(),
            algorithm_names: crate::render::algorithm::IDS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// Borrows a list of owned names as `&str`s (for [`super::super::validation::Errors::literal`]).
pub fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tms_ids_are_the_registry_ids() {
        let c = Catalog::with_tms(crate::tms::default_registry());
        assert_eq!(c.tms_ids, Catalog::default().tms_ids);
    }

    #[test]
    fn colormap_names_come_from_the_render_tables() {
        let c = Catalog::default();
        assert_eq!(c.colormap_names.len(), 211);
        for n in ["viridis", "viridis_r", "cfastie", "rplumbo", "schwarzwald"] {
            assert!(c.colormap_names.iter().any(|x| x == n), "{n}");
        }
    }
}
