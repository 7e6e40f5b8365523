use super::*;

#[test]
fn nearest_indices_follow_gdal_formula() {
    // 512 px into 256: every other pixel, starting at 1
    let idx = nearest_indices(0.0, 512.0, 256);
    assert_eq!(&idx[..3], &[1, 3, 5]);
    // identity
    assert_eq!(nearest_indices(10.0, 4.0, 4), vec![10, 11, 12, 13]);
    // exact .5 boundaries round up thanks to the epsilon
    assert_eq!(nearest_indices(0.0, 3.0, 2), vec![0, 2]);
}

#[test]
fn average_of_constant_is_constant_and_masks_propagate() {
    let values = vec![7.0; 16];
    let mut valid = vec![255u8; 16];
    valid[0] = 0;
    let p = Plane {
        width: 4,
        height: 4,
        values: &values,
        valid: &valid,
    };
    let (out, ok) = resample(&p, 0.0, 0.0, 4.0, 4.0, 2, 2, Resampling::Average);
    assert_eq!(out, vec![7.0; 4]);
    assert_eq!(ok, vec![255; 4]);
    let (out, _) = resample(&p, 0.0, 0.0, 4.0, 4.0, 2, 2, Resampling::Bilinear);
    assert!(out.iter().all(|v| (v - 7.0).abs() < 1e-9));
    // a window entirely outside is invalid
    let (_, ok) = resample(&p, 10.0, 10.0, 4.0, 4.0, 2, 2, Resampling::Average);
    assert_eq!(ok, vec![0; 4]);
}

/// A whole-raster read of `w × w` pixels into `b × b`.
fn whole(w: usize, b: usize) -> RasterIo {
    RasterIo {
        level: (w, w),
        int_window: IntWindow {
            x_off: 0,
            y_off: 0,
            width: w as i64,
            height: w as i64,
        },
        window: Window {
            col_off: 0.0,
            row_off: 0.0,
            width: w as f64,
            height: w as f64,
        },
        buf: (b, b),
        block_width: w,
        dataset_level: false,
    }
}

fn conv(values: &[f64], nodata: Option<f64>, dtype: DataType, m: Resampling) -> Vec<f64> {
    let mask: Option<Vec<u8>> = nodata.map(|nd| {
        values
            .iter()
            .map(|&v| if v == nd { 0 } else { 255 })
            .collect()
    });
    let src = BandSource {
        origin: (0, 0),
        width: 8,
        height: 8,
        values,
        mask: mask.as_deref(),
    };
    convolve(&whole(8, 4), m, &src, OutputRule { nodata, dtype })
}

#[test]
fn chunk_source_window_is_padded_by_radius_times_rounded_factor() {
    // 40 px from (10, 10) into 20: factor 2, bilinear radius 1 -> 2 px each side, and
    // GDAL reads one more pixel after the window's end (its `+ 1` on the chunk end)
    let rio = RasterIo {
        int_window: IntWindow {
            x_off: 10,
            y_off: 10,
            width: 40,
            height: 40,
        },
        window: Window {
            col_off: 10.0,
            row_off: 10.0,
            width: 40.0,
            height: 40.0,
        },
        buf: (20, 20),
        ..whole(100, 20)
    };
    assert_eq!(rio.source_rect(Resampling::Bilinear), Some((8, 8, 53, 53)));
    // lanczos: radius 3 -> 6 px, clipped to the raster at the top left
    let at0 = RasterIo {
        buf: (20, 20),
        ..whole(100, 20)
    };
    assert_eq!(at0.source_rect(Resampling::Lanczos), Some((0, 0, 100, 100)));
    assert_eq!(whole(100, 20).chunks(Resampling::Cubic).len(), 1);
}

#[test]
fn bilinear_downsampling_widens_the_kernel_and_renormalises_at_edges() {
    // v = column; 8 -> 4: taps at distance 0.25 / 0.75 (scaled by 1/2) weigh 0.75 / 0.25;
    // the first column loses the tap left of the raster: (0·.75 + 1·.75 + 2·.25) / 1.75
    // (GDAL 3.10 gives 0.71428573, 2.5, 4.5, 6.285714 in float32)
    let v: Vec<f64> = (0..64).map(|i| (i % 8) as f64).collect();
    let out = conv(&v, None, DataType::F32, Resampling::Bilinear);
    let row: Vec<f32> = out[..4].iter().map(|&x| x as f32).collect();
    assert_eq!(row, vec![0.71428573, 2.5, 4.5, 6.285714]);
    assert_eq!(out[4..8], out[..4]);
}

#[test]
fn cubic_with_nodata_fails_when_the_valid_run_is_under_half_the_taps() {
    // columns >= 2 are nodata (-1). Output column 0 has taps 0..4 (5, need 2 valid in a
    // row): only the two central taps count, equal weights -> 0.5. Column 1 has taps 0..6
    // (7, need 3): the run of 2 fails -> nodata. GDAL: [0.5, -1, -1, -1]
    let v: Vec<f64> = (0..64)
        .map(|i| if i % 8 >= 2 { -1.0 } else { (i % 8) as f64 })
        .collect();
    let out = conv(&v, Some(-1.0), DataType::F32, Resampling::Cubic);
    assert_eq!(out[..4], [0.5, -1.0, -1.0, -1.0]);
}

#[test]
fn a_result_rounding_to_nodata_is_nudged_off_it() {
    // columns alternate 4 and 6 with nodata 5: 4.857 and 5.0 both round to 5 and become
    // 6 (GDAL's replacement value nodata + 1): [6, 6, 6, 6]
    let v: Vec<f64> = (0..64)
        .map(|i| if i % 2 == 0 { 4.0 } else { 6.0 })
        .collect();
    let out = conv(&v, Some(5.0), DataType::U8, Resampling::Bilinear);
    assert_eq!(out[..4], [6.0, 6.0, 6.0, 6.0]);
}
