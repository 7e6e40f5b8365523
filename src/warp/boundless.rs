//! rasterio's boundless reads, and the pixels GDAL really samples for them.
//!
//! When a window reaches past the raster (a tile on the edge of a COG, or a zoomed-out tile
//! larger than the whole image), rasterio does not read the raster directly. It wraps the
//! raster in an in-memory VRT whose origin is the window's corner and whose size is
//! `max(raster, window) + 1` pixels, places the raster in it as a single source (its
//! `DstRect` starts at minus the window offset), and reads the window `(0, 0, w, h)` of that
//! VRT. GDAL answers in three steps, each with its own rounding, and TiTiler's pixels follow
//! from all three:
//! 1. **Implicit overviews of the VRT** (`VRTDataset::BuildVirtualOverviews`): one per source
//!    overview, sized `VRT size × ratio`, snapped to a source level size within one pixel; the
//!    list stops at the first one under 128 pixels that matches no source level. The VRT band
//!    picks one with the usual rule ([`super::overview`]) and divides its window by the
//!    VRT-to-overview factor (e.g. 2049 / 513), while the source inside is scaled by the
//!    source's own ratio (exactly 1/4): the mismatch stretches the sampled area by up to a
//!    few pixels. Only the *first band read* uses them: it builds the overview list on
//!    demand, and a band only consults the list while it is still empty, so every later band
//!    (and every mask read) goes through the full-size VRT.
//! 2. **Source window** (`VRTSimpleSource::GetSrcDstWindow`): the (overview) VRT window is
//!    clipped to the area the source covers, mapped to source pixels, and the part of the
//!    output buffer it fills is snapped to whole pixels, the source window being corrected
//!    for that snapping.
//! 3. **Raster read**: the raster band reads that source window into that part of the buffer,
//!    choosing its own overview on the integer window and sampling with the floating one.
//!
//! Everything here is arithmetic on sizes and windows: no VRT is allocated, so a window far
//! larger than the raster costs nothing.

use super::overview::{select_overview, IntWindow};
use crate::affine::{GeoTransform, Window};

/// GDAL's tolerance when snapping output offsets to whole pixels.
const SNAP_EPS: f64 = 1e-3;
/// Implicit VRT overviews smaller than this (GDAL's default VRT block size) are dropped unless
/// they match a source level.
const MIN_IMPLICIT_OVERVIEW: i64 = 128;
/// GDAL works with `int` sizes; a VRT larger than this cannot be opened.
const MAX_VRT_SIZE: f64 = i32::MAX as f64;

/// One VRT source: the whole raster (`src_size` pixels) placed at `dst_off` and stretched to
/// `dst_size`, in VRT pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VrtSource {
    pub src_size: (f64, f64),
    pub dst_off: (f64, f64),
    pub dst_size: (f64, f64),
}

/// What a source asks of its raster band for one VRT read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceRequest {
    /// Integer source window (full-resolution raster pixels), which decides the overview.
    pub int_window: IntWindow,
    /// Floating-point source window, which decides the sampled pixels.
    pub window: Window,
    /// The part of the output buffer the source fills: `(x, y, width, height)`.
    pub out: (usize, usize, usize, usize),
}

/// `x` rounded when within 1e-6 of an integer (GDAL's `RoundIfCloseToInt`).
fn round_if_close(x: f64) -> f64 {
    let r = x.round();
    if (r - x).abs() < 1e-6 {
        r
    } else {
        x
    }
}

/// One axis of a source request, before the output snapping.
struct Axis {
    req_off: f64,
    req_size: f64,
    int_off: i64,
    int_size: i64,
    modified: bool,
}

impl VrtSource {
    /// The same source in an implicit overview `rx × ry` the VRT's size.
    pub fn scaled(&self, rx: f64, ry: f64) -> VrtSource {
        VrtSource {
            src_size: self.src_size,
            dst_off: (self.dst_off.0 * rx, self.dst_off.1 * ry),
            dst_size: (self.dst_size.0 * rx, self.dst_size.1 * ry),
        }
    }

    /// The source window and output part for reading the VRT window `win` into a buffer of
    /// `buf` pixels; `None` when the source contributes nothing.
    pub fn src_dst_window(&self, win: Window, buf: (usize, usize)) -> Option<SourceRequest> {
        let (sw, sh) = self.src_size;
        let (dx, dy) = self.dst_off;
        let (dw, dh) = self.dst_size;
        if sw == 0.0 || sh == 0.0 || dw == 0.0 || dh == 0.0 {
            return None;
        }
        if win.col_off >= dx + dw
            || win.row_off >= dy + dh
            || win.col_off + win.width <= dx
            || win.row_off + win.height <= dy
        {
            return None;
        }
        let x = Self::axis(win.col_off, win.width, dx, dw, sw)?;
        let y = Self::axis(win.row_off, win.height, dy, dh, sh)?;
        let (mut fx, mut fy) = ((x.req_off, x.req_size), (y.req_off, y.req_size));
        let mut out_x = (0usize, buf.0);
        let mut out_y = (0usize, buf.1);
        if x.modified {
            out_x = Self::snap(&mut fx, win.col_off, win.width, buf.0, dx, dw, sw)?;
        }
        if y.modified {
            out_y = Self::snap(&mut fy, win.row_off, win.height, buf.1, dy, dh, sh)?;
        }
        if (x.modified || y.modified) && (out_x.1 < 1 || out_y.1 < 1) {
            return None;
        }
        Some(SourceRequest {
            int_window: IntWindow {
                x_off: x.int_off,
                y_off: y.int_off,
                width: x.int_size,
                height: y.int_size,
            },
            window: Window {
                col_off: round_if_close(fx.0),
                row_off: round_if_close(fy.0),
                width: round_if_close(fx.1),
                height: round_if_close(fy.1),
            },
            out: (out_x.0, out_y.0, out_x.1, out_y.1),
        })
    }

    /// Clips one axis of the request to the source's destination span and maps it to source
    /// pixels (offset, size, their integer versions, whether anything was clipped).
    fn axis(off: f64, size: f64, d_off: f64, d_size: f64, s_size: f64) -> Option<Axis> {
        let (mut r_off, mut r_size, mut modified) = (off, size, false);
        if r_off < d_off {
            r_size = r_size + r_off - d_off;
            r_off = d_off;
            modified = true;
        }
        if r_off + r_size > d_off + d_size {
            r_size = d_off + d_size - r_off;
            modified = true;
        }
        let scale = s_size / d_size;
        let mut req_off = (r_off - d_off) * scale;
        let mut req_size = r_size * scale;
        if !req_off.is_finite() || !req_size.is_finite() || req_off > MAX_VRT_SIZE || req_size < 0.0
        {
            return None;
        }
        if req_off < 0.0 {
            req_size += req_off;
            req_off = 0.0;
            modified = true;
        }
        let mut int_off = req_off.floor() as i64;
        if req_off - int_off as f64 > 1.0 - SNAP_EPS {
            int_off += 1;
            req_off = int_off as f64;
        }
        let mut int_size = if req_size > MAX_VRT_SIZE {
            i32::MAX as i64
        } else {
            (req_size + 0.5).floor() as i64
        };
        if int_size == 0 {
            int_size = 1;
        }
        let band = s_size as i64;
        if int_off + int_size > band {
            int_size = band - int_off;
            modified = true;
        }
        if req_off + req_size > s_size {
            req_size = s_size - req_off;
            modified = true;
        }
        if int_off >= band || int_size <= 0 {
            return None;
        }
        Some(Axis {
            req_off,
            req_size,
            int_off,
            int_size,
            modified,
        })
    }

    /// Snaps one axis of the filled output part to whole pixels and corrects the source window
    /// `f = (offset, size)` by the same amount; returns the output `(offset, size)`.
    #[allow(clippy::too_many_arguments)]
    fn snap(
        f: &mut (f64, f64),
        off: f64,
        size: f64,
        buf: usize,
        d_off: f64,
        d_size: f64,
        s_size: f64,
    ) -> Option<(usize, usize)> {
        let to_dst = |s: f64| (s / s_size) * d_size + d_off;
        let (ul, lr) = (to_dst(f.0), to_dst(f.0 + f.1));
        let k = buf as f64 / size;
        let out_off = (ul - off) * k;
        let n_off = if out_off <= 0.0 {
            0
        } else {
            (out_off + SNAP_EPS).min(MAX_VRT_SIZE) as i64
        };
        let delta = (out_off - n_off as f64) / k / d_size * s_size;
        f.0 -= delta;
        f.1 = (f.1 + delta).min(MAX_VRT_SIZE);
        let out_right = (lr - off) * k;
        if out_right < out_off {
            return None;
        }
        let n_right = (out_right.min(MAX_VRT_SIZE) - SNAP_EPS).ceil() as i64;
        let mut n_size = n_right - n_off;
        if n_off + n_size > buf as i64 {
            n_size = buf as i64 - n_off;
        }
        let delta = (n_right as f64 - out_right) / k / d_size * s_size;
        f.1 = (f.1 + delta).min(MAX_VRT_SIZE);
        if n_size < 1 || n_off < 0 {
            return Some((0, 0));
        }
        Some((n_off as usize, n_size as usize))
    }
}

/// The VRT rasterio builds for a boundless read of `window`, with its implicit overviews.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundlessVrt {
    pub width: usize,
    pub height: usize,
    /// The window read from the VRT: `(0, 0, window size)`.
    read: Window,
    base: VrtSource,
    overviews: Vec<((usize, usize), VrtSource)>,
}

/// Where rasterio's boundless VRT puts the raster (its `DstRect` offset, VRT pixels). The VRT
/// geotransform is rasterio's `window_transform`, and the offset is computed back from it
/// with the same floating-point steps, from the `a` and `e` terms only: minus the window
/// offset for an axis-aligned grid, but shifted by the rotation terms (`row·b/a`, `col·d/e`)
/// for a rotated one.
fn dst_offset(gt: &GeoTransform, window: Window) -> (f64, f64) {
    let [c, a, b, f, d, e] = gt.0;
    let x = a * window.col_off + b * window.row_off + c;
    let y = d * window.col_off + e * window.row_off + f;
    let (vc, vf) = ((x - c) + c, (y - f) + f);
    ((c - vc) / a, (f - vf) / e)
}

impl BoundlessVrt {
    /// The VRT for reading `window` of a raster of `full` pixels georeferenced by `gt`, whose
    /// overview sizes are `overviews` (largest first). `None` when the VRT would exceed GDAL's
    /// size limits (rasterio fails there too).
    pub fn new(
        full: (usize, usize),
        overviews: &[(usize, usize)],
        gt: &GeoTransform,
        window: Window,
    ) -> Option<BoundlessVrt> {
        // `max(self.width, window.width) + 1`, written into the XML and read back with atoi
        let size = |n: usize, w: f64| -> Option<usize> {
            let v = if n as f64 >= w {
                n as f64 + 1.0
            } else {
                (w + 1.0).trunc()
            };
            (v.is_finite() && (1.0..=MAX_VRT_SIZE).contains(&v)).then_some(v as usize)
        };
        let width = size(full.0, window.width)?;
        let height = size(full.1, window.height)?;
        let [_, a, _, _, _, e] = gt.0;
        let (fw, fh) = (full.0 as f64, full.1 as f64);
        let base = VrtSource {
            src_size: (fw, fh),
            dst_off: dst_offset(gt, window),
            dst_size: (fw * a / a, fh * e / e),
        };
        let mut sizes: Vec<(usize, usize)> = overviews.to_vec();
        sizes.push(full);
        sizes.sort_unstable();
        sizes.dedup();
        let mut ovr = Vec::new();
        for &(ow, oh) in overviews {
            let (rx, ry) = (ow as f64 / fw, oh as f64 / fh);
            if rx >= base.dst_size.0 / base.src_size.0 || ry >= base.dst_size.1 / base.src_size.1 {
                continue;
            }
            let mut nw = (0.5 + width as f64 * rx) as i64;
            let mut nh = (0.5 + height as f64 * ry) as i64;
            let matched = sizes
                .iter()
                .find(|&&(sw, sh)| (sw as i64 - nw).abs() <= 1 && (sh as i64 - nh).abs() <= 1);
            match matched {
                Some(&(sw, sh)) => (nw, nh) = (sw as i64, sh as i64),
                None if nw < MIN_IMPLICIT_OVERVIEW || nh < MIN_IMPLICIT_OVERVIEW => break,
                None => {}
            }
            if nw <= 0 || nh <= 0 {
                break;
            }
            ovr.push(((nw as usize, nh as usize), base.scaled(rx, ry)));
        }
        Some(BoundlessVrt {
            width,
            height,
            read: Window {
                col_off: 0.0,
                row_off: 0.0,
                width: window.width,
                height: window.height,
            },
            base,
            overviews: ovr,
        })
    }

    /// Sizes of the VRT's implicit overviews.
    pub fn overview_sizes(&self) -> Vec<(usize, usize)> {
        self.overviews.iter().map(|o| o.0).collect()
    }

    /// What the raster is asked for when one band of the VRT window is read into `buf`.
    /// `first_band`: this is the first band read from the VRT (the only one that uses the
    /// implicit overviews, see the module doc). `threshold`: the overview threshold of the
    /// resampling method.
    pub fn request(
        &self,
        buf: (usize, usize),
        first_band: bool,
        threshold: f64,
    ) -> Option<SourceRequest> {
        let req = IntWindow::of(&self.read);
        let mut source = self.base;
        let mut win = self.read;
        if first_band
            && (buf.0 < req.width as usize || buf.1 < req.height as usize)
            && !self.overviews.is_empty()
        {
            if let Some(c) = select_overview(
                (self.width, self.height),
                &self.overview_sizes(),
                req,
                win,
                buf,
                threshold,
            ) {
                source = self.overviews[c.index].1;
                win = c.window;
            }
        }
        source.src_dst_window(win, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// iceland_u8_manyovr_3857 (2048², 100 m, overviews down to 16²) and its tile 8/114/66,
    /// whose window starts above the image.
    fn iceland() -> (GeoTransform, Vec<(usize, usize)>, Window) {
        let gt = GeoTransform([-2217500.0, 100.0, 0.0, 9684500.0, 0.0, -100.0]);
        let ovr = (1..8).map(|i| (2048 >> i, 2048 >> i)).collect();
        let win = Window {
            col_off: 258.97525007426736,
            row_off: -211.68103538539262,
            width: 1565.430339280404,
            height: 1565.430339280404,
        };
        (gt, ovr, win)
    }

    #[test]
    fn vrt_size_and_implicit_overviews_follow_gdal() {
        let (gt, ovr, win) = iceland();
        let vrt = BoundlessVrt::new((2048, 2048), &ovr, &gt, win).unwrap();
        assert_eq!((vrt.width, vrt.height), (2049, 2049));
        // 2049 × ratio snaps to the source sizes, so even the 16 px level is kept
        assert_eq!(vrt.overview_sizes(), ovr);
        // without a matching source level, overviews under 128 px end the list
        let vrt = BoundlessVrt::new((2048, 2048), &ovr[..3], &gt, win).unwrap();
        assert_eq!(vrt.overview_sizes().len(), 3);
        // a window larger than the raster widens the VRT (truncated like atoi)
        let big = Window {
            width: 5000.7,
            height: 3000.2,
            ..win
        };
        let vrt = BoundlessVrt::new((2048, 2048), &ovr, &gt, big).unwrap();
        assert_eq!((vrt.width, vrt.height), (5001, 3001));
        // absurd windows are refused instead of allocated
        let huge = Window { width: 1e12, ..win };
        assert!(BoundlessVrt::new((2048, 2048), &ovr, &gt, huge).is_none());
    }

    #[test]
    fn first_band_reads_through_the_4x_implicit_overview() {
        let (gt, ovr, win) = iceland();
        let vrt = BoundlessVrt::new((2048, 2048), &ovr, &gt, win).unwrap();
        // first band: VRT overview 513 (2049 / 513 = 3.994 while the source is scaled by 4)
        let r = vrt.request((256, 256), true, 1.2).unwrap();
        assert_eq!(r.out, (0, 34, 256, 222));
        assert_eq!(
            r.int_window,
            IntWindow {
                x_off: 258,
                y_off: 0,
                width: 1565,
                height: 1353
            }
        );
        assert!((r.window.col_off - 258.97525007426736).abs() < 1e-9);
        assert!((r.window.width - 1564.6663420430784).abs() < 1e-6);
        assert!((r.window.row_off + 3.8737868327962808).abs() < 1e-6);
        // other bands: the full-size VRT, whose window is the true one
        let r = vrt.request((256, 256), false, 1.2).unwrap();
        assert_eq!(r.out, (0, 34, 256, 222));
        assert!((r.window.width - 1565.430339280404).abs() < 1e-6);
        assert!((r.window.row_off + 3.772318449713953).abs() < 1e-6);
    }

    /// rasterio's DstRect uses only the `a` and `e` terms: a rotated raster is sampled at the
    /// window shifted by `row·b/a` and `col·d/e` (45°: a = b = d = -e).
    #[test]
    fn rotated_rasters_are_sampled_where_rasterio_places_them() {
        let w = Window {
            col_off: 10.0,
            row_off: -60.0,
            width: 330.0,
            height: 330.0,
        };
        let north_up = GeoTransform([0.0, 2.0, 0.0, 100.0, 0.0, -2.0]);
        assert_eq!(dst_offset(&north_up, w), (-10.0, 60.0));
        let r = 17.5;
        let rotated = GeoTransform([1e6, r, r, 6e6, r, -r]);
        let (x, y) = dst_offset(&rotated, w);
        assert!((x + (10.0 - 60.0)).abs() < 1e-6, "{x}");
        assert!((y + (-60.0 - 10.0)).abs() < 1e-6, "{y}");
    }

    #[test]
    fn windows_missing_the_raster_request_nothing() {
        let (gt, ovr, _) = iceland();
        let win = Window {
            col_off: 3000.0,
            row_off: 10.0,
            width: 100.0,
            height: 100.0,
        };
        let vrt = BoundlessVrt::new((2048, 2048), &ovr, &gt, win).unwrap();
        assert!(vrt.request((256, 256), true, 1.2).is_none());
    }
}
