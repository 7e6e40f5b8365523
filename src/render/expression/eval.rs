//! Vectorised evaluation: every node produces a whole plane (or one scalar for constants).
//!
//! Values travel as f64 and are coerced to their node's kind after each operation
//! ([`Kind::coerce`]): float32 nodes are rounded to float32, int32 nodes wrap like numexpr's
//! int32 arithmetic, so results match numexpr's to the last bit for the common operations.

use super::ast::{BinOp, Func, Kind, Node, UnOp};

/// A node's value: one number for constants, else one per pixel.
enum Value {
    Scalar(f64),
    Array(Vec<f64>),
}

impl Value {
    fn get(&self, i: usize) -> f64 {
        match self {
            Value::Scalar(v) => *v,
            Value::Array(a) => a[i],
        }
    }
}

/// numpy/Python floor division and modulo; integer division by zero gives 0 like numexpr's
/// guarded integer opcodes.
fn floor_div(a: f64, b: f64, integer: bool) -> f64 {
    if integer && b == 0.0 {
        return 0.0;
    }
    (a / b).floor()
}

fn floor_mod(a: f64, b: f64, integer: bool) -> f64 {
    if integer && b == 0.0 {
        return 0.0;
    }
    let r = a - (a / b).floor() * b;
    if b != 0.0 && r != 0.0 && (r < 0.0) != (b < 0.0) {
        r + b
    } else {
        r
    }
}

/// One binary operation on two values, coerced to `kind`.
pub fn binary_value(op: BinOp, a: f64, b: f64, kind: Kind) -> f64 {
    let int = kind.is_integer();
    let bool_val = |x: bool| if x { 1.0 } else { 0.0 };
    let v = match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::FloorDiv => floor_div(a, b, int),
        BinOp::Mod => floor_mod(a, b, int),
        BinOp::Pow => a.powf(b),
        BinOp::Shl => ((a as i64).wrapping_shl((b as i64 & 63) as u32)) as f64,
        BinOp::Shr => ((a as i64).wrapping_shr((b as i64 & 63) as u32)) as f64,
        BinOp::And => ((a as i64) & (b as i64)) as f64,
        BinOp::Or => ((a as i64) | (b as i64)) as f64,
        BinOp::Xor => ((a as i64) ^ (b as i64)) as f64,
        BinOp::Lt => bool_val(a < b),
        BinOp::Le => bool_val(a <= b),
        BinOp::Gt => bool_val(a > b),
        BinOp::Ge => bool_val(a >= b),
        BinOp::Eq => bool_val(a == b),
        BinOp::Ne => bool_val(a != b),
    };
    kind.coerce(v)
}

fn next_after(x: f64, toward: f64) -> f64 {
    if x.is_nan() || toward.is_nan() {
        return f64::NAN;
    }
    if x == toward {
        return toward;
    }
    if x == 0.0 {
        return f64::from_bits(1).copysign(toward);
    }
    let bits = x.to_bits();
    let up = (toward > x) == (x > 0.0);
    f64::from_bits(if up { bits + 1 } else { bits - 1 })
}

/// One function call on scalar arguments (arity already checked).
pub fn call_value(func: Func, a: &[f64]) -> f64 {
    let x = a.first().copied().unwrap_or(f64::NAN);
    let y = a.get(1).copied().unwrap_or(f64::NAN);
    let b = |v: bool| if v { 1.0 } else { 0.0 };
    match func {
        Func::Sqrt => x.sqrt(),
        Func::Sin => x.sin(),
        Func::Cos => x.cos(),
        Func::Tan => x.tan(),
        Func::Arcsin => x.asin(),
        Func::Arccos => x.acos(),
        Func::Arctan => x.atan(),
        Func::Sinh => x.sinh(),
        Func::Cosh => x.cosh(),
        Func::Tanh => x.tanh(),
        Func::Arcsinh => x.asinh(),
        Func::Arccosh => x.acosh(),
        Func::Arctanh => x.atanh(),
        Func::Log => x.ln(),
        Func::Log1p => x.ln_1p(),
        Func::Log10 => x.log10(),
        Func::Log2 => x.log2(),
        Func::Exp => x.exp(),
        Func::Expm1 => x.exp_m1(),
        Func::Abs => x.abs(),
        Func::Ceil => x.ceil(),
        Func::Floor => x.floor(),
        Func::Round => x.round(),
        Func::Trunc => x.trunc(),
        Func::Sign => {
            if x.is_nan() {
                f64::NAN
            } else if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        }
        Func::Copy => x,
        Func::OnesLike => 1.0,
        Func::Isnan => b(x.is_nan()),
        Func::Isfinite => b(x.is_finite()),
        Func::Isinf => b(x.is_infinite()),
        Func::Signbit => b(x.is_sign_negative()),
        Func::Arctan2 => x.atan2(y),
        Func::Fmod => x % y,
        Func::Hypot => x.hypot(y),
        Func::Nextafter => next_after(x, y),
        Func::Copysign => x.copysign(y),
        Func::Maximum => {
            if x.is_nan() || y.is_nan() {
                f64::NAN
            } else {
                x.max(y)
            }
        }
        Func::Minimum => {
            if x.is_nan() || y.is_nan() {
                f64::NAN
            } else {
                x.min(y)
            }
        }
        Func::Where => {
            if x != 0.0 {
                y
            } else {
                a.get(2).copied().unwrap_or(f64::NAN)
            }
        }
    }
}

/// `out[i] = out[i] op other[i]` (or `other op out` when `swapped`), with the operator and
/// kind dispatched once per plane so the common float arithmetic runs as tight loops.
fn binary_planes(op: BinOp, kind: Kind, out: &mut [f64], other: &Value, swapped: bool) {
    macro_rules! run {
        ($f:expr) => {{
            let f = $f;
            match (other, swapped) {
                (Value::Array(y), false) => out.iter_mut().zip(y).for_each(|(a, b)| *a = f(*a, *b)),
                (Value::Array(y), true) => out.iter_mut().zip(y).for_each(|(a, b)| *a = f(*b, *a)),
                (Value::Scalar(s), false) => out.iter_mut().for_each(|a| *a = f(*a, *s)),
                (Value::Scalar(s), true) => out.iter_mut().for_each(|a| *a = f(*s, *a)),
            }
        }};
    }
    match (op, kind) {
        (BinOp::Add, Kind::Double) => run!(|a: f64, b: f64| a + b),
        (BinOp::Sub, Kind::Double) => run!(|a: f64, b: f64| a - b),
        (BinOp::Mul, Kind::Double) => run!(|a: f64, b: f64| a * b),
        (BinOp::Div, Kind::Double) => run!(|a: f64, b: f64| a / b),
        (BinOp::Add, Kind::Float) => run!(|a: f64, b: f64| (a + b) as f32 as f64),
        (BinOp::Sub, Kind::Float) => run!(|a: f64, b: f64| (a - b) as f32 as f64),
        (BinOp::Mul, Kind::Float) => run!(|a: f64, b: f64| (a * b) as f32 as f64),
        (BinOp::Div, Kind::Float) => run!(|a: f64, b: f64| (a / b) as f32 as f64),
        (BinOp::Add, Kind::Int) => run!(|a: f64, b: f64| Kind::Int.coerce(a + b)),
        (BinOp::Sub, Kind::Int) => run!(|a: f64, b: f64| Kind::Int.coerce(a - b)),
        (BinOp::Mul, Kind::Int) => run!(|a: f64, b: f64| Kind::Int.coerce(a * b)),
        _ => run!(|a: f64, b: f64| binary_value(op, a, b, kind)),
    }
}

fn eval(node: &Node, bands: &[Vec<f64>], n: usize) -> Value {
    match node {
        Node::Const { value, .. } => Value::Scalar(*value),
        // Band samples are already exact in their kind (8–32-bit integers, float32, float64).
        Node::Band { index, .. } => Value::Array(bands[*index].clone()),
        Node::Unary { op, arg, kind } => {
            let v = eval(arg, bands, n);
            let f = |x: f64| match op {
                UnOp::Neg => kind.coerce(-x),
                UnOp::Invert if *kind == Kind::Bool => 1.0 - x,
                UnOp::Invert => kind.coerce(!(x as i64) as f64),
            };
            match v {
                Value::Scalar(x) => Value::Scalar(f(x)),
                Value::Array(mut a) => {
                    a.iter_mut().for_each(|x| *x = f(*x));
                    Value::Array(a)
                }
            }
        }
        Node::Binary { op, lhs, rhs, kind } => {
            let a = eval(lhs, bands, n);
            let b = eval(rhs, bands, n);
            match (a, b) {
                (Value::Array(mut x), y) => {
                    binary_planes(*op, *kind, &mut x, &y, false);
                    Value::Array(x)
                }
                (Value::Scalar(x), Value::Array(mut y)) => {
                    binary_planes(*op, *kind, &mut y, &Value::Scalar(x), true);
                    Value::Array(y)
                }
                (Value::Scalar(x), Value::Scalar(y)) => {
                    Value::Scalar(binary_value(*op, x, y, *kind))
                }
            }
        }
        Node::Call { func, args, kind } => {
            let vals: Vec<Value> = args.iter().map(|a| eval(a, bands, n)).collect();
            if vals.iter().all(|v| matches!(v, Value::Scalar(_))) {
                let s: Vec<f64> = vals.iter().map(|v| v.get(0)).collect();
                return Value::Scalar(kind.coerce(call_value(*func, &s)));
            }
            let mut out = Vec::with_capacity(n);
            let mut buf = [0.0f64; 3];
            for i in 0..n {
                for (slot, v) in buf.iter_mut().zip(&vals) {
                    *slot = v.get(i);
                }
                out.push(kind.coerce(call_value(*func, &buf[..vals.len()])));
            }
            Value::Array(out)
        }
    }
}

/// Evaluates a typed block over band planes of `n` pixels each; constants are broadcast.
/// NaN becomes 0 and ±inf the kind's largest finite values (`numpy.nan_to_num`).
pub fn evaluate(node: &Node, bands: &[Vec<f64>], n: usize) -> Vec<f64> {
    let kind = node.kind();
    let (lo, hi) = match kind {
        Kind::Float => (f32::MIN as f64, f32::MAX as f64),
        _ => (f64::MIN, f64::MAX),
    };
    let fix = |v: f64| {
        if v.is_nan() {
            0.0
        } else if v == f64::INFINITY {
            hi
        } else if v == f64::NEG_INFINITY {
            lo
        } else {
            v
        }
    };
    match eval(node, bands, n) {
        Value::Scalar(v) => vec![fix(v); n],
        Value::Array(mut a) => {
            a.iter_mut().for_each(|v| *v = fix(*v));
            a
        }
    }
}
