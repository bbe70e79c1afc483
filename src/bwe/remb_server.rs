//! Receive-side estimation for senders that take REMB instead of
//! transport-cc feedback (mediasoup's REMB tccServer, which runs libwebrtc's
//! RemoteBitrateEstimatorAbsSendTime), sans-IO: each received packet goes
//! in with its arrival time and abs-send-time; the estimate to send in a
//! REMB comes out when one is due (every 200 ms to 1 s, and at once on
//! overuse or a probe result).
//!
//! - The delay signal: the same trendline detector as the send side, over
//!   groups of packets by the sender's abs-send-time.
//! - The rate: AIMD on the incoming bitrate (1 s window). The estimate is
//!   valid 5 s after the incoming rate is first known, at the first
//!   overuse, or at once when the sender's start-up probes are seen (the
//!   first 2 s: clusters of evenly spaced packets over 200 bytes).

use super::rate_control::{AckedBitrate, Aimd};
use super::trendline::{Trendline, Usage};

/// The incoming bitrate is measured over this window (µs).
const INCOMING_WINDOW_US: i64 = 1_000_000;
/// Without overuse or probes, the estimate starts from the incoming
/// bitrate this long after that is first known (ms).
const INITIALIZATION_MS: u64 = 5000;
/// Probe clusters are looked for this long after the first packet (ms),
/// and until the estimate is valid.
const INITIAL_PROBING_MS: u64 = 2000;
/// Senders pace only packets above this size (bytes of payload).
const MIN_PROBE_PAYLOAD: usize = 200;
/// Probe packets kept for cluster detection.
const MAX_PROBES: usize = 15;
const MIN_CLUSTER_SIZE: u32 = 4;
/// A packet joins a cluster when its send spacing is within this of the
/// cluster's mean spacing (ms).
const MAX_CLUSTER_DELTA_MS: f64 = 2.5;
/// After this many clusters the probes are forgotten.
const EXPECTED_CLUSTERS: usize = 3;
/// A stream unseen this long leaves the REMB's SSRC list (ms).
const STREAM_TIMEOUT_MS: u64 = 2000;
/// REMBs take at most this share of the estimate, with a REMB of this
/// size (bits), but come at least every MAX and at most every MIN ms.
const REMB_SHARE: f64 = 0.05;
const REMB_BITS: f64 = 80.0 * 8.0;
const MIN_FEEDBACK_MS: u64 = 200;
const MAX_FEEDBACK_MS: u64 = 1000;
/// While overusing, a further cut comes this soon (ms) — about an RTT.
const REDUCE_FURTHER_MS: u64 = 200;

/// abs-send-time (6.18 fixed-point seconds, 24 bits: wraps every 64 s)
/// unwrapped onto a µs timeline.
#[derive(Default)]
struct AbsSendTimeClock {
    last: Option<u32>,
    /// 2^-18 s units, started 2^24 up so a late packet stays positive.
    units: u64,
}

impl AbsSendTimeClock {
    fn unwrap_us(&mut self, raw: u32) -> u64 {
        let raw = raw & 0xff_ffff;
        let units = match self.last {
            None => {
                self.last = Some(raw);
                self.units = (1 << 24) + u64::from(raw);
                self.units
            }
            Some(last) => {
                let forward = raw.wrapping_sub(last) & 0xff_ffff;
                if forward < 1 << 23 {
                    self.last = Some(raw);
                    self.units += u64::from(forward);
                    self.units
                } else {
                    // Sent before the last one (reordered).
                    self.units - u64::from((1 << 24) - forward)
                }
            }
        };
        (units * 1_000_000) >> 18
    }
}

#[derive(Clone, Copy, Default)]
struct ProbePacket {
    send_ms: f64,
    recv_ms: f64,
    size: usize,
}

#[derive(Clone, Copy, Default)]
struct Cluster {
    send_mean_ms: f64,
    recv_mean_ms: f64,
    mean_size: f64,
    count: u32,
    above_min_delta: u32,
}

impl Cluster {
    fn send_bps(&self) -> f64 {
        self.mean_size * 8.0 * 1000.0 / self.send_mean_ms
    }

    fn recv_bps(&self) -> f64 {
        self.mean_size * 8.0 * 1000.0 / self.recv_mean_ms
    }

    fn accepts(&self, send_delta_ms: f64) -> bool {
        self.count == 0
            || (send_delta_ms - self.send_mean_ms / f64::from(self.count)).abs()
                <= MAX_CLUSTER_DELTA_MS
    }

    /// Means from the sums; None when too small to be a cluster.
    fn finished(mut self) -> Option<Cluster> {
        if self.count < MIN_CLUSTER_SIZE || self.send_mean_ms <= 0.0 || self.recv_mean_ms <= 0.0 {
            return None;
        }
        let n = f64::from(self.count);
        self.send_mean_ms /= n;
        self.recv_mean_ms /= n;
        self.mean_size /= n;
        Some(self)
    }
}

pub struct RembServer {
    clock: AbsSendTimeClock,
    trendline: Trendline,
    aimd: Aimd,
    incoming: AckedBitrate,
    valid: bool,
    first_packet_ms: Option<u64>,
    first_incoming_ms: Option<u64>,
    last_update_ms: Option<u64>,
    probes: [ProbePacket; MAX_PROBES],
    probes_len: usize,
    /// (ssrc, last seen ms) of the streams the REMB is about.
    ssrcs: Vec<(u32, u64)>,
    /// An estimate to send in a REMB.
    due: Option<u32>,
}

impl Default for RembServer {
    fn default() -> Self {
        RembServer {
            clock: AbsSendTimeClock::default(),
            trendline: Trendline::default(),
            aimd: Aimd::new(0),
            incoming: AckedBitrate::with_window(INCOMING_WINDOW_US),
            valid: false,
            first_packet_ms: None,
            first_incoming_ms: None,
            last_update_ms: None,
            probes: [ProbePacket::default(); MAX_PROBES],
            probes_len: 0,
            ssrcs: Vec::with_capacity(8),
            due: None,
        }
    }
}

impl RembServer {
    /// The estimate (bps); 0 until it is valid (mediasoup's
    /// `availableIncomingBitrate`).
    pub fn available_bitrate(&self) -> u32 {
        if self.valid {
            self.aimd.bitrate()
        } else {
            0
        }
    }

    /// The SSRCs of the streams received lately (a REMB lists them).
    pub fn ssrcs(&self) -> impl Iterator<Item = u32> + '_ {
        self.ssrcs.iter().map(|(ssrc, _)| *ssrc)
    }

    /// An estimate to send now in a REMB, if one is due.
    pub fn take_remb(&mut self) -> Option<u32> {
        self.due.take()
    }

    /// One received RTP packet with an abs-send-time extension.
    pub fn on_packet(
        &mut self,
        arrival_us: u64,
        payload_len: usize,
        ssrc: u32,
        abs_send_time: u32,
    ) {
        let now_ms = arrival_us / 1000;
        let send_us = self.clock.unwrap_us(abs_send_time);
        let arrival = arrival_us as i64;
        self.incoming.on_acked(arrival, payload_len as u32);
        let incoming = self.incoming.bitrate();
        if incoming.is_some() {
            self.first_incoming_ms.get_or_insert(now_ms);
        }
        let first_packet_ms = *self.first_packet_ms.get_or_insert(now_ms);
        self.track_stream(ssrc, now_ms);

        let mut update = false;
        if payload_len > MIN_PROBE_PAYLOAD
            && (!self.valid || now_ms.saturating_sub(first_packet_ms) < INITIAL_PROBING_MS)
        {
            update = self.on_probe(
                send_us as f64 / 1000.0,
                arrival_us as f64 / 1000.0,
                payload_len,
                now_ms,
            );
        }
        self.trendline.on_packet(send_us, arrival);
        let usage = self.trendline.usage();

        if !update {
            let since_update = self.last_update_ms.map(|t| now_ms.saturating_sub(t));
            update = match since_update {
                None => true,
                Some(since) if since > self.feedback_interval_ms() => true,
                Some(since) => {
                    usage == Usage::Overusing
                        && incoming.is_some_and(|rate| {
                            since >= REDUCE_FURTHER_MS
                                || f64::from(rate) < 0.5 * f64::from(self.aimd.bitrate())
                        })
                }
            };
        }
        if !update {
            return;
        }
        if !self.valid {
            let settled = self
                .first_incoming_ms
                .is_some_and(|t| now_ms.saturating_sub(t) >= INITIALIZATION_MS);
            match incoming {
                Some(rate) if settled || usage == Usage::Overusing => {
                    self.aimd.set_estimate(rate, now_ms);
                    self.valid = true;
                }
                _ => return,
            }
        }
        let bitrate = self.aimd.update(usage, incoming, false, now_ms);
        self.last_update_ms = Some(now_ms);
        self.due = Some(bitrate);
    }

    /// REMBs cost at most 5 % of the estimate, between 200 ms and 1 s apart.
    fn feedback_interval_ms(&self) -> u64 {
        let bitrate = f64::from(self.aimd.bitrate().max(1));
        ((REMB_BITS / (REMB_SHARE * bitrate) * 1000.0) as u64)
            .clamp(MIN_FEEDBACK_MS, MAX_FEEDBACK_MS)
    }

    fn track_stream(&mut self, ssrc: u32, now_ms: u64) {
        self.ssrcs
            .retain(|(_, seen)| now_ms.saturating_sub(*seen) <= STREAM_TIMEOUT_MS);
        if self.ssrcs.is_empty() {
            // After a silence the old delay history says nothing.
            self.trendline = Trendline::default();
        }
        match self.ssrcs.iter_mut().find(|(s, _)| *s == ssrc) {
            Some(entry) => entry.1 = now_ms,
            None => self.ssrcs.push((ssrc, now_ms)),
        }
    }

    /// A packet that may belong to a start-up probe; true when the
    /// clusters so far lifted the estimate.
    fn on_probe(&mut self, send_ms: f64, recv_ms: f64, size: usize, now_ms: u64) -> bool {
        if self.probes_len == MAX_PROBES {
            self.probes.copy_within(1.., 0);
            self.probes_len -= 1;
        }
        self.probes[self.probes_len] = ProbePacket {
            send_ms,
            recv_ms,
            size,
        };
        self.probes_len += 1;
        let (best, clusters) = self.best_probe();
        if clusters >= EXPECTED_CLUSTERS {
            self.probes_len = 0;
        }
        match best {
            Some(bps) if !self.valid || bps > self.aimd.bitrate() => {
                self.aimd.set_estimate(bps, now_ms);
                self.valid = true;
                true
            }
            _ => false,
        }
    }

    /// The best rate a cluster of the kept probes got through at, and how
    /// many clusters there were.
    fn best_probe(&self) -> (Option<u32>, usize) {
        let probes = &self.probes[..self.probes_len];
        let mut clusters = 0;
        let mut best: Option<u32> = None;
        let mut current = Cluster::default();
        let mut failed = false;
        let mut consider = |cluster: Cluster, best: &mut Option<u32>| {
            clusters += 1;
            if failed {
                return;
            }
            let in_step = cluster.recv_mean_ms - cluster.send_mean_ms <= 2.0
                && cluster.send_mean_ms - cluster.recv_mean_ms <= 5.0;
            if cluster.above_min_delta > cluster.count / 2 && in_step {
                let bps = cluster.send_bps().min(cluster.recv_bps()) as u32;
                if best.is_none_or(|b| bps > b) {
                    *best = Some(bps);
                }
            } else {
                // Received slower than sent: later clusters say no more.
                failed = true;
            }
        };
        for pair in probes.windows(2) {
            let send_delta = pair[1].send_ms - pair[0].send_ms;
            let recv_delta = pair[1].recv_ms - pair[0].recv_ms;
            if send_delta >= 1.0 && recv_delta >= 1.0 {
                current.above_min_delta += 1;
            }
            if !current.accepts(send_delta) {
                if let Some(done) = current.finished() {
                    consider(done, &mut best);
                }
                current = Cluster::default();
            }
            current.send_mean_ms += send_delta;
            current.recv_mean_ms += recv_delta;
            current.mean_size += pair[1].size as f64;
            current.count += 1;
        }
        if let Some(done) = current.finished() {
            consider(done, &mut best);
        }
        (best, clusters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// abs-send-time of `us` (6.18 fixed point, 24 bits).
    fn ast(us: u64) -> u32 {
        (((us << 18) / 1_000_000) & 0xff_ffff) as u32
    }

    /// A sender at `send_bps` in packets of `size` bytes through a link of
    /// `link_bps` (a queue, no loss), for `ms` from `*now_us`; returns the
    /// REMBs sent (ms, bitrate).
    fn run(
        server: &mut RembServer,
        (now_us, link_busy_us): (&mut u64, &mut u64),
        size: u64,
        (send_bps, link_bps): (u64, u64),
        ms: u64,
    ) -> Vec<(u64, u32)> {
        let spacing_us = size * 8 * 1_000_000 / send_bps;
        let end = *now_us + ms * 1000;
        let mut rembs = Vec::new();
        while *now_us < end {
            let start = (*link_busy_us).max(*now_us);
            *link_busy_us = start + size * 8 * 1_000_000 / link_bps;
            let arrival = *link_busy_us + 20_000;
            server.on_packet(arrival, size as usize, 0x1234, ast(*now_us));
            if let Some(bps) = server.take_remb() {
                rembs.push((arrival / 1000, bps));
            }
            *now_us += spacing_us;
        }
        rembs
    }

    #[test]
    fn abs_send_time_unwraps_across_its_64_s_wrap_and_reordering() {
        let mut clock = AbsSendTimeClock::default();
        let base = clock.unwrap_us(ast(63_900_000));
        // 200 ms later, past the wrap.
        let after = clock.unwrap_us(ast(64_100_000));
        assert!((after - base).abs_diff(200_000) < 10, "{}", after - base);
        // A packet sent 50 ms before the last one.
        let late = clock.unwrap_us(ast(64_050_000));
        assert!((after - late).abs_diff(50_000) < 10);
    }

    #[test]
    fn without_probes_valid_after_five_seconds_then_remb_every_200_ms_to_1_s() {
        let mut server = RembServer::default();
        let (mut now, mut busy) = (1_000_000u64, 0u64);
        // Packets too small to be taken for a paced probe.
        let early = run(
            &mut server,
            (&mut now, &mut busy),
            180,
            (500_000, 10_000_000),
            4_000,
        );
        assert!(early.is_empty(), "{early:?}");
        assert_eq!(server.available_bitrate(), 0);
        let rembs = run(
            &mut server,
            (&mut now, &mut busy),
            180,
            (500_000, 10_000_000),
            6_000,
        );
        assert!(rembs.len() >= 5, "{rembs:?}");
        let gaps: Vec<u64> = rembs.windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(gaps.iter().all(|g| (200..=1020).contains(g)), "{gaps:?}");
        // Grows from what arrives, never far over it (1.5x + 10 kbit/s).
        let last = rembs.last().unwrap().1;
        assert!((500_000..=760_000).contains(&last), "{last}");
        assert_eq!(server.available_bitrate(), last);
        assert_eq!(server.ssrcs().collect::<Vec<_>>(), vec![0x1234]);
    }

    #[test]
    fn paced_media_at_the_start_counts_as_a_probe() {
        let mut server = RembServer::default();
        let (mut now, mut busy) = (1_000_000u64, 0u64);
        let rembs = run(
            &mut server,
            (&mut now, &mut busy),
            1000,
            (500_000, 10_000_000),
            300,
        );
        let first = rembs.first().expect("a REMB within 300 ms");
        assert!((450_000..=550_000).contains(&first.1), "{rembs:?}");
    }

    #[test]
    fn a_sender_over_the_link_gets_a_lower_estimate_at_once() {
        let mut server = RembServer::default();
        let (mut now, mut busy) = (1_000_000u64, 0u64);
        run(
            &mut server,
            (&mut now, &mut busy),
            1000,
            (800_000, 10_000_000),
            6_000,
        );
        assert!(server.available_bitrate() >= 800_000);
        // The path narrows to 400 kbit/s: its queue grows.
        let rembs = run(
            &mut server,
            (&mut now, &mut busy),
            1000,
            (800_000, 400_000),
            1_500,
        );
        let low = rembs.iter().map(|r| r.1).min().unwrap();
        assert!(low <= 400_000, "{rembs:?}");
    }

    #[test]
    fn start_up_probes_make_the_estimate_valid_at_once() {
        let mut server = RembServer::default();
        let start = 1_000_000u64;
        // Three clusters of 6 packets of 1200 bytes, 4 ms apart (2.4 Mbit/s),
        // 100 ms apart, over a wide path.
        for cluster in 0..3u64 {
            for i in 0..6u64 {
                let send = start + cluster * 100_000 + i * 4000;
                server.on_packet(send + 30_000, 1200, 0x55, ast(send));
            }
        }
        let bps = server.available_bitrate();
        assert!((2_000_000..=2_500_000).contains(&bps), "{bps}");
        assert!(server.take_remb().is_some());
    }

    #[test]
    fn probes_squeezed_by_the_path_give_no_result() {
        let mut server = RembServer::default();
        let start = 1_000_000u64;
        // Sent 4 ms apart, received 10 ms apart (a narrower path).
        for i in 0..8u64 {
            let send = start + i * 4000;
            server.on_packet(start + 30_000 + i * 10_000, 1200, 0x55, ast(send));
        }
        assert_eq!(server.available_bitrate(), 0);
    }

    #[test]
    fn silent_streams_leave_the_ssrc_list() {
        let mut server = RembServer::default();
        server.on_packet(1_000_000, 100, 1, ast(0));
        server.on_packet(1_500_000, 100, 2, ast(500_000));
        assert_eq!(server.ssrcs().count(), 2);
        server.on_packet(3_200_000, 100, 2, ast(2_200_000));
        assert_eq!(server.ssrcs().collect::<Vec<_>>(), vec![2]);
    }
}
