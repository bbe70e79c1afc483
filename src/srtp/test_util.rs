//! Helpers shared by the SRTP tests.

/// Decodes hex, ignoring whitespace.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex length");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// A deterministic key of the right length for `suite`.
pub(crate) fn test_key(suite: super::CryptoSuite, seed: u8) -> Vec<u8> {
    (0..suite.key_and_salt_len())
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Builds an RTP packet: `csrcs` CSRCs, an optional one-byte-header
/// extension block of `ext_words` words, and `payload_len` payload bytes.
pub(crate) fn rtp_packet(
    ssrc: u32,
    seq: u16,
    csrcs: u8,
    ext_words: Option<u16>,
    payload_len: usize,
) -> Vec<u8> {
    let mut p = vec![0x80 | csrcs, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    if ext_words.is_some() {
        p[0] |= 0x10;
    }
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p[4..8].copy_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    p[8..12].copy_from_slice(&ssrc.to_be_bytes());
    for c in 0..csrcs {
        p.extend_from_slice(&(0x1000 + u32::from(c)).to_be_bytes());
    }
    if let Some(words) = ext_words {
        p.extend_from_slice(&[0xbe, 0xde]);
        p.extend_from_slice(&words.to_be_bytes());
        for w in 0..words {
            p.extend_from_slice(&[0x10, w as u8, 0, 0]);
        }
    }
    p.extend((0..payload_len).map(|i| (i as u8) ^ (seq as u8)));
    p
}

/// An RTCP receiver report from `ssrc` with `extra` bytes of report body.
pub(crate) fn rtcp_packet(ssrc: u32, extra: usize) -> Vec<u8> {
    let words = (4 + extra).div_ceil(4);
    let mut p = vec![0x81, 201];
    p.extend_from_slice(&(words as u16).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..words * 4 - 4).map(|i| i as u8));
    p
}
