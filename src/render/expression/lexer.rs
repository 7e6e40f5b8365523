//! Tokens of Python's expression syntax, the subset numexpr evaluates.

use crate::render::error::{Error, Result};

/// One token, with the byte offset where it starts (for error messages).
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A number literal; `int` when written without `.`/exponent (Python `int`).
    Num {
        value: f64,
        int: bool,
    },
    Ident(String),
    /// A quoted string (never valid in band math; kept as a token so errors can name the
    /// construct around it, as Python's parser would).
    Str,
    /// Operator or punctuation: `+ - * / // % ** << >> & | ^ ~ < <= > >= == != ( ) ,`.
    Op(&'static str),
    End,
}

const OPS: [&str; 23] = [
    "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+", "-", "*", "/", "%", "&", "|", "^", "~",
    "<", ">", "(", ")", ",", "=",
];

/// Python keywords that are not part of numexpr's language.
const KEYWORDS: [&str; 12] = [
    "and", "or", "not", "if", "else", "lambda", "in", "is", "for", "await", "yield", "import",
];

fn syntax(col: usize, what: &str) -> Error {
    Error::InvalidExpression(format!(
        "Invalid expression syntax: invalid syntax (<unknown>, line 1, column {}): {what}",
        col + 1
    ))
}

/// Splits an expression block into tokens.
pub fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b' ' || c == b'\t' || c == b'\n' || c == b'\r' {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let mut int = true;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b'.' {
                int = false;
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
                let mut j = i + 1;
                if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                    j += 1;
                }
                if j < bytes.len() && bytes[j].is_ascii_digit() {
                    int = false;
                    i = j;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            if i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                return Err(syntax(start, "invalid number literal"));
            }
            let text = &src[start..i];
            let value = super::super::rescale::parse_python_float(text)
                .ok_or_else(|| syntax(start, "invalid number literal"))?;
            out.push((Tok::Num { value, int }, start));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &src[start..i];
            if KEYWORDS.contains(&word) {
                return Err(Error::InvalidExpression(format!(
                    "unsupported keyword {word:?}: band math uses & | ~ and where(), not Python's and/or/not/if"
                )));
            }
            out.push((Tok::Ident(word.to_string()), start));
            continue;
        }
        if c == b'\'' || c == b'"' {
            let close = src[i + 1..]
                .find(c as char)
                .ok_or_else(|| syntax(start, "unterminated string"))?;
            i += close + 2;
            out.push((Tok::Str, start));
            continue;
        }
        if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            out.push((Tok::Op(op), start));
            i += op.len();
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        return Err(syntax(start, &format!("unexpected character {ch:?}")));
    }
    out.push((Tok::End, bytes.len()));
    Ok(out)
}
