#![no_main]
//! Fuzzes band-math expressions: parsing must never panic or recurse without bound, and a
//! parsed expression must evaluate on a small image without panicking (any error is fine).
use cogtiler::raster::{Raster, Samples};
use cogtiler::render::expression::Expression;
use cogtiler::render::Image;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(expr) = Expression::parse(text) else {
        return;
    };
    let _ = expr.bands_used();
    let raster = Raster {
        width: 3,
        height: 2,
        bands: 4,
        data: Samples::I16(vec![-3, 0, 1, 2, 300, -32768, 7, 7, 7, 0, 0, 0, 1, 2, 3, 4, 5, 6, 9, 8, 7, 6, 5, 4]),
        mask: vec![255, 0, 255, 255, 0, 255],
    };
    if let Ok(mut image) = Image::new(raster) {
        image.dataset_statistics = Some(vec![(-10.0, 10.0); 4]);
        let _ = expr.apply(&image);
    }
});
