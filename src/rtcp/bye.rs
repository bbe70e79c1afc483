//! BYE (RFC 3550 6.6) and APP (6.7) packets.

use super::common::{pad4, take, u32_or0, write_header, COMMON_HEADER_SIZE, PT_BYE};
use super::RtcpError;
use crate::rtp::be;

/// A BYE packet (PT 203).
#[derive(Debug, Clone, Copy)]
pub struct Bye<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}

impl<'a> Bye<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        let count = (p[0] & 0x1F) as usize;
        if p.len() < COMMON_HEADER_SIZE + 4 * count {
            return Err(RtcpError::Malformed);
        }
        Ok(Bye { raw, p })
    }

    /// The whole packet as received.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Number of SSRCs (SC field).
    pub fn count(&self) -> u8 {
        self.p[0] & 0x1F
    }

    /// The SSRC/CSRCs leaving.
    pub fn ssrcs(&self) -> impl Iterator<Item = u32> + 'a {
        let p = self.p;
        (0..(p[0] & 0x1F) as usize).filter_map(move |i| be::u32_at(p, COMMON_HEADER_SIZE + 4 * i))
    }

    /// Reason for leaving, if present and within the packet.
    pub fn reason(&self) -> Option<&'a [u8]> {
        let off = COMMON_HEADER_SIZE + 4 * self.count() as usize;
        let l = *self.p.get(off)? as usize;
        self.p.get(off + 1..off + 1 + l)
    }
}

/// Writes a BYE for `ssrcs` (at most 31) with an optional reason (at most
/// 255 bytes). Returns bytes written.
pub fn write_bye(buf: &mut [u8], ssrcs: &[u32], reason: Option<&str>) -> Result<usize, RtcpError> {
    let r = reason.map(str::as_bytes).unwrap_or(&[]);
    if ssrcs.len() > 31 || r.len() > 255 {
        return Err(RtcpError::InvalidArgument);
    }
    let body = COMMON_HEADER_SIZE + 4 * ssrcs.len();
    let len = if reason.is_some() {
        pad4(body + 1 + r.len())
    } else {
        body
    };
    let out = take(buf, len)?;
    write_header(out, ssrcs.len() as u8, PT_BYE, len)?;
    for (i, s) in ssrcs.iter().enumerate() {
        out[4 + 4 * i..8 + 4 * i].copy_from_slice(&s.to_be_bytes());
    }
    if reason.is_some() {
        out[body] = r.len() as u8;
        out[body + 1..body + 1 + r.len()].copy_from_slice(r);
        out[body + 1 + r.len()..].fill(0);
    }
    Ok(len)
}

/// An APP packet (PT 204). mediasoup stops parsing a compound packet at an
/// APP packet; here it is exposed and iteration continues.
#[derive(Debug, Clone, Copy)]
pub struct App<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}

impl<'a> App<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        if p.len() < 12 {
            return Err(RtcpError::TooShort);
        }
        Ok(App { raw, p })
    }

    /// The whole packet as received.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }
    /// Subtype (count field).
    pub fn subtype(&self) -> u8 {
        self.p[0] & 0x1F
    }
    /// SSRC/CSRC.
    pub fn ssrc(&self) -> u32 {
        u32_or0(self.p, 4)
    }
    /// 4-character name.
    pub fn name(&self) -> &'a [u8] {
        &self.p[8..12]
    }
    /// Application-dependent data.
    pub fn data(&self) -> &'a [u8] {
        &self.p[12..]
    }
}
