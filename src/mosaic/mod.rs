//! MosaicJSON: many COGs served as one layer (cogeo-mosaic's documents, rio-tiler's
//! `mosaic_reader`).
//!
//! A MosaicJSON document maps quadkeys of one zoom level (`quadkey_zoom`) to the assets that
//! cover them. Serving a tile is three steps, one per submodule:
//! - [`document`]: parse the document (`.json` or `.json.gz`, 0.0.2 or 0.0.3) and report
//!   invalid ones the way cogeo-mosaic's pydantic model does, so TiTiler's 422/500 bodies can be
//!   rebuilt; dump it back as TiTiler's `GET /mosaicjson/` does.
//! - [`index`]: which assets a tile, point or bbox needs (cogeo-mosaic's `get_assets`: parent or
//!   child quadkeys, assets deduplicated in document order, `asset_prefix` prepended).
//! - [`methods`]: merge the per-asset reads into one image with one of rio-tiler's nine
//!   pixel-selection methods; `first` says when the tile is full so reading can stop.
//!
//! The module reads nothing itself: the server opens the assets (with `crate::reader`) and feeds
//! the images in asset order to a [`Mosaicker`]; [`mosaic_reader`] is that loop for callers that
//! have an async per-asset read.

#[cfg(test)]
mod conformance;
pub mod document;
#[cfg(test)]
mod document_tests;
pub mod index;
pub mod methods;
mod parse;
mod pyrepr;
mod reader;

pub use document::{FieldError, LocItem, MosaicInfo, MosaicJson};
pub use index::{quadkey, quadkey_to_tile};
pub use methods::{Mosaicker, PixelSelection};
pub use parse::decompress;
pub use reader::{mosaic_reader, MosaicRead};

/// Errors of the mosaic layer; messages quote the offending value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The document bytes are not JSON (TiTiler: 500 with Python's decoder message).
    #[error("mosaic document is not valid JSON: {0}")]
    Json(String),
    /// The (decompressed) document is larger than the configured limit.
    #[error("mosaic document is larger than the {limit}-byte limit")]
    TooLarge { limit: usize },
    /// A `.json.gz` document whose gzip stream is corrupt.
    #[error("mosaic document: invalid gzip stream: {0}")]
    Gzip(String),
    /// The document does not validate as cogeo-mosaic's `MosaicJSON` model. Displays as
    /// pydantic's `ValidationError` text (the `detail` of TiTiler's 500).
    #[error("{message}")]
    Invalid {
        errors: Vec<FieldError>,
        message: String,
    },
    /// The document is JSON but not an object (TiTiler: 500 with Python's `TypeError` text).
    #[error("cogeo_mosaic.mosaic.MosaicJSON() argument after ** must be a mapping, not {0}")]
    NotAMapping(&'static str),
    /// The document's `tilematrixset` cannot be used.
    #[error("mosaic tilematrixset: {0}")]
    TileMatrixSet(String),
    /// Tile math on the mosaic's TileMatrixSet failed.
    #[error(transparent)]
    Tms(#[from] crate::tms::Error),
    /// A tile address no quadkey can name.
    #[error("Tile(x={x}, y={y}, z={z}) is not a valid tile of the mosaic tilematrixset")]
    InvalidTile { x: i64, y: i64, z: i32 },
    /// A quadkey with a digit other than 0-3.
    #[error("Unexpected quadkey digit: {0:?}")]
    Quadkey(String),
    /// An unknown `pixel_selection` name (TiTiler: 422 `literal_error` whose `msg` is
    /// `Input should be ` + [`PixelSelection::expected`]).
    #[error(
        "pixel_selection {name:?}: Input should be {expected}",
        expected = methods::PixelSelection::expected()
    )]
    UnknownPixelSelection { name: String },
    /// No asset gave data (rio-tiler's `EmptyMosaicError`; TiTiler answers 204).
    #[error("Method returned an empty array")]
    EmptyMosaic,
    /// Assets with different band counts (rio-tiler asserts; TiTiler answers 500).
    #[error("Assets HAVE TO have the same number of bands (first had {expected}, then {got})")]
    BandCount { expected: usize, got: usize },
    /// An image whose buffers do not match its declared shape.
    #[error("mosaic input image is malformed: {0}")]
    Malformed(String),
}
