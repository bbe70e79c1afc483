//! The two responses an ICE-lite server sends, written into the caller's
//! buffer. A buffer too small for them yields 0 (nothing to send).

use std::net::SocketAddr;

use crate::ice::stun::{Class, StunMessage, StunWriter};

/// Binding success: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT.
pub fn success(msg: &StunMessage, addr: SocketAddr, key: &[u8], out: &mut [u8]) -> usize {
    let Ok(mut w) = StunWriter::new(
        out,
        Class::SuccessResponse,
        msg.method(),
        msg.transaction_id(),
    ) else {
        return 0;
    };
    if w.add_xor_mapped_address(addr).is_err() {
        return 0;
    }
    w.protect(Some(key)).unwrap_or(0)
}

/// Error response: ERROR-CODE and FINGERPRINT, no integrity (as mediasoup).
pub fn error(msg: &StunMessage, code: u16, reason: &[u8], out: &mut [u8]) -> usize {
    let Ok(mut w) = StunWriter::new(
        out,
        Class::ErrorResponse,
        msg.method(),
        msg.transaction_id(),
    ) else {
        return 0;
    };
    if w.add_error_code(code, reason).is_err() {
        return 0;
    }
    w.protect(None).unwrap_or(0)
}
