//! Algorithm parameters: parsing `algorithm_params` JSON with pydantic's lax rules, and the
//! JSON-schema fragments `/algorithms/{id}` shows for them.

use serde_json::{json, Map, Value};

use crate::render::error::{Error, Result};

/// One parameter's declaration.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: Option<&'static str>,
    pub kind: ParamKind,
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamKind {
    /// `int = Field(default, ge, le)`
    Int(i64),
    /// `float = Field(default, ge, le)`
    Float(f64),
    /// `float | None = Field(None, ge, le)`
    OptFloat,
}

impl ParamSpec {
    /// pydantic v2's JSON schema of the field.
    pub fn schema(&self) -> Value {
        let mut m = Map::new();
        match self.kind {
            ParamKind::Int(d) => {
                m.insert("default".into(), json!(d));
                m.insert("maximum".into(), json!(self.max as i64));
                m.insert("minimum".into(), json!(self.min as i64));
                m.insert("type".into(), json!("integer"));
            }
            ParamKind::Float(d) => {
                m.insert("default".into(), json!(d));
                m.insert("maximum".into(), json!(self.max));
                m.insert("minimum".into(), json!(self.min));
                m.insert("type".into(), json!("number"));
            }
            ParamKind::OptFloat => {
                m.insert(
                    "anyOf".into(),
                    json!([{"maximum": self.max, "minimum": self.min, "type": "number"}, {"type": "null"}]),
                );
                m.insert("default".into(), Value::Null);
            }
        }
        if let Some(d) = self.description {
            m.insert("description".into(), json!(d));
        }
        m.insert("title".into(), json!(self.title));
        Value::Object(m)
    }
}

/// Parameter values after validation, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(pub Vec<(&'static str, Option<f64>)>);

impl Params {
    /// The value of a declared parameter (its default when not given).
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| *v)
    }
}

fn invalid(name: &str, reason: impl Into<String>) -> Error {
    Error::InvalidAlgorithmParam {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// pydantic's lax number coercion: numbers, numeric strings, and for integers only integral
/// values. Booleans are refused for floats and accepted as 0/1 for ints, like pydantic.
fn coerce(spec: &ParamSpec, v: &Value) -> Result<Option<f64>> {
    let n = match v {
        Value::Null if spec.kind == ParamKind::OptFloat => return Ok(None),
        Value::Number(n) => n.as_f64(),
        Value::String(s) => crate::render::rescale::parse_python_float(s),
        Value::Bool(b) if matches!(spec.kind, ParamKind::Int(_)) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
    .ok_or_else(|| invalid(spec.name, format!("{v} is not a number")))?;
    if matches!(spec.kind, ParamKind::Int(_)) && n.fract() != 0.0 {
        return Err(invalid(spec.name, format!("{v} is not an integer")));
    }
    if !n.is_finite() && !matches!(spec.kind, ParamKind::Float(_) | ParamKind::OptFloat) {
        return Err(invalid(spec.name, format!("{v} is not finite")));
    }
    if n.is_nan() || n < spec.min {
        return Err(invalid(
            spec.name,
            format!("{v} is below the minimum {}", spec.min),
        ));
    }
    if n > spec.max {
        return Err(invalid(
            spec.name,
            format!("{v} is above the maximum {}", spec.max),
        ));
    }
    Ok(Some(n))
}

/// Validates `algorithm_params` against the declared parameters. Unknown keys are ignored
/// (TiTiler's models allow extra fields).
pub fn parse(specs: &[ParamSpec], json_text: Option<&str>) -> Result<Params> {
    let given: Map<String, Value> = match json_text {
        None => Map::new(),
        Some(t) => match serde_json::from_str::<Value>(t) {
            Ok(Value::Object(m)) => m,
            Ok(other) => {
                return Err(Error::AlgorithmParamsNotJson(format!(
                    "expected a JSON object, got {other}"
                )))
            }
            Err(e) => return Err(Error::AlgorithmParamsNotJson(e.to_string())),
        },
    };
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        let v = match given.get(spec.name) {
            Some(v) => coerce(spec, v)?,
            None => match spec.kind {
                ParamKind::Int(d) => Some(d as f64),
                ParamKind::Float(d) => Some(d),
                ParamKind::OptFloat => None,
            },
        };
        out.push((spec.name, v));
    }
    Ok(Params(out))
}
