//! The I/O shell: the worker's real sockets (UDP sockets, TCP listeners and
//! connections) registered with mio, read within per-turn budgets and handed
//! to the core, and what the core queued (datagrams, frames, closes,
//! connects) carried out after each call. Socket ids are the keys of this
//! table and the sockets' mio tokens.

use super::os_bind::{bind_tcp, bind_udp, enable_rx_timestamps, recv_from_timestamped};
use crate::channel::Outbox;
use crate::error::{Error, Result};
use crate::net::{Bound, ListenInfo, NetOutbox, SocketBinder, SocketId, SocketOp};
use crate::sfu::Core;
use crate::transport::framing::encode_frame;
use slab::Slab;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Instant;

/// Datagrams read from one socket before the loop moves on, so that a
/// flooded socket cannot starve requests, timers and other sockets.
pub const READ_BUDGET: usize = 64;

/// Bytes read from a TCP connection at a time.
const TCP_CHUNK: usize = 16 * 1024;

/// Read budget a TCP chunk costs (a datagram costs 1): a connection yields
/// after 64 KiB per loop turn, so a flood of tiny frames cannot starve
/// other sockets, requests and timers.
const TCP_CHUNK_COST: usize = 16;

/// The largest TCP backlog of unsent bytes; frames beyond it are dropped.
const MAX_TCP_BACKLOG: usize = 4 * 1024 * 1024;

/// While this much is unsent, the connection is not read (TCP flow control
/// then slows the peer down instead of us buffering its requests' answers).
const TCP_READ_PAUSE: usize = 256 * 1024;

/// A backlog larger than this is released once it has been written.
const TCP_KEEP_CAPACITY: usize = 16 * 1024;

/// How soon accepting is retried after the process ran out of descriptors
/// (epoll will not report the waiting connections again).
pub const ACCEPT_RETRY_MS: u64 = 20;

enum OsSocket {
    Udp {
        socket: mio::net::UdpSocket,
        /// The peer it is connected to (sends there skip the route lookup).
        peer: Option<SocketAddr>,
        rx_timestamps: bool,
    },
    Listener(mio::net::TcpListener),
    Conn(TcpConn),
}

/// An accepted TCP connection and the framed bytes it did not take yet.
struct TcpConn {
    stream: mio::net::TcpStream,
    /// `backlog[sent..]` is unsent.
    backlog: Vec<u8>,
    sent: usize,
    /// A write failed: frames are dropped; the read side reports the close.
    broken: bool,
}

impl TcpConn {
    fn unsent(&self) -> usize {
        self.backlog.len() - self.sent
    }

    /// Frames and writes a packet; keeps what the socket did not take.
    fn send_frame(&mut self, packet: &[u8]) {
        if self.broken
            || self.unsent() > MAX_TCP_BACKLOG
            || !encode_frame(packet, &mut self.backlog)
        {
            return;
        }
        self.write_backlog();
    }

    /// Writes what is left unsent (false if the connection broke).
    fn write_backlog(&mut self) -> bool {
        while self.sent < self.backlog.len() && !self.broken {
            match self.stream.write(&self.backlog[self.sent..]) {
                Ok(0) => self.broken = true,
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => self.broken = true,
            }
        }
        // Drop what was written: all of it at once when done, otherwise
        // only once it is the larger part (amortized, never per write).
        if self.sent == self.backlog.len() {
            self.backlog.clear();
            self.sent = 0;
            if self.backlog.capacity() > TCP_KEEP_CAPACITY {
                self.backlog = Vec::new();
            }
        } else if self.sent > self.backlog.len() / 2 {
            self.backlog.drain(..self.sent);
            self.sent = 0;
        }
        !self.broken
    }
}

pub struct OsSockets {
    registry: mio::Registry,
    sockets: Slab<OsSocket>,
    /// Sockets that still had data when their budget ran out.
    pending: Vec<SocketId>,
    /// Listeners whose accept() ran out of descriptors: retried on a timer
    /// (epoll will not report the waiting connections again).
    accept_blocked: Vec<SocketId>,
    /// Origin of the worker clock (arrival times are on it).
    epoch: Instant,
    chunk: Box<[u8]>,
    batch: SendBatch,
}

impl OsSockets {
    pub fn new(registry: mio::Registry, epoch: Instant) -> Self {
        OsSockets {
            registry,
            sockets: Slab::new(),
            pending: Vec::new(),
            accept_blocked: Vec::new(),
            epoch,
            chunk: vec![0u8; TCP_CHUNK].into_boxed_slice(),
            batch: SendBatch::default(),
        }
    }

    /// Sockets to serve again without waiting for an event.
    pub fn take_pending(&mut self) -> Vec<SocketId> {
        std::mem::take(&mut self.pending)
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// When accepting must be retried (worker clock, ms).
    pub fn poll_timeout(&self, now_ms: u64) -> Option<u64> {
        (!self.accept_blocked.is_empty()).then_some(now_ms + ACCEPT_RETRY_MS)
    }

    /// Retries accepting where descriptors had run out.
    pub fn handle_timeout(&mut self, core: &mut Core, outbox: &mut Outbox) {
        for id in std::mem::take(&mut self.accept_blocked) {
            self.accept(id, core, outbox);
        }
    }

    fn arrival_us(&self, age: Option<std::time::Duration>) -> u64 {
        let now = self.epoch.elapsed();
        now.saturating_sub(age.unwrap_or_default()).as_micros() as u64
    }

    /// A socket is readable (or a connection writable): serves it within
    /// the turn's budget.
    pub fn serve(&mut self, id: SocketId, core: &mut Core, outbox: &mut Outbox) {
        match self.sockets.get(id.index()) {
            Some(OsSocket::Udp { .. }) => self.read_udp(id, core, outbox),
            Some(OsSocket::Listener(_)) => self.accept(id, core, outbox),
            Some(OsSocket::Conn(_)) => self.read_tcp(id, core, outbox),
            None => {}
        }
    }

    fn read_udp(&mut self, id: SocketId, core: &mut Core, outbox: &mut Outbox) {
        for _ in 0..READ_BUDGET {
            let Some(OsSocket::Udp {
                socket,
                rx_timestamps,
                ..
            }) = self.sockets.get(id.index())
            else {
                return;
            };
            let received = if *rx_timestamps {
                recv_from_timestamped(socket, core.recv_buffer())
            } else {
                socket
                    .recv_from(core.recv_buffer())
                    .map(|(n, remote)| (n, remote, None))
            };
            match received {
                Ok((len, remote, age)) => {
                    let arrival_us = self.arrival_us(age);
                    core.handle_datagram(id, remote, len, arrival_us, outbox);
                    self.flush(core);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                // ICMP errors (e.g. connection refused from a closed remote
                // port) surface here; they don't stop the socket.
                Err(_) => {}
            }
        }
        self.pending.push(id);
    }

    fn accept(&mut self, id: SocketId, core: &mut Core, outbox: &mut Outbox) {
        loop {
            let Some(OsSocket::Listener(listener)) = self.sockets.get_mut(id.index()) else {
                return;
            };
            let (stream, remote) = match listener.accept() {
                Ok(pair) => pair,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionAborted => continue,
                Err(_) => {
                    // EMFILE/ENFILE/ENOBUFS: the connection stays queued.
                    if !self.accept_blocked.contains(&id) {
                        self.accept_blocked.push(id);
                    }
                    return;
                }
            };
            // Media and DTLS flights must not wait for Nagle.
            let _ = stream.set_nodelay(true);
            let conn = TcpConn {
                stream,
                backlog: Vec::new(),
                sent: 0,
                broken: false,
            };
            let Ok(conn_id) = self.insert(OsSocket::Conn(conn)) else {
                continue;
            };
            core.handle_tcp_accepted(id, conn_id, remote, outbox);
            self.flush(core);
        }
    }

    /// Writes what is pending, then reads (within the turn's budget, and
    /// only while the peer is not waiting for us to write) and hands each
    /// chunk to the core.
    fn read_tcp(&mut self, id: SocketId, core: &mut Core, outbox: &mut Outbox) {
        let mut budget = READ_BUDGET;
        let closed = loop {
            let Some(OsSocket::Conn(c)) = self.sockets.get_mut(id.index()) else {
                return;
            };
            if !c.write_backlog() {
                break true;
            }
            // Back-pressure: the writable event that drains the backlog
            // brings us back here.
            if c.unsent() >= TCP_READ_PAUSE {
                return;
            }
            if budget < TCP_CHUNK_COST {
                self.pending.push(id);
                return;
            }
            let n = match c.stream.read(&mut self.chunk) {
                Ok(0) => break true,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break true,
            };
            budget -= TCP_CHUNK_COST;
            let arrival_us = self.arrival_us(None);
            core.handle_tcp_data(id, &self.chunk[..n], arrival_us, outbox);
            self.flush(core);
        };
        if closed {
            core.handle_tcp_closed(id, outbox);
            self.flush(core);
            self.close(id);
        }
    }

    fn insert(&mut self, mut socket: OsSocket) -> std::io::Result<SocketId> {
        let entry = self.sockets.vacant_entry();
        let token = mio::Token(entry.key());
        match &mut socket {
            OsSocket::Udp { socket, .. } => {
                self.registry
                    .register(socket, token, mio::Interest::READABLE)?
            }
            OsSocket::Listener(listener) => {
                self.registry
                    .register(listener, token, mio::Interest::READABLE)?
            }
            OsSocket::Conn(c) => self.registry.register(
                &mut c.stream,
                token,
                mio::Interest::READABLE | mio::Interest::WRITABLE,
            )?,
        }
        entry.insert(socket);
        Ok(SocketId(token.0 as u32))
    }

    /// Carries out what the core queued: datagrams and frames first (in
    /// order), then socket operations.
    pub fn flush(&mut self, core: &mut Core) {
        let net = &mut core.net;
        if net.is_empty() {
            return;
        }
        let transmits = net.transmits();
        let mut i = 0;
        while i < transmits.len() {
            let t = transmits[i];
            match self.sockets.get_mut(t.socket.index()) {
                Some(OsSocket::Udp { socket, peer, .. }) => {
                    // Consecutive datagrams on one socket go in one syscall.
                    let end = transmits[i..]
                        .iter()
                        .position(|x| x.socket != t.socket || x.to.is_none())
                        .map_or(transmits.len(), |n| i + n);
                    send_batch(socket, *peer, net, &transmits[i..end], &mut self.batch);
                    i = end.max(i + 1);
                    continue;
                }
                Some(OsSocket::Conn(c)) => c.send_frame(net.payload(&t)),
                // Closed meanwhile, or a listener: dropped.
                _ => {}
            }
            i += 1;
        }
        for op in net.ops() {
            match *op {
                SocketOp::Close(id) => self.close(id),
                SocketOp::ConnectUdp(id, addr) => {
                    if let Some(OsSocket::Udp { socket, peer, .. }) =
                        self.sockets.get_mut(id.index())
                    {
                        if socket.connect(addr).is_ok() {
                            *peer = Some(addr);
                        }
                    }
                }
            }
        }
        net.clear();
    }

    fn close(&mut self, id: SocketId) {
        let Some(mut socket) = self.sockets.try_remove(id.index()) else {
            return;
        };
        let _ = match &mut socket {
            OsSocket::Udp { socket, .. } => self.registry.deregister(socket),
            OsSocket::Listener(listener) => self.registry.deregister(listener),
            OsSocket::Conn(c) => self.registry.deregister(&mut c.stream),
        };
        self.pending.retain(|p| *p != id);
        self.accept_blocked.retain(|p| *p != id);
    }

    /// Number of open sockets.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.sockets.len()
    }
}

impl SocketBinder for OsSockets {
    fn bind_udp(
        &mut self,
        info: &ListenInfo,
        worker_ports: (u16, u16),
        rx_timestamps: bool,
    ) -> Result<Bound> {
        let socket = bind_udp(info, worker_ports)?;
        if rx_timestamps {
            enable_rx_timestamps(&socket);
        }
        let local_port = socket.local_addr().map(|a| a.port()).unwrap_or(0);
        let id = self
            .insert(OsSocket::Udp {
                socket: mio::net::UdpSocket::from_std(socket),
                peer: None,
                rx_timestamps,
            })
            .map_err(|e| Error::other(format!("cannot register socket: {e}")))?;
        Ok(Bound { id, local_port })
    }

    fn bind_tcp(&mut self, info: &ListenInfo, worker_ports: (u16, u16)) -> Result<Bound> {
        let listener = bind_tcp(info, worker_ports)?;
        let local_port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let id = self
            .insert(OsSocket::Listener(mio::net::TcpListener::from_std(
                listener,
            )))
            .map_err(|e| Error::other(format!("cannot register socket: {e}")))?;
        Ok(Bound { id, local_port })
    }

    fn close(&mut self, id: SocketId) {
        OsSockets::close(self, id);
    }
}

/// Datagrams per `sendmmsg` call.
const BATCH: usize = 32;

/// The message headers of a `sendmmsg` call, allocated once and reused.
#[cfg(target_os = "linux")]
pub struct SendBatch {
    names: Box<[libc::sockaddr_storage]>,
    iovs: Box<[libc::iovec]>,
    msgs: Box<[libc::mmsghdr]>,
}

#[cfg(target_os = "linux")]
impl Default for SendBatch {
    fn default() -> Self {
        fn zeroed<T>() -> Box<[T]> {
            // SAFETY: only used for plain C structs, valid when zeroed.
            (0..BATCH).map(|_| unsafe { std::mem::zeroed() }).collect()
        }
        SendBatch {
            names: zeroed(),
            iovs: zeroed(),
            msgs: zeroed(),
        }
    }
}

/// Sends datagrams on one UDP socket: one alone with `send`/`sendto`,
/// several `BATCH` per `sendmmsg`. One that fails (full buffer, ICMP error
/// pending) is dropped; the rest still go.
#[cfg(target_os = "linux")]
fn send_batch(
    socket: &mio::net::UdpSocket,
    peer: Option<SocketAddr>,
    net: &NetOutbox,
    transmits: &[crate::net::Transmit],
    batch: &mut SendBatch,
) {
    use std::os::fd::AsRawFd;
    if let [t] = transmits {
        return send_one(socket, peer, net, t);
    }
    for group in transmits.chunks(BATCH) {
        for (i, t) in group.iter().enumerate() {
            let payload = net.payload(t);
            batch.iovs[i] = libc::iovec {
                iov_base: payload.as_ptr() as *mut libc::c_void,
                iov_len: payload.len(),
            };
            let msg = &mut batch.msgs[i];
            msg.msg_len = 0;
            let hdr = &mut msg.msg_hdr;
            hdr.msg_iov = &mut batch.iovs[i];
            hdr.msg_iovlen = 1;
            hdr.msg_control = std::ptr::null_mut();
            hdr.msg_controllen = 0;
            hdr.msg_flags = 0;
            match destination(t, peer) {
                Some(to) => {
                    hdr.msg_namelen = write_sockaddr(to, &mut batch.names[i]);
                    hdr.msg_name = (&mut batch.names[i] as *mut libc::sockaddr_storage).cast();
                }
                None => {
                    hdr.msg_name = std::ptr::null_mut();
                    hdr.msg_namelen = 0;
                }
            }
        }
        let mut sent = 0;
        while sent < group.len() {
            // SAFETY: `msgs[sent..group.len()]` were filled above and point
            // into `iovs`, `names` and `net`, all alive for the call.
            let n = unsafe {
                libc::sendmmsg(
                    socket.as_raw_fd(),
                    batch.msgs[sent..].as_mut_ptr(),
                    (group.len() - sent) as libc::c_uint,
                    0,
                )
            };
            if n > 0 {
                sent += n as usize;
            } else if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            } else {
                // The first datagram failed: drop it, send the rest.
                sent += 1;
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
#[derive(Default)]
pub struct SendBatch;

#[cfg(not(target_os = "linux"))]
fn send_batch(
    socket: &mio::net::UdpSocket,
    peer: Option<SocketAddr>,
    net: &NetOutbox,
    transmits: &[crate::net::Transmit],
    _batch: &mut SendBatch,
) {
    for t in transmits {
        send_one(socket, peer, net, t);
    }
}

/// Where a datagram is addressed: None when it goes to the peer the socket
/// is connected to (no address, so the kernel skips the route lookup).
fn destination(t: &crate::net::Transmit, peer: Option<SocketAddr>) -> Option<SocketAddr> {
    t.to.filter(|to| Some(*to) != peer)
}

/// Sends one datagram with `send`/`sendto`; a failure drops it.
fn send_one(
    socket: &mio::net::UdpSocket,
    peer: Option<SocketAddr>,
    net: &NetOutbox,
    t: &crate::net::Transmit,
) {
    let payload = net.payload(t);
    let _ = match destination(t, peer) {
        Some(to) => socket.send_to(payload, to),
        None => socket.send(payload),
    };
}

/// Writes `addr` as a C socket address; returns its length.
#[cfg(target_os = "linux")]
fn write_sockaddr(addr: SocketAddr, storage: &mut libc::sockaddr_storage) -> libc::socklen_t {
    match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe {
                std::ptr::write((storage as *mut libc::sockaddr_storage).cast(), sin);
            }
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe {
                std::ptr::write((storage as *mut libc::sockaddr_storage).cast(), sin6);
            }
            std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sockets() -> (mio::Poll, OsSockets) {
        let poll = mio::Poll::new().unwrap();
        let registry = poll.registry().try_clone().unwrap();
        (poll, OsSockets::new(registry, Instant::now()))
    }

    fn udp_info() -> ListenInfo {
        ListenInfo::new(crate::net::ListenProtocol::Udp, [127, 0, 0, 1].into())
    }

    #[test]
    fn batched_datagrams_arrive_in_order_to_each_destination() {
        let (_poll, mut sockets) = sockets();
        let bound = sockets
            .bind_udp(&udp_info(), (20000, 29999), false)
            .unwrap();
        let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = std::net::UdpSocket::bind("[::1]:0").ok();
        let mut net = NetOutbox::default();
        for i in 0..70u8 {
            net.send_udp(bound.id, a.local_addr().unwrap(), &[i; 100]);
        }
        let Some(OsSocket::Udp { socket, .. }) = sockets.sockets.get(bound.id.index()) else {
            panic!("not a UDP socket");
        };
        let mut batch = SendBatch::default();
        send_batch(socket, None, &net, net.transmits(), &mut batch);
        a.set_read_timeout(Some(std::time::Duration::from_secs(2)))
            .unwrap();
        let mut buf = [0u8; 200];
        for i in 0..70u8 {
            let (n, from) = a.recv_from(&mut buf).unwrap();
            assert_eq!((n, buf[0], from.port()), (100, i, bound.local_port));
        }
        // An IPv4 socket cannot reach an IPv6 peer: that datagram is
        // dropped, the ones after it still go.
        if let Some(b) = b {
            let mut net = NetOutbox::default();
            net.send_udp(bound.id, b.local_addr().unwrap(), b"lost");
            net.send_udp(bound.id, a.local_addr().unwrap(), b"after");
            net.send_udp(bound.id, a.local_addr().unwrap(), b"third");
            send_batch(socket, None, &net, net.transmits(), &mut batch);
            for expected in [&b"after"[..], b"third"] {
                let (n, _) = a.recv_from(&mut buf).unwrap();
                assert_eq!(&buf[..n], expected);
            }
            // One alone goes without sendmmsg.
            let mut net = NetOutbox::default();
            net.send_udp(bound.id, a.local_addr().unwrap(), b"alone");
            send_batch(socket, None, &net, net.transmits(), &mut batch);
            let (n, _) = a.recv_from(&mut buf).unwrap();
            assert_eq!(&buf[..n], b"alone");
        }
    }

    #[test]
    fn a_failed_bind_leaves_nothing_open() {
        let (_poll, mut sockets) = sockets();
        let taken = sockets
            .bind_udp(&udp_info(), (20000, 29999), false)
            .unwrap();
        let fixed = ListenInfo {
            port: taken.local_port,
            ..udp_info()
        };
        assert!(sockets.bind_udp(&fixed, (1, 1), false).is_err());
        assert_eq!(sockets.len(), 1);
        SocketBinder::close(&mut sockets, taken.id);
        assert_eq!(sockets.len(), 0);
    }
}
