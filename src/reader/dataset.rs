//! What the reader needs from a dataset: a description and boundless window reads.
//!
//! The verbs (tile, part, preview, ...) are written against the [`Dataset`] trait rather than
//! the COG type directly, so they can run over any raster that can describe its levels and
//! read windows of them: a [`crate::cog::Cog`] in production, an in-memory raster in tests.

use std::future::Future;

use crate::affine::GeoTransform;
use crate::cog::PixelWindow;
use crate::crs::Crs;
use crate::raster::{DataType, Raster};

use super::Error;

/// Static facts about a dataset, in rio-tiler's terms.
#[derive(Clone, Debug)]
pub struct DatasetMeta {
    pub width: usize,
    pub height: usize,
    /// Number of bands, including any alpha band.
    pub bands: usize,
    pub dtype: DataType,
    pub geotransform: GeoTransform,
    pub crs: Crs,
    /// GDAL nodata value, if the file declares one.
    pub nodata: Option<f64>,
    /// 1-based index of a real alpha band (ExtraSamples unassociated alpha / RGBA).
    pub alpha_band: Option<usize>,
    /// True when the file carries an internal (per-dataset) mask.
    pub has_mask: bool,
    /// Overview sizes `(width, height)`, largest first; level `i + 1` in [`Dataset::read_window`].
    pub overviews: Vec<(usize, usize)>,
    /// Internal block (tile or strip) size of the full-resolution level.
    pub block_size: (usize, usize),
    /// Per band: description, scale, offset, and STATISTICS_MINIMUM/MAXIMUM when both exist.
    pub descriptions: Vec<Option<String>>,
    pub scales: Vec<f64>,
    pub offsets: Vec<f64>,
    pub statistics: Vec<Option<(f64, f64)>>,
}

impl DatasetMeta {
    /// Bounds `[west, south, east, north]` in the dataset CRS.
    pub fn bounds(&self) -> [f64; 4] {
        self.geotransform.bounds(self.width, self.height)
    }

    /// Size of level `l` (0 = full resolution).
    pub fn level_size(&self, level: usize) -> Option<(usize, usize)> {
        if level == 0 {
            Some((self.width, self.height))
        } else {
            self.overviews.get(level - 1).copied()
        }
    }

    /// Geotransform of level `l`: the full-resolution one with pixels scaled by the level's
    /// reduction factor on each axis (as GDAL derives overview georeferencing).
    pub fn level_geotransform(&self, level: usize) -> Option<GeoTransform> {
        let (w, h) = self.level_size(level)?;
        if w == 0 || h == 0 {
            return None;
        }
        Some(
            self.geotransform
                .scaled(self.width as f64 / w as f64, self.height as f64 / h as f64),
        )
    }

    /// The bands TiTiler reads by default: every band except the alpha band.
    pub fn non_alpha_indexes(&self) -> Vec<usize> {
        (1..=self.bands)
            .filter(|b| Some(*b) != self.alpha_band)
            .collect()
    }
}

/// The CPU half of a window read (decoding, assembling): the reader runs it inside the same
/// CPU job as the warp, so one tile costs one hop to the CPU pool and no source
/// window waits in a queue between two hops.
pub type Assemble = Box<dyn FnOnce() -> Result<Raster, Error> + Send>;

/// A raster the reader can sample.
pub trait Dataset: Send + Sync {
    fn meta(&self) -> &DatasetMeta;

    /// Reads a boundless window ([`PixelWindow`]: level, pixels, 1-based bands). Pixels
    /// outside the image are 0 with mask 0; inside, the mask is the internal mask if any, else
    /// 255 (nodata and alpha are the reader's business).
    fn read_window(
        &self,
        window: PixelWindow<'_>,
    ) -> impl Future<Output = Result<Raster, Error>> + Send;

    /// Like [`Dataset::read_window`], but stops once the bytes are in memory and returns the
    /// CPU work left. The default reads eagerly.
    fn fetch_window(
        &self,
        window: PixelWindow<'_>,
    ) -> impl Future<Output = Result<Assemble, Error>> + Send {
        async move {
            let raster = self.read_window(window).await?;
            Ok(Box::new(move || Ok(raster)) as Assemble)
        }
    }

    /// Like [`Dataset::fetch_window`] for single pixels `(x, y)` of `level`, for sampling a
    /// window far larger than the output: the assembled raster is `pixels.len() × 1`, pixel
    /// `i` being `pixels[i]`. A COG fetches only the chunks under the pixels; the default
    /// reads their bounding window (refused when that is larger than a read may be).
    fn fetch_pixels(
        &self,
        level: usize,
        pixels: Vec<(u32, u32)>,
        bands: &[usize],
    ) -> impl Future<Output = Result<Assemble, Error>> + Send {
        fetch_pixels_by_window(self, level, pixels, bands)
    }

    /// For a dataset that is itself a warped VRT (a GCP raster, [`super::CogDataset`]): every
    /// pixel of the `w × h` grid `gt` warped straight from `level`'s source, each row one
    /// scanline, as GDAL's VRTWarpedDataset::IRasterIO does when all bands are read at the
    /// VRT's own resolution over its whole extent (or a window larger than a block). `None`
    /// (the default) for a plain raster: the caller samples [`Dataset::read_window`] output.
    fn read_direct(
        &self,
        _level: usize,
        _gt: GeoTransform,
        _w: usize,
        _h: usize,
        _bands: &[usize],
    ) -> impl Future<Output = Result<Option<Raster>, Error>> + Send {
        async { Ok(None) }
    }
}

/// [`Dataset::fetch_pixels`] through the pixels' bounding window (refused when that window is
/// larger than a read may be): for datasets that cannot fetch pixels one by one.
pub async fn fetch_pixels_by_window<D: Dataset + ?Sized>(
    ds: &D,
    level: usize,
    pixels: Vec<(u32, u32)>,
    bands: &[usize],
) -> Result<Assemble, Error> {
    let dtype = ds.meta().dtype;
    let nb = bands.len();
    let (Some(x0), Some(y0), Some(x1), Some(y1)) = (
        pixels.iter().map(|p| p.0).min(),
        pixels.iter().map(|p| p.1).min(),
        pixels.iter().map(|p| p.0).max(),
        pixels.iter().map(|p| p.1).max(),
    ) else {
        return Ok(Box::new(move || Ok(Raster::empty(dtype, nb, 0, 1))));
    };
    let (w, h) = ((x1 - x0) as usize + 1, (y1 - y0) as usize + 1);
    if w.saturating_mul(h) > super::read::MAX_SOURCE_PIXELS {
        return Err(Error::TooLarge {
            what: "source window",
            value: w.saturating_mul(h),
        });
    }
    let fetched = ds
        .fetch_window(PixelWindow {
            level,
            x: x0 as i64,
            y: y0 as i64,
            width: w,
            height: h,
            bands,
        })
        .await?;
    Ok(Box::new(move || {
        let r = fetched()?;
        let n = pixels.len();
        let plane = r.plane_len();
        let idx: Vec<usize> = pixels
            .iter()
            .map(|&(x, y)| (y - y0) as usize * w + (x - x0) as usize)
            .collect();
        let mut out = Raster::empty(r.dtype(), r.bands, n, 1);
        crate::with_samples!(&mut out.data, d => {
            for b in 0..r.bands {
                for (k, &i) in idx.iter().enumerate() {
                    d[b * n + k] = crate::raster::Sample::from_f64(r.data.get_f64(b * plane + i));
                }
            }
        });
        for (k, &i) in idx.iter().enumerate() {
            out.mask[k] = r.mask.get(i).copied().unwrap_or(0);
        }
        Ok(out)
    }))
}

/// A dataset held in memory, one [`Raster`] per level: for tests and small in-process rasters.
#[derive(Clone, Debug)]
pub struct MemDataset {
    pub meta: DatasetMeta,
    /// Level 0 then each overview, all bands.
    pub levels: Vec<Raster>,
}

impl Dataset for MemDataset {
    fn meta(&self) -> &DatasetMeta {
        &self.meta
    }

    async fn read_window(&self, window: PixelWindow<'_>) -> Result<Raster, Error> {
        let PixelWindow {
            level,
            x,
            y,
            width: w,
            height: h,
            bands,
        } = window;
        let src = self.levels.get(level).ok_or(Error::InvalidLevel(level))?;
        for &b in bands {
            if b == 0 || b > src.bands {
                return Err(Error::InvalidBand(b));
            }
        }
        let plane = w.checked_mul(h).ok_or(Error::TooLarge {
            what: "window",
            value: w,
        })?;
        let mut out = Raster::empty(src.dtype(), bands.len(), w, h);
        let src_plane = src.plane_len();
        crate::with_samples!(&mut out.data, dst => {
            for (k, &b) in bands.iter().enumerate() {
                for r in 0..h {
                    let sy = y + r as i64;
                    if sy < 0 || sy as usize >= src.height {
                        continue;
                    }
                    for c in 0..w {
                        let sx = x + c as i64;
                        if sx < 0 || sx as usize >= src.width {
                            continue;
                        }
                        let si = sy as usize * src.width + sx as usize;
                        let v = src.data.get_f64((b - 1) * src_plane + si);
                        dst[k * plane + r * w + c] = crate::raster::Sample::from_f64(v);
                        out.mask[r * w + c] = src.mask[si];
                    }
                }
            }
        });
        Ok(out)
    }
}
