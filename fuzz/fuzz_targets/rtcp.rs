//! Compound RTCP parsing (`ferrosoup::rtcp`): every packet type and
//! feedback message, the in-place feedback rewrites, and round trips
//! through the builders.
//!
//! Invariants: packets tile the datagram; the mutable splitter agrees with
//! the parser; what a typed view reports, written back with the matching
//! builder and parsed again, reads the same (SR/RR blocks, NACK items and
//! lost set, PLI, FIR entries, REMB bitrate and SSRCs, transport-cc
//! statuses and deltas, XR RRT/DLRR, BYE SSRCs, SDES CNAME).

#![no_main]

use ferrosoup::rtcp::*;
use libfuzzer_sys::fuzz_target;

fn one(buf: &[u8]) -> RtcpPacket<'_> {
    match iter_compound(buf).next() {
        Some(Ok(p)) => p,
        other => panic!("builder output does not parse: {other:?}"),
    }
}

/// Writes `p` back with its builder and checks the result reads the same.
fn round_trip(p: &RtcpPacket<'_>) {
    let mut buf = vec![0u8; 4 * 65536 + 64];
    match p {
        RtcpPacket::SenderReport(sr) => {
            let blocks: Vec<ReportBlock> = sr.reports().collect();
            let n = write_sender_report(
                &mut buf,
                sr.ssrc(),
                sr.ntp_sec(),
                sr.ntp_frac(),
                sr.rtp_ts(),
                sr.packet_count(),
                sr.octet_count(),
                &blocks,
            )
            .expect("SR fits");
            let RtcpPacket::SenderReport(again) = one(&buf[..n]) else {
                panic!("SR became something else");
            };
            assert_eq!(again.ssrc(), sr.ssrc());
            assert_eq!(
                (again.ntp_sec(), again.ntp_frac(), again.rtp_ts()),
                (sr.ntp_sec(), sr.ntp_frac(), sr.rtp_ts())
            );
            assert_eq!(
                (again.packet_count(), again.octet_count()),
                (sr.packet_count(), sr.octet_count())
            );
            assert_eq!(again.reports().collect::<Vec<_>>(), blocks);
        }
        RtcpPacket::ReceiverReport(rr) => {
            let blocks: Vec<ReportBlock> = rr.reports().collect();
            let n = write_receiver_report(&mut buf, rr.ssrc(), &blocks).expect("RR fits");
            let RtcpPacket::ReceiverReport(again) = one(&buf[..n]) else {
                panic!("RR became something else");
            };
            assert_eq!(again.ssrc(), rr.ssrc());
            assert_eq!(again.reports().collect::<Vec<_>>(), blocks);
        }
        RtcpPacket::Nack(nack) => {
            let items: Vec<(u16, u16)> = nack.items().collect();
            let n = write_nack_items(&mut buf, nack.sender_ssrc(), nack.media_ssrc(), &items)
                .expect("NACK fits");
            let RtcpPacket::Nack(again) = one(&buf[..n]) else {
                panic!("NACK became something else");
            };
            assert_eq!(again.items().collect::<Vec<_>>(), items);
            assert_eq!(
                (again.sender_ssrc(), again.media_ssrc()),
                (nack.sender_ssrc(), nack.media_ssrc())
            );
            // Repacking the lost list keeps the set of lost packets.
            let lost: Vec<u16> = nack.lost_seqs().collect();
            assert!(lost.len() <= 17 * items.len());
            if !lost.is_empty() {
                let n = write_nack(&mut buf, 1, 2, &lost).expect("NACK fits");
                let RtcpPacket::Nack(again) = one(&buf[..n]) else {
                    panic!("NACK became something else");
                };
                let mut a: Vec<u16> = again.lost_seqs().collect();
                let mut b = lost.clone();
                a.sort_unstable();
                a.dedup();
                b.sort_unstable();
                b.dedup();
                assert_eq!(a, b);
            }
        }
        RtcpPacket::Pli(pli) => {
            let n = write_pli(&mut buf, pli.sender_ssrc(), pli.media_ssrc()).unwrap();
            let RtcpPacket::Pli(again) = one(&buf[..n]) else {
                panic!("PLI became something else");
            };
            assert_eq!(again.media_ssrc(), pli.media_ssrc());
        }
        RtcpPacket::Fir(fir) => {
            let entries: Vec<(u32, u8)> = fir.entries().collect();
            let n = write_fir_entries(&mut buf, fir.sender_ssrc(), fir.media_ssrc(), &entries)
                .expect("FIR fits");
            let RtcpPacket::Fir(again) = one(&buf[..n]) else {
                panic!("FIR became something else");
            };
            assert_eq!(again.entries().collect::<Vec<_>>(), entries);
        }
        RtcpPacket::Remb(remb) => {
            let ssrcs: Vec<u32> = remb.ssrcs().collect();
            let n = write_remb(&mut buf, remb.sender_ssrc(), remb.bitrate(), &ssrcs)
                .expect("REMB fits");
            let RtcpPacket::Remb(again) = one(&buf[..n]) else {
                panic!("REMB became something else");
            };
            // Any parsed bitrate is exactly representable again.
            assert_eq!(again.bitrate(), remb.bitrate());
            assert_eq!(again.ssrcs().collect::<Vec<_>>(), ssrcs);
        }
        RtcpPacket::TransportCc(tcc) => {
            let mut statuses = Vec::new();
            let mut seqs = Vec::new();
            tcc.for_each(|seq, d| {
                seqs.push(seq);
                statuses.push(d);
            })
            .expect("a parsed transport-cc packet visits without error");
            assert_eq!(statuses.len(), tcc.packet_status_count() as usize);
            for (i, s) in seqs.iter().enumerate() {
                assert_eq!(*s, tcc.base_seq().wrapping_add(i as u16));
            }
            let n = write_transport_cc(
                &mut buf,
                tcc.sender_ssrc(),
                tcc.media_ssrc(),
                tcc.base_seq(),
                tcc.reference_time(),
                tcc.feedback_packet_count(),
                &statuses,
            )
            .expect("TCC fits");
            let RtcpPacket::TransportCc(again) = one(&buf[..n]) else {
                panic!("TCC became something else");
            };
            let mut statuses2 = Vec::new();
            again.for_each(|_, d| statuses2.push(d)).unwrap();
            assert_eq!(statuses2, statuses);
            assert_eq!(again.reference_time(), tcc.reference_time());
            assert_eq!(again.base_seq(), tcc.base_seq());
            assert_eq!(again.feedback_packet_count(), tcc.feedback_packet_count());
            assert_eq!(again.packet_fraction_lost(), tcc.packet_fraction_lost());
            let _ = tcc.base_delta_ms(0);
            let _ = tcc.base_delta_ms(i64::from(tcc.reference_time()) * 64 + 1);
            let _ = tcc.reference_time_ms();
        }
        RtcpPacket::Xr(xr) => {
            for b in xr.blocks() {
                match b {
                    XrBlock::Rrt { ntp_sec, ntp_frac } => {
                        let n = write_xr_rrt(&mut buf, xr.ssrc(), ntp_sec, ntp_frac).unwrap();
                        let RtcpPacket::Xr(again) = one(&buf[..n]) else {
                            panic!("XR became something else");
                        };
                        match again.blocks().next() {
                            Some(XrBlock::Rrt {
                                ntp_sec: s,
                                ntp_frac: f,
                            }) => assert_eq!((s, f), (ntp_sec, ntp_frac)),
                            other => panic!("RRT round trip: {other:?}"),
                        }
                    }
                    XrBlock::Dlrr(items) => {
                        let items: Vec<DlrrItem> = items.collect();
                        let n = write_xr_dlrr(&mut buf, xr.ssrc(), &items).unwrap();
                        let RtcpPacket::Xr(again) = one(&buf[..n]) else {
                            panic!("XR became something else");
                        };
                        match again.blocks().next() {
                            Some(XrBlock::Dlrr(d)) => assert_eq!(d.collect::<Vec<_>>(), items),
                            other => panic!("DLRR round trip: {other:?}"),
                        }
                    }
                    XrBlock::Other { data, .. } => {
                        let _ = data.len();
                    }
                }
            }
        }
        RtcpPacket::Bye(bye) => {
            let ssrcs: Vec<u32> = bye.ssrcs().collect();
            assert!(ssrcs.len() <= bye.count() as usize);
            let reason = bye.reason().and_then(|r| std::str::from_utf8(r).ok());
            if ssrcs.len() < 32 {
                if let Ok(n) = write_bye(&mut buf, &ssrcs, reason) {
                    let RtcpPacket::Bye(again) = one(&buf[..n]) else {
                        panic!("BYE became something else");
                    };
                    assert_eq!(again.ssrcs().collect::<Vec<_>>(), ssrcs);
                }
            }
        }
        RtcpPacket::Sdes(sdes) => {
            let mut items = 0usize;
            for chunk in sdes.chunks() {
                for item in chunk.items() {
                    items += 1;
                    let _ = item;
                }
            }
            let _ = items;
            if let Some((ssrc, cname)) = sdes.cname() {
                if let Ok(cname) = std::str::from_utf8(cname) {
                    if let Ok(n) = write_sdes_cname(&mut buf, ssrc, cname) {
                        let RtcpPacket::Sdes(again) = one(&buf[..n]) else {
                            panic!("SDES became something else");
                        };
                        assert_eq!(again.cname(), Some((ssrc, cname.as_bytes())));
                    }
                }
            }
        }
        RtcpPacket::App(app) => {
            let _ = (
                app.subtype(),
                app.ssrc(),
                app.name().len(),
                app.data().len(),
            );
        }
        RtcpPacket::Other(o) => {
            assert_eq!(o.data[1], o.pt);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = is_rtcp(data);
    let mut offset = 0usize;
    let mut slices = Vec::new();
    for p in iter_compound(data) {
        let Ok(p) = p else { break };
        let raw = p.raw();
        // Packets tile the datagram, each as long as its header says.
        assert_eq!(raw.as_ptr() as usize, data.as_ptr() as usize + offset);
        let h = Header::parse(raw).expect("yielded packets have a header");
        assert_eq!(h.packet_len(), raw.len());
        assert_eq!(p.packet_type(), h.pt);
        offset += raw.len();
        slices.push((offset - raw.len(), raw.len()));
        // Parsing it alone gives the same kind.
        let alone = parse_packet(raw).expect("a yielded packet parses alone");
        assert_eq!(std::mem::discriminant(&alone), std::mem::discriminant(&p));
        round_trip(&p);
    }
    assert!(offset <= data.len());

    // The mutable splitter frames at least the packets the parser accepted,
    // identically; rewrites then only touch the SSRC fields.
    let mut copy = data.to_vec();
    let mut offset = 0usize;
    for (i, pkt) in iter_compound_mut(&mut copy).enumerate() {
        let Ok(pkt) = pkt else {
            assert!(i >= slices.len(), "splitter failed on a parsed packet");
            break;
        };
        if let Some(&(start, len)) = slices.get(i) {
            assert_eq!((start, len), (offset, pkt.len()));
        }
        offset += pkt.len();
        let before = pkt.to_vec();
        let a = set_feedback_media_ssrc(pkt, 0x1111_1111);
        let b = set_feedback_sender_ssrc(pkt, 0x2222_2222);
        let c = set_fir_ssrc(pkt, 0x3333_3333);
        assert_eq!(a.is_ok(), b.is_ok());
        if a.is_err() && c.is_err() {
            assert_eq!(&before[..], &pkt[..]);
        }
        if a.is_ok() {
            assert_eq!(&pkt[..4], &before[..4]);
            if c.is_err() {
                assert_eq!(&pkt[12..], &before[12..]);
            }
        }
        if let Ok(p) = parse_packet(pkt) {
            round_trip(&p);
        }
    }
});
