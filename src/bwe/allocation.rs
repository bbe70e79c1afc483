//! Sharing a transport's available bitrate among its consumers (mediasoup's
//! `DistributeAvailableOutgoingBitrate`): every consumer first gets one
//! layer step in priority order, then the rest goes round again, a
//! consumer of priority p taking up to p steps per round, until nobody can
//! use what is left. Each consumer walks its layers from the lowest up to
//! its preferred ones: temporal layers of a spatial layer, then the next
//! spatial layer.

/// Spatial and temporal layers a consumer can be given.
pub const MAX_LAYERS: usize = 4;
/// A spatial layer above the one being sent is taken only when this much
/// of its bitrate fits (beyond mediasoup): a layer's bitrate varies with
/// the picture by a third and more, and the switch costs a key frame, so
/// one that only just fits would be given up again a moment later.
pub const UPGRADE_HEADROOM: f64 = 1.25;

/// One consumer's side of an allocation.
#[derive(Clone, Debug, Default)]
pub struct Candidate {
    /// 0: takes no part (paused, audio, not a layered stream).
    pub priority: u8,
    /// Bitrate of sending up to (spatial, temporal), 0 where that layer is
    /// not received: for simulcast the stream's own layers (each spatial
    /// layer is a separate stream), for SVC including the lower spatial
    /// layers it depends on.
    pub rates: [[u32; MAX_LAYERS]; MAX_LAYERS],
    /// Highest layers it wants (its preferred layers).
    pub preferred: (u8, u8),
    /// The spatial layer being sent: higher ones need `UPGRADE_HEADROOM`.
    pub current_spatial: Option<u8>,
    /// Layers given so far and what they cost.
    pub provisional: Option<(u8, u8)>,
    used: u32,
}

impl Candidate {
    /// Takes the next layer if it fits in `available` plus what this
    /// consumer holds already, and settles `available` (a higher simulcast
    /// stream whose base layer costs less than the lower stream's top
    /// layers gives the difference back: a consumer is charged exactly the
    /// rate of the layers it ends on, where mediasoup charges every step up
    /// and so can leave a top layer that fits unused). False if no step
    /// was taken.
    pub fn increase_layer(&mut self, available: &mut u32) -> bool {
        let (max_s, max_t) = self.preferred;
        let (max_s, max_t) = (
            usize::from(max_s).min(MAX_LAYERS - 1),
            usize::from(max_t).min(MAX_LAYERS - 1),
        );
        let next = match self.provisional {
            None => Some((0, 0)),
            Some((s, t)) => {
                let (s, t) = (usize::from(s), usize::from(t));
                if t < max_t {
                    Some((s, t + 1))
                } else if s < max_s {
                    Some((s + 1, 0))
                } else {
                    None
                }
            }
        };
        let Some(mut at) = next else {
            return false;
        };
        let budget = u64::from(*available) + u64::from(self.used);
        // Skip layers not being received (a paused encoding, a temporal
        // layer the sender does not produce).
        loop {
            let rate = self.rates[at.0][at.1];
            if rate > 0 {
                let upgrade = self.current_spatial.is_some_and(|c| at.0 > usize::from(c));
                let needed = if upgrade {
                    (f64::from(rate) * UPGRADE_HEADROOM) as u64
                } else {
                    u64::from(rate)
                };
                if needed > budget {
                    return false;
                }
                self.provisional = Some((at.0 as u8, at.1 as u8));
                self.used = rate;
                // rate <= budget, which fits a u32 (both parts do).
                *available = (budget - u64::from(rate)) as u32;
                return true;
            }
            at = if at.1 < max_t {
                (at.0, at.1 + 1)
            } else if at.0 < max_s {
                (at.0 + 1, 0)
            } else {
                return false;
            };
        }
    }

    /// What the allocation spent on this consumer.
    pub fn used(&self) -> u32 {
        self.used
    }
}

/// Distributes `available` among `candidates`; returns what is left.
/// Afterwards each candidate's `provisional` holds its layers (None: none
/// fit).
pub fn distribute(mut available: u32, candidates: &mut [Candidate]) -> u32 {
    // Highest priority first; equal priorities in the given order.
    let mut order: Vec<usize> = (0..candidates.len())
        .filter(|i| candidates[*i].priority > 0)
        .collect();
    order.sort_by_key(|i| std::cmp::Reverse(candidates[*i].priority));
    let mut base_round = true;
    loop {
        let mut progressed = false;
        for &i in &order {
            let steps = if base_round {
                1
            } else {
                candidates[i].priority
            };
            for _ in 0..steps {
                if !candidates[i].increase_layer(&mut available) {
                    break;
                }
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
        base_round = false;
    }
    available
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3-stream simulcast consumer, each stream with 3 temporal layers:
    /// rates[s][t] = bitrate of stream s up to t.
    fn simulcast(priority: u8, preferred: (u8, u8)) -> Candidate {
        let mut c = Candidate {
            priority,
            preferred,
            ..Candidate::default()
        };
        let streams = [150_000u32, 500_000, 1_500_000];
        for (s, full) in streams.iter().enumerate() {
            c.rates[s][0] = full / 2;
            c.rates[s][1] = full * 3 / 4;
            c.rates[s][2] = *full;
        }
        c
    }

    #[test]
    fn one_consumer_takes_the_highest_layers_that_fit() {
        for (available, expected) in [
            (50_000, None),
            (100_000, Some((0, 0))),
            (400_000, Some((1, 1))),
            (700_000, Some((1, 2))),
            (5_000_000, Some((2, 2))),
        ] {
            let mut c = [simulcast(1, (2, 2))];
            distribute(available, &mut c);
            assert_eq!(c[0].provisional, expected, "at {available}");
            assert!(c[0].used() <= available);
        }
    }

    #[test]
    fn preferred_layers_cap_what_is_taken() {
        let mut c = [simulcast(1, (1, 0))];
        let left = distribute(5_000_000, &mut c);
        assert_eq!(c[0].provisional, Some((1, 0)));
        assert_eq!(left, 5_000_000 - 250_000);
    }

    #[test]
    fn everyone_gets_a_base_layer_before_anyone_climbs() {
        let mut c = [
            simulcast(1, (2, 2)),
            simulcast(1, (2, 2)),
            simulcast(1, (2, 2)),
        ];
        distribute(290_000, &mut c);
        // 3 x 75k base, then one more temporal step for the first (112.5k).
        assert_eq!(c[0].provisional, Some((0, 1)));
        assert_eq!(c[1].provisional, Some((0, 0)));
        assert_eq!(c[2].provisional, Some((0, 0)));
    }

    #[test]
    fn higher_priority_climbs_faster_and_first() {
        let mut c = [simulcast(1, (2, 2)), simulcast(3, (2, 2))];
        distribute(1_200_000, &mut c);
        let low = c[0].used();
        let high = c[1].used();
        assert!(high > low, "high {high} low {low}");
        assert!(low + high <= 1_200_000);
        // Priority 0 takes nothing.
        let mut c = [simulcast(0, (2, 2))];
        assert_eq!(distribute(1_000_000, &mut c), 1_000_000);
        assert_eq!(c[0].provisional, None);
    }

    #[test]
    fn a_higher_stream_cheaper_than_the_lower_one_is_still_taken() {
        let mut c = simulcast(1, (2, 2));
        // Stream 1's base layer costs less than all of stream 0.
        c.rates[1][0] = 100_000;
        let mut c = [c];
        distribute(5_000_000, &mut c);
        assert_eq!(c[0].provisional, Some((2, 2)));
    }

    #[test]
    fn a_spatial_layer_above_the_current_one_needs_headroom() {
        // Stream 1 at T0 costs 250k: it fits 260k, but from stream 0 an
        // upgrade to it needs 312.5k.
        let mut c = [simulcast(1, (2, 2))];
        distribute(260_000, &mut c);
        assert_eq!(c[0].provisional, Some((1, 0)));
        let mut c = simulcast(1, (2, 2));
        c.current_spatial = Some(0);
        let mut c = [c];
        distribute(260_000, &mut c);
        assert_eq!(c[0].provisional, Some((0, 2)));
        let mut c = simulcast(1, (2, 2));
        c.current_spatial = Some(0);
        let mut c = [c];
        distribute(320_000, &mut c);
        assert_eq!(c[0].provisional, Some((1, 0)));
        // Already on stream 1: it stays with no headroom, and its temporal
        // layers need none.
        let mut c = simulcast(1, (2, 2));
        c.current_spatial = Some(1);
        let mut c = [c];
        distribute(380_000, &mut c);
        assert_eq!(c[0].provisional, Some((1, 1)));
    }

    #[test]
    fn a_consumer_is_charged_the_rate_of_the_layers_it_ends_on() {
        // Rates measured on Chromium's 3-stream H264 L1T3 simulcast: each
        // stream's base layer costs less than the stream below it whole.
        // Walking up step by step would be charged 612 kbit/s in all, and
        // (2, 2) alone sends 483 kbit/s: it fits 590 kbit/s.
        let mut c = Candidate {
            priority: 1,
            preferred: (2, 2),
            ..Candidate::default()
        };
        c.rates[0][..3].copy_from_slice(&[40_909, 74_557, 118_992]);
        c.rates[1][..3].copy_from_slice(&[84_544, 153_597, 250_259]);
        c.rates[2][..3].copy_from_slice(&[155_661, 294_397, 483_251]);
        let mut one = [c.clone()];
        let left = distribute(590_000, &mut one);
        assert_eq!(one[0].provisional, Some((2, 2)));
        assert_eq!(left, 590_000 - 483_251);
        // Two of them share 900 kbit/s: the second gets what the first's
        // final layers leave.
        let mut two = [c.clone(), c];
        let left = distribute(900_000, &mut two);
        let used: u32 = two.iter().map(Candidate::used).sum();
        assert_eq!(left, 900_000 - used);
        assert_eq!(two[0].provisional, Some((2, 2)));
        assert_eq!(two[1].provisional, Some((2, 1)));
    }

    #[test]
    fn layers_not_received_are_skipped() {
        let mut c = simulcast(1, (2, 2));
        // The top stream is paused by the sender.
        c.rates[2] = [0; MAX_LAYERS];
        let mut c = [c];
        distribute(5_000_000, &mut c);
        assert_eq!(c[0].provisional, Some((1, 2)));
    }
}
