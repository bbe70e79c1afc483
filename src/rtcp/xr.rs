//! Extended Reports (RFC 3611): Receiver Reference Time (block type 4) and
//! DLRR (block type 5), used for RTT measurement without SR.

use super::common::{take, u32_or0, write_header, COMMON_HEADER_SIZE, PT_XR};
use super::RtcpError;
use crate::rtp::be;

const BT_RRT: u8 = 4;
const BT_DLRR: u8 = 5;

/// An XR packet (PT 207).
#[derive(Debug, Clone, Copy)]
pub struct Xr<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}

impl<'a> Xr<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        if p.len() < COMMON_HEADER_SIZE + 4 {
            return Err(RtcpError::TooShort);
        }
        Ok(Xr { raw, p })
    }

    /// The whole packet as received.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }
    /// SSRC of the packet sender.
    pub fn ssrc(&self) -> u32 {
        u32_or0(self.p, 4)
    }
    /// Report blocks; iteration stops at a truncated block.
    pub fn blocks(&self) -> XrBlockIter<'a> {
        XrBlockIter { data: &self.p[8..] }
    }
}

/// One XR report block.
#[derive(Debug, Clone)]
pub enum XrBlock<'a> {
    /// Receiver Reference Time: NTP timestamp of the report.
    Rrt { ntp_sec: u32, ntp_frac: u32 },
    /// DLRR sub-blocks.
    Dlrr(DlrrIter<'a>),
    /// Any other block type: type and body (after the 4-byte block header).
    Other { block_type: u8, data: &'a [u8] },
}

/// Iterator over XR blocks.
#[derive(Debug, Clone)]
pub struct XrBlockIter<'a> {
    data: &'a [u8],
}

impl<'a> Iterator for XrBlockIter<'a> {
    type Item = XrBlock<'a>;

    fn next(&mut self) -> Option<XrBlock<'a>> {
        let bt = *self.data.first()?;
        let words = be::u16_at(self.data, 2)? as usize;
        let end = 4 + 4 * words;
        let body = self.data.get(4..end)?;
        self.data = &self.data[end..];
        Some(match bt {
            BT_RRT if body.len() >= 8 => XrBlock::Rrt {
                ntp_sec: u32_or0(body, 0),
                ntp_frac: u32_or0(body, 4),
            },
            BT_DLRR => XrBlock::Dlrr(DlrrIter { data: body }),
            _ => XrBlock::Other {
                block_type: bt,
                data: body,
            },
        })
    }
}

/// One DLRR sub-block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DlrrItem {
    /// SSRC of the receiver.
    pub ssrc: u32,
    /// Last RR timestamp (middle 32 bits of the RRT NTP time).
    pub lrr: u32,
    /// Delay since last RR (1/65536 s).
    pub dlrr: u32,
}

/// Iterator over DLRR sub-blocks.
#[derive(Debug, Clone)]
pub struct DlrrIter<'a> {
    data: &'a [u8],
}

impl Iterator for DlrrIter<'_> {
    type Item = DlrrItem;

    fn next(&mut self) -> Option<DlrrItem> {
        let d = self.data.get(..12)?;
        self.data = &self.data[12..];
        Some(DlrrItem {
            ssrc: u32_or0(d, 0),
            lrr: u32_or0(d, 4),
            dlrr: u32_or0(d, 8),
        })
    }
}

/// Writes an XR packet with one Receiver Reference Time block. Returns 20.
pub fn write_xr_rrt(
    buf: &mut [u8],
    ssrc: u32,
    ntp_sec: u32,
    ntp_frac: u32,
) -> Result<usize, RtcpError> {
    let out = take(buf, 20)?;
    write_header(out, 0, PT_XR, 20)?;
    out[4..8].copy_from_slice(&ssrc.to_be_bytes());
    out[8..12].copy_from_slice(&[BT_RRT, 0, 0, 2]);
    out[12..16].copy_from_slice(&ntp_sec.to_be_bytes());
    out[16..20].copy_from_slice(&ntp_frac.to_be_bytes());
    Ok(20)
}

/// Writes an XR packet with one DLRR block holding `items` (at most 5461).
pub fn write_xr_dlrr(buf: &mut [u8], ssrc: u32, items: &[DlrrItem]) -> Result<usize, RtcpError> {
    let words = 3 * items.len();
    if words > u16::MAX as usize {
        return Err(RtcpError::InvalidArgument);
    }
    let len = 12 + 12 * items.len();
    let out = take(buf, len)?;
    write_header(out, 0, PT_XR, len)?;
    out[4..8].copy_from_slice(&ssrc.to_be_bytes());
    out[8] = BT_DLRR;
    out[9] = 0;
    out[10..12].copy_from_slice(&(words as u16).to_be_bytes());
    for (i, it) in items.iter().enumerate() {
        let o = &mut out[12 + 12 * i..24 + 12 * i];
        o[0..4].copy_from_slice(&it.ssrc.to_be_bytes());
        o[4..8].copy_from_slice(&it.lrr.to_be_bytes());
        o[8..12].copy_from_slice(&it.dlrr.to_be_bytes());
    }
    Ok(len)
}
