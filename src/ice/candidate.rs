//! Host candidates exactly as mediasoup advertises them in
//! `webRtcTransport.iceCandidates`: foundation per protocol, priority from
//! RFC 8445's formula with type preference 64 (host), component 1, and a
//! local preference that starts at 10000 and drops by 100 per listen entry.

const TYPE_PREFERENCE: u32 = 64;
const COMPONENT: u32 = 1;
pub const DEFAULT_LOCAL_PREFERENCE: u16 = 10000;
/// Drop in local preference from one listen entry to the next.
const LOCAL_PREFERENCE_STEP: u16 = 100;
/// Bonus for the preferred protocol (WebRtcServer only).
const PREFER_BONUS: u16 = 1000;
/// The internal-IP twin of an announced candidate ranks this much lower.
const INTERNAL_IP_PENALTY: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Udp,
    Tcp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Udp => "udp",
            Protocol::Tcp => "tcp",
        }
    }

    /// mediasoup uses one fixed foundation per protocol.
    pub fn foundation(self) -> &'static str {
        match self {
            Protocol::Udp => "udpcandidate",
            Protocol::Tcp => "tcpcandidate",
        }
    }
}

/// Candidate priority for a local preference (RFC 8445 section 5.1.2.1).
pub fn priority(local_preference: u16) -> u32 {
    (TYPE_PREFERENCE << 24) + ((local_preference as u32) << 8) + (256 - COMPONENT)
}

/// Local preference of the listen entry at `index`; mediasoup does this in
/// uint16_t, so it wraps the same way for absurdly long lists.
pub fn local_preference(index: usize, preferred: bool) -> u16 {
    let lp =
        DEFAULT_LOCAL_PREFERENCE.wrapping_sub((index as u16).wrapping_mul(LOCAL_PREFERENCE_STEP));
    if preferred {
        lp.wrapping_add(PREFER_BONUS)
    } else {
        lp
    }
}

/// One bound UDP socket or TCP server, in listen-info order.
#[derive(Debug, Clone, Copy)]
pub struct ListenSocket<'a> {
    pub protocol: Protocol,
    /// The socket's local IP as bound.
    pub ip: &'a str,
    pub port: u16,
    pub announced_address: Option<&'a str>,
    pub expose_internal_ip: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCandidate {
    pub foundation: &'static str,
    pub priority: u32,
    pub address: String,
    pub protocol: Protocol,
    pub port: u16,
}

impl IceCandidate {
    /// TCP candidates are always passive: we only accept connections.
    pub fn tcp_type(&self) -> Option<&'static str> {
        (self.protocol == Protocol::Tcp).then_some("passive")
    }
}

/// Push the candidate(s) of one socket: the announced address (if any) and,
/// when asked, the internal IP just below it.
fn push_candidates(out: &mut Vec<IceCandidate>, s: &ListenSocket, priority: u32) {
    let mut push = |address: &str, priority: u32| {
        out.push(IceCandidate {
            foundation: s.protocol.foundation(),
            priority,
            address: address.to_owned(),
            protocol: s.protocol,
            port: s.port,
        })
    };
    match s.announced_address {
        None => push(s.ip, priority),
        Some(announced) => {
            push(announced, priority);
            if s.expose_internal_ip {
                push(s.ip, priority.wrapping_sub(INTERNAL_IP_PENALTY));
            }
        }
    }
}

/// Candidates of a WebRtcTransport with its own `listenInfos`: every entry
/// counts, in order; enable/prefer flags do not apply here (the Node layer
/// already expanded deprecated `listenIps` with them).
pub fn transport_candidates(sockets: &[ListenSocket]) -> Vec<IceCandidate> {
    let mut out = Vec::with_capacity(sockets.len() * 2);
    for (i, s) in sockets.iter().enumerate() {
        push_candidates(&mut out, s, priority(local_preference(i, false)));
    }
    out
}

/// Protocol choice for a WebRtcTransport on a WebRtcServer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolPrefs {
    pub enable_udp: bool,
    pub enable_tcp: bool,
    pub prefer_udp: bool,
    pub prefer_tcp: bool,
}

/// Candidates of a WebRtcTransport using a WebRtcServer: disabled
/// protocols are skipped but still use up their slot in the preference
/// order; the preferred protocol gets +1000 local preference.
pub fn server_candidates(sockets: &[ListenSocket], prefs: ProtocolPrefs) -> Vec<IceCandidate> {
    let mut out = Vec::with_capacity(sockets.len() * 2);
    for (i, s) in sockets.iter().enumerate() {
        let (enabled, preferred) = match s.protocol {
            Protocol::Udp => (prefs.enable_udp, prefs.prefer_udp),
            Protocol::Tcp => (prefs.enable_tcp, prefs.prefer_tcp),
        };
        if enabled {
            push_candidates(&mut out, s, priority(local_preference(i, preferred)));
        }
    }
    out
}

/// Protocol order mediasoup's Router uses when expanding deprecated
/// `listenIps` into listen infos (one entry per IP and protocol).
pub fn listen_ips_protocols(prefs: ProtocolPrefs) -> Vec<Protocol> {
    let ProtocolPrefs {
        enable_udp,
        enable_tcp,
        prefer_udp,
        prefer_tcp,
    } = prefs;
    let mut order = Vec::with_capacity(2);
    if enable_udp && (prefer_udp || !enable_tcp || !prefer_tcp) {
        order.push(Protocol::Udp);
        if enable_tcp {
            order.push(Protocol::Tcp);
        }
    } else if enable_tcp && ((prefer_tcp && !prefer_udp) || !enable_udp) {
        order.push(Protocol::Tcp);
        if enable_udp {
            order.push(Protocol::Udp);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sock<'a>(
        protocol: Protocol,
        ip: &'a str,
        announced: Option<&'a str>,
        expose: bool,
    ) -> ListenSocket<'a> {
        ListenSocket {
            protocol,
            ip,
            port: 2000,
            announced_address: announced,
            expose_internal_ip: expose,
        }
    }

    #[test]
    fn priority_formula() {
        assert_eq!(priority(10000), 1_076_302_079);
        assert_eq!(priority(9900), 1_076_276_479);
        assert_eq!(priority(11000), 1_076_558_079);
    }

    /// test-WebRtcTransport.js "router.createWebRtcTransport() succeeds".
    #[test]
    fn transport_listen_infos_like_mediasoup_test() {
        use Protocol::*;
        let sockets = [
            sock(Udp, "127.0.0.1", Some("9.9.9.1"), true),
            sock(Tcp, "127.0.0.1", Some("9.9.9.1"), false),
            sock(Udp, "0.0.0.0", Some("foo1.bar.org"), false),
            sock(Tcp, "0.0.0.0", Some("foo2.bar.org"), false),
            sock(Udp, "127.0.0.1", None, false),
            sock(Tcp, "127.0.0.1", None, false),
        ];
        let c = transport_candidates(&sockets);
        let got: Vec<_> = c
            .iter()
            .map(|c| (c.address.as_str(), c.protocol, c.priority, c.tcp_type()))
            .collect();
        assert_eq!(
            got,
            [
                ("9.9.9.1", Udp, 1_076_302_079, None),
                ("127.0.0.1", Udp, 1_076_301_079, None),
                ("9.9.9.1", Tcp, 1_076_276_479, Some("passive")),
                ("foo1.bar.org", Udp, 1_076_250_879, None),
                ("foo2.bar.org", Tcp, 1_076_225_279, Some("passive")),
                ("127.0.0.1", Udp, 1_076_199_679, None),
                ("127.0.0.1", Tcp, 1_076_174_079, Some("passive")),
            ]
        );
        // The test asserts strictly decreasing priorities.
        assert!(c.windows(2).all(|w| w[0].priority > w[1].priority));
    }

    /// test-WebRtcServer.js: UDP disabled, announced TCP with internal IP.
    #[test]
    fn server_candidates_like_mediasoup_test() {
        let sockets = [
            sock(Protocol::Udp, "127.0.0.1", None, false),
            sock(Protocol::Tcp, "127.0.0.1", Some("media1.foo.org"), true),
        ];
        let prefs = ProtocolPrefs {
            enable_udp: false,
            enable_tcp: true,
            prefer_udp: false,
            prefer_tcp: false,
        };
        let c = server_candidates(&sockets, prefs);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].address.as_str(), c[0].priority),
            ("media1.foo.org", 1_076_276_479)
        );
        assert_eq!(
            (c[1].address.as_str(), c[1].priority),
            ("127.0.0.1", 1_076_275_479)
        );
        // preferTcp lifts TCP above an earlier UDP entry.
        let prefs = ProtocolPrefs {
            enable_udp: true,
            prefer_tcp: true,
            ..prefs
        };
        let c = server_candidates(&sockets, prefs);
        assert_eq!(c[0].protocol, Protocol::Udp);
        assert_eq!(c[0].priority, priority(10000));
        assert_eq!(c[1].priority, priority(10900));
        assert!(c[1].priority > c[0].priority);
    }

    #[test]
    fn json_shape() {
        let udp = IceCandidate {
            foundation: Protocol::Udp.foundation(),
            priority: 1_076_302_079,
            address: "1.2.3.4".into(),
            protocol: Protocol::Udp,
            port: 40000,
        };
        assert_eq!(
            serde_json::to_string(&udp).unwrap(),
            r#"{"foundation":"udpcandidate","priority":1076302079,"ip":"1.2.3.4","address":"1.2.3.4","protocol":"udp","port":40000,"type":"host"}"#
        );
        let c = IceCandidate {
            foundation: Protocol::Tcp.foundation(),
            priority: 5,
            address: "::1".into(),
            protocol: Protocol::Tcp,
            port: 1,
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["tcpType"], "passive");
        assert_eq!(v["foundation"], "tcpcandidate");
    }

    /// Router.createWebRtcTransport's expansion of deprecated listenIps.
    #[test]
    fn listen_ips_order() {
        use Protocol::*;
        let p = |enable_udp, enable_tcp, prefer_udp, prefer_tcp| {
            listen_ips_protocols(ProtocolPrefs {
                enable_udp,
                enable_tcp,
                prefer_udp,
                prefer_tcp,
            })
        };
        assert_eq!(p(true, false, false, false), [Udp]);
        assert_eq!(p(true, true, false, false), [Udp, Tcp]);
        assert_eq!(p(true, true, false, true), [Tcp, Udp]);
        assert_eq!(p(true, true, true, true), [Udp, Tcp]);
        assert_eq!(p(false, true, false, false), [Tcp]);
        assert_eq!(p(false, false, false, false), Vec::<Protocol>::new());
    }
}
