//! A JSON tree that keeps object key order, and Python's `repr` of it (scalars printed by
//! [`crate::pyrepr`]).
//!
//! pydantic's error text quotes the input as Python prints the dict `json.loads` made (keys in
//! document order), and cogeo-mosaic dumps `tiles` in document order; `serde_json::Value`
//! sorts keys, so documents are parsed into this tree instead.

use std::fmt::Write;

pub(crate) use crate::pyrepr::{py_float, py_str};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    List(Vec<Tree>),
    /// Keys in document order; a repeated key keeps its first position and its last value,
    /// as Python's `dict` does.
    Map(Vec<(String, Tree)>),
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Tree::Int(i),
            Err(_) => Tree::UInt(v),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Tree::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut out: Vec<(String, Tree)> = Vec::new();
        let mut seen = std::collections::HashMap::new();
        while let Some((k, v)) = map.next_entry::<String, Tree>()? {
            match seen.get(&k) {
                Some(&i) => out[i] = (k, v),
                None => {
                    seen.insert(k.clone(), out.len());
                    out.push((k, v));
                }
            }
        }
        Ok(Tree::Map(out))
    }
}

impl Tree {
    /// Python's type name, as pydantic prints `input_type=`.
    pub(crate) fn py_type(&self) -> &'static str {
        match self {
            Tree::Null => "NoneType",
            Tree::Bool(_) => "bool",
            Tree::Int(_) | Tree::UInt(_) => "int",
            Tree::Float(_) => "float",
            Tree::Str(_) => "str",
            Tree::List(_) => "list",
            Tree::Map(_) => "dict",
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value` (keys sorted; non-finite floats become null).
    pub(crate) fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Tree::Null => Value::Null,
            Tree::Bool(b) => Value::Bool(*b),
            Tree::Int(i) => Value::from(*i),
            Tree::UInt(u) => Value::from(*u),
            Tree::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Tree::Str(s) => Value::String(s.clone()),
            Tree::List(l) => Value::Array(l.iter().map(Tree::to_value).collect()),
            Tree::Map(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect::<serde_json::Map<_, _>>(),
            ),
        }
    }

    /// Compact JSON text with keys in document order.
    pub(crate) fn write_json(&self, out: &mut String) {
        match self {
            Tree::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
            Tree::List(l) => {
                out.push('[');
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_json(out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_value().to_string()),
        }
    }

    /// Python's `repr()` of the value `json.loads` would have built.
    pub(crate) fn py_repr(&self) -> String {
        let mut s = String::new();
        self.write_repr(&mut s);
        s
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            Tree::Null => out.push_str("None"),
            Tree::Bool(true) => out.push_str("True"),
            Tree::Bool(false) => out.push_str("False"),
            Tree::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Tree::UInt(u) => {
                let _ = write!(out, "{u}");
            }
            Tree::Float(f) => out.push_str(&py_float(*f)),
            Tree::Str(s) => out.push_str(&py_str(s)),
            Tree::List(l) => {
                out.push('[');
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out);
                }
                out.push(']');
            }
            Tree::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&py_str(k));
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }
}

/// pydantic-core's cut of a long `input_value`: past 50 characters, the first 25 and the
/// last 24 around `...`.
pub(crate) fn truncate_repr(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 50 {
        return s.to_string();
    }
    let head: String = chars[..25].iter().collect();
    let tail: String = chars[chars.len() - 24..].iter().collect();
    format!("{head}...{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dict_repr_keeps_order_and_quotes_like_python() {
        let t: Tree = serde_json::from_str(
            r#"{"b": 1e16, "a": [1, -0.0, 1e-7, null, true], "c": "it's", "d": "q\"", "b": 2}"#,
        )
        .unwrap();
        // json.loads + repr: {'b': 2, 'a': [1, -0.0, 1e-07, None, True], 'c': "it's", 'd': 'q"'}
        assert_eq!(
            t.py_repr(),
            r#"{'b': 2, 'a': [1, -0.0, 1e-07, None, True], 'c': "it's", 'd': 'q"'}"#
        );
    }

    #[test]
    fn long_reprs_are_cut_as_pydantic_does() {
        let short = format!("{{'a': '{}'}}", "x".repeat(41));
        assert_eq!(truncate_repr(&short), short);
        let long = format!("{{'a': '{}'}}", "x".repeat(42));
        assert_eq!(
            truncate_repr(&long),
            format!("{{'a': '{}...{}'}}", "x".repeat(18), "x".repeat(22))
        );
    }
}
