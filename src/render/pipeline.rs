//! `render_image`: rescale → color formula → colormap → format choice → dtype fix → encode.
//!
//! This is `titiler.core.utils.render_image` step for step:
//!
//! 1. `rescale` ranges given → data becomes uint8 ([`super::rescale::rescale`]);
//! 2. `color_formula` → applied on uint8-scaled data ([`super::color_formula`]);
//! 3. colormap → RGB uint8 and the colormap alpha where the pixel is valid;
//! 4. no format asked → PNG if any output alpha is 0, else JPEG, and then only uint8;
//! 5. data type the format cannot hold → rescaled from the dataset statistics or the dtype
//!    range into uint8 (with TiTiler's mask-row quirk, see [`super::rescale::auto_rescale`]);
//! 6. encode, with the mask as the last band unless `return_mask=false`.
//!
//! One deliberate divergence: in step 5 TiTiler 2.4 leaves the mask in the source dtype, and for
//! float data its cast to uint8 makes every pixel transparent; we keep the 0/255 mask, so such
//! tiles are visible.

use crate::raster::{DataType, Raster};

use super::color_formula::ColorFormula;
use super::colormap::{apply_colormap, ColorMap};
use super::encode::{encode, ImageFormat};
use super::error::{Error, Result};
use super::image::{check_raster, Image};
use super::rescale::{auto_rescale, rescale};

/// The rendering parameters of a TiTiler image request.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions<'a> {
    /// Output format; `None` lets TiTiler's rule choose PNG or JPEG.
    pub format: Option<ImageFormat>,
    /// `return_mask` (TiTiler default true): append the mask as an alpha band.
    pub add_mask: bool,
    /// `rescale` ranges (one per band, or one for all).
    pub rescale: &'a [(f64, f64)],
    /// Parsed `color_formula`.
    pub color_formula: Option<&'a ColorFormula>,
    /// `colormap_name` or `colormap`.
    pub colormap: Option<&'a ColorMap>,
}

impl RenderOptions<'_> {
    /// TiTiler's defaults: automatic format, mask added, nothing else.
    pub fn new() -> Self {
        RenderOptions {
            add_mask: true,
            ..Default::default()
        }
    }
}

/// An encoded image and how to label it.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub body: Vec<u8>,
    pub format: ImageFormat,
    /// The Content-Type header value.
    pub media_type: &'static str,
}

/// Renders an image the way TiTiler's `render_image` does (see the module doc).
pub fn render_image(mut image: Image, opts: &RenderOptions) -> Result<Rendered> {
    check_raster(&image.raster)?;
    if let Some(a) = &image.alpha {
        if a.len() != image.raster.plane_len() {
            return Err(Error::Size(format!(
                "alpha of {} bytes for {} pixels",
                a.len(),
                image.raster.plane_len()
            )));
        }
    }
    if !opts.rescale.is_empty() {
        rescale(&mut image, opts.rescale)?;
    }
    if let Some(cf) = opts.color_formula {
        cf.apply(&mut image)?;
    }
    let mut output_range: Vec<(f64, f64)> = image
        .dataset_statistics
        .clone()
        .unwrap_or_else(|| vec![image.dtype().range()]);
    if let Some(cm) = opts.colormap {
        image = apply_colormap(&image, cm)?;
        output_range = vec![DataType::U8.range()];
    }

    let auto = opts.format.is_none();
    let format = opts.format.unwrap_or(if image.any_masked() {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    });
    if let Some(allowed) = format.allowed_dtypes(auto) {
        if !allowed.contains(&image.dtype()) {
            let data = auto_rescale(&image.raster, image.alpha.as_deref(), &output_range);
            image.raster = Raster {
                data,
                ..image.raster
            };
        }
    }
    let alpha = if opts.add_mask {
        Some(image.output_alpha())
    } else {
        None
    };
    let alpha = match format {
        ImageFormat::Jpeg | ImageFormat::Jpg => None,
        _ => alpha,
    };
    let body = encode(format, &image.raster, alpha, image.georef.as_ref())?;
    Ok(Rendered {
        body,
        format,
        media_type: format.media_type(),
    })
}
