//! Pipe consumers in the deterministic harness (see `common/mod.rs`): a
//! simulcast producer piped through a PipeTransport whose socket is a
//! virtual one, so every datagram it sends is seen here.

mod common;

use common::{ortc_requests, rtp_fields, vp8_frame_packet, Sfu};
use ferrosoup::net::SocketId;
use ferrosoup::rtcp::{
    iter_compound, write_nack_items, write_pli, write_receiver_report, ReportBlock, RtcpPacket,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// Where the pipe's other end is.
fn remote() -> SocketAddr {
    "127.0.0.2:40555".parse().unwrap()
}

/// Router "r": simulcast producer "p" (SSRCs 3000-3002) on DirectTransport
/// "send"; PipeTransport "pipe" (RTX on) connected to `remote()`; pipe
/// consumer "c" of "p" on it. Returns the pipe's socket and the consumer's
/// RTP parameters.
fn piped_simulcast(sfu: &mut Sfu) -> (SocketId, Value) {
    let negotiated = &ortc_requests()["vp8Room"]["simulcast"];
    sfu.request("worker.createRouter", "", json!({"routerId": "r"}));
    sfu.request(
        "router.createDirectTransport",
        "r",
        json!({"transportId": "send", "options": {"direct": true}}),
    );
    sfu.request(
        "transport.produce",
        "send",
        json!({"producerId": "p", "kind": "video", "rtpParameters": negotiated["rtpParameters"],
               "rtpMapping": negotiated["rtpMapping"], "paused": false}),
    );
    let pipe = sfu.request(
        "router.createPipeTransport",
        "r",
        json!({"transportId": "pipe", "options": {
            "listenInfo": {"protocol": "udp", "ip": "127.0.0.1"}, "enableRtx": true}}),
    );
    assert_eq!(pipe["rtx"], true);
    let (socket, _, local) = *sfu.net.bound.last().unwrap();
    assert_eq!(pipe["tuple"]["localPort"], json!(local.port()));
    let connected = sfu.request(
        "transport.connect",
        "pipe",
        json!({"ip": remote().ip().to_string(), "port": remote().port()}),
    );
    assert_eq!(connected["tuple"]["remotePort"], json!(remote().port()));
    // As PipeTransport.consume() sends it (RTX on).
    let params = negotiated["pipe"][1].clone();
    sfu.request(
        "transport.consume",
        "pipe",
        json!({"consumerId": "c", "producerId": "p", "kind": "video", "rtpParameters": params,
               "type": "pipe", "consumableRtpEncodings": negotiated["consumable"]["encodings"],
               "paused": false, "ignoreDtx": false}),
    );
    (socket, params)
}

/// Sends `frames` frames of 2 packets on each of the three streams, key
/// frames every 30 frames; the layer is written into the payload.
fn send_frames(sfu: &mut Sfu, first: u16, frames: u16) {
    for frame in first..first + frames {
        sfu.advance_to(sfu.now_ms + 33);
        for (layer, ssrc) in [3000u32, 3001, 3002].iter().enumerate() {
            for i in 0..2u16 {
                let seq = 500 + frame * 2 + i;
                let mut p =
                    vp8_frame_packet(*ssrc, seq, u32::from(frame) * 3000, i == 1, frame % 30 == 0);
                p[12 + 6] = layer as u8;
                sfu.send_rtp("p", p);
            }
        }
    }
}

/// RTP datagrams the pipe sent to the remote: (SSRC, seq, payload type,
/// payload).
fn sent_rtp(sfu: &mut Sfu, socket: SocketId) -> Vec<(u32, u16, u8, Vec<u8>)> {
    sfu.take_transmits()
        .into_iter()
        .filter(|(s, to, data)| {
            *s == socket && *to == Some(remote()) && !ferrosoup::rtcp::is_rtcp(data)
        })
        .map(|(_, _, data)| {
            let (pt, seq, ssrc, payload) = rtp_fields(&data);
            (ssrc, seq, pt, payload.to_vec())
        })
        .collect()
}

#[test]
fn a_pipe_consumer_forwards_every_simulcast_stream_with_its_own_ssrc() {
    let mut sfu = Sfu::new();
    let (socket, params) = piped_simulcast(&mut sfu);
    let ssrcs: Vec<u32> = (0..3)
        .map(|i| params["encodings"][i]["ssrc"].as_u64().unwrap() as u32)
        .collect();
    send_frames(&mut sfu, 0, 60);
    let mut by_ssrc: BTreeMap<u32, Vec<(u16, u8)>> = BTreeMap::new();
    for (ssrc, seq, _, payload) in sent_rtp(&mut sfu, socket) {
        by_ssrc.entry(ssrc).or_default().push((seq, payload[6]));
    }
    assert_eq!(by_ssrc.keys().copied().collect::<Vec<_>>(), {
        let mut s = ssrcs.clone();
        s.sort_unstable();
        s
    });
    for (layer, ssrc) in ssrcs.iter().enumerate() {
        let packets = &by_ssrc[ssrc];
        // Every packet of the stream, once, in order, on its own SSRC, with
        // the producer's sequence numbers.
        assert_eq!(packets.len(), 120, "stream {layer}");
        assert_eq!(packets[0].0, 500);
        assert!(packets.iter().all(|(_, l)| *l == layer as u8));
        for w in packets.windows(2) {
            assert_eq!(w[1].0, w[0].0.wrapping_add(1), "continuous seqs");
        }
    }
    // The dump lists one stream per encoding; stats report each.
    let dump = sfu.request("consumer.dump", "c", json!({}));
    assert_eq!(dump["type"], "pipe");
    assert_eq!(dump["rtpStreams"].as_array().unwrap().len(), 3);
    assert!(dump.get("rtpStream").is_none());
    let stats = sfu.request("consumer.getStats", "c", json!({}));
    let counts: Vec<u64> = (0..3)
        .map(|i| stats[i]["packetCount"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, vec![120, 120, 120]);
    let transport = sfu.request("transport.dump", "pipe", json!({}));
    assert_eq!(transport["mapSsrcConsumerId"].as_array().unwrap().len(), 3);
    assert_eq!(
        transport["mapRtxSsrcConsumerId"].as_array().unwrap().len(),
        3
    );

    // A lossy receiver report from the other end: the stream's stats take
    // it, but a pipe consumer's score stays 10/10 and is never reported (as
    // mediasoup's).
    sfu.take_messages();
    let block = ReportBlock {
        ssrc: ssrcs[1],
        fraction_lost: 128,
        total_lost: 60,
        highest_seq: u32::from(by_ssrc[&ssrcs[1]].last().unwrap().0),
        jitter: 0,
        lsr: 0,
        dlsr: 0,
    };
    let mut rr = [0u8; 64];
    let n = write_receiver_report(&mut rr, 0x1234, &[block]).unwrap();
    sfu.receive(socket, remote(), &rr[..n]);
    sfu.advance_to(sfu.now_ms + 100);
    let scores = sfu
        .take_messages()
        .into_iter()
        .filter(|m| m.target == "c" && m.event == "consumer.score")
        .count();
    assert_eq!(scores, 0);
    let stats = sfu.request("consumer.getStats", "c", json!({}));
    assert_eq!(stats[1]["packetsLost"], 60);
}

#[test]
fn nacks_and_plis_from_the_other_end_reach_the_right_stream() {
    let mut sfu = Sfu::new();
    let (socket, params) = piped_simulcast(&mut sfu);
    send_frames(&mut sfu, 0, 10);
    let sent = sent_rtp(&mut sfu, socket);
    let top_ssrc = params["encodings"][2]["ssrc"].as_u64().unwrap() as u32;
    let top_rtx = params["encodings"][2]["rtx"]["ssrc"].as_u64().unwrap() as u32;
    let (_, lost_seq, _, lost_payload) = sent
        .iter()
        .find(|(ssrc, ..)| *ssrc == top_ssrc)
        .cloned()
        .unwrap()
        .clone();
    // A NACK for the top stream's first packet: resent as RTX of that
    // stream, with the original sequence number in front.
    let mut nack = [0u8; 64];
    let n = write_nack_items(&mut nack, 0x1234, top_ssrc, &[(lost_seq, 0)]).unwrap();
    sfu.receive(socket, remote(), &nack[..n]);
    let resent = sent_rtp(&mut sfu, socket);
    assert_eq!(resent.len(), 1, "{resent:?}");
    let (ssrc, _, _, payload) = &resent[0];
    assert_eq!(*ssrc, top_rtx);
    assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), lost_seq);
    assert_eq!(&payload[2..], &lost_payload[..]);
    // A NACK from anywhere else is not answered.
    sfu.receive(socket, "127.0.0.3:1".parse().unwrap(), &nack[..n]);
    assert!(sent_rtp(&mut sfu, socket).is_empty());

    // A PLI for the middle stream asks the producer for that encoding's key
    // frame only.
    sfu.advance_to(sfu.now_ms + 2_000);
    sfu.take_messages();
    let middle = params["encodings"][1]["ssrc"].as_u64().unwrap() as u32;
    let mut pli = [0u8; 12];
    write_pli(&mut pli, 0x1234, middle).unwrap();
    sfu.receive(socket, remote(), &pli);
    let upstream: Vec<u32> = sfu
        .take_messages()
        .into_iter()
        .filter(|m| m.target == "send" && m.event == "directtransport.rtcp")
        .flat_map(|m| {
            iter_compound(&m.bytes.unwrap())
                .flatten()
                .filter_map(|p| match p {
                    RtcpPacket::Pli(pli) => Some(pli.media_ssrc()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(upstream, vec![3001]);
}
