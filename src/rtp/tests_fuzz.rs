//! Deterministic mutation fuzzing: parse and rewrite mutated packets; any
//! panic fails the test.

use super::codecs::{self, Codec};
use super::*;
use rand::{Rng, SeedableRng};

fn seeds() -> Vec<Vec<u8>> {
    vec![
        // One-byte extensions + VP8 payload.
        vec![
            0x90, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0x00, 0x02, 0x10, 0x30,
            0x22, 0x01, 0x02, 0x03, 0x31, 0x00, 0x90, 0xe0, 0x80, 0x6a, 0x12, 0x20, 0x50, 0x2a,
            0x00, 0x9d, 0x01, 0x2a,
        ],
        // Two-byte extensions, CSRC, padding, H264 STAP-A.
        vec![
            0xb1, 0x66, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9, 0x10, 0x00, 0x00, 0x02,
            0x01, 0x02, 0xaa, 0xbb, 0x16, 0x00, 0x00, 0x00, 0x78, 0x00, 0x02, 0x67, 0x42, 0x00,
            0x02, 0x68, 0xce, 0x00, 0x00, 0x03,
        ],
        // Minimal.
        vec![0x80, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x07],
    ]
}

#[test]
fn fuzz_parse_and_rewrite_never_panics() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed_0001);
    let seeds = seeds();
    let mut buf = [0u8; 128];
    let mut ok = 0usize;
    for round in 0..100_000 {
        let seed = &seeds[round % seeds.len()];
        buf[..seed.len()].copy_from_slice(seed);
        let mut len = seed.len();
        for _ in 0..rng.gen_range(1..4) {
            match rng.gen_range(0..4) {
                0 | 1 if len == 0 => {}
                0 => {
                    let i = rng.gen_range(0..len);
                    buf[i] = rng.gen();
                }
                1 => {
                    let i = rng.gen_range(0..len);
                    buf[i] ^= 1 << rng.gen_range(0..8);
                }
                2 => len = rng.gen_range(0..=len),
                _ => {
                    let extra = rng.gen_range(0..8);
                    if len + extra <= 64 {
                        rng.fill(&mut buf[len..len + extra]);
                        len += extra;
                    }
                }
            }
        }
        let is_rtp = RtpPacketRef::is_rtp(&buf[..len]);
        let Ok(mut p) = RtpPacket::parse(&mut buf[..], len) else {
            continue;
        };
        ok += 1;
        let _ = is_rtp;
        let _ = (
            p.payload_type(),
            p.sequence_number(),
            p.timestamp(),
            p.ssrc(),
            p.marker(),
        );
        let _ = p.csrcs().count();
        for id in 0..=15 {
            if let Some(v) = p.extension(id) {
                let _ = (
                    ext::read_mid(v),
                    ext::read_abs_send_time(v),
                    ext::read_audio_level(v),
                );
            }
            if let Some(v) = p.extension_mut(id) {
                let _ = ext::write_transport_wide_seq(v, 1);
            }
        }
        let _ = p.extensions().count();
        for c in [Codec::Vp8, Codec::Vp9, Codec::H264, Codec::H265, Codec::Av1] {
            let _ = codecs::is_keyframe(c, p.payload());
        }
        match rng.gen_range(0..3) {
            0 => {
                let _ = p.rtx_encode(97, 1, 2);
            }
            1 => {
                let _ = p.shift_payload(rng.gen_range(0..8), rng.gen_range(0..8), rng.gen());
            }
            _ => {
                let _ = codecs::ensure_two_byte_picture_id(&mut p);
            }
        }
        // Whatever the rewrite did, the bytes must still parse consistently.
        let n = p.len();
        let hl = p.header_len();
        let q = RtpPacketRef::parse(p.data(), n).expect("rewrite produced an invalid packet");
        assert_eq!(q.header_len(), hl);
    }
    assert!(ok > 10_000, "too few valid mutants: {ok}");
}
