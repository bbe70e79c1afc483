//! Every builder through the parser, compound packets, in-place rewrites.

use super::*;
use rand::{Rng, SeedableRng};

fn block(i: u32) -> ReportBlock {
    ReportBlock {
        ssrc: i,
        fraction_lost: i as u8,
        total_lost: -(i as i32) * 3,
        highest_seq: 0x10000 + i,
        jitter: i * 7,
        lsr: i * 11,
        dlsr: i * 13,
    }
}

#[test]
fn compound_sr_rr_sdes_bye() {
    let mut buf = [0u8; 2048];
    let blocks: Vec<ReportBlock> = (1..=33).map(block).collect();
    let mut off = write_sender_report(&mut buf, 0xaabbccdd, 1, 2, 3, 4, 5, &blocks).unwrap();
    off += write_sdes_cname(&mut buf[off..], 0xaabbccdd, "cname-x").unwrap();
    off += write_receiver_report(&mut buf[off..], 9, &[]).unwrap();
    off += write_bye(&mut buf[off..], &[0xaabbccdd], None).unwrap();
    let pkts: Vec<RtcpPacket> = iter_compound(&buf[..off]).map(|r| r.unwrap()).collect();
    assert_eq!(pkts.len(), 5);
    let RtcpPacket::SenderReport(sr) = &pkts[0] else {
        panic!()
    };
    assert_eq!(
        (
            sr.ssrc(),
            sr.ntp_sec(),
            sr.ntp_frac(),
            sr.rtp_ts(),
            sr.packet_count(),
            sr.octet_count()
        ),
        (0xaabbccdd, 1, 2, 3, 4, 5)
    );
    assert_eq!(sr.reports().collect::<Vec<_>>(), blocks[..31].to_vec());
    let RtcpPacket::ReceiverReport(rr) = &pkts[1] else {
        panic!()
    };
    assert_eq!(rr.ssrc(), 0xaabbccdd);
    assert_eq!(rr.reports().collect::<Vec<_>>(), blocks[31..].to_vec());
    let RtcpPacket::Sdes(s) = &pkts[2] else {
        panic!()
    };
    assert_eq!(s.cname(), Some((0xaabbccdd, &b"cname-x"[..])));
    let RtcpPacket::ReceiverReport(rr) = &pkts[3] else {
        panic!()
    };
    assert_eq!((rr.ssrc(), rr.reports().count()), (9, 0));
    let RtcpPacket::Bye(b) = &pkts[4] else {
        panic!()
    };
    assert_eq!(b.ssrcs().collect::<Vec<_>>(), vec![0xaabbccdd]);
    assert_eq!(b.reason(), None);
    assert_eq!(pkts[4].packet_type(), PT_BYE);
}

#[test]
fn rr_split_every_31() {
    let mut buf = [0u8; 4096];
    let blocks: Vec<ReportBlock> = (0..70).map(block).collect();
    let n = write_receiver_report(&mut buf, 5, &blocks).unwrap();
    let mut all = Vec::new();
    let mut packets = 0;
    for p in iter_compound(&buf[..n]) {
        let RtcpPacket::ReceiverReport(rr) = p.unwrap() else {
            panic!()
        };
        assert_eq!(rr.ssrc(), 5);
        all.extend(rr.reports());
        packets += 1;
    }
    assert_eq!(packets, 3);
    assert_eq!(all, blocks);
    assert_eq!(
        write_receiver_report(&mut buf[..n - 1], 5, &blocks),
        Err(RtcpError::BufferTooSmall)
    );
}

#[test]
fn sdes_cname_lengths() {
    let mut buf = [0u8; 512];
    for len in 0..=255 {
        let cname: String = std::iter::repeat_n('a', len).collect();
        let n = write_sdes_cname(&mut buf, 7, &cname).unwrap();
        assert_eq!(n % 4, 0);
        let mut it = iter_compound(&buf[..n]);
        let RtcpPacket::Sdes(s) = it.next().unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(s.cname(), Some((7, cname.as_bytes())));
        assert!(it.next().is_none());
    }
    let long: String = std::iter::repeat_n('a', 256).collect();
    assert_eq!(
        write_sdes_cname(&mut buf, 7, &long),
        Err(RtcpError::InvalidArgument)
    );
    assert_eq!(
        write_sdes_cname(&mut buf[..8], 7, "x"),
        Err(RtcpError::BufferTooSmall)
    );
}

#[test]
fn bye_variants() {
    let mut buf = [0u8; 512];
    for reason in [None, Some(""), Some("a"), Some("abcd"), Some("bye now")] {
        let n = write_bye(&mut buf, &[1, 2, 3], reason).unwrap();
        let RtcpPacket::Bye(b) = iter_compound(&buf[..n]).next().unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(b.ssrcs().collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(b.reason(), reason.map(str::as_bytes));
    }
    assert_eq!(
        write_bye(&mut buf, &[0; 32], None),
        Err(RtcpError::InvalidArgument)
    );
}

#[test]
fn nack_packing() {
    let mut buf = [0u8; 512];
    let cases: &[&[u16]] = &[
        &[100],
        &[100, 101, 116],
        &[100, 117],
        &[65530, 65535, 0, 5, 10],
        &[
            1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35,
        ],
        &[500, 400],
    ];
    for &seqs in cases {
        let n = write_nack(&mut buf, 1, 2, seqs).unwrap();
        let RtcpPacket::Nack(nack) = iter_compound(&buf[..n]).next().unwrap().unwrap() else {
            panic!()
        };
        assert_eq!((nack.sender_ssrc(), nack.media_ssrc()), (1, 2));
        assert_eq!(
            nack.lost_seqs().collect::<Vec<_>>(),
            seqs.to_vec(),
            "{seqs:?}"
        );
    }
    assert_eq!(write_nack(&mut buf, 1, 2, &[100, 101, 116]).unwrap(), 16);
    assert_eq!(write_nack(&mut buf, 1, 2, &[100, 117]).unwrap(), 20);
    assert_eq!(
        write_nack(&mut buf, 1, 2, &[]),
        Err(RtcpError::InvalidArgument)
    );
    assert_eq!(
        write_nack(&mut buf[..15], 1, 2, &[1]),
        Err(RtcpError::BufferTooSmall)
    );
}

#[test]
fn pli_fir_remb_xr_round_trip() {
    let mut buf = [0u8; 2048];
    let mut off = write_pli(&mut buf, 1, 2).unwrap();
    off += write_fir(&mut buf[off..], 3, 4, 9).unwrap();
    off += write_remb(&mut buf[off..], 5, 1_500_000_000_000, &[6, 7, 8]).unwrap();
    off += write_xr_rrt(&mut buf[off..], 10, 11, 12).unwrap();
    let items = [
        DlrrItem {
            ssrc: 1,
            lrr: 2,
            dlrr: 3,
        },
        DlrrItem {
            ssrc: 4,
            lrr: 5,
            dlrr: 6,
        },
    ];
    off += write_xr_dlrr(&mut buf[off..], 13, &items).unwrap();
    let pkts: Vec<RtcpPacket> = iter_compound(&buf[..off]).map(|r| r.unwrap()).collect();
    let RtcpPacket::Pli(p) = &pkts[0] else {
        panic!()
    };
    assert_eq!((p.sender_ssrc(), p.media_ssrc(), p.fci().len()), (1, 2, 0));
    let RtcpPacket::Fir(f) = &pkts[1] else {
        panic!()
    };
    assert_eq!((f.sender_ssrc(), f.media_ssrc()), (3, 4));
    assert_eq!(f.entries().collect::<Vec<_>>(), vec![(4, 9)]);
    let RtcpPacket::Remb(r) = &pkts[2] else {
        panic!()
    };
    // 18-bit mantissa: precision loss is bounded by 2^exp.
    let b = 1_500_000_000_000u64;
    assert!(r.bitrate() <= b && b - r.bitrate() < b >> 17);
    assert_eq!(r.ssrcs().collect::<Vec<_>>(), vec![6, 7, 8]);
    let RtcpPacket::Xr(x) = &pkts[3] else {
        panic!()
    };
    assert_eq!(x.ssrc(), 10);
    let blocks: Vec<XrBlock> = x.blocks().collect();
    assert!(matches!(
        blocks[..],
        [XrBlock::Rrt {
            ntp_sec: 11,
            ntp_frac: 12
        }]
    ));
    let RtcpPacket::Xr(x) = &pkts[4] else {
        panic!()
    };
    let XrBlock::Dlrr(d) = x.blocks().next().unwrap() else {
        panic!()
    };
    assert_eq!(d.collect::<Vec<_>>(), items.to_vec());
    for bitrate in [
        0u64,
        1,
        0x3FFFF,
        0x40000,
        300_000,
        2_000_000,
        u32::MAX as u64,
    ] {
        let n = write_remb(&mut buf, 1, bitrate, &[]).unwrap();
        let RtcpPacket::Remb(r) = iter_compound(&buf[..n]).next().unwrap().unwrap() else {
            panic!()
        };
        assert!(r.bitrate() <= bitrate && bitrate - r.bitrate() <= bitrate >> 17);
    }
}

#[test]
fn transport_cc_builder_round_trip() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut buf = vec![0u8; 70_000 * 3];
    for round in 0..300 {
        let n = match round {
            0 => 0,
            1 => 1,
            2 => 8191 + 20,
            _ => rng.gen_range(1..400),
        };
        let mode = round % 4;
        let statuses: Vec<Option<i16>> = (0..n)
            .map(|_| match mode {
                0 => None,
                1 => Some(rng.gen_range(0..=255)),
                _ => match rng.gen_range(0..10) {
                    0..=2 => None,
                    3 => Some(rng.gen_range(i16::MIN..0)),
                    4 => Some(rng.gen_range(256..=i16::MAX)),
                    _ => Some(rng.gen_range(0..=255)),
                },
            })
            .collect();
        let base: u16 = rng.gen();
        let ref_time = rng.gen_range(-(1 << 23)..(1 << 23));
        let len =
            write_transport_cc(&mut buf, 1, 2, base, ref_time, round as u8, &statuses).unwrap();
        assert_eq!(len % 4, 0);
        let RtcpPacket::TransportCc(t) = iter_compound(&buf[..len]).next().unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(
            (t.sender_ssrc(), t.media_ssrc(), t.base_seq()),
            (1, 2, base)
        );
        assert_eq!(t.packet_status_count() as usize, n);
        assert_eq!(t.reference_time(), ref_time);
        assert_eq!(t.feedback_packet_count(), round as u8);
        let mut got = Vec::with_capacity(n);
        let mut seq = base;
        t.for_each(|s, d| {
            assert_eq!(s, seq);
            seq = seq.wrapping_add(1);
            got.push(d);
        })
        .unwrap();
        assert_eq!(got, statuses);
    }
    assert_eq!(
        write_transport_cc(&mut buf[..19], 1, 2, 0, 0, 0, &[]),
        Err(RtcpError::BufferTooSmall)
    );
}

#[test]
fn in_place_feedback_rewrites() {
    let mut buf = [0u8; 256];
    let mut off = write_receiver_report(&mut buf, 1, &[block(1)]).unwrap();
    off += write_pli(&mut buf[off..], 1, 0x1111).unwrap();
    off += write_fir(&mut buf[off..], 1, 0x2222, 3).unwrap();
    off += write_nack(&mut buf[off..], 1, 0x3333, &[7, 8]).unwrap();
    let mut kinds = Vec::new();
    for pkt in iter_compound_mut(&mut buf[..off]) {
        let pkt = pkt.unwrap();
        match pkt[1] {
            PT_RR => {
                assert_eq!(
                    set_feedback_media_ssrc(pkt, 9),
                    Err(RtcpError::InvalidArgument)
                );
                kinds.push("rr");
            }
            PT_PSFB if pkt[0] & 0x1F == PSFB_FIR => {
                set_feedback_media_ssrc(pkt, 0xAAAA).unwrap();
                set_fir_ssrc(pkt, 0xAAAA).unwrap();
                kinds.push("fir");
            }
            _ => {
                set_feedback_media_ssrc(pkt, 0xBBBB).unwrap();
                set_feedback_sender_ssrc(pkt, 0xCCCC).unwrap();
                assert_eq!(set_fir_ssrc(pkt, 1), Err(RtcpError::InvalidArgument));
                kinds.push("fb");
            }
        }
    }
    assert_eq!(kinds, ["rr", "fb", "fir", "fb"]);
    let pkts: Vec<RtcpPacket> = iter_compound(&buf[..off]).map(|r| r.unwrap()).collect();
    let RtcpPacket::Pli(p) = &pkts[1] else {
        panic!()
    };
    assert_eq!((p.sender_ssrc(), p.media_ssrc()), (0xCCCC, 0xBBBB));
    let RtcpPacket::Fir(f) = &pkts[2] else {
        panic!()
    };
    assert_eq!(f.media_ssrc(), 0xAAAA);
    assert_eq!(f.entries().collect::<Vec<_>>(), vec![(0xAAAA, 3)]);
    let RtcpPacket::Nack(n) = &pkts[3] else {
        panic!()
    };
    assert_eq!(n.media_ssrc(), 0xBBBB);
    assert_eq!(n.lost_seqs().collect::<Vec<_>>(), vec![7, 8]);
    // Mutable iterator errors.
    let mut e: [u8; 0] = [];
    assert_eq!(
        iter_compound_mut(&mut e).next().unwrap().unwrap_err(),
        RtcpError::TooShort
    );
    let mut bad = [0x80, 0xc9, 0x00, 0x05, 0, 0, 0, 0];
    let mut it = iter_compound_mut(&mut bad);
    assert_eq!(it.next().unwrap().unwrap_err(), RtcpError::BadLength);
    assert!(it.next().is_none());
}

#[test]
fn compound_stops_after_error_keeping_earlier_packets() {
    let mut buf = [0u8; 128];
    let mut off = write_pli(&mut buf, 1, 2).unwrap();
    buf[off..off + 4].copy_from_slice(&[0x80, 0xc9, 0x00, 0x09]); // RR past the end
    off += 8;
    let mut it = iter_compound(&buf[..off]);
    assert!(matches!(it.next(), Some(Ok(RtcpPacket::Pli(_)))));
    assert_eq!(it.next().unwrap().unwrap_err(), RtcpError::BadLength);
    assert!(it.next().is_none());
}

#[test]
fn builders_reject_small_buffers() {
    let mut small = [0u8; 8];
    assert_eq!(write_pli(&mut small, 1, 2), Err(RtcpError::BufferTooSmall));
    assert_eq!(
        write_fir(&mut small, 1, 2, 3),
        Err(RtcpError::BufferTooSmall)
    );
    assert_eq!(
        write_remb(&mut small, 1, 2, &[]),
        Err(RtcpError::BufferTooSmall)
    );
    assert_eq!(
        write_xr_rrt(&mut small, 1, 2, 3),
        Err(RtcpError::BufferTooSmall)
    );
    assert_eq!(
        write_xr_dlrr(&mut small, 1, &[DlrrItem::default()]),
        Err(RtcpError::BufferTooSmall)
    );
    assert_eq!(
        write_bye(&mut small, &[1, 2], None),
        Err(RtcpError::BufferTooSmall)
    );
    assert_eq!(
        write_sender_report(&mut small, 1, 2, 3, 4, 5, 6, &[]),
        Err(RtcpError::BufferTooSmall)
    );
    assert_eq!(
        write_receiver_report(&mut small[..7], 1, &[]),
        Err(RtcpError::BufferTooSmall)
    );
    assert_eq!(
        write_nack_items(&mut small, 1, 2, &[(1, 0)]),
        Err(RtcpError::BufferTooSmall)
    );
}
