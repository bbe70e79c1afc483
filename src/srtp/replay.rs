//! Packet index estimation (RFC 3711 3.3.1 / Appendix A) and the sliding
//! replay window (RFC 3711 3.3.2).

/// Replay window width; libsrtp's and mediasoup's RTP window is 128 too.
pub(crate) const WINDOW: u64 = 128;

/// Largest SRTP packet index: 32-bit ROC || 16-bit SEQ.
pub(crate) const MAX_RTP_INDEX: u64 = (1 << 48) - 1;

/// Guesses the 48-bit index of `seq` relative to the highest index seen so
/// far (Appendix A). A guess that would fall before index 0 is read as ROC 0,
/// as libsrtp does: at the start of a stream a sequence number more than
/// 2^15 below the first one is a jump forward, not a packet from ROC -1.
pub(crate) fn estimate_rtp_index(highest: u64, seq: u16) -> u64 {
    let roc = highest >> 16;
    let s_l = highest as u16;
    let v = if s_l < 0x8000 {
        if seq > s_l && seq - s_l > 0x8000 {
            roc.saturating_sub(1)
        } else {
            roc
        }
    } else if s_l - 0x8000 > seq {
        roc + 1
    } else {
        roc
    };
    (v << 16) | u64::from(seq)
}

/// The highest index accepted and a bitmap of the `WINDOW` indexes below it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ReplayWindow {
    started: bool,
    top: u64,
    /// Bit `i` set = index `top - i` was accepted.
    seen: u128,
}

impl ReplayWindow {
    /// The highest accepted index, if any packet was accepted.
    pub(crate) fn highest(&self) -> Option<u64> {
        self.started.then_some(self.top)
    }

    /// Whether `index` would be new. Pure: state changes only in `accept`,
    /// which callers run after authentication.
    pub(crate) fn check(&self, index: u64) -> bool {
        if !self.started || index > self.top {
            return true;
        }
        let age = self.top - index;
        age < WINDOW && (self.seen >> age) & 1 == 0
    }

    pub(crate) fn accept(&mut self, index: u64) {
        if !self.started {
            *self = ReplayWindow {
                started: true,
                top: index,
                seen: 1,
            };
        } else if index > self.top {
            let shift = index - self.top;
            self.seen = if shift >= WINDOW {
                0
            } else {
                self.seen << shift
            };
            self.seen |= 1;
            self.top = index;
        } else {
            let age = self.top - index;
            if age < WINDOW {
                self.seen |= 1 << age;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_follows_appendix_a() {
        // Same ROC.
        assert_eq!(estimate_rtp_index(0x0001_1000, 0x1001), 0x0001_1001);
        // s_l high, seq wrapped: next ROC.
        assert_eq!(estimate_rtp_index(0x0001_fff0, 0x0005), 0x0002_0005);
        // s_l low, seq from before the wrap: previous ROC.
        assert_eq!(estimate_rtp_index(0x0002_0005, 0xfff0), 0x0001_fff0);
        // At the very start there is no ROC -1.
        assert_eq!(estimate_rtp_index(0x0000_0005, 0xfff0), 0x0000_fff0);
        // Mid-range forward / backward moves keep the ROC.
        assert_eq!(estimate_rtp_index(0x0003_9000, 0x1001), 0x0003_1001);
        assert_eq!(estimate_rtp_index(0x0003_9000, 0x0fff), 0x0004_0fff);
    }

    #[test]
    fn window() {
        let mut w = ReplayWindow::default();
        assert!(w.check(1000));
        w.accept(1000);
        assert!(!w.check(1000));
        assert!(w.check(1001));
        assert!(w.check(999));
        w.accept(1005);
        assert!(w.check(1003));
        w.accept(1003);
        assert!(!w.check(1003));
        assert!(!w.check(1000));
        // Exactly at the edge of the window.
        assert!(w.check(1005 - 127));
        assert!(!w.check(1005 - 128));
        // A big jump clears the bitmap.
        w.accept(5000);
        assert!(!w.check(1005));
        assert!(w.check(4999));
        assert!(!w.check(5000));
        assert_eq!(w.highest(), Some(5000));
    }
}
