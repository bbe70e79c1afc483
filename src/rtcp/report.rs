//! Sender Report, Receiver Report (RFC 3550 6.4) and their report blocks.

use super::common::{take, u32_or0, write_header, COMMON_HEADER_SIZE, PT_RR, PT_SR};
use super::RtcpError;
use crate::rtp::be;

/// Size of one report block.
pub const REPORT_BLOCK_SIZE: usize = 24;
const SR_FIXED: usize = COMMON_HEADER_SIZE + 24;
const RR_FIXED: usize = COMMON_HEADER_SIZE + 4;
const MAX_BLOCKS_PER_PACKET: usize = 31;

/// One reception report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// SSRC of the reported source.
    pub ssrc: u32,
    /// Fraction lost (8-bit fixed point).
    pub fraction_lost: u8,
    /// Cumulative number of packets lost (24-bit signed, two's complement
    /// per RFC 3550 / libwebrtc; mediasoup reads it as sign-magnitude).
    pub total_lost: i32,
    /// Extended highest sequence number received.
    pub highest_seq: u32,
    /// Interarrival jitter.
    pub jitter: u32,
    /// Last SR timestamp (middle 32 bits of its NTP time).
    pub lsr: u32,
    /// Delay since last SR (1/65536 s).
    pub dlsr: u32,
}

impl ReportBlock {
    /// Reads a block from 24 bytes.
    pub fn parse(d: &[u8]) -> Option<ReportBlock> {
        let d = d.get(..REPORT_BLOCK_SIZE)?;
        Some(ReportBlock {
            ssrc: be::u32_at(d, 0)?,
            fraction_lost: d[4],
            total_lost: be::i24_at(d, 5)?,
            highest_seq: be::u32_at(d, 8)?,
            jitter: be::u32_at(d, 12)?,
            lsr: be::u32_at(d, 16)?,
            dlsr: be::u32_at(d, 20)?,
        })
    }

    /// Writes the block into 24 bytes (total_lost clamped to 24 bits).
    pub fn write(&self, out: &mut [u8]) -> Result<(), RtcpError> {
        let o = out
            .get_mut(..REPORT_BLOCK_SIZE)
            .ok_or(RtcpError::BufferTooSmall)?;
        o[0..4].copy_from_slice(&self.ssrc.to_be_bytes());
        o[4] = self.fraction_lost;
        let lost = self.total_lost.clamp(-0x80_0000, 0x7F_FFFF) as u32 & 0xFF_FFFF;
        o[5..8].copy_from_slice(&lost.to_be_bytes()[1..]);
        o[8..12].copy_from_slice(&self.highest_seq.to_be_bytes());
        o[12..16].copy_from_slice(&self.jitter.to_be_bytes());
        o[16..20].copy_from_slice(&self.lsr.to_be_bytes());
        o[20..24].copy_from_slice(&self.dlsr.to_be_bytes());
        Ok(())
    }
}

/// Iterator over the report blocks of an SR/RR. Like mediasoup it yields at
/// most `count` blocks and stops early if the packet is shorter.
#[derive(Debug, Clone)]
pub struct ReportBlockIter<'a> {
    data: &'a [u8],
    remaining: u8,
}

impl Iterator for ReportBlockIter<'_> {
    type Item = ReportBlock;

    fn next(&mut self) -> Option<ReportBlock> {
        if self.remaining == 0 {
            return None;
        }
        let b = ReportBlock::parse(self.data)?;
        self.data = &self.data[REPORT_BLOCK_SIZE..];
        self.remaining -= 1;
        Some(b)
    }
}

/// A Sender Report (PT 200).
#[derive(Debug, Clone, Copy)]
pub struct SenderReport<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}

impl<'a> SenderReport<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        if p.len() < SR_FIXED {
            return Err(RtcpError::TooShort);
        }
        Ok(SenderReport { raw, p })
    }

    /// The whole packet as received (including padding).
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }
    /// SSRC of the sender.
    pub fn ssrc(&self) -> u32 {
        u32_or0(self.p, 4)
    }
    /// NTP timestamp, seconds.
    pub fn ntp_sec(&self) -> u32 {
        u32_or0(self.p, 8)
    }
    /// NTP timestamp, fraction.
    pub fn ntp_frac(&self) -> u32 {
        u32_or0(self.p, 12)
    }
    /// RTP timestamp matching the NTP timestamp.
    pub fn rtp_ts(&self) -> u32 {
        u32_or0(self.p, 16)
    }
    /// Sender's packet count.
    pub fn packet_count(&self) -> u32 {
        u32_or0(self.p, 20)
    }
    /// Sender's octet count.
    pub fn octet_count(&self) -> u32 {
        u32_or0(self.p, 24)
    }
    /// Report block count (RC field).
    pub fn report_count(&self) -> u8 {
        self.p[0] & 0x1F
    }
    /// The report blocks.
    pub fn reports(&self) -> ReportBlockIter<'a> {
        ReportBlockIter {
            data: &self.p[SR_FIXED..],
            remaining: self.report_count(),
        }
    }
}

/// A Receiver Report (PT 201).
#[derive(Debug, Clone, Copy)]
pub struct ReceiverReport<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}

impl<'a> ReceiverReport<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        if p.len() < RR_FIXED {
            return Err(RtcpError::TooShort);
        }
        Ok(ReceiverReport { raw, p })
    }

    /// The whole packet as received (including padding).
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }
    /// SSRC of the packet sender.
    pub fn ssrc(&self) -> u32 {
        u32_or0(self.p, 4)
    }
    /// Report block count (RC field).
    pub fn report_count(&self) -> u8 {
        self.p[0] & 0x1F
    }
    /// The report blocks.
    pub fn reports(&self) -> ReportBlockIter<'a> {
        ReportBlockIter {
            data: &self.p[RR_FIXED..],
            remaining: self.report_count(),
        }
    }
}

fn write_blocks(out: &mut [u8], blocks: &[ReportBlock]) -> Result<(), RtcpError> {
    for (i, b) in blocks.iter().enumerate() {
        b.write(&mut out[i * REPORT_BLOCK_SIZE..])?;
    }
    Ok(())
}

/// Writes an SR carrying up to 31 `blocks`; further blocks go into RR
/// packets (same SSRC) appended after it, as mediasoup splits reports.
/// Returns the number of bytes written.
#[allow(clippy::too_many_arguments)]
pub fn write_sender_report(
    buf: &mut [u8],
    ssrc: u32,
    ntp_sec: u32,
    ntp_frac: u32,
    rtp_ts: u32,
    packet_count: u32,
    octet_count: u32,
    blocks: &[ReportBlock],
) -> Result<usize, RtcpError> {
    let first = blocks.len().min(MAX_BLOCKS_PER_PACKET);
    let len = SR_FIXED + first * REPORT_BLOCK_SIZE;
    let rest_len = rr_total_len(&blocks[first..]);
    if buf.len() < len + rest_len {
        return Err(RtcpError::BufferTooSmall);
    }
    let out = take(buf, len)?;
    write_header(out, first as u8, PT_SR, len)?;
    for (i, v) in [ssrc, ntp_sec, ntp_frac, rtp_ts, packet_count, octet_count]
        .iter()
        .enumerate()
    {
        out[4 + 4 * i..8 + 4 * i].copy_from_slice(&v.to_be_bytes());
    }
    write_blocks(&mut out[SR_FIXED..], &blocks[..first])?;
    let more = if blocks.len() > first {
        write_receiver_report(&mut buf[len..], ssrc, &blocks[first..])?
    } else {
        0
    };
    Ok(len + more)
}

fn rr_total_len(blocks: &[ReportBlock]) -> usize {
    if blocks.is_empty() {
        return 0;
    }
    let packets = blocks.len().div_ceil(MAX_BLOCKS_PER_PACKET);
    packets * RR_FIXED + blocks.len() * REPORT_BLOCK_SIZE
}

/// Writes RR packet(s) from `sender_ssrc` with `blocks`: one packet per 31
/// blocks (an empty RR if `blocks` is empty). Returns bytes written.
pub fn write_receiver_report(
    buf: &mut [u8],
    sender_ssrc: u32,
    blocks: &[ReportBlock],
) -> Result<usize, RtcpError> {
    let total = rr_total_len(blocks).max(RR_FIXED);
    if buf.len() < total {
        return Err(RtcpError::BufferTooSmall);
    }
    let mut off = 0;
    let mut chunks = blocks.chunks(MAX_BLOCKS_PER_PACKET);
    let mut next = chunks.next();
    loop {
        let group = next.unwrap_or(&[]);
        let len = RR_FIXED + group.len() * REPORT_BLOCK_SIZE;
        let out = take(&mut buf[off..], len)?;
        write_header(out, group.len() as u8, PT_RR, len)?;
        out[4..8].copy_from_slice(&sender_ssrc.to_be_bytes());
        write_blocks(&mut out[RR_FIXED..], group)?;
        off += len;
        next = chunks.next();
        if next.is_none() {
            break;
        }
    }
    Ok(off)
}
