//! STUB: reader (to be written).
