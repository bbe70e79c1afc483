//! Test helpers: identities and an in-memory wire with a fake clock.

use super::super::*;

/// A PEM certificate + key, made the way the worker makes its own.
pub struct Identity {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: Vec<u8>,
}

impl Identity {
    pub fn generate() -> Self {
        let c = rcgen::generate_simple_self_signed(vec!["mediasoup".to_string()]).unwrap();
        Identity {
            cert_pem: c.cert.pem(),
            key_pem: c.key_pair.serialize_pem(),
            der: c.cert.der().to_vec(),
        }
    }

    pub fn fingerprint(&self) -> (String, String) {
        let value = fingerprint_of("sha-256", &self.der).unwrap();
        ("sha-256".to_string(), value)
    }

    pub fn transport(&self) -> DtlsTransport {
        DtlsTransport::new(&self.cert_pem, &self.key_pem).unwrap()
    }
}

/// Client and server wired back to back. `lose` decides, per datagram
/// (direction, index in that direction), whether the wire drops it.
pub struct Pair {
    pub client: DtlsTransport,
    pub server: DtlsTransport,
    pub client_events: Vec<DtlsEvent>,
    pub server_events: Vec<DtlsEvent>,
    pub now_ms: u64,
    sent: [usize; 2],
}

pub const TO_SERVER: usize = 0;
pub const TO_CLIENT: usize = 1;

impl Pair {
    /// Started pair; each side expects the other's real fingerprint unless
    /// overridden.
    pub fn start(
        client_id: &Identity,
        server_id: &Identity,
        client_expects: Option<(String, String)>,
        server_expects: Option<(String, String)>,
    ) -> Self {
        Self::start_with(
            client_id.transport(),
            server_id.transport(),
            client_expects.unwrap_or_else(|| server_id.fingerprint()),
            server_expects.unwrap_or_else(|| client_id.fingerprint()),
        )
    }

    pub fn start_with(
        mut client: DtlsTransport,
        mut server: DtlsTransport,
        client_expects: (String, String),
        server_expects: (String, String),
    ) -> Self {
        let now_ms = 1_000;
        server.start(DtlsRole::Server, server_expects, now_ms);
        client.start(DtlsRole::Client, client_expects, now_ms);
        Pair {
            client,
            server,
            client_events: vec![],
            server_events: vec![],
            now_ms,
            sent: [0, 0],
        }
    }

    /// Moves datagrams both ways until the wire is quiet; returns how many
    /// were delivered.
    pub fn pump(&mut self, lose: &mut dyn FnMut(usize, usize) -> bool) -> usize {
        let mut delivered = 0;
        loop {
            let mut moved = false;
            while let Some(d) = self.client.poll_transmit() {
                moved = true;
                let i = self.sent[TO_SERVER];
                self.sent[TO_SERVER] += 1;
                if !lose(TO_SERVER, i) {
                    delivered += 1;
                    self.server.handle_datagram(&d, self.now_ms);
                }
            }
            while let Some(d) = self.server.poll_transmit() {
                moved = true;
                let i = self.sent[TO_CLIENT];
                self.sent[TO_CLIENT] += 1;
                if !lose(TO_CLIENT, i) {
                    delivered += 1;
                    self.client.handle_datagram(&d, self.now_ms);
                }
            }
            self.drain_events();
            if !moved {
                return delivered;
            }
        }
    }

    /// Advances the fake clock to the earliest timer and fires it.
    pub fn fire_next_timer(&mut self) -> bool {
        let next = [self.client.poll_timeout(), self.server.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = next else { return false };
        self.now_ms = self.now_ms.max(at);
        self.client.handle_timeout(self.now_ms);
        self.server.handle_timeout(self.now_ms);
        true
    }

    /// Pumps and fires timers until both sides settle or `max_timers` fire.
    pub fn run(&mut self, lose: &mut dyn FnMut(usize, usize) -> bool, max_timers: usize) {
        for _ in 0..=max_timers {
            self.pump(lose);
            if self.settled() || !self.fire_next_timer() {
                break;
            }
        }
        self.pump(lose);
    }

    pub fn settled(&self) -> bool {
        let done = |s: DtlsState| !matches!(s, DtlsState::New | DtlsState::Connecting);
        done(self.client.state()) && done(self.server.state())
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.client.poll_event() {
            self.client_events.push(e);
        }
        while let Some(e) = self.server.poll_event() {
            self.server_events.push(e);
        }
    }
}

/// The SRTP keys from a `Connected` event.
pub fn srtp_of(events: &[DtlsEvent]) -> Option<SrtpKeys> {
    events.iter().find_map(|e| match e {
        DtlsEvent::Connected { srtp, .. } => Some(srtp.clone()),
        _ => None,
    })
}

/// Reassembles RFC 5764 exporter output (client key | server key | client
/// salt | server salt) from the client side's keys.
pub fn exporter_layout(client_keys: &SrtpKeys) -> Vec<u8> {
    let key_len = match client_keys.profile {
        "AEAD_AES_256_GCM" => 32,
        _ => 16,
    };
    let (ck, cs) = client_keys.local_key_and_salt.split_at(key_len);
    let (sk, ss) = client_keys.remote_key_and_salt.split_at(key_len);
    [ck, sk, cs, ss].concat()
}

pub fn never(_: usize, _: usize) -> bool {
    false
}
