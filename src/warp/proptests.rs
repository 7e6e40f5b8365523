//! Property tests of warp invariants.

use proptest::prelude::*;

use super::kernel::Source;
use super::*;

/// Maps destination pixels to source pixels by a shift and scale (no CRS change).
struct Affine {
    dx: f64,
    dy: f64,
    s: f64,
}

impl PixelTransform for Affine {
    fn transform(&self, xs: &mut [f64], ys: &mut [f64], _ok: &mut [bool]) {
        for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
            *x = *x * self.s + self.dx;
            *y = *y * self.s + self.dy;
        }
    }
}

fn methods() -> impl Strategy<Value = Resampling> {
    prop::sample::select(Resampling::ALL.to_vec())
}

proptest! {
    #[test]
    fn identity_warp_returns_source(w in 1usize..40, h in 1usize..40, seed in 0u64..1000) {
        let vals: Vec<f64> = (0..w * h).map(|i| ((i as u64 * 2654435761 + seed) % 1000) as f64).collect();
        let valid = vec![255u8; w * h];
        let bands = vec![vals.clone()];
        let src = Source { x_off: 0, y_off: 0, width: w, height: h, bands: &bands, valid: &valid };
        let t = Affine { dx: 0.0, dy: 0.0, s: 1.0 };
        let approx = ApproxTransform { exact: &t, max_error: DEFAULT_MAX_ERROR };
        let rows: Vec<usize> = (0..h).collect();
        let cols: Vec<usize> = (0..w).collect();
        let map = map_pixels(&approx, w, w, &rows, &cols);
        for m in [Resampling::Nearest, Resampling::Bilinear, Resampling::Cubic, Resampling::Average, Resampling::Mode, Resampling::Min, Resampling::Max, Resampling::Med] {
            let out = warp_points(&src, &map, m);
            prop_assert!(out.valid.iter().all(|v| *v == 255));
            for (a, b) in out.bands[0].iter().zip(&vals) {
                prop_assert!((a - b).abs() < 1e-9, "{m}: {a} != {b}");
            }
        }
    }

    #[test]
    fn masks_never_invent_data(
        w in 2usize..30, h in 2usize..30, dx in -10.0f64..10.0, dy in -10.0f64..10.0,
        s in 0.3f64..3.0, holes in prop::collection::vec(any::<bool>(), 900), m in methods()
    ) {
        let valid: Vec<u8> = (0..w * h).map(|i| if holes[i % holes.len()] { 0 } else { 255 }).collect();
        // invalid pixels hold a poison value that must never reach a valid output
        let vals: Vec<f64> = valid.iter().map(|v| if *v == 0 { 1e9 } else { 1.0 }).collect();
        let bands = vec![vals];
        let src = Source { x_off: 0, y_off: 0, width: w, height: h, bands: &bands, valid: &valid };
        let t = Affine { dx, dy, s };
        let rows: Vec<usize> = (0..20).collect();
        let cols: Vec<usize> = (0..20).collect();
        let map = map_pixels(&t, 20, 20, &rows, &cols);
        let out = warp_points(&src, &map, m);
        let any_valid = valid.iter().any(|v| *v != 0);
        for (v, ok) in out.bands[0].iter().zip(&out.valid) {
            if *ok != 0 {
                prop_assert!(any_valid);
                // sums/rms of valid ones stay small; poison would be >= 1e8 times smaller weights
                prop_assert!(*v < 1e8, "{m}: poison leaked: {v}");
            }
        }
        if !any_valid {
            prop_assert!(out.valid.iter().all(|v| *v == 0));
        }
    }

    #[test]
    fn decimation_indices_stay_in_window(off in 0.0f64..100.0, size in 1.0f64..500.0, buf in 1usize..300) {
        let idx = decimate::nearest_indices(off, size, buf);
        prop_assert_eq!(idx.len(), buf);
        for w in idx.windows(2) {
            prop_assert!(w[0] <= w[1]);
        }
        prop_assert!(idx[0] as f64 >= off.floor());
        prop_assert!((*idx.last().unwrap() as f64) < off + size + 1.0);
    }
}
