//! Bytes at ranges: object_store-backed byte sources, range coalescing, caches.
//!
//! STUB: the reader-core helper fills this in.
