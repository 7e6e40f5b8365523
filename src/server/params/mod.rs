//! Typed request parameters, one struct per concern, like TiTiler's dependency classes.
//!
//! TiTiler composes each endpoint from small dependencies: *which dataset and bands*
//! ([`dataset`]), *how to shape a tile* ([`tile`]), *how to render* ([`render`]), *what
//! statistics* ([`stats`]), *which algorithm* ([`algorithm`]), *which coordinates* ([`geo`]) and
//! *how to describe tiles* ([`docs`]). Each struct here parses its own parameters from the
//! [`Query`](super::query::Query) once, with TiTiler's names and defaults, and records every
//! validation failure in an [`Errors`](super::validation::Errors) so the endpoint answers one
//! FastAPI-shaped 422 listing all of them. Handlers then work with typed values only.

pub mod algorithm;
pub mod catalog;
pub mod dataset;
pub mod docs;
pub mod geo;
pub mod render;
pub mod stats;
pub mod tile;

pub use algorithm::AlgorithmParams;
pub use catalog::Catalog;
pub use dataset::DatasetParams;
pub use docs::{DocFormat, TileJsonParams, TilesetParams, WmtsParams};
pub use geo::{BboxParams, OgcMapParams, PointParams};
pub use render::{ColorMap, ImageFormat, RenderParams};
pub use stats::{HistogramBins, SizeParams, StatisticsParams};
pub use tile::{TileParams, TilePath};

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::Value;

    pub use crate::io::kit_dir::conformance_dir;

    /// The recorded TiTiler answer body of a conformance case (`expect.json`).
    pub fn case_detail(case: &str) -> Value {
        let path = format!("{}/cases/{case}.json", conformance_dir().display());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        v["expect"]["json"].clone()
    }
}
