//! Point transforms between two CRSs.
//!
//! proj4rs works in radians for geographic CRSs and transforms one point at a time through a
//! closure; [`Transformer`] hides both: coordinates are degrees/metres in x=east, y=north
//! order, and whole slices go through one call (the warper transforms grids of thousands of
//! points). A point that cannot be transformed (outside the projection's domain, e.g. the
//! pole in Mercator) becomes NaN in [`Transformer::transform_lossy`], like PROJ's `inf`.

use proj4rs::errors::Result as ProjResult;
use proj4rs::transform::{transform, Transform, TransformClosure};

use super::{Crs, Error};

/// Transforms coordinates from one CRS to another.
#[derive(Clone, Debug)]
pub struct Transformer {
    src: Crs,
    dst: Crs,
    identity: bool,
}

/// Two parallel coordinate slices seen as proj4rs points; failures become NaN.
struct Points<'a> {
    xs: &'a mut [f64],
    ys: &'a mut [f64],
}

impl Transform for Points<'_> {
    fn transform_coordinates<F: TransformClosure>(&mut self, f: &mut F) -> ProjResult<()> {
        for (x, y) in self.xs.iter_mut().zip(self.ys.iter_mut()) {
            if !(x.is_finite() && y.is_finite()) {
                *x = f64::NAN;
                *y = f64::NAN;
                continue;
            }
            match f(*x, *y, 0.0) {
                Ok((nx, ny, _)) if nx.is_finite() && ny.is_finite() => {
                    *x = nx;
                    *y = ny;
                }
                _ => {
                    *x = f64::NAN;
                    *y = f64::NAN;
                }
            }
        }
        Ok(())
    }
}

impl Transformer {
    /// A transformer from `src` to `dst`. Refused when the CRSs are on different celestial
    /// bodies (PROJ finds no operation between them, and TiTiler answers 500).
    pub fn new(src: &Crs, dst: &Crs) -> Result<Transformer, Error> {
        if src.is_earth() != dst.is_earth()
            || (!src.is_earth() && (src.semi_major_axis() - dst.semi_major_axis()).abs() > 1e-3)
        {
            return Err(Error::CelestialBody {
                src: src.short_id(),
                dst: dst.short_id(),
            });
        }
        Ok(Transformer {
            src: src.clone(),
            dst: dst.clone(),
            identity: src.same_coordinates(dst),
        })
    }

    pub fn src(&self) -> &Crs {
        &self.src
    }

    pub fn dst(&self) -> &Crs {
        &self.dst
    }

    /// True when source and destination give the same coordinates (no math needed).
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    /// Transforms in place; points that fail become NaN. Returns how many failed.
    pub fn transform_lossy(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<usize, Error> {
        if xs.len() != ys.len() {
            return Err(Error::LengthMismatch {
                xs: xs.len(),
                ys: ys.len(),
            });
        }
        if !self.identity {
            let src = self.src.proj();
            let dst = self.dst.proj();
            let poles = self.mercator_poles(ys);
            if self.src.is_geographic() {
                xs.iter_mut().for_each(|v| *v = v.to_radians());
                ys.iter_mut().for_each(|v| *v = v.to_radians());
            }
            let mut pts = Points { xs, ys };
            transform(src, dst, &mut pts).map_err(|e| Error::Transform(e.to_string()))?;
            let Points { xs, ys } = pts;
            if self.dst.is_geographic() {
                xs.iter_mut().for_each(|v| *v = v.to_degrees());
                ys.iter_mut().for_each(|v| *v = v.to_degrees());
            }
            for (i, sign) in poles {
                if let Some(y) = ys.get_mut(i) {
                    self.mercator_pole(y, sign);
                }
            }
        }
        Ok(xs
            .iter()
            .zip(ys.iter())
            .filter(|(x, y)| !(x.is_finite() && y.is_finite()))
            .count())
    }

    /// Points at exactly ±90° going into a Mercator projection. proj4rs refuses them; PROJ
    /// returns the finite value `asinh(tan(π/2))` gives in floating point (≈ ±242 528 680 m),
    /// and GDAL's bounds and warp-output computations include it, so we reproduce it: such
    /// points are moved to the equator (same x in Mercator) and shifted north afterwards.
    fn mercator_poles(&self, ys: &mut [f64]) -> Vec<(usize, f64)> {
        let name = self.dst.proj().projname();
        if !self.src.is_geographic() || !(name == "merc" || name == "webmerc") {
            return Vec::new();
        }
        let mut poles = Vec::new();
        for (i, y) in ys.iter_mut().enumerate() {
            if y.abs() == 90.0 {
                poles.push((i, y.signum()));
                *y = 0.0;
            }
        }
        poles
    }

    /// Adds the equator-to-pole Mercator distance PROJ computes to `y`.
    fn mercator_pole(&self, y: &mut f64, sign: f64) {
        let p = self.dst.proj();
        let (a, b) = p.ellipse_parameters();
        let phi = std::f64::consts::FRAC_PI_2;
        let psi = if p.projname() == "webmerc" || a == b {
            phi.tan().asinh()
        } else {
            let e = (1.0 - (b * b) / (a * a)).sqrt();
            phi.tan().asinh() - e * (e * phi.sin()).atanh()
        };
        *y += sign * p.scaling_factor() * a * psi / p.to_meter();
    }

    /// Transforms in place; an error if any point has no finite result.
    pub fn transform(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<(), Error> {
        let failed = self.transform_lossy(xs, ys)?;
        if failed > 0 {
            return Err(Error::Transform(format!(
                "{failed} of {} points from {} to {} have no finite result",
                xs.len(),
                self.src,
                self.dst
            )));
        }
        Ok(())
    }

    /// Transforms one point; an error if the result is not finite.
    pub fn transform_point(&self, x: f64, y: f64) -> Result<(f64, f64), Error> {
        let mut xs = [x];
        let mut ys = [y];
        self.transform_lossy(&mut xs, &mut ys)?;
        if xs[0].is_finite() && ys[0].is_finite() {
            Ok((xs[0], ys[0]))
        } else {
            Err(Error::Transform(format!(
                "point ({x}, {y}) from {} to {} has no finite result",
                self.src, self.dst
            )))
        }
    }
}
