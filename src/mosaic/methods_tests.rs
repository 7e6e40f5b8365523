//! rio-tiler's pixel-selection methods against oracle values numpy/rio-tiler computed.

// The generated oracle values include numpy's sqrt(2), which clippy takes for a typo.
#![allow(clippy::approx_constant)]

use super::*;
use crate::crs::Crs;

type Input = (
    &'static str,
    &'static str,
    &'static [Option<&'static [(&'static [f64], &'static [u8])]>],
);
type Expected = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    &'static [usize],
    &'static [f64],
    &'static [u8],
    &'static [u8],
);
include!("oracle_cases.rs");

const W: usize = 4;
const H: usize = 2;

fn dtype(name: &str) -> DataType {
    match name {
        "uint8" => DataType::U8,
        "int16" => DataType::I16,
        "float32" => DataType::F32,
        "float64" => DataType::F64,
        other => panic!("{other}"),
    }
}

fn image(dt: DataType, bands: &[(&[f64], &[u8])]) -> ImageData {
    let vals: Vec<f64> = bands.iter().flat_map(|b| b.0.iter().copied()).collect();
    let band_masks: Vec<Vec<u8>> = bands
        .iter()
        .map(|b| b.1.iter().map(|&v| v * 255).collect())
        .collect();
    let mask = (0..W * H)
        .map(|p| {
            if band_masks.iter().any(|m| m[p] != 0) {
                255
            } else {
                0
            }
        })
        .collect();
    let n = bands.len();
    ImageData {
        raster: Raster {
            width: W,
            height: H,
            bands: n,
            data: cast_trunc(dt, &vals),
            mask,
        },
        band_masks,
        alpha: None,
        bounds: [0.0, 0.0, 1.0, 1.0],
        crs: Crs::wgs84(),
        band_names: (1..=n).map(|i| format!("b{i}")).collect(),
        band_descriptions: (1..=n).map(|i| format!("band {i}")).collect(),
        dataset_statistics: None,
        scales: vec![1.0; n],
        offsets: vec![0.0; n],
        nodata: None,
    }
}

/// Every method on every synthetic case, against rio-tiler's output (data under the mask
/// included, since TiTiler's `.npy` shows it).
#[test]
fn nine_methods_match_rio_tiler() {
    assert_eq!(EXPECTED.len(), 36);
    for &(case, method, want_dtype, want_bands, want_used, want_data, want_valid, want_mask) in
        EXPECTED
    {
        let (_, in_dtype, images) = INPUTS.iter().find(|i| i.0 == case).unwrap();
        let mut m = Mosaicker::new(PixelSelection::parse(method).unwrap());
        let mut used = Vec::new();
        for (i, img) in images.iter().enumerate() {
            // `None`: the asset raised TileOutsideBounds and is skipped.
            let Some(bands) = img else { continue };
            used.push(i);
            if m.feed(image(dtype(in_dtype), bands)).unwrap() {
                break;
            }
        }
        let ctx = format!("{case}/{method}");
        assert_eq!(used, want_used, "{ctx}: assets used");
        let out = m.finish().unwrap();
        assert_eq!(out.raster.dtype(), dtype(want_dtype), "{ctx}: dtype");
        assert_eq!(out.raster.bands, want_bands, "{ctx}: bands");
        let got: Vec<f64> = out.raster.data.to_f64_vec();
        assert_eq!(got, want_data, "{ctx}: data");
        let valid: Vec<u8> = out.band_masks.iter().flatten().map(|&v| v / 255).collect();
        assert_eq!(valid, want_valid, "{ctx}: per-band mask");
        let mask: Vec<u8> = out.raster.mask.iter().map(|&v| v / 255).collect();
        assert_eq!(mask, want_mask, "{ctx}: any-band mask");
        assert_eq!(
            out.band_names.len(),
            images.iter().flatten().next().unwrap().len()
        );
        assert_eq!(out.scales.len(), want_bands);
    }
}

#[test]
fn names_parse_and_unknown_ones_list_the_literals() {
    for m in PixelSelection::ALL {
        assert_eq!(PixelSelection::parse(m.name()).unwrap(), m);
    }
    let err = PixelSelection::parse("lastbandhight").unwrap_err();
    assert_eq!(
        err.to_string(),
        "pixel_selection \"lastbandhight\": Input should be 'first', 'highest', 'lowest', 'mean', 'median', 'stdev', 'lastbandlow', 'lastbandhigh' or 'count'"
    );
    assert!(matches!(err, Error::UnknownPixelSelection { name } if name == "lastbandhight"));
    assert_eq!(PixelSelection::default(), PixelSelection::First);
}

#[test]
fn mismatched_inputs_are_errors_not_panics() {
    let one = image(DataType::U8, &[(&[1.0; 8], &[1; 8])]);
    let two = image(DataType::U8, &[(&[1.0; 8], &[1; 8]), (&[1.0; 8], &[1; 8])]);
    let mut m = Mosaicker::new(PixelSelection::Mean);
    m.feed(one.clone()).unwrap();
    assert!(matches!(
        m.feed(two.clone()),
        Err(Error::BandCount {
            expected: 1,
            got: 2
        })
    ));
    let mut other_type = one.clone();
    other_type.raster.data = Samples::I16(vec![1; 8]);
    assert!(matches!(m.feed(other_type), Err(Error::Malformed(_))));
    let mut short = one.clone();
    short.raster.mask.pop();
    assert!(matches!(m.feed(short), Err(Error::Malformed(_))));
    assert!(Mosaicker::new(PixelSelection::First).finish().is_none());
}

#[test]
fn count_widens_past_255_images() {
    let img = image(DataType::U8, &[(&[1.0; 8], &[1, 0, 1, 1, 1, 1, 1, 1])]);
    let mut m = Mosaicker::new(PixelSelection::Count);
    for _ in 0..300 {
        m.feed(img.clone()).unwrap();
    }
    let out = m.finish().unwrap();
    assert_eq!(
        out.raster.data,
        Samples::U32(vec![300, 0, 300, 300, 300, 300, 300, 300])
    );
}
