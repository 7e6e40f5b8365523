//! Reprojection and resampling, the way GDAL's warper and RasterIO do it.
//!
//! To draw a map tile from a COG, each output pixel needs a value from the source image. Three
//! questions decide which one, and GDAL's answers are what TiTiler returns:
//! 1. *Which resolution level?* A zoomed-out tile is read from an overview; GDAL picks the
//!    coarsest overview not more than 1.2× + 0.1 (nearest) or 1× + 0.1 (other methods)
//!    coarser than asked ([`overview`]). A window reaching past the raster goes through
//!    rasterio's boundless VRT, whose own implicit overviews shift the samples ([`boundless`]).
//! 2. *Where does an output pixel land in the source?* The pixel centre goes through the
//!    output geotransform, the CRS change and the inverse source geotransform; GDAL
//!    approximates this per scanline within 0.125 source pixels ([`approx`]).
//! 3. *Which value at that point?* Nearest takes the containing pixel; other kernels blend
//!    or summarise neighbours, widened when shrinking ([`kernel`]).
//!
//! rio-tiler first warps at about the dataset's native resolution (a warped VRT, or one of its
//! implicit overviews), then resizes that to the tile size with RasterIO ([`decimate`]). The
//! default output is therefore "nearest of nearest", and this module provides both steps as
//! pure functions over in-memory planes; the reader does the I/O around them.

pub mod approx;
pub mod boundless;
pub mod decimate;
pub mod gcp;
pub mod gcp_vrt;
pub mod kernel;
pub mod overview;
mod resampling;
mod warp_output;
pub mod warper;

pub use approx::{
    ApproxTransform, CoordTransform, GenImgProj, Identity, PixelTransform, DEFAULT_MAX_ERROR,
};
pub use boundless::{BoundlessVrt, SourceRequest};
pub use gcp::{Gcp, GcpError, GcpImgProj, GcpTransform};
pub use gcp_vrt::{GcpVrt, GcpVrtError, GcpVrtLevel};
pub use overview::{best_overview, select_overview, IntWindow, OverviewChoice};
pub use resampling::{Resampling, UnknownResampling, NEAREST_OVERVIEW_THRESHOLD};
pub use warp_output::{
    calculate_default_transform, suggested_warp_output, suggested_warp_output_gcp, WarpOutput,
};
pub use warper::{
    gdal_source_window, map_corners, map_nearest, map_pixels, retry_exact, warp_points, warp_with,
    window_indices, CoordMap, GdalWindow, SourceWindow, Warped, NO_PIXEL, NO_SOURCE,
};

#[cfg(test)]
mod proptests;
