//! Errors of the rendering layer, each carrying the value that was wrong.
//!
//! [`Error::status`] gives the HTTP status TiTiler 2.4 answers for the same mistake (its
//! `DEFAULT_STATUS_CODES` table plus FastAPI's 422 for query validation), so the server can map
//! errors in one place without knowing rendering details.

/// A rendering failure.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum Error {
    /// Band-math expression that does not parse, uses a forbidden construct or an unknown name.
    #[error("{0}")]
    InvalidExpression(String),
    /// `colormap=` that is not JSON (TiTiler's exact wording).
    #[error("Could not parse the colormap value.")]
    ColormapNotJson,
    /// A colour entry of a `colormap=` document that is not a colour.
    #[error("Invalid color format: {0}")]
    InvalidColorFormat(String),
    /// `colormap_name` / `colorMapId` that is not one of the embedded colormaps.
    #[error("invalid colormap name: {0:?}")]
    UnknownColormap(String),
    /// Data that cannot take the requested operation (e.g. a colormap on 3 bands).
    #[error("{0}")]
    InvalidFormat(String),
    /// `rescale=` values that are not `min,max` numbers.
    #[error("invalid rescale format: {0:?}")]
    InvalidRescale(String),
    /// `color_formula=` that color-operations' parser rejects.
    #[error("invalid color formula: {0}")]
    InvalidColorFormula(String),
    /// Unknown `algorithm` id.
    #[error("unknown algorithm: {0:?}")]
    UnknownAlgorithm(String),
    /// `algorithm_params` that is not a JSON object.
    #[error("invalid JSON content: {0}")]
    AlgorithmParamsNotJson(String),
    /// An algorithm parameter outside its schema (pydantic's ValidationError in TiTiler).
    #[error("invalid algorithm parameter {name}: {reason}")]
    InvalidAlgorithmParam { name: String, reason: String },
    /// The algorithm cannot run on this input (wrong band count, value range...).
    #[error("{0}")]
    AlgorithmInput(String),
    /// Output format name that TiTiler does not know.
    #[error("unknown image format: {0:?}")]
    UnknownFormat(String),
    /// A format TiTiler knows but cogtiler cannot write (JPEG 2000: no sound pure-Rust encoder).
    #[error("unsupported output format: {0} (no encoder available)")]
    UnsupportedFormat(String),
    /// The encoder refused the array (band count or dtype the format cannot hold).
    #[error("could not encode array of shape ({bands},{height},{width}) and of datatype `{dtype}` using {format} driver: {reason}")]
    Encode {
        bands: usize,
        height: usize,
        width: usize,
        dtype: String,
        format: String,
        reason: String,
    },
    /// Sizes that overflow or do not match the buffers they describe.
    #[error("invalid raster size: {0}")]
    Size(String),
}

impl Error {
    /// The HTTP status TiTiler 2.4 gives this error (see the module doc).
    pub fn status(&self) -> u16 {
        match self {
            Error::InvalidExpression(_)
            | Error::ColormapNotJson
            | Error::InvalidColorFormat(_)
            | Error::InvalidFormat(_)
            | Error::InvalidAlgorithmParam { .. }
            | Error::AlgorithmInput(_)
            | Error::UnsupportedFormat(_)
            | Error::Encode { .. } => 400,
            Error::UnknownColormap(_)
            | Error::InvalidRescale(_)
            | Error::InvalidColorFormula(_)
            | Error::UnknownAlgorithm(_)
            | Error::AlgorithmParamsNotJson(_)
            | Error::UnknownFormat(_) => 422,
            Error::Size(_) => 500,
        }
    }
}

/// Result alias for this module.
pub type Result<T> = std::result::Result<T, Error>;
