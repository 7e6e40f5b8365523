//! How the library's errors map to HTTP statuses: [`Classify`] for each layer's error enum.
//!
//! The rule of thumb (TiTiler's table, minus its bare 500s): the client's mistake is a 4xx
//! (a CRS string that does not parse, a zoom level the TMS cannot have), an upstream failure
//! is a 502/504, something this server cannot do is a 501, and a defect is a 500. Layers not
//! yet wired (`io`, `cog`, `reader`, `render`) get their `impl Classify` here too.

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
}
