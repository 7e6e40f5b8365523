//! The CPU half of a read: each fetched chunk decoded (or taken from the decoded cache), then
//! copied into the window's raster, band by band, with the internal mask.

#[allow(unused_imports)]
use super::*;

/// The decode spec of one chunk of `ifd` (strips at the bottom are shorter).
pub(crate) fn chunk_spec(ifd: &Ifd, row: u32, big_endian: bool) -> Result<ChunkSpec, Error> {
    let height = if ifd.tiled {
        ifd.chunk_height
    } else {
        ifd.chunk_height
            .min(ifd.height.saturating_sub(row * ifd.chunk_height))
    };
    Ok(ChunkSpec {
        compression: ifd.compression,
        predictor: ifd.predictor,
        dtype: dtype_of(ifd)?,
        bits_per_sample: ifd.bits_per_sample,
        samples: if ifd.planar_config == 2 {
            1
        } else {
            ifd.samples_per_pixel
        },
        width: ifd.chunk_width,
        height,
        photometric: ifd.photometric,
        big_endian,
        jpeg_tables: ifd.jpeg_tables.clone(),
        lerc_parameters: ifd.lerc_parameters.clone(),
    })
}

/// Decodes one fetched chunk into a buffer from `buffer` (called with the decoded length;
/// it must hand back that many zero bytes).
fn decode_chunk<B: std::ops::DerefMut<Target = [u8]>>(
    header: &CogHeader,
    n: &Need,
    bytes: &Bytes,
    buffer: impl FnOnce(usize) -> B,
) -> Result<DecodedChunk<B>, Error> {
    let ifd = &header.tiff.ifds[n.ifd];
    let spec = chunk_spec(ifd, n.row, header.tiff.big_endian)?;
    let len = spec.decoded_len().ok_or_else(|| Error::Decode {
        ifd: n.ifd,
        chunk: n.chunk,
        source: codec::Error::BadSpec("decoded size overflows".into()),
    })?;
    let mut out = buffer(len);
    codec::decode(&spec, bytes, &mut out).map_err(|source| Error::Decode {
        ifd: n.ifd,
        chunk: n.chunk,
        source,
    })?;
    Ok(DecodedChunk {
        width: spec.width,
        height: spec.height,
        samples: spec.samples,
        data: out,
    })
}

/// The decoded chunk for need `i`: from the decoded cache, or decoded now (and cached from
/// its second use on; a chunk not cached is decoded into this thread's scratch buffer).
fn chunk_for(job: &Job, i: usize) -> Result<Option<Chunk>, Error> {
    if let Some(d) = &job.decoded[i] {
        return Ok(Some(Chunk::Shared(d.clone())));
    }
    let Some(bytes) = &job.data[i] else {
        return Ok(None); // sparse
    };
    let n = &job.needs[i];
    let admitted = job.decoded_cache.as_ref().and_then(|c| {
        let key = ChunkKey {
            source: job.source_id.clone(),
            ifd: n.ifd,
            chunk: n.chunk,
        };
        c.admit(&key).then_some((c, key))
    });
    let Some((cache, key)) = admitted else {
        let chunk = decode_chunk(&job.header, n, bytes, |len| {
            let mut v = scratch::take();
            v.clear();
            v.resize(len, 0);
            v
        })?;
        return Ok(Some(Chunk::Scratch(chunk)));
    };
    let chunk = Arc::new(decode_chunk(&job.header, n, bytes, CacheBuf::zeroed)?);
    cache.insert(key, chunk.clone());
    Ok(Some(Chunk::Shared(chunk)))
}

/// A decoded chunk in hand: shared with the decoded cache, or in this thread's scratch
/// buffer, which goes back when the chunk is dropped.
enum Chunk {
    Shared(Arc<DecodedChunk>),
    Scratch(DecodedChunk<Vec<u8>>),
}

impl Chunk {
    /// Width, height and samples per pixel.
    fn shape(&self) -> (u32, u32, u16) {
        match self {
            Chunk::Shared(c) => (c.width, c.height, c.samples),
            Chunk::Scratch(c) => (c.width, c.height, c.samples),
        }
    }

    fn data(&self) -> &[u8] {
        match self {
            Chunk::Shared(c) => &c.data,
            Chunk::Scratch(c) => &c.data,
        }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        if let Chunk::Scratch(c) = self {
            scratch::give_back(std::mem::take(&mut c.data));
        }
    }
}

/// One reusable decode buffer per thread. A chunk that is not cached is decoded, copied out
/// and dropped; a fresh buffer each time costs a page fault per 4 KiB (buffers of 1 MiB and
/// more are fresh mmaps): 15% of the CPU of a cold tile over 2 MiB chunks.
mod scratch {
    use std::cell::Cell;

    /// Larger buffers are not kept (a chunk that size is rare; holding it would not be).
    const MAX_KEPT: usize = 16 << 20;

    thread_local! {
        static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    }

    pub(super) fn take() -> Vec<u8> {
        BUFFER.with(Cell::take)
    }

    pub(super) fn give_back(buf: Vec<u8>) {
        if buf.capacity() <= MAX_KEPT {
            BUFFER.with(|b| b.set(buf));
        }
    }
}

/// Decodes every fetched chunk and copies it into the output raster.
///
/// Chunks are decoded one at a time, each copied out before the next (only the decoded cache,
/// within its budget, keeps them): a 512 × 512 four-band chunk is 1–8 MB decoded, and a
/// window touching nine of them would otherwise hold them all at once. Parallelism comes from
/// concurrent requests (the CPU pool has a worker per core), not from fanning one window
/// out.
pub(super) fn assemble(job: Job) -> Result<Raster, Error> {
    let (w, h) = (job.w, job.h);
    let mut data = Samples::zeros(job.header.dtype, w * h * job.bands.len());
    let mut mask = vec![0u8; w * h];
    if job.picks.is_some() {
        crate::with_samples!(&mut data, v => assemble_picks(&job, v, &mut mask))?;
    } else {
        crate::with_samples!(&mut data, v => assemble_into(&job, v, &mut mask))?;
    }
    Ok(Raster {
        width: w,
        height: h,
        bands: job.bands.len(),
        data,
        mask,
    })
}

/// A sample type as it sits in decoded chunk bytes (native endian, `SIZE` bytes).
trait ChunkSample: crate::raster::Sample {
    const SIZE: usize;
    /// `b` is exactly `SIZE` bytes long.
    fn from_ne(b: &[u8]) -> Self;
}

macro_rules! chunk_sample {
    ($($t:ty),*) => {$(
        impl ChunkSample for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn from_ne(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(b);
                <$t>::from_ne_bytes(a)
            }
        }
    )*};
}
chunk_sample!(u8, i8, u16, i16, u32, i32, f32, f64);

/// [`assemble`] of a [`fetch_pixels`] read: each chunk decoded once, only its picked pixels
/// copied out. `out` holds the bands one after the other, one sample per pixel.
fn assemble_picks<T: ChunkSample>(job: &Job, out: &mut [T], mask: &mut [u8]) -> Result<(), Error> {
    let header = &job.header;
    let Some(picks) = &job.picks else {
        return Ok(());
    };
    let n = picks.pixels.len();
    let lv = &header.levels[job.level];
    let level_ifd = &header.tiff.ifds[lv.ifd];
    // pixels of the image are valid unless an internal mask says otherwise; sparse chunks and
    // chunks not fetched read as nodata (or 0), as in a window read
    let has_mask = lv.mask_ifd.is_some();
    let fill = T::from_f64(header.nodata.unwrap_or(0.0));
    for (i, &(x, y)) in picks.pixels.iter().enumerate() {
        if x < lv.width && y < lv.height {
            mask[i] = if has_mask { 0 } else { 255 };
            for band in out.chunks_exact_mut(n.max(1)) {
                band[i] = fill;
            }
        }
    }
    let size = T::SIZE;
    for (i, need) in job.needs.iter().enumerate() {
        let Some(chunk) = chunk_for(job, i)? else {
            continue;
        };
        let buf = chunk.data();
        let (chunk_w, chunk_h, spp) = chunk.shape();
        let f = &header.tiff.ifds[need.ifd];
        let cx0 = need.col as usize * f.chunk_width as usize;
        let cy0 = need.row as usize * f.chunk_height as usize;
        // offset of each picked pixel in the chunk, or None when the chunk is short of it
        let at = |p: u32| -> Option<(usize, usize)> {
            let &(x, y) = picks.pixels.get(p as usize)?;
            let (lx, ly) = (
                (x as usize).checked_sub(cx0)?,
                (y as usize).checked_sub(cy0)?,
            );
            (lx < chunk_w as usize && ly < chunk_h as usize)
                .then_some((p as usize, ly * chunk_w as usize + lx))
        };
        let group = job.picks.as_ref().and_then(|p| p.groups.get(i));
        let group = group.map_or(&[][..], |g| g.as_slice());
        if need.is_mask {
            for (p, off) in group.iter().filter_map(|&p| at(p)) {
                if let (Some(m), Some(b)) = (mask.get_mut(p), buf.get(off)) {
                    *m = if *b != 0 { 255 } else { 0 };
                }
            }
            continue;
        }
        let spp = spp as usize;
        let pixel_bytes = spp * size;
        for (ob, &b) in job.bands.iter().enumerate() {
            // the sample of band `b` within this chunk's pixels
            let s = if level_ifd.planar_config == 2 {
                if b - 1 != need.plane as usize {
                    continue;
                }
                0
            } else {
                b - 1
            };
            if s >= spp {
                continue;
            }
            for (p, off) in group.iter().filter_map(|&p| at(p)) {
                let start = off * pixel_bytes + s * size;
                if let (Some(src), Some(d)) =
                    (buf.get(start..start + size), out.get_mut(ob * n + p))
                {
                    *d = T::from_ne(src);
                }
            }
        }
    }
    Ok(())
}

/// [`assemble`] for one sample type: `out` holds the window's bands one after the other.
fn assemble_into<T: ChunkSample>(job: &Job, out: &mut [T], mask: &mut [u8]) -> Result<(), Error> {
    let header = &job.header;
    let (w, h) = (job.w, job.h);
    let plane = w * h;
    let lv = &header.levels[job.level];
    let level_ifd = &header.tiff.ifds[lv.ifd];
    // Valid image area of the window (mask 255 unless an internal mask says otherwise).
    let (ix0, iy0) = (job.x.max(0), job.y.max(0));
    let (ix1, iy1) = (
        (job.x + w as i64).min(lv.width as i64),
        (job.y + h as i64).min(lv.height as i64),
    );
    let has_mask = lv.mask_ifd.is_some();
    if ix0 < ix1 && iy0 < iy1 {
        // sparse chunks and any chunk not fetched read as nodata (or 0)
        let fill = T::from_f64(header.nodata.unwrap_or(0.0));
        for yy in iy0..iy1 {
            let r = (yy - job.y) as usize * w;
            let (a, b) = (r + (ix0 - job.x) as usize, r + (ix1 - job.x) as usize);
            mask[a..b].fill(if has_mask { 0 } else { 255 });
            for band in out.chunks_exact_mut(plane.max(1)) {
                band[a..b].fill(fill);
            }
        }
    }
    let size = T::SIZE;
    for (i, n) in job.needs.iter().enumerate() {
        let Some(chunk) = chunk_for(job, i)? else {
            continue;
        };
        let buf = chunk.data();
        let (chunk_w, chunk_h, spp) = chunk.shape();
        let f = &header.tiff.ifds[n.ifd];
        let cx0 = n.col as i64 * f.chunk_width as i64;
        let cy0 = n.row as i64 * f.chunk_height as i64;
        let cw = chunk_w as i64;
        let chh = chunk_h as i64;
        // Intersection of chunk, image and window.
        let x0 = cx0.max(job.x).max(0);
        let y0 = cy0.max(job.y).max(0);
        let x1 = (cx0 + cw).min(job.x + w as i64).min(f.width as i64);
        let y1 = (cy0 + chh).min(job.y + h as i64).min(f.height as i64);
        if x0 >= x1 || y0 >= y1 {
            continue;
        }
        let run = (x1 - x0) as usize;
        if n.is_mask {
            for yy in y0..y1 {
                let src = ((yy - cy0) * cw + (x0 - cx0)) as usize;
                let dst = (yy - job.y) as usize * w + (x0 - job.x) as usize;
                if let (Some(s), Some(d)) = (buf.get(src..src + run), mask.get_mut(dst..dst + run))
                {
                    for (m, b) in d.iter_mut().zip(s) {
                        *m = if *b != 0 { 255 } else { 0 };
                    }
                }
            }
            continue;
        }
        let spp = spp as usize;
        let pixel_bytes = spp * size;
        // Which output bands this chunk feeds: (output band index, sample within pixel).
        let targets: Vec<(usize, usize)> = if level_ifd.planar_config == 2 {
            job.bands
                .iter()
                .enumerate()
                .filter(|(_, &b)| b - 1 == n.plane as usize)
                .map(|(i, _)| (i, 0))
                .collect()
        } else {
            job.bands
                .iter()
                .enumerate()
                .map(|(i, &b)| (i, b - 1))
                .collect()
        };
        for (ob, s) in targets {
            if s >= spp {
                continue;
            }
            let at = s * size..(s + 1) * size;
            for yy in y0..y1 {
                let src = (((yy - cy0) * cw + (x0 - cx0)) as usize) * pixel_bytes;
                let dst = ob * plane + (yy - job.y) as usize * w + (x0 - job.x) as usize;
                let (Some(sb), Some(db)) = (
                    buf.get(src..src + run * pixel_bytes),
                    out.get_mut(dst..dst + run),
                ) else {
                    continue;
                };
                if spp == 1 {
                    for (d, c) in db.iter_mut().zip(sb.chunks_exact(size)) {
                        *d = T::from_ne(c);
                    }
                } else {
                    for (d, px) in db.iter_mut().zip(sb.chunks_exact(pixel_bytes)) {
                        *d = T::from_ne(&px[at.clone()]);
                    }
                }
            }
        }
    }
    Ok(())
}
