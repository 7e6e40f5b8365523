//! A projected CRS from GeoKeys: the projection (ProjCoordTransGeoKey and its parameters, or
//! a ProjectedCSTypeGeoKey EPSG code), its geographic base and linear unit, as GDAL's GTiff
//! driver reads them.

#[allow(unused_imports)]
use super::*;

/// The projected part of a user-defined CRS.
pub(super) fn projected_from_geokeys(keys: &GeoKeys) -> Result<ProjectedCs, Error> {
    use key::*;
    let geog = geographic_from_geokeys(keys)?;
    let unit = linear_unit(keys)?;
    let citation = keys
        .ascii(PCS_CITATION)
        .or_else(|| keys.ascii(GT_CITATION))
        .unwrap_or("");
    let name = citation_field(citation, "PCS Name")
        .or_else(|| plain_citation(citation))
        .unwrap_or_else(|| "unnamed".into());

    let nat_lat = first(
        keys,
        &[PROJ_NAT_ORIGIN_LAT, PROJ_FALSE_ORIGIN_LAT, PROJ_CENTER_LAT],
    )
    .unwrap_or(0.0);
    let nat_lon = first(
        keys,
        &[
            PROJ_NAT_ORIGIN_LONG,
            PROJ_FALSE_ORIGIN_LONG,
            PROJ_CENTER_LONG,
        ],
    )
    .unwrap_or(0.0);
    let fo_lat = first(
        keys,
        &[PROJ_FALSE_ORIGIN_LAT, PROJ_NAT_ORIGIN_LAT, PROJ_CENTER_LAT],
    )
    .unwrap_or(0.0);
    let fo_lon = first(
        keys,
        &[
            PROJ_FALSE_ORIGIN_LONG,
            PROJ_NAT_ORIGIN_LONG,
            PROJ_CENTER_LONG,
        ],
    )
    .unwrap_or(0.0);
    let c_lat = first(
        keys,
        &[PROJ_CENTER_LAT, PROJ_NAT_ORIGIN_LAT, PROJ_FALSE_ORIGIN_LAT],
    )
    .unwrap_or(0.0);
    let c_lon = first(
        keys,
        &[
            PROJ_CENTER_LONG,
            PROJ_NAT_ORIGIN_LONG,
            PROJ_FALSE_ORIGIN_LONG,
        ],
    )
    .unwrap_or(0.0);
    let fe = first(keys, &[PROJ_FALSE_EASTING, PROJ_FALSE_ORIGIN_EASTING]).unwrap_or(0.0);
    let fnn = first(keys, &[PROJ_FALSE_NORTHING, PROJ_FALSE_ORIGIN_NORTHING]).unwrap_or(0.0);
    let fo_e = first(keys, &[PROJ_FALSE_ORIGIN_EASTING, PROJ_FALSE_EASTING]).unwrap_or(0.0);
    let fo_n = first(keys, &[PROJ_FALSE_ORIGIN_NORTHING, PROJ_FALSE_NORTHING]).unwrap_or(0.0);
    let k = first(keys, &[PROJ_SCALE_AT_NAT_ORIGIN, PROJ_SCALE_AT_CENTER]).unwrap_or(1.0);
    let sp1 = keys.double(PROJ_STD_PARALLEL1).unwrap_or(0.0);
    let sp2 = keys.double(PROJ_STD_PARALLEL2).unwrap_or(0.0);
    let to_m = unit.to_meter;

    for (what, v) in [
        ("latitude", nat_lat),
        ("longitude", nat_lon),
        ("false easting", fe),
        ("false northing", fnn),
        ("scale", k),
        ("standard parallel", sp1),
        ("standard parallel", sp2),
    ] {
        if !v.is_finite() {
            return Err(Error::Invalid(format!("projection {what} {v}")));
        }
    }

    // UTM by ProjectionGeoKey (16001..16060 north, 16101..16160 south).
    let projection = keys.short(PROJECTION).filter(|c| *c != USER_DEFINED);
    let (method, params, proj): (&'static str, Vec<(&'static str, f64)>, String) = if let Some(
        code,
    ) = projection
    {
        let (zone, south) = match code {
            16001..=16060 => (code - 16000, false),
            16101..=16160 => (code - 16100, true),
            c => return Err(Error::Unsupported(format!("projection code {c}"))),
        };
        let lon0 = 6.0 * f64::from(zone) - 183.0;
        let fnorth = if south { 10_000_000.0 } else { 0.0 };
        (
            "Transverse_Mercator",
            vec![
                ("latitude_of_origin", 0.0),
                ("central_meridian", lon0),
                ("scale_factor", 0.9996),
                ("false_easting", 500_000.0),
                ("false_northing", fnorth),
            ],
            format!("+proj=tmerc +lat_0=0 +lon_0={lon0} +k=0.9996 +x_0=500000 +y_0={fnorth}"),
        )
    } else {
        let ct = keys.short(PROJ_COORD_TRANS).ok_or_else(|| {
            Error::Unsupported("user-defined projection without ProjCoordTransGeoKey".into())
        })?;
        let x0 = fe * to_m;
        let y0 = fnn * to_m;
        match ct {
                1 => (
                    "Transverse_Mercator",
                    vec![
                        ("latitude_of_origin", nat_lat),
                        ("central_meridian", nat_lon),
                        ("scale_factor", k),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=tmerc +lat_0={nat_lat} +lon_0={nat_lon} +k={k} +x_0={x0} +y_0={y0}"),
                ),
                7 => {
                    if keys.double(PROJ_STD_PARALLEL1).is_some() {
                        (
                            "Mercator_2SP",
                            vec![
                                ("standard_parallel_1", sp1),
                                ("central_meridian", nat_lon),
                                ("false_easting", fe),
                                ("false_northing", fnn),
                            ],
                            format!("+proj=merc +lat_ts={sp1} +lon_0={nat_lon} +x_0={x0} +y_0={y0}"),
                        )
                    } else {
                        let mut params = Vec::new();
                        if nat_lat != 0.0 {
                            params.push(("latitude_of_origin", nat_lat));
                        }
                        params.extend([
                            ("central_meridian", nat_lon),
                            ("scale_factor", k),
                            ("false_easting", fe),
                            ("false_northing", fnn),
                        ]);
                        (
                            "Mercator_1SP",
                            params,
                            format!("+proj=merc +lon_0={nat_lon} +k={k} +x_0={x0} +y_0={y0}"),
                        )
                    }
                }
                8 => {
                    let x0 = fo_e * to_m;
                    let y0 = fo_n * to_m;
                    (
                        "Lambert_Conformal_Conic_2SP",
                        vec![
                            ("latitude_of_origin", fo_lat),
                            ("central_meridian", fo_lon),
                            ("standard_parallel_1", sp1),
                            ("standard_parallel_2", sp2),
                            ("false_easting", fo_e),
                            ("false_northing", fo_n),
                        ],
                        format!("+proj=lcc +lat_0={fo_lat} +lon_0={fo_lon} +lat_1={sp1} +lat_2={sp2} +x_0={x0} +y_0={y0}"),
                    )
                }
                9 => (
                    "Lambert_Conformal_Conic_1SP",
                    vec![
                        ("latitude_of_origin", nat_lat),
                        ("central_meridian", nat_lon),
                        ("scale_factor", k),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=lcc +lat_1={nat_lat} +lat_0={nat_lat} +lon_0={nat_lon} +k_0={k} +x_0={x0} +y_0={y0}"),
                ),
                10 => (
                    "Lambert_Azimuthal_Equal_Area",
                    vec![
                        ("latitude_of_center", c_lat),
                        ("longitude_of_center", c_lon),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=laea +lat_0={c_lat} +lon_0={c_lon} +x_0={x0} +y_0={y0}"),
                ),
                11 => (
                    "Albers_Conic_Equal_Area",
                    vec![
                        ("latitude_of_center", nat_lat),
                        ("longitude_of_center", nat_lon),
                        ("standard_parallel_1", sp1),
                        ("standard_parallel_2", sp2),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=aea +lat_0={nat_lat} +lon_0={nat_lon} +lat_1={sp1} +lat_2={sp2} +x_0={x0} +y_0={y0}"),
                ),
                14 => (
                    "Stereographic",
                    vec![
                        ("latitude_of_origin", c_lat),
                        ("central_meridian", c_lon),
                        ("scale_factor", k),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=stere +lat_0={c_lat} +lon_0={c_lon} +k={k} +x_0={x0} +y_0={y0}"),
                ),
                15 => {
                    // Polar stereographic: NatOriginLat is the pole (variant A, with a
                    // scale) or the latitude of true scale (variant B).
                    let lon0 = first(keys, &[PROJ_STRAIGHT_VERT_POLE_LONG, PROJ_NAT_ORIGIN_LONG])
                        .unwrap_or(0.0);
                    let pole = if nat_lat < 0.0 { -90.0 } else { 90.0 };
                    // Variant A (origin at the pole) has a scale; variant B (a latitude of
                    // true scale) does not, and GDAL prints no scale_factor for it.
                    let mut params = vec![("latitude_of_origin", nat_lat), ("central_meridian", lon0)];
                    if nat_lat.abs() == 90.0 {
                        params.push(("scale_factor", k));
                    }
                    params.extend([("false_easting", fe), ("false_northing", fnn)]);
                    (
                        "Polar_Stereographic",
                        params,
                        format!("+proj=stere +lat_0={pole} +lat_ts={nat_lat} +lon_0={lon0} +k={k} +x_0={x0} +y_0={y0}"),
                    )
                }
                16 => (
                    "Oblique_Stereographic",
                    vec![
                        ("latitude_of_origin", nat_lat),
                        ("central_meridian", nat_lon),
                        ("scale_factor", k),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=sterea +lat_0={nat_lat} +lon_0={nat_lon} +k={k} +x_0={x0} +y_0={y0}"),
                ),
                17 => {
                    let mut params = Vec::new();
                    if c_lat != 0.0 {
                        params.push(("latitude_of_origin", c_lat));
                    }
                    params.extend([
                        ("standard_parallel_1", sp1),
                        ("central_meridian", c_lon),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ]);
                    (
                        "Equirectangular",
                        params,
                        format!("+proj=eqc +lat_ts={sp1} +lat_0={c_lat} +lon_0={c_lon} +x_0={x0} +y_0={y0}"),
                    )
                }
                18 => (
                    "Cassini_Soldner",
                    vec![
                        ("latitude_of_origin", nat_lat),
                        ("central_meridian", nat_lon),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=cass +lat_0={nat_lat} +lon_0={nat_lon} +x_0={x0} +y_0={y0}"),
                ),
                12 => (
                    "Azimuthal_Equidistant",
                    vec![
                        ("latitude_of_center", c_lat),
                        ("longitude_of_center", c_lon),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=aeqd +lat_0={c_lat} +lon_0={c_lon} +x_0={x0} +y_0={y0}"),
                ),
                21 => (
                    "Orthographic",
                    vec![
                        ("latitude_of_origin", c_lat),
                        ("central_meridian", c_lon),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=ortho +lat_0={c_lat} +lon_0={c_lon} +x_0={x0} +y_0={y0}"),
                ),
                22 => (
                    "Polyconic",
                    vec![
                        ("latitude_of_origin", nat_lat),
                        ("central_meridian", nat_lon),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=poly +lat_0={nat_lat} +lon_0={nat_lon} +x_0={x0} +y_0={y0}"),
                ),
                24 => (
                    "Sinusoidal",
                    vec![
                        ("longitude_of_center", c_lon),
                        ("false_easting", fe),
                        ("false_northing", fnn),
                    ],
                    format!("+proj=sinu +lon_0={c_lon} +x_0={x0} +y_0={y0}"),
                ),
                // Hotine oblique Mercator: 3 is variant A (EPSG 9812, no false-origin offset),
                // 9815 variant B (origin at the projection centre). Key 3096 is
                // ProjRectifiedGridAngleGeoKey (not in the shared key list).
                3 | 9815 => {
                    let azimuth = keys.double(PROJ_AZIMUTH_ANGLE).unwrap_or(0.0);
                    let gamma = keys.double(3096).unwrap_or(azimuth);
                    let k = first(keys, &[PROJ_SCALE_AT_CENTER, PROJ_SCALE_AT_NAT_ORIGIN]).unwrap_or(1.0);
                    let (method, flag) = if ct == 3 {
                        ("Hotine_Oblique_Mercator", " +no_uoff")
                    } else {
                        ("Hotine_Oblique_Mercator_Azimuth_Center", "")
                    };
                    (
                        method,
                        vec![
                            ("latitude_of_center", c_lat),
                            ("longitude_of_center", c_lon),
                            ("azimuth", azimuth),
                            ("rectified_grid_angle", gamma),
                            ("scale_factor", k),
                            ("false_easting", fe),
                            ("false_northing", fnn),
                        ],
                        format!("+proj=omerc +lat_0={c_lat} +lonc={c_lon} +alpha={azimuth} +gamma={gamma} +k={k} +x_0={x0} +y_0={y0}{flag}"),
                    )
                }
                c => {
                    return Err(Error::Unsupported(format!(
                        "geotiff coordinate transformation {c}"
                    )))
                }
            }
    };
    Ok(ProjectedCs {
        name,
        geog,
        method,
        params,
        unit,
        proj_projection: proj,
    })
}
