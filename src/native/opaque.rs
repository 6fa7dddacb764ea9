//! Per-message delivery state, in one allocation, carried by librdkafka as
//! the message opaque.
//!
//! A delivery closure would naturally be a `Box<dyn FnOnce>` — but that is a
//! fat pointer, and the opaque is one C pointer, so it would need a second
//! box. Instead each state is a `Thin<T>`: a header naming `T`'s functions,
//! followed by the value, behind one thin pointer. Closures are boxed; async
//! sends share an `Arc` with their future (the `Arc`'s data pointer is the
//! opaque), so an async send costs one allocation too. Closure states are
//! recycled per thread (`pool`): in steady state a closure costs none.
//!
//! A message may also own its value ([`OwnedPayload`]): librdkafka then
//! references the buffer instead of copying it (no `RD_KAFKA_MSG_F_COPY`),
//! and the buffer is freed when the message's delivery report is served.
//! Beside a closure or sink it rides in the state's header; alone it needs
//! no allocation at all: the opaque is then a tagged word (low bit set,
//! which no state pointer has) saying how to free the buffer whose pointer
//! and length the message itself carries.

use super::MessageView;
use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Arc;

/// The receiving end of an async send: completed with the report, or told
/// it will never get one.
pub(crate) trait DeliverySink: Send + Sync + 'static {
    /// The message's delivery report arrived (the message, with its
    /// delivery error if any). Its value must not be read: a value the
    /// message owned is already released (see `serve_event`).
    fn deliver(&self, report: MessageView<'_>);
    /// The message's state is dropped without a report (only if librdkafka
    /// lost the message, which it does not; or the produce call failed).
    fn abandon(&self);
}

struct VTable {
    deliver: unsafe fn(NonNull<Header>, MessageView<'_>),
    drop: unsafe fn(NonNull<Header>),
    is_sink: bool,
}

#[repr(C)]
struct Header {
    vtable: &'static VTable,
    /// The message's own value, while librdkafka references it
    /// ([`RawPayload::NONE`] when it has none).
    payload: UnsafeCell<RawPayload>,
}

// SAFETY: `payload` is only touched through the one `DeliveryOpaque` that
// owns the state (on the producing thread, then the serving thread, with
// librdkafka's queues ordering the hand-over); an async send's future,
// which shares a sink's allocation, never touches it.
unsafe impl Sync for Header {}
// SAFETY: as above; the payload is an owned `Vec<u8>` or `Arc<[u8]>`.
unsafe impl Send for Header {}

/// A value a message owns: librdkafka references it without copying, and
/// it is released when the message's delivery report is served (or comes
/// back if the produce call fails).
pub(crate) enum OwnedPayload {
    /// A vector (also what `Box<[u8]>` and `String` become, for free).
    Buffer(Vec<u8>),
    /// Shared bytes: the message holds one reference.
    Shared(Arc<[u8]>),
}

impl OwnedPayload {
    /// The bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            OwnedPayload::Buffer(v) => v,
            OwnedPayload::Shared(a) => a,
        }
    }
}

/// The low bit of an opaque that is a payload alone (no state pointer:
/// states are at least 8-aligned).
const TAG_PAYLOAD: usize = 0b001;
/// With `TAG_PAYLOAD`: the payload is an `Arc<[u8]>`; without it, a `Vec`
/// whose capacity is the tag shifted right by `TAG_SHIFT`.
const TAG_SHARED: usize = 0b010;
const TAG_SHIFT: u32 = 2;

/// An [`OwnedPayload`] while librdkafka references it: the buffer, its
/// length, and a tag saying how to free it (see `TAG_*`).
#[derive(Clone, Copy)]
pub(crate) struct RawPayload {
    ptr: *mut u8,
    len: usize,
    tag: usize,
}

impl RawPayload {
    /// No payload (a state's empty slot).
    const NONE: RawPayload = RawPayload {
        ptr: std::ptr::null_mut(),
        len: 0,
        tag: 0,
    };

    /// Gives up ownership of `p`. `None` (with `p` handed back) for what
    /// librdkafka should rather copy: an empty value (its pointer is
    /// dangling), or a capacity too large for the tag.
    pub(crate) fn new(p: OwnedPayload) -> Result<RawPayload, OwnedPayload> {
        if p.as_slice().is_empty() {
            return Err(p);
        }
        match p {
            OwnedPayload::Buffer(v) => {
                if v.capacity() > (usize::MAX >> TAG_SHIFT) {
                    return Err(OwnedPayload::Buffer(v));
                }
                let mut v = std::mem::ManuallyDrop::new(v);
                Ok(RawPayload {
                    ptr: v.as_mut_ptr(),
                    len: v.len(),
                    tag: (v.capacity() << TAG_SHIFT) | TAG_PAYLOAD,
                })
            }
            OwnedPayload::Shared(a) => {
                let len = a.len();
                let ptr = Arc::into_raw(a) as *const u8 as *mut u8;
                Ok(RawPayload {
                    ptr,
                    len,
                    tag: TAG_SHARED | TAG_PAYLOAD,
                })
            }
        }
    }

    /// The buffer librdkafka is to reference.
    pub(crate) fn ptr(&self) -> *mut libc::c_void {
        self.ptr as *mut libc::c_void
    }

    /// Its length.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Takes ownership back.
    ///
    /// # Safety
    /// `self` comes from [`Self::new`] (or [`opaque_payload`] with the
    /// message's own pointer and length) and is rebuilt once.
    pub(crate) unsafe fn rebuild(self) -> OwnedPayload {
        if self.tag & TAG_SHARED != 0 {
            OwnedPayload::Shared(Arc::from_raw(std::ptr::slice_from_raw_parts(
                self.ptr as *const u8,
                self.len,
            )))
        } else {
            OwnedPayload::Buffer(Vec::from_raw_parts(self.ptr, self.len, self.tag >> TAG_SHIFT))
        }
    }
}

/// The opaque of a message that carries a payload and no state.
pub(crate) fn payload_opaque(p: &RawPayload) -> *mut libc::c_void {
    p.tag as *mut libc::c_void
}

/// If `opaque` is a payload-alone opaque ([`payload_opaque`]), that
/// payload, given the message's value pointer and length.
pub(crate) fn opaque_payload(opaque: *mut libc::c_void, ptr: *mut libc::c_void, len: usize) -> Option<RawPayload> {
    let tag = opaque as usize;
    (tag & TAG_PAYLOAD != 0).then_some(RawPayload {
        ptr: ptr as *mut u8,
        len,
        tag,
    })
}

/// A value behind a header naming its functions (`repr(C)`: the header is
/// at the start, so a pointer to the `Thin` is a pointer to its header).
#[repr(C)]
pub(crate) struct Thin<T> {
    header: Header,
    value: T,
}

impl<T> std::ops::Deref for Thin<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

struct ClosureFns<F>(PhantomData<F>);

impl<F: FnOnce(MessageView<'_>) + Send + 'static> ClosureFns<F> {
    const VTABLE: VTable = VTable {
        deliver: Self::deliver,
        drop: Self::drop,
        is_sink: false,
    };

    /// # Safety
    /// `p` comes from `DeliveryOpaque::closure::<F>` and is used once.
    unsafe fn deliver(p: NonNull<Header>, report: MessageView<'_>) {
        let thin = p.cast::<Thin<F>>();
        // The header holds nothing to drop (its payload slot was emptied
        // by `DeliveryOpaque::deliver`); the block goes back before the
        // call, so a closure that produces again can reuse it.
        let f = std::ptr::read(&(*thin.as_ptr()).value);
        pool::release::<Thin<F>>(thin.cast());
        f(report)
    }

    /// # Safety
    /// As for `deliver`.
    unsafe fn drop(p: NonNull<Header>) {
        let thin = p.cast::<Thin<F>>();
        std::ptr::drop_in_place(thin.as_ptr());
        pool::release::<Thin<F>>(thin.cast());
    }
}

/// The blocks per-message closures live in, recycled per thread so that a
/// producer that makes and serves its messages on one thread (the usual
/// `produce` + `poll` loop) allocates nothing per message in steady state.
///
/// A state whose size fits a class (64, 128 or 256 bytes, alignment up to
/// 16) takes a block from the calling thread's free list, or from the
/// allocator when that list is empty; a released block goes onto the
/// releasing thread's list, or back to the allocator once that list holds
/// [`pool::LIMIT`] blocks or while the thread is exiting. The limit is
/// high (65,536 blocks: 4 MiB of the usual 64-byte closure states) because
/// a broker's reports come in bursts: a poll may serve tens of thousands at
/// once, and those blocks are what the next burst of `produce` calls needs
/// (a 4,096 limit left 0.42 allocations per message against Tansu). So a
/// thread keeps, at most, the blocks of its largest burst: 4 MiB of
/// 64-byte blocks, 28 MiB if all three classes peak, until it exits. When
/// one thread produces and another serves the reports, the serving
/// thread's lists fill and the producing thread allocates as before: the
/// pool saves nothing then (and holds up to that bound on the serving
/// thread). Blocks are allocated with their class's layout, so any thread
/// may free any block. Larger or over-aligned states use `Box`.
mod pool {
    use std::alloc::Layout;
    use std::cell::Cell;
    use std::ptr::NonNull;

    const CLASSES: [usize; 3] = [64, 128, 256];
    const ALIGN: usize = 16;
    /// Free blocks kept per class and thread.
    pub(super) const LIMIT: usize = 65_536;

    /// The class of a layout, if one fits it.
    const fn class_of(layout: Layout) -> Option<usize> {
        if layout.align() > ALIGN || layout.size() == 0 {
            return None;
        }
        let mut i = 0;
        while i < CLASSES.len() {
            if layout.size() <= CLASSES[i] {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    fn class_layout(class: usize) -> Layout {
        // Sizes and alignment are small powers of two.
        Layout::from_size_align(CLASSES[class], ALIGN).expect("valid class layout")
    }

    /// A free block; its first word links to the next.
    struct Free {
        next: *mut Free,
    }

    struct List {
        head: Cell<*mut Free>,
        len: Cell<usize>,
    }

    struct Pool {
        lists: [List; 3],
    }

    impl Drop for Pool {
        fn drop(&mut self) {
            for (class, list) in self.lists.iter().enumerate() {
                let mut p = list.head.replace(std::ptr::null_mut());
                while !p.is_null() {
                    // SAFETY: every block on the list is a free block of
                    // this class, owned by the list.
                    unsafe {
                        let next = (*p).next;
                        std::alloc::dealloc(p.cast(), class_layout(class));
                        p = next;
                    }
                }
                list.len.set(0);
            }
        }
    }

    thread_local! {
        static POOL: Pool = const {
            Pool {
                lists: [
                    List { head: Cell::new(std::ptr::null_mut()), len: Cell::new(0) },
                    List { head: Cell::new(std::ptr::null_mut()), len: Cell::new(0) },
                    List { head: Cell::new(std::ptr::null_mut()), len: Cell::new(0) },
                ],
            }
        };
    }

    /// Uninitialised memory for a `T`, from the pool when `T` fits a class.
    pub(super) fn acquire<T>() -> NonNull<T> {
        let layout = Layout::new::<T>();
        let Some(class) = (const { class_of(Layout::new::<T>()) }) else {
            // SAFETY: non-zero size (class_of refuses zero-sized types, and
            // every `Thin` has a header).
            let p = unsafe { std::alloc::alloc(layout) };
            return NonNull::new(p.cast()).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        };
        let reused = POOL
            .try_with(|pool| {
                let list = &pool.lists[class];
                let head = list.head.get();
                if head.is_null() {
                    return None;
                }
                // SAFETY: a free block owned by the list.
                list.head.set(unsafe { (*head).next });
                list.len.set(list.len.get() - 1);
                Some(head)
            })
            .ok()
            .flatten();
        match reused {
            Some(p) => NonNull::new(p.cast()).expect("list blocks are not null"),
            None => {
                let l = class_layout(class);
                // SAFETY: non-zero size.
                let p = unsafe { std::alloc::alloc(l) };
                NonNull::new(p.cast()).unwrap_or_else(|| std::alloc::handle_alloc_error(l))
            }
        }
    }

    /// Gives back memory from [`acquire::<T>`] (its value already moved
    /// out or dropped).
    ///
    /// # Safety
    /// `p` comes from `acquire::<T>` and is not used again.
    pub(super) unsafe fn release<T>(p: NonNull<T>) {
        let Some(class) = (const { class_of(Layout::new::<T>()) }) else {
            std::alloc::dealloc(p.as_ptr().cast(), Layout::new::<T>());
            return;
        };
        let block = p.as_ptr().cast::<Free>();
        let kept = POOL
            .try_with(|pool| {
                let list = &pool.lists[class];
                if list.len.get() >= LIMIT {
                    return false;
                }
                // SAFETY: the block is ours, at least a word long and
                // 16-aligned.
                unsafe { block.write(Free { next: list.head.get() }) };
                list.head.set(block);
                list.len.set(list.len.get() + 1);
                true
            })
            .unwrap_or(false);
        if !kept {
            std::alloc::dealloc(block.cast(), class_layout(class));
        }
    }
}

struct SinkFns<S>(PhantomData<S>);

impl<S: DeliverySink> SinkFns<S> {
    const VTABLE: VTable = VTable {
        deliver: Self::deliver,
        drop: Self::drop,
        is_sink: true,
    };

    /// # Safety
    /// `p` comes from `DeliveryOpaque::sink::<S>` and is used once.
    unsafe fn deliver(p: NonNull<Header>, report: MessageView<'_>) {
        let arc = Arc::from_raw(p.cast::<Thin<S>>().as_ptr() as *const Thin<S>);
        arc.value.deliver(report);
    }

    /// # Safety
    /// As for `deliver`.
    unsafe fn drop(p: NonNull<Header>) {
        let arc = Arc::from_raw(p.cast::<Thin<S>>().as_ptr() as *const Thin<S>);
        arc.value.abandon();
    }
}

/// Creates the shared state of an async send.
pub(crate) fn new_sink<S: DeliverySink>(value: S) -> Arc<Thin<S>> {
    Arc::new(Thin {
        header: Header {
            vtable: &SinkFns::<S>::VTABLE,
            payload: UnsafeCell::new(RawPayload::NONE),
        },
        value,
    })
}

/// Owned per-message delivery state (see the module docs). Dropping it
/// without delivering drops the closure (or abandons the sink).
pub(crate) struct DeliveryOpaque {
    ptr: NonNull<Header>,
}

// SAFETY: the value behind the pointer is a `Send` closure or a
// `Send + Sync` sink, owned by this value alone.
unsafe impl Send for DeliveryOpaque {}

impl DeliveryOpaque {
    /// A per-message delivery closure.
    pub(crate) fn closure<F: FnOnce(MessageView<'_>) + Send + 'static>(f: F) -> Self {
        let p = pool::acquire::<Thin<F>>();
        // SAFETY: fresh memory for a Thin<F>, released by ClosureFns.
        unsafe {
            p.as_ptr().write(Thin {
                header: Header {
                    vtable: &ClosureFns::<F>::VTABLE,
                    payload: UnsafeCell::new(RawPayload::NONE),
                },
                value: f,
            })
        };
        DeliveryOpaque { ptr: p.cast() }
    }

    /// An async send's shared state (made by [`new_sink`]).
    pub(crate) fn sink<S: DeliverySink>(s: Arc<Thin<S>>) -> Self {
        let p = Arc::into_raw(s) as *mut Thin<S>;
        DeliveryOpaque {
            ptr: NonNull::new(p).expect("Arc pointers are not null").cast(),
        }
    }

    fn vtable(&self) -> &'static VTable {
        // SAFETY: ptr points to a live Thin<T>, whose header is first.
        unsafe { self.ptr.as_ref().vtable }
    }

    /// True for async sends, whose report is always delivered.
    pub(crate) fn is_sink(&self) -> bool {
        self.vtable().is_sink
    }

    /// Makes the state carry the message's payload (see the module docs).
    pub(crate) fn attach_payload(&mut self, p: RawPayload) {
        // SAFETY: a live state, owned by `self` alone (see `Header`).
        let slot = unsafe { &mut *self.ptr.as_ref().payload.get() };
        let old = std::mem::replace(slot, p);
        if old.tag != 0 {
            // SAFETY: owned by the slot until now, rebuilt once.
            drop(unsafe { old.rebuild() });
        }
    }

    /// Takes back the payload [`Self::attach_payload`] put in.
    pub(crate) fn take_payload(&mut self) -> Option<RawPayload> {
        // SAFETY: as in `attach_payload`.
        let slot = unsafe { &mut *self.ptr.as_ref().payload.get() };
        let p = std::mem::replace(slot, RawPayload::NONE);
        (p.tag != 0).then_some(p)
    }

    /// Hands the report to the closure or sink, consuming the state. A
    /// payload still attached is released after the call (the report reads
    /// it).
    pub(crate) fn deliver(mut self, report: MessageView<'_>) {
        let payload = self.take_payload();
        // SAFETY: owned by the state until now, rebuilt once.
        let _payload = payload.map(|p| unsafe { p.rebuild() });
        let vt = self.vtable();
        let p = self.ptr;
        std::mem::forget(self);
        // SAFETY: p is a live state of the type vt was made for, used once
        // (self was forgotten).
        unsafe { (vt.deliver)(p, report) }
    }

    /// Gives up ownership, for librdkafka to carry as the opaque.
    pub(crate) fn into_raw(self) -> *mut libc::c_void {
        let p = self.ptr.as_ptr() as *mut libc::c_void;
        std::mem::forget(self);
        p
    }

    /// Takes ownership back from a pointer made by [`Self::into_raw`].
    ///
    /// # Safety
    /// `p` must be null, a payload-alone opaque (then `None`), or come
    /// from `into_raw`; and not be used again.
    pub(crate) unsafe fn from_raw(p: *mut libc::c_void) -> Option<Self> {
        if p as usize & TAG_PAYLOAD != 0 {
            return None;
        }
        NonNull::new(p as *mut Header).map(|ptr| DeliveryOpaque { ptr })
    }
}

impl Drop for DeliveryOpaque {
    fn drop(&mut self) {
        if let Some(p) = self.take_payload() {
            // SAFETY: owned by the state until now, rebuilt once.
            drop(unsafe { p.rebuild() });
        }
        let vt = self.vtable();
        // SAFETY: a live state of the type vt was made for; dropped once.
        unsafe { (vt.drop)(self.ptr) }
    }
}
