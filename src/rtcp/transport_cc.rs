//! Transport-wide congestion control feedback (RTPFB FMT 15,
//! draft-holmer-rmcat-transport-wide-cc-extensions-01): a validated view
//! with a callback visitor over packet statuses, and a builder.

use super::common::{pad4, take, u32_or0, write_header, PT_RTPFB, RTPFB_TCC};
use super::feedback::FB_HEADER;
use super::RtcpError;
use crate::rtp::be;

/// Reference time unit in ms.
pub const TCC_BASE_TIME_TICK_MS: i64 = 64;
/// Wrap period of the 24-bit reference time, in ms.
pub const TCC_TIME_WRAP_PERIOD_MS: i64 = TCC_BASE_TIME_TICK_MS * (1 << 24);

const FIXED: usize = FB_HEADER + 8;
const NOT_RECEIVED: u8 = 0;
const SMALL: u8 = 1;
const LARGE: u8 = 2;

/// A transport-cc feedback packet. Parsing validates the whole structure
/// (as mediasoup: chunk statuses must add up to the packet status count,
/// and every received packet must have its delta), so the visitor cannot
/// fail half-way.
#[derive(Debug, Clone, Copy)]
pub struct TransportCc<'a> {
    raw: &'a [u8],
    p: &'a [u8],
    /// Size of the status chunk area (deltas follow it).
    chunks_len: usize,
}

impl<'a> TransportCc<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        if p.len() < FIXED {
            return Err(RtcpError::TooShort);
        }
        let mut t = TransportCc {
            raw,
            p,
            chunks_len: 0,
        };
        let mut delta_bytes = 0usize;
        let chunks_end = t.walk(|_, s| {
            delta_bytes += match s {
                SMALL => 1,
                LARGE => 2,
                _ => 0,
            }
        })?;
        if p.len() - FIXED - chunks_end < delta_bytes {
            return Err(RtcpError::Malformed);
        }
        t.chunks_len = chunks_end;
        Ok(t)
    }

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
    /// Transport-wide sequence number of the first packet reported.
    pub fn base_seq(&self) -> u16 {
        be::u16_at(self.p, 12).unwrap_or(0)
    }
    /// Number of packets reported.
    pub fn packet_status_count(&self) -> u16 {
        be::u16_at(self.p, 14).unwrap_or(0)
    }
    /// Reference time (signed 24 bits, multiples of 64 ms).
    pub fn reference_time(&self) -> i32 {
        be::i24_at(self.p, 16).unwrap_or(0)
    }
    /// Reference time in ms, as mediasoup's `GetReferenceTimestamp`
    /// (`TCC_TIME_WRAP_PERIOD_MS + reference_time * 64`).
    pub fn reference_time_ms(&self) -> i64 {
        TCC_TIME_WRAP_PERIOD_MS + self.reference_time() as i64 * TCC_BASE_TIME_TICK_MS
    }
    /// Difference between this packet's reference time and `previous_ms`
    /// compensating for wrap-around (mediasoup's `GetBaseDelta`).
    pub fn base_delta_ms(&self, previous_ms: i64) -> i64 {
        let mut delta = self.reference_time_ms() - previous_ms;
        if (delta - TCC_TIME_WRAP_PERIOD_MS).abs() < delta.abs() {
            delta -= TCC_TIME_WRAP_PERIOD_MS;
        } else if (delta + TCC_TIME_WRAP_PERIOD_MS).abs() < delta.abs() {
            delta += TCC_TIME_WRAP_PERIOD_MS;
        }
        delta
    }
    /// Feedback packet count.
    pub fn feedback_packet_count(&self) -> u8 {
        self.p[19]
    }

    /// Walks the status chunks calling `f(index, status)` for each reported
    /// packet; returns the size of the chunk area. Errors as mediasoup.
    fn walk<F: FnMut(u16, u8)>(&self, mut f: F) -> Result<usize, RtcpError> {
        let total = self.packet_status_count() as u32;
        let content = &self.p[FIXED..];
        let mut off = 0usize;
        let mut count = 0u32;
        while count < total && off < content.len() {
            let chunk = be::u16_at(content, off).ok_or(RtcpError::Malformed)?;
            off += 2;
            let remaining = total - count;
            if chunk & 0x8000 == 0 {
                let status = ((chunk >> 13) & 0x03) as u8;
                if status == 3 {
                    return Err(RtcpError::Malformed);
                }
                let n = (chunk & 0x1FFF) as u32;
                if n > remaining {
                    return Err(RtcpError::Malformed);
                }
                for i in 0..n {
                    f((count + i) as u16, status);
                }
                count += n;
            } else if chunk & 0x4000 == 0 {
                let n = remaining.min(14);
                for i in 0..n {
                    f((count + i) as u16, ((chunk >> (13 - i)) & 0x01) as u8);
                }
                count += n;
            } else {
                let n = remaining.min(7);
                for i in 0..n {
                    let s = ((chunk >> (12 - 2 * i)) & 0x03) as u8;
                    // Status 3 is reserved: treated as not received (mediasoup).
                    f((count + i) as u16, if s == 3 { NOT_RECEIVED } else { s });
                }
                count += n;
            }
        }
        if count != total {
            return Err(RtcpError::Malformed);
        }
        Ok(off)
    }

    /// Calls `f(sequence number, delta)` for every reported packet in
    /// order; `delta` is `None` for a packet not received, else the receive
    /// delta in 250 µs units (relative to the previous received packet, the
    /// first one relative to the reference time).
    pub fn for_each<F: FnMut(u16, Option<i16>)>(&self, mut f: F) -> Result<(), RtcpError> {
        let base = self.base_seq();
        let deltas = self.p.get(FIXED + self.chunks_len..).unwrap_or(&[]);
        let mut d = 0usize;
        let mut err = false;
        self.walk(|i, s| {
            let seq = base.wrapping_add(i);
            let delta = match s {
                SMALL => {
                    let v = deltas.get(d).map(|&b| b as i16);
                    d += 1;
                    v
                }
                LARGE => {
                    let v = be::u16_at(deltas, d).map(|x| x as i16);
                    d += 2;
                    v
                }
                _ => {
                    f(seq, None);
                    return;
                }
            };
            match delta {
                Some(v) => f(seq, Some(v)),
                None => err = true,
            }
        })?;
        if err {
            return Err(RtcpError::Malformed);
        }
        Ok(())
    }

    /// Fraction of reported packets not received (0..=255), as mediasoup's
    /// `GetPacketFractionLost` (255 when all are lost).
    pub fn packet_fraction_lost(&self) -> u8 {
        let expected = self.packet_status_count() as u32;
        if expected == 0 {
            return 0;
        }
        let mut lost = 0u32;
        if self
            .walk(|_, s| lost += (s == NOT_RECEIVED) as u32)
            .is_err()
        {
            return 0;
        }
        if lost == expected {
            return 255;
        }
        ((lost << 8) / expected) as u8
    }
}

#[inline]
fn symbol(s: Option<i16>) -> u8 {
    match s {
        None => NOT_RECEIVED,
        Some(d) if (0..=255).contains(&d) => SMALL,
        Some(_) => LARGE,
    }
}

/// Chooses the next chunk at `i`: `(chunk, statuses covered)`.
fn next_chunk(statuses: &[Option<i16>], i: usize) -> (u16, usize) {
    let left = statuses.len() - i;
    let s0 = symbol(statuses[i]);
    let run = statuses[i..]
        .iter()
        .take(0x1FFF)
        .take_while(|&&s| symbol(s) == s0)
        .count();
    if run >= 7 || run == left {
        return (((s0 as u16) << 13) | run as u16, run);
    }
    let w14 = left.min(14);
    if statuses[i..i + w14].iter().all(|&s| symbol(s) != LARGE) {
        let mut c = 0x8000u16;
        for (k, &s) in statuses[i..i + w14].iter().enumerate() {
            c |= (symbol(s) as u16) << (13 - k);
        }
        return (c, w14);
    }
    let w7 = left.min(7);
    let mut c = 0xC000u16;
    for (k, &s) in statuses[i..i + w7].iter().enumerate() {
        c |= (symbol(s) as u16) << (12 - 2 * k);
    }
    (c, w7)
}

/// Writes a transport-cc feedback packet. `statuses[i]` describes sequence
/// number `base_seq + i`: `None` = not received, `Some(delta)` = received
/// with `delta` in 250 µs units since the previous received packet (the
/// first since `reference_time * 64 ms`). Chunks are chosen greedily
/// (run-length for runs of 7+, else 1-bit or 2-bit status vectors). Zero
/// padding is added to 32 bits (no P bit, as mediasoup). Returns bytes
/// written.
#[allow(clippy::too_many_arguments)]
pub fn write_transport_cc(
    buf: &mut [u8],
    sender_ssrc: u32,
    media_ssrc: u32,
    base_seq: u16,
    reference_time: i32,
    fb_pkt_count: u8,
    statuses: &[Option<i16>],
) -> Result<usize, RtcpError> {
    if statuses.len() > u16::MAX as usize {
        return Err(RtcpError::InvalidArgument);
    }
    let mut chunks = 0usize;
    let mut delta_bytes = 0usize;
    let mut i = 0;
    while i < statuses.len() {
        let (_, n) = next_chunk(statuses, i);
        chunks += 1;
        i += n;
    }
    for &s in statuses {
        delta_bytes += match symbol(s) {
            SMALL => 1,
            LARGE => 2,
            _ => 0,
        };
    }
    let unpadded = FIXED + 2 * chunks + delta_bytes;
    let len = pad4(unpadded);
    let out = take(buf, len)?;
    write_header(out, RTPFB_TCC, PT_RTPFB, len)?;
    out[4..8].copy_from_slice(&sender_ssrc.to_be_bytes());
    out[8..12].copy_from_slice(&media_ssrc.to_be_bytes());
    out[12..14].copy_from_slice(&base_seq.to_be_bytes());
    out[14..16].copy_from_slice(&(statuses.len() as u16).to_be_bytes());
    out[16..19].copy_from_slice(&(reference_time as u32).to_be_bytes()[1..]);
    out[19] = fb_pkt_count;
    let mut c_off = FIXED;
    let mut d_off = FIXED + 2 * chunks;
    let mut i = 0;
    while i < statuses.len() {
        let (c, n) = next_chunk(statuses, i);
        out[c_off..c_off + 2].copy_from_slice(&c.to_be_bytes());
        c_off += 2;
        i += n;
    }
    for &s in statuses {
        match (symbol(s), s) {
            (SMALL, Some(d)) => {
                out[d_off] = d as u8;
                d_off += 1;
            }
            (LARGE, Some(d)) => {
                out[d_off..d_off + 2].copy_from_slice(&d.to_be_bytes());
                d_off += 2;
            }
            _ => {}
        }
    }
    out[unpadded..].fill(0);
    Ok(len)
}
