//! Bandwidth estimation through the whole core, in virtual time: a
//! 3-stream simulcast producer, a consumer whose receiver sits behind a
//! bottleneck and answers with transport-cc feedback. The estimate must
//! bring the consumer down to the layer that fits, and back up once the
//! link widens; `bwe` traces report it.

mod common;

use common::{rtp_fields, vp8_frame_packet, vp8_room_edited, Sfu};
use ferrosoup::rtcp::write_transport_cc;
use serde_json::json;

/// Transport-wide-cc extension id in the fixture's consumer parameters.
const TWCC_ID: u8 = 5;

/// The transport-wide sequence number of an outgoing packet.
fn twcc_seq(p: &[u8]) -> Option<u16> {
    if p[0] & 0x10 == 0 {
        return None;
    }
    let at = 12 + usize::from(p[0] & 0x0f) * 4;
    if u16::from_be_bytes([p[at], p[at + 1]]) != 0xBEDE {
        return None;
    }
    let words = usize::from(u16::from_be_bytes([p[at + 2], p[at + 3]]));
    let mut i = at + 4;
    let end = i + words * 4;
    while i < end {
        let b = p[i];
        if b == 0 {
            i += 1;
            continue;
        }
        let (id, len) = (b >> 4, usize::from(b & 0x0f) + 1);
        if id == TWCC_ID {
            return Some(u16::from_be_bytes([p[i + 1], p[i + 2]]));
        }
        i += 1 + len;
    }
    None
}

/// The receiver's downlink: a rate and a queue (tail drop at 300 ms).
struct Bottleneck {
    bps: f64,
    busy_until_us: f64,
    /// (seq, arrival µs or lost) not reported yet.
    pending: Vec<(u16, Option<f64>)>,
}

impl Bottleneck {
    fn carry(&mut self, seq: u16, size: usize, sent_us: f64) {
        let start = self.busy_until_us.max(sent_us);
        let arrival = if start - sent_us > 300_000.0 {
            None
        } else {
            self.busy_until_us = start + size as f64 * 8e6 / self.bps;
            Some(self.busy_until_us + 10_000.0)
        };
        self.pending.push((seq, arrival));
    }

    /// A feedback packet for what arrived by `now_us`.
    fn feedback(&mut self, now_us: f64, count: u8) -> Option<Vec<u8>> {
        let last = self
            .pending
            .iter()
            .rposition(|(_, a)| a.is_some_and(|a| a <= now_us))?;
        let reported: Vec<_> = self.pending.drain(..=last).collect();
        let first = reported.iter().find_map(|(_, a)| *a)?;
        let reference = (first / 64_000.0).floor() as i32;
        let mut at = f64::from(reference) * 64_000.0;
        let statuses: Vec<Option<i16>> = reported
            .iter()
            .map(|(_, a)| {
                a.map(|a| {
                    let d = ((a - at) / 250.0).round() as i16;
                    at += f64::from(d) * 250.0;
                    d
                })
            })
            .collect();
        let mut buf = vec![0u8; 4096];
        let n =
            write_transport_cc(&mut buf, 1, 0, reported[0].0, reference, count, &statuses).ok()?;
        buf.truncate(n);
        Some(buf)
    }
}

/// Runs `ms` of media (30 frames/s per stream: 1, 2 and 5 packets of
/// ~430 bytes, about 100, 200 and 500 kbit/s; key frames each second)
/// through the bottleneck; returns the layers forwarded, one per frame.
struct Run {
    sfu: Sfu,
    link: Bottleneck,
    frame: u32,
    feedback_count: u8,
    /// `info` of every `bwe` trace.
    traces: Vec<serde_json::Value>,
    /// When (the Sfu's virtual ms) each stream starts sending.
    streams_from_ms: [u64; 3],
}

fn run(r: &mut Run, ms: u64) -> Vec<u8> {
    let Run {
        sfu,
        link,
        frame: frame0,
        feedback_count: fb_count,
        traces,
        streams_from_ms,
    } = r;
    let ssrcs = [3000u32, 3001, 3002];
    let packets_per_frame = [1u16, 2, 5];
    let mut layers = Vec::new();
    let start = sfu.now_ms;
    let mut next_feedback = start + 100;
    while sfu.now_ms < start + ms {
        let frame = *frame0;
        *frame0 += 1;
        let key = frame % 30 == 0;
        for (layer, ssrc) in ssrcs.iter().enumerate() {
            if sfu.now_ms < streams_from_ms[layer] {
                continue;
            }
            let n = packets_per_frame[layer];
            for i in 0..n {
                let seq = (frame * u32::from(n) + u32::from(i)) as u16;
                let mut p = vp8_frame_packet(*ssrc, seq, frame * 3000, i + 1 == n, key);
                p[12 + 6] = layer as u8;
                sfu.send_rtp("p", p);
            }
        }
        let now_us = (sfu.now_ms * 1000) as f64;
        let mut frame_layer = None;
        for m in sfu.take_messages() {
            if m.event == "transport.trace" {
                traces.push(m.data["info"].clone());
            }
            if m.event != "consumer.rtp" {
                continue;
            }
            let bytes = m.bytes.unwrap();
            if m.target == "c" {
                let (_, _, _, payload) = rtp_fields(&bytes);
                frame_layer = Some(payload[6]);
            }
            if let Some(seq) = twcc_seq(&bytes) {
                link.carry(seq, bytes.len(), now_us);
            }
        }
        if let Some(l) = frame_layer {
            layers.push(l);
        }
        let next = sfu.now_ms + 33;
        while next_feedback <= next {
            sfu.advance_to(next_feedback);
            if let Some(fb) = link.feedback((next_feedback * 1000) as f64, *fb_count) {
                *fb_count = fb_count.wrapping_add(1);
                sfu.send_rtcp("recv", fb);
            }
            next_feedback += 100;
        }
        sfu.advance_to(next);
    }
    layers
}

/// `wide_run` of the fixture's 3-stream simulcast room, the consumer's
/// parameters edited first, with `bwe` traces of the receiving transport
/// if asked for.
fn wide_simulcast_run(bwe_traces: bool, edit: impl FnOnce(&mut serde_json::Value)) -> Run {
    let mut sfu = Sfu::new();
    vp8_room_edited(&mut sfu, "simulcast", "simulcast", edit);
    if bwe_traces {
        sfu.request(
            "transport.enableTraceEvent",
            "recv",
            json!({"types": ["bwe"]}),
        );
    }
    sfu.take_messages();
    wide_run(sfu)
}

/// A fresh run over a wide (5 Mbit/s) link, every stream from the start.
fn wide_run(sfu: Sfu) -> Run {
    Run {
        sfu,
        link: Bottleneck {
            bps: 5_000_000.0,
            busy_until_us: 0.0,
            pending: Vec::new(),
        },
        frame: 0,
        feedback_count: 0,
        traces: Vec::new(),
        streams_from_ms: [0; 3],
    }
}

#[test]
fn the_estimate_brings_a_consumer_down_to_what_fits_and_back_up() {
    let mut r = wide_simulcast_run(true, |_| {});
    // A wide link: the top layer (streams are all new for the first 2 s).
    let layers = run(&mut r, 6_000);
    assert_eq!(layers.last(), Some(&2), "{layers:?}");
    // 200 kbit/s: only the lowest stream (100 kbit/s) fits.
    r.link.bps = 200_000.0;
    let layers = run(&mut r, 10_000);
    let settled = layers.iter().rposition(|l| *l != 0).map_or(0, |i| i + 1);
    assert!(
        settled < layers.len() - 60,
        "not on layer 0 for the last 2 s of 10: {layers:?}"
    );
    let stats = r.sfu.request("transport.getStats", "recv", json!({}));
    let available = stats["availableOutgoingBitrate"]
        .as_u64()
        .unwrap_or_else(|| panic!("{stats}"));
    assert!(
        (60_000..=220_000).contains(&available),
        "available {available}"
    );
    // Wide again: back on the top layer within 15 s.
    r.link.bps = 5_000_000.0;
    let layers = run(&mut r, 15_000);
    assert_eq!(layers.last(), Some(&2), "{layers:?}");
    let climbed = layers.iter().rposition(|l| *l != 2).map_or(0, |i| i + 1);
    println!(
        "settled on layer 0 after {} ms of 10 s at 200 kbit/s ({available} bps available); back on layer 2 {} ms after the link widened",
        settled * 33,
        climbed * 33
    );
    let stats = r.sfu.request("transport.getStats", "recv", json!({}));
    assert!(stats["probationBytesSent"].as_u64().unwrap() > 0, "{stats}");
    // About one `bwe` trace a second, with mediasoup's fields.
    assert!(r.traces.len() >= 25, "{} traces", r.traces.len());
    let last = r.traces.last().unwrap();
    assert_eq!(last["bweType"], "transport-cc");
    // Up to its ceiling: 1.35 x what the consumer wants (~500 kbit/s).
    let available = last["availableBitrate"].as_u64().unwrap();
    assert!(
        available >= last["desiredBitrate"].as_u64().unwrap(),
        "{last}"
    );
    assert_eq!(available, last["maxBitrate"].as_u64().unwrap(), "{last}");
    for key in [
        "desiredBitrate",
        "effectiveDesiredBitrate",
        "minBitrate",
        "maxBitrate",
        "startBitrate",
        "maxPaddingBitrate",
    ] {
        assert!(last[key].is_u64(), "{key}: {last}");
    }
}

#[test]
fn lowering_the_preferred_layers_holds_no_later_upgrade() {
    // On a wide link the consumer goes down on setPreferredLayers and back
    // up as soon as they are raised again: the upgrade hold is for layers
    // the estimate took away, not for those the app gave up (mediasoup:
    // only a current layer within the preferred ones counts).
    let mut r = wide_simulcast_run(false, |_| {});
    let layers = run(&mut r, 6_000);
    assert_eq!(layers.last(), Some(&2), "{layers:?}");
    let prefer = |r: &mut Run, spatial: u8| {
        r.sfu.request(
            "consumer.setPreferredLayers",
            "c",
            json!({ "spatialLayer": spatial }),
        );
    };
    prefer(&mut r, 0);
    let layers = run(&mut r, 1_500);
    assert_eq!(layers.last(), Some(&0), "{layers:?}");
    prefer(&mut r, 2);
    // Key frames come each second: on layer 2 within 1.5 s.
    let layers = run(&mut r, 1_500);
    assert_eq!(layers.last(), Some(&2), "{layers:?}");
}

#[test]
fn a_call_starting_takes_a_higher_stream_at_once() {
    // All streams are new: none is held back for being so (mediasoup holds
    // a new stream back only from a lower one that has been up 2 s), so
    // the consumer need not climb stream by stream, a key frame each.
    let mut r = wide_simulcast_run(false, |_| {});
    // As a browser starts: the lowest stream first, the others 0.5 s later.
    let t0 = r.sfu.now_ms;
    r.streams_from_ms = [t0, t0 + 500, t0 + 500];
    let layers = run(&mut r, 2_200);
    assert!(layers.iter().any(|l| *l > 0), "{layers:?}");
}

#[test]
fn the_consumers_max_bitrate_lets_the_estimate_probe_up_to_it() {
    // mediasoup-client puts the sender's top maxBitrate in the consumer's
    // encodings[0].maxBitrate: the transport wants that much (mediasoup's
    // GetDesiredBitrate), so it probes beyond what the streams send now.
    let mut r = wide_simulcast_run(true, |params| {
        params["encodings"][0]["maxBitrate"] = json!(3_000_000);
    });
    run(&mut r, 12_000);
    let last = r.traces.last().expect("bwe traces");
    assert!(
        last["desiredBitrate"].as_u64().unwrap() >= 3_000_000,
        "{last}"
    );
    // The streams send about 800 kbit/s in all: without maxBitrate the
    // ceiling would be 1.35 x 500 kbit/s.
    let available = last["availableBitrate"].as_u64().unwrap();
    assert!(available > 1_500_000, "{last}");
    let stats = r.sfu.request("transport.getStats", "recv", json!({}));
    assert!(stats["probationBytesSent"].as_u64().unwrap() > 0, "{stats}");
}
