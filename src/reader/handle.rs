//! [`Reader`]: the verbs as methods on an opened dataset.

use serde_json::Value;

use crate::crs::Crs;
use crate::tms::TileMatrixSet;

use super::feature::feature;
use super::options::{PartOptions, ReadOptions, TileOptions};
use super::part::part;
use super::point::{point, PointData};
use super::preview::{preview, PreviewOptions};
use super::statistics::{band_statistics, BandStatistics, StatsOptions};
use super::tile::{tile, TileSpec};
use super::{Dataset, Error, ImageData};

/// An opened dataset with rio-tiler's verbs.
#[derive(Clone, Debug)]
pub struct Reader<D> {
    dataset: D,
}

impl<D: Dataset> Reader<D> {
    pub fn new(dataset: D) -> Reader<D> {
        Reader { dataset }
    }

    pub fn dataset(&self) -> &D {
        &self.dataset
    }

    /// Tile `z/x/y` of `tms`; [`Error::TileOutsideBounds`] when it misses the dataset.
    pub async fn tile(
        &self,
        tms: &TileMatrixSet,
        z: i32,
        x: i64,
        y: i64,
        opts: &TileOptions,
    ) -> Result<ImageData, Error> {
        let spec = TileSpec::from_tms(tms, z, x, y)?;
        tile(&self.dataset, &spec, opts).await
    }

    /// The pixels of `bounds` (see [`PartOptions`] for CRSs and size).
    pub async fn part(&self, bounds: [f64; 4], opts: &PartOptions) -> Result<ImageData, Error> {
        part(&self.dataset, bounds, opts).await
    }

    /// The pixels under a GeoJSON polygon given in `shape_crs`.
    pub async fn feature(
        &self,
        shape: &Value,
        shape_crs: &Crs,
        opts: &PartOptions,
    ) -> Result<ImageData, Error> {
        feature(&self.dataset, shape, shape_crs, opts).await
    }

    /// The whole dataset at a bounded size.
    pub async fn preview(&self, opts: &PreviewOptions) -> Result<ImageData, Error> {
        preview(&self.dataset, opts).await
    }

    /// Band values at a coordinate given in `coord_crs`.
    pub async fn point(
        &self,
        x: f64,
        y: f64,
        coord_crs: &Crs,
        opts: &ReadOptions,
    ) -> Result<PointData, Error> {
        point(&self.dataset, x, y, coord_crs, opts).await
    }

    /// Per-band statistics of a preview (rio-tiler `Reader.statistics`, max_size 1024).
    pub async fn statistics(
        &self,
        preview_opts: &PreviewOptions,
        stats: &StatsOptions,
    ) -> Result<Vec<BandStatistics>, Error> {
        let img = self.preview(preview_opts).await?;
        Ok(image_statistics(&img, stats))
    }

    /// TiTiler's POST /statistics for one GeoJSON feature: the feature read with its window
    /// snapped to whole dataset pixels, statistics weighted by how much of each pixel the
    /// polygon covers (`cover_scale` sub-pixels per side, default 10).
    pub async fn feature_statistics(
        &self,
        shape: &Value,
        shape_crs: &Crs,
        opts: &PartOptions,
        cover_scale: usize,
        stats: &StatsOptions,
    ) -> Result<Vec<BandStatistics>, Error> {
        if cover_scale == 0 {
            return Err(Error::BadRequest(
                "cover_scale must be greater than 0, got 0".into(),
            ));
        }
        let mut o = opts.clone();
        o.align_bounds_with_dataset = true;
        let img = self.feature(shape, shape_crs, &o).await?;
        let polys = super::polygons_from_geojson(shape)?;
        let polys = super::transform_polygons(&polys, shape_crs, &img.crs)?;
        let cov = super::coverage_array(
            &polys,
            &super::image_gt(&img),
            img.width(),
            img.height(),
            cover_scale,
        )?;
        Ok(image_statistics_weighted(&img, stats, Some(&cov)))
    }

    /// `(minzoom, maxzoom)` of the dataset in `tms` ([`TileMatrixSet::dataset_zoom_range`]).
    pub fn zoom_range(&self, tms: &TileMatrixSet) -> (i32, i32) {
        let m = self.dataset.meta();
        tms.dataset_zoom_range(&m.crs, m.width, m.height, &m.geotransform)
    }
}

/// Statistics of every band of an image, on its per-band masks.
pub fn image_statistics(img: &ImageData, stats: &StatsOptions) -> Vec<BandStatistics> {
    image_statistics_weighted(img, stats, None)
}

/// Statistics weighted by a per-pixel coverage fraction (POST /statistics), see
/// [`super::coverage_array`].
pub fn image_statistics_weighted(
    img: &ImageData,
    stats: &StatsOptions,
    coverage: Option<&[f64]>,
) -> Vec<BandStatistics> {
    let n = img.raster.plane_len();
    let all = img.raster.data.to_f64_vec();
    (0..img.count())
        .map(|b| {
            let vals = all.get(b * n..(b + 1) * n).unwrap_or(&[]);
            let mask = img
                .band_masks
                .get(b)
                .map(|m| m.as_slice())
                .unwrap_or(&img.raster.mask);
            band_statistics(vals, mask, coverage, img.raster.dtype(), stats)
        })
        .collect()
}
