//! Feedback messages (RFC 4585 / RFC 5104 / draft-alvestrand-rmcat-remb):
//! generic NACK, PLI, FIR, REMB views and builders, and in-place rewrites
//! used when relaying feedback.

use super::common::{
    take, u32_or0, write_header, PSFB_AFB, PSFB_FIR, PSFB_PLI, PT_PSFB, PT_RTPFB, RTPFB_NACK,
};
use super::RtcpError;
use crate::rtp::be;

/// Common header + sender SSRC + media SSRC.
pub(crate) const FB_HEADER: usize = 12;
const REMB_ID: u32 = 0x5245_4D42; // "REMB"

macro_rules! feedback_common {
    ($t:ident) => {
        impl<'a> $t<'a> {
            /// The whole packet as received (including padding).
            pub fn raw(&self) -> &'a [u8] {
                self.raw
            }
            /// SSRC of the packet sender.
            pub fn sender_ssrc(&self) -> u32 {
                u32_or0(self.p, 4)
            }
            /// SSRC of the media source.
            pub fn media_ssrc(&self) -> u32 {
                u32_or0(self.p, 8)
            }
            /// Feedback control information (after the 12-byte header).
            pub fn fci(&self) -> &'a [u8] {
                &self.p[FB_HEADER..]
            }
        }
    };
}

/// Picture Loss Indication (PSFB FMT 1).
#[derive(Debug, Clone, Copy)]
pub struct Pli<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}
feedback_common!(Pli);

impl<'a> Pli<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        check_fb(p)?;
        Ok(Pli { raw, p })
    }
}

/// Generic NACK (RTPFB FMT 1).
#[derive(Debug, Clone, Copy)]
pub struct GenericNack<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}
feedback_common!(GenericNack);

impl<'a> GenericNack<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        check_fb(p)?;
        Ok(GenericNack { raw, p })
    }

    /// `(PID, BLP)` items (a trailing partial item is ignored, as mediasoup).
    pub fn items(&self) -> impl Iterator<Item = (u16, u16)> + 'a {
        self.fci().chunks_exact(4).map(|c| {
            (
                u16::from_be_bytes([c[0], c[1]]),
                u16::from_be_bytes([c[2], c[3]]),
            )
        })
    }

    /// Every sequence number requested: for each item its PID, then
    /// PID+1+i for each set bit i of BLP (wrapping).
    pub fn lost_seqs(&self) -> LostSeqs<'a> {
        LostSeqs {
            fci: self.fci(),
            cur: None,
        }
    }
}

/// Iterator expanding NACK items into sequence numbers.
#[derive(Debug, Clone)]
pub struct LostSeqs<'a> {
    fci: &'a [u8],
    /// (pid, blp, next bit to examine; 0 = pid itself not yet yielded)
    cur: Option<(u16, u16, u8)>,
}

impl Iterator for LostSeqs<'_> {
    type Item = u16;

    fn next(&mut self) -> Option<u16> {
        loop {
            match self.cur {
                None => {
                    let pid = be::u16_at(self.fci, 0)?;
                    let blp = be::u16_at(self.fci, 2)?;
                    self.fci = &self.fci[4..];
                    self.cur = Some((pid, blp, 1));
                    return Some(pid);
                }
                Some((pid, blp, bit)) => {
                    if bit > 16 {
                        self.cur = None;
                        continue;
                    }
                    self.cur = Some((pid, blp, bit + 1));
                    if blp & (1 << (bit - 1)) != 0 {
                        return Some(pid.wrapping_add(bit as u16));
                    }
                }
            }
        }
    }
}

/// Full Intra Request (PSFB FMT 4).
#[derive(Debug, Clone, Copy)]
pub struct Fir<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}
feedback_common!(Fir);

impl<'a> Fir<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        check_fb(p)?;
        Ok(Fir { raw, p })
    }

    /// `(SSRC, command sequence number)` entries.
    pub fn entries(&self) -> impl Iterator<Item = (u32, u8)> + 'a {
        self.fci()
            .chunks_exact(8)
            .map(|c| (u32::from_be_bytes([c[0], c[1], c[2], c[3]]), c[4]))
    }
}

/// Receiver Estimated Maximum Bitrate (PSFB FMT 15 with "REMB").
#[derive(Debug, Clone, Copy)]
pub struct Remb<'a> {
    raw: &'a [u8],
    p: &'a [u8],
    bitrate: u64,
}
feedback_common!(Remb);

impl<'a> Remb<'a> {
    /// True if a PSFB AFB packet body carries the "REMB" identifier.
    pub(crate) fn is_remb(p: &[u8]) -> bool {
        be::u32_at(p, FB_HEADER) == Some(REMB_ID)
    }

    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        if p.len() < FB_HEADER + 8 || !Self::is_remb(p) {
            return Err(RtcpError::Malformed);
        }
        let num = p[FB_HEADER + 4] as usize;
        if p.len() < FB_HEADER + 8 + 4 * num {
            return Err(RtcpError::Malformed);
        }
        let exp = p[FB_HEADER + 5] >> 2;
        let mantissa = ((p[FB_HEADER + 5] as u64 & 0x03) << 16)
            | u16::from_be_bytes([p[FB_HEADER + 6], p[FB_HEADER + 7]]) as u64;
        let bitrate = mantissa << exp;
        if bitrate >> exp != mantissa {
            return Err(RtcpError::Malformed);
        }
        Ok(Remb { raw, p, bitrate })
    }

    /// Estimated bitrate in bps.
    pub fn bitrate(&self) -> u64 {
        self.bitrate
    }

    /// SSRCs the estimate applies to.
    pub fn ssrcs(&self) -> impl Iterator<Item = u32> + 'a {
        let p = self.p;
        let num = p[FB_HEADER + 4] as usize;
        (0..num).filter_map(move |i| be::u32_at(p, FB_HEADER + 8 + 4 * i))
    }
}

fn check_fb(p: &[u8]) -> Result<(), RtcpError> {
    if p.len() < FB_HEADER {
        return Err(RtcpError::TooShort);
    }
    Ok(())
}

fn write_fb_header(
    out: &mut [u8],
    fmt: u8,
    pt: u8,
    sender: u32,
    media: u32,
) -> Result<(), RtcpError> {
    write_header(out, fmt, pt, out.len())?;
    out[4..8].copy_from_slice(&sender.to_be_bytes());
    out[8..12].copy_from_slice(&media.to_be_bytes());
    Ok(())
}

/// Writes a PLI. Returns 12.
pub fn write_pli(buf: &mut [u8], sender_ssrc: u32, media_ssrc: u32) -> Result<usize, RtcpError> {
    let out = take(buf, FB_HEADER)?;
    write_fb_header(out, PSFB_PLI, PT_PSFB, sender_ssrc, media_ssrc)?;
    Ok(FB_HEADER)
}

/// Writes a FIR with one entry `(media_ssrc, seq_nr)`; the header media SSRC
/// is also `media_ssrc`, as mediasoup's `RtpStreamRecv` writes it.
pub fn write_fir(
    buf: &mut [u8],
    sender_ssrc: u32,
    media_ssrc: u32,
    seq_nr: u8,
) -> Result<usize, RtcpError> {
    write_fir_entries(buf, sender_ssrc, media_ssrc, &[(media_ssrc, seq_nr)])
}

/// Writes a FIR with the given `(ssrc, seq_nr)` entries.
pub fn write_fir_entries(
    buf: &mut [u8],
    sender_ssrc: u32,
    media_ssrc: u32,
    entries: &[(u32, u8)],
) -> Result<usize, RtcpError> {
    let len = FB_HEADER + 8 * entries.len();
    let out = take(buf, len)?;
    write_fb_header(out, PSFB_FIR, PT_PSFB, sender_ssrc, media_ssrc)?;
    for (i, (ssrc, seq)) in entries.iter().enumerate() {
        let e = &mut out[FB_HEADER + 8 * i..FB_HEADER + 8 * i + 8];
        e[..4].copy_from_slice(&ssrc.to_be_bytes());
        e[4] = *seq;
        e[5..].fill(0);
    }
    Ok(len)
}

/// Writes a generic NACK for `lost_seqs`, packing them into `(PID, BLP)`
/// items in order: a sequence number within 1..=16 after the current PID
/// sets a BLP bit, anything else starts a new item. Err(InvalidArgument)
/// if `lost_seqs` is empty.
pub fn write_nack(
    buf: &mut [u8],
    sender_ssrc: u32,
    media_ssrc: u32,
    lost_seqs: &[u16],
) -> Result<usize, RtcpError> {
    if lost_seqs.is_empty() {
        return Err(RtcpError::InvalidArgument);
    }
    // First pass: count items to size and bounds-check the packet.
    let mut items = 0usize;
    let mut pid: Option<u16> = None;
    for &s in lost_seqs {
        match pid {
            Some(p) if (1..=16).contains(&s.wrapping_sub(p)) => {}
            _ => {
                pid = Some(s);
                items += 1;
            }
        }
    }
    let len = FB_HEADER + 4 * items;
    let out = take(buf, len)?;
    write_fb_header(out, RTPFB_NACK, PT_RTPFB, sender_ssrc, media_ssrc)?;
    let mut off = FB_HEADER - 4;
    let mut pid: Option<u16> = None;
    for &s in lost_seqs {
        match pid {
            Some(p) if (1..=16).contains(&s.wrapping_sub(p)) => {
                let blp =
                    u16::from_be_bytes([out[off + 2], out[off + 3]]) | 1 << (s.wrapping_sub(p) - 1);
                out[off + 2..off + 4].copy_from_slice(&blp.to_be_bytes());
            }
            _ => {
                off += 4;
                pid = Some(s);
                out[off..off + 2].copy_from_slice(&s.to_be_bytes());
                out[off + 2..off + 4].fill(0);
            }
        }
    }
    Ok(len)
}

/// Writes a generic NACK from ready `(PID, BLP)` items.
pub fn write_nack_items(
    buf: &mut [u8],
    sender_ssrc: u32,
    media_ssrc: u32,
    items: &[(u16, u16)],
) -> Result<usize, RtcpError> {
    let len = FB_HEADER + 4 * items.len();
    let out = take(buf, len)?;
    write_fb_header(out, RTPFB_NACK, PT_RTPFB, sender_ssrc, media_ssrc)?;
    for (i, (pid, blp)) in items.iter().enumerate() {
        out[FB_HEADER + 4 * i..FB_HEADER + 4 * i + 2].copy_from_slice(&pid.to_be_bytes());
        out[FB_HEADER + 4 * i + 2..FB_HEADER + 4 * i + 4].copy_from_slice(&blp.to_be_bytes());
    }
    Ok(len)
}

/// Writes a REMB (media SSRC 0) for `bitrate` bps and up to 255 `ssrcs`,
/// with an 18-bit mantissa and 6-bit exponent (as mediasoup: the mantissa
/// is shifted right until it fits).
pub fn write_remb(
    buf: &mut [u8],
    sender_ssrc: u32,
    bitrate: u64,
    ssrcs: &[u32],
) -> Result<usize, RtcpError> {
    if ssrcs.len() > 255 {
        return Err(RtcpError::InvalidArgument);
    }
    let len = FB_HEADER + 8 + 4 * ssrcs.len();
    let out = take(buf, len)?;
    write_fb_header(out, PSFB_AFB, PT_PSFB, sender_ssrc, 0)?;
    let mut mantissa = bitrate;
    let mut exp = 0u8;
    while mantissa > 0x3FFFF {
        mantissa >>= 1;
        exp += 1;
    }
    out[12..16].copy_from_slice(&REMB_ID.to_be_bytes());
    out[16] = ssrcs.len() as u8;
    out[17] = (exp << 2) | (mantissa >> 16) as u8;
    out[18..20].copy_from_slice(&(mantissa as u16).to_be_bytes());
    for (i, s) in ssrcs.iter().enumerate() {
        out[20 + 4 * i..24 + 4 * i].copy_from_slice(&s.to_be_bytes());
    }
    Ok(len)
}

fn check_fb_mut(pkt: &[u8]) -> Result<(), RtcpError> {
    let h = super::common::Header::parse(pkt)?;
    if h.pt != PT_RTPFB && h.pt != PT_PSFB {
        return Err(RtcpError::InvalidArgument);
    }
    if pkt.len() < FB_HEADER {
        return Err(RtcpError::TooShort);
    }
    Ok(())
}

/// Rewrites the media source SSRC of an RTPFB/PSFB packet (NACK, PLI, FIR,
/// TCC...) in place. `pkt` is one packet, e.g. from [`super::iter_compound_mut`].
pub fn set_feedback_media_ssrc(pkt: &mut [u8], ssrc: u32) -> Result<(), RtcpError> {
    check_fb_mut(pkt)?;
    pkt[8..12].copy_from_slice(&ssrc.to_be_bytes());
    Ok(())
}

/// Rewrites the sender SSRC of an RTPFB/PSFB packet in place.
pub fn set_feedback_sender_ssrc(pkt: &mut [u8], ssrc: u32) -> Result<(), RtcpError> {
    check_fb_mut(pkt)?;
    pkt[4..8].copy_from_slice(&ssrc.to_be_bytes());
    Ok(())
}

/// Rewrites the SSRC of every FIR entry in place (the header media SSRC is
/// left alone; use [`set_feedback_media_ssrc`] for it).
pub fn set_fir_ssrc(pkt: &mut [u8], ssrc: u32) -> Result<(), RtcpError> {
    check_fb_mut(pkt)?;
    if pkt[1] != PT_PSFB || pkt[0] & 0x1F != PSFB_FIR {
        return Err(RtcpError::InvalidArgument);
    }
    let h = super::common::Header::parse(pkt)?;
    let end = h.packet_len().min(pkt.len());
    for e in pkt[FB_HEADER..end].chunks_exact_mut(8) {
        e[..4].copy_from_slice(&ssrc.to_be_bytes());
    }
    Ok(())
}
