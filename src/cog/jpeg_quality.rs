//! Which libjpeg "quality" produced a JPEG-in-TIFF's quantisation tables.
//!
//! GDAL reports `JPEG_QUALITY` in the IMAGE_STRUCTURE metadata of JPEG-compressed GeoTIFFs by
//! comparing the file's `JPEGTables` with the tables libjpeg derives for each quality. Those
//! are the example tables of the JPEG standard (Annex K) scaled by `5000 / q` below quality 50
//! and `200 - 2q` from 50 up, rounded and clamped to 1..=255 (baseline). We do the same sum.

/// Annex K luminance table, natural (row-major) order.
const LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/// Annex K chrominance table, natural order.
const CHROMA: [u16; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/// Zig-zag position k → natural position.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Quantisation tables (id → natural-order values) found in DQT segments of `jpeg`.
fn tables(jpeg: &[u8]) -> Vec<(u8, [u16; 64])> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= jpeg.len() {
        if jpeg[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = jpeg[i + 1];
        if marker == 0xD8 || marker == 0x01 || (0xD0..=0xD7).contains(&marker) || marker == 0xFF {
            i += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        let Some(seg) = jpeg.get(i + 4..i + 2 + len) else {
            break;
        };
        if marker == 0xDB {
            let mut p = 0;
            while p < seg.len() {
                let (prec, id) = (seg[p] >> 4, seg[p] & 15);
                let n = if prec == 0 { 64 } else { 128 };
                let Some(vals) = seg.get(p + 1..p + 1 + n) else {
                    break;
                };
                let mut t = [0u16; 64];
                for (k, &pos) in ZIGZAG.iter().enumerate() {
                    t[pos] = if prec == 0 {
                        vals[k] as u16
                    } else {
                        u16::from_be_bytes([vals[2 * k], vals[2 * k + 1]])
                    };
                }
                out.push((id, t));
                p += 1 + n;
            }
        }
        if marker == 0xDA {
            break;
        }
        i += 2 + len;
    }
    out
}

fn scaled(base: &[u16; 64], quality: u32) -> [u16; 64] {
    let scale = if quality < 50 {
        5000 / quality
    } else {
        200 - 2 * quality
    };
    let mut t = [0u16; 64];
    for (o, &b) in t.iter_mut().zip(base) {
        *o = ((b as u32 * scale + 50) / 100).clamp(1, 255) as u16;
    }
    t
}

/// The libjpeg quality (1..=100) whose tables match those in `jpeg_tables`, if any.
pub fn guess_quality(jpeg_tables: &[u8]) -> Option<u32> {
    let found = tables(jpeg_tables);
    let luma = found.iter().find(|(id, _)| *id == 0)?.1;
    let chroma = found.iter().find(|(id, _)| *id == 1).map(|t| t.1);
    (1..=100)
        .rev()
        .find(|&q| scaled(&LUMA, q) == luma && chroma.is_none_or(|c| scaled(&CHROMA, q) == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_quality_of_a_dqt_segment() {
        let t = scaled(&LUMA, 85);
        let mut seg = vec![0xFF, 0xD8, 0xFF, 0xDB, 0, 67, 0];
        seg.extend(ZIGZAG.iter().map(|&pos| t[pos] as u8));
        seg.extend([0xFF, 0xD9]);
        assert_eq!(guess_quality(&seg), Some(85));
        assert_eq!(guess_quality(&[0xFF, 0xD8, 0xFF]), None);
        assert_eq!(guess_quality(&[]), None);
    }
}
