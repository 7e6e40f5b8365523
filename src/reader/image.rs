//! The reader's output: an array with its masks and georeferencing (rio-tiler's `ImageData`).

use crate::crs::Crs;
use crate::raster::{titiler_npy, DataType, Raster, Samples};

/// Pixels read for a tile, part, preview or feature.
#[derive(Clone, Debug)]
pub struct ImageData {
    /// Data bands; `raster.mask` is 255 where **any** band is valid (rio-tiler's output mask).
    pub raster: Raster,
    /// Per-band validity (255 valid), what statistics use; each `width × height`.
    pub band_masks: Vec<Vec<u8>>,
    /// The dataset's real alpha band values, kept verbatim (partial transparency survives).
    pub alpha: Option<Samples>,
    /// `[west, south, east, north]` in `crs`.
    pub bounds: [f64; 4],
    pub crs: Crs,
    /// `b1`, `b2`, ... for the bands read.
    pub band_names: Vec<String>,
    /// Band description, or the band name when the file has none.
    pub band_descriptions: Vec<String>,
    /// `(min, max)` per band from STATISTICS_* metadata, when every band has them.
    pub dataset_statistics: Option<Vec<(f64, f64)>>,
    pub scales: Vec<f64>,
    pub offsets: Vec<f64>,
    /// The nodata value in effect (override or the file's).
    pub nodata: Option<f64>,
}

impl ImageData {
    pub fn width(&self) -> usize {
        self.raster.width
    }

    pub fn height(&self) -> usize {
        self.raster.height
    }

    pub fn count(&self) -> usize {
        self.raster.bands
    }

    /// TiTiler's `.npy` body (data bands, then the mask band), built by the one builder the
    /// server uses too ([`crate::raster::titiler_npy`]).
    pub fn to_npy(&self) -> Vec<u8> {
        titiler_npy(&self.raster, Some(&self.raster.mask), self.alpha.as_ref())
    }
}

/// Converts f64 values to a typed buffer with GDAL's rounding and clamping.
pub(crate) fn samples_from_f64(dtype: DataType, vals: &[f64]) -> Samples {
    let mut s = Samples::zeros(dtype, vals.len());
    crate::with_samples!(&mut s, v => {
        for (d, x) in v.iter_mut().zip(vals) {
            *d = crate::raster::Sample::from_f64(*x);
        }
    });
    s
}

/// Nearest-neighbour resize of band-sequential planes (GDAL RasterIO's pixel-centre rule).
fn resize_nearest(
    vals: &[f64],
    bands: usize,
    (w, h): (usize, usize),
    (nw, nh): (usize, usize),
) -> Vec<f64> {
    let cols: Vec<usize> = (0..nw)
        .map(|c| (((c as f64 + 0.5) * w as f64 / nw as f64) as usize).min(w - 1))
        .collect();
    let rows: Vec<usize> = (0..nh)
        .map(|r| (((r as f64 + 0.5) * h as f64 / nh as f64) as usize).min(h - 1))
        .collect();
    let mut out = Vec::with_capacity(bands * nw * nh);
    for b in 0..bands {
        let plane = &vals[b * w * h..(b + 1) * w * h];
        for &r in &rows {
            out.extend(cols.iter().map(|&c| plane[r * w + c]));
        }
    }
    out
}

impl ImageData {
    /// Stacks images band-wise, as rio-tiler's `ImageData.create_from_list` does for the
    /// assets of a STAC item: data in the common numpy type, images smaller than the largest
    /// resized to it (nearest), the output mask valid where any band is, names, descriptions,
    /// scales and offsets concatenated, dataset statistics kept only when every band has them.
    /// Georeferencing is the first image's. `None` for an empty list.
    pub fn stack(images: Vec<ImageData>) -> Option<ImageData> {
        if images.len() <= 1 {
            return images.into_iter().next();
        }
        let (w, h) = images
            .iter()
            .map(|i| (i.width(), i.height()))
            .max_by_key(|&(w, h)| (h, w))?;
        let dtype = images
            .iter()
            .map(|i| i.raster.dtype())
            .reduce(DataType::promote)?;
        let n = w * h;
        let mut data = Vec::new();
        let mut band_masks = Vec::new();
        let mut mask = vec![0u8; n];
        let (mut names, mut descriptions, mut scales, mut offsets, mut stats) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let first = &images[0];
        let (bounds, crs) = (first.bounds, first.crs.clone());
        for img in &images {
            let size = (img.width(), img.height());
            let resize = |v: Vec<f64>, bands: usize| {
                if size == (w, h) || size.0 == 0 || size.1 == 0 {
                    v
                } else {
                    resize_nearest(&v, bands, size, (w, h))
                }
            };
            data.extend(resize(img.raster.data.to_f64_vec(), img.count()));
            for m in &img.band_masks {
                let mf: Vec<f64> = m.iter().map(|&v| v as f64).collect();
                band_masks.push(resize(mf, 1).into_iter().map(|v| v as u8).collect());
            }
            let mf: Vec<f64> = img.raster.mask.iter().map(|&v| v as f64).collect();
            for (o, v) in mask.iter_mut().zip(resize(mf, 1)) {
                *o |= v as u8;
            }
            names.extend(img.band_names.iter().cloned());
            descriptions.extend(img.band_descriptions.iter().cloned());
            scales.extend(img.scales.iter().copied());
            offsets.extend(img.offsets.iter().copied());
            stats.extend(img.dataset_statistics.iter().flatten().copied());
        }
        let bands: usize = images.iter().map(ImageData::count).sum();
        Some(ImageData {
            raster: Raster {
                width: w,
                height: h,
                bands,
                data: samples_from_f64(dtype, &data),
                mask,
            },
            band_masks,
            alpha: None,
            bounds,
            crs,
            dataset_statistics: (stats.len() == names.len()).then_some(stats),
            band_names: names,
            band_descriptions: descriptions,
            scales,
            offsets,
            nodata: None,
        })
    }
}

#[cfg(test)]
mod stack_tests {
    use super::*;

    fn img(dtype: DataType, vals: &[f64], w: usize, h: usize, name: &str) -> ImageData {
        let bands = vals.len() / (w * h);
        let mask: Vec<u8> = (0..w * h)
            .map(|i| if vals[i] == 0.0 { 0 } else { 255 })
            .collect();
        ImageData {
            raster: Raster {
                width: w,
                height: h,
                bands,
                data: samples_from_f64(dtype, vals),
                mask: mask.clone(),
            },
            band_masks: vec![mask; bands],
            alpha: None,
            bounds: [0.0, 0.0, 1.0, 1.0],
            crs: Crs::wgs84(),
            band_names: (1..=bands).map(|b| format!("b{b}")).collect(),
            band_descriptions: vec![name.to_string(); bands],
            dataset_statistics: Some(vec![(0.0, 9.0); bands]),
            scales: vec![1.0; bands],
            offsets: vec![0.0; bands],
            nodata: Some(0.0),
        }
    }

    #[test]
    fn numpy_promotion() {
        use DataType::*;
        for (a, b, want) in [
            (U8, U16, U16),
            (U8, I8, I16),
            (U16, I16, I32),
            (U8, I16, I16),
            (U32, I32, F64),
            (U16, F32, F32),
            (I32, F32, F64),
            (F32, F64, F64),
            (U8, U8, U8),
        ] {
            assert_eq!(a.promote(b), want, "{a:?}+{b:?}");
            assert_eq!(b.promote(a), want, "{b:?}+{a:?}");
        }
    }

    #[test]
    fn stacks_bands_masks_and_sizes() {
        let a = img(DataType::U8, &[1.0, 0.0, 3.0, 4.0], 2, 2, "a");
        let b = img(DataType::U16, &[0.0, 7.0], 1, 2, "b");
        let s = ImageData::stack(vec![a, b]).unwrap();
        assert_eq!((s.count(), s.width(), s.height()), (2, 2, 2));
        assert_eq!(s.raster.dtype(), DataType::U16);
        assert_eq!(
            s.raster.data.to_f64_vec(),
            [1.0, 0.0, 3.0, 4.0, 0.0, 0.0, 7.0, 7.0]
        );
        // valid where any band is: pixel 1 is masked in a and b
        assert_eq!(s.raster.mask, [255, 0, 255, 255]);
        assert_eq!(s.band_masks[1], [0, 0, 255, 255]);
        assert_eq!(s.band_descriptions, ["a", "b"]);
        assert_eq!(s.dataset_statistics.map(|v| v.len()), Some(2));
        assert!(s.nodata.is_none());
    }
}
