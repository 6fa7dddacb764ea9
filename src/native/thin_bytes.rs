//! [`ThinBytes`]: an immutable byte buffer behind one thin pointer, its
//! length stored in the same allocation. A detached consumed message keeps
//! its fields and bytes in one (`consumer::message`), so retaining many
//! small messages costs little beyond their bytes.

use std::alloc::Layout;
use std::ptr::NonNull;

/// An owned, immutable byte buffer: one allocation (a `u32` length, then
/// the bytes), one pointer.
pub(crate) struct ThinBytes {
    ptr: NonNull<u32>,
}

// SAFETY: owned, immutable after construction.
unsafe impl Send for ThinBytes {}
// SAFETY: as above: shared references only read.
unsafe impl Sync for ThinBytes {}

/// The allocation's layout: `None` if it does not fit this target's
/// address space (32-bit targets).
fn layout(len: u32) -> Option<Layout> {
    let size = std::mem::size_of::<u32>().checked_add(usize::try_from(len).ok()?)?;
    Layout::from_size_align(size, std::mem::align_of::<u32>()).ok()
}

impl ThinBytes {
    /// The concatenation of `parts`; `None` if it is longer than
    /// `u32::MAX` bytes (or than a 32-bit target can allocate).
    pub(crate) fn concat(parts: &[&[u8]]) -> Option<ThinBytes> {
        let len = parts
            .iter()
            .try_fold(0u32, |a, p| a.checked_add(u32::try_from(p.len()).ok()?))?;
        let l = layout(len)?;
        // SAFETY: non-zero size (at least the length).
        let raw = unsafe { std::alloc::alloc(l) } as *mut u32;
        let ptr = NonNull::new(raw).unwrap_or_else(|| std::alloc::handle_alloc_error(l));
        // SAFETY: fresh allocation of 4 + len bytes, aligned for u32; the
        // parts fill exactly `len` bytes after the length.
        unsafe {
            ptr.as_ptr().write(len);
            let mut dst = ptr.as_ptr().add(1) as *mut u8;
            for p in parts {
                std::ptr::copy_nonoverlapping(p.as_ptr(), dst, p.len());
                dst = dst.add(p.len());
            }
        }
        Some(ThinBytes { ptr })
    }

    /// The bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        // SAFETY: the allocation holds the length, then that many
        // initialised bytes, for as long as `self` lives.
        unsafe {
            let len = *self.ptr.as_ptr();
            std::slice::from_raw_parts(self.ptr.as_ptr().add(1) as *const u8, len as usize)
        }
    }
}

impl Clone for ThinBytes {
    fn clone(&self) -> Self {
        ThinBytes::concat(&[self.as_bytes()]).expect("the same length fits")
    }
}

impl Drop for ThinBytes {
    fn drop(&mut self) {
        // SAFETY: allocated in `concat` with this layout; dropped once.
        unsafe {
            let len = *self.ptr.as_ptr();
            let l = layout(len).expect("the layout it was allocated with");
            std::alloc::dealloc(self.ptr.as_ptr() as *mut u8, l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ThinBytes;

    #[test]
    fn concatenates_and_clones() {
        for parts in [&[][..], &[&b""[..]][..], &[&b"ab"[..], &b""[..], &b"cde"[..]][..]] {
            let t = ThinBytes::concat(parts).unwrap();
            let want: Vec<u8> = parts.concat();
            assert_eq!(t.as_bytes(), &want[..]);
            assert_eq!(t.clone().as_bytes(), &want[..]);
        }
        assert_eq!(std::mem::size_of::<ThinBytes>(), std::mem::size_of::<usize>());
    }
}
