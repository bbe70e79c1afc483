//! [`RtpPacketBuf`]: a validated RTP packet over a byte buffer. Header
//! fields are read from / written to the buffer directly; only offsets are
//! cached. The buffer may be longer than the packet (spare capacity used by
//! rewrites that grow the packet: RTX encoding, header extensions).

use super::be;
use super::header_ext::{self, ExtensionIter};
use super::RtpError;

/// Size of the fixed RTP header.
pub const HEADER_SIZE: usize = 12;

/// A validated RTP packet over a buffer `B` (`&mut [u8]`, `&[u8]`,
/// `Vec<u8>`, `[u8; N]`...). Read accessors need `B: AsRef<[u8]>`, rewrites
/// need `AsMut<[u8]>` too.
#[derive(Debug, Clone)]
pub struct RtpPacketBuf<B> {
    pub(super) buf: B,
    /// Packet length (bytes of `buf` that belong to the packet).
    pub(super) len: usize,
    /// Offset of the payload (= header length).
    pub(super) payload_off: usize,
    /// Header extension value length (multiple of 4); 0 if none.
    pub(super) ext_len: usize,
    /// Number of padding bytes at the end (0 if the P bit is clear).
    pub(super) padding: u8,
}

/// The hot-path form: a packet parsed in place over a mutable buffer.
pub type RtpPacket<'a> = RtpPacketBuf<&'a mut [u8]>;
/// Read-only form over a shared buffer.
pub type RtpPacketRef<'a> = RtpPacketBuf<&'a [u8]>;

pub(super) const P_BIT: u8 = 0x20;
pub(super) const X_BIT: u8 = 0x10;

/// Writes a 12-byte RTP header (V=2, no padding, no extension, no CSRC) at
/// the start of `buf` and returns 12. Copy the payload after it, then
/// [`RtpPacketBuf::parse`] the result.
pub fn write_rtp_header(
    buf: &mut [u8],
    payload_type: u8,
    marker: bool,
    seq: u16,
    timestamp: u32,
    ssrc: u32,
) -> Result<usize, RtpError> {
    let h = buf.get_mut(..HEADER_SIZE).ok_or(RtpError::BufferTooSmall)?;
    h[0] = 0x80;
    h[1] = (payload_type & 0x7F) | if marker { 0x80 } else { 0 };
    h[2..4].copy_from_slice(&seq.to_be_bytes());
    h[4..8].copy_from_slice(&timestamp.to_be_bytes());
    h[8..12].copy_from_slice(&ssrc.to_be_bytes());
    Ok(HEADER_SIZE)
}

impl<B: AsRef<[u8]>> RtpPacketBuf<B> {
    /// RFC 7983 / RFC 5761 demultiplexing, as mediasoup: at least 12 bytes,
    /// first byte in 128..=191 (version 2) and not an RTCP packet (second
    /// byte in 192..=223, see `rtcp::is_rtcp`).
    pub fn is_rtp(data: &[u8]) -> bool {
        data.len() >= HEADER_SIZE
            && (128..=191).contains(&data[0])
            && !(192..=223).contains(&data[1])
    }

    /// Validates the first `len` bytes of `buf` as an RTP packet: version 2,
    /// CSRC list and header extension within `len`, and when the P bit is set
    /// a padding count (last byte) of at least 1 that fits the payload space.
    /// `buf` may be longer than `len` (spare capacity for rewrites).
    pub fn parse(buf: B, len: usize) -> Result<Self, RtpError> {
        let d = buf.as_ref().get(..len).ok_or(RtpError::TooShort)?;
        if len < HEADER_SIZE {
            return Err(RtpError::TooShort);
        }
        if d[0] >> 6 != 2 {
            return Err(RtpError::BadVersion);
        }
        let mut off = HEADER_SIZE + 4 * (d[0] & 0x0F) as usize;
        if off > len {
            return Err(RtpError::BadCsrc);
        }
        let mut ext_len = 0;
        if d[0] & X_BIT != 0 {
            let words = be::u16_at(d, off + 2).ok_or(RtpError::BadExtension)?;
            ext_len = words as usize * 4;
            if off + 4 + ext_len > len {
                return Err(RtpError::BadExtension);
            }
            off += 4 + ext_len;
        }
        let mut padding = 0;
        if d[0] & P_BIT != 0 {
            let space = len - off;
            let pad = if space == 0 { 0 } else { d[len - 1] };
            if pad == 0 || pad as usize > space {
                return Err(RtpError::BadPadding);
            }
            padding = pad;
        }
        Ok(RtpPacketBuf {
            buf,
            len,
            payload_off: off,
            ext_len,
            padding,
        })
    }

    #[inline]
    pub(super) fn d(&self) -> &[u8] {
        &self.buf.as_ref()[..self.len]
    }

    /// The whole packet (`[..len]`).
    #[inline]
    pub fn data(&self) -> &[u8] {
        self.d()
    }

    /// Packet length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false for a parsed packet (kept for API symmetry).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Size of the underlying buffer (packet length + spare capacity).
    #[inline]
    pub fn capacity(&self) -> usize {
        self.buf.as_ref().len()
    }

    /// Header length: fixed header + CSRC list + header extension.
    #[inline]
    pub fn header_len(&self) -> usize {
        self.payload_off
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> B {
        self.buf
    }

    /// Gives the buffer and the packet length back.
    pub fn into_parts(self) -> (B, usize) {
        (self.buf, self.len)
    }

    /// A read-only view of this packet (no re-validation).
    pub fn view(&self) -> RtpPacketRef<'_> {
        RtpPacketBuf {
            buf: self.buf.as_ref(),
            len: self.len,
            payload_off: self.payload_off,
            ext_len: self.ext_len,
            padding: self.padding,
        }
    }

    /// Copies the packet into `dst` (which must hold `len()` bytes) and
    /// returns a packet over it, without re-validation. Extra room in `dst`
    /// becomes spare capacity.
    pub fn copy_to<'b>(&self, dst: &'b mut [u8]) -> Result<RtpPacket<'b>, RtpError> {
        dst.get_mut(..self.len)
            .ok_or(RtpError::BufferTooSmall)?
            .copy_from_slice(self.d());
        Ok(RtpPacketBuf {
            buf: dst,
            len: self.len,
            payload_off: self.payload_off,
            ext_len: self.ext_len,
            padding: self.padding,
        })
    }

    /// Marker bit.
    #[inline]
    pub fn marker(&self) -> bool {
        self.d()[1] & 0x80 != 0
    }

    /// Payload type (7 bits).
    #[inline]
    pub fn payload_type(&self) -> u8 {
        self.d()[1] & 0x7F
    }

    /// Sequence number.
    #[inline]
    pub fn sequence_number(&self) -> u16 {
        u16::from_be_bytes([self.d()[2], self.d()[3]])
    }

    /// RTP timestamp.
    #[inline]
    pub fn timestamp(&self) -> u32 {
        let d = self.d();
        u32::from_be_bytes([d[4], d[5], d[6], d[7]])
    }

    /// SSRC.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        let d = self.d();
        u32::from_be_bytes([d[8], d[9], d[10], d[11]])
    }

    /// CSRC count (CC field).
    #[inline]
    pub fn csrc_count(&self) -> u8 {
        self.d()[0] & 0x0F
    }

    /// CSRC number `i`, if `i < csrc_count()`.
    pub fn csrc(&self, i: usize) -> Option<u32> {
        if i >= self.csrc_count() as usize {
            return None;
        }
        be::u32_at(self.d(), HEADER_SIZE + 4 * i)
    }

    /// The CSRC list.
    pub fn csrcs(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.csrc_count() as usize).filter_map(move |i| self.csrc(i))
    }

    /// X bit: the packet carries a header extension block.
    #[inline]
    pub fn has_extension(&self) -> bool {
        self.d()[0] & X_BIT != 0
    }

    #[inline]
    pub(super) fn ext_off(&self) -> usize {
        HEADER_SIZE + 4 * self.csrc_count() as usize
    }

    /// The 16-bit "defined by profile" field of the extension block.
    pub fn extension_profile(&self) -> Option<u16> {
        if !self.has_extension() {
            return None;
        }
        be::u16_at(self.d(), self.ext_off())
    }

    /// The extension block value (after the 4-byte block header).
    pub fn extension_block(&self) -> Option<&[u8]> {
        if !self.has_extension() {
            return None;
        }
        let s = self.ext_off() + 4;
        self.d().get(s..s + self.ext_len)
    }

    /// True if the block uses the one-byte form (profile 0xBEDE).
    pub fn has_one_byte_extensions(&self) -> bool {
        self.extension_profile() == Some(header_ext::ONE_BYTE_PROFILE)
    }

    /// True if the block uses the two-byte form (profile 0x100X).
    pub fn has_two_byte_extensions(&self) -> bool {
        self.extension_profile()
            .is_some_and(header_ext::is_two_byte_profile)
    }

    /// Block and form, when the block is RFC 8285.
    pub(super) fn ext_block_form(&self) -> Option<(usize, bool)> {
        let profile = self.extension_profile()?;
        let two = if profile == header_ext::ONE_BYTE_PROFILE {
            false
        } else if header_ext::is_two_byte_profile(profile) {
            true
        } else {
            return None;
        };
        Some((self.ext_off() + 4, two))
    }

    /// Iterates the RFC 8285 extension elements `(id, value)`; empty if the
    /// packet has no extension or an unknown profile.
    pub fn extensions(&self) -> ExtensionIter<'_> {
        match self.ext_block_form() {
            Some((s, two)) => match self.d().get(s..s + self.ext_len) {
                Some(block) => ExtensionIter::new(block, two),
                None => ExtensionIter::empty(),
            },
            None => ExtensionIter::empty(),
        }
    }

    /// Value of extension `id` (first occurrence). `None` if absent, if `id`
    /// is 0, or if the value is empty (a zero-length two-byte element, as
    /// mediasoup's `GetExtension`).
    pub fn extension(&self, id: u8) -> Option<&[u8]> {
        let (s, two) = self.ext_block_form()?;
        let block = self.d().get(s..s + self.ext_len)?;
        let e = header_ext::find(block, two, id)?;
        block.get(e.start..e.start + e.len)
    }

    /// The payload, excluding padding.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.d()[self.payload_off..self.len - self.padding as usize]
    }

    /// Payload length, excluding padding.
    #[inline]
    pub fn payload_len(&self) -> usize {
        self.len - self.payload_off - self.padding as usize
    }

    /// Number of padding bytes (0 if the P bit is clear).
    #[inline]
    pub fn padding_len(&self) -> usize {
        self.padding as usize
    }
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> RtpPacketBuf<B> {
    #[inline]
    pub(super) fn dm(&mut self) -> &mut [u8] {
        let len = self.len;
        &mut self.buf.as_mut()[..len]
    }

    /// Sets the marker bit.
    pub fn set_marker(&mut self, marker: bool) {
        let d = self.dm();
        d[1] = (d[1] & 0x7F) | if marker { 0x80 } else { 0 };
    }

    /// Sets the payload type (masked to 7 bits).
    pub fn set_payload_type(&mut self, pt: u8) {
        let d = self.dm();
        d[1] = (d[1] & 0x80) | (pt & 0x7F);
    }

    /// Sets the sequence number.
    pub fn set_sequence_number(&mut self, seq: u16) {
        self.dm()[2..4].copy_from_slice(&seq.to_be_bytes());
    }

    /// Sets the RTP timestamp.
    pub fn set_timestamp(&mut self, ts: u32) {
        self.dm()[4..8].copy_from_slice(&ts.to_be_bytes());
    }

    /// Sets the SSRC.
    pub fn set_ssrc(&mut self, ssrc: u32) {
        self.dm()[8..12].copy_from_slice(&ssrc.to_be_bytes());
    }

    /// The payload (excluding padding), mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (s, e) = (self.payload_off, self.len - self.padding as usize);
        &mut self.dm()[s..e]
    }

    /// Mutable value of extension `id`, for same-length in-place rewrites
    /// (abs-send-time, transport-wide sequence number, a MID of equal size).
    pub fn extension_mut(&mut self, id: u8) -> Option<&mut [u8]> {
        let (s, two) = self.ext_block_form()?;
        let ext_len = self.ext_len;
        let e = header_ext::find(self.d().get(s..s + ext_len)?, two, id)?;
        self.dm().get_mut(s + e.start..s + e.start + e.len)
    }
}
