//! The expression tree, with numexpr's result type ("kind") on every node.
//!
//! numexpr computes in five types — bool, int (int32), long (int64), float (float32) and double
//! (float64) — and the result type of an expression decides the dtype of TiTiler's output (an
//! NDVI over uint16 bands is float64, `b1*2` over uint16 is int32). The rules, from numexpr's
//! `expressions.py`: band variables take the kind of their dtype (8/16-bit integers and int32 →
//! int, uint32/int64 → long); integer literals are int (long beyond int32), float literals
//! double; arithmetic takes the highest kind of its operands; `/` of integers gives double;
//! comparisons give bool; functions raise integers to double and keep at least their minimum
//! kind (`sqrt` of float32 stays float32, `hypot` is always double).

/// numexpr's internal types, in promotion order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Bool,
    Int,
    Long,
    Float,
    Double,
}

impl Kind {
    pub fn is_integer(self) -> bool {
        matches!(self, Kind::Bool | Kind::Int | Kind::Long)
    }

    /// Rounds a value to what this kind can hold (numexpr stores every intermediate result in
    /// its kind: float32 rounding, int32 wrap-around).
    #[inline]
    pub fn coerce(self, v: f64) -> f64 {
        match self {
            Kind::Double => v,
            Kind::Float => v as f32 as f64,
            Kind::Int => {
                if v.is_finite() {
                    (v.trunc() as i64) as i32 as f64
                } else {
                    0.0
                }
            }
            Kind::Long => {
                if v.is_finite() {
                    v.trunc() as i64 as f64
                } else {
                    0.0
                }
            }
            Kind::Bool => {
                if v != 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Invert,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Shl,
    Shr,
    And,
    Or,
    Xor,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }
}

/// The numexpr functions we evaluate element-wise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    // one argument, at least float
    Sqrt,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Arcsinh,
    Arccosh,
    Arctanh,
    Log,
    Log1p,
    Log10,
    Log2,
    Exp,
    Expm1,
    Abs,
    Ceil,
    Floor,
    // one argument, at least double (integers kept for round/sign)
    Round,
    Trunc,
    Sign,
    Copy,
    OnesLike,
    // one argument, bool result
    Isnan,
    Isfinite,
    Isinf,
    Signbit,
    // two arguments
    Arctan2,
    Fmod,
    Hypot,
    Nextafter,
    Copysign,
    Maximum,
    Minimum,
    // three arguments
    Where,
}

/// numexpr's function names we refuse: reductions and complex numbers make no sense per pixel.
pub const UNSUPPORTED_FUNCS: [&str; 9] = [
    "sum", "prod", "min", "max", "contains", "real", "imag", "complex", "conj",
];

impl Func {
    pub fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "sqrt" => Func::Sqrt,
            "sin" => Func::Sin,
            "cos" => Func::Cos,
            "tan" => Func::Tan,
            "arcsin" => Func::Arcsin,
            "arccos" => Func::Arccos,
            "arctan" => Func::Arctan,
            "sinh" => Func::Sinh,
            "cosh" => Func::Cosh,
            "tanh" => Func::Tanh,
            "arcsinh" => Func::Arcsinh,
            "arccosh" => Func::Arccosh,
            "arctanh" => Func::Arctanh,
            "log" => Func::Log,
            "log1p" => Func::Log1p,
            "log10" => Func::Log10,
            "log2" => Func::Log2,
            "exp" => Func::Exp,
            "expm1" => Func::Expm1,
            "abs" => Func::Abs,
            "ceil" => Func::Ceil,
            "floor" => Func::Floor,
            "round" => Func::Round,
            "trunc" => Func::Trunc,
            "sign" => Func::Sign,
            "copy" => Func::Copy,
            "ones_like" => Func::OnesLike,
            "isnan" => Func::Isnan,
            "isfinite" => Func::Isfinite,
            "isinf" => Func::Isinf,
            "signbit" => Func::Signbit,
            "arctan2" => Func::Arctan2,
            "fmod" => Func::Fmod,
            "hypot" => Func::Hypot,
            "nextafter" => Func::Nextafter,
            "copysign" => Func::Copysign,
            "maximum" => Func::Maximum,
            "minimum" => Func::Minimum,
            "where" => Func::Where,
            _ => return None,
        })
    }

    pub fn arity(self) -> usize {
        match self {
            Func::Arctan2
            | Func::Fmod
            | Func::Hypot
            | Func::Nextafter
            | Func::Copysign
            | Func::Maximum
            | Func::Minimum => 2,
            Func::Where => 3,
            _ => 1,
        }
    }

    /// numexpr's result kind for arguments of common kind `k` (`func(..., minkind, maxkind)`).
    pub fn result_kind(self, k: Kind) -> Kind {
        use Func::*;
        let (min, max): (Kind, Option<Kind>) = match self {
            Isnan | Isfinite | Isinf | Signbit => return Kind::Bool,
            Where => return k,
            Copy | OnesLike => return k,
            Sqrt | Sin | Cos | Tan | Arcsin | Arccos | Arctan | Sinh | Cosh | Tanh | Arcsinh
            | Arccosh | Arctanh | Log | Log1p | Log10 | Log2 | Exp | Expm1 | Abs | Arctan2
            | Fmod => (Kind::Float, None),
            Ceil | Floor => (Kind::Float, Some(Kind::Double)),
            Round | Trunc | Sign | Hypot | Nextafter | Copysign | Maximum | Minimum => {
                (Kind::Double, None)
            }
        };
        if matches!(k, Kind::Int | Kind::Long) {
            // numexpr keeps integers only for copy/ones_like/round/sign ("abs" is registered
            // as numpy's `absolute`, so it does not match its own exception list).
            return if matches!(self, Round | Sign) {
                k
            } else {
                Kind::Double
            };
        }
        let k = k.max(min);
        match max {
            Some(m) => k.min(m),
            None => k,
        }
    }
}

/// A typed expression node.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Const {
        value: f64,
        kind: Kind,
    },
    /// A band, by its position in the image's band list.
    Band {
        index: usize,
        kind: Kind,
    },
    Unary {
        op: UnOp,
        arg: Box<Node>,
        kind: Kind,
    },
    Binary {
        op: BinOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
        kind: Kind,
    },
    Call {
        func: Func,
        args: Vec<Node>,
        kind: Kind,
    },
}

impl Node {
    pub fn kind(&self) -> Kind {
        match self {
            Node::Const { kind, .. }
            | Node::Band { kind, .. }
            | Node::Unary { kind, .. }
            | Node::Binary { kind, .. }
            | Node::Call { kind, .. } => *kind,
        }
    }
}
