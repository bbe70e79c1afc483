//! RTCP common header, packet type constants, demultiplexing test, and
//! small helpers shared by the packet modules.

use super::RtcpError;
use crate::rtp::be;

/// Size of the RTCP common header.
pub const COMMON_HEADER_SIZE: usize = 4;

pub const PT_SR: u8 = 200;
pub const PT_RR: u8 = 201;
pub const PT_SDES: u8 = 202;
pub const PT_BYE: u8 = 203;
pub const PT_APP: u8 = 204;
pub const PT_RTPFB: u8 = 205;
pub const PT_PSFB: u8 = 206;
pub const PT_XR: u8 = 207;

/// RTPFB FMT: generic NACK.
pub const RTPFB_NACK: u8 = 1;
/// RTPFB FMT: transport-wide congestion control feedback.
pub const RTPFB_TCC: u8 = 15;
/// PSFB FMT: picture loss indication.
pub const PSFB_PLI: u8 = 1;
/// PSFB FMT: full intra request.
pub const PSFB_FIR: u8 = 4;
/// PSFB FMT: application layer feedback (REMB).
pub const PSFB_AFB: u8 = 15;

/// mediasoup's `RTCP::Packet::IsRtcp`: at least 4 bytes, first byte in
/// 128..=191 (version 2) and packet type in 192..=223 (RFC 5761).
pub fn is_rtcp(data: &[u8]) -> bool {
    data.len() >= COMMON_HEADER_SIZE
        && (128..=191).contains(&data[0])
        && (192..=223).contains(&data[1])
}

/// Decoded RTCP common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// P bit.
    pub padding: bool,
    /// Count / FMT field (5 bits).
    pub count: u8,
    /// Packet type.
    pub pt: u8,
    /// Length field (32-bit words minus one).
    pub length: u16,
}

impl Header {
    /// Parses and checks the header of the packet at the start of `data`.
    pub fn parse(data: &[u8]) -> Result<Header, RtcpError> {
        if data.len() < COMMON_HEADER_SIZE {
            return Err(RtcpError::TooShort);
        }
        if data[0] >> 6 != 2 {
            return Err(RtcpError::BadVersion);
        }
        if !(192..=223).contains(&data[1]) {
            return Err(RtcpError::NotRtcp);
        }
        Ok(Header {
            padding: data[0] & 0x20 != 0,
            count: data[0] & 0x1F,
            pt: data[1],
            length: u16::from_be_bytes([data[2], data[3]]),
        })
    }

    /// Total packet size in bytes: `(length + 1) * 4`.
    pub fn packet_len(&self) -> usize {
        (self.length as usize + 1) * 4
    }
}

/// The packet without its padding when the P bit is set and the padding
/// count (last byte) is consistent; otherwise the whole packet (mediasoup
/// ignores the P bit entirely, so invalid counts are tolerated).
pub(crate) fn strip_padding(pkt: &[u8]) -> &[u8] {
    if pkt.first().is_some_and(|b| b & 0x20 != 0) {
        if let Some(&n) = pkt.last() {
            let n = n as usize;
            if n >= 1 && n <= pkt.len().saturating_sub(COMMON_HEADER_SIZE) {
                return &pkt[..pkt.len() - n];
            }
        }
    }
    pkt
}

/// Writes a common header (V=2, no padding) for a packet of `total_len`
/// bytes (a multiple of 4) at the start of `buf`.
pub(crate) fn write_header(
    buf: &mut [u8],
    count: u8,
    pt: u8,
    total_len: usize,
) -> Result<(), RtcpError> {
    if !total_len.is_multiple_of(4) || total_len < 4 || total_len / 4 - 1 > u16::MAX as usize {
        return Err(RtcpError::InvalidArgument);
    }
    let h = buf.get_mut(..4).ok_or(RtcpError::BufferTooSmall)?;
    h[0] = 0x80 | (count & 0x1F);
    h[1] = pt;
    h[2..4].copy_from_slice(&((total_len / 4 - 1) as u16).to_be_bytes());
    Ok(())
}

/// Takes `n` bytes of `buf` for a packet about to be written, or
/// Err(BufferTooSmall).
pub(crate) fn take(buf: &mut [u8], n: usize) -> Result<&mut [u8], RtcpError> {
    buf.get_mut(..n).ok_or(RtcpError::BufferTooSmall)
}

#[inline]
pub(crate) fn u32_or0(d: &[u8], i: usize) -> u32 {
    be::u32_at(d, i).unwrap_or(0)
}

#[inline]
pub(crate) fn pad4(n: usize) -> usize {
    (n + 3) & !3
}
