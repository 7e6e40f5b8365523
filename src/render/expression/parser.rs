//! A precedence-climbing (Pratt) parser for one expression block, with Python's grammar.
//!
//! Python's operator precedence, lowest first: comparisons, `|`, `^`, `&`, `<< >>`, `+ -`,
//! `* / // %`, unary `- + ~`, `**` (right-associative, and binding tighter than a unary minus on
//! its left: `-2**2` is `-(2**2)`, `2**-1` is `2**(-1)`), then calls and parentheses. Chained
//! comparisons (`a < b < c`), `and`/`or`/`not`, tuples, attributes, subscripts and keyword
//! arguments are rejected: numexpr cannot evaluate them either.

use super::ast::{BinOp, Func, UnOp, UNSUPPORTED_FUNCS};
use super::lexer::{tokenize, Tok};
use crate::render::error::{Error, Result};

/// Deepest parser recursion accepted, so hostile input cannot exhaust the stack. Each level of
/// parentheses or call nesting costs about nine frames (one per precedence level), so this
/// allows roughly 50 levels of nesting.
pub const MAX_DEPTH: usize = 480;

/// The untyped syntax tree of one block.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    Num { value: f64, int: bool },
    Name(String),
    Unary(UnOp, Box<Raw>),
    Binary(BinOp, Box<Raw>, Box<Raw>),
    Call(Func, Vec<Raw>),
}

/// numexpr's full function list (rio-tiler allows exactly these names in calls).
const NUMEXPR_FUNCS: [&str; 48] = [
    "copy",
    "ones_like",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "fmod",
    "arctan2",
    "hypot",
    "nextafter",
    "copysign",
    "maximum",
    "minimum",
    "log",
    "log1p",
    "log10",
    "log2",
    "exp",
    "expm1",
    "abs",
    "ceil",
    "floor",
    "round",
    "trunc",
    "sign",
    "where",
    "real",
    "imag",
    "complex",
    "conj",
    "isnan",
    "isfinite",
    "isinf",
    "signbit",
    "sum",
    "prod",
    "min",
    "max",
    "contains",
];

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
}

fn syntax(col: usize, what: &str) -> Error {
    Error::InvalidExpression(format!(
        "Invalid expression syntax: invalid syntax (<unknown>, line 1, column {}): {what}",
        col + 1
    ))
}

/// Parses one block (already lower-cased by the caller, like rio-tiler does).
pub fn parse_block(src: &str) -> Result<Raw> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.comparison()?;
    match p.peek() {
        (Tok::End, _) => Ok(e),
        (t, col) => Err(syntax(*col, &format!("unexpected {}", describe(t)))),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num { value, .. } => format!("number {value}"),
        Tok::Ident(s) => format!("name {s:?}"),
        Tok::Str => "string".into(),
        Tok::Op(o) => format!("{o:?}"),
        Tok::End => "end of expression".into(),
    }
}

impl Parser {
    fn peek(&self) -> &(Tok, usize) {
        // The token list always ends with End and we never advance past it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> (Tok, usize) {
        let t = self.peek().clone();
        if !matches!(t.0, Tok::End) {
            self.pos += 1;
        }
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), (Tok::Op(o), _) if *o == op)
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::InvalidExpression(format!(
                "expression nested too deeply (parser depth above {MAX_DEPTH})"
            )));
        }
        Ok(())
    }

    fn comparison(&mut self) -> Result<Raw> {
        self.enter()?;
        let lhs = self.binary(0)?;
        let op = match self.peek() {
            (Tok::Op("<"), _) => BinOp::Lt,
            (Tok::Op("<="), _) => BinOp::Le,
            (Tok::Op(">"), _) => BinOp::Gt,
            (Tok::Op(">="), _) => BinOp::Ge,
            (Tok::Op("=="), _) => BinOp::Eq,
            (Tok::Op("!="), _) => BinOp::Ne,
            _ => {
                self.depth -= 1;
                return Ok(lhs);
            }
        };
        self.bump();
        let rhs = self.binary(0)?;
        if matches!(
            self.peek(),
            (Tok::Op("<" | "<=" | ">" | ">=" | "==" | "!="), _)
        ) {
            return Err(Error::InvalidExpression(
                "chained comparisons are not supported in band math: use (a < b) & (b < c)".into(),
            ));
        }
        self.depth -= 1;
        Ok(Raw::Binary(op, Box::new(lhs), Box::new(rhs)))
    }

    /// Binary operators above comparisons, by precedence level (0 = `|` ... 5 = `* / // %`).
    fn binary(&mut self, level: usize) -> Result<Raw> {
        if level > 5 {
            return self.unary();
        }
        self.enter()?;
        let mut lhs = self.binary(level + 1)?;
        loop {
            let op = match (level, self.peek()) {
                (0, (Tok::Op("|"), _)) => BinOp::Or,
                (1, (Tok::Op("^"), _)) => BinOp::Xor,
                (2, (Tok::Op("&"), _)) => BinOp::And,
                (3, (Tok::Op("<<"), _)) => BinOp::Shl,
                (3, (Tok::Op(">>"), _)) => BinOp::Shr,
                (4, (Tok::Op("+"), _)) => BinOp::Add,
                (4, (Tok::Op("-"), _)) => BinOp::Sub,
                (5, (Tok::Op("*"), _)) => BinOp::Mul,
                (5, (Tok::Op("/"), _)) => BinOp::Div,
                (5, (Tok::Op("//"), _)) => BinOp::FloorDiv,
                (5, (Tok::Op("%"), _)) => BinOp::Mod,
                _ => break,
            };
            self.bump();
            let rhs = self.binary(level + 1)?;
            lhs = Raw::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Raw> {
        self.enter()?;
        let out = if self.is_op("-") {
            self.bump();
            Raw::Unary(UnOp::Neg, Box::new(self.unary()?))
        } else if self.is_op("+") {
            self.bump();
            self.unary()?
        } else if self.is_op("~") {
            self.bump();
            Raw::Unary(UnOp::Invert, Box::new(self.unary()?))
        } else {
            let base = self.primary()?;
            if self.is_op("**") {
                self.bump();
                let exp = self.unary()?;
                Raw::Binary(BinOp::Pow, Box::new(base), Box::new(exp))
            } else {
                base
            }
        };
        self.depth -= 1;
        Ok(out)
    }

    fn primary(&mut self) -> Result<Raw> {
        self.enter()?;
        let (tok, col) = self.bump();
        let out = match tok {
            Tok::Num { value, int } => Raw::Num { value, int },
            Tok::Ident(name) => {
                if self.is_op("(") {
                    self.bump();
                    check_function(&name)?;
                    let args = self.call_args()?;
                    call(&name, args)?
                } else {
                    Raw::Name(name)
                }
            }
            Tok::Op("(") => {
                let e = self.comparison()?;
                if self.is_op(",") {
                    return Err(Error::InvalidExpression(
                        "disallowed expression: Tuple".into(),
                    ));
                }
                if !self.is_op(")") {
                    let (t, c) = self.peek().clone();
                    return Err(syntax(c, &format!("expected ')', found {}", describe(&t))));
                }
                self.bump();
                e
            }
            Tok::Str => {
                return Err(Error::InvalidExpression(
                    "strings are not supported in band math".into(),
                ))
            }
            t => return Err(syntax(col, &format!("unexpected {}", describe(&t)))),
        };
        self.depth -= 1;
        Ok(out)
    }

    fn call_args(&mut self) -> Result<Vec<Raw>> {
        let mut args = Vec::new();
        loop {
            if self.is_op(")") {
                self.bump();
                return Ok(args);
            }
            let e = self.comparison()?;
            if self.is_op("=") {
                return Err(Error::InvalidExpression(
                    "keyword arguments are not supported in band math".into(),
                ));
            }
            args.push(e);
            if self.is_op(",") {
                self.bump();
            } else if !self.is_op(")") {
                let (t, c) = self.peek().clone();
                return Err(syntax(
                    c,
                    &format!("expected ',' or ')', found {}", describe(&t)),
                ));
            }
        }
    }
}

/// rio-tiler's "disallowed function" check (numexpr's names only), and our refusal of the
/// numexpr functions that are not element-wise; done before the arguments are parsed.
fn check_function(name: &str) -> Result<()> {
    if !NUMEXPR_FUNCS.contains(&name) {
        return Err(Error::InvalidExpression(format!(
            "disallowed function: '{name}'"
        )));
    }
    if UNSUPPORTED_FUNCS.contains(&name) {
        return Err(Error::InvalidExpression(format!(
            "function '{name}' is not supported in band math (it is not element-wise)"
        )));
    }
    Ok(())
}

/// Resolves a call to an element-wise function with the right number of arguments.
fn call(name: &str, args: Vec<Raw>) -> Result<Raw> {
    let Some(func) = Func::from_name(name) else {
        return Err(Error::InvalidExpression(format!(
            "disallowed function: '{name}'"
        )));
    };
    if args.len() != func.arity() {
        return Err(Error::InvalidExpression(format!(
            "{name}() takes {} argument(s), {} given",
            func.arity(),
            args.len()
        )));
    }
    Ok(Raw::Call(func, args))
}
