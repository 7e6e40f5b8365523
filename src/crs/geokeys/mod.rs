//! GeoTIFF GeoKeys → [`Crs`].
//!
//! A GeoTIFF names its CRS either by EPSG code (`ProjectedCSTypeGeoKey` /
//! `GeographicTypeGeoKey`) or, with the value 32767 ("user-defined"), spells it out: a
//! coordinate transformation code (`ProjCoordTransGeoKey`: 1 = transverse Mercator,
//! 17 = equirectangular…) with its parameters in separate keys, plus ellipsoid/datum keys for
//! the geographic part. This module rebuilds both the proj definition and the WKT GDAL would
//! print (names come from the citation keys GDAL writes: `GCS Name = …|Datum = …|`).

use super::wkt::{GeographicCs, LinearUnit, ProjectedCs, Spheroid};
use super::{Crs, Error};
use crate::tiff::geokeys::{key, GeoKeys};

mod projected;
use projected::projected_from_geokeys;

const USER_DEFINED: u16 = 32767;

/// Builds the CRS of a GeoTIFF from its keys.
pub fn crs_from_geokeys(keys: &GeoKeys) -> Result<Crs, Error> {
    let model = keys.short(key::GT_MODEL_TYPE);
    if let Some(code) = keys
        .short(key::PROJECTED_CS_TYPE)
        .filter(|c| *c != USER_DEFINED)
    {
        return Crs::from_epsg(u32::from(code));
    }
    let has_projection = keys.short(key::PROJECTION).is_some()
        || keys.short(key::PROJ_COORD_TRANS).is_some()
        || keys.short(key::PROJECTED_CS_TYPE) == Some(USER_DEFINED);
    if model == Some(1) || (model.is_none() && has_projection) {
        let pcs = projected_from_geokeys(keys)?;
        let proj = pcs.proj_string();
        let wkt = pcs.to_wkt();
        return Crs::build(proj, None, None, false, Some(wkt), pcs.name.clone());
    }
    if model == Some(3) {
        return Err(Error::Unsupported("geocentric geotiff model".into()));
    }
    let has_geographic_keys = [
        key::GEOG_GEODETIC_DATUM,
        key::GEOG_ELLIPSOID,
        key::GEOG_SEMI_MAJOR_AXIS,
    ]
    .iter()
    .any(|k| keys.keys.contains_key(k));
    match keys.short(key::GEOGRAPHIC_TYPE) {
        Some(code) if code != USER_DEFINED => Crs::from_epsg(u32::from(code)),
        // A geographic model described only by datum/ellipsoid keys is user-defined too.
        None if model == Some(2) && has_geographic_keys => {
            let g = geographic_from_geokeys(keys)?;
            let wkt = g.to_wkt_node(true);
            Crs::build(g.proj_string(), None, None, true, Some(wkt), g.name.clone())
        }
        Some(_) => {
            let g = geographic_from_geokeys(keys)?;
            let wkt = g.to_wkt_node(true);
            Crs::build(g.proj_string(), None, None, true, Some(wkt), g.name.clone())
        }
        None => Err(Error::Unsupported(
            "geokeys name no projected or geographic crs".into(),
        )),
    }
}

/// The EPSG code the keys name (projected first, then geographic), if any — even one our
/// table cannot build, so `/info` can still print TiTiler's URI for it.
pub fn epsg_code(keys: &GeoKeys) -> Option<u32> {
    keys.short(key::PROJECTED_CS_TYPE)
        .filter(|c| *c != USER_DEFINED)
        .or_else(|| {
            let projected = keys.short(key::GT_MODEL_TYPE) == Some(1)
                || keys.short(key::PROJECTED_CS_TYPE).is_some()
                || keys.short(key::PROJ_COORD_TRANS).is_some();
            (!projected)
                .then(|| keys.short(key::GEOGRAPHIC_TYPE))
                .flatten()
                .filter(|c| *c != USER_DEFINED)
        })
        .map(u32::from)
}

/// The `crs` string TiTiler's `/info` shows for these keys: the CRS's own
/// [`Crs::to_titiler_string`], or — when we cannot build the CRS but the keys carry an EPSG
/// code — the OGC URI of that code. `None` when neither is possible.
pub fn titiler_string(keys: &GeoKeys) -> Option<String> {
    match crs_from_geokeys(keys) {
        Ok(c) => Some(c.to_titiler_string()),
        Err(_) => epsg_code(keys).map(|c| format!("http://www.opengis.net/def/crs/EPSG/0/{c}")),
    }
}

/// One field of a GDAL-style citation: `GCS Name = X|Datum = Y|…`.
fn citation_field(citation: &str, field: &str) -> Option<String> {
    citation.split('|').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == field).then(|| v.trim().to_string())
    })
}

/// A citation without `key = value` fields is a plain name (`WGS 84|`).
fn plain_citation(citation: &str) -> Option<String> {
    if citation.contains('=') {
        return None;
    }
    let name = citation.trim_end_matches('|').trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Known EPSG ellipsoids: code → (name, a, inverse flattening, proj name).
fn ellipsoid(code: u16) -> Option<(&'static str, f64, f64, &'static str)> {
    Some(match code {
        7030 => ("WGS 84", 6378137.0, 298.257223563, "WGS84"),
        // GDAL prints GRS 1980's inverse flattening as derived from its axes.
        7019 => ("GRS 1980", 6378137.0, 298.257222101004, "GRS80"),
        7043 => ("WGS 72", 6378135.0, 298.26, "WGS72"),
        7001 => ("Airy 1830", 6377563.396, 299.3249646, "airy"),
        7022 => ("International 1924", 6378388.0, 297.0, "intl"),
        7008 => ("Clarke 1866", 6378206.4, 294.978698213898, "clrk66"),
        7004 => ("Bessel 1841", 6377397.155, 299.1528128, "bessel"),
        _ => return None,
    })
}

/// The geographic part of a user-defined CRS.
fn geographic_from_geokeys(keys: &GeoKeys) -> Result<GeographicCs, Error> {
    if let Some(code) = keys
        .short(key::GEOGRAPHIC_TYPE)
        .filter(|c| *c != USER_DEFINED)
    {
        return known_geographic(code);
    }
    if let Some(u) = keys.short(key::GEOG_ANGULAR_UNITS) {
        if u != 9102 {
            return Err(Error::Unsupported(format!(
                "geographic angular unit {u} (only degrees, 9102)"
            )));
        }
    }
    let citation = keys.ascii(key::GEOG_CITATION).unwrap_or("");
    let name = citation_field(citation, "GCS Name")
        .or_else(|| plain_citation(citation))
        .unwrap_or_else(|| "unknown".into());

    // A known datum implies its ellipsoid when the file does not name one.
    let datum_ellipsoid = match keys.short(key::GEOG_GEODETIC_DATUM) {
        Some(6326) => Some(7030),
        Some(6269) | Some(6258) => Some(7019),
        _ => None,
    };
    let ell_code = keys
        .short(key::GEOG_ELLIPSOID)
        .filter(|c| *c != USER_DEFINED)
        .or(datum_ellipsoid);
    let known = ell_code.and_then(ellipsoid);
    if let (Some(code), None) = (ell_code, known) {
        if keys.double(key::GEOG_SEMI_MAJOR_AXIS).is_none() {
            return Err(Error::Unsupported(format!("ellipsoid EPSG:{code}")));
        }
    }
    let (sph_name, a, inv_f, proj_ellps) = match known {
        Some((n, a, f, p)) => (n.to_string(), a, f, Some(p)),
        None => {
            let a = keys.double(key::GEOG_SEMI_MAJOR_AXIS).ok_or_else(|| {
                Error::Unsupported("user-defined ellipsoid without semi-major axis".into())
            })?;
            if !(a.is_finite() && a > 0.0) {
                return Err(Error::Invalid(format!("semi-major axis {a}")));
            }
            let inv_f = match (
                keys.double(key::GEOG_INV_FLATTENING),
                keys.double(key::GEOG_SEMI_MINOR_AXIS),
            ) {
                (Some(f), _) => f,
                (None, Some(b)) if (a - b).abs() > 0.0 => a / (a - b),
                _ => 0.0,
            };
            if !inv_f.is_finite() || inv_f < 0.0 {
                return Err(Error::Invalid(format!("inverse flattening {inv_f}")));
            }
            let n = citation_field(citation, "Ellipsoid").unwrap_or_else(|| "unnamed".into());
            (n, a, inv_f, None)
        }
    };
    let datum_code = keys
        .short(key::GEOG_GEODETIC_DATUM)
        .filter(|c| *c != USER_DEFINED);
    let (datum, datum_epsg, proj_datum) = match datum_code {
        Some(6326) => (
            "WGS_1984".to_string(),
            Some(6326),
            "+datum=WGS84".to_string(),
        ),
        Some(6269) => (
            "North_American_Datum_1983".to_string(),
            Some(6269),
            "+datum=NAD83".to_string(),
        ),
        Some(6258) => (
            "European_Terrestrial_Reference_System_1989".to_string(),
            Some(6258),
            "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0".to_string(),
        ),
        Some(c) => return Err(Error::Unsupported(format!("geodetic datum EPSG:{c}"))),
        None => {
            let d = citation_field(citation, "Datum").unwrap_or_else(|| "unknown".into());
            // No shift parameters: PROJ treats an unknown datum as WGS 84 ("ballpark").
            let p = match proj_ellps {
                Some(e) => format!("+ellps={e}"),
                None if inv_f == 0.0 => format!("+R={a}"),
                None => format!("+a={a} +rf={inv_f}"),
            };
            (d, None, p)
        }
    };
    let primem_lon = keys.double(key::GEOG_PRIME_MERIDIAN_LONG).unwrap_or(0.0);
    if !primem_lon.is_finite() {
        return Err(Error::Invalid(format!("prime meridian {primem_lon}")));
    }
    let primem = citation_field(citation, "Primem").unwrap_or_else(|| {
        if primem_lon == 0.0 {
            "Greenwich".into()
        } else {
            "unnamed".into()
        }
    });
    Ok(GeographicCs {
        name,
        datum,
        datum_epsg,
        spheroid: Spheroid {
            name: sph_name,
            a,
            inv_f,
            epsg: known.and(ell_code).map(u32::from),
        },
        primem,
        primem_lon,
        primem_epsg: None,
        epsg: None,
        proj_datum,
    })
}

/// Geographic CRSs named by EPSG code inside a user-defined projected CRS.
fn known_geographic(code: u16) -> Result<GeographicCs, Error> {
    let (name, datum, datum_epsg, sph, proj_datum) = match code {
        4326 => ("WGS 84", "WGS_1984", 6326, 7030, "+datum=WGS84"),
        4269 => (
            "NAD83",
            "North_American_Datum_1983",
            6269,
            7019,
            "+datum=NAD83",
        ),
        4258 => (
            "ETRS89",
            "European_Terrestrial_Reference_System_1989",
            6258,
            7019,
            "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0",
        ),
        c => {
            return Err(Error::Unsupported(format!(
                "geographic crs EPSG:{c} as base of a user-defined projection"
            )))
        }
    };
    let (sname, a, inv_f, _) =
        ellipsoid(sph).ok_or_else(|| Error::Unsupported(format!("ellipsoid EPSG:{sph}")))?;
    Ok(GeographicCs {
        name: name.into(),
        datum: datum.into(),
        datum_epsg: Some(datum_epsg),
        spheroid: Spheroid {
            name: sname.into(),
            a,
            inv_f,
            epsg: Some(u32::from(sph)),
        },
        primem: "Greenwich".into(),
        primem_lon: 0.0,
        primem_epsg: Some(8901),
        epsg: Some(u32::from(code)),
        proj_datum: proj_datum.into(),
    })
}

/// The first of several keys that is present (GeoTIFF writers disagree on which to use).
fn first(keys: &GeoKeys, ids: &[u16]) -> Option<f64> {
    ids.iter().find_map(|id| keys.double(*id))
}

fn linear_unit(keys: &GeoKeys) -> Result<LinearUnit, Error> {
    Ok(match keys.short(key::PROJ_LINEAR_UNITS) {
        None | Some(9001) => LinearUnit::metre(),
        Some(9002) => LinearUnit {
            name: "foot".into(),
            to_meter: 0.3048,
            epsg: Some(9002),
        },
        Some(9003) => LinearUnit {
            name: "US survey foot".into(),
            to_meter: 1200.0 / 3937.0,
            epsg: Some(9003),
        },
        Some(u) => return Err(Error::Unsupported(format!("linear unit EPSG:{u}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiff::geokeys::GeoKeyValue;
    use std::collections::BTreeMap;

    fn keys(entries: &[(u16, GeoKeyValue)]) -> GeoKeys {
        GeoKeys {
            keys: entries.iter().cloned().collect::<BTreeMap<_, _>>(),
        }
    }
    fn s(v: u16) -> GeoKeyValue {
        GeoKeyValue::Short(vec![v])
    }
    fn d(v: f64) -> GeoKeyValue {
        GeoKeyValue::Double(vec![v])
    }
    fn a(v: &str) -> GeoKeyValue {
        GeoKeyValue::Ascii(v.into())
    }

    #[test]
    fn epsg_codes_win() {
        let k = keys(&[(1024, s(1)), (3072, s(32631))]);
        assert_eq!(crs_from_geokeys(&k).unwrap().epsg(), Some(32631));
        let k = keys(&[(1024, s(2)), (2048, s(4326))]);
        let c = crs_from_geokeys(&k).unwrap();
        assert_eq!(c.epsg(), Some(4326));
        assert!(c.is_geographic());
    }

    #[test]
    fn missing_and_unknown_are_errors() {
        assert!(matches!(
            crs_from_geokeys(&keys(&[])),
            Err(Error::Unsupported(_))
        ));
        let k = keys(&[(1024, s(1)), (3072, s(2000))]);
        assert!(matches!(crs_from_geokeys(&k), Err(Error::Unsupported(_))));
        // user-defined with an unsupported transformation code (Laborde oblique Mercator)
        let k = keys(&[
            (1024, s(1)),
            (3072, s(32767)),
            (2048, s(4326)),
            (3075, s(4)),
        ]);
        assert!(matches!(crs_from_geokeys(&k), Err(Error::Unsupported(_))));
    }

    #[test]
    fn user_defined_geographic_on_a_sphere() {
        // Moon-like body: no GeographicType key at all, only the ellipsoid.
        let k = keys(&[
            (1024, s(2)),
            (2057, d(1737400.0)),
            (2058, d(1737400.0)),
            (2049, a("GCS Name = Moon 2000|Datum = D_Moon_2000|Ellipsoid = Moon_2000_IAU_IAG|Primem = Reference_Meridian||")),
        ]);
        let c = crs_from_geokeys(&k).unwrap();
        assert!(c.is_geographic() && !c.is_earth());
        assert_eq!(
            c.to_titiler_string(),
            "GEOGCS[\"Moon 2000\",DATUM[\"D_Moon_2000\",SPHEROID[\"Moon_2000_IAU_IAG\",1737400,0]],PRIMEM[\"Reference_Meridian\",0],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST]]"
        );
    }

    #[test]
    fn unknown_epsg_still_prints_its_uri() {
        // NAD83 / Texas Central (ftUS): valid EPSG, not in our table.
        let k = keys(&[(1024, s(1)), (3072, s(2277))]);
        assert!(crs_from_geokeys(&k).is_err());
        assert_eq!(epsg_code(&k), Some(2277));
        assert_eq!(
            titiler_string(&k).as_deref(),
            Some("http://www.opengis.net/def/crs/EPSG/0/2277")
        );
        assert_eq!(titiler_string(&keys(&[])), None);
        // A user-defined projected CRS on EPSG:4326 is not "EPSG:4326".
        let k = keys(&[
            (1024, s(1)),
            (3072, s(32767)),
            (2048, s(4326)),
            (3075, s(3)),
        ]);
        assert_eq!(epsg_code(&k), None);
    }

    #[test]
    fn user_defined_lcc_in_us_feet() {
        let k = keys(&[
            (1024, s(1)),
            (3072, s(32767)),
            (2048, s(4269)),
            (3075, s(8)),
            (3076, s(9003)),
            (3078, d(33.0)),
            (3079, d(45.0)),
            (3084, d(-96.0)),
            (3085, d(39.0)),
            (3086, d(1000.0)),
            (3087, d(0.0)),
            (1026, a("custom lcc|")),
        ]);
        let c = crs_from_geokeys(&k).unwrap();
        assert_eq!(c.epsg(), None);
        assert_eq!(c.name(), "custom lcc");
        let wkt = c.to_titiler_string();
        assert!(
            wkt.starts_with("PROJCS[\"custom lcc\",GEOGCS[\"NAD83\""),
            "{wkt}"
        );
        assert!(
            wkt.contains("PROJECTION[\"Lambert_Conformal_Conic_2SP\"]"),
            "{wkt}"
        );
        assert!(
            wkt.contains("UNIT[\"US survey foot\",0.304800609601219,AUTHORITY[\"EPSG\",\"9003\"]]"),
            "{wkt}"
        );
        assert!(
            c.proj_string().contains("+x_0=304.8006096"),
            "{}",
            c.proj_string()
        );
    }

    #[test]
    fn user_defined_azimuthal_equidistant() {
        // as GDAL writes a custom AEQD WKT: ProjCenterLat/LongGeoKey hold the projection centre
        let k = keys(&[
            (1024, s(1)),
            (3072, s(32767)),
            (2048, s(4326)),
            (3075, s(12)),
            (3089, d(48.0)),
            (3088, d(8.0)),
            (3082, d(100.0)),
            (3083, d(0.0)),
            (1026, a("custom azimuthal equidistant|")),
        ]);
        let c = crs_from_geokeys(&k).unwrap();
        assert!(
            c.to_titiler_string()
                .contains("PROJECTION[\"Azimuthal_Equidistant\"],PARAMETER[\"latitude_of_center\",48],PARAMETER[\"longitude_of_center\",8]"),
            "{}",
            c.to_titiler_string()
        );
        let p = c.proj_string();
        assert!(
            p.contains("+proj=aeqd +lat_0=48 +lon_0=8 +x_0=100 +y_0=0"),
            "{p}"
        );
    }
}
