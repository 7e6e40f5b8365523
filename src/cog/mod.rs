//! A GeoTIFF as a dataset: resolution levels, masks, georeferencing, window reads.
//!
//! [`Cog::open`] parses the header (through the [`crate::tiff`] parser, usually one range
//! request) and turns the IFDs into a [`CogHeader`]: level 0 is the full-resolution image, the
//! following levels are its overviews by decreasing resolution, each paired with its internal
//! mask when the file has one. The header also carries what GDAL would report about the
//! bands: data type, nodata, alpha, colour interpretation, palette, scale/offset,
//! descriptions, and the affine geotransform.
//!
//! Pixels come out as a [`crate::raster::Raster`] from [`Cog::read_window`] (any window of a
//! level, boundless) or [`Cog::read_block`] (one internal tile, as GDAL decodes it).
//! [`Cog::info`] gives TiTiler's `/cog/info` model and [`validate()`] its `/cog/validate`.

mod dataset;
mod decoded;
mod error;
mod geotransform;
mod header;
mod info;
mod jpeg_quality;
mod mask;
mod read;
mod validate;
mod window;

#[cfg(test)]
mod tests;

pub use dataset::{
    global_chunk_cache, global_decoded_cache, global_fetch_budget, global_header_cache, Cog,
    HeaderCache, OpenOptions,
};
pub use decoded::{DecodedCache, DecodedChunk};
pub use error::Error;
pub use geotransform::{gcps, geotransform};
pub use header::{CogHeader, ColorInterp, Level};
pub use info::Info;
pub use jpeg_quality::guess_quality as guess_jpeg_quality;
pub use mask::gdal_dataset_mask;
pub use read::FetchedWindow;
pub use validate::{check_layout, compression_name, validate, Validation};
pub use window::PixelWindow;
