//! Per-message delivery state, in one allocation, carried by librdkafka as
//! the message opaque.
//!
//! A delivery closure would naturally be a `Box<dyn FnOnce>` — but that is a
//! fat pointer, and the opaque is one C pointer, so it would need a second
//! box. Instead each state is a `Thin<T>`: a header naming `T`'s functions,
//! followed by the value, behind one thin pointer. Closures are boxed; async
//! sends share an `Arc` with their future (the `Arc`'s data pointer is the
//! opaque), so an async send costs one allocation too.

use super::MessageView;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Arc;

/// The receiving end of an async send: completed with the report, or told
/// it will never get one.
pub(crate) trait DeliverySink: Send + Sync + 'static {
    /// The message's delivery report arrived (the message, with its
    /// delivery error if any).
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
        let b = Box::from_raw(p.cast::<Thin<F>>().as_ptr());
        (b.value)(report)
    }

    /// # Safety
    /// As for `deliver`.
    unsafe fn drop(p: NonNull<Header>) {
        drop(Box::from_raw(p.cast::<Thin<F>>().as_ptr()));
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
        let b = Box::new(Thin {
            header: Header {
                vtable: &ClosureFns::<F>::VTABLE,
            },
            value: f,
        });
        DeliveryOpaque {
            ptr: NonNull::from(Box::leak(b)).cast(),
        }
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

    /// Hands the report to the closure or sink, consuming the state.
    pub(crate) fn deliver(self, report: MessageView<'_>) {
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
    /// `p` must be null or come from `into_raw`, and not be used again.
    pub(crate) unsafe fn from_raw(p: *mut libc::c_void) -> Option<Self> {
        NonNull::new(p as *mut Header).map(|ptr| DeliveryOpaque { ptr })
    }
}

impl Drop for DeliveryOpaque {
    fn drop(&mut self) {
        let vt = self.vtable();
        // SAFETY: a live state of the type vt was made for; dropped once.
        unsafe { (vt.drop)(self.ptr) }
    }
}
