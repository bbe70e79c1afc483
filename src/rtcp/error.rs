//! Errors of RTCP parsing and building.

use std::fmt;

/// Why RTCP data was rejected or could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtcpError {
    /// Fewer bytes than a header or a required fixed part (also: empty
    /// compound packet).
    TooShort,
    /// Version is not 2 (first byte outside 128..=191).
    BadVersion,
    /// Packet type outside the RTCP range 192..=223.
    NotRtcp,
    /// The length field points past the end of the data.
    BadLength,
    /// The packet body is inconsistent (counts, chunks, identifiers...).
    Malformed,
    /// The output buffer is too small.
    BufferTooSmall,
    /// A builder argument is out of range (too many items, too long text).
    InvalidArgument,
}

impl fmt::Display for RtcpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            RtcpError::TooShort => "RTCP data too short",
            RtcpError::BadVersion => "RTCP version is not 2",
            RtcpError::NotRtcp => "not an RTCP packet type",
            RtcpError::BadLength => "RTCP length field exceeds data",
            RtcpError::Malformed => "malformed RTCP packet",
            RtcpError::BufferTooSmall => "buffer too small for RTCP packet",
            RtcpError::InvalidArgument => "invalid argument",
        };
        f.write_str(s)
    }
}

impl std::error::Error for RtcpError {}
