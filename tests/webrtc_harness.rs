//! WebRtcTransports driven through the core's sockets, in-process, with
//! virtual time: a plain-Rust peer sends STUN checks and runs the other end
//! of DTLS over a seeded lossy link. No socket, no thread, no clock.

mod common;

use common::{Link, Message, Sfu};
use ferrosoup::certificate::DtlsCertificate;
use ferrosoup::dtls::{DtlsEvent, DtlsRole, DtlsTransport};
use ferrosoup::ice::stun::{Class, StunMessage, StunWriter, METHOD_BINDING};
use ferrosoup::net::{SocketId, SocketOp};
use serde_json::{json, Value};
use std::net::SocketAddr;

fn peer_addr() -> SocketAddr {
    "10.0.0.2:50000".parse().unwrap()
}

/// A router with WebRtcTransport "t" on one UDP socket.
struct Room {
    sfu: Sfu,
    socket: SocketId,
    ufrag: String,
    password: String,
    /// The transport's sha-256 certificate fingerprint.
    fingerprint: String,
}

fn room(consent_timeout_secs: u64) -> Room {
    let mut sfu = Sfu::new();
    sfu.request("worker.createRouter", "", json!({"routerId": "r"}));
    let t = sfu.request(
        "router.createWebRtcTransport",
        "r",
        json!({"transportId": "t", "options": {
            "listenInfos": [{"protocol": "udp", "ip": "127.0.0.1"}],
            "enableUdp": true, "enableTcp": false, "preferUdp": false, "preferTcp": false,
            "initialAvailableOutgoingBitrate": 600000, "enableSctp": false,
            "maxSendMessageSize": 262144, "maxReceiveMessageSize": 262144,
            "isDataChannel": true, "iceConsentTimeout": consent_timeout_secs}}),
    );
    let (socket, _, local) = sfu.net.bound[0];
    assert_eq!(t["iceCandidates"][0]["port"], json!(local.port()));
    let fingerprint = t["dtlsParameters"]["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["algorithm"] == "sha-256")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    Room {
        socket,
        ufrag: t["iceParameters"]["usernameFragment"]
            .as_str()
            .unwrap()
            .into(),
        password: t["iceParameters"]["password"].as_str().unwrap().into(),
        fingerprint,
        sfu,
    }
}

/// A STUN Binding request as a controlling browser sends it.
fn binding_request(room: &Room, nominate: bool, transaction: u8) -> Vec<u8> {
    let mut buf = [0u8; 512];
    let mut w =
        StunWriter::new(&mut buf, Class::Request, METHOD_BINDING, &[transaction; 12]).unwrap();
    w.add_username(format!("{}:peer", room.ufrag).as_bytes())
        .unwrap();
    w.add_priority(0x6e00_01ff).unwrap();
    w.add_ice_controlling(42).unwrap();
    if nominate {
        w.add_use_candidate().unwrap();
    }
    let n = w.protect(Some(room.password.as_bytes())).unwrap();
    buf[..n].to_vec()
}

fn ice_states(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m.event == "webrtctransport.icestatechange")
        .map(|m| m.data["iceState"].as_str().unwrap().to_string())
        .collect()
}

/// Checks the peer, and what the transport answered.
fn check(
    room: &mut Room,
    nominate: bool,
    transaction: u8,
) -> Vec<(SocketId, Option<SocketAddr>, Vec<u8>)> {
    let request = binding_request(room, nominate, transaction);
    room.sfu.receive(room.socket, peer_addr(), &request);
    room.sfu.take_transmits()
}

#[test]
fn ice_checks_are_answered_on_their_tuple_and_consent_expiry_disconnects() {
    let mut room = room(30);
    let answers = check(&mut room, true, 1);
    assert_eq!(answers.len(), 1);
    let (socket, to, response) = &answers[0];
    assert_eq!((*socket, *to), (room.socket, Some(peer_addr())));
    let response = StunMessage::parse(response).unwrap();
    assert_eq!(response.class(), Class::SuccessResponse);
    assert_eq!(response.xor_mapped_address(), Some(peer_addr()));
    let messages = room.sfu.take_messages();
    assert_eq!(ice_states(&messages), ["completed"]);
    let selected = messages
        .iter()
        .find(|m| m.event == "webrtctransport.iceselectedtuplechange")
        .expect("a selected tuple");
    assert_eq!(selected.data["remotePort"], json!(peer_addr().port()));

    // Checks every 5 s keep consent fresh for a minute.
    let start = room.sfu.now_ms;
    for i in 0..12u8 {
        room.sfu.advance_to(start + 5_000 * (i as u64 + 1));
        assert_eq!(check(&mut room, false, 10 + i).len(), 1);
    }
    assert!(ice_states(&room.sfu.take_messages()).is_empty());

    // Silence: disconnected once 30 s pass without a check, not before.
    let last = room.sfu.now_ms;
    room.sfu.advance_to(last + 29_900);
    assert!(ice_states(&room.sfu.take_messages()).is_empty());
    room.sfu.advance_to(last + 30_100);
    assert_eq!(ice_states(&room.sfu.take_messages()), ["disconnected"]);
    assert_eq!(room.sfu.metrics().ice_disconnections, 1);

    // A new nominated check brings it back.
    assert_eq!(check(&mut room, true, 99).len(), 1);
    assert_eq!(ice_states(&room.sfu.take_messages()), ["completed"]);
}

#[test]
fn checks_with_a_wrong_password_or_from_nowhere_change_nothing() {
    let mut room = room(30);
    room.password = "not-the-password-at-all".into();
    let answers = check(&mut room, true, 1);
    // Answered with 401, no state change.
    assert_eq!(answers.len(), 1);
    let response = StunMessage::parse(&answers[0].2).unwrap();
    assert_eq!(response.class(), Class::ErrorResponse);
    assert_eq!(response.error_code().map(|e| e.0), Some(401));
    // Media-looking datagrams from an unknown tuple: dropped, unanswered.
    room.sfu.receive(room.socket, peer_addr(), &[0x80; 40]);
    room.sfu.receive(room.socket, peer_addr(), &[22; 40]);
    assert!(room.sfu.take_transmits().is_empty());
    assert!(ice_states(&room.sfu.take_messages()).is_empty());
    assert_eq!(room.sfu.metrics().drops.unauthenticated, 2);
    // A datagram on a socket the core does not know is dropped too.
    room.sfu.receive(
        SocketId(9999),
        peer_addr(),
        &binding_request(&room, true, 2),
    );
    assert!(room.sfu.take_transmits().is_empty());
    let metrics = room.sfu.metrics();
    assert_eq!(metrics.drops.no_route, 1);
    // The check, the two media-looking ones and that one.
    assert_eq!(metrics.packets_received, 4);
    // The 401 answer.
    assert_eq!(metrics.packets_sent, 1);
}

/// ICE, then a DTLS handshake between the transport (server) and a peer
/// (client) over links that lose `loss` of the datagrams each way. Returns
/// the transport's DTLS states, whether the peer connected, and the
/// virtual time it took (ms).
fn handshake(seed: u64, loss: f64, peer_sees: Option<&str>) -> (Vec<String>, bool, u64, Value) {
    handshake_expecting(seed, loss, peer_sees, None).0
}

/// Same, with the transport told to expect `sfu_expects` as the peer's
/// fingerprint (its own by default); also the worker's totals after it.
#[allow(clippy::type_complexity)]
fn handshake_expecting(
    seed: u64,
    loss: f64,
    peer_sees: Option<&str>,
    sfu_expects: Option<&str>,
) -> (
    (Vec<String>, bool, u64, Value),
    ferrosoup::sfu::metrics::WorkerMetrics,
) {
    let mut room = room(30);
    check(&mut room, true, 1);
    room.sfu.take_messages();
    let peer_cert = DtlsCertificate::generate().unwrap();
    let peer_fingerprint = peer_cert
        .fingerprints
        .iter()
        .find(|f| f.algorithm == "sha-256")
        .unwrap()
        .value
        .clone();
    room.sfu.request(
        "transport.connect",
        "t",
        json!({"dtlsParameters": {"role": "client",
            "fingerprints": [{"algorithm": "sha-256",
                "value": sfu_expects.unwrap_or(&peer_fingerprint)}]}}),
    );
    let mut peer =
        DtlsTransport::new(&peer_cert.certificate_pem, &peer_cert.private_key_pem).unwrap();
    let start = room.sfu.now_ms;
    let expected = peer_sees.map_or(room.fingerprint.clone(), str::to_string);
    peer.start(DtlsRole::Client, ("sha-256".into(), expected), start);
    let mut up = Link::new(seed, loss, 0.0, 10, 5);
    let mut down = Link::new(seed ^ 0xdead_beef, loss, 0.0, 10, 5);
    let mut states = Vec::new();
    let mut remote_cert = Value::Null;
    let mut peer_connected = false;
    let mut now = start;
    while now < start + 60_000
        && !(peer_connected && states.last().is_some_and(|s| s == "connected"))
    {
        now += 5;
        room.sfu.advance_to(now);
        if peer.poll_timeout().is_some_and(|t| t <= now) {
            peer.handle_timeout(now);
        }
        while let Some(d) = peer.poll_transmit() {
            up.send(now, d);
        }
        for d in up.receive(now) {
            room.sfu.receive(room.socket, peer_addr(), &d);
        }
        for (socket, to, d) in room.sfu.take_transmits() {
            assert_eq!((socket, to), (room.socket, Some(peer_addr())));
            down.send(now, d);
        }
        for d in down.receive(now) {
            peer.handle_datagram(&d, now);
        }
        while let Some(event) = peer.poll_event() {
            if let DtlsEvent::Connected { .. } = event {
                peer_connected = true;
            }
        }
        for m in room.sfu.take_messages() {
            if m.event == "webrtctransport.dtlsstatechange" {
                states.push(m.data["dtlsState"].as_str().unwrap().to_string());
                if m.data.get("dtlsRemoteCert").is_some() {
                    remote_cert = m.data["dtlsRemoteCert"].clone();
                }
            }
        }
        if states.last().is_some_and(|s| s == "failed") {
            break;
        }
    }
    (
        (states, peer_connected, now - start, remote_cert),
        room.sfu.metrics(),
    )
}

#[test]
fn dtls_completes_through_the_transport_under_20_percent_loss() {
    let mut slowest = 0;
    for seed in 0..40 {
        let (states, peer_connected, took, remote_cert) = handshake(seed, 0.2, None);
        assert_eq!(states, ["connecting", "connected"], "seed {seed}");
        assert!(peer_connected, "seed {seed}: the peer did not connect");
        assert!(
            remote_cert
                .as_str()
                .is_some_and(|pem| pem.contains("BEGIN CERTIFICATE")),
            "seed {seed}"
        );
        slowest = slowest.max(took);
    }
    // Lost flights are resent within seconds, not stalled.
    assert!(slowest < 30_000, "slowest handshake took {slowest} ms");
}

#[test]
fn a_peer_that_expects_another_certificate_never_gets_media_keys() {
    // The peer checks the transport's fingerprint and aborts.
    let (states, peer_connected, _, _) = handshake(7, 0.0, Some("00:11:22"));
    assert!(!peer_connected);
    assert_ne!(states.last().map(String::as_str), Some("connected"));
}

#[test]
fn a_peer_with_another_certificate_than_connect_named_fails_and_is_counted() {
    let wrong = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
    let ((states, _, _, remote_cert), metrics) = handshake_expecting(3, 0.0, None, Some(wrong));
    assert_eq!(
        states.last().map(String::as_str),
        Some("failed"),
        "{states:?}"
    );
    assert!(remote_cert.is_null());
    assert_eq!(metrics.dtls_failures, 1);
    // A good handshake counts none.
    let ((states, ..), metrics) = handshake_expecting(3, 0.0, None, None);
    assert_eq!(states.last().map(String::as_str), Some("connected"));
    assert_eq!(metrics.dtls_failures, 0);
}

#[test]
fn closing_the_transport_closes_its_socket() {
    let mut room = room(30);
    room.sfu
        .request("router.closeTransport", "r", json!({"transportId": "t"}));
    room.sfu.take_transmits();
    assert_eq!(room.sfu.socket_ops, [SocketOp::Close(room.socket)]);
    // Later datagrams on it go nowhere.
    room.sfu
        .receive(room.socket, peer_addr(), &binding_request(&room, true, 3));
    assert!(room.sfu.take_transmits().is_empty());
}
