//! The raw-handle escape hatches (issue 15): `raw_client` hands C code the
//! `rd_kafka_t*` and keeps it alive; `from_raw` adopts a client that C code
//! created from a configuration ferrokafka prepared, for all three client
//! kinds, and refuses handles it cannot vouch for without destroying
//! them. The "C code" here is Rust calling the same C functions through
//! `ferrokafka::raw::rdkafka_sys`.

mod common;

use common::*;
use ferrokafka::admin::{AdminOptions, OffsetSpec};
use ferrokafka::raw::rdkafka_sys::bindings as c;
use ferrokafka::raw::{RawConf, RawNew};
use ferrokafka::{AdminClient, Config, Consumer, ErrorCode, MockCluster, Producer, Record, TopicPartition};
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What C code does with a prepared configuration: sets a property of its
/// own, then `rd_kafka_new`.
fn c_create(conf: RawConf, client_id: &str) -> Result<RawNew, String> {
    let client_type = conf.client_type();
    let ptr = conf.into_ptr();
    let mut errstr = [0 as c_char; 512];
    let (k, v) = (CString::new("client.id").unwrap(), CString::new(client_id).unwrap());
    // SAFETY: a valid conf; NUL-terminated strings; errstr and its size.
    let rk = unsafe {
        assert_eq!(
            c::rd_kafka_conf_set(ptr, k.as_ptr(), v.as_ptr(), errstr.as_mut_ptr(), errstr.len()),
            c::rd_kafka_conf_res_t::RD_KAFKA_CONF_OK
        );
        c::rd_kafka_new(client_type, ptr, errstr.as_mut_ptr(), errstr.len())
    };
    if rk.is_null() {
        // SAFETY: rd_kafka_new failed: the conf is still ours to destroy.
        unsafe { c::rd_kafka_conf_destroy(ptr) };
        // SAFETY: librdkafka NUL-terminates errstr.
        return Err(unsafe { CStr::from_ptr(errstr.as_ptr()) }
            .to_string_lossy()
            .into_owned());
    }
    // SAFETY: made from the prepared configuration, not used since.
    Ok(unsafe { RawNew::from_ptr(rk) }.unwrap())
}

fn name_of(rk: *mut c::rd_kafka_t) -> String {
    // SAFETY: a live handle; rd_kafka_name returns a NUL-terminated string it owns.
    unsafe { CStr::from_ptr(c::rd_kafka_name(rk)) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_producer_created_by_c_code_is_adopted_and_reports_every_delivery() {
    let topic = unique_topic("raw-p");
    let cluster = mock_with_topic(&topic, 3);
    let delivered = Arc::new(AtomicUsize::new(0));
    let d = delivered.clone();
    let mut config = config_for(&cluster);
    config.set_on_delivery(move |r| {
        assert!(r.error().is_none(), "{:?}", r.error());
        d.fetch_add(1, Ordering::SeqCst);
    });
    let producer = Producer::from_raw(&config, |conf| {
        assert!(!conf.is_consumer());
        c_create(conf, "made-in-c")
    })
    .unwrap();
    let raw = producer.raw_client().unwrap();
    // SAFETY: only reads the name.
    assert!(name_of(unsafe { raw.as_ptr() }).starts_with("made-in-c#producer-"));
    for i in 0..100 {
        producer
            .produce(Record::new(&topic).with_key(&format!("k{i}")).with_value("v"))
            .unwrap();
    }
    producer.flush(scaled(Duration::from_secs(10))).unwrap();
    assert_eq!(delivered.load(Ordering::SeqCst), 100);
    let read = read_back(
        cluster.bootstrap_servers(),
        &topic,
        3,
        100,
        scaled(Duration::from_secs(10)),
    );
    assert_eq!(read.len(), 100);
}

#[test]
fn a_consumer_created_by_c_code_is_adopted_and_consumes_in_its_group() {
    let topic = unique_topic("raw-c");
    let cluster = mock_with_topic(&topic, 2);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    for i in 0..20 {
        producer
            .produce(Record::new(&topic).with_value(&format!("m{i}")))
            .unwrap();
    }
    producer.flush(scaled(Duration::from_secs(10))).unwrap();

    let mut config = config_for(&cluster);
    config.set("group.id", "raw-group").set("auto.offset.reset", "earliest");
    let consumer = Consumer::from_raw(&config, |conf| {
        assert!(conf.is_consumer());
        c_create(conf, "c-consumer")
    })
    .unwrap();
    consumer.subscribe(&[&topic]).unwrap();
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + scaled(Duration::from_secs(20));
    while got.len() < 20 && std::time::Instant::now() < deadline {
        for m in consumer.consume(20, Duration::from_millis(200)).unwrap() {
            got.push(m.value().unwrap().to_vec());
        }
    }
    got.sort();
    let mut want: Vec<Vec<u8>> = (0..20).map(|i| format!("m{i}").into_bytes()).collect();
    want.sort();
    assert_eq!(got, want);
    consumer.commit_sync(ferrokafka::Commit::Current).unwrap();
    consumer.close(Duration::from_secs(10)).unwrap();
}

#[test]
fn an_admin_client_created_by_c_code_is_adopted_and_completes_requests() {
    let topic = unique_topic("raw-a");
    let cluster = mock_with_topic(&topic, 2);
    let admin = AdminClient::from_raw(&config_for(&cluster), |conf| c_create(conf, "c-admin")).unwrap();
    // (The mock cluster has ListOffsets but no CreateTopics.) The result
    // arrives through the background-queue callback the prepared
    // configuration carries.
    let r = admin
        .list_offsets(
            &[(TopicPartition::new(&topic, 1), OffsetSpec::Latest)],
            &AdminOptions::new().request_timeout(scaled(Duration::from_secs(10))),
        )
        .unwrap()
        .wait(scaled(Duration::from_secs(20)))
        .unwrap();
    assert_eq!(r[0].1.as_ref().unwrap().offset, 0);
}

#[test]
fn c_code_produces_through_the_handed_out_pointer_and_the_report_reaches_rust() {
    let topic = unique_topic("raw-out");
    let cluster = mock_with_topic(&topic, 1);
    let keys = Arc::new(std::sync::Mutex::new(Vec::new()));
    let k = keys.clone();
    let mut config = config_for(&cluster);
    config.set_on_delivery(move |r| {
        assert!(r.error().is_none());
        k.lock().unwrap().push(r.key().unwrap().to_vec());
    });
    let producer = Producer::new(&config).unwrap();
    let raw = producer.raw_client().unwrap();
    let t = CString::new(topic.as_str()).unwrap();
    // SAFETY: the contract of RawClient::as_ptr: a topic handle destroyed
    // before the client, a produce with a NULL message opaque.
    unsafe {
        let rkt = c::rd_kafka_topic_new(raw.as_ptr(), t.as_ptr(), std::ptr::null_mut());
        assert!(!rkt.is_null());
        let (key, value) = (b"from-c", b"payload");
        let rc = c::rd_kafka_produce(
            rkt,
            0,
            c::RD_KAFKA_MSG_F_COPY,
            value.as_ptr() as *mut _,
            value.len(),
            key.as_ptr() as *const _,
            key.len(),
            std::ptr::null_mut(),
        );
        assert_eq!(rc, 0);
        c::rd_kafka_topic_destroy(rkt);
    }
    producer.produce(Record::new(&topic).with_key("from-rust")).unwrap();
    producer.flush(scaled(Duration::from_secs(10))).unwrap();
    let mut got = keys.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, vec![b"from-c".to_vec(), b"from-rust".to_vec()]);
}

#[test]
fn a_handed_out_pointer_outlives_the_client_until_it_is_dropped() {
    let cluster = MockCluster::new(1).unwrap();
    for kind in ["producer", "consumer", "admin"] {
        let mut config = config_for(&cluster);
        config.set("group.id", "g").set("client.id", format!("outlive-{kind}"));
        let marker = destruction_marker(&mut config);
        let raw = match kind {
            "producer" => {
                let p = Producer::new(&config).unwrap();
                let raw = p.raw_client().unwrap();
                p.close(Duration::from_secs(5)).unwrap();
                assert_eq!(p.raw_client().unwrap_err().code(), ErrorCode::DESTROY);
                raw
            }
            "consumer" => {
                let consumer = Consumer::new(&config).unwrap();
                let raw = consumer.raw_client().unwrap();
                consumer.close(Duration::from_secs(10)).unwrap();
                assert_eq!(consumer.raw_client().unwrap_err().code(), ErrorCode::DESTROY);
                raw
            }
            _ => AdminClient::new(&config).unwrap().raw_client().unwrap(),
        };
        drop(config); // (it holds the marker too)
                      // The client is closed or dropped; the handle is not destroyed.
        assert!(marker.strong_count() > 0, "{kind}");
        // SAFETY: the RawClient keeps the handle alive.
        assert!(name_of(unsafe { raw.as_ptr() }).starts_with(&format!("outlive-{kind}#")));
        drop(raw);
        assert!(destroyed_within(&marker, scaled(Duration::from_secs(20))), "{kind}");
    }
}

/// A handle C code made from a configuration of its own.
fn foreign_producer() -> *mut c::rd_kafka_t {
    let mut errstr = [0 as c_char; 512];
    // SAFETY: a new conf handed to rd_kafka_new.
    let rk = unsafe {
        c::rd_kafka_new(
            c::rd_kafka_type_t::RD_KAFKA_PRODUCER,
            c::rd_kafka_conf_new(),
            errstr.as_mut_ptr(),
            errstr.len(),
        )
    };
    assert!(!rk.is_null());
    rk
}

#[test]
fn handles_the_constructor_cannot_vouch_for_are_refused_and_left_to_the_caller() {
    let cluster = MockCluster::new(1).unwrap();
    let mut config = config_for(&cluster);
    config.set("group.id", "g");

    // Not made from the prepared configuration: refused, not destroyed
    // (this test destroys it afterwards, as the caller must).
    let mut foreign = std::ptr::null_mut();
    let err = Producer::from_raw(&config, |_conf| {
        foreign = foreign_producer();
        // SAFETY: breaks the contract on purpose; the check catches it.
        Ok(unsafe { RawNew::from_ptr(foreign) }.unwrap())
    })
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::INVALID_ARG);
    assert!(err.message().contains("not created from the RawConf"), "{err}");
    // SAFETY: still a live handle, owned by this test.
    unsafe { c::rd_kafka_destroy(foreign) };

    // Made from it, with the wrong type: refused and destroyed (it is
    // ferrokafka's; valgrind sees it freed).
    for consumer in [false, true] {
        let create = |conf: RawConf| {
            let wrong = if conf.is_consumer() {
                c::rd_kafka_type_t::RD_KAFKA_PRODUCER
            } else {
                c::rd_kafka_type_t::RD_KAFKA_CONSUMER
            };
            let mut errstr = [0 as c_char; 512];
            // SAFETY: the prepared conf, handed to rd_kafka_new once.
            let made = unsafe { c::rd_kafka_new(wrong, conf.into_ptr(), errstr.as_mut_ptr(), errstr.len()) };
            // SAFETY: breaks the type part of the contract on purpose.
            Ok(unsafe { RawNew::from_ptr(made) }.unwrap())
        };
        let err = if consumer {
            Consumer::from_raw(&config, create).unwrap_err()
        } else {
            Producer::from_raw(&config, create).unwrap_err()
        };
        assert_eq!(err.code(), ErrorCode::INVALID_ARG);
        assert!(err.message().contains("needs RD_KAFKA_"), "{err}");
    }

    // rd_kafka_new failing, and the closure's own error: `_INVALID_ARG`
    // with its reason.
    let mut bad = config.clone();
    bad.set("enable.idempotence", "true").set("acks", "1");
    let err = Producer::from_raw(&bad, |conf| c_create(conf, "x")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::INVALID_ARG);
    assert!(err.message().contains("acks"), "{err}");
    let err = AdminClient::from_raw(&config, |_conf| Err("no handle today".to_string())).unwrap_err();
    assert!(err.message().contains("no handle today"), "{err}");

    // A panic in the closure comes out of the constructor; the prepared
    // configuration is destroyed with the unwinding closure.
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Consumer::from_raw(&config, |_conf| panic!("c side panicked"))
    }));
    assert!(panicked.is_err());
    // The configuration still makes working clients.
    Producer::new(&config).unwrap();
}

#[test]
fn raw_conf_debug_shows_no_secrets() {
    let cluster = MockCluster::new(1).unwrap();
    let mut config: Config = config_for(&cluster);
    config.set("sasl.password", "hunter2-raw");
    let mut seen = String::new();
    let _ = Producer::from_raw(&config, |conf| {
        seen = format!("{conf:?}");
        Err("only looking".to_string())
    });
    assert!(seen.contains("RawConf"), "{seen}");
    assert!(!seen.contains("hunter2-raw"));
}

/// C code that sets a property of its own on the prepared configuration.
fn c_create_with(conf: RawConf, key: &str, value: &str) -> Result<RawNew, String> {
    let client_type = conf.client_type();
    let ptr = conf.into_ptr();
    let mut errstr = [0 as c_char; 512];
    let (k, v) = (CString::new(key).unwrap(), CString::new(value).unwrap());
    // SAFETY: a valid conf; NUL-terminated strings; errstr and its size.
    let rk = unsafe {
        assert_eq!(
            c::rd_kafka_conf_set(ptr, k.as_ptr(), v.as_ptr(), errstr.as_mut_ptr(), errstr.len()),
            c::rd_kafka_conf_res_t::RD_KAFKA_CONF_OK
        );
        c::rd_kafka_new(client_type, ptr, errstr.as_mut_ptr(), errstr.len())
    };
    // SAFETY: made from the prepared configuration, not used since.
    Ok(unsafe { RawNew::from_ptr(rk) }.unwrap())
}

#[test]
fn settings_ferrokafka_relies_on_cannot_be_changed_by_c_code() {
    let cluster = MockCluster::new(1).unwrap();
    let mut config = config_for(&cluster);
    config.set("group.id", "g");
    // Each would lose data or events: a librdkafka offset store commits
    // what the read-ahead holds; librdkafka's report filter leaks
    // per-message state; logs or events routed elsewhere are never served.
    for (consumer, key, value) in [
        (true, "enable.auto.offset.store", "true"),
        (false, "delivery.report.only.error", "true"),
        (false, "log.queue", "true"),
        (true, "security.protocol", "ssl"),
        (false, "sasl.mechanisms", "OAUTHBEARER"),
    ] {
        let create = |conf: RawConf| c_create_with(conf, key, value);
        let err = if consumer {
            Consumer::from_raw(&config, create).unwrap_err()
        } else {
            Producer::from_raw(&config, create).unwrap_err()
        };
        assert_eq!(err.code(), ErrorCode::INVALID_ARG, "{key}");
        assert!(err.message().contains(key), "{key}: {err}");
    }
    // Other properties are C's to set.
    let p = Producer::from_raw(&config, |conf| c_create_with(conf, "linger.ms", "7")).unwrap();
    p.flush(Duration::from_secs(5)).unwrap();
}

#[test]
fn a_handle_made_and_not_returned_keeps_its_callback_state_alive() {
    let cluster = MockCluster::new(1).unwrap();
    let logs = Arc::new(AtomicUsize::new(0));
    let l = logs.clone();
    let mut config = config_for(&cluster);
    // A callback the orphaned handle calls on its own threads: it must not
    // find its state freed (valgrind checks this run).
    config.set("debug", "broker").set("log_level", "7");
    config.set_error_cb(move |_| {
        l.fetch_add(1, Ordering::SeqCst);
    });

    // The closure fails after rd_kafka_new succeeded; then C code goes on
    // using and finally destroys the handle.
    let mut orphan = std::ptr::null_mut();
    let err = Producer::from_raw(&config, |conf| {
        let client_type = conf.client_type();
        let mut errstr = [0 as c_char; 512];
        // SAFETY: the prepared conf, handed to rd_kafka_new once.
        orphan = unsafe { c::rd_kafka_new(client_type, conf.into_ptr(), errstr.as_mut_ptr(), errstr.len()) };
        Err("the C side changed its mind".to_string())
    })
    .unwrap_err();
    assert!(err.message().contains("changed its mind"), "{err}");
    assert!(!orphan.is_null());
    // SAFETY: the handle C made and kept; its callback state was kept.
    unsafe {
        assert!(name_of(orphan).starts_with("rdkafka#producer-"));
        c::rd_kafka_poll(orphan, 100);
        c::rd_kafka_destroy(orphan);
    }

    // The same after a panic in the closure.
    let mut orphan = std::ptr::null_mut();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Consumer::from_raw(&config.clone().with("group.id", "g"), |conf| {
            let client_type = conf.client_type();
            let mut errstr = [0 as c_char; 512];
            // SAFETY: the prepared conf, handed to rd_kafka_new once.
            orphan = unsafe { c::rd_kafka_new(client_type, conf.into_ptr(), errstr.as_mut_ptr(), errstr.len()) };
            panic!("after rd_kafka_new");
        })
    }));
    assert!(panicked.is_err());
    assert!(!orphan.is_null());
    // SAFETY: as above.
    unsafe { c::rd_kafka_destroy(orphan) };

    // A RawConf smuggled out of the closure is dead once the constructor
    // has returned: its pointer is NULL.
    let kept: std::sync::Mutex<Option<RawConf>> = std::sync::Mutex::new(None);
    let err = Producer::from_raw(&config, |conf| {
        *kept.lock().unwrap() = Some(conf);
        Err("not now".to_string())
    })
    .unwrap_err();
    assert!(err.message().contains("not now"));
    let conf = kept.lock().unwrap().take().unwrap();
    assert!(conf.into_ptr().is_null());
}
