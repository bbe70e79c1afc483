//! The estimator against a simulated bottleneck, in virtual time: a sender
//! paced at the available bitrate (up to what it wants) plus probes, a
//! link with a rate and a queue, and transport-cc feedback every 100 ms.

use super::*;
use crate::rtcp::{iter_compound, write_transport_cc, RtcpPacket};

struct Link {
    capacity_bps: f64,
    /// When the link finishes sending what is queued (µs).
    busy_until_us: f64,
    base_delay_us: f64,
    /// A packet waiting longer than this is dropped (tail drop).
    max_queue_us: f64,
}

impl Link {
    fn new(capacity_bps: f64) -> Self {
        Link {
            capacity_bps,
            busy_until_us: 0.0,
            base_delay_us: 20_000.0,
            max_queue_us: 300_000.0,
        }
    }

    /// Arrival time of a packet sent at `send_us`, None if dropped.
    fn carry(&mut self, send_us: f64, size: u32) -> Option<f64> {
        let start = self.busy_until_us.max(send_us);
        if start - send_us > self.max_queue_us {
            return None;
        }
        self.busy_until_us = start + f64::from(size) * 8e6 / self.capacity_bps;
        Some(self.busy_until_us + self.base_delay_us)
    }
}

struct Sim {
    bwe: SendSideBwe,
    link: Link,
    now_ms: u64,
    seq: u16,
    /// (seq, arrival µs) not reported yet.
    pending: Vec<(u16, Option<f64>)>,
    next_feedback_ms: u64,
    /// Media credit (bits) at the paced rate.
    credit: f64,
    desired: u32,
    /// What the sender has to send at most (a consumer on a low layer):
    /// under the estimate it is application-limited.
    app_rate: u32,
    events: Vec<(u64, BweInfo)>,
    media_bits: f64,
    /// Feedback (and the event it may bring) is handled before due timers
    /// in the same millisecond, as the core does with a datagram that
    /// arrives with the timer.
    feedback_first: bool,
}

impl Sim {
    fn new(capacity_bps: f64, start: u32, desired: u32) -> Self {
        let mut bwe = SendSideBwe::new(BweType::TransportCc, start, 0);
        bwe.set_desired_bitrate(desired, 0);
        Sim {
            bwe,
            link: Link::new(capacity_bps),
            now_ms: 0,
            seq: 0,
            pending: Vec::new(),
            next_feedback_ms: 100,
            credit: 0.0,
            desired,
            app_rate: u32::MAX,
            events: Vec::new(),
            media_bits: 0.0,
            feedback_first: false,
        }
    }

    fn send(&mut self, size: u32, probe: Option<u16>) {
        self.seq = self.seq.wrapping_add(1);
        let send_us = self.now_ms * 1000;
        self.bwe.on_sent(self.seq, size as usize, send_us, probe);
        let arrival = self.link.carry(send_us as f64, size);
        self.pending.push((self.seq, arrival));
    }

    fn feedback(&mut self) {
        let now_us = (self.now_ms * 1000) as f64;
        // Report what arrived by now (and what was lost before it).
        let Some(last) = self
            .pending
            .iter()
            .rposition(|(_, a)| a.is_some_and(|a| a <= now_us))
        else {
            return;
        };
        let reported: Vec<_> = self.pending.drain(..=last).collect();
        let base_seq = reported[0].0;
        let first_arrival = reported.iter().find_map(|(_, a)| *a).unwrap();
        let reference = (first_arrival / 64_000.0).floor() as i32;
        let mut at = f64::from(reference) * 64_000.0;
        let statuses: Vec<Option<i16>> = reported
            .iter()
            .map(|(_, a)| {
                a.map(|a| {
                    let delta = ((a - at) / 250.0).round() as i16;
                    at += f64::from(delta) * 250.0;
                    delta
                })
            })
            .collect();
        let mut buf = vec![0u8; 4000];
        let n = write_transport_cc(&mut buf, 1, 2, base_seq, reference, 0, &statuses).unwrap();
        let Some(Ok(RtcpPacket::TransportCc(fb))) = iter_compound(&buf[..n]).next() else {
            panic!("feedback did not parse");
        };
        self.bwe.on_transport_cc(&fb, self.now_ms);
    }

    /// Runs `ms` of virtual time; media paced at min(available, desired).
    fn run(&mut self, ms: u64) {
        let end = self.now_ms + ms;
        while self.now_ms < end {
            self.now_ms += 1;
            if self.feedback_first {
                self.feedback_and_event();
            }
            if self
                .bwe
                .poll_timeout(self.now_ms)
                .is_some_and(|t| t <= self.now_ms)
            {
                self.bwe.handle_timeout(self.now_ms);
            }
            while let Some(p) = self.bwe.poll_probe(self.now_ms) {
                self.send(p.size, Some(p.cluster));
            }
            let rate = self
                .bwe
                .available_bitrate()
                .min(self.desired)
                .min(self.app_rate);
            self.credit += f64::from(rate) / 1000.0;
            while self.credit >= 8000.0 {
                self.credit -= 8000.0;
                self.media_bits += 8000.0;
                self.send(1000, None);
            }
            if !self.feedback_first {
                self.feedback_and_event();
            }
        }
    }

    fn feedback_and_event(&mut self) {
        if self.now_ms >= self.next_feedback_ms {
            self.next_feedback_ms += 100;
            self.feedback();
        }
        if let Some(info) = self.bwe.take_event(self.now_ms) {
            self.events.push((self.now_ms, info));
        }
    }
}

#[test]
fn settles_under_a_narrow_link_and_climbs_when_it_widens() {
    let mut sim = Sim::new(300_000.0, 600_000, 2_500_000);
    sim.run(10_000);
    let settled = sim.bwe.available_bitrate();
    assert!(
        (120_000..=330_000).contains(&settled),
        "available {settled} on a 300 kbit/s link"
    );
    // It stays there (no oscillation far above the link).
    let mut peak = 0;
    for _ in 0..50 {
        sim.run(100);
        peak = peak.max(sim.bwe.available_bitrate());
    }
    assert!(peak < 450_000, "peak {peak}");
    // The link widens: probes find it within 15 s.
    sim.link.capacity_bps = 5_000_000.0;
    let mut climbed_at = None;
    for step in 0..150 {
        sim.run(100);
        if sim.bwe.available_bitrate() >= 1_500_000 {
            climbed_at = Some(step * 100);
            break;
        }
    }
    assert!(
        climbed_at.is_some(),
        "available {} 15 s after the link widened",
        sim.bwe.available_bitrate()
    );
}

/// Feedback every 100 ms brings an event every 1000 ms, always just before
/// the event timer would fire: the decision to probe must not depend on
/// that timer (it did, and a real receiver never saw probes again).
#[test]
fn probes_go_on_when_feedback_always_comes_before_the_timers() {
    let mut sim = Sim::new(300_000.0, 600_000, 2_500_000);
    sim.feedback_first = true;
    sim.run(10_000);
    sim.link.capacity_bps = 5_000_000.0;
    sim.run(6_000);
    assert!(
        sim.bwe.available_bitrate() >= 1_500_000,
        "available {} 6 s after the link widened",
        sim.bwe.available_bitrate()
    );
}

/// A receiver that sends no feedback gets the initial probes and then no
/// more, and its estimator stops asking for the clock every 200 ms.
#[test]
fn without_feedback_only_the_initial_probes_go_out() {
    let mut bwe = SendSideBwe::new(BweType::TransportCc, 300_000, 0);
    bwe.set_desired_bitrate(3_000_000, 0);
    let mut probes = 0;
    let mut seq = 0u16;
    for now in 1..=10_000u64 {
        if now % 10 == 0 {
            seq = seq.wrapping_add(1);
            bwe.on_sent(seq, 1000, now * 1000, None);
        }
        if bwe.poll_timeout(now).is_some_and(|t| t <= now) {
            bwe.handle_timeout(now);
        }
        while let Some(p) = bwe.poll_probe(now) {
            seq = seq.wrapping_add(1);
            bwe.on_sent(seq, p.size as usize, now * 1000, Some(p.cluster));
            probes += 1;
        }
        bwe.take_event(now);
    }
    assert!(probes > 0, "no initial probes");
    assert!(probes <= 64, "{probes} probe packets: clusters kept coming");
    // Only the 1 s event cadence is left.
    assert!(
        bwe.poll_timeout(10_000).is_some_and(|t| t > 10_000),
        "{:?}",
        bwe.poll_timeout(10_000)
    );
}

/// A sender with less to send than the estimate allows (ALR) keeps most of
/// its estimate through a short congestion: backing off to 0.85 x the
/// acknowledged bitrate would drop it to a share of what it had to send.
#[test]
fn an_application_limited_sender_keeps_its_estimate_through_a_short_congestion() {
    let mut sim = Sim::new(10_000_000.0, 1_000_000, 3_000_000);
    sim.app_rate = 250_000;
    sim.run(5_000);
    assert!(
        sim.bwe.in_alr(),
        "250 kbit/s under {}",
        sim.bwe.available_bitrate()
    );
    let before = sim.bwe.available_bitrate();
    assert!(before >= 1_000_000, "available {before}");
    // 300 ms at 150 kbit/s: the queue grows and the trendline overuses.
    sim.link.capacity_bps = 150_000.0;
    sim.run(300);
    sim.link.capacity_bps = 10_000_000.0;
    let mut low = u32::MAX;
    for _ in 0..20 {
        sim.run(100);
        low = low.min(sim.bwe.available_bitrate());
    }
    assert!(low < before, "no back-off at all ({low})");
    assert!(
        f64::from(low) >= f64::from(before) * 0.5,
        "fell from {before} to {low}"
    );
}

/// A sender that fills the estimate is not application-limited.
#[test]
fn a_sender_filling_the_estimate_is_not_in_alr() {
    let mut sim = Sim::new(300_000.0, 600_000, 2_500_000);
    sim.run(10_000);
    assert!(!sim.bwe.in_alr());
}

#[test]
fn a_wide_link_is_found_from_the_start_value() {
    let mut sim = Sim::new(10_000_000.0, 300_000, 3_000_000);
    sim.run(5_000);
    assert!(
        sim.bwe.available_bitrate() >= 2_000_000,
        "available {}",
        sim.bwe.available_bitrate()
    );
    // Never more than what is wanted plus headroom.
    assert!(sim.bwe.available_bitrate() <= (3_000_000.0 * MAX_BITRATE_FACTOR) as u32);
}

#[test]
fn limits_and_event_cadence() {
    let mut sim = Sim::new(10_000_000.0, 600_000, 3_000_000);
    sim.bwe.set_max_outgoing_bitrate(Some(800_000), 0);
    sim.run(6_000);
    assert_eq!(sim.bwe.available_bitrate(), 800_000);
    // Events: the first at once, then about one a second.
    assert!(sim.events[0].0 <= 2, "{:?}", sim.events[0]);
    let steady: Vec<u64> = sim.events.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(steady.iter().all(|gap| *gap <= 1001), "{steady:?}");
    assert!(sim.events.len() >= 6, "{}", sim.events.len());
    let info = sim.events.last().unwrap().1;
    assert_eq!(info.available_bitrate, 800_000);
    assert_eq!(info.desired_bitrate, 3_000_000);
    assert_eq!(info.start_bitrate, 600_000);
    assert_eq!(info.min_bitrate, MIN_OUTGOING_BITRATE);
    // A minimum above the estimate wins.
    sim.bwe.set_max_outgoing_bitrate(None, sim.now_ms);
    sim.link.capacity_bps = 100_000.0;
    sim.bwe.set_min_outgoing_bitrate(Some(500_000), sim.now_ms);
    sim.run(5_000);
    assert_eq!(sim.bwe.available_bitrate(), 500_000);
}

#[test]
fn remb_mode_follows_the_receiver() {
    let mut bwe = SendSideBwe::new(BweType::Remb, 600_000, 0);
    bwe.set_desired_bitrate(2_000_000, 0);
    assert_eq!(bwe.take_event(0), None);
    bwe.on_remb(1_000_000, 10);
    assert_eq!(bwe.available_bitrate(), 1_000_000);
    assert_eq!(
        bwe.take_event(10).map(|i| i.available_bitrate),
        Some(1_000_000)
    );
    bwe.on_remb(900_000, 20);
    assert_eq!(bwe.take_event(20), None);
    bwe.on_remb(200_000, 30);
    assert_eq!(
        bwe.take_event(30).map(|i| i.available_bitrate),
        Some(200_000)
    );
    // No probes in REMB mode.
    bwe.handle_timeout(5000);
    assert_eq!(bwe.poll_probe(5000), None);
}

#[test]
fn probes_start_when_consumers_want_more_than_the_start_value() {
    // Consumers want less than the start value at first: no probing.
    let mut sim = Sim::new(10_000_000.0, 600_000, 400_000);
    sim.run(3_000);
    assert_eq!(sim.bwe.available_bitrate(), 600_000);
    // Then more (preferred layers raised): probes lift the estimate.
    sim.desired = 700_000;
    sim.bwe.set_desired_bitrate(700_000, sim.now_ms);
    sim.run(3_000);
    assert!(
        sim.bwe.available_bitrate() >= 700_000,
        "available {}",
        sim.bwe.available_bitrate()
    );
}

#[test]
fn a_lossy_narrow_link_does_not_collapse_the_estimate_and_it_recovers() {
    // A shallow queue: overshooting loses packets rather than delaying them.
    let mut sim = Sim::new(300_000.0, 600_000, 2_500_000);
    sim.link.max_queue_us = 60_000.0;
    sim.run(10_000);
    let mut low = u32::MAX;
    for _ in 0..50 {
        sim.run(100);
        low = low.min(sim.bwe.available_bitrate());
    }
    assert!(
        low >= 100_000,
        "estimate fell to {low} on a 300 kbit/s link"
    );
    assert!(
        sim.bwe.available_bitrate() <= 400_000,
        "{}",
        sim.bwe.available_bitrate()
    );
    sim.link.capacity_bps = 5_000_000.0;
    sim.run(15_000);
    assert!(
        sim.bwe.available_bitrate() >= 1_500_000,
        "available {} 15 s after the link widened",
        sim.bwe.available_bitrate()
    );
}
