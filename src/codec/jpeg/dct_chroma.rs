//! IJG libjpeg 9's way of decoding 4:2:0 JPEG, which is what GDAL links.
//!
//! In 4:2:0 ("2×2 subsampled") YCbCr, each 16×16 pixel MCU holds four 8×8 luma blocks and one
//! 8×8 block each of Cb and Cr covering the whole 16×16 area. With "fancy upsampling" on,
//! libjpeg 7 and later do not interpolate that chroma after the fact: they inverse-transform
//! each 8×8 chroma block of coefficients straight to 16×16 pixels (a *scaled* IDCT), so chroma
//! comes out at full resolution and needs no upsampling. Luma still takes the ordinary 8×8
//! "islow" IDCT. libjpeg-turbo kept the older triangle filter, but it has the same IDCT
//! routines (`jpeg_idct_islow`, and `jpeg_idct_16x16` for its "decode at 2×" option).
//!
//! One pass through libjpeg-turbo gets libjpeg 9's pixels: ask for raw component planes
//! (no upsampling, no colour conversion) at 2× scale, which makes the library give *every*
//! component 16×16 output cells per block and pick the 16×16 IDCT for all of them; then, through
//! mozjpeg's per-component IDCT hook (`jpeg_set_idct_method_selector`), swap luma's IDCT back to
//! the 8×8 islow one. The library still builds the dequantisation tables and range limits itself
//! (both IDCTs read the same islow-style table), the stream is entropy-decoded once, and only
//! chroma pays for the 16×16 transform. The price is the luma layout: each 8×8 luma block lands
//! in the top-left corner of its 16×16 cell, so luma rows are read with a stride (see
//! [`convert_row`]). Finally YCbCr→RGB with libjpeg 9's fixed-point arithmetic.

use std::ffi::{c_int, c_ulong};

use mozjpeg_sys as lj;

use super::libjpeg::{corrupt, Decompressor};
use super::{ChunkSpec, Error};

/// libjpeg's `jpeg_idct_method`: one block's coefficients to samples at `output_buf[row] + col`.
type IdctMethod = unsafe extern "C-unwind" fn(
    cinfo: *mut lj::jpeg_decompress_struct,
    compptr: *mut lj::jpeg_component_info,
    coef_block: *mut lj::JCOEF,
    output_buf: *mut *mut u8,
    output_col: lj::JDIMENSION,
);

/// mozjpeg's `jpeg_idct_method_selector`: called for each component when the IDCT manager
/// chooses its routine, with that choice and its table category, both of which it may replace.
type IdctSelector = unsafe extern "C-unwind" fn(
    cinfo: *mut lj::jpeg_decompress_struct,
    compptr: *mut lj::jpeg_component_info,
    method: *mut Option<IdctMethod>,
    category: *mut c_int,
);

// Declared here because mozjpeg-sys does not export `jpeg_idct_islow` and declares the selector
// setter with a compressor argument. Both are global symbols of the vendored static library
// (`T` in `nm libmozjpeg62.a`), defined in jidctint.c and jddctmgr.c.
extern "C-unwind" {
    fn jpeg_idct_islow(
        cinfo: *mut lj::jpeg_decompress_struct,
        compptr: *mut lj::jpeg_component_info,
        coef_block: *mut lj::JCOEF,
        output_buf: *mut *mut u8,
        output_col: lj::JDIMENSION,
    );
    #[link_name = "jpeg_set_idct_method_selector"]
    fn set_idct_method_selector(
        cinfo: *mut lj::jpeg_decompress_struct,
        selector: Option<IdctSelector>,
    );
}

/// Pixels per MCU side (and per chroma block side after the 16×16 IDCT).
const MCU: usize = 16;
/// Raw rows libjpeg writes per component per call at 2× scale: one iMCU row. Luma has two
/// block rows of 16-row cells (only the top 8 rows of each are written); chroma one.
const LUMA_RAW_ROWS: usize = 2 * MCU;

/// The IDCT hook: the full-resolution component (luma, sampled 2×2) gets the 8×8 islow IDCT
/// instead of the 16×16 one the 2× scale chose. The chroma components keep the library's choice.
/// The table category stays `JDCT_ISLOW`, the one the 16×16 IDCT uses too, so the library's
/// dequantisation table is right for both.
extern "C-unwind" fn luma_islow(
    _cinfo: *mut lj::jpeg_decompress_struct,
    compptr: *mut lj::jpeg_component_info,
    method: *mut Option<IdctMethod>,
    category: *mut c_int,
) {
    // SAFETY: libjpeg calls this from its IDCT manager with a component of `cinfo` and pointers
    // to its own local `method_ptr` / `method` variables, all valid for the call.
    unsafe {
        let Some(comp) = compptr.as_ref() else { return };
        if (comp.h_samp_factor, comp.v_samp_factor) == (2, 2) && !method.is_null() {
            *method = Some(jpeg_idct_islow);
            if !category.is_null() {
                *category = lj::J_DCT_METHOD::JDCT_ISLOW as c_int;
            }
        }
    }
}

/// libjpeg 9's `FIX`: a coefficient in 16.16 fixed point, rounded.
const fn fix(x: f64) -> i32 {
    (x * 65536.0 + 0.5) as i32
}

/// YCbCr→RGB exactly as libjpeg 9's `ycc_rgb_convert` tables compute it.
#[inline]
fn ycc_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    const HALF: i32 = 1 << 15;
    const CR_R: i32 = fix(1.402);
    const CB_G: i32 = fix(0.344136286);
    const CR_G: i32 = fix(0.714136286);
    const CB_B: i32 = fix(1.772);
    let (cb, cr) = (cb as i32 - 128, cr as i32 - 128);
    let y = y as i32;
    let r = y + ((CR_R * cr + HALF) >> 16);
    let g = y + ((-CB_G * cb + HALF - CR_G * cr) >> 16);
    let b = y + ((CB_B * cb + HALF) >> 16);
    [
        r.clamp(0, 255) as u8,
        g.clamp(0, 255) as u8,
        b.clamp(0, 255) as u8,
    ]
}

/// One row of RGB from raw rows: `luma` holds 8 pixels in the left half of each 16-wide cell
/// (the islow blocks in their 2× cells), `cb` and `cr` one sample per pixel. Works in groups of
/// 8 pixels so the inner loop has no bounds checks; a short last group (width not a multiple of
/// 8) stops at the end of `out`.
fn convert_row(out: &mut [u8], luma: &[u8], cb: &[u8], cr: &[u8]) {
    let groups = out
        .chunks_mut(3 * 8)
        .zip(luma.chunks(MCU))
        .zip(cb.chunks(8).zip(cr.chunks(8)));
    for ((px8, y_cell), (cb8, cr8)) in groups {
        let samples = y_cell.iter().zip(cb8).zip(cr8);
        for (px, ((&y, &cb), &cr)) in px8.chunks_exact_mut(3).zip(samples) {
            px.copy_from_slice(&ycc_to_rgb(y, cb, cr));
        }
    }
}

/// Decodes a 2×2-subsampled YCbCr chunk the libjpeg 9 way; `None` for any other sampling
/// (the caller then takes the ordinary scanline path). Errors inside libjpeg unwind to
/// `super::decode_libjpeg`, which must be the caller.
pub(super) fn decode_h2v2(
    spec: &ChunkSpec,
    stream: &[u8],
    out: &mut [u8],
) -> Option<Result<(), Error>> {
    let mut d = Decompressor::new();
    let cinfo = &mut *d.cinfo;
    let len = c_ulong::try_from(stream.len()).ok()?;
    // SAFETY: `stream` outlives the decompressor; errors unwind to `jpeg::decode`.
    unsafe { lj::jpeg_mem_src(cinfo, stream.as_ptr(), len) };
    unsafe { lj::jpeg_read_header(cinfo, 1) };
    if cinfo.num_components != 3 || cinfo.comp_info.is_null() {
        return None;
    }
    // SAFETY: libjpeg allocated `num_components` (3) entries after reading the header.
    let comps = unsafe { std::slice::from_raw_parts(cinfo.comp_info, 3) };
    let factors = comps.iter().map(|c| (c.h_samp_factor, c.v_samp_factor));
    if !factors.eq([(2, 2), (1, 1), (1, 1)]) {
        return None;
    }
    let (w, h) = (spec.width as usize, spec.height as usize);
    if w == 0 || h == 0 || (cinfo.image_width, cinfo.image_height) != (spec.width, spec.height) {
        return Some(Err(corrupt(format!(
            "image is {}x{}, the chunk is {w}x{h}",
            cinfo.image_width, cinfo.image_height
        ))));
    }
    let expected = w.checked_mul(h).and_then(|n| n.checked_mul(3));
    if expected != Some(out.len()) {
        return Some(Err(Error::WrongSize {
            expected: expected.unwrap_or(usize::MAX),
            got: out.len(),
        }));
    }
    cinfo.jpeg_color_space = lj::J_COLOR_SPACE::JCS_YCbCr;
    cinfo.out_color_space = lj::J_COLOR_SPACE::JCS_YCbCr;
    cinfo.raw_data_out = 1;
    cinfo.do_fancy_upsampling = 0;
    cinfo.dct_method = lj::J_DCT_METHOD::JDCT_ISLOW;
    cinfo.scale_num = 2;
    cinfo.scale_denom = 1;
    // SAFETY: `cinfo` is a created decompressor (its master record, where the hook is kept,
    // exists from `jpeg_create_decompress` on); `luma_islow` is a plain function.
    unsafe { set_idct_method_selector(cinfo, Some(luma_islow)) };
    // SAFETY: errors unwind to `jpeg::decode`; a memory source never suspends.
    unsafe { lj::jpeg_start_decompress(cinfo) };

    // Raw rows as libjpeg lays them out at 2×: per MCU, two 16-wide luma cells and one 16-wide
    // chroma cell. Luma keeps only the 16 rows libjpeg writes (top 8 of each 16-row cell); the
    // never-written bottom halves of the cells all point at one spare row. (`w` ≤ `out.len()`,
    // so none of this can overflow in practice; checked all the same.)
    let mcus_x = w.div_ceil(MCU);
    let sizes = (|| {
        let (luma_w, chroma_w) = (mcus_x.checked_mul(2 * MCU)?, mcus_x.checked_mul(MCU)?);
        Some((
            luma_w,
            chroma_w,
            luma_w.checked_mul(MCU)?,
            chroma_w.checked_mul(MCU)?,
        ))
    })();
    let Some((luma_w, chroma_w, luma_len, chroma_len)) = sizes else {
        return Some(Err(corrupt(format!("image width {w} too large"))));
    };
    let mut luma = vec![0u8; luma_len];
    let mut spare = vec![0u8; luma_w];
    let mut cb = vec![0u8; chroma_len];
    let mut cr = vec![0u8; chroma_len];
    let row_px = w * 3;
    for (mcu_row, out_rows) in out.chunks_mut(row_px * MCU).enumerate() {
        let mut luma_rows = [std::ptr::null_mut::<u8>(); LUMA_RAW_ROWS];
        for (r, ptr) in luma_rows.iter_mut().enumerate() {
            *ptr = if r % MCU < 8 {
                luma[((r / MCU) * 8 + r % MCU) * luma_w..].as_mut_ptr()
            } else {
                spare.as_mut_ptr()
            };
        }
        let mut cb_rows = [std::ptr::null_mut::<u8>(); MCU];
        let mut cr_rows = [std::ptr::null_mut::<u8>(); MCU];
        for (r, (cb_ptr, cr_ptr)) in cb_rows.iter_mut().zip(&mut cr_rows).enumerate() {
            *cb_ptr = cb[r * chroma_w..].as_mut_ptr();
            *cr_ptr = cr[r * chroma_w..].as_mut_ptr();
        }
        let mut image = [
            luma_rows.as_mut_ptr(),
            cb_rows.as_mut_ptr(),
            cr_rows.as_mut_ptr(),
        ];
        // SAFETY: per component, as many row pointers as libjpeg writes per iMCU row at 2×
        // (v_samp × 16: 32 luma, 16 per chroma), each to a row of whole 16-wide cells for every
        // MCU (luma_w / chroma_w bytes), so even a full 16×16 output per block stays inside.
        // Luma's islow output fills only the top-left 8×8 of each cell; the rows it never
        // writes share `spare`. The arrays outlive the call. Errors unwind to `jpeg::decode`.
        let got = unsafe {
            lj::jpeg_read_raw_data(cinfo, image.as_mut_ptr(), LUMA_RAW_ROWS as lj::JDIMENSION)
        };
        if got == 0 {
            return Some(Err(corrupt(format!(
                "libjpeg stopped at imcu row {mcu_row} of {}",
                h.div_ceil(MCU)
            ))));
        }
        for (r, out_row) in out_rows.chunks_exact_mut(row_px).enumerate() {
            convert_row(
                out_row,
                &luma[r * luma_w..][..luma_w],
                &cb[r * chroma_w..][..chroma_w],
                &cr[r * chroma_w..][..chroma_w],
            );
        }
    }
    Some(Ok(()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::codec::{compression, decode, DataType};

    const W: u16 = 37;
    const H: u16 = 21;

    pub(crate) fn ycbcr_spec() -> ChunkSpec {
        ChunkSpec {
            compression: compression::JPEG,
            predictor: 1,
            dtype: DataType::U8,
            bits_per_sample: 8,
            samples: 3,
            width: W.into(),
            height: H.into(),
            photometric: 6,
            big_endian: false,
            jpeg_tables: None,
            lerc_parameters: None,
        }
    }

    /// A 4:2:0 stream of textured luma and exactly neutral chroma (Cb = Cr = 128 everywhere,
    /// so every chroma coefficient is zero), of a size that is no multiple of 16.
    pub(crate) fn neutral_chroma_stream() -> Vec<u8> {
        let pixels: Vec<u8> = (0..usize::from(W) * usize::from(H))
            .flat_map(|i| {
                let (x, y) = (i % usize::from(W), i / usize::from(W));
                [((x * 29) ^ (y * 13) ^ (x * y)) as u8, 128, 128]
            })
            .collect();
        let mut file = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut file, 90);
        encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
        encoder
            .encode(&pixels, W, H, jpeg_encoder::ColorType::Ycbcr)
            .unwrap();
        file
    }

    /// A stream without quantisation tables passes the header and fails only when the
    /// decompressor starts, inside this path: a typed error, and the next decode is unaffected.
    #[test]
    fn failure_after_start_is_a_typed_error() {
        let spec = ycbcr_spec();
        let stream = neutral_chroma_stream();
        // Drop every DQT segment (FF DB, then a big-endian length that counts itself).
        let mut without_dqt = stream[..2].to_vec();
        let mut at = 2;
        while at + 4 <= stream.len() && stream[at] == 0xFF && stream[at + 1] != 0xDA {
            let seg = 2 + usize::from(u16::from_be_bytes([stream[at + 2], stream[at + 3]]));
            if stream[at + 1] != 0xDB {
                without_dqt.extend_from_slice(&stream[at..at + seg]);
            }
            at += seg;
        }
        without_dqt.extend_from_slice(&stream[at..]);
        assert!(without_dqt.len() < stream.len(), "no dqt segment found");
        let mut out = vec![0u8; spec.decoded_len().unwrap()];
        let err = decode(&spec, &without_dqt, &mut out).unwrap_err();
        assert!(
            matches!(&err, Error::Corrupt { codec: "jpeg", reason } if reason.contains("quantization table")),
            "{err}"
        );
        decode(&spec, &stream, &mut out).unwrap();
    }

    #[test]
    fn luma_is_read_from_the_left_half_of_each_cell() {
        // 20 pixels: cells of 8 luma values then 8 never-written bytes (255), neutral chroma.
        let luma: Vec<u8> = (0..48u8)
            .map(|i| if i % 16 < 8 { i } else { 255 })
            .collect();
        let chroma = [128u8; 24];
        let mut out = [0u8; 20 * 3];
        convert_row(&mut out, &luma, &chroma, &chroma);
        let got: Vec<u8> = out.chunks_exact(3).map(|p| p[0]).collect();
        let want = [
            0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 32, 33, 34, 35,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn ycc_matches_libjpeg_fixed_point() {
        // Neutral chroma is grey; the extremes clamp; values worked out from the 16.16 tables
        // (e.g. R = 100 + round(1.402 × 50) = 170).
        assert_eq!(ycc_to_rgb(77, 128, 128), [77, 77, 77]);
        assert_eq!(ycc_to_rgb(100, 128, 178), [170, 64, 100]);
        assert_eq!(ycc_to_rgb(255, 255, 255), [255, 121, 255]);
        assert_eq!(ycc_to_rgb(0, 0, 0), [0, 135, 0]);
    }

    /// Where chroma is flat, libjpeg 9's DCT-domain upsampling and libjpeg-turbo's triangle
    /// filter agree, so this path must give exactly the library's own scanline output: that pins
    /// the luma layout (8×8 islow blocks read out of 16×16 cells) and the edge handling.
    #[test]
    fn neutral_chroma_matches_the_scanline_path() {
        let spec = ycbcr_spec();
        let stream = neutral_chroma_stream();
        let len = spec.decoded_len().unwrap();
        let mut ours = vec![0u8; len];
        let taken = decode_h2v2(&spec, &stream, &mut ours);
        assert!(matches!(taken, Some(Ok(()))), "4:2:0 path not taken");
        let mut reference = vec![0u8; len];
        super::super::libjpeg::run_libjpeg(&spec, &stream, &mut reference).unwrap();
        assert_eq!(ours, reference);
        // Not a trivial picture: grey (R = G = B) with real texture.
        assert!(ours.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]));
        assert!(ours.iter().max().unwrap() - ours.iter().min().unwrap() > 100);
    }
}
