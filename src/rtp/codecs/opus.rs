//! Opus DTX detection, as mediasoup's `Codecs::Opus` (used for a consumer's
//! `ignoreDtx`).

/// True if the Opus payload is a DTX packet: TOC byte only for code 0/1
/// frames, TOC plus an empty frame-length byte for code 2. Code 3 is never
/// DTX; an empty payload is not Opus.
pub fn opus_is_dtx(payload: &[u8]) -> bool {
    match payload.first() {
        Some(&toc) => match toc & 0x03 {
            0 | 1 => payload.len() == 1,
            2 => payload.len() == 2,
            _ => false,
        },
        None => false,
    }
}
