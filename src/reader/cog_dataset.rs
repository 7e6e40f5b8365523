//! The reader over a real COG: [`Cog`] described and read as a [`Dataset`].

use std::sync::Arc;

use crate::affine::GeoTransform;
use crate::cog::PixelWindow;
use crate::cog::{Cog, OpenOptions};
use crate::raster::Raster;
use crate::warp::GcpVrt;

use super::band_meta::BandMeta;
use super::gcp_dataset::{gcp_meta, read_gcp_direct, read_gcp_window};
use super::{Assemble, Dataset, DatasetMeta, Error, Reader};

/// A [`Cog`] with the reader's view of its header.
#[derive(Clone)]
pub struct CogDataset {
    cog: Cog,
    meta: DatasetMeta,
    /// For a raster georeferenced by ground control points: the warped VRT read instead.
    gcp: Option<Arc<GcpVrt>>,
}

impl std::fmt::Debug for CogDataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CogDataset")
            .field("url", &self.cog.header().url)
            .finish()
    }
}

impl CogDataset {
    /// Describes an opened COG; fails when it has no georeferencing or an unusable CRS.
    pub fn new(cog: Cog) -> Result<CogDataset, Error> {
        let h = cog.header();
        if let Some(vrt) = &h.gcp_vrt {
            let vrt = vrt.clone().map_err(|e| {
                Error::Unsupported(format!("dataset '{}' ground control points: {e}", h.url))
            })?;
            let crs = h
                .crs
                .clone()
                .map_err(|e| Error::Unsupported(format!("dataset '{}' gcp crs: {e}", h.url)))?;
            let meta = gcp_meta(h, &vrt, crs)?;
            return Ok(CogDataset {
                cog,
                meta,
                gcp: Some(vrt),
            });
        }
        let gt = h.geotransform.ok_or_else(|| {
            Error::Unsupported(format!("dataset '{}' has no geotransform", h.url))
        })?;
        let crs = h
            .crs
            .clone()
            .map_err(|e| Error::Unsupported(format!("dataset '{}' crs: {e}", h.url)))?;
        let bm = BandMeta::of(h);
        let full = h.levels.first().ok_or_else(|| {
            Error::Cog(crate::cog::Error::Unsupported {
                what: format!("dataset '{}' has no image", h.url),
            })
        })?;
        let meta = DatasetMeta {
            width: h.width as usize,
            height: h.height as usize,
            bands: h.bands,
            dtype: h.dtype,
            geotransform: gt,
            crs,
            nodata: h.nodata,
            // the header counts bands from 0, the reader (like rasterio) from 1
            alpha_band: h.alpha_band.map(|a| a + 1),
            has_mask: h.has_mask,
            overviews: h
                .levels
                .iter()
                .skip(1)
                .map(|l| (l.width as usize, l.height as usize))
                .collect(),
            block_size: (full.block_width as usize, full.block_height as usize),
            descriptions: bm.descriptions,
            scales: bm.scales,
            offsets: bm.offsets,
            statistics: bm.statistics,
        };
        Ok(CogDataset {
            cog,
            meta,
            gcp: None,
        })
    }

    pub fn cog(&self) -> &Cog {
        &self.cog
    }
}

impl Dataset for CogDataset {
    fn meta(&self) -> &DatasetMeta {
        &self.meta
    }

    async fn read_window(&self, window: PixelWindow<'_>) -> Result<Raster, Error> {
        if let Some(vrt) = &self.gcp {
            return read_gcp_window(&self.cog, vrt, &self.meta, window).await;
        }
        Ok(self.cog.read_window(window).await?)
    }

    async fn fetch_window(&self, window: PixelWindow<'_>) -> Result<Assemble, Error> {
        if self.gcp.is_some() {
            // the GCP VRT warps on read: no split between fetching and decoding
            let raster = self.read_window(window).await?;
            return Ok(Box::new(move || Ok(raster)));
        }
        let fetched = self.cog.fetch_window(window).await?;
        Ok(Box::new(move || Ok(fetched.assemble()?)))
    }

    async fn fetch_pixels(
        &self,
        level: usize,
        pixels: Vec<(u32, u32)>,
        bands: &[usize],
    ) -> Result<Assemble, Error> {
        if self.gcp.is_some() {
            // the GCP VRT warps whole windows: sample its bounding window
            return super::dataset::fetch_pixels_by_window(self, level, pixels, bands).await;
        }
        let fetched = self.cog.fetch_pixels(level, pixels, bands).await?;
        Ok(Box::new(move || Ok(fetched.assemble()?)))
    }

    async fn read_direct(
        &self,
        level: usize,
        gt: GeoTransform,
        w: usize,
        h: usize,
        bands: &[usize],
    ) -> Result<Option<Raster>, Error> {
        match &self.gcp {
            Some(vrt) => read_gcp_direct(&self.cog, vrt, &self.meta, level, (gt, w, h), bands)
                .await
                .map(Some),
            None => Ok(None),
        }
    }
}

impl Reader<CogDataset> {
    /// Opens a COG (path, `file://`, `http(s)://`, `s3://`) with the default caches.
    pub async fn open(url: &str) -> Result<Reader<CogDataset>, Error> {
        Reader::open_with(url, &OpenOptions::default()).await
    }

    /// Opens a COG with explicit I/O options and caches.
    pub async fn open_with(url: &str, opts: &OpenOptions) -> Result<Reader<CogDataset>, Error> {
        let cog = Cog::open(url, opts).await?;
        Ok(Reader::new(CogDataset::new(cog)?))
    }
}
