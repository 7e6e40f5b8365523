//! The statement text and its parameters: the one way anything reaches the database.
//!
//! [`Sql`] holds static fragments written in this crate, identifiers quoted by
//! [`quote_ident`] (checked against the catalog by the callers), and request values as `$n`
//! parameters. Parameters travel in PostgreSQL's text format with an unspecified type
//! ([`TextParam`]), so the server parses them exactly as it would an untyped literal — a
//! number compared with an integer column is read as an integer — without the value ever
//! being part of the statement.

use bytes::BytesMut;
use tokio_postgres::types::{to_sql_checked, Format, IsNull, ToSql, Type};

/// Quotes a PostgreSQL identifier: `a"b` → `"a""b"`.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A parameter value sent as text for the server to parse into the type it infers.
#[derive(Clone, Debug, PartialEq)]
pub struct TextParam(pub String);

impl ToSql for TextParam {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    /// Any type: the server parses the text (`encode_format` is `Text`).
    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> Format {
        Format::Text
    }

    to_sql_checked!();
}

/// A statement under construction and its parameters.
#[derive(Clone, Debug, Default)]
pub struct Sql {
    pub text: String,
    pub params: Vec<TextParam>,
}

impl Sql {
    /// Appends SQL written in this crate (never request text).
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a quoted identifier.
    pub fn ident(&mut self, name: &str) -> &mut Self {
        self.text.push_str(&quote_ident(name));
        self
    }

    /// Appends `$n` bound to `v`.
    pub fn param(&mut self, v: impl Into<String>) -> &mut Self {
        self.params.push(TextParam(v.into()));
        self.text.push('$');
        self.text.push_str(&self.params.len().to_string());
        self
    }

    /// Appends `CAST($n AS numeric)` bound to a finite number.
    pub fn number(&mut self, v: f64) -> &mut Self {
        self.push("CAST(").param(fmt_f64(v)).push(" AS numeric)")
    }

    /// Appends `CAST($n AS float8)`: for PostGIS function arguments.
    pub fn float(&mut self, v: f64) -> &mut Self {
        self.push("CAST(").param(fmt_f64(v)).push(" AS float8)")
    }

    /// The parameters as the driver wants them.
    pub fn args(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p as &(dyn ToSql + Sync))
            .collect()
    }
}

/// Shortest round-trip text of a finite float (Rust's `Display` never uses exponents).
pub fn fmt_f64(v: f64) -> String {
    format!("{v}")
}
