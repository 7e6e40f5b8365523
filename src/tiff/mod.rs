//! The hand-written async TIFF/BigTIFF header parser.
//!
//! STUB: the reader-core helper fills this in.

pub mod geokeys;
