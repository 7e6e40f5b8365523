//! How the library's errors map to HTTP statuses: [`Classify`] for each layer's error enum.
//!
//! The rule of thumb (TiTiler's table, minus its bare 500s): the client's mistake is a 4xx
//! (a CRS string that does not parse, a zoom level the TMS cannot have), an upstream failure
//! is a 502/504, something this server cannot do is a 501, and a defect is a 500. A dataset that
//! cannot be read as a raster (not a TIFF, truncated, corrupt chunk) is a 500 like TiTiler's
//! `RasterioIOError`; the detail always quotes the URL or the offending value.

use super::error::{Classify, ErrorKind};

impl Classify for crate::crs::Error {
    fn kind(&self) -> ErrorKind {
        use crate::crs::Error as E;
        match self {
            // A projection this build cannot compute (e.g. sinusoidal): we cannot serve it.
            E::Unsupported(_) => ErrorKind::NotImplemented,
            E::Invalid(_) | E::Proj { .. } | E::CelestialBody { .. } | E::Transform(_) => {
                ErrorKind::BadRequest
            }
            E::LengthMismatch { .. } => ErrorKind::Internal,
        }
    }
}

impl Classify for crate::tms::Error {
    fn kind(&self) -> ErrorKind {
        use crate::tms::Error as E;
        match self {
            E::Unknown(_) => ErrorKind::NotFound,
            // A zoom level the TMS cannot have: no such tile.
            E::InvalidZoom { .. } => ErrorKind::TileOutsideBounds,
            E::Crs { source, .. } | E::Transform(source) => source.kind(),
            E::Invalid { .. } | E::Io { .. } => ErrorKind::Internal,
        }
    }
}

impl Classify for crate::render::Error {
    /// `render` knows TiTiler's status for each of its errors ([`crate::render::Error::status`]).
    fn kind(&self) -> ErrorKind {
        match self.status() {
            400 => ErrorKind::BadRequest,
            404 => ErrorKind::NotFound,
            422 => ErrorKind::Unprocessable,
            501 => ErrorKind::NotImplemented,
            _ => ErrorKind::Internal,
        }
    }
}

impl Classify for crate::io::Error {
    fn kind(&self) -> ErrorKind {
        use crate::io::Error as E;
        match self {
            E::NotFound { .. } => ErrorKind::UpstreamNotFound,
            E::Timeout { .. } => ErrorKind::UpstreamTimeout,
            E::Forbidden { .. }
            | E::Upstream { .. }
            | E::RangeNotSupported { .. }
            | E::Other { .. } => ErrorKind::Upstream,
            // A file that ends early is a broken dataset, not a failing server.
            E::Truncated { .. } => ErrorKind::Internal,
            // `ftp-nope://...`: the client named something we cannot fetch.
            E::InvalidUrl { .. } => ErrorKind::BadRequest,
            // a document past the configured limit: the client's choice of URL
            E::TooLarge { .. } => ErrorKind::BadRequest,
            // the server's URL rules, not the upstream, said no
            E::Refused { .. } => ErrorKind::Refused,
        }
    }
}

impl Classify for crate::tiff::Error {
    fn kind(&self) -> ErrorKind {
        use crate::tiff::Error as E;
        match self {
            E::Io(io) => io.kind(),
            // Not a TIFF, malformed, beyond our limits: the dataset is unusable (TiTiler: 500).
            E::NotTiff { .. } | E::Malformed { .. } | E::Limit { .. } => ErrorKind::Internal,
            E::Unsupported { .. } => ErrorKind::NotImplemented,
        }
    }
}

impl Classify for crate::codec::Error {
    fn kind(&self) -> ErrorKind {
        use crate::codec::Error as E;
        match self {
            E::Unsupported { .. } | E::UnsupportedFeature { .. } => ErrorKind::NotImplemented,
            E::Corrupt { .. } | E::WrongSize { .. } | E::BadSpec(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for crate::cog::Error {
    fn kind(&self) -> ErrorKind {
        use crate::cog::Error as E;
        match self {
            E::Io(io) => io.kind(),
            E::Tiff(t) => t.kind(),
            E::Unsupported { .. } => ErrorKind::NotImplemented,
            // An unknown compression is a 501, a corrupt chunk a 500: the codec says which.
            E::Decode { source, .. } => source.kind(),
            // rio-tiler: "band index 7 out of range" is a 500 in TiTiler; a client mistake here.
            E::InvalidBand { .. } => ErrorKind::BadRequest,
            E::WindowTooLarge { .. } => ErrorKind::BadRequest,
            E::InvalidLevel { .. }
            | E::InvalidBlock { .. }
            | E::ChunkTooLarge { .. }
            | E::Task(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for crate::reader::Error {
    fn kind(&self) -> ErrorKind {
        use crate::reader::Error as E;
        match self {
            E::TileOutsideBounds { .. } => ErrorKind::TileOutsideBounds,
            // TiTiler answers 500 (`PointOutsideBounds` is not in its table); we say 400.
            E::PointOutsideBounds { .. } => ErrorKind::BadRequest,
            E::InvalidBand(_) | E::TooLarge { .. } | E::InvalidBufferSize(_) | E::BadRequest(_) => {
                ErrorKind::BadRequest
            }
            E::Unsupported(_) => ErrorKind::NotImplemented,
            // A CRS or GCP model this build cannot use: the file is fine, we cannot serve it.
            E::Georeferencing { .. } => ErrorKind::NotImplemented,
            E::Crs(c) => match c {
                // Tiles of a Mars dataset in an Earth TMS: no coordinate operation exists.
                crate::crs::Error::CelestialBody { .. } => ErrorKind::Internal,
                other => other.kind(),
            },
            E::Tms(t) => t.kind(),
            E::Cog(c) => c.kind(),
            E::InvalidLevel(_) | E::Geotransform | E::Task(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for crate::stac::Error {
    fn kind(&self) -> ErrorKind {
        use crate::stac::Error as E;
        match self {
            // TiTiler: `InvalidAssetName` is a 404, `MissingAssets` a 400
            E::InvalidAssetName { .. } => ErrorKind::NotFound,
            E::NoRasterAssets | E::Bands(_) | E::BadOption(_) | E::Href { .. } => {
                ErrorKind::BadRequest
            }
            // the URL answered something that is not an item (TiTiler: 500)
            E::NotAnItem(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for crate::mosaic::Error {
    fn kind(&self) -> ErrorKind {
        use crate::mosaic::Error as E;
        match self {
            E::EmptyMosaic => ErrorKind::NoData,
            // a tile address the mosaic's TileMatrixSet cannot have
            E::InvalidTile { .. } => ErrorKind::TileOutsideBounds,
            E::UnknownPixelSelection { .. } => ErrorKind::Unprocessable,
            E::TooLarge { .. } => ErrorKind::BadRequest,
            E::Tms(t) => t.kind(),
            // a document that is not a mosaic, or assets that cannot be merged: TiTiler's 500s
            E::Json(_)
            | E::Gzip(_)
            | E::Invalid { .. }
            | E::NotAMapping(_)
            | E::TileMatrixSet(_)
            | E::Quadkey(_)
            | E::BandCount { .. }
            | E::Malformed(_) => ErrorKind::Internal,
        }
    }
}

#[cfg(feature = "vector")]
impl Classify for crate::vector::Error {
    fn kind(&self) -> ErrorKind {
        use crate::vector::Error as E;
        match self {
            // TiPg answers an unknown collection, item or column with 404
            E::CollectionNotFound(_) | E::ItemNotFound { .. } | E::UnknownColumn(_) => {
                ErrorKind::NotFound
            }
            E::BadRequest(_) => ErrorKind::BadRequest,
            // the database is down or saturated: retry later (503)
            E::Unavailable(_) => ErrorKind::Overloaded,
            E::Timeout(_) => ErrorKind::Timeout,
            E::Query(_) | E::Internal(_) => ErrorKind::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::server::error::ApiError;

    #[test]
    fn crs_and_tms_errors_map_to_client_statuses() {
        let e: ApiError = crate::crs::Crs::parse("EPSG:not-a-code")
            .unwrap_err()
            .into();
        assert!(
            e.status.is_client_error() || e.status.as_u16() == 501,
            "{e}"
        );
        let e: ApiError = crate::tms::default_registry()
            .get("Nope")
            .unwrap_err()
            .into();
        assert_eq!(e.status.as_u16(), 404);
        assert!(e.to_string().contains("Nope"));
    }

    #[test]
    fn io_errors_keep_the_url_and_map_to_gateway_statuses() {
        use crate::io::Error as E;
        let url = "http://h/x.tif".to_string();
        let cases = [
            (E::NotFound { url: url.clone() }, 404),
            (E::Timeout { url: url.clone() }, 504),
            (
                E::Upstream {
                    status: 503,
                    url: url.clone(),
                },
                502,
            ),
        ];
        for (e, status) in cases {
            let api: ApiError = crate::reader::Error::Cog(crate::cog::Error::Io(e)).into();
            assert_eq!(api.status.as_u16(), status, "{api}");
            assert!(api.to_string().contains(&url), "{api}");
        }
        let outside: ApiError = crate::reader::Error::TileOutsideBounds { x: 1, y: 2, z: 3 }.into();
        assert_eq!(outside.status.as_u16(), 404);
    }
}
