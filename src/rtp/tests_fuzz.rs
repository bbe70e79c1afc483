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

/// Mutated Dependency Descriptors through a stream's reader: no panic, and
/// whatever it accepts resolves to layers within the spec's limits.
#[test]
fn fuzz_dependency_descriptor_never_panics() {
    use codecs::dependency_descriptor::{test_util as dd, DependencyDescriptorReader};
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed_0dd1);
    let seeds: Vec<Vec<u8>> = vec![
        dd::l1t3_key(0, 1),
        dd::l1t3_key(61, 2),
        dd::plain(true, false, 2, 3),
        dd::plain(false, true, 63, 4),
        // Chromium L1T3 and L1T2 key frame descriptors.
        vec![
            0x80, 0x01, 0x2f, 0x80, 0x02, 0x14, 0xea, 0xa8, 0x60, 0x41, 0x4d, 0x14, 0x10, 0x20,
            0x84, 0x26,
        ],
        vec![
            0x80, 0x00, 0xe8, 0x80, 0x01, 0x1e, 0xa8, 0x51, 0x41, 0x01, 0x0c, 0x13, 0xfc, 0x0b,
            0x3c,
        ],
        // Extended fields with every flag set after the mandatory ones.
        vec![0x80, 0x00, 0x05, 0xf8, 0xff, 0xff, 0xff, 0xff],
    ];
    let mut reader = DependencyDescriptorReader::default();
    let mut accepted = 0usize;
    let mut buf = [0u8; 300];
    for round in 0..200_000u32 {
        let seed = &seeds[round as usize % seeds.len()];
        buf[..seed.len()].copy_from_slice(seed);
        let mut len = seed.len();
        for _ in 0..rng.gen_range(1..4) {
            match rng.gen_range(0..4) {
                0 if len > 0 => {
                    let i = rng.gen_range(0..len);
                    buf[i] = rng.gen();
                }
                1 if len > 0 => {
                    let i = rng.gen_range(0..len);
                    buf[i] ^= 1 << rng.gen_range(0..8);
                }
                2 => len = rng.gen_range(0..=len),
                _ => {
                    let extra = rng.gen_range(0..40);
                    if len + extra <= buf.len() {
                        rng.fill(&mut buf[len..len + extra]);
                        len += extra;
                    }
                }
            }
        }
        if let Ok(d) = reader.read(&buf[..len], round as u16) {
            accepted += 1;
            assert!(d.spatial_id < 4 && d.temporal_id < 8);
            assert!(d.fdiffs().len() <= 16 && d.chain_fdiffs().len() <= 32);
            let f = d.frame();
            let _ = (f.switch_layers, f.present_layers, f.decode_target_layers);
        }
        if let Some(s) = reader.structure() {
            assert!(!s.templates().is_empty() && s.templates().len() <= 64);
            assert!(s.decode_target_layers().len() <= 32);
        }
    }
    assert!(accepted > 10_000, "too few accepted mutants: {accepted}");
}
