//! Statistics and image-size parameters (TiTiler's `StatisticsParams`, `HistogramParams`,
//! `PreviewParams` / `PartFeatureParams`).

use serde_json::json;

use super::tile::positive_u32;
use crate::server::query::Query;
use crate::server::validation::{parse_float, parse_int, Errors, Source};

/// pydantic pattern TiTiler puts on `histogram_range` (quoted verbatim in its 422).
pub const HISTOGRAM_RANGE_PATTERN: &str =
    r"^\s*(-)?\d+((\.\d+)(e\d+)?)?\s*,\s*(-)?\d+((\.\d+)(e\d+)?)?\s*$";

/// `histogram_bins`: a bin count or explicit edges.
#[derive(Clone, Debug, PartialEq)]
pub enum HistogramBins {
    Count(u32),
    Edges(Vec<f64>),
}

/// What `/statistics` computes.
#[derive(Clone, Debug, PartialEq)]
pub struct StatisticsParams {
    /// `categorical`: count unique values instead of a histogram.
    pub categorical: bool,
    /// `c` (repeatable): categories to report.
    pub categories: Vec<f64>,
    /// `p` (repeatable): percentiles, default `[2, 98]`.
    pub percentiles: Vec<i64>,
    /// `histogram_bins`, default 10.
    pub histogram_bins: HistogramBins,
    /// `histogram_range`: `min,max`.
    pub histogram_range: Option<(f64, f64)>,
}

impl StatisticsParams {
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<StatisticsParams> {
        let categorical = match q.get("categorical") {
            None => Some(false),
            Some(s) => errs.bool(Source::Query, "categorical", s),
        };
        let mut ok = true;
        let mut categories = Vec::new();
        for (i, s) in q.get_all("c").iter().enumerate() {
            match errs.float(Source::Query, "c", &[json!(i)], s) {
                Some(v) => categories.push(v),
                None => ok = false,
            }
        }
        let raw_p = q.get_all("p");
        let mut percentiles = Vec::new();
        if raw_p.is_empty() {
            percentiles = vec![2, 98];
        }
        for (i, s) in raw_p.iter().enumerate() {
            match errs.int(Source::Query, "p", &[json!(i)], s) {
                Some(v) => percentiles.push(v),
                None => ok = false,
            }
        }
        let histogram_bins = match q.get("histogram_bins") {
            None => Some(HistogramBins::Count(10)),
            Some(s) => parse_bins(s, errs),
        };
        let histogram_range = match q.get("histogram_range") {
            None => Some(None),
            Some(s) => match parse_range(s) {
                Some(r) => Some(Some(r)),
                None => {
                    errs.pattern_mismatch(
                        Source::Query,
                        "histogram_range",
                        &[],
                        s,
                        HISTOGRAM_RANGE_PATTERN,
                    );
                    None
                }
            },
        };
        if !ok {
            return None;
        }
        Some(StatisticsParams {
            categorical: categorical?,
            categories,
            percentiles,
            histogram_bins: histogram_bins?,
            histogram_range: histogram_range?,
        })
    }
}

fn parse_bins(s: &str, errs: &mut Errors) -> Option<HistogramBins> {
    let parts: Vec<&str> = s.split(',').collect();
    if let [one] = parts.as_slice() {
        if let Some(n) = parse_int(one).filter(|n| *n > 0 && *n <= 100_000) {
            return Some(HistogramBins::Count(n as u32));
        }
    } else if let Some(edges) = parts
        .iter()
        .map(|p| parse_float(p))
        .collect::<Option<Vec<f64>>>()
    {
        if edges.windows(2).all(|w| w[0] < w[1]) {
            return Some(HistogramBins::Edges(edges));
        }
    }
    errs.value_error(
        Source::Query,
        "histogram_bins",
        "histogram_bins must be a positive bin count or increasing comma-separated edges",
        json!(s),
    );
    None
}

/// Matches [`HISTOGRAM_RANGE_PATTERN`] by hand and parses the two numbers.
fn parse_range(s: &str) -> Option<(f64, f64)> {
    fn number_ok(t: &str) -> bool {
        let t = t.strip_prefix('-').unwrap_or(t);
        let (int, rest) = match t.find('.') {
            Some(i) => (&t[..i], Some(&t[i + 1..])),
            None => (t, None),
        };
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) {
            return false;
        }
        match rest {
            None => true,
            Some(r) => match r.split_once('e') {
                Some((frac, exp)) => digits(frac) && digits(exp),
                None => digits(r),
            },
        }
    }
    let (a, b) = s.split_once(',')?;
    let (a, b) = (a.trim(), b.trim());
    if !number_ok(a) || !number_ok(b) {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Output size of preview-like reads: `max_size`, `width`, `height` (all `gt=0`).
#[derive(Clone, Debug, PartialEq)]
pub struct SizeParams {
    /// Longest side; `None` when width or height is given (TiTiler drops it then).
    pub max_size: Option<u32>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl SizeParams {
    /// `default_max_size` is 1024 for preview/statistics, `None` for bbox/feature.
    pub fn parse(
        q: &Query,
        default_max_size: Option<u32>,
        errs: &mut Errors,
    ) -> Option<SizeParams> {
        let max_size = positive_u32(q, "max_size", errs);
        let width = positive_u32(q, "width", errs);
        let height = positive_u32(q, "height", errs);
        let (max_size, width, height) = (max_size?, width?, height?);
        let max_size = if width.is_some() || height.is_some() {
            None
        } else {
            max_size.or(default_max_size)
        };
        Some(SizeParams {
            max_size,
            width,
            height,
        })
    }

    /// An output size given in the path (`{width}x{height}`, or a bbox's size segment):
    /// it replaces the query's, and `max_size` no longer applies (TiTiler drops it).
    pub fn set_size(&mut self, width: Option<u32>, height: Option<u32>) {
        self.width = width;
        self.height = height;
        self.max_size = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::error::ApiError;
    use crate::server::params::tests::case_detail;

    fn parse(raw: &str) -> Result<StatisticsParams, serde_json::Value> {
        let mut errs = Errors::new();
        match StatisticsParams::parse(&Query::parse(raw, false), &mut errs) {
            Some(p) if errs.is_empty() => Ok(p),
            _ => Err(ApiError::validation(errs.into_vec()).body_json()),
        }
    }

    #[test]
    fn stats_defaults_and_lists() {
        let p = parse("").unwrap();
        assert_eq!(p.percentiles, vec![2, 98]);
        assert_eq!(p.histogram_bins, HistogramBins::Count(10));
        let p = parse(
            "categorical=true&c=1&c=2.5&p=50&histogram_bins=0,1.5,3&histogram_range=-1.5,2.0e3",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(p.categorical);
        assert_eq!(p.categories, vec![1.0, 2.5]);
        assert_eq!(p.percentiles, vec![50]);
        assert_eq!(p.histogram_bins, HistogramBins::Edges(vec![0.0, 1.5, 3.0]));
        assert_eq!(p.histogram_range, Some((-1.5, 2000.0)));
    }

    #[test]
    fn histogram_range_pattern() {
        assert_eq!(parse_range(" -1 , 2.5 "), Some((-1.0, 2.5)));
        assert_eq!(parse_range("1.5e3,2"), Some((1500.0, 2.0)));
        assert_eq!(parse_range("1e3,2"), None);
        assert_eq!(parse_range("1"), None);
        assert_eq!(
            parse("histogram_range=1").unwrap_err(),
            case_detail("err_stats_bad_histogram_range")
        );
    }

    #[test]
    fn size_params() {
        let mut errs = Errors::new();
        let s = SizeParams::parse(&Query::parse("", false), Some(1024), &mut errs).unwrap();
        assert_eq!(s.max_size, Some(1024));
        let s = SizeParams::parse(
            &Query::parse("max_size=64&width=10", false),
            Some(1024),
            &mut errs,
        )
        .unwrap();
        assert_eq!((s.max_size, s.width, s.height), (None, Some(10), None));
        assert!(errs.is_empty());
    }
}
