//! The GeoKeyDirectory: GeoTIFF's key/value store that describes the coordinate system.
//!
//! The directory (tag 34735) is a list of `(key id, location, count, value)` entries; values
//! are stored inline (SHORT), in GeoDoubleParams (34736) or in GeoAsciiParams (34737).

use std::collections::BTreeMap;

/// One GeoKey value, resolved from wherever the directory stored it.
#[derive(Clone, Debug, PartialEq)]
pub enum GeoKeyValue {
    Short(Vec<u16>),
    Double(Vec<f64>),
    Ascii(String),
}

/// Well-known GeoKey ids.
pub mod key {
    pub const GT_MODEL_TYPE: u16 = 1024;
    pub const GT_RASTER_TYPE: u16 = 1025;
    pub const GT_CITATION: u16 = 1026;
    pub const GEOGRAPHIC_TYPE: u16 = 2048;
    pub const GEOG_CITATION: u16 = 2049;
    pub const GEOG_GEODETIC_DATUM: u16 = 2050;
    pub const GEOG_PRIME_MERIDIAN: u16 = 2051;
    pub const GEOG_LINEAR_UNITS: u16 = 2052;
    pub const GEOG_ANGULAR_UNITS: u16 = 2054;
    pub const GEOG_ELLIPSOID: u16 = 2056;
    pub const GEOG_SEMI_MAJOR_AXIS: u16 = 2057;
    pub const GEOG_SEMI_MINOR_AXIS: u16 = 2058;
    pub const GEOG_INV_FLATTENING: u16 = 2059;
    pub const GEOG_PRIME_MERIDIAN_LONG: u16 = 2061;
    pub const PROJECTED_CS_TYPE: u16 = 3072;
    pub const PCS_CITATION: u16 = 3073;
    pub const PROJECTION: u16 = 3074;
    pub const PROJ_COORD_TRANS: u16 = 3075;
    pub const PROJ_LINEAR_UNITS: u16 = 3076;
    pub const PROJ_STD_PARALLEL1: u16 = 3078;
    pub const PROJ_STD_PARALLEL2: u16 = 3079;
    pub const PROJ_NAT_ORIGIN_LONG: u16 = 3080;
    pub const PROJ_NAT_ORIGIN_LAT: u16 = 3081;
    pub const PROJ_FALSE_EASTING: u16 = 3082;
    pub const PROJ_FALSE_NORTHING: u16 = 3083;
    pub const PROJ_FALSE_ORIGIN_LONG: u16 = 3084;
    pub const PROJ_FALSE_ORIGIN_LAT: u16 = 3085;
    pub const PROJ_FALSE_ORIGIN_EASTING: u16 = 3086;
    pub const PROJ_FALSE_ORIGIN_NORTHING: u16 = 3087;
    pub const PROJ_CENTER_LONG: u16 = 3088;
    pub const PROJ_CENTER_LAT: u16 = 3089;
    pub const PROJ_SCALE_AT_NAT_ORIGIN: u16 = 3092;
    pub const PROJ_SCALE_AT_CENTER: u16 = 3093;
    pub const PROJ_AZIMUTH_ANGLE: u16 = 3094;
    pub const PROJ_STRAIGHT_VERT_POLE_LONG: u16 = 3095;
}

/// All GeoKeys of a file, by key id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeoKeys {
    pub keys: BTreeMap<u16, GeoKeyValue>,
}

impl GeoKeys {
    /// First SHORT value of a key.
    pub fn short(&self, id: u16) -> Option<u16> {
        match self.keys.get(&id)? {
            GeoKeyValue::Short(v) => v.first().copied(),
            _ => None,
        }
    }

    /// First DOUBLE value of a key.
    pub fn double(&self, id: u16) -> Option<f64> {
        match self.keys.get(&id)? {
            GeoKeyValue::Double(v) => v.first().copied(),
            _ => None,
        }
    }

    pub fn ascii(&self, id: u16) -> Option<&str> {
        match self.keys.get(&id)? {
            GeoKeyValue::Ascii(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

impl GeoKeys {
    /// Builds the key map from the GeoKeyDirectory (SHORTs), GeoDoubleParams and
    /// GeoAsciiParams. Entries pointing outside their arrays are skipped (GDAL does the same).
    pub fn from_directory(dir: &[u64], doubles: &[f64], ascii: &str) -> GeoKeys {
        let mut keys = BTreeMap::new();
        let n = dir.get(3).copied().unwrap_or(0) as usize;
        for k in 0..n {
            let Some(e) = dir.get(4 + k * 4..8 + k * 4) else {
                break;
            };
            let (id, loc, count, value) = (e[0] as u16, e[1], e[2] as usize, e[3] as usize);
            let v = match loc {
                0 => GeoKeyValue::Short(vec![value as u16]),
                34735 => match dir.get(value..value.saturating_add(count)) {
                    Some(s) => GeoKeyValue::Short(s.iter().map(|&x| x as u16).collect()),
                    None => continue,
                },
                34736 => match doubles.get(value..value.saturating_add(count)) {
                    Some(s) => GeoKeyValue::Double(s.to_vec()),
                    None => continue,
                },
                34737 => {
                    let bytes = ascii.as_bytes();
                    match bytes.get(value..value.saturating_add(count)) {
                        Some(s) => {
                            let s = String::from_utf8_lossy(s);
                            GeoKeyValue::Ascii(s.trim_end_matches(['|', '\0']).to_string())
                        }
                        None => continue,
                    }
                }
                _ => continue,
            };
            keys.insert(id, v);
        }
        GeoKeys { keys }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_resolves_all_locations() {
        let dir = [
            1, 1, 0, 4, //
            1024, 0, 1, 1, //
            3072, 0, 1, 32631, //
            2057, 34736, 1, 0, //
            1026, 34737, 8, 0, //
        ];
        let g = GeoKeys::from_directory(&dir, &[6378137.0], "WGS 84 |");
        assert_eq!(g.short(key::GT_MODEL_TYPE), Some(1));
        assert_eq!(g.short(key::PROJECTED_CS_TYPE), Some(32631));
        assert_eq!(g.double(key::GEOG_SEMI_MAJOR_AXIS), Some(6378137.0));
        assert_eq!(g.ascii(key::GT_CITATION), Some("WGS 84 "));
        // out-of-range entries are skipped, not a panic
        let g = GeoKeys::from_directory(&[1, 1, 0, 9, 1024, 34736, 5, 9], &[], "");
        assert!(g.keys.is_empty());
    }
}
