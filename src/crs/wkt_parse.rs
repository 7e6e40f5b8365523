//! Reading WKT CRS definitions given as user input (`dst_crs=PROJCS[...]`).
//!
//! Well-known text is a tree of `KEYWORD[arg, arg, ...]` nodes. We accept what TiTiler users
//! realistically paste: any WKT (1 or 2) whose top node carries an EPSG identifier
//! (`AUTHORITY["EPSG","3857"]` / `ID["EPSG",3857]`), and WKT1 `GEOGCS`/`PROJCS` without one
//! for the projections [`super::geokeys`] also builds (what `/info` prints for user-defined
//! GeoTIFF CRSs, so that text can be fed back). Anything else is a clear error.

use super::wkt::{GeographicCs, LinearUnit, ProjectedCs, Spheroid};
use super::{Crs, Error};

/// One WKT node argument.
#[derive(Clone, Debug, PartialEq)]
enum Arg {
    Str(String),
    Num(f64),
    Ident(String),
    Node(Node),
}

#[derive(Clone, Debug, PartialEq)]
struct Node {
    name: String,
    args: Vec<Arg>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.args.iter().find_map(|a| match a {
            Arg::Node(n) if n.name.eq_ignore_ascii_case(name) => Some(n),
            _ => None,
        })
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.args.iter().filter_map(move |a| match a {
            Arg::Node(n) if n.name.eq_ignore_ascii_case(name) => Some(n),
            _ => None,
        })
    }

    fn str_arg(&self, i: usize) -> Option<&str> {
        match self.args.get(i)? {
            Arg::Str(s) => Some(s),
            _ => None,
        }
    }

    fn num_arg(&self, i: usize) -> Option<f64> {
        match self.args.get(i)? {
            Arg::Num(v) => Some(*v),
            Arg::Str(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// `AUTHORITY["EPSG","4326"]` or `ID["EPSG",4326]` directly under this node.
    fn epsg(&self) -> Option<u32> {
        let n = self.child("AUTHORITY").or_else(|| self.child("ID"))?;
        if !n.str_arg(0)?.eq_ignore_ascii_case("EPSG") {
            return None;
        }
        match n.args.get(1)? {
            Arg::Str(s) => s.parse().ok(),
            Arg::Num(v) if v.fract() == 0.0 && *v > 0.0 && *v < 1e9 => Some(*v as u32),
            _ => None,
        }
    }
}

/// Maximum nesting accepted (real CRS WKT nests about 5 deep).
const MAX_DEPTH: usize = 32;

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> Error {
        Error::Invalid(format!("wkt: {what} at byte {}", self.pos))
    }

    fn skip_ws(&mut self) {
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.pos]).into_owned()
    }

    fn node(&mut self, depth: usize) -> Result<Node, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        self.skip_ws();
        let name = self.ident();
        if name.is_empty() {
            return Err(self.err("expected a keyword"));
        }
        self.skip_ws();
        let close = match self.s.get(self.pos) {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return Err(self.err("expected `[`")),
        };
        self.pos += 1;
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            match self.s.get(self.pos) {
                Some(c) if *c == close => {
                    self.pos += 1;
                    break;
                }
                Some(b',') if !args.is_empty() => {
                    self.pos += 1;
                    continue;
                }
                Some(b'"') => {
                    self.pos += 1;
                    let start = self.pos;
                    // WKT escapes a quote by doubling it.
                    let mut out = Vec::new();
                    loop {
                        match self.s.get(self.pos) {
                            Some(b'"') if self.s.get(self.pos + 1) == Some(&b'"') => {
                                out.push(b'"');
                                self.pos += 2;
                            }
                            Some(b'"') => break,
                            Some(c) => {
                                out.push(*c);
                                self.pos += 1;
                            }
                            None => {
                                self.pos = start;
                                return Err(self.err("unterminated string"));
                            }
                        }
                    }
                    self.pos += 1;
                    args.push(Arg::Str(String::from_utf8_lossy(&out).into_owned()));
                }
                Some(c) if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => {
                    let start = self.pos;
                    while self.s.get(self.pos).is_some_and(|c| {
                        c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
                    }) {
                        self.pos += 1;
                    }
                    let text = String::from_utf8_lossy(&self.s[start..self.pos]);
                    let v: f64 = text.parse().map_err(|_| self.err("bad number"))?;
                    args.push(Arg::Num(v));
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    let save = self.pos;
                    let id = self.ident();
                    self.skip_ws();
                    if matches!(self.s.get(self.pos), Some(b'[') | Some(b'(')) {
                        self.pos = save;
                        args.push(Arg::Node(self.node(depth + 1)?));
                    } else {
                        args.push(Arg::Ident(id));
                    }
                }
                _ => return Err(self.err("unexpected character")),
            }
        }
        Ok(Node { name, args })
    }
}

fn parse_tree(text: &str) -> Result<Node, Error> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let n = p.node(0)?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(p.err("trailing characters"));
    }
    Ok(n)
}

/// Whether `s` looks like WKT (a known CRS keyword followed by a bracket).
pub fn looks_like_wkt(s: &str) -> bool {
    let head: String = s
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(
        head.as_str(),
        "PROJCS"
            | "GEOGCS"
            | "PROJCRS"
            | "GEOGCRS"
            | "GEODCRS"
            | "BOUNDCRS"
            | "COMPOUNDCRS"
            | "COMPD_CS"
    )
}

/// Parses a WKT CRS.
pub fn parse_wkt(text: &str) -> Result<Crs, Error> {
    let root = parse_tree(text)?;
    if let Some(code) = root.epsg() {
        return Crs::from_epsg(code);
    }
    match root.name.to_ascii_uppercase().as_str() {
        "GEOGCS" => {
            let g = geographic(&root)?;
            Crs::build(
                g.proj_string(),
                None,
                None,
                true,
                Some(g.to_wkt_node(true)),
                g.name.clone(),
            )
        }
        "PROJCS" => {
            let p = projected(&root)?;
            Crs::build(
                p.proj_string(),
                None,
                None,
                false,
                Some(p.to_wkt()),
                p.name.clone(),
            )
        }
        other => Err(Error::Unsupported(format!(
            "wkt {other} without an EPSG identifier"
        ))),
    }
}

fn geographic(n: &Node) -> Result<GeographicCs, Error> {
    let missing = |what: &str| Error::Invalid(format!("wkt GEOGCS without {what}"));
    let name = n.str_arg(0).unwrap_or("unknown").to_string();
    let datum = n.child("DATUM").ok_or_else(|| missing("DATUM"))?;
    let sph = datum.child("SPHEROID").ok_or_else(|| missing("SPHEROID"))?;
    let a = sph.num_arg(1).ok_or_else(|| missing("semi-major axis"))?;
    let inv_f = sph
        .num_arg(2)
        .ok_or_else(|| missing("inverse flattening"))?;
    if !(a.is_finite() && a > 0.0 && inv_f.is_finite() && inv_f >= 0.0) {
        return Err(Error::Invalid(format!("wkt spheroid a={a} 1/f={inv_f}")));
    }
    let datum_name = datum.str_arg(0).unwrap_or("unknown").to_string();
    let datum_epsg = datum.epsg();
    let towgs84: Option<Vec<f64>> = datum
        .child("TOWGS84")
        .map(|t| (0..t.args.len()).filter_map(|i| t.num_arg(i)).collect());
    let ellps = if inv_f == 0.0 {
        format!("+R={a}")
    } else {
        format!("+a={a} +rf={inv_f}")
    };
    let proj_datum = if datum_epsg == Some(6326) || datum_name.eq_ignore_ascii_case("WGS_1984") {
        "+datum=WGS84".to_string()
    } else if let Some(t) = towgs84.filter(|t| t.len() == 3 || t.len() == 7) {
        let t: Vec<String> = t.iter().map(|v| v.to_string()).collect();
        format!("{ellps} +towgs84={}", t.join(","))
    } else {
        ellps
    };
    let (primem, primem_lon) = match n.child("PRIMEM") {
        Some(p) => (
            p.str_arg(0).unwrap_or("Greenwich").to_string(),
            p.num_arg(1).unwrap_or(0.0),
        ),
        None => ("Greenwich".to_string(), 0.0),
    };
    if let Some(u) = n.child("UNIT") {
        let f = u.num_arg(1).unwrap_or(f64::NAN);
        if (f - std::f64::consts::PI / 180.0).abs() > 1e-12 {
            return Err(Error::Unsupported(format!("wkt angular unit factor {f}")));
        }
    }
    Ok(GeographicCs {
        name,
        datum: datum_name,
        datum_epsg,
        spheroid: Spheroid {
            name: sph.str_arg(0).unwrap_or("unnamed").to_string(),
            a,
            inv_f,
            epsg: sph.epsg(),
        },
        primem,
        primem_lon,
        primem_epsg: n.child("PRIMEM").and_then(Node::epsg),
        epsg: n.epsg(),
        proj_datum,
    })
}

fn projected(n: &Node) -> Result<ProjectedCs, Error> {
    let geog = geographic(
        n.child("GEOGCS")
            .ok_or_else(|| Error::Invalid("wkt PROJCS without GEOGCS".into()))?,
    )?;
    let method_name = n
        .child("PROJECTION")
        .and_then(|p| p.str_arg(0))
        .ok_or_else(|| Error::Invalid("wkt PROJCS without PROJECTION".into()))?
        .to_string();
    let unit = match n.child("UNIT") {
        Some(u) => LinearUnit {
            name: u.str_arg(0).unwrap_or("metre").to_string(),
            to_meter: u.num_arg(1).unwrap_or(1.0),
            epsg: u.epsg(),
        },
        None => LinearUnit::metre(),
    };
    if !(unit.to_meter.is_finite() && unit.to_meter > 0.0) {
        return Err(Error::Invalid(format!("wkt unit factor {}", unit.to_meter)));
    }
    let params: Vec<(String, f64)> = n
        .children("PARAMETER")
        .filter_map(|p| Some((p.str_arg(0)?.to_ascii_lowercase(), p.num_arg(1)?)))
        .collect();
    let get = |names: &[&str], default: f64| -> f64 {
        names
            .iter()
            .find_map(|k| params.iter().find(|(n, _)| n == k).map(|(_, v)| *v))
            .unwrap_or(default)
    };
    let lat0 = get(&["latitude_of_origin", "latitude_of_center"], 0.0);
    let lon0 = get(&["central_meridian", "longitude_of_center"], 0.0);
    let k = get(&["scale_factor"], 1.0);
    let fe = get(&["false_easting"], 0.0);
    let fnn = get(&["false_northing"], 0.0);
    let sp1 = get(&["standard_parallel_1"], 0.0);
    let sp2 = get(&["standard_parallel_2"], 0.0);
    let (x0, y0) = (fe * unit.to_meter, fnn * unit.to_meter);
    let (method, proj): (&'static str, String) = match method_name.as_str() {
        "Transverse_Mercator" => ("Transverse_Mercator", format!("+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k={k} +x_0={x0} +y_0={y0}")),
        "Mercator_1SP" => ("Mercator_1SP", format!("+proj=merc +lon_0={lon0} +k={k} +x_0={x0} +y_0={y0}")),
        "Mercator_2SP" => ("Mercator_2SP", format!("+proj=merc +lat_ts={sp1} +lon_0={lon0} +x_0={x0} +y_0={y0}")),
        "Lambert_Conformal_Conic_2SP" => ("Lambert_Conformal_Conic_2SP", format!("+proj=lcc +lat_0={lat0} +lon_0={lon0} +lat_1={sp1} +lat_2={sp2} +x_0={x0} +y_0={y0}")),
        "Lambert_Conformal_Conic_1SP" => ("Lambert_Conformal_Conic_1SP", format!("+proj=lcc +lat_1={lat0} +lat_0={lat0} +lon_0={lon0} +k_0={k} +x_0={x0} +y_0={y0}")),
        "Lambert_Azimuthal_Equal_Area" => ("Lambert_Azimuthal_Equal_Area", format!("+proj=laea +lat_0={lat0} +lon_0={lon0} +x_0={x0} +y_0={y0}")),
        "Albers_Conic_Equal_Area" => ("Albers_Conic_Equal_Area", format!("+proj=aea +lat_0={lat0} +lon_0={lon0} +lat_1={sp1} +lat_2={sp2} +x_0={x0} +y_0={y0}")),
        "Polar_Stereographic" => {
            let pole = if lat0 < 0.0 { -90.0 } else { 90.0 };
            ("Polar_Stereographic", format!("+proj=stere +lat_0={pole} +lat_ts={lat0} +lon_0={lon0} +k={k} +x_0={x0} +y_0={y0}"))
        }
        "Stereographic" => ("Stereographic", format!("+proj=stere +lat_0={lat0} +lon_0={lon0} +k={k} +x_0={x0} +y_0={y0}")),
        "Oblique_Stereographic" => ("Oblique_Stereographic", format!("+proj=sterea +lat_0={lat0} +lon_0={lon0} +k={k} +x_0={x0} +y_0={y0}")),
        "Equirectangular" => ("Equirectangular", format!("+proj=eqc +lat_ts={sp1} +lat_0={lat0} +lon_0={lon0} +x_0={x0} +y_0={y0}")),
        "Sinusoidal" => ("Sinusoidal", format!("+proj=sinu +lon_0={lon0} +x_0={x0} +y_0={y0}")),
        "Azimuthal_Equidistant" => ("Azimuthal_Equidistant", format!("+proj=aeqd +lat_0={lat0} +lon_0={lon0} +x_0={x0} +y_0={y0}")),
        "Orthographic" => ("Orthographic", format!("+proj=ortho +lat_0={lat0} +lon_0={lon0} +x_0={x0} +y_0={y0}")),
        "Cassini_Soldner" => ("Cassini_Soldner", format!("+proj=cass +lat_0={lat0} +lon_0={lon0} +x_0={x0} +y_0={y0}")),
        "Polyconic" => ("Polyconic", format!("+proj=poly +lat_0={lat0} +lon_0={lon0} +x_0={x0} +y_0={y0}")),
        other => return Err(Error::Unsupported(format!("wkt projection {other}"))),
    };
    let wkt_params = n
        .children("PARAMETER")
        .filter_map(|p| {
            let name = p.str_arg(0)?;
            // Keep WKT parameter names as static strings for the printer.
            let known: &'static str = [
                "latitude_of_origin",
                "latitude_of_center",
                "central_meridian",
                "longitude_of_center",
                "scale_factor",
                "false_easting",
                "false_northing",
                "standard_parallel_1",
                "standard_parallel_2",
            ]
            .into_iter()
            .find(|k| k.eq_ignore_ascii_case(name))?;
            Some((known, p.num_arg(1)?))
        })
        .collect();
    Ok(ProjectedCs {
        name: n.str_arg(0).unwrap_or("unnamed").to_string(),
        geog,
        method,
        params: wkt_params,
        unit,
        proj_projection: proj,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARS: &str = r#"PROJCS["Equirectangular MARS",GEOGCS["GCS_MARS",DATUM["D_MARS",SPHEROID["MARS_localRadius",3395582.0270805,0]],PRIMEM["Reference_Meridian",0],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]]],PROJECTION["Equirectangular"],PARAMETER["standard_parallel_1",-10],PARAMETER["central_meridian",180],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#;

    #[test]
    fn our_own_wkt_round_trips() {
        let c = parse_wkt(MARS).unwrap();
        assert_eq!(c.to_titiler_string(), MARS);
        assert!(!c.is_earth());
        assert_eq!(c.epsg(), None);
    }

    #[test]
    fn epsg_identifiers_win() {
        let wkt1 = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]"#;
        assert_eq!(parse_wkt(wkt1).unwrap().epsg(), Some(4326));
        let wkt2 = r#"PROJCRS["WGS 84 / UTM zone 31N",BASEGEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]]],CONVERSION["UTM zone 31N",METHOD["Transverse Mercator"]],CS[Cartesian,2],ID["EPSG",32631]]"#;
        assert_eq!(parse_wkt(wkt2).unwrap().epsg(), Some(32631));
    }

    #[test]
    fn projected_without_code_matches_the_table() {
        // EPSG:3035 written out without its AUTHORITY: same numbers as the table entry.
        let wkt = r#"PROJCS["laea",GEOGCS["ETRS89",DATUM["ETRS89",SPHEROID["GRS 1980",6378137,298.257222101],TOWGS84[0,0,0,0,0,0,0]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Azimuthal_Equal_Area"],PARAMETER["latitude_of_center",52],PARAMETER["longitude_of_center",10],PARAMETER["false_easting",4321000],PARAMETER["false_northing",3210000],UNIT["metre",1]]"#;
        let c = parse_wkt(wkt).unwrap();
        let table = Crs::from_epsg(3035).unwrap();
        let geo = Crs::wgs84();
        let a = crate::crs::Transformer::new(&geo, &c)
            .unwrap()
            .transform_point(9.48, 51.31)
            .unwrap();
        let b = crate::crs::Transformer::new(&geo, &table)
            .unwrap()
            .transform_point(9.48, 51.31)
            .unwrap();
        assert!(
            (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6,
            "{a:?} {b:?}"
        );
    }

    #[test]
    fn custom_azimuthal_equidistant() {
        // a custom WKT as GDAL prints it; the projection centre maps to the false origin
        let wkt = r#"PROJCS["custom azimuthal equidistant",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Azimuthal_Equidistant"],PARAMETER["latitude_of_center",48.0],PARAMETER["longitude_of_center",8.0],PARAMETER["false_easting",100],PARAMETER["false_northing",0],UNIT["metre",1]]"#;
        let c = parse_wkt(wkt).unwrap();
        let t = crate::crs::Transformer::new(&Crs::wgs84(), &c).unwrap();
        let (x, y) = t.transform_point(8.0, 48.0).unwrap();
        assert!((x - 100.0).abs() < 1e-6 && y.abs() < 1e-6, "{x} {y}");
        // one degree north of the centre is ~111.2 km away along the meridian
        let (x, y) = t.transform_point(8.0, 49.0).unwrap();
        assert!(
            (x - 100.0).abs() < 1e-6 && (y - 111_238.0).abs() < 100.0,
            "{x} {y}"
        );
    }

    #[test]
    fn bad_wkt_is_invalid_or_unsupported() {
        for s in [
            "PROJCS[",
            "PROJCS[\"x\"",
            "GEOGCS[\"x\"]",
            "PROJCS[\"x\"]]",
            "GEOGCS[\"x\",DATUM[\"d\",SPHEROID[\"s\",-1,0]]]",
        ] {
            assert!(
                matches!(parse_wkt(s), Err(Error::Invalid(_))),
                "{s}: {:?}",
                parse_wkt(s)
            );
        }
        let deep = format!("{}{}", "GEOGCS[".repeat(100), "]".repeat(100));
        assert!(parse_wkt(&deep).is_err());
        let omerc = MARS.replace("Equirectangular\"]", "Hotine_Oblique_Mercator\"]");
        assert!(matches!(parse_wkt(&omerc), Err(Error::Unsupported(_))));
        assert!(looks_like_wkt(" projcs[\"a\"]") && !looks_like_wkt("EPSG:4326"));
    }
}
