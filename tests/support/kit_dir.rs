//! Where the TiTiler conformance kit is: the one helper every test, bench and unit test uses
//! (included by `#[path]`, so the library's unit tests and the integration tests share it).
//!
//! `COGTILER_CONFORMANCE` names the kit's directory; without it, the first `shared/conformance`
//! holding `cases/` in a directory above the crate (`../shared/conformance` beside the
//! repository, `../../shared/conformance` from a git worktree nested one level deeper).

use std::path::{Path, PathBuf};

/// The conformance kit's directory (`cases/`, `corpus/`, `blocks/`, `rangeserver.py`).
/// Panics when there is none: the kit is a trusted test input.
pub fn conformance_dir() -> PathBuf {
    if let Ok(d) = std::env::var("COGTILER_CONFORMANCE") {
        return PathBuf::from(d);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .skip(1)
        .map(|a| a.join("shared/conformance"))
        .find(|p| p.join("cases").is_dir())
        .unwrap_or_else(|| {
            panic!(
                "conformance kit not found above {}; set COGTILER_CONFORMANCE",
                root.display()
            )
        })
}
