//! The packets a producer stream received, kept once for all of its
//! consumers so that any of them can answer a NACK. Fixed slots allocated
//! when the stream starts; storing a packet is a copy into its slot.

/// Packets kept per stream (about a second of HD video).
pub const STORE_SLOTS: usize = 1024;
pub const SLOT_SIZE: usize = 1500;

#[derive(Clone, Copy, Default)]
struct SlotMeta {
    /// Sequence number + 1 (0 = empty).
    tag: u32,
    len: u16,
}

pub struct PacketStore {
    data: Box<[u8]>,
    meta: Box<[SlotMeta]>,
}

impl Default for PacketStore {
    fn default() -> Self {
        PacketStore {
            data: vec![0u8; STORE_SLOTS * SLOT_SIZE].into_boxed_slice(),
            meta: vec![SlotMeta::default(); STORE_SLOTS].into_boxed_slice(),
        }
    }
}

impl PacketStore {
    /// Keeps `packet` under its sequence number (packets larger than a slot
    /// are not kept: they cannot be retransmitted).
    pub fn store(&mut self, seq: u16, packet: &[u8]) {
        let index = seq as usize % STORE_SLOTS;
        let meta = &mut self.meta[index];
        if packet.len() > SLOT_SIZE {
            meta.tag = 0;
            return;
        }
        self.data[index * SLOT_SIZE..index * SLOT_SIZE + packet.len()].copy_from_slice(packet);
        *meta = SlotMeta {
            tag: seq as u32 + 1,
            len: packet.len() as u16,
        };
    }

    /// The stored packet with this sequence number, if still kept.
    pub fn get(&self, seq: u16) -> Option<&[u8]> {
        let index = seq as usize % STORE_SLOTS;
        let meta = self.meta[index];
        (meta.tag == seq as u32 + 1)
            .then(|| &self.data[index * SLOT_SIZE..index * SLOT_SIZE + meta.len as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_latest_packet_per_slot() {
        let mut store = PacketStore::default();
        store.store(10, &[1, 2, 3]);
        assert_eq!(store.get(10), Some(&[1u8, 2, 3][..]));
        assert_eq!(store.get(11), None);
        // A packet one lap later evicts the old one.
        store.store(10 + STORE_SLOTS as u16, &[9]);
        assert_eq!(store.get(10), None);
        assert_eq!(store.get(10 + STORE_SLOTS as u16), Some(&[9u8][..]));
        store.store(5, &[0u8; SLOT_SIZE + 1]);
        assert_eq!(store.get(5), None);
    }
}
