//! `tile`: one tile of a TileMatrixSet (rio-tiler `Reader.tile`).
//!
//! A tile is a part whose bounds are the tile's bounds in the TMS CRS and whose size is the tile
//! size. Before reading, rio-tiler checks that the tile touches the dataset at all (the tile's
//! bounds, densified and transformed into the dataset CRS, must *strictly* overlap the dataset
//! bounds); if not the answer is the distinct [`Error::TileOutsideBounds`] (HTTP 404), not an
//! empty image.

use crate::crs::{transform_bounds, Crs};
use crate::tms::{normalize_bounds, Tile, TileMatrixSet};

use super::options::{PartOptions, TileOptions};
use super::part::part;
use super::{Dataset, DatasetMeta, Error, ImageData};

/// A tile address and where it lies, as the TMS computes it.
#[derive(Clone, Debug)]
pub struct TileSpec {
    pub x: i64,
    pub y: i64,
    pub z: i64,
    /// `xy_bounds` of the tile in the TMS CRS, `[west, south, east, north]`.
    pub bounds: [f64; 4],
    pub crs: Crs,
    /// The matrix's tile size `(width, height)`.
    pub tile_size: (usize, usize),
}

impl TileSpec {
    /// The tile `z/x/y` of `tms` (bounds from morecantile's `xy_bounds`).
    pub fn from_tms(tms: &TileMatrixSet, z: i32, x: i64, y: i64) -> Result<TileSpec, Error> {
        let m = tms.matrix(z)?;
        let bounds = tms.xy_bounds(Tile::new(x, y, z))?.to_array();
        Ok(TileSpec {
            x,
            y,
            z: z as i64,
            bounds,
            crs: tms.crs.clone(),
            tile_size: (m.tile_width as usize, m.tile_height as usize),
        })
    }
}

/// rio-tiler `tile_exists`: strict overlap of the tile's bounds (in the dataset CRS) with the
/// dataset bounds; unknowable (non-finite) bounds count as overlapping.
pub fn tile_exists(meta: &DatasetMeta, tile: &TileSpec) -> bool {
    tile_intersects(&meta.crs, meta.bounds(), tile)
}

/// [`tile_exists`] for any extent: `bounds` in `crs` (a STAC item's, a mosaic's).
pub fn tile_intersects(crs: &Crs, bounds: [f64; 4], tile: &TileSpec) -> bool {
    let tb = if tile.crs != *crs {
        match transform_bounds(&tile.crs, crs, tile.bounds, 21) {
            Ok(b) => b,
            Err(_) => return true,
        }
    } else {
        tile.bounds
    };
    if tb.iter().any(|v| !v.is_finite()) {
        return true;
    }
    let (tb, db) = (normalize_bounds(tb), normalize_bounds(bounds));
    tb[0] < db[2] && tb[2] > db[0] && tb[3] > db[1] && tb[1] < db[3]
}

/// Reads one tile (rio-tiler `Reader.tile`).
pub async fn tile<D: Dataset>(
    ds: &D,
    tile: &TileSpec,
    opts: &TileOptions,
) -> Result<ImageData, Error> {
    if !tile_exists(ds.meta(), tile) {
        return Err(Error::TileOutsideBounds {
            x: tile.x,
            y: tile.y,
            z: tile.z,
        });
    }
    let (w, h) = match opts.tilesize {
        Some(s) => (s, s),
        None => tile.tile_size,
    };
    let p = PartOptions {
        read: opts.read.clone(),
        bounds_crs: Some(tile.crs.clone()),
        dst_crs: Some(tile.crs.clone()),
        max_size: None,
        width: Some(w),
        height: Some(h),
        buffer: opts.buffer,
        padding: opts.padding,
        align_bounds_with_dataset: false,
    };
    part(ds, tile.bounds, &p).await
}
