use super::*;
use crate::warp::approx::tests::Curved;
use crate::warp::approx::{ApproxTransform, DEFAULT_MAX_ERROR};

#[test]
fn window_indices_are_row_major_in_the_window_and_none_outside() {
    let window = (10, 20, 13, 22); // 3 × 2 pixels from (10, 20)
    let pixels = [
        (10, 20),
        (12, 20),
        (10, 21),
        (12, 21),
        (9, 20),
        (13, 21),
        (11, 19),
        (11, 22),
        NO_PIXEL,
    ];
    let idx = window_indices(&pixels, window);
    let none = NO_SOURCE;
    assert_eq!(idx, vec![0, 2, 3, 5, none, none, none, none, none]);
    // an empty window takes nothing
    assert_eq!(window_indices(&pixels[..2], (5, 5, 5, 9)), vec![none, none]);
}

#[test]
fn nearest_pixels_match_the_kernel_rule() {
    let edge = u32::MAX as f64;
    let values = [
        0.0,
        -0.0,
        1e-11,
        -1e-11,
        -1e-9,
        0.5,
        1.0 - 1e-11,
        1.0,
        2.999999999999,
        511.5,
        edge - 1.0,
        edge - 1e-4,
        edge,
        edge + 1.0,
        1e300,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut map = CoordMap::with_capacity(values.len() * values.len() * 2);
    for &x in &values {
        for &y in &values {
            for ok in [true, false] {
                map.xs.push(x);
                map.ys.push(y);
                map.ok.push(ok);
            }
        }
    }
    let got = map.nearest_pixels();
    for (i, p) in got.iter().enumerate() {
        let want = match map.ok[i] {
            true => crate::warp::kernel::nearest_pixel(map.xs[i], map.ys[i]),
            false => None,
        };
        assert_eq!(
            *p,
            want.unwrap_or(NO_PIXEL),
            "({}, {})",
            map.xs[i],
            map.ys[i]
        );
    }
}

/// Each row's wanted columns picked out of whole `span`-wide scanlines through `t`.
fn reference(
    t: &dyn PixelTransform,
    grid_w: usize,
    span: usize,
    rows: &[usize],
    cols: &[usize],
) -> CoordMap {
    let mut m = CoordMap {
        rows: rows.to_vec(),
        cols: cols.to_vec(),
        xs: vec![],
        ys: vec![],
        ok: vec![],
    };
    for &r in rows {
        for &c in cols {
            let start = c / span * span;
            let end = (start + span).min(grid_w.max(c + 1));
            let mut xs: Vec<f64> = (start..end).map(|c| c as f64 + 0.5).collect();
            let mut ys = vec![r as f64 + 0.5; xs.len()];
            let mut ok = vec![true; xs.len()];
            t.transform(&mut xs, &mut ys, &mut ok);
            m.xs.push(xs[c - start]);
            m.ys.push(ys[c - start]);
            m.ok.push(ok[c - start]);
        }
    }
    m
}

#[test]
fn whole_rows_and_picked_columns_map_like_gdal_scanlines() {
    let approx = ApproxTransform {
        exact: &Curved,
        max_error: DEFAULT_MAX_ERROR,
    };
    let rows = [0, 3, 250];
    // a whole tile row at once (in place), a grid edge in a partial block, and picked columns
    let cases: [(usize, usize, Vec<usize>); 4] = [
        (256, 256, (0..256).collect()),
        (700, 512, (0..700).collect()),
        (700, 512, (512..700).collect()),
        (1000, 512, (0..1000).step_by(3).collect()),
    ];
    for (grid_w, span, cols) in cases {
        let got = map_pixels(&approx, grid_w, span, &rows, &cols);
        let want = reference(&approx, grid_w, span, &rows, &cols);
        assert_eq!(got.xs, want.xs, "grid {grid_w} span {span}");
        assert_eq!(got.ys, want.ys);
        assert_eq!(got.ok, want.ok);
    }
}

#[test]
fn nearest_map_row_by_row_equals_the_whole_map() {
    let approx = ApproxTransform {
        exact: &Curved,
        max_error: DEFAULT_MAX_ERROR,
    };
    let rows: Vec<usize> = (0..256).step_by(7).collect();
    for (grid_w, span, cols) in [
        (256, 256, (0..256).collect::<Vec<_>>()),
        (1000, 512, (0..1000).step_by(3).collect()),
    ] {
        let map = map_pixels(&approx, grid_w, span, &rows, &cols);
        let (pixels, window) = map_nearest(&approx, grid_w, span, &rows, &cols, 1);
        assert_eq!(pixels, map.nearest_pixels(), "grid {grid_w}");
        assert_eq!(window, map.source_window(1));
        assert!(window.is_some());
    }
}

#[test]
fn source_window_bounds_valid_finite_points_only() {
    let map = CoordMap {
        rows: vec![0],
        cols: vec![0, 1, 2, 3],
        xs: vec![2.5, f64::NAN, 10.2, -4.0],
        ys: vec![1.5, 0.0, 3.9, -100.0],
        ok: vec![true, true, true, false],
    };
    assert_eq!(map.source_window(1), Some((1, 0, 12, 5)));
    let none = CoordMap {
        ok: vec![false; 4],
        ..map
    };
    assert_eq!(none.source_window(1), None);
}
