//! The last step of every read: sampled planes become rio-tiler's [`ImageData`] (sample types,
//! masks, alpha, unscale), on the CPU pool unless the output is small.

use crate::crs::Crs;
use crate::raster::{DataType, Raster, Samples};

use super::{on_blocking, same_value, ReadParams};
use crate::reader::image::{samples_from_f64, ImageData};
use crate::reader::{Dataset, Error};

/// 255 where `keep(value)` holds, else 0 (one pass over typed samples, no per-pixel dispatch).
pub(super) fn mask_where<T: crate::raster::Sample>(v: &[T], keep: impl Fn(f64) -> bool) -> Vec<u8> {
    v.iter()
        .map(|x| if keep(x.to_f64()) { 255 } else { 0 })
        .collect()
}

/// Band-sequential samples of `dtype` from per-band planes, normally of that type already (a
/// plain copy); a plane of another type is converted.
pub(super) fn concat_planes(dtype: DataType, planes: Vec<Samples>, n: usize) -> Samples {
    if let Some(all) = Samples::concat(dtype, &planes) {
        return all;
    }
    let mut vals = Vec::with_capacity(n * planes.len());
    for p in &planes {
        vals.extend(p.to_f64_vec());
    }
    samples_from_f64(dtype, &vals)
}

/// Turns sampled planes into rio-tiler's `ImageData` (types, masks, alpha, unscale). The pixel
/// work of a large read goes to the CPU pool; a tile's (a few tens of microseconds) is done in
/// place, cheaper than a hand-off.
#[allow(clippy::too_many_arguments)]
pub(super) async fn assemble<D: Dataset>(
    dtype: DataType,
    planes: Vec<Samples>,
    valid: Vec<u8>,
    ow: usize,
    oh: usize,
    params: &ReadParams,
    nodata: Option<f64>,
    has_alpha: bool,
    warped: bool,
    bounds: [f64; 4],
    crs: Crs,
    ds: &D,
) -> Result<ImageData, Error> {
    let meta = ds.meta();
    let idx = &params.indexes;
    let stats: Vec<(f64, f64)> = idx
        .iter()
        .filter_map(|b| meta.statistics.get(b - 1).copied().flatten())
        .collect();
    let mut dataset_statistics = (stats.len() == idx.len()).then_some(stats);
    let mut scales: Vec<f64> = idx
        .iter()
        .map(|b| meta.scales.get(b - 1).copied().unwrap_or(1.0))
        .collect();
    let mut offsets: Vec<f64> = idx
        .iter()
        .map(|b| meta.offsets.get(b - 1).copied().unwrap_or(0.0))
        .collect();
    let pixels = Pixels {
        dtype,
        n: ow * oh,
        planes,
        valid,
        nodata,
        has_alpha,
        warped,
        unscale: params.unscale.then(|| (scales.clone(), offsets.clone())),
    };
    let (data, mask, band_masks, alpha) = if ow * oh <= INLINE_ASSEMBLE_PIXELS {
        pixels.assemble()
    } else {
        on_blocking(move || Ok(pixels.assemble())).await?
    };
    if params.unscale {
        if let Some(st) = dataset_statistics.as_mut() {
            for (b, s) in st.iter_mut().enumerate() {
                *s = (s.0 * scales[b] + offsets[b], s.1 * scales[b] + offsets[b]);
            }
        }
        scales = vec![1.0; idx.len()];
        offsets = vec![0.0; idx.len()];
    }
    let band_names: Vec<String> = idx.iter().map(|b| format!("b{b}")).collect();
    // Each band is described by its own description (or its name). rio-tiler 9 describes every
    // band like the *last* one read (a leftover loop variable); cogtiler deliberately does not:
    // see tests/conformance-divergences.txt
    let band_descriptions = idx
        .iter()
        .map(|b| {
            meta.descriptions
                .get(b - 1)
                .cloned()
                .flatten()
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| format!("b{b}"))
        })
        .collect();
    Ok(ImageData {
        raster: Raster {
            width: ow,
            height: oh,
            bands: idx.len(),
            data,
            mask,
        },
        band_masks,
        alpha,
        bounds,
        crs,
        band_names,
        band_descriptions,
        dataset_statistics,
        scales,
        offsets,
        nodata,
    })
}

/// Outputs up to this many pixels (a 512 × 512 tile) are assembled without a CPU job.
pub(super) const INLINE_ASSEMBLE_PIXELS: usize = 512 * 512;

/// The pixel half of [`assemble`]: what it needs, owned, so it can run on the CPU pool.
pub(super) struct Pixels {
    dtype: DataType,
    /// Pixels per plane.
    n: usize,
    /// One plane per read band (the alpha band last, if read).
    planes: Vec<Samples>,
    valid: Vec<u8>,
    nodata: Option<f64>,
    has_alpha: bool,
    warped: bool,
    /// Per-band scales and offsets to apply (rio-tiler's `unscale=True`).
    unscale: Option<(Vec<f64>, Vec<f64>)>,
}

impl Pixels {
    /// Fills pixels nothing landed on, derives the masks and joins the bands: (samples,
    /// dataset mask, per-band masks, alpha plane).
    fn assemble(self) -> (Samples, Vec<u8>, Vec<Vec<u8>>, Option<Samples>) {
        let Pixels {
            dtype,
            n,
            mut planes,
            valid,
            nodata,
            has_alpha,
            warped,
            unscale,
        } = self;
        let alpha = if has_alpha { planes.pop() } else { None };
        // pixels nothing landed on: the warper's initial value (nodata or 0); boundless reads
        // fill with nodata too
        let fill = nodata.unwrap_or(0.0);
        if warped || nodata.is_some() {
            for p in planes.iter_mut() {
                crate::with_samples!(p, v => {
                    let fill = crate::raster::Sample::from_f64(fill);
                    for (x, ok) in v.iter_mut().zip(&valid) {
                        if *ok == 0 {
                            *x = fill;
                        }
                    }
                });
            }
        }
        let band_masks: Vec<Vec<u8>> = match (nodata, &alpha) {
            (Some(nd), _) => planes
                .iter()
                .map(|s| crate::with_samples!(s, v => mask_where(v, |x| !same_value(x, nd))))
                .collect(),
            (None, Some(a)) => {
                let opaque = dtype.range().1;
                let m = crate::with_samples!(a, v => mask_where(v, |x| x == opaque));
                vec![m; planes.len()]
            }
            (None, None) => vec![valid.clone(); planes.len()],
        };
        let mut mask = vec![0u8; n];
        for bm in &band_masks {
            for (m, v) in mask.iter_mut().zip(bm) {
                *m |= *v;
            }
        }
        let data = match unscale {
            Some((scales, offsets)) => {
                let mut all = Vec::with_capacity(n * planes.len());
                for (b, s) in planes.iter().enumerate() {
                    // numpy: float32 data times the float64 scale, stored back as float32, then
                    // the same for the offset (two float32 roundings, like rio-tiler's in-place
                    // ufuncs)
                    let sc = scales.get(b).copied().unwrap_or(1.0);
                    let of = offsets.get(b).copied().unwrap_or(0.0);
                    crate::with_samples!(s, v => all.extend(v.iter().map(|x| {
                        let scaled = ((crate::raster::Sample::to_f64(*x) as f32) as f64 * sc) as f32;
                        (scaled as f64 + of) as f32
                    })));
                }
                Samples::F32(all)
            }
            None => concat_planes(dtype, planes, n),
        };
        (data, mask, band_masks, alpha)
    }
}
