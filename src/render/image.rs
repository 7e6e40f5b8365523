//! The image model that flows through the rendering pipeline.
//!
//! rio-tiler calls this `ImageData`: the pixel array, its validity mask, the names of its bands
//! (`b1`, `b2`... which band-math expressions refer to), human band descriptions, optional
//! per-band `(min, max)` dataset statistics (used instead of the dtype range when data must be
//! squeezed into 8 bits), and where the pixels are on Earth (needed by the GeoTIFF encoder and
//! by the slope algorithm).
//!
//! Two masks exist on purpose. [`Raster::mask`] says which pixels hold data (255) and which do
//! not (0); rio-tiler's rule is that a pixel is valid when *any* band is. A dataset with a real
//! alpha band additionally carries that alpha ([`Image::alpha`], 0..255): it is emitted verbatim
//! as the output alpha so partial transparency survives, while the mask alone decides validity.

use crate::raster::{DataType, Raster, Samples};

use super::error::{Error, Result};

/// Where an image lies: its bounds in a CRS, enough to write a GeoTIFF.
#[derive(Clone, Debug, PartialEq)]
pub struct Georef {
    /// `(minx, miny, maxx, maxy)` of the outer pixel edges, in `crs` units.
    pub bounds: [f64; 4],
    /// EPSG code of the CRS, when it has one.
    pub epsg: Option<u32>,
    /// True for a geographic (lon/lat) CRS, false for a projected one.
    pub geographic: bool,
}

impl Georef {
    /// GDAL geotransform `[x0, dx, 0, y0, 0, -dy]` of a `width × height` grid over the bounds
    /// (rasterio's `from_bounds`).
    pub fn geotransform(&self, width: usize, height: usize) -> [f64; 6] {
        let [minx, miny, maxx, maxy] = self.bounds;
        let w = width.max(1) as f64;
        let h = height.max(1) as f64;
        [minx, (maxx - minx) / w, 0.0, maxy, 0.0, -(maxy - miny) / h]
    }
}

/// Pixels plus everything rendering needs to know about them.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    /// Band-sequential data and the "any band valid" mask (255 valid, 0 no data).
    pub raster: Raster,
    /// A real source alpha band (0..255, one per pixel), passed through to the output alpha.
    pub alpha: Option<Vec<u8>>,
    /// The same alpha band in its own type (e.g. uint16), for the `.npy` body: rio-tiler writes
    /// its values unscaled while the data keep that type ([`crate::raster::titiler_npy`]).
    pub source_alpha: Option<Samples>,
    /// Names band-math expressions use, `b1..bN` by default.
    pub band_names: Vec<String>,
    /// Band descriptions (`b1..bN` when the dataset has none).
    pub band_descriptions: Vec<String>,
    /// Per-band `(min, max)` from the dataset's STATISTICS_* tags, if any.
    pub dataset_statistics: Option<Vec<(f64, f64)>>,
    /// Bounds and CRS, if known.
    pub georef: Option<Georef>,
}

impl Image {
    /// Wraps a raster with default band names and no metadata.
    pub fn new(raster: Raster) -> Result<Image> {
        check_raster(&raster)?;
        let names: Vec<String> = (1..=raster.bands).map(|i| format!("b{i}")).collect();
        Ok(Image {
            raster,
            alpha: None,
            source_alpha: None,
            band_descriptions: names.clone(),
            band_names: names,
            dataset_statistics: None,
            georef: None,
        })
    }

    pub fn width(&self) -> usize {
        self.raster.width
    }

    pub fn height(&self) -> usize {
        self.raster.height
    }

    pub fn count(&self) -> usize {
        self.raster.bands
    }

    pub fn dtype(&self) -> DataType {
        self.raster.dtype()
    }

    /// Keeps the listed bands (1-based, in the given order, repeats allowed) — TiTiler's `bidx`
    /// applied to an image that holds every band. Names and descriptions follow the bands.
    pub fn select_bands(&self, indexes: &[usize]) -> Result<Image> {
        let r = &self.raster;
        check_raster(r)?;
        if let Some(bad) = indexes.iter().find(|i| **i == 0 || **i > r.bands) {
            return Err(Error::InvalidFormat(format!(
                "band index {bad} out of range (the image has {} bands)",
                r.bands
            )));
        }
        let plane = r.plane_len();
        let mut data = crate::raster::Samples::zeros(r.dtype(), indexes.len() * plane);
        crate::with_samples!(&mut data, out => {
            crate::with_samples!(&r.data, src => {
                for (k, i) in indexes.iter().enumerate() {
                    for (o, s) in out[k * plane..(k + 1) * plane]
                        .iter_mut()
                        .zip(&src[(i - 1) * plane..*i * plane])
                    {
                        *o = crate::raster::Sample::from_f64(crate::raster::Sample::to_f64(*s));
                    }
                }
            })
        });
        let pick = |v: &[String]| -> Vec<String> {
            indexes
                .iter()
                .map(|i| v.get(i - 1).cloned().unwrap_or_else(|| format!("b{i}")))
                .collect()
        };
        Ok(Image {
            raster: Raster {
                width: r.width,
                height: r.height,
                bands: indexes.len(),
                data,
                mask: r.mask.clone(),
            },
            alpha: self.alpha.clone(),
            source_alpha: self.source_alpha.clone(),
            band_names: pick(&self.band_names),
            band_descriptions: pick(&self.band_descriptions),
            dataset_statistics: self
                .dataset_statistics
                .as_ref()
                .filter(|s| s.len() == r.bands)
                .map(|s| indexes.iter().map(|i| s[i - 1]).collect()),
            georef: self.georef.clone(),
        })
    }

    /// The output alpha before any colormap: the real alpha if there is one, else the mask.
    pub fn output_alpha(&self) -> &[u8] {
        self.alpha.as_deref().unwrap_or(&self.raster.mask)
    }

    /// True when at least one pixel would be transparent (TiTiler picks PNG over JPEG then).
    pub fn any_masked(&self) -> bool {
        self.output_alpha().contains(&0)
    }
}

/// Band `b` (0-based) of a checked raster as f64 values.
pub(crate) fn band_f64(r: &Raster, b: usize) -> Vec<f64> {
    let plane = r.plane_len();
    let range = b * plane..(b + 1) * plane;
    crate::with_samples!(&r.data, v => v
        .get(range)
        .map(|s| s.iter().map(|x| crate::raster::Sample::to_f64(*x)).collect())
        .unwrap_or_default())
}

/// Checks that a raster's buffers match its declared sizes, so later indexing cannot panic.
pub(crate) fn check_raster(r: &Raster) -> Result<()> {
    let plane = r
        .width
        .checked_mul(r.height)
        .ok_or_else(|| Error::Size(format!("{}x{} overflows", r.width, r.height)))?;
    let total = plane
        .checked_mul(r.bands)
        .ok_or_else(|| Error::Size(format!("{} bands of {plane} pixels overflow", r.bands)))?;
    if r.data.len() != total {
        return Err(Error::Size(format!(
            "{} samples for {} bands of {}x{}",
            r.data.len(),
            r.bands,
            r.width,
            r.height
        )));
    }
    if r.mask.len() != plane {
        return Err(Error::Size(format!(
            "mask of {} bytes for {}x{} pixels",
            r.mask.len(),
            r.width,
            r.height
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::Samples;

    #[test]
    fn select_bands_reorders_and_validates() {
        let mut im = Image::new(Raster {
            width: 2,
            height: 1,
            bands: 3,
            data: Samples::I16(vec![1, 2, 3, 4, 5, 6]),
            mask: vec![255, 0],
        })
        .unwrap();
        im.dataset_statistics = Some(vec![(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)]);
        let out = im.select_bands(&[3, 1]).unwrap();
        assert_eq!(out.raster.data, Samples::I16(vec![5, 6, 1, 2]));
        assert_eq!(out.band_names, vec!["b3".to_string(), "b1".to_string()]);
        assert_eq!(out.dataset_statistics, Some(vec![(0.0, 3.0), (0.0, 1.0)]));
        assert_eq!(out.raster.mask, vec![255, 0]);
        assert!(im.select_bands(&[4]).is_err());
        assert!(im.select_bands(&[0]).is_err());
    }
}
