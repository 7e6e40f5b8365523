//! Bytes at ranges: where a dataset's bytes come from, and how few requests we need to get them.
//!
//! A Cloud Optimized GeoTIFF is read with HTTP range requests: the header from the front of the
//! file, then only the compressed tiles a request touches. Everything above this module sees a
//! dataset as a [`ByteSource`]: "give me bytes `a..b`". Sources exist for local files, `file://`,
//! `http(s)://` and `s3://` (all through `object_store`, see [`open_source`]), plus in-memory and
//! counting doubles for tests.
//!
//! HTTP(S) stores talk through cogtiler's own small client (`http.rs`), which avoids the ~40 ms
//! delayed-ACK stall per request that servers splitting headers and body cause on kept-alive
//! connections; reqwest is kept when a proxy is configured.
//!
//! Two ideas keep the request count low:
//! - **No HEAD, ever.** The first read is a ranged GET of the first [`IoConfig::header_bytes`]
//!   bytes; the object size is learned from that response (`Content-Range`). A file shorter than
//!   the read is fine: the answer is simply shorter.
//! - **Coalescing.** Tiles that a request needs usually sit close together in the file. Ranges
//!   whose gap is at most [`IoConfig::coalesce_gap`] are merged into one GET (see [`coalesce`]);
//!   independent merged ranges are fetched concurrently and sliced back ([`read_ranges`]).
//!
//! Compressed chunks are cached by byte budget in a [`ChunkCache`], keyed by source id.
//!
//! What may be opened at all is [`UrlRules`]' call (`IoConfig::url_rules`): checked on the
//! URL in [`open_source`] and on every address the HTTP client connects to.

mod budget;
mod cache;
pub mod cache_buf;
mod coalesce;
mod config;
mod crypto;
mod document;
mod error;
mod http;
mod source;
mod store;
mod url_rules;

/// Where unit tests find the conformance kit: the same file the integration tests include.
#[cfg(test)]
#[path = "../../tests/support/kit_dir.rs"]
pub(crate) mod kit_dir;

pub use budget::{FetchBudget, FetchPermit};
pub(crate) use cache::byte_budget_options;
pub use cache::{ChunkCache, ChunkGuard, ChunkKey, Claim};
pub use cache_buf::CacheBuf;
pub use coalesce::{coalesce, read_ranges, MergedRange};
pub use config::IoConfig;
pub use document::{fetch_whole, DocumentCache, DocumentOptions, DEFAULT_MAX_DOCUMENT_BYTES};
pub use error::Error;
pub use source::{read_exact, ByteSource, CountingSource, MemorySource};
pub use store::{open_source, ObjectSource};
pub use url_rules::{forbidden_class, RuleError, UrlRules};
