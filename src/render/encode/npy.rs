//! NPY: what TiTiler's `.npy` returns — `numpy.save` of the data bands stacked with the mask as
//! one more band, in the data's own type (shape `(bands + 1, height, width)`). The body is
//! built by [`crate::raster::titiler_npy`], which the CLI's `tile` command uses too.

use crate::raster::{titiler_npy, Raster, Samples};

pub(super) fn encode(
    data: &Raster,
    alpha: Option<&[u8]>,
    source_alpha: Option<&Samples>,
) -> Vec<u8> {
    titiler_npy(data, alpha, source_alpha)
}
