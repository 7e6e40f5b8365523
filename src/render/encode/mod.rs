//! Encoders: a rendered array (+ its alpha) to the bytes of an image file.
//!
//! TiTiler hands the array to a GDAL driver with rio-tiler's profiles; here each format has its
//! own small writer with the same band conventions:
//!
//! | format | data types | alpha | notes |
//! |---|---|---|---|
//! | png / pngraw | uint8, uint16 | last band (uint16 alpha = 0..65535) | 1–4 bands in total |
//! | jpeg / jpg | uint8 | never | 1, 3 or 4 (CMYK) bands, quality 85 |
//! | webp | uint8 | last band | 1 band is repeated to RGB; lossy q75 via libwebp (as GDAL) |
//! | tif / tiff | any | last band, in the data type (valid = dtype max, invalid = dtype min) | GeoTIFF |
//! | npy | any | last band, like tif | `numpy.save` layout |
//! | jp2 | — | — | not supported (no sound pure-Rust JPEG 2000 encoder) |

mod jpeg;
mod npy;
mod png;
mod tiff;
mod webp;

use crate::raster::{DataType, Raster};

use super::error::{Error, Result};
use super::image::Georef;

pub use tiff::encode_geotiff;

/// The output formats TiTiler knows (`ImageType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    Png,
    PngRaw,
    Jpeg,
    Jpg,
    Webp,
    Tif,
    Tiff,
    Npy,
    Jp2,
}

impl ImageFormat {
    /// All formats, in TiTiler's enum order (used in its 422 messages).
    pub const ALL: [ImageFormat; 9] = [
        ImageFormat::Png,
        ImageFormat::Npy,
        ImageFormat::Tif,
        ImageFormat::Tiff,
        ImageFormat::Jpeg,
        ImageFormat::Jpg,
        ImageFormat::Jp2,
        ImageFormat::Webp,
        ImageFormat::PngRaw,
    ];

    /// Parses a path suffix / `f=` value (exact, lowercase, as TiTiler's enum).
    pub fn parse(s: &str) -> Result<ImageFormat> {
        ImageFormat::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| Error::UnknownFormat(s.to_string()))
    }

    /// The name used in URLs.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::PngRaw => "pngraw",
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Jpg => "jpg",
            ImageFormat::Webp => "webp",
            ImageFormat::Tif => "tif",
            ImageFormat::Tiff => "tiff",
            ImageFormat::Npy => "npy",
            ImageFormat::Jp2 => "jp2",
        }
    }

    /// The Content-Type TiTiler sends (note the non-standard `image/jpg` for `.jpg`).
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Png | ImageFormat::PngRaw => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Jpg => "image/jpg",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Tif | ImageFormat::Tiff => "image/tiff; application=geotiff",
            ImageFormat::Npy => "application/x-binary",
            ImageFormat::Jp2 => "image/jp2",
        }
    }

    /// The data types TiTiler lets through to the driver without rescaling them to uint8
    /// (`None`: any type). `auto` is TiTiler's automatic PNG/JPEG choice, which forces uint8.
    pub fn allowed_dtypes(self, auto: bool) -> Option<&'static [DataType]> {
        match self {
            ImageFormat::Png if auto => Some(&[DataType::U8]),
            ImageFormat::Png => Some(&[DataType::U8, DataType::U16]),
            ImageFormat::Jpeg | ImageFormat::Jpg | ImageFormat::Webp => Some(&[DataType::U8]),
            ImageFormat::Jp2 => Some(&[DataType::U8, DataType::I16, DataType::U16]),
            ImageFormat::PngRaw | ImageFormat::Tif | ImageFormat::Tiff | ImageFormat::Npy => None,
        }
    }

    /// GDAL driver name (for error messages).
    fn driver(self) -> &'static str {
        match self {
            ImageFormat::Png | ImageFormat::PngRaw => "PNG",
            ImageFormat::Jpeg | ImageFormat::Jpg => "JPEG",
            ImageFormat::Webp => "WEBP",
            ImageFormat::Tif | ImageFormat::Tiff => "GTiff",
            ImageFormat::Npy => "NPY",
            ImageFormat::Jp2 => "JP2OpenJPEG",
        }
    }
}

/// Encodes `data` (and `alpha`, 0..255 per pixel, appended as the last band where the format
/// carries one) into `format`. `georef` places a GeoTIFF; other formats ignore it.
pub fn encode(
    format: ImageFormat,
    data: &Raster,
    alpha: Option<&[u8]>,
    georef: Option<&Georef>,
) -> Result<Vec<u8>> {
    super::image::check_raster(data)?;
    if let Some(a) = alpha {
        if a.len() != data.plane_len() {
            return Err(Error::Size(format!(
                "alpha of {} bytes for {} pixels",
                a.len(),
                data.plane_len()
            )));
        }
    }
    match format {
        ImageFormat::Png => png::encode(data, alpha, ::png::Compression::Fast),
        ImageFormat::PngRaw => png::encode(data, alpha, ::png::Compression::Fastest),
        ImageFormat::Jpeg | ImageFormat::Jpg => jpeg::encode(data),
        ImageFormat::Webp => webp::encode(data, alpha),
        ImageFormat::Npy => Ok(npy::encode(data, alpha, None)),
        ImageFormat::Tif | ImageFormat::Tiff => tiff::encode_geotiff(data, alpha, georef),
        ImageFormat::Jp2 => Err(Error::UnsupportedFormat("jp2".into())),
    }
}

/// The error an encoder returns for an array it cannot hold.
pub(crate) fn refuse(format: ImageFormat, data: &Raster, reason: impl Into<String>) -> Error {
    Error::Encode {
        bands: data.bands,
        height: data.height,
        width: data.width,
        dtype: data.dtype().name().to_string(),
        format: format.driver().to_string(),
        reason: reason.into(),
    }
}

pub(crate) use crate::raster::alpha_as_band;

/// Interleaves band-sequential u8 planes (plus an optional alpha plane) pixel by pixel.
pub(crate) fn interleave_u8(
    planes: &[u8],
    bands: usize,
    plane: usize,
    alpha: Option<&[u8]>,
) -> Vec<u8> {
    let mut srcs: Vec<&[u8]> = (0..bands)
        .map(|b| planes.get(b * plane..(b + 1) * plane).unwrap_or(&[]))
        .collect();
    srcs.extend(alpha);
    match srcs.as_slice() {
        [a] => interleave([a], plane),
        [a, b] => interleave([a, b], plane),
        [a, b, c] => interleave([a, b, c], plane),
        [a, b, c, d] => interleave([a, b, c, d], plane),
        _ => interleave_any(&srcs, plane),
    }
}

/// Any number of planes as pixels, one plane at a time (a plane too short leaves zeros).
fn interleave_any(srcs: &[&[u8]], plane: usize) -> Vec<u8> {
    let n = srcs.len();
    let mut out = vec![0u8; plane * n];
    for (k, src) in srcs.iter().enumerate() {
        for (px, v) in out.chunks_exact_mut(n).zip(src.iter()) {
            px[k] = *v;
        }
    }
    out
}

/// `N` planes of `plane` bytes as `N`-byte pixels (a plane too short leaves zeros); the
/// constant width lets the compiler unroll the pixel loop.
fn interleave<const N: usize>(srcs: [&[u8]; N], plane: usize) -> Vec<u8> {
    if srcs.iter().any(|s| s.len() < plane) {
        return interleave_any(&srcs, plane);
    }
    let mut out = vec![0u8; plane * N];
    for (i, px) in out.chunks_exact_mut(N).enumerate() {
        for k in 0..N {
            px[k] = srcs[k][i];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::Samples;

    #[test]
    fn interleave_u8_makes_pixels_of_bands_then_alpha() {
        let planes = [1u8, 2, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(interleave_u8(&planes[..2], 1, 2, None), vec![1, 2]);
        assert_eq!(
            interleave_u8(&planes[..6], 3, 2, Some(&[255, 0])),
            vec![1, 10, 30, 255, 2, 20, 40, 0]
        );
        assert_eq!(
            interleave_u8(&planes, 6, 2, None),
            vec![1, 10, 30, 50, 70, 90, 2, 20, 40, 60, 80, 100]
        );
        // a short input leaves zeros rather than failing
        assert_eq!(interleave_u8(&planes[..3], 2, 2, None), vec![1, 0, 2, 0]);
    }

    #[test]
    fn formats_parse_and_have_titiler_media_types() {
        assert_eq!(ImageFormat::parse("jpg").unwrap().media_type(), "image/jpg");
        assert_eq!(
            ImageFormat::parse("jpeg").unwrap().media_type(),
            "image/jpeg"
        );
        assert_eq!(
            ImageFormat::parse("pngraw").unwrap().media_type(),
            "image/png"
        );
        assert_eq!(
            ImageFormat::parse("tif").unwrap().media_type(),
            "image/tiff; application=geotiff"
        );
        assert_eq!(
            ImageFormat::parse("npy").unwrap().media_type(),
            "application/x-binary"
        );
        let e = ImageFormat::parse("gif").unwrap_err();
        assert_eq!(e.status(), 422);
    }

    #[test]
    fn jp2_is_a_clear_unsupported_error() {
        let r = Raster {
            width: 1,
            height: 1,
            bands: 1,
            data: Samples::U8(vec![1]),
            mask: vec![255],
        };
        let e = encode(ImageFormat::Jp2, &r, None, None).unwrap_err();
        assert!(matches!(e, Error::UnsupportedFormat(_)));
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn alpha_band_uses_dtype_extremes() {
        assert_eq!(
            alpha_as_band(DataType::I16, &[0, 255]),
            Samples::I16(vec![-32768, 32767])
        );
        assert_eq!(
            alpha_as_band(DataType::U8, &[0, 7, 255]),
            Samples::U8(vec![0, 7, 255])
        );
    }
}
