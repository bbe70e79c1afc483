//! Opening the worker's sockets: UDP sockets and TCP listeners bound for a
//! listen info (its fixed port, its range, or the worker's, as mediasoup's
//! PortManager does), and receiving a datagram with the time the kernel
//! received it.

use crate::error::{Error, Result};
use crate::net::{ListenInfo, ListenProtocol};
use socket2::{Domain, Protocol, Socket, Type};
use std::net::SocketAddr;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_in_range_and_reports_non_local_ip() {
        let info = ListenInfo {
            port_range: Some((40000, 40100)),
            ..ListenInfo::new(ListenProtocol::Udp, [127, 0, 0, 1].into())
        };
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
        let foreign = ListenInfo::new(ListenProtocol::Udp, [8, 8, 8, 8].into());
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
        let mut buf = [0u8; 64];
        // Linux switches receive timestamps on for the whole stack lazily
        // (deferred work after the first socket asks): until then datagrams
        // are stamped when read. Wait until a warm-up datagram is stamped on
        // arrival.
        for _ in 0..100 {
            sender
                .send_to(b"warm-up", receiver.local_addr().unwrap())
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(5));
            let (_, _, age) = recv_from_timestamped(&receiver, &mut buf).unwrap();
            if age.is_some_and(|a| a >= std::time::Duration::from_millis(4)) {
                break;
            }
        }
        sender
            .send_to(b"hello", receiver.local_addr().unwrap())
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(30));
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
