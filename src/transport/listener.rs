//! RtpListener: finds the Producer of an incoming RTP packet by SSRC, then
//! by MID, then by RID (mediasoup's order).

use crate::ids::ProducerKey;
use std::collections::HashMap;

#[derive(Default)]
pub struct RtpListener {
    pub ssrc_table: HashMap<u32, ProducerKey>,
    pub mid_table: HashMap<String, ProducerKey>,
    pub rid_table: HashMap<String, ProducerKey>,
}

impl RtpListener {
    /// Looks a packet up; `mid`/`rid` are read lazily only when the SSRC is
    /// unknown. A match by MID or RID learns the SSRC for next time.
    pub fn find(
        &mut self,
        ssrc: u32,
        mid: impl FnOnce() -> Option<String>,
        rid: impl FnOnce() -> Option<String>,
    ) -> Option<ProducerKey> {
        if let Some(&key) = self.ssrc_table.get(&ssrc) {
            return Some(key);
        }
        let found = mid()
            .and_then(|m| self.mid_table.get(&m).copied())
            .or_else(|| rid().and_then(|r| self.rid_table.get(&r).copied()))?;
        self.ssrc_table.insert(ssrc, found);
        Some(found)
    }

    pub fn remove_producer(&mut self, producer: ProducerKey) {
        self.ssrc_table.retain(|_, k| *k != producer);
        self.mid_table.retain(|_, k| *k != producer);
        self.rid_table.retain(|_, k| *k != producer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SlabKey;

    fn p(i: usize) -> ProducerKey {
        ProducerKey::from_index(i)
    }

    #[test]
    fn ssrc_then_mid_then_rid_and_learns() {
        let mut l = RtpListener::default();
        l.ssrc_table.insert(1, p(10));
        l.mid_table.insert("0".into(), p(20));
        l.rid_table.insert("hi".into(), p(30));
        assert_eq!(l.find(1, || panic!("no mid lookup"), || None), Some(p(10)));
        assert_eq!(
            l.find(2, || Some("0".into()), || Some("hi".into())),
            Some(p(20))
        );
        assert_eq!(l.find(2, || None, || None), Some(p(20)));
        assert_eq!(
            l.find(3, || Some("x".into()), || Some("hi".into())),
            Some(p(30))
        );
        assert_eq!(l.find(4, || None, || None), None);
        l.remove_producer(p(20));
        assert_eq!(l.find(2, || None, || None), None);
    }
}
