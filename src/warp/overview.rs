//! Which overview GDAL reads from.
//!
//! A COG stores the image at several resolutions. When a read asks for fewer output pixels than
//! the window holds, GDAL (`GDALBandGetBestOverviewLevel2`, and `VRTWarpedRasterBand` for the
//! implicit overviews of a warped VRT) measures the *least* reduced axis of the request
//! (`desired = min(window_w / buf_w, window_h / buf_h)`, on the integer window) and takes the
//! most reduced overview whose factor is still below `desired × threshold + 0.1` (threshold 1.2
//! for nearest, 1.0 otherwise; the 0.1 is GDAL's guard against numerical noise, and it makes
//! a 2× overview acceptable down to a 1.58× request). An overview within 0.1 of the desired
//! factor ends the search at once. Using the same overview is the first condition for using
//! the same source pixels; the request window is then rescaled to the overview's grid.

use crate::affine::Window;

/// GDAL's tolerance on downsampling factors when choosing an overview.
const FACTOR_EPSILON: f64 = 0.1;

/// An integer pixel window: the one GDAL's RasterIO receives beside the floating-point window.
/// GDAL decides overviews on it, while pixels are sampled with the floating-point one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntWindow {
    pub x_off: i64,
    pub y_off: i64,
    pub width: i64,
    pub height: i64,
}

impl IntWindow {
    /// The integer window rasterio passes for a floating-point one: truncated offsets and
    /// `int(max(1, size))` sizes.
    pub fn of(w: &Window) -> IntWindow {
        IntWindow {
            x_off: w.col_off as i64,
            y_off: w.row_off as i64,
            width: w.width.max(1.0) as i64,
            height: w.height.max(1.0) as i64,
        }
    }
}

/// The chosen overview and the request windows rescaled to its grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OverviewChoice {
    /// Index into the overview list (0 = first overview, i.e. level 1 of a COG).
    pub index: usize,
    /// The integer request window in the overview's pixels (rounded like GDAL).
    pub int_window: IntWindow,
    /// The floating-point request window in the overview's pixels.
    pub window: Window,
}

/// GDAL's overview choice for reading `window` (full-resolution pixels, with rasterio's
/// integer window) into a `buf` of `buf_w × buf_h`. See [`select_overview`].
pub fn best_overview(
    full: (usize, usize),
    overviews: &[(usize, usize)],
    window: Window,
    buf: (usize, usize),
    threshold: f64,
) -> Option<OverviewChoice> {
    select_overview(
        full,
        overviews,
        IntWindow::of(&window),
        window,
        buf,
        threshold,
    )
}

/// GDAL's overview choice (`GDALBandGetBestOverviewLevel2`) for a request of the integer
/// window `req` / floating-point window `window` (full-resolution pixels) into `buf`. `full` is
/// the full-resolution size, `overviews` the overview sizes in the order the dataset lists
/// them. Returns `None` when the full resolution is used.
pub fn select_overview(
    full: (usize, usize),
    overviews: &[(usize, usize)],
    req: IntWindow,
    window: Window,
    buf: (usize, usize),
    threshold: f64,
) -> Option<OverviewChoice> {
    let (buf_w, buf_h) = (buf.0.max(1) as f64, buf.1.max(1) as f64);
    let (win_w, win_h) = (req.width as f64, req.height as f64);
    if !(buf_w < win_w || buf_h < win_h) {
        return None;
    }
    let desired = if win_w / buf_w < win_h / buf_h || buf.1 == 1 {
        win_w / buf_w
    } else {
        win_h / buf_h
    };
    let (fw, fh) = (full.0 as f64, full.1 as f64);
    let mut best: Option<(usize, f64)> = None;
    for (i, &(ow, oh)) in overviews.iter().enumerate() {
        if ow == 0 || oh == 0 || ow > full.0 || oh > full.1 {
            continue;
        }
        let factor = (fw / ow as f64).min(fh / oh as f64);
        if factor >= desired * threshold + FACTOR_EPSILON || best.is_some_and(|(_, b)| factor <= b)
        {
            continue;
        }
        best = Some((i, factor));
        if (desired - factor).abs() < FACTOR_EPSILON {
            break;
        }
    }
    let (index, _) = best?;
    let (ow, oh) = overviews[index];
    let (xf, yf) = (fw / ow as f64, fh / oh as f64);
    let x_off = ((req.x_off as f64 / xf + 0.5) as i64).min(ow as i64 - 1);
    let y_off = ((req.y_off as f64 / yf + 0.5) as i64).min(oh as i64 - 1);
    let mut width = ((req.width as f64 / xf + 0.5) as i64).max(1);
    let mut height = ((req.height as f64 / yf + 0.5) as i64).max(1);
    if x_off + width > ow as i64 {
        width = ow as i64 - x_off;
    }
    if y_off + height > oh as i64 {
        height = oh as i64 - y_off;
    }
    Some(OverviewChoice {
        index,
        int_window: IntWindow {
            x_off,
            y_off,
            width,
            height,
        },
        window: Window {
            col_off: window.col_off / xf,
            row_off: window.row_off / yf,
            width: window.width / xf,
            height: window.height / yf,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win(w: f64) -> Window {
        Window {
            col_off: 0.0,
            row_off: 0.0,
            width: w,
            height: w,
        }
    }

    #[test]
    fn picks_coarsest_overview_under_threshold() {
        let ovr = [(512, 512), (256, 256), (128, 128)];
        // 1024 px into 256: factor 4 exactly -> overview 2 (factor 4)
        assert_eq!(
            best_overview((1024, 1024), &ovr, win(1024.0), (256, 256), 1.2)
                .unwrap()
                .index,
            1
        );
        // 860 px into 256 (3.36): factor 4 < 3.36 * 1.2 + 0.1 for nearest, not for 1.0
        assert_eq!(
            best_overview((1024, 1024), &ovr, win(860.0), (256, 256), 1.2)
                .unwrap()
                .index,
            1
        );
        assert_eq!(
            best_overview((1024, 1024), &ovr, win(860.0), (256, 256), 1.0)
                .unwrap()
                .index,
            0
        );
        // upsampling never uses an overview
        assert!(best_overview((1024, 1024), &ovr, win(200.0), (256, 256), 1.2).is_none());
    }

    #[test]
    fn epsilon_admits_a_2x_overview_for_a_1_59x_request() {
        // TiTiler's giza tile 16/38433/27041 (band 1): the boundless VRT of 1025 px with its
        // 512 px implicit overview, read 407 px into 256 (1.59x) -> the overview is taken
        let c = best_overview((1025, 1025), &[(512, 512)], win(407.66), (256, 256), 1.2);
        assert_eq!(c.map(|c| c.index), Some(0));
        // 1.51x (rgbn tile 13/7394/5026) stays at full resolution
        assert!(best_overview((1024, 1024), &[(512, 512)], win(387.0), (256, 256), 1.2).is_none());
    }

    #[test]
    fn least_reduced_axis_decides() {
        let ovr = [(512, 512), (256, 256)];
        let w = Window {
            col_off: 100.0,
            row_off: 50.0,
            width: 1024.0,
            height: 256.0,
        };
        // x wants factor 4 but y only 1 -> full resolution
        assert!(best_overview((1024, 1024), &ovr, w, (256, 256), 1.2).is_none());
        let w = Window {
            col_off: 100.0,
            row_off: 50.0,
            width: 1024.0,
            height: 512.0,
        };
        let c = best_overview((1024, 1024), &ovr, w, (256, 256), 1.2).unwrap();
        assert_eq!(c.index, 0);
        assert_eq!(
            c.window,
            Window {
                col_off: 50.0,
                row_off: 25.0,
                width: 512.0,
                height: 256.0
            }
        );
        assert_eq!(
            c.int_window,
            // GDAL clips the rescaled window to the overview (50 + 512 > 512)
            IntWindow {
                x_off: 50,
                y_off: 25,
                width: 462,
                height: 256
            }
        );
    }
}
