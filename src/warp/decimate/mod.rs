//! GDAL RasterIO resampling: reading a (fractional) window into a buffer of another size.
//!
//! This is the second step of rio-tiler's pipeline (after any warp) and the only step when the
//! dataset is already in the tile's CRS. For nearest, GDAL (`GDALRasterBand::IRasterIO`) takes
//! for buffer pixel `i` the source pixel
//! `(int)((i + 0.5) * window_size / buf_size + window_off + 1e-10)`, clamped to the raster. The other methods (`RasterIOResampled`) convolve with a
//! kernel stretched by the reduction factor, or summarise the covered pixels.

use super::{IntWindow, Resampling};
use crate::affine::Window;
use crate::raster::DataType;

/// GDAL's epsilon added before truncating a nearest-neighbour source coordinate.
const EPS: f64 = 1e-10;

/// Nearest source index for each of `buf` positions along one axis of a window starting at
/// `off` and `size` pixels long. Not clamped: callers clamp (inside reads) or mask (boundless).
pub fn nearest_indices(off: f64, size: f64, buf: usize) -> Vec<i64> {
    let ratio = size / buf.max(1) as f64;
    (0..buf)
        .map(|i| ((i as f64 + 0.5) * ratio + off + EPS).floor() as i64)
        .collect()
}

/// One band plane plus validity, the input of [`resample`].
pub struct Plane<'a> {
    pub width: usize,
    pub height: usize,
    pub values: &'a [f64],
    /// GDAL's mask band: 0 invalid, else valid (255 for a nodata or internal mask; an alpha
    /// band's 8-bit value, which GDAL's convolution kernels weigh each pixel by); same length
    /// as `values`.
    pub valid: &'a [u8],
}

/// Resamples the fractional window `(off_x, off_y, size_x, size_y)` of `src` into
/// `buf_w × buf_h` with a non-nearest method. Returns values and validity (a pixel is valid when
/// any valid source pixel contributes). Pixels of the window outside `src` count as invalid.
#[allow(clippy::too_many_arguments)]
pub fn resample(
    src: &Plane<'_>,
    off_x: f64,
    off_y: f64,
    size_x: f64,
    size_y: f64,
    buf_w: usize,
    buf_h: usize,
    method: Resampling,
) -> (Vec<f64>, Vec<u8>) {
    let n = buf_w.saturating_mul(buf_h);
    let mut out = vec![0.0; n];
    let mut valid = vec![0u8; n];
    let rx = size_x / buf_w.max(1) as f64;
    let ry = size_y / buf_h.max(1) as f64;
    let get = |x: i64, y: i64| -> Option<f64> {
        if x < 0 || y < 0 || x as usize >= src.width || y as usize >= src.height {
            return None;
        }
        let i = y as usize * src.width + x as usize;
        (*src.valid.get(i)? != 0)
            .then(|| src.values.get(i).copied())
            .flatten()
    };
    // a partial mask value (an alpha band's) scales the pixel's kernel weight
    let weight = |x: i64, y: i64| -> f64 {
        let i = y as usize * src.width + x as usize;
        match src.valid.get(i) {
            Some(255) | None => 1.0,
            Some(&m) => m as f64 / 255.0,
        }
    };
    for j in 0..buf_h {
        for i in 0..buf_w {
            let o = j * buf_w + i;
            let v = match method.kernel_radius() {
                Some(radius) => {
                    // centre of the output pixel in source pixel-centre coordinates
                    let cx = (i as f64 + 0.5) * rx + off_x - 0.5;
                    let cy = (j as f64 + 0.5) * ry + off_y - 0.5;
                    let (sx, sy) = (rx.max(1.0), ry.max(1.0));
                    let (hx, hy) = (radius * sx, radius * sy);
                    let (x0, x1) = ((cx - hx).ceil() as i64, (cx + hx).floor() as i64);
                    let (y0, y1) = ((cy - hy).ceil() as i64, (cy + hy).floor() as i64);
                    let mut acc = 0.0;
                    let mut wsum = 0.0;
                    for y in y0..=y1 {
                        let wy = method.kernel_weight((y as f64 - cy) / sy);
                        if wy == 0.0 {
                            continue;
                        }
                        for x in x0..=x1 {
                            let wx = method.kernel_weight((x as f64 - cx) / sx);
                            if wx == 0.0 {
                                continue;
                            }
                            if let Some(v) = get(x, y) {
                                let w = wx * wy * weight(x, y);
                                acc += w * v;
                                wsum += w;
                            }
                        }
                    }
                    (wsum.abs() > 1e-12).then(|| acc / wsum)
                }
                None => {
                    let (fx0, fx1) = (i as f64 * rx + off_x, (i + 1) as f64 * rx + off_x);
                    let (fy0, fy1) = (j as f64 * ry + off_y, (j + 1) as f64 * ry + off_y);
                    let mut vals = Vec::new();
                    for y in fy0.floor() as i64..fy1.ceil() as i64 {
                        let wy = (fy1.min(y as f64 + 1.0) - fy0.max(y as f64)).max(0.0);
                        for x in fx0.floor() as i64..fx1.ceil() as i64 {
                            let wx = (fx1.min(x as f64 + 1.0) - fx0.max(x as f64)).max(0.0);
                            if let Some(v) = get(x, y) {
                                if wx * wy > 0.0 {
                                    vals.push((v, wx * wy));
                                }
                            }
                        }
                    }
                    super::kernel::summarise(&mut vals, method)
                }
            };
            if let Some(v) = v {
                out[o] = v;
                valid[o] = 255;
            }
        }
    }
    (out, valid)
}

/// GDAL's kernel radius for a RasterIO resampling (`GDALGetResampleFunction`): the source
/// window of each chunk is padded by this many pixels per unit of the rounded reduction.
pub fn gdal_kernel_radius(method: Resampling) -> i64 {
    match method {
        Resampling::Bilinear | Resampling::Gauss => 1,
        Resampling::Cubic | Resampling::CubicSpline => 2,
        Resampling::Lanczos => 3,
        _ => 0,
    }
}

/// A resampled RasterIO request on one level, as GDAL's `RasterIOResampled` receives it: the
/// integer window (which places the source chunks), the floating-point window (which places
/// the samples) and the buffer size.
#[derive(Clone, Copy, Debug)]
pub struct RasterIo {
    /// Size of the level read.
    pub level: (usize, usize),
    pub int_window: IntWindow,
    pub window: Window,
    pub buf: (usize, usize),
    /// Block width of the level (GDAL splits wide requests into chunks differently when a
    /// block spans the whole row).
    pub block_width: usize,
    /// The dataset-level implementation (several bands at once) pads chunks by the larger of
    /// the two reduction factors.
    pub dataset_level: bool,
}

/// One piece of a resampled read: a rectangle of the buffer and the source pixels GDAL reads
/// for it (`x0..x1`, `y0..y1` in level pixels). Kernel taps outside the source rectangle are
/// dropped, so chunk boundaries are part of the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub dst: (usize, usize, usize, usize),
    pub src: (i64, i64, i64, i64),
}

impl RasterIo {
    fn ratios(&self) -> (f64, f64) {
        (
            self.window.width / self.buf.0.max(1) as f64,
            self.window.height / self.buf.1.max(1) as f64,
        )
    }

    /// GDAL's chunking of the buffer: blocks halved until each reads at most 1024² source
    /// pixels, each with its source window padded by the kernel radius times the rounded
    /// reduction factor and clipped to the level.
    pub fn chunks(&self, method: Resampling) -> Vec<Chunk> {
        let (rx, ry) = self.ratios();
        let (bw, bh) = (self.buf.0.max(1), self.buf.1.max(1));
        let (lw, lh) = (self.level.0 as i64, self.level.1 as i64);
        let (mut dbw, mut dbh) = (bw, bh);
        loop {
            let fx = (3 + (dbw as f64 * rx) as i64).min(lw);
            let fy = (3 + (dbh as f64 * ry) as i64).min(lh);
            if (dbw == 1 && dbh == 1) || fx * fy <= 1024 * 1024 {
                break;
            }
            if fx >= self.int_window.width
                && self.int_window.width == self.block_width as i64
                && dbh > 1
            {
                dbh /= 2;
            } else if dbw > 1 && (fx > fy || dbh == 1) {
                dbw /= 2;
            } else {
                dbh /= 2;
            }
        }
        let round = |r: f64| ((0.5 + r) as i64).max(1);
        let (mut ofx, mut ofy) = (round(rx), round(ry));
        if self.dataset_level {
            ofx = ofx.max(ofy);
            ofy = ofx;
        }
        let radius = gdal_kernel_radius(method);
        let span = |off: i64, d0: usize, n: usize, r: f64, size: i64, f: i64| {
            let c0 = off + (d0 as f64 * r) as i64;
            let c1 = (off + 1 + ((d0 + n) as f64 * r).ceil() as i64).min(size);
            let q0 = (c0 - radius * f).max(0);
            let q1 = (c1 + radius * f).min(size);
            (q0, q1)
        };
        let mut out = Vec::new();
        let mut dy = 0;
        while dy < bh {
            let ny = dbh.min(bh - dy);
            let (sy0, sy1) = span(self.int_window.y_off, dy, ny, ry, lh, ofy);
            let mut dx = 0;
            while dx < bw {
                let nx = dbw.min(bw - dx);
                let (sx0, sx1) = span(self.int_window.x_off, dx, nx, rx, lw, ofx);
                out.push(Chunk {
                    dst: (dx, dx + nx, dy, dy + ny),
                    src: (sx0, sy0, sx1, sy1),
                });
                dx += nx;
            }
            dy += ny;
        }
        out
    }

    /// The source rectangle covering every chunk, `(x0, y0, x1, y1)`; `None` when empty.
    pub fn source_rect(&self, method: Resampling) -> Option<(i64, i64, i64, i64)> {
        let c = self.chunks(method);
        let x0 = c.iter().map(|c| c.src.0).min()?;
        let y0 = c.iter().map(|c| c.src.1).min()?;
        let x1 = c.iter().map(|c| c.src.2).max()?;
        let y1 = c.iter().map(|c| c.src.3).max()?;
        (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
    }

    /// Sample positions along one axis: GDAL measures them from the integer offset, or, when
    /// the window offset is a whole number of output pixels, from 0 with the output shifted
    /// (so a sub-window gives the same pixels as the whole raster). Returns `(origin, first
    /// virtual output pixel, offset added after scaling)`.
    fn axis(off: f64, int_off: i64, ratio: f64) -> (i64, f64, f64) {
        let dest = off / ratio;
        if (dest - (dest + 0.5).floor()).abs() < 1e-8 {
            (0, (dest + 0.5).floor(), 0.0)
        } else {
            (int_off, 0.0, off - int_off as f64)
        }
    }
}

/// One band of source pixels for [`convolve`]: the rectangle at `origin` (level pixels) of
/// `width × height` values, and GDAL's mask band over it (`None`: all valid).
pub struct BandSource<'a> {
    pub origin: (i64, i64),
    pub width: usize,
    pub height: usize,
    pub values: &'a [f64],
    pub mask: Option<&'a [u8]>,
}

/// How GDAL writes a convolution result: the band's nodata (results equal to it are nudged
/// off it, failed pixels get it), the output range, and whether the work buffer is float32.
#[derive(Clone, Copy, Debug)]
pub struct OutputRule {
    pub nodata: Option<f64>,
    pub dtype: DataType,
}

impl OutputRule {
    /// GDAL's replacement for a computed value that equals the nodata value.
    fn replacement(&self, nd: f32) -> f32 {
        match self.dtype {
            DataType::F32 | DataType::F64 => {
                if nd == 0.0 {
                    f32::MIN_POSITIVE
                } else {
                    (nd as f64 + 1e-7 * nd as f64) as f32
                }
            }
            _ => {
                let (_, hi) = self.dtype.range();
                if nd as f64 == hi {
                    (hi - 1.0) as f32
                } else {
                    nd + 1.0
                }
            }
        }
    }

    /// The value written for a computed `v` (float32 like GDAL's work scanline).
    fn finish(&self, v: f64) -> f64 {
        let f = v as f32;
        let Some(nd) = self.nodata else {
            return f as f64;
        };
        let nd = nd as f32;
        let (lo, hi) = match self.dtype {
            DataType::F32 | DataType::F64 => (-f32::MAX, f32::MAX),
            d => {
                let (lo, hi) = d.range();
                (lo as f32, hi as f32)
            }
        };
        let c = if f < lo {
            lo
        } else if f > hi {
            hi
        } else {
            f
        };
        let hit = match self.dtype {
            DataType::F32 | DataType::F64 => c == nd,
            _ => (c as f64).round() as i64 == nd as i64,
        };
        if hit {
            self.replacement(nd) as f64
        } else {
            c as f64
        }
    }

    fn failed(&self) -> f64 {
        self.nodata.map_or(0.0, |n| n as f32 as f64)
    }
}

/// GDAL's separable convolution (`GDALResampleChunk_Convolution`, reached from
/// `RasterIOResampled`) of one band for bilinear, cubic, cubic spline and lanczos: a
/// horizontal pass per source row, then a vertical pass, with taps from
/// `floor(centre - r + 0.5)` to `trunc(centre + r + 0.5)` of a radius widened by the reduction
/// factor, clipped to the chunk. Without a mask the weights are normalised; with one, each tap
/// is weighted by its mask value, a pass with no weight fails, and for kernels with negative
/// lobes a pass whose longest run of valid taps is under half its taps fails too.
pub fn convolve(
    rio: &RasterIo,
    method: Resampling,
    src: &BandSource<'_>,
    out: OutputRule,
) -> Vec<f64> {
    let (bw, bh) = rio.buf;
    let mut res = vec![out.failed(); bw * bh];
    let Some(radius) = method.kernel_radius() else {
        return res;
    };
    let negative = matches!(method, Resampling::Cubic | Resampling::Lanczos);
    let (rx, ry) = rio.ratios();
    let scale_w = |r: f64| if 1.0 / r >= 1.0 { 1.0 } else { 1.0 / r };
    let (swx, swy) = (scale_w(rx), scale_w(ry));
    let (radx, rady) = (radius / swx, radius / swy);
    let (ox, vx, dx) = RasterIo::axis(rio.window.col_off, rio.int_window.x_off, rx);
    let (oy, vy, dy) = RasterIo::axis(rio.window.row_off, rio.int_window.y_off, ry);
    let at = |x: i64, y: i64| -> usize {
        (y - src.origin.1) as usize * src.width + (x - src.origin.0) as usize
    };
    // taps `[start, stop)` (absolute level pixels) and their weights for output index `i`
    let taps = |i: usize, v: f64, d: f64, o: i64, r: f64, rad: f64, sw: f64, c0: i64, c1: i64| {
        let s = (i as f64 + v + 0.5) * r + d;
        let start = ((s - rad + 0.5).floor() as i64).max(c0 - o);
        let stop = ((s + rad + 0.5) as i64).min(c1 - o);
        let mut w = Vec::with_capacity((stop - start).max(0) as usize);
        let mut x = sw * (start as f64 - s + 0.5);
        for _ in start..stop {
            w.push(method.kernel_weight(x));
            x += sw;
        }
        (start + o, w)
    };
    for chunk in rio.chunks(method) {
        let (cx0, cy0, cx1, cy1) = chunk.src;
        if cx1 <= cx0 || cy1 <= cy0 {
            continue;
        }
        if cx0 < src.origin.0
            || cy0 < src.origin.1
            || cx1 > src.origin.0 + src.width as i64
            || cy1 > src.origin.1 + src.height as i64
        {
            continue;
        }
        // GDAL drops the mask when the chunk's mask is uniform: all 0 leaves the failed value
        let mask = src.mask.and_then(|m| {
            let first = m[at(cx0, cy0)];
            let uniform = (cy0..cy1).all(|y| (cx0..cx1).all(|x| m[at(x, y)] == first));
            if uniform && first != 0 {
                None
            } else {
                Some((m, uniform))
            }
        });
        if let Some((_, true)) = mask {
            continue;
        }
        let mask = mask.map(|(m, _)| m);
        let (d0x, d1x, d0y, d1y) = chunk.dst;
        let nrows = (cy1 - cy0) as usize;
        let ncols = d1x - d0x;
        // horizontal pass: one value (and validity) per source row and output column
        let mut hval = vec![0.0f64; nrows * ncols];
        let mut hok = vec![1u8; nrows * ncols];
        for i in d0x..d1x {
            let (start, mut w) = taps(i, vx, dx, ox, rx, radx, swx, cx0, cx1);
            let n = w.len();
            let col = i - d0x;
            match mask {
                None => {
                    let sum: f64 = w.iter().sum();
                    if sum != 0.0 {
                        let inv = 1.0 / sum;
                        w.iter_mut().for_each(|x| *x *= inv);
                    }
                    for (r, y) in (cy0..cy1).enumerate() {
                        let base = at(start, y);
                        let row = &src.values[base..base + n];
                        hval[r * ncols + col] = row.iter().zip(&w).map(|(v, w)| v * w).sum();
                    }
                }
                Some(m) => {
                    for (r, y) in (cy0..cy1).enumerate() {
                        let base = at(start, y);
                        let mrow = &m[base..base + n];
                        let o = r * ncols + col;
                        if negative && longest_run(mrow.iter().map(|&v| v != 0)) < n / 2 {
                            hval[o] = 0.0;
                            hok[o] = 0;
                            continue;
                        }
                        let (mut acc, mut ws) = (0.0, 0.0);
                        for k in 0..n {
                            let wk = w[k] * mrow[k] as f64;
                            acc += src.values[base + k] * wk;
                            ws += wk;
                        }
                        if ws > 0.0 {
                            hval[o] = acc / ws;
                        } else {
                            hval[o] = 0.0;
                            hok[o] = 0;
                        }
                    }
                }
            }
        }
        // vertical pass
        for j in d0y..d1y {
            let (start, mut w) = taps(j, vy, dy, oy, ry, rady, swy, cy0, cy1);
            let n = w.len();
            let r0 = (start - cy0) as usize;
            if mask.is_none() {
                let sum: f64 = w.iter().sum();
                if sum != 0.0 {
                    let inv = 1.0 / sum;
                    w.iter_mut().for_each(|x| *x *= inv);
                }
            }
            for col in 0..ncols {
                let o = j * bw + d0x + col;
                let v = match mask {
                    None => Some(
                        (0..n)
                            .map(|k| hval[(r0 + k) * ncols + col] * w[k])
                            .sum::<f64>(),
                    ),
                    Some(_) => {
                        let oks = (0..n).map(|k| hok[(r0 + k) * ncols + col] != 0);
                        if negative && longest_run(oks) < n / 2 {
                            None
                        } else {
                            let (mut acc, mut ws) = (0.0, 0.0);
                            for k in 0..n {
                                let wk = w[k] * hok[(r0 + k) * ncols + col] as f64;
                                acc += hval[(r0 + k) * ncols + col] * wk;
                                ws += wk;
                            }
                            (ws > 0.0).then(|| acc / ws)
                        }
                    }
                };
                res[o] = match v {
                    Some(v) => out.finish(v),
                    None => out.failed(),
                };
            }
        }
    }
    res
}

/// Longest run of consecutive `true`s.
fn longest_run(it: impl Iterator<Item = bool>) -> usize {
    let (mut best, mut cur) = (0, 0);
    for v in it {
        if v {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests;
