//! Request options shared by the verbs, with rio-tiler's defaults.

use crate::crs::Crs;
use crate::warp::Resampling;

/// The default of [`ReadOptions::max_output_pixels`] (5000², pixels per band): samples are
/// handled as f64 planes on the way, so this bounds a read's memory to ~200 MB per band.
pub const DEFAULT_MAX_OUTPUT_PIXELS: usize = 25_000_000;

/// Options common to every pixel read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// 1-based bands to read; `None` = every non-alpha band.
    pub indexes: Option<Vec<usize>>,
    /// Overrides the dataset's nodata value (the mask becomes `data == nodata`).
    pub nodata: Option<f64>,
    /// Apply each band's scale/offset, giving float32.
    pub unscale: bool,
    /// RasterIO resampling (default nearest).
    pub resampling: Resampling,
    /// Warp kernel (default nearest).
    pub reproject: Resampling,
    /// Largest output a read may produce, in pixels per band; a larger one is refused
    /// ([`super::Error::TooLarge`], a 400 over HTTP) instead of allocated. `cogtiler serve
    /// --max-output-pixels` sets it.
    pub max_output_pixels: usize,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            indexes: None,
            nodata: None,
            unscale: false,
            resampling: Resampling::default(),
            reproject: Resampling::default(),
            max_output_pixels: DEFAULT_MAX_OUTPUT_PIXELS,
        }
    }
}

/// Options of [`super::Reader::tile`].
#[derive(Clone, Debug, Default)]
pub struct TileOptions {
    pub read: ReadOptions,
    /// Output size; `None` = the matrix's tile size.
    pub tilesize: Option<usize>,
    /// Extra pixels around the tile (multiple of 0.5); output grows by `2 × buffer`.
    pub buffer: Option<f64>,
    /// Source pixels read around the tile and cropped, to feed resampling kernels.
    pub padding: usize,
}

/// Options of [`super::Reader::part`] (and the sizing of feature/preview reads).
#[derive(Clone, Debug, Default)]
pub struct PartOptions {
    pub read: ReadOptions,
    /// CRS of the bounds (default: `dst_crs`).
    pub bounds_crs: Option<Crs>,
    /// Output CRS (default: the dataset's).
    pub dst_crs: Option<Crs>,
    pub max_size: Option<usize>,
    pub width: Option<usize>,
    pub height: Option<usize>,
    pub buffer: Option<f64>,
    pub padding: usize,
    /// Snap the window to whole dataset pixels (POST /statistics).
    pub align_bounds_with_dataset: bool,
}
