//! STUB: warp (to be written).
