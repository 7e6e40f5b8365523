//! The warp kernel: the value of the source image at a fractional source pixel position.
//!
//! After the transformer has mapped an output pixel centre to `(sx, sy)` in source pixels, the
//! kernel decides the output value the way GDAL's `GDALWarpKernel` does (`gdalwarpkernel.cpp`),
//! within the source window GDAL read for the warp ([`super::warper::gdal_source_window`]):
//! - the point itself must fall inside that window, and (when GDAL masks the chunk) on a
//!   valid pixel: neighbours alone never make an output pixel;
//! - nearest: the pixel containing the point, `(int)(sx + 1e-10)`;
//! - bilinear / cubic: GDAL's 4-tap formulas while the warp shrinks by less than 5%,
//!   otherwise (and for cubic spline, lanczos) a separable filter stretched by `1 / scale`,
//!   the scale being set once per warp from the window ([`Kernel`]); invalid taps are left
//!   out and the weights renormalised. Bytes and 16-bit integers without masks take GDAL's
//!   unmasked fast paths, whose taps and edge handling differ slightly;
//! - average / mode / min / max / med / q1 / q3 / rms: a statistic of the source pixels in
//!   the box between the output pixel's mapped corners ([`sample_footprint`]); sum is the
//!   box-weighted sum, not yet GDAL's polygon-intersection sum (`GWKSumPreserving`);
//! - integer results are rounded half up and never equal the nodata value on GDAL's general
//!   path.

mod convolve;
mod footprint;

use crate::raster::DataType;
use crate::warp::Resampling;
use convolve::convolve;
pub use footprint::sample_footprint;
pub(crate) use footprint::summarise;

/// Buffers a warp reuses from one output pixel to the next (one per worker thread): the
/// general filter's x weights and a footprint's `(value, weight)` pairs. Without it each
/// output pixel allocated its own.
#[derive(Debug, Default)]
pub struct Scratch {
    weights_x: Vec<f64>,
    footprint: Vec<(f64, f64)>,
}

/// A window of source pixels, all bands as f64, plus validity.
pub struct Source<'a> {
    /// Position of the window's top-left pixel in the source level.
    pub x_off: i64,
    pub y_off: i64,
    pub width: usize,
    pub height: usize,
    /// One plane per band, `width × height` each.
    pub bands: &'a [Vec<f64>],
    /// 255 valid, 0 invalid, `width × height`.
    pub valid: &'a [u8],
}

impl Source<'_> {
    /// Index into the planes of level pixel `(x, y)` when inside the window and valid.
    fn index(&self, x: i64, y: i64) -> Option<usize> {
        let (lx, ly) = (x - self.x_off, y - self.y_off);
        if lx < 0 || ly < 0 || lx as usize >= self.width || ly as usize >= self.height {
            return None;
        }
        let i = ly as usize * self.width + lx as usize;
        (*self.valid.get(i)? != 0).then_some(i)
    }

    /// The plane index nearest-neighbour sampling takes at level position `(sx, sy)`
    /// ([`nearest_pixel`]); `None` outside the window or on an invalid pixel too.
    pub fn nearest(&self, sx: f64, sy: f64) -> Option<usize> {
        let (x, y) = nearest_pixel(sx, sy)?;
        self.index(x as i64, y as i64)
    }
}

/// The level pixel nearest-neighbour sampling takes at level position `(sx, sy)`: the pixel
/// containing the point, GDAL's `(int)(sx + 1e-10)`; `None` left of or above the source (or
/// past `u32`, beyond any TIFF).
pub fn nearest_pixel(sx: f64, sy: f64) -> Option<(u32, u32)> {
    let ok = |v: f64| v.is_finite() && v >= 0.0 && v + NEAREST_EPSILON < u32::MAX as f64;
    (ok(sx) && ok(sy)).then_some(((sx + NEAREST_EPSILON) as u32, (sy + NEAREST_EPSILON) as u32))
}

/// GDAL's nudge before truncating a position to a pixel: a point on a pixel edge a rounding
/// error short of it still lands in the pixel it is meant for.
pub const NEAREST_EPSILON: f64 = 1e-10;

/// How GDAL's warp kernel is set up for one warp (`GDALWarpKernel::PerformWarp`): the scale
/// and filter reach come from the chunk's source window against the output size, once for the
/// whole chunk (not per pixel), and the code path from the data type and whether GDAL built a
/// source mask. Each choice changes values, so all of them are GDAL's.
#[derive(Clone, Copy, Debug)]
pub struct Kernel {
    /// Output pixels per source pixel along x and y (GDAL's `dfXScale`, `dfYScale`); below 1
    /// the filters are stretched by `1 / scale`.
    pub scale: (f64, f64),
    /// Filter half-width in source pixels (`nXRadius`, `nYRadius`).
    pub radius: (i64, i64),
    /// GDAL built a validity (or density) mask for the chunk: the dataset has a per-dataset
    /// mask or alpha, or some pixel of the window is nodata. Without one GDAL runs its
    /// unmasked fast paths, which sample and round differently.
    pub masked: bool,
    /// Working (and output) data type: picks the code path and the rounding.
    pub dtype: DataType,
    /// The destination nodata value: the masked paths never write it for integer types.
    pub dst_nodata: Option<f64>,
}

impl Kernel {
    /// The set-up GDAL derives for a chunk warping a source window of `src_size` pixels, of
    /// which `extra` (fractional) were added around the mapped area for the filter, into
    /// `dst_size` output pixels.
    pub fn new(
        method: Resampling,
        src_size: (usize, usize),
        extra: (f64, f64),
        dst_size: (usize, usize),
        masked: bool,
        dtype: DataType,
        dst_nodata: Option<f64>,
    ) -> Kernel {
        let axis = |src: usize, extra: f64, dst: usize| {
            let (s, d) = (src as f64, dst as f64);
            let mut scale = d / (s - extra);
            if src >= dst && s <= d + extra {
                scale = 1.0;
            }
            // a reduction within 5% of an integer factor is taken as that factor
            if scale < 1.0 {
                let r = 1.0 / scale;
                let n = (r + 0.5) as i64;
                if (r - n as f64).abs() < 0.05 && n > 0 {
                    scale = 1.0 / n as f64;
                }
            }
            scale
        };
        let scale = (
            axis(src_size.0, extra.0, dst_size.0),
            axis(src_size.1, extra.1, dst_size.1),
        );
        Kernel {
            scale,
            radius: (
                filter_radius(method, scale.0),
                filter_radius(method, scale.1),
            ),
            masked,
            dtype,
            dst_nodata,
        }
    }

    /// GDAL's bilinear and cubic use their 4-tap formulas unless the warp shrinks by more
    /// than 5% along either axis.
    fn four_samples(&self) -> bool {
        self.scale.0 >= 0.95 && self.scale.1 >= 0.95
    }

    /// Whether GDAL takes one of its unmasked fast paths (`GWK*NoMasksOrDstDensityOnly*`),
    /// which exist only for some types and methods; everything else goes through the general
    /// real-valued path even without masks.
    fn fast_path(&self, method: Resampling) -> bool {
        use Resampling::*;
        !self.masked
            && match self.dtype {
                DataType::U8 | DataType::I16 | DataType::U16 => {
                    matches!(method, Bilinear | Cubic | CubicSpline)
                }
                DataType::F32 => matches!(method, Bilinear | Cubic),
                _ => false,
            }
    }

    /// A value as GDAL stores it in the output type: integers rounded half up and clamped.
    fn store(&self, v: f64) -> f64 {
        if matches!(self.dtype, DataType::F32 | DataType::F64) {
            return v;
        }
        let (lo, hi) = self.dtype.range();
        if v < lo {
            lo
        } else if v > hi {
            hi
        } else {
            (v + 0.5).floor()
        }
    }

    /// [`Kernel::store`], then GDAL's general path's refusal to write the nodata value by
    /// chance: an integer result equal to it moves one step down (up at the type's minimum).
    fn store_avoiding_nodata(&self, v: f64) -> f64 {
        let v = self.store(v);
        match self.dst_nodata {
            Some(nd) if nd == v && !matches!(self.dtype, DataType::F32 | DataType::F64) => {
                if v == self.dtype.range().0 {
                    v + 1.0
                } else {
                    v - 1.0
                }
            }
            _ => v,
        }
    }
}

/// GDAL's filter half-width for `method` at `scale` (`anGWKFilterRadius`, widened when
/// shrinking).
fn filter_radius(method: Resampling, scale: f64) -> i64 {
    let r = method.kernel_radius().unwrap_or(0.0);
    if scale < 1.0 {
        (r / scale).ceil() as i64
    } else {
        r as i64
    }
}

/// Samples every band at level position `(sx, sy)` into `out` the way GDAL's warp kernel
/// does; false when the output pixel stays empty. Footprint methods (average, mode, ...)
/// need the pixel's corners: they take a footprint of `1 / scale` source pixels around the
/// point here ([`sample_footprint`] takes the real corners).
pub fn sample(
    src: &Source<'_>,
    sx: f64,
    sy: f64,
    method: Resampling,
    k: &Kernel,
    out: &mut [f64],
    scratch: &mut Scratch,
) -> bool {
    if !(sx.is_finite() && sy.is_finite()) {
        return false;
    }
    if method == Resampling::Nearest {
        return match src.nearest(sx, sy) {
            Some(i) => {
                for (o, b) in out.iter_mut().zip(src.bands) {
                    *o = b[i];
                }
                true
            }
            None => false,
        };
    }
    if method.kernel_radius().is_none() {
        let hx = 0.5 / k.scale.0.clamp(1e-6, 1.0);
        let hy = 0.5 / k.scale.1.clamp(1e-6, 1.0);
        let (tl, br) = ((sx - hx, sy - hy), (sx + hx, sy + hy));
        return sample_footprint(src, tl, br, method, k, out, scratch);
    }
    convolve(src, sx, sy, method, k, out, scratch)
}

/// The source window as the kernel addresses it: window-relative pixels and validity.
struct Window<'a> {
    w: i64,
    h: i64,
    valid: &'a [u8],
}

impl<'a> Window<'a> {
    fn of(src: &Source<'a>) -> Window<'a> {
        Window {
            w: src.width as i64,
            h: src.height as i64,
            valid: src.valid,
        }
    }

    fn ok(&self, x: i64, y: i64) -> bool {
        x >= 0
            && y >= 0
            && x < self.w
            && y < self.h
            && self
                .valid
                .get((y * self.w + x) as usize)
                .is_some_and(|&v| v != 0)
    }

    fn at(&self, b: &[f64], x: i64, y: i64) -> f64 {
        b[(y * self.w + x) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::convolve::bilinear4_unmasked;
    use super::footprint::footprint_value;
    use super::*;

    /// A kernel at scale 1 over `dtype` data.
    fn unit(masked: bool, dtype: DataType, nodata: Option<f64>) -> Kernel {
        Kernel::new(
            Resampling::Bilinear,
            (256, 256),
            (0.0, 0.0),
            (256, 256),
            masked,
            dtype,
            nodata,
        )
    }

    fn source<'a>(b: &'a [Vec<f64>], v: &'a [u8], w: usize, h: usize) -> Source<'a> {
        Source {
            x_off: 0,
            y_off: 0,
            width: w,
            height: h,
            bands: b,
            valid: v,
        }
    }

    #[test]
    fn nearest_takes_containing_pixel() {
        let b = vec![(0..16).map(|i| i as f64).collect::<Vec<_>>()];
        let v = vec![255; 16];
        let s = source(&b, &v, 4, 4);
        let k = unit(false, DataType::F64, None);
        let mut out = [0.0];
        assert!(sample(
            &s,
            1.5,
            2.99,
            Resampling::Nearest,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
        assert_eq!(out[0], 9.0);
        // 1e-10 below an edge snaps up like GDAL
        assert!(sample(
            &s,
            2.0 - 1e-11,
            0.5,
            Resampling::Nearest,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
        assert_eq!(out[0], 2.0);
        assert!(!sample(
            &s,
            -0.2,
            0.5,
            Resampling::Nearest,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
        assert!(!sample(
            &s,
            4.2,
            0.5,
            Resampling::Nearest,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
    }

    #[test]
    fn scale_comes_from_the_window_and_snaps_to_integer_factors() {
        let k = |src: usize, extra: f64, dst: usize| {
            Kernel::new(
                Resampling::Cubic,
                (src, src),
                (extra, extra),
                (dst, dst),
                false,
                DataType::U8,
                None,
            )
        };
        // 256 / 336: no integer factor near
        let a = k(336, 0.0, 256);
        assert!((a.scale.0 - 256.0 / 336.0).abs() < 1e-15);
        assert_eq!(a.radius, (3, 3)); // ceil(2 / 0.762)
                                      // 256 / 515 is within 5% of 1/2: taken as 1/2, radius 4
        let b = k(515, 0.0, 256);
        assert_eq!(b.scale, (0.5, 0.5));
        assert_eq!(b.radius, (4, 4));
        // the filter's padding does not count: 300 - 44 = 256 source pixels for 256
        let c = k(300, 44.0, 256);
        assert_eq!(c.scale, (1.0, 1.0));
        assert_eq!(c.radius, (2, 2));
        // upsampling keeps the plain radius
        assert_eq!(k(100, 4.0, 256).radius, (2, 2));
    }

    #[test]
    fn bilinear_four_taps_and_the_centre_rule() {
        let b = vec![vec![0.0, 10.0, 0.0, 10.0]];
        let v = vec![255; 4];
        let s = source(&b, &v, 2, 2);
        let mut out = [0.0];
        let k = unit(false, DataType::F64, None);
        assert!(sample(
            &s,
            1.0,
            1.0,
            Resampling::Bilinear,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
        assert!((out[0] - 5.0).abs() < 1e-12);
        // masked: an invalid neighbour is left out, not averaged in as zero
        let v2 = vec![255, 0, 255, 0];
        let s = source(&b, &v2, 2, 2);
        let k = unit(true, DataType::F64, None);
        assert!(sample(
            &s,
            0.9,
            1.0,
            Resampling::Bilinear,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
        assert_eq!(out[0], 0.0);
        // but a point whose own pixel is invalid stays empty, whatever its neighbours
        assert!(!sample(
            &s,
            1.2,
            1.0,
            Resampling::Bilinear,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
    }

    #[test]
    fn integers_round_half_up_and_dodge_the_nodata_value() {
        // GDAL rounds with floor(v + 0.5): -2.5 gives -2, not -3
        let k = unit(true, DataType::I16, Some(-9999.0));
        assert_eq!(k.store(-2.5), -2.0);
        assert_eq!(k.store(2.5), 3.0);
        assert_eq!(k.store(1e9), 32767.0);
        // a result landing on nodata moves one step down, or up at the type's minimum
        assert_eq!(k.store_avoiding_nodata(-9999.2), -10000.0);
        let k = unit(true, DataType::U8, Some(0.0));
        assert_eq!(k.store_avoiding_nodata(0.3), 1.0);
        // floats are stored as they are
        let k = unit(true, DataType::F32, Some(0.0));
        assert_eq!(k.store_avoiding_nodata(0.0), 0.0);
        // the unmasked fast paths exist for bytes and 16-bit integers only
        let k = unit(false, DataType::U8, Some(0.0));
        assert!(k.fast_path(Resampling::CubicSpline));
        assert!(!k.fast_path(Resampling::Lanczos));
        assert!(!unit(false, DataType::F32, None).fast_path(Resampling::CubicSpline));
        assert!(!unit(true, DataType::U8, None).fast_path(Resampling::Bilinear));
    }

    #[test]
    fn unmasked_bilinear_renormalises_at_the_window_edge() {
        // a 3 x 1 window: at x = 2.9 only the last column is inside, weight 0.6
        let b = vec![vec![10.0, 20.0, 30.0]];
        let v = vec![255; 3];
        let w = Window::of(&source(&b, &v, 3, 1));
        assert!((bilinear4_unmasked(&w, &b[0], 2.9, 0.5) - 30.0).abs() < 1e-12);
        // interior: between the centres of columns 0 and 1
        assert!((bilinear4_unmasked(&w, &b[0], 1.25, 0.5) - 17.5).abs() < 1e-12);
    }

    #[test]
    fn footprint_weights_partial_pixels() {
        // pixels [[1, 2], [3, 4]]; footprint from (0.5, 0.5) to (2, 2): the first column and
        // row count half
        let b = vec![vec![1.0, 2.0, 3.0, 4.0]];
        let v = vec![255; 4];
        let s = source(&b, &v, 2, 2);
        let k = unit(false, DataType::F64, None);
        let mut out = [0.0];
        assert!(sample_footprint(
            &s,
            (0.5, 0.5),
            (2.0, 2.0),
            Resampling::Average,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
        // (0.25 * 1 + 0.5 * 2 + 0.5 * 3 + 1 * 4) / 2.25
        assert!((out[0] - 3.0).abs() < 1e-12);
        // a footprint entirely outside the window has nothing
        assert!(!sample_footprint(
            &s,
            (2.5, 0.0),
            (3.0, 1.0),
            Resampling::Average,
            &k,
            &mut out,
            &mut Scratch::default()
        ));
    }

    #[test]
    fn footprint_statistics_like_gdal() {
        let vals = |v: &[f64]| v.iter().map(|x| (*x, 1.0)).collect::<Vec<_>>();
        let m = |v: &[f64], r| footprint_value(&mut vals(v), r, DataType::U8);
        // quantiles pick element ceil(q n - 1) of the sorted values: no interpolation
        assert_eq!(m(&[4.0, 1.0, 3.0, 2.0], Resampling::Med), Some(2.0));
        assert_eq!(m(&[4.0, 1.0, 3.0, 2.0], Resampling::Q1), Some(1.0));
        assert_eq!(m(&[4.0, 1.0, 3.0, 2.0], Resampling::Q3), Some(3.0));
        // mode: the first value to reach the highest count wins
        assert_eq!(m(&[3.0, 9.0, 9.0, 3.0, 3.0], Resampling::Mode), Some(3.0));
        assert_eq!(m(&[3.0, 9.0, 9.0, 3.0], Resampling::Mode), Some(9.0));
        assert_eq!(
            footprint_value(
                &mut vals(&[3.0, 9.0, 9.0, 3.0]),
                Resampling::Mode,
                DataType::F32
            ),
            Some(9.0)
        );
        assert_eq!(m(&[3.0, 9.0], Resampling::Min), Some(3.0));
        assert_eq!(m(&[3.0, 9.0], Resampling::Max), Some(9.0));
        assert_eq!(m(&[3.0, 4.0], Resampling::Rms), Some(12.5f64.sqrt()));
        assert_eq!(m(&[], Resampling::Average), None);
    }

    #[test]
    fn footprint_statistics() {
        let mut v = vec![(1.0, 1.0), (5.0, 1.0), (5.0, 1.0), (9.0, 1.0)];
        assert_eq!(summarise(&mut v, Resampling::Average), Some(5.0));
        assert_eq!(summarise(&mut v, Resampling::Mode), Some(5.0));
        assert_eq!(summarise(&mut v, Resampling::Min), Some(1.0));
        assert_eq!(summarise(&mut v, Resampling::Max), Some(9.0));
        assert_eq!(summarise(&mut v, Resampling::Sum), Some(20.0));
        assert_eq!(summarise(&mut v, Resampling::Med), Some(5.0));
        assert_eq!(summarise(&mut [], Resampling::Average), None);
    }
}
