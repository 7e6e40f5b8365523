//! Resampling methods and the constants GDAL attaches to them.
//!
//! TiTiler exposes two resampling knobs: `resampling` (GDAL RasterIO, used when a read is
//! decimated or upsampled, e.g. from an overview to the tile size) and `reproject` (the warp
//! kernel used when the CRS changes). Both default to nearest. GDAL's choice of overview also
//! depends on the method: nearest tolerates a 1.2× coarser overview, everything else 1.01×.

use std::fmt;
use std::str::FromStr;

/// GDAL's overview oversampling threshold for nearest reads (`GDAL_OVERVIEW_OVERSAMPLING_THRESHOLD`
/// default since GDAL 3.9). GDAL adds 0.1 to `desired × threshold` (see [`crate::warp::overview`]),
/// which is why TiTiler takes a 2× overview for a 1.59× reduction but not for 1.51×.
pub const NEAREST_OVERVIEW_THRESHOLD: f64 = 1.2;

/// A resampling method, named as TiTiler/rasterio name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Resampling {
    #[default]
    Nearest,
    Bilinear,
    Cubic,
    CubicSpline,
    Lanczos,
    Average,
    Mode,
    Gauss,
    Rms,
    Max,
    Min,
    Med,
    Q1,
    Q3,
    Sum,
}

/// An unknown resampling name (quoted in the message).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown resampling method '{0}' (expected nearest, bilinear, cubic, cubic_spline, lanczos, average, mode, gauss, rms, max, min, med, q1, q3 or sum)")]
pub struct UnknownResampling(pub String);

impl Resampling {
    pub const ALL: [Resampling; 15] = [
        Resampling::Nearest,
        Resampling::Bilinear,
        Resampling::Cubic,
        Resampling::CubicSpline,
        Resampling::Lanczos,
        Resampling::Average,
        Resampling::Mode,
        Resampling::Gauss,
        Resampling::Rms,
        Resampling::Max,
        Resampling::Min,
        Resampling::Med,
        Resampling::Q1,
        Resampling::Q3,
        Resampling::Sum,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Resampling::Nearest => "nearest",
            Resampling::Bilinear => "bilinear",
            Resampling::Cubic => "cubic",
            Resampling::CubicSpline => "cubic_spline",
            Resampling::Lanczos => "lanczos",
            Resampling::Average => "average",
            Resampling::Mode => "mode",
            Resampling::Gauss => "gauss",
            Resampling::Rms => "rms",
            Resampling::Max => "max",
            Resampling::Min => "min",
            Resampling::Med => "med",
            Resampling::Q1 => "q1",
            Resampling::Q3 => "q3",
            Resampling::Sum => "sum",
        }
    }

    /// The overview oversampling threshold: an overview is usable while its factor is below
    /// `desired × threshold + 0.1` (GDAL's `GDAL_OVERVIEW_OVERSAMPLING_THRESHOLD` defaults:
    /// [`NEAREST_OVERVIEW_THRESHOLD`] for nearest, 1.0 for anything else).
    pub fn overview_threshold(self) -> f64 {
        match self {
            Resampling::Nearest => NEAREST_OVERVIEW_THRESHOLD,
            _ => 1.0,
        }
    }

    /// Radius in source pixels of the separable interpolation kernel at scale 1, or `None`
    /// for nearest and the footprint statistics (average, mode, min, ...).
    pub fn kernel_radius(self) -> Option<f64> {
        match self {
            Resampling::Bilinear => Some(1.0),
            Resampling::Cubic | Resampling::CubicSpline => Some(2.0),
            Resampling::Lanczos => Some(3.0),
            _ => None,
        }
    }

    /// The kernel weight at distance `x` (in source pixels, already scaled).
    pub fn kernel_weight(self, x: f64) -> f64 {
        let ax = x.abs();
        match self {
            Resampling::Bilinear => (1.0 - ax).max(0.0),
            // Keys cubic convolution, a = -0.5 (GDAL's GWKCubic)
            Resampling::Cubic => {
                if ax <= 1.0 {
                    1.5 * ax * ax * ax - 2.5 * ax * ax + 1.0
                } else if ax < 2.0 {
                    -0.5 * ax * ax * ax + 2.5 * ax * ax - 4.0 * ax + 2.0
                } else {
                    0.0
                }
            }
            // cubic B-spline (GDAL's GWKBSpline)
            Resampling::CubicSpline => {
                if ax < 1.0 {
                    (4.0 - 6.0 * ax * ax + 3.0 * ax * ax * ax) / 6.0
                } else if ax < 2.0 {
                    let t = 2.0 - ax;
                    t * t * t / 6.0
                } else {
                    0.0
                }
            }
            Resampling::Lanczos => {
                if ax == 0.0 {
                    1.0
                } else if ax < 3.0 {
                    let px = std::f64::consts::PI * x;
                    3.0 * px.sin() * (px / 3.0).sin() / (px * px)
                } else {
                    0.0
                }
            }
            _ => 0.0,
        }
    }
}

impl FromStr for Resampling {
    type Err = UnknownResampling;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Resampling::ALL
            .iter()
            .copied()
            .find(|r| r.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownResampling(s.to_string()))
    }
}

impl fmt::Display for Resampling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Resampling::ALL {
            assert_eq!(r.name().parse::<Resampling>().unwrap(), r);
        }
        assert!("bicubic".parse::<Resampling>().is_err());
    }

    #[test]
    fn kernels_are_interpolating_at_integers() {
        for r in [Resampling::Bilinear, Resampling::Cubic, Resampling::Lanczos] {
            assert!((r.kernel_weight(0.0) - 1.0).abs() < 1e-12, "{r}");
            assert!(r.kernel_weight(1.0).abs() < 1e-12, "{r}");
        }
        // B-spline is smoothing: weights at 0 and 1 sum with the mirror to 1
        let s = Resampling::CubicSpline;
        assert!((s.kernel_weight(0.0) + 2.0 * s.kernel_weight(1.0) - 1.0).abs() < 1e-12);
    }
}
