//! The ICE-lite responder (`ferrosoup::ice::IceServer`) driven by a script:
//! Binding requests built with the right (or old, or wrong) credentials,
//! raw datagrams (optionally with integrity and fingerprint recomputed),
//! virtual time with consent timers, tuple removal, forced selection, ICE
//! restarts and close.
//!
//! Invariants: the event stream is consistent with the server's own view
//! (tuples added/removed, selected tuple, state); at most MAX_TUPLES tuples
//! and the selected one is always among them; connected/completed always
//! have a selected tuple; every response fits 128 bytes and parses, and a
//! success response authenticates with the password the request used and
//! maps the sender's address; nothing happens after close.

#![no_main]

use ferrosoup::ice::server::MAX_TUPLES;
use ferrosoup::ice::stun::{AuthResult, Class, StunMessage};
use ferrosoup::ice::{IceEvent, IceServer, IceState};
use ferrosoup_fuzz::stun::{binding_request, fix_up, Request};
use ferrosoup_fuzz::{Reader, ICE_PASSWORD, ICE_PASSWORD2, ICE_UFRAG, ICE_UFRAG2};
use libfuzzer_sys::fuzz_target;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

fn addr_of(tuple: u8) -> SocketAddr {
    if tuple & 8 == 0 {
        SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, tuple)),
            40000 + tuple as u16,
        )
    } else {
        let ip = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, tuple as u16);
        SocketAddr::new(IpAddr::V6(ip), 50000 + tuple as u16)
    }
}

/// What the events say, checked against the server after every step.
#[derive(Default)]
struct Model {
    tuples: Vec<u8>,
    selected: Option<u8>,
    state: Option<IceState>,
    ufrags_added: Vec<String>,
}

impl Model {
    fn apply(&mut self, e: IceEvent<u8>) {
        match e {
            IceEvent::TupleAdded(t) => {
                assert!(!self.tuples.contains(&t), "tuple {t} added twice");
                self.tuples.push(t);
            }
            IceEvent::TupleRemoved(t) => {
                let i = self
                    .tuples
                    .iter()
                    .position(|x| *x == t)
                    .expect("removed tuple was added");
                self.tuples.remove(i);
                if self.selected == Some(t) {
                    self.selected = None;
                }
            }
            IceEvent::SelectedTupleChanged(t) => {
                assert!(self.tuples.contains(&t), "selected tuple {t} is not valid");
                self.selected = Some(t);
            }
            IceEvent::StateChanged(s) => {
                assert_ne!(s, IceState::Closed);
                assert_ne!(Some(s), self.state, "state change to the same state");
                self.state = Some(s);
            }
            IceEvent::UsernameFragmentAdded(u) => self.ufrags_added.push(u),
            IceEvent::UsernameFragmentRemoved(_) => {}
        }
    }
}

fn check(server: &IceServer<u8>, model: &Model) {
    let mut a = server.tuples().to_vec();
    let mut b = model.tuples.clone();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "events disagree with the tuple list");
    assert!(server.tuples().len() <= MAX_TUPLES);
    if let Some(s) = server.selected_tuple() {
        assert!(server.tuples().contains(&s));
        assert!(server.is_valid_tuple(s));
    }
    let state = server.state();
    if state != IceState::Closed {
        assert_eq!(model.selected, server.selected_tuple());
        assert_eq!(model.state.unwrap_or(IceState::New), state);
    }
    match state {
        IceState::Connected | IceState::Completed => assert!(server.selected_tuple().is_some()),
        // New may hold tuples: a request nominating with NOMINATION 0 is
        // stored without completing, as in mediasoup.
        IceState::New => assert!(server.selected_tuple().is_none()),
        IceState::Closed => {
            assert!(server.tuples().is_empty());
            assert!(server.poll_timeout().is_none());
        }
        IceState::Disconnected => assert!(server.selected_tuple().is_none()),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let consent = [0u8, 5, 10, 30, 61, 255][r.below(6)];
    let mut server: IceServer<u8> =
        IceServer::new(ICE_UFRAG.to_string(), ICE_PASSWORD.to_string(), consent);
    let mut model = Model::default();
    // Current and previous credentials, as the harness knows them.
    let mut creds = (ICE_UFRAG, ICE_PASSWORD);
    let mut old: Option<(&str, &str)> = None;
    let mut now: u64 = 1_000;
    let mut out = [0u8; 128];
    let mut steps = 0;

    while !r.is_empty() && steps < 64 {
        steps += 1;
        let op = r.u8();
        let tuple = r.u8() % 12;
        let mut events = Vec::new();
        let closed = server.state() == IceState::Closed;
        match op % 8 {
            0..=2 => {
                // A Binding request built field by field.
                let which = r.u8();
                let (ufrag, pwd) = match which % 4 {
                    0 | 1 => creds,
                    2 => old.unwrap_or(creds),
                    _ => ("wrongufrag", "wrongpassword"),
                };
                let username = format!("{ufrag}:remote{}", which >> 4);
                let flags = r.u8();
                let mut tid = [0u8; 12];
                tid[..4].copy_from_slice(&r.u32().to_be_bytes());
                let req = Request {
                    transaction_id: tid,
                    username: (flags & 1 == 0).then_some(username.as_bytes()),
                    priority: (flags & 2 == 0).then_some(r.u32()),
                    controlling: (flags & 4 == 0).then_some(0x1122_3344),
                    controlled: (flags & 8 != 0).then_some(0x5566_7788),
                    use_candidate: flags & 16 != 0,
                    nomination: (flags & 32 != 0).then(|| u32::from(r.u8())),
                    software: None,
                    password: (flags & 64 == 0).then_some(pwd.as_bytes()),
                    fingerprint: flags & 128 == 0,
                    class: (which & 8 != 0).then_some(Class::Indication),
                    method: None,
                };
                let mut buf = [0u8; 256];
                let n = binding_request(&req, &mut buf);
                let len = server.process_stun(
                    &buf[..n],
                    tuple,
                    addr_of(tuple),
                    now,
                    &mut out,
                    &mut |e| events.push(e),
                );
                check_response(&buf[..n], &out[..len], tuple, pwd);
            }
            3 => {
                // Raw bytes, optionally with checks recomputed.
                let fix = r.u8();
                let mut dgram = r.bytes(200).to_vec();
                if fix & 1 == 1 {
                    let pwd = if fix & 2 == 0 { creds.1 } else { ICE_PASSWORD2 };
                    fix_up(&mut dgram, pwd.as_bytes());
                }
                let len =
                    server.process_stun(&dgram, tuple, addr_of(tuple), now, &mut out, &mut |e| {
                        events.push(e)
                    });
                if len > 0 {
                    let resp = StunMessage::parse(&out[..len]).expect("our response parses");
                    assert!(resp.has_fingerprint());
                }
            }
            4 => {
                now += u64::from(r.u16()) * 16;
                if let Some(t) = server.poll_timeout() {
                    assert!(consent != 0, "timer without consent checks");
                    if r.bool() {
                        now = now.max(t);
                    }
                }
                server.handle_timeout(now, &mut |e| events.push(e));
                if let Some(t) = server.poll_timeout() {
                    assert!(t > now, "timer due after handle_timeout");
                }
            }
            5 => server.remove_tuple(tuple, now, &mut |e| events.push(e)),
            6 => {
                if r.bool() {
                    server.force_selected_tuple(tuple, &mut |e| events.push(e));
                } else {
                    // Restart flips between the two credential sets.
                    let next = if creds.0 == ICE_UFRAG {
                        (ICE_UFRAG2, ICE_PASSWORD2)
                    } else {
                        (ICE_UFRAG, ICE_PASSWORD)
                    };
                    server.restart(next.0.to_string(), next.1.to_string(), now, &mut |e| {
                        events.push(e)
                    });
                    old = Some(creds);
                    creds = next;
                }
            }
            _ => {
                if r.u8() % 8 == 0 {
                    server.close(&mut |e| events.push(e));
                    assert_eq!(server.state(), IceState::Closed);
                }
            }
        }
        if closed {
            // Only restart (username bookkeeping) may speak after close.
            assert!(events.iter().all(|e| matches!(
                e,
                IceEvent::UsernameFragmentAdded(_) | IceEvent::UsernameFragmentRemoved(_)
            )));
        }
        for e in events {
            model.apply(e);
        }
        check(&server, &model);
        let _ = (server.rejected_requests(), server.bad_packets());
        let _ = server.old_username_fragment();
    }
});

/// A response to a request we built: success only for a correctly signed
/// request, and then signed with the password the request used.
fn check_response(req: &[u8], resp: &[u8], tuple: u8, pwd: &str) {
    let Ok(req) = StunMessage::parse(req) else {
        assert!(resp.is_empty());
        return;
    };
    if resp.is_empty() {
        return;
    }
    let m = StunMessage::parse(resp).expect("our response parses");
    assert_eq!(m.transaction_id(), req.transaction_id());
    assert!(m.has_fingerprint());
    match m.class() {
        Class::SuccessResponse => {
            assert!(req.has_message_integrity() && req.has_fingerprint());
            assert!(req.priority().is_some() && req.ice_controlled().is_none());
            assert_eq!(m.xor_mapped_address(), Some(addr_of(tuple)));
            assert_eq!(m.check_authentication(b"", pwd.as_bytes()), AuthResult::Ok);
        }
        Class::ErrorResponse => {
            assert!(!m.has_message_integrity());
            let (code, _) = m.error_code().expect("error responses carry a code");
            assert!(matches!(code, 400 | 401 | 487), "code {code}");
        }
        c => panic!("unexpected response class {c:?}"),
    }
}
