//! Which overview GDAL reads from.
//!
//! A COG stores the image at several resolutions. When a read asks for fewer output pixels than
//! the window holds, GDAL (`GDALBandGetBestOverviewLevel2`, and `VRTWarpedRasterBand` for the
//! implicit overviews of a warped VRT) measures the *least* reduced axis of the request
//! (`desired = min(window_w / buf_w, window_h / buf_h)`) and takes the most reduced overview
//! whose factor is still below `desired × threshold` (1.2 for nearest, 1.01 otherwise). Using
//! the same overview is the first condition for using the same source pixels.

use super::Window;

/// The chosen overview and the request window rescaled to its grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OverviewChoice {
    /// Index into the overview list (0 = first overview, i.e. level 1 of a COG).
    pub index: usize,
    /// The request window in the overview's pixels (floating point, as rasterio asks).
    pub window: Window,
}

/// GDAL's overview choice for reading `window` (full-resolution pixels) into a `buf` of
/// `buf_w × buf_h`. `full` is the full-resolution size, `overviews` the overview sizes in the
/// order the dataset lists them. Returns `None` when the full resolution is used.
pub fn best_overview(
    full: (usize, usize),
    overviews: &[(usize, usize)],
    window: Window,
    buf: (usize, usize),
    threshold: f64,
) -> Option<OverviewChoice> {
    let (buf_w, buf_h) = (buf.0.max(1) as f64, buf.1.max(1) as f64);
    // GDAL decides on the integer window rasterio passes alongside the float one
    let (win_w, win_h) = (
        window.width.max(1.0).trunc(),
        window.height.max(1.0).trunc(),
    );
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
        let (rx, ry) = (fw / ow as f64, fh / oh as f64);
        let res = if rx < ry { rx } else { ry };
        if res >= desired * threshold || best.is_some_and(|(_, b)| res <= b) {
            continue;
        }
        best = Some((i, res));
    }
    let (index, _) = best?;
    let (ow, oh) = overviews[index];
    let (xf, yf) = (fw / ow as f64, fh / oh as f64);
    Some(OverviewChoice {
        index,
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
        // 1000 px into 256 (3.9): factor 4 < 3.9*1.2 for nearest, not for 1.01
        assert_eq!(
            best_overview((1024, 1024), &ovr, win(1000.0), (256, 256), 1.2)
                .unwrap()
                .index,
            1
        );
        assert_eq!(
            best_overview((1024, 1024), &ovr, win(1000.0), (256, 256), 1.01)
                .unwrap()
                .index,
            0
        );
        // upsampling never uses an overview
        assert!(best_overview((1024, 1024), &ovr, win(200.0), (256, 256), 1.2).is_none());
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
    }
}
