//! Python's `repr()` and `str()` of floats, strings and JSON values.
//!
//! TiTiler, rio-tiler and pydantic put Python-printed values in documents and error texts (a
//! WMTS bounding box, a STAC render's query string, a validation message quoting its input);
//! a compatible answer prints them the same way. One module, so they all agree.

use std::fmt::Write;

use serde_json::Value;

/// `repr(float)`: shortest round-trip digits, `.0` on integral values, exponent form (`1e+16`,
/// `1.5e-05`) below 1e-4 and from 1e16.
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    }
}

/// `repr(str)`: single quotes unless the text has one and no double quote; escapes as Python.
pub fn py_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `repr()` of what `json.loads` builds from `v` (keys in `v`'s order).
pub fn py_repr_json(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(u)) => u.to_string(),
            _ => py_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => py_str(s),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(py_repr_json).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), py_repr_json(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `str()` of what `json.loads` builds from `v`: a string as itself, anything else as `repr`.
pub fn py_str_json(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr_json(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python() {
        for (v, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (90.0, "90.0"),
            (1e16, "1e+16"),
            (1e-7, "1e-07"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (123456789.123, "123456789.123"),
            (-20037508.342789244, "-20037508.342789244"),
            (156543.03392804097, "156543.03392804097"),
            (0.009330691929342804, "0.009330691929342804"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(py_float(v), want, "{v:?}");
        }
    }

    #[test]
    fn strings_quote_and_escape_like_python() {
        assert_eq!(py_str("abc"), "'abc'");
        assert_eq!(py_str("it's"), "\"it's\"");
        assert_eq!(py_str("both ' and \""), "'both \\' and \"'");
        assert_eq!(py_str("a\\b\n\u{1}"), "'a\\\\b\\n\\x01'");
    }

    #[test]
    fn json_values_print_like_python() {
        let v: Value =
            serde_json::from_str(r#"[1, -0.0, 1e-7, null, true, "it's", {"k": [2.5]}]"#).unwrap();
        assert_eq!(
            py_repr_json(&v),
            r#"[1, -0.0, 1e-07, None, True, "it's", {'k': [2.5]}]"#
        );
        assert_eq!(py_str_json(&Value::String("x".into())), "x");
        assert_eq!(py_str_json(&serde_json::json!(false)), "False");
    }
}
