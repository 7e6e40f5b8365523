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
