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
//!
//! Restart (RFC 9260 5.2.4): `rtc-sctp` offers an INIT that reaches an
//! established association as a new one. That one is kept aside until its
//! handshake completes and then replaces the old one (sctpState stays
//! `connected`, no event, as in mediasoup); until
//! then the old one keeps working, so INITs nobody completes (a flood)
//! cost one association at most. Every association dropped is released
//! from the endpoint, which would otherwise keep it for ever.

use bytes::Bytes;
use rtc_sctp::{
    Association, AssociationError, AssociationHandle, ClientConfig, DatagramEvent, Endpoint,
    EndpointConfig, EndpointEvent, Event, Payload, PayloadProtocolIdentifier, ReliabilityType,
    ServerConfig, StreamEvent, TransportConfig,
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

/// ABORT (RFC 9260 3.3.7).
const CT_ABORT: u8 = 6;

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

/// Datagrams an association did not take, by reason.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SctpCounters {
    /// Not an SCTP packet the endpoint could decode (too short, bad
    /// checksum, bad chunk lengths).
    pub malformed: u64,
    /// Well formed but for no association of ours (forged or stale
    /// verification tag, a non-INIT first packet).
    pub unknown_association: u64,
    /// INITs that could not start an association (a handshake in progress,
    /// or replaced by a later INIT before completing).
    pub init_refused: u64,
    /// Restarts completed.
    pub restarts: u64,
}

/// An association and its handle in the endpoint.
struct Slot {
    handle: AssociationHandle,
    association: Association,
}

/// What one pass over an association's events found.
#[derive(Default)]
struct Progress {
    connected: bool,
    handshake_failed: bool,
}

pub struct SctpAssociation {
    endpoint: Endpoint,
    transport: TransportConfig,
    /// The association (once an INIT went out or came in).
    current: Option<Slot>,
    /// A peer's restart, until its handshake completes.
    restarting: Option<Slot>,
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
    counters: SctpCounters,
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
            current: None,
            restarting: None,
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
            counters: SctpCounters::default(),
        }
    }

    fn instant(&self, now_ms: u64) -> Instant {
        self.epoch + Duration::from_millis(now_ms)
    }

    pub fn state(&self) -> SctpState {
        self.state
    }

    pub fn counters(&self) -> SctpCounters {
        self.counters
    }

    /// Associations the endpoint holds (one, two during a restart).
    pub fn associations_held(&self) -> usize {
        usize::from(self.current.is_some()) + usize::from(self.restarting.is_some())
    }

    /// Streams each way, once the handshake agreed on them.
    pub fn negotiated_streams(&self) -> Option<u16> {
        self.current.as_ref()?.association.negotiated_max_streams()
    }

    fn association_mut(&mut self) -> Option<&mut Association> {
        self.current.as_mut().map(|slot| &mut slot.association)
    }

    fn set_state(&mut self, state: SctpState) {
        if self.state != state {
            self.state = state;
            self.events.push_back(SctpEvent::StateChanged(state));
        }
    }

    /// Tells the endpoint an association is gone, so it forgets it.
    fn release(endpoint: &mut Endpoint, slot: Slot) {
        endpoint.handle_event(slot.handle, EndpointEvent::drained());
    }

    /// Sends INIT (the transport is connected and this side initiates).
    pub fn connect(&mut self, now_ms: u64) {
        if self.current.is_some() || self.state != SctpState::New {
            return;
        }
        let now = self.instant(now_ms);
        if let Ok((handle, association)) =
            self.endpoint
                .connect(now, ClientConfig::new(self.transport.clone()), PEER)
        {
            self.current = Some(Slot {
                handle,
                association,
            });
            self.set_state(SctpState::Connecting);
        }
    }

    /// An SCTP packet from the peer. Malformed ones are dropped (false).
    pub fn handle_datagram(&mut self, data: &[u8], now_ms: u64) -> bool {
        if matches!(self.state, SctpState::Closed | SctpState::Failed) {
            return false;
        }
        let now = self.instant(now_ms);
        let repaired;
        let data = match without_empty_init_params(data) {
            Some(packet) => {
                repaired = packet;
                &repaired[..]
            }
            None => data,
        };
        if !chunks_well_formed(data) {
            self.counters.malformed += 1;
            return false;
        }
        let Some((handle, event)) =
            self.endpoint
                .handle(now, PEER, None, Bytes::copy_from_slice(data))
        else {
            // Told apart only here, off the path of good packets.
            if checksum_ok(data) {
                self.counters.unknown_association += 1;
            } else {
                self.counters.malformed += 1;
            }
            return false;
        };
        match event {
            DatagramEvent::NewAssociation(association) => {
                let slot = Slot {
                    handle,
                    association,
                };
                if self.current.is_none() {
                    self.current = Some(slot);
                    self.set_state(SctpState::Connecting);
                } else if self.state == SctpState::Connected {
                    // A restart: kept aside until its handshake completes.
                    if let Some(previous) = self.restarting.replace(slot) {
                        self.counters.init_refused += 1;
                        Self::release(&mut self.endpoint, previous);
                    }
                } else {
                    // Crossing our own INIT: ours stands.
                    self.counters.init_refused += 1;
                    Self::release(&mut self.endpoint, slot);
                    return false;
                }
            }
            DatagramEvent::AssociationEvent(event) => {
                let slot = [self.current.as_mut(), self.restarting.as_mut()]
                    .into_iter()
                    .flatten()
                    .find(|slot| slot.handle == handle);
                let Some(slot) = slot else {
                    self.counters.unknown_association += 1;
                    return false;
                };
                slot.association.handle_event(event);
                // rtc-sctp closes only on an ABORT with a user-initiated
                // cause; any ABORT that reached the association (its
                // verification tag matched) ends it.
                if data[12] == CT_ABORT {
                    let _ = slot.association.close(AssociationError::AssociationClosed);
                }
            }
            _ => return false,
        }
        self.drive(now_ms);
        true
    }

    /// Reads what an association has for us: streams accepted, messages
    /// and buffered-amount events queued, endpoint events passed on.
    fn collect(
        slot: &mut Slot,
        endpoint: &mut Endpoint,
        events: &mut VecDeque<SctpEvent>,
        read_buf: &mut Vec<u8>,
    ) -> Progress {
        let association = &mut slot.association;
        let mut progress = Progress::default();
        let mut readable = Vec::new();
        let mut low = Vec::new();
        while let Some(event) = association.poll() {
            match event {
                Event::Connected => progress.connected = true,
                Event::HandshakeFailed { .. } => progress.handshake_failed = true,
                // Per stream: a stream reset by the peer, or every stream
                // when the association closes (seen from is_closed()).
                Event::AssociationLost { .. } => {}
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
            events.push_back(SctpEvent::BufferedAmountLow {
                stream_id: id,
                buffered_amount,
            });
        }
        while association.accept_stream().is_some() {}
        while let Some(event) = association.poll_endpoint_event() {
            endpoint.handle_event(slot.handle, event);
        }
        for id in readable {
            let Ok(mut stream) = association.stream(id) else {
                continue;
            };
            while let Ok(Some(chunks)) = stream.read_sctp() {
                read_buf.resize(chunks.len(), 0);
                let Ok(n) = chunks.read(read_buf) else {
                    continue;
                };
                events.push_back(SctpEvent::Message {
                    stream_id: id,
                    ppid: chunks.ppi as u32,
                    data: read_buf[..n].to_vec(),
                });
            }
        }
        progress
    }

    /// Acts on what the associations report: state, messages, a restart
    /// that completed, messages that waited for the handshake.
    fn drive(&mut self, now_ms: u64) {
        if let Some(slot) = self.restarting.as_mut() {
            let progress = Self::collect(
                slot,
                &mut self.endpoint,
                &mut self.events,
                &mut self.read_buf,
            );
            if progress.connected {
                let restarted = self.restarting.take().expect("a restart");
                if let Some(old) = self.current.replace(restarted) {
                    Self::release(&mut self.endpoint, old);
                }
                // Still `connected`: mediasoup says nothing on a restart.
                self.counters.restarts += 1;
            } else if progress.handshake_failed {
                let failed = self.restarting.take().expect("a restart");
                Self::release(&mut self.endpoint, failed);
            }
        }
        let Some(slot) = self.current.as_mut() else {
            return;
        };
        let progress = Self::collect(
            slot,
            &mut self.endpoint,
            &mut self.events,
            &mut self.read_buf,
        );
        let closed = slot.association.is_closed();
        if progress.handshake_failed {
            self.set_state(SctpState::Failed);
        } else if closed && self.state == SctpState::Connected {
            // Aborted, shut down or lost: mediasoup says `closed` for each.
            // (An answering association reads as closed until the
            // handshake completes, so only a connected one can close.)
            self.set_state(SctpState::Closed);
        } else if progress.connected {
            self.set_state(SctpState::Connected);
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

    /// Writes a message on its stream (opened on first use, or again after
    /// the peer reset it).
    fn write(
        &mut self,
        now_ms: u64,
        stream_id: u16,
        ppid: u32,
        data: &[u8],
        reliability: StreamReliability,
    ) -> Result<(), SendError> {
        let now = self.instant(now_ms);
        let threshold = self.low_thresholds.get(&stream_id).copied();
        let association = self.association_mut().ok_or(SendError::NotConnected)?;
        let ppi = PayloadProtocolIdentifier::from(ppid);
        if association.stream(stream_id).is_err() {
            let mut stream = association
                .open_stream(stream_id, ppi)
                .map_err(|_| SendError::Failed)?;
            if let Some(th) = threshold {
                let _ = stream.set_buffered_amount_low_threshold(th);
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

    /// The next SCTP packet to send, if any (the association's, then a
    /// restart's handshake).
    pub fn poll_transmit(&mut self, now_ms: u64) -> Option<Vec<u8>> {
        if let Some(packet) = self.pending.pop_front() {
            return Some(packet);
        }
        let now = self.instant(now_ms);
        for slot in [self.current.as_mut(), self.restarting.as_mut()]
            .into_iter()
            .flatten()
        {
            while let Some(transmit) = slot.association.poll_transmit(now) {
                let Payload::RawEncode(contents) = transmit.message else {
                    continue;
                };
                let mut contents = contents.into_iter();
                let Some(first) = contents.next() else {
                    continue;
                };
                // One datagram per packet: queue the rest.
                self.pending.extend(contents.map(|c| c.to_vec()));
                return Some(first.to_vec());
            }
        }
        None
    }

    /// Bytes a stream has not yet had acknowledged (or that wait for the
    /// association).
    pub fn buffered_amount(&mut self, stream_id: u16) -> usize {
        let in_flight = self
            .association_mut()
            .and_then(|a| a.stream(stream_id).ok())
            .and_then(|s| s.buffered_amount().ok())
            .unwrap_or(0);
        self.unsent_amount(stream_id) + in_flight
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
        let in_flight: usize = match self.association_mut() {
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
            .association_mut()
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
        [self.current.as_ref(), self.restarting.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|slot| slot.association.poll_timeout())
            .min()
            .map(|at| at.saturating_duration_since(self.epoch).as_millis() as u64)
    }

    pub fn handle_timeout(&mut self, now_ms: u64) {
        let now = self.instant(now_ms);
        for slot in [self.current.as_mut(), self.restarting.as_mut()]
            .into_iter()
            .flatten()
        {
            slot.association.handle_timeout(now);
        }
        self.drive(now_ms);
    }

    /// The transport closed.
    pub fn close(&mut self) {
        self.set_state(SctpState::Closed);
    }
}

/// An INIT or INIT ACK rewritten without its empty (header-only)
/// parameters; None when it has none or is something else.
///
/// `rtc-sctp` 0.21 drops an INIT / INIT ACK whose last parameter is a bare
/// 4-byte header: it stops reading parameters with 4 bytes left and then
/// takes them for a chunk. usrsctp (mediasoup) ends both with
/// Forward-TSN-Supported (0xC000, no value), which it also lists in
/// Supported Extensions, so nothing is lost by leaving it out.
fn without_empty_init_params(data: &[u8]) -> Option<Vec<u8>> {
    const CT_INIT: u8 = 1;
    const CT_INIT_ACK: u8 = 2;
    // Common header (12) + chunk header (4) + the fixed INIT fields (16).
    const PARAMS_AT: usize = 32;
    if !matches!(data.get(12), Some(&(CT_INIT | CT_INIT_ACK))) || data.len() < PARAMS_AT {
        return None;
    }
    let chunk_end = 12 + usize::from(u16::from_be_bytes([data[14], data[15]]));
    if chunk_end > data.len() {
        return None;
    }
    // Find the last parameter, and where the one before it ends.
    let (mut at, mut kept_end) = (PARAMS_AT, PARAMS_AT);
    let mut last = None;
    while at + 4 <= chunk_end {
        let length = usize::from(u16::from_be_bytes([data[at + 2], data[at + 3]]));
        if length < 4 || at + length > chunk_end {
            return None;
        }
        if let Some((_, end)) = last {
            kept_end = end;
        }
        last = Some((at, at + length));
        at += length.next_multiple_of(4);
    }
    let (last_start, last_end) = last?;
    if last_end - last_start != 4 || last_end != chunk_end {
        return None;
    }
    // The chunk now ends where the parameter before it did (unpadded),
    // padded to 4 as the packet must be.
    let mut out = data[..kept_end].to_vec();
    let chunk_length = (kept_end - 12) as u16;
    out[14..16].copy_from_slice(&chunk_length.to_be_bytes());
    out.resize(kept_end.next_multiple_of(4), 0);
    // Chunks after the INIT (none in practice) stay as they were.
    out.extend_from_slice(&data[chunk_end.next_multiple_of(4).min(data.len())..]);
    out[8..12].fill(0);
    let crc = crc32c::crc32c(&out);
    out[8..12].copy_from_slice(&crc.to_le_bytes());
    Some(out)
}

/// Whether a packet has a common header and chunks whose lengths add up
/// (RFC 9260 3.2: each at least 4 bytes, padded to 4, within the packet).
fn chunks_well_formed(data: &[u8]) -> bool {
    let mut offset = 12;
    if data.len() < offset + 4 {
        return false;
    }
    while offset < data.len() {
        let Some(header) = data.get(offset..offset + 4) else {
            return false;
        };
        let length = usize::from(u16::from_be_bytes([header[2], header[3]]));
        if length < 4 || offset + length > data.len() {
            return false;
        }
        offset += length.next_multiple_of(4);
    }
    true
}

/// Whether the CRC-32c in the common header matches the packet (RFC 9260
/// appendix B: computed with the checksum field as zero).
fn checksum_ok(data: &[u8]) -> bool {
    if data.len() < 12 {
        return false;
    }
    let theirs = u32::from_le_bytes([data[8], data[9], data[10], data[11]]);
    let crc = crc32c::crc32c(&data[..8]);
    let crc = crc32c::crc32c_append(crc, &[0; 4]);
    crc32c::crc32c_append(crc, &data[12..]) == theirs
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

    /// A connected pair.
    fn connected_pair(now: &mut u64, wire: &mut usize) -> (SctpAssociation, SctpAssociation) {
        let (mut a, mut b) = (SctpAssociation::new(CONFIG), SctpAssociation::new(CONFIG));
        a.connect(*now);
        pump(&mut a, &mut b, now, &mut |_| false, wire);
        assert_eq!(b.state(), SctpState::Connected);
        (a, b)
    }

    fn states(events: &[SctpEvent]) -> Vec<SctpState> {
        events
            .iter()
            .filter_map(|e| match e {
                SctpEvent::StateChanged(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    /// Rewrites a packet's verification tag and fixes its checksum.
    fn with_tag(packet: &[u8], tag: u32) -> Vec<u8> {
        let mut p = packet.to_vec();
        p[4..8].copy_from_slice(&tag.to_be_bytes());
        p[8..12].fill(0);
        let crc = crc32c::crc32c(&p);
        p[8..12].copy_from_slice(&crc.to_le_bytes());
        p
    }

    #[test]
    fn an_abort_from_the_peer_closes_the_association() {
        let (mut now, mut wire) = (0, 0);
        let (mut a, mut b) = connected_pair(&mut now, &mut wire);
        a.current.as_mut().unwrap().association.abort().unwrap();
        let (_, eb) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        assert_eq!(states(&eb), vec![SctpState::Closed]);
        assert_eq!(
            b.send(now, 1, 51, b"x", RELIABLE),
            Err(SendError::NotConnected)
        );
    }

    #[test]
    fn a_graceful_shutdown_from_the_peer_closes_the_association() {
        let (mut now, mut wire) = (0, 0);
        let (mut a, mut b) = connected_pair(&mut now, &mut wire);
        a.current.as_mut().unwrap().association.shutdown().unwrap();
        let (_, eb) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        assert_eq!(states(&eb), vec![SctpState::Closed]);
    }

    #[test]
    fn a_stream_reset_by_the_peer_leaves_the_association_up() {
        let (mut now, mut wire) = (0, 0);
        let (mut a, mut b) = connected_pair(&mut now, &mut wire);
        a.send(now, 3, 51, b"before", RELIABLE).unwrap();
        b.send(now, 3, 51, b"to a", RELIABLE).unwrap();
        pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        // The browser closes its DataChannel on stream 3.
        let at = a.instant(now);
        a.association_mut()
            .unwrap()
            .stream(3)
            .unwrap()
            .close(at)
            .unwrap();
        let (_, eb) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        assert!(states(&eb).is_empty(), "{eb:?}");
        assert_eq!(b.state(), SctpState::Connected);
        // Other streams, and the same stream opened anew, still carry.
        b.send(now, 4, 51, b"still", RELIABLE).unwrap();
        b.send(now, 3, 51, b"again", RELIABLE).unwrap();
        let (ea, _) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        let got = messages(&ea);
        assert!(got.contains(&(4, 51, b"still".to_vec())), "{got:?}");
        assert!(got.contains(&(3, 51, b"again".to_vec())), "{got:?}");
    }

    #[test]
    fn a_peer_that_restarts_gets_a_new_association_and_the_old_one_is_released() {
        let (mut now, mut wire) = (0, 0);
        let (a, mut b) = connected_pair(&mut now, &mut wire);
        // The peer lost its state and starts over with an INIT.
        let mut a2 = SctpAssociation::new(CONFIG);
        a2.connect(now);
        let (e2, eb) = pump(&mut a2, &mut b, &mut now, &mut |_| false, &mut wire);
        assert_eq!(
            states(&e2),
            vec![SctpState::Connecting, SctpState::Connected]
        );
        assert!(states(&eb).is_empty(), "{eb:?}");
        assert_eq!(b.counters().restarts, 1);
        assert_eq!(b.associations_held(), 1);
        b.send(now, 1, 51, b"after restart", RELIABLE).unwrap();
        a2.send(now, 2, 51, b"hello again", RELIABLE).unwrap();
        let (e2, eb) = pump(&mut a2, &mut b, &mut now, &mut |_| false, &mut wire);
        assert_eq!(messages(&e2), vec![(1, 51, b"after restart".to_vec())]);
        assert_eq!(messages(&eb), vec![(2, 51, b"hello again".to_vec())]);
        drop(a);
    }

    #[test]
    fn an_init_flood_costs_one_association_and_the_real_one_keeps_working() {
        let (mut now, mut wire) = (0, 0);
        let (mut a, mut b) = connected_pair(&mut now, &mut wire);
        for _ in 0..2_000 {
            let mut attacker = SctpAssociation::new(CONFIG);
            attacker.connect(now);
            let init = attacker.poll_transmit(now).unwrap();
            assert!(b.handle_datagram(&init, now));
            // b answers with an INIT ACK nobody completes.
            while b.poll_transmit(now).is_some() {}
            assert!(b.associations_held() <= 2);
        }
        assert_eq!(b.counters().init_refused, 1_999);
        assert_eq!(b.state(), SctpState::Connected);
        a.send(now, 1, 51, b"through the flood", RELIABLE).unwrap();
        let (_, eb) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        assert!(messages(&eb).contains(&(1, 51, b"through the flood".to_vec())));
        assert!(states(&eb).is_empty(), "{eb:?}");
    }

    #[test]
    fn malformed_and_forged_packets_are_counted_and_dropped() {
        let (mut now, mut wire) = (0, 0);
        let (mut a, mut b) = connected_pair(&mut now, &mut wire);
        a.send(now, 1, 51, b"real", RELIABLE).unwrap();
        let real = a.poll_transmit(now).unwrap();

        let mut bad_checksum = real.clone();
        bad_checksum[8] ^= 0xff;
        let mut bad_length = real.clone();
        bad_length[14..16].copy_from_slice(&4000u16.to_be_bytes());
        let mut short_chunk = real.clone();
        short_chunk[14..16].copy_from_slice(&2u16.to_be_bytes());
        for packet in [
            &bad_checksum,
            &bad_length,
            &short_chunk,
            &real[..10].to_vec(),
        ] {
            assert!(!b.handle_datagram(packet, now));
        }
        assert_eq!(b.counters().malformed, 4);

        let forged = with_tag(&real, 0xdead_beef);
        assert!(!b.handle_datagram(&forged, now));
        assert_eq!(b.counters().unknown_association, 1);
        assert!(messages(&std::iter::from_fn(|| b.poll_event()).collect::<Vec<_>>()).is_empty());

        // The real packet still counts.
        assert!(b.handle_datagram(&real, now));
        let (_, eb) = pump(&mut a, &mut b, &mut now, &mut |_| false, &mut wire);
        assert!(eb.is_empty() || states(&eb).is_empty());
        assert_eq!(b.state(), SctpState::Connected);
    }

    /// The INIT mediasoup 3.27.1's PlainTransport sends (usrsctp): it ends
    /// with an empty Forward-TSN-Supported parameter (c000 0004).
    const MEDIASOUP_INIT: &str = "1388138800000000d539d311010000202745f50e00500000\
                                  ffffffff6286de9c8008000882c040c2c0000004";

    #[test]
    fn an_init_from_usrsctp_is_answered() {
        let init: Vec<u8> = (0..MEDIASOUP_INIT.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&MEDIASOUP_INIT[i..i + 2], 16).unwrap())
            .collect();
        assert!(checksum_ok(&init));
        let repaired = without_empty_init_params(&init).unwrap();
        assert_eq!(repaired.len(), init.len() - 4);
        assert!(checksum_ok(&repaired));
        assert!(chunks_well_formed(&repaired));
        // A packet without an empty last parameter is left alone: werift's
        // INIT has one in the middle, which rtc-sctp reads.
        assert_eq!(without_empty_init_params(&repaired), None);
        let werift_init = "1388138800000000ca35efb50100001e93948ea400100000\
                           fffffffff67536eec000000480080006c0820000";
        let werift_init: Vec<u8> = (0..werift_init.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&werift_init[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(without_empty_init_params(&werift_init), None);

        let mut b = SctpAssociation::new(CONFIG);
        assert!(b.handle_datagram(&init, 0));
        let answer = b.poll_transmit(0).expect("an INIT ACK");
        assert_eq!(answer[12], 2);
        assert_eq!(&answer[4..8], &init[16..20], "to the INIT's initiate tag");
    }
}
