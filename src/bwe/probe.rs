//! Bandwidth probes: short clusters of padding packets sent at a target
//! rate above the estimate. The rate the remote received a cluster at
//! (from transport-cc feedback) is what the path can carry, which lets the
//! estimate climb in one step instead of 8 % a second.

use super::history::PacketResult;

/// A cluster lasts about this long (ms) and has at least this many packets.
const CLUSTER_MS: u64 = 20;
const MIN_PACKETS: u32 = 5;
/// Packets are spaced at least this far apart (the core's clock is ms).
const MIN_SPACING_MS: u64 = 2;
const MIN_PACKET_SIZE: u32 = 200;
/// A padding-only RTP packet: a 24-byte header with its extensions and
/// at most 255 bytes of padding.
pub const MAX_PACKET_SIZE: u32 = 24 + 255;
/// A cluster carries at least this much, and its receive rate is read
/// over its second half: a token bucket on the path lets its first bytes
/// through at line rate, which says nothing about the sustained rate.
const MIN_CLUSTER_BYTES: u64 = 4500;
const MAX_CLUSTER_PACKETS: u32 = 32;
/// Clusters whose results are being collected.
const TRACKED: usize = 4;
/// A result is read once this share of a cluster was reported received.
const MIN_RECEIVED_RATIO: f64 = 0.8;
/// A receive rate under this share of the send rate means the path is
/// full: the result is a little under the receive rate.
const SATURATED_RATIO: f64 = 0.9;
/// ...and then the estimate keeps the AIMD's back-off headroom under what
/// the path carried (a probe that filled the path measures its peak, which
/// media on top of audio and RTX cannot sustain).
const SATURATED_SHARE: f64 = 0.85;

#[derive(Clone, Copy, Debug)]
struct Sending {
    id: u16,
    size: u32,
    left: u32,
    interval_ms: u64,
    /// Packets sent together at each interval (high rates in small packets).
    burst: u32,
    burst_left: u32,
    next_ms: u64,
}

#[derive(Clone, Copy, Debug)]
struct Tracked {
    id: u16,
    bitrate: u32,
    sent: u32,
    /// Every packet of it has been sent.
    complete: bool,
    received: u32,
    bytes: u64,
    first_send_us: u64,
    last_send_us: u64,
    last_send_size: u32,
    /// (arrival µs, size) of each packet reported received.
    arrivals: [(i64, u32); MAX_CLUSTER_PACKETS as usize],
    done: bool,
}

#[derive(Default)]
pub struct Prober {
    next_id: u16,
    queue: [Option<u32>; 2],
    sending: Option<Sending>,
    tracked: [Option<Tracked>; TRACKED],
    tracked_next: usize,
    /// Results read from feedback, taken by the estimator.
    result: Option<u32>,
    /// When the last cluster started (ms).
    pub last_started_ms: Option<u64>,
}

/// A probe packet to send now: padding of `size` bytes for cluster `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbePacket {
    pub cluster: u16,
    pub size: u32,
}

impl Prober {
    /// Queues a cluster at `bitrate` (two at most wait).
    pub fn request(&mut self, bitrate: u32) {
        if let Some(slot) = self.queue.iter_mut().find(|s| s.is_none()) {
            *slot = Some(bitrate);
        }
    }

    pub fn is_idle(&self) -> bool {
        self.sending.is_none() && self.queue.iter().all(Option::is_none)
    }

    /// Waiting for the results of a cluster sent.
    pub fn awaiting_results(&self) -> bool {
        self.tracked.iter().flatten().any(|t| !t.done)
    }

    pub fn poll_timeout(&self, now_ms: u64) -> Option<u64> {
        match (&self.sending, self.queue[0]) {
            (Some(s), _) => Some(s.next_ms),
            (None, Some(_)) => Some(now_ms),
            (None, None) => None,
        }
    }

    /// The next probe packet due at `now_ms`, if any.
    pub fn poll_packet(&mut self, now_ms: u64) -> Option<ProbePacket> {
        if self.sending.is_none() {
            let bitrate = self.queue[0].take()?;
            self.queue.swap(0, 1);
            self.start(bitrate, now_ms);
        }
        let s = self.sending.as_mut()?;
        if s.next_ms > now_ms {
            return None;
        }
        let packet = ProbePacket {
            cluster: s.id,
            size: s.size,
        };
        s.left -= 1;
        s.burst_left -= 1;
        if s.burst_left == 0 {
            s.burst_left = s.burst;
            s.next_ms = now_ms + s.interval_ms;
        }
        if s.left == 0 {
            let id = s.id;
            self.sending = None;
            if let Some(t) = self.tracked_mut(id) {
                t.complete = true;
            }
        }
        Some(packet)
    }

    fn start(&mut self, bitrate: u32, now_ms: u64) {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1) & 0x7fff;
        let bytes = (u64::from(bitrate) * CLUSTER_MS / 8000).max(MIN_CLUSTER_BYTES);
        let size = (bytes / u64::from(MIN_PACKETS))
            .clamp(u64::from(MIN_PACKET_SIZE), u64::from(MAX_PACKET_SIZE))
            as u32;
        let count =
            (bytes.div_ceil(u64::from(size)) as u32).clamp(MIN_PACKETS, MAX_CLUSTER_PACKETS);
        // Spacing that yields `bitrate`, but not under the clock's grain:
        // then several packets at a time.
        let bitrate_bps = u64::from(bitrate.max(1));
        let interval_ms = (u64::from(size) * 8000)
            .div_ceil(bitrate_bps)
            .max(MIN_SPACING_MS);
        let burst = (bitrate_bps * interval_ms)
            .div_ceil(u64::from(size) * 8000)
            .max(1) as u32;
        self.sending = Some(Sending {
            id,
            burst,
            burst_left: burst,
            size,
            left: count,
            interval_ms,
            next_ms: now_ms,
        });
        self.tracked[self.tracked_next] = Some(Tracked {
            id,
            bitrate,
            sent: 0,
            complete: false,
            received: 0,
            bytes: 0,
            first_send_us: 0,
            last_send_us: 0,
            last_send_size: 0,
            arrivals: [(0, 0); MAX_CLUSTER_PACKETS as usize],
            done: false,
        });
        self.tracked_next = (self.tracked_next + 1) % TRACKED;
        self.last_started_ms = Some(now_ms);
    }

    fn tracked_mut(&mut self, id: u16) -> Option<&mut Tracked> {
        self.tracked.iter_mut().flatten().find(|t| t.id == id)
    }

    /// A probe packet went out.
    pub fn on_sent(&mut self, cluster: u16, size: u32, send_us: u64) {
        if let Some(t) = self.tracked_mut(cluster) {
            if t.sent == 0 {
                t.first_send_us = send_us;
            }
            t.sent += 1;
            t.last_send_us = send_us;
            t.last_send_size = size;
        }
    }

    /// A reported probe packet.
    pub fn on_result(&mut self, r: &PacketResult) {
        let (Some(cluster), Some(arrival)) = (r.probe_cluster, r.arrival_us) else {
            return;
        };
        let Some(t) = self.tracked_mut(cluster) else {
            return;
        };
        if t.done {
            return;
        }
        if let Some(slot) = t.arrivals.get_mut(t.received as usize) {
            *slot = (arrival, r.size);
            t.received += 1;
        }
        t.bytes += u64::from(r.size);
        if t.complete && f64::from(t.received) >= f64::from(t.sent) * MIN_RECEIVED_RATIO {
            t.done = true;
            if let Some(bps) = cluster_rate(t) {
                self.result = Some(self.result.map_or(bps, |r| r.max(bps)));
            }
        }
    }

    /// The best probe result read since the last call.
    pub fn take_result(&mut self) -> Option<u32> {
        self.result.take()
    }

    /// The bitrate the latest finished cluster aimed at.
    pub fn last_target(&self) -> Option<u32> {
        let last = (self.tracked_next + TRACKED - 1) % TRACKED;
        self.tracked[last].map(|t| t.bitrate)
    }

    /// Forgets clusters whose results never came (lost feedback).
    pub fn expire(&mut self, now_ms: u64) {
        if self
            .last_started_ms
            .is_some_and(|t| now_ms.saturating_sub(t) > 2000)
        {
            for t in self.tracked.iter_mut().flatten() {
                t.done = true;
            }
        }
    }
}

/// What a cluster measured: the lower of its send and receive rates, a
/// little under the receive rate when the path could not keep up.
fn cluster_rate(t: &Tracked) -> Option<u32> {
    let mut arrivals = t.arrivals;
    let arrivals = &mut arrivals[..t.received as usize];
    arrivals.sort_unstable_by_key(|a| a.0);
    // The second half: from the middle packet's arrival to the last's.
    let from = arrivals.len() / 2;
    let (start, _) = *arrivals.get(from)?;
    let (end, _) = *arrivals.last()?;
    let recv_us = end - start;
    let recv_bytes: u64 = arrivals[from + 1..].iter().map(|a| u64::from(a.1)).sum();
    let send_us = t.last_send_us.saturating_sub(t.first_send_us);
    if send_us == 0 || recv_us <= 0 || send_us > 2_000_000 || recv_us > 2_000_000 {
        return None;
    }
    let send_bytes = t.bytes.saturating_sub(u64::from(t.last_send_size));
    let send_bps = send_bytes as f64 * 8e6 / send_us as f64;
    let recv_bps = recv_bytes as f64 * 8e6 / recv_us as f64;
    if send_bps > 2.0 * recv_bps {
        // Too far apart to be a measurement of the path.
        return None;
    }
    let rate = if recv_bps < SATURATED_RATIO * send_bps {
        SATURATED_SHARE * recv_bps
    } else {
        send_bps.min(recv_bps)
    };
    Some(rate as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends a whole cluster, then reports it received at `link_bps`.
    fn run_cluster(p: &mut Prober, start_ms: u64, link_bps: f64) -> Vec<ProbePacket> {
        let mut sent = Vec::new();
        let mut now = start_ms;
        while sent.is_empty() || !p.is_idle() {
            while let Some(packet) = p.poll_packet(now) {
                p.on_sent(packet.cluster, packet.size, now * 1000);
                sent.push(packet);
            }
            now += 1;
            assert!(now < start_ms + 1000);
        }
        let mut arrival = 50_000i64;
        for (i, packet) in sent.iter().enumerate() {
            if i > 0 {
                arrival += (f64::from(packet.size) * 8e6 / link_bps) as i64;
            }
            p.on_result(&PacketResult {
                send_us: 0,
                size: packet.size,
                arrival_us: Some(arrival),
                probe_cluster: Some(packet.cluster),
            });
        }
        sent
    }

    #[test]
    fn a_cluster_on_a_wide_path_measures_its_own_rate() {
        let mut p = Prober::default();
        p.request(2_000_000);
        let sent = run_cluster(&mut p, 0, 10_000_000.0);
        assert!(sent.len() >= 5, "{sent:?}");
        let r = p.take_result().unwrap();
        assert!((1_500_000..2_400_000).contains(&r), "{r}");
        assert_eq!(p.take_result(), None);
    }

    #[test]
    fn a_cluster_on_a_narrow_path_measures_the_path() {
        let mut p = Prober::default();
        p.request(3_000_000);
        run_cluster(&mut p, 0, 1_000_000.0);
        // Sent ~3 Mbit/s, received at 1: more than 2x apart, no result;
        // at 2 Mbit/s the path's rate less the back-off headroom.
        assert_eq!(p.take_result(), None);
        p.request(3_000_000);
        run_cluster(&mut p, 100, 2_000_000.0);
        let r = p.take_result().unwrap();
        assert!((1_650_000..1_750_000).contains(&r), "{r}");
    }

    #[test]
    fn a_token_bucket_burst_is_not_taken_for_the_path_rate() {
        let mut p = Prober::default();
        p.request(900_000);
        let mut sent = Vec::new();
        let mut now = 0;
        while sent.is_empty() || !p.is_idle() {
            while let Some(packet) = p.poll_packet(now) {
                p.on_sent(packet.cluster, packet.size, now * 1000);
                sent.push(packet);
            }
            now += 1;
        }
        // The first 1600 bytes pass at once, the rest at 300 kbit/s.
        let (mut arrival, mut bucket) = (10_000f64, 1600i64);
        for packet in &sent {
            if bucket >= i64::from(packet.size) {
                bucket -= i64::from(packet.size);
            } else {
                arrival += f64::from(packet.size) * 8e6 / 300_000.0;
            }
            p.on_result(&PacketResult {
                send_us: 0,
                size: packet.size,
                arrival_us: Some(arrival as i64),
                probe_cluster: Some(packet.cluster),
            });
        }
        // No result (too far from what was sent), or the path's rate.
        if let Some(r) = p.take_result() {
            assert!(r <= 330_000, "{r}");
        }
    }

    #[test]
    fn lost_probes_give_no_result() {
        let mut p = Prober::default();
        p.request(1_000_000);
        let mut now = 0;
        while !p.is_idle() {
            if let Some(packet) = p.poll_packet(now) {
                p.on_sent(packet.cluster, packet.size, now * 1000);
            }
            now += 1;
        }
        p.on_result(&PacketResult {
            send_us: 0,
            size: 500,
            arrival_us: Some(1),
            probe_cluster: Some(0),
        });
        assert_eq!(p.take_result(), None);
        assert!(p.awaiting_results());
        p.expire(5000);
        assert!(!p.awaiting_results());
    }
}
