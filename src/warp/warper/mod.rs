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

mod source_window;
pub use source_window::{gdal_source_window, retry_exact, GdalWindow};

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
            && cols[0].is_multiple_of(bw)
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

#[cfg(test)]
mod tests;
