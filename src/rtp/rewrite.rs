//! In-place rewrites of an [`RtpPacketBuf`] that change its layout: payload
//! shifts (codec descriptors) and RTX encoding (RFC 4588). Neither
//! allocates; each checks buffer capacity first and leaves the packet
//! unchanged on error.

use super::packet::P_BIT;
use super::{RtpError, RtpPacketBuf};

impl<B: AsRef<[u8]> + AsMut<[u8]>> RtpPacketBuf<B> {
    fn drop_padding(&mut self) {
        if self.padding != 0 {
            self.len -= self.padding as usize;
            self.padding = 0;
        }
        self.buf.as_mut()[0] &= !P_BIT;
    }

    /// Inserts (`expand`) or removes `shift` bytes at payload offset
    /// `offset`, moving the rest of the payload; removes padding (as
    /// mediasoup's `ShiftPayload`). Inserted bytes keep stale content.
    pub fn shift_payload(
        &mut self,
        offset: usize,
        shift: usize,
        expand: bool,
    ) -> Result<(), RtpError> {
        if shift == 0 {
            return Ok(());
        }
        let plen = self.payload_len();
        if offset > plen || (!expand && shift > plen - offset) {
            return Err(RtpError::InvalidArgument);
        }
        let po = self.payload_off;
        let end = po + plen;
        if expand && end + shift > self.capacity() {
            return Err(RtpError::BufferTooSmall);
        }
        self.drop_padding();
        let buf = self.buf.as_mut();
        if expand {
            buf.copy_within(po + offset..end, po + offset + shift);
            self.len = end + shift;
        } else {
            buf.copy_within(po + offset + shift..end, po + offset);
            self.len = end - shift;
        }
        Ok(())
    }

    /// RFC 4588 RTX encoding in place: inserts the original sequence number
    /// (2 bytes) at the payload start, then sets the RTX payload type, SSRC
    /// and sequence number. Removes padding. Needs 2 bytes of spare capacity
    /// (beyond the unpadded packet), else Err(BufferTooSmall).
    pub fn rtx_encode(&mut self, rtx_pt: u8, rtx_ssrc: u32, rtx_seq: u16) -> Result<(), RtpError> {
        let po = self.payload_off;
        let end = po + self.payload_len();
        if end + 2 > self.capacity() {
            return Err(RtpError::BufferTooSmall);
        }
        let orig_seq = self.sequence_number();
        self.drop_padding();
        let buf = self.buf.as_mut();
        buf.copy_within(po..end, po + 2);
        buf[po..po + 2].copy_from_slice(&orig_seq.to_be_bytes());
        self.len = end + 2;
        self.set_payload_type(rtx_pt);
        self.set_ssrc(rtx_ssrc);
        self.set_sequence_number(rtx_seq);
        Ok(())
    }
}
