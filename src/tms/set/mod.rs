//! [`TileMatrixSet`]: a parsed TMS and morecantile 7's tile math on it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::model::{BoundingBox, CrsField, TileMatrix, TmsDocument};
use super::Error;
use crate::crs::{transform_bounds, Crs, Transformer};

/// A tile address. `x` counts columns from the origin eastwards, `y` rows southwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    pub x: i64,
    pub y: i64,
    pub z: i32,
}

impl Tile {
    pub fn new(x: i64, y: i64, z: i32) -> Tile {
        Tile { x, y, z }
    }
}

impl std::fmt::Display for Tile {
    /// Formatted as morecantile's `Tile(x=.., y=.., z=..)` (it appears in TiTiler errors).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tile(x={}, y={}, z={})", self.x, self.y, self.z)
    }
}

/// How [`TileMatrixSet::zoom_for_res`] rounds a resolution between two levels (GDAL's COG
/// driver `ZOOM_LEVEL_STRATEGY`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ZoomStrategy {
    /// The closest level (ratio-wise).
    #[default]
    Auto,
    /// The coarser level.
    Lower,
    /// The finer level.
    Upper,
}

/// morecantile's tolerance used to keep a bbox from touching the next tile.
const LL_EPSILON: f64 = 1e-11;

/// A TileMatrixSet ready for tile math.
#[derive(Debug)]
pub struct TileMatrixSet {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub uri: Option<String>,
    /// The `crs` member as written in the document (URI).
    pub crs_uri: String,
    pub crs: Crs,
    pub ordered_axes: Option<[String; 2]>,
    /// Sorted by zoom identifier, as morecantile sorts them.
    pub tile_matrices: Vec<TileMatrix>,
    invert_axis: bool,
    index: HashMap<i32, usize>,
    raw: Arc<str>,
    geographic: OnceLock<Result<Crs, String>>,
    bbox: OnceLock<Result<BoundingBox, String>>,
}

fn invalid(id: &str, reason: impl Into<String>) -> Error {
    Error::Invalid {
        id: id.to_string(),
        reason: reason.into(),
    }
}

impl TileMatrixSet {
    /// Parses an OGC 2D-TMS 2.0 JSON document. `fallback_id` names it when it has no `id`
    /// (morecantile names file-loaded TMSs by file stem).
    pub fn from_json(json: &str, fallback_id: Option<&str>) -> Result<TileMatrixSet, Error> {
        let label = fallback_id.unwrap_or("(unnamed)");
        let doc: TmsDocument =
            serde_json::from_str(json).map_err(|e| invalid(label, e.to_string()))?;
        let id = doc
            .id
            .clone()
            .or_else(|| fallback_id.map(str::to_string))
            .ok_or_else(|| invalid(label, "missing `id`"))?;
        if doc.supported_crs.is_some() {
            return Err(invalid(
                &id,
                "tilematrixset 1.0 documents are not supported (use 2.0)",
            ));
        }
        let crs_uri = match &doc.crs {
            CrsField::Uri(s) => s.clone(),
            CrsField::Object { uri: Some(u), .. } => u.clone(),
            CrsField::Object { wkt: Some(_), .. } => {
                return Err(Error::Crs {
                    id,
                    source: crate::crs::Error::Unsupported("wkt/projjson tms crs".into()),
                })
            }
            CrsField::Object { .. } => return Err(invalid(&id, "empty `crs` object")),
        };
        let crs = Crs::parse(&crs_uri).map_err(|source| Error::Crs {
            id: id.clone(),
            source,
        })?;
        let mut matrices = doc.tile_matrices;
        if matrices.is_empty() {
            return Err(invalid(&id, "no tileMatrices"));
        }
        let mut index = HashMap::new();
        for m in &matrices {
            let z = m.zoom().ok_or_else(|| {
                invalid(&id, format!("tile matrix id `{}` is not an integer", m.id))
            })?;
            if !(m.cell_size.is_finite() && m.cell_size > 0.0) {
                return Err(invalid(
                    &id,
                    format!("matrix {}: cellSize {}", m.id, m.cell_size),
                ));
            }
            if !(m.scale_denominator.is_finite() && m.scale_denominator > 0.0) {
                return Err(invalid(
                    &id,
                    format!("matrix {}: scaleDenominator {}", m.id, m.scale_denominator),
                ));
            }
            if m.tile_width == 0
                || m.tile_height == 0
                || m.matrix_width == 0
                || m.matrix_height == 0
            {
                return Err(invalid(
                    &id,
                    format!("matrix {}: zero tile or matrix size", m.id),
                ));
            }
            if !m.point_of_origin.iter().all(|v| v.is_finite()) {
                return Err(invalid(
                    &id,
                    format!("matrix {}: non-finite pointOfOrigin", m.id),
                ));
            }
            if index.insert(z, 0).is_some() {
                return Err(invalid(&id, format!("duplicate tile matrix id `{}`", m.id)));
            }
        }
        matrices.sort_by_key(|m| m.zoom().unwrap_or(0));
        index.clear();
        for (i, m) in matrices.iter().enumerate() {
            index.insert(m.zoom().unwrap_or(0), i);
        }
        // morecantile: orderedAxes' first axis Y/LAT/N means the origin is (north, east);
        // without orderedAxes, the CRS's own axis order decides.
        let invert_axis = match &doc.ordered_axes {
            Some([first, _]) => matches!(first.to_ascii_uppercase().as_str(), "Y" | "LAT" | "N"),
            None => crs.is_northing_first(),
        };
        Ok(TileMatrixSet {
            id,
            title: doc.title,
            description: doc.description,
            uri: doc.uri,
            crs_uri,
            crs,
            ordered_axes: doc.ordered_axes,
            tile_matrices: matrices,
            invert_axis,
            index,
            raw: Arc::from(json),
            geographic: OnceLock::new(),
            bbox: OnceLock::new(),
        })
    }

    /// The document this TMS was loaded from, verbatim (what `/tileMatrixSets/{id}` serves).
    pub fn json(&self) -> &str {
        &self.raw
    }

    /// True when `pointOfOrigin` is (north, east).
    pub fn is_inverted(&self) -> bool {
        self.invert_axis
    }

    /// True when any matrix coalesces columns.
    pub fn is_variable(&self) -> bool {
        self.tile_matrices
            .iter()
            .any(|m| m.variable_matrix_widths.is_some())
    }

    pub fn minzoom(&self) -> i32 {
        self.tile_matrices
            .first()
            .and_then(TileMatrix::zoom)
            .unwrap_or(0)
    }

    pub fn maxzoom(&self) -> i32 {
        self.tile_matrices
            .last()
            .and_then(TileMatrix::zoom)
            .unwrap_or(0)
    }

    /// The matrix of zoom `z`. Levels past the last are extrapolated as morecantile does
    /// (TiTiler serves them): each level halves cellSize/scaleDenominator and doubles the
    /// matrix size, provided every level of the TMS has the same scale ratio.
    pub fn matrix(&self, z: i32) -> Result<Cow<'_, TileMatrix>, Error> {
        if let Some(&i) = self.index.get(&z) {
            if let Some(m) = self.tile_matrices.get(i) {
                return Ok(Cow::Borrowed(m));
            }
        }
        if z < self.minzoom() {
            return Err(Error::InvalidZoom {
                zoom: z,
                reason: " - below the first tile matrix",
            });
        }
        if self.is_variable() {
            return Err(Error::InvalidZoom {
                zoom: z,
                reason: " - Unable to construct tileMatrix for TMS with variable width",
            });
        }
        let mut ratios: Vec<f64> = Vec::new();
        for w in self.tile_matrices.windows(2) {
            let r = ((w[1].scale_denominator / w[0].scale_denominator) * 100.0).round() / 100.0;
            if !ratios.contains(&r) {
                ratios.push(r);
            }
        }
        let [ratio] = ratios.as_slice() else {
            return Err(Error::InvalidZoom {
                zoom: z,
                reason: " - Unable to construct tileMatrix for TMS with variable scale",
            });
        };
        if !ratio.is_finite() || *ratio <= 0.0 || z > 64 {
            return Err(Error::InvalidZoom {
                zoom: z,
                reason: " - zoom level too deep",
            });
        }
        let factor = 1.0 / ratio;
        let mut m = self
            .tile_matrices
            .last()
            .cloned()
            .ok_or(Error::InvalidZoom {
                zoom: z,
                reason: "",
            })?;
        let mut level = m.zoom().unwrap_or(0);
        while level < z {
            level += 1;
            m = TileMatrix {
                id: level.to_string(),
                scale_denominator: m.scale_denominator / factor,
                cell_size: m.cell_size / factor,
                corner_of_origin: m.corner_of_origin,
                point_of_origin: m.point_of_origin,
                tile_width: m.tile_width,
                tile_height: m.tile_height,
                matrix_width: (m.matrix_width as f64 * factor) as u64,
                matrix_height: (m.matrix_height as f64 * factor) as u64,
                variable_matrix_widths: None,
            };
        }
        Ok(Cow::Owned(m))
    }

    /// Matrix origin as (x = east, y = north).
    fn origin(&self, m: &TileMatrix) -> (f64, f64) {
        let [a, b] = m.point_of_origin;
        if self.invert_axis {
            (b, a)
        } else {
            (a, b)
        }
    }

    /// The tile's rectangle in the TMS CRS (morecantile `xy_bounds`).
    pub fn xy_bounds(&self, t: Tile) -> Result<BoundingBox, Error> {
        let m = self.matrix(t.z)?;
        let (ox, oy) = self.origin(&m);
        let cf = i64::from(m.coalesce_factor(t.y));
        let col = t.x.div_euclid(cf) as f64;
        let cf = cf as f64;
        let tw = f64::from(m.tile_width);
        let th = f64::from(m.tile_height);
        let left = ox + col * m.cell_size * cf * tw;
        // Rows in float: a hostile `y` near i64::MAX must not overflow `y + 1`.
        let row = t.y as f64;
        let top = oy - row * m.cell_size * th;
        let right = ox + (col + 1.0) * m.cell_size * cf * tw;
        let bottom = oy - (row + 1.0) * m.cell_size * th;
        Ok(BoundingBox::new(left, bottom, right, top))
    }

    /// The geographic CRS of this TMS (pyproj `geodetic_crs` of its CRS).
    pub fn geographic_crs(&self) -> Result<Crs, Error> {
        self.geographic
            .get_or_init(|| self.crs.geodetic_crs().map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| Error::Transform(crate::crs::Error::Transform(e)))
    }

    fn tms_to_geographic(&self) -> Result<Transformer, Error> {
        Ok(Transformer::new(&self.crs, &self.geographic_crs()?)?)
    }

    fn geographic_to_tms(&self) -> Result<Transformer, Error> {
        Ok(Transformer::new(&self.geographic_crs()?, &self.crs)?)
    }

    /// The tile's rectangle in geographic coordinates (corners transformed, as morecantile's
    /// `bounds`, not densified).
    pub fn bounds(&self, t: Tile) -> Result<BoundingBox, Error> {
        let b = self.xy_bounds(t)?;
        let tr = self.tms_to_geographic()?;
        let mut xs = [b.left, b.right];
        let mut ys = [b.top, b.bottom];
        tr.transform_lossy(&mut xs, &mut ys)?;
        Ok(BoundingBox::new(xs[0], ys[1], xs[1], ys[0]))
    }

    /// The tile of zoom `z` containing the TMS-CRS point `(x, y)` (morecantile `_tile`);
    /// clamped to the matrix. With `coalesce`, `x` snaps to the first column of its group.
    pub fn tile_xy(&self, x: f64, y: f64, z: i32, coalesce: bool) -> Result<Tile, Error> {
        let m = self.matrix(z)?;
        let (ox, oy) = self.origin(&m);
        let span_x = m.cell_size * f64::from(m.tile_width);
        let span_y = m.cell_size * f64::from(m.tile_height);
        let to_index = |v: f64| -> i64 {
            if v.is_finite() {
                // Saturating float→int: far-away points clamp below anyway.
                v.floor() as i64
            } else {
                0
            }
        };
        let max_x = i64::try_from(m.matrix_width).unwrap_or(i64::MAX) - 1;
        let max_y = i64::try_from(m.matrix_height).unwrap_or(i64::MAX) - 1;
        let ytile = to_index((oy - y) / span_y).clamp(0, max_y);
        let mut xtile = to_index((x - ox) / span_x).clamp(0, max_x);
        if coalesce {
            let cf = i64::from(m.coalesce_factor(ytile));
            if cf != 1 {
                xtile -= xtile.rem_euclid(cf);
            }
        }
        Ok(Tile::new(xtile, ytile, z))
    }

    /// The tile containing a geographic point (morecantile `tile`, coalesced).
    pub fn tile(&self, lng: f64, lat: f64, z: i32) -> Result<Tile, Error> {
        let (x, y) = self.xy(lng, lat)?;
        self.tile_xy(x, y, z, true)
    }

    /// Geographic → TMS CRS for one point; non-finite results are kept (treated like
    /// PROJ's `inf`, which the tile math clamps).
    pub fn xy(&self, lng: f64, lat: f64) -> Result<(f64, f64), Error> {
        let tr = self.geographic_to_tms()?;
        let mut xs = [lng];
        let mut ys = [lat];
        tr.transform_lossy(&mut xs, &mut ys)?;
        Ok((xs[0], ys[0]))
    }

    /// TMS CRS → geographic for one point.
    pub fn lnglat(&self, x: f64, y: f64) -> Result<(f64, f64), Error> {
        let tr = self.tms_to_geographic()?;
        let mut xs = [x];
        let mut ys = [y];
        tr.transform_lossy(&mut xs, &mut ys)?;
        Ok((xs[0], ys[0]))
    }

    /// The TMS extent in its CRS (from the first matrix).
    pub fn xy_bbox(&self) -> Result<BoundingBox, Error> {
        let z = self.minzoom();
        let m = self.matrix(z)?;
        let ul = self.xy_bounds(Tile::new(0, 0, z))?;
        let last_x = i64::try_from(m.matrix_width).unwrap_or(i64::MAX) - 1;
        let last_y = i64::try_from(m.matrix_height).unwrap_or(i64::MAX) - 1;
        let lr = self.xy_bounds(Tile::new(last_x, last_y, z))?;
        Ok(BoundingBox::new(ul.left, lr.bottom, lr.right, ul.top))
    }

    /// The TMS extent in geographic coordinates (densified transform of [`Self::xy_bbox`]).
    pub fn bbox(&self) -> Result<BoundingBox, Error> {
        self.bbox
            .get_or_init(|| {
                let xy = self.xy_bbox().map_err(|e| e.to_string())?;
                let g = self.geographic_crs().map_err(|e| e.to_string())?;
                transform_bounds(&self.crs, &g, xy.to_array(), 21)
                    .map(BoundingBox::from_array)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| Error::Transform(crate::crs::Error::Transform(e)))
    }

    /// Whether a TMS-CRS rectangle overlaps the TMS extent (strictly).
    pub fn intersect_tms(&self, b: &BoundingBox) -> Result<bool, Error> {
        let t = self.xy_bbox()?;
        Ok(b.left < t.right && b.right > t.left && b.top > t.bottom && b.bottom < t.top)
    }

    /// morecantile `is_valid(strict=True)`: zoom within the defined levels and tile inside
    /// the matrix.
    pub fn is_valid(&self, t: Tile) -> bool {
        if t.z < self.minzoom() || t.z > self.maxzoom() {
            return false;
        }
        match self.matrix(t.z) {
            Ok(m) => {
                t.x >= 0
                    && t.y >= 0
                    && (t.x as u64) < m.matrix_width
                    && (t.y as u64) < m.matrix_height
            }
            Err(_) => false,
        }
    }

    /// The zoom whose cell size best matches `res` (morecantile `zoom_for_res`, from GDAL's
    /// COG driver): the first level at least as fine as `res`, then, for `Auto`, the previous
    /// level if it is closer in ratio.
    pub fn zoom_for_res(
        &self,
        res: f64,
        max_z: Option<i32>,
        strategy: ZoomStrategy,
        min_z: Option<i32>,
    ) -> Result<i32, Error> {
        let max_z = max_z.unwrap_or_else(|| self.maxzoom());
        let min_z = min_z.unwrap_or_else(|| self.minzoom());
        if max_z < min_z {
            return Err(Error::InvalidZoom {
                zoom: max_z,
                reason: " - max zoom below min zoom",
            });
        }
        let mut zoom = min_z;
        let mut matrix_res = f64::NAN;
        for z in min_z..=max_z {
            zoom = z;
            matrix_res = self.matrix(z)?.cell_size;
            if res > matrix_res || ((res - matrix_res) / matrix_res).abs() <= 1e-8 {
                break;
            }
        }
        if zoom > 0 && ((res - matrix_res) / matrix_res).abs() > 1e-8 {
            match strategy {
                ZoomStrategy::Lower => zoom = (zoom - 1).max(min_z),
                ZoomStrategy::Upper => zoom = zoom.min(max_z),
                ZoomStrategy::Auto => {
                    let prev = self.matrix((zoom - 1).max(min_z))?.cell_size;
                    if prev / res < res / matrix_res {
                        zoom = (zoom - 1).max(min_z);
                    }
                }
            }
        }
        Ok(zoom)
    }

    /// Tiles of zoom `z` overlapping a geographic bbox (morecantile `tiles`); a bbox with
    /// `west > east` crosses the antimeridian and is split.
    pub fn tiles(
        &self,
        west: f64,
        south: f64,
        east: f64,
        north: f64,
        z: i32,
    ) -> Result<Vec<Tile>, Error> {
        if [west, south, east, north].iter().any(|v| v.is_nan()) {
            return Err(Error::Transform(crate::crs::Error::Transform(
                "all coordinates must be finite".into(),
            )));
        }
        let bbox = self.bbox()?;
        let boxes = if west > east {
            vec![
                (bbox.left, south, east, north),
                (west, south, bbox.right, north),
            ]
        } else {
            vec![(west, south, east, north)]
        };
        let m = self.matrix(z)?;
        let mut out = Vec::new();
        for (w, s, e, n) in boxes {
            let contains_180 = lons_contain_antimeridian(e, bbox.right);
            let w = w.max(bbox.left);
            let s = s.max(bbox.bottom);
            let e = if contains_180 {
                e.max(bbox.right)
            } else {
                e.min(bbox.right)
            };
            let n = n.min(bbox.top);
            let (x0, y0) = self.xy(w + LL_EPSILON, n - LL_EPSILON)?;
            let (x1, y1) = self.xy(e - LL_EPSILON, s + LL_EPSILON)?;
            let nw = self.tile_xy(x0, y0, z, false)?;
            let se = self.tile_xy(x1, y1, z, false)?;
            let (minx, maxx) = (nw.x.min(se.x), nw.x.max(se.x));
            let (miny, maxy) = (nw.y.min(se.y), nw.y.max(se.y));
            let count = (maxx - minx + 1).saturating_mul(maxy - miny + 1);
            if count > 1_000_000 {
                return Err(Error::InvalidZoom {
                    zoom: z,
                    reason: " - more than 1000000 tiles cover the bbox",
                });
            }
            for j in miny..=maxy {
                let cf = i64::from(m.coalesce_factor(j));
                for i in minx..=maxx {
                    if cf != 1 && i % cf != 0 {
                        continue;
                    }
                    out.push(Tile::new(i, j, z));
                }
            }
        }
        Ok(out)
    }
}

/// morecantile's `lons_contain_antimeridian`, quirk included: it means to sort the two
/// converted longitudes but does not, so the answer depends on argument order.
fn lons_contain_antimeridian(a: f64, b: f64) -> bool {
    let ca = (a.clamp(-180.0, 180.0) + 360.0).rem_euclid(360.0);
    let cb = (b.clamp(-180.0, 180.0) + 360.0).rem_euclid(360.0);
    ca < 180.0 && 180.0 < cb
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
