//! The libjpeg decompressor both JPEG paths drive ([`super::jpeg`]'s scanline loop and
//! [`super::jpeg_dct_chroma`]'s raw 4:2:0 decode): its lifetime, and its fatal-error hook, which
//! unwinds back to Rust instead of calling `exit()`.
//!
//! The unwind only works with `panic = "unwind"` (Cargo.toml says why it must stay) and the
//! `unwinding` feature of `mozjpeg-sys`, which builds the C code with `-fexceptions`.

use std::ffi::{c_int, CStr};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use mozjpeg_sys as lj;

use super::Error;

pub(super) fn corrupt(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        codec: "jpeg",
        reason: reason.into(),
    }
}

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
