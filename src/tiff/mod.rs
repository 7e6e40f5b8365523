//! The hand-written async TIFF / BigTIFF header parser.
//!
//! A TIFF file starts with an 8-byte header (16 for BigTIFF): byte order (`II` little-endian or
//! `MM` big-endian), a magic number (42 classic, 43 BigTIFF) and the offset of the first
//! *Image File Directory* (IFD). Each IFD is a list of tagged entries (width, tiling,
//! compression, where each compressed tile lives, georeferencing, ...) followed by the offset of
//! the next IFD. A COG has one IFD per resolution level (full resolution first, then the
//! overviews) and, optionally, one per internal mask.
//!
//! Small tag values sit inline in the entry; larger ones (offset arrays, GeoKeys, the colormap)
//! elsewhere in the file. GDAL writes everything a reader needs into the first few KiB, so the
//! parser reads a prefix once ([`ParseOptions::header_bytes`]) and only then fetches what is
//! missing: IFDs past the prefix one by one (the chain is sequential), then *all* missing tag
//! values of all IFDs in **one** coalesced batch.
//!
//! Nothing read from the file is trusted: IFD loops, counts, sizes and offsets are checked
//! against [`Limits`] and the bytes actually present, and every failure is a typed [`Error`].

mod error;
mod gdal_metadata;
pub mod geokeys;
mod ifd;
mod limits;
mod parse;
mod tags;
mod value;

pub use error::Error;
pub use gdal_metadata::{BandMetadata, GdalMetadata};
pub use ifd::Ifd;
pub use limits::Limits;
pub use parse::{parse, ParseOptions, Tiff};
pub use tags::tag;
pub use value::Value;

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod testutil;
