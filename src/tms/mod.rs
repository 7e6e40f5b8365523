//! OGC TileMatrixSets: how a map is cut into tiles.
//!
//! A TileMatrixSet (OGC 2D-TMS 2.0) is a list of *tile matrices*, one per zoom level. Each
//! matrix is a grid of `matrixWidth × matrixHeight` tiles of `tileWidth × tileHeight` pixels of
//! `cellSize` CRS units, anchored at `pointOfOrigin` (its top-left corner). Tile `(x, y)` of
//! zoom `z` therefore covers a known rectangle of the TMS CRS; a tile server renders that
//! rectangle. WebMercatorQuad (the "XYZ" tiles of web maps) is one TMS among many: polar,
//! national and geographic grids follow the same rules.
//!
//! Two details make TMS math error-prone, and this module follows morecantile 7 (what
//! TiTiler uses) exactly on both:
//! - **Axis order**: `pointOfOrigin` is written in the CRS's axis order, which is
//!   latitude-first for EPSG:4326 and northing-first for EPSG:3035/2193; internally everything
//!   is x = east, y = north ([`TileMatrixSet::is_inverted`]).
//! - **Variable matrix widths**: near the poles of geographic grids (CDB1, GNOSIS) several
//!   columns are *coalesced* into one wider tile; any `x` inside the group addresses it.
//!
//! The 13 TMSs morecantile ships are embedded ([`registry`]); more can be loaded from JSON
//! files (`TILEMATRIXSET_DIRECTORY`, as morecantile reads it). [`dataset`] holds what
//! rio-tiler derives from a dataset and a TMS: zoom range, geographic bounds, `tile_exists`;
//! [`TileMatrixSet::limits`] is TiTiler's `tms_limits` for the OGC tileset document.

pub mod dataset;
mod limits;
mod model;
pub mod registry;
mod set;

pub use dataset::{geographic_bounds, maximum_overview_level, normalize_bounds};
pub use limits::TileMatrixLimits;
pub use model::{BoundingBox, CornerOfOrigin, TileMatrix, VariableMatrixWidth};
pub use registry::{default_registry, TmsRegistry};
pub use set::{Tile, TileMatrixSet, ZoomStrategy};

/// Errors from loading TileMatrixSets and from tile math.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A document that is not a valid OGC 2D-TMS 2.0 TileMatrixSet.
    #[error("invalid tilematrixset {id}: {reason}")]
    Invalid { id: String, reason: String },
    /// The TMS CRS could not be built.
    #[error("tilematrixset {id}: {source}")]
    Crs {
        id: String,
        #[source]
        source: crate::crs::Error,
    },
    /// No TMS with this identifier.
    #[error("unknown tilematrixset `{0}`")]
    Unknown(String),
    /// A zoom level the TMS does not define and cannot extrapolate.
    #[error("tilematrix not found for level: {zoom}{reason}")]
    InvalidZoom { zoom: i32, reason: &'static str },
    /// A coordinate transform failed.
    #[error(transparent)]
    Transform(#[from] crate::crs::Error),
    /// Reading a user TMS file or directory failed.
    #[error("cannot read tilematrixset file {path}: {reason}")]
    Io { path: String, reason: String },
}
