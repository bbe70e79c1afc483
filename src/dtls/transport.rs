//! [`DtlsTransport`]: one DTLS association driven by the worker's loop.

use super::certificate;
use super::clock::Clock;
use super::config;
use super::fingerprint;
use super::record_filter::{screen, Screened};
use super::srtp_keys::{self, ClientHelloReader, HelloProgress, EXPORTER_LABEL, SRTP_PROFILES};
use super::types::{DtlsError, DtlsEvent, DtlsRole, DtlsState};
use bytes::BytesMut;
use rtc_dtls::config::HandshakeConfig;
use rtc_dtls::crypto::Certificate;
use rtc_dtls::crypto_provider::{default_provider, RTCCryptoProvider};
use rtc_dtls::endpoint::{Endpoint, EndpointEvent};
use rtc_dtls::extension::extension_use_srtp::SrtpProtectionProfile;
use rtc_shared::TransportProtocol;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

/// `rtc-dtls`'s Endpoint keys associations by address; we have exactly one,
/// so both ends get fixed placeholder addresses (the real 5-tuple lives in
/// the transport, and ICE may move it without touching DTLS).
const LOCAL: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 1);
const PEER: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 2);

/// Datagrams kept while still `New` (the peer's ClientHello may beat our
/// `connect()`), replayed by `start()`. Bounded: it is unauthenticated input.
const MAX_EARLY_DATAGRAMS: usize = 8;

/// The crypto provider and the parsed identity for a certificate/key pair.
/// Parsing the key costs an elliptic-curve operation, and every transport
/// of a worker uses the worker's one pair: the last pair parsed on this
/// thread is kept and cloned.
fn identity(
    certificate_pem: &str,
    private_key_pem: &str,
) -> Result<(Arc<dyn RTCCryptoProvider>, Certificate), DtlsError> {
    type Cached = (String, String, Arc<dyn RTCCryptoProvider>, Certificate);
    thread_local! {
        static LAST: std::cell::RefCell<Option<Cached>> = const { std::cell::RefCell::new(None) };
    }
    let hit = LAST.with_borrow(|last| {
        last.as_ref()
            .filter(|(c, k, _, _)| c == certificate_pem && k == private_key_pem)
            .map(|(_, _, provider, certificate)| (provider.clone(), certificate.clone()))
    });
    if let Some(found) = hit {
        return Ok(found);
    }
    let provider = default_provider().map_err(|e| DtlsError::Dtls(e.to_string()))?;
    let certificate = certificate::load(certificate_pem, private_key_pem, provider.crypto())?;
    LAST.set(Some((
        certificate_pem.to_string(),
        private_key_pem.to_string(),
        provider.clone(),
        certificate.clone(),
    )));
    Ok((provider, certificate))
}

/// How often `feed` sends a flight again on the peer's behalf (each answers
/// one datagram of a peer that passed ICE; bounded all the same).
const MAX_FLIGHTS_RESENT: usize = 16;

/// Interval of the driver's own retransmission timer (rtc-dtls's is 1 s).
const RESEND_INTERVAL_MS: u64 = 1_000;

/// True if the datagram starts with a handshake record.
fn is_handshake(datagram: &[u8]) -> bool {
    const HANDSHAKE: u8 = 22;
    datagram.first() == Some(&HANDSHAKE)
}

pub struct DtlsTransport {
    provider: Arc<dyn RTCCryptoProvider>,
    certificate: Certificate,
    endpoint: Option<Endpoint>,
    role: Option<DtlsRole>,
    remote_fingerprint: (String, String),
    state: DtlsState,
    clock: Clock,
    early: Vec<Vec<u8>>,
    srtp_profiles: Vec<SrtpProtectionProfile>,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<DtlsEvent>,
    dropped_datagrams: u64,
    failure: Option<String>,
    /// Server: the peer's first datagrams, until its ClientHello is whole.
    hello_datagrams: Vec<BytesMut>,
    client_hello: ClientHelloReader,
    /// The datagrams of the last flight the endpoint sent, to send again
    /// when the peer repeats its own (see `feed`).
    last_flight: Vec<Vec<u8>>,
    flights_resent: usize,
    /// Our own retransmission timer while the endpoint has lost its own.
    resend_at: Option<u64>,
}

impl DtlsTransport {
    /// A transport with the worker's identity; nothing happens before
    /// [`start`](Self::start).
    pub fn new(certificate_pem: &str, private_key_pem: &str) -> Result<Self, DtlsError> {
        let (provider, certificate) = identity(certificate_pem, private_key_pem)?;
        Ok(DtlsTransport {
            provider,
            certificate,
            endpoint: None,
            role: None,
            remote_fingerprint: (String::new(), String::new()),
            state: DtlsState::New,
            clock: Clock::new(),
            early: Vec::new(),
            srtp_profiles: SRTP_PROFILES.to_vec(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            dropped_datagrams: 0,
            failure: None,
            hello_datagrams: Vec::new(),
            client_hello: ClientHelloReader::default(),
            last_flight: Vec::new(),
            flights_resent: 0,
            resend_at: None,
        })
    }

    /// Starts the handshake (once). After it, the peer certificate's
    /// `remote_fingerprint` (algorithm, value) must match or the state
    /// becomes Failed.
    pub fn start(&mut self, role: DtlsRole, remote_fingerprint: (String, String), now_ms: u64) {
        if self.state != DtlsState::New {
            return;
        }
        let now = self.clock.instant(now_ms);
        self.role = Some(role);
        self.remote_fingerprint = remote_fingerprint;
        self.set_state(DtlsState::Connecting);

        // As server, the endpoint is made when the ClientHello arrives (see
        // `server_endpoint`), to pick the SRTP profile by our preference.
        if role == DtlsRole::Client {
            let config = match self.config(self.srtp_profiles.clone()) {
                Ok(c) => c,
                Err(e) => return self.fail(e),
            };
            let mut endpoint = Endpoint::new(LOCAL, TransportProtocol::UDP, None);
            if let Err(e) = endpoint.connect(now, PEER, config, None) {
                return self.fail(format!("connect: {e}"));
            }
            self.endpoint = Some(endpoint);
        }
        self.collect_transmits();
        for datagram in std::mem::take(&mut self.early) {
            self.handle_datagram(&datagram, now_ms);
        }
    }

    /// Feeds one received DTLS datagram (first byte 20..=63).
    pub fn handle_datagram(&mut self, data: &[u8], now_ms: u64) {
        match self.state {
            DtlsState::New if self.early.len() < MAX_EARLY_DATAGRAMS => {
                self.early.push(data.to_vec());
                return;
            }
            DtlsState::Connecting | DtlsState::Connected => {}
            _ => {
                self.dropped_datagrams += 1;
                return;
            }
        }
        let data = match screen(data) {
            Screened::Intact(d) => BytesMut::from(d),
            Screened::Reduced(d) => {
                self.dropped_datagrams += 1;
                BytesMut::from(&d[..])
            }
            Screened::Dropped => {
                self.dropped_datagrams += 1;
                return;
            }
        };
        if self.endpoint.is_none() && self.role == Some(DtlsRole::Server) {
            // Held until the whole ClientHello is in (see `server_endpoint`).
            self.hello_datagrams.push(data);
            let offered = self
                .client_hello
                .push(&self.hello_datagrams[self.hello_datagrams.len() - 1]);
            let profiles = match offered {
                HelloProgress::Complete(offered) => {
                    srtp_keys::server_choice(&self.srtp_profiles, &offered)
                }
                HelloProgress::Incomplete if self.hello_datagrams.len() < MAX_EARLY_DATAGRAMS => {
                    return;
                }
                _ => self.srtp_profiles.clone(),
            };
            if let Err(e) = self.server_endpoint(profiles) {
                return self.fail(e);
            }
            for data in std::mem::take(&mut self.hello_datagrams) {
                if self.endpoint.is_none() {
                    break;
                }
                self.feed(data, now_ms);
            }
            return;
        }
        self.feed(data, now_ms);
    }

    fn feed(&mut self, data: BytesMut, now_ms: u64) {
        let now = self.clock.instant(now_ms);
        let handshake = is_handshake(&data);
        let Some(endpoint) = self.endpoint.as_mut() else {
            return;
        };
        let result = endpoint.read(now, PEER, None, data);
        let sent = self.collect_transmits();
        // RFC 6347 4.2.4: the peer repeating its previous flight means ours
        // was lost: send it again. rtc-dtls 0.21 does not while it waits for
        // the peer's next flight; worse, it drops its own retransmission
        // timer then (`Handshaker::wait` clears it before parsing), which
        // would stall the handshake for good.
        // Once connected, the peer repeating its last flight means it lacks
        // our Finished: rtc-dtls does not answer that either.
        let stalled = self
            .endpoint
            .as_ref()
            .is_some_and(|e| e.poll_timeout(&PEER).is_none());
        let waiting = matches!(self.state, DtlsState::Connecting | DtlsState::Connected);
        if handshake && sent == 0 && stalled && waiting {
            self.resend_last_flight(now_ms);
        }
        match result {
            Ok(events) => {
                for event in events {
                    // A failed fingerprint check ends the batch.
                    if matches!(self.state, DtlsState::Failed | DtlsState::Closed) {
                        break;
                    }
                    self.on_endpoint_event(event);
                }
            }
            // Junk was screened out and `rtc-dtls` discards unauthenticated
            // records silently, so what fails here is the handshake itself
            // or an authenticated fatal alert from the peer.
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn config(
        &self,
        srtp_profiles: Vec<SrtpProtectionProfile>,
    ) -> Result<Arc<HandshakeConfig>, String> {
        config::handshake_config(
            self.role.unwrap_or(DtlsRole::Server),
            self.provider.clone(),
            self.certificate.clone(),
            srtp_profiles,
            self.remote_fingerprint.clone(),
            PEER,
        )
        .map(Arc::new)
        .map_err(|e| format!("config: {e}"))
    }

    /// The server endpoint, made once the peer's ClientHello is in (Chrome's
    /// spans two datagrams). `rtc-dtls` picks the first SRTP profile of the
    /// client's list that it accepts, OpenSSL (mediasoup) the first of the
    /// server's: accepting only our preferred one of those offered gives
    /// mediasoup's choice (AEAD_AES_256_GCM with Chrome, which lists
    /// AES_CM_128_HMAC_SHA1_80 first).
    fn server_endpoint(&mut self, profiles: Vec<SrtpProtectionProfile>) -> Result<(), String> {
        let config = self.config(profiles)?;
        self.endpoint = Some(Endpoint::new(LOCAL, TransportProtocol::UDP, Some(config)));
        Ok(())
    }

    fn on_endpoint_event(&mut self, event: EndpointEvent) {
        match event {
            EndpointEvent::HandshakeComplete => self.on_handshake_complete(),
            EndpointEvent::ApplicationData(data) if self.state == DtlsState::Connected => {
                self.events
                    .push_back(DtlsEvent::ApplicationData(data.to_vec()));
            }
            EndpointEvent::PeerClosed => {
                self.endpoint = None;
                self.set_state(DtlsState::Closed);
            }
            _ => {}
        }
    }

    fn on_handshake_complete(&mut self) {
        let Some(state) = self
            .endpoint
            .as_ref()
            .and_then(|e| e.get_connection_state(PEER))
        else {
            return self.fail("handshake completed without a connection".into());
        };
        // The verify callback already checked this; never report Connected
        // on a path that might have skipped it.
        let Some(leaf) = state.peer_certificates.first().cloned() else {
            return self.fail("peer sent no certificate".into());
        };
        if !fingerprint::matches(&self.remote_fingerprint, &leaf) {
            return self.fail("remote certificate fingerprint mismatch".into());
        }
        let Some((name, key_len, salt_len)) =
            srtp_keys::profile_params(state.srtp_protection_profile())
        else {
            return self.fail("no SRTP protection profile negotiated".into());
        };
        let material =
            match state.export_keying_material(EXPORTER_LABEL, &[], 2 * (key_len + salt_len)) {
                Ok(m) => m,
                Err(e) => return self.fail(format!("keying material export: {e}")),
            };
        let we_are_client = self.role == Some(DtlsRole::Client);
        let srtp = srtp_keys::split(name, key_len, salt_len, material.as_ref(), we_are_client);
        self.state = DtlsState::Connected;
        self.events.push_back(DtlsEvent::Connected {
            srtp,
            // LF like OpenSSL's PEM writer (mediasoup's dtlsRemoteCert).
            remote_cert_pem: pem::encode_config(
                &pem::Pem::new("CERTIFICATE", leaf),
                pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
            ),
        });
    }

    /// Next datagram to send to the peer.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<DtlsEvent> {
        self.events.pop_front()
    }

    /// Drives handshake retransmissions; call when `poll_timeout` is due.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        if self.state != DtlsState::Connecting {
            return;
        }
        if self.resend_at.is_some_and(|at| at <= now_ms) {
            self.resend_last_flight(now_ms);
        }
        let now = self.clock.instant(now_ms);
        let Some(endpoint) = self.endpoint.as_mut() else {
            return;
        };
        if endpoint.poll_timeout(&PEER).is_none_or(|at| at > now) {
            return;
        }
        let result = endpoint.handle_timeout(PEER, now);
        self.collect_transmits();
        if let Err(e) = result {
            self.fail(format!("handshake timed out: {e}"));
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next needed, on the
    /// caller's millisecond clock.
    pub fn poll_timeout(&self) -> Option<u64> {
        if self.state != DtlsState::Connecting {
            return None;
        }
        let endpoint = self.endpoint.as_ref()?.poll_timeout(&PEER);
        let endpoint = endpoint.map(|at| self.clock.ms_of(at));
        match (endpoint, self.resend_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Sends the last flight again on the endpoint's behalf (see `feed`)
    /// and, while the handshake is still on and the endpoint has no timer
    /// of its own, keeps a retransmission timer for it.
    fn resend_last_flight(&mut self, now_ms: u64) {
        self.resend_at = None;
        if self.flights_resent >= MAX_FLIGHTS_RESENT || self.last_flight.is_empty() {
            return;
        }
        self.flights_resent += 1;
        self.transmits.extend(self.last_flight.iter().cloned());
        let stalled = self
            .endpoint
            .as_ref()
            .is_some_and(|e| e.poll_timeout(&PEER).is_none());
        if self.state == DtlsState::Connecting && stalled {
            self.resend_at = Some(now_ms + RESEND_INTERVAL_MS);
        }
    }

    /// Sends application data (SCTP) once connected.
    pub fn send_application_data(&mut self, data: &[u8]) -> Result<(), DtlsError> {
        if self.state != DtlsState::Connected {
            return Err(DtlsError::InvalidState("not connected"));
        }
        let now = self.clock.last();
        let endpoint = self
            .endpoint
            .as_mut()
            .ok_or(DtlsError::InvalidState("not connected"))?;
        let result = endpoint.write(now, PEER, data);
        self.collect_transmits();
        result.map_err(|e| DtlsError::Dtls(e.to_string()))
    }

    /// Closes the association, sending close_notify if it got that far.
    pub fn close(&mut self) {
        if matches!(self.state, DtlsState::Closed | DtlsState::Failed) {
            return;
        }
        let now = self.clock.last();
        if let Some(mut endpoint) = self.endpoint.take() {
            endpoint.stop(now, PEER);
            while let Some(t) = endpoint.poll_transmit() {
                self.transmits.push_back(t.message.to_vec());
            }
        }
        self.early.clear();
        self.hello_datagrams.clear();
        self.set_state(DtlsState::Closed);
    }

    /// Restricts the SRTP profiles offered/accepted (tests pin one profile).
    #[cfg(test)]
    pub(super) fn set_srtp_profiles(&mut self, profiles: Vec<SrtpProtectionProfile>) {
        self.srtp_profiles = profiles;
    }

    pub fn state(&self) -> DtlsState {
        self.state
    }

    pub fn role(&self) -> Option<DtlsRole> {
        self.role
    }

    /// Inbound datagrams dropped as malformed or arriving in a state that
    /// takes none.
    pub fn dropped_datagrams(&self) -> u64 {
        self.dropped_datagrams
    }

    /// Why the transport failed, for logs.
    pub fn failure_reason(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// Queues what the endpoint wants sent; returns how many datagrams.
    fn collect_transmits(&mut self) -> usize {
        let Some(endpoint) = self.endpoint.as_mut() else {
            return 0;
        };
        let mut flight = Vec::new();
        while let Some(t) = endpoint.poll_transmit() {
            flight.push(t.message.to_vec());
        }
        let sent = flight.len();
        if sent > 0 {
            self.transmits.extend(flight.iter().cloned());
            self.last_flight = flight;
        }
        sent
    }

    fn fail(&mut self, reason: String) {
        if matches!(self.state, DtlsState::Failed | DtlsState::Closed) {
            return;
        }
        // Keep the alert `rtc-dtls` queued for the peer, then stop.
        self.collect_transmits();
        self.endpoint = None;
        self.failure = Some(reason);
        self.set_state(DtlsState::Failed);
    }

    fn set_state(&mut self, state: DtlsState) {
        if self.state != state {
            self.state = state;
            self.events.push_back(DtlsEvent::StateChanged(state));
        }
    }
}
