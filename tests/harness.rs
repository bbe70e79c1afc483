//! Deterministic end-to-end tests of the SFU core with virtual time and a
//! seeded lossy network (see `common/mod.rs`). Each runs in milliseconds.

mod common;

use common::{rtp_fields, vp8_frame_packet, vp8_packet, vp8_room, vp8_room_with, Link, Sfu};
use ferrosoup::rtcp::{
    iter_compound, write_nack_items, write_pli, write_xr_dlrr, DlrrItem, RtcpPacket, XrBlock,
};
use serde_json::json;
use std::collections::BTreeSet;

/// 30 frames/s of 3 packets each, for `frames` frames, starting at `t0`.
fn send_schedule(frames: u16, t0: u64) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    for f in 0..frames {
        let at = t0 + u64::from(f) * 33;
        for i in 0..3u16 {
            let seq = 1000 + f * 3 + i;
            out.push((at, vp8_packet(1111, seq, u32::from(f) * 3000, i == 2)));
        }
    }
    out
}

#[test]
fn nack_and_rtx_repair_every_packet_under_loss_and_reordering() {
    let mut sfu = Sfu::new();
    let consumer = vp8_room(&mut sfu);
    let media_ssrc = consumer["encodings"][0]["ssrc"].as_u64().unwrap() as u32;
    let rtx_ssrc = consumer["encodings"][0]["rtx"]["ssrc"].as_u64().unwrap() as u32;
    let rtx_pt = consumer["codecs"][1]["payloadType"].as_u64().unwrap() as u8;
    sfu.take_messages();

    // SFU -> receiver: 5 % loss, 10 % reordered, 20-30 ms one way. Receiver
    // -> SFU (NACKs): lossless, 20 ms.
    let mut downlink = Link::new(7, 0.05, 0.10, 20, 10);
    let mut uplink = Link::new(8, 0.0, 0.0, 20, 0);
    let schedule = send_schedule(150, sfu.now_ms);
    let end = schedule.last().unwrap().0 + 2_000;
    let mut next = schedule.into_iter().peekable();
    let mut originals: BTreeSet<u16> = BTreeSet::new();
    let mut received: BTreeSet<u16> = BTreeSet::new();
    let mut repaired_by_rtx = 0;
    let mut t = sfu.now_ms;
    while t <= end {
        while next.peek().is_some_and(|(at, _)| *at <= t) {
            let (_, packet) = next.next().unwrap();
            sfu.send_rtp("p", packet);
        }
        sfu.advance_to(t);
        for m in sfu.take_messages() {
            if m.event == "consumer.rtp" && m.target == "c" {
                let packet = m.bytes.unwrap();
                let (pt, seq, ssrc, _) = rtp_fields(&packet);
                if ssrc == media_ssrc {
                    originals.insert(seq);
                } else {
                    assert_eq!((ssrc, pt), (rtx_ssrc, rtx_pt));
                }
                downlink.send(t, packet);
            }
        }
        for packet in downlink.receive(t) {
            let (_, seq, ssrc, payload) = rtp_fields(&packet);
            if ssrc == rtx_ssrc {
                let osn = u16::from_be_bytes([payload[0], payload[1]]);
                if received.insert(osn) {
                    repaired_by_rtx += 1;
                }
            } else {
                received.insert(seq);
            }
        }
        // Every 40 ms the receiver asks for what it misses below the
        // highest sequence number it has seen.
        if t.is_multiple_of(40) {
            if let (Some(&low), Some(&high)) = (received.first(), received.last()) {
                let missing: Vec<(u16, u16)> = (low..high)
                    .filter(|s| !received.contains(s))
                    .map(|s| (s, 0))
                    .take(60)
                    .collect();
                if !missing.is_empty() {
                    let mut buf = [0u8; 1200];
                    let n = write_nack_items(&mut buf, 0x5eed, media_ssrc, &missing).unwrap();
                    uplink.send(t, buf[..n].to_vec());
                }
            }
        }
        for packet in uplink.receive(t) {
            sfu.send_rtcp("recv", packet);
        }
        t += 5;
    }
    assert_eq!(originals.len(), 450, "the SFU forwarded every packet once");
    assert!(
        downlink.dropped >= 15,
        "the link lost {} packets",
        downlink.dropped
    );
    assert!(repaired_by_rtx >= downlink.dropped / 2);
    // A receiver cannot ask for what came before the first packet it saw.
    let first = *received.first().unwrap();
    assert!(first <= originals.first().unwrap() + 2);
    let missing: Vec<u16> = originals
        .range(first..)
        .filter(|s| !received.contains(s))
        .copied()
        .collect();
    assert!(missing.is_empty(), "never repaired: {missing:?}");
}

#[test]
fn set_max_incoming_bitrate_sends_remb_to_the_sender() {
    let mut sfu = Sfu::new();
    vp8_room(&mut sfu);
    sfu.request(
        "transport.setMaxIncomingBitrate",
        "send",
        json!({"bitrate": 300_000}),
    );
    sfu.take_messages();
    let t0 = sfu.now_ms;
    let mut rembs = Vec::new();
    for (at, packet) in send_schedule(90, t0) {
        sfu.advance_to(at);
        sfu.send_rtp("p", packet);
        for m in sfu.take_messages() {
            if m.target == "send" && m.event == "directtransport.rtcp" {
                let bytes = m.bytes.unwrap();
                for p in iter_compound(&bytes).flatten() {
                    if let RtcpPacket::Remb(remb) = p {
                        rembs.push((sfu.now_ms, remb.bitrate(), remb.ssrcs().collect::<Vec<_>>()));
                    }
                }
            }
        }
    }
    assert!(!rembs.is_empty(), "no REMB in 3 s");
    for (at, bitrate, ssrcs) in &rembs {
        assert!(*at <= t0 + 3_000);
        // The mantissa/exponent encoding may round down a little.
        assert!((299_000..=300_000).contains(bitrate), "bitrate {bitrate}");
        assert_eq!(ssrcs, &vec![1111]);
    }
    // About one per RTCP interval (1 s), not per packet.
    assert!(rembs.len() <= 4, "{} REMBs", rembs.len());
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let run = |seed| {
        let mut link = Link::new(seed, 0.2, 0.2, 10, 10);
        for i in 0..200u64 {
            link.send(i, vec![i as u8]);
        }
        link.receive(10_000)
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

/// PLIs the SFU sent to the producer's side in the messages of one turn.
fn upstream_plis(sfu: &mut Sfu) -> usize {
    let mut count = 0;
    for m in sfu.take_messages() {
        if m.target == "send" && m.event == "directtransport.rtcp" {
            let bytes = m.bytes.unwrap();
            count += iter_compound(&bytes)
                .flatten()
                .filter(|p| matches!(p, RtcpPacket::Pli(_)))
                .count();
        }
    }
    count
}

#[test]
fn key_frame_requests_are_coalesced_until_a_key_frame_arrives() {
    let mut sfu = Sfu::new();
    let consumer = vp8_room(&mut sfu);
    let media_ssrc = consumer["encodings"][0]["ssrc"].as_u64().unwrap() as u32;
    // A key frame starts the consumer, then inter frames only.
    let mut seq = 100u16;
    let mut ts = 0u32;
    let mut send_frame = |sfu: &mut Sfu, key: bool| {
        for i in 0..2 {
            sfu.send_rtp("p", vp8_frame_packet(1111, seq, ts, i == 1, key));
            seq += 1;
        }
        ts += 3000;
    };
    send_frame(&mut sfu, true);
    sfu.advance_to(sfu.now_ms + 1_200);
    upstream_plis(&mut sfu);
    let mut pli = [0u8; 12];
    write_pli(&mut pli, 0x5eed, media_ssrc).unwrap();

    // Ten PLIs from the receiver within 100 ms: one goes upstream.
    let mut upstream = 0;
    for _ in 0..10 {
        sfu.send_rtcp("recv", pli.to_vec());
        send_frame(&mut sfu, false);
        sfu.advance_to(sfu.now_ms + 10);
        upstream += upstream_plis(&mut sfu);
    }
    assert_eq!(upstream, 1, "PLIs while one is pending are coalesced");

    // The key frame arrives: the next request goes upstream again.
    send_frame(&mut sfu, true);
    sfu.advance_to(sfu.now_ms + 10);
    upstream_plis(&mut sfu);
    sfu.send_rtcp("recv", pli.to_vec());
    sfu.advance_to(sfu.now_ms + 10);
    assert_eq!(upstream_plis(&mut sfu), 1);
}

#[test]
fn simulcast_switches_layers_on_key_frames_with_continuous_sequence_numbers() {
    let mut sfu = Sfu::new();
    // The fixture's simulcast producer sends on SSRCs 3000-3002.
    let ssrcs = [3000u32, 3001, 3002];
    let consumer = vp8_room_with(&mut sfu, "simulcast", "simulcast");
    let out_ssrc = consumer["encodings"][0]["ssrc"].as_u64().unwrap() as u32;
    sfu.take_messages();

    // 30 frames/s on each of the three streams, 2 packets per frame, key
    // frames on every stream every 30 frames. The layer is written into the
    // payload to see which stream a forwarded packet came from.
    let mut forwarded: Vec<(u64, u16, u32, u8, bool)> = Vec::new();
    let mut switched_at = None;
    let t0 = sfu.now_ms;
    for frame in 0..150u16 {
        let at = t0 + u64::from(frame) * 33;
        sfu.advance_to(at);
        if frame == 75 {
            let r = sfu.request(
                "consumer.setPreferredLayers",
                "c",
                json!({"spatialLayer": 0}),
            );
            assert_eq!(r["preferredLayers"]["spatialLayer"], 0);
            switched_at = Some(sfu.now_ms);
        }
        let key = frame % 30 == 0;
        for (layer, ssrc) in ssrcs.iter().enumerate() {
            for i in 0..2u16 {
                let seq = 100 + frame * 2 + i;
                let mut p = vp8_frame_packet(
                    *ssrc,
                    seq,
                    u32::from(frame) * 3000 + 7 * layer as u32,
                    i == 1,
                    key,
                );
                p[12 + 6] = layer as u8;
                sfu.send_rtp("p", p);
            }
        }
        for m in sfu.take_messages() {
            if m.event == "consumer.rtp" && m.target == "c" {
                let bytes = m.bytes.unwrap();
                let (_, seq, ssrc, payload) = rtp_fields(&bytes);
                let ts = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
                let key = payload[1] & 1 == 0;
                assert_eq!(ssrc, out_ssrc, "one output SSRC whatever the layer");
                forwarded.push((sfu.now_ms, seq, ts, payload[6], key));
            }
        }
    }
    let switched_at = switched_at.unwrap();
    let layers: Vec<u8> = forwarded.iter().map(|f| f.3).collect();
    // Starts on the best layer, ends on the preferred one.
    assert_eq!(layers.first(), Some(&2));
    assert_eq!(layers.last(), Some(&0));
    // Exactly one switch, at a key frame of the new layer, after the
    // request and not before the next key frame (frame 90).
    let changes: Vec<usize> = (1..layers.len())
        .filter(|i| layers[*i] != layers[i - 1])
        .collect();
    assert_eq!(changes.len(), 1, "layers: {layers:?}");
    let first_new = &forwarded[changes[0]];
    assert!(first_new.4, "the switch happens on a key frame");
    assert!(first_new.0 >= switched_at);
    assert!(first_new.0 >= t0 + 90 * 33);
    // The receiver sees one stream: no gap and no repeat in sequence
    // numbers, timestamps never going back.
    for w in forwarded.windows(2) {
        assert_eq!(w[1].1, w[0].1.wrapping_add(1), "sequence continuity");
        assert!(
            w[1].2.wrapping_sub(w[0].2) < 1 << 31,
            "timestamps go forward"
        );
    }
}

#[test]
fn a_key_frame_request_upstream_is_a_producer_pli_trace_going_out() {
    let mut sfu = Sfu::new();
    let consumer = vp8_room(&mut sfu);
    let media_ssrc = consumer["encodings"][0]["ssrc"].as_u64().unwrap() as u32;
    sfu.request(
        "producer.enableTraceEvent",
        "p",
        json!({"types": ["pli", "fir"]}),
    );
    sfu.send_rtp("p", vp8_frame_packet(1111, 100, 0, true, true));
    sfu.advance_to(sfu.now_ms + 1_200);
    sfu.take_messages();
    let mut pli = [0u8; 12];
    write_pli(&mut pli, 0x5eed, media_ssrc).unwrap();
    sfu.send_rtcp("recv", pli.to_vec());
    sfu.advance_to(sfu.now_ms + 10);
    let traces: Vec<_> = sfu
        .take_messages()
        .into_iter()
        .filter(|m| m.target == "p" && m.event == "producer.trace")
        .map(|m| m.data)
        .collect();
    // As mediasoup: what the SFU sends the producer's endpoint is `out`,
    // with the SSRC asked for.
    assert_eq!(traces.len(), 1, "{traces:?}");
    assert_eq!(traces[0]["type"], "pli");
    assert_eq!(traces[0]["direction"], "out");
    assert_eq!(traces[0]["info"], json!({"ssrc": 1111}));
}

#[test]
fn the_transport_counts_retransmissions_its_producer_does_not_forward() {
    // mediasoup counts every RTX packet that reaches a producer's stream
    // in the transport's rtxBytesReceived, repairing a loss or not (what
    // browsers send as bandwidth probes are mostly such duplicates).
    let mut sfu = Sfu::new();
    vp8_room(&mut sfu);
    for seq in 1000..1010u16 {
        sfu.send_rtp("p", vp8_packet(1111, seq, u32::from(seq) * 3000, true));
        sfu.advance_to(sfu.now_ms + 10);
    }
    // A retransmission of 1005 (already received): ssrc 2222, PT 97, the
    // original sequence number leading the payload.
    let original = vp8_packet(1111, 1005, 1005 * 3000, true);
    let mut rtx = original[..12].to_vec();
    rtx[1] = 0x80 | 97;
    rtx[2..4].copy_from_slice(&7u16.to_be_bytes());
    rtx[8..12].copy_from_slice(&2222u32.to_be_bytes());
    rtx.extend_from_slice(&1005u16.to_be_bytes());
    rtx.extend_from_slice(&original[12..]);
    sfu.send_rtp("p", rtx.clone());
    sfu.advance_to(sfu.now_ms + 10);
    let stats = sfu.request("transport.getStats", "send", json!({}));
    assert_eq!(stats["rtxBytesReceived"], json!(rtx.len()), "{stats}");
    assert_eq!(
        stats["rtpBytesReceived"],
        json!(10 * original.len()),
        "{stats}"
    );
}

#[test]
fn a_senders_dlrr_answer_gives_the_producer_its_round_trip_time() {
    // With its receiver reports the SFU sends an XR receiver reference
    // time (as mediasoup); the sender's XR DLRR answer, 40 ms later with
    // 10 ms of that spent at the sender, is a 30 ms round trip.
    let mut sfu = Sfu::new();
    vp8_room(&mut sfu);
    let mut rrt = None;
    let mut step = 0u32;
    while rrt.is_none() && step < 10_000 {
        // A packet each 20 ms; time in 1 ms steps, to know when the XR went.
        if step.is_multiple_of(20) {
            let seq = 1000 + (step / 20) as u16;
            sfu.send_rtp("p", vp8_packet(1111, seq, step * 90, true));
        }
        step += 1;
        sfu.advance_to(sfu.now_ms + 1);
        for m in sfu.take_messages() {
            if m.target != "send" || m.event != "directtransport.rtcp" {
                continue;
            }
            let bytes = m.bytes.unwrap();
            for packet in iter_compound(&bytes).flatten() {
                if let RtcpPacket::Xr(xr) = packet {
                    for block in xr.blocks() {
                        if let XrBlock::Rrt { ntp_sec, ntp_frac } = block {
                            rrt = Some((ntp_sec, ntp_frac, sfu.now_ms));
                        }
                    }
                }
            }
        }
    }
    let (ntp_sec, ntp_frac, sent_at) = rrt.expect("an XR receiver reference time");
    sfu.advance_to(sent_at + 40);
    let lrr = (ntp_sec << 16) | (ntp_frac >> 16);
    let mut buf = vec![0u8; 64];
    let item = DlrrItem {
        ssrc: 1111,
        lrr,
        dlrr: 65536 / 100,
    };
    let n = write_xr_dlrr(&mut buf, 1111, &[item]).unwrap();
    buf.truncate(n);
    sfu.send_rtcp("send", buf);
    let stats = sfu.request("producer.getStats", "p", json!({}));
    let rtt = stats[0]["roundTripTime"].as_f64().unwrap();
    assert!((29.0..=31.5).contains(&rtt), "{stats}");
}
