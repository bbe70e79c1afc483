//! The core's view of the network. Sockets are numbers (`SocketId`) handed
//! out by whoever owns the real ones (the worker's I/O shell, or a test's
//! virtual network); the core is given what arrives on them and queues what
//! it transmits and what it wants done with them (`NetOutbox`), which the
//! owner carries out after each call. Nothing here touches a socket.

mod listen_info;
mod virtual_net;

pub use listen_info::{ListenInfo, ListenProtocol};
pub use virtual_net::VirtualBinder;

use crate::error::Result;
use std::net::SocketAddr;

/// A socket (UDP socket, TCP listener or TCP connection) of the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SocketId(pub u32);

impl SocketId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A socket the binder opened for the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub id: SocketId,
    pub local_port: u16,
}

/// Opens sockets while the core handles a request (their ports go into the
/// response, so this cannot wait until after the call).
pub trait SocketBinder {
    /// A UDP socket for `info` (its fixed port, its range, or the worker's).
    /// `rx_timestamps`: stamp datagrams with their kernel arrival time
    /// (transport-cc feedback wants it).
    fn bind_udp(
        &mut self,
        info: &ListenInfo,
        worker_ports: (u16, u16),
        rx_timestamps: bool,
    ) -> Result<Bound>;
    /// A listening TCP socket for `info`.
    fn bind_tcp(&mut self, info: &ListenInfo, worker_ports: (u16, u16)) -> Result<Bound>;
    /// Closes a socket bound during a request that then failed.
    fn close(&mut self, id: SocketId);
}

/// Something the core asks of a socket besides sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketOp {
    /// Close it (a UDP socket, listener or connection the core is done with).
    Close(SocketId),
    /// Fix a UDP socket's peer: the kernel then filters other sources and
    /// skips a route lookup per send.
    ConnectUdp(SocketId, SocketAddr),
}

/// One datagram to send: on a UDP socket to `to`, or as one RFC 4571 frame
/// on a TCP connection (`to` is None).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    pub socket: SocketId,
    pub to: Option<SocketAddr>,
    start: u32,
    len: u32,
}

/// What the core transmits and asks of sockets during one call. Payloads
/// are packed into one buffer that keeps its capacity between calls, so the
/// media path does not allocate once warm.
#[derive(Default)]
pub struct NetOutbox {
    bytes: Vec<u8>,
    transmits: Vec<Transmit>,
    ops: Vec<SocketOp>,
    /// Every datagram ever queued, and its bytes (kept across `clear`).
    pub total_packets: u64,
    pub total_bytes: u64,
}

/// Capacity the payload buffer keeps after a burst (a large fan-out may
/// need more for one call; it is released afterwards).
const KEEP_BYTES: usize = 4 * 1024 * 1024;

impl NetOutbox {
    /// Queues a UDP datagram.
    pub fn send_udp(&mut self, socket: SocketId, to: SocketAddr, data: &[u8]) {
        self.push(socket, Some(to), data);
    }

    /// Queues a packet for a TCP connection (framed by the shell).
    pub fn send_tcp(&mut self, conn: SocketId, data: &[u8]) {
        self.push(conn, None, data);
    }

    fn push(&mut self, socket: SocketId, to: Option<SocketAddr>, data: &[u8]) {
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(data);
        self.total_packets += 1;
        self.total_bytes += data.len() as u64;
        self.transmits.push(Transmit {
            socket,
            to,
            start,
            len: data.len() as u32,
        });
    }

    pub fn op(&mut self, op: SocketOp) {
        self.ops.push(op);
    }

    pub fn is_empty(&self) -> bool {
        self.transmits.is_empty() && self.ops.is_empty()
    }

    /// The queued datagrams, in order.
    pub fn transmits(&self) -> &[Transmit] {
        &self.transmits
    }

    /// The payload of a queued datagram.
    pub fn payload(&self, transmit: &Transmit) -> &[u8] {
        &self.bytes[transmit.start as usize..(transmit.start + transmit.len) as usize]
    }

    /// The queued socket operations, in order (carried out after the
    /// datagrams: a datagram queued before a close still goes out).
    pub fn ops(&self) -> &[SocketOp] {
        &self.ops
    }

    /// Forgets everything queued (after the owner carried it out).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.transmits.clear();
        self.ops.clear();
        if self.bytes.capacity() > KEEP_BYTES {
            self.bytes.shrink_to(KEEP_BYTES);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_payloads_in_order_and_keeps_capacity() {
        let mut net = NetOutbox::default();
        let a: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        net.send_udp(SocketId(1), a, b"first");
        net.send_tcp(SocketId(2), b"second");
        net.op(SocketOp::Close(SocketId(2)));
        let sent: Vec<(SocketId, Option<SocketAddr>, &[u8])> = net
            .transmits()
            .iter()
            .map(|t| (t.socket, t.to, net.payload(t)))
            .collect();
        assert_eq!(
            sent,
            vec![
                (SocketId(1), Some(a), &b"first"[..]),
                (SocketId(2), None, &b"second"[..])
            ]
        );
        assert_eq!(net.ops(), &[SocketOp::Close(SocketId(2))]);
        let capacity = net.bytes.capacity();
        net.clear();
        assert!(net.is_empty());
        assert_eq!(net.bytes.capacity(), capacity);
    }
}
