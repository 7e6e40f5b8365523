//! rio-tiler's verbs over a COG: tile, part, preview, point, feature, statistics, info.
//!
//! A *reader* answers questions about a georeferenced raster in the terms a map client uses:
//! "the pixels of tile z/x/y of this TileMatrixSet", "this bounding box at this size", "the value
//! at this lon/lat". Each verb turns its question into one [`read::read`] of either the
//! dataset's own grid (same CRS: a fractional window) or a warped grid (another CRS: rio-tiler's
//! WarpedVRT at about native resolution), then resizes to the requested size. The results are
//! arrays with masks ([`ImageData`]); rendering them is [`crate::render`]'s job.

mod alpha;
mod band_meta;
mod cog_dataset;
mod dataset;
mod feature;
mod gcp_dataset;
mod handle;
mod image;
mod options;
mod part;
mod point;
mod preview;
pub mod read;
pub mod statistics;
mod tile;

pub use cog_dataset::CogDataset;
pub use dataset::{Assemble, Dataset, DatasetMeta, MemDataset};
pub use feature::{
    coverage_array, feature, image_gt, polygons_bounds, polygons_from_geojson, rasterize,
    rasterize_all_touched, transform_polygons, Polygons,
};
pub use handle::{image_statistics, image_statistics_weighted, Reader};
pub use image::ImageData;
pub use options::{PartOptions, ReadOptions, TileOptions, DEFAULT_MAX_OUTPUT_PIXELS};
pub use part::{part, width_height_for_max_size};
pub use point::{point, PointData};
pub use preview::{preview, PreviewOptions};
pub use read::{Grid, ReadParams};
pub use tile::{tile, tile_exists, tile_intersects, TileSpec};

/// Reader failures; messages quote the offending value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The tile does not intersect the dataset (TiTiler answers 404).
    #[error("Tile(x={x}, y={y}, z={z}) is outside bounds")]
    TileOutsideBounds { x: i64, y: i64, z: i64 },
    /// The point is not over the dataset (TiTiler answers 500).
    #[error("point ({x}, {y}) is outside dataset bounds")]
    PointOutsideBounds { x: f64, y: f64 },
    #[error("invalid band index {0}")]
    InvalidBand(usize),
    #[error("invalid level {0}")]
    InvalidLevel(usize),
    #[error("{what} too large: {value}")]
    TooLarge { what: &'static str, value: usize },
    #[error("`buffer` must be a multiple of `0.5` (e.g: 0.5, 1, 1.5, ...), got {0}")]
    InvalidBufferSize(f64),
    #[error("invalid request: {0}")]
    BadRequest(String),
    #[error("dataset geotransform is not invertible")]
    Geotransform,
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("background task failed: {0}")]
    Task(String),
    #[error(transparent)]
    Crs(#[from] crate::crs::Error),
    #[error(transparent)]
    Tms(#[from] crate::tms::Error),
    /// Opening or reading the COG failed (not found, forbidden, malformed, ...).
    #[error(transparent)]
    Cog(#[from] crate::cog::Error),
}

#[cfg(test)]
mod tests;
