//! The bundled sample COG: what `cogtiler serve` shows with no arguments.
//!
//! A small RGB JPEG COG with an internal mask (`fixtures/sample.tif`, see fixtures/README.md)
//! is embedded in the binary. It is reachable two ways: the dataset URL [`SAMPLE_URL`]
//! (`url=sample`), which the backend opens from memory with [`SAMPLE_COG`], and the
//! `/sample.tif` route, which serves the bytes with HTTP range support so any COG client
//! (including cogtiler itself through `http://.../sample.tif`) can read it.

/// The dataset URL that names the bundled sample.
pub const SAMPLE_URL: &str = "sample";

/// The sample COG's bytes.
pub static SAMPLE_COG: &[u8] = include_bytes!("../../fixtures/sample.tif");

/// Parses a single `Range: bytes=a-b` / `bytes=a-` / `bytes=-n` header against `len`.
///
/// Returns the inclusive byte range to send, `Err(())` for an unsatisfiable range (416), and
/// `Ok(None)` when the header is absent or not a single byte range (send everything).
#[allow(clippy::result_unit_err)]
pub fn parse_range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(h) = header else { return Ok(None) };
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    if len == 0 {
        return Err(());
    }
    if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        return Ok(Some((len.saturating_sub(n), len - 1)));
    }
    let start: u64 = a.parse().map_err(|_| ())?;
    if start >= len {
        return Err(());
    }
    let end = if b.is_empty() {
        len - 1
    } else {
        let e: u64 = b.parse().map_err(|_| ())?;
        if e < start {
            return Err(());
        }
        e.min(len - 1)
    };
    Ok(Some((start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_a_tiff() {
        assert_eq!(&SAMPLE_COG[..4], b"II*\0");
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-3"), 10), Ok(Some((0, 3))));
        assert_eq!(parse_range(Some("bytes=5-"), 10), Ok(Some((5, 9))));
        assert_eq!(parse_range(Some("bytes=0-32767"), 10), Ok(Some((0, 9))));
        assert_eq!(parse_range(Some("bytes=-4"), 10), Ok(Some((6, 9))));
        assert_eq!(parse_range(Some("bytes=10-12"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=4-2"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), Ok(None));
    }
}
