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
//!
//! ```no_run
//! use cogtiler::raster::{Raster, Samples};
//! use cogtiler::render::{self, expression::Expression, rescale, Image, RenderOptions};
//!
//! # fn main() -> Result<(), render::Error> {
//! // two uint16 bands (red, near-infrared) of a 2x1 tile, second pixel without data
//! let raster = Raster { width: 2, height: 1, bands: 2,
//!     data: Samples::U16(vec![100, 300, 200, 100]), mask: vec![255, 0] };
//! let mut image = Image::new(raster)?;
//! image.band_names = vec!["b1".into(), "b4".into()];
//! let ndvi = Expression::parse("(b4-b1)/(b4+b1)")?.apply(&image)?; // float64
//! let ranges = rescale::parse_rescale(&["-1,1"])?;
//! let cmap = render::named::colormap("viridis").expect("embedded");
//! let opts = RenderOptions { rescale: &ranges, colormap: Some(&cmap), ..RenderOptions::new() };
//! let png = render::render_image(ndvi, &opts)?; // masked pixel → PNG with alpha
//! assert_eq!(png.media_type, "image/png");
//! # Ok(()) }
//! ```

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

/// FastAPI/pydantic's wording of a `Literal` choice list, for 422 bodies:
/// `'a', 'b' or 'c'` (e.g. the colormap names of [`named::names`] or [`algorithm::IDS`]).
pub fn literal_choices<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.into_iter().map(|s| format!("'{s}'")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

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
