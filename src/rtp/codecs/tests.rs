use super::*;
use crate::rtp::RtpPacket;

#[test]
fn mime_mapping() {
    assert_eq!(codec_from_mime("video/VP8"), Codec::Vp8);
    assert_eq!(codec_from_mime("video/vp9"), Codec::Vp9);
    assert_eq!(codec_from_mime("video/H264"), Codec::H264);
    assert_eq!(codec_from_mime("video/H264-SVC"), Codec::H264);
    assert_eq!(codec_from_mime("video/H265"), Codec::H265);
    assert_eq!(codec_from_mime("video/AV1"), Codec::Av1);
    assert_eq!(codec_from_mime("audio/opus"), Codec::Opus);
    assert_eq!(codec_from_mime("audio/multiopus"), Codec::Opus);
    assert_eq!(codec_from_mime("video/rtx"), Codec::Other);
    assert_eq!(codec_from_mime(""), Codec::Other);
}

#[test]
fn vp8_mediasoup_vectors() {
    // TestVP8.cpp "parse payload descriptor".
    let d = parse_vp8(&[0xd0, 0x80, 0x11, 0x00]).unwrap();
    assert!(d.extended && d.start && !d.non_reference);
    assert_eq!(d.partition_index, 0);
    assert_eq!(d.picture_id, Some(17));
    assert!(!d.two_byte_picture_id);
    assert_eq!((d.tl0_pic_idx, d.tid, d.key_idx), (None, None, None));
    assert!(d.is_keyframe);
    assert_eq!(d.len, 3);
    // "parse payload descriptor 2".
    let d = parse_vp8(&[0x88, 0x3e, 0xe4, 0x00]).unwrap();
    assert!(!d.start);
    assert_eq!(d.picture_id, None);
    assert_eq!(d.tid, Some(3));
    assert!(d.layer_sync);
    assert_eq!(d.key_idx, Some(4));
    assert!(!d.is_keyframe);
    // "I flag set but no space for pictureId".
    assert!(parse_vp8(&[0xd0, 0x80]).is_none());
    assert!(parse_vp8(&[]).is_none());
}

// A Chrome-like VP8 simulcast keyframe start: X,S / I,L,T / 2-byte
// PictureID 0x06a / TL0PICIDX 0x12 / TID 0 Y / frame tag (P=0) + start code.
const VP8_KEY: [u8; 12] = [
    0x90, 0xe0, 0x80, 0x6a, 0x12, 0x20, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a,
];
// Same stream, delta frame in temporal layer 2 (frame tag P=1).
const VP8_DELTA: [u8; 9] = [0x90, 0xe0, 0x80, 0x6b, 0x12, 0x80, 0x31, 0x0b, 0x00];

#[test]
fn vp8_keyframe_vs_delta() {
    assert!(is_keyframe(Codec::Vp8, &VP8_KEY));
    assert!(!is_keyframe(Codec::Vp8, &VP8_DELTA));
    let d = parse_vp8(&VP8_KEY).unwrap();
    assert_eq!(d.picture_id, Some(0x6a));
    assert!(d.two_byte_picture_id);
    assert_eq!(d.tl0_pic_idx, Some(0x12));
    assert_eq!(d.tid, Some(0));
    assert!(d.layer_sync);
    assert_eq!(d.len, 6);
    assert_eq!(layers(Codec::Vp8, &VP8_DELTA), (0, 2));
    // Continuation packet of the keyframe (S=0) is not a keyframe start.
    let mut cont = VP8_KEY;
    cont[0] = 0x80;
    assert!(!is_keyframe(Codec::Vp8, &cont));
    // Descriptor without any payload byte: not a keyframe.
    assert!(!is_keyframe(Codec::Vp8, &VP8_KEY[..6]));
    // Minimal descriptor without X (accepted, unlike mediasoup).
    assert!(is_keyframe(Codec::Vp8, &[0x10, 0x50, 0x2a]));
}

#[test]
fn vp8_rewrite_fields() {
    let mut p = VP8_KEY;
    let d = parse_vp8(&p).unwrap();
    assert!(d.write_picture_id(&mut p, 0x7abc));
    assert!(d.write_tl0_pic_idx(&mut p, 0x99));
    let d2 = parse_vp8(&p).unwrap();
    assert_eq!(d2.picture_id, Some(0x7abc));
    assert_eq!(d2.tl0_pic_idx, Some(0x99));
    assert!(d2.is_keyframe);
    // One-byte picture id form.
    let mut p = [0xd0, 0xc0, 0x11, 0x05, 0x00];
    let d = parse_vp8(&p).unwrap();
    assert_eq!(d.tl0_pic_idx_offset(), Some(3));
    assert!(d.write_picture_id(&mut p, 0x1ff));
    assert_eq!(parse_vp8(&p).unwrap().picture_id, Some(0x7f));
    assert!(!parse_vp8(&[0x10, 0x00])
        .unwrap()
        .write_picture_id(&mut [0x10, 0x00], 1));
}

#[test]
fn vp8_expand_one_byte_picture_id() {
    let mut buf = [0u8; 64];
    let pkt = [
        0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, // header
        0xd0, 0xc0, 0x11, 0x05, 0x50, 0xaa, // VP8: 1-byte pid 17, tl0 5
    ];
    buf[..pkt.len()].copy_from_slice(&pkt);
    let mut p = RtpPacket::parse(&mut buf, pkt.len()).unwrap();
    let d = ensure_two_byte_picture_id(&mut p).unwrap().unwrap();
    assert!(d.two_byte_picture_id);
    assert_eq!(d.picture_id, Some(17));
    assert_eq!(d.tl0_pic_idx, Some(5));
    assert!(d.is_keyframe);
    assert_eq!(p.payload(), &[0xd0, 0xc0, 0x80, 0x11, 0x05, 0x50, 0xaa]);
    // Already two-byte: unchanged.
    let d = ensure_two_byte_picture_id(&mut p).unwrap().unwrap();
    assert_eq!(p.payload_len(), 7);
    assert_eq!(d.picture_id, Some(17));
}

#[test]
fn vp9_descriptor() {
    // mediasoup TestVP9 CreateVP9Packet: 0xAD = I,L,B,E,... pid 2-byte, tid.
    let d = parse_vp9(&[0xAD, 0xFF, 0xFF, 0x40, 0x00, 0x00]).unwrap();
    assert!(d.i && d.l && d.b && d.e && !d.p && !d.f);
    assert_eq!(d.picture_id, Some(0x7FFF));
    assert_eq!(d.tid, Some(2));
    assert_eq!(d.sid, Some(0));
    assert_eq!(d.tl0_pic_idx, Some(0));
    assert!(d.is_keyframe);
    // Layer byte: TID 1, U, SID 2, D; P set -> not keyframe.
    let d = parse_vp9(&[0xE8, 0x05, 0x35, 0x07]).unwrap();
    assert_eq!(d.picture_id, Some(5));
    assert_eq!((d.tid, d.sid), (Some(1), Some(2)));
    assert!(d.switching_up_point && d.inter_layer_dependency);
    assert!(!d.is_keyframe);
    assert_eq!(layers(Codec::Vp9, &[0xE8, 0x05, 0x35, 0x07]), (2, 1));
    // B without L: keyframe when not predicted.
    assert!(is_keyframe(Codec::Vp9, &[0x08]));
    assert!(!is_keyframe(Codec::Vp9, &[0x48]));
    // Spatial layer 1 of a keyframe is not the keyframe start.
    assert!(!is_keyframe(Codec::Vp9, &[0x28, 0x02, 0x00]));
    // Truncated.
    assert!(parse_vp9(&[0x80]).is_none());
    assert!(parse_vp9(&[0xA0, 0x80]).is_none());
    assert!(parse_vp9(&[0x20, 0x00]).is_none()); // L without TL0PICIDX (non-flexible)
    assert!(parse_vp9(&[0x30, 0x00]).is_some()); // flexible mode: no TL0PICIDX
}

#[test]
fn h264_keyframes() {
    // mediasoup TestH264 vector: single NAL SPS.
    assert!(h264_is_keyframe(&[0x07, 0x80, 0x11, 0x00]));
    // Single NAL: SPS (0x67), IDR slice (0x65) vs non-IDR slice (0x41).
    assert!(is_keyframe(Codec::H264, &[0x67, 0x42, 0xc0, 0x1f, 0xda]));
    assert!(is_keyframe(Codec::H264, &[0x65, 0x88, 0x84, 0x00]));
    assert!(!is_keyframe(Codec::H264, &[0x41, 0x9a, 0x02, 0x04]));
    // STAP-A with SPS + PPS.
    let stap = [
        0x78, 0x00, 0x04, 0x67, 0x42, 0xc0, 0x1f, 0x00, 0x02, 0x68, 0xce,
    ];
    assert!(is_keyframe(Codec::H264, &stap));
    // STAP-A with an SEI then an IDR slice.
    let stap2 = [0x78, 0x00, 0x02, 0x06, 0x05, 0x00, 0x03, 0x65, 0x88, 0x80];
    assert!(is_keyframe(Codec::H264, &stap2));
    // STAP-A with only non-IDR slices, and a truncated one.
    assert!(!is_keyframe(
        Codec::H264,
        &[0x78, 0x00, 0x02, 0x41, 0x9a, 0x00, 0x02, 0x41, 0x9b]
    ));
    assert!(!is_keyframe(Codec::H264, &[0x78, 0x00, 0x09, 0x41, 0x9a]));
    assert!(!is_keyframe(Codec::H264, &[0x78, 0xff]));
    // FU-A: start fragment of an IDR vs middle fragment vs non-IDR start.
    assert!(is_keyframe(Codec::H264, &[0x7c, 0x85, 0x88, 0x84]));
    assert!(!is_keyframe(Codec::H264, &[0x7c, 0x05, 0x88, 0x84]));
    assert!(!is_keyframe(Codec::H264, &[0x7c, 0x81, 0x9a, 0x02]));
    assert!(!is_keyframe(Codec::H264, &[0x7c]));
    assert!(!is_keyframe(Codec::H264, &[]));
}

#[test]
fn h265_av1_opus() {
    // H265 single NAL: IDR_W_RADL (19) = 0x26 0x01; TRAIL_R (1) = 0x02 0x01.
    assert!(is_keyframe(Codec::H265, &[0x26, 0x01, 0xaf]));
    assert!(!is_keyframe(Codec::H265, &[0x02, 0x01, 0xd0]));
    // AP (48 -> 0x60 0x01) with VPS (32 -> 0x40 0x01).
    assert!(is_keyframe(
        Codec::H265,
        &[0x60, 0x01, 0x00, 0x03, 0x40, 0x01, 0x0c]
    ));
    // FU (49 -> 0x62 0x01), start of IDR_N_LP (20).
    assert!(is_keyframe(Codec::H265, &[0x62, 0x01, 0x94, 0xaa]));
    assert!(!is_keyframe(Codec::H265, &[0x62, 0x01, 0x14, 0xaa]));
    // AV1 aggregation header: N=1,Z=0 vs N=0 and Z=1.
    assert!(is_keyframe(Codec::Av1, &[0x18, 0x0a]));
    assert!(!is_keyframe(Codec::Av1, &[0x10, 0x0a]));
    assert!(!is_keyframe(Codec::Av1, &[0x98, 0x0a]));
    assert!(!is_keyframe(Codec::Opus, &[0x78, 0x01]));
    assert!(opus_is_dtx(&[0x78]));
    assert!(opus_is_dtx(&[0x7a, 0x00]));
    assert!(!opus_is_dtx(&[0x78, 0x01]));
    assert!(!opus_is_dtx(&[0x7b, 0x00]));
    assert!(!opus_is_dtx(&[]));
}

#[test]
fn codecs_never_panic_on_short_or_random_input() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut buf = [0u8; 24];
    for _ in 0..20_000 {
        let n = rng.gen_range(0..buf.len());
        rng.fill(&mut buf[..n]);
        for c in [
            Codec::Vp8,
            Codec::Vp9,
            Codec::H264,
            Codec::H265,
            Codec::Av1,
            Codec::Opus,
        ] {
            let _ = is_keyframe(c, &buf[..n]);
            let _ = layers(c, &buf[..n]);
        }
        if let Some(d) = parse_vp8(&buf[..n]) {
            let mut copy = buf;
            let _ = d.write_picture_id(&mut copy[..n], 0xffff);
            let _ = d.write_tl0_pic_idx(&mut copy[..n], 1);
        }
        let _ = opus_is_dtx(&buf[..n]);
    }
}
