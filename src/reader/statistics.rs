//! Band statistics exactly as rio-tiler's `get_array_statistics` computes them.
//!
//! Statistics describe the *valid* pixels of each band (masked pixels and NaN/±inf are left
//! out, like `numpy.ma.fix_invalid` + `compressed()`), optionally weighted by a coverage
//! fraction per pixel (POST /statistics with a polygon). The details that make numbers match:
//! percentiles and the median are weighted nearest-rank quantiles
//! (`sorted[searchsorted(cumsum(w), q·Σw)]`, no interpolation); std is the population
//! (ddof 0) weighted deviation; the histogram is `numpy.histogram` (10 equal bins over
//! `[min, max]`, ±0.5 when constant, last bin closed); majority/minority are the most/least
//! frequent values, ties going to the smallest value.

use crate::raster::DataType;

/// Options of [`band_statistics`].
#[derive(Clone, Debug)]
pub struct StatsOptions {
    pub categorical: bool,
    /// Categories to count (categorical only); default every distinct value.
    pub categories: Option<Vec<f64>>,
    /// Percentiles (integers 0..100); default `[2, 98]`.
    pub percentiles: Vec<u32>,
    /// Histogram bins: a count or explicit edges.
    pub bins: HistogramBins,
    /// Histogram range (`numpy.histogram(range=...)`).
    pub range: Option<(f64, f64)>,
}

impl Default for StatsOptions {
    fn default() -> Self {
        StatsOptions {
            categorical: false,
            categories: None,
            percentiles: vec![2, 98],
            bins: HistogramBins::Count(10),
            range: None,
        }
    }
}

/// `numpy.histogram`'s `bins` argument.
#[derive(Clone, Debug, PartialEq)]
pub enum HistogramBins {
    Count(usize),
    Edges(Vec<f64>),
}

/// rio-tiler's `BandStatistics` (NaN where there are no valid pixels).
#[derive(Clone, Debug, PartialEq)]
pub struct BandStatistics {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub count: f64,
    pub sum: f64,
    pub std: f64,
    pub median: f64,
    pub majority: f64,
    pub minority: f64,
    pub unique: f64,
    /// `[counts, edges]` (categorical: `[counts, categories]`).
    pub histogram: (Vec<f64>, Vec<f64>),
    pub valid_percent: f64,
    pub masked_pixels: f64,
    pub valid_pixels: f64,
    /// `(p, value)` for each requested percentile, in request order.
    pub percentiles: Vec<(u32, f64)>,
}

/// Statistics of one band: `values` with `valid` (non-zero = valid) and optional `coverage`
/// weights (all 1 when `None`). `dtype` decides histogram edge precision like numpy does.
pub fn band_statistics(
    values: &[f64],
    valid: &[u8],
    coverage: Option<&[f64]>,
    dtype: DataType,
    opts: &StatsOptions,
) -> BandStatistics {
    let n = values.len();
    let cov = |i: usize| coverage.and_then(|c| c.get(i).copied()).unwrap_or(1.0);
    let coverage_pixels = match coverage {
        Some(c) => c.iter().filter(|v| **v != 0.0).count(),
        None => n,
    };
    // valid and finite (numpy.ma.fix_invalid masks NaN and inf)
    let idx: Vec<usize> = (0..n)
        .filter(|&i| valid.get(i).is_some_and(|m| *m != 0) && values[i].is_finite())
        .collect();
    let data: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
    let weights: Vec<f64> = idx.iter().map(|&i| cov(i)).collect();
    let valid_pixels = data.len() as f64;
    let masked_pixels = (n - data.len()) as f64;
    let valid_percent = if coverage_pixels > 0 {
        round2((valid_pixels / coverage_pixels as f64).min(1.0) * 100.0)
    } else {
        f64::NAN
    };
    // distinct values and their counts (sorted)
    let mut sorted = data.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mut keys: Vec<f64> = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    for v in &sorted {
        if keys.last() == Some(v) {
            if let Some(c) = counts.last_mut() {
                *c += 1.0;
            }
        } else {
            keys.push(*v);
            counts.push(1.0);
        }
    }
    let histogram = if opts.categorical {
        let cats = opts.categories.clone().unwrap_or_else(|| keys.clone());
        let cats: Vec<f64> = cats.into_iter().map(|c| cast_like(c, dtype)).collect();
        let hc = cats
            .iter()
            .map(|c| {
                keys.iter()
                    .position(|k| k == c)
                    .map(|p| counts[p])
                    .unwrap_or(0.0)
            })
            .collect();
        (hc, cats)
    } else {
        histogram(&data, &opts.bins, opts.range, dtype)
    };
    let mut out = BandStatistics {
        min: f64::NAN,
        max: f64::NAN,
        mean: f64::NAN,
        count: 0.0,
        sum: 0.0,
        std: f64::NAN,
        median: f64::NAN,
        majority: f64::NAN,
        minority: f64::NAN,
        unique: keys.len() as f64,
        histogram,
        valid_percent,
        masked_pixels,
        valid_pixels,
        percentiles: opts.percentiles.iter().map(|p| (*p, f64::NAN)).collect(),
    };
    if data.is_empty() {
        return out;
    }
    let mut qs: Vec<f64> = opts.percentiles.iter().map(|p| *p as f64 / 100.0).collect();
    qs.push(0.5);
    let qv = weighted_quantiles(&data, &weights, &qs);
    for (k, p) in out.percentiles.iter_mut().enumerate() {
        p.1 = qv[k];
    }
    out.median = qv[qs.len() - 1];
    // first maximum / minimum count in sorted key order
    let (mut imax, mut imin) = (0, 0);
    for (i, c) in counts.iter().enumerate() {
        if *c > counts[imax] {
            imax = i;
        }
        if *c < counts[imin] {
            imin = i;
        }
    }
    out.majority = keys[imax];
    out.minority = keys[imin];
    let wsum: f64 = weights.iter().sum();
    let dsum: f64 = data.iter().zip(&weights).map(|(v, w)| v * w).sum();
    out.min = sorted[0];
    out.max = sorted[sorted.len() - 1];
    out.sum = dsum;
    out.count = wsum;
    out.mean = dsum / wsum;
    let avg = dsum / wsum;
    let var = data
        .iter()
        .zip(&weights)
        .map(|(v, w)| (v - avg) * (v - avg) * w)
        .sum::<f64>()
        / wsum;
    out.std = var.sqrt();
    out
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round_ties_even() / 100.0
}

/// A category value cast to the data's type (rio-tiler `.astype(keys.dtype)`).
fn cast_like(v: f64, dtype: DataType) -> f64 {
    match dtype {
        DataType::F32 => v as f32 as f64,
        DataType::F64 => v,
        _ => v.trunc(),
    }
}

/// rio-tiler `_weighted_quantiles`: `values[argsort][searchsorted(cumsum(w), q·Σw)]`.
pub fn weighted_quantiles(values: &[f64], weights: &[f64], qs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut cum = Vec::with_capacity(order.len());
    let mut acc = 0.0;
    for &i in &order {
        acc += weights.get(i).copied().unwrap_or(1.0);
        cum.push(acc);
    }
    let total = acc;
    qs.iter()
        .map(|q| {
            let target = q * total;
            // searchsorted side='left': first index with cum >= target
            let pos = cum
                .partition_point(|c| *c < target)
                .min(order.len().saturating_sub(1));
            order.get(pos).map(|&i| values[i]).unwrap_or(f64::NAN)
        })
        .collect()
}

/// `numpy.histogram(data, bins, range)`.
pub fn histogram(
    data: &[f64],
    bins: &HistogramBins,
    range: Option<(f64, f64)>,
    dtype: DataType,
) -> (Vec<f64>, Vec<f64>) {
    let edges: Vec<f64> = match bins {
        HistogramBins::Edges(e) => e.clone(),
        HistogramBins::Count(nb) => {
            let nb = (*nb).max(1);
            let (mut lo, mut hi) = match range {
                Some(r) => r,
                None if data.is_empty() => (0.0, 1.0),
                None => (
                    data.iter().copied().fold(f64::INFINITY, f64::min),
                    data.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                ),
            };
            if lo == hi {
                lo -= 0.5;
                hi += 0.5;
            }
            let step = (hi - lo) / nb as f64;
            (0..=nb)
                .map(|i| {
                    let e = if i == nb { hi } else { lo + i as f64 * step };
                    if dtype == DataType::F32 {
                        e as f32 as f64
                    } else {
                        e
                    }
                })
                .collect()
        }
    };
    let nb = edges.len().saturating_sub(1);
    let mut counts = vec![0.0; nb];
    if nb == 0 {
        return (counts, edges);
    }
    let (first, last) = (edges[0], edges[nb]);
    for &v in data {
        if v < first || v > last {
            continue;
        }
        // last bin is closed; others half-open
        let pos = edges.partition_point(|e| *e <= v);
        let bin = if pos > nb {
            nb - 1
        } else {
            pos.saturating_sub(1).min(nb - 1)
        };
        counts[bin] += 1.0;
    }
    (counts, edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_match_rio_tiler_docstring() {
        let v = vec![0.0; 65536];
        let m = vec![255u8; 65536];
        let s = band_statistics(&v, &m, None, DataType::F64, &StatsOptions::default());
        assert_eq!(
            (s.min, s.max, s.mean, s.count, s.sum, s.std),
            (0.0, 0.0, 0.0, 65536.0, 0.0, 0.0)
        );
        assert_eq!(
            (s.median, s.majority, s.minority, s.unique),
            (0.0, 0.0, 0.0, 1.0)
        );
        assert_eq!(s.histogram.0[5], 65536.0);
        assert_eq!(s.histogram.1.len(), 11);
        assert!((s.histogram.1[0] + 0.5).abs() < 1e-12 && (s.histogram.1[10] - 0.5).abs() < 1e-12);
        assert_eq!(s.valid_percent, 100.0);
        assert_eq!(s.percentiles, vec![(2, 0.0), (98, 0.0)]);
    }

    #[test]
    fn masked_and_nan_are_excluded() {
        let v = vec![1.0, 2.0, f64::NAN, 4.0, 100.0];
        let m = vec![255, 255, 255, 255, 0];
        let s = band_statistics(&v, &m, None, DataType::F32, &StatsOptions::default());
        assert_eq!(s.valid_pixels, 3.0);
        assert_eq!(s.masked_pixels, 2.0);
        assert_eq!(s.max, 4.0);
        assert_eq!(s.valid_percent, 60.0);
        assert!((s.mean - 7.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(|x| x as f64).collect();
        let w = vec![1.0; 10];
        // q*n = 5 -> first cum >= 5 is index 4 -> value 5
        assert_eq!(
            weighted_quantiles(&v, &w, &[0.5, 0.02, 0.98]),
            vec![5.0, 1.0, 10.0]
        );
    }

    #[test]
    fn histogram_last_bin_closed() {
        let (c, e) = histogram(
            &[0.0, 1.0, 2.0, 10.0],
            &HistogramBins::Count(10),
            None,
            DataType::F64,
        );
        assert_eq!(c, vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(e[10], 10.0);
    }

    #[test]
    fn categorical_counts() {
        let v = vec![1.0, 1.0, 3.0, 3.0, 3.0, 7.0];
        let m = vec![255; 6];
        let o = StatsOptions {
            categorical: true,
            categories: Some(vec![1.0, 2.0, 3.0]),
            ..Default::default()
        };
        let s = band_statistics(&v, &m, None, DataType::U8, &o);
        assert_eq!(s.histogram, (vec![2.0, 0.0, 3.0], vec![1.0, 2.0, 3.0]));
        assert_eq!((s.majority, s.minority, s.unique), (3.0, 7.0, 3.0));
    }
}
