//! The [`Crs`] value: a proj4rs projection plus the identity TiTiler prints for it.

use std::fmt;
use std::sync::Arc;

use proj4rs::Proj;

use super::{epsg, geokeys, parse, Error};
use crate::tiff::geokeys::GeoKeys;

/// Linear or angular unit of a CRS's coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Units {
    /// Degrees of longitude/latitude (geographic CRSs).
    Degree,
    /// Metres.
    Metre,
    /// Any other linear unit, with its length in metres (feet, US survey feet…).
    Linear(f64),
}

/// A coordinate reference system.
///
/// Cheap to clone (the definition is shared). Equality follows rasterio (see the
/// `PartialEq` impl).
#[derive(Clone)]
pub struct Crs {
    inner: Arc<Inner>,
}

struct Inner {
    epsg: Option<u32>,
    /// `OGC:CRS84` and friends: longitude/latitude WGS 84 without an EPSG code.
    ogc: Option<&'static str>,
    proj_string: String,
    proj: Proj,
    northing_first: bool,
    /// GDAL-style WKT1, for CRSs TiTiler would print as WKT.
    wkt: Option<String>,
    name: String,
}

impl Crs {
    /// Builds a CRS from a proj string and its identity; all constructors end here.
    pub(crate) fn build(
        proj_string: String,
        epsg: Option<u32>,
        ogc: Option<&'static str>,
        northing_first: bool,
        wkt: Option<String>,
        name: String,
    ) -> Result<Crs, Error> {
        let proj = Proj::from_proj_string(&proj_string).map_err(|e| Error::Proj {
            definition: proj_string.clone(),
            reason: e.to_string(),
        })?;
        Ok(Crs {
            inner: Arc::new(Inner {
                epsg,
                ogc,
                proj_string,
                proj,
                northing_first,
                wkt,
                name,
            }),
        })
    }

    /// The CRS with this EPSG code, from our own table ([`epsg`]).
    pub fn from_epsg(code: u32) -> Result<Crs, Error> {
        let def = epsg::lookup(code).ok_or_else(|| {
            Error::Unsupported(format!("EPSG:{code} is not in the built-in table"))
        })?;
        Crs::build(
            def.proj,
            Some(code),
            None,
            def.northing_first,
            None,
            def.name,
        )
    }

    /// WGS 84 longitude/latitude (`OGC:CRS84`): EPSG:4326 with east/north axis order.
    pub fn crs84() -> Crs {
        // The definition is a constant known to proj4rs; failure would be a bug in this file.
        Crs::build(
            epsg::WGS84_PROJ.to_string(),
            None,
            Some("CRS84"),
            false,
            None,
            "WGS 84 (CRS84)".to_string(),
        )
        .expect("static CRS84 definition parses")
    }

    /// EPSG:4326, the geographic CRS rasterio/rio-tiler use for lon/lat input.
    pub fn wgs84() -> Crs {
        Crs::from_epsg(4326).expect("EPSG:4326 is in the built-in table")
    }

    /// The CRS a GeoTIFF's keys describe (EPSG code or user-defined parameters).
    pub fn from_geokeys(keys: &GeoKeys) -> Result<Crs, Error> {
        geokeys::crs_from_geokeys(keys)
    }

    /// Parses user input: `EPSG:4326`, OGC URIs/URNs, `OGC:CRS84`, or a proj string.
    pub fn parse(s: &str) -> Result<Crs, Error> {
        parse::parse(s)
    }

    /// Builds a CRS from a proj string (`+proj=...`), with no EPSG identity.
    pub fn from_proj_string(s: &str) -> Result<Crs, Error> {
        let s = s.trim();
        if !s.starts_with('+') {
            return Err(Error::Invalid(format!("`{s}` is not a proj string")));
        }
        Crs::build(s.to_string(), None, None, false, None, "unnamed".into()).map_err(|e| match e {
            Error::Proj { definition, reason } => {
                Error::Invalid(format!("`{definition}`: {reason}"))
            }
            other => other,
        })
    }

    /// The EPSG code, when the CRS has one.
    pub fn epsg(&self) -> Option<u32> {
        self.inner.epsg
    }

    /// The CRS name (EPSG name, GeoTIFF citation, or "unnamed").
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The proj definition string this CRS was built from.
    pub fn proj_string(&self) -> &str {
        &self.inner.proj_string
    }

    /// The underlying proj4rs projection.
    pub fn proj(&self) -> &Proj {
        &self.inner.proj
    }

    /// How TiTiler prints a CRS: an OGC URI for EPSG codes, else GDAL's WKT1.
    ///
    /// CRSs parsed from a bare proj string have no WKT of ours; their proj string is printed.
    pub fn to_titiler_string(&self) -> String {
        if let Some(c) = self.inner.epsg {
            return format!("http://www.opengis.net/def/crs/EPSG/0/{c}");
        }
        if let Some(o) = self.inner.ogc {
            return format!("http://www.opengis.net/def/crs/OGC/1.3/{o}");
        }
        match &self.inner.wkt {
            Some(w) => w.clone(),
            None => self.inner.proj_string.clone(),
        }
    }

    /// `EPSG:3857`-style short identifier, used in error messages like PROJ's.
    pub fn short_id(&self) -> String {
        if let Some(c) = self.inner.epsg {
            format!("EPSG:{c}")
        } else if let Some(o) = self.inner.ogc {
            format!("OGC:{o}")
        } else if let Some(w) = &self.inner.wkt {
            w.clone()
        } else {
            self.inner.proj_string.clone()
        }
    }

    /// GDAL-style WKT1 for user-defined GeoTIFF CRSs (None for table CRSs).
    pub fn wkt(&self) -> Option<&str> {
        self.inner.wkt.as_deref()
    }

    /// True for longitude/latitude CRSs.
    pub fn is_geographic(&self) -> bool {
        self.inner.proj.is_latlong()
    }

    /// True when the authority's axis order puts latitude/northing first (EPSG:4326, 2193,
    /// 3035…). The coordinates this module takes and returns are always east/north regardless.
    pub fn is_northing_first(&self) -> bool {
        self.inner.northing_first
    }

    /// The unit of the CRS's coordinates.
    pub fn units(&self) -> Units {
        if self.is_geographic() {
            return Units::Degree;
        }
        let m = self.inner.proj.to_meter();
        if (m - 1.0).abs() < 1e-12 {
            Units::Metre
        } else {
            Units::Linear(m)
        }
    }

    /// Metres per coordinate unit, as morecantile computes it: for degrees, the length of one
    /// degree of arc on the semi-major axis (`2π·a/360`).
    pub fn meters_per_unit(&self) -> f64 {
        match self.units() {
            Units::Degree => 2.0 * std::f64::consts::PI * self.semi_major_axis() / 360.0,
            Units::Metre => 1.0,
            Units::Linear(m) => m,
        }
    }

    /// Semi-major axis of the ellipsoid, in metres.
    pub fn semi_major_axis(&self) -> f64 {
        self.inner.proj.ellipse_parameters().0
    }

    /// Whether the ellipsoid is the Earth's (PROJ decides the celestial body the same way: by
    /// the semi-major axis). Transforms between bodies are refused, as PROJ/TiTiler do.
    pub fn is_earth(&self) -> bool {
        is_earth_radius(self.semi_major_axis())
    }

    /// The geographic (longitude/latitude) CRS this CRS is based on, as pyproj's
    /// `geodetic_crs` (morecantile's `geographic_crs`): `EPSG:3857` → `EPSG:4326`,
    /// `EPSG:3035` → `EPSG:4258`. CRSs without a code get a longlat CRS on their own ellipsoid
    /// and datum.
    pub fn geodetic_crs(&self) -> Result<Crs, Error> {
        if self.inner.ogc.is_some() {
            return Ok(self.clone());
        }
        if let Some(g) = self.inner.epsg.and_then(epsg::geodetic_code) {
            return Crs::from_epsg(g);
        }
        if self.is_geographic() {
            return Ok(self.clone());
        }
        if let Some(i) = self.inner.proj_string.find("+proj=") {
            // Keep the datum/ellipsoid parameters, drop the projection's own.
            let keep: Vec<&str> = self.inner.proj_string[i..]
                .split_whitespace()
                .filter(|p| {
                    [
                        "+datum=",
                        "+ellps=",
                        "+a=",
                        "+b=",
                        "+rf=",
                        "+R=",
                        "+towgs84=",
                        "+pm=",
                        "+nadgrids=",
                    ]
                    .iter()
                    .any(|k| p.starts_with(k))
                })
                .collect();
            if !keep.is_empty() {
                return Crs::build(
                    format!("+proj=longlat {} +no_defs", keep.join(" ")),
                    None,
                    None,
                    true,
                    None,
                    format!("{} (geographic)", self.inner.name),
                );
            }
        }
        let (a, b) = self.inner.proj.ellipse_parameters();
        Crs::build(
            format!("+proj=longlat +a={a} +b={b} +no_defs"),
            None,
            None,
            false,
            None,
            format!("{} (geographic)", self.inner.name),
        )
    }

    /// True when both CRSs give the same numbers to the same place, ignoring the authority's
    /// axis order (so `OGC:CRS84` and `EPSG:4326` match, as GDAL's `IsSame` with
    /// `IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING` does): rio-tiler skips the warp in that case.
    pub fn same_coordinates(&self, other: &Crs) -> bool {
        self.inner.epsg.is_some() && self.inner.epsg == other.inner.epsg
            || self.inner.proj_string == other.inner.proj_string
    }
}

/// PROJ's rule of thumb: an ellipsoid within 0.5 % of WGS 84's semi-major axis is the Earth's.
pub(crate) fn is_earth_radius(a: f64) -> bool {
    ((a - 6_378_137.0) / 6_378_137.0).abs() <= 0.005
}

/// Equality as rasterio's `CRS.__eq__`, which rio-tiler uses to choose between a plain read
/// and a warp: same EPSG code, or (without codes) the same definition *and* axis order. So
/// `OGC:CRS84 != EPSG:4326` here, as in rasterio; use [`Crs::same_coordinates`] to ask
/// whether two CRSs give the same numbers.
impl PartialEq for Crs {
    fn eq(&self, other: &Crs) -> bool {
        if Arc::ptr_eq(&self.inner, &other.inner) {
            return true;
        }
        match (self.inner.epsg, other.inner.epsg) {
            (Some(a), Some(b)) => a == b,
            _ => {
                self.inner.proj_string == other.inner.proj_string
                    && self.inner.northing_first == other.inner.northing_first
            }
        }
    }
}

impl fmt::Debug for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crs")
            .field("epsg", &self.inner.epsg)
            .field("name", &self.inner.name)
            .field("proj", &self.inner.proj_string)
            .finish()
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRSs and transformers cross thread boundaries (rayon warp jobs, shared registries).
    #[test]
    fn crs_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Crs>();
        check::<crate::crs::Transformer>();
    }

    #[test]
    fn identity_units_and_equality() {
        let utm = Crs::from_epsg(32631).unwrap();
        assert_eq!(utm.name(), "WGS 84 / UTM zone 31N");
        assert_eq!(utm.units(), Units::Metre);
        assert!(!utm.is_geographic() && !utm.is_northing_first() && utm.is_earth());
        assert_eq!(
            utm.to_titiler_string(),
            "http://www.opengis.net/def/crs/EPSG/0/32631"
        );
        assert_eq!(utm.geodetic_crs().unwrap().epsg(), Some(4326));
        let wgs = Crs::wgs84();
        assert_eq!(wgs.units(), Units::Degree);
        assert!(wgs.is_northing_first());
        assert!((wgs.meters_per_unit() - 111319.49079327357).abs() < 1e-9);
        let crs84 = Crs::crs84();
        assert_ne!(wgs, crs84, "axis order differs");
        assert!(wgs.same_coordinates(&crs84));
        assert_eq!(Crs::parse("EPSG:32631").unwrap(), utm);
        let feet =
            Crs::from_proj_string("+proj=tmerc +lon_0=-90 +ellps=GRS80 +units=us-ft").unwrap();
        assert!(matches!(feet.units(), Units::Linear(m) if (m - 1200.0 / 3937.0).abs() < 1e-12));
        assert!(matches!(Crs::from_epsg(999), Err(Error::Unsupported(_))));
    }
}
