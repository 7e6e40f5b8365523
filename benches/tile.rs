//! STUB: tile benchmarks (to be written).
fn main() {}
