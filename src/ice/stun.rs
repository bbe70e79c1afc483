//! STUN messages (RFC 5389/8489) as ICE-lite needs them: demux, zero-copy
//! parse with mediasoup's validation rules, and building into a caller
//! buffer. No heap allocation anywhere.

mod build;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;

pub use build::StunWriter;
pub use parse::{AuthResult, StunMessage};

pub const HEADER_LEN: usize = 20;
pub const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xA4, 0x42];
pub const TRANSACTION_ID_LEN: usize = 12;
/// FINGERPRINT is CRC-32 XORed with this ("STUN"), RFC 5389 section 15.5.
pub const FINGERPRINT_XOR: u32 = 0x5354_554E;
pub const MESSAGE_INTEGRITY_LEN: usize = 20;
/// mediasoup's limits for variable-length attributes.
pub const USERNAME_MAX_LEN: usize = 513;
pub const SOFTWARE_MAX_LEN: usize = 763;

/// The only method ICE uses.
pub const METHOD_BINDING: u16 = 0x001;

/// Attribute types this module understands.
pub mod attr {
    pub const MAPPED_ADDRESS: u16 = 0x0001;
    pub const USERNAME: u16 = 0x0006;
    pub const MESSAGE_INTEGRITY: u16 = 0x0008;
    pub const ERROR_CODE: u16 = 0x0009;
    pub const XOR_MAPPED_ADDRESS: u16 = 0x0020;
    pub const PRIORITY: u16 = 0x0024;
    pub const USE_CANDIDATE: u16 = 0x0025;
    /// NOMINATION of draft-thatcher-tsvwg-renomination.
    pub const NOMINATION: u16 = 0x0030;
    pub const SOFTWARE: u16 = 0x8022;
    pub const FINGERPRINT: u16 = 0x8028;
    pub const ICE_CONTROLLED: u16 = 0x8029;
    pub const ICE_CONTROLLING: u16 = 0x802A;
    /// The value libwebrtc still sends for NOMINATION; mediasoup accepts both.
    pub const NOMINATION_OLD: u16 = 0xC001;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Request,
    Indication,
    SuccessResponse,
    ErrorResponse,
}

impl Class {
    fn bits(self) -> u16 {
        match self {
            Class::Request => 0,
            Class::Indication => 1,
            Class::SuccessResponse => 2,
            Class::ErrorResponse => 3,
        }
    }
}

/// Why a buffer is not an acceptable STUN message (or cannot be built).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StunError {
    NotStun,
    /// Length field disagrees with the datagram, or is not a multiple of 4.
    BadLength,
    /// An attribute runs past the end of the message.
    Truncated,
    /// A known attribute with a length its type forbids.
    BadAttribute(u16),
    Duplicate(u16),
    /// Something other than FINGERPRINT follows MESSAGE-INTEGRITY.
    AfterIntegrity,
    AfterFingerprint,
    BadFingerprint,
    BufferTooSmall,
    AlreadyProtected,
    TooLong,
}

impl fmt::Display for StunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid STUN message: {self:?}")
    }
}

impl std::error::Error for StunError {}

/// RFC 7983 demux: first byte 0..=3, room for the header, magic cookie.
/// (mediasoup tests `< 3`; 3 only appears in methods above 0x07F, which ICE
/// never uses, and nothing else demuxes to 0..=3 either.)
pub fn is_stun(data: &[u8]) -> bool {
    data.len() >= HEADER_LEN && data[0] <= 3 && data[4..8] == MAGIC_COOKIE
}

/// Interleave class bits C1/C0 into the 12 method bits (RFC 5389 section 6).
pub fn message_type(class: Class, method: u16) -> u16 {
    let c = class.bits();
    ((method & 0x0F80) << 2)
        | ((method & 0x0070) << 1)
        | (method & 0x000F)
        | ((c & 0x02) << 7)
        | ((c & 0x01) << 4)
}

/// Inverse of [`message_type`].
pub fn split_message_type(t: u16) -> (Class, u16) {
    let class = match ((t >> 7) & 0x02) | ((t >> 4) & 0x01) {
        0 => Class::Request,
        1 => Class::Indication,
        2 => Class::SuccessResponse,
        _ => Class::ErrorResponse,
    };
    let method = (t & 0x000F) | ((t & 0x00E0) >> 1) | ((t & 0x3E00) >> 2);
    (class, method)
}

fn pad4(n: usize) -> usize {
    (n + 3) & !3
}
