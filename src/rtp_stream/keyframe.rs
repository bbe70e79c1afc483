//! Key frame request coalescing per producer (mediasoup
//! `KeyFrameRequestManager`).
//!
//! * [`KeyFrameRequestManager::key_frame_needed`] asks for a key frame of an
//!   SSRC unless one is already pending; a pending request is repeated once
//!   if no key frame arrived within [`KEY_FRAME_RETRANSMISSION_WAIT_MS`]
//!   (1000 ms), then dropped.
//! * With a `key_frame_request_delay_ms` (the producer option
//!   `keyFrameRequestDelay`), the first request of an SSRC opens a delay
//!   window during which further requests are only remembered; one is issued
//!   when the window closes.
//! * [`KeyFrameRequestManager::force_key_frame_needed`] always requests now
//!   (used when a consumer is created / resumed / switches layers).
//! * [`KeyFrameRequestManager::key_frame_received`] cancels the pending
//!   request of an SSRC.
//!
//! Every request is an output "send PLI/FIR for `ssrc` now": `true` from the
//! call or an `emit(ssrc)` from [`KeyFrameRequestManager::handle_timeout`]. The
//! owner then asks the receive stream for it
//! ([`RtpStreamRecv::request_key_frame`](super::RtpStreamRecv::request_key_frame)).

/// Time to wait for a requested key frame before asking again (ms).
pub const KEY_FRAME_RETRANSMISSION_WAIT_MS: u64 = 1000;

#[derive(Debug, Clone, Copy)]
struct Pending {
    ssrc: u32,
    deadline: u64,
    retry_on_timeout: bool,
}

#[derive(Debug, Clone, Copy)]
struct Delayer {
    ssrc: u32,
    deadline: u64,
    requested: bool,
}

/// Per-producer key frame request state.
#[derive(Debug, Clone)]
pub struct KeyFrameRequestManager {
    delay_ms: u64,
    pending: Vec<Pending>,
    delayers: Vec<Delayer>,
}

impl KeyFrameRequestManager {
    /// `key_frame_request_delay_ms`: 0 disables the delay window.
    pub fn new(key_frame_request_delay_ms: u64) -> Self {
        Self {
            delay_ms: key_frame_request_delay_ms,
            pending: Vec::with_capacity(4),
            delayers: Vec::with_capacity(4),
        }
    }

    /// Whether a key frame of `ssrc` has been requested and not received.
    pub fn is_pending(&self, ssrc: u32) -> bool {
        self.pending.iter().any(|p| p.ssrc == ssrc)
    }

    /// A key frame of `ssrc` is needed. Returns `true` if it must be requested
    /// from the sender now.
    pub fn key_frame_needed(&mut self, ssrc: u32, now_ms: u64) -> bool {
        if self.delay_ms > 0 {
            if let Some(d) = self.delayers.iter_mut().find(|d| d.ssrc == ssrc) {
                d.requested = true;
                return false;
            }
            self.delayers.push(Delayer {
                ssrc,
                deadline: now_ms + self.delay_ms,
                requested: false,
            });
        }

        if let Some(p) = self.pending.iter_mut().find(|p| p.ssrc == ssrc) {
            p.retry_on_timeout = true;
            return false;
        }

        self.pending.push(Pending {
            ssrc,
            deadline: now_ms + KEY_FRAME_RETRANSMISSION_WAIT_MS,
            retry_on_timeout: true,
        });
        true
    }

    /// Request a key frame of `ssrc` now regardless of pending requests (the
    /// request must always be sent; the return value is `true` for symmetry).
    pub fn force_key_frame_needed(&mut self, ssrc: u32, now_ms: u64) -> bool {
        if self.delay_ms > 0 {
            let delayer = Delayer {
                ssrc,
                deadline: now_ms + self.delay_ms,
                requested: false,
            };
            match self.delayers.iter_mut().find(|d| d.ssrc == ssrc) {
                Some(d) => *d = delayer,
                None => self.delayers.push(delayer),
            }
        }

        let deadline = now_ms + KEY_FRAME_RETRANSMISSION_WAIT_MS;
        match self.pending.iter_mut().find(|p| p.ssrc == ssrc) {
            Some(p) => {
                p.retry_on_timeout = true;
                p.deadline = deadline;
            }
            None => self.pending.push(Pending {
                ssrc,
                deadline,
                retry_on_timeout: true,
            }),
        }
        true
    }

    /// A key frame of `ssrc` arrived.
    pub fn key_frame_received(&mut self, ssrc: u32) {
        if let Some(pos) = self.pending.iter().position(|p| p.ssrc == ssrc) {
            self.pending.swap_remove(pos);
        }
    }

    /// Earliest timer deadline.
    pub fn poll_timeout(&self) -> Option<u64> {
        let a = self.pending.iter().map(|p| p.deadline).min();
        let b = self.delayers.iter().map(|d| d.deadline).min();
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Fire every timer due at `now_ms`, in deadline order; `emit(ssrc)` for
    /// each key frame to request now.
    pub fn handle_timeout(&mut self, now_ms: u64, mut emit: impl FnMut(u32)) {
        loop {
            let pending = self
                .pending
                .iter()
                .enumerate()
                .filter(|(_, p)| p.deadline <= now_ms)
                .min_by_key(|(_, p)| p.deadline)
                .map(|(i, p)| (i, p.deadline));
            let delayer = self
                .delayers
                .iter()
                .enumerate()
                .filter(|(_, d)| d.deadline <= now_ms)
                .min_by_key(|(_, d)| d.deadline)
                .map(|(i, d)| (i, d.deadline));

            // On a tie the delayer goes first (it was armed first).
            let fire_pending = match (pending, delayer) {
                (None, None) => return,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some((_, p)), Some((_, d))) => p < d,
            };

            if fire_pending {
                let i = pending.map(|(i, _)| i).unwrap_or_default();
                let p = &mut self.pending[i];
                if !p.retry_on_timeout {
                    self.pending.swap_remove(i);
                    continue;
                }
                // Best effort in case the request was lost: once more.
                p.retry_on_timeout = false;
                p.deadline = now_ms + KEY_FRAME_RETRANSMISSION_WAIT_MS;
                emit(p.ssrc);
            } else {
                let i = delayer.map(|(i, _)| i).unwrap_or_default();
                let d = self.delayers.swap_remove(i);
                if d.requested && self.key_frame_needed(d.ssrc, now_ms) {
                    emit(d.ssrc);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drive(m: &mut KeyFrameRequestManager, until: u64) -> Vec<(u64, u32)> {
        let mut out = Vec::new();
        while let Some(d) = m.poll_timeout() {
            if d > until {
                break;
            }
            m.handle_timeout(d, |ssrc| out.push((d, ssrc)));
        }
        out
    }

    #[test]
    fn requested_once_not_received() {
        let mut m = KeyFrameRequestManager::new(1000);
        assert!(m.key_frame_needed(1111, 0));
        // Delay window closes at 1000 with nothing requested; the pending
        // request times out at 1000 and is retried once, then given up.
        let out = drive(&mut m, 10_000);
        assert_eq!(out, vec![(1000, 1111)]);
        assert!(!m.is_pending(1111));
        assert_eq!(m.poll_timeout(), None);
    }

    #[test]
    fn requested_many_times() {
        let mut m = KeyFrameRequestManager::new(500);
        assert!(m.key_frame_needed(1111, 0));
        assert!(!m.key_frame_needed(1111, 1));
        assert!(!m.key_frame_needed(1111, 2));
        assert!(!m.key_frame_needed(1111, 3));
        // At 500 the delayer fires; the remembered request finds the pending
        // one and only marks it for retry. At 1000 the retry goes out.
        let out = drive(&mut m, 10_000);
        assert_eq!(out, vec![(1000, 1111)]);
    }

    #[test]
    fn received_on_time() {
        let mut m = KeyFrameRequestManager::new(500);
        assert!(m.key_frame_needed(1111, 0));
        m.key_frame_received(1111);
        assert!(drive(&mut m, 10_000).is_empty());
    }

    #[test]
    fn forced_not_received() {
        let mut m = KeyFrameRequestManager::new(500);
        assert!(m.key_frame_needed(1111, 0));
        assert!(m.force_key_frame_needed(1111, 100));
        // Pending restarted at 100: retry at 1100.
        assert_eq!(drive(&mut m, 10_000), vec![(1100, 1111)]);
    }

    #[test]
    fn forced_received() {
        let mut m = KeyFrameRequestManager::new(500);
        assert!(m.key_frame_needed(1111, 0));
        assert!(m.force_key_frame_needed(1111, 0));
        m.key_frame_received(1111);
        assert!(drive(&mut m, 10_000).is_empty());
    }

    #[test]
    fn without_delay_coalesces_per_ssrc() {
        let mut m = KeyFrameRequestManager::new(0);
        assert!(m.key_frame_needed(1, 0));
        assert!(m.key_frame_needed(2, 0));
        assert!(!m.key_frame_needed(1, 10));
        m.key_frame_received(2);
        assert_eq!(drive(&mut m, 5000), vec![(1000, 1)]);
        // After giving up, a new need requests again.
        assert!(m.key_frame_needed(1, 6000));
    }

    #[test]
    fn delayed_request_issued_after_window() {
        let mut m = KeyFrameRequestManager::new(300);
        assert!(m.key_frame_needed(7, 0));
        // Key frame arrives, then another need inside the window.
        m.key_frame_received(7);
        assert!(!m.key_frame_needed(7, 100));
        // Window closes at 300: requested again.
        let out = drive(&mut m, 350);
        assert_eq!(out, vec![(300, 7)]);
    }
}
