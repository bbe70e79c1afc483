//! VP9 payload descriptor (draft-ietf-payload-vp9 / RFC 9628), as
//! mediasoup's `Codecs::VP9`.

/// Parsed VP9 payload descriptor (the fields an SFU uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Vp9Descriptor {
    /// I: PictureID present.
    pub i: bool,
    /// P: inter-picture predicted frame.
    pub p: bool,
    /// L: layer indices present.
    pub l: bool,
    /// F: flexible mode.
    pub f: bool,
    /// B: start of a frame.
    pub b: bool,
    /// E: end of a frame.
    pub e: bool,
    /// V: scalability structure present.
    pub v: bool,
    /// PictureID (7 or 15 bits).
    pub picture_id: Option<u16>,
    /// The PictureID uses the 2-byte form.
    pub two_byte_picture_id: bool,
    /// Temporal layer id (TID).
    pub tid: Option<u8>,
    /// Switching up point (U).
    pub switching_up_point: bool,
    /// Spatial layer id (SID).
    pub sid: Option<u8>,
    /// Inter-layer dependency (D).
    pub inter_layer_dependency: bool,
    /// TL0PICIDX (non-flexible mode only).
    pub tl0_pic_idx: Option<u8>,
    /// `!P && B && SID == 0` (mediasoup's rule).
    pub is_keyframe: bool,
}

/// Parses the VP9 payload descriptor; `None` if empty or truncated.
pub fn parse_vp9(payload: &[u8]) -> Option<Vp9Descriptor> {
    let b0 = *payload.first()?;
    let mut d = Vp9Descriptor {
        i: b0 & 0x80 != 0,
        p: b0 & 0x40 != 0,
        l: b0 & 0x20 != 0,
        f: b0 & 0x10 != 0,
        b: b0 & 0x08 != 0,
        e: b0 & 0x04 != 0,
        v: b0 & 0x02 != 0,
        ..Default::default()
    };
    let mut off = 1;
    if d.i {
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
    if d.l {
        let b = *payload.get(off)?;
        off += 1;
        d.tid = Some(b >> 5);
        d.switching_up_point = b & 0x10 != 0;
        d.sid = Some((b >> 1) & 0x07);
        d.inter_layer_dependency = b & 0x01 != 0;
        if !d.f {
            d.tl0_pic_idx = Some(*payload.get(off)?);
        }
    }
    d.is_keyframe = !d.p && d.b && d.sid.unwrap_or(0) == 0;
    Some(d)
}
