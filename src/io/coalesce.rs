//! Range planning: merge nearby byte ranges into few requests, fetch them concurrently, slice back.
//!
//! GDAL-written COGs store tiles row-major (and interleave mask tiles with imagery), so the
//! chunks one map tile needs are usually adjacent or a few KiB apart. One request for
//! `[a, d)` is much cheaper than two for `[a, b)` and `[c, d)` when `c - b` is small: the
//! latency of a round trip (tens of ms to S3) dwarfs the transfer time of a few KiB.
//! object_store's own `get_ranges` merges across 1 MiB gaps, far too wide for tiles.

use std::ops::Range;

use bytes::Bytes;

use super::source::read_exact;
use super::{ByteSource, Error};

/// One request of a plan: the merged range and which input ranges it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergedRange {
    pub range: Range<u64>,
    /// Indices into the input slice.
    pub members: Vec<usize>,
}

/// Groups `ranges` (any order, may overlap, may be empty) into merged requests: sorted by
/// start, a range joins the previous group when it starts at most `gap` bytes after the
/// group's end. Empty ranges are served without a request (they belong to no group).
pub fn coalesce(ranges: &[Range<u64>], gap: u64) -> Vec<MergedRange> {
    let mut order: Vec<usize> = (0..ranges.len())
        .filter(|&i| ranges[i].end > ranges[i].start)
        .collect();
    order.sort_by_key(|&i| (ranges[i].start, ranges[i].end));
    let mut out: Vec<MergedRange> = Vec::new();
    for i in order {
        let r = &ranges[i];
        match out.last_mut() {
            Some(m) if r.start <= m.range.end.saturating_add(gap) => {
                m.range.end = m.range.end.max(r.end);
                m.members.push(i);
            }
            _ => out.push(MergedRange {
                range: r.clone(),
                members: vec![i],
            }),
        }
    }
    out
}

/// Reads every range of `ranges` with as few requests as `gap` allows, concurrently, and
/// returns the bytes in input order. Each range must be fully present ([`Error::Truncated`]
/// otherwise: a tile that points past the end of the file is an error, not silence).
pub async fn read_ranges(
    source: &dyn ByteSource,
    ranges: &[Range<u64>],
    gap: u64,
) -> Result<Vec<Bytes>, Error> {
    let plan = coalesce(ranges, gap);
    let fetched =
        futures::future::try_join_all(plan.iter().map(|m| read_exact(source, m.range.clone())))
            .await?;
    let mut out = vec![Bytes::new(); ranges.len()];
    for (m, bytes) in plan.iter().zip(fetched) {
        for &i in &m.members {
            let r = &ranges[i];
            let s = (r.start - m.range.start) as usize;
            let e = (r.end - m.range.start) as usize;
            out[i] = bytes.slice(s..e);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{CountingSource, MemorySource};
    use proptest::prelude::*;
    use std::sync::Arc;

    #[test]
    fn merges_within_gap_only() {
        let p = coalesce(&[100..200, 0..50, 250..300, 1000..1100], 50);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].range, 0..300);
        assert_eq!(p[0].members, vec![1, 0, 2]);
        assert_eq!(p[1].range, 1000..1100);
    }

    #[tokio::test]
    async fn read_ranges_slices_back_in_order() {
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let src = CountingSource::new(Arc::new(MemorySource::new("m", data.clone())));
        let ranges = vec![5000..5010, 10..20, 30..40, 9000..9001];
        let out = read_ranges(&src, &ranges, 100).await.unwrap();
        for (r, b) in ranges.iter().zip(&out) {
            assert_eq!(&b[..], &data[r.start as usize..r.end as usize]);
        }
        assert_eq!(src.requests(), 3);
    }

    #[tokio::test]
    async fn past_eof_is_truncated() {
        let src = MemorySource::new("m", vec![0u8; 100]);
        let past_end = 90..120;
        let e = read_ranges(&src, std::slice::from_ref(&past_end), 0)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Truncated { .. }));
    }

    proptest! {
        #[test]
        fn every_range_covered_and_gaps_respected(
            raw in proptest::collection::vec((0u64..10_000, 0u64..500), 0..40),
            gap in 0u64..2000,
        ) {
            let ranges: Vec<Range<u64>> = raw.iter().map(|&(s, l)| s..s + l).collect();
            let plan = coalesce(&ranges, gap);
            let mut seen = vec![false; ranges.len()];
            for m in &plan {
                for &i in &m.members {
                    prop_assert!(m.range.start <= ranges[i].start && ranges[i].end <= m.range.end);
                    seen[i] = true;
                }
            }
            for (i, r) in ranges.iter().enumerate() {
                prop_assert!(seen[i] || r.is_empty());
            }
            for w in plan.windows(2) {
                prop_assert!(w[1].range.start > w[0].range.end + gap);
            }
        }
    }
}
