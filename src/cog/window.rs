//! The request every window read takes: which level, which whole pixels, which bands.

/// A `width × height` window of whole pixels at (`x`, `y`) of `level` (0 = full resolution,
/// 1.. = overviews by decreasing resolution), for the 1-based `bands`. The window may reach
/// past the level (a boundless read): pixels outside are 0 with mask 0.
///
/// One type for what [`super::Cog::read_window`], [`super::Cog::fetch_window`] and the
/// reader's `Dataset` trait ask, so the six numbers travel together and keep their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelWindow<'a> {
    pub level: usize,
    pub x: i64,
    pub y: i64,
    pub width: usize,
    pub height: usize,
    pub bands: &'a [usize],
}
