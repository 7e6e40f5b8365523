//! STUB: codecs benchmarks (to be written).
fn main() {}
