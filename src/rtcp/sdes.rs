//! SDES (RFC 3550 6.5): chunk/item views and a CNAME builder.

use super::common::{pad4, take, write_header, COMMON_HEADER_SIZE, PT_SDES};
use super::RtcpError;
use crate::rtp::be;

/// SDES item type CNAME.
pub const SDES_CNAME: u8 = 1;

/// An SDES packet (PT 202), validated like mediasoup's `SdesPacket::Parse`
/// (each chunk ends with a null octet and is padded to 32 bits; the number
/// of chunks matches the SC field).
#[derive(Debug, Clone, Copy)]
pub struct Sdes<'a> {
    raw: &'a [u8],
    p: &'a [u8],
}

/// Walks one chunk at `d` (starting at its SSRC); returns its total size
/// (including null octets and padding) or None if malformed.
fn chunk_size(d: &[u8]) -> Option<usize> {
    if d.len() < 4 {
        return None;
    }
    let mut off = 4;
    // Items until the END (type 0) octet.
    loop {
        let t = *d.get(off)?;
        if t == 0 {
            break;
        }
        let l = *d.get(off + 1)? as usize;
        if off + 2 + l > d.len() {
            return None;
        }
        off += 2 + l;
    }
    // Mandatory null octet then null padding to 32 bits.
    let end = pad4(off + 1);
    let pad = d.get(off..end)?;
    if pad.iter().any(|&b| b != 0) {
        return None;
    }
    Some(end)
}

impl<'a> Sdes<'a> {
    pub(crate) fn parse(raw: &'a [u8], p: &'a [u8]) -> Result<Self, RtcpError> {
        let count = p[0] & 0x1F;
        let mut off = COMMON_HEADER_SIZE;
        for _ in 0..count {
            let n = p
                .get(off..)
                .and_then(chunk_size)
                .ok_or(RtcpError::Malformed)?;
            off += n;
        }
        Ok(Sdes { raw, p })
    }

    /// The whole packet as received.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Number of chunks (SC field).
    pub fn count(&self) -> u8 {
        self.p[0] & 0x1F
    }

    /// The chunks.
    pub fn chunks(&self) -> SdesChunkIter<'a> {
        SdesChunkIter {
            data: self.p.get(COMMON_HEADER_SIZE..).unwrap_or(&[]),
            remaining: self.count(),
        }
    }

    /// First CNAME found, with its chunk SSRC.
    pub fn cname(&self) -> Option<(u32, &'a [u8])> {
        self.chunks().find_map(|c| {
            c.items()
                .find(|(t, _)| *t == SDES_CNAME)
                .map(|(_, v)| (c.ssrc, v))
        })
    }
}

/// Iterator over SDES chunks.
#[derive(Debug, Clone)]
pub struct SdesChunkIter<'a> {
    data: &'a [u8],
    remaining: u8,
}

/// One SDES chunk.
#[derive(Debug, Clone, Copy)]
pub struct SdesChunk<'a> {
    /// SSRC/CSRC the items describe.
    pub ssrc: u32,
    items: &'a [u8],
}

impl<'a> SdesChunk<'a> {
    /// Items `(type, value)` of the chunk.
    pub fn items(&self) -> SdesItemIter<'a> {
        SdesItemIter { data: self.items }
    }
}

impl<'a> Iterator for SdesChunkIter<'a> {
    type Item = SdesChunk<'a>;

    fn next(&mut self) -> Option<SdesChunk<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let n = chunk_size(self.data)?;
        let c = SdesChunk {
            ssrc: be::u32_at(self.data, 0)?,
            items: &self.data[4..n],
        };
        self.data = &self.data[n..];
        self.remaining -= 1;
        Some(c)
    }
}

/// Iterator over the `(type, value)` items of a chunk.
#[derive(Debug, Clone)]
pub struct SdesItemIter<'a> {
    data: &'a [u8],
}

impl<'a> Iterator for SdesItemIter<'a> {
    type Item = (u8, &'a [u8]);

    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let t = *self.data.first()?;
        if t == 0 {
            return None;
        }
        let l = *self.data.get(1)? as usize;
        let v = self.data.get(2..2 + l)?;
        self.data = &self.data[2 + l..];
        Some((t, v))
    }
}

/// Writes an SDES packet with one chunk holding a CNAME item. `cname` must
/// be at most 255 bytes. Returns bytes written.
pub fn write_sdes_cname(buf: &mut [u8], ssrc: u32, cname: &str) -> Result<usize, RtcpError> {
    let c = cname.as_bytes();
    if c.len() > 255 {
        return Err(RtcpError::InvalidArgument);
    }
    // Header + SSRC + item header + value + null octet, padded.
    let len = pad4(COMMON_HEADER_SIZE + 4 + 2 + c.len() + 1);
    let out = take(buf, len)?;
    write_header(out, 1, PT_SDES, len)?;
    out[4..8].copy_from_slice(&ssrc.to_be_bytes());
    out[8] = SDES_CNAME;
    out[9] = c.len() as u8;
    out[10..10 + c.len()].copy_from_slice(c);
    out[10 + c.len()..].fill(0);
    Ok(len)
}
