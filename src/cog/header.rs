//! A parsed TIFF seen as a dataset: resolution levels, masks, bands and their properties.
//!
//! A COG stores the same image several times: the full-resolution IFD, then *overviews*
//! (IFDs with `NewSubfileType` bit 1, each about half the size of the previous), and for each
//! of them optionally an internal *mask* IFD (bit 4: a 1-bit validity plane of the same size).
//! [`CogHeader::from_tiff`] sorts that out into [`Level`]s and collects what GDAL reports about
//! the bands (colour interpretation, nodata, scale/offset, descriptions, colormap).

use std::sync::Arc;

use crate::affine::GeoTransform;
use crate::crs::Crs;
use crate::raster::DataType;
use crate::tiff::geokeys::GeoKeys;
use crate::tiff::{GdalMetadata, Ifd, Tiff};
use crate::warp::GcpVrt;

use super::geotransform::{gcps, geotransform};
use super::{Error, GeoreferencingError};

/// One resolution level of the dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// Index of the image IFD in [`Tiff::ifds`].
    pub ifd: usize,
    /// Index of the paired internal mask IFD, if any.
    pub mask_ifd: Option<usize>,
    pub width: u32,
    pub height: u32,
    /// Chunk (tile or strip) size.
    pub block_width: u32,
    pub block_height: u32,
    /// Reduction factor against level 0 (1 for level 0), as rasterio's `overviews()` gives it.
    pub decimation: u32,
}

impl Level {
    pub fn blocks_across(&self) -> u32 {
        self.width.div_ceil(self.block_width.max(1))
    }
    pub fn blocks_down(&self) -> u32 {
        self.height.div_ceil(self.block_height.max(1))
    }
}

/// GDAL's colour interpretation of a band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorInterp {
    Undefined,
    Gray,
    Palette,
    Red,
    Green,
    Blue,
    Alpha,
}

impl ColorInterp {
    /// rasterio's lowercase name, as TiTiler prints it.
    pub fn name(self) -> &'static str {
        match self {
            ColorInterp::Undefined => "undefined",
            ColorInterp::Gray => "gray",
            ColorInterp::Palette => "palette",
            ColorInterp::Red => "red",
            ColorInterp::Green => "green",
            ColorInterp::Blue => "blue",
            ColorInterp::Alpha => "alpha",
        }
    }

    /// GDAL's name (`GDALGetColorInterpretationByName`, case-insensitive); interpretations
    /// this enum does not model (hue, cyan, near-infrared…) read as undefined.
    pub fn from_gdal_name(name: &str) -> ColorInterp {
        match name.to_ascii_lowercase().as_str() {
            "gray" | "grey" => ColorInterp::Gray,
            "palette" => ColorInterp::Palette,
            "red" => ColorInterp::Red,
            "green" => ColorInterp::Green,
            "blue" => ColorInterp::Blue,
            "alpha" => ColorInterp::Alpha,
            _ => ColorInterp::Undefined,
        }
    }
}

/// Everything known about a dataset after parsing its header. Immutable, shared via `Arc`.
#[derive(Clone, Debug)]
pub struct CogHeader {
    /// The URL it was opened from.
    pub url: String,
    /// The raw parsed TIFF (all IFDs, GDAL ghost metadata).
    pub tiff: Tiff,
    pub width: u32,
    pub height: u32,
    /// Number of bands (samples per pixel of the full-resolution IFD, alpha included).
    pub bands: usize,
    pub dtype: DataType,
    /// Bits per sample as stored (1 for bilevel images, whose samples are 0/1 `U8`).
    pub bits_per_sample: u16,
    /// GDAL-order affine transform; `None` when the file has no affine georeferencing.
    pub geotransform: Option<GeoTransform>,
    /// For a raster georeferenced by ground control points only: the warped VRT rio-tiler
    /// reads it through (or why it could not be built). `None` for every other raster.
    pub gcp_vrt: Option<Result<Arc<GcpVrt>, GeoreferencingError>>,
    pub geokeys: Option<GeoKeys>,
    /// The CRS from the GeoKeys, or why it could not be built.
    pub crs: Result<Crs, GeoreferencingError>,
    /// GDAL_NODATA parsed as a number (may be NaN).
    pub nodata: Option<f64>,
    /// Levels: 0 = full resolution, then overviews by decreasing resolution.
    pub levels: Vec<Level>,
    /// True when the full-resolution level has an internal mask IFD.
    pub has_mask: bool,
    /// 0-based index of the alpha band (ExtraSamples = associated/unassociated alpha).
    pub alpha_band: Option<usize>,
    /// Palette as RGBA8 entries (GDAL's 16→8 bit conversion), index = pixel value.
    pub colormap: Option<Vec<[u8; 4]>>,
    pub colorinterp: Vec<ColorInterp>,
    pub band_descriptions: Vec<Option<String>>,
    pub scales: Vec<f64>,
    pub offsets: Vec<f64>,
    pub metadata: GdalMetadata,
    pub compression: u16,
    pub photometric: u16,
    pub planar_config: u16,
}

impl CogHeader {
    /// The full-resolution image IFD.
    pub fn ifd(&self, level: usize) -> Option<&Ifd> {
        self.tiff.ifds.get(self.levels.get(level)?.ifd)
    }

    /// `(minx, miny, maxx, maxy)` in the dataset CRS (pixel space when not georeferenced; the
    /// warped VRT's bounds for a GCP raster, as rio-tiler reports them).
    pub fn bounds(&self) -> [f64; 4] {
        if let Some(Ok(vrt)) = &self.gcp_vrt {
            let b = vrt.base();
            return b.geotransform.bounds(b.width, b.height);
        }
        let gt = self.geotransform.unwrap_or_default();
        gt.bounds(self.width as usize, self.height as usize)
    }

    /// Overview decimation factors (levels 1..), like rasterio's `overviews(1)`.
    pub fn overview_factors(&self) -> Vec<u32> {
        self.levels.iter().skip(1).map(|l| l.decimation).collect()
    }

    /// Builds the dataset view of a parsed TIFF.
    pub fn from_tiff(url: &str, tiff: Tiff) -> Result<CogHeader, Error> {
        let first = tiff
            .ifds
            .iter()
            .find(|i| !i.is_mask() && !i.is_overview())
            .or_else(|| tiff.ifds.iter().find(|i| !i.is_mask()))
            .ok_or_else(|| Error::Unsupported {
                what: "no image ifd (only masks)".into(),
            })?;
        let dtype = dtype_of(first)?;
        let bands = first.samples_per_pixel as usize;
        let base = first.index;
        // Image levels: the base, then every reduced-resolution IFD with the same layout.
        let mut images: Vec<&Ifd> = vec![first];
        for ifd in &tiff.ifds {
            if ifd.index != base
                && !ifd.is_mask()
                && ifd.is_overview()
                && ifd.samples_per_pixel == first.samples_per_pixel
                && dtype_of(ifd).ok() == Some(dtype)
                && ifd.width <= first.width
                && ifd.height <= first.height
            {
                images.push(ifd);
            }
        }
        images[1..].sort_by(|a, b| b.width.cmp(&a.width).then(b.height.cmp(&a.height)));
        let masks: Vec<&Ifd> = tiff.ifds.iter().filter(|i| i.is_mask()).collect();
        let levels: Vec<Level> = images
            .iter()
            .map(|ifd| Level {
                ifd: ifd.index,
                mask_ifd: masks
                    .iter()
                    .find(|m| m.width == ifd.width && m.height == ifd.height)
                    .map(|m| m.index),
                width: ifd.width,
                height: ifd.height,
                block_width: ifd.chunk_width,
                block_height: ifd.chunk_height,
                decimation: if ifd.index == base {
                    1
                } else {
                    ((first.width as f64 / ifd.width as f64).round() as u32).max(1)
                },
            })
            .collect();
        let geokeys = first.geokeys.clone();
        let gt = geotransform(first, geokeys.as_ref());
        let crs = match &geokeys {
            Some(g) => Crs::from_geokeys(g).map_err(|e| GeoreferencingError::Crs(Arc::new(e))),
            None => Err(GeoreferencingError::NoGeoKeys),
        };
        let gcp_vrt = match (gt, gcps(first, geokeys.as_ref())) {
            (None, Some(points)) => {
                let sizes: Vec<(usize, usize)> = levels
                    .iter()
                    .map(|l| (l.width as usize, l.height as usize))
                    .collect();
                let geographic = crs.as_ref().is_ok_and(|c| c.is_geographic());
                Some(
                    GcpVrt::new(&points, &sizes, geographic)
                        .map(Arc::new)
                        .map_err(|e| GeoreferencingError::GcpVrt(Arc::new(e))),
                )
            }
            _ => None,
        };
        let nodata = first.gdal_nodata.as_deref().and_then(parse_nodata);
        let metadata = first.gdal_metadata.clone().unwrap_or_default();
        let n_extra = first.extra_samples.len().min(bands);
        let tagged_alpha = first
            .extra_samples
            .iter()
            .position(|&e| e == 1 || e == 2)
            .map(|p| bands - n_extra + p);
        let mut colorinterp = colorinterp(first, bands, tagged_alpha);
        for (b, c) in colorinterp.iter_mut().enumerate() {
            if let Some(name) = metadata
                .bands
                .get(&b)
                .and_then(|m| m.colorinterp.as_deref())
            {
                *c = ColorInterp::from_gdal_name(name);
            }
        }
        let alpha_band = colorinterp.iter().position(|c| *c == ColorInterp::Alpha);
        let colormap = match (&first.colormap, first.photometric) {
            (Some(c), 3) => Some(palette(c, nodata)),
            _ => None,
        };
        let band_md = |b: usize| metadata.bands.get(&b);
        Ok(CogHeader {
            url: url.to_string(),
            width: first.width,
            height: first.height,
            bands,
            dtype,
            bits_per_sample: first.bits_per_sample,
            geotransform: gt,
            gcp_vrt,
            geokeys,
            crs,
            nodata,
            has_mask: levels.first().and_then(|l| l.mask_ifd).is_some(),
            alpha_band,
            colormap,
            colorinterp,
            band_descriptions: (0..bands)
                .map(|b| band_md(b).and_then(|m| m.description.clone()))
                .collect(),
            scales: (0..bands)
                .map(|b| band_md(b).and_then(|m| m.scale).unwrap_or(1.0))
                .collect(),
            offsets: (0..bands)
                .map(|b| band_md(b).and_then(|m| m.offset).unwrap_or(0.0))
                .collect(),
            compression: first.compression,
            photometric: first.photometric,
            planar_config: first.planar_config,
            metadata,
            levels,
            tiff,
        })
    }
}

/// The sample type of an IFD (1-bit images read as `U8` 0/1).
pub(crate) fn dtype_of(ifd: &Ifd) -> Result<DataType, Error> {
    if ifd.bits_per_sample == 1 {
        return Ok(DataType::U8);
    }
    let fmt = if ifd.sample_format == 4 {
        1
    } else {
        ifd.sample_format
    };
    DataType::from_tiff(fmt, ifd.bits_per_sample).ok_or_else(|| Error::Unsupported {
        what: format!(
            "sample format {} with {} bits per sample",
            ifd.sample_format, ifd.bits_per_sample
        ),
    })
}

/// GDAL_NODATA text → number (`nan`, `inf` and `-inf` included, like GDAL's CPLAtof).
fn parse_nodata(s: &str) -> Option<f64> {
    let t = s.trim().trim_end_matches('\0');
    match t.to_ascii_lowercase().as_str() {
        "nan" | "-nan" => Some(f64::NAN),
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => t.parse().ok(),
    }
}

/// GDAL's GTiff colour interpretation rules.
fn colorinterp(ifd: &Ifd, bands: usize, alpha: Option<usize>) -> Vec<ColorInterp> {
    let mut out = vec![ColorInterp::Undefined; bands];
    match ifd.photometric {
        2 | 6 if bands >= 3 => {
            out[0] = ColorInterp::Red;
            out[1] = ColorInterp::Green;
            out[2] = ColorInterp::Blue;
        }
        3 => out[0] = ColorInterp::Palette,
        _ => out[0] = ColorInterp::Gray,
    }
    if let Some(a) = alpha {
        if let Some(c) = out.get_mut(a) {
            *c = ColorInterp::Alpha;
        }
    }
    out
}

/// TIFF ColorMap (16-bit R, G, B planes) → RGBA8 like GDAL: divide by 257 (or 256 when the
/// values are not multiples of 257), alpha 255 except the nodata index, which is transparent.
fn palette(c: &[u16], nodata: Option<f64>) -> Vec<[u8; 4]> {
    let n = c.len() / 3;
    let max = c.iter().copied().max().unwrap_or(0);
    let div: u32 = if max <= 255 {
        1
    } else if c.iter().all(|&v| v % 257 == 0) {
        257
    } else {
        256
    };
    let conv = |v: u16| ((v as u32) / div).min(255) as u8;
    (0..n)
        .map(|i| {
            let alpha = match nodata {
                Some(nd) if nd == i as f64 => 0,
                _ => 255,
            };
            [conv(c[i]), conv(c[n + i]), conv(c[2 * n + i]), alpha]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::MemorySource;
    use crate::tiff::testutil::{build, image, short, Entry};
    use crate::tiff::{parse, tag, ParseOptions};

    /// A 4-band RGB image whose 4th sample the TIFF tags call unassociated alpha, with
    /// GDAL_METADATA saying what band 4 really is (GDAL writes that item when the tags cannot).
    fn rgb_plus_one(band4: Option<&str>) -> CogHeader {
        let mut ifd = image(16, 16, 16, 1, 0, 0, false);
        ifd.retain(|e| e.tag != tag::PHOTOMETRIC && e.tag != tag::SAMPLES_PER_PIXEL);
        ifd.retain(|e| e.tag != tag::BITS_PER_SAMPLE);
        ifd.push(short(tag::BITS_PER_SAMPLE, &[8, 8, 8, 8], false));
        ifd.push(short(tag::PHOTOMETRIC, &[2], false));
        ifd.push(short(tag::SAMPLES_PER_PIXEL, &[4], false));
        ifd.push(short(338, &[2], false));
        if let Some(name) = band4 {
            let xml = format!(
                "<GDALMetadata><Item name=\"COLORINTERP\" sample=\"3\" role=\"colorinterp\">{name}</Item></GDALMetadata>\0"
            );
            ifd.push(Entry {
                tag: 42112,
                typ: 2,
                count: xml.len() as u64,
                data: xml.into_bytes(),
            });
        }
        ifd.sort_by_key(|e| e.tag);
        let bytes = build(&[ifd], false, false, &[]);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let tiff = rt
            .block_on(parse(
                &MemorySource::new("mem", bytes),
                &ParseOptions::default(),
            ))
            .unwrap();
        CogHeader::from_tiff("mem", tiff).unwrap()
    }

    #[test]
    fn extra_sample_alpha_is_alpha() {
        let h = rgb_plus_one(None);
        assert_eq!(h.alpha_band, Some(3));
        assert_eq!(h.colorinterp[3], ColorInterp::Alpha);
    }

    #[test]
    fn gdal_metadata_colorinterp_overrides_the_tags() {
        // GDAL reports band 4 as undefined, hence no alpha and no alpha-derived mask.
        let h = rgb_plus_one(Some("Undefined"));
        assert_eq!(h.alpha_band, None);
        assert_eq!(
            h.colorinterp,
            [
                ColorInterp::Red,
                ColorInterp::Green,
                ColorInterp::Blue,
                ColorInterp::Undefined
            ]
        );
    }
}
