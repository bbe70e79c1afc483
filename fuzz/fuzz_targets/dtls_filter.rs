//! DTLS (`ferrosoup::dtls::DtlsTransport`): the record filter in front of
//! `rtc-dtls` and the driver around it, with virtual time.
//!
//! Two modes, chosen by the first byte:
//! - lone server: fuzz datagrams (before and after `start`) into a
//!   server-side transport, with timers, application data and close;
//! - man in the middle: a real client and server handshake while the
//!   fuzzer delivers, drops, duplicates, corrupts or injects datagrams in
//!   either direction.
//!
//! Invariants: forged datagrams injected after the handshake (the fuzzer has
//! no keys) never take a connected end down; states only move forward (new -> connecting -> connected ->
//! closed/failed) and each change is reported once; `Connected` carries
//! keys of the suite's sizes and both ends agree on them (ours to send are
//! the peer's to receive); an untouched handshake completes; a timer is
//! never due in the past after `handle_timeout`.

#![no_main]

use ferrosoup::dtls::{fingerprint_of, DtlsEvent, DtlsRole, DtlsState, DtlsTransport, SrtpKeys};
use ferrosoup::srtp::CryptoSuite;
use ferrosoup_fuzz::Reader;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Identity {
    cert_pem: String,
    key_pem: String,
    fingerprint: (String, String),
}

fn identity(which: usize) -> &'static Identity {
    static IDS: OnceLock<[Identity; 2]> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let make = || {
            let c = rcgen::generate_simple_self_signed(vec!["fuzz".to_string()]).unwrap();
            let fp = fingerprint_of("sha-256", c.cert.der()).unwrap();
            Identity {
                cert_pem: c.cert.pem(),
                key_pem: c.key_pair.serialize_pem(),
                fingerprint: ("sha-256".to_string(), fp),
            }
        };
        [make(), make()]
    });
    &ids[which]
}

fn rank(s: DtlsState) -> u8 {
    match s {
        DtlsState::New => 0,
        DtlsState::Connecting => 1,
        DtlsState::Connected => 2,
        DtlsState::Failed | DtlsState::Closed => 3,
    }
}

/// Tracks one transport's reported states and keys.
struct Watch {
    state: DtlsState,
    keys: Option<SrtpKeys>,
}

impl Watch {
    fn new() -> Self {
        Watch {
            state: DtlsState::New,
            keys: None,
        }
    }

    fn drain(&mut self, t: &mut DtlsTransport) {
        while let Some(e) = t.poll_event() {
            let next = match e {
                DtlsEvent::StateChanged(s) => {
                    assert_ne!(s, DtlsState::Connected, "Connected comes with its keys");
                    s
                }
                DtlsEvent::Connected {
                    srtp,
                    remote_cert_pem,
                } => {
                    assert!(remote_cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
                    let suite = CryptoSuite::from_name(srtp.profile).expect("known profile");
                    assert_eq!(srtp.local_key_and_salt.len(), suite.key_and_salt_len());
                    assert_eq!(srtp.remote_key_and_salt.len(), suite.key_and_salt_len());
                    assert!(self.keys.is_none(), "connected twice");
                    self.keys = Some(srtp);
                    DtlsState::Connected
                }
                DtlsEvent::ApplicationData(_) => {
                    assert_eq!(self.state, DtlsState::Connected);
                    continue;
                }
            };
            assert_ne!(next, self.state, "same state reported twice");
            assert!(
                rank(next) > rank(self.state),
                "{:?} -> {next:?}",
                self.state
            );
            self.state = next;
        }
        assert_eq!(t.state(), self.state, "events disagree with state()");
    }
}

fn timers(t: &mut DtlsTransport, now: u64) {
    if t.poll_timeout().is_some_and(|at| at <= now) {
        t.handle_timeout(now);
        if let Some(at) = t.poll_timeout() {
            assert!(at > now, "timer still due after handling it");
        }
    }
}

fn lone_server(r: &mut Reader<'_>) {
    let id = identity(0);
    let mut server = DtlsTransport::new(&id.cert_pem, &id.key_pem).expect("identity loads");
    let mut watch = Watch::new();
    let mut now = 10_000u64;
    let mut started = false;
    let mut steps = 0;
    while !r.is_empty() && steps < 24 {
        steps += 1;
        let op = r.u8();
        match op % 8 {
            0..=3 => {
                let dgram = r.bytes(1200);
                server.handle_datagram(dgram, now);
            }
            4 => {
                now += u64::from(r.u16());
                timers(&mut server, now);
            }
            5 if !started => {
                started = true;
                let fresh = server.state() == DtlsState::New;
                server.start(DtlsRole::Server, identity(1).fingerprint.clone(), now);
                // A closed transport ignores start().
                if fresh {
                    assert_eq!(server.role(), Some(DtlsRole::Server));
                }
            }
            6 => {
                let res = server.send_application_data(r.bytes(64));
                assert_eq!(res.is_ok(), server.state() == DtlsState::Connected);
            }
            7 if r.u8() % 4 == 0 => server.close(),
            _ => {}
        }
        while server.poll_transmit().is_some() {}
        watch.drain(&mut server);
        let _ = (server.dropped_datagrams(), server.failure_reason());
    }
}

/// What the fuzzer does with one datagram on the wire.
fn wire(r: &mut Reader<'_>, d: Vec<u8>, out: &mut Vec<Vec<u8>>) -> bool {
    let action = r.u8();
    match action % 8 {
        0 => return false, // drop
        1 => {
            out.push(d.clone());
            out.push(d);
        }
        2 => {
            let mut d = d;
            if !d.is_empty() {
                let i = r.u16() as usize % d.len();
                d[i] ^= r.u8() | 1;
            }
            out.push(d);
        }
        3 => {
            let mut d = d;
            let keep = r.u16() as usize % (d.len() + 1);
            d.truncate(keep);
            out.push(d);
        }
        4 => {
            out.push(r.bytes(300).to_vec());
            out.push(d);
        }
        _ => {
            out.push(d);
            return true;
        }
    }
    false
}

fn man_in_the_middle(r: &mut Reader<'_>) {
    // Datagrams to inject once both ends are connected (length-prefixed).
    let inject_len = r.u16() as usize % 2048;
    let mut inject = Reader::new(r.take(inject_len));
    let (cid, sid) = (identity(1), identity(0));
    let mut client = DtlsTransport::new(&cid.cert_pem, &cid.key_pem).unwrap();
    let mut server = DtlsTransport::new(&sid.cert_pem, &sid.key_pem).unwrap();
    let (mut cw, mut sw) = (Watch::new(), Watch::new());
    let mut now = 10_000u64;
    server.start(DtlsRole::Server, cid.fingerprint.clone(), now);
    client.start(DtlsRole::Client, sid.fingerprint.clone(), now);
    // True while every datagram so far went through untouched.
    let mut clean = true;
    for _ in 0..24 {
        let mut to_server = Vec::new();
        while let Some(d) = client.poll_transmit() {
            clean &= wire(r, d, &mut to_server);
        }
        for d in to_server {
            server.handle_datagram(&d, now);
        }
        let mut to_client = Vec::new();
        while let Some(d) = server.poll_transmit() {
            clean &= wire(r, d, &mut to_client);
        }
        for d in to_client {
            client.handle_datagram(&d, now);
        }
        cw.drain(&mut client);
        sw.drain(&mut server);
        if r.u8() % 4 == 0 {
            now += 1 + u64::from(r.u8()) * 20;
            timers(&mut client, now);
            timers(&mut server, now);
        }
        if cw.state == DtlsState::Connected && sw.state == DtlsState::Connected {
            break;
        }
        if r.is_empty() && !clean {
            break;
        }
    }
    cw.drain(&mut client);
    sw.drain(&mut server);
    if let (Some(c), Some(s)) = (&cw.keys, &sw.keys) {
        assert_eq!(c.profile, s.profile);
        assert!(
            c.local_key_and_salt == s.remote_key_and_salt,
            "client->server keys differ"
        );
        assert!(
            c.remote_key_and_salt == s.local_key_and_salt,
            "server->client keys differ"
        );
    }
    if clean {
        assert_eq!(
            cw.state,
            DtlsState::Connected,
            "clean handshake did not complete"
        );
        assert_eq!(
            sw.state,
            DtlsState::Connected,
            "clean handshake did not complete"
        );
    }
    if cw.state == DtlsState::Connected && sw.state == DtlsState::Connected {
        // Forged datagrams (no key, so unauthenticated whatever they hold:
        // alerts, ChangeCipherSpec, handshake or application records of any
        // epoch) must not take a connected association down on either end.
        while !inject.is_empty() {
            let to_server = inject.bool();
            let d = inject.bytes(255);
            let (t, w) = if to_server {
                (&mut server, &mut sw)
            } else {
                (&mut client, &mut cw)
            };
            t.handle_datagram(d, now);
            while t.poll_transmit().is_some() {}
            w.drain(t);
            assert_eq!(
                w.state,
                DtlsState::Connected,
                "forged datagram {d:02x?} ended the association"
            );
        }
        // Data after the handshake goes through and is reported once.
        client.send_application_data(b"sctp").unwrap();
        while let Some(d) = client.poll_transmit() {
            server.handle_datagram(&d, now);
        }
        let mut got = Vec::new();
        while let Some(e) = server.poll_event() {
            if let DtlsEvent::ApplicationData(d) = e {
                got.push(d);
            }
        }
        assert_eq!(got, vec![b"sctp".to_vec()]);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    if r.u8() & 1 == 0 {
        lone_server(&mut r);
    } else {
        man_in_the_middle(&mut r);
    }
});
