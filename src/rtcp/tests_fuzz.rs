//! Deterministic mutation fuzzing of compound RTCP parsing and in-place
//! rewrites; any panic fails the test.

use super::*;
use rand::{Rng, SeedableRng};

fn seed_compound() -> Vec<u8> {
    let mut buf = vec![0u8; 1024];
    let mut off = write_sender_report(
        &mut buf,
        1,
        2,
        3,
        4,
        5,
        6,
        &[ReportBlock {
            ssrc: 7,
            total_lost: -3,
            ..Default::default()
        }],
    )
    .unwrap();
    off += write_sdes_cname(&mut buf[off..], 1, "abc").unwrap();
    off += write_nack(&mut buf[off..], 1, 2, &[10, 11, 30]).unwrap();
    off += write_pli(&mut buf[off..], 1, 2).unwrap();
    off += write_fir(&mut buf[off..], 1, 2, 3).unwrap();
    off += write_remb(&mut buf[off..], 1, 500_000, &[2, 3]).unwrap();
    let statuses = [
        Some(4),
        None,
        Some(300),
        Some(-1),
        None,
        None,
        Some(1),
        Some(2),
        Some(3),
    ];
    off += write_transport_cc(&mut buf[off..], 1, 2, 100, 5, 1, &statuses).unwrap();
    off += write_xr_rrt(&mut buf[off..], 1, 2, 3).unwrap();
    off += write_xr_dlrr(
        &mut buf[off..],
        1,
        &[DlrrItem {
            ssrc: 1,
            lrr: 2,
            dlrr: 3,
        }],
    )
    .unwrap();
    off += write_bye(&mut buf[off..], &[1], Some("x")).unwrap();
    buf.truncate(off);
    buf
}

fn touch(p: &RtcpPacket<'_>) -> usize {
    let mut n = p.raw().len() + p.packet_type() as usize;
    match p {
        RtcpPacket::SenderReport(s) => n += s.reports().count() + s.ntp_sec() as usize % 3,
        RtcpPacket::ReceiverReport(r) => n += r.reports().count(),
        RtcpPacket::Sdes(s) => {
            for c in s.chunks() {
                n += c.items().count();
            }
            n += s.cname().map_or(0, |c| c.1.len());
        }
        RtcpPacket::Bye(b) => n += b.ssrcs().count() + b.reason().map_or(0, <[u8]>::len),
        RtcpPacket::App(a) => n += a.data().len() + a.name().len() + a.subtype() as usize,
        RtcpPacket::Nack(k) => n += k.lost_seqs().take(100_000).count() + k.items().count(),
        RtcpPacket::Pli(p) => n += p.fci().len(),
        RtcpPacket::Fir(f) => n += f.entries().count(),
        RtcpPacket::Remb(r) => n += r.ssrcs().count() + (r.bitrate() % 7) as usize,
        RtcpPacket::TransportCc(t) => {
            t.for_each(|_, d| n += d.is_some() as usize).unwrap();
            n += t.packet_fraction_lost() as usize + t.base_delta_ms(0) as usize % 5;
        }
        RtcpPacket::Xr(x) => {
            for b in x.blocks() {
                if let XrBlock::Dlrr(d) = b {
                    n += d.count();
                }
            }
        }
        RtcpPacket::Other(o) => n += o.data.len(),
    }
    n
}

#[test]
fn fuzz_compound_never_panics() {
    let seed = seed_compound();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed_0002);
    let mut buf = vec![0u8; seed.len() + 16];
    let mut packets = 0usize;
    for _ in 0..100_000 {
        buf[..seed.len()].copy_from_slice(&seed);
        let mut len = seed.len();
        for _ in 0..rng.gen_range(1..5) {
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
                    // Mutate a likely length/count field: bytes 0..4 of some packet.
                    let i = rng.gen_range(0..len.max(1)) & !3;
                    if i + 3 < len {
                        buf[i + rng.gen_range(0..4)] = rng.gen();
                    }
                }
            }
        }
        let data = &buf[..len];
        let _ = is_rtcp(data);
        for p in iter_compound(data) {
            match p {
                Ok(p) => {
                    packets += 1;
                    let _ = touch(&p);
                }
                Err(_) => break,
            }
        }
        for pkt in iter_compound_mut(&mut buf[..len]).flatten() {
            let _ = set_feedback_media_ssrc(pkt, 1);
            let _ = set_feedback_sender_ssrc(pkt, 2);
            let _ = set_fir_ssrc(pkt, 3);
            let _ = parse_packet(pkt);
        }
    }
    assert!(packets > 100_000, "too few parsed packets: {packets}");
}

#[test]
fn truncated_at_every_length() {
    let seed = seed_compound();
    for n in 0..seed.len() {
        let mut count = 0;
        for p in iter_compound(&seed[..n]) {
            match p {
                Ok(p) => {
                    touch(&p);
                    count += 1;
                }
                Err(_) => break,
            }
        }
        let _ = count;
    }
    assert_eq!(iter_compound(&seed).filter(|p| p.is_ok()).count(), 10);
}
