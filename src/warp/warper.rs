//! Running a warp over selected pixels of an output grid.
//!
//! GDAL's warp kernel transforms each row of the region it warps as one scanline through the
//! approximate transformer, so where interpolation errors land depends on the span of those
//! scanlines (the whole output buffer width when warping straight into it; 512-column blocks
//! when a warped VRT is read block by block). [`map_pixels`] takes that span so our errors land
//! on the same pixels as GDAL's, and computes only the wanted rows and columns.

use rayon::prelude::*;

use super::approx::PixelTransform;
use super::kernel::{sample, sample_footprint, Kernel, Scratch, Source};
use super::Resampling;

/// Block width of GDAL's warped VRT: the span of one approximate-transformer scanline.
pub const VRT_BLOCK_WIDTH: usize = 512;

/// Source pixel coordinates of the centres of `rows × cols` pixels of an output grid.
#[derive(Clone, Debug)]
pub struct CoordMap {
    pub rows: Vec<usize>,
    pub cols: Vec<usize>,
    /// Row-major, `rows.len() × cols.len()`.
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub ok: Vec<bool>,
}

/// Maps the centres of the selected pixels (sorted `cols`, any `rows`) of a grid `grid_w`
/// pixels wide through `t`, transforming each row in scanlines of `span` columns (aligned to
/// multiples of `span`) as GDAL does.
pub fn map_pixels(
    t: &dyn PixelTransform,
    grid_w: usize,
    span: usize,
    rows: &[usize],
    cols: &[usize],
) -> CoordMap {
    let n = rows.len() * cols.len();
    let scan = Scanlines::new(t, grid_w, span, cols);
    let mut map = CoordMap::with_capacity(n);
    // like the sampling below: a tile-sized grid stays on the calling thread
    if n < PARALLEL_MIN_PIXELS {
        for &r in rows {
            scan.map_row(r, &mut map);
        }
    } else {
        let parts: Vec<CoordMap> = rows
            .par_iter()
            .map(|&r| {
                let mut part = CoordMap::with_capacity(cols.len());
                scan.map_row(r, &mut part);
                part
            })
            .collect();
        for p in parts {
            map.xs.extend(p.xs);
            map.ys.extend(p.ys);
            map.ok.extend(p.ok);
        }
    }
    map.rows = rows.to_vec();
    map.cols = cols.to_vec();
    map
}

/// For a nearest-neighbour warp, what [`map_pixels`] then [`CoordMap::source_window`] and
/// [`CoordMap::nearest_pixels`] give, computed a row at a time: each row's positions are
/// turned into source pixels while they are in cache, and the map (17 bytes a point) never
/// exists whole.
pub fn map_nearest(
    t: &dyn PixelTransform,
    grid_w: usize,
    span: usize,
    rows: &[usize],
    cols: &[usize],
    margin: i64,
) -> (Vec<(u32, u32)>, Option<SourceWindow>) {
    let n = rows.len() * cols.len();
    if n >= PARALLEL_MIN_PIXELS {
        let map = map_pixels(t, grid_w, span, rows, cols);
        return (map.nearest_pixels(), map.source_window(margin));
    }
    let scan = Scanlines::new(t, grid_w, span, cols);
    let mut row = CoordMap::with_capacity(cols.len());
    let mut pixels = Vec::with_capacity(n);
    let mut extent = Extent::default();
    for &r in rows {
        row.xs.clear();
        row.ys.clear();
        row.ok.clear();
        scan.map_row(r, &mut row);
        extent.add(&row.xs, &row.ys, &row.ok);
        pixels.extend(nearest_pixels(&row.xs, &row.ys, &row.ok));
    }
    (pixels, extent.window(margin))
}

/// An integer window `(x0, y0, x1, y1)` of a source level, exclusive end.
pub type SourceWindow = (i64, i64, i64, i64);

/// How the rows of one [`map_pixels`] call go through the transformer.
struct Scanlines<'a> {
    t: &'a dyn PixelTransform,
    grid_w: usize,
    /// Scanline width (at least 1).
    span: usize,
    cols: &'a [usize],
    /// The wanted columns are exactly whole scanline blocks (the usual tile, mapped at once
    /// across its width): they are transformed in place, no per-block copies. That holds when
    /// they run contiguously from a block start and end at a block end or at the grid's edge.
    whole_blocks: bool,
}

impl<'a> Scanlines<'a> {
    fn new(t: &'a dyn PixelTransform, grid_w: usize, span: usize, cols: &'a [usize]) -> Self {
        let (nc, bw) = (cols.len(), span.max(1));
        let last = cols.last().copied().unwrap_or(0);
        let whole_blocks = nc > 0
            && cols[0] % bw == 0
            && cols.windows(2).all(|p| p[1] == p[0] + 1)
            && last < grid_w
            && (nc % bw == 0 || last + 1 == grid_w);
        Scanlines {
            t,
            grid_w,
            span: bw,
            cols,
            whole_blocks,
        }
    }

    /// Appends output row `r`'s wanted columns to `out`: each scanline block of `span` columns
    /// goes through the transformer whole.
    fn map_row(&self, r: usize, out: &mut CoordMap) {
        let (t, cols, nc, bw) = (self.t, self.cols, self.cols.len(), self.span);
        if self.whole_blocks {
            let at = out.xs.len();
            out.xs.extend(cols.iter().map(|&c| c as f64 + 0.5));
            out.ys.resize(at + nc, r as f64 + 0.5);
            out.ok.resize(at + nc, true);
            for start in (0..nc).step_by(bw) {
                let end = (start + bw).min(nc);
                t.transform(
                    &mut out.xs[at + start..at + end],
                    &mut out.ys[at + start..at + end],
                    &mut out.ok[at + start..at + end],
                );
            }
            return;
        }
        let (mut bx, mut by, mut bok) = (Vec::new(), Vec::new(), Vec::new());
        let mut i = 0;
        while i < nc {
            let block = cols[i] / bw;
            let start = block * bw;
            let end = ((block + 1) * bw).min(self.grid_w.max(cols[i] + 1));
            bx.clear();
            bx.extend((start..end).map(|c| c as f64 + 0.5));
            by.clear();
            by.resize(bx.len(), r as f64 + 0.5);
            bok.clear();
            bok.resize(bx.len(), true);
            t.transform(&mut bx, &mut by, &mut bok);
            while i < nc && cols[i] < end {
                let k = cols[i] - start;
                out.xs.push(bx[k]);
                out.ys.push(by[k]);
                out.ok.push(bok[k]);
                i += 1;
            }
        }
    }
}

/// The bounding box of mapped points, built up a slice at a time.
struct Extent {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Default for Extent {
    fn default() -> Self {
        let inf = f64::INFINITY;
        Extent {
            x0: inf,
            y0: inf,
            x1: -inf,
            y1: -inf,
        }
    }
}

impl Extent {
    /// Grows the box over the points that mapped to finite positions (branch-light). The
    /// bounds are copied into locals and the function is not inlined: inside `map_nearest`'s
    /// row loop they otherwise lived on the stack, a store and reload per point (`map_nearest`
    /// took 17% of a warm tile's CPU that way, 11% with this).
    #[inline(never)]
    fn add(&mut self, xs: &[f64], ys: &[f64], ok: &[bool]) {
        let (mut x0, mut y0, mut x1, mut y1) = (self.x0, self.y0, self.x1, self.y1);
        for ((&x, &y), &ok) in xs.iter().zip(ys).zip(ok) {
            if ok && x.is_finite() && y.is_finite() {
                x0 = if x < x0 { x } else { x0 };
                y0 = if y < y0 { y } else { y0 };
                x1 = if x > x1 { x } else { x1 };
                y1 = if y > y1 { y } else { y1 };
            }
        }
        *self = Extent { x0, y0, x1, y1 };
    }

    /// The integer window `(x0, y0, x1, y1)` (exclusive end) holding the box, grown by
    /// `margin` pixels; `None` when no point was added.
    fn window(&self, margin: i64) -> Option<SourceWindow> {
        if self.x0 > self.x1 {
            return None;
        }
        let clamp = |v: f64| v.clamp(-1e12, 1e12) as i64;
        Some((
            clamp(self.x0.floor()) - margin,
            clamp(self.y0.floor()) - margin,
            clamp(self.x1.floor()) + 1 + margin,
            clamp(self.y1.floor()) + 1 + margin,
        ))
    }
}

/// The source pixel of each mapped point ([`NO_PIXEL`] where none), by
/// `kernel::nearest_pixel`'s rule written without branches, so the loop vectorises:
/// comparisons with NaN are false and an infinity fails the upper bound, so no finiteness
/// test is needed (`nearest_pixels_match_the_kernel_rule` checks the two agree).
fn nearest_pixels<'a>(
    xs: &'a [f64],
    ys: &'a [f64],
    ok: &'a [bool],
) -> impl Iterator<Item = (u32, u32)> + 'a {
    const EPS: f64 = super::kernel::NEAREST_EPSILON;
    const MAX: f64 = u32::MAX as f64;
    xs.iter().zip(ys).zip(ok).map(|((&x, &y), &ok)| {
        let (px, py) = (x + EPS, y + EPS);
        let inside = ok & (x >= 0.0) & (y >= 0.0) & (px < MAX) & (py < MAX);
        if inside {
            (px as u32, py as u32)
        } else {
            NO_PIXEL
        }
    })
}

impl CoordMap {
    fn with_capacity(n: usize) -> CoordMap {
        CoordMap {
            rows: Vec::new(),
            cols: Vec::new(),
            xs: Vec::with_capacity(n),
            ys: Vec::with_capacity(n),
            ok: Vec::with_capacity(n),
        }
    }

    /// The integer source window `(x0, y0, x1, y1)` (exclusive end) holding every mapped point,
    /// grown by `margin` pixels; `None` when no point mapped.
    pub fn source_window(&self, margin: i64) -> Option<SourceWindow> {
        let mut e = Extent::default();
        e.add(&self.xs, &self.ys, &self.ok);
        e.window(margin)
    }

    /// For a nearest-neighbour warp, the source level pixel each mapped point falls on
    /// ([`NO_PIXEL`] where none): 8 bytes a point instead of the map's 17.
    pub fn nearest_pixels(&self) -> Vec<(u32, u32)> {
        nearest_pixels(&self.xs, &self.ys, &self.ok).collect()
    }

    /// Output pixels per source pixel along x and y, estimated from the mapped extent (what
    /// GDAL calls XSCALE / YSCALE, used to widen kernels when shrinking).
    pub fn scale(&self) -> (f64, f64) {
        let (nc, nr) = (self.cols.len(), self.rows.len());
        let mut sx = 1.0;
        let mut sy = 1.0;
        if let (Some(c0), Some(c1)) = (self.cols.first(), self.cols.last()) {
            if c1 > c0 && nr > 0 {
                let r = nr / 2;
                let (a, b) = (r * nc, r * nc + nc - 1);
                if self.ok[a] && self.ok[b] {
                    let d = (self.xs[b] - self.xs[a]).hypot(self.ys[b] - self.ys[a]);
                    if d > 0.0 {
                        sx = (c1 - c0) as f64 / d;
                    }
                }
            }
        }
        if let (Some(r0), Some(r1)) = (self.rows.first(), self.rows.last()) {
            if r1 > r0 && nc > 0 {
                let c = nc / 2;
                let (a, b) = (c, (nr - 1) * nc + c);
                if self.ok[a] && self.ok[b] {
                    let d = (self.xs[b] - self.xs[a]).hypot(self.ys[b] - self.ys[a]);
                    if d > 0.0 {
                        sy = (r1 - r0) as f64 / d;
                    }
                }
            }
        }
        (sx, sy)
    }
}

/// The warped pixels: one plane per band plus validity, `rows × cols` of a [`CoordMap`].
#[derive(Clone, Debug, PartialEq)]
pub struct Warped {
    pub width: usize,
    pub height: usize,
    pub bands: Vec<Vec<f64>>,
    pub valid: Vec<u8>,
}

/// Grids smaller than this (pixels) are sampled on the calling thread, straight into the
/// output planes: a tile server already runs one job per core, and splitting a 256 × 256 tile
/// across rayon's threads only adds hand-offs and a transposition.
const PARALLEL_MIN_PIXELS: usize = 1 << 18;

/// Marks an output pixel that takes no source pixel in [`window_indices`].
pub const NO_SOURCE: u32 = u32::MAX;

/// Marks a mapped point that falls on no source pixel in [`CoordMap::nearest_pixels`].
pub const NO_PIXEL: (u32, u32) = (u32::MAX, u32::MAX);

/// For a nearest-neighbour warp, the index into the source window `(x0, y0, x1, y1)`
/// (row-major, exclusive end) of each point's source pixel ([`NO_SOURCE`] where none, or
/// outside the window). The warp itself is then a copy of samples in their own type, which is
/// most of why nearest tiles need no f64 planes at all.
pub fn window_indices(pixels: &[(u32, u32)], (x0, y0, x1, y1): SourceWindow) -> Vec<u32> {
    let width = (x1 - x0).max(0) as u64;
    let inside = |v: u32, lo: i64, hi: i64| (v as i64) >= lo && (v as i64) < hi;
    pixels
        .iter()
        .map(|&(x, y)| {
            if (x, y) != NO_PIXEL && inside(x, x0, x1) && inside(y, y0, y1) {
                let k = (y as i64 - y0) as u64 * width + (x as i64 - x0) as u64;
                u32::try_from(k).unwrap_or(NO_SOURCE)
            } else {
                NO_SOURCE
            }
        })
        .collect()
}

/// Samples `src` at every mapped point with `method`, the kernel set up from the map's own
/// extent (for callers with no GDAL source window: nearest warps, tests).
pub fn warp_points(src: &Source<'_>, map: &CoordMap, method: Resampling) -> Warped {
    let scale = map.scale();
    let r = |s: f64| {
        let r0 = method.kernel_radius().unwrap_or(0.0);
        if s < 1.0 {
            (r0 / s).ceil() as i64
        } else {
            r0 as i64
        }
    };
    let k = Kernel {
        scale,
        radius: (r(scale.0), r(scale.1)),
        masked: true,
        dtype: crate::raster::DataType::F64,
        dst_nodata: None,
    };
    warp_with(src, map, None, method, &k)
}

/// Samples `src` at every mapped point with `method` and GDAL's kernel set-up `k`.
/// Footprint methods (average, mode, ...) use `corners` when given: the maps of each output
/// pixel's top-left and bottom-right corners ([`map_corners`]).
pub fn warp_with(
    src: &Source<'_>,
    map: &CoordMap,
    corners: Option<&(CoordMap, CoordMap)>,
    method: Resampling,
    k: &Kernel,
) -> Warped {
    let nb = src.bands.len();
    let (w, h) = (map.cols.len(), map.rows.len());
    let corners =
        corners.filter(|_| method.kernel_radius().is_none() && method != Resampling::Nearest);
    let one = |i: usize, px: &mut [f64], scratch: &mut Scratch| match corners {
        Some((tl, br)) => {
            tl.ok[i]
                && br.ok[i]
                && sample_footprint(
                    src,
                    (tl.xs[i], tl.ys[i]),
                    (br.xs[i], br.ys[i]),
                    method,
                    k,
                    px,
                    scratch,
                )
        }
        None => map.ok[i] && sample(src, map.xs[i], map.ys[i], method, k, px, scratch),
    };
    if w * h < PARALLEL_MIN_PIXELS {
        let mut out = Warped {
            width: w,
            height: h,
            bands: vec![vec![0.0; w * h]; nb],
            valid: vec![0u8; w * h],
        };
        let mut px = vec![0.0; nb];
        let mut scratch = Scratch::default();
        for i in 0..w * h {
            if one(i, &mut px, &mut scratch) {
                out.valid[i] = 255;
                for (plane, v) in out.bands.iter_mut().zip(&px) {
                    plane[i] = *v;
                }
            }
        }
        return out;
    }
    let rows: Vec<(Vec<f64>, Vec<u8>)> = (0..h)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, r| {
            let mut vals = vec![0.0; w * nb];
            let mut valid = vec![0u8; w];
            let mut px = vec![0.0; nb];
            for c in 0..w {
                if one(r * w + c, &mut px, scratch) {
                    valid[c] = 255;
                    vals[c * nb..(c + 1) * nb].copy_from_slice(&px);
                }
            }
            (vals, valid)
        })
        .collect();
    let mut out = Warped {
        width: w,
        height: h,
        bands: vec![Vec::with_capacity(w * h); nb],
        valid: Vec::with_capacity(w * h),
    };
    for (vals, valid) in rows {
        for (b, plane) in out.bands.iter_mut().enumerate() {
            plane.extend((0..w).map(|c| vals[c * nb + b]));
        }
        out.valid.extend(valid);
    }
    out
}

/// For footprint methods, the source positions of each selected output pixel's top-left and
/// bottom-right corners. GDAL transforms them as two scanlines per output row (`x` then
/// `x + 1`, at `y` then `y + 1`), each through the approximate transformer on its own, so
/// their interpolation errors are GDAL's too.
pub fn map_corners(
    t: &dyn PixelTransform,
    grid_w: usize,
    span: usize,
    rows: &[usize],
    cols: &[usize],
) -> (CoordMap, CoordMap) {
    let shifted = |dx: f64, dy: f64| {
        let s = Shift { t, dx, dy };
        map_pixels(&s, grid_w, span, rows, cols)
    };
    (shifted(-0.5, -0.5), shifted(0.5, 0.5))
}

/// `t` applied to points moved by `(dx, dy)` first: a corner map is a centre map of the
/// grid shifted by half a pixel.
struct Shift<'a> {
    t: &'a dyn PixelTransform,
    dx: f64,
    dy: f64,
}

impl PixelTransform for Shift<'_> {
    fn transform(&self, xs: &mut [f64], ys: &mut [f64], ok: &mut [bool]) {
        xs.iter_mut().for_each(|x| *x += self.dx);
        ys.iter_mut().for_each(|y| *y += self.dy);
        self.t.transform(xs, ys, ok);
    }
}

/// GDAL's second chance for a point the approximate transformer put just outside the source
/// window (less than a pixel out): it is transformed again on its own, exactly, and the
/// kernel takes whatever that gives (`GWKCheckAndComputeSrcOffsets`).
pub fn retry_exact(map: &mut CoordMap, exact: &dyn PixelTransform, win: &GdalWindow) {
    let (x0, y0) = (win.x_off as f64, win.y_off as f64);
    let (x1, y1) = (x0 + win.width as f64, y0 + win.height as f64);
    let nc = map.cols.len();
    if nc == 0 {
        return;
    }
    for i in 0..map.xs.len() {
        let (x, y) = (map.xs[i], map.ys[i]);
        if !map.ok[i] || x.is_nan() || y.is_nan() {
            continue;
        }
        // the first failing test decides, as in GDAL
        let retry = if x < x0 {
            x > x0 - 1.0
        } else if y < y0 {
            y > y0 - 1.0
        } else if x + 1e-10 > x1 {
            x < x1 + 1.0
        } else if y + 1e-10 > y1 {
            y < y1 + 1.0
        } else {
            false
        };
        if retry {
            let mut px = [map.cols[i % nc] as f64 + 0.5];
            let mut py = [map.rows[i / nc] as f64 + 0.5];
            let mut ok = [true];
            exact.transform(&mut px, &mut py, &mut ok);
            map.xs[i] = px[0];
            map.ys[i] = py[0];
            map.ok[i] = ok[0];
        }
    }
}

/// The source window GDAL reads for a warp into a `dst` grid (`ComputeSourceWindow`), in
/// pixels of a source level of size `level`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GdalWindow {
    pub x_off: usize,
    pub y_off: usize,
    pub width: usize,
    pub height: usize,
    /// Pixels (fractional) the window holds beyond the mapped area, for the filter's reach.
    pub extra: (f64, f64),
}

/// GDAL's `ComputeSourceWindow` for a warp of a whole `dst` grid: 21 points along each edge
/// of the grid are mapped to the source (every edge pixel when a corner has no image, a grid
/// of points when some fail), their bounding box is grown by the filter's reach (widened when
/// shrinking) and clipped to the level; covering over 90% of the level along an axis takes it
/// whole. `None` when GDAL would read nothing.
pub fn gdal_source_window(
    t: &dyn PixelTransform,
    (dw, dh): (usize, usize),
    (lw, lh): (usize, usize),
    method: Resampling,
) -> Option<GdalWindow> {
    let (fw, fh) = (dw as f64, dh as f64);
    let corners_fail = {
        let mut xs = [0.0, fw, 0.0, fw];
        let mut ys = [0.0, 0.0, fh, fh];
        let mut ok = [true; 4];
        t.transform(&mut xs, &mut ys, &mut ok);
        ok.iter()
            .zip(xs.iter().zip(&ys))
            .any(|(o, (x, y))| !o || !x.is_finite() || !y.is_finite())
    };
    let bounds = |xs: Vec<f64>, ys: Vec<f64>| {
        let (mut xs, mut ys) = (xs, ys);
        let mut ok = vec![true; xs.len()];
        t.transform(&mut xs, &mut ys, &mut ok);
        let mut e = Extent::default();
        let mut failed = 0;
        for i in 0..xs.len() {
            if ok[i] && !xs[i].is_nan() && !ys[i].is_nan() {
                e.add(&xs[i..i + 1], &ys[i..i + 1], &[true]);
            } else {
                failed += 1;
            }
        }
        (e, failed, xs.len())
    };
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    if corners_fail {
        for ix in 0..=dw {
            xs.extend([ix as f64, ix as f64]);
            ys.extend([0.0, fh]);
        }
        for iy in 1..dh {
            xs.extend([0.0, fw]);
            ys.extend([iy as f64, iy as f64]);
        }
    } else {
        let step = 1.0 / 20.0;
        let mut r = 0.0;
        while r <= 1.0 + step * 0.5 {
            xs.extend([r * fw, r * fw, 0.0, fw]);
            ys.extend([0.0, fh, r * fh, r * fh]);
            r += step;
        }
    }
    let (mut e, mut failed, mut n) = bounds(xs, ys);
    if failed > 0 {
        // a grid of points through the whole area
        let step = 1.0 / 20.0;
        let ratio = |i: usize, size: f64| match i {
            0 => 0.5 / fw,
            i if i <= 21 => (i - 1) as f64 * step,
            _ => 1.0 - 0.5 / fw,
        } * size;
        let (mut gx, mut gy) = (Vec::new(), Vec::new());
        for iy in 0..23 {
            for ix in 0..23 {
                gx.push(ratio(ix, fw));
                gy.push(ratio(iy, fh));
            }
        }
        (e, failed, n) = bounds(gx, gy);
    }
    if failed + 5 > n || e.x0 > e.x1 {
        return None;
    }
    let (lwf, lhf) = (lw as f64, lh as f64);
    if e.x0 > lwf || e.x1 < 0.0 || e.y0 > lhf || e.y1 < 0.0 {
        return None;
    }
    let snap = |v: f64| {
        let r = v.round();
        if (r - v).abs() < 1e-6 {
            r
        } else {
            v
        }
    };
    let (x0, y0, x1, y1) = (snap(e.x0), snap(e.y0), snap(e.x1), snap(e.y1));
    let r0 = method.kernel_radius().unwrap_or(0.0) as i64;
    let reach = |d: f64, span: f64| {
        let s = (d / span).max(1e-3);
        if s < 0.95 {
            (r0 as f64 / s).ceil() as i64
        } else {
            r0
        }
    };
    let (rx, ry) = (reach(fw, x1 - x0), reach(fh, y1 - y0));
    let axis = |lo: f64, hi: f64, size: usize, r: i64| {
        let sz = size as i64;
        let lo_c = lo.max(0.0) as i64;
        let hi_c = hi.ceil().min(size as f64) as i64;
        let raw = ((sz - lo_c) as f64).min(hi - lo).max(0.0);
        let (off, len) = if (hi_c - lo_c) as f64 > 0.9 * size as f64 {
            (0, sz)
        } else {
            let off = (lo_c - r).clamp(0, sz);
            (off, (hi_c - off + r).min(sz - off).max(0))
        };
        (off as usize, len as usize, len as f64 - raw)
    };
    let (xo, xl, ex) = axis(x0, x1, lw, rx);
    let (yo, yl, ey) = axis(y0, y1, lh, ry);
    if xl == 0 || yl == 0 {
        return None;
    }
    Some(GdalWindow {
        x_off: xo,
        y_off: yo,
        width: xl,
        height: yl,
        extra: (ex, ey),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warp::approx::tests::Curved;
    use crate::warp::approx::{ApproxTransform, DEFAULT_MAX_ERROR};

    #[test]
    fn window_indices_are_row_major_in_the_window_and_none_outside() {
        let window = (10, 20, 13, 22); // 3 × 2 pixels from (10, 20)
        let pixels = [
            (10, 20),
            (12, 20),
            (10, 21),
            (12, 21),
            (9, 20),
            (13, 21),
            (11, 19),
            (11, 22),
            NO_PIXEL,
        ];
        let idx = window_indices(&pixels, window);
        let none = NO_SOURCE;
        assert_eq!(idx, vec![0, 2, 3, 5, none, none, none, none, none]);
        // an empty window takes nothing
        assert_eq!(window_indices(&pixels[..2], (5, 5, 5, 9)), vec![none, none]);
    }

    #[test]
    fn nearest_pixels_match_the_kernel_rule() {
        let edge = u32::MAX as f64;
        let values = [
            0.0,
            -0.0,
            1e-11,
            -1e-11,
            -1e-9,
            0.5,
            1.0 - 1e-11,
            1.0,
            2.999999999999,
            511.5,
            edge - 1.0,
            edge - 1e-4,
            edge,
            edge + 1.0,
            1e300,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut map = CoordMap::with_capacity(values.len() * values.len() * 2);
        for &x in &values {
            for &y in &values {
                for ok in [true, false] {
                    map.xs.push(x);
                    map.ys.push(y);
                    map.ok.push(ok);
                }
            }
        }
        let got = map.nearest_pixels();
        for (i, p) in got.iter().enumerate() {
            let want = match map.ok[i] {
                true => crate::warp::kernel::nearest_pixel(map.xs[i], map.ys[i]),
                false => None,
            };
            assert_eq!(
                *p,
                want.unwrap_or(NO_PIXEL),
                "({}, {})",
                map.xs[i],
                map.ys[i]
            );
        }
    }

    /// Each row's wanted columns picked out of whole `span`-wide scanlines through `t`.
    fn reference(
        t: &dyn PixelTransform,
        grid_w: usize,
        span: usize,
        rows: &[usize],
        cols: &[usize],
    ) -> CoordMap {
        let mut m = CoordMap {
            rows: rows.to_vec(),
            cols: cols.to_vec(),
            xs: vec![],
            ys: vec![],
            ok: vec![],
        };
        for &r in rows {
            for &c in cols {
                let start = c / span * span;
                let end = (start + span).min(grid_w.max(c + 1));
                let mut xs: Vec<f64> = (start..end).map(|c| c as f64 + 0.5).collect();
                let mut ys = vec![r as f64 + 0.5; xs.len()];
                let mut ok = vec![true; xs.len()];
                t.transform(&mut xs, &mut ys, &mut ok);
                m.xs.push(xs[c - start]);
                m.ys.push(ys[c - start]);
                m.ok.push(ok[c - start]);
            }
        }
        m
    }

    #[test]
    fn whole_rows_and_picked_columns_map_like_gdal_scanlines() {
        let approx = ApproxTransform {
            exact: &Curved,
            max_error: DEFAULT_MAX_ERROR,
        };
        let rows = [0, 3, 250];
        // a whole tile row at once (in place), a grid edge in a partial block, and picked columns
        let cases: [(usize, usize, Vec<usize>); 4] = [
            (256, 256, (0..256).collect()),
            (700, 512, (0..700).collect()),
            (700, 512, (512..700).collect()),
            (1000, 512, (0..1000).step_by(3).collect()),
        ];
        for (grid_w, span, cols) in cases {
            let got = map_pixels(&approx, grid_w, span, &rows, &cols);
            let want = reference(&approx, grid_w, span, &rows, &cols);
            assert_eq!(got.xs, want.xs, "grid {grid_w} span {span}");
            assert_eq!(got.ys, want.ys);
            assert_eq!(got.ok, want.ok);
        }
    }

    #[test]
    fn nearest_map_row_by_row_equals_the_whole_map() {
        let approx = ApproxTransform {
            exact: &Curved,
            max_error: DEFAULT_MAX_ERROR,
        };
        let rows: Vec<usize> = (0..256).step_by(7).collect();
        for (grid_w, span, cols) in [
            (256, 256, (0..256).collect::<Vec<_>>()),
            (1000, 512, (0..1000).step_by(3).collect()),
        ] {
            let map = map_pixels(&approx, grid_w, span, &rows, &cols);
            let (pixels, window) = map_nearest(&approx, grid_w, span, &rows, &cols, 1);
            assert_eq!(pixels, map.nearest_pixels(), "grid {grid_w}");
            assert_eq!(window, map.source_window(1));
            assert!(window.is_some());
        }
    }

    #[test]
    fn source_window_bounds_valid_finite_points_only() {
        let map = CoordMap {
            rows: vec![0],
            cols: vec![0, 1, 2, 3],
            xs: vec![2.5, f64::NAN, 10.2, -4.0],
            ys: vec![1.5, 0.0, 3.9, -100.0],
            ok: vec![true, true, true, false],
        };
        assert_eq!(map.source_window(1), Some((1, 0, 12, 5)));
        let none = CoordMap {
            ok: vec![false; 4],
            ..map
        };
        assert_eq!(none.source_window(1), None);
    }
}
