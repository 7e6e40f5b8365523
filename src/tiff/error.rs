//! Why a TIFF header could not be read.

/// Header parsing failures. Messages quote the offending value.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The bytes do not start with a TIFF signature. The text says what is missing and
    /// never quotes the bytes: they may be any file's content.
    #[error("not a tiff file ({why})")]
    NotTiff { why: &'static str },
    /// The structure is inconsistent (loops, offsets past the end, impossible sizes).
    #[error("malformed tiff: {what} (at offset {offset})")]
    Malformed { what: String, offset: u64 },
    /// Valid TIFF, but something we do not handle.
    #[error("unsupported tiff: {what}")]
    Unsupported { what: String },
    /// A declared size exceeds a configured [`super::Limits`] value.
    #[error("tiff {what} is {value}, above the limit of {max}")]
    Limit {
        what: &'static str,
        value: u64,
        max: u64,
    },
    /// Reading bytes failed.
    #[error(transparent)]
    Io(#[from] crate::io::Error),
}

impl Error {
    pub(crate) fn malformed(what: impl Into<String>, offset: u64) -> Error {
        Error::Malformed {
            what: what.into(),
            offset,
        }
    }
}
