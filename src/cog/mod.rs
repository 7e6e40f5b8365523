//! A GeoTIFF as a dataset: levels, masks, georeferencing, window reads.
//!
//! STUB: the reader-core helper fills this in.
