//! STUB: render (to be written).
