//! Writes a consumer's outgoing RTP packet into a reused buffer: its own
//! header values, its own header-extension ids, the producer's payload.
//! No allocation: extensions are passed as a small stack list.

/// At most this many header extensions are written per packet.
pub const MAX_EXTENSIONS: usize = 12;

#[derive(Debug, Clone, Copy, Default)]
pub struct OutHeader {
    pub marker: bool,
    pub payload_type: u8,
    pub seq: u16,
    pub timestamp: u32,
    pub ssrc: u32,
}

/// A fixed-capacity list of (id, value) header extensions.
#[derive(Default)]
pub struct ExtList<'a> {
    items: [(u8, &'a [u8]); MAX_EXTENSIONS],
    len: usize,
}

impl<'a> ExtList<'a> {
    /// Adds an extension; returns its index (to find its value's offset in
    /// the written packet), or None if it was not added.
    pub fn push(&mut self, id: u8, value: &'a [u8]) -> Option<usize> {
        if self.len < MAX_EXTENSIONS && id != 0 {
            self.items[self.len] = (id, value);
            self.len += 1;
            return Some(self.len - 1);
        }
        None
    }
    fn iter(&self) -> impl Iterator<Item = &(u8, &'a [u8])> {
        self.items[..self.len].iter()
    }
}

/// Size of the extension block (profile word + elements, padded to 4).
fn extension_block_len(exts: &ExtList, two_byte: bool) -> usize {
    if exts.len == 0 {
        return 0;
    }
    let per_element = if two_byte { 2 } else { 1 };
    let body: usize = exts.iter().map(|(_, v)| per_element + v.len()).sum();
    4 + body.div_ceil(4) * 4
}

/// Where the value of each extension (by `ExtList` index) was written.
pub type ExtOffsets = [usize; MAX_EXTENSIONS];

/// Writes header + CSRCs + extensions + payload into `out`; returns the
/// packet length, or None if `out` is too small. `offsets` receives where
/// each extension value landed.
pub fn write_packet(
    out: &mut [u8],
    header: &OutHeader,
    csrc: &[u8],
    exts: &ExtList,
    payload: &[u8],
    offsets: &mut ExtOffsets,
) -> Option<usize> {
    // One-byte form (RFC 8285) needs ids 1..=14 and values of 1..=16 bytes.
    let two_byte = exts
        .iter()
        .any(|(id, v)| *id > 14 || v.is_empty() || v.len() > 16);
    let ext_len = extension_block_len(exts, two_byte);
    let csrc_count = (csrc.len() / 4).min(15);
    let csrc = &csrc[..csrc_count * 4];
    let total = 12 + csrc.len() + ext_len + payload.len();
    let out = out.get_mut(..total)?;
    out[0] = 0x80 | if ext_len > 0 { 0x10 } else { 0 } | csrc_count as u8;
    out[1] = (header.payload_type & 0x7f) | if header.marker { 0x80 } else { 0 };
    out[2..4].copy_from_slice(&header.seq.to_be_bytes());
    out[4..8].copy_from_slice(&header.timestamp.to_be_bytes());
    out[8..12].copy_from_slice(&header.ssrc.to_be_bytes());
    let mut at = 12;
    out[at..at + csrc.len()].copy_from_slice(csrc);
    at += csrc.len();
    if ext_len > 0 {
        let profile: u16 = if two_byte { 0x1000 } else { 0xBEDE };
        out[at..at + 2].copy_from_slice(&profile.to_be_bytes());
        out[at + 2..at + 4].copy_from_slice(&(((ext_len - 4) / 4) as u16).to_be_bytes());
        let end = at + ext_len;
        at += 4;
        for (i, (id, value)) in exts.iter().enumerate() {
            if two_byte {
                out[at] = *id;
                out[at + 1] = value.len() as u8;
                at += 2;
            } else {
                out[at] = (id << 4) | (value.len() as u8 - 1);
                at += 1;
            }
            offsets[i] = at;
            out[at..at + value.len()].copy_from_slice(value);
            at += value.len();
        }
        out[at..end].fill(0);
        at = end;
    }
    out[at..at + payload.len()].copy_from_slice(payload);
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::RtpPacketRef;

    #[test]
    fn written_packets_parse_back() {
        let mut out = [0u8; 256];
        let mut exts = ExtList::default();
        assert_eq!(exts.push(1, b"0"), Some(0));
        assert_eq!(exts.push(4, &[1, 2, 3]), Some(1));
        assert_eq!(exts.push(0, b"ignored"), None);
        let mut offsets = [0; MAX_EXTENSIONS];
        let header = OutHeader {
            marker: true,
            payload_type: 101,
            seq: 65535,
            timestamp: 7,
            ssrc: 0xdeadbeef,
        };
        let len = write_packet(
            &mut out,
            &header,
            &[0, 0, 0, 9],
            &exts,
            b"payload",
            &mut offsets,
        )
        .unwrap();
        assert_eq!(&out[offsets[1]..offsets[1] + 3], &[1, 2, 3]);
        let p = RtpPacketRef::parse(&out[..], len).unwrap();
        assert!(p.marker());
        assert_eq!(
            (
                p.payload_type(),
                p.sequence_number(),
                p.timestamp(),
                p.ssrc()
            ),
            (101, 65535, 7, 0xdeadbeef)
        );
        assert_eq!(p.csrc(0), Some(9));
        assert_eq!(p.extension(1), Some(&b"0"[..]));
        assert_eq!(p.extension(4), Some(&[1u8, 2, 3][..]));
        assert_eq!(p.payload(), b"payload");
        // A 20-byte value forces the two-byte form.
        let mut long = ExtList::default();
        long.push(7, &[5u8; 20]);
        let len = write_packet(&mut out, &header, &[], &long, b"x", &mut offsets).unwrap();
        let p = RtpPacketRef::parse(&out[..], len).unwrap();
        assert_eq!(p.extension(7), Some(&[5u8; 20][..]));
        // Too small a buffer is refused, not a panic.
        assert!(write_packet(
            &mut out[..10],
            &header,
            &[],
            &ExtList::default(),
            b"x",
            &mut offsets
        )
        .is_none());
    }
}
