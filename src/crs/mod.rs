//! Coordinate reference systems, backed by proj4rs.
//!
//! STUB: the geo helper replaces this file. The signatures below are the contract other
//! modules rely on.

use crate::tiff::geokeys::{key, GeoKeys};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unsupported crs: {0}")]
    Unsupported(String),
    #[error("invalid crs: {0}")]
    Invalid(String),
}

/// A coordinate reference system.
#[derive(Clone, Debug, PartialEq)]
pub struct Crs {
    epsg: Option<u32>,
}

impl Crs {
    pub fn from_epsg(code: u32) -> Result<Crs, Error> {
        Ok(Crs { epsg: Some(code) })
    }

    /// The CRS a GeoTIFF's keys describe (EPSG code or user-defined parameters).
    pub fn from_geokeys(keys: &GeoKeys) -> Result<Crs, Error> {
        let code = keys
            .short(key::PROJECTED_CS_TYPE)
            .filter(|c| *c != 32767)
            .or_else(|| keys.short(key::GEOGRAPHIC_TYPE).filter(|c| *c != 32767))
            .ok_or_else(|| Error::Unsupported("user-defined geokeys".into()))?;
        Crs::from_epsg(code as u32)
    }

    /// Parses user input: `EPSG:4326`, OGC URIs/URNs, or a proj string.
    pub fn parse(s: &str) -> Result<Crs, Error> {
        let code = s
            .rsplit([':', '/'])
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| Error::Invalid(s.to_string()))?;
        Crs::from_epsg(code)
    }

    pub fn epsg(&self) -> Option<u32> {
        self.epsg
    }

    /// How TiTiler prints a CRS: an OGC URI for EPSG codes, else WKT.
    pub fn to_titiler_string(&self) -> String {
        match self.epsg {
            Some(c) => format!("http://www.opengis.net/def/crs/EPSG/0/{c}"),
            None => String::new(),
        }
    }
}
