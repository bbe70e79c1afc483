//! ICE-lite responder for one WebRtcTransport, after mediasoup's IceServer:
//! answers Binding requests authenticated with the local credentials, tracks
//! the validated tuples (up to 8), follows the remote's nominations and
//! enforces consent freshness. Sans-IO: the caller feeds datagrams and time,
//! sends the response it gets back in `out`, and drives the timer.

mod credentials;
mod responses;
#[cfg(test)]
mod tests;

use std::mem;
use std::net::SocketAddr;

use super::stun::{AuthResult, Class, StunMessage, METHOD_BINDING};

/// mediasoup keeps at most this many validated tuples per transport.
pub const MAX_TUPLES: usize = 8;
const CONSENT_MIN_SECS: u8 = 10;
const CONSENT_MAX_SECS: u8 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceState {
    New,
    Connected,
    Completed,
    Disconnected,
    /// Only after [`IceServer::close`]; mediasoup's JS sets it on close
    /// without emitting `icestatechange`, so no event carries it.
    Closed,
}

impl IceState {
    pub fn as_str(self) -> &'static str {
        match self {
            IceState::New => "new",
            IceState::Connected => "connected",
            IceState::Completed => "completed",
            IceState::Disconnected => "disconnected",
            IceState::Closed => "closed",
        }
    }
}

/// What the transport must act on, in the order mediasoup's listener
/// callbacks fire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IceEvent<T> {
    /// `icestatechange` (connected / completed / disconnected).
    StateChanged(IceState),
    /// `iceselectedtuplechange`; send media to this tuple from now on.
    SelectedTupleChanged(T),
    /// A tuple passed a connectivity check (WebRtcServer maps it to us).
    TupleAdded(T),
    /// A tuple is no longer valid: unmap it, and close it if it is TCP.
    TupleRemoved(T),
    /// After `restart`: the new ufrag must be routed to us (WebRtcServer).
    UsernameFragmentAdded(String),
    /// An old ufrag is no longer accepted: stop routing it to us.
    UsernameFragmentRemoved(String),
}

pub struct IceServer<T> {
    ufrag: String,
    password: String,
    /// Credentials before the last restart, still accepted until the peer
    /// uses the new ones (empty when none).
    old_ufrag: String,
    old_password: String,
    /// 0 disables consent freshness.
    consent_timeout_ms: u64,
    state: IceState,
    remote_nomination: u32,
    /// Oldest first, never reallocated (capacity MAX_TUPLES + 1).
    tuples: Vec<T>,
    selected: Option<T>,
    consent_deadline: Option<u64>,
    rejected_requests: u64,
    bad_packets: u64,
}

impl<T: Copy + Eq> IceServer<T> {
    /// `consent_timeout_secs`: 0 disables; otherwise clamped to 10..=60 as
    /// mediasoup does.
    pub fn new(username_fragment: String, password: String, consent_timeout_secs: u8) -> Self {
        let secs = match consent_timeout_secs {
            0 => 0,
            s => s.clamp(CONSENT_MIN_SECS, CONSENT_MAX_SECS),
        };
        IceServer {
            ufrag: username_fragment,
            password,
            old_ufrag: String::new(),
            old_password: String::new(),
            consent_timeout_ms: secs as u64 * 1000,
            state: IceState::New,
            remote_nomination: 0,
            tuples: Vec::with_capacity(MAX_TUPLES + 1),
            selected: None,
            consent_deadline: None,
            rejected_requests: 0,
            bad_packets: 0,
        }
    }

    /// Fresh local credentials: 32 characters of [0-9a-z] each, as
    /// mediasoup's `Utils::Crypto::GetRandomString(32)`.
    pub fn generate_credentials() -> (String, String) {
        (
            credentials::random_string(32),
            credentials::random_string(32),
        )
    }

    pub fn username_fragment(&self) -> &str {
        &self.ufrag
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    /// The pre-restart ufrag while it is still accepted.
    pub fn old_username_fragment(&self) -> Option<&str> {
        (!self.old_ufrag.is_empty()).then_some(self.old_ufrag.as_str())
    }

    pub fn state(&self) -> IceState {
        self.state
    }

    pub fn selected_tuple(&self) -> Option<T> {
        self.selected
    }

    /// Validated tuples, oldest first.
    pub fn tuples(&self) -> &[T] {
        &self.tuples
    }

    /// Media (DTLS/RTP/RTCP) is accepted only from these.
    pub fn is_valid_tuple(&self, tuple: T) -> bool {
        self.selected == Some(tuple) || self.tuples.contains(&tuple)
    }

    /// Requests answered with an error (400/401/487).
    pub fn rejected_requests(&self) -> u64 {
        self.rejected_requests
    }

    /// Datagrams that did not parse as STUN (dropped silently, like
    /// mediasoup).
    pub fn bad_packets(&self) -> u64 {
        self.bad_packets
    }

    /// When `handle_timeout` must run next.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.consent_deadline
    }

    /// `restartIce()`: switch to new credentials. The previous ones keep
    /// working until a request authenticates with the new ones; an even
    /// older pair is dropped now. Consent (if running) restarts to give the
    /// peer time to follow.
    pub fn restart(
        &mut self,
        username_fragment: String,
        password: String,
        now_ms: u64,
        events: &mut impl FnMut(IceEvent<T>),
    ) {
        if !self.old_ufrag.is_empty() {
            events(IceEvent::UsernameFragmentRemoved(mem::take(
                &mut self.old_ufrag,
            )));
        }
        self.old_ufrag = mem::replace(&mut self.ufrag, username_fragment);
        self.old_password = mem::replace(&mut self.password, password);
        self.remote_nomination = 0;
        events(IceEvent::UsernameFragmentAdded(self.ufrag.clone()));
        if self.consent_deadline.is_some() {
            self.consent_deadline = Some(now_ms + self.consent_timeout_ms);
        }
    }

    /// Handle one STUN datagram from `tuple` (whose remote address is
    /// `remote_addr`). Returns the length of the response written to `out`
    /// (0: send nothing). 128 bytes of `out` are always enough.
    pub fn process_stun(
        &mut self,
        data: &[u8],
        tuple: T,
        remote_addr: SocketAddr,
        now_ms: u64,
        out: &mut [u8],
        events: &mut impl FnMut(IceEvent<T>),
    ) -> usize {
        if self.state == IceState::Closed {
            return 0;
        }
        let Ok(msg) = StunMessage::parse(data) else {
            self.bad_packets += 1;
            return 0;
        };
        // Indications and responses are ignored: ICE-lite sends no requests.
        if msg.class() != Class::Request {
            return 0;
        }
        if let Err((code, reason)) = self.check_request(&msg, events) {
            self.rejected_requests += 1;
            return responses::error(&msg, code, reason, out);
        }
        // Sign with whichever password the request used.
        let key = if self.old_password.is_empty() {
            &self.password
        } else {
            &self.old_password
        };
        let len = responses::success(&msg, remote_addr, key.as_bytes(), out);
        self.handle_tuple(
            tuple,
            msg.use_candidate(),
            msg.has_nomination(),
            msg.nomination().unwrap_or(0),
            events,
        );
        // Every valid check (from any tuple) renews consent, as in mediasoup.
        if self.consent_timeout_ms != 0
            && matches!(self.state, IceState::Connected | IceState::Completed)
        {
            self.consent_deadline = Some(now_ms + self.consent_timeout_ms);
        }
        len
    }

    /// Consent freshness: when no valid check arrived for the timeout, drop
    /// every tuple and go `disconnected`.
    pub fn handle_timeout(&mut self, now_ms: u64, events: &mut impl FnMut(IceEvent<T>)) {
        match self.consent_deadline {
            Some(deadline) if now_ms >= deadline => {}
            _ => return,
        }
        self.consent_deadline = None;
        if !matches!(self.state, IceState::Connected | IceState::Completed) {
            return;
        }
        self.state = IceState::Disconnected;
        self.remote_nomination = 0;
        self.drain_tuples(events);
        events(IceEvent::StateChanged(IceState::Disconnected));
    }

    /// The tuple went away (e.g. its TCP connection closed). If it was the
    /// selected one, fall back to the most recently validated tuple, or go
    /// `disconnected` when none is left.
    pub fn remove_tuple(&mut self, tuple: T, now_ms: u64, events: &mut impl FnMut(IceEvent<T>)) {
        let Some(idx) = self.tuples.iter().position(|t| *t == tuple) else {
            return;
        };
        self.tuples.remove(idx);
        events(IceEvent::TupleRemoved(tuple));
        if self.selected != Some(tuple) {
            return;
        }
        self.selected = None;
        let active = matches!(self.state, IceState::Connected | IceState::Completed);
        match self.tuples.last().copied() {
            Some(next) if active => {
                self.set_selected(next, events);
                // Let the peer send consent checks on the new tuple.
                if self.consent_timeout_ms != 0 {
                    self.consent_deadline = Some(now_ms + self.consent_timeout_ms);
                }
            }
            _ => {
                self.state = IceState::Disconnected;
                self.remote_nomination = 0;
                self.consent_deadline = None;
                events(IceEvent::StateChanged(IceState::Disconnected));
            }
        }
    }

    /// Media (DTLS) arrived on a valid but unselected tuple: clients doing
    /// aggressive nomination expect us to follow (mediasoup's
    /// MayForceSelectedTuple).
    pub fn force_selected_tuple(&mut self, tuple: T, events: &mut impl FnMut(IceEvent<T>)) {
        if matches!(self.state, IceState::Connected | IceState::Completed)
            && self.is_valid_tuple(tuple)
        {
            self.set_selected(tuple, events);
        }
    }

    /// Transport closed: release ufrags and tuples; state becomes `closed`.
    pub fn close(&mut self, events: &mut impl FnMut(IceEvent<T>)) {
        if self.state == IceState::Closed {
            return;
        }
        events(IceEvent::UsernameFragmentRemoved(self.ufrag.clone()));
        if !self.old_ufrag.is_empty() {
            events(IceEvent::UsernameFragmentRemoved(mem::take(
                &mut self.old_ufrag,
            )));
            self.old_password.clear();
        }
        self.drain_tuples(events);
        self.consent_deadline = None;
        self.state = IceState::Closed;
    }

    /// mediasoup's checks, in its order; `Err` is the error to answer
    /// with. A request authenticated with the new credentials retires the
    /// old ones.
    fn check_request(
        &mut self,
        msg: &StunMessage,
        events: &mut impl FnMut(IceEvent<T>),
    ) -> Result<(), (u16, &'static [u8])> {
        if msg.method() != METHOD_BINDING {
            return Err((400, b"unknown method"));
        }
        if !msg.has_fingerprint() {
            return Err((
                400,
                b"missing FINGERPRINT attribute in STUN Binding request",
            ));
        }
        if msg.priority().is_none() {
            return Err((400, b"missing PRIORITY attribute in STUN Binding request"));
        }
        match msg.check_authentication(self.ufrag.as_bytes(), self.password.as_bytes()) {
            AuthResult::Ok => {
                if !self.old_ufrag.is_empty() && !self.old_password.is_empty() {
                    events(IceEvent::UsernameFragmentRemoved(mem::take(
                        &mut self.old_ufrag,
                    )));
                    self.old_password.clear();
                }
            }
            AuthResult::Unauthorized => {
                let old_ok = !self.old_ufrag.is_empty()
                    && !self.old_password.is_empty()
                    && msg.check_authentication(
                        self.old_ufrag.as_bytes(),
                        self.old_password.as_bytes(),
                    ) == AuthResult::Ok;
                if !old_ok {
                    return Err((401, b"wrong authentication in STUN Binding request"));
                }
            }
            AuthResult::BadMessage => {
                return Err((400, b"cannot check authentication in STUN Binding request"));
            }
        }
        // We are controlled; a peer claiming the same role is a conflict.
        if msg.ice_controlled().is_some() {
            return Err((
                487,
                b"invalid ICE-CONTROLLED attribute in STUN Binding request",
            ));
        }
        Ok(())
    }

    /// mediasoup's HandleTuple: store the tuple and follow nominations
    /// (USE-CANDIDATE, or a NOMINATION higher than the last one).
    fn handle_tuple(
        &mut self,
        tuple: T,
        use_candidate: bool,
        has_nomination: bool,
        nomination: u32,
        events: &mut impl FnMut(IceEvent<T>),
    ) {
        let nominated = use_candidate || has_nomination;
        let new_nomination = has_nomination && nomination > self.remote_nomination;
        self.add_tuple(tuple, events);
        match self.state {
            IceState::New | IceState::Disconnected => {
                if !nominated {
                    self.state = IceState::Connected;
                    self.set_selected(tuple, events);
                    events(IceEvent::StateChanged(IceState::Connected));
                } else if new_nomination || !has_nomination {
                    self.complete(tuple, new_nomination, nomination, events);
                }
            }
            IceState::Connected => {
                if nominated && (new_nomination || !has_nomination) {
                    self.complete(tuple, new_nomination, nomination, events);
                }
            }
            IceState::Completed => {
                if nominated && (new_nomination || use_candidate) {
                    self.set_selected(tuple, events);
                    if new_nomination {
                        self.remote_nomination = nomination;
                    }
                }
            }
            IceState::Closed => {}
        }
    }

    fn complete(
        &mut self,
        tuple: T,
        new_nomination: bool,
        nomination: u32,
        events: &mut impl FnMut(IceEvent<T>),
    ) {
        self.state = IceState::Completed;
        self.set_selected(tuple, events);
        if new_nomination {
            self.remote_nomination = nomination;
        }
        events(IceEvent::StateChanged(IceState::Completed));
    }

    /// Store a newly validated tuple; beyond MAX_TUPLES evict the oldest one
    /// that is neither this one nor the selected one.
    fn add_tuple(&mut self, tuple: T, events: &mut impl FnMut(IceEvent<T>)) {
        if self.is_valid_tuple(tuple) {
            return;
        }
        self.tuples.push(tuple);
        events(IceEvent::TupleAdded(tuple));
        if self.tuples.len() > MAX_TUPLES {
            let selected = self.selected;
            if let Some(idx) = self
                .tuples
                .iter()
                .position(|t| *t != tuple && Some(*t) != selected)
            {
                let evicted = self.tuples.remove(idx);
                events(IceEvent::TupleRemoved(evicted));
            }
        }
    }

    fn set_selected(&mut self, tuple: T, events: &mut impl FnMut(IceEvent<T>)) {
        if self.selected != Some(tuple) {
            self.selected = Some(tuple);
            events(IceEvent::SelectedTupleChanged(tuple));
        }
    }

    /// Remove every tuple, newest first (mediasoup's list order).
    fn drain_tuples(&mut self, events: &mut impl FnMut(IceEvent<T>)) {
        while let Some(t) = self.tuples.pop() {
            events(IceEvent::TupleRemoved(t));
        }
        self.selected = None;
    }
}
