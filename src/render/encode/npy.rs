//! NPY: what TiTiler's `.npy` returns — `numpy.save` of the data bands stacked with the mask as
//! one more band, in the data's own type (shape `(bands + 1, height, width)`).

use crate::raster::{npy_bytes, Raster};

use super::alpha_as_band;

pub(super) fn encode(data: &Raster, alpha: Option<&[u8]>) -> Vec<u8> {
    let mut body = data.data.to_le_bytes();
    let mut bands = data.bands;
    if let Some(a) = alpha {
        body.extend_from_slice(&alpha_as_band(data.dtype(), a).to_le_bytes());
        bands += 1;
    }
    npy_bytes(data.dtype(), &[bands, data.height, data.width], &body)
}
