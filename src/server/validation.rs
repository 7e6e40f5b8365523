//! Request validation errors shaped like FastAPI's (pydantic 2) 422 answers.
//!
//! TiTiler validates every path and query parameter before touching a dataset; a bad value
//! answers `422 {"detail": [{"type", "loc", "msg", "input", "ctx"?}, ...]}`, one entry per
//! failed parameter, all failures of a request together. Clients (and the conformance cases
//! `err_*`) look at these shapes, so the messages below are pydantic's own wording.
//!
//! [`Errors`] collects entries while the parameter structs parse; the typed parse helpers
//! (`int`, `float`, `bool`, `literal`, ...) push the right entry and return `None` so parsing
//! can continue and report every problem at once.

use serde_json::{json, Map, Value};

/// Where a parameter came from: the first element of pydantic's `loc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Path,
    Query,
    Body,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Path => "path",
            Source::Query => "query",
            Source::Body => "body",
        }
    }
}

/// One FastAPI validation error entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationError {
    /// pydantic error type (`missing`, `int_parsing`, `literal_error`, ...).
    pub kind: String,
    /// `["query", "bidx", 0]`-style location.
    pub loc: Vec<Value>,
    /// Human message, pydantic's wording.
    pub msg: String,
    /// The offending input (`null` when missing).
    pub input: Value,
    /// Extra context (`{"gt": 0}`, `{"expected": "..."}`), when pydantic gives one.
    pub ctx: Option<Value>,
}

impl ValidationError {
    /// The JSON object FastAPI prints for this entry (keys in FastAPI's order).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), Value::String(self.kind.clone()));
        m.insert("loc".into(), Value::Array(self.loc.clone()));
        m.insert("msg".into(), Value::String(self.msg.clone()));
        m.insert("input".into(), self.input.clone());
        if let Some(ctx) = &self.ctx {
            m.insert("ctx".into(), ctx.clone());
        }
        Value::Object(m)
    }
}

/// Formats choices the way pydantic lists them: `'a', 'b' or 'c'`.
pub fn expected_list(choices: &[&str]) -> String {
    let quoted: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Parses an integer the way pydantic's lax mode does for strings: surrounding whitespace
/// allowed, an optional sign, digits, and an optional all-zero fraction (`"3.0"` is 3).
pub fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let t = match t.split_once('.') {
        Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        Some(_) => return None,
        None => t,
    };
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<i64>().ok()
}

/// Parses a float like pydantic: decimal/scientific notation, `inf`, `-inf`, `nan`.
pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok()
}

/// Parses a boolean like pydantic (`1/0`, `true/false`, `t/f`, `yes/no`, `y/n`, `on/off`).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
        "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// Accumulates validation errors for one request.
#[derive(Debug, Default)]
pub struct Errors {
    list: Vec<ValidationError>,
}

impl Errors {
    pub fn new() -> Errors {
        Errors::default()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn into_vec(self) -> Vec<ValidationError> {
        self.list
    }

    pub fn push(&mut self, e: ValidationError) {
        self.list.push(e);
    }

    /// Adds one entry with a `loc` of `[source, name, extra...]`. The arguments are exactly
    /// the fields of a pydantic error entry, hence their number.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        source: Source,
        name: &str,
        extra_loc: &[Value],
        kind: &str,
        msg: impl Into<String>,
        input: Value,
        ctx: Option<Value>,
    ) {
        let mut loc = vec![json!(source.as_str()), json!(name)];
        loc.extend(extra_loc.iter().cloned());
        self.list.push(ValidationError {
            kind: kind.into(),
            loc,
            msg: msg.into(),
            input,
            ctx,
        });
    }

    /// `Field required`.
    pub fn missing(&mut self, source: Source, name: &str) {
        self.add(
            source,
            name,
            &[],
            "missing",
            "Field required",
            Value::Null,
            None,
        );
    }

    /// Parses an integer or records `int_parsing`.
    pub fn int(&mut self, source: Source, name: &str, extra: &[Value], s: &str) -> Option<i64> {
        let v = parse_int(s);
        if v.is_none() {
            self.add(
                source,
                name,
                extra,
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
                json!(s),
                None,
            );
        }
        v
    }

    /// Parses a float or records `float_parsing`.
    pub fn float(&mut self, source: Source, name: &str, extra: &[Value], s: &str) -> Option<f64> {
        let v = parse_float(s);
        if v.is_none() {
            self.add(
                source,
                name,
                extra,
                "float_parsing",
                "Input should be a valid number, unable to parse string as a number",
                json!(s),
                None,
            );
        }
        v
    }

    /// Parses a boolean or records `bool_parsing`.
    pub fn bool(&mut self, source: Source, name: &str, s: &str) -> Option<bool> {
        let v = parse_bool(s);
        if v.is_none() {
            self.add(
                source,
                name,
                &[],
                "bool_parsing",
                "Input should be a valid boolean, unable to interpret input",
                json!(s),
                None,
            );
        }
        v
    }

    /// Checks `s` is one of `choices` or records `literal_error` (or `enum` when
    /// `as_enum`, which is how FastAPI reports `Enum` typed path params such as `format`).
    pub fn literal<'c>(
        &mut self,
        source: Source,
        name: &str,
        s: &str,
        choices: &[&'c str],
        as_enum: bool,
    ) -> Option<&'c str> {
        if let Some(c) = choices.iter().find(|c| **c == s) {
            return Some(c);
        }
        let expected = expected_list(choices);
        self.add(
            source,
            name,
            &[],
            if as_enum { "enum" } else { "literal_error" },
            format!("Input should be {expected}"),
            json!(s),
            Some(json!({ "expected": expected })),
        );
        None
    }

    /// Records `greater_than` unless `v > gt`.
    pub fn check_gt(&mut self, source: Source, name: &str, raw: &str, v: f64, gt: i64) -> bool {
        if v > gt as f64 {
            return true;
        }
        self.add(
            source,
            name,
            &[],
            "greater_than",
            format!("Input should be greater than {gt}"),
            json!(raw),
            Some(json!({ "gt": gt })),
        );
        false
    }

    /// Records `greater_than_equal` unless `v >= ge`.
    pub fn check_ge(&mut self, source: Source, name: &str, raw: &str, v: f64, ge: i64) -> bool {
        if v >= ge as f64 {
            return true;
        }
        self.add(
            source,
            name,
            &[],
            "greater_than_equal",
            format!("Input should be greater than or equal to {ge}"),
            json!(raw),
            Some(json!({ "ge": ge })),
        );
        false
    }

    /// Records `less_than_equal` unless `v <= le`.
    pub fn check_le(&mut self, source: Source, name: &str, raw: &str, v: f64, le: i64) -> bool {
        if v <= le as f64 {
            return true;
        }
        self.add(
            source,
            name,
            &[],
            "less_than_equal",
            format!("Input should be less than or equal to {le}"),
            json!(raw),
            Some(json!({ "le": le })),
        );
        false
    }

    /// Records a pydantic `value_error` (a validator raised `ValueError(msg)`).
    pub fn value_error(&mut self, source: Source, name: &str, msg: &str, input: Value) {
        self.add(
            source,
            name,
            &[],
            "value_error",
            format!("Value error, {msg}"),
            input,
            Some(json!({ "error": {} })),
        );
    }

    /// Records `string_pattern_mismatch` for a regex-constrained string.
    pub fn pattern_mismatch(
        &mut self,
        source: Source,
        name: &str,
        extra: &[Value],
        s: &str,
        pattern: &str,
    ) {
        self.add(
            source,
            name,
            extra,
            "string_pattern_mismatch",
            format!("String should match pattern '{pattern}'"),
            json!(s),
            Some(json!({ "pattern": pattern })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_like_pydantic() {
        assert_eq!(parse_int("12"), Some(12));
        assert_eq!(parse_int(" -3 "), Some(-3));
        assert_eq!(parse_int("4.00"), Some(4));
        assert_eq!(parse_int("4.5"), None);
        assert_eq!(parse_int("0@5x"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("+"), None);
        assert_eq!(parse_int("99999999999999999999999"), None);
    }

    #[test]
    fn floats_and_bools() {
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_float("abc"), None);
        assert_eq!(parse_bool("YES"), Some(true));
        assert_eq!(parse_bool("off"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn expected_list_matches_pydantic_wording() {
        assert_eq!(expected_list(&["a"]), "'a'");
        assert_eq!(expected_list(&["a", "b", "c"]), "'a', 'b' or 'c'");
    }

    #[test]
    fn int_error_shape_matches_recorded_case() {
        // cases/err_nonint_z.json
        let mut e = Errors::new();
        assert_eq!(e.int(Source::Path, "z", &[], "a"), None);
        let got = e.into_vec()[0].to_json();
        assert_eq!(
            got,
            json!({"type": "int_parsing", "loc": ["path", "z"],
                   "msg": "Input should be a valid integer, unable to parse string as an integer",
                   "input": "a"})
        );
    }
}
