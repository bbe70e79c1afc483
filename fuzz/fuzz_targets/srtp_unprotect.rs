//! SRTP/SRTCP (`ferrosoup::srtp::SrtpSession`) in all four suites with a
//! fixed master key. Two kinds of step:
//!
//! - raw: unprotect fuzz bytes as they are (the committed seeds hold packets
//!   validly protected with the fixed key, so mutations start from behind
//!   authentication too);
//! - paired: protect a fuzz-built plaintext on a sending session, optionally
//!   flip one byte, deliver to a receiving session, optionally replay an
//!   earlier packet later.
//!
//! Invariants: an unmodified packet decrypts to its plaintext (or is
//! refused as a replay, never as forged); a modified one never
//! authenticates; a packet already delivered is never accepted twice;
//! nothing reads or writes past `len`.
//!
//! Input: suite, flags, then steps (see `main` body).

#![no_main]

use ferrosoup::srtp::{CryptoSuite, SrtpError, SrtpSession};
use ferrosoup_fuzz::{Reader, SRTP_KEY};
use libfuzzer_sys::fuzz_target;

const SSRCS: [u32; 4] = [0x1111_1111, 0x2222_2222, 0xdead_beef, 0];
const MAX_HISTORY: usize = 16;

fn key(suite: CryptoSuite) -> &'static [u8] {
    &SRTP_KEY[..suite.key_and_salt_len()]
}

/// Flips one byte of `buf[..len]` chosen by `pos` (xor with a nonzero mask).
fn tamper(buf: &mut [u8], len: usize, pos: u16, mask: u8) {
    let i = pos as usize % len;
    buf[i] ^= mask | 1;
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let suite = CryptoSuite::ALL[r.below(4)];
    let flags = r.u8();
    // A tiny per-SSRC table on the receiver evicts state: replays of evicted
    // SSRCs are then legitimately accepted again, so those checks relax.
    let small_table = flags & 1 == 1;
    let mut tx = SrtpSession::new(suite, key(suite)).expect("key length");
    let mut rx = if small_table {
        SrtpSession::with_max_ssrcs(suite, key(suite), 2).expect("key length")
    } else {
        SrtpSession::new(suite, key(suite)).expect("key length")
    };
    let mut raw_rx = SrtpSession::new(suite, key(suite)).expect("key length");
    assert_eq!(tx.suite(), suite);
    if flags & 2 == 2 {
        let text = String::from_utf8_lossy(r.bytes(64)).into_owned();
        let _ = SrtpSession::from_key_base64(suite, &text);
    }
    // Protected packets delivered at least once: (is_rtcp, bytes).
    let mut history: Vec<(bool, Vec<u8>)> = Vec::new();
    let mut steps = 0;

    while !r.is_empty() && steps < 32 {
        steps += 1;
        let op = r.u8();
        match op % 6 {
            0 | 1 => {
                let rtcp = op % 6 == 1;
                let ssrc = SSRCS[r.below(SSRCS.len())];
                let pflags = r.u8();
                let seq = r.u16();
                let body = r.bytes(300);
                let mut plain = Vec::with_capacity(body.len() + 16);
                if rtcp {
                    // V=2, a count, PT 200..=204, length, sender SSRC, body.
                    plain.push(0x80 | (pflags & 0x1f));
                    plain.push(200 + (pflags >> 5) % 5);
                    let words = (body.len() + 4).div_ceil(4) as u16;
                    plain.extend_from_slice(&words.to_be_bytes());
                    plain.extend_from_slice(&ssrc.to_be_bytes());
                } else if pflags & 0x40 != 0 {
                    // Fuzz-chosen first byte (CSRC count, X bit) over V=2.
                    plain.push(0x80 | (pflags & 0x3f));
                    plain.push(96);
                    plain.extend_from_slice(&seq.to_be_bytes());
                    plain.extend_from_slice(&u32::from(seq).wrapping_mul(90).to_be_bytes());
                    plain.extend_from_slice(&ssrc.to_be_bytes());
                } else {
                    plain.extend_from_slice(&[0x80, 96]);
                    plain.extend_from_slice(&seq.to_be_bytes());
                    plain.extend_from_slice(&u32::from(seq).wrapping_mul(90).to_be_bytes());
                    plain.extend_from_slice(&ssrc.to_be_bytes());
                }
                plain.extend_from_slice(body);
                let overhead = if rtcp {
                    suite.rtcp_overhead()
                } else {
                    suite.rtp_overhead()
                };
                // Sometimes one byte short of the room the suite needs.
                let short = pflags & 0x80 != 0 && r.u8() & 3 == 0;
                let mut buf = vec![0u8; plain.len() + overhead - usize::from(short)];
                buf[..plain.len()].copy_from_slice(&plain);
                let res = if rtcp {
                    tx.protect_rtcp(&mut buf, plain.len())
                } else {
                    tx.protect_rtp(&mut buf, plain.len())
                };
                let n = match res {
                    Ok(n) => n,
                    Err(e) => {
                        if short {
                            // Header checks may come first.
                            assert!(
                                matches!(e, SrtpError::BufferTooSmall | SrtpError::Malformed),
                                "{e:?}"
                            );
                        }
                        // Refused packets are left as they were.
                        assert_eq!(&buf[..plain.len()], &plain[..]);
                        continue;
                    }
                };
                assert!(!short, "protected into a buffer without room");
                assert_eq!(n, plain.len() + overhead);
                let protected = buf[..n].to_vec();
                let t = r.u8();
                if t & 1 == 1 {
                    let mut forged = protected.clone();
                    tamper(&mut forged, n, r.u16(), t);
                    let before = forged.clone();
                    let res = if rtcp {
                        rx.unprotect_rtcp(&mut forged, n)
                    } else {
                        rx.unprotect_rtp(&mut forged, n)
                    };
                    assert!(res.is_err(), "a modified packet authenticated");
                    assert_eq!(forged, before, "a refused packet was modified");
                }
                let mut got = protected.clone();
                let res = if rtcp {
                    rx.unprotect_rtcp(&mut got, n)
                } else {
                    rx.unprotect_rtp(&mut got, n)
                };
                match res {
                    Ok(m) => {
                        assert_eq!(m, plain.len());
                        assert_eq!(&got[..m], &plain[..], "decryption differs");
                    }
                    Err(e) => {
                        assert_eq!(got, protected, "a refused packet was modified");
                        assert!(
                            small_table
                                || matches!(e, SrtpError::Replayed | SrtpError::KeyExhausted),
                            "unmodified packet refused: {e:?}"
                        );
                    }
                }
                if history.len() < MAX_HISTORY {
                    history.push((rtcp, protected));
                }
            }
            2 => {
                // Replay an earlier packet: never accepted twice.
                if history.is_empty() {
                    continue;
                }
                let (rtcp, pkt) = &history[r.below(history.len())];
                let mut buf = pkt.clone();
                let res = if *rtcp {
                    rx.unprotect_rtcp(&mut buf, pkt.len())
                } else {
                    rx.unprotect_rtp(&mut buf, pkt.len())
                };
                if !small_table {
                    assert!(res.is_err(), "replayed packet accepted");
                }
                if res.is_err() {
                    assert_eq!(&buf, pkt);
                }
            }
            3 | 4 => {
                // Raw bytes: maybe a validly protected seed, maybe junk.
                let rtcp = op % 6 == 4;
                let bytes = r.bytes(1500);
                let spare = r.u8() as usize % 4;
                let mut buf = vec![0u8; bytes.len() + spare];
                buf[..bytes.len()].copy_from_slice(bytes);
                // A `len` past the buffer must be refused, not read.
                let len = if spare == 3 {
                    buf.len() + 1
                } else {
                    bytes.len()
                };
                let res = if rtcp {
                    raw_rx.unprotect_rtcp(&mut buf, len)
                } else {
                    raw_rx.unprotect_rtp(&mut buf, len)
                };
                match res {
                    Ok(m) => {
                        assert!(len <= buf.len());
                        let overhead = if rtcp {
                            suite.rtcp_overhead()
                        } else {
                            suite.rtp_tag_len()
                        };
                        assert_eq!(m + overhead, len);
                        // Bytes past the packet are untouched.
                        assert!(buf[len..].iter().all(|&b| b == 0));
                    }
                    Err(e) => {
                        if len > buf.len() {
                            assert_eq!(e, SrtpError::BufferTooSmall);
                        }
                        assert_eq!(&buf[..bytes.len()], bytes, "refused packet modified");
                    }
                }
            }
            _ => {
                let ssrc = SSRCS[r.below(SSRCS.len())];
                let _ = (tx.tx_roc(ssrc), rx.rx_roc(ssrc), raw_rx.rx_roc(ssrc));
            }
        }
    }
});
