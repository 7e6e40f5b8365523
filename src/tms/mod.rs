//! STUB: tms (to be written).
