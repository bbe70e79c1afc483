//! Sharing a transport's estimated bitrate among its consumers: each
//! consumer's layer bitrates (measured on its producer's streams) go into
//! the allocator, and the layers it chose become the consumers' caps.
//! mediasoup's damping rules apply: a simulcast stream that came up less
//! than `STREAM_MIN_ACTIVE_MS` ago is not switched to from a lower one
//! that has been up that long (unless it is the lowest), and after the
//! estimate took away a spatial layer that had been sent for
//! `DOWNGRADE_MIN_ACTIVE_MS`, no upgrade above the current one for
//! `DOWNGRADE_HOLD_MS`. Beyond mediasoup, any other downgrade by the
//! estimate holds upgrades for `SHORT_HOLD_MS`: on a link just at a layer's
//! rate, a probe that got through would otherwise flap it up and down; and
//! while the path holds the estimate down, a spatial upgrade needs headroom
//! over the layer's bitrate (`UPGRADE_HEADROOM`).

use super::core::Core;
use crate::bwe::allocation::{distribute, Candidate, MAX_LAYERS};
use crate::channel::Outbox;
use crate::consumer::{ConsumerType, Layers};
use crate::ids::{ConsumerKey, TransportKey};
use crate::rtp_parameters::MediaKind;

const STREAM_MIN_ACTIVE_MS: u64 = 2000;
const DOWNGRADE_MIN_ACTIVE_MS: u64 = 8000;
const DOWNGRADE_HOLD_MS: u64 = 10_000;
const SHORT_HOLD_MS: u64 = 5_000;
/// Share of the available bitrate given to consumers' RTP.
const USABLE_SHARE: f64 = 0.9;

impl Core {
    /// One consumer as the allocator sees it (`path_limited`: spatial
    /// upgrades need headroom).
    fn candidate(&mut self, ckey: ConsumerKey, now_ms: u64, path_limited: bool) -> Candidate {
        let consumer = &self.consumers[ckey];
        let mut c = Candidate::default();
        if !consumer.is_active() {
            return c;
        }
        c.priority = consumer.priority;
        let (ctype, max, preferred) = (
            consumer.consumer_type,
            consumer.max_layers(),
            consumer.preferred_layers.unwrap_or(consumer.max_layers()),
        );
        let current = consumer.current_layers().map(|l| usize::from(l.spatial));
        c.current_spatial = current.filter(|_| path_limited).map(|s| s as u8);
        let holding = consumer
            .bwe_upgrade_hold_until_ms
            .is_some_and(|until| now_ms < until);
        let producer = &mut self.producers[consumer.producer];
        match ctype {
            ConsumerType::Simulcast => {
                let lowest_live = producer
                    .streams
                    .iter()
                    .filter(|s| s.recv.score() > 0)
                    .map(|s| s.encoding_idx)
                    .min();
                // Each spatial layer is its own stream (encoding), walked
                // from the lowest up (streams are listed as they appeared).
                // Whether the stream below, the one this consumer would step
                // up from, has been up for STREAM_MIN_ACTIVE_MS.
                let mut below_settled = false;
                for s in 0..MAX_LAYERS {
                    let Some(stream) = producer.streams.iter_mut().find(|st| st.encoding_idx == s)
                    else {
                        continue;
                    };
                    let active_ms = stream.recv.active_ms(now_ms);
                    // A stream that just came up is not switched to from
                    // one that has been up a while (it may go away again);
                    // when all are new (a call starting) any may be taken.
                    let too_new = Some(s) != lowest_live
                        && Some(s) != current
                        && active_ms < STREAM_MIN_ACTIVE_MS
                        && below_settled;
                    let held = holding && current.is_some_and(|c| s > c);
                    if s > usize::from(max.spatial) || stream.recv.score() == 0 || too_new || held {
                        continue;
                    }
                    below_settled = active_ms >= STREAM_MIN_ACTIVE_MS;
                    for t in 0..=usize::from(max.temporal).min(MAX_LAYERS - 1) {
                        c.rates[s][t] = stream.recv.bitrate_for_layers(now_ms, 0, t as u8);
                    }
                }
                c.preferred = (preferred.spatial, preferred.temporal);
            }
            ConsumerType::Svc => {
                if let Some(stream) = producer.streams.first_mut() {
                    for s in 0..=usize::from(max.spatial).min(MAX_LAYERS - 1) {
                        for t in 0..=usize::from(max.temporal).min(MAX_LAYERS - 1) {
                            c.rates[s][t] =
                                stream.recv.bitrate_for_layers(now_ms, s as u8, t as u8);
                        }
                    }
                }
                c.preferred = (preferred.spatial, preferred.temporal);
            }
            // Sent whole: reserves what its producer sends.
            ConsumerType::Simple | ConsumerType::Pipe => {
                c.rates[0][0] = producer
                    .streams
                    .iter_mut()
                    .map(|s| s.recv.bitrate(now_ms))
                    .sum::<u32>()
                    .max(1);
            }
        }
        c
    }

    /// How long the stream a consumer currently sends has been active.
    fn current_stream_active_ms(&self, ckey: ConsumerKey, now_ms: u64) -> u64 {
        let consumer = &self.consumers[ckey];
        let Some(current) = consumer.current_layers() else {
            return 0;
        };
        self.producers[consumer.producer]
            .streams
            .iter()
            .find(|s| match consumer.consumer_type {
                ConsumerType::Simulcast => s.encoding_idx == usize::from(current.spatial),
                _ => true,
            })
            .map_or(0, |s| s.recv.active_ms(now_ms))
    }

    /// What the transport's consumers could want (mediasoup's
    /// `GetDesiredBitrate`), per active video consumer: its producer's
    /// richest stream whatever its preferred layers (so lowering them for a
    /// while does not lower the estimate's ceiling), or its
    /// `encodings[0].maxBitrate` when that is more
    /// (mediasoup-client puts the sender's top `maxBitrate` there, so the
    /// estimate may probe up to what the sender could send). Audio and pipe
    /// consumers take no part.
    pub(super) fn desired_bitrate(&mut self, tkey: TransportKey, now_ms: u64) -> u32 {
        let Core {
            transports,
            consumers,
            producers,
            ..
        } = self;
        let mut total = 0u32;
        for ckey in &transports[tkey].consumers {
            let consumer = &consumers[*ckey];
            if !consumer.is_active()
                || consumer.kind != MediaKind::Video
                || consumer.consumer_type == ConsumerType::Pipe
            {
                continue;
            }
            // (K-SVC included: mediasoup takes its richest spatial layer
            // alone, but the layer rates the allocation charges count the
            // lower spatial layers too, and the ceiling must cover them.)
            let richest = producers[consumer.producer]
                .streams
                .iter_mut()
                .map(|s| s.recv.bitrate(now_ms))
                .max()
                .unwrap_or(0);
            let max_bitrate = consumer
                .params
                .encodings
                .first()
                .and_then(|e| e.max_bitrate)
                .unwrap_or(0);
            total = total.saturating_add(richest.max(max_bitrate));
        }
        total
    }

    /// Shares `available` among the transport's consumers (mediasoup's
    /// `DistributeAvailableOutgoingBitrate`) and caps each layered one to
    /// what it was given.
    pub(super) fn distribute_bitrate(
        &mut self,
        tkey: TransportKey,
        available: u32,
        _outbox: &mut Outbox,
    ) {
        let now_ms = self.now_ms;
        let ckeys = self.transports[tkey].consumers.clone();
        let path_limited = self.transports[tkey]
            .bwe
            .as_ref()
            .is_some_and(|b| b.is_path_limited());
        let mut candidates: Vec<Candidate> = ckeys
            .iter()
            .map(|k| self.candidate(*k, now_ms, path_limited))
            .collect();
        // Layer rates count RTP bytes only; what goes on the wire also
        // carries IP/UDP/SRTP overhead, RTCP and retransmissions.
        let usable = (f64::from(available) * USABLE_SHARE) as u32;
        distribute(usable, &mut candidates);
        for (ckey, c) in ckeys.into_iter().zip(candidates) {
            // Taking a spatial layer away holds upgrades for a while (not
            // when the preferred layers went below it: as mediasoup, only a
            // current layer within the preferred ones counts).
            let consumer = &self.consumers[ckey];
            let preferred = consumer
                .preferred_layers
                .unwrap_or(consumer.max_layers())
                .spatial;
            if let (Some((spatial, _)), Some(current)) = (c.provisional, consumer.current_layers())
            {
                let established =
                    self.current_stream_active_ms(ckey, now_ms) >= DOWNGRADE_MIN_ACTIVE_MS;
                if spatial < current.spatial && current.spatial <= preferred {
                    let hold = if established {
                        DOWNGRADE_HOLD_MS
                    } else {
                        SHORT_HOLD_MS
                    };
                    self.consumers[ckey].bwe_upgrade_hold_until_ms = Some(now_ms + hold);
                }
            }
            let consumer = &mut self.consumers[ckey];
            if !matches!(
                consumer.consumer_type,
                ConsumerType::Simulcast | ConsumerType::Svc
            ) || c.priority == 0
            {
                continue;
            }
            // Nothing measured yet: no opinion. Nothing fits: the lowest
            // layers (a frozen picture is worse than a congested one).
            let measured = c.rates.iter().flatten().any(|r| *r > 0);
            let cap = match (measured, c.provisional) {
                (false, _) => None,
                (true, Some((spatial, temporal))) => Some(Layers { spatial, temporal }),
                (true, None) => Some(Layers {
                    spatial: 0,
                    temporal: 0,
                }),
            };
            if consumer.set_bitrate_cap(cap) {
                self.simulcast_dirty = true;
            }
        }
    }
}
