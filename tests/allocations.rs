//! Rust heap allocations on the produce path (issue 14): a per-message
//! delivery closure costs no allocation once the producer runs in steady
//! state (its state block is recycled), and neither does an owned value
//! beyond the buffer the application made.
//!
//! The counting allocator counts the calling thread's allocations only, so
//! tests running beside each other do not disturb the counts.

mod common;

use common::*;
use ferrokafka::{Producer, Record};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

struct ThreadCounting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to System unchanged; the counter is a const-initialised
// thread-local without a destructor (safe to touch from the allocator).
unsafe impl GlobalAlloc for ThreadCounting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOC: ThreadCounting = ThreadCounting;

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

const T30: Duration = Duration::from_secs(30);

/// Serves reports until `served` reaches `target` (poll only: `flush`
/// starts a helper thread).
fn serve_until(producer: &Producer, served: &AtomicUsize, target: usize) {
    let ok = wait_for(
        T30,
        || {
            producer.poll(Duration::from_millis(50)).unwrap();
        },
        || served.load(Ordering::SeqCst) >= target,
    );
    assert!(ok, "{} of {target} reports", served.load(Ordering::SeqCst));
}

#[test]
fn per_message_closures_allocate_nothing_in_steady_state() {
    let topic = unique_topic("alloc-closure");
    let cluster = mock_with_topic(&topic, 1);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    // Closures of three sizes (three block classes), capturing context.
    let big = [7u64; 20];
    let mut produced = 0;
    let mut round = |count: &mut dyn FnMut() -> u64| {
        let mut in_produce = 0;
        for i in 0..600usize {
            let s = served.clone();
            let before = count();
            let rec = Record::new(&topic).with_value(b"v");
            let rec = match i % 3 {
                0 => rec.with_on_delivery(move |_| {
                    s.fetch_add(1, Ordering::SeqCst);
                }),
                1 => rec.with_on_delivery(move |r| {
                    s.fetch_add(r.value().map_or(1, |v| v.len()), Ordering::SeqCst);
                }),
                _ => rec.with_on_delivery(move |_| {
                    s.fetch_add((big.iter().sum::<u64>() / 140) as usize, Ordering::SeqCst);
                }),
            };
            producer.produce(rec).unwrap();
            in_produce += count() - before;
        }
        produced += 600;
        serve_until(&producer, &served, produced);
        in_produce
    };
    // The first round fills the recycled blocks.
    let mut count = allocs;
    round(&mut count);
    for r in 0..5 {
        let n = round(&mut count);
        assert_eq!(n, 0, "round {r}: {n} allocations for 600 closures");
    }
    producer.flush(T30).unwrap();
}

/// Closures made on one thread and served on another: every one is called
/// once and its block freed (valgrind and ASan check the freeing).
#[test]
fn closures_served_on_another_thread() {
    let topic = unique_topic("alloc-threads");
    let cluster = mock_with_topic(&topic, 1);
    let producer = Arc::new(Producer::new(&config_for(&cluster)).unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    for round in 1..=3 {
        let p = producer.clone();
        let s = served.clone();
        let t = topic.clone();
        std::thread::spawn(move || {
            for _ in 0..500 {
                let s = s.clone();
                p.produce(Record::new(&t).with_value(b"v").with_on_delivery(move |_| {
                    s.fetch_add(1, Ordering::SeqCst);
                }))
                .unwrap();
            }
        })
        .join()
        .unwrap();
        serve_until(&producer, &served, 500 * round);
    }
    assert_eq!(served.load(Ordering::SeqCst), 1500);
}
