//! GDAL RasterIO resampling: reading a (fractional) window into a buffer of another size.
//!
//! This is the second step of rio-tiler's pipeline (after any warp) and the only step when the
//! dataset is already in the tile's CRS. For nearest, GDAL (`GDALRasterBand::IRasterIO`) takes
//! for buffer pixel `i` the source pixel
//! `(int)((i + 0.5) * window_size / buf_size + window_off + 1e-10)`, clamped to the raster. The other methods (`RasterIOResampled`) convolve with a
//! kernel stretched by the reduction factor, or summarise the covered pixels.

use super::Resampling;

/// GDAL's epsilon added before truncating a nearest-neighbour source coordinate.
const EPS: f64 = 1e-10;

/// Nearest source index for each of `buf` positions along one axis of a window starting at
/// `off` and `size` pixels long. Not clamped: callers clamp (inside reads) or mask (boundless).
pub fn nearest_indices(off: f64, size: f64, buf: usize) -> Vec<i64> {
    let ratio = size / buf.max(1) as f64;
    (0..buf)
        .map(|i| ((i as f64 + 0.5) * ratio + off + EPS).floor() as i64)
        .collect()
}

/// One band plane plus validity, the input of [`resample`].
pub struct Plane<'a> {
    pub width: usize,
    pub height: usize,
    pub values: &'a [f64],
    /// GDAL's mask band: 0 invalid, else valid (255 for a nodata or internal mask; an alpha
    /// band's 8-bit value, which GDAL's convolution kernels weigh each pixel by); same length
    /// as `values`.
    pub valid: &'a [u8],
}

/// Resamples the fractional window `(off_x, off_y, size_x, size_y)` of `src` into
/// `buf_w × buf_h` with a non-nearest method. Returns values and validity (a pixel is valid when
/// any valid source pixel contributes). Pixels of the window outside `src` count as invalid.
#[allow(clippy::too_many_arguments)]
pub fn resample(
    src: &Plane<'_>,
    off_x: f64,
    off_y: f64,
    size_x: f64,
    size_y: f64,
    buf_w: usize,
    buf_h: usize,
    method: Resampling,
) -> (Vec<f64>, Vec<u8>) {
    let n = buf_w.saturating_mul(buf_h);
    let mut out = vec![0.0; n];
    let mut valid = vec![0u8; n];
    let rx = size_x / buf_w.max(1) as f64;
    let ry = size_y / buf_h.max(1) as f64;
    let get = |x: i64, y: i64| -> Option<f64> {
        if x < 0 || y < 0 || x as usize >= src.width || y as usize >= src.height {
            return None;
        }
        let i = y as usize * src.width + x as usize;
        (*src.valid.get(i)? != 0)
            .then(|| src.values.get(i).copied())
            .flatten()
    };
    // a partial mask value (an alpha band's) scales the pixel's kernel weight
    let weight = |x: i64, y: i64| -> f64 {
        let i = y as usize * src.width + x as usize;
        match src.valid.get(i) {
            Some(255) | None => 1.0,
            Some(&m) => m as f64 / 255.0,
        }
    };
    for j in 0..buf_h {
        for i in 0..buf_w {
            let o = j * buf_w + i;
            let v = match method.kernel_radius() {
                Some(radius) => {
                    // centre of the output pixel in source pixel-centre coordinates
                    let cx = (i as f64 + 0.5) * rx + off_x - 0.5;
                    let cy = (j as f64 + 0.5) * ry + off_y - 0.5;
                    let (sx, sy) = (rx.max(1.0), ry.max(1.0));
                    let (hx, hy) = (radius * sx, radius * sy);
                    let (x0, x1) = ((cx - hx).ceil() as i64, (cx + hx).floor() as i64);
                    let (y0, y1) = ((cy - hy).ceil() as i64, (cy + hy).floor() as i64);
                    let mut acc = 0.0;
                    let mut wsum = 0.0;
                    for y in y0..=y1 {
                        let wy = method.kernel_weight((y as f64 - cy) / sy);
                        if wy == 0.0 {
                            continue;
                        }
                        for x in x0..=x1 {
                            let wx = method.kernel_weight((x as f64 - cx) / sx);
                            if wx == 0.0 {
                                continue;
                            }
                            if let Some(v) = get(x, y) {
                                let w = wx * wy * weight(x, y);
                                acc += w * v;
                                wsum += w;
                            }
                        }
                    }
                    (wsum.abs() > 1e-12).then(|| acc / wsum)
                }
                None => {
                    let (fx0, fx1) = (i as f64 * rx + off_x, (i + 1) as f64 * rx + off_x);
                    let (fy0, fy1) = (j as f64 * ry + off_y, (j + 1) as f64 * ry + off_y);
                    let mut vals = Vec::new();
                    for y in fy0.floor() as i64..fy1.ceil() as i64 {
                        let wy = (fy1.min(y as f64 + 1.0) - fy0.max(y as f64)).max(0.0);
                        for x in fx0.floor() as i64..fx1.ceil() as i64 {
                            let wx = (fx1.min(x as f64 + 1.0) - fx0.max(x as f64)).max(0.0);
                            if let Some(v) = get(x, y) {
                                if wx * wy > 0.0 {
                                    vals.push((v, wx * wy));
                                }
                            }
                        }
                    }
                    super::kernel::summarise(&mut vals, method)
                }
            };
            if let Some(v) = v {
                out[o] = v;
                valid[o] = 255;
            }
        }
    }
    (out, valid)
}

#[cfg(test)]
mod tests {
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
}
