//! Just enough RTP/RTCP header parsing to find what SRTP needs, bounds
//! checked everywhere.

use super::error::SrtpError;

/// What SRTP needs from an RTP header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RtpHeader {
    /// 12 + 4*CC, plus 4 + 4*length when the X bit is set.
    pub len: usize,
    pub seq: u16,
    pub ssrc: u32,
}

/// Parses the header of the RTP packet `pkt` (without any SRTP tag).
pub(crate) fn parse_rtp(pkt: &[u8]) -> Result<RtpHeader, SrtpError> {
    if pkt.len() < 12 {
        return Err(SrtpError::TooShort);
    }
    if pkt[0] >> 6 != 2 {
        return Err(SrtpError::Malformed);
    }
    let mut len = 12 + 4 * usize::from(pkt[0] & 0x0f);
    if pkt[0] & 0x10 != 0 {
        let ext = pkt.get(len..len + 4).ok_or(SrtpError::Malformed)?;
        len += 4 + 4 * usize::from(u16::from_be_bytes([ext[2], ext[3]]));
    }
    if len > pkt.len() {
        return Err(SrtpError::Malformed);
    }
    Ok(RtpHeader {
        len,
        seq: u16::from_be_bytes([pkt[2], pkt[3]]),
        ssrc: u32::from_be_bytes([pkt[8], pkt[9], pkt[10], pkt[11]]),
    })
}

/// Checks the fixed RTCP header and returns the sender SSRC, which keys the
/// SRTCP state (RFC 3711 3.4: the first packet of the compound carries it).
pub(crate) fn parse_rtcp(pkt: &[u8]) -> Result<u32, SrtpError> {
    if pkt.len() < 8 {
        return Err(SrtpError::TooShort);
    }
    if pkt[0] >> 6 != 2 {
        return Err(SrtpError::Malformed);
    }
    Ok(u32::from_be_bytes([pkt[4], pkt[5], pkt[6], pkt[7]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        let mut p = vec![0x80, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 2, 3, 4];
        let h = parse_rtp(&p).unwrap();
        assert_eq!((h.len, h.seq, h.ssrc), (12, 0x1234, 0x01020304));

        p[0] = 0x82; // two CSRCs, not present
        assert_eq!(parse_rtp(&p), Err(SrtpError::Malformed));
        p.extend_from_slice(&[0; 8]);
        assert_eq!(parse_rtp(&p).unwrap().len, 20);

        p[0] = 0x92; // plus an extension header, missing
        assert_eq!(parse_rtp(&p), Err(SrtpError::Malformed));
        p.extend_from_slice(&[0xbe, 0xde, 0, 2]);
        assert_eq!(parse_rtp(&p), Err(SrtpError::Malformed));
        p.extend_from_slice(&[0; 8]);
        assert_eq!(parse_rtp(&p).unwrap().len, 32);

        p[0] = 0x40;
        assert_eq!(parse_rtp(&p), Err(SrtpError::Malformed));
        assert_eq!(parse_rtp(&p[..11]), Err(SrtpError::TooShort));
    }

    #[test]
    fn max_extension_does_not_overflow() {
        let mut p = vec![0x9f; 12 + 60];
        p.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
        assert_eq!(parse_rtp(&p), Err(SrtpError::Malformed));
    }

    #[test]
    fn rtcp() {
        assert_eq!(
            parse_rtcp(&[0x80, 200, 0, 1, 0xa, 0xb, 0xc, 0xd]),
            Ok(0x0a0b0c0d)
        );
        assert_eq!(
            parse_rtcp(&[0x80, 200, 0, 1, 0xa, 0xb, 0xc]),
            Err(SrtpError::TooShort)
        );
        assert_eq!(
            parse_rtcp(&[0x00, 200, 0, 1, 0xa, 0xb, 0xc, 0xd]),
            Err(SrtpError::Malformed)
        );
    }
}
