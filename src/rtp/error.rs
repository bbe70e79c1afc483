//! Errors of RTP parsing and in-place rewriting.

use std::fmt;

/// Why an RTP packet was rejected or could not be rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtpError {
    /// Shorter than the fixed 12-byte header, or `len` exceeds the buffer.
    TooShort,
    /// Version field is not 2 (or first byte outside 128..=191).
    BadVersion,
    /// P bit set but the padding count is 0 or exceeds the payload space.
    BadPadding,
    /// Header extension header/length runs past the end of the packet, or
    /// an extension value cannot be encoded (e.g. longer than 255 bytes).
    BadExtension,
    /// The CSRC list announced by CC runs past the end of the packet.
    BadCsrc,
    /// The buffer has no spare capacity for the requested rewrite.
    BufferTooSmall,
    /// The payload is too short for the requested operation (e.g. an RTX
    /// packet without the 2-byte original sequence number).
    PayloadTooShort,
    /// An argument is out of range (offset past the payload, too many
    /// extensions for an [`crate::rtp::ExtensionList`], ...).
    InvalidArgument,
}

impl fmt::Display for RtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            RtpError::TooShort => "RTP packet too short",
            RtpError::BadVersion => "RTP version is not 2",
            RtpError::BadPadding => "invalid RTP padding",
            RtpError::BadExtension => "invalid RTP header extension",
            RtpError::BadCsrc => "CSRC list exceeds packet length",
            RtpError::BufferTooSmall => "buffer too small for RTP rewrite",
            RtpError::PayloadTooShort => "RTP payload too short",
            RtpError::InvalidArgument => "invalid argument",
        };
        f.write_str(s)
    }
}

impl std::error::Error for RtpError {}
