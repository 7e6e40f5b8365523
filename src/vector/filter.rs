//! CQL2 filters (OGC API Features part 3) to SQL.
//!
//! The text is parsed by the `cql2` crate (text or JSON encoding) into its expression tree;
//! this module walks that tree and writes SQL itself, so the statement only ever holds
//! operators from a fixed list, column names checked against the catalog and quoted, and `$n`
//! parameters for every literal. An operator or function outside the list is an error, never
//! passed through.

use cql2::{Expr, Geometry};

use super::catalog::{Collection, Column};
use super::error::Error;
use super::sql::{quote_ident, Sql};

/// Longest filter accepted (the parser recurses on nesting).
pub const MAX_FILTER_LEN: usize = 16 * 1024;
/// Deepest expression translated.
const MAX_DEPTH: usize = 64;

/// The request's `filter-lang`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Text,
    Json,
}

/// Deepest bracket nesting accepted in a filter's text: the parser recurses per level and
/// a few hundred levels overflow a worker thread's stack.
const MAX_NESTING: usize = 32;

/// The deepest nesting of `(`, `[` and `{` outside quoted strings, and the number of `NOT`
/// words (each is another level of the parser's recursion).
fn nesting(s: &str) -> usize {
    let (mut depth, mut max, mut nots) = (0usize, 0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut word = String::new();
    for ch in s.chars() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            continue;
        }
        if ch.is_ascii_alphabetic() {
            word.push(ch.to_ascii_lowercase());
            continue;
        }
        if word == "not" {
            nots += 1;
        }
        word.clear();
        match ch {
            '\'' | '"' => quote = Some(ch),
            '(' | '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if word == "not" {
        nots += 1;
    }
    max + nots
}

/// Parses a filter in `lang`.
pub fn parse(s: &str, lang: Lang) -> Result<Expr, Error> {
    if s.len() > MAX_FILTER_LEN {
        return Err(Error::BadRequest(format!(
            "filter longer than {MAX_FILTER_LEN} bytes"
        )));
    }
    if nesting(s) > MAX_NESTING {
        return Err(Error::BadRequest(format!(
            "filter nested deeper than {MAX_NESTING} levels"
        )));
    }
    // The parser and the crate's normalisation recurse once per operator (`1+1+1...`), so a
    // long filter overflows a worker thread's stack: parse on a fresh, large stack, and let
    // only trees shallow enough for the rest of the code (translation, drop) out of it.
    stacker::grow(PARSE_STACK, || {
        let e = match lang {
            Lang::Text => cql2::parse_text(s),
            Lang::Json => cql2::parse_json(s).map_err(cql2::Error::from),
        }
        .map_err(|e| Error::BadRequest(format!("Invalid filter: {e}")))?;
        if depth(&e) > MAX_DEPTH {
            return Err(Error::BadRequest(format!(
                "filter nested deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(e)
    })
}

/// Stack for parsing one filter (reserved, touched only as deep as the parse goes).
const PARSE_STACK: usize = 256 << 20;

/// The depth of an expression tree.
fn depth(e: &Expr) -> usize {
    let children: Box<dyn Iterator<Item = &Box<Expr>>> = match e {
        Expr::Operation { args, .. } => Box::new(args.iter()),
        Expr::Interval { interval } => Box::new(interval.iter()),
        Expr::BBox { bbox } => Box::new(bbox.iter()),
        Expr::Array(items) => Box::new(items.iter()),
        Expr::Timestamp { timestamp } => Box::new(std::iter::once(timestamp)),
        Expr::Date { date } => Box::new(std::iter::once(date)),
        _ => Box::new(std::iter::empty()),
    };
    1 + children.map(|c| depth(c)).max().unwrap_or(0)
}

/// Appends the SQL of `e` (a boolean expression) over the rows `t` of `c`. Geometry literals
/// are CRS84 and transformed to the SRID of `geom` (the request's geometry column).
pub fn push_expr(
    sql: &mut Sql,
    c: &Collection,
    geom: Option<&Column>,
    e: &Expr,
) -> Result<(), Error> {
    let w = Writer {
        c,
        srid: geom.and_then(|g| g.srid).unwrap_or(4326),
    };
    w.expr(sql, e, 0, false)
}

struct Writer<'a> {
    c: &'a Collection,
    srid: i32,
}

fn unsupported(what: &str) -> Error {
    Error::BadRequest(format!("Unsupported filter operator or function: {what}"))
}

impl Writer<'_> {
    /// `untyped`: a string literal is left for the server to type from the other operand
    /// (a comparison with a column), else it is `text`.
    fn expr(&self, sql: &mut Sql, e: &Expr, depth: usize, untyped: bool) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(Error::BadRequest("filter nested too deeply".into()));
        }
        let d = depth + 1;
        match e {
            Expr::Property { property } => {
                let col = self.c.column(property).ok_or_else(|| {
                    Error::UnknownColumn(format!("Invalid property name: {property}"))
                })?;
                if col.is_geometry() {
                    sql.push("CAST(t.").ident(&col.name).push(" AS geometry)");
                } else {
                    sql.push("t.").ident(&col.name);
                }
            }
            Expr::Float(v) => {
                if !v.is_finite() {
                    return Err(Error::BadRequest("non-finite number in filter".into()));
                }
                sql.number(*v);
            }
            Expr::Literal(s) => {
                if untyped {
                    sql.param(s.clone());
                } else {
                    sql.push("CAST(").param(s.clone()).push(" AS text)");
                }
            }
            Expr::Bool(b) => {
                sql.push(if *b { "TRUE" } else { "FALSE" });
            }
            Expr::Null => {
                sql.push("NULL");
            }
            Expr::Timestamp { timestamp } => self.cast(sql, timestamp, "timestamptz", d)?,
            Expr::Date { date } => self.cast(sql, date, "date", d)?,
            Expr::Geometry(g) => self.geometry(sql, g)?,
            Expr::BBox { bbox } => {
                let v: Vec<f64> = bbox
                    .iter()
                    .map(|b| match **b {
                        Expr::Float(f) if f.is_finite() => Ok(f),
                        _ => Err(Error::BadRequest("bbox values must be numbers".into())),
                    })
                    .collect::<Result<_, _>>()?;
                let (w, s, e, n) = match v.as_slice() {
                    [w, s, e, n] | [w, s, _, e, n, _] => (*w, *s, *e, *n),
                    _ => return Err(Error::BadRequest("bbox needs 4 or 6 numbers".into())),
                };
                self.transformed(sql, |sql| {
                    sql.push("ST_MakeEnvelope(");
                    sql.float(w).push(", ").float(s).push(", ");
                    sql.float(e).push(", ").float(n).push(", 4326)");
                });
            }
            Expr::Array(items) => {
                sql.push("ARRAY[");
                self.list(sql, items, d, false)?;
                sql.push("]");
            }
            Expr::Interval { .. } => return Err(unsupported("INTERVAL")),
            Expr::Operation { op, args } => self.operation(sql, op, args, d)?,
        }
        Ok(())
    }

    fn list(
        &self,
        sql: &mut Sql,
        items: &[Box<Expr>],
        d: usize,
        untyped: bool,
    ) -> Result<(), Error> {
        for (i, a) in items.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            self.expr(sql, a, d, untyped)?;
        }
        Ok(())
    }

    fn cast(&self, sql: &mut Sql, v: &Expr, typ: &str, d: usize) -> Result<(), Error> {
        sql.push("CAST(");
        self.expr(sql, v, d, true)?;
        sql.push(" AS ").push(typ).push(")");
        Ok(())
    }

    /// Wraps a CRS84 geometry so it is in the geometry column's SRID.
    fn transformed(&self, sql: &mut Sql, inner: impl FnOnce(&mut Sql)) {
        if self.srid == 4326 {
            inner(sql);
        } else {
            sql.push("ST_Transform(");
            inner(sql);
            sql.push(", ").push(&self.srid.to_string()).push(")");
        }
    }

    fn geometry(&self, sql: &mut Sql, g: &Geometry) -> Result<(), Error> {
        match g {
            Geometry::GeoJSON(gj) => {
                let text = serde_json::to_string(gj)
                    .map_err(|e| Error::BadRequest(format!("bad geometry: {e}")))?;
                self.transformed(sql, |sql| {
                    sql.push("ST_SetSRID(ST_GeomFromGeoJSON(").param(text);
                    sql.push("), 4326)");
                });
            }
            Geometry::Wkt(w) => {
                let w = w.clone();
                self.transformed(sql, |sql| {
                    sql.push("ST_GeomFromText(").param(w).push(", 4326)");
                });
            }
        }
        Ok(())
    }

    fn arity(op: &str, args: &[Box<Expr>], n: usize) -> Result<(), Error> {
        if args.len() == n {
            Ok(())
        } else {
            Err(Error::BadRequest(format!(
                "operator {op} takes {n} arguments, got {}",
                args.len()
            )))
        }
    }

    fn binary(&self, sql: &mut Sql, sym: &str, args: &[Box<Expr>], d: usize) -> Result<(), Error> {
        Self::arity(sym, args, 2)?;
        sql.push("(");
        self.expr(sql, &args[0], d, true)?;
        sql.push(" ").push(sym).push(" ");
        self.expr(sql, &args[1], d, true)?;
        sql.push(")");
        Ok(())
    }

    fn function(
        &self,
        sql: &mut Sql,
        name: &str,
        args: &[Box<Expr>],
        n: usize,
        d: usize,
    ) -> Result<(), Error> {
        Self::arity(name, args, n)?;
        sql.push(name).push("(");
        self.list(sql, args, d, false)?;
        sql.push(")");
        Ok(())
    }

    fn operation(
        &self,
        sql: &mut Sql,
        op: &str,
        args: &[Box<Expr>],
        d: usize,
    ) -> Result<(), Error> {
        match op {
            "and" | "or" => {
                if args.is_empty() {
                    return Err(Error::BadRequest(format!("{op} without arguments")));
                }
                sql.push("(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        sql.push(if op == "and" { " AND " } else { " OR " });
                    }
                    self.expr(sql, a, d, false)?;
                }
                sql.push(")");
            }
            "not" => {
                Self::arity(op, args, 1)?;
                sql.push("(NOT ");
                self.expr(sql, &args[0], d, false)?;
                sql.push(")");
            }
            "isNull" => {
                Self::arity(op, args, 1)?;
                sql.push("(");
                self.expr(sql, &args[0], d, false)?;
                sql.push(" IS NULL)");
            }
            "=" | "<>" | "<" | "<=" | ">" | ">=" => self.binary(sql, op, args, d)?,
            "+" | "-" | "*" | "/" | "%" | "^" => self.binary(sql, op, args, d)?,
            "div" => {
                Self::arity(op, args, 2)?;
                sql.push("div(");
                self.list(sql, args, d, true)?;
                sql.push(")");
            }
            "like" => self.binary(sql, "LIKE", args, d)?,
            "between" => {
                Self::arity(op, args, 3)?;
                sql.push("(");
                self.expr(sql, &args[0], d, true)?;
                sql.push(" BETWEEN ");
                self.expr(sql, &args[1], d, true)?;
                sql.push(" AND ");
                self.expr(sql, &args[2], d, true)?;
                sql.push(")");
            }
            "in" => {
                Self::arity(op, args, 2)?;
                let Expr::Array(items) = &*args[1] else {
                    return Err(Error::BadRequest("IN needs a list".into()));
                };
                if items.is_empty() {
                    sql.push("FALSE");
                    return Ok(());
                }
                sql.push("(");
                self.expr(sql, &args[0], d, true)?;
                sql.push(" IN (");
                self.list(sql, items, d, true)?;
                sql.push("))");
            }
            "casei" => self.function(sql, "lower", args, 1, d)?,
            "accenti" => {
                // no unaccent extension assumed: accent-insensitivity is the identity here
                Self::arity(op, args, 1)?;
                self.expr(sql, &args[0], d, false)?;
            }
            "s_intersects" => self.function(sql, "ST_Intersects", args, 2, d)?,
            "s_equals" => self.function(sql, "ST_Equals", args, 2, d)?,
            "s_within" => self.function(sql, "ST_Within", args, 2, d)?,
            "s_contains" => self.function(sql, "ST_Contains", args, 2, d)?,
            "s_crosses" => self.function(sql, "ST_Crosses", args, 2, d)?,
            "s_overlaps" => self.function(sql, "ST_Overlaps", args, 2, d)?,
            "s_touches" => self.function(sql, "ST_Touches", args, 2, d)?,
            "s_disjoint" => self.function(sql, "ST_Disjoint", args, 2, d)?,
            "t_before" => self.binary(sql, "<", args, d)?,
            "t_after" => self.binary(sql, ">", args, d)?,
            "t_equals" => self.binary(sql, "=", args, d)?,
            "t_intersects" => self.binary(sql, "=", args, d)?,
            other => return Err(unsupported(&quote_ident(other))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::catalog::Kind;

    fn coll() -> Collection {
        let col = |n: &str, t: &str| Column {
            name: n.into(),
            typ: t.into(),
            geometry_type: None,
            srid: (t == "geometry").then_some(4326),
            bounds: None,
            mindt: None,
            maxdt: None,
            default: None,
        };
        Collection {
            id: "public.t".into(),
            schema: "public".into(),
            name: "t".into(),
            kind: Kind::Table,
            description: None,
            columns: vec![
                col("name", "text"),
                col("pop", "bigint"),
                col("geom", "geometry"),
            ],
            id_column: None,
            geometry_column: Some("geom".into()),
            datetime_column: None,
            parameters: vec![],
        }
    }

    fn sql_of(f: &str, lang: Lang) -> Result<Sql, Error> {
        let c = coll();
        let e = parse(f, lang)?;
        let mut sql = Sql::default();
        push_expr(&mut sql, &c, c.column("geom"), &e)?;
        Ok(sql)
    }

    #[test]
    fn literals_become_parameters() {
        let s = sql_of("name = 'x'' OR 1=1 --' AND pop > 3", Lang::Text).unwrap();
        assert_eq!(
            s.text,
            "((t.\"name\" = $1) AND (t.\"pop\" > CAST($2 AS numeric)))"
        );
        assert_eq!(s.params[0].0, "x' OR 1=1 --");
        assert_eq!(s.params[1].0, "3");
    }

    #[test]
    fn in_like_isnull() {
        let s = sql_of("name IN ('a','b')", Lang::Text).unwrap();
        assert_eq!(s.text, "(t.\"name\" IN ($1, $2))");
        let s = sql_of(
            r#"{"op":"not","args":[{"op":"isNull","args":[{"property":"name"}]}]}"#,
            Lang::Json,
        )
        .unwrap();
        assert_eq!(s.text, "(NOT (t.\"name\" IS NULL))");
    }

    #[test]
    fn unknown_columns_and_functions_fail() {
        assert!(matches!(
            sql_of("\"na\"\"me\" = 1", Lang::Text),
            Err(Error::UnknownColumn(_))
        ));
        assert!(sql_of("pg_sleep(10) = 1", Lang::Text).is_err());
        assert!(sql_of("name >>> 3", Lang::Text).is_err());
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("{}name = 'a'{}", "(".repeat(1000), ")".repeat(1000));
        assert!(matches!(
            parse(&deep, Lang::Text),
            Err(Error::BadRequest(_))
        ));
        let nots = format!("{}name = 'a'", "NOT ".repeat(1000));
        assert!(matches!(
            parse(&nots, Lang::Text),
            Err(Error::BadRequest(_))
        ));
        // a long flat chain: the parser recurses per operator (on its own large stack)
        let chain = format!("pop = {}", vec!["1"; 7000].join("+"));
        assert!(matches!(
            parse(&chain, Lang::Text),
            Err(Error::BadRequest(_))
        ));
        // brackets inside strings do not count
        let quoted = format!("name = '{}'", "(".repeat(1000));
        assert!(parse(&quoted, Lang::Text).is_ok());
    }

    #[test]
    fn spatial() {
        let s = sql_of("S_INTERSECTS(geom, POINT(1 2))", Lang::Text).unwrap();
        assert!(
            s.text
                .starts_with("ST_Intersects(CAST(t.\"geom\" AS geometry), "),
            "{}",
            s.text
        );
        assert!(!s.text.contains("POINT"));
    }
}
