//! Proves the per-packet forwarding path allocates nothing: a real worker
//! thread forwards VP8 RTP from one PlainTransport to several consumer
//! PlainTransports over loopback UDP while a counting allocator watches.
//! Housekeeping (RTCP every second, stats) may allocate a little per tick,
//! so the test checks that allocations do not grow with the packet count.

use ferrosoup::channel::{Batch, Command, EventSink};
use ferrosoup::worker::{spawn, WorkerThread};
use serde_json::{json, Value};
use std::alloc::{GlobalAlloc, Layout, System};
use std::net::UdpSocket;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

struct Sink(Mutex<mpsc::Sender<String>>);
impl EventSink for Sink {
    fn deliver(&self, batch: Batch) {
        let _ = self.0.lock().unwrap().send(batch.json);
    }
}

struct Harness {
    worker: WorkerThread,
    events: mpsc::Receiver<String>,
    next_id: u32,
}

impl Harness {
    fn request(&mut self, method: &str, handler: &str, data: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        assert!(self.worker.send(Command::Request {
            id,
            method: method.into(),
            handler_id: handler.into(),
            data: data.to_string(),
        }));
        loop {
            let batch: Value = serde_json::from_str(&self.events.recv().unwrap()).unwrap();
            if let Some(m) = batch.as_array().unwrap().iter().find(|m| m["id"] == id) {
                assert_eq!(m["ok"], true, "{method}: {m}");
                return m["data"].clone();
            }
        }
    }
}

/// A VP8 packet: key frames carry the VP8 key frame bit pattern.
fn vp8_packet(seq: u16, ts: u32, ssrc: u32, key: bool) -> Vec<u8> {
    let mut p = vec![0u8; 12 + 1000];
    p[0] = 0x80;
    p[1] = 96 | 0x80;
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p[4..8].copy_from_slice(&ts.to_be_bytes());
    p[8..12].copy_from_slice(&ssrc.to_be_bytes());
    // VP8 payload descriptor: S=1, partition 0; then the payload header
    // whose low bit P=0 marks a key frame.
    p[12] = 0x10;
    p[13] = if key { 0x00 } else { 0x01 };
    p
}

#[test]
fn forwarding_does_not_allocate_per_packet() {
    let (tx, rx) = mpsc::channel();
    let settings = ferrosoup::request::worker_settings(r#"{"logLevel": "none"}"#).unwrap();
    let worker = spawn(settings, Box::new(Sink(Mutex::new(tx)))).unwrap();
    let mut h = Harness {
        worker,
        events: rx,
        next_id: 0,
    };
    // RTP parameters as js/ortc negotiates them (tests/fixtures).
    let fixture: Value = serde_json::from_str(include_str!("fixtures/ortc_requests.json")).unwrap();
    let negotiated = &fixture["vp8NoRtx"];
    h.request("worker.createRouter", "", json!({"routerId": "r"}));
    let plain = |id: &str, comedia: bool| {
        json!({"transportId": id, "options": {
            "listenInfo": {"protocol": "udp", "ip": "127.0.0.1"}, "rtcpMux": true, "comedia": comedia
        }})
    };
    let sender_dump = h.request("router.createPlainTransport", "r", plain("in", true));
    let in_port = sender_dump["tuple"]["localPort"].as_u64().unwrap() as u16;

    let (params, mapping, consumable) = (
        &negotiated["rtpParameters"],
        &negotiated["rtpMapping"],
        &negotiated["consumable"],
    );
    h.request(
        "transport.produce",
        "in",
        json!({"producerId": "p", "kind": "video", "rtpParameters": params, "rtpMapping": mapping, "paused": false}),
    );

    let receivers: Vec<UdpSocket> = (0..4)
        .map(|_| UdpSocket::bind("127.0.0.1:0").unwrap())
        .collect();
    for (i, r) in receivers.iter().enumerate() {
        r.set_nonblocking(true).unwrap();
        let id = format!("out{i}");
        h.request("router.createPlainTransport", "r", plain(&id, false));
        h.request(
            "transport.connect",
            &id,
            json!({"ip": "127.0.0.1", "port": r.local_addr().unwrap().port()}),
        );
        let consumer_params = &negotiated["consumer"][1];
        h.request(
            "transport.consume",
            &id,
            json!({"consumerId": format!("c{i}"), "producerId": "p", "kind": "video",
                   "rtpParameters": consumer_params, "type": "simple",
                   "consumableRtpEncodings": consumable["encodings"], "paused": false}),
        );
    }

    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target: std::net::SocketAddr = format!("127.0.0.1:{in_port}").parse().unwrap();
    let packets: Vec<Vec<u8>> = (0..4000u32)
        .map(|i| vp8_packet(i as u16, i * 3000, 1234, i % 500 == 0))
        .collect();
    let mut drain_buf = [0u8; 2048];
    let mut drain = |receivers: &[UdpSocket]| -> usize {
        let mut n = 0;
        for r in receivers {
            while r.recv_from(&mut drain_buf).is_ok() {
                n += 1;
            }
        }
        n
    };
    // Sends `count` packets in ~`duration`, returns (allocations, forwarded).
    let mut seq = 0usize;
    let mut send_window = |count: usize, duration: Duration| -> (u64, usize) {
        let start_allocs = ALLOCATIONS.load(Ordering::Relaxed);
        let start = Instant::now();
        let mut received = 0;
        for k in 0..count {
            sender
                .send_to(&packets[seq % packets.len()], target)
                .unwrap();
            seq += 1;
            let due = start + duration.mul_f64((k + 1) as f64 / count as f64);
            while Instant::now() < due {
                received += drain(&receivers);
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        std::thread::sleep(Duration::from_millis(50));
        received += drain(&receivers);
        (ALLOCATIONS.load(Ordering::Relaxed) - start_allocs, received)
    };

    // Warm-up: streams, buffers and tables reach their steady size.
    send_window(3000, Duration::from_millis(1500));
    let (few_allocs, few) = send_window(500, Duration::from_millis(1000));
    let (many_allocs, many) = send_window(3000, Duration::from_millis(1000));
    eprintln!(
        "window A: {few} forwarded, {few_allocs} allocations; window B: {many} forwarded, {many_allocs} allocations"
    );
    assert!(many > 10_000, "forwarding did not happen: {many}");
    // 6x the packets in the same time: per-packet allocations would show up
    // as thousands more; housekeeping (ticks, RTCP) stays about the same.
    assert!(
        many_allocs <= few_allocs + 200,
        "allocations grew with packets: {few_allocs} for {few} vs {many_allocs} for {many}"
    );
    assert!(
        (many_allocs as f64) / (many as f64) < 0.05,
        "too many allocations per forwarded packet"
    );
    h.worker.close(Duration::from_secs(5));
}
