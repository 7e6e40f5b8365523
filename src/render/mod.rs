//! Rendering: from pixel arrays to the bytes a map client receives.
//!
//! After the reader has produced a window of pixels, TiTiler turns it into an image in a fixed
//! order, and so do we:
//!
//! 1. **band selection / band math** — `bidx` picks bands; [`expression`] evaluates numexpr-style
//!    formulas such as `(b4-b1)/(b4+b1)` over whole band planes;
//! 2. **algorithm** — optional post-processing such as hillshade ([`algorithm`]);
//! 3. **rescale** — map a value range linearly onto 0..255 bytes ([`rescale`]);
//! 4. **color formula** — rio-color's gamma / sigmoidal / saturation ([`color_formula`]);
//! 5. **colormap** — one band of values to RGBA ([`colormap`], [`named`], [`legend`]);
//! 6. **encode** — PNG, JPEG, WebP, GeoTIFF or NPY, with the mask as alpha ([`encode`]).
//!
//! [`pipeline::render_image`] runs steps 3–6 exactly as `titiler.core.utils.render_image` does,
//! including the automatic PNG/JPEG choice and the automatic rescale of data types a format
//! cannot hold. Everything here is synchronous CPU work on owned buffers, meant to run on a
//! blocking pool.

pub mod algorithm;
pub mod color_formula;
pub mod colormap;
pub mod encode;
pub mod error;
pub mod expression;
pub mod image;
pub mod legend;
pub mod named;
pub mod pipeline;
pub mod rescale;

pub use colormap::ColorMap;
pub use encode::ImageFormat;
pub use error::{Error, Result};
pub use image::{Georef, Image};
pub use pipeline::{render_image, RenderOptions, Rendered};

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::{Path, PathBuf};

    /// A path under the shared reference directory (`shared/` beside the repository), found by
    /// walking up from the crate root; `None` when the reference data is not on this machine.
    pub fn shared(rel: &str) -> Option<PathBuf> {
        if let Ok(dir) = std::env::var("COGTILER_SHARED") {
            let p = Path::new(&dir).join(rel);
            return p.exists().then_some(p);
        }
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|a| a.join("shared").join(rel))
            .find(|p| p.exists())
    }
}
