//! Known byte vectors, mostly from mediasoup's worker/test/src/RTC/RTCP
//! tests (used as data), checked through the parser and the builders.

use super::*;

fn only(data: &[u8]) -> RtcpPacket<'_> {
    let mut it = iter_compound(data);
    let p = it.next().unwrap().unwrap();
    assert!(it.next().is_none());
    p
}

#[test]
fn common_header_cases() {
    // A bare SR header is accepted by mediasoup (no report); here an SR must
    // carry its sender info.
    let b = [0x80, 0xc8, 0x00, 0x00];
    assert!(is_rtcp(&b));
    assert_eq!(
        iter_compound(&b).next().unwrap().unwrap_err(),
        RtcpError::TooShort
    );
    assert_eq!(
        iter_compound(&b[..3]).next().unwrap().unwrap_err(),
        RtcpError::TooShort
    );
    let mut v = b;
    v[0] &= 0b0011_1111;
    assert!(!is_rtcp(&v));
    assert_eq!(
        iter_compound(&v).next().unwrap().unwrap_err(),
        RtcpError::BadVersion
    );
    let mut l = b;
    l[3] = 1;
    assert_eq!(
        iter_compound(&l).next().unwrap().unwrap_err(),
        RtcpError::BadLength
    );
    let mut t = b;
    t[1] = 0;
    assert!(!is_rtcp(&t));
    assert_eq!(
        iter_compound(&t).next().unwrap().unwrap_err(),
        RtcpError::NotRtcp
    );
    // Empty compound.
    let mut e = iter_compound(&[]);
    assert_eq!(e.next().unwrap().unwrap_err(), RtcpError::TooShort);
    assert!(e.next().is_none());
    // Unknown but in-range type: exposed as Other.
    let o = [0x80, 0xd0, 0x00, 0x00];
    match only(&o) {
        RtcpPacket::Other(p) => assert_eq!((p.pt, p.fmt, p.data.len()), (208, 0, 4)),
        p => panic!("{p:?}"),
    }
}

const SR: [u8; 28] = [
    0x80, 0xc8, 0x00, 0x06, 0x5d, 0x93, 0x15, 0x34, 0xdd, 0x3a, 0xc1, 0xb4, 0x76, 0x54, 0x71, 0x71,
    0x00, 0x08, 0xcf, 0x00, 0x00, 0x00, 0x0e, 0x18, 0x00, 0x08, 0xcf, 0x00,
];

#[test]
fn sender_report_vector() {
    let RtcpPacket::SenderReport(sr) = only(&SR) else {
        panic!()
    };
    assert_eq!(sr.ssrc(), 0x5d931534);
    assert_eq!(sr.ntp_sec(), 3711615412);
    assert_eq!(sr.ntp_frac(), 1985245553);
    assert_eq!(sr.rtp_ts(), 577280);
    assert_eq!(sr.packet_count(), 3608);
    assert_eq!(sr.octet_count(), 577280);
    assert_eq!(sr.reports().count(), 0);
    let mut out = [0u8; 64];
    let n = write_sender_report(
        &mut out,
        0x5d931534,
        3711615412,
        1985245553,
        577280,
        3608,
        577280,
        &[],
    )
    .unwrap();
    assert_eq!(&out[..n], &SR[..]);
}

const RR: [u8; 32] = [
    0x81, 0xc9, 0x00, 0x07, 0x5d, 0x93, 0x15, 0x34, 0x01, 0x93, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
];

#[test]
fn receiver_report_vector() {
    let RtcpPacket::ReceiverReport(rr) = only(&RR) else {
        panic!()
    };
    assert_eq!(rr.ssrc(), 0x5d931534);
    let blocks: Vec<ReportBlock> = rr.reports().collect();
    let expected = ReportBlock {
        ssrc: 0x01932db4,
        fraction_lost: 0,
        total_lost: 1,
        highest_seq: 0,
        jitter: 0,
        lsr: 0,
        dlsr: 5,
    };
    assert_eq!(blocks, vec![expected]);
    let mut out = [0u8; 64];
    let n = write_receiver_report(&mut out, 0x5d931534, &[expected]).unwrap();
    assert_eq!(&out[..n], &RR[..]);
}

#[test]
fn report_block_total_lost_sign() {
    let mut b = [0u8; 24];
    for v in [0, 1, -1, 0x7F_FFFF, -0x80_0000, 12345, -12345] {
        ReportBlock {
            total_lost: v,
            ..Default::default()
        }
        .write(&mut b)
        .unwrap();
        assert_eq!(ReportBlock::parse(&b).unwrap().total_lost, v);
    }
    ReportBlock {
        total_lost: i32::MAX,
        ..Default::default()
    }
    .write(&mut b)
    .unwrap();
    assert_eq!(ReportBlock::parse(&b).unwrap().total_lost, 0x7F_FFFF);
    ReportBlock {
        total_lost: i32::MIN,
        ..Default::default()
    }
    .write(&mut b)
    .unwrap();
    assert_eq!(ReportBlock::parse(&b).unwrap().total_lost, -0x80_0000);
    assert_eq!(&b[5..8], &[0x80, 0, 0]);
}

const SDES1: [u8; 28] = [
    0x81, 0xca, 0x00, 0x06, 0x9f, 0x65, 0xe7, 0x42, 0x01, 0x10, 0x74, 0x37, 0x6d, 0x6b, 0x59, 0x6e,
    0x43, 0x6d, 0x34, 0x36, 0x4f, 0x63, 0x49, 0x4e, 0x79, 0x2f, 0x00, 0x00,
];

#[test]
fn sdes_vectors() {
    let RtcpPacket::Sdes(s) = only(&SDES1) else {
        panic!()
    };
    assert_eq!(s.count(), 1);
    assert_eq!(s.cname(), Some((0x9f65e742, &b"t7mkYnCm46OcINy/"[..])));
    let mut out = [0u8; 64];
    let n = write_sdes_cname(&mut out, 0x9f65e742, "t7mkYnCm46OcINy/").unwrap();
    assert_eq!(&out[..n], &SDES1[..]);

    // Padding bit set, 2 chunks (padding count byte is 0: tolerated).
    let sdes2 = [
        0xa2, 0xca, 0x00, 0x0d, 0x00, 0x00, 0x04, 0xd2, 0x01, 0x06, 0x71, 0x77, 0x65, 0x72, 0x74,
        0x79, 0x06, 0x06, 0x69, 0xc3, 0xb1, 0x61, 0x6b, 0x69, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x16, 0x2e, 0x05, 0x11, 0x73, 0x6f, 0x6d, 0x65, 0x77, 0x68, 0x65, 0x72, 0x65, 0x20, 0xc5,
        0x93, 0xc3, 0xa6, 0xe2, 0x82, 0xac, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    let RtcpPacket::Sdes(s) = only(&sdes2) else {
        panic!()
    };
    let chunks: Vec<SdesChunk> = s.chunks().collect();
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[0].ssrc, 1234);
    let items: Vec<(u8, &[u8])> = chunks[0].items().collect();
    assert_eq!(items, vec![(1, &b"qwerty"[..]), (6, "iñaki".as_bytes())]);
    assert_eq!(chunks[1].ssrc, 5678);
    let items: Vec<(u8, &[u8])> = chunks[1].items().collect();
    assert_eq!(items, vec![(5, "somewhere œæ€".as_bytes())]);

    let sdes3 = [
        0x81, 0xca, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x05, 0x02, 0x61, 0x62, 0x00, 0x00, 0x00,
        0x00,
    ];
    let RtcpPacket::Sdes(s) = only(&sdes3) else {
        panic!()
    };
    let c = s.chunks().next().unwrap();
    assert_eq!(c.ssrc, 0x11223344);
    assert_eq!(c.items().collect::<Vec<_>>(), vec![(5, &b"ab"[..])]);
    assert_eq!(s.cname(), None);

    // Missing null octets.
    let bad = [
        0x81, 0xca, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x08, 0x02, 0x61, 0x62,
    ];
    assert_eq!(
        iter_compound(&bad).next().unwrap().unwrap_err(),
        RtcpError::Malformed
    );
    // Count larger than the chunks present.
    let mut bad2 = sdes3;
    bad2[0] = 0x82;
    assert_eq!(
        iter_compound(&bad2).next().unwrap().unwrap_err(),
        RtcpError::Malformed
    );
}

const BYE: [u8; 28] = [
    0x82, 0xcb, 0x00, 0x06, 0x62, 0x42, 0x76, 0xe0, 0x26, 0x24, 0x67, 0x0e, 0x0e, 0x48, 0x61, 0x73,
    0x74, 0x61, 0x20, 0x6c, 0x61, 0x20, 0x76, 0x69, 0x73, 0x74, 0x61, 0x00,
];

#[test]
fn bye_vector() {
    let RtcpPacket::Bye(b) = only(&BYE) else {
        panic!()
    };
    assert_eq!(b.ssrcs().collect::<Vec<_>>(), vec![0x624276e0, 0x2624670e]);
    assert_eq!(b.reason(), Some(&b"Hasta la vista"[..]));
    let mut out = [0u8; 64];
    let n = write_bye(&mut out, &[0x624276e0, 0x2624670e], Some("Hasta la vista")).unwrap();
    assert_eq!(&out[..n], &BYE[..]);
}

#[test]
fn xr_dlrr_vector_with_padding() {
    let xr = [
        0xa0, 0xcf, 0x00, 0x09, 0x5d, 0x93, 0x15, 0x34, 0x05, 0x00, 0x00, 0x06, 0x11, 0x12, 0x13,
        0x14, 0x00, 0x11, 0x00, 0x11, 0x11, 0x00, 0x11, 0x00, 0x21, 0x22, 0x23, 0x24, 0x00, 0x22,
        0x00, 0x22, 0x22, 0x00, 0x22, 0x00, 0x00, 0x00, 0x00, 0x04,
    ];
    let RtcpPacket::Xr(x) = only(&xr) else {
        panic!()
    };
    assert_eq!(x.ssrc(), 0x5d931534);
    let blocks: Vec<XrBlock> = x.blocks().collect();
    assert_eq!(blocks.len(), 1);
    let XrBlock::Dlrr(items) = blocks[0].clone() else {
        panic!()
    };
    let items: Vec<DlrrItem> = items.collect();
    let expected = vec![
        DlrrItem {
            ssrc: 0x11121314,
            lrr: 0x00110011,
            dlrr: 0x11001100,
        },
        DlrrItem {
            ssrc: 0x21222324,
            lrr: 0x00220022,
            dlrr: 0x22002200,
        },
    ];
    assert_eq!(items, expected);
    // Serialised without padding, as mediasoup does.
    let mut out = [0u8; 64];
    let n = write_xr_dlrr(&mut out, 0x5d931534, &expected).unwrap();
    let mut unpadded = xr[..36].to_vec();
    unpadded[0] = 0x80;
    unpadded[3] = 0x08;
    assert_eq!(&out[..n], &unpadded[..]);
}

const NACK: [u8; 16] = [
    0x81, 0xcd, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x03, 0x30, 0xbd, 0xee, 0x0b, 0x8f, 0x00, 0x03,
];

#[test]
fn nack_vector() {
    let RtcpPacket::Nack(n) = only(&NACK) else {
        panic!()
    };
    assert_eq!((n.sender_ssrc(), n.media_ssrc()), (1, 0x0330bdee));
    assert_eq!(n.items().collect::<Vec<_>>(), vec![(2959, 0x0003)]);
    assert_eq!(n.lost_seqs().collect::<Vec<_>>(), vec![2959, 2960, 2961]);
    let mut out = [0u8; 64];
    let len = write_nack(&mut out, 1, 0x0330bdee, &[2959, 2960, 2961]).unwrap();
    assert_eq!(&out[..len], &NACK[..]);
    let len = write_nack_items(&mut out, 1, 0x0330bdee, &[(2959, 3)]).unwrap();
    assert_eq!(&out[..len], &NACK[..]);
}

#[test]
fn pli_fir_remb_vectors() {
    let pli = [
        0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x30, 0xbd, 0xee,
    ];
    let RtcpPacket::Pli(p) = only(&pli) else {
        panic!()
    };
    assert_eq!((p.sender_ssrc(), p.media_ssrc()), (1, 0x0330bdee));
    let mut out = [0u8; 64];
    let n = write_pli(&mut out, 1, 0x0330bdee).unwrap();
    assert_eq!(&out[..n], &pli[..]);

    let fir = [
        0x84, 0xce, 0x00, 0x04, 0xfa, 0x17, 0xfa, 0x17, 0x00, 0x00, 0x00, 0x00, 0x02, 0xd0, 0x37,
        0x02, 0x04, 0x00, 0x00, 0x00,
    ];
    let RtcpPacket::Fir(f) = only(&fir) else {
        panic!()
    };
    assert_eq!((f.sender_ssrc(), f.media_ssrc()), (0xfa17fa17, 0));
    assert_eq!(f.entries().collect::<Vec<_>>(), vec![(0x02d03702, 4)]);
    let n = write_fir_entries(&mut out, 0xfa17fa17, 0, &[(0x02d03702, 4)]).unwrap();
    assert_eq!(&out[..n], &fir[..]);

    let remb = [
        0x8f, 0xce, 0x00, 0x06, 0xfa, 0x17, 0xfa, 0x17, 0x00, 0x00, 0x00, 0x00, 0x52, 0x45, 0x4d,
        0x42, 0x02, 0x01, 0xdf, 0x82, 0x02, 0xd0, 0x37, 0x02, 0x04, 0xa7, 0x67, 0x47,
    ];
    let RtcpPacket::Remb(r) = only(&remb) else {
        panic!()
    };
    assert_eq!((r.sender_ssrc(), r.media_ssrc()), (0xfa17fa17, 0));
    assert_eq!(r.bitrate(), 122754);
    assert_eq!(r.ssrcs().collect::<Vec<_>>(), vec![0x02d03702, 0x04a76747]);
    let n = write_remb(&mut out, 0xfa17fa17, 122754, &[0x02d03702, 0x04a76747]).unwrap();
    assert_eq!(&out[..n], &remb[..]);
    // Announced SSRCs beyond the packet.
    let mut bad = remb;
    bad[16] = 3;
    assert_eq!(
        iter_compound(&bad).next().unwrap().unwrap_err(),
        RtcpError::Malformed
    );
    // AFB without "REMB": Other.
    let mut afb = remb;
    afb[12] = b'X';
    assert!(matches!(
        only(&afb),
        RtcpPacket::Other(OtherPacket {
            pt: 206,
            fmt: 15,
            ..
        })
    ));
}

#[test]
fn transport_cc_one_bit_vector() {
    let data = [
        0x8F, 0xCD, 0x00, 0x07, 0xFA, 0x17, 0xFA, 0x17, 0x09, 0xFA, 0xFF, 0x67, 0x00, 0x27, 0x00,
        0x0D, 0x5F, 0xC2, 0xF1, 0x03, 0xBF, 0x8E, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1C,
        0x04, 0x00,
    ];
    let RtcpPacket::TransportCc(t) = only(&data) else {
        panic!()
    };
    assert_eq!(t.base_seq(), 39);
    assert_eq!(t.packet_status_count(), 13);
    assert_eq!(t.reference_time(), 6275825);
    assert_eq!(
        t.reference_time_ms(),
        TCC_TIME_WRAP_PERIOD_MS + 6275825 * 64
    );
    assert_eq!(t.feedback_packet_count(), 3);
    let mut seen = Vec::new();
    t.for_each(|s, d| seen.push((s, d))).unwrap();
    assert_eq!(seen.len(), 13);
    assert_eq!(seen[0], (39, Some(0x10)));
    assert_eq!(seen[7], (46, None));
    assert_eq!(seen.iter().filter(|(_, d)| d.is_some()).count(), 10);
    assert_eq!(seen[10], (49, Some(0x1C)));
    assert_eq!(seen[11], (50, Some(0x04)));
    assert_eq!(seen[12], (51, Some(0)));
    assert!(t.packet_fraction_lost() > 0);
}

#[test]
fn transport_cc_negative_reference_time() {
    let data = [
        0x8F, 0xCD, 0x00, 0x04, 0xFA, 0x17, 0xFA, 0x17, 0x09, 0xFA, 0xFF, 0x67, 0x00, 0x27, 0x00,
        0x00, 0xFF, 0xFF, 0xFE, 0x01,
    ];
    let RtcpPacket::TransportCc(t) = only(&data) else {
        panic!()
    };
    assert_eq!(
        (t.base_seq(), t.packet_status_count(), t.reference_time()),
        (39, 0, -2)
    );
    assert_eq!(t.reference_time_ms(), TCC_TIME_WRAP_PERIOD_MS - 128);
    assert_eq!(t.feedback_packet_count(), 1);
    assert_eq!(t.packet_fraction_lost(), 0);
}

#[test]
fn transport_cc_chrome_vectors() {
    // (baseTimeRaw, baseTimeMs, baseSequence, packetStatusCount, deltas/4, buffer)
    #[allow(clippy::type_complexity)]
    let metas: &[(i32, i64, u16, u16, &[i16], &[u8])] = &[
        (
            35504,
            1076014080,
            13,
            1,
            &[57],
            &[
                0xaf, 0xcd, 0x00, 0x05, 0xfa, 0x17, 0xfa, 0x17, 0x00, 0x00, 0x04, 0xd2, 0x00, 0x0d,
                0x00, 0x01, 0x00, 0x8A, 0xB0, 0x00, 0x20, 0x01, 0xE4, 0x01,
            ],
        ),
        (
            35504,
            1076014080,
            14,
            4,
            &[58, 2, 3, 55],
            &[
                0xaf, 0xcd, 0x00, 0x06, 0xFA, 0x17, 0xFA, 0x17, 0x1C, 0xB7, 0xDA, 0xF3, 0x00, 0x0E,
                0x00, 0x04, 0x00, 0x8A, 0xB0, 0x01, 0x20, 0x04, 0xE8, 0x08, 0x0C, 0xDC, 0x00, 0x02,
            ],
        ),
        (
            617873,
            1113285696,
            2924,
            22,
            &[
                3, 5, 5, 0, 10, 0, 0, 4, 0, 1, 0, 2, 0, 2, 0, 2, 0, 2, 0, 1, 0, 4,
            ],
            &[
                0x8F, 0xCD, 0x00, 0x0A, 0xFA, 0x17, 0xFA, 0x17, 0x06, 0xF5, 0x11, 0x4C, 0x0B, 0x6C,
                0x00, 0x16, 0x09, 0x6D, 0x91, 0xEE, 0x20, 0x16, 0x0C, 0x14, 0x14, 0x00, 0x28, 0x00,
                0x00, 0x10, 0x00, 0x04, 0x00, 0x08, 0x00, 0x08, 0x00, 0x08, 0x00, 0x08, 0x00, 0x04,
                0x00, 0x10,
            ],
        ),
        (
            -4368470,
            794159744,
            1,
            2,
            &[35, 17],
            &[
                0x8F, 0xCD, 0x00, 0x05, 0xFA, 0x17, 0xFA, 0x17, 0x39, 0xE9, 0x42, 0x38, 0x00, 0x01,
                0x00, 0x02, 0xBD, 0x57, 0xAA, 0x00, 0x20, 0x02, 0x8C, 0x44,
            ],
        ),
        (
            818996,
            1126157568,
            921,
            7,
            &[14, 5, 6, 6, 7, 14, 5],
            &[
                0xAF, 0xCD, 0x00, 0x07, 0xFA, 0x17, 0xFA, 0x17, 0x33, 0xB0, 0x4A, 0xE8, 0x03, 0x99,
                0x00, 0x07, 0x0C, 0x7F, 0x34, 0x9F, 0x20, 0x07, 0x38, 0x14, 0x18, 0x18, 0x1C, 0x38,
                0x14, 0x00, 0x00, 0x03,
            ],
        ),
        (
            818996,
            1126157568,
            935,
            7,
            &[57, 0, 6, 5, 5, 24, 0],
            &[
                0xAF, 0xCD, 0x00, 0x07, 0xFA, 0x17, 0xFA, 0x17, 0x26, 0x9E, 0x8E, 0x50, 0x03, 0xA7,
                0x00, 0x07, 0x0C, 0x7F, 0x34, 0xA0, 0x20, 0x07, 0xE4, 0x00, 0x18, 0x14, 0x14, 0x60,
                0x00, 0x00, 0x00, 0x03,
            ],
        ),
        (
            821526,
            1126319488,
            19,
            4,
            &[4, 0, 4, 0],
            &[
                0xAF, 0xCD, 0x00, 0x06, 0xFA, 0x17, 0xFA, 0x17, 0x08, 0xEB, 0x06, 0xD7, 0x00, 0x13,
                0x00, 0x04, 0x0C, 0x89, 0x16, 0x02, 0x20, 0x04, 0x10, 0x00, 0x10, 0x00, 0x00, 0x02,
            ],
        ),
    ];
    for &(raw_time, time_ms, base, count, deltas, buf) in metas {
        let RtcpPacket::TransportCc(t) = only(buf) else {
            panic!()
        };
        assert_eq!(t.reference_time(), raw_time);
        assert_eq!(t.reference_time_ms(), time_ms);
        assert_eq!(t.base_seq(), base);
        assert_eq!(t.packet_status_count(), count);
        let mut got = Vec::new();
        let mut seq = base;
        t.for_each(|s, d| {
            assert_eq!(s, seq);
            seq = seq.wrapping_add(1);
            got.push(d.unwrap_or(0) / 4);
        })
        .unwrap();
        assert_eq!(&got[..], deltas);
    }
}

#[test]
fn transport_cc_malformed() {
    // Status count larger than what the chunks describe.
    let mut d = [
        0x8F, 0xCD, 0x00, 0x05, 0xFA, 0x17, 0xFA, 0x17, 0x39, 0xE9, 0x42, 0x38, 0x00, 0x01, 0x00,
        0x02, 0xBD, 0x57, 0xAA, 0x00, 0x20, 0x02, 0x8C, 0x44,
    ];
    d[15] = 3;
    assert_eq!(
        iter_compound(&d).next().unwrap().unwrap_err(),
        RtcpError::Malformed
    );
    // Missing delta bytes: run of 2 large deltas needs 4 bytes, only 2 left.
    d[15] = 2;
    d[20] = 0x40;
    assert_eq!(
        iter_compound(&d).next().unwrap().unwrap_err(),
        RtcpError::Malformed
    );
    // Reserved run-length status 3.
    d[20] = 0x60;
    assert_eq!(
        iter_compound(&d).next().unwrap().unwrap_err(),
        RtcpError::Malformed
    );
    // Too short for the fixed part.
    let short = [0x8F, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0];
    assert_eq!(
        iter_compound(&short).next().unwrap().unwrap_err(),
        RtcpError::TooShort
    );
}

#[test]
fn transport_cc_base_delta_wraps() {
    let mut b = [0u8; 64];
    let max_ref = (1 << 24) - 1;
    let n1 = write_transport_cc(&mut b, 1, 2, 0, max_ref, 0, &[]).unwrap();
    let RtcpPacket::TransportCc(t1) = only(&b[..n1]) else {
        panic!()
    };
    // 0xFFFFFF as signed 24 bits is -1.
    assert_eq!(t1.reference_time(), -1);
    let prev = t1.reference_time_ms();
    let mut b2 = [0u8; 64];
    let n2 = write_transport_cc(&mut b2, 1, 2, 0, 0, 0, &[]).unwrap();
    let RtcpPacket::TransportCc(t2) = only(&b2[..n2]) else {
        panic!()
    };
    assert_eq!(t2.base_delta_ms(prev), 64);
    assert_eq!(t1.base_delta_ms(t2.reference_time_ms()), -64);
}
