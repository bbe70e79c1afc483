//! Screens inbound datagrams before `rtc-dtls` sees them.
//!
//! `rtc-dtls` answers some malformed epoch-0 records with a fatal alert
//! (which would kill a handshake in progress on both sides) and rejects a
//! whole datagram when its framing is broken. RFC 6347 4.1.2.7 says invalid
//! records are silently discarded, so we drop those here and count them.

const HEADER_LEN: usize = 13;
const CHANGE_CIPHER_SPEC: u8 = 20;
const APPLICATION_DATA: u8 = 23;

/// Result of screening one datagram.
pub(super) enum Screened<'a> {
    /// Every record is acceptable: feed the datagram as is.
    Intact(&'a [u8]),
    /// Some records were dropped; feed the rest (never empty).
    Reduced(Vec<u8>),
    /// Nothing usable.
    Dropped,
}

/// Walks the records of a datagram, keeping the plausible ones.
pub(super) fn screen(datagram: &[u8]) -> Screened<'_> {
    let mut kept: Vec<(usize, usize)> = Vec::new();
    let mut dropped_any = false;
    let mut offset = 0;
    while offset < datagram.len() {
        let rest = &datagram[offset..];
        if rest.len() < HEADER_LEN {
            // Truncated tail: nothing after it can be framed.
            dropped_any = true;
            break;
        }
        let body_len = u16::from_be_bytes([rest[11], rest[12]]) as usize;
        let end = HEADER_LEN + body_len;
        if end > rest.len() {
            dropped_any = true;
            break;
        }
        if plausible(&rest[..end]) {
            kept.push((offset, offset + end));
        } else {
            dropped_any = true;
        }
        offset += end;
    }
    match (kept.is_empty(), dropped_any) {
        (true, _) => Screened::Dropped,
        (false, false) => Screened::Intact(datagram),
        (false, true) => {
            let mut out = Vec::with_capacity(datagram.len());
            for (start, end) in kept {
                out.extend_from_slice(&datagram[start..end]);
            }
            Screened::Reduced(out)
        }
    }
}

/// One whole record (header + body).
fn plausible(record: &[u8]) -> bool {
    let content_type = record[0];
    let version_ok = record[1] == 0xfe && (record[2] == 0xff || record[2] == 0xfd);
    let epoch = u16::from_be_bytes([record[3], record[4]]);
    let body = &record[HEADER_LEN..];
    if !(20..=23).contains(&content_type) || !version_ok || body.is_empty() {
        return false;
    }
    match content_type {
        // Unencrypted application data is never valid.
        APPLICATION_DATA => epoch != 0,
        // `rtc-dtls` never decrypts ChangeCipherSpec, so a forged one in a
        // later epoch would be believed (answered with a fatal alert, or
        // bumping the epoch). Without renegotiation, the only valid one is
        // epoch 0's single byte 1.
        CHANGE_CIPHER_SPEC => epoch == 0 && body == [1],
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content_type: u8, epoch: u16, body: &[u8]) -> Vec<u8> {
        let mut r = vec![content_type, 0xfe, 0xfd];
        r.extend_from_slice(&epoch.to_be_bytes());
        r.extend_from_slice(&[0, 0, 0, 0, 0, 1]);
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn keeps_good_records_and_drops_bad_ones() {
        let good = record(22, 0, &[1, 2, 3]);
        assert!(matches!(screen(&good), Screened::Intact(_)));

        let mut mixed = good.clone();
        mixed.extend(record(23, 0, b"plaintext app data"));
        mixed.extend(record(20, 0, &[2]));
        mixed.extend(record(20, 1, &[1]));
        mixed.extend(record(22, 0, &[4]));
        match screen(&mixed) {
            Screened::Reduced(r) => assert_eq!(r, [good, record(22, 0, &[4])].concat()),
            _ => panic!("expected reduced"),
        }

        assert!(matches!(screen(&[22, 0xfe]), Screened::Dropped));
        assert!(matches!(screen(&record(99, 0, &[1])), Screened::Dropped));
        assert!(matches!(screen(&record(22, 0, &[])), Screened::Dropped));
        let mut truncated = record(22, 0, &[1, 2, 3]);
        truncated.pop();
        assert!(matches!(screen(&truncated), Screened::Dropped));
        assert!(matches!(screen(&[]), Screened::Dropped));
    }
}
