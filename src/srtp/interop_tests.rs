//! Interop with webrtc-srtp 0.17 (an independent implementation) for every
//! suite: each side decrypts what the other protected, and since both are
//! deterministic for a given index, the wire bytes must be identical.

use webrtc_srtp::context::Context;
use webrtc_srtp::option::{srtcp_replay_protection, srtp_replay_protection};
use webrtc_srtp::protection_profile::ProtectionProfile;

use super::test_util::{rtcp_packet, rtp_packet, test_key};
use super::{CryptoSuite, SrtpError, SrtpSession};

/// Explicit mapping: the two crates' enums are unrelated.
fn profile(suite: CryptoSuite) -> ProtectionProfile {
    match suite {
        CryptoSuite::AeadAes256Gcm => ProtectionProfile::AeadAes256Gcm,
        CryptoSuite::AeadAes128Gcm => ProtectionProfile::AeadAes128Gcm,
        CryptoSuite::AesCm128HmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
        CryptoSuite::AesCm128HmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
    }
}

fn theirs(suite: CryptoSuite, key: &[u8], replay: bool) -> Context {
    let (k, s) = key.split_at(suite.master_key_len());
    let (rtp, rtcp) = if replay {
        (
            Some(srtp_replay_protection(128)),
            Some(srtcp_replay_protection(128)),
        )
    } else {
        (None, None)
    };
    Context::new(k, s, profile(suite), rtp, rtcp).unwrap()
}

/// RTP packets of one SSRC crossing a sequence-number wrap, with and
/// without CSRCs and header extensions.
fn rtp_stream(ssrc: u32) -> Vec<Vec<u8>> {
    (0..400u32)
        .map(|k| {
            let seq = (65_400 + k) as u16;
            let csrcs = [0u8, 1, 4, 15][(k % 4) as usize];
            let ext = [None, Some(1), Some(3), None, Some(0)][(k % 5) as usize];
            rtp_packet(ssrc, seq, csrcs, ext, (k as usize * 7) % 1200)
        })
        .collect()
}

fn ours_protect_rtp(s: &mut SrtpSession, plain: &[u8]) -> Vec<u8> {
    let mut buf = plain.to_vec();
    buf.resize(plain.len() + s.suite().rtp_overhead(), 0);
    let n = s.protect_rtp(&mut buf, plain.len()).unwrap();
    buf.truncate(n);
    buf
}

fn ours_protect_rtcp(s: &mut SrtpSession, plain: &[u8]) -> Vec<u8> {
    let mut buf = plain.to_vec();
    buf.resize(plain.len() + s.suite().rtcp_overhead(), 0);
    let n = s.protect_rtcp(&mut buf, plain.len()).unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn rtp_they_protect_we_unprotect() {
    for suite in CryptoSuite::ALL {
        let key = test_key(suite, 11);
        let mut tx = theirs(suite, &key, false);
        let mut rx = SrtpSession::new(suite, &key).unwrap();
        for ssrc in [0x0102_0304, 0xdead_beef] {
            for plain in rtp_stream(ssrc) {
                let wire = tx.encrypt_rtp(&plain).unwrap().to_vec();
                assert_eq!(wire.len(), plain.len() + suite.rtp_overhead(), "{suite}");
                let mut buf = wire.clone();
                let n = rx
                    .unprotect_rtp(&mut buf, wire.len())
                    .unwrap_or_else(|e| panic!("{suite}: {e}"));
                assert_eq!(buf[..n], plain[..], "{suite}");
            }
            assert_eq!(rx.rx_roc(ssrc), Some(1));
        }
    }
}

#[test]
fn rtp_we_protect_they_unprotect_and_bytes_match() {
    for suite in CryptoSuite::ALL {
        let key = test_key(suite, 22);
        let mut ours = SrtpSession::new(suite, &key).unwrap();
        let mut their_tx = theirs(suite, &key, false);
        let mut their_rx = theirs(suite, &key, true);
        for plain in rtp_stream(0x5555_aaaa) {
            let wire = ours_protect_rtp(&mut ours, &plain);
            assert_eq!(
                wire,
                their_tx.encrypt_rtp(&plain).unwrap().to_vec(),
                "{suite}: same bytes"
            );
            let back = their_rx
                .decrypt_rtp(&wire)
                .unwrap_or_else(|e| panic!("{suite}: {e}"));
            assert_eq!(back.to_vec(), plain, "{suite}");
        }
        assert_eq!(ours.tx_roc(0x5555_aaaa), Some(1));
    }
}

#[test]
fn rtcp_both_ways_and_bytes_match() {
    for suite in CryptoSuite::ALL {
        let key = test_key(suite, 33);
        let mut ours_tx = SrtpSession::new(suite, &key).unwrap();
        let mut ours_rx = SrtpSession::new(suite, &key).unwrap();
        let mut their_tx = theirs(suite, &key, false);
        let mut their_rx = theirs(suite, &key, true);
        for i in 0..100usize {
            let plain = rtcp_packet(0x0bad_cafe, (i * 13) % 300);
            let wire = ours_protect_rtcp(&mut ours_tx, &plain);
            // `_32` has an 80-bit SRTCP tag on both sides.
            assert_eq!(wire.len(), plain.len() + suite.rtcp_overhead(), "{suite}");
            let their_wire = their_tx.encrypt_rtcp(&plain).unwrap().to_vec();
            assert_eq!(wire, their_wire, "{suite}: same bytes (index {})", i + 1);
            let back = their_rx
                .decrypt_rtcp(&wire)
                .unwrap_or_else(|e| panic!("{suite}: {e}"));
            assert_eq!(back.to_vec(), plain);
            let mut buf = their_wire.clone();
            let n = ours_rx.unprotect_rtcp(&mut buf, their_wire.len()).unwrap();
            assert_eq!(buf[..n], plain[..]);
            assert_eq!(
                ours_rx
                    .unprotect_rtcp(&mut their_wire.clone(), their_wire.len())
                    .unwrap_err(),
                SrtpError::Replayed
            );
        }
    }
}

#[test]
fn their_replays_are_rejected_by_us() {
    for suite in CryptoSuite::ALL {
        let key = test_key(suite, 44);
        let mut tx = theirs(suite, &key, false);
        let mut rx = SrtpSession::new(suite, &key).unwrap();
        let wire = tx
            .encrypt_rtp(&rtp_packet(9, 100, 0, None, 40))
            .unwrap()
            .to_vec();
        assert!(rx.unprotect_rtp(&mut wire.clone(), wire.len()).is_ok());
        assert_eq!(
            rx.unprotect_rtp(&mut wire.clone(), wire.len()).unwrap_err(),
            SrtpError::Replayed
        );
    }
}

#[test]
fn wrong_key_fails_both_ways() {
    for suite in CryptoSuite::ALL {
        let mut ours = SrtpSession::new(suite, &test_key(suite, 1)).unwrap();
        let mut their = theirs(suite, &test_key(suite, 2), false);
        let plain = rtp_packet(1, 1, 0, None, 100);
        let wire = ours_protect_rtp(&mut ours, &plain);
        assert!(their.decrypt_rtp(&wire).is_err());
        let wire = their.encrypt_rtp(&plain).unwrap().to_vec();
        assert_eq!(
            ours.unprotect_rtp(&mut wire.clone(), wire.len())
                .unwrap_err(),
            SrtpError::AuthFailed
        );
    }
}
