//! The crate's sources, for the tests that check them as text
//! (tests/layering.rs, tests/api_shape.rs).

use std::path::{Path, PathBuf};

/// `src/` of the ferrokafka crate.
pub fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../src")
}

/// Every `.rs` file under `dir`, recursively — but for `src/bin/` (the
/// `fkcat` tool: a program using the library, not part of it).
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && path == src_dir().join("bin") {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
