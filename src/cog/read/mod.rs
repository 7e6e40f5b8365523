//! Reading pixels: which chunks a window needs, fetching them in few requests, decoding them
//! off the async runtime, and assembling a band-sequential [`Raster`].
//!
//! A window in a level's pixel grid touches a rectangle of chunks (tiles or strips). For
//! pixel-interleaved files one chunk holds every band; for planar-separate files each band
//! has its own plane of chunks, so only the requested bands are fetched. When the level has
//! an internal mask, its chunks are fetched in the same batch (GDAL interleaves mask tiles
//! with imagery, so they usually merge into the same request). Sparse chunks (offset or byte
//! count 0) are never fetched: they read as nodata (or 0), like GDAL.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;

use crate::codec::{self, ChunkSpec};
use crate::io::{self, ByteSource, CacheBuf, ChunkGuard, ChunkKey, Claim};
use crate::raster::{Raster, Samples};
use crate::tiff::Ifd;

use super::decoded::{DecodedCache, DecodedChunk};
use super::header::dtype_of;
use super::{CogHeader, Error, Level, OpenOptions, PixelWindow};

mod decode;
use decode::assemble;

/// One chunk a window needs.
#[derive(Clone, Debug)]
struct Need {
    /// IFD index in the file.
    ifd: usize,
    /// Chunk index in the IFD's offset array.
    chunk: u64,
    /// Chunk position in the grid (column, row) and plane (band for planar-separate).
    col: u32,
    row: u32,
    plane: u16,
    is_mask: bool,
}

/// A window whose chunks are in memory (cached, fetched or sparse) but not yet decoded.
/// [`FetchedWindow::assemble`] is the CPU half of a read: run it on a blocking thread, ideally
/// the same one that goes on to use the pixels.
pub struct FetchedWindow(Job);

impl FetchedWindow {
    /// Decodes what the decoded cache did not have and assembles the window.
    pub fn assemble(self) -> Result<Raster, Error> {
        assemble(self.0)
    }
}

/// Everything the blocking decode step needs (owned, `Send`).
struct Job {
    header: Arc<CogHeader>,
    level: usize,
    x: i64,
    y: i64,
    w: usize,
    h: usize,
    bands: Vec<usize>,
    needs: Vec<Need>,
    /// For a read of single pixels ([`fetch_pixels`]): the pixels, and per need the indexes
    /// of the pixels it holds. `None` for a window read.
    picks: Option<Picks>,
    /// Per need: compressed bytes still to decode (`None`: sparse, or already decoded).
    data: Vec<Option<Bytes>>,
    /// Per need: the decoded chunk when the decoded cache had it.
    decoded: Vec<Option<Arc<DecodedChunk>>>,
    source_id: String,
    decoded_cache: Option<Arc<DecodedCache>>,
    /// The fetched bytes' share of the fetch budget, given back when the job is done.
    _budget: Option<io::FetchPermit>,
}

/// The level a read asks for, once it and the 1-based `bands` are known to exist: the check
/// every fetch starts with.
fn checked_level<'h>(
    header: &'h CogHeader,
    level: usize,
    bands: &[usize],
) -> Result<&'h Level, Error> {
    let lv = header.levels.get(level).ok_or(Error::InvalidLevel {
        level,
        levels: header.levels.len(),
    })?;
    if let Some(&band) = bands.iter().find(|&&b| b == 0 || b > header.bands) {
        return Err(Error::InvalidBand {
            band,
            count: header.bands,
        });
    }
    Ok(lv)
}

/// Fetches the chunks of a boundless window (see [`super::Cog::fetch_window`]).
pub(crate) async fn fetch_window(
    header: &Arc<CogHeader>,
    source: &dyn ByteSource,
    opts: &OpenOptions,
    window: PixelWindow<'_>,
) -> Result<FetchedWindow, Error> {
    let PixelWindow {
        level,
        x,
        y,
        width: w,
        height: h,
        bands,
    } = window;
    let lv = checked_level(header, level, bands)?;
    // Window corners must be representable (the caller's numbers, but still no overflow).
    let corner_ok = i64::try_from(w)
        .ok()
        .and_then(|w| x.checked_add(w))
        .is_some()
        && i64::try_from(h)
            .ok()
            .and_then(|h| y.checked_add(h))
            .is_some();
    w.checked_mul(h)
        .filter(|_| corner_ok)
        .and_then(|p| p.checked_mul(bands.len().max(1)))
        .and_then(|p| p.checked_mul(header.dtype.size()))
        .filter(|&b| b as u64 <= opts.max_window_bytes)
        .ok_or(Error::WindowTooLarge {
            width: w,
            height: h,
            bands: bands.len(),
        })?;
    tracing::trace!(level, x, y, w, h, bands = bands.len(), "fetch window");
    let ifd = &header.tiff.ifds[lv.ifd];
    let mut needs = Vec::new();
    let planes = chunk_planes(ifd, bands);
    chunks_for(ifd, x, y, w, h, &planes, false, &mut needs);
    if let Some(m) = lv.mask_ifd.and_then(|i| header.tiff.ifds.get(i)) {
        chunks_for(m, x, y, w, h, &[0], true, &mut needs);
    }
    let window = (level, x, y, w, h);
    fetch_needs(header, source, opts, window, bands, needs, None).await
}

/// Fetches the chunks under single pixels of `level` (`(x, y)`, inside the level), for a
/// nearest-neighbour read of a window far larger than its output: GDAL's RasterIO reads only
/// the blocks its sample points fall in, so a preview of a raster of 10^9 pixels without
/// overviews touches each block once (and sparse blocks not at all) instead of allocating
/// the window. The assembled raster is `pixels.len() × 1`, pixel `i` being `pixels[i]`.
pub(crate) async fn fetch_pixels(
    header: &Arc<CogHeader>,
    source: &dyn ByteSource,
    opts: &OpenOptions,
    level: usize,
    pixels: Vec<(u32, u32)>,
    bands: &[usize],
) -> Result<FetchedWindow, Error> {
    let lv = checked_level(header, level, bands)?;
    pixels
        .len()
        .checked_mul(bands.len().max(1))
        .and_then(|p| p.checked_mul(header.dtype.size()))
        .filter(|&b| b as u64 <= opts.max_window_bytes)
        .ok_or(Error::WindowTooLarge {
            width: pixels.len(),
            height: 1,
            bands: bands.len(),
        })?;
    tracing::trace!(
        level,
        pixels = pixels.len(),
        bands = bands.len(),
        "fetch pixels"
    );
    let ifd = &header.tiff.ifds[lv.ifd];
    let mut needs = Vec::new();
    let mut groups = Vec::new();
    chunks_under(
        ifd,
        &pixels,
        &chunk_planes(ifd, bands),
        false,
        &mut needs,
        &mut groups,
    );
    if let Some(m) = lv.mask_ifd.and_then(|i| header.tiff.ifds.get(i)) {
        chunks_under(m, &pixels, &[0], true, &mut needs, &mut groups);
    }
    let n = pixels.len();
    let picks = Picks { pixels, groups };
    fetch_needs(
        header,
        source,
        opts,
        (level, 0, 0, n, 1),
        bands,
        needs,
        Some(picks),
    )
    .await
}

/// The pixels of a [`fetch_pixels`] read and which of them each chunk holds.
struct Picks {
    pixels: Vec<(u32, u32)>,
    /// Per need (same order): indexes into `pixels`.
    groups: Vec<Vec<u32>>,
}

/// The chunk planes holding `bands` (one per band for planar-separate files).
fn chunk_planes(ifd: &Ifd, bands: &[usize]) -> Vec<u16> {
    if ifd.planar_config == 2 {
        bands.iter().map(|&b| (b - 1) as u16).collect()
    } else {
        vec![0]
    }
}

/// Appends the chunks of `ifd` holding any of `pixels` (each chunk once, with the pixels it
/// holds); pixels outside the image are left out.
fn chunks_under(
    ifd: &Ifd,
    pixels: &[(u32, u32)],
    planes: &[u16],
    is_mask: bool,
    out: &mut Vec<Need>,
    groups: &mut Vec<Vec<u32>>,
) {
    let (cw, ch) = (ifd.chunk_width.max(1), ifd.chunk_height.max(1));
    let across = ifd.chunks_across() as u64;
    let down = ifd.chunks_down() as u64;
    // pixel indexes by chunk position, in chunk order
    let mut by_chunk: std::collections::BTreeMap<(u32, u32), Vec<u32>> = Default::default();
    for (i, &(x, y)) in pixels.iter().enumerate() {
        if x < ifd.width && y < ifd.height {
            by_chunk.entry((y / ch, x / cw)).or_default().push(i as u32);
        }
    }
    for &plane in planes {
        for (&(row, col), idx) in &by_chunk {
            out.push(Need {
                ifd: ifd.index,
                chunk: plane as u64 * across * down + row as u64 * across + col as u64,
                col,
                row,
                plane,
                is_mask,
            });
            groups.push(idx.clone());
        }
    }
}

/// The part of a read shared by windows and single pixels: takes what the caches have and
/// fetches the rest of `needs` in one coalesced batch, under the fetch budget.
async fn fetch_needs(
    header: &Arc<CogHeader>,
    source: &dyn ByteSource,
    opts: &OpenOptions,
    (level, x, y, w, h): (usize, i64, i64, usize, usize),
    bands: &[usize],
    needs: Vec<Need>,
    picks: Option<Picks>,
) -> Result<FetchedWindow, Error> {
    // Decoded chunks first, then compressed ones; fetch the rest in one coalesced batch. A
    // chunk another read is already fetching is waited for, not fetched twice.
    let cache = opts.chunk_cache.as_deref();
    let max_chunk_bytes = opts.limits.max_chunk_bytes;
    let source_id = source.id().to_string();
    let mut data: Vec<Option<Bytes>> = vec![None; needs.len()];
    let mut decoded: Vec<Option<Arc<DecodedChunk>>> = vec![None; needs.len()];
    let mut wanted: Vec<(usize, Range<u64>, ChunkKey)> = Vec::new();
    for (i, n) in needs.iter().enumerate() {
        let f = &header.tiff.ifds[n.ifd];
        let (off, len) = (
            f.chunk_offsets[n.chunk as usize],
            f.chunk_byte_counts[n.chunk as usize],
        );
        if off == 0 || len == 0 {
            continue; // sparse
        }
        if len > max_chunk_bytes {
            return Err(Error::ChunkTooLarge {
                ifd: n.ifd,
                chunk: n.chunk,
                bytes: len,
                max: max_chunk_bytes,
            });
        }
        let key = ChunkKey {
            source: source_id.clone(),
            ifd: n.ifd,
            chunk: n.chunk,
        };
        if let Some(d) = opts.decoded_cache.as_ref().and_then(|c| c.get(&key)) {
            decoded[i] = Some(d);
            continue;
        }
        if let Some(b) = cache.and_then(|c| c.get(&key)) {
            data[i] = Some(b);
            continue;
        }
        let end = off.checked_add(len).ok_or_else(|| {
            Error::Tiff(crate::tiff::Error::malformed(
                format!(
                    "chunk {} of ifd {}: offset + length {len} overflows",
                    n.chunk, n.ifd
                ),
                off,
            ))
        })?;
        wanted.push((i, off..end, key));
    }
    // The budget is taken before any chunk is claimed: a read holding claims never waits, so
    // reads waiting on each other's chunks always make progress.
    let mut budget = None;
    if let (false, Some(b)) = (wanted.is_empty(), &opts.fetch_budget) {
        let bytes = wanted.iter().map(|(_, r, _)| r.end - r.start).sum();
        budget = Some(b.acquire(bytes).await);
    }
    let mut missing: Vec<Missing> = Vec::new();
    let mut theirs: Vec<(usize, Range<u64>, ChunkKey)> = Vec::new();
    for (i, range, key) in wanted {
        let guard = match cache.map(|c| c.claim(&key)) {
            Some(Claim::Cached(b)) => {
                data[i] = Some(b);
                continue;
            }
            Some(Claim::Theirs) => {
                theirs.push((i, range, key));
                continue;
            }
            Some(Claim::Mine(g)) => Some(g),
            None => None,
        };
        missing.push(Missing {
            need: i,
            range,
            guard,
        });
    }
    if !missing.is_empty() {
        fetch_missing(source, opts, missing, &mut data).await?;
    }
    // Chunks other reads were fetching; if one of those reads failed, fetch it here (rare:
    // outside the budget, which this read already holds a share of).
    let mut handed_over = Vec::new();
    for (i, range, key) in theirs {
        if let Some(c) = cache {
            match c.wait(&key).await {
                Ok(b) => data[i] = Some(b),
                Err(guard) => handed_over.push(Missing {
                    need: i,
                    range,
                    guard: Some(guard),
                }),
            }
        }
    }
    if !handed_over.is_empty() {
        fetch_missing(source, opts, handed_over, &mut data).await?;
    }

    let job = Job {
        header: header.clone(),
        level,
        x,
        y,
        w,
        h,
        bands: bands.to_vec(),
        needs,
        picks,
        data,
        decoded,
        source_id,
        decoded_cache: opts.decoded_cache.clone(),
        _budget: budget,
    };
    Ok(FetchedWindow(job))
}

/// A chunk this read fetches, with its claim on the chunk cache when there is one.
struct Missing<'a> {
    /// Index into the read's needs.
    need: usize,
    range: Range<u64>,
    guard: Option<ChunkGuard<'a>>,
}

/// Fetches `missing` in one coalesced batch into `data`, filling their cache claims (an error
/// drops the claims unfilled: reads waiting on them then fetch for themselves).
async fn fetch_missing(
    source: &dyn ByteSource,
    opts: &OpenOptions,
    missing: Vec<Missing<'_>>,
    data: &mut [Option<Bytes>],
) -> Result<(), Error> {
    let ranges: Vec<Range<u64>> = missing.iter().map(|m| m.range.clone()).collect();
    let got = io::read_ranges(source, &ranges, opts.io.coalesce_gap).await?;
    for (m, b) in missing.into_iter().zip(got) {
        if let Some(g) = m.guard {
            g.fill(&b);
        }
        data[m.need] = Some(b);
    }
    Ok(())
}

/// Appends the chunks of `ifd` intersecting the window.
#[allow(clippy::too_many_arguments)]
fn chunks_for(
    ifd: &Ifd,
    x: i64,
    y: i64,
    w: usize,
    h: usize,
    planes: &[u16],
    is_mask: bool,
    out: &mut Vec<Need>,
) {
    let (iw, ih) = (ifd.width as i64, ifd.height as i64);
    let (x0, y0) = (x.max(0), y.max(0));
    let (x1, y1) = ((x + w as i64).min(iw), (y + h as i64).min(ih));
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let (cw, ch) = (ifd.chunk_width as i64, ifd.chunk_height as i64);
    let across = ifd.chunks_across() as u64;
    let down = ifd.chunks_down() as u64;
    for &plane in planes {
        for row in (y0 / ch)..=((y1 - 1) / ch) {
            for col in (x0 / cw)..=((x1 - 1) / cw) {
                out.push(Need {
                    ifd: ifd.index,
                    chunk: plane as u64 * across * down + row as u64 * across + col as u64,
                    col: col as u32,
                    row: row as u32,
                    plane,
                    is_mask,
                });
            }
        }
    }
}
