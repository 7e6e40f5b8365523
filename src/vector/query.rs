//! Building the one SQL statement each request runs, from the catalog and the request's
//! parsed parameters ([`ItemsQuery`]); the text/parameter discipline is [`super::sql`]'s.

use super::catalog::{Collection, Column, Kind};
use super::error::Error;
use super::sql::Sql;

/// A column of `t` as a geometry: `CAST(t."g" AS geometry)`.
pub fn geom_of(sql: &mut Sql, c: &Column) {
    sql.push("CAST(t.").ident(&c.name).push(" AS geometry)");
}

/// A temporal filter value: `=` one instant, or an interval with open ends (`..`).
#[derive(Clone, Debug, PartialEq)]
pub enum Datetime {
    Instant(String),
    Interval(Option<String>, Option<String>),
}

/// What to return for the items of a collection.
#[derive(Clone, Debug, Default)]
pub struct ItemsQuery {
    pub ids: Vec<String>,
    /// WGS84 `[west, south, east, north]`.
    pub bbox: Option<[f64; 4]>,
    pub datetime: Option<Datetime>,
    /// `column = value` filters (query parameters named after columns).
    pub equals: Vec<(String, String)>,
    pub filter: Option<cql2::Expr>,
    pub sortby: Option<String>,
    pub properties: Option<Vec<String>>,
    pub geom_column: Option<String>,
    pub datetime_column: Option<String>,
    pub limit: u32,
    pub offset: u64,
    pub bbox_only: bool,
    pub simplify: Option<f64>,
    /// Function collections: parameter name → value.
    pub function_params: Vec<(String, String)>,
}

/// The target tile: its bounds and CRS in the TileMatrixSet.
#[derive(Clone, Debug)]
pub struct TileTarget {
    /// `[minx, miny, maxx, maxy]` in the TMS CRS.
    pub bounds: [f64; 4],
    /// The TMS CRS: an EPSG code PostGIS knows, else a PROJ string.
    pub srid: Option<u32>,
    pub proj: String,
}

/// The `FROM` clause: the relation or the function call (named arguments, each
/// `CAST($n AS type)` with the type from the catalog).
pub fn push_from(sql: &mut Sql, c: &Collection, params: &[(String, String)]) {
    sql.push(" FROM ").ident(&c.schema).push(".").ident(&c.name);
    if c.kind == Kind::Function {
        sql.push("(");
        let mut first = true;
        for p in &c.parameters {
            if let Some((_, v)) = params.iter().find(|(n, _)| n == &p.name) {
                if !first {
                    sql.push(", ");
                }
                first = false;
                sql.ident(&p.name).push(" => CAST(").param(v.clone());
                sql.push(" AS ").push(&p.typ).push(")");
            }
        }
        sql.push(")");
    }
    sql.push(" AS t");
}

/// `WHERE ...` for a request: the filter, ids, column equalities, bbox, datetime and, for
/// tiles, the tile envelope, ANDed.
pub fn push_where(
    sql: &mut Sql,
    c: &Collection,
    q: &ItemsQuery,
    tile: Option<&TileTarget>,
) -> Result<(), Error> {
    let geom = c.geometry(q.geom_column.as_deref())?;
    sql.push(" WHERE TRUE");
    if let Some(f) = &q.filter {
        sql.push(" AND (");
        super::filter::push_expr(sql, c, geom, f)?;
        sql.push(")");
    }
    if !q.ids.is_empty() {
        let id = id_column(c)?;
        sql.push(" AND t.").ident(&id.name).push(" IN (");
        for (i, v) in q.ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.param(v.clone());
        }
        sql.push(")");
    }
    for (name, v) in &q.equals {
        let col = c
            .column(name)
            .ok_or_else(|| Error::UnknownColumn(format!("Invalid property name: {name}")))?;
        sql.push(" AND t.")
            .ident(&col.name)
            .push(" = ")
            .param(v.clone());
    }
    if let (Some(b), Some(g)) = (q.bbox, geom) {
        sql.push(" AND ST_Intersects(");
        geom_of(sql, g);
        sql.push(", ");
        envelope_in(sql, b, "4326", g.srid.unwrap_or(4326));
        sql.push(")");
    }
    if let Some(dt) = &q.datetime {
        let col = c.datetime(q.datetime_column.as_deref())?;
        let mut cmp = |op: &str, v: &str| {
            sql.push(" AND t.").ident(&col.name).push(op).push("CAST(");
            sql.param(v).push(" AS timestamptz)");
        };
        match dt {
            Datetime::Instant(v) => cmp(" = ", v),
            Datetime::Interval(start, end) => {
                if let Some(s) = start {
                    cmp(" >= ", s);
                }
                if let Some(e) = end {
                    cmp(if start.is_some() { " < " } else { " <= " }, e);
                }
            }
        }
    }
    if let (Some(t), Some(g)) = (tile, geom) {
        sql.push(" AND ST_Intersects(");
        geom_of(sql, g);
        sql.push(", ");
        let srid = g.srid.unwrap_or(4326);
        match t.srid {
            Some(s) => envelope_in(sql, t.bounds, &s.to_string(), srid),
            None => {
                sql.push("ST_Transform(ST_MakeEnvelope(");
                push_bounds(sql, t.bounds);
                sql.push("), ").param(t.proj.clone());
                sql.push(", ").push(&srid.to_string()).push(")");
            }
        }
        sql.push(")");
    }
    Ok(())
}

fn push_bounds(sql: &mut Sql, b: [f64; 4]) {
    for (i, v) in b.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.float(*v);
    }
}

/// `ST_MakeEnvelope(b, from)` transformed to `to` when the SRIDs differ. The SRIDs are
/// integers from the catalog or a TileMatrixSet, formatted here.
fn envelope_in(sql: &mut Sql, b: [f64; 4], from: &str, to: i32) {
    let same = from == to.to_string();
    if !same {
        sql.push("ST_Transform(");
    }
    sql.push("ST_MakeEnvelope(");
    push_bounds(sql, b);
    sql.push(", ").push(from).push(")");
    if !same {
        sql.push(", ").push(&to.to_string()).push(")");
    }
}

fn id_column(c: &Collection) -> Result<&Column, Error> {
    c.id_column
        .as_deref()
        .and_then(|n| c.column(n))
        .ok_or_else(|| Error::BadRequest(format!("Collection {} has no id column.", c.id)))
}

/// `ORDER BY ...` from `sortby` (`name,-pop`), else the id column, else the first property.
pub fn push_order(sql: &mut Sql, c: &Collection, sortby: Option<&str>) -> Result<(), Error> {
    sql.push(" ORDER BY ");
    match sortby.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            for (i, part) in s.split(',').enumerate() {
                let (desc, name) = match part.strip_prefix('-') {
                    Some(n) => (true, n),
                    None => (false, part.strip_prefix('+').unwrap_or(part)),
                };
                let name = name.trim();
                let col = c.column(name).ok_or_else(|| {
                    Error::UnknownColumn(format!("Property {name} does not exist."))
                })?;
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("t.").ident(&col.name);
                if desc {
                    sql.push(" DESC");
                }
            }
        }
        None => {
            let name = c
                .id_column
                .clone()
                .or_else(|| c.columns.first().map(|c| c.name.clone()));
            match name {
                Some(n) => {
                    sql.push("t.").ident(&n);
                }
                None => {
                    sql.push("1");
                }
            }
        }
    }
    Ok(())
}

/// Numeric values are rendered as strings (TiPg's Python `Decimal`); other columns as
/// PostgreSQL's JSON of them.
fn push_property(sql: &mut Sql, col: &Column) {
    sql.push("t.").ident(&col.name);
    if col.typ == "numeric" {
        sql.push("::text");
    }
    sql.push(" AS ").ident(&col.name);
}

/// How the geometry of each item is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeomFormat {
    GeoJson,
    /// `SRID=4326;POINT(...)` (TiPg's `f=json` / csv).
    Ewkt,
}

/// The items statement: columns `props` (JSON text), `id` (JSON text) and `geom` (text).
pub fn items(c: &Collection, q: &ItemsQuery, fmt: GeomFormat) -> Result<Sql, Error> {
    let mut sql = Sql::default();
    let geom = c.geometry(q.geom_column.as_deref())?;
    let props = c.property_columns(q.properties.as_deref());
    sql.push("SELECT (SELECT row_to_json(r) FROM (SELECT ");
    if props.is_empty() {
        sql.push("1 WHERE FALSE");
    }
    for (i, col) in props.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        push_property(&mut sql, col);
    }
    sql.push(") r)::text AS props, ");
    match c.id_column.as_deref() {
        Some(id) => {
            sql.push("to_json(t.").ident(id).push(")::text AS id, ");
        }
        None => {
            sql.push("(row_number() OVER ())::text AS id, ");
        }
    }
    match geom {
        Some(g) => {
            sql.push(match fmt {
                GeomFormat::GeoJson => "ST_AsGeoJSON(",
                GeomFormat::Ewkt => "ST_AsEWKT(",
            });
            if q.bbox_only {
                sql.push("ST_Envelope(");
                push_geom_4326(&mut sql, g);
                sql.push(")");
            } else if let Some(s) = q.simplify {
                sql.push("ST_SnapToGrid(ST_SimplifyPreserveTopology(");
                push_geom_4326(&mut sql, g);
                sql.push(", ").float(s).push("), ").float(s).push(")");
            } else {
                push_geom_4326(&mut sql, g);
            }
            sql.push(")::text AS geom");
        }
        None => {
            sql.push("NULL::text AS geom");
        }
    }
    finish_items(sql, c, q)
}

fn push_geom_4326(sql: &mut Sql, g: &Column) {
    if g.srid.unwrap_or(4326) != 4326 {
        sql.push("ST_Transform(");
        geom_of(sql, g);
        sql.push(", 4326)");
    } else {
        geom_of(sql, g);
    }
}

fn finish_items(mut sql: Sql, c: &Collection, q: &ItemsQuery) -> Result<Sql, Error> {
    push_from(&mut sql, c, &q.function_params);
    push_where(&mut sql, c, q, None)?;
    push_order(&mut sql, c, q.sortby.as_deref())?;
    sql.push(" LIMIT ").param(q.limit.to_string());
    sql.push(" OFFSET ").param(q.offset.to_string());
    Ok(sql)
}

/// `SELECT count(*)` over the same filter.
pub fn count(c: &Collection, q: &ItemsQuery) -> Result<Sql, Error> {
    let mut sql = Sql::default();
    sql.push("SELECT count(*)");
    push_from(&mut sql, c, &q.function_params);
    push_where(&mut sql, c, q, None)?;
    Ok(sql)
}

/// Valid latitudes, any longitude, in EPSG:4326.
const WORLD: &str = "ST_MakeEnvelope(-1000000, -90, 1000000, 90, 4326)";

/// MVT parameters (TiPg's defaults).
pub const MVT_EXTENT: u32 = 4096;
pub const MVT_BUFFER: u32 = 256;

/// The tile statement: features intersecting the tile, projected to the TMS CRS, cut by
/// `ST_AsMVTGeom` and encoded by `ST_AsMVT` as layer `default`.
pub fn tile(c: &Collection, q: &ItemsQuery, t: &TileTarget) -> Result<Sql, Error> {
    let g = c
        .geometry(q.geom_column.as_deref())?
        .ok_or_else(|| Error::UnknownColumn("Invalid Geometry Column Name none".into()))?;
    let props = c.property_columns(q.properties.as_deref());
    let mut sql = Sql::default();
    sql.push("WITH t AS (SELECT ");
    for col in &props {
        push_property(&mut sql, col);
        sql.push(", ");
    }
    sql.push("ST_AsMVTGeom(ST_Transform(");
    let source = |sql: &mut Sql| {
        if let Some(s) = q.simplify {
            sql.push("ST_SnapToGrid(ST_SimplifyPreserveTopology(");
            geom_of(sql, g);
            sql.push(", ").float(s).push("), ").float(s).push(")");
        } else {
            geom_of(sql, g);
        }
    };
    if g.srid.unwrap_or(4326) == 4326 {
        // Latitudes beyond ±90 (a function's grid over the whole world, say) cannot be
        // projected: cut them off first. The bbox test keeps the cost to the rare offenders.
        sql.push("CASE WHEN ");
        source(&mut sql);
        sql.push(&format!(" @ {WORLD} THEN "));
        source(&mut sql);
        sql.push(" ELSE ST_Intersection(");
        source(&mut sql);
        sql.push(&format!(", {WORLD}) END"));
    } else {
        source(&mut sql);
    }
    sql.push(", ");
    match t.srid {
        Some(s) => {
            sql.push(&s.to_string());
        }
        None => {
            sql.param(t.proj.clone()).push("::text");
        }
    }
    sql.push("), ST_MakeEnvelope(");
    push_bounds(&mut sql, t.bounds);
    sql.push(&format!("), {MVT_EXTENT}, {MVT_BUFFER}, true) AS geom"));
    push_from(&mut sql, c, &q.function_params);
    push_where(&mut sql, c, q, Some(t))?;
    push_order(&mut sql, c, q.sortby.as_deref())?;
    sql.push(" LIMIT ").param(q.limit.to_string());
    sql.push(") SELECT ST_AsMVT(t.*, 'default', ");
    sql.push(&format!("{MVT_EXTENT}, 'geom') FROM t"));
    Ok(sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::catalog::Column;
    use crate::vector::sql::quote_ident;

    fn col(name: &str, typ: &str) -> Column {
        Column {
            name: name.into(),
            typ: typ.into(),
            geometry_type: (typ == "geometry").then(|| "Point".into()),
            srid: (typ == "geometry").then_some(4326),
            bounds: None,
            mindt: None,
            maxdt: None,
            default: None,
        }
    }

    fn coll() -> Collection {
        Collection {
            id: "public.t".into(),
            schema: "public".into(),
            name: "t".into(),
            kind: Kind::Table,
            description: None,
            columns: vec![
                col("gid", "integer"),
                col("geom", "geometry"),
                col("na\"me", "text"),
            ],
            id_column: Some("gid".into()),
            geometry_column: Some("geom".into()),
            datetime_column: None,
            parameters: vec![],
        }
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("a"), "\"a\"");
        assert_eq!(
            quote_ident("a\"; DROP TABLE x; --"),
            "\"a\"\"; DROP TABLE x; --\""
        );
    }

    #[test]
    fn values_are_parameters() {
        let q = ItemsQuery {
            ids: vec!["1'; DROP TABLE t; --".into()],
            equals: vec![("na\"me".into(), "x' OR 1=1".into())],
            bbox: Some([1.0, 2.0, 3.0, 4.0]),
            limit: 10,
            ..Default::default()
        };
        let sql = items(&coll(), &q, GeomFormat::GeoJson).unwrap();
        assert!(!sql.text.contains("DROP"), "{}", sql.text);
        assert!(!sql.text.contains("OR 1=1"), "{}", sql.text);
        assert!(sql.text.contains("t.\"na\"\"me\" = $2"), "{}", sql.text);
        assert!(sql.text.contains("t.\"gid\" IN ($1)"), "{}", sql.text);
        assert!(sql.text.contains("LIMIT $7 OFFSET $8"), "{}", sql.text);
        assert_eq!(sql.params.len(), 8);
        assert_eq!(sql.params[0].0, "1'; DROP TABLE t; --");
    }

    #[test]
    fn unknown_columns_are_rejected() {
        let q = ItemsQuery {
            sortby: Some("gid;DROP".into()),
            limit: 1,
            ..Default::default()
        };
        assert!(matches!(
            items(&coll(), &q, GeomFormat::GeoJson),
            Err(Error::UnknownColumn(_))
        ));
        let q = ItemsQuery {
            equals: vec![("x\" = 1 --".into(), "1".into())],
            ..Default::default()
        };
        assert!(count(&coll(), &q).is_err());
    }

    #[test]
    fn tile_statement() {
        let t = TileTarget {
            bounds: [0.0, 0.0, 1.0, 1.0],
            srid: Some(3857),
            proj: String::new(),
        };
        let sql = tile(
            &coll(),
            &ItemsQuery {
                limit: 5,
                ..Default::default()
            },
            &t,
        )
        .unwrap();
        assert!(sql
            .text
            .contains("ST_AsMVTGeom(ST_Transform(CASE WHEN CAST(t.\"geom\" AS geometry) @ "));
        assert!(sql.text.contains("4096, 256, true"));
        assert!(sql
            .text
            .ends_with("ST_AsMVT(t.*, 'default', 4096, 'geom') FROM t"));
    }
}
