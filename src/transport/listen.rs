//! `TransportListenInfo`: parsing, validation (mediasoup's error classes) and
//! binding UDP sockets on a fixed port, a port range or the worker's range.

use crate::error::{Error, Result};
use serde_json::{json, Value};
use socket2::{Domain, Protocol, Socket, Type};
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenProtocol {
    Udp,
    Tcp,
}

impl ListenProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            ListenProtocol::Udp => "udp",
            ListenProtocol::Tcp => "tcp",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListenInfo {
    pub protocol: ListenProtocol,
    pub ip: IpAddr,
    pub announced_address: Option<String>,
    pub expose_internal_ip: bool,
    /// 0 = pick one from `port_range` or the worker's range.
    pub port: u16,
    pub port_range: Option<(u16, u16)>,
    pub ipv6_only: bool,
    pub udp_reuse_port: bool,
    pub send_buffer_size: Option<usize>,
    pub recv_buffer_size: Option<usize>,
}

fn opt_u16(value: Option<&Value>, name: &str) -> Result<Option<u16>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|p| *p <= 65535)
            .map(|p| Some(p as u16))
            .ok_or_else(|| Error::type_error(format!("invalid {name}"))),
        Some(_) => Err(Error::type_error(format!("invalid {name}"))),
    }
}

fn opt_usize(value: Option<&Value>, name: &str) -> Result<Option<usize>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|v| Some(v as usize))
            .ok_or_else(|| Error::type_error(format!("invalid {name}"))),
        Some(_) => Err(Error::type_error(format!("invalid {name}"))),
    }
}

/// Parses an IP the way mediasoup normalises it; anything else is a TypeError.
pub fn parse_ip(value: Option<&Value>) -> Result<IpAddr> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| Error::type_error("missing ip"))?;
    text.parse::<IpAddr>()
        .map_err(|_| Error::type_error(format!("invalid IP '{text}'")))
}

impl ListenInfo {
    pub fn from_json(value: &Value) -> Result<Self> {
        if !value.is_object() {
            return Err(Error::type_error("invalid listenInfo"));
        }
        let protocol = match value.get("protocol").and_then(Value::as_str) {
            Some("udp") => ListenProtocol::Udp,
            Some("tcp") => ListenProtocol::Tcp,
            _ => return Err(Error::type_error("invalid listenInfo.protocol")),
        };
        let ip = parse_ip(value.get("ip"))?;
        let announced_address = value
            .get("announcedAddress")
            .filter(|v| !v.is_null())
            .or_else(|| value.get("announcedIp").filter(|v| !v.is_null()))
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::type_error("invalid announcedAddress"))
            })
            .transpose()?
            .filter(|s| !s.is_empty());
        let port = opt_u16(value.get("port"), "port")?.unwrap_or(0);
        let port_range = match value.get("portRange") {
            None | Some(Value::Null) => None,
            Some(range) => {
                let min = opt_u16(range.get("min"), "portRange.min")?.unwrap_or(0);
                let max = opt_u16(range.get("max"), "portRange.max")?.unwrap_or(0);
                if min == 0 && max == 0 {
                    None
                } else if max < min {
                    return Err(Error::type_error("maxPort cannot be less than minPort"));
                } else {
                    Some((min.max(1), max))
                }
            }
        };
        let flags = value.get("flags");
        let flag = |name: &str| {
            flags
                .and_then(|f| f.get(name))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        Ok(ListenInfo {
            protocol,
            ip,
            announced_address,
            expose_internal_ip: value
                .get("exposeInternalIp")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            port,
            port_range,
            ipv6_only: flag("ipv6Only"),
            udp_reuse_port: flag("udpReusePort"),
            send_buffer_size: opt_usize(value.get("sendBufferSize"), "sendBufferSize")?,
            recv_buffer_size: opt_usize(value.get("recvBufferSize"), "recvBufferSize")?,
        })
    }

    /// What the tuple reports as local address: the announced one if any.
    pub fn local_address(&self) -> String {
        self.announced_address
            .clone()
            .unwrap_or_else(|| self.ip.to_string())
    }
}

/// A socket with the listen info's options applied, not yet bound.
fn new_socket(
    info: &ListenInfo,
    port: u16,
    ty: Type,
    protocol: Protocol,
) -> std::io::Result<(Socket, SocketAddr)> {
    let addr = SocketAddr::new(info.ip, port);
    let socket = Socket::new(Domain::for_address(addr), ty, Some(protocol))?;
    if info.ip.is_ipv6() {
        socket.set_only_v6(info.ipv6_only)?;
    }
    if let Some(size) = info.send_buffer_size {
        socket.set_send_buffer_size(size)?;
    }
    if let Some(size) = info.recv_buffer_size {
        socket.set_recv_buffer_size(size)?;
    }
    socket.set_nonblocking(true)?;
    Ok((socket, addr))
}

fn bind_udp_once(info: &ListenInfo, port: u16) -> std::io::Result<std::net::UdpSocket> {
    let (socket, addr) = new_socket(info, port, Type::DGRAM, Protocol::UDP)?;
    if info.udp_reuse_port {
        socket.set_reuse_port(true)?;
        socket.set_reuse_address(true)?;
    }
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

fn bind_tcp_once(info: &ListenInfo, port: u16) -> std::io::Result<std::net::TcpListener> {
    let (socket, addr) = new_socket(info, port, Type::STREAM, Protocol::TCP)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(256)?;
    Ok(socket.into())
}

/// Binds with `bind_once` on `info`'s fixed port, else on a random free port
/// of its range, else of the worker's `[rtcMinPort, rtcMaxPort]` (mediasoup's
/// PortManager: random start, next ports while in use).
fn bind_port<T>(
    info: &ListenInfo,
    worker_range: (u16, u16),
    bind_once: impl Fn(&ListenInfo, u16) -> std::io::Result<T>,
) -> Result<T> {
    let failed = |port: u16, e: std::io::Error| {
        Error::other(format!("bind failed [ip:'{}', port:{port}]: {e}", info.ip))
    };
    if info.port != 0 {
        return bind_once(info, info.port).map_err(|e| failed(info.port, e));
    }
    let (min, max) = info.port_range.unwrap_or(worker_range);
    let (min, max) = (min.max(1), max.max(1));
    let count = (max - min) as u32 + 1;
    let start = rand::random::<u32>() % count;
    // Every port of the range is tried once, as mediasoup does: its error
    // means the range is full.
    for attempt in 0..count {
        let port = min + ((start + attempt) % count) as u16;
        match bind_once(info, port) {
            Ok(socket) => return Ok(socket),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
            // Not a port problem (e.g. a non-local IP): no point in retrying.
            Err(e) => return Err(failed(port, e)),
        }
    }
    Err(Error::other(format!(
        "no more available ports [protocol:{}, ip:'{}', numAttempt:{count}]",
        info.protocol.as_str(),
        info.ip
    )))
}

/// Binds a UDP socket for `info` (fixed port, its range, or the worker's).
pub fn bind_udp(info: &ListenInfo, worker_range: (u16, u16)) -> Result<std::net::UdpSocket> {
    if info.protocol != ListenProtocol::Udp {
        return Err(Error::type_error("unsupported listen protocol"));
    }
    bind_port(info, worker_range, bind_udp_once)
}

/// Binds a listening TCP socket for `info` (fixed port, its range, or the
/// worker's).
pub fn bind_tcp(info: &ListenInfo, worker_range: (u16, u16)) -> Result<std::net::TcpListener> {
    bind_port(info, worker_range, bind_tcp_once)
}

/// Asks the kernel to stamp each datagram the socket receives
/// (`SO_TIMESTAMPNS`), for [`recv_from_timestamped`]. Best effort.
pub fn enable_rx_timestamps(socket: &std::net::UdpSocket) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let on: libc::c_int = 1;
        // SAFETY: a valid socket fd and an int option of the right size.
        unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_TIMESTAMPNS,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = socket;
}

/// `recv_from` that also tells how long ago the kernel received the
/// datagram (its `SO_TIMESTAMPNS` stamp; None without one). Transport-cc
/// feedback needs arrival times: the worker may read a datagram
/// milliseconds after it arrived (thread not scheduled on a busy machine),
/// and a burst read late would look like it arrived all at once.
#[cfg(target_os = "linux")]
pub fn recv_from_timestamped(
    socket: &mio::net::UdpSocket,
    buf: &mut [u8],
) -> std::io::Result<(usize, SocketAddr, Option<std::time::Duration>)> {
    use std::os::fd::AsRawFd;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    // SAFETY: plain C structs, zero-initialized.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // Room for a timestamp control message, aligned for `cmsghdr`.
    let mut control = [0u64; 8];
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&mut storage as *mut libc::sockaddr_storage).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: every pointer in `msg` points to live buffers of the given sizes.
    let n = unsafe { libc::recvmsg(socket.as_raw_fd(), &mut msg, 0) };
    if n < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the kernel filled `storage` with `msg_namelen` bytes.
    let remote = unsafe { socket2::SockAddr::new(storage, msg.msg_namelen) }
        .as_socket()
        .ok_or_else(|| std::io::Error::other("datagram from a non-IP address"))?;
    let mut stamp = None;
    // SAFETY: walking the control messages the kernel wrote into `control`.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_TIMESTAMPNS
            {
                let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast());
                stamp = Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32));
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    // Both on the realtime clock; a stamp "in the future" or older than a
    // second means the clock was stepped: no age then.
    let age = stamp
        .and_then(|s| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .ok()?
                .checked_sub(s)
        })
        .filter(|age| *age < Duration::from_secs(1));
    Ok((n as usize, remote, age))
}

#[cfg(not(target_os = "linux"))]
pub fn recv_from_timestamped(
    socket: &mio::net::UdpSocket,
    buf: &mut [u8],
) -> std::io::Result<(usize, SocketAddr, Option<std::time::Duration>)> {
    socket.recv_from(buf).map(|(n, remote)| (n, remote, None))
}

/// mediasoup's TransportTuple JSON.
pub fn tuple_json(
    local_address: &str,
    local_port: u16,
    remote: Option<SocketAddr>,
    protocol: ListenProtocol,
) -> Value {
    let mut tuple = json!({
        "localIp": local_address,
        "localAddress": local_address,
        "localPort": local_port,
        "protocol": protocol.as_str(),
    });
    match remote {
        Some(addr) => {
            tuple["remoteIp"] = json!(addr.ip().to_string());
            tuple["remotePort"] = json!(addr.port());
        }
        None => tuple["remotePort"] = json!(0),
    }
    tuple
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let info = ListenInfo::from_json(&json!({
            "protocol": "udp", "ip": "127.0.0.1", "announcedIp": "1.2.3.4",
            "portRange": {"min": 2000, "max": 3000}, "flags": {"udpReusePort": true}
        }))
        .unwrap();
        assert_eq!(info.local_address(), "1.2.3.4");
        assert_eq!(info.port_range, Some((2000, 3000)));
        assert!(info.udp_reuse_port);
        for bad in [
            json!({"protocol": "udp", "ip": "123"}),
            json!({"protocol": "udp"}),
            json!({"protocol": "sctp", "ip": "127.0.0.1"}),
            json!({"protocol": "udp", "ip": "127.0.0.1", "portRange": {"min": 4000, "max": 3000}}),
            json!({"protocol": "udp", "ip": "127.0.0.1", "port": 70000}),
            json!("127.0.0.1"),
        ] {
            assert_eq!(
                ListenInfo::from_json(&bad).unwrap_err().kind,
                crate::error::ErrorKind::TypeError,
                "{bad}"
            );
        }
    }

    #[test]
    fn binds_in_range_and_reports_non_local_ip() {
        let info = ListenInfo::from_json(&json!({
            "protocol": "udp", "ip": "127.0.0.1", "portRange": {"min": 40000, "max": 40100}
        }))
        .unwrap();
        let a = bind_udp(&info, (10000, 59999)).unwrap();
        let b = bind_udp(&info, (10000, 59999)).unwrap();
        let (pa, pb) = (
            a.local_addr().unwrap().port(),
            b.local_addr().unwrap().port(),
        );
        assert!((40000..=40100).contains(&pa) && (40000..=40100).contains(&pb));
        assert_ne!(pa, pb);
        let fixed = ListenInfo {
            port: pa,
            port_range: None,
            ..info.clone()
        };
        assert_eq!(
            bind_udp(&fixed, (1, 1)).unwrap_err().kind,
            crate::error::ErrorKind::Error
        );
        let foreign = ListenInfo::from_json(&json!({"protocol": "udp", "ip": "8.8.8.8"})).unwrap();
        assert_eq!(
            bind_udp(&foreign, (10000, 59999)).unwrap_err().kind,
            crate::error::ErrorKind::Error
        );
    }

    #[test]
    fn received_datagrams_carry_their_kernel_arrival() {
        let receiver = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        enable_rx_timestamps(&receiver);
        receiver.set_nonblocking(true).unwrap();
        let receiver = mio::net::UdpSocket::from_std(receiver);
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sender
            .send_to(b"hello", receiver.local_addr().unwrap())
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let mut buf = [0u8; 64];
        let (n, from, age) = recv_from_timestamped(&receiver, &mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"hello"[..], sender.local_addr().unwrap())
        );
        // Stamped when it arrived, not when it was read.
        #[cfg(target_os = "linux")]
        {
            let age = age.expect("a kernel timestamp");
            assert!(age >= std::time::Duration::from_millis(25), "{age:?}");
        }
        let _ = age;
        let again = recv_from_timestamped(&receiver, &mut buf).unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::WouldBlock);
    }
}
