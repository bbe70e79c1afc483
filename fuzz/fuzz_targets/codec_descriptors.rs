//! Codec payload inspection (`ferrosoup::rtp::codecs`): VP8 and VP9
//! payload descriptors, key frame detection for VP8/VP9/H264/H265/AV1, Opus
//! DTX, and the VP8 rewrites used for simulcast (PictureID, TL0PICIDX, and
//! widening a 1-byte PictureID inside an RTP packet). Input: one selector
//! byte, two bytes of rewrite values, then the payload.
//!
//! Invariants: descriptors fit in the payload and their fields in their bit
//! widths; a rewrite changes exactly the field it writes; widening keeps
//! the PictureID value and every other field, and moves the rest of the
//! payload by one byte.

#![no_main]

use ferrosoup::rtp::codecs::{self, Codec, Vp8Descriptor};
use ferrosoup::rtp::{write_rtp_header, RtpPacket};
use libfuzzer_sys::fuzz_target;

/// Fields other than the PictureID / TL0PICIDX being rewritten.
fn same_shape(a: &Vp8Descriptor, b: &Vp8Descriptor) {
    assert_eq!(
        (a.extended, a.non_reference, a.start, a.partition_index),
        (b.extended, b.non_reference, b.start, b.partition_index)
    );
    assert_eq!(
        (a.tid, a.layer_sync, a.key_idx),
        (b.tid, b.layer_sync, b.key_idx)
    );
    assert_eq!(a.is_keyframe, b.is_keyframe);
    assert_eq!(a.picture_id.is_some(), b.picture_id.is_some());
}

fn vp8(payload: &[u8], pid: u16, tl0: u8) {
    let Some(d) = codecs::parse_vp8(payload) else {
        assert!(!codecs::is_keyframe(Codec::Vp8, payload));
        return;
    };
    assert!(d.len >= 1 && d.len <= payload.len());
    assert!(d.partition_index <= 7);
    assert!(d.tid.is_none_or(|t| t <= 3));
    assert!(d.key_idx.is_none_or(|k| k <= 31));
    if let Some(p) = d.picture_id {
        assert!(p < if d.two_byte_picture_id { 0x8000 } else { 0x80 });
        let o = d.picture_id_offset().expect("PictureID has an offset");
        assert!(o + 1 + usize::from(d.two_byte_picture_id) <= d.len);
    }
    if d.tl0_pic_idx.is_some() {
        assert!(d.tl0_pic_idx_offset().expect("TL0PICIDX has an offset") < d.len);
    }
    if d.is_keyframe {
        assert!(d.start && d.partition_index == 0 && payload.len() > d.len);
    }
    assert_eq!(codecs::is_keyframe(Codec::Vp8, payload), d.is_keyframe);
    assert_eq!(codecs::layers(Codec::Vp8, payload), (0, d.tid.unwrap_or(0)));

    let mut p = payload.to_vec();
    if d.write_picture_id(&mut p, pid) {
        let d2 = codecs::parse_vp8(&p).expect("still parses");
        let mask = if d.two_byte_picture_id { 0x7fff } else { 0x7f };
        assert_eq!(d2.picture_id, Some(pid & mask));
        assert_eq!(d2.tl0_pic_idx, d.tl0_pic_idx);
        assert_eq!(d2.len, d.len);
        same_shape(&d, &d2);
        assert_eq!(&p[d.len..], &payload[d.len..]);
    } else {
        assert!(d.picture_id.is_none());
        assert_eq!(&p[..], payload);
    }
    let mut p = payload.to_vec();
    if d.write_tl0_pic_idx(&mut p, tl0) {
        let d2 = codecs::parse_vp8(&p).expect("still parses");
        assert_eq!(d2.tl0_pic_idx, Some(tl0));
        assert_eq!(d2.picture_id, d.picture_id);
        same_shape(&d, &d2);
    } else {
        assert!(d.tl0_pic_idx.is_none());
    }

    // Widening inside an RTP packet, with or without room for it.
    for spare in [0usize, 1, 8] {
        let mut buf = vec![0u8; 12 + payload.len() + spare];
        write_rtp_header(&mut buf, 96, true, 1, 2, 3).unwrap();
        buf[12..12 + payload.len()].copy_from_slice(payload);
        let mut pkt = RtpPacket::parse(&mut buf[..], 12 + payload.len()).unwrap();
        match codecs::ensure_two_byte_picture_id(&mut pkt) {
            Ok(Some(w)) => {
                assert!(w.picture_id.is_none() || w.two_byte_picture_id);
                assert_eq!(w.picture_id, d.picture_id);
                assert_eq!(w.tl0_pic_idx, d.tl0_pic_idx);
                same_shape(&d, &w);
                let grew = usize::from(d.picture_id.is_some() && !d.two_byte_picture_id);
                assert_eq!(pkt.payload_len(), payload.len() + grew);
                assert_eq!(w.len, d.len + grew);
                assert_eq!(&pkt.payload()[w.len..], &payload[d.len..]);
            }
            Ok(None) => panic!("a parseable descriptor became unparseable"),
            Err(_) => {
                assert_eq!(spare, 0, "widening failed with room to spare");
                assert_eq!(pkt.payload(), payload);
            }
        }
    }
}

fn vp9(payload: &[u8]) {
    let Some(d) = codecs::parse_vp9(payload) else {
        assert!(!codecs::is_keyframe(Codec::Vp9, payload));
        return;
    };
    if let Some(p) = d.picture_id {
        assert!(p < if d.two_byte_picture_id { 0x8000 } else { 0x80 });
        assert!(d.i);
    }
    assert_eq!(d.tid.is_some(), d.l);
    assert_eq!(d.sid.is_some(), d.l);
    assert!(d.tid.is_none_or(|t| t <= 7) && d.sid.is_none_or(|s| s <= 7));
    assert_eq!(d.tl0_pic_idx.is_some(), d.l && !d.f);
    assert_eq!(codecs::is_keyframe(Codec::Vp9, payload), d.is_keyframe);
    assert_eq!(
        codecs::layers(Codec::Vp9, payload),
        (d.sid.unwrap_or(0), d.tid.unwrap_or(0))
    );
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (head, payload) = data.split_at(3);
    let pid = u16::from_be_bytes([head[1], head[2]]);
    match head[0] % 4 {
        0 => vp8(payload, pid, head[2]),
        1 => vp9(payload),
        _ => {
            // Everything else only classifies; check it is total and cheap.
            let h264 = codecs::h264_is_keyframe(payload);
            assert_eq!(codecs::is_keyframe(Codec::H264, payload), h264);
            if h264 {
                assert!(payload.len() >= 2);
            }
            let h265 = codecs::h265_is_keyframe(payload);
            if h265 {
                assert!(payload.len() >= 3);
            }
            let av1 = codecs::av1_is_keyframe(payload);
            if av1 {
                assert!(!payload.is_empty());
            }
            if codecs::opus_is_dtx(payload) {
                assert!(payload.len() <= 2);
            }
            assert!(!codecs::is_keyframe(Codec::Opus, payload));
            for c in [
                Codec::H264,
                Codec::H265,
                Codec::Av1,
                Codec::Opus,
                Codec::Other,
            ] {
                assert_eq!(codecs::layers(c, payload), (0, 0));
            }
            let mime = String::from_utf8_lossy(payload);
            let _ = codecs::codec_from_mime(&mime);
        }
    }
});
