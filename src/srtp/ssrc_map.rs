//! A bounded per-SSRC state table. Lookups never allocate; only the first
//! packet of a new SSRC may (to grow the table), and once `max` SSRCs are
//! held the least recently used one is overwritten in place.

use std::collections::HashMap;

/// Default bound on SSRCs per direction and per RTP/RTCP.
pub const MAX_SSRCS: usize = 1024;

struct Entry<T> {
    ssrc: u32,
    last_used: u64,
    value: T,
}

pub(crate) struct SsrcMap<T> {
    entries: Vec<Entry<T>>,
    index: HashMap<u32, usize>,
    /// Slot of the last hit: consecutive packets usually share an SSRC, and
    /// this skips the hash lookup for them.
    last: usize,
    clock: u64,
    max: usize,
}

impl<T> SsrcMap<T> {
    pub(crate) fn new(max: usize) -> Self {
        let initial = max.min(16);
        Self {
            entries: Vec::with_capacity(initial),
            index: HashMap::with_capacity(initial),
            last: 0,
            clock: 0,
            max: max.max(1),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn slot(&self, ssrc: u32) -> Option<usize> {
        match self.entries.get(self.last) {
            Some(e) if e.ssrc == ssrc => Some(self.last),
            _ => self.index.get(&ssrc).copied(),
        }
    }

    pub(crate) fn get(&self, ssrc: u32) -> Option<&T> {
        self.slot(ssrc).map(|i| &self.entries[i].value)
    }

    /// Looks up and marks as recently used.
    pub(crate) fn get_mut(&mut self, ssrc: u32) -> Option<&mut T> {
        let i = self.slot(ssrc)?;
        self.last = i;
        self.clock += 1;
        let e = &mut self.entries[i];
        e.last_used = self.clock;
        Some(&mut e.value)
    }

    /// Inserts (or replaces) the state of `ssrc`, evicting the least recently
    /// used SSRC when full.
    pub(crate) fn insert(&mut self, ssrc: u32, value: T) -> &mut T {
        self.clock += 1;
        let entry = Entry {
            ssrc,
            last_used: self.clock,
            value,
        };
        let i = if let Some(i) = self.slot(ssrc) {
            self.entries[i] = entry;
            i
        } else if self.entries.len() < self.max {
            self.entries.push(entry);
            let i = self.entries.len() - 1;
            self.index.insert(ssrc, i);
            i
        } else {
            // O(n), but only when a new SSRC arrives at a full table.
            let i = (0..self.entries.len())
                .min_by_key(|&i| self.entries[i].last_used)
                .unwrap_or(0);
            self.index.remove(&self.entries[i].ssrc);
            self.entries[i] = entry;
            self.index.insert(ssrc, i);
            i
        };
        self.last = i;
        &mut self.entries[i].value
    }

    /// Returns the state of `ssrc`, creating it with `make` if absent.
    pub(crate) fn get_or_insert_with(&mut self, ssrc: u32, make: impl FnOnce() -> T) -> &mut T {
        if self.slot(ssrc).is_some() {
            return self.get_mut(ssrc).unwrap();
        }
        self.insert(ssrc, make())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_and_evict_lru() {
        let mut m = SsrcMap::new(3);
        m.insert(1, 10);
        m.insert(2, 20);
        m.insert(3, 30);
        assert_eq!(m.get_mut(1).copied(), Some(10));
        // 2 is now the least recently used.
        m.insert(4, 40);
        assert_eq!(m.len(), 3);
        assert!(m.get(2).is_none());
        assert_eq!(m.get(1), Some(&10));
        assert_eq!(m.get(3), Some(&30));
        assert_eq!(m.get(4), Some(&40));
        *m.get_or_insert_with(3, || 0) += 1;
        assert_eq!(m.get(3), Some(&31));
        m.insert(4, 41);
        assert_eq!(m.get(4), Some(&41));
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn many_ssrcs_stay_bounded() {
        let mut m = SsrcMap::new(MAX_SSRCS);
        for ssrc in 0..5000u32 {
            m.insert(ssrc, ssrc);
        }
        assert_eq!(m.len(), MAX_SSRCS);
        for ssrc in 5000 - MAX_SSRCS as u32..5000 {
            assert_eq!(m.get(ssrc), Some(&ssrc));
        }
        assert!(m.get(0).is_none());
    }
}
