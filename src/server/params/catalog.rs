//! The names parameters are validated against: TMS ids, colormaps, algorithms, formats.
//!
//! TiTiler types these parameters as `Literal[...]`, so an unknown name is a 422 that lists the
//! valid choices. The lists live in a [`Catalog`] held by the server state rather than in
//! constants: custom TileMatrixSets (`TILEMATRIXSET_DIRECTORY`) extend the TMS list at start-up,
//! and the colormap/algorithm registries of `render` are the source of truth once wired.

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

/// titiler.core's 18 algorithms, in the order its `Literal` lists them.
pub const ALGORITHM_NAMES: &[&str] = &[
    "hillshade",
    "slope",
    "contours",
    "normalizedIndex",
    "terrarium",
    "terrainrgb",
    "cast",
    "ceil",
    "floor",
    "min",
    "max",
    "median",
    "mean",
    "std",
    "var",
    "sum",
    "grayscale",
    "bitonal",
];

/// rio-tiler 9's 211 colormap names (the `.npy` files it ships), sorted.
pub const COLORMAP_NAMES: &[&str] = &[
    "accent",
    "accent_r",
    "afmhot",
    "afmhot_r",
    "algae",
    "algae_r",
    "amp",
    "amp_r",
    "autumn",
    "autumn_r",
    "balance",
    "balance_r",
    "binary",
    "binary_r",
    "blues",
    "blues_r",
    "bone",
    "bone_r",
    "brbg",
    "brbg_r",
    "brg",
    "brg_r",
    "bugn",
    "bugn_r",
    "bupu",
    "bupu_r",
    "bwr",
    "bwr_r",
    "cfastie",
    "cividis",
    "cividis_r",
    "cmrmap",
    "cmrmap_r",
    "cool",
    "cool_r",
    "coolwarm",
    "coolwarm_r",
    "copper",
    "copper_r",
    "cubehelix",
    "cubehelix_r",
    "curl",
    "curl_r",
    "dark2",
    "dark2_r",
    "deep",
    "deep_r",
    "delta",
    "delta_r",
    "dense",
    "dense_r",
    "diff",
    "diff_r",
    "flag",
    "flag_r",
    "gist_earth",
    "gist_earth_r",
    "gist_gray",
    "gist_gray_r",
    "gist_heat",
    "gist_heat_r",
    "gist_ncar",
    "gist_ncar_r",
    "gist_rainbow",
    "gist_rainbow_r",
    "gist_stern",
    "gist_stern_r",
    "gist_yarg",
    "gist_yarg_r",
    "gnbu",
    "gnbu_r",
    "gnuplot",
    "gnuplot2",
    "gnuplot2_r",
    "gnuplot_r",
    "gray",
    "gray_r",
    "greens",
    "greens_r",
    "greys",
    "greys_r",
    "haline",
    "haline_r",
    "hot",
    "hot_r",
    "hsv",
    "hsv_r",
    "ice",
    "ice_r",
    "inferno",
    "inferno_r",
    "jet",
    "jet_r",
    "magma",
    "magma_r",
    "matter",
    "matter_r",
    "nipy_spectral",
    "nipy_spectral_r",
    "ocean",
    "ocean_r",
    "oranges",
    "oranges_r",
    "orrd",
    "orrd_r",
    "oxy",
    "oxy_r",
    "paired",
    "paired_r",
    "pastel1",
    "pastel1_r",
    "pastel2",
    "pastel2_r",
    "phase",
    "phase_r",
    "pink",
    "pink_r",
    "piyg",
    "piyg_r",
    "plasma",
    "plasma_r",
    "prgn",
    "prgn_r",
    "prism",
    "prism_r",
    "pubu",
    "pubu_r",
    "pubugn",
    "pubugn_r",
    "puor",
    "puor_r",
    "purd",
    "purd_r",
    "purples",
    "purples_r",
    "rain",
    "rain_r",
    "rainbow",
    "rainbow_r",
    "rdbu",
    "rdbu_r",
    "rdgy",
    "rdgy_r",
    "rdpu",
    "rdpu_r",
    "rdylbu",
    "rdylbu_r",
    "rdylgn",
    "rdylgn_r",
    "reds",
    "reds_r",
    "rplumbo",
    "schwarzwald",
    "seismic",
    "seismic_r",
    "set1",
    "set1_r",
    "set2",
    "set2_r",
    "set3",
    "set3_r",
    "solar",
    "solar_r",
    "spectral",
    "spectral_r",
    "speed",
    "speed_r",
    "spring",
    "spring_r",
    "summer",
    "summer_r",
    "tab10",
    "tab10_r",
    "tab20",
    "tab20_r",
    "tab20b",
    "tab20b_r",
    "tab20c",
    "tab20c_r",
    "tarn",
    "tarn_r",
    "tempo",
    "tempo_r",
    "terrain",
    "terrain_r",
    "thermal",
    "thermal_r",
    "topo",
    "topo_r",
    "turbid",
    "turbid_r",
    "turbo",
    "turbo_r",
    "twilight",
    "twilight_r",
    "twilight_shifted",
    "twilight_shifted_r",
    "viridis",
    "viridis_r",
    "winter",
    "winter_r",
    "wistia",
    "wistia_r",
    "ylgn",
    "ylgn_r",
    "ylgnbu",
    "ylgnbu_r",
    "ylorbr",
    "ylorbr_r",
    "ylorrd",
    "ylorrd_r",
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
            colormap_names: COLORMAP_NAMES.iter().map(|s| s.to_string()).collect(),
            algorithm_names: ALGORITHM_NAMES.iter().map(|s| s.to_string()).collect(),
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
    fn colormap_list_matches_the_shipped_tables() {
        assert_eq!(COLORMAP_NAMES.len(), 211);
        assert!(COLORMAP_NAMES.windows(2).all(|w| w[0] < w[1]));
        for n in ["viridis", "viridis_r", "cfastie", "rplumbo", "schwarzwald"] {
            assert!(COLORMAP_NAMES.contains(&n), "{n}");
        }
    }
}
