//! Bilevel (1-bit) rows → one byte per pixel.
//!
//! TIFF packs 1-bit samples eight to a byte, most significant bit first (`FillOrder` 1, the
//! only order GDAL writes), and pads every row to a whole byte. GDAL's internal masks are stored
//! this way (1 = valid). Working on a byte per pixel is what everything downstream wants, so the
//! codec expands them here; the values stay 0/1 so a caller can tell a mask from 8-bit data.

/// Expands packed rows (`row_bytes = ceil(width / 8)`) into `out`, one 0/1 byte per pixel.
///
/// `out.len()` must be a multiple of `width`; `packed` must hold `out.len() / width` rows. Both
/// are guaranteed by the caller, which sized them from the same spec; extra input is ignored.
pub(crate) fn unpack_rows(packed: &[u8], width: usize, out: &mut [u8]) {
    if width == 0 {
        return;
    }
    let row_bytes = width.div_ceil(8);
    for (dst, src) in out.chunks_exact_mut(width).zip(packed.chunks(row_bytes)) {
        for (x, d) in dst.iter_mut().enumerate() {
            let byte = src.get(x / 8).copied().unwrap_or(0);
            *d = (byte >> (7 - (x % 8))) & 1;
        }
    }
}
