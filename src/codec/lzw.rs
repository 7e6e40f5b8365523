//! LZW (compression 5), as TIFF 6.0 defines it.
//!
//! TIFF's LZW packs codes most-significant-bit first, starts with 9-bit codes, and switches to
//! the next code width one code *early* (at 511, 1023, 2047) — an off-by-one that the spec
//! enshrined. `weezl`'s `with_tiff_size_switch` mode implements exactly that. Files written by
//! libtiff before 1990-ish used a different, LSB-first "old-style" LZW that modern libtiff still
//! reads; GDAL never writes it and we reject it with a clear message.

use weezl::{decode::Decoder, BitOrder, LzwStatus};

use super::Error;

/// Decodes a TIFF LZW stream into `out`, filling it exactly (extra codes are ignored).
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    // Old-style streams start with a clear code (256) packed LSB-first: 0x00, then a byte with
    // bit 0 set. New-style streams start with 256 packed MSB-first: 0x80. libtiff tests the same.
    if let [0, second, ..] = input {
        if second & 1 == 1 {
            return Err(Error::UnsupportedFeature {
                what: "old-style (lsb-first, pre-tiff-6.0) lzw".into(),
            });
        }
    }
    let mut decoder = Decoder::with_tiff_size_switch(BitOrder::Msb, 8);
    let mut consumed = 0usize;
    let mut produced = 0usize;
    while produced < out.len() {
        let (Some(inp), Some(dst)) = (input.get(consumed..), out.get_mut(produced..)) else {
            break;
        };
        let result = decoder.decode_bytes(inp, dst);
        consumed += result.consumed_in;
        produced += result.consumed_out;
        match result.status {
            Ok(LzwStatus::Ok) => {
                if result.consumed_in == 0 && result.consumed_out == 0 {
                    break;
                }
            }
            Ok(LzwStatus::Done) | Ok(LzwStatus::NoProgress) => break,
            Err(e) => {
                return Err(Error::Corrupt {
                    codec: "lzw",
                    reason: e.to_string(),
                })
            }
        }
    }
    if produced < out.len() {
        return Err(Error::WrongSize {
            expected: out.len(),
            got: produced,
        });
    }
    Ok(())
}
