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

use crate::raster::{titiler_npy, DataType, Raster};

use super::color_formula::ColorFormula;
use super::colormap::{apply_colormap, ColorMap};
use super::encode::{encode, ImageFormat};
use super::error::{Error, Result};
use super::image::{check_raster, Image};
use super::rescale::{auto_rescale, rescale};

/// The rendering parameters of a TiTiler image request.
#[derive(Clone, Debug)]
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
            format: None,
            add_mask: true,
            rescale: &[],
            color_formula: None,
            colormap: None,
        }
    }
}

impl Default for RenderOptions<'_> {
    /// Same as [`RenderOptions::new`] (`return_mask` defaults to true, as in TiTiler).
    fn default() -> Self {
        Self::new()
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
    let body = match format {
        // the real alpha band's own values, when the data kept their type ([`Image::source_alpha`])
        ImageFormat::Npy => titiler_npy(&image.raster, alpha, image.source_alpha.as_ref()),
        _ => encode(format, &image.raster, alpha, image.georef.as_ref())?,
    };
    Ok(Rendered {
        body,
        format,
        media_type: format.media_type(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::Samples;

    fn image(data: Samples, mask: Vec<u8>) -> Image {
        let n = mask.len();
        let bands = data.len() / n;
        Image::new(Raster {
            width: n,
            height: 1,
            bands,
            data,
            mask,
        })
        .unwrap()
    }

    /// (color type, bit depth, raw samples) of a PNG.
    fn png_info(bytes: &[u8]) -> (::png::ColorType, ::png::BitDepth, Vec<u8>) {
        let mut r = ::png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.color_type, info.bit_depth, buf)
    }

    #[test]
    fn automatic_format_is_jpeg_without_masked_pixels_else_png() {
        let full = image(Samples::U8(vec![1, 2, 3]), vec![255; 3]);
        let out = render_image(full, &RenderOptions::new()).unwrap();
        assert_eq!(out.format, ImageFormat::Jpeg);
        assert_eq!(out.media_type, "image/jpeg");
        assert_eq!(&out.body[..2], &[0xFF, 0xD8]);
        let holes = image(Samples::U8(vec![1, 2, 3]), vec![255, 0, 255]);
        let out = render_image(holes, &RenderOptions::new()).unwrap();
        assert_eq!(out.format, ImageFormat::Png);
        let (ct, depth, px) = png_info(&out.body);
        assert_eq!(
            (ct, depth),
            (::png::ColorType::GrayscaleAlpha, ::png::BitDepth::Eight)
        );
        assert_eq!(px, vec![1, 255, 2, 0, 3, 255]);
    }

    #[test]
    fn automatic_png_forces_uint8_but_explicit_png_keeps_uint16() {
        let data = Samples::U16(vec![0, 65535, 32768]);
        let auto = render_image(
            image(data.clone(), vec![255, 255, 0]),
            &RenderOptions::new(),
        )
        .unwrap();
        let (_, depth, px) = png_info(&auto.body);
        assert_eq!(depth, ::png::BitDepth::Eight);
        // 65535 → 255; the masked column of mask row 0 is zeroed (TiTiler's quirk)
        assert_eq!(px, vec![0, 255, 255, 255, 0, 0]);
        let explicit = RenderOptions {
            format: Some(ImageFormat::Png),
            ..RenderOptions::new()
        };
        let out = render_image(image(data, vec![255, 255, 0]), &explicit).unwrap();
        let (ct, depth, px) = png_info(&out.body);
        assert_eq!(
            (ct, depth),
            (::png::ColorType::GrayscaleAlpha, ::png::BitDepth::Sixteen)
        );
        // big-endian samples, alpha stretched to 0..65535
        assert_eq!(px, vec![0, 0, 255, 255, 255, 255, 255, 255, 128, 0, 0, 0]);
    }

    #[test]
    fn float_data_without_rescale_keeps_its_alpha() {
        let f = image(Samples::F32(vec![0.0, 1.0]), vec![255, 0]);
        let opts = RenderOptions {
            format: Some(ImageFormat::Png),
            ..RenderOptions::new()
        };
        let (_, _, px) = png_info(&render_image(f, &opts).unwrap().body);
        // value 0.0 in the full float32 range is mid-grey (127); alpha stays 255/0
        assert_eq!(px, vec![127, 255, 127, 0]);
    }

    #[test]
    fn return_mask_false_drops_alpha_and_webp_repeats_one_band() {
        let im = image(Samples::U8(vec![9, 8]), vec![255, 0]);
        let opts = RenderOptions {
            format: Some(ImageFormat::Png),
            add_mask: false,
            ..Default::default()
        };
        let (ct, _, px) = png_info(&render_image(im.clone(), &opts).unwrap().body);
        assert_eq!((ct, px), (::png::ColorType::Grayscale, vec![9, 8]));
        let webp = RenderOptions {
            format: Some(ImageFormat::Webp),
            ..RenderOptions::new()
        };
        let out = render_image(im, &webp).unwrap();
        assert_eq!(out.media_type, "image/webp");
        assert_eq!(&out.body[..4], b"RIFF");
    }

    #[test]
    fn colormap_alpha_decides_the_automatic_format() {
        let cm = ColorMap::parse_json(r##"{"1": "#ff000000", "2": "#00ff00"}"##).unwrap();
        let im = image(Samples::U8(vec![1, 2]), vec![255, 255]);
        let opts = RenderOptions {
            colormap: Some(&cm),
            ..RenderOptions::new()
        };
        let out = render_image(im, &opts).unwrap();
        assert_eq!(out.format, ImageFormat::Png);
        let (ct, _, px) = png_info(&out.body);
        assert_eq!(ct, ::png::ColorType::Rgba);
        assert_eq!(px, vec![255, 0, 0, 0, 0, 255, 0, 255]);
    }
}
