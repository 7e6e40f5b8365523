//! IJG libjpeg 9's way of decoding 4:2:0 JPEG, which is what GDAL links.
//!
//! With "fancy upsampling" on, libjpeg 7 and later do not interpolate subsampled chroma after
//! the fact: they inverse-transform each 8×8 chroma block of coefficients straight to 16×16
//! pixels (a scaled IDCT), so chroma comes out at full resolution and needs no upsampling.
//! libjpeg-turbo kept the older triangle filter, but it has the same scaled IDCTs for its
//! "decode at 2×" option. So: decode once at 1× for luma, once at 2× for chroma, both as raw
//! component planes (no upsampling, no colour conversion), and convert YCbCr→RGB with libjpeg
//! 9's fixed-point tables.

use std::ffi::c_ulong;

use mozjpeg_sys as lj;

use super::jpeg::{corrupt, Decompressor};
use super::{ChunkSpec, Error};

/// One decoded component plane (rows padded to whole iMCU rows).
struct Plane {
    width: usize,
    data: Vec<u8>,
}

/// Decodes `stream` as raw component planes at `scale`× (1 or 2). `None` when the stream is not
/// 3-component 2×2/1×1/1×1 sampled (the caller then uses the ordinary scanline path).
fn raw_planes(spec: &ChunkSpec, stream: &[u8], scale: u32) -> Option<Result<[Plane; 3], Error>> {
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
    let factors: Vec<(i32, i32)> = comps
        .iter()
        .map(|c| (c.h_samp_factor, c.v_samp_factor))
        .collect();
    if factors != [(2, 2), (1, 1), (1, 1)] {
        return None;
    }
    if (cinfo.image_width, cinfo.image_height) != (spec.width, spec.height) {
        return Some(Err(corrupt(format!(
            "image is {}x{}, the chunk is {}x{}",
            cinfo.image_width, cinfo.image_height, spec.width, spec.height
        ))));
    }
    cinfo.jpeg_color_space = lj::J_COLOR_SPACE::JCS_YCbCr;
    cinfo.out_color_space = lj::J_COLOR_SPACE::JCS_YCbCr;
    cinfo.raw_data_out = 1;
    cinfo.do_fancy_upsampling = 0;
    cinfo.dct_method = lj::J_DCT_METHOD::JDCT_ISLOW;
    cinfo.scale_num = scale;
    cinfo.scale_denom = 1;
    unsafe { lj::jpeg_start_decompress(cinfo) };
    let block = 8 * scale as usize;
    let mcus_x = (spec.width as usize).div_ceil(16);
    let mcus_y = (spec.height as usize).div_ceil(16);
    let mut planes: Vec<Plane> = [2usize, 1, 1]
        .iter()
        .map(|&f| {
            let width = mcus_x * f * block;
            Plane {
                width,
                data: vec![0u8; width * mcus_y * f * block],
            }
        })
        .collect();
    for mcu_row in 0..mcus_y {
        let mut rows: Vec<Vec<*mut u8>> = planes
            .iter_mut()
            .zip([2usize, 1, 1])
            .map(|(p, f)| {
                let n = f * block;
                let width = p.width;
                p.data[mcu_row * n * width..(mcu_row + 1) * n * width]
                    .chunks_exact_mut(width)
                    .map(|r| r.as_mut_ptr())
                    .collect()
            })
            .collect();
        let mut image: Vec<*mut *mut u8> = rows.iter_mut().map(|r| r.as_mut_ptr()).collect();
        // SAFETY: each component gets `v_samp * block` row pointers of `width` bytes, which is
        // what libjpeg writes per call in raw mode (one iMCU row).
        let got = unsafe { lj::jpeg_read_raw_data(cinfo, image.as_mut_ptr(), (2 * block) as u32) };
        if got == 0 {
            return Some(Err(corrupt(format!(
                "libjpeg stopped at imcu row {mcu_row} of {mcus_y}"
            ))));
        }
    }
    let [y, cb, cr]: [Plane; 3] = planes.try_into().ok()?;
    Some(Ok([y, cb, cr]))
}

/// libjpeg 9's `FIX`: a coefficient in 16.16 fixed point, rounded.
fn fix(x: f64) -> i32 {
    (x * 65536.0 + 0.5) as i32
}

/// YCbCr→RGB exactly as libjpeg 9's `ycc_rgb_convert` tables compute it.
fn ycc_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    const HALF: i32 = 1 << 15;
    let (cb, cr) = (cb as i32 - 128, cr as i32 - 128);
    let y = y as i32;
    let r = y + ((fix(1.402) * cr + HALF) >> 16);
    let g = y + ((-fix(0.344136286) * cb + HALF - fix(0.714136286) * cr) >> 16);
    let b = y + ((fix(1.772) * cb + HALF) >> 16);
    [
        r.clamp(0, 255) as u8,
        g.clamp(0, 255) as u8,
        b.clamp(0, 255) as u8,
    ]
}

/// Decodes a 2×2-subsampled YCbCr chunk the libjpeg 9 way; `None` for any other sampling.
pub(super) fn decode_h2v2(
    spec: &ChunkSpec,
    stream: &[u8],
    out: &mut [u8],
) -> Option<Result<(), Error>> {
    let luma = match raw_planes(spec, stream, 1)? {
        Ok([y, _, _]) => y,
        Err(e) => return Some(Err(e)),
    };
    let (cb, cr) = match raw_planes(spec, stream, 2)? {
        Ok([_, cb, cr]) => (cb, cr),
        Err(e) => return Some(Err(e)),
    };
    let w = spec.width as usize;
    if out.len() != w * spec.height as usize * 3 {
        return Some(Err(Error::WrongSize {
            expected: w * spec.height as usize * 3,
            got: out.len(),
        }));
    }
    for (row, out_row) in out.chunks_exact_mut(w * 3).enumerate() {
        let ys = &luma.data[row * luma.width..][..w];
        let cbs = &cb.data[row * cb.width..][..w];
        let crs = &cr.data[row * cr.width..][..w];
        for (x, px) in out_row.chunks_exact_mut(3).enumerate() {
            px.copy_from_slice(&ycc_to_rgb(ys[x], cbs[x], crs[x]));
        }
    }
    Some(Ok(()))
}
