//! Binding a parsed block to an image's bands and giving every node numexpr's kind.
//!
//! Constant sub-expressions are folded with Python's arithmetic, as numexpr does before
//! compiling (`2/4` is the double `0.5`, `7//2` the int `3`).

use super::ast::{BinOp, Func, Kind, Node, UnOp};
use super::parser::Raw;
use crate::raster::DataType;
use crate::render::error::{Error, Result};

/// numexpr's kind for a band of this dtype (`necompiler.getType`).
pub fn kind_of_dtype(d: DataType) -> Kind {
    match d {
        DataType::U8 | DataType::I8 | DataType::U16 | DataType::I16 | DataType::I32 => Kind::Int,
        DataType::U32 => Kind::Long,
        DataType::F32 => Kind::Float,
        DataType::F64 => Kind::Double,
    }
}

/// Kind of an integer constant: int when it fits int32, else long.
fn int_kind(v: f64) -> Kind {
    if (i32::MIN as f64..=i32::MAX as f64).contains(&v) {
        Kind::Int
    } else {
        Kind::Long
    }
}

/// Types `raw`; `bands` are the image's band names (lower case) and `dtype` its data type.
pub fn bind(raw: &Raw, bands: &[String], dtype: DataType) -> Result<Node> {
    Ok(match raw {
        Raw::Num { value, int } => Node::Const {
            value: *value,
            kind: if *int { int_kind(*value) } else { Kind::Double },
        },
        Raw::Name(name) => {
            let index = bands.iter().position(|b| b == name).ok_or_else(|| {
                Error::InvalidExpression(format!("Invalid band/asset name '{name}'"))
            })?;
            Node::Band {
                index,
                kind: kind_of_dtype(dtype),
            }
        }
        Raw::Unary(op, arg) => {
            let arg = bind(arg, bands, dtype)?;
            let kind = arg.kind();
            if *op == UnOp::Invert && !kind.is_integer() {
                return Err(Error::InvalidExpression(
                    "'~' needs integer or boolean operands, not floating point".into(),
                ));
            }
            if let Node::Const { value, .. } = arg {
                let v = match op {
                    UnOp::Neg => -value,
                    UnOp::Invert if kind == Kind::Bool => 1.0 - value,
                    UnOp::Invert => !(value as i64) as f64,
                };
                return Ok(Node::Const { value: v, kind });
            }
            Node::Unary {
                op: *op,
                arg: Box::new(arg),
                kind,
            }
        }
        Raw::Binary(op, lhs, rhs) => {
            let lhs = bind(lhs, bands, dtype)?;
            let rhs = bind(rhs, bands, dtype)?;
            binary(*op, lhs, rhs)?
        }
        Raw::Call(func, args) => {
            let args: Vec<Node> = args
                .iter()
                .map(|a| bind(a, bands, dtype))
                .collect::<Result<_>>()?;
            let common = args.iter().map(Node::kind).max().unwrap_or(Kind::Double);
            let kind = func.result_kind(common);
            if let Some(v) = fold_call(*func, &args) {
                return Ok(Node::Const {
                    value: kind.coerce(v),
                    kind,
                });
            }
            Node::Call {
                func: *func,
                args,
                kind,
            }
        }
    })
}

fn binary(op: BinOp, lhs: Node, rhs: Node) -> Result<Node> {
    let (lk, rk) = (lhs.kind(), rhs.kind());
    let common = lk.max(rk);
    let kind = match op {
        _ if op.is_comparison() => Kind::Bool,
        BinOp::Div => {
            if common.is_integer() {
                Kind::Double
            } else {
                common
            }
        }
        BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Shl | BinOp::Shr => {
            if !common.is_integer() {
                return Err(Error::InvalidExpression(format!(
                    "'{}' needs integer or boolean operands, not floating point",
                    op.symbol()
                )));
            }
            common
        }
        BinOp::Pow => pow_kind(&lhs, &rhs)?,
        _ => common,
    };
    if let (Node::Const { value: a, .. }, Node::Const { value: b, .. }) = (&lhs, &rhs) {
        let v = super::eval::binary_value(op, *a, *b, kind);
        // Python integers do not overflow: an int result beyond int32 becomes long.
        let kind = if kind == Kind::Int { int_kind(v) } else { kind };
        return Ok(Node::Const { value: v, kind });
    }
    Ok(Node::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
        kind,
    })
}

/// numexpr's `pow_op` with its default 'aggressive' optimisation: small integral and
/// half-integral constant exponents become multiplications (keeping the base's kind).
fn pow_kind(base: &Node, exp: &Node) -> Result<Kind> {
    let bk = base.kind();
    if let Node::Const { value: x, kind: ek } = exp {
        if bk.is_integer() && ek.is_integer() && *x < 0.0 {
            return Err(Error::InvalidExpression(
                "Integers to negative integer powers are not allowed.".into(),
            ));
        }
        if (2.0 * x).fract() == 0.0 && x.abs() <= 50.0 {
            let mut k = bk;
            if (2.0 * x).abs() % 2.0 == 1.0 {
                // half power: multiply by sqrt(base), double for integer bases
                let sk = if matches!(bk, Kind::Int | Kind::Long) {
                    Kind::Double
                } else {
                    bk
                };
                k = k.max(sk);
            }
            if *x < 0.0 && k.is_integer() {
                k = Kind::Double;
            }
            return Ok(k);
        }
    }
    Ok(bk.max(exp.kind()))
}

fn fold_call(func: Func, args: &[Node]) -> Option<f64> {
    let vals: Vec<f64> = args
        .iter()
        .map(|a| match a {
            Node::Const { value, .. } => Some(*value),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(super::eval::call_value(func, &vals))
}
