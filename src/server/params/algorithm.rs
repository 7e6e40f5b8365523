//! `algorithm` + `algorithm_params` (TiTiler's `PostProcessParams`).
//!
//! The name is a `Literal` (unknown → 422); the params are a JSON object whose *syntax* is
//! validated here (422 `Value error, invalid JSON content`) and whose *content* is validated by
//! the algorithm itself in `render` (TiTiler answers those pydantic failures with 400).

use serde_json::{json, Map, Value};

use super::catalog::{as_strs, Catalog};
use crate::render::algorithm::Algorithm;
use crate::server::error::ApiError;
use crate::server::query::Query;
use crate::server::validation::{Errors, Source};

/// A requested post-processing algorithm.
#[derive(Clone, Debug, PartialEq)]
pub struct AlgorithmParams {
    /// The algorithm id (`hillshade`, `normalizedIndex`, ...).
    pub name: String,
    /// Keyword arguments from `algorithm_params` (empty when absent).
    pub params: Map<String, Value>,
    /// The raw `algorithm_params` JSON, as given.
    pub raw_params: Option<String>,
}

impl AlgorithmParams {
    /// The algorithm with its parameters checked against its schema (`render`): a parameter
    /// of the wrong type or out of range is a 400, like TiTiler.
    pub fn build(&self) -> Result<Algorithm, ApiError> {
        Ok(Algorithm::new(&self.name, self.raw_params.as_deref())?)
    }
}

impl AlgorithmParams {
    /// `Some(None)` when no algorithm was asked for; `None` when validation failed.
    pub fn parse(
        q: &Query,
        catalog: &Catalog,
        errs: &mut Errors,
    ) -> Option<Option<AlgorithmParams>> {
        let name = q.get("algorithm").map(|s| {
            errs.literal(
                Source::Query,
                "algorithm",
                s,
                &as_strs(&catalog.algorithm_names),
                false,
            )
            .map(str::to_string)
        });
        let params = match q.get("algorithm_params") {
            None => Some(Map::new()),
            Some(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(m)) => Some(m),
                Ok(_) => {
                    errs.value_error(
                        Source::Query,
                        "algorithm_params",
                        "algorithm_params must be a JSON object",
                        json!(s),
                    );
                    None
                }
                Err(_) => {
                    errs.value_error(
                        Source::Query,
                        "algorithm_params",
                        "invalid JSON content",
                        json!(s),
                    );
                    None
                }
            },
        };
        match name {
            None => params.map(|_| None),
            Some(n) => Some(Some(AlgorithmParams {
                name: n?,
                params: params?,
                raw_params: q.get("algorithm_params").map(str::to_string),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::params::tests::case_detail;

    fn parse(raw: &str) -> Result<Option<AlgorithmParams>, Value> {
        let mut errs = Errors::new();
        match AlgorithmParams::parse(&Query::parse(raw, false), &Catalog::default(), &mut errs) {
            Some(p) if errs.is_empty() => Ok(p),
            _ => Err(ApiError::validation(errs.into_vec()).body_json()),
        }
    }

    #[test]
    fn algorithms() {
        assert_eq!(parse("").unwrap(), None);
        let a = parse("algorithm=hillshade&algorithm_params=%7B%22azimuth%22:%2090%7D")
            .unwrap()
            .unwrap();
        assert_eq!(a.name, "hillshade");
        assert_eq!(a.params["azimuth"], json!(90));
        assert_eq!(a.build().unwrap().id(), "hillshade");
        let bad = parse("algorithm=hillshade&algorithm_params=%7B%22azimuth%22:%22x%22%7D")
            .unwrap()
            .unwrap();
        assert_eq!(bad.build().unwrap_err().status.as_u16(), 400);
        assert_eq!(
            parse("algorithm=nope").unwrap_err(),
            case_detail("err_bad_algorithm")
        );
        assert_eq!(
            parse("algorithm=hillshade&algorithm_params=%7Bbad").unwrap_err(),
            case_detail("err_bad_algorithm_params")
        );
    }
}
