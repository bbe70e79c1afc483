//! RTP packets on the hot path: an in-place, allocation-free view over a
//! packet buffer (header fields, RFC 8285 header extensions, padding, RTX),
//! header-extension value codecs ([`ext`]) and codec payload inspection
//! ([`codecs`]: keyframe detection, VP8/VP9 payload descriptors).
//!
//! Behaviour follows mediasoup's `RTC::RtpPacket` (worker 3.14) unless a doc
//! comment says otherwise. Nothing here allocates or panics on input data:
//! malformed packets yield `Err`/`None`.

pub(crate) mod be;
pub mod codecs;
mod error;
pub mod ext;
mod header_ext;
mod packet;
mod rewrite;

pub use error::RtpError;
pub use header_ext::ExtensionIter;
pub use packet::{write_rtp_header, RtpPacket, RtpPacketBuf, RtpPacketRef, HEADER_SIZE};

/// RFC 7983 / RFC 5761 demultiplexing test (see [`RtpPacketBuf::is_rtp`]).
pub fn is_rtp(data: &[u8]) -> bool {
    RtpPacketRef::is_rtp(data)
}

#[cfg(test)]
mod tests_fuzz;
#[cfg(test)]
mod tests_packet;
#[cfg(test)]
mod tests_rewrite;
