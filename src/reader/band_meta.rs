//! Per-band metadata from a COG header (descriptions, scale/offset, GDAL statistics), which
//! both the plain and the GCP-warped dataset put in their [`super::DatasetMeta`].

use crate::cog::CogHeader;

/// What the header says of each band, in the reader's terms (one entry per file band).
pub(super) struct BandMeta {
    pub descriptions: Vec<Option<String>>,
    pub scales: Vec<f64>,
    pub offsets: Vec<f64>,
    /// STATISTICS_MINIMUM/MAXIMUM from GDAL_METADATA, when both exist.
    pub statistics: Vec<Option<(f64, f64)>>,
}

impl BandMeta {
    pub(super) fn of(h: &CogHeader) -> BandMeta {
        let statistic = |b: usize, key: &str| -> Option<f64> {
            h.metadata
                .bands
                .get(&b)?
                .items
                .get(key)?
                .trim()
                .parse()
                .ok()
        };
        BandMeta {
            descriptions: (0..h.bands)
                .map(|b| h.band_descriptions.get(b).cloned().flatten())
                .collect(),
            scales: (0..h.bands)
                .map(|b| h.scales.get(b).copied().unwrap_or(1.0))
                .collect(),
            offsets: (0..h.bands)
                .map(|b| h.offsets.get(b).copied().unwrap_or(0.0))
                .collect(),
            statistics: (0..h.bands)
                .map(|b| {
                    Some((
                        statistic(b, "STATISTICS_MINIMUM")?,
                        statistic(b, "STATISTICS_MAXIMUM")?,
                    ))
                })
                .collect(),
        }
    }
}
