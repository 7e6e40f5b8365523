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
use crate::affine::GeoTransform;

/// Transforms coordinates from one CRS to another.
#[derive(Clone, Debug)]
pub struct Transformer {
    src: Crs,
    dst: Crs,
    identity: bool,
    /// GDAL's `CENTER_LONG`: geographic output longitudes wrapped into `[c - 180, c + 180]`.
    center_long: Option<f64>,
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
            center_long: None,
        })
    }

    /// Wraps geographic output longitudes around `center` (GDAL adds this `CENTER_LONG` to a
    /// geographic source CRS when warping, so a dataset spanning 176°..184° is found at 184°
    /// rather than at -176°). No effect when the destination is not geographic.
    pub fn with_center_longitude(mut self, center: f64) -> Transformer {
        if self.dst.is_geographic() && center.is_finite() {
            self.center_long = Some(center);
            self.identity = false;
        }
        self
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
        if !self.identity && !self.src.same_coordinates(&self.dst) {
            let src = self.src.proj();
            let dst = self.dst.proj();
            let poles = self.mercator_poles(ys);
            let far = self.stereographic_opposite_poles(ys);
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
            for (i, scale) in far {
                if let (Some(x), Some(y)) = (xs.get_mut(i), ys.get_mut(i)) {
                    self.push_away_from_centre(x, y, scale);
                }
            }
        }
        if let Some(c) = self.center_long {
            for x in xs.iter_mut() {
                if *x < c - 180.0 {
                    *x += 360.0;
                } else if *x > c + 180.0 {
                    *x -= 360.0;
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

    /// Points at the pole opposite to a polar stereographic projection's centre (the North
    /// Pole in a south-polar CRS). proj4rs refuses them; PROJ projects them to a finite but
    /// astronomically distant point (its `tsfn` divides by `cos(π/2)` ≈ 6.1e-17) in the
    /// direction of the longitude, e.g. `(x_0, ≈4e23)` for EPSG:5482 at longitude 180°.
    /// morecantile and GDAL work with that value: TiTiler's WMTS tile limits of an Arctic
    /// dataset in the Antarctic LINZ grid clamp it to row 0, and GDAL's suggested warp output
    /// fails as "too big" when a sample lands on the pole. We reproduce it: such points are
    /// moved a hair (1e-7°) off the pole, projected, and their distance from the projection
    /// centre is then scaled by the ratio of PROJ's `tsfn` at the pole and at the moved point.
    fn stereographic_opposite_poles(&self, ys: &mut [f64]) -> Vec<(usize, f64)> {
        const NUDGE_DEG: f64 = 1e-7;
        let p = self.dst.proj();
        let phi0 = p.latitude_of_origin();
        if !self.src.is_geographic()
            || p.projname() != "stere"
            || (phi0.abs() - std::f64::consts::FRAC_PI_2).abs() > 1e-10
        {
            return Vec::new();
        }
        let opposite = -90.0 * phi0.signum();
        let (a, b) = p.ellipse_parameters();
        let e = (1.0 - (b * b) / (a * a)).max(0.0).sqrt();
        // PROJ's `pj_tsfn` for φ < 0 (the polar case works on the flipped latitude).
        let tsfn = |phi: f64| {
            let (sinphi, cosphi) = (phi.sin(), phi.cos());
            (e * (e * sinphi).atanh()).exp() * (1.0 - sinphi) / cosphi
        };
        let scale = tsfn(-std::f64::consts::FRAC_PI_2) / tsfn(-(90.0 - NUDGE_DEG).to_radians());
        if !scale.is_finite() {
            return Vec::new();
        }
        let mut far = Vec::new();
        for (i, y) in ys.iter_mut().enumerate() {
            if *y == opposite {
                *y = opposite.signum() * (90.0 - NUDGE_DEG);
                far.push((i, scale));
            }
        }
        far
    }

    /// Scales the offset of a projected point from the false origin (`x_0`, `y_0`).
    fn push_away_from_centre(&self, x: &mut f64, y: &mut f64, scale: f64) {
        let p = self.dst.proj();
        let (x0, y0) = (
            p.false_easting() / p.to_meter(),
            p.false_northing() / p.to_meter(),
        );
        *x = x0 + (*x - x0) * scale;
        *y = y0 + (*y - y0) * scale;
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

/// GDAL's `InsertCenterLong`: the central longitude of a geographic raster, used to wrap
/// longitudes transformed back into it. `None` when the raster spans more than 360° (plus a
/// pixel) or has a rotated geotransform.
pub fn center_longitude(width: usize, height: usize, gt: &GeoTransform) -> Option<f64> {
    let b = gt.bounds(width, height);
    let (min, max) = (b[0].min(b[2]), b[0].max(b[2]));
    let eps = gt.0[1].abs().max(gt.0[2].abs());
    if !(min.is_finite() && max.is_finite()) || max - min > 360.0 + eps * 1.05 {
        return None;
    }
    // GDAL passes the value through "%g" (6 significant digits).
    let c = (max + min) / 2.0;
    format!("{c:.5e}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opposite_pole_of_polar_stereographic_is_far_but_finite() {
        // EPSG:5482 (south polar, lon_0 = 180°, k = 0.994, x_0 = 5e6, y_0 = 1e6, GRS80): PROJ
        // puts the North Pole at longitude -180° at (x_0, y_0 + a·akm1·tsfn(-π/2)).
        let t = Transformer::new(&Crs::wgs84(), &Crs::from_epsg(5482).unwrap()).unwrap();
        let (x, y) = t.transform_point(-180.0, 90.0).unwrap();
        let a = 6378137.0_f64;
        let f = 1.0 / 298.257222101_f64;
        let e = (f * (2.0 - f)).sqrt();
        let akm1 = 2.0 * 0.994 / ((1.0 + e).powf(1.0 + e) * (1.0 - e).powf(1.0 - e)).sqrt();
        let tsfn = (e * (-e).atanh()).exp() * 2.0 / std::f64::consts::FRAC_PI_2.cos();
        let ey = 1e6 + a * akm1 * tsfn;
        assert_eq!(x, 5e6);
        assert!(((y - ey) / ey).abs() < 1e-6, "{y} vs {ey}");
        // Points off the pole are untouched (the 83.7° ring of an Arctic dataset).
        let (x, y) = t.transform_point(180.0, 83.73958237731497).unwrap();
        assert_eq!(x, 5e6);
        assert!((y - 230549039.75872803).abs() < 1e-3, "{y}");
        // The centre pole still maps to the false origin.
        let (x, y) = t.transform_point(0.0, -90.0).unwrap();
        assert!((x - 5e6).abs() < 1e-6 && (y - 1e6).abs() < 1e-6, "{x} {y}");
    }

    #[test]
    fn web_mercator_known_values() {
        // EPSG:3857 of (2.35°E, 48.85°N), by the spherical formula R·λ, R·ln(tan(π/4 + φ/2)).
        let t = Transformer::new(&Crs::wgs84(), &Crs::from_epsg(3857).unwrap()).unwrap();
        let (x, y) = t.transform_point(2.35, 48.85).unwrap();
        let r = 6378137.0_f64;
        let ex = r * 2.35_f64.to_radians();
        let ey = r
            * (std::f64::consts::FRAC_PI_4 + 48.85_f64.to_radians() / 2.0)
                .tan()
                .ln();
        assert!((x - ex).abs() < 1e-6 && (y - ey).abs() < 1e-6, "{x} {y}");
        // The pole: PROJ's finite value, not an error.
        let (_, ypole) = t.transform_point(10.0, 90.0).unwrap();
        assert!((ypole - 242528680.94374272).abs() < 1e-3, "{ypole}");
        let mut xs = [0.0, 1.0];
        let mut ys = [91.0, 1.0];
        assert_eq!(t.transform_lossy(&mut xs, &mut ys).unwrap(), 1);
        assert!(xs[0].is_nan() && ys[1].is_finite());
        assert!(t.transform(&mut [0.0, 1.0], &mut [91.0, 1.0]).is_err());
        assert!(matches!(
            t.transform(&mut [0.0], &mut [1.0, 2.0]),
            Err(Error::LengthMismatch { xs: 1, ys: 2 })
        ));
    }

    #[test]
    fn center_longitude_wraps_like_gdal() {
        // fiji_antimeridian_f32_4326.tif: 1024 px of 0.0078125° from 176°E.
        let gt = GeoTransform([176.0, 0.0078125, 0.0, -15.0, 0.0, -0.0078125]);
        let c = center_longitude(1024, 640, &gt).unwrap();
        assert_eq!(c, 180.0);
        let web = Crs::from_epsg(3857).unwrap();
        let t = Transformer::new(&web, &Crs::wgs84())
            .unwrap()
            .with_center_longitude(c);
        // -176° (x < 0 in Web Mercator) comes back as 184° inside the dataset.
        let x = -176.0 / 180.0 * 20037508.342789244;
        let (lon, _) = t.transform_point(x, -1900000.0).unwrap();
        assert!((lon - 184.0).abs() < 1e-9, "{lon}");
        // 11 px of 40° = 440°: more than the world plus a pixel.
        let world = GeoTransform([-180.0, 40.0, 0.0, 90.0, 0.0, -18.0]);
        assert!(center_longitude(11, 10, &world).is_none());
    }

    #[test]
    fn different_bodies_are_refused() {
        let mars = Crs::from_proj_string(
            "+proj=eqc +lat_ts=-10 +lon_0=180 +R=3395582.0270805 +units=m +no_defs",
        )
        .unwrap();
        assert!(!mars.is_earth());
        assert!(matches!(
            Transformer::new(&Crs::from_epsg(3857).unwrap(), &mars),
            Err(Error::CelestialBody { .. })
        ));
        // Within one body it works.
        let geo = mars.geodetic_crs().unwrap();
        let t = Transformer::new(&mars, &geo).unwrap();
        let (lon, lat) = t.transform_point(0.0, 0.0).unwrap();
        assert!(
            (lon - 180.0).abs() < 1e-9 && lat.abs() < 1e-9,
            "{lon} {lat}"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Forward then inverse returns the input inside each CRS's useful area.
        #[test]
        fn round_trip(code_i in 0usize..8, u in 0.0f64..1.0, v in 0.0f64..1.0) {
            let (code, w, s, e, n) = [
                (3857, -179.0, -85.0, 179.0, 85.0),
                (32631, 0.5, -75.0, 5.5, 80.0),
                (32755, 144.5, -75.0, 149.5, 0.0),
                (3035, -20.0, 30.0, 40.0, 75.0),
                (2193, 166.0, -48.0, 179.0, -34.0),
                (3413, -180.0, 60.0, 180.0, 89.9),
                (5070, -125.0, 24.0, -66.0, 50.0),
                (27700, -8.0, 49.9, 1.8, 60.9),
            ][code_i];
            let (lon, lat) = (w + (e - w) * u, s + (n - s) * v);
            let geo = Crs::wgs84();
            let c = Crs::from_epsg(code).unwrap();
            let (x, y) = Transformer::new(&geo, &c).unwrap().transform_point(lon, lat).unwrap();
            let (lon2, lat2) = Transformer::new(&c, &geo).unwrap().transform_point(x, y).unwrap();
            // OSGB36's 7-parameter Helmert is inverted by negating the parameters (as PROJ 4
            // did), which round-trips to ~1e-8° (1 mm); everything else is exact.
            let tol = if code == 27700 { 2e-8 } else { 1e-9 };
            prop_assert!((lon - lon2).abs() < tol && (lat - lat2).abs() < tol,
                "EPSG:{} ({}, {}) -> ({}, {}) -> ({}, {})", code, lon, lat, x, y, lon2, lat2);
        }
    }
}
