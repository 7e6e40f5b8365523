//! JPEG through libjpeg-turbo (the default build's decoder): the decompressor both paths drive
//! (the scanline loop here and [`super::dct_chroma`]'s raw 4:2:0 decode), its lifetime, and its
//! fatal-error hook, which unwinds back to Rust instead of calling `exit()`.
//!
//! The unwind only works with `panic = "unwind"` (Cargo.toml says why it must stay) and the
//! `unwinding` feature of `mozjpeg-sys`, which builds the C code with `-fexceptions`.

use std::ffi::{c_int, c_ulong, CStr};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use mozjpeg_sys as lj;

pub(super) use super::corrupt;
use super::{ChunkSpec, Error, PHOTOMETRIC_YCBCR};

/// Runs `decode`, which drives libjpeg, turning a fatal libjpeg error (an unwind started by
/// [`error_exit`]) into [`Error::Corrupt`]. Anything else unwinding through here is a real bug
/// and keeps going.
pub(super) fn catch_fatal_errors(decode: impl FnOnce() -> Result<(), Error>) -> Result<(), Error> {
    match catch_unwind(AssertUnwindSafe(decode)) {
        Ok(result) => result,
        Err(payload) => match payload.downcast::<LibjpegError>() {
            Ok(e) => Err(corrupt(e.0)),
            Err(other) => resume_unwind(other),
        },
    }
}

/// Payload of the unwind started by [`error_exit`]: libjpeg's message for the fatal error.
struct LibjpegError(String);

/// libjpeg's fatal-error hook. The default one prints and calls `exit()`; this one unwinds back
/// to [`catch_fatal_errors`] (through C frames built with `-fexceptions`, the `unwinding` feature of
/// `mozjpeg-sys`). `resume_unwind` rather than `panic!`: no panic hook, no noise on stderr.
extern "C-unwind" fn error_exit(cinfo: &mut lj::jpeg_common_struct) {
    // SAFETY: `err` is the error manager installed by `Decompressor::new`, alive as long as the decompressor.
    let message = unsafe { cinfo.err.as_ref() }.map_or_else(
        || "libjpeg error".to_string(),
        |err| {
            let code = err.msg_code;
            let template = (code >= 0 && code <= err.last_jpeg_message)
                .then(|| {
                    // SAFETY: libjpeg's own message table has `last_jpeg_message + 1` entries,
                    // each a NUL-terminated static string (or null).
                    let entry = unsafe { *err.jpeg_message_table.offset(code as isize) };
                    (!entry.is_null()).then(|| {
                        unsafe { CStr::from_ptr(entry) }
                            .to_string_lossy()
                            .into_owned()
                    })
                })
                .flatten();
            match template {
                Some(t) => format!("libjpeg error {code}: {t}"),
                None => format!("libjpeg error {code}"),
            }
        },
    );
    resume_unwind(Box::new(LibjpegError(message.to_lowercase())));
}

/// libjpeg's warning/trace hook: silent. Warnings (a truncated stream, a bad restart marker)
/// do not stop decoding, as in GDAL, which only logs them.
extern "C-unwind" fn emit_message(_cinfo: &mut lj::jpeg_common_struct, _level: c_int) {}

/// Owns a libjpeg decompressor; destroying it frees everything libjpeg allocated, also when an
/// error unwinds past it.
pub(super) struct Decompressor {
    pub(super) cinfo: Box<lj::jpeg_decompress_struct>,
    // Referenced by `cinfo.common.err`, so it must stay put (boxed) and outlive `cinfo`'s use.
    _err: Box<lj::jpeg_error_mgr>,
}

impl Decompressor {
    pub(super) fn new() -> Self {
        // SAFETY: both structs are plain C data for which all-zero is the state libjpeg expects
        // before `jpeg_std_error` / `jpeg_create_decompress` fill them in.
        let mut err: Box<lj::jpeg_error_mgr> = Box::new(unsafe { std::mem::zeroed() });
        let mut cinfo: Box<lj::jpeg_decompress_struct> = Box::new(unsafe { std::mem::zeroed() });
        unsafe {
            lj::jpeg_std_error(&mut err);
        }
        err.error_exit = Some(error_exit);
        err.emit_message = Some(emit_message);
        cinfo.common.err = &mut *err;
        // SAFETY: `cinfo` is zeroed with a valid error manager; creation can only fail by
        // `error_exit` (out of memory), which unwinds before `Self` exists (nothing to destroy).
        unsafe { lj::jpeg_create_decompress(&mut *cinfo) };
        Self { cinfo, _err: err }
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: created in `new`; destroy is idempotent on libjpeg's side and never errors.
        unsafe { lj::jpeg_destroy_decompress(&mut self.cinfo) };
    }
}

/// The libtiff sequence (`JPEGPreDecode` + `JPEGDecode`): header, colour set-up, scanlines.
pub(super) fn run_libjpeg(spec: &ChunkSpec, stream: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let mut d = Decompressor::new();
    let cinfo = &mut *d.cinfo;
    let len = c_ulong::try_from(stream.len())
        .map_err(|_| corrupt(format!("stream of {} bytes too large", stream.len())))?;
    // SAFETY: `stream` outlives the decompressor (dropped at the end of this function).
    unsafe { lj::jpeg_mem_src(cinfo, stream.as_ptr(), len) };
    // SAFETY: errors unwind to `decode`; a memory source never suspends.
    unsafe { lj::jpeg_read_header(cinfo, 1) };
    let (w, h) = (cinfo.image_width, cinfo.image_height);
    if (w, h) != (spec.width, spec.height) {
        return Err(corrupt(format!(
            "image is {w}x{h}, the chunk is {}x{}",
            spec.width, spec.height
        )));
    }
    let components = usize::try_from(cinfo.num_components).unwrap_or(0);
    if components != spec.samples as usize {
        return Err(corrupt(format!(
            "stream has {components} components, the chunk {} samples",
            spec.samples
        )));
    }
    if spec.photometric == PHOTOMETRIC_YCBCR && spec.samples == 3 {
        // What libtiff does for GDAL (JPEGCOLORMODE_RGB): YCbCr in, RGB out.
        cinfo.jpeg_color_space = lj::J_COLOR_SPACE::JCS_YCbCr;
        cinfo.out_color_space = lj::J_COLOR_SPACE::JCS_RGB;
    } else {
        // The components are the samples: no colour conversion at all. libtiff then reads
        // subsampled data raw (unupsampled); that layout is not what this module returns.
        cinfo.jpeg_color_space = lj::J_COLOR_SPACE::JCS_UNKNOWN;
        cinfo.out_color_space = lj::J_COLOR_SPACE::JCS_UNKNOWN;
        if cinfo.max_h_samp_factor != 1 || cinfo.max_v_samp_factor != 1 {
            return Err(Error::UnsupportedFeature {
                what: format!(
                    "subsampled jpeg ({}x{}) with photometric {}",
                    cinfo.max_h_samp_factor, cinfo.max_v_samp_factor, spec.photometric
                ),
            });
        }
    }
    // libjpeg's defaults, spelled out because they are the point: islow IDCT, fancy upsampling.
    cinfo.dct_method = lj::J_DCT_METHOD::JDCT_ISLOW;
    cinfo.do_fancy_upsampling = 1;
    // SAFETY: as above.
    unsafe { lj::jpeg_start_decompress(cinfo) };
    let row_len = (spec.width as usize) * spec.samples as usize;
    if (cinfo.output_width, cinfo.output_height) != (spec.width, spec.height)
        || usize::try_from(cinfo.output_components).ok() != Some(spec.samples as usize)
        || out.len() != row_len * spec.height as usize
    {
        return Err(Error::WrongSize {
            expected: out.len(),
            got: (cinfo.output_width as usize)
                .saturating_mul(cinfo.output_height as usize)
                .saturating_mul(usize::try_from(cinfo.output_components).unwrap_or(0)),
        });
    }
    for row in out.chunks_exact_mut(row_len) {
        let mut ptr = row.as_mut_ptr();
        // SAFETY: `ptr` points at one row of exactly `output_width * output_components`
        // bytes, checked above; libjpeg writes at most one scanline.
        let got = unsafe { lj::jpeg_read_scanlines(cinfo, &mut ptr, 1) };
        if got != 1 {
            return Err(corrupt(format!(
                "libjpeg stopped at scanline {} of {}",
                cinfo.output_scanline, cinfo.output_height
            )));
        }
    }
    Ok(())
}
