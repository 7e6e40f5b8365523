//! Huge sampled reads: when a window holds far more pixels than the output, only the blocks
//! under the sample points are fetched, a batch of block rows at a time, like GDAL's RasterIO
//! (memory follows the output, sparse blocks cost nothing).

use std::sync::Arc;

use crate::raster::{Raster, Samples};

use super::{on_blocking, SAMPLED_BATCH_BLOCKS};
use crate::reader::{Dataset, Error};

/// The distinct values of `v` (sorted).
pub(super) fn distinct(v: &[Option<usize>]) -> Vec<usize> {
    let mut d: Vec<usize> = v.iter().flatten().copied().collect();
    d.sort_unstable();
    d.dedup();
    d
}

/// Where each value of `v` sits in `set` (sorted, holding every value of `v`).
pub(super) fn positions(v: &[Option<usize>], set: &[usize]) -> Vec<Option<usize>> {
    v.iter()
        .map(|i| i.and_then(|i| set.binary_search(&i).ok()))
        .collect()
}

/// The source pixels at every (column, row) pair of a sampling grid (`cols` and `rows`
/// sorted, distinct, inside the level): a `cols.len() × rows.len()` raster read through
/// [`read_pixels`]. At most `max_pixels` (the output limit: a grid has no more points than
/// the output it samples for).
pub(super) async fn read_grid<D: Dataset>(
    ds: &D,
    level: usize,
    cols: &[usize],
    rows: &[usize],
    bands: &[usize],
    max_pixels: usize,
) -> Result<Raster, Error> {
    let n = cols.len().saturating_mul(rows.len());
    if n > max_pixels {
        return Err(Error::TooLarge {
            what: "sampled pixels",
            value: n,
        });
    }
    let pixels: Vec<(u32, u32)> = rows
        .iter()
        .flat_map(|&r| cols.iter().map(move |&c| (c as u32, r as u32)))
        .collect();
    let mut r = read_pixels(ds, level, pixels, bands).await?;
    r.width = cols.len();
    r.height = rows.len();
    Ok(r)
}

/// Single source pixels (sorted by row) of `level`, as a `pixels.len() × 1` raster. The
/// dataset fetches only the blocks under them, a batch of block rows at a time (about
/// [`SAMPLED_BATCH_BLOCKS`] blocks), each batch decoded on the CPU pool while the next one
/// is fetched: the compressed bytes held stay those of two batches, whatever the raster's
/// size (GDAL's block cache plays that part for RasterIO).
pub(super) async fn read_pixels<D: Dataset>(
    ds: &D,
    level: usize,
    pixels: Vec<(u32, u32)>,
    bands: &[usize],
) -> Result<Raster, Error> {
    let meta = ds.meta();
    let (dtype, nb, n) = (meta.dtype, bands.len(), pixels.len());
    let (bw, bh) = (meta.block_size.0.max(1), meta.block_size.1.max(1));
    let lw = meta.level_size(level).map_or(1, |s| s.0);
    let rows_per_batch = (SAMPLED_BATCH_BLOCKS / lw.div_ceil(bw).max(1)).max(1);
    // batches: runs of pixels whose rows fall in the same `rows_per_batch` block rows
    let mut batches: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        let key = |k: usize| pixels[k].1 as usize / bh / rows_per_batch;
        if i == n || key(i) != key(start) {
            batches.push(start..i);
            start = i;
        }
    }
    let pixels = Arc::new(pixels);
    let mut out: Option<Raster> = None;
    let mut pending: Option<(usize, crate::reader::Assemble)> = None;
    let mut next = batches.into_iter();
    loop {
        let batch = next.next();
        let fetch = async {
            match &batch {
                Some(b) => {
                    let part = pixels[b.clone()].to_vec();
                    ds.fetch_pixels(level, part, bands).await.map(Some)
                }
                None => Ok(None),
            }
        };
        let decode = async {
            let Some((at, assemble)) = pending.take() else {
                return Ok(out.take());
            };
            let prev = out.take();
            on_blocking(move || {
                let part = assemble()?;
                let mut all = prev.unwrap_or_else(|| Raster::empty(dtype, nb, n, 1));
                copy_pixels(&part, &mut all, at);
                Ok(Some(all))
            })
            .await
        };
        let (fetched, decoded) = tokio::join!(fetch, decode);
        out = decoded?;
        match (fetched?, batch) {
            (Some(a), Some(b)) => pending = Some((b.start, a)),
            _ => break,
        }
    }
    Ok(out.unwrap_or_else(|| Raster::empty(dtype, nb, n, 1)))
}

/// Copies the pixels of `part` (`k × 1`, same bands) into `all` (`n × 1`) from pixel `at`.
pub(super) fn copy_pixels(part: &Raster, all: &mut Raster, at: usize) {
    let (k, n) = (part.plane_len(), all.plane_len());
    for b in 0..part.bands.min(all.bands) {
        let (src, dst) = (b * k..(b + 1) * k, b * n + at..b * n + at + k);
        match (&mut all.data, &part.data) {
            (Samples::U8(d), Samples::U8(s)) => copy_slice(d, s, dst, src),
            (Samples::I8(d), Samples::I8(s)) => copy_slice(d, s, dst, src),
            (Samples::U16(d), Samples::U16(s)) => copy_slice(d, s, dst, src),
            (Samples::I16(d), Samples::I16(s)) => copy_slice(d, s, dst, src),
            (Samples::U32(d), Samples::U32(s)) => copy_slice(d, s, dst, src),
            (Samples::I32(d), Samples::I32(s)) => copy_slice(d, s, dst, src),
            (Samples::F32(d), Samples::F32(s)) => copy_slice(d, s, dst, src),
            (Samples::F64(d), Samples::F64(s)) => copy_slice(d, s, dst, src),
            (d, s) => crate::with_samples!(d, dv => {
                for (o, i) in dst.zip(src) {
                    if let Some(x) = dv.get_mut(o) {
                        *x = crate::raster::Sample::from_f64(s.get_f64(i));
                    }
                }
            }),
        }
    }
    if let (Some(d), Some(s)) = (all.mask.get_mut(at..at + k), part.mask.get(..k)) {
        d.copy_from_slice(s);
    }
}

/// `d[dst] = s[src]` when both ranges are in bounds (same length by construction).
pub(super) fn copy_slice<T: Copy>(
    d: &mut [T],
    s: &[T],
    dst: std::ops::Range<usize>,
    src: std::ops::Range<usize>,
) {
    if let (Some(d), Some(s)) = (d.get_mut(dst), s.get(src)) {
        if d.len() == s.len() {
            d.copy_from_slice(s);
        }
    }
}

/// Copies band `band` of `src` into `dst` at the given (output, source) pixel pairs.
pub(super) fn place(dst: &mut Samples, src: &Raster, band: usize, moves: &[(usize, usize)]) {
    let n = src.plane_len();
    let range = band * n..(band + 1) * n;
    macro_rules! copy {
        ($d:expr, $s:expr) => {{
            let plane = $s.get(range).unwrap_or(&[]);
            for &(o, si) in moves {
                if let (Some(d), Some(s)) = ($d.get_mut(o), plane.get(si)) {
                    *d = *s;
                }
            }
        }};
    }
    match (dst, &src.data) {
        (Samples::U8(d), Samples::U8(s)) => copy!(d, s),
        (Samples::I8(d), Samples::I8(s)) => copy!(d, s),
        (Samples::U16(d), Samples::U16(s)) => copy!(d, s),
        (Samples::I16(d), Samples::I16(s)) => copy!(d, s),
        (Samples::U32(d), Samples::U32(s)) => copy!(d, s),
        (Samples::I32(d), Samples::I32(s)) => copy!(d, s),
        (Samples::F32(d), Samples::F32(s)) => copy!(d, s),
        (Samples::F64(d), Samples::F64(s)) => copy!(d, s),
        // a band stored in another type than the dataset's: convert on the way
        (d, s) => crate::with_samples!(d, dv => {
            for &(o, si) in moves {
                if let (Some(x), true) = (dv.get_mut(o), si < n && range.end <= s.len()) {
                    *x = crate::raster::Sample::from_f64(s.get_f64(range.start + si));
                }
            }
        }),
    }
}
