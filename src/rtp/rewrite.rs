//! In-place rewrites of an [`RtpPacketBuf`] that change its layout:
//! header extension block, padding, payload length/shifts, RTX (RFC 4588).
//! None allocate; each checks buffer capacity first and leaves the packet
//! unchanged on error.

use super::header_ext::{self, ExtensionForm};
use super::packet::{P_BIT, X_BIT};
use super::ExtensionList;
use super::{RtpError, RtpPacketBuf};

impl<B: AsRef<[u8]> + AsMut<[u8]>> RtpPacketBuf<B> {
    /// Shrinks the value of extension `id` to `len` bytes in place (the freed
    /// bytes become zero padding), like mediasoup's `SetExtensionLength`.
    /// One-byte values must stay 1..=16 bytes. Err(InvalidArgument) if the
    /// extension is absent or `len` is larger than the current length.
    pub fn set_extension_len(&mut self, id: u8, len: usize) -> Result<(), RtpError> {
        let (s, two) = self.ext_block_form().ok_or(RtpError::InvalidArgument)?;
        let ext_len = self.ext_len;
        let block = self
            .d()
            .get(s..s + ext_len)
            .ok_or(RtpError::InvalidArgument)?;
        let e = header_ext::find(block, two, id).ok_or(RtpError::InvalidArgument)?;
        if len > e.len || (!two && len == 0) {
            return Err(RtpError::InvalidArgument);
        }
        let d = self.dm();
        if two {
            d[s + e.elem + 1] = len as u8;
        } else {
            d[s + e.elem] = (id << 4) | ((len - 1) as u8 & 0x0F);
        }
        d[s + e.start + len..s + e.start + e.len].fill(0);
        Ok(())
    }

    /// Rewrites the header extension block to contain exactly `exts`, in
    /// order, choosing the form automatically ([`ExtensionForm::Auto`]).
    /// Shifts the payload (and padding) as needed; Err(BufferTooSmall) if the
    /// buffer lacks capacity (the packet is then unchanged). An empty list
    /// removes the block (and the X bit).
    pub fn set_extensions(&mut self, exts: &[(u8, &[u8])]) -> Result<(), RtpError> {
        self.set_extensions_form(ExtensionForm::Auto, exts)
    }

    /// [`Self::set_extensions`] with an explicit form.
    pub fn set_extensions_form(
        &mut self,
        form: ExtensionForm,
        exts: &[(u8, &[u8])],
    ) -> Result<(), RtpError> {
        self.write_extensions(form, exts.iter().copied())
    }

    /// [`Self::set_extensions`] from an [`ExtensionList`] (whose values may
    /// have been copied out of this very packet).
    pub fn set_extension_list(
        &mut self,
        form: ExtensionForm,
        list: &ExtensionList,
    ) -> Result<(), RtpError> {
        self.write_extensions(form, list.iter())
    }

    /// Removes the header extension block, if any.
    pub fn remove_extensions(&mut self) {
        if !self.has_extension() {
            return;
        }
        let ext_off = self.ext_off();
        let (po, len) = (self.payload_off, self.len);
        let buf = self.buf.as_mut();
        buf.copy_within(po..len, ext_off);
        buf[0] &= !X_BIT;
        self.len -= po - ext_off;
        self.payload_off = ext_off;
        self.ext_len = 0;
    }

    fn write_extensions<'e, I>(&mut self, form: ExtensionForm, exts: I) -> Result<(), RtpError>
    where
        I: Iterator<Item = (u8, &'e [u8])> + Clone,
    {
        let two = header_ext::resolve_form(form, exts.clone());
        let body = header_ext::body_size(two, exts.clone())?;
        if body == 0 {
            self.remove_extensions();
            return Ok(());
        }
        let padded = (body + 3) & !3;
        if padded / 4 > u16::MAX as usize {
            return Err(RtpError::BadExtension);
        }
        let ext_off = self.ext_off();
        let new_po = ext_off + 4 + padded;
        let tail = self.len - self.payload_off;
        let new_len = new_po + tail;
        if new_len > self.capacity() {
            return Err(RtpError::BufferTooSmall);
        }
        let (po, len) = (self.payload_off, self.len);
        let buf = self.buf.as_mut();
        buf.copy_within(po..len, new_po);
        let profile = if two {
            header_ext::TWO_BYTE_PROFILE
        } else {
            header_ext::ONE_BYTE_PROFILE
        };
        buf[ext_off..ext_off + 2].copy_from_slice(&profile.to_be_bytes());
        buf[ext_off + 2..ext_off + 4].copy_from_slice(&((padded / 4) as u16).to_be_bytes());
        header_ext::write_body(&mut buf[ext_off + 4..new_po], two, exts);
        buf[0] |= X_BIT;
        self.len = new_len;
        self.payload_off = new_po;
        self.ext_len = padded;
        Ok(())
    }

    fn drop_padding(&mut self) {
        if self.padding != 0 {
            self.len -= self.padding as usize;
            self.padding = 0;
        }
        self.buf.as_mut()[0] &= !P_BIT;
    }

    /// Removes the padding (and clears the P bit).
    pub fn remove_padding(&mut self) {
        self.drop_padding();
    }

    /// Replaces any padding by `count` padding bytes (zeros, the last one
    /// holding the count) and sets the P bit; `count == 0` just removes it.
    pub fn set_padding(&mut self, count: u8) -> Result<(), RtpError> {
        let new_len = self.len - self.padding as usize + count as usize;
        if new_len > self.capacity() {
            return Err(RtpError::BufferTooSmall);
        }
        self.drop_padding();
        if count == 0 {
            return Ok(());
        }
        let start = self.len;
        let buf = self.buf.as_mut();
        buf[start..new_len].fill(0);
        buf[new_len - 1] = count;
        buf[0] |= P_BIT;
        self.len = new_len;
        self.padding = count;
        Ok(())
    }

    /// Sets the payload length (bytes past the old payload keep whatever the
    /// buffer held) and removes padding, as mediasoup's `SetPayloadLength`.
    pub fn set_payload_len(&mut self, payload_len: usize) -> Result<(), RtpError> {
        let new_len = self.payload_off + payload_len;
        if new_len > self.capacity() {
            return Err(RtpError::BufferTooSmall);
        }
        self.drop_padding();
        self.len = new_len;
        Ok(())
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

    /// RFC 4588 RTX decoding in place: restores the original sequence number
    /// from the first 2 payload bytes, removes them, sets the original
    /// payload type and SSRC, removes padding. Err(PayloadTooShort) when the
    /// payload has fewer than 2 bytes (e.g. Chrome's padding-only RTX
    /// probes); the packet is then unchanged.
    pub fn rtx_decode(&mut self, original_pt: u8, original_ssrc: u32) -> Result<(), RtpError> {
        let plen = self.payload_len();
        if plen < 2 {
            return Err(RtpError::PayloadTooShort);
        }
        let po = self.payload_off;
        let d = self.d();
        let orig_seq = u16::from_be_bytes([d[po], d[po + 1]]);
        self.drop_padding();
        let buf = self.buf.as_mut();
        buf.copy_within(po + 2..po + plen, po);
        self.len = po + plen - 2;
        self.set_payload_type(original_pt);
        self.set_sequence_number(orig_seq);
        self.set_ssrc(original_ssrc);
        Ok(())
    }
}
