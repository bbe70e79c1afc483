//! One transport's SCTP association (RFC 9260, as WebRTC data channels and
//! mediasoup use it), sans-IO: datagrams and time in, datagrams, messages
//! and state changes out, on the `poll_timeout`/`handle_timeout` contract.
//!
//! The protocol is `rtc-sctp`'s. This module owns the glue mediasoup's
//! worker has around usrsctp: one association per transport, its state
//! (`sctpState`), messages by stream id and PPID, and per-stream
//! reliability (ordered, maxPacketLifeTime, maxRetransmits).
//!
//! Who initiates: a side that `connect()`s sends INIT; every side also
//! accepts an INIT. `rtc-sctp` takes an INIT that crosses ours for a second
//! association, so only one side of a pair may connect (see the callers).

use bytes::Bytes;
use rtc_sctp::{
    Association, AssociationHandle, ClientConfig, DatagramEvent, Endpoint, EndpointConfig, Event,
    Payload, PayloadProtocolIdentifier, ReliabilityType, ServerConfig, StreamEvent,
    TransportConfig,
};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// mediasoup's sctpState.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SctpState {
    New,
    Connecting,
    Connected,
    Failed,
    Closed,
}

impl SctpState {
    pub fn as_str(self) -> &'static str {
        match self {
            SctpState::New => "new",
            SctpState::Connecting => "connecting",
            SctpState::Connected => "connected",
            SctpState::Failed => "failed",
            SctpState::Closed => "closed",
        }
    }
}

/// What an association reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SctpEvent {
    StateChanged(SctpState),
    /// A whole message from the peer.
    Message {
        stream_id: u16,
        ppid: u32,
        data: Vec<u8>,
    },
    /// What a stream has buffered fell to its low threshold.
    BufferedAmountLow {
        stream_id: u16,
        buffered_amount: usize,
    },
}

/// How a stream sends (from its SctpStreamParameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamReliability {
    pub ordered: bool,
    pub max_packet_life_time: Option<u16>,
    pub max_retransmits: Option<u16>,
}

/// Why a message was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    NotConnected,
    TooLarge,
    /// What is buffered would exceed `sctpSendBufferSize`.
    BufferFull,
    Failed,
}

/// The peer as `rtc-sctp` wants an address (there is one peer per
/// association; the transport knows the real one).
const PEER: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 5000);

/// What may wait for the association to come up (as a send buffer would).
const MAX_QUEUED_BYTES: usize = 2_000_000;

/// A message waiting for the association.
struct Queued {
    stream_id: u16,
    ppid: u32,
    data: Vec<u8>,
    reliability: StreamReliability,
}

/// SCTP settings of a transport (its `sctpParameters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SctpConfig {
    /// Outbound / inbound streams (OS / MIS).
    pub os: u16,
    pub mis: u16,
    pub max_message_size: u32,
    /// Most bytes buffered (queued or unacknowledged) at once.
    pub send_buffer_size: usize,
}

pub struct SctpAssociation {
    endpoint: Endpoint,
    transport: TransportConfig,
    handle: Option<AssociationHandle>,
    association: Option<Association>,
    /// Worker time 0 as an Instant (`rtc-sctp` counts in Instants).
    epoch: Instant,
    state: SctpState,
    max_message_size: usize,
    send_buffer_size: usize,
    events: VecDeque<SctpEvent>,
    /// Packets of a transmit beyond its first (one datagram each).
    pending: VecDeque<Vec<u8>>,
    /// Messages sent before the association is up (sent once it is), and
    /// their total size, bounded by `MAX_QUEUED_BYTES`.
    queued: VecDeque<Queued>,
    queued_bytes: usize,
    /// bufferedAmountLowThreshold per stream (applied when it opens).
    low_thresholds: std::collections::HashMap<u16, usize>,
    read_buf: Vec<u8>,
}

impl SctpAssociation {
    pub fn new(config: SctpConfig) -> Self {
        let transport = TransportConfig::default()
            .with_max_message_size(config.max_message_size)
            .with_max_num_outbound_streams(config.os)
            .with_max_num_inbound_streams(config.mis);
        let endpoint = Endpoint::new(
            "127.0.0.1:5000".parse().expect("an address"),
            rtc_shared::TransportProtocol::UDP,
            Arc::new(EndpointConfig::new()),
            Some(Arc::new(ServerConfig::new(transport.clone()))),
        );
        SctpAssociation {
            endpoint,
            transport,
            handle: None,
            association: None,
            epoch: Instant::now(),
            state: SctpState::New,
            max_message_size: config.max_message_size as usize,
            send_buffer_size: config.send_buffer_size,
            events: VecDeque::new(),
            pending: VecDeque::new(),
            queued: VecDeque::new(),
            queued_bytes: 0,
            low_thresholds: std::collections::HashMap::new(),
            read_buf: Vec::new(),
        }
    }

    fn instant(&self, now_ms: u64) -> Instant {
        self.epoch + Duration::from_millis(now_ms)
    }

    pub fn state(&self) -> SctpState {
        self.state
    }

    /// Streams each way, once the handshake agreed on them.
    pub fn negotiated_streams(&self) -> Option<u16> {
        self.association.as_ref()?.negotiated_max_streams()
    }

    fn set_state(&mut self, state: SctpState) {
        if self.state != state {
            self.state = state;
            self.events.push_back(SctpEvent::StateChanged(state));
        }
    }

    /// Sends INIT (the transport is connected and this side initiates).
    pub fn connect(&mut self, now_ms: u64) {
        if self.association.is_some() || self.state != SctpState::New {
            return;
        }
        let now = self.instant(now_ms);
        if let Ok((handle, association)) =
            self.endpoint
                .connect(now, ClientConfig::new(self.transport.clone()), PEER)
        {
            self.handle = Some(handle);
            self.association = Some(association);
            self.set_state(SctpState::Connecting);
        }
    }

    /// An SCTP packet from the peer. Malformed ones are dropped (false).
    pub fn handle_datagram(&mut self, data: &[u8], now_ms: u64) -> bool {
        if matches!(self.state, SctpState::Closed | SctpState::Failed) {
            return false;
        }
        let now = self.instant(now_ms);
        let Some((handle, event)) =
            self.endpoint
                .handle(now, PEER, None, Bytes::copy_from_slice(data))
        else {
            return false;
        };
        match event {
            DatagramEvent::NewAssociation(association) => {
                // The first association is the transport's; a second INIT
                // (a restart or a crossing INIT) is not taken.
                if self.association.is_some() {
                    return false;
                }
                self.handle = Some(handle);
                self.association = Some(association);
                self.set_state(SctpState::Connecting);
            }
            DatagramEvent::AssociationEvent(event) => {
                if self.handle != Some(handle) {
                    return false;
                }
                if let Some(association) = self.association.as_mut() {
                    association.handle_event(event);
                }
            }
            _ => return false,
        }
        self.drive(now_ms);
        true
    }

    /// Reads what the association has for us: state, messages.
    fn drive(&mut self, now_ms: u64) {
        let Some(association) = self.association.as_mut() else {
            return;
        };
        let mut readable = Vec::new();
        let mut low = Vec::new();
        let mut state = None;
        while let Some(event) = association.poll() {
            match event {
                Event::Connected => state = Some(SctpState::Connected),
                Event::HandshakeFailed { .. } => state = Some(SctpState::Failed),
                Event::AssociationLost { .. } => state = Some(SctpState::Closed),
                Event::Stream(StreamEvent::Readable { id }) => readable.push(id),
                Event::Stream(StreamEvent::BufferedAmountLow { id }) => low.push(id),
                _ => {}
            }
        }
        for id in low {
            let buffered_amount = association
                .stream(id)
                .ok()
                .and_then(|s| s.buffered_amount().ok())
                .unwrap_or(0);
            self.events.push_back(SctpEvent::BufferedAmountLow {
                stream_id: id,
                buffered_amount,
            });
        }
        while association.accept_stream().is_some() {}
        while let Some(event) = association.poll_endpoint_event() {
            if let Some(handle) = self.handle {
                self.endpoint.handle_event(handle, event);
            }
        }
        for id in readable {
            let Ok(mut stream) = association.stream(id) else {
                continue;
            };
            while let Ok(Some(chunks)) = stream.read_sctp() {
                self.read_buf.resize(chunks.len(), 0);
                let Ok(n) = chunks.read(&mut self.read_buf) else {
                    continue;
                };
                self.events.push_back(SctpEvent::Message {
                    stream_id: id,
                    ppid: chunks.ppi as u32,
                    data: self.read_buf[..n].to_vec(),
                });
            }
        }
        if let Some(state) = state {
            self.set_state(state);
        }
        if self.state == SctpState::Connected {
            while let Some(q) = self.queued.pop_front() {
                self.queued_bytes -= q.data.len();
                let _ = self.write(now_ms, q.stream_id, q.ppid, &q.data, q.reliability);
            }
        }
    }

    /// Sends one message on `stream_id` with the stream's reliability.
    pub fn send(
        &mut self,
        now_ms: u64,
        stream_id: u16,
        ppid: u32,
        data: &[u8],
        reliability: StreamReliability,
    ) -> Result<(), SendError> {
        if data.len() > self.max_message_size {
            return Err(SendError::TooLarge);
        }
        if self.total_buffered() + data.len() > self.send_buffer_size {
            return Err(SendError::BufferFull);
        }
        match self.state {
            SctpState::Connected => {}
            // Not up yet: kept until it is (a pipe's first messages may
            // race its handshake).
            SctpState::New | SctpState::Connecting => {
                if self.queued_bytes + data.len() > MAX_QUEUED_BYTES {
                    return Err(SendError::BufferFull);
                }
                self.queued_bytes += data.len();
                self.queued.push_back(Queued {
                    stream_id,
                    ppid,
                    data: data.to_vec(),
                    reliability,
                });
                return Ok(());
            }
            SctpState::Failed | SctpState::Closed => return Err(SendError::NotConnected),
        }
        self.write(now_ms, stream_id, ppid, data, reliability)
    }

    /// Writes a message on its stream (opened on first use).
    fn write(
        &mut self,
        now_ms: u64,
        stream_id: u16,
        ppid: u32,
        data: &[u8],
        reliability: StreamReliability,
    ) -> Result<(), SendError> {
        let now = self.instant(now_ms);
        let association = self.association.as_mut().ok_or(SendError::NotConnected)?;
        let ppi = PayloadProtocolIdentifier::from(ppid);
        if association.stream(stream_id).is_err() {
            let mut stream = association
                .open_stream(stream_id, ppi)
                .map_err(|_| SendError::Failed)?;
            if let Some(th) = self.low_thresholds.get(&stream_id) {
                let _ = stream.set_buffered_amount_low_threshold(*th);
            }
        }
        let mut stream = association
            .stream(stream_id)
            .map_err(|_| SendError::Failed)?;
        let (kind, value) = match (
            reliability.max_packet_life_time,
            reliability.max_retransmits,
        ) {
            (Some(ms), _) => (ReliabilityType::Timed, u32::from(ms)),
            (None, Some(n)) => (ReliabilityType::Rexmit, u32::from(n)),
            (None, None) => (ReliabilityType::Reliable, 0),
        };
        stream
            .set_reliability_params(!reliability.ordered, kind, value)
            .map_err(|_| SendError::Failed)?;
        stream
            .write_sctp(now, &Bytes::copy_from_slice(data), ppi)
            .map_err(|_| SendError::Failed)?;
        Ok(())
    }

    /// The next SCTP packet to send, if any.
    pub fn poll_transmit(&mut self, now_ms: u64) -> Option<Vec<u8>> {
        if let Some(packet) = self.pending.pop_front() {
            return Some(packet);
        }
        let now = self.instant(now_ms);
        loop {
            let transmit = self.association.as_mut()?.poll_transmit(now)?;
            if let Payload::RawEncode(contents) = transmit.message {
                let mut out: Vec<u8> = Vec::new();
                for content in contents {
                    if out.is_empty() {
                        out = content.to_vec();
                    } else {
                        // One datagram per packet: queue the rest.
                        self.pending.push_back(content.to_vec());
                    }
                }
                if !out.is_empty() {
                    return Some(out);
                }
            }
        }
    }

    /// Bytes a stream has not yet had acknowledged (or that wait for the
    /// association).
    pub fn buffered_amount(&mut self, stream_id: u16) -> usize {
        let waiting: usize = self
            .queued
            .iter()
            .filter(|q| q.stream_id == stream_id)
            .map(|q| q.data.len())
            .sum();
        let in_flight = self
            .association
            .as_mut()
            .and_then(|a| a.stream(stream_id).ok())
            .and_then(|s| s.buffered_amount().ok())
            .unwrap_or(0);
        waiting + in_flight
    }

    /// Bytes of a stream waiting for the association to come up.
    pub fn unsent_amount(&self, stream_id: u16) -> usize {
        self.queued
            .iter()
            .filter(|q| q.stream_id == stream_id)
            .map(|q| q.data.len())
            .sum()
    }

    /// Bytes buffered over all streams.
    fn total_buffered(&mut self) -> usize {
        let in_flight: usize = match self.association.as_mut() {
            Some(association) => association
                .stream_ids()
                .into_iter()
                .filter_map(|id| association.stream(id).ok()?.buffered_amount().ok())
                .sum(),
            None => 0,
        };
        self.queued_bytes + in_flight
    }

    /// Below this, a stream reports `BufferedAmountLow`.
    pub fn set_buffered_amount_low_threshold(&mut self, stream_id: u16, threshold: usize) {
        self.low_thresholds.insert(stream_id, threshold);
        if let Some(mut stream) = self
            .association
            .as_mut()
            .and_then(|a| a.stream(stream_id).ok())
        {
            let _ = stream.set_buffered_amount_low_threshold(threshold);
        }
    }

    pub fn poll_event(&mut self) -> Option<SctpEvent> {
        self.events.pop_front()
    }

    /// The next deadline (worker ms).
    pub fn poll_timeout(&self) -> Option<u64> {
        let at = self.association.as_ref()?.poll_timeout()?;
        Some(at.saturating_duration_since(self.epoch).as_millis() as u64)
    }

    pub fn handle_timeout(&mut self, now_ms: u64) {
        let now = self.instant(now_ms);
        if let Some(association) = self.association.as_mut() {
            association.handle_timeout(now);
        }
        self.drive(now_ms);
    }

    /// The transport closed.
    pub fn close(&mut self) {
        self.set_state(SctpState::Closed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: SctpConfig = SctpConfig {
        os: 1024,
        mis: 1024,
        max_message_size: 262_144,
        send_buffer_size: 4_000_000,
    };

    const RELIABLE: StreamReliability = StreamReliability {
        ordered: true,
        max_packet_life_time: None,
        max_retransmits: None,
    };

    /// Runs both sides until nothing moves, dropping datagrams `drop` says
    /// so (by their index on the wire); returns the messages each received.
    fn pump(
        a: &mut SctpAssociation,
        b: &mut SctpAssociation,
        now: &mut u64,
        drop: &mut dyn FnMut(usize) -> bool,
        wire: &mut usize,
    ) -> (Vec<SctpEvent>, Vec<SctpEvent>) {
        let (mut ea, mut eb) = (Vec::new(), Vec::new());
        for _ in 0..10_000 {
            let mut moved = false;
            while let Some(p) = a.poll_transmit(*now) {
                moved = true;
                *wire += 1;
                if !drop(*wire) {
                    b.handle_datagram(&p, *now);
                }
            }
            while let Some(p) = b.poll_transmit(*now) {
                moved = true;
                *wire += 1;
                if !drop(*wire) {
                    a.handle_datagram(&p, *now);
                }
            }
            ea.extend(std::iter::from_fn(|| a.poll_event()));
            eb.extend(std::iter::from_fn(|| b.poll_event()));
            if !moved {
                let next = [a.poll_timeout(), b.poll_timeout()]
                    .into_iter()
                    .flatten()
                    .min();
                match next {
                    Some(t) if t < *now + 30_000 => {
                        *now = (*now + 1).max(t);
                        a.handle_timeout(*now);
                        b.handle_timeout(*now);
                    }
                    _ => break,
                }
            }
        }
        (ea, eb)
    }

    fn messages(events: &[SctpEvent]) -> Vec<(u16, u32, Vec<u8>)> {
        events
            .iter()
            .filter_map(|e| match e {
                SctpEvent::Message {
                    stream_id,
                    ppid,
                    data,
                } => Some((*stream_id, *ppid, data.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_association_forms_and_carries_messages_both_ways() {
        let (mut a, mut b) = (SctpAssociation::new(CONFIG), SctpAssociation::new(CONFIG));
        let (mut now, mut wire) = (0, 0);
        a.connect(now);
        let (ea, eb) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        assert_eq!(a.state(), SctpState::Connected);
        assert_eq!(b.state(), SctpState::Connected);
        assert!(ea.contains(&SctpEvent::StateChanged(SctpState::Connected)));
        assert!(eb.contains(&SctpEvent::StateChanged(SctpState::Connected)));

        // Ordered strings, an empty-binary PPID, a 256 KiB message, and the
        // other way round.
        for i in 0..100u32 {
            a.send(now, 1, 51, format!("m{i}").as_bytes(), RELIABLE)
                .unwrap();
        }
        let big: Vec<u8> = (0..262_144u32).map(|i| i as u8).collect();
        a.send(now, 2, 53, &big, RELIABLE).unwrap();
        b.send(now, 7, 51, b"back", RELIABLE).unwrap();
        assert_eq!(
            a.send(now, 2, 53, &vec![0; 262_145], RELIABLE),
            Err(SendError::TooLarge)
        );
        let (ea, eb) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        let got = messages(&eb);
        let strings: Vec<String> = got
            .iter()
            .filter(|m| m.0 == 1)
            .map(|m| String::from_utf8(m.2.clone()).unwrap())
            .collect();
        assert_eq!(
            strings,
            (0..100).map(|i| format!("m{i}")).collect::<Vec<_>>()
        );
        assert!(got.iter().any(|m| m.0 == 2 && m.1 == 53 && m.2 == big));
        assert_eq!(messages(&ea), vec![(7, 51, b"back".to_vec())]);
    }

    #[test]
    fn lost_packets_are_retransmitted_and_ordered_messages_stay_in_order() {
        let (mut a, mut b) = (SctpAssociation::new(CONFIG), SctpAssociation::new(CONFIG));
        let (mut now, mut wire) = (0, 0);
        a.connect(now);
        pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        for i in 0..300u32 {
            a.send(now, 3, 53, &i.to_be_bytes().repeat(300), RELIABLE)
                .unwrap();
        }
        // 5 % of the datagrams on the wire are lost (both ways), seeded.
        let mut seed = 12345u32;
        let mut lossy = |_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            seed % 100 < 5
        };
        let (_, eb) = pump(&mut a, &mut b, &mut now, &mut lossy, &mut wire);
        let got: Vec<u32> = messages(&eb)
            .iter()
            .map(|m| u32::from_be_bytes(m.2[..4].try_into().unwrap()))
            .collect();
        assert_eq!(got, (0..300).collect::<Vec<_>>());
    }

    #[test]
    fn messages_sent_before_the_handshake_wait_for_it() {
        let (mut a, mut b) = (SctpAssociation::new(CONFIG), SctpAssociation::new(CONFIG));
        let (mut now, mut wire) = (0, 0);
        // b answers; it has messages before any INIT arrived.
        b.send(now, 4, 51, b"early", RELIABLE).unwrap();
        a.connect(now);
        a.send(now, 5, 51, b"early too", RELIABLE).unwrap();
        let (ea, eb) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        assert_eq!(messages(&ea), vec![(4, 51, b"early".to_vec())]);
        assert_eq!(messages(&eb), vec![(5, 51, b"early too".to_vec())]);
    }

    #[test]
    fn buffered_amount_rises_then_falls_below_the_threshold() {
        let (mut a, mut b) = (SctpAssociation::new(CONFIG), SctpAssociation::new(CONFIG));
        let (mut now, mut wire) = (0, 0);
        a.connect(now);
        pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        a.set_buffered_amount_low_threshold(9, 1_000);
        for _ in 0..20 {
            a.send(now, 9, 53, &[5; 10_000], RELIABLE).unwrap();
        }
        assert!(a.buffered_amount(9) >= 100_000, "{}", a.buffered_amount(9));
        // The send buffer bounds what may wait.
        let mut small = SctpAssociation::new(SctpConfig {
            send_buffer_size: 25_000,
            ..CONFIG
        });
        small.send(now, 1, 53, &[0; 20_000], RELIABLE).unwrap();
        assert_eq!(
            small.send(now, 1, 53, &[0; 10_000], RELIABLE),
            Err(SendError::BufferFull)
        );
        let (ea, _) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        assert_eq!(a.buffered_amount(9), 0);
        assert!(ea.iter().any(|e| matches!(
            e,
            SctpEvent::BufferedAmountLow { stream_id: 9, buffered_amount } if *buffered_amount <= 1_000
        )));
    }

    #[test]
    fn garbage_is_dropped_and_changes_nothing() {
        let mut b = SctpAssociation::new(CONFIG);
        for junk in [
            &[][..],
            &[0u8; 3][..],
            &[0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 1, 2, 3, 4][..],
        ] {
            assert!(!b.handle_datagram(junk, 0));
        }
        assert_eq!(b.state(), SctpState::New);
        assert!(b.poll_transmit(0).is_none());
    }
}
