//! Packet loss as `getStats()` reports it (`rtpPacketLossSent` /
//! `rtpPacketLossReceived`): the loss ratios of the last feedback packets,
//! averaged with the newest weighing most (mediasoup's `UpdatePacketLoss`).

/// Feedback packets remembered.
const LEN: usize = 24;

#[derive(Clone, Debug, Default)]
pub struct PacketLossHistory {
    /// Oldest first once full.
    ratios: [f64; LEN],
    len: usize,
    next: usize,
}

impl PacketLossHistory {
    /// One feedback packet: `lost` of `total` reported packets.
    pub fn push(&mut self, lost: u32, total: u32) {
        if total == 0 {
            return;
        }
        self.ratios[self.next] = f64::from(lost) / f64::from(total);
        self.next = (self.next + 1) % LEN;
        self.len = (self.len + 1).min(LEN);
    }

    /// Weighted mean, weights 1 (oldest) .. n (newest); 0 before any.
    pub fn value(&self) -> f64 {
        let oldest = (self.next + LEN - self.len) % LEN;
        let (mut sum, mut weights) = (0.0, 0.0);
        for i in 0..self.len {
            let weight = (i + 1) as f64;
            sum += self.ratios[(oldest + i) % LEN] * weight;
            weights += weight;
        }
        if weights == 0.0 {
            0.0
        } else {
            sum / weights
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_feedback_weighs_most() {
        let mut h = PacketLossHistory::default();
        assert_eq!(h.value(), 0.0);
        h.push(0, 0);
        assert_eq!(h.value(), 0.0);
        h.push(1, 10);
        assert!((h.value() - 0.1).abs() < 1e-9);
        // 0.1 (weight 1) then 0.0 (weight 2): 0.1 / 3.
        h.push(0, 10);
        assert!((h.value() - 0.1 / 3.0).abs() < 1e-9);
        // Only the last 24 count.
        for _ in 0..24 {
            h.push(5, 10);
        }
        assert!((h.value() - 0.5).abs() < 1e-9);
    }
}
