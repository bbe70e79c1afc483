//! SCTP mode (`npm run bench -- --data`, driver: benches/data.js):
//! data-channel throughput from one DataProducer to N DataConsumers over
//! real SCTP on loopback UDP.
//!
//! One association, the sender, is the peer of the DataProducer's
//! PlainTransport and writes messages on stream 0 (ordered, reliable, PPID
//! 53). N associations, the receivers, are the peers of the DataConsumers'
//! PlainTransports; they share one UDP socket and are told apart by the
//! source port of what arrives. The SFU's PlainTransports answer SCTP, so
//! every association here sends the INIT (SCTP port 5000 on both sides).
//!
//! Protocol (JSON lines, like the RTP mode):
//!
//! ```text
//! -> {"cmd":"open","mode":"sctp"}
//! <- {"event":"opened","sendPort":P,"recvPort":Q}
//! -> {"cmd":"associate","target":{"ip":"127.0.0.1","port":P},"consumers":[{"port":p},..],
//!     "rate":msgs/s (0: as fast as the send buffer allows),"size":bytes,"warmup":s,
//!     "duration":s,"drain":s,"sendBuffer":bytes,"pollUs":us,"rtPriority":0}
//! <- {"event":"associated","connected":n,"failed":f,"expected":N+1,"ms":t}
//! -> {"cmd":"start"}
//! <- {"event":"measure_start"} {"event":"measure_end"} {"event":"result",...}, then exit
//! ```
//!
//! Each message carries a magic number, its sequence number and its send
//! time (CLOCK_MONOTONIC ns) in its first 20 bytes. Only messages sent
//! inside the window count; the drain time lets their copies still arrive.

use super::{emit, fail, mono_ns, parse_cmsgs, set_realtime, setsockopt_int, thread_cpu_us};
use crate::hist::Histogram;
use bytes::Bytes;
use rtc_sctp::{
    Association, AssociationHandle, ClientConfig, DatagramEvent, Endpoint, EndpointConfig,
    EndpointEvent, Event, Payload, PayloadProtocolIdentifier, ReliabilityType, ServerConfig,
    StreamEvent, TransportConfig,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MAGIC: u32 = 0x4653_4443; // "FSDC"
const HEADER_LEN: usize = 20; // magic (4) + sequence (8) + send ns (8)
const STREAM_ID: u16 = 0;
const PPID_BINARY: u32 = 53;
/// What the SFU's transports announce (mediasoup's defaults).
const NUM_STREAMS: u16 = 1024;
const MAX_MESSAGE_SIZE: u32 = 262_144;
const BATCH: usize = 64;
const DATAGRAM_LEN: usize = 9216;
/// Longest a thread sleeps without looking at its socket and timers.
const MAX_WAIT_NS: u64 = 1_000_000;
/// How often the receiver thread looks at every association's timers.
const TIMER_SWEEP_NS: u64 = 1_000_000;
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a peer waits for the SFU's INIT before sending its own.
const INIT_GRACE: Duration = Duration::from_millis(300);

/// LOADGEN_TRACE=1: every SCTP packet's chunk types on stderr (debugging
/// a handshake; far too slow for a measurement).
fn trace_packet(remote: SocketAddr, dir: &str, p: &[u8]) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("LOADGEN_TRACE").is_some()) {
        return;
    }
    let mut chunks = Vec::new();
    let mut at = 12;
    while at + 4 <= p.len() {
        chunks.push(p[at]);
        let len = u16::from_be_bytes([p[at + 2], p[at + 3]]) as usize;
        at += len.max(4).div_ceil(4) * 4;
    }
    eprintln!(
        "sctp {remote} {dir} {} bytes, chunk types {chunks:?}",
        p.len()
    );
}

const CT_INIT: u8 = 1;
const CT_INIT_ACK: u8 = 2;
const COMMON_HEADER_LEN: usize = 12;
/// Chunk header (4) + initiate tag, a_rwnd, OS, MIS, initial TSN (16).
const INIT_FIXED_LEN: usize = 20;

/// An INIT or INIT ACK without its value-less (4-byte) parameters, or None
/// if it has none (or is not one).
///
/// Why: rtc-sctp 0.21 does not parse an INIT / INIT ACK whose last
/// parameter is only a header (its parameter loop stops while 4 bytes are
/// left, and the packet parser then reads those 4 bytes as a chunk of
/// their own and drops the packet). mediasoup 3.27 ends both with
/// Forward-TSN-Supported (0xC000, length 4). Forward TSN support is also
/// in its Supported Extensions parameter, which rtc-sctp does read, so
/// dropping the empty parameter changes nothing else.
fn without_valueless_init_params(p: &[u8]) -> Option<Vec<u8>> {
    let chunk = p.get(COMMON_HEADER_LEN..)?;
    if chunk.len() < INIT_FIXED_LEN || !matches!(chunk[0], CT_INIT | CT_INIT_ACK) {
        return None;
    }
    let chunk_len = (u16::from_be_bytes([chunk[2], chunk[3]]) as usize).min(chunk.len());
    let mut params = Vec::with_capacity(chunk_len);
    let mut at = INIT_FIXED_LEN;
    let mut stripped = false;
    while at + 4 <= chunk_len {
        let len = u16::from_be_bytes([chunk[at + 2], chunk[at + 3]]) as usize;
        if len < 4 || at + len > chunk_len {
            return None; // malformed: leave it to rtc-sctp
        }
        if len == 4 {
            stripped = true;
        } else {
            let padded = (len.div_ceil(4) * 4).min(chunk_len - at);
            params.extend_from_slice(&chunk[at..at + padded]);
        }
        at += len.div_ceil(4) * 4;
    }
    if !stripped {
        return None;
    }
    let mut out = p[..COMMON_HEADER_LEN + INIT_FIXED_LEN].to_vec();
    out.extend_from_slice(&params);
    let new_len = (INIT_FIXED_LEN + params.len()) as u16;
    out[COMMON_HEADER_LEN + 2..COMMON_HEADER_LEN + 4].copy_from_slice(&new_len.to_be_bytes());
    // Chunks bundled after the INIT (none in practice), unchanged.
    let after = COMMON_HEADER_LEN + chunk_len.div_ceil(4) * 4;
    out.extend_from_slice(p.get(after..).unwrap_or_default());
    set_checksum(&mut out);
    Some(out)
}

/// CRC32c over the packet with a zero checksum field, stored little-endian.
fn set_checksum(p: &mut [u8]) {
    p[8..12].fill(0);
    let crc = crc32c::crc32c(p);
    p[8..12].copy_from_slice(&crc.to_le_bytes());
}

struct Config {
    /// Messages per second; 0: as fast as the send buffer allows.
    rate: f64,
    size: usize,
    warmup: f64,
    duration: f64,
    drain: f64,
    /// Most bytes the sender keeps buffered (queued or unacknowledged).
    send_buffer: usize,
    poll_us: u64,
    rt_priority: i32,
}

fn parse_config(v: &Value) -> Config {
    let f = |k: &str, d: f64| v.get(k).and_then(Value::as_f64).unwrap_or(d);
    Config {
        rate: f("rate", 10_000.0).max(0.0),
        size: (f("size", 1000.0) as usize).clamp(HEADER_LEN, MAX_MESSAGE_SIZE as usize),
        warmup: f("warmup", 2.0),
        duration: f("duration", 8.0),
        drain: f("drain", 1.0),
        send_buffer: f("sendBuffer", 1_048_576.0) as usize,
        poll_us: f("pollUs", 200.0) as u64,
        rt_priority: f("rtPriority", 0.0) as i32,
    }
}

/// The run's clock edges (CLOCK_MONOTONIC ns), known once `start` came.
#[derive(Clone, Copy)]
struct Timing {
    start: u64,
    /// The measurement window [t0, t1).
    t0: u64,
    t1: u64,
    /// The sender stops writing here, half the drain time after t1.
    stop_send: u64,
}

impl Timing {
    fn new(start: u64, cfg: &Config) -> Self {
        let t0 = start + (cfg.warmup * 1e9) as u64;
        let t1 = t0 + (cfg.duration * 1e9) as u64;
        Timing {
            start,
            t0,
            t1,
            stop_send: t1 + (cfg.drain * 0.5 * 1e9) as u64,
        }
    }

    fn in_window(&self, stamp: u64) -> bool {
        stamp >= self.t0 && stamp < self.t1
    }
}

/// What the threads and the main thread share.
#[derive(Default)]
struct Shared {
    /// Associations up (loadgen side) and those whose handshake failed.
    connected: AtomicUsize,
    failed: AtomicUsize,
    /// CLOCK_MONOTONIC ns at which sending starts; 0 until `start`.
    start_ns: AtomicU64,
    stop: AtomicBool,
}

impl Shared {
    fn timing(&self, cfg: &Config) -> Option<Timing> {
        match self.start_ns.load(Ordering::Acquire) {
            0 => None,
            start => Some(Timing::new(start, cfg)),
        }
    }
}

/// An association and its handle in the endpoint.
struct Slot {
    handle: AssociationHandle,
    association: Association,
}

/// One SCTP association with its own endpoint, the peer of one SFU
/// transport. An SFU that initiates (mediasoup's PlainTransport sends INIT
/// on connect()) is answered; to one that only answers (ferrosoup's) this
/// side sends INIT once `INIT_GRACE` passed without an INIT from it. Only
/// one side may initiate: crossing INITs would make two associations.
struct Peer {
    remote: SocketAddr,
    endpoint: Endpoint,
    slot: Option<Slot>,
    connect_at: Instant,
    /// The SFU sent the INIT (else this side did).
    answered: bool,
    connected: bool,
    failed: bool,
    /// Datagrams the endpoint did not route to our association.
    ignored: u64,
    /// INITs of the SFU's that came after ours (not taken).
    crossing_inits: u64,
    /// INIT / INIT ACK chunks rewritten by `without_valueless_init_params`.
    init_params_stripped: u64,
    readable: Vec<u16>,
    read_buf: Vec<u8>,
}

fn transport_config() -> TransportConfig {
    TransportConfig::default()
        .with_max_message_size(MAX_MESSAGE_SIZE)
        .with_max_num_outbound_streams(NUM_STREAMS)
        .with_max_num_inbound_streams(NUM_STREAMS)
}

impl Peer {
    fn new(local: SocketAddr, remote: SocketAddr) -> Peer {
        let endpoint = Endpoint::new(
            local,
            rtc_shared::TransportProtocol::UDP,
            Arc::new(EndpointConfig::new()),
            Some(Arc::new(ServerConfig::new(transport_config()))),
        );
        Peer {
            remote,
            endpoint,
            slot: None,
            connect_at: Instant::now() + INIT_GRACE,
            answered: false,
            connected: false,
            failed: false,
            ignored: 0,
            crossing_inits: 0,
            init_params_stripped: 0,
            readable: Vec::new(),
            read_buf: vec![0; MAX_MESSAGE_SIZE as usize],
        }
    }

    /// Sends INIT (the SFU did not).
    fn connect(&mut self, now: Instant) {
        let (handle, association) = self
            .endpoint
            .connect(now, ClientConfig::new(transport_config()), self.remote)
            .unwrap_or_else(|e| fail(&format!("sctp connect {}: {e:?}", self.remote)));
        self.slot = Some(Slot {
            handle,
            association,
        });
    }

    fn handle_datagram(&mut self, now: Instant, data: &[u8]) {
        trace_packet(self.remote, "<-", data);
        let data = match without_valueless_init_params(data) {
            Some(fixed) => {
                self.init_params_stripped += 1;
                fixed
            }
            None => data.to_vec(),
        };
        let event = self
            .endpoint
            .handle(now, self.remote, None, Bytes::from(data));
        match (event, self.slot.as_mut()) {
            (Some((h, DatagramEvent::AssociationEvent(e))), Some(slot)) if h == slot.handle => {
                slot.association.handle_event(e)
            }
            (Some((handle, DatagramEvent::NewAssociation(association))), None) => {
                self.answered = true;
                self.slot = Some(Slot {
                    handle,
                    association,
                });
            }
            (Some((handle, DatagramEvent::NewAssociation(_))), Some(_)) => {
                self.crossing_inits += 1;
                self.endpoint.handle_event(handle, EndpointEvent::drained());
            }
            _ => self.ignored += 1,
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        match self.slot.as_mut() {
            None if now >= self.connect_at => self.connect(now),
            Some(slot) if slot.association.poll_timeout().is_some_and(|t| t <= now) => {
                slot.association.handle_timeout(now)
            }
            _ => {}
        }
    }

    /// Nanoseconds from `now` until the next timer (or our INIT).
    fn ns_until_timeout(&self, now: Instant) -> Option<u64> {
        let at = match self.slot.as_ref() {
            Some(slot) => slot.association.poll_timeout()?,
            None => self.connect_at,
        };
        Some(at.saturating_duration_since(now).as_nanos() as u64)
    }

    /// Takes the association's events; hands each whole message (payload,
    /// PPID) to `on_message`.
    fn poll_events(&mut self, mut on_message: impl FnMut(&[u8], u32)) {
        let Some(slot) = self.slot.as_mut() else {
            return;
        };
        let association = &mut slot.association;
        while let Some(event) = association.poll() {
            match event {
                Event::Connected => self.connected = true,
                Event::HandshakeFailed { .. } | Event::AssociationLost { .. } => self.failed = true,
                Event::Stream(StreamEvent::Readable { id }) => self.readable.push(id),
                _ => {}
            }
        }
        while association.accept_stream().is_some() {}
        while let Some(event) = association.poll_endpoint_event() {
            self.endpoint.handle_event(slot.handle, event);
        }
        for id in std::mem::take(&mut self.readable) {
            let Ok(mut stream) = association.stream(id) else {
                continue;
            };
            while let Ok(Some(chunks)) = stream.read_sctp() {
                if let Ok(n) = chunks.read(&mut self.read_buf) {
                    on_message(&self.read_buf[..n], chunks.ppi as u32);
                }
            }
        }
    }

    /// Hands every packet the association has to send to `send`.
    fn transmit(&mut self, now: Instant, mut send: impl FnMut(&[u8])) {
        let Some(slot) = self.slot.as_mut() else {
            return;
        };
        while let Some(transmit) = slot.association.poll_transmit(now) {
            if let Payload::RawEncode(packets) = transmit.message {
                for packet in &packets {
                    trace_packet(self.remote, "->", packet);
                    send(packet);
                }
            }
        }
    }

    fn association(&mut self) -> Option<&mut Association> {
        self.slot.as_mut().map(|s| &mut s.association)
    }

    /// Opens stream 0 for sending: ordered, reliable.
    fn open_send_stream(&mut self) {
        let Some(association) = self.association() else {
            return;
        };
        let mut stream = association
            .open_stream(STREAM_ID, PayloadProtocolIdentifier::Binary)
            .unwrap_or_else(|e| fail(&format!("open stream: {e}")));
        stream
            .set_reliability_params(false, ReliabilityType::Reliable, 0)
            .unwrap_or_else(|e| fail(&format!("stream reliability: {e}")));
    }

    fn write(&mut self, now: Instant, message: &Bytes) -> bool {
        let Some(association) = self.association() else {
            return false;
        };
        match association.stream(STREAM_ID) {
            Ok(mut stream) => stream
                .write_sctp(now, message, PayloadProtocolIdentifier::Binary)
                .is_ok(),
            Err(_) => false,
        }
    }

    fn buffered_amount(&mut self) -> usize {
        self.association()
            .and_then(|a| a.stream(STREAM_ID).ok())
            .and_then(|s| s.buffered_amount().ok())
            .unwrap_or(0)
    }

    /// SACKs received, T3 and delayed-ack timeouts, fast retransmits.
    fn counters(&self) -> Value {
        let Some(slot) = self.slot.as_ref() else {
            return Value::Null;
        };
        let mut s = slot.association.stats();
        json!({
            "sacks_received": s.get_num_sacks(),
            "t3_timeouts": s.get_num_t3timeouts(),
            "ack_timeouts": s.get_num_ack_timeouts(),
            "fast_retransmits": s.get_num_fast_retrans(),
        })
    }
}

/// Blocks until `fd` is readable or `timeout_ns` passed.
fn wait_readable(fd: i32, timeout_ns: u64) {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ts = libc::timespec {
        tv_sec: (timeout_ns / 1_000_000_000) as libc::time_t,
        tv_nsec: (timeout_ns % 1_000_000_000) as libc::c_long,
    };
    // SAFETY: one live pollfd, a live timespec, no signal mask.
    unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) };
}

fn cpu_json(cpu: (u64, u64)) -> Value {
    json!({ "user_ms": cpu.0 as f64 / 1e3, "sys_ms": cpu.1 as f64 / 1e3 })
}

/// The message with sequence number `seq`, stamped `stamp`.
fn build_message(size: usize, seq: u64, stamp: u64) -> Bytes {
    let mut m = vec![0x5Au8; size];
    m[0..4].copy_from_slice(&MAGIC.to_be_bytes());
    m[4..12].copy_from_slice(&seq.to_be_bytes());
    m[12..20].copy_from_slice(&stamp.to_be_bytes());
    Bytes::from(m)
}

/// (sequence number, send stamp) of a message of ours.
fn parse_message(m: &[u8]) -> Option<(u64, u64)> {
    if m.len() < HEADER_LEN || m[0..4] != MAGIC.to_be_bytes() {
        return None;
    }
    let seq = u64::from_be_bytes(m[4..12].try_into().ok()?);
    let stamp = u64::from_be_bytes(m[12..20].try_into().ok()?);
    Some((seq, stamp))
}

#[derive(Default)]
struct SenderStats {
    written_total: u64,
    written_window: u64,
    /// Paced mode: message slots skipped because the send buffer was full
    /// (the SFU acknowledged too slowly); in the window.
    blocked_window: u64,
    write_errors: u64,
    send_errors: u64,
    datagrams_sent: u64,
    datagrams_received: u64,
    max_buffered: usize,
    final_buffered: usize,
    cpu: (u64, u64),
}

/// Decides which messages are due: slot k is due at start + k / rate.
struct Pacer {
    rate: f64,
    next_slot: u64,
    seq: u64,
}

impl Pacer {
    /// Slots due by `now` (all of them when unpaced).
    fn due(&self, now: u64, start: u64) -> u64 {
        if self.rate <= 0.0 {
            return u64::MAX;
        }
        ((now.saturating_sub(start)) as f64 * self.rate / 1e9) as u64 + 1
    }

    /// When the next slot is due (None when unpaced).
    fn next_due_ns(&self, start: u64) -> Option<u64> {
        (self.rate > 0.0).then(|| start + (self.next_slot as f64 * 1e9 / self.rate) as u64)
    }
}

/// Writes every due message while the send buffer has room.
fn write_due(
    cfg: &Config,
    peer: &mut Peer,
    pacer: &mut Pacer,
    timing: &Timing,
    st: &mut SenderStats,
) {
    let now_ns = mono_ns();
    if now_ns >= timing.stop_send {
        return;
    }
    let due = pacer.due(now_ns, timing.start);
    while pacer.next_slot < due {
        let buffered = peer.buffered_amount();
        st.max_buffered = st.max_buffered.max(buffered);
        if buffered + cfg.size > cfg.send_buffer {
            if cfg.rate > 0.0 {
                // Paced: these slots are lost to the offered load, not queued.
                if timing.in_window(now_ns) {
                    st.blocked_window += due - pacer.next_slot;
                }
                pacer.next_slot = due;
            }
            return;
        }
        let stamp = mono_ns();
        if peer.write(Instant::now(), &build_message(cfg.size, pacer.seq, stamp)) {
            pacer.seq += 1;
            st.written_total += 1;
            st.written_window += timing.in_window(stamp) as u64;
        } else {
            st.write_errors += 1;
        }
        pacer.next_slot += 1;
    }
}

/// Takes everything waiting on a connected socket.
fn receive_all(sock: &UdpSocket, peer: &mut Peer, buf: &mut [u8]) -> u64 {
    let mut n = 0;
    while let Ok(len) = sock.recv(buf) {
        peer.handle_datagram(Instant::now(), &buf[..len]);
        n += 1;
    }
    n
}

/// The sender: handshake, then paced (or unpaced) writes until stopped.
fn sender(cfg: Arc<Config>, sock: UdpSocket, mut peer: Peer, shared: Arc<Shared>) -> Value {
    set_realtime(cfg.rt_priority);
    let fd = sock.as_raw_fd();
    let mut st = SenderStats::default();
    let mut pacer = Pacer {
        rate: cfg.rate,
        next_slot: 0,
        seq: 0,
    };
    let mut buf = vec![0u8; DATAGRAM_LEN];
    let mut counted = false;
    let mut timing = None;
    while !shared.stop.load(Ordering::Relaxed) {
        st.datagrams_received += receive_all(&sock, &mut peer, &mut buf);
        peer.handle_timeout(Instant::now());
        peer.poll_events(|_, _| {});
        if !counted && (peer.connected || peer.failed) {
            counted = true;
            let c = if peer.connected {
                &shared.connected
            } else {
                &shared.failed
            };
            c.fetch_add(1, Ordering::Release);
            peer.open_send_stream();
        }
        timing = timing.or_else(|| shared.timing(&cfg));
        if let (true, Some(t)) = (peer.connected, timing.as_ref()) {
            write_due(&cfg, &mut peer, &mut pacer, t, &mut st);
        }
        peer.transmit(Instant::now(), |p| match sock.send(p) {
            Ok(_) => st.datagrams_sent += 1,
            Err(_) => st.send_errors += 1,
        });
        let next_due = timing.and_then(|t| pacer.next_due_ns(t.start));
        wait_readable(fd, wait_ns(&peer, next_due));
    }
    st.final_buffered = peer.buffered_amount();
    st.cpu = thread_cpu_us();
    json!({
        "written_total": st.written_total,
        "written_window": st.written_window,
        "blocked_window": st.blocked_window,
        "write_errors": st.write_errors,
        "send_errors": st.send_errors,
        "datagrams_sent": st.datagrams_sent,
        "datagrams_received": st.datagrams_received,
        "ignored_datagrams": peer.ignored,
        "answered": peer.answered,
        "init_params_stripped": peer.init_params_stripped,
        "crossing_inits": peer.crossing_inits,
        "max_buffered": st.max_buffered,
        "final_buffered": st.final_buffered,
        "association": peer.counters(),
        "cpu": cpu_json(st.cpu),
    })
}

/// How long the sender may sleep: until the next due message or timer.
fn wait_ns(peer: &Peer, next_due: Option<u64>) -> u64 {
    let now = mono_ns();
    let until_due = next_due.map_or(MAX_WAIT_NS, |d| d.saturating_sub(now));
    let until_timer = peer.ns_until_timeout(Instant::now()).unwrap_or(MAX_WAIT_NS);
    until_due.min(until_timer).min(MAX_WAIT_NS)
}

/// One DataConsumer's messages as the loadgen saw them.
#[derive(Default, Clone)]
struct Flow {
    next_seq: u64,
    received_total: u64,
    received_window: u64,
    bytes_window: u64,
    /// Sequence numbers skipped (messages the SFU never delivered).
    missing: u64,
    /// Messages older than one already seen (out of order or duplicate).
    out_of_order: u64,
}

#[derive(Default)]
struct ReceiverStats {
    datagrams: u64,
    syscalls: u64,
    unknown_source: u64,
    not_ours: u64,
    wrong_ppid: u64,
    socket_drops: u32,
    send_errors: u64,
    latency: Histogram,
}

impl Flow {
    fn record(&mut self, seq: u64, len: usize, in_window: bool) {
        self.received_total += 1;
        if seq < self.next_seq {
            self.out_of_order += 1;
        } else {
            self.missing += seq - self.next_seq;
            self.next_seq = seq + 1;
        }
        if in_window {
            self.received_window += 1;
            self.bytes_window += len as u64;
        }
    }
}

/// Counts one message a receiver association delivered.
fn on_message(
    flow: &mut Flow,
    st: &mut ReceiverStats,
    timing: Option<&Timing>,
    data: &[u8],
    ppid: u32,
) {
    if ppid != PPID_BINARY {
        st.wrong_ppid += 1;
    }
    let Some((seq, stamp)) = parse_message(data) else {
        st.not_ours += 1;
        return;
    };
    let in_window = timing.is_some_and(|t| t.in_window(stamp));
    flow.record(seq, data.len(), in_window);
    if in_window {
        st.latency.record(mono_ns().saturating_sub(stamp));
    }
}

/// recvmmsg buffers that keep each datagram's source address.
struct Batch {
    bufs: Vec<[u8; DATAGRAM_LEN]>,
    addrs: Vec<libc::sockaddr_in>,
    cmsgs: Vec<[u64; 8]>,
    iovs: Vec<libc::iovec>,
    hdrs: Vec<libc::mmsghdr>,
}

impl Batch {
    fn new() -> Batch {
        // SAFETY: all-zero sockaddr_in/iovec/mmsghdr are valid values
        // (null pointers, zero lengths).
        let (addr, iov, hdr) =
            unsafe { (std::mem::zeroed(), std::mem::zeroed(), std::mem::zeroed()) };
        Batch {
            bufs: vec![[0u8; DATAGRAM_LEN]; BATCH],
            addrs: vec![addr; BATCH],
            cmsgs: vec![[0u64; 8]; BATCH],
            iovs: vec![iov; BATCH],
            hdrs: vec![hdr; BATCH],
        }
    }

    /// Reads up to BATCH datagrams without blocking; returns how many.
    fn recv(&mut self, fd: i32) -> usize {
        for i in 0..BATCH {
            self.iovs[i].iov_base = self.bufs[i].as_mut_ptr() as *mut libc::c_void;
            self.iovs[i].iov_len = DATAGRAM_LEN;
            let h = &mut self.hdrs[i].msg_hdr;
            h.msg_name = &mut self.addrs[i] as *mut libc::sockaddr_in as *mut libc::c_void;
            h.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as u32;
            h.msg_iov = &mut self.iovs[i];
            h.msg_iovlen = 1;
            h.msg_control = self.cmsgs[i].as_mut_ptr() as *mut libc::c_void;
            h.msg_controllen = std::mem::size_of_val(&self.cmsgs[i]) as _;
            h.msg_flags = 0;
            self.hdrs[i].msg_len = 0;
        }
        // SAFETY: every header points into buffers that outlive the call.
        let n = unsafe {
            libc::recvmmsg(
                fd,
                self.hdrs.as_mut_ptr(),
                BATCH as u32,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        n.max(0) as usize
    }

    fn source_port(&self, i: usize) -> u16 {
        u16::from_be(self.addrs[i].sin_port)
    }

    fn data(&self, i: usize) -> &[u8] {
        &self.bufs[i][..self.hdrs[i].msg_len as usize]
    }

    fn socket_drops(&self, i: usize) -> Option<u32> {
        parse_cmsgs(&self.hdrs[i].msg_hdr).1
    }
}

/// The receivers: N associations on one socket, until stopped.
fn receivers(
    cfg: Arc<Config>,
    sock: UdpSocket,
    mut peers: Vec<Peer>,
    shared: Arc<Shared>,
) -> Value {
    set_realtime(cfg.rt_priority);
    let fd = sock.as_raw_fd();
    let by_port: HashMap<u16, usize> = peers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.remote.port(), i))
        .collect();
    let mut flows = vec![Flow::default(); peers.len()];
    let mut counted = vec![false; peers.len()];
    let mut dirty = vec![true; peers.len()];
    let mut st = ReceiverStats::default();
    let mut batch = Batch::new();
    let mut timing = None;
    let mut next_sweep = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        timing = timing.or_else(|| shared.timing(&cfg));
        let n = batch.recv(fd);
        st.syscalls += 1;
        let now = Instant::now();
        for i in 0..n {
            st.datagrams += 1;
            if let Some(d) = batch.socket_drops(i) {
                st.socket_drops = st.socket_drops.max(d);
            }
            match by_port.get(&batch.source_port(i)) {
                Some(&p) => {
                    peers[p].handle_datagram(now, batch.data(i));
                    dirty[p] = true;
                }
                None => st.unknown_source += 1,
            }
        }
        if mono_ns() >= next_sweep {
            next_sweep = mono_ns() + TIMER_SWEEP_NS;
            for (p, d) in peers.iter_mut().zip(dirty.iter_mut()) {
                p.handle_timeout(now);
                *d = true;
            }
        }
        for (i, peer) in peers.iter_mut().enumerate() {
            if !std::mem::take(&mut dirty[i]) {
                continue;
            }
            let flow = &mut flows[i];
            peer.poll_events(|data, ppid| on_message(flow, &mut st, timing.as_ref(), data, ppid));
            if !counted[i] && (peer.connected || peer.failed) {
                counted[i] = true;
                let c = if peer.connected {
                    &shared.connected
                } else {
                    &shared.failed
                };
                c.fetch_add(1, Ordering::Release);
            }
            let remote = peer.remote;
            peer.transmit(now, |p| {
                if sock.send_to(p, remote).is_err() {
                    st.send_errors += 1;
                }
            });
        }
        if n < BATCH {
            idle(fd, cfg.poll_us);
        }
    }
    receivers_report(&peers, &flows, st)
}

/// Between batches: sleep `poll_us` (batches the SFU's sends into fewer
/// wakeups of ours), or with 0 block until something arrives.
fn idle(fd: i32, poll_us: u64) {
    if poll_us > 0 {
        std::thread::sleep(Duration::from_micros(poll_us));
    } else {
        wait_readable(fd, TIMER_SWEEP_NS);
    }
}

fn receivers_report(peers: &[Peer], flows: &[Flow], st: ReceiverStats) -> Value {
    let sum = |f: fn(&Flow) -> u64| flows.iter().map(f).sum::<u64>();
    let window: Vec<u64> = flows.iter().map(|f| f.received_window).collect();
    json!({
        "received_window": sum(|f| f.received_window),
        "received_total": sum(|f| f.received_total),
        "bytes_window": sum(|f| f.bytes_window),
        "missing": sum(|f| f.missing),
        "out_of_order": sum(|f| f.out_of_order),
        "per_consumer_min": window.iter().min().copied().unwrap_or(0),
        "per_consumer_max": window.iter().max().copied().unwrap_or(0),
        "silent_consumers": flows.iter().filter(|f| f.received_total == 0).count(),
        "last_seq_min": flows.iter().map(|f| f.next_seq).min().unwrap_or(0),
        "latency_us": st.latency.summary(),
        "datagrams": st.datagrams,
        "syscalls": st.syscalls,
        "unknown_source": st.unknown_source,
        "not_ours": st.not_ours,
        "wrong_ppid": st.wrong_ppid,
        "socket_drops": st.socket_drops,
        "send_errors": st.send_errors,
        "ignored_datagrams": peers.iter().map(|p| p.ignored).sum::<u64>(),
        "t3_timeouts": peers.iter().filter_map(|p| Some(p.slot.as_ref()?.association.stats().get_num_t3timeouts())).sum::<u64>(),
        "answered": peers.iter().filter(|p| p.answered).count(),
        "init_params_stripped": peers.iter().map(|p| p.init_params_stripped).sum::<u64>(),
        "crossing_inits": peers.iter().map(|p| p.crossing_inits).sum::<u64>(),
        "cpu": cpu_json(thread_cpu_us()),
    })
}

fn bind_socket(rcvbuf: i32) -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| fail(&format!("bind: {e}")));
    let fd = s.as_raw_fd();
    // FORCE needs CAP_NET_ADMIN, else the request is capped by rmem_max.
    if !setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, rcvbuf) {
        setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, rcvbuf);
    }
    setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, 4 << 20);
    setsockopt_int(fd, libc::SOL_SOCKET, super::SO_RXQ_OVFL, 1);
    s.set_nonblocking(true).ok();
    s
}

fn parse_addr(ip: &str, port: u64) -> SocketAddr {
    let ip = ip.parse().unwrap_or_else(|_| fail(&format!("bad ip {ip}")));
    SocketAddr::V4(SocketAddrV4::new(ip, port as u16))
}

/// Waits until every association is up (or failed, or the timeout).
fn wait_associated(shared: &Shared, expected: usize) -> (usize, usize, f64) {
    let began = Instant::now();
    loop {
        let (c, f) = (
            shared.connected.load(Ordering::Acquire),
            shared.failed.load(Ordering::Acquire),
        );
        if c + f >= expected || began.elapsed() > HANDSHAKE_TIMEOUT {
            return (c, f, began.elapsed().as_secs_f64() * 1e3);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// SCTP mode, after `open`: see the module comment.
pub fn serve(next_cmd: &mut dyn FnMut() -> Value) {
    let send_sock = bind_socket(4 << 20);
    let recv_sock = bind_socket(64 << 20);
    let port = |s: &UdpSocket| s.local_addr().expect("bound").port();
    emit(json!({ "event": "opened", "sendPort": port(&send_sock), "recvPort": port(&recv_sock) }));

    let cmd = next_cmd();
    if cmd["cmd"] != "associate" {
        fail("expected {\"cmd\":\"associate\"}");
    }
    let cfg = Arc::new(parse_config(&cmd));
    let ip = cmd["target"]["ip"].as_str().unwrap_or("127.0.0.1");
    let target = parse_addr(
        ip,
        cmd["target"]["port"]
            .as_u64()
            .unwrap_or_else(|| fail("target.port missing")),
    );
    let consumer_addrs: Vec<SocketAddr> = cmd["consumers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            parse_addr(
                ip,
                c["port"]
                    .as_u64()
                    .unwrap_or_else(|| fail("consumer port missing")),
            )
        })
        .collect();
    send_sock
        .connect(target)
        .unwrap_or_else(|e| fail(&format!("connect {target}: {e}")));
    let send_peer = Peer::new(send_sock.local_addr().expect("bound"), target);
    let recv_local = recv_sock.local_addr().expect("bound");
    let recv_peers: Vec<Peer> = consumer_addrs
        .iter()
        .map(|&a| Peer::new(recv_local, a))
        .collect();
    let n = recv_peers.len();

    // Before spawning: the threads inherit the 1 µs timer slack (pacing).
    // SAFETY: prctl(PR_SET_TIMERSLACK) only affects this thread's timers.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1000u64, 0, 0, 0) };
    let shared = Arc::new(Shared::default());
    let spawn_sender = {
        let (cfg, shared) = (cfg.clone(), shared.clone());
        std::thread::spawn(move || sender(cfg, send_sock, send_peer, shared))
    };
    let spawn_receivers = {
        let (cfg, shared) = (cfg.clone(), shared.clone());
        std::thread::spawn(move || receivers(cfg, recv_sock, recv_peers, shared))
    };
    let (connected, failed, ms) = wait_associated(&shared, n + 1);
    emit(
        json!({ "event": "associated", "connected": connected, "failed": failed, "expected": n + 1, "ms": ms }),
    );

    let cmd = next_cmd();
    if cmd["cmd"] != "start" {
        fail("expected {\"cmd\":\"start\"}");
    }
    let timing = Timing::new(mono_ns() + 20_000_000, &cfg);
    shared.start_ns.store(timing.start, Ordering::Release);
    super::sleep_until(timing.t0);
    let snmp0 = super::udp_rcvbuf_errors();
    emit(json!({ "event": "measure_start" }));
    super::sleep_until(timing.t1);
    let snmp1 = super::udp_rcvbuf_errors();
    emit(json!({ "event": "measure_end" }));
    super::sleep_until(timing.t1 + (cfg.drain * 1e9) as u64);
    shared.stop.store(true, Ordering::Relaxed);
    let s = spawn_sender.join().expect("sender thread");
    let r = spawn_receivers.join().expect("receiver thread");
    let mut out = result(&cfg, &timing, n, s, r);
    // Host-wide UDP receive-buffer overflows in the window: the SFU's
    // sockets (or ours) dropping datagrams, which SCTP then retransmits.
    out["udp_rcvbuf_errors"] = match (snmp0, snmp1) {
        (Some(a), Some(b)) => json!(b - a),
        _ => Value::Null,
    };
    emit(out);
}

/// The `result` event: offered and delivered rates, loss, and the raw
/// figures of both sides.
fn result(cfg: &Config, timing: &Timing, n: usize, sender: Value, receivers: Value) -> Value {
    let window_s = (timing.t1 - timing.t0) as f64 / 1e9;
    let written = sender["written_window"].as_u64().unwrap_or(0);
    let delivered = receivers["received_window"].as_u64().unwrap_or(0);
    let bytes = receivers["bytes_window"].as_u64().unwrap_or(0);
    let expected = written * n as u64;
    let run_s = (timing.t1 + (cfg.drain * 1e9) as u64 - timing.start) as f64 / 1e9;
    json!({
        "event": "result",
        "consumers": n,
        "window_s": window_s,
        "run_s": run_s,
        "rate_target": cfg.rate,
        "size": cfg.size,
        "offered_msgs_per_s": written as f64 / window_s,
        "delivered_msgs_per_s": delivered as f64 / window_s,
        "delivered_bytes_per_s": bytes as f64 / window_s,
        "expected_window": expected,
        "loss": if expected > 0 { 1.0 - delivered as f64 / expected as f64 } else { 0.0 },
        "sender": sender,
        "receivers": receivers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The INIT mediasoup 3.27.1's PlainTransport sends on connect(): it
    /// ends with Forward-TSN-Supported (c000 0004).
    const MEDIASOUP_INIT: &str = "1388138800000000d539d311010000202745f50e00500000\
                                  ffffffff6286de9c8008000882c040c2c0000004";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Whether a listening rtc-sctp endpoint answers `init` with an INIT ACK.
    fn answers(init: Vec<u8>) -> bool {
        let mut peer = Peer::new(
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
        );
        let now = Instant::now();
        let event = peer
            .endpoint
            .handle(now, peer.remote, None, Bytes::from(init));
        match event {
            Some((_, DatagramEvent::NewAssociation(mut a))) => a.poll_transmit(now).is_some(),
            _ => false,
        }
    }

    #[test]
    fn rtc_sctp_answers_mediasoups_init_only_without_the_empty_parameter() {
        let init = unhex(MEDIASOUP_INIT);
        assert!(
            !answers(init.clone()),
            "rtc-sctp parses it now: drop the shim"
        );
        let fixed = without_valueless_init_params(&init).expect("rewritten");
        assert_eq!(fixed.len(), init.len() - 4);
        assert_eq!(u16::from_be_bytes([fixed[14], fixed[15]]), 28);
        assert!(answers(fixed));
    }

    #[test]
    fn packets_without_empty_init_parameters_are_left_alone() {
        let mut init = unhex(MEDIASOUP_INIT);
        init.truncate(init.len() - 4);
        init[15] = 28;
        set_checksum(&mut init);
        assert!(without_valueless_init_params(&init).is_none());
        assert!(without_valueless_init_params(&[0u8; 40]).is_none());
    }

    #[test]
    fn a_flow_counts_gaps_and_reordering() {
        let mut f = Flow::default();
        for seq in [0, 1, 2, 5, 4, 6] {
            f.record(seq, 100, true);
        }
        assert_eq!(f.received_window, 6);
        assert_eq!(f.missing, 2); // 3 and 4 skipped when 5 came
        assert_eq!(f.out_of_order, 1); // 4 came after 5
        assert_eq!(f.next_seq, 7);
    }
}
