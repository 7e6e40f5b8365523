//! GDAL-style WKT1 for CRSs that have no EPSG code.
//!
//! TiTiler's `/info` prints `crs` as an OGC URI when the dataset's CRS has an EPSG code and
//! otherwise as `CRS.to_wkt()`, i.e. GDAL's "WKT1_GDAL" export. A user-defined GeoTIFF CRS is
//! described here as plain data ([`ProjectedCs`], [`GeographicCs`]); the same description
//! also yields the proj string, so the printed WKT and the math cannot disagree.

use super::fmt::g15;

/// An ellipsoid as WKT names it.
#[derive(Clone, Debug, PartialEq)]
pub struct Spheroid {
    pub name: String,
    /// Semi-major axis in metres.
    pub a: f64,
    /// Inverse flattening; 0 for a sphere (WKT1's convention).
    pub inv_f: f64,
    pub epsg: Option<u32>,
}

/// A geographic (longitude/latitude) CRS.
#[derive(Clone, Debug, PartialEq)]
pub struct GeographicCs {
    pub name: String,
    pub datum: String,
    pub datum_epsg: Option<u32>,
    pub spheroid: Spheroid,
    pub primem: String,
    /// Prime meridian longitude from Greenwich, degrees.
    pub primem_lon: f64,
    pub primem_epsg: Option<u32>,
    pub epsg: Option<u32>,
    /// proj parameters of the datum (`+datum=WGS84`, `+a=.. +rf=..`, `+towgs84=..`).
    pub proj_datum: String,
}

/// A linear unit.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearUnit {
    pub name: String,
    pub to_meter: f64,
    pub epsg: Option<u32>,
}

impl LinearUnit {
    pub fn metre() -> LinearUnit {
        LinearUnit {
            name: "metre".into(),
            to_meter: 1.0,
            epsg: Some(9001),
        }
    }
}

/// A projected CRS: a geographic CRS, a projection method and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectedCs {
    pub name: String,
    pub geog: GeographicCs,
    /// WKT1 method name (`Transverse_Mercator`, `Equirectangular`…).
    pub method: &'static str,
    /// WKT1 parameters in order, values in degrees / linear units as WKT writes them.
    pub params: Vec<(&'static str, f64)>,
    pub unit: LinearUnit,
    /// proj string of the projection part, without datum and units (`+proj=tmerc +lat_0=…`),
    /// false easting/northing already converted to metres.
    pub proj_projection: String,
}

fn authority(code: Option<u32>) -> String {
    match code {
        Some(c) => format!(",AUTHORITY[\"EPSG\",\"{c}\"]"),
        None => String::new(),
    }
}

impl GeographicCs {
    /// The `GEOGCS[...]` node; `with_axes` adds GDAL 3's lat/lon AXIS nodes (only at top level).
    pub fn to_wkt_node(&self, with_axes: bool) -> String {
        let s = &self.spheroid;
        let mut out = format!(
            "GEOGCS[\"{}\",DATUM[\"{}\",SPHEROID[\"{}\",{},{}{}]{}],PRIMEM[\"{}\",{}{}],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]]",
            self.name,
            self.datum,
            s.name,
            g15(s.a),
            g15(s.inv_f),
            authority(s.epsg),
            authority(self.datum_epsg),
            self.primem,
            g15(self.primem_lon),
            authority(self.primem_epsg),
        );
        if with_axes {
            out.push_str(",AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST]");
        }
        out.push_str(&authority(self.epsg));
        out.push(']');
        out
    }

    /// The proj string (`+proj=longlat ...`).
    pub fn proj_string(&self) -> String {
        let pm = if self.primem_lon != 0.0 {
            format!(" +pm={}", self.primem_lon)
        } else {
            String::new()
        };
        format!("+proj=longlat {}{pm} +no_defs", self.proj_datum)
    }
}

impl ProjectedCs {
    /// The `PROJCS[...]` WKT1 string as GDAL exports it.
    pub fn to_wkt(&self) -> String {
        let mut out = format!(
            "PROJCS[\"{}\",{},PROJECTION[\"{}\"]",
            self.name,
            self.geog.to_wkt_node(false),
            self.method
        );
        for (name, v) in &self.params {
            out.push_str(&format!(",PARAMETER[\"{name}\",{}]", g15(*v)));
        }
        // GDAL (through PROJ) writes these two methods' unit without its authority, and polar
        // stereographic with the EPSG polar axes (both towards or away from the pole).
        let bare_unit = matches!(
            self.method,
            "Lambert_Azimuthal_Equal_Area" | "Polar_Stereographic"
        );
        let axes = if self.method == "Polar_Stereographic" {
            let north = self
                .params
                .iter()
                .find(|(n, _)| *n == "latitude_of_origin")
                .is_some_and(|(_, v)| *v > 0.0);
            if north {
                "AXIS[\"Easting\",SOUTH],AXIS[\"Northing\",SOUTH]"
            } else {
                "AXIS[\"Easting\",NORTH],AXIS[\"Northing\",NORTH]"
            }
        } else {
            "AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH]"
        };
        let unit_authority = if bare_unit {
            String::new()
        } else {
            authority(self.unit.epsg)
        };
        out.push_str(&format!(
            ",UNIT[\"{}\",{}{unit_authority}],{axes}]",
            self.unit.name,
            g15(self.unit.to_meter),
        ));
        out
    }

    /// The full proj string.
    pub fn proj_string(&self) -> String {
        let units = if self.unit.to_meter == 1.0 {
            "+units=m".to_string()
        } else {
            format!("+to_meter={}", self.unit.to_meter)
        };
        let pm = if self.geog.primem_lon != 0.0 {
            format!(" +pm={}", self.geog.primem_lon)
        } else {
            String::new()
        };
        format!(
            "{} {}{pm} {units} +no_defs",
            self.proj_projection, self.geog.proj_datum
        )
    }
}
