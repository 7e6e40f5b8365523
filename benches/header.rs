//! STUB: header benchmarks (to be written).
fn main() {}
