//! Why a dataset could not be opened or read.

/// Dataset-level failures; wraps the layers below.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(#[from] crate::io::Error),
    /// Header problems (an I/O failure while parsing surfaces as [`Error::Io`] instead).
    #[error(transparent)]
    Tiff(crate::tiff::Error),
    /// A chunk could not be decoded; `source` says why, typed (unsupported or corrupt).
    #[error("cannot decode chunk {chunk} of ifd {ifd}: {source}")]
    Decode {
        ifd: usize,
        chunk: u64,
        #[source]
        source: crate::codec::Error,
    },
    /// The file is a TIFF but not one we can treat as a raster dataset.
    #[error("unsupported dataset: {what}")]
    Unsupported { what: String },
    /// A caller asked for something that does not exist.
    #[error("level {level} does not exist (the dataset has {levels} levels)")]
    InvalidLevel { level: usize, levels: usize },
    #[error("band {band} does not exist (the dataset has {count} bands, numbered from 1)")]
    InvalidBand { band: usize, count: usize },
    #[error("block ({col}, {row}) is outside level {level} ({cols} x {rows} blocks)")]
    InvalidBlock {
        level: usize,
        col: u32,
        row: u32,
        cols: u32,
        rows: u32,
    },
    /// A window too large to allocate.
    #[error("window of {width} x {height} pixels x {bands} bands is too large")]
    WindowTooLarge {
        width: usize,
        height: usize,
        bands: usize,
    },
    /// A stored chunk is larger than the configured limit.
    #[error(
        "chunk {chunk} of ifd {ifd} declares {bytes} compressed bytes, above the limit of {max}"
    )]
    ChunkTooLarge {
        ifd: usize,
        chunk: u64,
        bytes: u64,
        max: u64,
    },
    /// A background decode task failed (panicked or was cancelled).
    #[error("decode task failed: {0}")]
    Task(String),
}

impl From<crate::tiff::Error> for Error {
    fn from(e: crate::tiff::Error) -> Error {
        match e {
            crate::tiff::Error::Io(io) => Error::Io(io),
            other => Error::Tiff(other),
        }
    }
}
