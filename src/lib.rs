//! cogtiler: a pure-Rust reader and tile server for Cloud Optimized GeoTIFFs (COG).
//!
//! Layers only call downwards:
//!
//! ```text
//! server ─► reader ─► warp ─► cog ─► tiff ─► io
//!    │         │        │       └──► codec
//!    └► render └► tms   └► crs
//! ```
//!
//! - [`affine`]: the geotransform (full affine: rotation and shear kept) and pixel windows.
//! - [`io`]: byte ranges from local files, HTTP(S) and S3 (object_store), coalescing, caches.
//! - [`tiff`]: the async header parser (IFDs, tags, GeoKeys), with explicit limits.
//! - [`codec`]: compressed chunk → samples (deflate, LZW, zstd, JPEG, WebP, packbits, LERC).
//! - [`cog`]: a GeoTIFF as a dataset (overviews, masks, nodata, geotransform, windows).
//! - [`crs`], [`tms`]: coordinate systems (proj4rs) and OGC TileMatrixSets.
//! - [`warp`]: reprojection and resampling, GDAL-style.
//! - [`reader`]: rio-tiler's verbs (tile, part, preview, point, statistics, info).
//! - [`mosaic`]: MosaicJSON documents, quadkey asset lookup, rio-tiler's pixel selection.
//! - [`render`]: rescale, colormaps, expressions, algorithms, image encoders.
//! - [`stac`]: STAC items (assets, media types, the projection extension) for `/stac`.
//! - [`server`]: TiTiler's HTTP API on hyper.
//! - [`cpu`]: where CPU-bound steps run (a worker thread per core, oldest request first).

pub mod affine;
pub mod codec;
pub mod cog;
pub mod cpu;
pub mod crs;
pub mod io;
pub mod mosaic;
pub mod raster;
pub mod reader;
pub mod render;
pub mod server;
pub mod stac;
pub mod tiff;
pub mod tms;
pub mod vector;
pub mod warp;
