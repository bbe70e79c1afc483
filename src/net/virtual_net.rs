//! A binder without sockets, for driving the core in-process (tests, fuzz
//! targets): it hands out ids and ports and remembers what it bound, so a
//! test can address datagrams to the core and route what it transmits.

use super::{Bound, ListenInfo, ListenProtocol, SocketBinder, SocketId};
use crate::error::{Error, Result};
use std::net::SocketAddr;

#[derive(Default)]
pub struct VirtualBinder {
    /// Every socket bound so far: its id, protocol and local address.
    pub bound: Vec<(SocketId, ListenProtocol, SocketAddr)>,
    next_id: u32,
    next_port: u16,
}

impl VirtualBinder {
    /// A fresh id for a socket that is not bound through the binder (an
    /// accepted TCP connection).
    pub fn next_id(&mut self) -> SocketId {
        self.next_id += 1;
        SocketId(self.next_id)
    }

    /// The local address of a bound socket.
    pub fn local_addr(&self, id: SocketId) -> Option<SocketAddr> {
        self.bound.iter().find(|b| b.0 == id).map(|b| b.2)
    }

    fn bind(
        &mut self,
        info: &ListenInfo,
        worker_ports: (u16, u16),
        protocol: ListenProtocol,
    ) -> Result<Bound> {
        let port = if info.port != 0 {
            info.port
        } else {
            let (min, max) = info.port_range.unwrap_or(worker_ports);
            let span = max.saturating_sub(min) as u32 + 1;
            let port = min + (self.next_port as u32 % span) as u16;
            self.next_port = self.next_port.wrapping_add(1);
            port
        };
        let addr = SocketAddr::new(info.ip, port);
        if self.bound.iter().any(|b| b.1 == protocol && b.2 == addr) {
            return Err(Error::other(format!(
                "bind failed [ip:'{}', port:{port}]: address in use",
                info.ip
            )));
        }
        let id = self.next_id();
        self.bound.push((id, protocol, addr));
        Ok(Bound {
            id,
            local_port: port,
        })
    }
}

impl SocketBinder for VirtualBinder {
    fn bind_udp(
        &mut self,
        info: &ListenInfo,
        worker_ports: (u16, u16),
        _rx_timestamps: bool,
    ) -> Result<Bound> {
        self.bind(info, worker_ports, ListenProtocol::Udp)
    }

    fn bind_tcp(&mut self, info: &ListenInfo, worker_ports: (u16, u16)) -> Result<Bound> {
        self.bind(info, worker_ports, ListenProtocol::Tcp)
    }

    fn close(&mut self, id: SocketId) {
        self.bound.retain(|b| b.0 != id);
    }
}
