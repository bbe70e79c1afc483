//! Load generator for ferrosoup's `npm run bench` (driver: benches/bench.js).
//!
//! Sends paced VP8 RTP (optionally SRTP) into one producer PlainTransport and
//! receives every consumer's copy on a few UDP sockets, measuring per-copy
//! latency (send stamp in the payload, CLOCK_MONOTONIC ns) and loss.
//!
//! Protocol: JSON lines on stdin (commands) and stdout (events).
//!
//! ```text
//! -> {"cmd":"open","recvSockets":K}
//! <- {"event":"opened","sendPort":P,"recvPorts":[..K],"srtpKey":"<base64>"}
//! -> {"cmd":"run","target":{"ip":"127.0.0.1","port":P},"ssrc":S,"payloadType":PT,
//!     "rate":pps,"size":bytes,"fps":30,"keyFrameInterval":1,"warmup":s,"duration":s,
//!     "drain":s,"srtp":bool,"pollUs":200,"rtPriority":0,"consumers":[{"ssrc":S,"socket":i,"key":"<base64>"|null},..]}
//! <- {"event":"measure_start"}      (at the start of the measurement window)
//! <- {"event":"measure_end"}        (at its end)
//! <- {"event":"result",...}         (after the drain time), then exit
//! ```
//!
//! Only packets whose send stamp lies inside the window are counted, so the
//! drain time lets late copies of in-window packets still arrive.
//!
//! `{"cmd":"open","mode":"sctp"}` starts the SCTP (data channel) mode
//! instead: see `sctp.rs`.

mod hist;
mod sctp;
mod srtp;

use base64::Engine as _;
use hist::Histogram;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const MAGIC: u32 = 0x4653_4c47; // "FSLG"
const STAMP_LEN: usize = 16; // send ns (8) + packet index (4) + magic (4)
const BATCH: usize = 64;
const BUF_LEN: usize = 2048;
/// Linux socket option: a cmsg with the socket's cumulative drop count.
const SO_RXQ_OVFL: i32 = 40;

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn mono_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC)
}

fn sleep_until(t: u64) {
    let now = mono_ns();
    if t > now {
        std::thread::sleep(Duration::from_nanos(t - now));
    }
}

/// CPU time of the calling thread, (user, system) in microseconds.
fn thread_cpu_us() -> (u64, u64) {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) };
    let us = |tv: libc::timeval| tv.tv_sec as u64 * 1_000_000 + tv.tv_usec as u64;
    (us(ru.ru_utime), us(ru.ru_stime))
}

/// `Udp: ... RcvbufErrors` of /proc/net/snmp (host-wide UDP receive drops).
fn udp_rcvbuf_errors() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/net/snmp").ok()?;
    let mut lines = s.lines().filter(|l| l.starts_with("Udp:"));
    let names: Vec<&str> = lines.next()?.split_whitespace().collect();
    let values: Vec<&str> = lines.next()?.split_whitespace().collect();
    let i = names.iter().position(|n| *n == "RcvbufErrors")?;
    values.get(i)?.parse().ok()
}

fn setsockopt_int(fd: i32, level: i32, name: i32, v: i32) -> bool {
    // SAFETY: passing a pointer to a live c_int of the stated size.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            &v as *const i32 as *const libc::c_void,
            std::mem::size_of::<i32>() as libc::socklen_t,
        ) == 0
    }
}

fn emit(v: Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

fn fail(msg: &str) -> ! {
    emit(json!({ "event": "error", "message": msg }));
    std::process::exit(2);
}

fn random_bytes(n: usize) -> Vec<u8> {
    use std::io::Read;
    let mut v = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut v))
        .unwrap_or_else(|e| fail(&format!("/dev/urandom: {e}")));
    v
}

struct Config {
    target: SocketAddr,
    ssrc: u32,
    payload_type: u8,
    rate: f64,
    size: usize,
    fps: u64,
    key_frame_interval: f64,
    warmup: f64,
    duration: f64,
    drain: f64,
    srtp: bool,
    /// Receive by polling every `poll_us` (0: block in recvmmsg).
    poll_us: u64,
    /// SCHED_FIFO priority for the loadgen threads (0: normal scheduling).
    rt_priority: i32,
}

/// Puts the calling thread in SCHED_FIFO at `prio` (no-op for 0).
fn set_realtime(prio: i32) {
    if prio <= 0 {
        return;
    }
    let p = libc::sched_param {
        sched_priority: prio,
    };
    // SAFETY: plain syscall on the calling thread (tid 0) with a live param.
    if unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &p) } != 0 {
        eprintln!(
            "loadgen: SCHED_FIFO {prio}: {}",
            std::io::Error::last_os_error()
        );
    }
}

fn parse_config(v: &Value) -> Config {
    let f = |k: &str, d: f64| v.get(k).and_then(Value::as_f64).unwrap_or(d);
    let ip = v["target"]["ip"].as_str().unwrap_or("127.0.0.1");
    let port = v["target"]["port"]
        .as_u64()
        .unwrap_or_else(|| fail("run: target.port missing"));
    Config {
        target: format!("{ip}:{port}")
            .parse()
            .unwrap_or_else(|_| fail("run: bad target")),
        ssrc: v["ssrc"].as_u64().unwrap_or(0x1234_5678) as u32,
        payload_type: v["payloadType"].as_u64().unwrap_or(101) as u8,
        rate: f("rate", 1000.0).max(1.0),
        size: (f("size", 1000.0) as usize).clamp(40, 1400),
        fps: (f("fps", 30.0) as u64).max(1),
        key_frame_interval: f("keyFrameInterval", 1.0),
        warmup: f("warmup", 2.0),
        duration: f("duration", 8.0),
        drain: f("drain", 0.5),
        srtp: v["srtp"].as_bool().unwrap_or(false),
        poll_us: f("pollUs", 200.0) as u64,
        rt_priority: f("rtPriority", 0.0) as i32,
    }
}

#[derive(Default)]
struct SendStats {
    sent_total: u64,
    sent_window: u64,
    late: u64,
    max_lateness_ns: u64,
    send_errors: u64,
    rtcp_received: u64,
    key_frames: u64,
    cpu: (u64, u64),
}

/// Writes RTP packet number `k` (VP8, Chrome-like payload descriptor with
/// PictureID/TL0PICIDX/TID) into `buf`; returns its length.
fn build_packet(cfg: &Config, k: u64, ppf: u64, seq0: u16, buf: &mut [u8]) -> (usize, bool) {
    let frame = k / ppf;
    let first = k.is_multiple_of(ppf);
    let last = k % ppf == ppf - 1;
    let kf_every = ((cfg.fps as f64 * cfg.key_frame_interval).round() as u64).max(1);
    let key = frame.is_multiple_of(kf_every);
    let seq = seq0.wrapping_add(k as u16);
    let ts = (frame * 90_000 / cfg.fps) as u32;
    buf[0] = 0x80;
    buf[1] = cfg.payload_type | if last { 0x80 } else { 0 };
    buf[2..4].copy_from_slice(&seq.to_be_bytes());
    buf[4..8].copy_from_slice(&ts.to_be_bytes());
    buf[8..12].copy_from_slice(&cfg.ssrc.to_be_bytes());
    let p = &mut buf[12..12 + cfg.size];
    let pic = (frame & 0x7FFF) as u16;
    p[0] = 0x80 | if first { 0x10 } else { 0 }; // X, S, PID 0
    p[1] = 0xE0; // I, L, T
    p[2] = 0x80 | (pic >> 8) as u8; // M: 15-bit PictureID
    p[3] = pic as u8;
    p[4] = frame as u8; // TL0PICIDX
    p[5] = if key { 0x20 } else { 0 }; // TID 0, Y on key frames
    let body = &mut p[6..];
    body.fill(0x5A);
    if first {
        if key {
            // Frame tag (key, show_frame), start code, 640x480.
            body[..10]
                .copy_from_slice(&[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
        } else {
            body[..3].copy_from_slice(&[0x11, 0x02, 0x00]);
        }
    }
    (12 + cfg.size, key && first)
}

fn sender(
    cfg: Arc<Config>,
    sock: UdpSocket,
    mut srtp: Option<srtp::Srtp>,
    start: u64,
    t0: u64,
    t1: u64,
    stop_at: u64,
) -> SendStats {
    let mut st = SendStats::default();
    set_realtime(cfg.rt_priority);
    if let Err(e) = sock.connect(cfg.target) {
        fail(&format!("connect {}: {e}", cfg.target));
    }
    sock.set_nonblocking(true).ok();
    let interval = 1e9 / cfg.rate;
    let ppf = ((cfg.rate / cfg.fps as f64).round() as u64).max(1);
    let seq0: u16 = random_bytes(2).iter().fold(0, |a, b| (a << 8) | *b as u16) & 0x7FFF;
    let mut buf = [0u8; BUF_LEN];
    let mut rbuf = [0u8; BUF_LEN];
    let mut k: u64 = 0;
    // Each packet is due at a random point of its slot: same mean rate, but
    // not phase-locked to the kernel's tick, which would bias the tick-sampled
    // user/system split of the worker's CPU time.
    let mut rng = random_bytes(8)
        .iter()
        .fold(1u64, |a, b| (a << 8) | *b as u64)
        | 1;
    let mut jitter = 0.0;
    loop {
        let due = start + ((k as f64 + jitter) * interval) as u64;
        if due >= stop_at {
            break;
        }
        let now = mono_ns();
        if due > now {
            std::thread::sleep(Duration::from_nanos(due - now));
            continue;
        }
        let lateness = now - due;
        if lateness > 1_000_000 {
            st.late += 1;
        }
        st.max_lateness_ns = st.max_lateness_ns.max(lateness);
        let (mut len, key) = build_packet(&cfg, k, ppf, seq0, &mut buf);
        st.key_frames += key as u64;
        let stamp = mono_ns();
        buf[len - STAMP_LEN..len - 8].copy_from_slice(&stamp.to_be_bytes());
        buf[len - 8..len - 4].copy_from_slice(&(k as u32).to_be_bytes());
        buf[len - 4..len].copy_from_slice(&MAGIC.to_be_bytes());
        if let Some(s) = srtp.as_mut() {
            len = s.protect(&mut buf, len).expect("srtp protect");
        }
        match sock.send(&buf[..len]) {
            Ok(_) => {
                st.sent_total += 1;
                if stamp >= t0 && stamp < t1 {
                    st.sent_window += 1;
                }
            }
            Err(_) => st.send_errors += 1,
        }
        k += 1;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        jitter = (rng >> 11) as f64 / (1u64 << 53) as f64;
        if k.is_multiple_of(16) {
            // RTCP from the producer transport (RR, PLI, ...): drain and count.
            while sock.recv(&mut rbuf).is_ok() {
                st.rtcp_received += 1;
            }
        }
    }
    st.cpu = thread_cpu_us();
    st
}

struct RecvConsumer {
    srtp: Option<srtp::Srtp>,
    received_window: u64,
    received_total: u64,
}

#[derive(Default)]
struct RecvStats {
    packets: u64,
    syscalls: u64,
    rtcp: u64,
    unknown_ssrc: u64,
    auth_failures: u64,
    bad_stamp: u64,
    drops: u32,
    lat_user: Histogram,
    lat_kernel: Histogram,
    consumers: Vec<(usize, u64, u64)>, // (index, window, total)
    cpu: (u64, u64),
}

/// Receives on one socket until `stop`; `consumers`: (global index, ssrc, srtp).
fn receiver(
    cfg: Arc<Config>,
    sock: UdpSocket,
    consumers: Vec<(usize, u32, Option<srtp::Srtp>)>,
    t0: u64,
    t1: u64,
    stop: Arc<AtomicBool>,
) -> RecvStats {
    let fd = sock.as_raw_fd();
    let mut by_ssrc: HashMap<u32, usize> = HashMap::new();
    let mut cs: Vec<RecvConsumer> = Vec::new();
    let mut idx: Vec<usize> = Vec::new();
    for (i, ssrc, s) in consumers {
        by_ssrc.insert(ssrc, cs.len());
        idx.push(i);
        cs.push(RecvConsumer {
            srtp: s,
            received_window: 0,
            received_total: 0,
        });
    }
    let mut st = RecvStats::default();
    set_realtime(cfg.rt_priority);
    // Polling (instead of sleeping in recvmmsg) spares the SFU a wakeup of
    // this thread on many of its sends and batches the receive syscalls; the
    // kernel receive timestamps keep the latency figures exact.
    let (flags, poll) = match cfg.poll_us {
        0 => (libc::MSG_WAITFORONE, None),
        us => (libc::MSG_DONTWAIT, Some(Duration::from_micros(us))),
    };
    let mut bufs = vec![[0u8; BUF_LEN]; BATCH];
    let mut cmsgs = vec![[0u64; 8]; BATCH];
    // SAFETY: zeroed iovec/mmsghdr are valid (null pointers, zero lengths).
    let mut iovs: Vec<libc::iovec> = vec![unsafe { std::mem::zeroed() }; BATCH];
    let mut hdrs: Vec<libc::mmsghdr> = vec![unsafe { std::mem::zeroed() }; BATCH];
    loop {
        for i in 0..BATCH {
            iovs[i].iov_base = bufs[i].as_mut_ptr() as *mut libc::c_void;
            iovs[i].iov_len = BUF_LEN;
            let h = &mut hdrs[i].msg_hdr;
            h.msg_name = std::ptr::null_mut();
            h.msg_namelen = 0;
            h.msg_iov = &mut iovs[i];
            h.msg_iovlen = 1;
            h.msg_control = cmsgs[i].as_mut_ptr() as *mut libc::c_void;
            h.msg_controllen = std::mem::size_of_val(&cmsgs[i]) as _;
            h.msg_flags = 0;
            hdrs[i].msg_len = 0;
        }
        // SAFETY: every header points into buffers that outlive the call.
        let n = unsafe {
            libc::recvmmsg(
                fd,
                hdrs.as_mut_ptr(),
                BATCH as u32,
                flags,
                std::ptr::null_mut(),
            )
        };
        st.syscalls += 1;
        if n <= 0 {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            if let Some(d) = poll {
                std::thread::sleep(d);
            }
            continue;
        }
        let now = mono_ns();
        let rt_offset = clock_ns(libc::CLOCK_REALTIME) as i64 - mono_ns() as i64;
        for i in 0..n as usize {
            st.packets += 1;
            let len = hdrs[i].msg_len as usize;
            let buf = &mut bufs[i];
            if len < 12 {
                st.bad_stamp += 1;
                continue;
            }
            if (192..=223).contains(&buf[1]) {
                st.rtcp += 1; // RTCP (SR/SDES/BYE) from the consumer transports
                continue;
            }
            let ssrc = u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]);
            let Some(&ci) = by_ssrc.get(&ssrc) else {
                st.unknown_ssrc += 1;
                continue;
            };
            let c = &mut cs[ci];
            let len = match c.srtp.as_mut() {
                Some(s) => match s.unprotect(buf, len) {
                    Ok(l) => l,
                    Err(_) => {
                        st.auth_failures += 1;
                        continue;
                    }
                },
                None => len,
            };
            if len < 12 + STAMP_LEN
                || u32::from_be_bytes(buf[len - 4..len].try_into().unwrap()) != MAGIC
            {
                st.bad_stamp += 1;
                continue;
            }
            c.received_total += 1;
            let sent = u64::from_be_bytes(buf[len - STAMP_LEN..len - 8].try_into().unwrap());
            if sent < t0 || sent >= t1 {
                continue;
            }
            c.received_window += 1;
            st.lat_user.record(now.saturating_sub(sent));
            let (kts, drops) = parse_cmsgs(&hdrs[i].msg_hdr);
            if let Some(k) = kts {
                let k_mono = (k as i64 - rt_offset) as u64;
                st.lat_kernel.record(k_mono.saturating_sub(sent));
            }
            if let Some(d) = drops {
                st.drops = st.drops.max(d);
            }
        }
        if (n as usize) < BATCH {
            if let Some(d) = poll {
                std::thread::sleep(d);
            }
        }
    }
    st.consumers = cs
        .iter()
        .zip(idx)
        .map(|(c, i)| (i, c.received_window, c.received_total))
        .collect();
    st.cpu = thread_cpu_us();
    st
}

/// Kernel receive time (SO_TIMESTAMPNS, CLOCK_REALTIME ns) and the socket's
/// cumulative drop count (SO_RXQ_OVFL) from the cmsgs.
fn parse_cmsgs(h: &libc::msghdr) -> (Option<u64>, Option<u32>) {
    let (mut ts_ns, mut drops) = (None, None);
    // SAFETY: the kernel filled msg_control/msg_controllen; the CMSG macros
    // stay inside them.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(h);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET {
                if (*c).cmsg_type == libc::SCM_TIMESTAMPNS {
                    let ts = std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const libc::timespec);
                    ts_ns = Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64);
                } else if (*c).cmsg_type == SO_RXQ_OVFL {
                    drops = Some(std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const u32));
                }
            }
            c = libc::CMSG_NXTHDR(h, c);
        }
    }
    (ts_ns, drops)
}

fn bind_recv_socket() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| fail(&format!("bind: {e}")));
    let fd = s.as_raw_fd();
    // Room for a 500-consumer burst; FORCE needs CAP_NET_ADMIN, else capped.
    if !setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, 64 << 20) {
        setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, 64 << 20);
    }
    setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1);
    setsockopt_int(fd, libc::SOL_SOCKET, SO_RXQ_OVFL, 1);
    s.set_read_timeout(Some(Duration::from_millis(50))).ok();
    s
}

fn main() {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut next_cmd = || -> Value {
        match lines.next() {
            Some(Ok(l)) => {
                serde_json::from_str(&l).unwrap_or_else(|e| fail(&format!("bad JSON: {e}")))
            }
            _ => std::process::exit(0), // driver went away
        }
    };

    let open = next_cmd();
    if open["cmd"] != "open" {
        fail("expected {\"cmd\":\"open\"}");
    }
    if open["mode"] == "sctp" {
        sctp::serve(&mut next_cmd);
        return;
    }
    let k = open["recvSockets"].as_u64().unwrap_or(1).clamp(1, 64) as usize;
    let send_sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| fail(&format!("bind: {e}")));
    setsockopt_int(
        send_sock.as_raw_fd(),
        libc::SOL_SOCKET,
        libc::SO_SNDBUF,
        4 << 20,
    );
    let recv_socks: Vec<UdpSocket> = (0..k).map(|_| bind_recv_socket()).collect();
    let send_key = random_bytes(srtp::KEY_AND_SALT_LEN);
    let b64 = base64::engine::general_purpose::STANDARD;
    emit(json!({
        "event": "opened",
        "sendPort": send_sock.local_addr().unwrap().port(),
        "recvPorts": recv_socks.iter().map(|s| s.local_addr().unwrap().port()).collect::<Vec<_>>(),
        "srtpKey": b64.encode(&send_key),
    }));

    let run = next_cmd();
    if run["cmd"] != "run" {
        fail("expected {\"cmd\":\"run\"}");
    }
    let cfg = Arc::new(parse_config(&run));
    let mut per_socket: Vec<Vec<(usize, u32, Option<srtp::Srtp>)>> =
        (0..k).map(|_| Vec::new()).collect();
    let consumers = run["consumers"].as_array().cloned().unwrap_or_default();
    for (i, c) in consumers.iter().enumerate() {
        let ssrc = c["ssrc"]
            .as_u64()
            .unwrap_or_else(|| fail("consumer ssrc missing")) as u32;
        let sock = c["socket"].as_u64().unwrap_or(0) as usize % k;
        let s = if cfg.srtp {
            let key = c["key"]
                .as_str()
                .unwrap_or_else(|| fail("consumer srtp key missing"));
            let key = b64
                .decode(key)
                .unwrap_or_else(|_| fail("bad consumer srtp key"));
            if key.len() != srtp::KEY_AND_SALT_LEN {
                fail("consumer srtp key: need AES_CM_128_HMAC_SHA1_80 (30 bytes)");
            }
            Some(srtp::Srtp::new(&key))
        } else {
            None
        };
        per_socket[sock].push((i, ssrc, s));
    }

    // SAFETY: prctl(PR_SET_TIMERSLACK) only affects this process's timers.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1000u64, 0, 0, 0) };
    let start = mono_ns() + 20_000_000;
    let t0 = start + (cfg.warmup * 1e9) as u64;
    let t1 = t0 + (cfg.duration * 1e9) as u64;
    let stop_send = t1 + (cfg.drain * 0.5 * 1e9) as u64;
    let stop = Arc::new(AtomicBool::new(false));

    let receivers: Vec<_> = recv_socks
        .into_iter()
        .zip(per_socket)
        .map(|(s, cs)| {
            let stop = stop.clone();
            let cfg = cfg.clone();
            std::thread::spawn(move || receiver(cfg, s, cs, t0, t1, stop))
        })
        .collect();
    let send_srtp = cfg.srtp.then(|| srtp::Srtp::new(&send_key));
    let scfg = cfg.clone();
    let sender =
        std::thread::spawn(move || sender(scfg, send_sock, send_srtp, start, t0, t1, stop_send));

    sleep_until(t0);
    let snmp0 = udp_rcvbuf_errors();
    emit(json!({ "event": "measure_start" }));
    sleep_until(t1);
    let snmp1 = udp_rcvbuf_errors();
    emit(json!({ "event": "measure_end" }));
    sleep_until(t1 + (cfg.drain * 1e9) as u64);
    stop.store(true, Ordering::Relaxed);
    let ss = sender.join().expect("sender thread");
    let rs: Vec<RecvStats> = receivers
        .into_iter()
        .map(|h| h.join().expect("receiver thread"))
        .collect();

    let n = consumers.len() as u64;
    let mut per_consumer = vec![(0u64, 0u64); consumers.len()];
    let mut lat_user = Histogram::default();
    let mut lat_kernel = Histogram::default();
    let (mut packets, mut syscalls, mut rtcp, mut unknown, mut auth, mut bad) = (0, 0, 0, 0, 0, 0);
    let mut drops = 0u64;
    let mut recv_cpu = Vec::new();
    for r in &rs {
        for &(i, w, t) in &r.consumers {
            per_consumer[i] = (w, t);
        }
        lat_user.merge(&r.lat_user);
        lat_kernel.merge(&r.lat_kernel);
        packets += r.packets;
        syscalls += r.syscalls;
        rtcp += r.rtcp;
        unknown += r.unknown_ssrc;
        auth += r.auth_failures;
        bad += r.bad_stamp;
        drops += r.drops as u64;
        recv_cpu.push(json!({ "user_ms": r.cpu.0 as f64 / 1e3, "sys_ms": r.cpu.1 as f64 / 1e3 }));
    }
    let received_window: u64 = per_consumer.iter().map(|c| c.0).sum();
    let expected = ss.sent_window * n;
    let window_s = (t1 - t0) as f64 / 1e9;
    emit(json!({
        "event": "result",
        "consumers": n,
        "window_s": window_s,
        "sent_total": ss.sent_total,
        "sent_window": ss.sent_window,
        "send_rate_pps": ss.sent_window as f64 / window_s,
        "received_window": received_window,
        "expected_window": expected,
        "forwarded_pps": received_window as f64 / window_s,
        "loss": if expected > 0 { 1.0 - received_window as f64 / expected as f64 } else { 0.0 },
        "per_consumer_min": per_consumer.iter().map(|c| c.0).min().unwrap_or(0),
        "per_consumer_max": per_consumer.iter().map(|c| c.0).max().unwrap_or(0),
        "silent_consumers": per_consumer.iter().filter(|c| c.1 == 0).count(),
        "latency_us": lat_user.summary(),
        "latency_kernel_us": lat_kernel.summary(),
        "recv_packets": packets,
        "recv_syscalls": syscalls,
        "rtcp_received": rtcp,
        "rtcp_from_producer_transport": ss.rtcp_received,
        "unknown_ssrc": unknown,
        "srtp_auth_failures": auth,
        "bad_stamp": bad,
        "key_frames_sent": ss.key_frames,
        "send_errors": ss.send_errors,
        "late_sends": ss.late,
        "max_send_lateness_us": ss.max_lateness_ns as f64 / 1e3,
        "loadgen_socket_drops": drops,
        "udp_rcvbuf_errors": match (snmp0, snmp1) { (Some(a), Some(b)) => json!(b - a), _ => Value::Null },
        "loadgen_cpu": {
            "sender": { "user_ms": ss.cpu.0 as f64 / 1e3, "sys_ms": ss.cpu.1 as f64 / 1e3 },
            "receivers": recv_cpu,
            "run_s": (t1 + (cfg.drain * 1e9) as u64 - start) as f64 / 1e9,
        },
    }));
}
