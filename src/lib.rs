//! cogtiler: a reader and tile server for Cloud Optimized GeoTIFFs (COG), in Rust with no GDAL
//! (the default build's deflate, zstd, JPEG and WebP codecs are vendored C libraries; without
//! default features it is pure Rust: see the README).
//!
//! # Layers
//!
//! Each module belongs to one layer and uses only modules of the layers *below* its own: not
//! its own layer, not above. `tests/layering.rs` reads every `crate::` (and `super::`) path in
//! `src/` and fails on one this table does not allow; it also fails on a module missing from
//! the table and on a cycle between the sub-modules of any module: a new module needs a place
//! in the table.
//!
//! | layer | modules | what they are |
//! | --- | --- | --- |
//! | 9 | [`server`] | TiTiler's HTTP API on hyper: routing, parameters, documents, the error → status table |
//! | 8 | [`stac`], [`mosaic`], [`vector`] | STAC items (assets, media types, hrefs, the projection extension); MosaicJSON documents, quadkey asset lookup, rio-tiler's pixel selection; TiPg's vector features and MVT tiles from PostGIS (catalog, SQL, CQL2) |
//! | 7 | [`reader`], [`render`] | rio-tiler's verbs (tile, part, preview, point, statistics, info); images out (rescale, colormaps, expressions, algorithms, encoders) |
//! | 6 | [`cog`] | a GeoTIFF as a dataset: overviews, masks, nodata, geotransform, windows, validation |
//! | 5 | [`tms`] | OGC TileMatrixSets: tile grids, a dataset's zoom range and tile limits |
//! | 4 | [`warp`] | reprojection and resampling GDAL-style (pure functions over in-memory planes) |
//! | 3 | [`crs`] | coordinate systems (proj4rs), GeoTIFF GeoKeys, EPSG, WKT |
//! | 2 | [`tiff`], [`codec`] | the async header parser (IFDs, tags, GeoKeys); compressed chunk → samples |
//! | 1 | [`io`] | byte ranges from local files, HTTP(S) and S3, coalescing, caches, budgets |
//! | 0 | [`affine`], [`raster`], [`cpu`], [`pyrepr`] | geotransforms and windows; typed sample buffers; the CPU worker pool; Python's `repr` of values (for TiTiler-identical texts) |
//!
//! Why this order: `warp` and `tms` are grid and pixel arithmetic with no I/O, so the dataset
//! layer can use them (a GCP-georeferenced GeoTIFF opens as GDAL's warped VRT; COG validation
//! reports Web Mercator zooms). rasterio's `calculate_default_transform` plans a warp and lives
//! in [`warp`], which `tms` uses for a dataset's zoom range. `crs` reads the GeoKeys `tiff`
//! parses.
//!
//! [`cpu`] is where CPU-bound steps run (a worker thread per core, oldest request first).

pub mod affine;
pub mod codec;
pub mod cog;
pub mod cpu;
pub mod crs;
pub mod io;
pub mod mosaic;
pub mod pyrepr;
pub mod raster;
pub mod reader;
pub mod render;
pub mod server;
pub mod stac;
pub mod tiff;
pub mod tms;
#[cfg(feature = "vector")]
pub mod vector;
pub mod warp;
