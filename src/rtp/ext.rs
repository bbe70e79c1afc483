//! Header-extension value codecs used by an SFU. Free functions over the
//! value bytes returned by `RtpPacketBuf::extension` / `extension_mut`.
//! Readers return `None` when the value has the wrong size (as mediasoup's
//! `Read*` methods); writers return `false`.

use super::be;

/// `urn:ietf:params:rtp-hdrext:sdes:mid`: non-empty UTF-8 text.
pub fn read_mid(v: &[u8]) -> Option<&str> {
    read_text(v)
}

/// `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id` and
/// `...:repaired-rtp-stream-id`: non-empty UTF-8 text.
pub fn read_rid(v: &[u8]) -> Option<&str> {
    read_text(v)
}

fn read_text(v: &[u8]) -> Option<&str> {
    if v.is_empty() {
        return None;
    }
    std::str::from_utf8(v).ok()
}

/// Max MID length mediasoup writes (`RTC::MidMaxLength`).
pub const MID_MAX_LEN: usize = 8;

/// `abs-send-time` (`http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time`):
/// the 24-bit 6.18 fixed-point seconds value.
pub fn read_abs_send_time(v: &[u8]) -> Option<u32> {
    if v.len() != 3 {
        return None;
    }
    be::u24_at(v, 0)
}

/// Converts milliseconds to the 24-bit 6.18 abs-send-time value (mediasoup's
/// `Utils::Time::TimeMsToAbsSendTime`).
pub fn ms_to_abs_send_time(ms: u64) -> u32 {
    ((ms.wrapping_shl(18).wrapping_add(500)) / 1000) as u32 & 0x00FF_FFFF
}

/// Writes abs-send-time for `ms` milliseconds into a 3-byte value.
pub fn write_abs_send_time(v: &mut [u8], ms: u64) -> bool {
    v.len() == 3 && be::put_u24(v, 0, ms_to_abs_send_time(ms))
}

/// transport-wide-cc-01 sequence number (2 bytes).
pub fn read_transport_wide_seq(v: &[u8]) -> Option<u16> {
    if v.len() != 2 {
        return None;
    }
    be::u16_at(v, 0)
}

/// Writes a transport-wide-cc-01 sequence number into a 2-byte value.
pub fn write_transport_wide_seq(v: &mut [u8], seq: u16) -> bool {
    v.len() == 2 && be::put_u16(v, 0, seq)
}

/// `urn:ietf:params:rtp-hdrext:ssrc-audio-level` (RFC 6464):
/// `(voice activity, level 0..=127 in -dBov)`.
pub fn read_audio_level(v: &[u8]) -> Option<(bool, u8)> {
    if v.len() != 1 {
        return None;
    }
    Some((v[0] & 0x80 != 0, v[0] & 0x7F))
}

/// `urn:3gpp:video-orientation`: `(camera, flip, rotation degrees)` with the
/// rotation reported as mediasoup does (0, 90, 180, 270).
pub fn read_video_orientation(v: &[u8]) -> Option<(bool, bool, u16)> {
    if v.len() != 1 {
        return None;
    }
    let b = v[0];
    let rotation = match b & 0x03 {
        1 => 90,
        2 => 180,
        3 => 270,
        _ => 0,
    };
    Some((b & 0x08 != 0, b & 0x04 != 0, rotation))
}

/// `http://www.webrtc.org/experiments/rtp-hdrext/playout-delay`:
/// `(min, max)` in 10 ms units (12 bits each).
pub fn read_playout_delay(v: &[u8]) -> Option<(u16, u16)> {
    if v.len() != 3 {
        return None;
    }
    let x = be::u24_at(v, 0)?;
    Some(((x >> 12) as u16, (x & 0xFFF) as u16))
}

/// `urn:ietf:params:rtp-hdrext:toffset` (RFC 5450): signed 24-bit offset.
pub fn read_toffset(v: &[u8]) -> Option<i32> {
    if v.len() != 3 {
        return None;
    }
    be::i24_at(v, 0)
}

/// `http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time`:
/// `(64-bit NTP capture timestamp, optional signed 64-bit clock offset)`.
pub fn read_abs_capture_time(v: &[u8]) -> Option<(u64, Option<i64>)> {
    match v.len() {
        8 => Some((be::u64_at(v, 0)?, None)),
        16 => Some((be::u64_at(v, 0)?, Some(be::u64_at(v, 8)? as i64))),
        _ => None,
    }
}

/// Writes `text` into a same-length text value (MID/RID) in place.
pub fn write_text(v: &mut [u8], text: &str) -> bool {
    if v.len() != text.len() || text.is_empty() {
        return false;
    }
    v.copy_from_slice(text.as_bytes());
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(read_mid(b"0"), Some("0"));
        assert_eq!(read_mid(b""), None);
        assert_eq!(read_rid(&[0xff, 0xfe]), None);
        assert_eq!(read_abs_send_time(&[0x65, 0x34, 0x1e]), Some(0x65341e));
        assert_eq!(read_abs_send_time(&[0x65, 0x34]), None);
        let mut v = [0u8; 3];
        assert!(write_abs_send_time(&mut v, 1000));
        assert_eq!(read_abs_send_time(&v), Some(1 << 18));
        assert_eq!(ms_to_abs_send_time(64_000), 0); // wraps at 64 s
        let mut w = [0u8; 2];
        assert!(write_transport_wide_seq(&mut w, 0xBEEF));
        assert_eq!(read_transport_wide_seq(&w), Some(0xBEEF));
        assert!(!write_transport_wide_seq(&mut v, 1));
        assert_eq!(read_audio_level(&[0xd0]), Some((true, 0x50)));
        assert_eq!(read_audio_level(&[0x7f]), Some((false, 127)));
        assert_eq!(read_video_orientation(&[0x0f]), Some((true, true, 270)));
        assert_eq!(read_video_orientation(&[0x01]), Some((false, false, 90)));
        assert_eq!(read_playout_delay(&[0x00, 0x10, 0x0a]), Some((1, 10)));
        assert_eq!(read_toffset(&[0xff, 0xff, 0xfe]), Some(-2));
        let act = [
            1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ];
        assert_eq!(
            read_abs_capture_time(&act),
            Some((0x0102030405060708, Some(-1)))
        );
        assert_eq!(
            read_abs_capture_time(&act[..8]),
            Some((0x0102030405060708, None))
        );
        assert_eq!(read_abs_capture_time(&act[..9]), None);
        let mut mid = *b"ab";
        assert!(write_text(&mut mid, "cd"));
        assert_eq!(&mid, b"cd");
        assert!(!write_text(&mut mid, "xyz"));
    }
}
