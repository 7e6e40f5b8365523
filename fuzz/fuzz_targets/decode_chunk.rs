#![no_main]
//! Fuzz target: any bytes as a compressed chunk of any codec and layout.
//!
//! The first 9 bytes choose the [`ChunkSpec`]: compression (index into the table below),
//! predictor, sample type | 1-bit flag (0x08) | big-endian flag (0x10), samples per pixel,
//! width and height (0..=64, or 128/256/512 for bytes ≥ 200 so real tiles fit), photometric
//! (bit 0: YCbCr) | LERC extra compression (bits 1-2), and a little-endian u16 length of
//! JPEGTables taken from the front of the rest; what remains is the chunk. Seeds made from
//! real corpus tiles live in `fuzz/seeds/decode_chunk/` (made by `fuzz/make_seeds.py`); run
//! `cargo +nightly fuzz run decode_chunk fuzz/corpus/decode_chunk fuzz/seeds/decode_chunk`.
//! `decode` must return `Ok` or `Err` — never panic, hang, or allocate beyond the chunk size.
use std::sync::Arc;

use cogtiler::codec::{compression, decode_with_mask, ChunkSpec};
use cogtiler::raster::DataType;
use libfuzzer_sys::fuzz_target;

const COMPRESSIONS: [u16; 11] = [
    compression::NONE,
    compression::LZW,
    compression::OJPEG,
    compression::JPEG,
    compression::ADOBE_DEFLATE,
    compression::PACKBITS,
    compression::DEFLATE,
    compression::LERC,
    compression::ZSTD,
    compression::WEBP,
    1234,
];
const DTYPES: [DataType; 8] = [
    DataType::U8,
    DataType::I8,
    DataType::U16,
    DataType::I16,
    DataType::U32,
    DataType::I32,
    DataType::F32,
    DataType::F64,
];

/// A chunk side: small sizes, or the tile sizes GDAL writes.
fn side(b: u8) -> u32 {
    if b >= 200 {
        [128, 256, 512][b as usize % 3]
    } else {
        (b % 65) as u32
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<9>() else {
        return;
    };
    let dtype = DTYPES[(head[2] & 7) as usize];
    let one_bit = head[2] & 0x08 != 0;
    let samples = if one_bit { 1 } else { (head[3] % 5) as u16 };
    // Some JPEG chunks come with tables: take them from the input.
    let tables_len = (u16::from_le_bytes([head[7], head[8]]) as usize).min(rest.len());
    let (tables, input) = rest.split_at(tables_len);
    let spec = ChunkSpec {
        compression: COMPRESSIONS[head[0] as usize % COMPRESSIONS.len()],
        predictor: (head[1] % 4) as u16,
        dtype,
        bits_per_sample: if one_bit { 1 } else { (dtype.size() * 8) as u16 },
        samples,
        width: side(head[4]),
        height: side(head[5]),
        photometric: if head[6] & 1 == 1 { 6 } else { 2 },
        big_endian: head[2] & 0x10 != 0,
        jpeg_tables: (tables_len > 0).then(|| Arc::from(tables)),
        lerc_parameters: Some(Arc::from(&[4u32, ((head[6] >> 1) % 4) as u32][..])),
    };
    let Some(len) = spec.decoded_len() else {
        return;
    };
    let mut out = vec![0u8; len];
    let mut mask = vec![0u8; (spec.width * spec.height) as usize];
    let _ = decode_with_mask(&spec, input, &mut out, Some(&mut mask));
});
