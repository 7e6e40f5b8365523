//! Test and bench support: a deliberately small TIFF directory walker (classic and BigTIFF,
//! both byte orders) that locates compressed chunks and describes their encoding, so the codecs
//! can be checked and measured on real files without the project's own header parser.
//! Panics on malformed files: it only ever reads the trusted conformance corpus.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use cogtiler::codec::{self, ChunkSpec};
use cogtiler::raster::DataType;

// ---------------------------------------------------------------------------------------------
// A minimal TIFF directory walker (classic and BigTIFF, both byte orders).
// ---------------------------------------------------------------------------------------------

/// One IFD's tags: integer values for numeric tags, raw bytes for ASCII/UNDEFINED ones.
#[derive(Default, Debug)]
pub struct Ifd {
    pub ints: HashMap<u16, Vec<u64>>,
    pub bytes: HashMap<u16, Vec<u8>>,
}

impl Ifd {
    pub fn get(&self, tag: u16) -> Option<u64> {
        self.ints.get(&tag).and_then(|v| v.first().copied())
    }
    pub fn get_or(&self, tag: u16, default: u64) -> u64 {
        self.get(tag).unwrap_or(default)
    }
    pub fn list(&self, tag: u16) -> &[u64] {
        self.ints.get(&tag).map(|v| v.as_slice()).unwrap_or(&[])
    }
    /// The values of a DOUBLE tag (`None` when absent).
    pub fn doubles(&self, tag: u16) -> Option<Vec<f64>> {
        self.ints
            .get(&tag)
            .map(|v| v.iter().map(|b| f64::from_bits(*b)).collect())
    }
}

pub struct Tiff {
    pub data: Vec<u8>,
    pub big_endian: bool,
    pub ifds: Vec<Ifd>,
}

impl Tiff {
    pub fn read(path: &str) -> Tiff {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let big_endian = match &data[..2] {
            b"II" => false,
            b"MM" => true,
            other => panic!("{path}: not a tiff ({other:?})"),
        };
        let mut t = Tiff {
            data,
            big_endian,
            ifds: Vec::new(),
        };
        let version = t.uint(2, 2);
        let bigtiff = version == 43;
        let mut next = if bigtiff { t.uint(8, 8) } else { t.uint(4, 4) };
        while next != 0 && t.ifds.len() < 64 {
            let (ifd, after) = t.parse_ifd(next as usize, bigtiff);
            t.ifds.push(ifd);
            next = after;
        }
        t
    }

    pub fn uint(&self, at: usize, size: usize) -> u64 {
        let b = &self.data[at..at + size];
        let mut v = 0u64;
        if self.big_endian {
            for &x in b {
                v = (v << 8) | x as u64;
            }
        } else {
            for &x in b.iter().rev() {
                v = (v << 8) | x as u64;
            }
        }
        v
    }

    pub fn parse_ifd(&self, at: usize, bigtiff: bool) -> (Ifd, u64) {
        let (count, entry_size, head) = if bigtiff {
            (self.uint(at, 8) as usize, 20, 8)
        } else {
            (self.uint(at, 2) as usize, 12, 2)
        };
        let mut ifd = Ifd::default();
        for i in 0..count {
            let e = at + head + i * entry_size;
            let tag = self.uint(e, 2) as u16;
            let typ = self.uint(e + 2, 2);
            let (n, value_at, inline) = if bigtiff {
                (self.uint(e + 4, 8) as usize, e + 12, 8)
            } else {
                (self.uint(e + 4, 4) as usize, e + 8, 4)
            };
            let size = match typ {
                1 | 2 | 6 | 7 => 1,
                3 | 8 => 2,
                4 | 9 | 11 | 13 => 4,
                5 | 10 | 12 | 16 | 17 | 18 => 8,
                _ => continue,
            };
            let start = if n * size <= inline {
                value_at
            } else {
                self.uint(value_at, inline) as usize
            };
            match typ {
                2 | 7 => {
                    ifd.bytes.insert(tag, self.data[start..start + n].to_vec());
                }
                1 | 3 | 4 | 16 | 13 | 18 | 12 => {
                    // DOUBLE (12) values are kept as their bits; see `Ifd::doubles`.
                    let v = (0..n).map(|k| self.uint(start + k * size, size)).collect();
                    ifd.ints.insert(tag, v);
                }
                _ => {}
            }
        }
        let next_at = at + head + count * entry_size;
        let next = if bigtiff {
            self.uint(next_at, 8)
        } else {
            self.uint(next_at, 4)
        };
        (ifd, next)
    }
}

pub const NEW_SUBFILE_TYPE: u16 = 254;
pub const WIDTH: u16 = 256;
pub const HEIGHT: u16 = 257;
pub const BITS: u16 = 258;
pub const COMPRESSION: u16 = 259;
pub const PHOTOMETRIC: u16 = 262;
pub const STRIP_OFFSETS: u16 = 273;
pub const SAMPLES: u16 = 277;
pub const ROWS_PER_STRIP: u16 = 278;
pub const STRIP_BYTE_COUNTS: u16 = 279;
pub const PLANAR: u16 = 284;
pub const PREDICTOR: u16 = 317;
pub const TILE_WIDTH: u16 = 322;
pub const TILE_LENGTH: u16 = 323;
pub const TILE_OFFSETS: u16 = 324;
pub const TILE_BYTE_COUNTS: u16 = 325;
pub const EXTRA_SAMPLES: u16 = 338;
pub const SAMPLE_FORMAT: u16 = 339;
pub const JPEG_TABLES: u16 = 347;
pub const GDAL_NODATA: u16 = 42113;
pub const LERC_PARAMETERS: u16 = 50674;

/// One IFD seen as an image: its chunk grid and how to decode a chunk.
pub struct Level<'a> {
    pub tiff: &'a Tiff,
    pub ifd: &'a Ifd,
    pub width: usize,
    pub height: usize,
    pub block_w: usize,
    pub block_h: usize,
    pub blocks_x: usize,
    pub blocks_y: usize,
    pub bands: usize,
    pub planar: bool,
    pub tiled: bool,
    pub dtype: DataType,
    pub bits: u16,
}

impl<'a> Level<'a> {
    pub fn new(tiff: &'a Tiff, ifd: &'a Ifd) -> Level<'a> {
        let width = ifd.get(WIDTH).unwrap() as usize;
        let height = ifd.get(HEIGHT).unwrap() as usize;
        let tiled = ifd.get(TILE_WIDTH).is_some();
        let (block_w, block_h) = if tiled {
            (
                ifd.get(TILE_WIDTH).unwrap() as usize,
                ifd.get(TILE_LENGTH).unwrap() as usize,
            )
        } else {
            (
                width,
                (ifd.get_or(ROWS_PER_STRIP, height as u64) as usize).min(height),
            )
        };
        let bits = ifd.get_or(BITS, 1) as u16;
        let dtype = if bits == 1 {
            DataType::U8
        } else {
            DataType::from_tiff(ifd.get_or(SAMPLE_FORMAT, 1) as u16, bits).unwrap()
        };
        Level {
            tiff,
            ifd,
            width,
            height,
            block_w,
            block_h,
            blocks_x: width.div_ceil(block_w),
            blocks_y: height.div_ceil(block_h),
            bands: ifd.get_or(SAMPLES, 1) as usize,
            planar: ifd.get_or(PLANAR, 1) == 2,
            tiled,
            dtype,
            bits,
        }
    }

    /// The compressed bytes of chunk `index`, or `None` for a sparse (never written) chunk.
    pub fn chunk(&self, index: usize) -> Option<&'a [u8]> {
        let (offsets, counts) = if self.tiled {
            (TILE_OFFSETS, TILE_BYTE_COUNTS)
        } else {
            (STRIP_OFFSETS, STRIP_BYTE_COUNTS)
        };
        let offset = self.ifd.list(offsets)[index] as usize;
        let count = self.ifd.list(counts)[index] as usize;
        if offset == 0 || count == 0 {
            return None;
        }
        Some(&self.tiff.data[offset..offset + count])
    }

    pub fn spec(&self, rows: usize) -> ChunkSpec {
        ChunkSpec {
            compression: self.ifd.get_or(COMPRESSION, 1) as u16,
            predictor: self.ifd.get_or(PREDICTOR, 1) as u16,
            dtype: self.dtype,
            bits_per_sample: self.bits,
            samples: if self.planar { 1 } else { self.bands as u16 },
            width: self.block_w as u32,
            height: rows as u32,
            photometric: self.ifd.get_or(PHOTOMETRIC, 1) as u16,
            big_endian: self.tiff.big_endian,
            jpeg_tables: self
                .ifd
                .bytes
                .get(&JPEG_TABLES)
                .map(|t| Arc::from(t.as_slice())),
            lerc_parameters: self
                .ifd
                .ints
                .get(&LERC_PARAMETERS)
                .map(|v| v.iter().map(|&x| x as u32).collect()),
        }
    }

    pub fn is_float(&self) -> bool {
        self.dtype.is_float()
    }

    pub fn nodata(&self) -> Option<f64> {
        let raw = self.ifd.bytes.get(&GDAL_NODATA)?;
        let s = String::from_utf8_lossy(raw);
        let s = s.trim_matches(char::from(0)).trim();
        Some(if s.eq_ignore_ascii_case("nan") {
            f64::NAN
        } else {
            s.parse().unwrap()
        })
    }

    /// Decodes block (col, row) clipped to the image: `(bands, rows, cols)` samples as
    /// native-order bytes, band-sequential.
    pub fn block(&self, col: usize, row: usize) -> Result<Vec<u8>, codec::Error> {
        // Strips: the last one holds only the rows left; tiles are always whole.
        let chunk_rows = if self.tiled {
            self.block_h
        } else {
            self.block_h.min(self.height - row * self.block_h)
        };
        let rows = chunk_rows.min(self.height - row * self.block_h);
        let cols = self.block_w.min(self.width - col * self.block_w);
        let size = if self.bits == 1 { 1 } else { self.dtype.size() };
        let mut result = vec![0u8; self.bands * rows * cols * size];
        let per_band = self.blocks_x * self.blocks_y;
        let chunks: Vec<usize> = if self.planar {
            (0..self.bands)
                .map(|b| b * per_band + row * self.blocks_x + col)
                .collect()
        } else {
            vec![row * self.blocks_x + col]
        };
        for (ci, &index) in chunks.iter().enumerate() {
            let spec = self.spec(chunk_rows);
            let mut out = vec![0u8; spec.decoded_len().unwrap()];
            match self.chunk(index) {
                Some(bytes) => codec::decode(&spec, bytes, &mut out)?,
                None => fill_nodata(&mut out, self.dtype, self.nodata().unwrap_or(0.0)),
            }
            let spp = spec.samples as usize;
            for s in 0..spp {
                let band = if self.planar { ci } else { s };
                for r in 0..rows {
                    for c in 0..cols {
                        let src = ((r * self.block_w + c) * spp + s) * size;
                        let dst = ((band * rows + r) * cols + c) * size;
                        result[dst..dst + size].copy_from_slice(&out[src..src + size]);
                    }
                }
            }
        }
        Ok(result)
    }
}

pub fn fill_nodata(out: &mut [u8], dtype: DataType, v: f64) {
    let bytes: Vec<u8> = match dtype {
        DataType::U8 => vec![v as u8],
        DataType::I8 => (v as i8).to_ne_bytes().to_vec(),
        DataType::U16 => (v as u16).to_ne_bytes().to_vec(),
        DataType::I16 => (v as i16).to_ne_bytes().to_vec(),
        DataType::U32 => (v as u32).to_ne_bytes().to_vec(),
        DataType::I32 => (v as i32).to_ne_bytes().to_vec(),
        DataType::F32 => (v as f32).to_ne_bytes().to_vec(),
        DataType::F64 => v.to_ne_bytes().to_vec(),
    };
    for c in out.chunks_exact_mut(bytes.len()) {
        c.copy_from_slice(&bytes);
    }
}
