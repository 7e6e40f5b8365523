//! Colormap legend images (`/colorMaps/{id}?f=png&orientation=&width=&height=`).
//!
//! TiTiler draws a colormap as a strip: for a 256-entry table the values 0..255 from left to
//! right (top to bottom when vertical) over 20 pixels; for other dicts their keys, for interval
//! lists each interval's lower bound. The strip is then resized to the asked size with GDAL's
//! nearest-neighbour rule (`src = floor((i + 0.5) * src_len / dst_len + 1e-10)`) and rendered
//! with the colormap, so its colours are exactly the table's.

use crate::raster::{Raster, Samples};

use super::colormap::ColorMap;
use super::encode::ImageFormat;
use super::error::{Error, Result};
use super::image::Image;
use super::pipeline::{render_image, RenderOptions, Rendered};

/// Legend orientation (TiTiler's default is horizontal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Orientation {
    #[default]
    Horizontal,
    Vertical,
}

/// Largest legend side we draw (bounds the allocation a request can ask for).
pub const MAX_LEGEND_SIDE: usize = 4096;

/// GDAL RasterIO nearest-neighbour source index for output index `i`.
fn nearest(i: usize, src: usize, dst: usize) -> usize {
    let s = ((i as f64 + 0.5) * (src as f64 / dst as f64) + 1e-10) as usize;
    s.min(src.saturating_sub(1))
}

/// Builds the legend strip as a 1-band image (values, not colours yet).
pub fn legend_values(
    cm: &ColorMap,
    orientation: Orientation,
    width: Option<usize>,
    height: Option<usize>,
) -> Result<Image> {
    let values: Vec<f64> = if cm.is_lut() {
        (0..256).map(|v| v as f64).collect()
    } else {
        match cm {
            ColorMap::Discrete(e) => e.iter().map(|(k, _)| *k as f64).collect(),
            ColorMap::Intervals(e) => e.iter().map(|((lo, _), _)| *lo).collect(),
        }
    };
    let n = values.len();
    let (mut width, mut height) = (width, height);
    if !cm.is_lut() {
        // `width = width or 256 if len(values) < 256 else len(values)`
        let side = |v: Option<usize>| Some(if n < 256 { v.unwrap_or(256) } else { n });
        match orientation {
            Orientation::Vertical => height = side(height),
            Orientation::Horizontal => width = side(width),
        }
    }
    // The strip: 20 rows of the values (transposed when vertical).
    let (sw, sh) = match orientation {
        Orientation::Horizontal => (n, 20),
        Orientation::Vertical => (20, n),
    };
    let w = width.unwrap_or(sw);
    let h = height.unwrap_or(sh);
    if w == 0 || h == 0 || w > MAX_LEGEND_SIDE || h > MAX_LEGEND_SIDE || n == 0 {
        return Err(Error::Size(format!("legend of {w}x{h} pixels")));
    }
    let mut data = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = (nearest(x, sw, w), nearest(y, sh, h));
            let idx = match orientation {
                Orientation::Horizontal => sx,
                Orientation::Vertical => sy,
            };
            data.push(values[idx]);
        }
    }
    let samples = if cm.is_lut() {
        Samples::U8(data.iter().map(|v| *v as u8).collect())
    } else {
        Samples::F64(data)
    };
    Image::new(Raster {
        width: w,
        height: h,
        bands: 1,
        data: samples,
        mask: vec![255; w * h],
    })
}

/// Renders a colormap legend in `format` (TiTiler's colormap image endpoint).
pub fn render_legend(
    cm: &ColorMap,
    format: ImageFormat,
    orientation: Orientation,
    width: Option<usize>,
    height: Option<usize>,
) -> Result<Rendered> {
    let image = legend_values(cm, orientation, width, height)?;
    let opts = RenderOptions {
        format: Some(format),
        colormap: Some(cm),
        ..RenderOptions::new()
    };
    render_image(image, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::named;
    use crate::render::test_support::shared;

    /// Decodes an 8-bit RGBA PNG into raw pixels.
    fn decode_rgba(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgba);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn legends_equal_recorded_titiler_pngs() {
        let Some(cases) = shared("conformance/cases") else {
            return;
        };
        for (file, name, orientation, w, h) in [
            (
                "colormap_viridis_png.png",
                "viridis",
                Orientation::Horizontal,
                None,
                None,
            ),
            (
                "colormap_terrain_png_h.png",
                "terrain",
                Orientation::Horizontal,
                Some(300),
                Some(20),
            ),
        ] {
            let cm = named::colormap(name).unwrap();
            let ours = render_legend(&cm, ImageFormat::Png, orientation, w, h).unwrap();
            assert_eq!(ours.media_type, "image/png");
            let expected = std::fs::read(cases.join(file)).unwrap();
            assert_eq!(decode_rgba(&ours.body), decode_rgba(&expected), "{file}");
        }
    }

    #[test]
    fn vertical_legend_runs_top_to_bottom() {
        let cm = named::colormap("viridis").unwrap();
        let img = legend_values(&cm, Orientation::Vertical, None, None).unwrap();
        assert_eq!((img.width(), img.height()), (20, 256));
        assert_eq!(img.raster.data.get_f64(0), 0.0);
        assert_eq!(img.raster.data.get_f64(255 * 20), 255.0);
    }

    #[test]
    fn discrete_and_interval_legends_stretch_their_entries() {
        let cm = ColorMap::parse_json(r##"{"1": "#ff0000", "5": "#00ff00"}"##).unwrap();
        let out =
            render_legend(&cm, ImageFormat::Png, Orientation::Horizontal, None, None).unwrap();
        let (w, h, px) = decode_rgba(&out.body);
        assert_eq!((w, h), (256, 20));
        assert_eq!(&px[0..4], &[255, 0, 0, 255]);
        assert_eq!(&px[127 * 4..128 * 4], &[255, 0, 0, 255]);
        assert_eq!(&px[128 * 4..129 * 4], &[0, 255, 0, 255]);
        let iv = ColorMap::parse_json("[[[0, 10], [0, 0, 255, 255]], [[10, 20], [9, 9, 9, 128]]]")
            .unwrap();
        let out =
            render_legend(&iv, ImageFormat::Png, Orientation::Vertical, None, Some(4)).unwrap();
        let (w, h, px) = decode_rgba(&out.body);
        assert_eq!((w, h), (20, 4));
        assert_eq!(&px[0..4], &[0, 0, 255, 255]);
        assert_eq!(&px[3 * 20 * 4..3 * 20 * 4 + 4], &[9, 9, 9, 128]);
    }

    #[test]
    fn oversized_legend_is_refused() {
        let cm = named::colormap("viridis").unwrap();
        assert!(legend_values(&cm, Orientation::Horizontal, Some(1_000_000), None).is_err());
    }
}
