//! Why a packet could not be protected or unprotected.

use std::fmt;

/// Every failure leaves the session state untouched; on failure the packet
/// bytes in the caller's buffer are also left as they were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SrtpError {
    /// Shorter than the fixed header plus the trailer (tag, SRTCP index).
    TooShort,
    /// The authentication tag does not match.
    AuthFailed,
    /// Authentic, but its index was already seen or is older than the window.
    Replayed,
    /// `len` exceeds the buffer, or the buffer has no room for the trailer.
    BufferTooSmall,
    /// The master key+salt length does not fit the suite.
    BadKeyLength,
    /// Not version 2, or the CSRC list / header extension runs past the end.
    Malformed,
    /// The 2^48 SRTP / 2^31 SRTCP packet indexes of this key are used up;
    /// the key must be renegotiated (RFC 3711 9.2).
    KeyExhausted,
}

impl fmt::Display for SrtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SrtpError::TooShort => "packet too short",
            SrtpError::AuthFailed => "authentication failed",
            SrtpError::Replayed => "replayed packet",
            SrtpError::BufferTooSmall => "buffer too small",
            SrtpError::BadKeyLength => "bad master key length",
            SrtpError::Malformed => "malformed packet",
            SrtpError::KeyExhausted => "packet index space exhausted",
        })
    }
}

impl std::error::Error for SrtpError {}
