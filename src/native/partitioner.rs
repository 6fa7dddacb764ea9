//! librdkafka's built-in partitioners, callable directly.

use super::sys;

/// Which built-in partitioner to run.
#[derive(Clone, Copy)]
pub(crate) enum Builtin {
    Consistent,
    Murmur2,
    Fnv1a,
}

/// Runs a built-in partitioner. `partition_count` must be > 0 (checked by
/// the caller); a `None` key is passed as NULL, as librdkafka does for
/// messages without a key.
pub(crate) fn builtin_partition(which: Builtin, key: Option<&[u8]>, partition_count: i32) -> i32 {
    let (kp, kl) = match key {
        Some(k) => (k.as_ptr() as *const libc::c_void, k.len()),
        None => (std::ptr::null(), 0),
    };
    let f = match which {
        Builtin::Consistent => sys::rd_kafka_msg_partitioner_consistent,
        Builtin::Murmur2 => sys::rd_kafka_msg_partitioner_murmur2,
        Builtin::Fnv1a => sys::rd_kafka_msg_partitioner_fnv1a,
    };
    // SAFETY: these three partitioners only hash the key (rdkafka_msg.c) and
    // never look at the topic handle or opaques, so NULL is fine. (The
    // `*_random` ones do dereference the topic, so they are not exposed.)
    unsafe {
        f(
            std::ptr::null(),
            kp,
            kl,
            partition_count,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    }
}
