//! Which dataset, which bands, how to read them: TiTiler's `DatasetPathParams`,
//! `BidxExprParams` and `DatasetParams`.

use serde_json::{json, Value};

use super::catalog::{RIO_RESAMPLING, WARP_RESAMPLING};
use crate::mosaic::PixelSelection;
use crate::server::query::Query;
use crate::server::validation::{parse_float, parse_int, Errors, Source};

/// A `nodata=` override: TiTiler accepts `nan`, `inf`, `-inf`, an int or a float.
pub type Nodata = f64;

/// The dataset and band selection of every `/cog/*` data endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetParams {
    /// `url` (required): a path, `file://`, `http(s)://` or `s3://` URL.
    pub url: String,
    /// `bidx` (repeatable): 1-based band indexes; `None` means all non-alpha bands.
    pub bidx: Option<Vec<i64>>,
    /// `expression`: band math (`b1/b2;b3`); overrides `bidx` like rio-tiler.
    pub expression: Option<String>,
    /// `nodata`: overrides the dataset's nodata (the mask becomes `data == nodata`).
    pub nodata: Option<Nodata>,
    /// `unscale`: apply the bands' scale/offset (output float32).
    pub unscale: bool,
    /// `resampling`: RasterIO resampling (overview decimation), default `nearest`.
    pub resampling: &'static str,
    /// `reproject`: warp resampling when CRSs differ, default `nearest`.
    pub reproject: &'static str,
    /// `/stac`: which assets, and how they become bands (`None` on `/cog`).
    pub assets: Option<AssetsParams>,
    /// `/mosaicjson`: how the assets of a tile are merged (`None` elsewhere).
    pub mosaic: Option<MosaicParams>,
}

/// `/mosaicjson`'s layer parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MosaicParams {
    /// `pixel_selection` (default `first`).
    pub pixel_selection: PixelSelection,
}

impl MosaicParams {
    /// Parses `pixel_selection` (a 422 literal error naming the nine methods).
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<MosaicParams> {
        let pixel_selection = match q.get("pixel_selection") {
            None => PixelSelection::First,
            Some(s) => {
                let names: Vec<&str> = PixelSelection::ALL.iter().map(|m| m.name()).collect();
                let name = errs.literal(Source::Query, "pixel_selection", s, &names, false)?;
                PixelSelection::parse(name).ok()?
            }
        };
        Some(MosaicParams { pixel_selection })
    }
}

/// `/stac`'s layer parameters (TiTiler's `AssetsExprParams`; `expression` stays in
/// [`DatasetParams`] and then applies to the stacked bands `b1..bN`).
#[derive(Clone, Debug, PartialEq)]
pub struct AssetsParams {
    /// `assets` (required, repeatable): `name` or `name|bidx=1,2|expression=...|bands=a,b`;
    /// `[":all:"]` means every readable asset where TiTiler allows it.
    pub assets: Vec<String>,
    /// `asset_as_band`: name the bands after the assets (one band each).
    pub asset_as_band: bool,
}

impl AssetsParams {
    /// Parses `assets` (a 422 when missing) and `asset_as_band`.
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<AssetsParams> {
        let assets: Vec<String> = q.get_all("assets").iter().map(|s| s.to_string()).collect();
        if assets.is_empty() {
            errs.missing(Source::Query, "assets");
        }
        let asset_as_band = match q.get("asset_as_band") {
            None => Some(false),
            Some(s) => errs.bool(Source::Query, "asset_as_band", s),
        };
        if assets.is_empty() {
            return None;
        }
        Some(AssetsParams {
            assets,
            asset_as_band: asset_as_band?,
        })
    }
}

impl DatasetParams {
    /// Parses the dataset parameters, recording every problem in `errs`.
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<DatasetParams> {
        let url = match q.get("url") {
            Some(u) => Some(u.to_string()),
            None => {
                errs.missing(Source::Query, "url");
                None
            }
        };
        let bidx = parse_bidx(q, errs);
        let expression = q.get("expression").map(str::to_string);
        let nodata = match q.get("nodata") {
            None => Some(None),
            Some(s) => parse_nodata(s, errs).map(Some),
        };
        let unscale = match q.get("unscale") {
            None => Some(false),
            Some(s) => errs.bool(Source::Query, "unscale", s),
        };
        let resampling = match q.get("resampling") {
            None => Some("nearest"),
            Some(s) => errs.literal(Source::Query, "resampling", s, RIO_RESAMPLING, false),
        };
        let reproject = match q.get("reproject") {
            None => Some("nearest"),
            Some(s) => errs.literal(Source::Query, "reproject", s, WARP_RESAMPLING, false),
        };
        Some(DatasetParams {
            url: url?,
            bidx: bidx?,
            expression,
            nodata: nodata?,
            unscale: unscale?,
            resampling: resampling?,
            reproject: reproject?,
            assets: None,
            mosaic: None,
        })
    }
}

/// `bidx` as a list of ints; each bad item is reported with its index in `loc`.
pub fn parse_bidx(q: &Query, errs: &mut Errors) -> Option<Option<Vec<i64>>> {
    let raw = q.get_all("bidx");
    if raw.is_empty() {
        return Some(None);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut ok = true;
    for (i, s) in raw.iter().enumerate() {
        match errs.int(Source::Query, "bidx", &[json!(i)], s) {
            Some(v) => out.push(v),
            None => ok = false,
        }
    }
    ok.then_some(Some(out))
}

/// `nodata` is `Union[Literal['nan','inf','-inf'], int, float]`: pydantic reports one entry
/// per union member when all fail (cases/err_bad_nodata.json).
fn parse_nodata(s: &str, errs: &mut Errors) -> Option<f64> {
    match s {
        "nan" => return Some(f64::NAN),
        "inf" => return Some(f64::INFINITY),
        "-inf" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    if let Some(i) = parse_int(s) {
        return Some(i as f64);
    }
    if let Some(f) = parse_float(s) {
        return Some(f);
    }
    let lit = "'nan', 'inf' or '-inf'";
    errs.add(
        Source::Query,
        "nodata",
        &[json!("literal['nan','inf','-inf']")],
        "literal_error",
        format!("Input should be {lit}"),
        json!(s),
        Some(json!({ "expected": lit })),
    );
    errs.add(
        Source::Query,
        "nodata",
        &[json!("int")],
        "int_parsing",
        "Input should be a valid integer, unable to parse string as an integer",
        json!(s),
        None,
    );
    errs.add(
        Source::Query,
        "nodata",
        &[json!("float")],
        "float_parsing",
        "Input should be a valid number, unable to parse string as a number",
        Value::String(s.to_string()),
        None,
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::params::tests::case_detail;

    fn parse(raw: &str) -> Result<DatasetParams, Value> {
        let mut errs = Errors::new();
        let p = DatasetParams::parse(&Query::parse(raw, false), &mut errs);
        match p {
            Some(p) if errs.is_empty() => Ok(p),
            _ => Err(crate::server::error::ApiError::validation(errs.into_vec()).body_json()),
        }
    }

    #[test]
    fn defaults() {
        let p = parse("url=a.tif").unwrap();
        assert_eq!(p.url, "a.tif");
        assert_eq!(p.bidx, None);
        assert!(!p.unscale);
        assert_eq!((p.resampling, p.reproject), ("nearest", "nearest"));
        let p = parse("url=a&bidx=3&bidx=1&nodata=-9999&unscale=true&reproject=bilinear").unwrap();
        assert_eq!(p.bidx, Some(vec![3, 1]));
        assert_eq!(p.nodata, Some(-9999.0));
        assert!(p.unscale);
        assert_eq!(p.reproject, "bilinear");
        assert!(parse("url=a&nodata=nan").unwrap().nodata.unwrap().is_nan());
    }

    #[test]
    fn recorded_422_shapes() {
        for (case, raw) in [
            ("err_missing_url", ""),
            ("err_bad_nodata", "url=x&nodata=xyz"),
            ("err_bad_resampling", "url=x&resampling=fancy"),
            ("err_bidx_nonint", "url=x&bidx=abc"),
        ] {
            let got = parse(raw).unwrap_err();
            assert_eq!(got, case_detail(case), "{case}");
        }
    }
}
