//! A fake broker that throttles (shared by tests/panics.rs and
//! tests/reentrancy.rs): librdkafka 2.12.1's mock cluster never throttles.
#![allow(dead_code)]

use ferrokafka::Config;
use std::time::Duration;

/// A broker on loopback that speaks just enough of the Kafka 0.9 protocol
/// (clients set `api.version.request=false`, `broker.version.fallback=0.9.0`)
/// for a producer and an assigned consumer of topic `t` (1 partition):
/// Metadata v0, FindCoordinator v0, Produce v1 and Fetch v1 — answering
/// every Produce and Fetch with a throttle time, which the mock cluster
/// cannot do. Other requests go unanswered. Its threads end with the
/// (child) process.
pub struct ThrottlingBroker {
    port: u16,
}

pub const THROTTLE_MS: i32 = 50;

impl ThrottlingBroker {
    pub fn start() -> ThrottlingBroker {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                std::thread::spawn(move || {
                    let _ = Self::serve(conn, port);
                });
            }
        });
        ThrottlingBroker { port }
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn config(&self) -> Config {
        let mut c = Config::new();
        c.set("bootstrap.servers", self.bootstrap())
            .set("api.version.request", "false")
            .set("broker.version.fallback", "0.9.0");
        c
    }

    fn serve(mut conn: std::net::TcpStream, port: u16) -> std::io::Result<()> {
        use std::io::{Read, Write};
        loop {
            let mut len = [0u8; 4];
            conn.read_exact(&mut len)?;
            let mut req = vec![0u8; i32::from_be_bytes(len).max(0) as usize];
            conn.read_exact(&mut req)?;
            let mut r = Reader(&req);
            let (api_key, _version, correlation_id) = (r.i16(), r.i16(), r.i32());
            let _client_id = r.string();
            let mut body = Vec::new();
            match api_key {
                // Metadata v0: this broker leads the one partition of "t".
                3 => {
                    put_i32(&mut body, 1);
                    put_i32(&mut body, 1);
                    put_str(&mut body, "127.0.0.1");
                    put_i32(&mut body, port as i32);
                    // librdkafka sizes its parse buffer from the response's
                    // length: a second (unknown) topic with a long name
                    // makes room for the first one's replica lists.
                    put_i32(&mut body, 2);
                    put_i16(&mut body, 3);
                    put_str(&mut body, &"padding".repeat(40));
                    put_i32(&mut body, 0);
                    put_i16(&mut body, 0);
                    put_str(&mut body, "t");
                    put_i32(&mut body, 1);
                    put_i16(&mut body, 0);
                    put_i32(&mut body, 0);
                    put_i32(&mut body, 1);
                    for _ in 0..2 {
                        put_i32(&mut body, 1);
                        put_i32(&mut body, 1);
                    }
                }
                // FindCoordinator v0: this broker.
                10 => {
                    put_i16(&mut body, 0);
                    put_i32(&mut body, 1);
                    put_str(&mut body, "127.0.0.1");
                    put_i32(&mut body, port as i32);
                }
                // Produce v1: every partition written at offset 0, throttled.
                0 => {
                    let (_acks, _timeout) = (r.i16(), r.i32());
                    let topics = r.i32();
                    put_i32(&mut body, topics);
                    for _ in 0..topics {
                        put_str(&mut body, &r.string());
                        let parts = r.i32();
                        put_i32(&mut body, parts);
                        for _ in 0..parts {
                            let partition = r.i32();
                            let size = r.i32();
                            r.skip(size.max(0) as usize);
                            put_i32(&mut body, partition);
                            put_i16(&mut body, 0);
                            put_i64(&mut body, 0);
                        }
                    }
                    put_i32(&mut body, THROTTLE_MS);
                }
                // Fetch v1: nothing new, throttled (after waiting a little,
                // as a broker waits for data, so the consumer does not spin).
                1 => {
                    let (_replica, max_wait, _min_bytes) = (r.i32(), r.i32(), r.i32());
                    std::thread::sleep(Duration::from_millis(max_wait.clamp(0, 100) as u64));
                    put_i32(&mut body, THROTTLE_MS);
                    let topics = r.i32();
                    put_i32(&mut body, topics);
                    for _ in 0..topics {
                        put_str(&mut body, &r.string());
                        let parts = r.i32();
                        put_i32(&mut body, parts);
                        for _ in 0..parts {
                            let (partition, _offset, _max) = (r.i32(), r.i64(), r.i32());
                            put_i32(&mut body, partition);
                            put_i16(&mut body, 0);
                            put_i64(&mut body, 0);
                            put_i32(&mut body, 0);
                        }
                    }
                }
                _ => continue,
            }
            let mut resp = Vec::with_capacity(body.len() + 8);
            put_i32(&mut resp, body.len() as i32 + 4);
            put_i32(&mut resp, correlation_id);
            resp.extend_from_slice(&body);
            conn.write_all(&resp)?;
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
    fn skip(&mut self, n: usize) {
        self.take(n);
    }
    fn i16(&mut self) -> i16 {
        self.take(2).try_into().map(i16::from_be_bytes).unwrap_or(0)
    }
    fn i32(&mut self) -> i32 {
        self.take(4).try_into().map(i32::from_be_bytes).unwrap_or(0)
    }
    fn i64(&mut self) -> i64 {
        self.take(8).try_into().map(i64::from_be_bytes).unwrap_or(0)
    }
    fn string(&mut self) -> String {
        let n = self.i16().max(0) as usize;
        String::from_utf8_lossy(self.take(n)).into_owned()
    }
}

fn put_i16(b: &mut Vec<u8>, v: i16) {
    b.extend_from_slice(&v.to_be_bytes());
}
fn put_i32(b: &mut Vec<u8>, v: i32) {
    b.extend_from_slice(&v.to_be_bytes());
}
fn put_i64(b: &mut Vec<u8>, v: i64) {
    b.extend_from_slice(&v.to_be_bytes());
}
fn put_str(b: &mut Vec<u8>, s: &str) {
    put_i16(b, s.len() as i16);
    b.extend_from_slice(s.as_bytes());
}
