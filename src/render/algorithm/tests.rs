use super::*;
use crate::raster::{Raster, Samples};
use crate::render::test_support::shared;

fn case_json(name: &str) -> Option<Value> {
    let p = shared("conformance/cases")?.join(format!("{name}.json"));
    let v: Value = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
    Some(v["expect"]["json"].clone())
}

#[test]
fn list_and_metadata_equal_recorded_titiler_documents() {
    let Some(listing) = case_json("algorithms") else {
        return;
    };
    assert_eq!(list("{server}"), listing);
    for (case, id) in [
        ("algorithm_hillshade", "hillshade"),
        ("algorithm_contours", "contours"),
        ("algorithm_normalizedindex", "normalizedIndex"),
        ("algorithm_terrainrgb", "terrainrgb"),
    ] {
        assert_eq!(metadata(id).unwrap(), case_json(case).unwrap(), "{id}");
    }
    assert!(metadata("nope").is_none());
}

#[test]
fn params_are_validated_like_pydantic() {
    let a = Algorithm::new(
        "hillshade",
        Some(r#"{"azimuth": 315, "angle_altitude": 30, "z_exaggeration": 2}"#),
    )
    .unwrap();
    assert_eq!(a.buffer(), 3);
    assert_eq!(
        Algorithm::new("hillshade", Some(r#"{"buffer": "5"}"#))
            .unwrap()
            .buffer(),
        5
    );
    let e = Algorithm::new("hillshade", Some(r#"{"azimuth": 400}"#)).unwrap_err();
    assert_eq!(e.status(), 400);
    let e = Algorithm::new("hillshade", Some(r#"{"azimuth": 1.5}"#)).unwrap_err();
    assert_eq!(e.status(), 400);
    let e = Algorithm::new("hillshade", Some("{bad")).unwrap_err();
    assert_eq!(e.status(), 422);
    let e = Algorithm::new("nope", None).unwrap_err();
    assert_eq!(e.status(), 422);
    // extra keys are ignored (extra="allow")
    assert!(Algorithm::new("slope", Some(r#"{"foo": 1}"#)).is_ok());
}

fn img(data: Samples, bands: usize, w: usize, h: usize) -> Image {
    Image::new(Raster {
        width: w,
        height: h,
        bands,
        data,
        mask: vec![255; w * h],
    })
    .unwrap()
}

#[test]
fn band_reductions() {
    let im = img(Samples::U8(vec![1, 10, 5, 20, 3, 30]), 3, 2, 1);
    let run = |id: &str| Algorithm::new(id, None).unwrap().apply(&im).unwrap();
    assert_eq!(run("min").raster.data, Samples::U8(vec![1, 10]));
    assert_eq!(run("max").raster.data, Samples::U8(vec![5, 30]));
    assert_eq!(run("sum").raster.data, Samples::F64(vec![9.0, 60.0]));
    assert_eq!(run("mean").raster.data, Samples::F64(vec![3.0, 20.0]));
    assert_eq!(run("median").raster.data, Samples::F64(vec![3.0, 20.0]));
    assert_eq!(run("var").raster.data, Samples::F64(vec![4.0, 100.0]));
    assert_eq!(run("std").raster.data, Samples::F64(vec![2.0, 10.0]));
    // 1*0.299 + 5*0.587 + 3*0.114 = 3.576 → 3 ; 10*.299+20*.587+30*.114 = 18.15 → 18
    assert_eq!(run("grayscale").raster.data, Samples::U8(vec![3, 18]));
    assert_eq!(run("bitonal").raster.data, Samples::U8(vec![0, 0]));
}

#[test]
fn casts_wrap_like_numpy() {
    let im = img(Samples::F32(vec![1.5, 255.5, 256.2, -1.2]), 1, 4, 1);
    let run = |id: &str| {
        Algorithm::new(id, None)
            .unwrap()
            .apply(&im)
            .unwrap()
            .raster
            .data
    };
    assert_eq!(run("cast"), Samples::U8(vec![1, 255, 0, 255]));
    assert_eq!(run("ceil"), Samples::U8(vec![2, 0, 1, 255]));
    assert_eq!(run("floor"), Samples::U8(vec![1, 255, 0, 254]));
}

#[test]
fn normalized_index_masks_zero_sums() {
    let im = img(Samples::U16(vec![100, 0, 300, 0]), 2, 2, 1);
    let out = Algorithm::new("normalizedIndex", None)
        .unwrap()
        .apply(&im)
        .unwrap();
    assert_eq!(out.raster.data, Samples::F32(vec![0.5, 0.0]));
    assert_eq!(out.raster.mask, vec![255, 0]);
    assert_eq!(
        out.band_descriptions,
        vec!["(b2 - b1) / (b2 + b1)".to_string()]
    );
}

#[test]
fn terrain_encodings() {
    // terrainrgb: (h + 10000) / 0.1 → 100000 + 10*h ; h = 0 → 100000 = 0x0186A0
    let im = img(Samples::F32(vec![0.0, 100.0]), 1, 2, 1);
    let out = Algorithm::new("terrainrgb", None)
        .unwrap()
        .apply(&im)
        .unwrap();
    assert_eq!(
        out.raster.data,
        Samples::U8(vec![0x01, 0x01, 0x86, 0x8a, 0xa0, 0x88])
    );
    // terrarium: h = 0 → 32768 → (128, 0, 0); h = 1.5 → 32769.5 → (128, 1, 128)
    let im = img(Samples::F32(vec![0.0, 1.5]), 1, 2, 1);
    let out = Algorithm::new("terrarium", None)
        .unwrap()
        .apply(&im)
        .unwrap();
    assert_eq!(out.raster.data, Samples::U8(vec![128, 128, 0, 1, 0, 128]));
}

#[test]
fn hillshade_of_a_flat_surface_is_uniform_and_buffer_is_cropped() {
    let im = img(Samples::F32(vec![100.0; 100]), 1, 10, 10);
    let out = Algorithm::new("hillshade", None)
        .unwrap()
        .apply(&im)
        .unwrap();
    assert_eq!((out.width(), out.height()), (4, 4));
    // flat: slope = pi/2 → shaded = sin(45°) → 255 * (1 + 0.7071) / 2 = 217.6
    assert_eq!(out.raster.data, Samples::U8(vec![217; 16]));
    let e = Algorithm::new("hillshade", Some(r#"{"buffer": 5}"#))
        .unwrap()
        .apply(&im)
        .unwrap_err();
    assert_eq!(e.status(), 400);
}

#[test]
fn literal_choices_match_the_recorded_422_message() {
    let Some(dir) = shared("conformance/cases") else {
        return;
    };
    let case: Value =
        serde_json::from_slice(&std::fs::read(dir.join("err_bad_algorithm.json")).unwrap())
            .unwrap();
    let msg = case["expect"]["json"]["detail"][0]["msg"].as_str().unwrap();
    assert_eq!(
        msg,
        format!("Input should be {}", crate::render::literal_choices(IDS))
    );
    let case: Value =
        serde_json::from_slice(&std::fs::read(dir.join("err_bad_colormap_name.json")).unwrap())
            .unwrap();
    let msg = case["expect"]["json"]["detail"][0]["msg"].as_str().unwrap();
    assert_eq!(
        msg,
        format!(
            "Input should be {}",
            crate::render::literal_choices(crate::render::named::names())
        )
    );
}
