//! Buffers for long-lived cache entries, mapped straight from the kernel.
//!
//! Cache entries live for minutes, request buffers for milliseconds. When both come from the
//! same malloc arenas, each long-lived entry pins the arena pages around it: freed request
//! buffers leave holes glibc can neither trim nor give back. At 64 concurrent cold tiles that
//! was ~55 MB of resident memory holding nothing (arenas of 155 MB with 100 MB in use).
//! Entries of [`MAP_MIN`] bytes or more therefore get an anonymous mapping of their own:
//! evicting one returns its pages to the system at once, and the arenas only ever hold
//! short-lived data, whose holes the next requests reuse.

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Entries from this size up are mapped; smaller ones stay on the heap, where a page-rounded
/// mapping (and two system calls) would cost more than the hole they could leave.
pub const MAP_MIN: usize = 64 << 10;

/// A fixed-size, zero-initialised byte buffer for a cache entry.
pub struct CacheBuf {
    repr: Repr,
}

enum Repr {
    Heap(Box<[u8]>),
    #[cfg(unix)]
    Mapped {
        ptr: NonNull<u8>,
        len: usize,
    },
}

// SAFETY: a mapping is owned by exactly one `CacheBuf` (it is unmapped in `drop` and never
// aliased mutably), so it can move between threads and be read from several, like a `Box<[u8]>`.
unsafe impl Send for CacheBuf {}
unsafe impl Sync for CacheBuf {}

impl CacheBuf {
    /// `len` zero bytes (mapped when `len >= MAP_MIN`, else, or if mapping fails, on the heap).
    pub fn zeroed(len: usize) -> CacheBuf {
        #[cfg(unix)]
        if len >= MAP_MIN {
            if let Some(ptr) = map_zeroed(len) {
                return CacheBuf {
                    repr: Repr::Mapped { ptr, len },
                };
            }
        }
        CacheBuf {
            repr: Repr::Heap(vec![0; len].into_boxed_slice()),
        }
    }

    /// Whether the bytes live in a mapping of their own (not on the malloc heap).
    pub fn is_mapped(&self) -> bool {
        !matches!(self.repr, Repr::Heap(_))
    }
}

#[cfg(unix)]
fn map_zeroed(len: usize) -> Option<NonNull<u8>> {
    // SAFETY: an anonymous private mapping at an address of the kernel's choosing touches no
    // existing memory; the result is checked before use.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    NonNull::new(p.cast())
}

impl Drop for CacheBuf {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Repr::Mapped { ptr, len } = self.repr {
            // SAFETY: `ptr`/`len` are exactly one mapping made by `map_zeroed`, unmapped once.
            unsafe {
                libc::munmap(ptr.as_ptr().cast(), len);
            }
        }
    }
}

impl Deref for CacheBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.repr {
            Repr::Heap(b) => b,
            // SAFETY: the mapping is `len` readable bytes, alive as long as `self`.
            #[cfg(unix)]
            Repr::Mapped { ptr, len } => unsafe { std::slice::from_raw_parts(ptr.as_ptr(), *len) },
        }
    }
}

impl DerefMut for CacheBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.repr {
            Repr::Heap(b) => b,
            // SAFETY: as in `deref`, and `&mut self` makes this the only reference.
            #[cfg(unix)]
            Repr::Mapped { ptr, len } => unsafe {
                std::slice::from_raw_parts_mut(ptr.as_ptr(), *len)
            },
        }
    }
}

impl std::fmt::Debug for CacheBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheBuf")
            .field("len", &self.len())
            .field("mapped", &self.is_mapped())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_buffers_stay_on_the_heap_large_ones_are_mapped() {
        let small = CacheBuf::zeroed(MAP_MIN - 1);
        assert!(!small.is_mapped());
        let large = CacheBuf::zeroed(MAP_MIN);
        assert_eq!(large.is_mapped(), cfg!(unix));
        assert!(small.iter().chain(large.iter()).all(|&b| b == 0));
        assert_eq!((small.len(), large.len()), (MAP_MIN - 1, MAP_MIN));
        assert!(CacheBuf::zeroed(0).is_empty());
    }

    #[test]
    fn writes_read_back() {
        let src: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut b = CacheBuf::zeroed(src.len());
        b.copy_from_slice(&src);
        assert_eq!(&b[..], &src[..]);
        b[12345] ^= 0xff;
        assert_ne!(b[12345], src[12345]);
        let moved = std::thread::spawn(move || b[..100].to_vec())
            .join()
            .unwrap();
        assert_eq!(moved, src[..100]);
    }
}
