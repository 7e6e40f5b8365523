//! Which assets cover a tile, a point or a bbox (cogeo-mosaic's `get_assets` and friends).
//!
//! Quadkeys are morecantile's: one digit per level below the TMS's first one, `x` bit + 2 × `y`
//! bit. A tile finer than `quadkey_zoom` reads its ancestor's list; a coarser one reads the lists
//! of all its descendants at `quadkey_zoom`, in quadkey order (morecantile's `children` go row
//! by row, so recursive children come out sorted by quadkey), assets deduplicated keeping
//! their first position. Descendants are looked up by prefix in the sorted key list, so the
//! work is bounded by the document, never by 4^(zoom difference).

use std::collections::HashSet;

use super::{Error, MosaicJson};
use crate::crs::{transform_bounds, Crs, Transformer};
use crate::tms::{Tile, TileMatrixSet};

/// Deepest zoom a tile address may have here: `x >> depth` and 2^z must fit an `i64`.
const MAX_TILE_ZOOM: i32 = 62;

/// The quadkey of a WebMercatorQuad tile (mercantile's `quadkey`; `""` at zoom 0).
pub fn quadkey(x: i64, y: i64, z: i32) -> String {
    quadkey_from(x, y, z, 0)
}

/// morecantile's quadkey in a TMS whose first level is `minzoom`: digits for levels
/// `z..minzoom`, most significant first.
fn quadkey_from(x: i64, y: i64, z: i32, minzoom: i32) -> String {
    let digits = (z - minzoom).max(0);
    (0..digits)
        .rev()
        .map(|bit| {
            let mask = 1i64.checked_shl(bit as u32).unwrap_or(0);
            let d = u8::from(x & mask != 0) + 2 * u8::from(y & mask != 0);
            char::from(b'0' + d)
        })
        .collect()
}

/// The WebMercatorQuad tile a quadkey names (mercantile's `quadkey_to_tile`).
pub fn quadkey_to_tile(qk: &str) -> Result<Tile, Error> {
    quadkey_to_tile_from(qk, 0)
}

fn quadkey_to_tile_from(qk: &str, minzoom: i32) -> Result<Tile, Error> {
    if qk.len() > MAX_TILE_ZOOM as usize {
        return Err(Error::Quadkey(qk.to_string()));
    }
    let (mut x, mut y) = (0i64, 0i64);
    for c in qk.bytes() {
        let d = match c {
            b'0'..=b'3' => i64::from(c - b'0'),
            _ => return Err(Error::Quadkey(qk.to_string())),
        };
        x = (x << 1) | (d & 1);
        y = (y << 1) | (d >> 1);
    }
    Ok(Tile::new(x, y, minzoom + qk.len() as i32))
}

impl MosaicJson {
    /// The assets for tile `z/x/y` of the mosaic's own TMS, `asset_prefix` prepended.
    pub fn assets_for_tile(&self, z: i32, x: i64, y: i64) -> Result<Vec<String>, Error> {
        let tms = self.tms();
        let tms_min = tms.minzoom();
        let invalid = || Error::InvalidTile { x, y, z };
        if z < tms_min || z > MAX_TILE_ZOOM || x < 0 || y < 0 {
            return Err(invalid());
        }
        let (w, h) = match tms.matrix(z) {
            Ok(m) => (m.matrix_width, m.matrix_height),
            // Past the levels the TMS can describe: its first level doubled per level.
            Err(_) => {
                let m0 = tms.matrix(tms_min)?;
                let grow = |n: u64| n.checked_shl((z - tms_min) as u32).unwrap_or(u64::MAX);
                (grow(m0.matrix_width), grow(m0.matrix_height))
            }
        };
        if x as u64 >= w || y as u64 >= h {
            return Err(invalid());
        }
        let qz = i32::from(self.quadkey_zoom());
        let lists: Vec<&[String]> = if z >= qz {
            let depth = (z - qz) as u32;
            let key = quadkey_from(x >> depth, y >> depth, qz, tms_min);
            self.assets_of(&key).into_iter().collect()
        } else {
            let prefix = quadkey_from(x, y, z, tms_min);
            let len = (qz - tms_min).max(0) as usize;
            self.keys_with_prefix(&prefix)
                .filter(|&i| self.tiles[i].0.len() == len)
                .map(|i| self.tiles[i].1.as_slice())
                .collect()
        };
        Ok(self.merge(lists))
    }

    /// The assets for a tile of another TMS: cogeo-mosaic reads the tile's geographic bounds
    /// as a bbox when the TMS is not the mosaic's.
    pub fn assets_for_tile_in(
        &self,
        tms: &TileMatrixSet,
        tile: Tile,
    ) -> Result<Vec<String>, Error> {
        if tms.id == self.tms().id {
            return self.assets_for_tile(tile.z, tile.x, tile.y);
        }
        let b = tms.bounds(tile)?.to_array();
        self.assets_for_bbox_in(&tms.geographic_crs()?, b)
    }

    /// The assets of the quadkey holding a point (lon/lat in the mosaic TMS's geographic CRS).
    /// Points off the TMS clamp to its edge tiles, as morecantile's `tile` does.
    pub fn assets_for_point(&self, lon: f64, lat: f64) -> Result<Vec<String>, Error> {
        let tms = self.tms();
        let t = tms.tile(lon, lat, i32::from(self.quadkey_zoom()))?;
        let key = quadkey_from(t.x, t.y, t.z, tms.minzoom());
        Ok(self.merge(self.assets_of(&key).into_iter().collect()))
    }

    /// The assets of every quadkey a bbox `[west, south, east, north]` touches, column by
    /// column (cogeo-mosaic's loop: `x` outer, `y` inner), deduplicated. A bbox with
    /// `west > east` selects nothing, as in cogeo-mosaic.
    pub fn assets_for_bbox(&self, bbox: [f64; 4]) -> Result<Vec<String>, Error> {
        let tms = self.tms();
        let qz = i32::from(self.quadkey_zoom());
        let tms_min = tms.minzoom();
        let tl = tms.tile(bbox[0], bbox[3], qz)?;
        let br = tms.tile(bbox[2], bbox[1], qz)?;
        if tl.x > br.x || tl.y > br.y {
            return Ok(Vec::new());
        }
        let len = (qz - tms_min).max(0) as usize;
        let cells = (br.x - tl.x + 1).checked_mul(br.y - tl.y + 1);
        let lists: Vec<&[String]> = match cells {
            // Few tiles: look each up.
            Some(n) if n <= self.sorted.len() as i64 => (tl.x..=br.x)
                .flat_map(|x| (tl.y..=br.y).map(move |y| (x, y)))
                .filter_map(|(x, y)| self.assets_of(&quadkey_from(x, y, qz, tms_min)))
                .collect(),
            // More tiles than the document has keys: filter the keys instead.
            _ => {
                let mut hits: Vec<(i64, i64, usize)> = self
                    .sorted
                    .iter()
                    .filter(|&&i| self.tiles[i].0.len() == len)
                    .filter_map(|&i| {
                        let t = quadkey_to_tile_from(&self.tiles[i].0, tms_min).ok()?;
                        let inside = (tl.x..=br.x).contains(&t.x) && (tl.y..=br.y).contains(&t.y);
                        inside.then_some((t.x, t.y, i))
                    })
                    .collect();
                hits.sort_unstable();
                hits.iter()
                    .map(|&(_, _, i)| self.tiles[i].1.as_slice())
                    .collect()
            }
        };
        Ok(self.merge(lists))
    }

    /// [`Self::assets_for_point`] with coordinates in `crs` (cogeo-mosaic's `coord_crs`),
    /// reprojected to the mosaic TMS's geographic CRS when they differ.
    pub fn assets_for_point_in(&self, crs: &Crs, lon: f64, lat: f64) -> Result<Vec<String>, Error> {
        let geo = self.tms().geographic_crs()?;
        if crs.same_coordinates(&geo) {
            return self.assets_for_point(lon, lat);
        }
        let (mut xs, mut ys) = ([lon], [lat]);
        Transformer::new(crs, &geo)
            .and_then(|t| t.transform_lossy(&mut xs, &mut ys))
            .map_err(crate::tms::Error::from)?;
        self.assets_for_point(xs[0], ys[0])
    }

    /// [`Self::assets_for_bbox`] with bounds in `crs`, reprojected (densified, as rasterio's
    /// `transform_bounds`) to the mosaic TMS's geographic CRS when they differ.
    pub fn assets_for_bbox_in(&self, crs: &Crs, bbox: [f64; 4]) -> Result<Vec<String>, Error> {
        let geo = self.tms().geographic_crs()?;
        if crs.same_coordinates(&geo) {
            return self.assets_for_bbox(bbox);
        }
        let b = transform_bounds(crs, &geo, bbox, 21).map_err(crate::tms::Error::from)?;
        self.assets_for_bbox(b)
    }

    /// Positions in `tiles` of the well-formed quadkeys starting with `prefix`, in quadkey order.
    fn keys_with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = usize> + 'a {
        let start = self
            .sorted
            .partition_point(|&i| self.tiles[i].0.as_str() < prefix);
        self.sorted[start..]
            .iter()
            .copied()
            .take_while(move |&i| self.tiles[i].0.starts_with(prefix))
    }

    /// Concatenates asset lists keeping each asset's first position, then prepends the prefix.
    fn merge(&self, lists: Vec<&[String]>) -> Vec<String> {
        let mut seen = HashSet::new();
        let prefix = self.asset_prefix.as_deref().unwrap_or("");
        lists
            .into_iter()
            .flatten()
            .filter(|a| seen.insert(a.as_str()))
            .map(|a| format!("{prefix}{a}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const DEFAULT_MAX_DOCUMENT_BYTES: usize = crate::io::DEFAULT_MAX_DOCUMENT_BYTES as usize;

    fn doc(json: &str) -> MosaicJson {
        MosaicJson::from_bytes(json.as_bytes(), DEFAULT_MAX_DOCUMENT_BYTES).unwrap()
    }

    #[test]
    fn quadkeys_match_mercantile() {
        // mercantile.quadkey(3, 5, 3) == "213", quadkey(1, 1, 1) == "3"
        assert_eq!(quadkey(3, 5, 3), "213");
        assert_eq!(quadkey(1, 1, 1), "3");
        assert_eq!(quadkey(0, 0, 0), "");
        assert_eq!(quadkey_to_tile("213").unwrap(), Tile::new(3, 5, 3));
        assert_eq!(quadkey_to_tile("").unwrap(), Tile::new(0, 0, 0));
        assert!(matches!(quadkey_to_tile("014"), Err(Error::Quadkey(_))));
        // dem_quads: tile 12/2126/1459's parent at 11 is 12022122113
        assert_eq!(quadkey(2126 >> 1, 1459 >> 1, 11), "12022122113");
    }

    #[test]
    fn tile_lookup_parent_children_and_dedup() {
        let m = doc(r#"{"mosaicjson": "0.0.2", "minzoom": 1, "quadkey_zoom": 2,
            "tiles": {"03": ["c", "a"], "00": ["a", "b"], "01": ["b", "d"], "1": ["skip"], "3x": ["bad"]},
            "asset_prefix": "s3://x/"}"#);
        // z > quadkey_zoom: the ancestor's list
        assert_eq!(
            m.assets_for_tile(4, 4, 0).unwrap(),
            ["s3://x/b", "s3://x/d"]
        );
        // z == quadkey_zoom
        assert_eq!(
            m.assets_for_tile(2, 1, 1).unwrap(),
            ["s3://x/c", "s3://x/a"]
        );
        // z < quadkey_zoom: children 00, 01, 02, 03 in quadkey order, deduplicated; keys of
        // other lengths ignored.
        assert_eq!(
            m.assets_for_tile(1, 0, 0).unwrap(),
            ["s3://x/a", "s3://x/b", "s3://x/d", "s3://x/c"]
        );
        assert_eq!(
            m.assets_for_tile(0, 0, 0).unwrap(),
            ["s3://x/a", "s3://x/b", "s3://x/d", "s3://x/c"]
        );
        assert!(m.assets_for_tile(2, 3, 3).unwrap().is_empty());
        for (z, x, y) in [
            (2, 4, 0),
            (2, -1, 0),
            (-1, 0, 0),
            (63, 0, 0),
            (i32::MAX, 0, 0),
        ] {
            assert!(
                matches!(m.assets_for_tile(z, x, y), Err(Error::InvalidTile { .. })),
                "{z}/{x}/{y}"
            );
        }
        // Deep tiles are cheap: only a shift.
        assert_eq!(
            m.assets_for_tile(40, 1 << 38, 0).unwrap(),
            ["s3://x/b", "s3://x/d"]
        );
    }

    #[test]
    fn quadkey_zoom_zero_falls_back_to_minzoom() {
        let m = doc(r#"{"mosaicjson": "0.0.2", "minzoom": 1, "quadkey_zoom": 0,
            "tiles": {"": ["world"], "2": ["sw"]}}"#);
        assert_eq!(m.quadkey_zoom(), 1);
        assert_eq!(m.assets_for_tile(3, 0, 7).unwrap(), ["sw"]);
    }

    #[test]
    fn conformance_fixture_tile_point_bbox() {
        let Ok(bytes) = std::fs::read("../shared/conformance/mosaics/dem_quads.json") else {
            eprintln!("skipping: conformance fixture not found");
            return;
        };
        let m = MosaicJson::from_bytes(&bytes, DEFAULT_MAX_DOCUMENT_BYTES).unwrap();
        let all: Vec<String> = (1..=4)
            .map(|i| format!("{{base}}/corpus/mosaic_dem_quads/q{i}.tif"))
            .collect();
        // mosaic_dem_quads__tile_assets, __point_assets, __bbox_assets
        assert_eq!(m.assets_for_tile(12, 2126, 1459).unwrap(), all);
        assert_eq!(m.assets_for_point(6.8649254, 45.833135).unwrap(), all);
        assert_eq!(
            m.assets_for_bbox([6.6924489, 45.709103, 6.8673449, 45.831143])
                .unwrap(),
            all
        );
        // __tile_empty and __point_outside: nothing there
        assert!(m.assets_for_tile(12, 0, 0).unwrap().is_empty());
        assert!(m.assets_for_point(0.0, 0.0).unwrap().is_empty());
        // Below quadkey_zoom: the four quadrants' union (z10 parent of the quads).
        let z10 = m.assets_for_tile(10, 2126 >> 2, 1459 >> 2).unwrap();
        assert_eq!(z10.len(), 4);
    }

    #[test]
    fn bbox_over_many_tiles_scans_keys_in_column_order() {
        // quadkey_zoom 20 over the world: 2^40 candidate tiles, 3 keys.
        let a = quadkey(5, 9, 20);
        let b = quadkey(5, 3, 20);
        let c = quadkey(2, 700, 20);
        let json = format!(
            r#"{{"mosaicjson": "0.0.2", "minzoom": 20, "maxzoom": 22,
                "tiles": {{"{a}": ["a"], "{b}": ["b"], "{c}": ["c"]}}}}"#
        );
        let m = doc(&json);
        // x outer, y inner: (2,700) then (5,3) then (5,9)
        assert_eq!(
            m.assets_for_bbox([-180.0, -89.0, 180.0, 89.0]).unwrap(),
            ["c", "b", "a"]
        );
        assert!(m
            .assets_for_bbox([10.0, -89.0, -10.0, 89.0])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn tile_of_another_tms_goes_through_its_bounds() {
        let m = doc(r#"{"mosaicjson": "0.0.2", "minzoom": 1,
            "tiles": {"0": ["nw"], "1": ["ne"], "2": ["sw"], "3": ["se"]}}"#);
        let wgs = crate::tms::default_registry()
            .get("WorldCRS84Quad")
            .unwrap();
        // WorldCRS84Quad 1/0/0 is [-180, 0, -90, 90]; its south edge (lat 0) falls on the
        // mercator row boundary, so morecantile's `tile` puts it in the southern row too.
        assert_eq!(
            m.assets_for_tile_in(&wgs, Tile::new(0, 0, 1)).unwrap(),
            ["nw", "sw"]
        );
        assert_eq!(
            m.assets_for_tile_in(&wgs, Tile::new(3, 0, 1)).unwrap(),
            ["ne", "se"]
        );
        let wmq = crate::tms::default_registry()
            .get("WebMercatorQuad")
            .unwrap();
        assert_eq!(
            m.assets_for_tile_in(&wmq, Tile::new(1, 1, 1)).unwrap(),
            ["se"]
        );
    }
}
