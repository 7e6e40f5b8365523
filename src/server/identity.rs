//! What the server says it is, in the documents that name a server (`GET /`, `/healthz`, WMTS
//! capabilities).
//!
//! cogtiler answers TiTiler's API, so those documents keep TiTiler's shape (the same keys,
//! links and XML elements, which clients read), but the values that name the software name
//! cogtiler: it is not TiTiler, nor built on FastAPI or GDAL. The recorded TiTiler cases that
//! differ only by these strings are listed in `tests/conformance-divergences.txt`.

/// The software's name, as the landing page and the WMTS service provider give it.
pub const NAME: &str = "cogtiler";

/// The landing page's `description`.
pub const DESCRIPTION: &str = "A dynamic tile server for Cloud Optimized GeoTIFFs, written in \
Rust, that answers TiTiler's API.";

/// The TiTiler release whose API (paths, parameters, documents, errors) cogtiler follows: the
/// version the conformance kit was recorded against. `/healthz` reports it beside cogtiler's
/// own version, under a key that does not claim TiTiler is running.
pub const TITILER_API_VERSION: &str = "2.4.0";
