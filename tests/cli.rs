//! The command line as a user runs it: the built `cogtiler` binary.

use std::process::{Command, Stdio};

/// `cogtiler info FILE | head -c 10`: the reader closes the pipe before the JSON is written.
/// A command line tool ends quietly then (status 0, nothing on stderr), as ripgrep does,
/// instead of panicking with "failed printing to stdout".
#[cfg(unix)]
#[test]
fn closed_stdout_ends_quietly() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: `pipe` fills both descriptors, each then owned by exactly one `OwnedFd`.
    // (std::io::pipe would do, but it is newer than the crate's rust-version.)
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_cogtiler"))
        .args([
            "info",
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sample.tif"),
        ])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "{stderr}");
}

/// The same command with an open pipe prints the metadata.
#[test]
fn info_prints_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_cogtiler"))
        .args([
            "info",
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sample.tif"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["bounds"].is_array(), "{v}");
}
