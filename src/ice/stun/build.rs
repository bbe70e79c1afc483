//! Building STUN messages straight into a caller-provided buffer, so
//! responses cost no allocation.

use std::net::SocketAddr;

use super::{
    attr, message_type, pad4, parse::integrity, Class, StunError, FINGERPRINT_XOR, HEADER_LEN,
    MAGIC_COOKIE, MESSAGE_INTEGRITY_LEN,
};
use crate::ice::crc32::crc32;

/// Appends attributes to a message being written in `buf`; the header's
/// length field is kept current after every attribute.
pub struct StunWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> StunWriter<'b> {
    pub fn new(
        buf: &'b mut [u8],
        class: Class,
        method: u16,
        transaction_id: &[u8; 12],
    ) -> Result<Self, StunError> {
        if buf.len() < HEADER_LEN {
            return Err(StunError::BufferTooSmall);
        }
        buf[..2].copy_from_slice(&message_type(class, method).to_be_bytes());
        buf[2..4].fill(0);
        buf[4..8].copy_from_slice(&MAGIC_COOKIE);
        buf[8..20].copy_from_slice(transaction_id);
        Ok(StunWriter {
            buf,
            len: HEADER_LEN,
        })
    }

    /// Bytes written so far.
    pub fn written(&self) -> usize {
        self.len
    }

    /// Append any attribute, zero-padding it to 4 bytes.
    pub fn add_attribute(&mut self, typ: u16, value: &[u8]) -> Result<(), StunError> {
        self.add_with(typ, value.len(), |dst| dst.copy_from_slice(value))
    }

    /// Append an attribute whose value is produced in place by `fill`.
    fn add_with(
        &mut self,
        typ: u16,
        value_len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<(), StunError> {
        let total = pad4(4 + value_len);
        if value_len > u16::MAX as usize || self.len - HEADER_LEN + total > u16::MAX as usize {
            return Err(StunError::TooLong);
        }
        if self.len + total > self.buf.len() {
            return Err(StunError::BufferTooSmall);
        }
        let at = self.len;
        self.buf[at..at + 2].copy_from_slice(&typ.to_be_bytes());
        self.buf[at + 2..at + 4].copy_from_slice(&(value_len as u16).to_be_bytes());
        fill(&mut self.buf[at + 4..at + 4 + value_len]);
        self.buf[at + 4 + value_len..at + total].fill(0);
        self.len += total;
        let body = (self.len - HEADER_LEN) as u16;
        self.buf[2..4].copy_from_slice(&body.to_be_bytes());
        Ok(())
    }

    pub fn add_username(&mut self, username: &[u8]) -> Result<(), StunError> {
        self.add_attribute(attr::USERNAME, username)
    }

    pub fn add_priority(&mut self, priority: u32) -> Result<(), StunError> {
        self.add_attribute(attr::PRIORITY, &priority.to_be_bytes())
    }

    pub fn add_ice_controlling(&mut self, tie_breaker: u64) -> Result<(), StunError> {
        self.add_attribute(attr::ICE_CONTROLLING, &tie_breaker.to_be_bytes())
    }

    pub fn add_ice_controlled(&mut self, tie_breaker: u64) -> Result<(), StunError> {
        self.add_attribute(attr::ICE_CONTROLLED, &tie_breaker.to_be_bytes())
    }

    pub fn add_use_candidate(&mut self) -> Result<(), StunError> {
        self.add_attribute(attr::USE_CANDIDATE, &[])
    }

    pub fn add_nomination(&mut self, nomination: u32) -> Result<(), StunError> {
        self.add_attribute(attr::NOMINATION, &nomination.to_be_bytes())
    }

    pub fn add_software(&mut self, software: &[u8]) -> Result<(), StunError> {
        self.add_attribute(attr::SOFTWARE, software)
    }

    /// ERROR-CODE: class in the hundreds digit, number in the rest.
    pub fn add_error_code(&mut self, code: u16, reason: &[u8]) -> Result<(), StunError> {
        self.add_with(attr::ERROR_CODE, 4 + reason.len(), |v| {
            v[..2].fill(0);
            v[2] = (code / 100) as u8 & 0x07;
            v[3] = (code % 100) as u8;
            v[4..].copy_from_slice(reason);
        })
    }

    /// XOR-MAPPED-ADDRESS: port and address XORed with the cookie (and, for
    /// IPv6, the transaction id).
    pub fn add_xor_mapped_address(&mut self, addr: SocketAddr) -> Result<(), StunError> {
        let mut tid = [0u8; 12];
        tid.copy_from_slice(&self.buf[8..20]);
        let port = addr.port() ^ u16::from_be_bytes([MAGIC_COOKIE[0], MAGIC_COOKIE[1]]);
        let (family, len) = match addr {
            SocketAddr::V4(_) => (0x01, 8),
            SocketAddr::V6(_) => (0x02, 20),
        };
        self.add_with(attr::XOR_MAPPED_ADDRESS, len, |v| {
            v[0] = 0;
            v[1] = family;
            v[2..4].copy_from_slice(&port.to_be_bytes());
            match addr {
                SocketAddr::V4(a) => {
                    for (i, b) in a.ip().octets().iter().enumerate() {
                        v[4 + i] = b ^ MAGIC_COOKIE[i];
                    }
                }
                SocketAddr::V6(a) => {
                    for (i, b) in a.ip().octets().iter().enumerate() {
                        let key = if i < 4 { MAGIC_COOKIE[i] } else { tid[i - 4] };
                        v[4 + i] = b ^ key;
                    }
                }
            }
        })
    }

    /// Add MESSAGE-INTEGRITY (when a password is given) and FINGERPRINT, and
    /// return the final length. Nothing may be added afterwards, so this
    /// consumes the writer.
    pub fn protect(mut self, password: Option<&[u8]>) -> Result<usize, StunError> {
        let needed = password.map_or(0, |_| 4 + MESSAGE_INTEGRITY_LEN) + 8;
        if self.len + needed > self.buf.len() {
            return Err(StunError::BufferTooSmall);
        }
        if let Some(pwd) = password {
            let at = self.len;
            let mac = integrity(&*self.buf, at, pwd);
            self.add_attribute(attr::MESSAGE_INTEGRITY, &mac)?;
        }
        // The length field must already count FINGERPRINT when the CRC runs.
        let at = self.len;
        let body = (at + 8 - HEADER_LEN) as u16;
        self.buf[2..4].copy_from_slice(&body.to_be_bytes());
        let fp = crc32(&self.buf[..at]) ^ FINGERPRINT_XOR;
        self.add_attribute(attr::FINGERPRINT, &fp.to_be_bytes())?;
        Ok(self.len)
    }

    #[cfg(test)]
    pub(super) fn raw_mut(&mut self) -> &mut [u8] {
        self.buf
    }

    /// Finish without integrity or fingerprint.
    pub fn finish(self) -> usize {
        self.len
    }
}
