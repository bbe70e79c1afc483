//! VP8 payload descriptor (RFC 7741), as mediasoup's `Codecs::VP8`.

use crate::rtp::{RtpError, RtpPacketBuf};

/// Parsed VP8 payload descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Vp8Descriptor {
    /// X: extended control bits present.
    pub extended: bool,
    /// N: non-reference frame.
    pub non_reference: bool,
    /// S: start of a VP8 partition.
    pub start: bool,
    /// PID: partition index.
    pub partition_index: u8,
    /// PictureID (7 or 15 bits) when I is set.
    pub picture_id: Option<u16>,
    /// The PictureID uses the 2-byte (M=1) form.
    pub two_byte_picture_id: bool,
    /// TL0PICIDX when L is set.
    pub tl0_pic_idx: Option<u8>,
    /// TID when T is set.
    pub tid: Option<u8>,
    /// Y: layer sync (only meaningful with T).
    pub layer_sync: bool,
    /// KEYIDX when K is set.
    pub key_idx: Option<u8>,
    /// Start of partition 0 of a keyframe (VP8 payload header P bit = 0).
    pub is_keyframe: bool,
    /// Descriptor length in bytes (the VP8 payload starts here).
    pub len: usize,
}

/// Parses the VP8 payload descriptor. `None` on an empty or truncated
/// descriptor. Unlike mediasoup (which ignores descriptors without the X
/// byte), a minimal 1-byte descriptor is accepted, so non-browser senders
/// still get keyframe detection.
pub fn parse_vp8(payload: &[u8]) -> Option<Vp8Descriptor> {
    let b0 = *payload.first()?;
    let mut d = Vp8Descriptor {
        extended: b0 & 0x80 != 0,
        non_reference: b0 & 0x20 != 0,
        start: b0 & 0x10 != 0,
        partition_index: b0 & 0x07,
        ..Default::default()
    };
    let mut off = 1;
    if d.extended {
        let x = *payload.get(off)?;
        off += 1;
        let (i, l, t, k) = (x & 0x80 != 0, x & 0x40 != 0, x & 0x20 != 0, x & 0x10 != 0);
        if i {
            let p = *payload.get(off)?;
            off += 1;
            if p & 0x80 != 0 {
                let p2 = *payload.get(off)?;
                off += 1;
                d.picture_id = Some((((p & 0x7F) as u16) << 8) | p2 as u16);
                d.two_byte_picture_id = true;
            } else {
                d.picture_id = Some((p & 0x7F) as u16);
            }
        }
        if l {
            d.tl0_pic_idx = Some(*payload.get(off)?);
            off += 1;
        }
        if t || k {
            let b = *payload.get(off)?;
            off += 1;
            if t {
                d.tid = Some(b >> 6);
                d.layer_sync = b & 0x20 != 0;
            }
            if k {
                d.key_idx = Some(b & 0x1F);
            }
        }
    }
    d.len = off;
    d.is_keyframe =
        d.start && d.partition_index == 0 && payload.get(off).is_some_and(|h| h & 0x01 == 0);
    Some(d)
}

impl Vp8Descriptor {
    /// Offset of the PictureID field in the payload.
    pub fn picture_id_offset(&self) -> Option<usize> {
        self.picture_id.map(|_| 2)
    }

    /// Offset of the TL0PICIDX field in the payload.
    pub fn tl0_pic_idx_offset(&self) -> Option<usize> {
        self.tl0_pic_idx?;
        Some(match self.picture_id {
            None => 2,
            Some(_) if self.two_byte_picture_id => 4,
            Some(_) => 3,
        })
    }

    /// Rewrites the PictureID in place (15 bits in the 2-byte form, 7 bits
    /// in the 1-byte form). False if the descriptor has no PictureID or the
    /// payload is too short.
    pub fn write_picture_id(&self, payload: &mut [u8], picture_id: u16) -> bool {
        let Some(o) = self.picture_id_offset() else {
            return false;
        };
        if self.two_byte_picture_id {
            match payload.get_mut(o..o + 2) {
                Some(b) => {
                    b[0] = 0x80 | ((picture_id >> 8) as u8 & 0x7F);
                    b[1] = picture_id as u8;
                    true
                }
                None => false,
            }
        } else {
            match payload.get_mut(o) {
                Some(b) => {
                    *b = picture_id as u8 & 0x7F;
                    true
                }
                None => false,
            }
        }
    }

    /// Rewrites TL0PICIDX in place. False if absent.
    pub fn write_tl0_pic_idx(&self, payload: &mut [u8], tl0: u8) -> bool {
        match self.tl0_pic_idx_offset().and_then(|o| payload.get_mut(o)) {
            Some(b) => {
                *b = tl0;
                true
            }
            None => false,
        }
    }
}

/// As mediasoup's `VP8::ProcessRtpPacket`: if the packet's descriptor has a
/// 1-byte PictureID, inserts a byte so it uses the 2-byte form (value
/// unchanged), which lets the PictureID be rewritten across simulcast
/// streams. Needs 1 byte of spare capacity; removes padding when it
/// expands. Returns the (possibly updated) descriptor, `None` if the
/// payload is not a parseable VP8 descriptor.
pub fn ensure_two_byte_picture_id<B>(
    pkt: &mut RtpPacketBuf<B>,
) -> Result<Option<Vp8Descriptor>, RtpError>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
{
    let Some(d) = parse_vp8(pkt.payload()) else {
        return Ok(None);
    };
    if d.picture_id.is_none() || d.two_byte_picture_id {
        return Ok(Some(d));
    }
    pkt.shift_payload(2, 1, true)?;
    let p = pkt.payload_mut();
    p[2] = 0x80;
    Ok(parse_vp8(pkt.payload()))
}
