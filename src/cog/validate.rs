//! Cloud Optimized GeoTIFF validation, as `rio cogeo validate` / TiTiler's `/cog/validate`.
//!
//! A COG is a GeoTIFF laid out for range reads: large images are tiled and carry overviews,
//! the IFDs (with their offset arrays) come first in the file so one read at the front finds
//! everything, and tile data is ordered from the smallest overview to the full resolution.
//! The checks and their wording follow rio-cogeo's `cog_validate`; errors make a file invalid,
//! warnings only in strict mode. The report model is rio-cogeo's `cog_info` as TiTiler
//! serialises it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::tms::default_registry;

use super::CogHeader;

/// `Profile` section.
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    #[serde(rename = "Bands")]
    pub bands: usize,
    #[serde(rename = "Width")]
    pub width: u32,
    #[serde(rename = "Height")]
    pub height: u32,
    #[serde(rename = "Tiled")]
    pub tiled: bool,
    #[serde(rename = "Dtype")]
    pub dtype: String,
    #[serde(rename = "Interleave")]
    pub interleave: String,
    #[serde(rename = "AlphaBand")]
    pub alpha_band: bool,
    #[serde(rename = "InternalMask")]
    pub internal_mask: bool,
    #[serde(rename = "Nodata")]
    pub nodata: Option<f64>,
    #[serde(rename = "ColorInterp")]
    pub color_interp: Vec<String>,
    #[serde(rename = "ColorMap")]
    pub color_map: bool,
    #[serde(rename = "Scales")]
    pub scales: Vec<f64>,
    #[serde(rename = "Offsets")]
    pub offsets: Vec<f64>,
}

/// `GEO` section.
#[derive(Clone, Debug, Serialize)]
pub struct Geo {
    #[serde(rename = "CRS")]
    pub crs: Option<String>,
    #[serde(rename = "BoundingBox")]
    pub bounding_box: [f64; 4],
    #[serde(rename = "Origin")]
    pub origin: [f64; 2],
    #[serde(rename = "Resolution")]
    pub resolution: [f64; 2],
    #[serde(rename = "MinZoom")]
    pub min_zoom: Option<i32>,
    #[serde(rename = "MaxZoom")]
    pub max_zoom: Option<i32>,
}

/// One band in `Band Metadata`.
#[derive(Clone, Debug, Serialize)]
pub struct BandInfo {
    #[serde(rename = "Description")]
    pub description: Option<String>,
    #[serde(rename = "ColorInterp")]
    pub color_interp: String,
    #[serde(rename = "Offset")]
    pub offset: f64,
    #[serde(rename = "Scale")]
    pub scale: f64,
    #[serde(rename = "Metadata")]
    pub metadata: BTreeMap<String, String>,
}

/// One level in `IFD`.
#[derive(Clone, Debug, Serialize)]
pub struct IfdInfo {
    #[serde(rename = "Level")]
    pub level: usize,
    #[serde(rename = "Width")]
    pub width: u32,
    #[serde(rename = "Height")]
    pub height: u32,
    /// `[block height, block width]`.
    #[serde(rename = "Blocksize")]
    pub blocksize: [u32; 2],
    /// 0 for the full resolution.
    #[serde(rename = "Decimation")]
    pub decimation: u32,
}

/// The validation report (rio-cogeo `cog_info`, TiTiler `/cog/validate`).
#[derive(Clone, Debug, Serialize)]
pub struct Validation {
    #[serde(rename = "Path")]
    pub path: String,
    #[serde(rename = "Driver")]
    pub driver: String,
    #[serde(rename = "COG")]
    pub cog: bool,
    #[serde(rename = "Compression")]
    pub compression: Option<String>,
    #[serde(rename = "ColorSpace")]
    pub color_space: Option<String>,
    #[serde(rename = "COG_errors")]
    pub errors: Option<Vec<String>>,
    #[serde(rename = "COG_warnings")]
    pub warnings: Option<Vec<String>>,
    #[serde(rename = "Profile")]
    pub profile: Profile,
    #[serde(rename = "GEO")]
    pub geo: Geo,
    #[serde(rename = "Tags")]
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(rename = "Band Metadata")]
    pub band_metadata: BTreeMap<String, BandInfo>,
    #[serde(rename = "IFD")]
    pub ifd: Vec<IfdInfo>,
}

/// GDAL's name for a TIFF compression code.
pub fn compression_name(c: u16) -> Option<&'static str> {
    Some(match c {
        1 => return None,
        5 => "LZW",
        6 | 7 => "JPEG",
        8 | 32946 => "DEFLATE",
        32773 => "PACKBITS",
        34887 => "LERC",
        50000 => "ZSTD",
        50001 => "WEBP",
        _ => return None,
    })
}

/// The layout checks: `(errors, warnings)`, rio-cogeo's wording.
pub fn check_layout(h: &CogHeader) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let ifds = &h.tiff.ifds;
    let level_ifd = |l: usize| &ifds[h.levels[l].ifd];
    let overviews = h.overview_factors();
    let base = level_ifd(0);
    if h.width > 512 || h.height > 512 {
        if !base.tiled {
            errors.push("The file is greater than 512xH or 512xW, but is not tiled".to_string());
        }
        if overviews.is_empty() {
            warnings.push(
                "The file is greater than 512xH or 512xW, it is recommended to include internal overviews"
                    .to_string(),
            );
        }
    }
    if base.offset > 300 {
        errors.push(format!(
            "The offset of the main IFD should be < 300. It is {} instead",
            base.offset
        ));
    }
    let mut sorted = overviews.clone();
    sorted.sort_unstable();
    if sorted != overviews {
        errors.push("Overviews should be sorted".to_string());
    }
    let ifd_offsets: Vec<u64> = (0..h.levels.len()).map(|l| level_ifd(l).offset).collect();
    for ix in 1..ifd_offsets.len() {
        if ifd_offsets[ix] < ifd_offsets[ix - 1] {
            errors.push(if ix == 1 {
                format!(
                    "The offset of the IFD for overview of index 0 is {}, whereas it should be greater than the one of the main image, which is at byte {}",
                    ifd_offsets[ix], ifd_offsets[ix - 1]
                )
            } else {
                format!(
                    "The offset of the IFD for overview of index {} is {}, whereas it should be greater than the one of index {}, which is at byte {}",
                    ix - 1,
                    ifd_offsets[ix],
                    ix - 2,
                    ifd_offsets[ix - 1]
                )
            });
        }
    }
    let data_offsets: Vec<u64> = (0..h.levels.len())
        .map(|l| level_ifd(l).chunk_offsets.first().copied().unwrap_or(0))
        .collect();
    if data_offsets[0] == 0 {
        errors.push("Missing BLOCK_OFFSET_0_0".to_string());
    }
    let last = data_offsets.len() - 1;
    if data_offsets[last] < ifd_offsets[last] {
        errors.push(if overviews.is_empty() {
            "The offset of the first block of the image should be after its IFD".to_string()
        } else {
            "The offset of the first block of the smallest overview should be after its IFD"
                .to_string()
        });
    }
    for i in (1..last).rev() {
        if data_offsets[i] < data_offsets[i + 1] {
            errors.push(format!(
                "The offset of the first block of overview of index {} should be after the one of the overview of index {}",
                i - 1,
                i
            ));
        }
    }
    if data_offsets.len() >= 2 && data_offsets[0] < data_offsets[1] {
        errors.push(format!(
            "The offset of the first block of the main resolution image should be after the one of the overview of index {}",
            overviews.len() - 1
        ));
    }
    for (ix, l) in h.levels.iter().enumerate().skip(1) {
        if (l.width >= 512 || l.height >= 512) && !level_ifd(ix).tiled {
            errors.push(format!("Overview of index {} is not tiled", ix - 1));
        }
    }
    (errors, warnings)
}

/// Validates a parsed dataset. `strict` turns warnings into failures.
pub fn validate(h: &CogHeader, strict: bool) -> Validation {
    let (errors, warnings) = check_layout(h);
    let valid = errors.is_empty() && (!strict || warnings.is_empty());
    let base = &h.tiff.ifds[h.levels[0].ifd];
    let ycbcr = base.photometric == 6 && matches!(base.compression, 6 | 7);
    let interleave = if h.planar_config == 1 && h.bands > 1 {
        "PIXEL"
    } else {
        "BAND"
    };
    let gt = h.geotransform.unwrap_or_default().0;
    let (min_zoom, max_zoom) = match (&h.crs, h.geotransform) {
        (Ok(crs), Some(gt)) => match default_registry().get("WebMercatorQuad") {
            Ok(tms) => {
                let (min, max) =
                    tms.dataset_zoom_range(crs, h.width as usize, h.height as usize, &gt);
                (Some(min), Some(max))
            }
            Err(_) => (None, None),
        },
        _ => (None, None),
    };
    let mut image_meta: BTreeMap<String, String> = h.metadata.dataset.clone();
    let point = h
        .geokeys
        .as_ref()
        .and_then(|g| g.short(crate::tiff::geokeys::key::GT_RASTER_TYPE))
        == Some(2);
    image_meta.insert(
        "AREA_OR_POINT".into(),
        if point { "Point" } else { "Area" }.into(),
    );
    let mut structure = BTreeMap::new();
    if h.tiff
        .ghost
        .as_deref()
        .is_some_and(|g| g.contains("LAYOUT=IFDS_BEFORE_DATA"))
    {
        structure.insert("LAYOUT".to_string(), "COG".to_string());
    }
    if let Some(c) = compression_name(h.compression) {
        let c = if ycbcr { "YCbCr JPEG" } else { c };
        structure.insert("COMPRESSION".into(), c.into());
    }
    structure.insert("INTERLEAVE".into(), interleave.into());
    if base.predictor > 1 {
        structure.insert("PREDICTOR".into(), base.predictor.to_string());
    }
    if ycbcr {
        structure.insert("SOURCE_COLOR_SPACE".into(), "YCbCr".into());
    }
    if let (7, Some(t)) = (base.compression, &base.jpeg_tables) {
        if let Some(q) = super::jpeg_quality::guess_quality(t) {
            structure.insert("JPEG_QUALITY".into(), q.to_string());
        }
        structure.insert("JPEGTABLESMODE".into(), "1".into());
    }
    let mut tags = BTreeMap::new();
    tags.insert("Image Metadata".to_string(), image_meta);
    tags.insert("Image Structure".to_string(), structure);
    Validation {
        path: h.url.clone(),
        driver: "GTiff".into(),
        cog: valid,
        compression: compression_name(h.compression).map(String::from),
        color_space: ycbcr.then(|| "YCbCr".to_string()),
        errors: (!errors.is_empty()).then_some(errors),
        warnings: (!warnings.is_empty()).then_some(warnings),
        profile: Profile {
            bands: h.bands,
            width: h.width,
            height: h.height,
            tiled: base.tiled,
            dtype: h.dtype.name().into(),
            interleave: interleave.into(),
            alpha_band: h.alpha_band.is_some(),
            internal_mask: h.has_mask,
            nodata: h.nodata,
            color_interp: h.colorinterp.iter().map(|c| c.name().to_string()).collect(),
            color_map: h.colormap.is_some(),
            scales: h.scales.clone(),
            offsets: h.offsets.clone(),
        },
        geo: Geo {
            crs: h.crs.as_ref().ok().map(|c| match c.epsg() {
                Some(code) => format!("EPSG:{code}"),
                None => c.to_titiler_string(),
            }),
            bounding_box: h.bounds(),
            origin: [gt[0], gt[3]],
            resolution: [gt[1], gt[5]],
            min_zoom,
            max_zoom,
        },
        tags,
        band_metadata: (0..h.bands)
            .map(|b| {
                let md = h.metadata.bands.get(&b);
                (
                    format!("Band {}", b + 1),
                    BandInfo {
                        description: h.band_descriptions.get(b).cloned().flatten(),
                        color_interp: h.colorinterp[b].name().into(),
                        offset: h.offsets[b],
                        scale: h.scales[b],
                        metadata: md.map(|m| m.items.clone()).unwrap_or_default(),
                    },
                )
            })
            .collect(),
        ifd: h
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| IfdInfo {
                level: i,
                width: l.width,
                height: l.height,
                blocksize: [l.block_height, l.block_width],
                decimation: if i == 0 { 0 } else { l.decimation },
            })
            .collect(),
    }
}
