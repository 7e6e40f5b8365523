//! One Image File Directory as typed fields, validated against [`Limits`].

use std::collections::BTreeMap;
use std::sync::Arc;

use super::gdal_metadata::GdalMetadata;
use super::geokeys::GeoKeys;
use super::tags::tag;
use super::{Error, Limits, Value};

/// A parsed IFD: what the image is, how it is chunked and compressed, where each chunk lives.
/// Plain data (`Clone`, no I/O handles).
#[derive(Clone, Debug)]
pub struct Ifd {
    /// Position in the IFD chain (0 = first).
    pub index: usize,
    /// Byte offset of the IFD in the file.
    pub offset: u64,
    /// `NewSubfileType` bits: 1 = reduced resolution (overview), 4 = transparency mask.
    pub subfile_type: u32,
    pub width: u32,
    pub height: u32,
    /// True when the image is tiled (TileWidth/TileLength present), false for strips.
    pub tiled: bool,
    /// Chunk size: the tile size, or (image width × rows per strip) for strips.
    pub chunk_width: u32,
    pub chunk_height: u32,
    pub bits_per_sample: u16,
    /// TIFF SampleFormat: 1 unsigned, 2 signed, 3 float.
    pub sample_format: u16,
    pub samples_per_pixel: u16,
    pub compression: u16,
    pub predictor: u16,
    /// 1 chunky (pixel interleaved), 2 planar separate (one plane of chunks per band).
    pub planar_config: u16,
    pub photometric: u16,
    pub extra_samples: Vec<u16>,
    /// ColorMap: 3 × 2^bits u16 values (all reds, then greens, then blues).
    pub colormap: Option<Vec<u16>>,
    pub jpeg_tables: Option<Arc<[u8]>>,
    pub ycbcr_subsampling: Option<[u16; 2]>,
    /// Per chunk, in TIFF order (planes after each other when planar separate).
    pub chunk_offsets: Vec<u64>,
    pub chunk_byte_counts: Vec<u64>,
    pub model_pixel_scale: Option<Vec<f64>>,
    pub model_tiepoint: Option<Vec<f64>>,
    pub model_transformation: Option<Vec<f64>>,
    pub geokeys: Option<GeoKeys>,
    /// GDAL_NODATA as written (ASCII, e.g. "-9999", "nan").
    pub gdal_nodata: Option<String>,
    pub gdal_metadata: Option<GdalMetadata>,
    pub lerc_parameters: Option<Arc<[u32]>>,
}

fn first_u64(v: &BTreeMap<u16, Value>, t: u16) -> Option<u64> {
    v.get(&t)?.as_u64s()?.first().copied()
}

impl Ifd {
    /// Chunks across and down (per plane).
    pub fn chunks_across(&self) -> u32 {
        self.width.div_ceil(self.chunk_width.max(1))
    }

    pub fn chunks_down(&self) -> u32 {
        self.height.div_ceil(self.chunk_height.max(1))
    }

    /// Number of planes of chunks (bands when planar separate, else 1).
    pub fn planes(&self) -> u16 {
        if self.planar_config == 2 {
            self.samples_per_pixel
        } else {
            1
        }
    }

    pub fn is_overview(&self) -> bool {
        self.subfile_type & 1 != 0
    }

    /// The ModelTiepoint entries `[i, j, k, x, y, z]` when they georeference the image as
    /// ground control points: GDAL reads tie points as GCPs when there is neither a usable
    /// ModelPixelScale (which makes the first tie point an affine origin) nor a
    /// ModelTransformation. `None` otherwise. The count is bounded by the tag size limit.
    pub fn gcp_tiepoints(&self) -> Option<Vec<[f64; 6]>> {
        let scale_ok = self
            .model_pixel_scale
            .as_ref()
            .is_some_and(|s| s.len() >= 2 && s[0] != 0.0 && s[1] != 0.0);
        let matrix_ok = self
            .model_transformation
            .as_ref()
            .is_some_and(|m| m.len() >= 16);
        if scale_ok || matrix_ok {
            return None;
        }
        let tp = self.model_tiepoint.as_ref().filter(|t| t.len() >= 6)?;
        Some(
            tp.chunks_exact(6)
                .map(|c| [c[0], c[1], c[2], c[3], c[4], c[5]])
                .collect(),
        )
    }

    pub fn is_mask(&self) -> bool {
        self.subfile_type & 4 != 0
    }

    pub(crate) fn from_values(
        index: usize,
        offset: u64,
        v: BTreeMap<u16, Value>,
        limits: &Limits,
    ) -> Result<Ifd, Error> {
        let bad = |what: String| Error::malformed(what, offset);
        let width =
            first_u64(&v, tag::IMAGE_WIDTH).ok_or_else(|| bad("missing ImageWidth".into()))?;
        let height =
            first_u64(&v, tag::IMAGE_LENGTH).ok_or_else(|| bad("missing ImageLength".into()))?;
        for (what, d) in [("image width", width), ("image height", height)] {
            if d == 0 {
                return Err(bad(format!("{what} is 0")));
            }
            if d > limits.max_dimension {
                return Err(Error::Limit {
                    what: if what == "image width" {
                        "image width"
                    } else {
                        "image height"
                    },
                    value: d,
                    max: limits.max_dimension,
                });
            }
        }
        let samples = first_u64(&v, tag::SAMPLES_PER_PIXEL).unwrap_or(1);
        if samples == 0 || samples > 4096 {
            return Err(bad(format!("SamplesPerPixel {samples}")));
        }
        let bits_all = v
            .get(&tag::BITS_PER_SAMPLE)
            .and_then(|x| x.as_u64s())
            .unwrap_or_else(|| vec![1]);
        let bits = bits_all.first().copied().unwrap_or(1);
        if bits_all.iter().any(|&b| b != bits) {
            return Err(Error::Unsupported {
                what: format!("mixed BitsPerSample {bits_all:?}"),
            });
        }
        let sample_format = v
            .get(&tag::SAMPLE_FORMAT)
            .and_then(|x| x.as_u64s())
            .and_then(|x| x.first().copied())
            .unwrap_or(1);
        let tiled = v.contains_key(&tag::TILE_WIDTH) || v.contains_key(&tag::TILE_OFFSETS);
        let (cw, ch) = if tiled {
            let tw =
                first_u64(&v, tag::TILE_WIDTH).ok_or_else(|| bad("missing TileWidth".into()))?;
            let th =
                first_u64(&v, tag::TILE_LENGTH).ok_or_else(|| bad("missing TileLength".into()))?;
            for d in [tw, th] {
                if d == 0 {
                    return Err(bad("tile size 0".into()));
                }
                if d > limits.max_tile_dim {
                    return Err(Error::Limit {
                        what: "tile size",
                        value: d,
                        max: limits.max_tile_dim,
                    });
                }
            }
            (tw, th)
        } else {
            let rps = first_u64(&v, tag::ROWS_PER_STRIP)
                .unwrap_or(height)
                .clamp(1, height);
            (width, rps)
        };
        let planar = first_u64(&v, tag::PLANAR_CONFIG).unwrap_or(1);
        let planes = if planar == 2 { samples } else { 1 };
        let per_pixel_bits = bits
            .checked_mul(if planar == 2 { 1 } else { samples })
            .ok_or_else(|| bad("sample size overflows".into()))?;
        let chunk_bytes = cw
            .checked_mul(ch)
            .and_then(|p| p.checked_mul(per_pixel_bits.max(8) / 8))
            .unwrap_or(u64::MAX);
        if chunk_bytes > limits.max_chunk_bytes {
            return Err(Error::Limit {
                what: "decoded chunk bytes",
                value: chunk_bytes,
                max: limits.max_chunk_bytes,
            });
        }
        let across = width.div_ceil(cw);
        let down = height.div_ceil(ch);
        let nchunks = across
            .checked_mul(down)
            .and_then(|n| n.checked_mul(planes))
            .unwrap_or(u64::MAX);
        if nchunks > limits.max_chunks {
            return Err(Error::Limit {
                what: "chunk count",
                value: nchunks,
                max: limits.max_chunks,
            });
        }
        let (off_tag, cnt_tag) = if tiled {
            (tag::TILE_OFFSETS, tag::TILE_BYTE_COUNTS)
        } else {
            (tag::STRIP_OFFSETS, tag::STRIP_BYTE_COUNTS)
        };
        let chunk_offsets = v
            .get(&off_tag)
            .and_then(|x| x.as_u64s())
            .ok_or_else(|| bad("missing chunk offsets".into()))?;
        let chunk_byte_counts = v
            .get(&cnt_tag)
            .and_then(|x| x.as_u64s())
            .ok_or_else(|| bad("missing chunk byte counts".into()))?;
        if (chunk_offsets.len() as u64) < nchunks || (chunk_byte_counts.len() as u64) < nchunks {
            return Err(bad(format!(
                "{} chunk offsets and {} byte counts for {nchunks} chunks",
                chunk_offsets.len(),
                chunk_byte_counts.len()
            )));
        }
        let floats = |t: u16| v.get(&t).and_then(|x| x.as_f64s());
        let geokeys = v
            .get(&tag::GEO_KEY_DIRECTORY)
            .and_then(|x| x.as_u64s())
            .map(|dir| {
                GeoKeys::from_directory(
                    &dir,
                    &floats(tag::GEO_DOUBLE_PARAMS).unwrap_or_default(),
                    &v.get(&tag::GEO_ASCII_PARAMS)
                        .and_then(|x| x.as_str())
                        .unwrap_or_default(),
                )
            });
        let as_u16 = |x: u64| u16::try_from(x).map_err(|_| bad(format!("value {x} too large")));
        let colormap = match v.get(&tag::COLOR_MAP).and_then(|x| x.as_u64s()) {
            Some(c) => Some(c.into_iter().map(as_u16).collect::<Result<Vec<_>, _>>()?),
            None => None,
        };
        let ycbcr = v
            .get(&tag::YCBCR_SUBSAMPLING)
            .and_then(|x| x.as_u64s())
            .filter(|s| s.len() >= 2)
            .map(|s| [s[0].min(4) as u16, s[1].min(4) as u16]);
        Ok(Ifd {
            index,
            offset,
            subfile_type: first_u64(&v, tag::NEW_SUBFILE_TYPE).unwrap_or(0) as u32,
            width: width as u32,
            height: height as u32,
            tiled,
            chunk_width: cw as u32,
            chunk_height: ch as u32,
            bits_per_sample: as_u16(bits)?,
            sample_format: as_u16(sample_format)?,
            samples_per_pixel: samples as u16,
            compression: as_u16(first_u64(&v, tag::COMPRESSION).unwrap_or(1))?,
            predictor: as_u16(first_u64(&v, tag::PREDICTOR).unwrap_or(1))?,
            planar_config: as_u16(planar)?,
            photometric: as_u16(first_u64(&v, tag::PHOTOMETRIC).unwrap_or(1))?,
            extra_samples: v
                .get(&tag::EXTRA_SAMPLES)
                .and_then(|x| x.as_u64s())
                .unwrap_or_default()
                .into_iter()
                .map(|x| x.min(u16::MAX as u64) as u16)
                .collect(),
            colormap,
            jpeg_tables: v
                .get(&tag::JPEG_TABLES)
                .and_then(|x| x.as_bytes())
                .map(Arc::from),
            ycbcr_subsampling: ycbcr,
            chunk_offsets,
            chunk_byte_counts,
            model_pixel_scale: floats(tag::MODEL_PIXEL_SCALE),
            model_tiepoint: floats(tag::MODEL_TIEPOINT),
            model_transformation: floats(tag::MODEL_TRANSFORMATION),
            geokeys,
            gdal_nodata: v.get(&tag::GDAL_NODATA).and_then(|x| x.as_str()),
            gdal_metadata: v
                .get(&tag::GDAL_METADATA)
                .and_then(|x| x.as_str())
                .map(|s| GdalMetadata::parse(&s)),
            lerc_parameters: v
                .get(&tag::LERC_PARAMETERS)
                .and_then(|x| x.as_u64s())
                .map(|p| p.into_iter().map(|x| x as u32).collect::<Vec<_>>().into()),
        })
    }
}
