//! Behaviour of `SrtpSession` on its own: round trips, ROC, replay, tampering
//! and malformed input.

use super::test_util::{rtcp_packet, rtp_packet, test_key};
use super::{CryptoSuite, SrtpError, SrtpSession};

fn pair(suite: CryptoSuite) -> (SrtpSession, SrtpSession) {
    let key = test_key(suite, 7);
    (
        SrtpSession::new(suite, &key).unwrap(),
        SrtpSession::new(suite, &key).unwrap(),
    )
}

fn protect_rtp(s: &mut SrtpSession, plain: &[u8]) -> Vec<u8> {
    let mut buf = plain.to_vec();
    buf.resize(plain.len() + s.suite().rtp_overhead(), 0);
    let n = s.protect_rtp(&mut buf, plain.len()).unwrap();
    buf.truncate(n);
    buf
}

fn protect_rtcp(s: &mut SrtpSession, plain: &[u8]) -> Vec<u8> {
    let mut buf = plain.to_vec();
    buf.resize(plain.len() + s.suite().rtcp_overhead(), 0);
    let n = s.protect_rtcp(&mut buf, plain.len()).unwrap();
    buf.truncate(n);
    buf
}

fn unprotect_rtp(s: &mut SrtpSession, wire: &[u8]) -> Result<Vec<u8>, SrtpError> {
    let mut buf = wire.to_vec();
    let n = s.unprotect_rtp(&mut buf, wire.len())?;
    buf.truncate(n);
    Ok(buf)
}

fn unprotect_rtcp(s: &mut SrtpSession, wire: &[u8]) -> Result<Vec<u8>, SrtpError> {
    let mut buf = wire.to_vec();
    let n = s.unprotect_rtcp(&mut buf, wire.len())?;
    buf.truncate(n);
    Ok(buf)
}

#[test]
fn bad_key_lengths() {
    for suite in CryptoSuite::ALL {
        let n = suite.key_and_salt_len();
        assert!(SrtpSession::new(suite, &vec![0; n]).is_ok());
        for bad in [0, n - 1, n + 1, 16, 32] {
            if bad != n {
                assert_eq!(
                    SrtpSession::new(suite, &vec![0; bad]).unwrap_err(),
                    SrtpError::BadKeyLength
                );
            }
        }
    }
}

#[test]
fn from_key_base64() {
    use base64::Engine as _;
    for suite in CryptoSuite::ALL {
        let key = test_key(suite, 1);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&key);
        let mut a = SrtpSession::from_key_base64(suite, &b64).unwrap();
        let mut b = SrtpSession::new(suite, &key).unwrap();
        let wire = protect_rtp(&mut a, &rtp_packet(1, 1, 0, None, 20));
        assert!(unprotect_rtp(&mut b, &wire).is_ok());
        assert_eq!(
            SrtpSession::from_key_base64(suite, "not base64!").unwrap_err(),
            SrtpError::BadKeyLength
        );
    }
}

#[test]
fn round_trip_all_shapes_and_roc_wrap() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        for (k, seq) in (65_000u32..66_500).map(|s| s as u16).enumerate() {
            let csrcs = (k % 4) as u8 * 5 % 16;
            let ext = if k % 3 == 0 {
                None
            } else {
                Some((k % 5) as u16)
            };
            let plain = rtp_packet(0xabcd, seq, csrcs, ext, k % 300);
            let wire = protect_rtp(&mut tx, &plain);
            assert_eq!(wire.len(), plain.len() + suite.rtp_overhead());
            let hdr = plain.len() - k % 300;
            assert_eq!(wire[..hdr], plain[..hdr], "{suite}: header stays clear");
            if k % 300 > 8 {
                assert_ne!(
                    wire[hdr..plain.len()],
                    plain[hdr..],
                    "{suite}: payload encrypted"
                );
            }
            assert_eq!(
                unprotect_rtp(&mut rx, &wire).unwrap(),
                plain,
                "{suite} seq {seq}"
            );
        }
        assert_eq!(tx.tx_roc(0xabcd), Some(1));
        assert_eq!(rx.rx_roc(0xabcd), Some(1));

        for extra in [0, 1, 7, 100] {
            let plain = rtcp_packet(0xabcd, extra);
            let wire = protect_rtcp(&mut tx, &plain);
            assert_eq!(wire.len(), plain.len() + suite.rtcp_overhead());
            assert_eq!(unprotect_rtcp(&mut rx, &wire).unwrap(), plain);
        }
    }
}

#[test]
fn roc_is_part_of_the_authentication() {
    // The same SEQ under ROC 1 must not verify when the receiver is at ROC 0.
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        for seq in [65_534u16, 65_535, 0, 1] {
            protect_rtp(&mut tx, &rtp_packet(5, seq, 0, None, 10));
        }
        let wire = protect_rtp(&mut tx, &rtp_packet(5, 2, 0, None, 10)); // ROC 1
        assert_eq!(
            unprotect_rtp(&mut rx, &wire).unwrap_err(),
            SrtpError::AuthFailed
        );
    }
}

#[test]
fn replay_rtp() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let wires: Vec<Vec<u8>> = (0..300u16)
            .map(|s| protect_rtp(&mut tx, &rtp_packet(9, 1000 + s, 0, None, 50)))
            .collect();

        // Same packet twice.
        unprotect_rtp(&mut rx, &wires[0]).unwrap();
        assert_eq!(
            unprotect_rtp(&mut rx, &wires[0]).unwrap_err(),
            SrtpError::Replayed
        );

        // Out of order inside the window: accepted once.
        unprotect_rtp(&mut rx, &wires[10]).unwrap();
        unprotect_rtp(&mut rx, &wires[5]).unwrap();
        assert_eq!(
            unprotect_rtp(&mut rx, &wires[5]).unwrap_err(),
            SrtpError::Replayed
        );
        unprotect_rtp(&mut rx, &wires[1]).unwrap();

        // Move far ahead: older than the 128 window is rejected.
        unprotect_rtp(&mut rx, &wires[200]).unwrap();
        assert_eq!(
            unprotect_rtp(&mut rx, &wires[50]).unwrap_err(),
            SrtpError::Replayed
        );
        assert_eq!(
            unprotect_rtp(&mut rx, &wires[72]).unwrap_err(),
            SrtpError::Replayed
        );
        unprotect_rtp(&mut rx, &wires[73]).unwrap(); // exactly 127 behind
        unprotect_rtp(&mut rx, &wires[299]).unwrap();

        // A replay is reported only after authentication: a tampered
        // replay is an auth failure.
        let mut bad = wires[299].clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(
            unprotect_rtp(&mut rx, &bad).unwrap_err(),
            SrtpError::AuthFailed
        );
    }
}

#[test]
fn replay_rtcp() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let wires: Vec<Vec<u8>> = (0..200)
            .map(|_| protect_rtcp(&mut tx, &rtcp_packet(3, 24)))
            .collect();
        unprotect_rtcp(&mut rx, &wires[0]).unwrap();
        assert_eq!(
            unprotect_rtcp(&mut rx, &wires[0]).unwrap_err(),
            SrtpError::Replayed
        );
        unprotect_rtcp(&mut rx, &wires[9]).unwrap();
        unprotect_rtcp(&mut rx, &wires[4]).unwrap();
        assert_eq!(
            unprotect_rtcp(&mut rx, &wires[4]).unwrap_err(),
            SrtpError::Replayed
        );
        unprotect_rtcp(&mut rx, &wires[199]).unwrap();
        assert_eq!(
            unprotect_rtcp(&mut rx, &wires[20]).unwrap_err(),
            SrtpError::Replayed
        );
    }
}

#[test]
fn errors_leave_buffer_and_state_unchanged() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let wire = protect_rtp(&mut tx, &rtp_packet(77, 500, 2, Some(1), 64));
        for i in 0..wire.len() {
            let mut bad = wire.clone();
            bad[i] ^= 0x04;
            let err = rx.unprotect_rtp(&mut bad.clone(), bad.len()).unwrap_err();
            // Flipping the version bit makes it malformed, anything else fails auth.
            assert!(
                matches!(err, SrtpError::AuthFailed | SrtpError::Malformed),
                "{suite} byte {i}: {err}"
            );
            let mut buf = bad.clone();
            let _ = rx.unprotect_rtp(&mut buf, bad.len());
            assert_eq!(buf, bad, "{suite}: buffer untouched on error");
        }
        // The genuine packet is still accepted, once; and a replay leaves the bytes alone.
        let plain = unprotect_rtp(&mut rx, &wire).unwrap();
        let mut again = wire.clone();
        assert_eq!(
            rx.unprotect_rtp(&mut again, wire.len()).unwrap_err(),
            SrtpError::Replayed
        );
        assert_eq!(again, wire);
        assert_eq!(plain, rtp_packet(77, 500, 2, Some(1), 64));

        let wire = protect_rtcp(&mut tx, &rtcp_packet(77, 30));
        for i in 0..wire.len() {
            let mut bad = wire.clone();
            bad[i] ^= 0x10;
            let mut buf = bad.clone();
            let err = rx.unprotect_rtcp(&mut buf, bad.len()).unwrap_err();
            assert!(
                matches!(err, SrtpError::AuthFailed | SrtpError::Malformed),
                "{suite} byte {i}: {err}"
            );
            assert_eq!(buf, bad);
        }
        assert_eq!(unprotect_rtcp(&mut rx, &wire).unwrap(), rtcp_packet(77, 30));
        let mut again = wire.clone();
        assert_eq!(
            rx.unprotect_rtcp(&mut again, wire.len()).unwrap_err(),
            SrtpError::Replayed
        );
        assert_eq!(again, wire);
    }
}

#[test]
fn auth_failure_does_not_create_ssrc_state() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        // A forged packet with a far-ahead SEQ must not move the window.
        let mut forged = protect_rtp(&mut tx, &rtp_packet(1, 40_000, 0, None, 30));
        forged[20] ^= 1;
        assert_eq!(
            unprotect_rtp(&mut rx, &forged).unwrap_err(),
            SrtpError::AuthFailed
        );
        assert_eq!(rx.rx_roc(1), None);
        let (mut tx, _) = pair(suite);
        let wire = protect_rtp(&mut tx, &rtp_packet(1, 10, 0, None, 30));
        unprotect_rtp(&mut rx, &wire).unwrap();
        assert_eq!(rx.rx_roc(1), Some(0));
    }
}

#[test]
fn unencrypted_srtcp_is_authenticated_only() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let plain = rtcp_packet(0x55, 20);
        let mut buf = plain.clone();
        buf.resize(plain.len() + suite.rtcp_overhead(), 0);
        let n = tx.protect_rtcp_unencrypted(&mut buf, plain.len()).unwrap();
        assert_eq!(buf[..plain.len()], plain[..], "{suite}: sent in the clear");
        let wire = buf[..n].to_vec();

        let mut bad = wire.clone();
        bad[12] ^= 1;
        let mut tmp = bad.clone();
        assert_eq!(
            rx.unprotect_rtcp(&mut tmp, n).unwrap_err(),
            SrtpError::AuthFailed
        );
        assert_eq!(tmp, bad, "{suite}: restored after a failed check");

        assert_eq!(unprotect_rtcp(&mut rx, &wire).unwrap(), plain);
        assert_eq!(
            unprotect_rtcp(&mut rx, &wire).unwrap_err(),
            SrtpError::Replayed
        );
    }
}

#[test]
fn buffer_checks() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let plain = rtp_packet(1, 1, 0, None, 20);
        let mut buf = plain.clone();
        assert_eq!(
            tx.protect_rtp(&mut buf, plain.len()).unwrap_err(),
            SrtpError::BufferTooSmall
        );
        assert_eq!(buf, plain);
        assert_eq!(
            tx.protect_rtp(&mut buf, plain.len() + 1).unwrap_err(),
            SrtpError::BufferTooSmall
        );
        assert_eq!(
            rx.unprotect_rtp(&mut buf, plain.len() + 1).unwrap_err(),
            SrtpError::BufferTooSmall
        );
        buf.resize(plain.len() + suite.rtp_overhead() - 1, 0);
        assert_eq!(
            tx.protect_rtp(&mut buf, plain.len()).unwrap_err(),
            SrtpError::BufferTooSmall
        );

        let plain = rtcp_packet(1, 8);
        let mut buf = plain.clone();
        buf.resize(plain.len() + suite.rtcp_overhead() - 1, 0);
        assert_eq!(
            tx.protect_rtcp(&mut buf, plain.len()).unwrap_err(),
            SrtpError::BufferTooSmall
        );
        assert_eq!(
            rx.unprotect_rtcp(&mut buf, 1000).unwrap_err(),
            SrtpError::BufferTooSmall
        );
    }
}

#[test]
fn malformed_inputs_never_panic() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let good_rtp = protect_rtp(&mut tx, &rtp_packet(1, 1, 3, Some(2), 16));
        let good_rtcp = protect_rtcp(&mut tx, &rtcp_packet(1, 40));
        // Every truncation.
        for len in 0..=40usize {
            let mut b = vec![0u8; 64];
            let n = len.min(good_rtp.len());
            b[..n].copy_from_slice(&good_rtp[..n]);
            assert!(rx.unprotect_rtp(&mut b, len).is_err());
            assert!(rx.unprotect_rtcp(&mut b.clone(), len).is_err());
            let n = len.min(good_rtcp.len());
            let mut b = vec![0u8; 64];
            b[..n].copy_from_slice(&good_rtcp[..n]);
            assert!(rx.unprotect_rtcp(&mut b, len).is_err());
            // Protecting a truncated or zeroed header fails or works, never panics.
            let mut b = vec![0x80u8; 100];
            let _ = tx.protect_rtp(&mut b, len);
            let _ = tx.protect_rtcp(&mut b, len);
            let mut z = vec![0u8; 100];
            assert!(tx.protect_rtp(&mut z, len).is_err());
            assert!(tx.protect_rtcp(&mut z, len).is_err());
        }
        for len in 0..12 {
            let mut b = vec![0x80u8; 100];
            assert_eq!(
                tx.protect_rtp(&mut b, len).unwrap_err(),
                SrtpError::TooShort
            );
        }

        // CC = 15 with a short packet.
        let mut p = vec![0x8f, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        p.extend_from_slice(&[0; 20]);
        let mut b = p.clone();
        b.resize(100, 0);
        assert_eq!(
            tx.protect_rtp(&mut b, p.len()).unwrap_err(),
            SrtpError::Malformed
        );
        assert_eq!(
            rx.unprotect_rtp(&mut b, p.len()).unwrap_err(),
            SrtpError::Malformed
        );

        // Extension length pointing past the end.
        let mut p = rtp_packet(1, 2, 0, Some(1), 20);
        p[14..16].copy_from_slice(&200u16.to_be_bytes());
        let mut b = p.clone();
        b.resize(p.len() + 16, 0);
        assert_eq!(
            tx.protect_rtp(&mut b, p.len()).unwrap_err(),
            SrtpError::Malformed
        );
        assert_eq!(
            rx.unprotect_rtp(&mut b, p.len() + suite.rtp_overhead())
                .unwrap_err(),
            SrtpError::Malformed
        );
        // X bit set but no room for the extension header.
        let mut b = vec![0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe];
        b.resize(40, 0);
        assert_eq!(
            tx.protect_rtp(&mut b, 13).unwrap_err(),
            SrtpError::Malformed
        );
        // Extension exactly filling the packet, no payload: fine.
        let p = rtp_packet(1, 3, 15, Some(3), 0);
        let wire = protect_rtp(&mut tx, &p);
        assert_eq!(unprotect_rtp(&mut rx, &wire).unwrap(), p);

        // Random garbage of many lengths.
        let mut x = 0x1234_5678u32;
        for len in 0..200usize {
            let mut b: Vec<u8> = (0..len + 20)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            b[..len.min(1)]
                .iter_mut()
                .for_each(|v| *v = 0x80 | (*v & 0x3f));
            assert!(rx.unprotect_rtp(&mut b.clone(), len).is_err());
            assert!(rx.unprotect_rtcp(&mut b.clone(), len).is_err());
            let _ = tx.protect_rtp(&mut b.clone(), len);
            let _ = tx.protect_rtcp(&mut b, len);
        }
    }
}

#[test]
fn ssrcs_are_independent_and_bounded() {
    for suite in CryptoSuite::ALL {
        let key = test_key(suite, 3);
        let mut tx = SrtpSession::new(suite, &key).unwrap();
        let mut rx = SrtpSession::with_max_ssrcs(suite, &key, 4).unwrap();
        // Same SEQ under different SSRCs is not a replay.
        for ssrc in 0..4u32 {
            let wire = protect_rtp(&mut tx, &rtp_packet(ssrc, 100, 0, None, 10));
            unprotect_rtp(&mut rx, &wire).unwrap();
        }
        let old = protect_rtp(&mut tx, &rtp_packet(0, 50, 0, None, 10));
        // A fifth SSRC evicts the least recently used (SSRC 0).
        let wire = protect_rtp(&mut tx, &rtp_packet(4, 100, 0, None, 10));
        unprotect_rtp(&mut rx, &wire).unwrap();
        assert_eq!(rx.rx_roc(0), None);
        assert_eq!(rx.rx_roc(4), Some(0));
        // SSRC 0 starts afresh.
        unprotect_rtp(&mut rx, &old).unwrap();
    }
}

#[test]
fn sender_keeps_roc_for_resent_old_packets() {
    for suite in CryptoSuite::ALL {
        let (mut tx, mut rx) = pair(suite);
        let before_wrap = rtp_packet(8, 65_530, 0, None, 10);
        let first = protect_rtp(&mut tx, &before_wrap);
        for seq in [65_531u16, 65_535, 0, 5] {
            protect_rtp(&mut tx, &rtp_packet(8, seq, 0, None, 10));
        }
        // Resending 65530 (ROC 0) after the wrap gives the identical packet.
        assert_eq!(protect_rtp(&mut tx, &before_wrap), first);
        assert_eq!(tx.tx_roc(8), Some(1));
        assert_eq!(unprotect_rtp(&mut rx, &first).unwrap(), before_wrap);
    }
}
