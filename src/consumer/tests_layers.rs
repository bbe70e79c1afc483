//! Temporal and spatial layer dropping through `Consumer::forward`: VP8
//! simulcast with three temporal layers, VP8 and VP9 SVC streams, AV1 and
//! H264 streams with the Dependency Descriptor.

use super::*;
use crate::ids::SlabKey;
use crate::producer::forward::{MappedHeader, PacketLayout};
use crate::rtp::codecs::dependency_descriptor::test_util as dd_bytes;
use crate::rtp::codecs::{self, parse_vp8, parse_vp9, Codec, DdFrame, DependencyDescriptorReader};
use serde_json::json;

/// A video consumer of `type` whose producer offers one encoding per mode.
fn consumer(ty: &str, mime: &str, modes: &[&str], preferred: serde_json::Value) -> Consumer {
    let consumable: Vec<_> = (0..modes.len())
        .map(|i| json!({"ssrc": 5000 + i, "scalabilityMode": modes[i]}))
        .collect();
    let mut body = json!({
        "consumerId": "c", "producerId": "p", "kind": "video", "type": ty,
        "rtpParameters": {
            "codecs": [
                {"mimeType": mime, "payloadType": 100, "clockRate": 90000,
                 "parameters": {}, "rtcpFeedback": []},
                {"mimeType": "video/rtx", "payloadType": 101, "clockRate": 90000,
                 "parameters": {"apt": 100}, "rtcpFeedback": []}
            ],
            "encodings": [{"ssrc": 1234, "rtx": {"ssrc": 1235}}],
            "headerExtensions": [],
            "rtcp": {"cname": "t", "reducedSize": true}
        },
        "consumableRtpEncodings": consumable,
    });
    if !preferred.is_null() {
        body["preferredLayers"] = preferred;
    }
    let body: ConsumeBody = serde_json::from_value(body).unwrap();
    let options = ConsumeOptions::from_body(body).unwrap();
    Consumer::new(
        ProducerKey::from_index(0),
        TransportKey::from_index(0),
        options,
        false,
        0,
    )
}

/// A packet of the producer's stream `stream` as the router hands it over.
struct Input {
    codec: Codec,
    simulcast: bool,
    stream: usize,
    seq: u16,
    timestamp: u32,
    marker: bool,
    payload: Vec<u8>,
    /// Its Dependency Descriptor as the producer resolved it.
    dd: Option<DdFrame>,
}

impl Input {
    fn bytes(&self) -> Vec<u8> {
        let mut b = vec![0x80, 100 | if self.marker { 0x80 } else { 0 }];
        b.extend_from_slice(&self.seq.to_be_bytes());
        b.extend_from_slice(&self.timestamp.to_be_bytes());
        b.extend_from_slice(&(5000 + self.stream as u32).to_be_bytes());
        b.extend_from_slice(&self.payload);
        b
    }

    fn header(&self) -> MappedHeader {
        let (mut spatial, mut temporal) = codecs::layers(self.codec, &self.payload);
        let mut is_keyframe = codecs::is_keyframe(self.codec, &self.payload);
        // What the producer does with a descriptor.
        let dd = self.dd.map(|mut dd| {
            dd.key_frame |= is_keyframe;
            is_keyframe = dd.key_frame;
            (spatial, temporal) = (dd.spatial, dd.temporal);
            dd
        });
        MappedHeader {
            marker: self.marker,
            payload_type: 100,
            seq: self.seq,
            timestamp: self.timestamp,
            ssrc: 5000 + self.stream as u32,
            is_keyframe,
            spatial_layer: if self.simulcast {
                self.stream as u8
            } else {
                spatial
            },
            temporal_layer: temporal,
            dd,
        }
    }
}

/// What the consumer sent for one input.
#[derive(Debug)]
struct Output {
    seq: u16,
    marker: bool,
    payload: Vec<u8>,
}

enum Outcome {
    Sent(Output),
    Skipped,
    NeedKeyFrame,
}

fn forward(c: &mut Consumer, input: &Input) -> Outcome {
    let bytes = input.bytes();
    let layout = PacketLayout {
        csrc: 12..12,
        payload: 12..bytes.len(),
        ..PacketLayout::default()
    };
    let fwd = Forwarded {
        bytes: &bytes,
        layout: &layout,
        header: input.header(),
        sr_mapping: None,
        clock_rate: 90000,
    };
    let mut scratch = [0u8; 16];
    let mut out = [0u8; 1500];
    match c.forward(&fwd, input.stream, input.stream, &mut scratch, &mut out) {
        ForwardResult::Send(sent) => {
            let packet = &out[..sent.len];
            Outcome::Sent(Output {
                seq: u16::from_be_bytes([packet[2], packet[3]]),
                marker: packet[1] & 0x80 != 0,
                payload: packet[sent.len - input.payload.len()..].to_vec(),
            })
        }
        ForwardResult::Skip => Outcome::Skipped,
        ForwardResult::SkipNeedKeyFrame => Outcome::NeedKeyFrame,
    }
}

/// L1T3 temporal pattern.
fn tid_of(frame: u16) -> u8 {
    [0, 2, 1, 2][frame as usize % 4]
}

/// One VP8 frame of `stream` in two packets: 2-byte PictureID, TL0PICIDX,
/// TID and layer sync (set on frames 1 and 2 of every 8).
fn vp8_frame(stream: usize, frame: u16, key: bool) -> [Input; 2] {
    let picture_id = 1000 * stream as u16 + frame;
    let tl0 = (10 * stream as u16 + frame / 4) as u8;
    let tid = tid_of(frame);
    let sync = matches!(frame % 8, 1 | 2);
    let packet = |i: u16| {
        let mut payload = vec![
            if i == 0 { 0x90 } else { 0x80 },
            0xe0,
            0x80 | (picture_id >> 8) as u8,
            picture_id as u8,
            tl0,
            (tid << 6) | if sync { 0x20 } else { 0 },
            if key { 0x00 } else { 0x01 },
        ];
        payload.extend_from_slice(&[0xab; 20]);
        Input {
            codec: Codec::Vp8,
            simulcast: true,
            stream,
            seq: 5000 * stream as u16 + 2 * frame + i,
            timestamp: u32::from(frame) * 3000 + stream as u32,
            marker: i == 1,
            payload,
            dd: None,
        }
    };
    [packet(0), packet(1)]
}

fn vp8_ids(payload: &[u8]) -> (u16, u8, u8) {
    let d = parse_vp8(payload).unwrap();
    (
        d.picture_id.unwrap(),
        d.tl0_pic_idx.unwrap(),
        d.tid.unwrap(),
    )
}

/// What a simulcast run sent: (frame's TID, PictureID, TL0PICIDX) per
/// packet, and every output sequence number.
#[derive(Default)]
struct Run {
    sent: Vec<(u8, u16, u8)>,
    seqs: Vec<u16>,
    /// Output sequence number of (stream, frame, packet).
    by_input: Vec<((usize, u16, u16), u16)>,
    layer_changes: Vec<(u16, Option<Layers>)>,
    key_frame_wanted: usize,
}

impl Run {
    fn send_vp8(&mut self, c: &mut Consumer, frames: std::ops::Range<u16>, keys: &[(usize, u16)]) {
        for frame in frames {
            for stream in 0..3 {
                let key = frame == 0 || keys.contains(&(stream, frame));
                for (i, input) in vp8_frame(stream, frame, key).iter().enumerate() {
                    match forward(c, input) {
                        Outcome::Sent(out) => {
                            let (pid, tl0, tid) = vp8_ids(&out.payload);
                            assert_eq!(out.marker, i == 1);
                            self.sent.push((tid, pid, tl0));
                            self.seqs.push(out.seq);
                            self.by_input.push(((stream, frame, i as u16), out.seq));
                        }
                        Outcome::NeedKeyFrame => self.key_frame_wanted += 1,
                        Outcome::Skipped => {}
                    }
                    if c.take_layers_changed() {
                        self.layer_changes.push((frame, c.current_layers()));
                    }
                }
            }
        }
    }
}

fn layers(spatial: u8, temporal: u8) -> Option<Layers> {
    Some(Layers { spatial, temporal })
}

#[test]
fn vp8_simulcast_forwards_only_the_target_temporal_layers_without_gaps() {
    let mut c = consumer(
        "simulcast",
        "video/VP8",
        &["L1T3", "L1T3", "L1T3"],
        json!({"spatialLayer": 2, "temporalLayer": 0}),
    );
    assert_eq!(c.target_layers(), layers(2, 0));
    let mut run = Run::default();
    // Temporal layer 0 only: a quarter of the frames of stream 2.
    run.send_vp8(&mut c, 0..20, &[]);
    let frames: Vec<_> = run.sent.iter().step_by(2).copied().collect();
    assert_eq!(
        frames,
        vec![
            (0, 2000, 20),
            (0, 2001, 21),
            (0, 2002, 22),
            (0, 2003, 23),
            (0, 2004, 24)
        ]
    );
    assert_eq!(run.layer_changes, vec![(0, layers(2, 0))]);
    let dump = serde_json::to_value(c.dump("p")).unwrap();
    assert_eq!(dump["targetTemporalLayer"], 0);
    assert_eq!(dump["currentTemporalLayer"], 0);
    assert_eq!(dump["currentSpatialLayer"], 2);

    // All three: the same stream, so no key frame is needed; TID 1 and 2
    // frames go out from the next layer sync frame (25), not before.
    let (_, key_frame) = c
        .set_preferred_layers(Ok(RequestedLayers {
            spatial: 2,
            temporal: Some(2),
        }))
        .unwrap()
        .unwrap();
    assert!(!key_frame);
    run.send_vp8(&mut c, 20..32, &[]);
    let frames: Vec<_> = run.sent.iter().skip(10).step_by(2).copied().collect();
    let expected: Vec<_> = [20u16, 24, 25, 26, 27, 28, 29, 30, 31]
        .iter()
        .enumerate()
        .map(|(i, f)| (tid_of(*f), 2005 + i as u16, 20 + (*f / 4) as u8))
        .collect();
    assert_eq!(frames, expected);
    assert_eq!(
        run.layer_changes,
        vec![(0, layers(2, 0)), (25, layers(2, 2))]
    );
    for w in run.seqs.windows(2) {
        assert_eq!(
            w[1],
            w[0].wrapping_add(1),
            "sequence numbers: {:?}",
            run.seqs
        );
    }
    assert_eq!(run.key_frame_wanted, 0);

    // A NACK for the second TID 0 frame: resent (RTX) with the PictureID
    // it was sent with, not the producer's.
    let (_, out_seq) = *run.by_input.iter().find(|(k, _)| *k == (2, 4, 1)).unwrap();
    let (stream, input_seq, timestamp, first) = c.nacked(0, out_seq, 1_000, 100).unwrap();
    assert_eq!((stream, input_seq, first), (2, 5000 * 2 + 9, true));
    let input = &vp8_frame(2, 4, false)[1];
    let bytes = input.bytes();
    let layout = PacketLayout {
        csrc: 12..12,
        payload: 12..bytes.len(),
        ..PacketLayout::default()
    };
    let fwd = Forwarded {
        bytes: &bytes,
        layout: &layout,
        header: MappedHeader {
            is_keyframe: false,
            ..input.header()
        },
        sr_mapping: None,
        clock_rate: 0,
    };
    let mut out = [0u8; 1500];
    let (len, _, _) = c
        .write_retransmission(0, &fwd, out_seq, timestamp, &mut [0; 16], &mut out)
        .unwrap();
    let rtx = &out[..len];
    assert_eq!(u32::from_be_bytes([rtx[8], rtx[9], rtx[10], rtx[11]]), 1235);
    assert_eq!(rtx[1], 0x80 | 101, "marker as sent, RTX payload type");
    assert_eq!(u16::from_be_bytes([rtx[12], rtx[13]]), out_seq);
    assert_eq!(vp8_ids(&rtx[14..]), (2001, 21, 0));
}

#[test]
fn vp8_simulcast_switch_continues_picture_ids_and_applies_the_new_temporal_target() {
    let mut c = consumer(
        "simulcast",
        "video/VP8",
        &["L1T3", "L1T3", "L1T3"],
        serde_json::Value::Null,
    );
    // Default: the best stream, every temporal layer (sync frame 1 upgrades).
    assert_eq!(c.target_layers(), layers(2, 2));
    let mut run = Run::default();
    run.send_vp8(&mut c, 0..8, &[]);
    assert_eq!(run.sent.len(), 16);
    assert_eq!(run.sent.last(), Some(&(2, 2007, 21)));
    assert_eq!(
        run.layer_changes,
        vec![(0, layers(2, 0)), (1, layers(2, 2))]
    );
    // Down to stream 0, temporal layers 0 and 1: stream 2 goes on (all
    // its layers) until stream 0's key frame (frame 12), asked for
    // meanwhile.
    let (_, key_frame) = c
        .set_preferred_layers(Ok(RequestedLayers {
            spatial: 0,
            temporal: Some(1),
        }))
        .unwrap()
        .unwrap();
    assert!(key_frame);
    assert_eq!(c.target_layers(), layers(0, 1));
    assert_eq!(c.wanted_stream(), 0);
    let before = run.sent.len();
    run.send_vp8(&mut c, 8..21, &[(0, 12)]);
    assert_eq!(run.key_frame_wanted, 8, "stream 0's frames 8 to 11");
    let after: Vec<_> = run.sent[before..].iter().step_by(2).copied().collect();
    // Stream 0 from its key frame: PictureID and TL0PICIDX follow the last
    // ones sent; TID 2 is dropped, TID 1 waits for a layer sync frame (18).
    assert_eq!(
        after,
        vec![
            (0, 2008, 22),
            (2, 2009, 22),
            (1, 2010, 22),
            (2, 2011, 22),
            (0, 2012, 23),
            (0, 2013, 24),
            (1, 2014, 24),
            (0, 2015, 25),
        ]
    );
    assert_eq!(
        &run.layer_changes[2..],
        &[(12, layers(0, 0)), (18, layers(0, 1))]
    );
    for w in run.seqs.windows(2) {
        assert_eq!(w[1], w[0].wrapping_add(1));
    }
}

#[test]
fn vp8_svc_stream_with_preferred_temporal_layer_0_sends_a_quarter_of_the_frames() {
    let mut c = consumer(
        "svc",
        "video/VP8",
        &["L1T3"],
        json!({"spatialLayer": 0, "temporalLayer": 0}),
    );
    let mut sent = Vec::new();
    let mut changes = Vec::new();
    for frame in 0..40u16 {
        for mut input in vp8_frame(0, frame, frame == 0) {
            input.simulcast = false;
            if let Outcome::Sent(out) = forward(&mut c, &input) {
                sent.push((out.seq, vp8_ids(&out.payload)));
            }
            if c.take_layers_changed() {
                changes.push(c.current_layers());
            }
        }
    }
    assert_eq!(sent.len(), 20, "10 of 40 frames");
    for (i, w) in sent.windows(2).enumerate() {
        assert_eq!(w[1].0, w[0].0.wrapping_add(1));
        assert_eq!(w[1].1 .2, 0, "TID 0 only");
        if i % 2 == 1 {
            assert_eq!(w[1].1 .0, w[0].1 .0 + 1, "PictureIDs without gaps");
        }
    }
    assert_eq!(changes, vec![layers(0, 0)]);
}

/// One VP9 packet (a whole layer frame): 2-byte PictureID, layer indices,
/// TL0PICIDX (non-flexible mode).
fn vp9_packet(seq: u16, picture: u16, sid: u8, key: bool) -> Input {
    let tid = tid_of(picture);
    let mut first = 0x80 | 0x20 | 0x08 | 0x04; // I, L, B, E
    if !key {
        first |= 0x40; // P
    }
    let switching_up = if tid > 0 { 0x10 } else { 0 };
    let layer = (tid << 5) | switching_up | (sid << 1) | u8::from(sid > 0);
    let picture_id = 100 + picture;
    let mut payload = vec![
        first,
        0x80 | (picture_id >> 8) as u8,
        picture_id as u8,
        layer,
        (picture / 4) as u8,
    ];
    payload.extend_from_slice(&[0xcd; 20]);
    Input {
        codec: Codec::Vp9,
        simulcast: false,
        stream: 0,
        seq,
        timestamp: u32::from(picture) * 3000,
        marker: sid == 2,
        payload,
        dd: None,
    }
}

/// What a VP9 run sent: (picture, spatial layer, marker) per packet.
#[derive(Default)]
struct Vp9Run {
    seq: u16,
    sent: Vec<(u16, u8, bool)>,
    seqs: Vec<u16>,
    changes: Vec<(u16, Option<Layers>)>,
}

impl Vp9Run {
    /// Three spatial layers per picture, one packet each.
    fn send(&mut self, c: &mut Consumer, pictures: std::ops::Range<u16>, keys: &[u16]) {
        for picture in pictures {
            for sid in 0..3 {
                let input = vp9_packet(self.seq, picture, sid, keys.contains(&picture));
                self.seq += 1;
                if let Outcome::Sent(out) = forward(c, &input) {
                    let d = parse_vp9(&out.payload).unwrap();
                    assert_eq!((d.picture_id, d.sid), (Some(100 + picture), Some(sid)));
                    self.sent.push((picture, sid, out.marker));
                    self.seqs.push(out.seq);
                }
                if c.take_layers_changed() {
                    self.changes.push((picture, c.current_layers()));
                }
            }
        }
    }
}

#[test]
fn vp9_l3t3_svc_drops_layers_above_the_target_and_moves_at_switching_points() {
    let mut c = consumer(
        "svc",
        "video/VP9",
        &["L3T3"],
        json!({"spatialLayer": 1, "temporalLayer": 1}),
    );
    let mut run = Vp9Run::default();
    // Layers 0 and 1, TIDs 0 and 1; the marker on layer 1's frames.
    run.send(&mut c, 0..8, &[0]);
    let t = true;
    let f = false;
    let mut expected = vec![];
    for picture in [0, 2, 4, 6] {
        expected.extend([(picture, 0, f), (picture, 1, t)]);
    }
    assert_eq!(run.sent, expected);
    // Up to everything: the spatial layer at the next key frame (asked
    // for), the temporal layers at the next switching point after it.
    assert!(c.set_target_layers(Layers {
        spatial: 2,
        temporal: 2
    }));
    run.send(&mut c, 8..12, &[8]);
    for picture in 8..12 {
        expected.extend([(picture, 0, f), (picture, 1, f), (picture, 2, t)]);
    }
    assert_eq!(run.sent, expected);
    // Down to layer 0, TID 0 (full SVC: no key frame, at the end of a
    // layer 0 frame of the target temporal layer).
    assert!(!c.set_target_layers(Layers {
        spatial: 0,
        temporal: 0
    }));
    run.send(&mut c, 12..17, &[]);
    expected.extend([(12, 0, t), (16, 0, t)]);
    assert_eq!(run.sent, expected);
    assert_eq!(
        run.changes,
        vec![
            (0, layers(1, 0)),
            (2, layers(1, 1)),
            (8, layers(2, 0)),
            (9, layers(2, 2)),
            (12, layers(0, 0)),
        ]
    );
    for w in run.seqs.windows(2) {
        assert_eq!(w[1], w[0].wrapping_add(1));
    }
    let dump = serde_json::to_value(c.dump("p")).unwrap();
    assert_eq!(
        (&dump["targetSpatialLayer"], &dump["targetTemporalLayer"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(
        (&dump["currentSpatialLayer"], &dump["currentTemporalLayer"]),
        (&json!(0), &json!(0))
    );
}

#[test]
fn vp9_ksvc_switches_spatial_layers_on_key_frames_only() {
    let mut c = consumer("svc", "video/VP9", &["L3T3_KEY"], serde_json::Value::Null);
    let mut run = Vp9Run::default();
    // Inter pictures carry the top layer only.
    run.send(&mut c, 0..2, &[0]);
    assert_eq!(
        run.sent,
        vec![(0, 0, false), (0, 1, false), (0, 2, true), (1, 2, true)]
    );
    // Down to layer 1: a key frame is needed (K-SVC), and until it comes
    // layer 2 goes on.
    assert!(c.set_target_layers(Layers {
        spatial: 1,
        temporal: 2
    }));
    run.sent.clear();
    run.send(&mut c, 2..5, &[4]);
    assert_eq!(
        run.sent,
        vec![(2, 2, true), (3, 2, true), (4, 0, false), (4, 1, true)]
    );
}

#[test]
fn bitrate_cap_limits_the_target_layers_of_simulcast_and_svc_consumers() {
    let all = [true, true, true];
    let mut c = consumer(
        "simulcast",
        "video/VP8",
        &["L1T3", "L1T3", "L1T3"],
        serde_json::Value::Null,
    );
    assert_eq!(c.target_layers(), layers(2, 2));
    assert!(c.set_bitrate_cap(Some(Layers {
        spatial: 1,
        temporal: 1
    })));
    c.choose_target(&all);
    assert_eq!(c.target_layers(), layers(1, 1));
    c.set_bitrate_cap(Some(Layers {
        spatial: 2,
        temporal: 0,
    }));
    c.choose_target(&all);
    assert_eq!(c.target_layers(), layers(2, 0));
    c.set_bitrate_cap(None);
    c.choose_target(&all);
    assert_eq!(c.target_layers(), layers(2, 2));

    let mut v = consumer("svc", "video/VP9", &["L3T3"], serde_json::Value::Null);
    v.set_bitrate_cap(Some(Layers {
        spatial: 1,
        temporal: 2,
    }));
    // Up from nothing sent: a key frame is wanted.
    assert!(v.choose_target(&[]));
    assert_eq!(v.target_layers(), layers(1, 2));
    let (_, key_frame) = v
        .set_preferred_layers(Ok(RequestedLayers {
            spatial: 0,
            temporal: Some(1),
        }))
        .unwrap()
        .unwrap();
    assert!(key_frame, "nothing is being sent yet");
    assert_eq!(v.target_layers(), layers(0, 1));
}

/// A stream whose packets carry the Dependency Descriptor, read as the
/// producer reads them (one reader for the stream).
struct DdSender {
    codec: Codec,
    reader: DependencyDescriptorReader,
    seq: u16,
}

impl DdSender {
    fn new(codec: Codec) -> Self {
        DdSender {
            codec,
            reader: DependencyDescriptorReader::default(),
            seq: 40_000,
        }
    }

    /// One packet per descriptor (one frame); the last one has the marker
    /// bit when `marker_on_last`.
    fn frame(&mut self, frame: u16, descriptors: &[Vec<u8>], key: bool) -> Vec<Input> {
        let n = descriptors.len();
        descriptors
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                self.seq = self.seq.wrapping_add(1);
                let first_byte = match (self.codec, key && i == 0) {
                    (Codec::Av1, true) => 0x08, // N: new coded video sequence
                    (Codec::Av1, false) => 0x00,
                    (_, true) => 0x67, // H264 SPS
                    (_, false) => 0x41,
                };
                let mut payload = vec![first_byte, 0x10];
                payload.extend_from_slice(&[0xab; 20]);
                let dd = self.reader.read(bytes, self.seq).ok().map(|d| d.frame());
                assert!(dd.is_some(), "frame {frame} packet {i}");
                Input {
                    codec: self.codec,
                    simulcast: false,
                    stream: 0,
                    seq: self.seq,
                    timestamp: u32::from(frame) * 3000,
                    marker: i == n - 1,
                    payload,
                    dd,
                }
            })
            .collect()
    }
}

/// libwebrtc's L1T3 frame pattern: the template of frame `frame` (key
/// frame 0 uses template 0): T0, T2 after T0, T1, T2 after T1.
fn l1t3_template(frame: u16) -> u8 {
    [1, 3, 2, 4][frame as usize % 4]
}

/// An L1T3 frame in two packets.
fn l1t3_descriptors(frame: u16, key: bool) -> Vec<Vec<u8>> {
    if key {
        vec![
            dd_bytes::l1t3_key(0, frame),
            dd_bytes::plain(false, true, 0, frame),
        ]
    } else {
        let t = l1t3_template(frame);
        vec![
            dd_bytes::plain(true, false, t, frame),
            dd_bytes::plain(false, true, t, frame),
        ]
    }
}

/// What went out of a descriptor-carrying run.
#[derive(Default)]
struct DdRun {
    /// (frame, packet index, marker) per packet sent.
    sent: Vec<(u16, usize, bool)>,
    seqs: Vec<u16>,
    changes: Vec<(u16, Option<Layers>)>,
}

impl DdRun {
    fn send(&mut self, c: &mut Consumer, frame: u16, inputs: &[Input]) {
        for (i, input) in inputs.iter().enumerate() {
            if let Outcome::Sent(out) = forward(c, input) {
                assert_eq!(out.payload, input.payload, "payload untouched");
                self.sent.push((frame, i, out.marker));
                self.seqs.push(out.seq);
            }
            if c.take_layers_changed() {
                self.changes.push((frame, c.current_layers()));
            }
        }
    }

    /// The frames sent (each whole: all its packets).
    fn frames(&self, packets_per_frame: usize) -> Vec<u16> {
        let frames: Vec<u16> = self
            .sent
            .iter()
            .filter(|(_, i, _)| *i == 0)
            .map(|(f, _, _)| *f)
            .collect();
        assert_eq!(frames.len() * packets_per_frame, self.sent.len());
        frames
    }

    fn assert_gapless(&self) {
        for w in self.seqs.windows(2) {
            assert_eq!(
                w[1],
                w[0].wrapping_add(1),
                "sequence numbers {:?}",
                self.seqs
            );
        }
    }
}

#[test]
fn av1_l1t3_svc_forwards_the_target_temporal_layers_from_dependency_descriptors() {
    let mut c = consumer(
        "svc",
        "video/AV1",
        &["L1T3"],
        json!({"spatialLayer": 0, "temporalLayer": 0}),
    );
    let mut tx = DdSender::new(Codec::Av1);
    let mut run = DdRun::default();
    // Temporal layer 0: a quarter of the frames, each whole.
    for frame in 0..13 {
        let inputs = tx.frame(frame, &l1t3_descriptors(frame, frame == 0), frame == 0);
        run.send(&mut c, frame, &inputs);
    }
    assert_eq!(run.frames(2), vec![0, 4, 8, 12]);
    assert_eq!(run.changes, vec![(0, layers(0, 0))]);
    // The marker bit stays on the end of each frame.
    assert!(run.sent.iter().all(|(_, i, m)| *m == (*i == 1)));
    run.assert_gapless();

    // Up to all three: from the next frame that is a switch point for the
    // decode target with T2 (frame 14, T1: "-DS"); frame 13 (T2, "--D")
    // still waits. No key frame is needed.
    let (_, key_frame) = c
        .set_preferred_layers(Ok(RequestedLayers {
            spatial: 0,
            temporal: Some(2),
        }))
        .unwrap()
        .unwrap();
    assert!(!key_frame);
    for frame in 13..20 {
        run.send(
            &mut c,
            frame,
            &tx.frame(frame, &l1t3_descriptors(frame, false), false),
        );
    }
    assert_eq!(run.frames(2)[4..], [14, 15, 16, 17, 18, 19]);
    assert_eq!(run.changes[1..], [(14, layers(0, 2))]);

    // Down to T0 and T1: at the end of the next frame at or below T1 (20,
    // a T0 frame); then T2 frames are dropped.
    c.set_preferred_layers(Ok(RequestedLayers {
        spatial: 0,
        temporal: Some(1),
    }))
    .unwrap();
    for frame in 20..27 {
        run.send(
            &mut c,
            frame,
            &tx.frame(frame, &l1t3_descriptors(frame, false), false),
        );
    }
    assert_eq!(run.frames(2)[10..], [20, 22, 24, 26]);
    assert_eq!(run.changes[2..], [(20, layers(0, 1))]);
    run.assert_gapless();
    let dump = serde_json::to_value(c.dump("p")).unwrap();
    assert_eq!(
        (&dump["currentSpatialLayer"], &dump["currentTemporalLayer"]),
        (&json!(0), &json!(1))
    );
}

#[test]
fn h264_l1t3_svc_drops_temporal_layers_above_the_target_with_a_descriptor_only() {
    let mut c = consumer(
        "svc",
        "video/H264",
        &["L1T3"],
        json!({"spatialLayer": 0, "temporalLayer": 1}),
    );
    let mut tx = DdSender::new(Codec::H264);
    let mut run = DdRun::default();
    for frame in 0..9 {
        run.send(
            &mut c,
            frame,
            &tx.frame(frame, &l1t3_descriptors(frame, frame == 0), frame == 0),
        );
    }
    assert_eq!(run.frames(2), vec![0, 2, 4, 6, 8]);
    assert_eq!(run.changes, vec![(0, layers(0, 1))]);
    run.assert_gapless();

    // Without descriptors (not negotiated) nothing is known of the layers:
    // everything is forwarded, as the base layer.
    let mut c = consumer(
        "svc",
        "video/H264",
        &["L1T3"],
        json!({"spatialLayer": 0, "temporalLayer": 0}),
    );
    let mut sent = 0;
    for frame in 0..8u16 {
        for mut input in tx.frame(frame, &l1t3_descriptors(frame, frame == 0), frame == 0) {
            input.dd = None;
            if let Outcome::Sent(_) = forward(&mut c, &input) {
                sent += 1;
            }
        }
    }
    assert_eq!(sent, 16);
    assert_eq!(c.current_layers(), layers(0, 0));
}

/// L2T2 (full SVC) as libwebrtc describes it: decode targets S0T0, S0T1,
/// S1T0, S1T1; templates: S0 key, S0T0, S0T1, S1T0 (key picture), S1T0,
/// S1T1. One packet per layer frame.
fn l2t2_descriptor(picture: u16, sid: u8, key: bool) -> Vec<u8> {
    use dd_bytes::*;
    let tid = (picture % 2) as u8;
    let template = match (sid, tid, key) {
        (0, _, true) => 0,
        (0, 0, false) => 1,
        (0, _, false) => 2,
        (_, _, true) => 3,
        (_, 0, false) => 4,
        _ => 5,
    };
    let mut w = Writer::default();
    mandatory(&mut w, true, true, template, picture * 2 + u16::from(sid));
    if key && sid == 0 {
        w.put(5, 0b10000);
        let templates = l2t2_templates();
        write_structure(
            &mut w,
            &StructureSpec {
                offset: 0,
                templates: &templates,
                protected_by: &[0, 0, 1, 1],
                chain_count: 2,
                resolutions: Some(&[(320, 180), (640, 360)]),
            },
        );
    }
    w.finish()
}

#[test]
fn av1_l2t2_svc_drops_the_upper_spatial_layer_and_marks_the_end_of_the_lower_one() {
    let mut c = consumer(
        "svc",
        "video/AV1",
        &["L2T2"],
        json!({"spatialLayer": 0, "temporalLayer": 1}),
    );
    let mut tx = DdSender::new(Codec::Av1);
    let mut run = DdRun::default();
    let mut send =
        |c: &mut Consumer, run: &mut DdRun, pictures: std::ops::Range<u16>, keys: &[u16]| {
            for picture in pictures {
                let key = keys.contains(&picture);
                for sid in 0..2u8 {
                    let d = l2t2_descriptor(picture, sid, key);
                    let mut inputs = tx.frame(picture, &[d], key && sid == 0);
                    // The stream's marker bit: on the top layer's frame only.
                    inputs[0].marker = sid == 1;
                    run.send(c, picture * 10 + u16::from(sid), &inputs);
                }
            }
        };
    // Layer 0 only, both temporal layers; the marker on its frames' ends.
    send(&mut c, &mut run, 0..4, &[0]);
    let t = true;
    assert_eq!(
        run.sent,
        vec![(0, 0, t), (10, 0, t), (20, 0, t), (30, 0, t)]
    );
    assert_eq!(run.changes, vec![(0, layers(0, 1))]);
    // Up to layer 1: at the next key frame, which is asked for.
    assert!(c.set_target_layers(Layers {
        spatial: 1,
        temporal: 1
    }));
    send(&mut c, &mut run, 4..8, &[6]);
    let f = false;
    assert_eq!(
        run.sent[4..],
        [
            (40, 0, t),
            (50, 0, t),
            (60, 0, f),
            (61, 0, t),
            (70, 0, f),
            (71, 0, t)
        ]
    );
    assert_eq!(run.changes[1..], [(60, layers(1, 1))]);
    // Down to layer 0 (full SVC): at the end of the next layer 0 frame, no
    // key frame needed.
    assert!(!c.set_target_layers(Layers {
        spatial: 0,
        temporal: 1
    }));
    send(&mut c, &mut run, 8..10, &[]);
    assert_eq!(run.sent[10..], [(80, 0, t), (90, 0, t)]);
    assert_eq!(run.changes[2..], [(80, layers(0, 1))]);
    run.assert_gapless();
}

#[test]
fn h264_simulcast_with_descriptors_drops_temporal_layers_of_the_stream_sent() {
    let mut c = consumer(
        "simulcast",
        "video/H264",
        &["L1T3", "L1T3"],
        json!({"spatialLayer": 1, "temporalLayer": 0}),
    );
    // Each stream has its own structure (its own reader).
    let mut tx = [DdSender::new(Codec::H264), DdSender::new(Codec::H264)];
    let mut run = DdRun::default();
    for frame in 0..9u16 {
        for (stream, sender) in tx.iter_mut().enumerate() {
            let key = frame == 0;
            let mut inputs = sender.frame(frame, &l1t3_descriptors(frame, key), key);
            for input in &mut inputs {
                input.stream = stream;
                input.simulcast = true;
                input.seq = input.seq.wrapping_add(1000 * stream as u16);
            }
            run.send(&mut c, frame * 10 + stream as u16, &inputs);
        }
    }
    // Stream 1, T0 frames only.
    assert_eq!(run.frames(2), vec![1, 41, 81]);
    assert_eq!(run.changes, vec![(1, layers(1, 0))]);
    run.assert_gapless();
    // All temporal layers of the same stream: from its next switch point
    // (frame 10, T1: a switch point for the decode target with T2).
    c.set_preferred_layers(Ok(RequestedLayers {
        spatial: 1,
        temporal: Some(2),
    }))
    .unwrap();
    for frame in 9..13u16 {
        for (stream, sender) in tx.iter_mut().enumerate() {
            let mut inputs = sender.frame(frame, &l1t3_descriptors(frame, false), false);
            for input in &mut inputs {
                input.stream = stream;
                input.simulcast = true;
                input.seq = input.seq.wrapping_add(1000 * stream as u16);
            }
            run.send(&mut c, frame * 10 + stream as u16, &inputs);
        }
    }
    assert_eq!(run.frames(2)[3..], [101, 111, 121]);
    assert_eq!(run.changes[1..], [(101, layers(1, 2))]);
    run.assert_gapless();
}
