//! IceServer behaviour against mediasoup's rules, driven with a fake clock.

use super::*;
use crate::ice::stun::{attr, Class, StunMessage, StunWriter, METHOD_BINDING};
use std::net::SocketAddr;

const UFRAG: &str = "localufrag";
const PWD: &str = "localpassword0123456789";

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 7], port))
}

/// A Binding request as a controlling browser sends it.
#[derive(Clone)]
struct Req {
    username: String,
    pwd: String,
    method: u16,
    class: Class,
    priority: bool,
    controlled: bool,
    use_candidate: bool,
    nomination: Option<(u16, u32)>,
    integrity: bool,
    fingerprint: bool,
    tid: [u8; 12],
}

impl Req {
    fn new() -> Self {
        Req {
            username: format!("{UFRAG}:remote"),
            pwd: PWD.into(),
            method: METHOD_BINDING,
            class: Class::Request,
            priority: true,
            controlled: false,
            use_candidate: false,
            nomination: None,
            integrity: true,
            fingerprint: true,
            tid: [3; 12],
        }
    }
    fn creds(mut self, ufrag: &str, pwd: &str) -> Self {
        self.username = format!("{ufrag}:remote");
        self.pwd = pwd.into();
        self
    }
    fn nominate(mut self) -> Self {
        self.use_candidate = true;
        self
    }
    fn nomination(mut self, typ: u16, n: u32) -> Self {
        self.nomination = Some((typ, n));
        self
    }
    fn build(&self) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let mut w = StunWriter::new(&mut buf, self.class, self.method, &self.tid).unwrap();
        if !self.username.is_empty() {
            w.add_username(self.username.as_bytes()).unwrap();
        }
        if self.priority {
            w.add_priority(1_853_817_087).unwrap();
        }
        if self.controlled {
            w.add_ice_controlled(1).unwrap();
        } else {
            w.add_ice_controlling(1).unwrap();
        }
        if self.use_candidate {
            w.add_use_candidate().unwrap();
        }
        if let Some((typ, n)) = self.nomination {
            w.add_attribute(typ, &n.to_be_bytes()).unwrap();
        }
        let n = match (self.integrity, self.fingerprint) {
            (true, true) => w.protect(Some(self.pwd.as_bytes())).unwrap(),
            (false, true) => w.protect(None).unwrap(),
            (true, false) => {
                // MESSAGE-INTEGRITY only: protect, then cut FINGERPRINT off.
                let n = w.protect(Some(self.pwd.as_bytes())).unwrap() - 8;
                let body = (n - 20) as u16;
                buf[2..4].copy_from_slice(&body.to_be_bytes());
                n
            }
            (false, false) => w.finish(),
        };
        buf[..n].to_vec()
    }
}

struct Harness {
    ice: IceServer<u64>,
    events: Vec<IceEvent<u64>>,
    out: [u8; 256],
    now: u64,
}

impl Harness {
    fn new(consent: u8) -> Self {
        Harness {
            ice: IceServer::new(UFRAG.into(), PWD.into(), consent),
            events: Vec::new(),
            out: [0; 256],
            now: 1_000,
        }
    }
    /// Feed `req` from tuple `t`; return the parsed response's class and
    /// error code (if any).
    fn send(&mut self, req: &Req, t: u64) -> Option<(Class, Option<u16>)> {
        let data = req.build();
        self.send_raw(&data, t)
    }
    fn send_raw(&mut self, data: &[u8], t: u64) -> Option<(Class, Option<u16>)> {
        let ev = &mut self.events;
        let n = self
            .ice
            .process_stun(data, t, addr(t as u16), self.now, &mut self.out, &mut |e| {
                ev.push(e)
            });
        if n == 0 {
            return None;
        }
        let m = StunMessage::parse(&self.out[..n]).expect("our responses parse");
        assert_eq!(m.transaction_id(), &data[8..20]);
        assert!(m.has_fingerprint());
        if m.class() == Class::SuccessResponse {
            assert_eq!(m.xor_mapped_address(), Some(addr(t as u16)));
        }
        Some((m.class(), m.error_code().map(|(c, _)| c)))
    }
    fn response(&self) -> StunMessage<'_> {
        let n = 20 + u16::from_be_bytes([self.out[2], self.out[3]]) as usize;
        StunMessage::parse(&self.out[..n]).unwrap()
    }
    fn timer(&mut self, now: u64) {
        self.now = now;
        let ev = &mut self.events;
        self.ice.handle_timeout(now, &mut |e| ev.push(e));
    }
    fn take(&mut self) -> Vec<IceEvent<u64>> {
        std::mem::take(&mut self.events)
    }
}

use IceEvent::*;

const SUCCESS: Option<(Class, Option<u16>)> = Some((Class::SuccessResponse, None));

fn error(code: u16) -> Option<(Class, Option<u16>)> {
    Some((Class::ErrorResponse, Some(code)))
}

#[test]
fn first_check_connects_and_nomination_completes() {
    let mut h = Harness::new(30);
    assert_eq!(h.ice.state(), IceState::New);
    assert_eq!(h.send(&Req::new(), 1), SUCCESS);
    // The response is signed with the local password.
    assert_eq!(
        h.response().check_authentication(b"", PWD.as_bytes()),
        crate::ice::stun::AuthResult::Ok
    );
    assert_eq!(
        h.take(),
        vec![
            TupleAdded(1),
            SelectedTupleChanged(1),
            StateChanged(IceState::Connected)
        ]
    );
    assert!(h.ice.is_valid_tuple(1) && !h.ice.is_valid_tuple(2));

    assert_eq!(h.send(&Req::new().nominate(), 2), SUCCESS);
    assert_eq!(
        h.take(),
        vec![
            TupleAdded(2),
            SelectedTupleChanged(2),
            StateChanged(IceState::Completed)
        ]
    );
    assert_eq!(h.ice.selected_tuple(), Some(2));
    // Completed: USE-CANDIDATE on another valid tuple moves the selection.
    assert_eq!(h.send(&Req::new().nominate(), 1), SUCCESS);
    assert_eq!(h.take(), vec![SelectedTupleChanged(1)]);
    // A plain check on a known tuple changes nothing.
    assert_eq!(h.send(&Req::new(), 2), SUCCESS);
    assert_eq!(h.take(), vec![]);
    assert_eq!(h.ice.rejected_requests(), 0);
}

#[test]
fn use_candidate_from_new_goes_straight_to_completed() {
    let mut h = Harness::new(30);
    assert_eq!(h.send(&Req::new().nominate(), 9), SUCCESS);
    assert_eq!(
        h.take(),
        vec![
            TupleAdded(9),
            SelectedTupleChanged(9),
            StateChanged(IceState::Completed)
        ]
    );
}

#[test]
fn wrong_credentials_get_401_and_are_counted() {
    let mut h = Harness::new(30);
    assert_eq!(h.send(&Req::new().creds("otherufrag", PWD), 1), error(401));
    // A prefix of our ufrag is not our ufrag.
    assert_eq!(h.send(&Req::new().creds("localufra", PWD), 1), error(401));
    assert_eq!(
        h.send(&Req::new().creds(UFRAG, "badpassword"), 1),
        error(401)
    );
    let mut no_colon = Req::new();
    no_colon.username = UFRAG.into();
    assert_eq!(h.send(&no_colon, 1), error(401));
    assert_eq!(h.ice.rejected_requests(), 4);
    assert_eq!(h.ice.state(), IceState::New);
    assert!(h.take().is_empty());
    assert!(!h.ice.is_valid_tuple(1));
    // Error responses carry no MESSAGE-INTEGRITY (mediasoup's choice).
    assert!(!h.response().has_message_integrity());
}

#[test]
fn malformed_requests_get_400() {
    let mut h = Harness::new(30);
    let mut r = Req::new();
    r.fingerprint = false;
    assert_eq!(h.send(&r, 1), error(400));
    let mut r = Req::new();
    r.priority = false;
    assert_eq!(h.send(&r, 1), error(400));
    let mut r = Req::new();
    r.integrity = false;
    assert_eq!(h.send(&r, 1), error(400));
    let mut r = Req::new();
    r.username.clear();
    assert_eq!(h.send(&r, 1), error(400));
    let mut r = Req::new();
    r.method = 0x003; // TURN Allocate
    assert_eq!(h.send(&r, 1), error(400));
    assert_eq!(h.ice.rejected_requests(), 5);
    assert_eq!(h.ice.state(), IceState::New);
}

#[test]
fn ice_controlled_peer_gets_487() {
    let mut h = Harness::new(30);
    let mut r = Req::new();
    r.controlled = true;
    assert_eq!(h.send(&r, 1), error(487));
    assert_eq!(h.ice.rejected_requests(), 1);
    assert!(!h.ice.is_valid_tuple(1));
}

#[test]
fn rfc5769_request_is_a_role_conflict() {
    // RFC 5769's sample request carries ICE-CONTROLLED and authenticates
    // with ufrag "evtj".
    let data = [
        0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6,
        0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74,
        0x65, 0x73, 0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e,
        0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
        0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20,
        0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e,
        0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5,
        0x7a, 0x3b, 0xcf,
    ];
    let mut ice = IceServer::<u64>::new("evtj".into(), "VOkJxbRl1RmTxUk/WvJxBt".into(), 30);
    let mut out = [0u8; 128];
    let n = ice.process_stun(&data, 1, addr(1), 0, &mut out, &mut |_| panic!());
    let m = StunMessage::parse(&out[..n]).unwrap();
    assert_eq!(m.error_code().map(|e| e.0), Some(487));
    // With another ufrag the same bytes fail authentication first.
    let mut ice = IceServer::<u64>::new("evtx".into(), "VOkJxbRl1RmTxUk/WvJxBt".into(), 30);
    let n = ice.process_stun(&data, 1, addr(1), 0, &mut out, &mut |_| panic!());
    let m = StunMessage::parse(&out[..n]).unwrap();
    assert_eq!(m.error_code().map(|e| e.0), Some(401));
}

#[test]
fn garbage_is_dropped_and_counted() {
    let mut h = Harness::new(30);
    let valid = Req::new().build();
    assert_eq!(h.send_raw(&valid[..valid.len() - 1], 1), None);
    assert_eq!(h.send_raw(&[0u8; 3], 1), None);
    let mut bad_fp = valid.clone();
    bad_fp[30] ^= 1;
    assert_eq!(h.send_raw(&bad_fp, 1), None);
    assert_eq!(h.ice.bad_packets(), 3);
    assert_eq!(h.ice.rejected_requests(), 0);
    assert_eq!(h.ice.state(), IceState::New);
}

#[test]
fn indications_and_responses_are_ignored() {
    let mut h = Harness::new(30);
    for class in [
        Class::Indication,
        Class::SuccessResponse,
        Class::ErrorResponse,
    ] {
        let mut r = Req::new();
        r.class = class;
        assert_eq!(h.send(&r, 1), None);
    }
    assert_eq!(h.ice.state(), IceState::New);
    assert_eq!((h.ice.bad_packets(), h.ice.rejected_requests()), (0, 0));
}

#[test]
fn consent_timeout_disconnects_then_recovers() {
    let mut h = Harness::new(30);
    assert_eq!(h.ice.poll_timeout(), None);
    h.send(&Req::new().nominate(), 1);
    h.send(&Req::new(), 2);
    h.take();
    assert_eq!(h.ice.poll_timeout(), Some(31_000));
    // A consent check at t=20 s pushes the deadline to 50 s.
    h.now = 20_000;
    h.send(&Req::new(), 1);
    assert_eq!(h.ice.poll_timeout(), Some(50_000));
    h.timer(49_999);
    assert!(h.take().is_empty());
    assert_eq!(h.ice.state(), IceState::Completed);
    h.timer(50_000);
    // All tuples go, newest first, then the state change.
    assert_eq!(
        h.take(),
        vec![
            TupleRemoved(2),
            TupleRemoved(1),
            StateChanged(IceState::Disconnected)
        ]
    );
    assert_eq!(h.ice.state(), IceState::Disconnected);
    assert_eq!(h.ice.selected_tuple(), None);
    assert!(!h.ice.is_valid_tuple(1));
    assert_eq!(h.ice.poll_timeout(), None);
    // The peer comes back: connected, then completed again.
    h.now = 60_000;
    assert_eq!(h.send(&Req::new(), 1), SUCCESS);
    assert_eq!(
        h.take(),
        vec![
            TupleAdded(1),
            SelectedTupleChanged(1),
            StateChanged(IceState::Connected)
        ]
    );
    assert_eq!(h.send(&Req::new().nominate(), 1), SUCCESS);
    assert_eq!(h.take(), vec![StateChanged(IceState::Completed)]);
    assert_eq!(h.ice.poll_timeout(), Some(90_000));
}

#[test]
fn consent_disabled_and_clamped() {
    let mut h = Harness::new(0);
    h.send(&Req::new().nominate(), 1);
    assert_eq!(h.ice.poll_timeout(), None);
    h.timer(u64::MAX);
    assert_eq!(h.ice.state(), IceState::Completed);

    for (given, ms) in [(1u8, 10_000u64), (45, 45_000), (200, 60_000)] {
        let mut h = Harness::new(given);
        h.send(&Req::new(), 1);
        assert_eq!(h.ice.poll_timeout(), Some(h.now + ms));
    }
}

#[test]
fn restart_keeps_old_credentials_until_new_ones_are_used() {
    let mut h = Harness::new(30);
    h.send(&Req::new().nominate(), 1);
    h.take();
    let ev = &mut h.events;
    h.now = 10_000;
    h.ice
        .restart("newufrag".into(), "newpassword".into(), 10_000, &mut |e| {
            ev.push(e)
        });
    assert_eq!(h.take(), vec![UsernameFragmentAdded("newufrag".into())]);
    assert_eq!(h.ice.username_fragment(), "newufrag");
    assert_eq!(h.ice.old_username_fragment(), Some(UFRAG));
    // Consent restarted.
    assert_eq!(h.ice.poll_timeout(), Some(40_000));
    // Old credentials still work; the response is signed with the old key.
    assert_eq!(h.send(&Req::new(), 1), SUCCESS);
    assert_eq!(
        h.response().check_authentication(b"", PWD.as_bytes()),
        crate::ice::stun::AuthResult::Ok
    );
    // The first request with the new ones retires the old ufrag.
    let new = Req::new().creds("newufrag", "newpassword");
    assert_eq!(h.send(&new, 1), SUCCESS);
    assert_eq!(
        h.response().check_authentication(b"", b"newpassword"),
        crate::ice::stun::AuthResult::Ok
    );
    assert_eq!(h.take(), vec![UsernameFragmentRemoved(UFRAG.into())]);
    assert_eq!(h.ice.old_username_fragment(), None);
    assert_eq!(h.send(&Req::new(), 1), error(401));
}

#[test]
fn double_restart_drops_the_oldest_ufrag() {
    let mut h = Harness::new(30);
    let ev = &mut h.events;
    h.ice
        .restart("u2".into(), "p2".into(), 0, &mut |e| ev.push(e));
    h.ice
        .restart("u3".into(), "p3".into(), 0, &mut |e| ev.push(e));
    assert_eq!(
        h.take(),
        vec![
            UsernameFragmentAdded("u2".into()),
            UsernameFragmentRemoved(UFRAG.into()),
            UsernameFragmentAdded("u3".into())
        ]
    );
    assert_eq!(h.send(&Req::new(), 1), error(401));
    assert_eq!(h.send(&Req::new().creds("u2", "p2"), 1), SUCCESS);
    // Consent does not start on restart while `new`.
    let mut h = Harness::new(30);
    h.ice.restart("u2".into(), "p2".into(), 0, &mut |_| {});
    assert_eq!(h.ice.poll_timeout(), None);
}

#[test]
fn nomination_attribute_must_increase() {
    let mut h = Harness::new(30);
    // NOMINATION 0 is not above the initial 0: tuple stored, state stays new.
    assert_eq!(
        h.send(&Req::new().nomination(attr::NOMINATION, 0), 1),
        SUCCESS
    );
    assert_eq!(h.take(), vec![TupleAdded(1)]);
    assert_eq!(h.ice.state(), IceState::New);
    assert!(h.ice.is_valid_tuple(1));
    assert_eq!(h.ice.poll_timeout(), None);

    assert_eq!(
        h.send(&Req::new().nomination(attr::NOMINATION, 1), 2),
        SUCCESS
    );
    assert_eq!(
        h.take(),
        vec![
            TupleAdded(2),
            SelectedTupleChanged(2),
            StateChanged(IceState::Completed)
        ]
    );
    // Same nomination elsewhere: ignored. Higher (libwebrtc's attribute
    // type): followed.
    h.send(&Req::new().nomination(attr::NOMINATION, 1), 3);
    assert_eq!(h.take(), vec![TupleAdded(3)]);
    h.send(&Req::new().nomination(attr::NOMINATION_OLD, 2), 3);
    assert_eq!(h.take(), vec![SelectedTupleChanged(3)]);
    assert_eq!(h.ice.selected_tuple(), Some(3));
}

#[test]
fn removing_the_selected_tuple_falls_back_or_disconnects() {
    let mut h = Harness::new(30);
    h.send(&Req::new(), 1);
    h.send(&Req::new(), 2);
    h.send(&Req::new().nominate(), 3);
    h.send(&Req::new(), 4);
    h.take();
    let ev = &mut h.events;
    // An unselected tuple just goes.
    h.ice.remove_tuple(2, 5_000, &mut |e| ev.push(e));
    h.ice.remove_tuple(2, 5_000, &mut |e| ev.push(e));
    assert_eq!(h.take(), vec![TupleRemoved(2)]);
    // The selected one: the most recently validated remaining tuple takes
    // over and consent restarts.
    let ev = &mut h.events;
    h.ice.remove_tuple(3, 5_000, &mut |e| ev.push(e));
    assert_eq!(h.take(), vec![TupleRemoved(3), SelectedTupleChanged(4)]);
    assert_eq!(h.ice.poll_timeout(), Some(35_000));
    assert_eq!(h.ice.state(), IceState::Completed);
    let ev = &mut h.events;
    h.ice.remove_tuple(1, 5_000, &mut |e| ev.push(e));
    h.ice.remove_tuple(4, 5_000, &mut |e| ev.push(e));
    assert_eq!(
        h.take(),
        vec![
            TupleRemoved(1),
            TupleRemoved(4),
            StateChanged(IceState::Disconnected)
        ]
    );
    assert_eq!(h.ice.poll_timeout(), None);
    assert_eq!(h.ice.selected_tuple(), None);
}

#[test]
fn at_most_eight_tuples_keeping_the_selected_one() {
    let mut h = Harness::new(30);
    h.send(&Req::new().nominate(), 1);
    for t in 2..=9 {
        h.send(&Req::new(), t);
    }
    // Tuple 1 is selected, so the oldest other one (2) was evicted.
    let ev = h.take();
    assert_eq!(ev.last(), Some(&TupleRemoved(2)));
    assert_eq!(h.ice.tuples().len(), MAX_TUPLES);
    assert!(h.ice.is_valid_tuple(1) && !h.ice.is_valid_tuple(2) && h.ice.is_valid_tuple(9));
}

#[test]
fn forcing_the_selected_tuple() {
    let mut h = Harness::new(30);
    let ev = &mut h.events;
    h.ice.force_selected_tuple(1, &mut |e| ev.push(e));
    assert!(h.take().is_empty());
    h.send(&Req::new(), 1);
    h.send(&Req::new(), 2);
    h.take();
    let ev = &mut h.events;
    h.ice.force_selected_tuple(2, &mut |e| ev.push(e));
    h.ice.force_selected_tuple(7, &mut |e| ev.push(e));
    assert_eq!(h.take(), vec![SelectedTupleChanged(2)]);
}

#[test]
fn close_releases_everything() {
    let mut h = Harness::new(30);
    h.send(&Req::new().nominate(), 1);
    let ev = &mut h.events;
    h.ice
        .restart("u2".into(), "p2".into(), 0, &mut |e| ev.push(e));
    h.take();
    let ev = &mut h.events;
    h.ice.close(&mut |e| ev.push(e));
    assert_eq!(
        h.take(),
        vec![
            UsernameFragmentRemoved("u2".into()),
            UsernameFragmentRemoved(UFRAG.into()),
            TupleRemoved(1)
        ]
    );
    assert_eq!(h.ice.state().as_str(), "closed");
    assert_eq!(h.ice.poll_timeout(), None);
    assert_eq!(h.send(&Req::new(), 1), None);
}

#[test]
fn small_output_buffer_still_validates() {
    let mut ice = IceServer::<u64>::new(UFRAG.into(), PWD.into(), 30);
    let data = Req::new().build();
    let mut out = [0u8; 40];
    let n = ice.process_stun(&data, 1, addr(1), 0, &mut out, &mut |_| {});
    assert_eq!(n, 0);
    assert_eq!(ice.state(), IceState::Connected);
}

#[test]
fn credentials_look_like_mediasoups() {
    let (u, p) = IceServer::<u64>::generate_credentials();
    for s in [&u, &p] {
        assert_eq!(s.len(), 32);
        assert!(s
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    }
    assert_ne!(u, p);
}

#[test]
fn state_names() {
    let names: Vec<_> = [
        IceState::New,
        IceState::Connected,
        IceState::Completed,
        IceState::Disconnected,
        IceState::Closed,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    assert_eq!(
        names,
        ["new", "connected", "completed", "disconnected", "closed"]
    );
}

/// The per-packet path (parse, authenticate, respond, state changes) must
/// not touch the heap.
#[test]
fn process_stun_does_not_allocate() {
    use crate::ice::alloc_count::allocations_during;
    let mut ice = IceServer::<u64>::new(UFRAG.into(), PWD.into(), 30);
    let check = Req::new().build();
    let nominate = Req::new().nominate().build();
    let wrong = Req::new().creds("x", "y").build();
    let garbage = [0u8; 64];
    let after_restart = Req::new().creds("u2", "p2").build();
    let mut out = [0u8; 128];
    let mut seen = 0usize;
    let allocs = allocations_during(|| {
        for t in 0..20u64 {
            for data in [&check[..], &nominate, &wrong, &garbage] {
                ice.process_stun(data, t % 10, addr(1), t, &mut out, &mut |_| seen += 1);
            }
        }
        ice.handle_timeout(1_000_000, &mut |_| seen += 1);
    });
    assert_eq!(allocs, 0);
    assert!(seen > 0);
    ice.restart("u2".into(), "p2".into(), 0, &mut |_| {});
    let allocs = allocations_during(|| {
        // Retiring the old ufrag moves the string out; no copy.
        ice.process_stun(&after_restart, 1, addr(1), 0, &mut out, &mut |_| {});
    });
    assert_eq!(allocs, 0);
}
