//! STUB: server (to be written).
