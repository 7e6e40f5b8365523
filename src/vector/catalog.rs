//! The collection catalog: which tables, views and set-returning functions of the configured
//! schemas are served, with their columns, geometry columns (type, SRID, WGS84 bounds), datetime
//! columns (min/max) and id column — what TiPg's catalog SQL collects, read once at start and
//! again when the TTL expires.
//!
//! Every name here comes from the database's own system catalogs; request values never reach
//! these statements. The extents are computed with identifiers quoted by [`quote_ident`].

use std::collections::HashMap;

use tokio_postgres::Client;

use super::error::Error;
use super::sql::quote_ident;

/// Which relations and functions to serve (TiPg's `TIPG_DB_*` settings).
#[derive(Clone, Debug)]
pub struct CatalogSettings {
    pub schemas: Vec<String>,
    /// `schema.name` of the only tables served, if set.
    pub tables: Option<Vec<String>>,
    pub exclude_tables: Vec<String>,
    pub exclude_table_schemas: Vec<String>,
    /// `schema.name` of the only functions served, if set.
    pub functions: Option<Vec<String>>,
    pub exclude_functions: Vec<String>,
    pub exclude_function_schemas: Vec<String>,
    /// Skip relations without a geometry column (TiPg's default).
    pub only_spatial_tables: bool,
    /// Compute each geometry column's bounds (a scan of the table at catalog time).
    pub spatial_extent: bool,
    /// Compute each datetime column's min/max.
    pub datetime_extent: bool,
    /// Column names used as feature ids when a relation has no single-column key.
    pub fallback_key_names: Vec<String>,
}

impl Default for CatalogSettings {
    fn default() -> Self {
        CatalogSettings {
            schemas: vec!["public".into()],
            tables: None,
            exclude_tables: Vec::new(),
            exclude_table_schemas: Vec::new(),
            functions: None,
            exclude_functions: Vec::new(),
            exclude_function_schemas: Vec::new(),
            only_spatial_tables: true,
            spatial_extent: true,
            datetime_extent: true,
            fallback_key_names: ["ogc_fid", "id", "pkey", "gid"].map(String::from).to_vec(),
        }
    }
}

/// One column (or function output / parameter).
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    /// `format_type` with TiPg's short names (`text`, `float8`, `timestamptz`, `timestamp`).
    pub typ: String,
    /// For geometry/geography columns: `Point`, `MultiPolygon`, `Geometry`...
    pub geometry_type: Option<String>,
    /// For geometry/geography columns (4326 when the type has none).
    pub srid: Option<i32>,
    /// WGS84 `[west, south, east, north]` of a geometry column.
    pub bounds: Option<[f64; 4]>,
    /// JSON renderings of a datetime column's min and max.
    pub mindt: Option<String>,
    pub maxdt: Option<String>,
    /// A function parameter's default (as text), if any.
    pub default: Option<String>,
}

impl Column {
    pub fn is_geometry(&self) -> bool {
        self.typ == "geometry" || self.typ == "geography"
    }

    pub fn is_datetime(&self) -> bool {
        matches!(self.typ.as_str(), "timestamp" | "timestamptz" | "date")
    }

    /// The JSON-schema type of the column in `queryables` and TileJSON `fields`.
    pub fn json_type(&self) -> &'static str {
        let t = self.typ.as_str();
        if t.ends_with("[]") {
            "array"
        } else if matches!(
            t,
            "smallint"
                | "integer"
                | "bigint"
                | "decimal"
                | "numeric"
                | "real"
                | "double precision"
                | "smallserial"
                | "serial"
                | "bigserial"
                | "float8"
        ) {
            "number"
        } else if t.starts_with("bool") {
            "boolean"
        } else if t.starts_with("json") || t.starts_with("geo") {
            "object"
        } else {
            "string"
        }
    }

    /// Integer columns: an id that is not an integer cannot match (a 404, not a SQL error).
    pub fn is_integer(&self) -> bool {
        matches!(
            self.typ.as_str(),
            "smallint" | "integer" | "bigint" | "smallserial" | "serial" | "bigserial"
        )
    }
}

/// A table/view or a set-returning function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Table,
    Function,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Table => "Table",
            Kind::Function => "Function",
        }
    }
}

/// One served collection.
#[derive(Clone, Debug)]
pub struct Collection {
    /// `schema.name`.
    pub id: String,
    pub schema: String,
    pub name: String,
    pub kind: Kind,
    pub description: Option<String>,
    /// All columns, sorted by name (TiPg's `sort_columns`).
    pub columns: Vec<Column>,
    pub id_column: Option<String>,
    pub geometry_column: Option<String>,
    pub datetime_column: Option<String>,
    /// Input parameters of a function, in declaration order.
    pub parameters: Vec<Column>,
}

impl Collection {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn geometry_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.is_geometry())
    }

    pub fn datetime_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.is_datetime())
    }

    /// The geometry column for a request's `geom-column` (`None`: the default; `"none"`: no
    /// geometry). `Err` when the name is not a geometry column.
    pub fn geometry(&self, name: Option<&str>) -> Result<Option<&Column>, Error> {
        match name {
            None => Ok(self.geometry_column.as_deref().and_then(|n| self.column(n))),
            Some(n) if n.eq_ignore_ascii_case("none") => Ok(None),
            Some(n) => self
                .geometry_columns()
                .find(|c| c.name == n)
                .map(Some)
                .ok_or_else(|| Error::UnknownColumn(format!("Invalid Geometry Column: {n}."))),
        }
    }

    /// The datetime column for a request's `datetime-column`.
    pub fn datetime(&self, name: Option<&str>) -> Result<&Column, Error> {
        if self.datetime_columns().next().is_none() {
            return Err(Error::BadRequest(
                "Must have timestamp/timestamptz/date typed column to filter with datetime.".into(),
            ));
        }
        let found = match name {
            None => self.datetime_column.as_deref().and_then(|n| self.column(n)),
            Some(n) => self.datetime_columns().find(|c| c.name == n),
        };
        found.ok_or_else(|| {
            Error::UnknownColumn(format!("Invalid Datetime Column: {}.", name.unwrap_or("")))
        })
    }

    /// The non-geometry columns returned as properties, in catalog order, restricted to
    /// `properties` when given (TiPg: `properties=` selects none).
    pub fn property_columns(&self, properties: Option<&[String]>) -> Vec<&Column> {
        if let Some(p) = properties {
            if p.is_empty() || (p.len() == 1 && p[0].is_empty()) {
                return Vec::new();
            }
        }
        self.columns
            .iter()
            .filter(|c| !c.is_geometry())
            .filter(|c| properties.is_none_or(|p| p.iter().any(|n| n == &c.name)))
            .collect()
    }

    /// WGS84 bounds of the whole collection: the union of its geometry columns' bounds.
    pub fn bounds(&self) -> Option<[f64; 4]> {
        let all: Vec<[f64; 4]> = self.geometry_columns().filter_map(|c| c.bounds).collect();
        let first = *all.first()?;
        Some(all.iter().fold(first, |a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        }))
    }
}

/// The whole catalog, in TiPg's listing order.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub collections: Vec<Collection>,
    index: HashMap<String, usize>,
}

impl Catalog {
    pub fn new(collections: Vec<Collection>) -> Catalog {
        let index = collections
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        Catalog { collections, index }
    }

    pub fn get(&self, id: &str) -> Result<&Collection, Error> {
        self.index
            .get(id)
            .map(|&i| &self.collections[i])
            .ok_or_else(|| Error::CollectionNotFound(id.to_string()))
    }
}

/// TiPg's short type names.
fn short_type(t: &str) -> String {
    t.replace("character varying", "text")
        .replace("double precision", "float8")
        .replace("timestamp with time zone", "timestamptz")
        .replace("timestamp without time zone", "timestamp")
}

fn qualified(schema: &str, name: &str) -> String {
    format!("{schema}.{name}")
}

/// Reads the catalog. Relations are listed per configured schema, newest first, then
/// functions oldest first: the order TiPg's catalog query returns on a freshly loaded database.
pub async fn load(client: &Client, s: &CatalogSettings) -> Result<Catalog, Error> {
    let pg = Error::from_pg;
    let table_schemas: Vec<&String> = s
        .schemas
        .iter()
        .filter(|n| !s.exclude_table_schemas.contains(n))
        .collect();
    let rows = client
        .query(
            "SELECT c.oid::int8, n.nspname::text, c.relname::text, \
                    obj_description(c.oid, 'pg_class') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname::text = ANY($1) AND c.relkind IN ('r','v','m','f','p') \
               AND has_schema_privilege(n.oid, 'usage') \
               AND has_table_privilege(c.oid, 'SELECT') \
               AND c.relname::text NOT IN ('spatial_ref_sys','geometry_columns','geography_columns') \
             ORDER BY array_position($1, n.nspname::text), c.oid DESC",
            &[&table_schemas],
        )
        .await
        .map_err(pg)?;
    let mut tables: Vec<(i64, String, String, Option<String>)> = Vec::new();
    for r in rows {
        let (oid, schema, name): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
        let q = qualified(&schema, &name);
        if s.exclude_tables.contains(&q) || s.tables.as_ref().is_some_and(|t| !t.contains(&q)) {
            continue;
        }
        tables.push((oid, schema, name, r.get(3)));
    }
    let oids: Vec<i64> = tables.iter().map(|t| t.0).collect();
    let cols = client
        .query(
            "SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, NULL), \
                    CASE WHEN t.typname IN ('geometry','geography') \
                         THEN postgis_typmod_type(a.atttypmod) END, \
                    CASE WHEN t.typname IN ('geometry','geography') \
                         THEN coalesce(nullif(postgis_typmod_srid(a.atttypmod), 0), 4326) END \
             FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid::int8 = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped \
               AND has_column_privilege(a.attrelid, a.attnum, 'SELECT') \
             ORDER BY a.attrelid, a.attnum",
            &[&oids],
        )
        .await
        .map_err(pg)?;
    let mut columns: HashMap<i64, Vec<Column>> = HashMap::new();
    for r in cols {
        let typ: String = r.get(2);
        columns.entry(r.get(0)).or_default().push(Column {
            name: r.get(1),
            typ: short_type(&typ),
            geometry_type: r.get(3),
            srid: r.get(4),
            bounds: None,
            mindt: None,
            maxdt: None,
            default: None,
        });
    }
    // single-column indexes, primary keys first, then unique ones (TiPg's id column choice)
    let keys = client
        .query(
            "SELECT DISTINCT ON (i.indrelid) i.indrelid::int8, a.attname::text \
             FROM pg_index i JOIN pg_attribute a \
               ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
             WHERE i.indnatts = 1 AND i.indrelid::int8 = ANY($1) \
             ORDER BY i.indrelid, i.indisprimary DESC, i.indisunique DESC",
            &[&oids],
        )
        .await
        .map_err(pg)?;
    let keys: HashMap<i64, String> = keys.into_iter().map(|r| (r.get(0), r.get(1))).collect();

    let mut out = Vec::new();
    for (oid, schema, name, description) in tables {
        let mut cols = columns.remove(&oid).unwrap_or_default();
        if s.only_spatial_tables && !cols.iter().any(Column::is_geometry) {
            continue;
        }
        let from = format!("{}.{}", quote_ident(&schema), quote_ident(&name));
        for c in cols.iter_mut() {
            if c.is_geometry() && s.spatial_extent {
                c.bounds = extent(client, &from, c).await?;
            } else if c.is_datetime() && s.datetime_extent {
                let q = format!(
                    "SELECT to_json(min({i}::timestamptz))::text, to_json(max({i}::timestamptz))::text FROM {from}",
                    i = quote_ident(&c.name)
                );
                let r = client.query_one(&q, &[]).await.map_err(pg)?;
                c.mindt = r.get::<_, Option<String>>(0).map(|s| unquote(&s));
                c.maxdt = r.get::<_, Option<String>>(1).map(|s| unquote(&s));
            }
        }
        out.push(finish(
            schema,
            name,
            Kind::Table,
            description,
            cols,
            Vec::new(),
            keys.get(&oid).cloned(),
            s,
        ));
    }
    out.extend(load_functions(client, s).await?);
    Ok(Catalog::new(out))
}

/// `"2004-10-19T10:23:54+00:00"` → `2004-10-19T10:23:54+00:00`.
fn unquote(s: &str) -> String {
    serde_json::from_str::<String>(s).unwrap_or_else(|_| s.to_string())
}

/// A geometry column's WGS84 bounds (ST_Extent in the column's SRID, then transformed).
async fn extent(client: &Client, from: &str, c: &Column) -> Result<Option<[f64; 4]>, Error> {
    let srid = c.srid.unwrap_or(4326);
    let q = format!(
        "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM ( \
           SELECT CASE WHEN e IS NULL THEN NULL WHEN $1::int4 = 4326 THEN e \
                       ELSE ST_Transform(e, 4326) END AS b \
           FROM (SELECT ST_SetSRID(ST_Extent({i}::geometry)::geometry, $1::int4) AS e FROM {from}) x) y",
        i = quote_ident(&c.name)
    );
    let r = client
        .query_one(&q, &[&srid])
        .await
        .map_err(Error::from_pg)?;
    let v: [Option<f64>; 4] = [r.get(0), r.get(1), r.get(2), r.get(3)];
    Ok(match v {
        [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
        _ => None,
    })
}

#[allow(clippy::too_many_arguments)]
fn finish(
    schema: String,
    name: String,
    kind: Kind,
    description: Option<String>,
    mut cols: Vec<Column>,
    parameters: Vec<Column>,
    key: Option<String>,
    s: &CatalogSettings,
) -> Collection {
    cols.sort_by(|a, b| a.name.cmp(&b.name));
    let id_column = key
        .filter(|k| cols.iter().any(|c| &c.name == k))
        .or_else(|| {
            cols.iter()
                .find(|c| s.fallback_key_names.contains(&c.name))
                .map(|c| c.name.clone())
        });
    let geometry_column = cols
        .iter()
        .find(|c| c.is_geometry())
        .map(|c| c.name.clone());
    let datetime_column = cols
        .iter()
        .find(|c| c.is_datetime())
        .map(|c| c.name.clone());
    Collection {
        id: qualified(&schema, &name),
        schema,
        name,
        kind,
        description,
        columns: cols,
        id_column,
        geometry_column,
        datetime_column,
        parameters,
    }
}

/// Set-returning functions with named arguments (TiPg serves them as collections whose
/// parameters come from the query string).
async fn load_functions(client: &Client, s: &CatalogSettings) -> Result<Vec<Collection>, Error> {
    let schemas: Vec<&String> = s
        .schemas
        .iter()
        .filter(|n| !s.exclude_function_schemas.contains(n))
        .collect();
    // One row per argument (plus the return type when it is not a record), in order.
    let rows = client
        .query(
            "SELECT p.oid::int8, n.nspname::text, p.proname::text, a.ord::int4, a.name, \
                    format_type(a.typ, NULL), a.mode, \
                    p.pronargs::int4, p.pronargdefaults::int4, \
                    pg_get_expr(p.proargdefaults, 0) \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             CROSS JOIN LATERAL ( \
                 SELECT t.typ, coalesce(t.mode, 'i') AS mode, t.name, t.ord \
                 FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), \
                             p.proargmodes::text[], p.proargnames) \
                      WITH ORDINALITY AS t(typ, mode, name, ord) \
                 UNION ALL \
                 SELECT p.prorettype, 'o', p.proname::text, 100000 \
                 WHERE format_type(p.prorettype, NULL) <> 'record' \
             ) a \
             WHERE n.nspname::text = ANY($1) AND p.proretset AND p.prokind = 'f' \
               AND p.proargnames IS NOT NULL AND '' <> ANY(p.proargnames) \
               AND p.provariadic = 0 AND has_function_privilege(p.oid, 'execute') \
               AND has_schema_privilege(n.oid, 'usage') \
               AND p.proname::text NOT ILIKE 'tipg_%' \
             ORDER BY p.oid, a.ord",
            &[&schemas],
        )
        .await
        .map_err(Error::from_pg)?;
    struct F {
        schema: String,
        name: String,
        outs: Vec<Column>,
        ins: Vec<Column>,
        nargs: i32,
        ndefaults: i32,
        defaults: Option<String>,
    }
    let mut funcs: Vec<(i64, F)> = Vec::new();
    for r in rows {
        let oid: i64 = r.get(0);
        if funcs.last().is_none_or(|(o, _)| *o != oid) {
            funcs.push((
                oid,
                F {
                    schema: r.get(1),
                    name: r.get(2),
                    outs: Vec::new(),
                    ins: Vec::new(),
                    nargs: r.get(7),
                    ndefaults: r.get(8),
                    defaults: r.get(9),
                },
            ));
        }
        let Some((_, f)) = funcs.last_mut() else {
            continue;
        };
        let typ = short_type(&r.get::<_, String>(5));
        let mode: String = r.get(6);
        let Some(name) = r.get::<_, Option<String>>(4) else {
            continue;
        };
        let geo = typ == "geometry" || typ == "geography";
        let col = Column {
            name,
            geometry_type: geo.then(|| "Geometry".to_string()),
            srid: geo.then_some(4326),
            bounds: geo.then_some([-180.0, -90.0, 180.0, 90.0]),
            typ,
            mindt: None,
            maxdt: None,
            default: None,
        };
        if matches!(mode.as_str(), "t" | "b" | "o") {
            f.outs.push(col.clone());
        }
        if matches!(mode.as_str(), "i" | "b") {
            f.ins.push(col);
        }
    }
    let mut out = Vec::new();
    for (_, mut f) in funcs {
        let q = qualified(&f.schema, &f.name);
        if s.exclude_functions.contains(&q) || s.functions.as_ref().is_some_and(|l| !l.contains(&q))
        {
            continue;
        }
        if s.only_spatial_tables && !f.outs.iter().any(Column::is_geometry) {
            continue;
        }
        // defaults belong to the last `pronargdefaults` input parameters
        if let Some(d) = &f.defaults {
            let vals: Vec<String> = d
                .split(',')
                .map(|v| {
                    v.trim()
                        .split("::")
                        .next()
                        .unwrap_or("")
                        .trim_matches('\'')
                        .to_string()
                })
                .collect();
            let first = (f.nargs - f.ndefaults).max(0) as usize;
            for (p, v) in f.ins.iter_mut().skip(first).zip(vals) {
                p.default = Some(v);
            }
        }
        out.push(finish(
            f.schema,
            f.name,
            Kind::Function,
            None,
            f.outs,
            f.ins,
            None,
            s,
        ));
    }
    Ok(out)
}
