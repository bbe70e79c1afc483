//! RTP packet view, header extensions and the in-place rewrites of
//! `ferrosoup::rtp`. Input: 8 control bytes (spare capacity, which rewrites
//! to run and their arguments), then the packet.
//!
//! Invariants: a parsed packet's parts add up to its length; every accessor
//! stays inside the packet; every rewrite either fails leaving the packet
//! unchanged or leaves bytes that parse back to what the view says, and
//! rewrites that should preserve the payload (extension block, padding,
//! RTX encode + decode, shift there and back) do.

#![no_main]

use ferrosoup::rtp::{self, codecs, ext, RtpPacket, RtpPacketRef};
use ferrosoup_fuzz::Reader;
use libfuzzer_sys::fuzz_target;

const CONTROL: usize = 8;

fn check_view(p: &RtpPacketRef<'_>) {
    let len = p.len();
    assert!(p.header_len() >= rtp::HEADER_SIZE && p.header_len() <= len);
    assert_eq!(p.header_len() + p.payload_len() + p.padding_len(), len);
    assert_eq!(p.payload().len(), p.payload_len());
    assert_eq!(p.csrcs().count(), p.csrc_count() as usize);
    let block = p.extension_block();
    assert_eq!(block.is_some(), p.has_extension());
    if let Some(b) = block {
        assert!(p.header_len() >= rtp::HEADER_SIZE + 4 * p.csrc_count() as usize + 4 + b.len());
    }
    let mut seen = [false; 256];
    for (id, v) in p.extensions() {
        assert_ne!(id, 0);
        let b = block.expect("elements imply a block");
        // The value is a sub-slice of the block.
        let (bs, vs) = (b.as_ptr() as usize, v.as_ptr() as usize);
        assert!(vs >= bs && vs + v.len() <= bs + b.len());
        if !v.is_empty() && !seen[id as usize] {
            seen[id as usize] = true;
            // `extension(id)` is the first non-empty occurrence.
            assert_eq!(p.extension(id), Some(v));
        }
        let _ = (
            ext::read_mid(v),
            ext::read_rid(v),
            ext::read_abs_send_time(v),
            ext::read_transport_wide_seq(v),
            ext::read_audio_level(v),
            ext::read_video_orientation(v),
            ext::read_playout_delay(v),
            ext::read_toffset(v),
            ext::read_abs_capture_time(v),
        );
    }
    for id in 0..=255u8 {
        if !seen[id as usize] {
            assert_eq!(p.extension(id), None, "id {id}");
        }
    }
    for c in [
        codecs::Codec::Vp8,
        codecs::Codec::Vp9,
        codecs::Codec::H264,
        codecs::Codec::H265,
        codecs::Codec::Av1,
        codecs::Codec::Opus,
    ] {
        let _ = codecs::is_keyframe(c, p.payload());
        let _ = codecs::layers(c, p.payload());
    }
}

/// Parses `buf[..len]` again from scratch and checks it matches `p`.
fn reparse(p: &RtpPacket<'_>) {
    let q = RtpPacketRef::parse(p.data(), p.len()).expect("rewrite left an invalid packet");
    assert_eq!(q.header_len(), p.header_len());
    assert_eq!(q.payload(), p.payload());
    assert_eq!(q.padding_len(), p.padding_len());
    assert_eq!(q.extensions().count(), p.extensions().count());
    check_view(&q);
}

fuzz_target!(|data: &[u8]| {
    if data.len() < CONTROL {
        return;
    }
    let (control, packet) = data.split_at(CONTROL);
    let mut r = Reader::new(control);
    let spare = r.u8() as usize % 80;
    let mut buf = vec![0u8; packet.len() + spare];
    buf[..packet.len()].copy_from_slice(packet);
    let _ = rtp::is_rtp(packet);

    let Ok(mut p) = RtpPacket::parse(&mut buf[..], packet.len()) else {
        // Both forms of the parser agree.
        assert!(RtpPacketRef::parse(packet, packet.len()).is_err());
        return;
    };
    assert_eq!(p.data(), packet);
    check_view(&p.view());

    for _ in 0..3 {
        let before = p.data().to_vec();
        let payload = p.payload().to_vec();
        let (seq, ssrc, ts) = (p.sequence_number(), p.ssrc(), p.timestamp());
        let op = r.u8();
        let arg = r.u8();
        let ok = match op % 3 {
            0 => {
                // RTX: the original sequence number leads the payload.
                let res = p.rtx_encode(arg & 0x7f, ssrc ^ 1, seq ^ 0x5555);
                if res.is_ok() {
                    assert_eq!(p.payload_len(), payload.len() + 2);
                    assert_eq!(&p.payload()[..2], &seq.to_be_bytes());
                    assert_eq!(&p.payload()[2..], &payload[..]);
                    assert_eq!(
                        (p.payload_type(), p.sequence_number(), p.ssrc()),
                        (arg & 0x7f, seq ^ 0x5555, ssrc ^ 1)
                    );
                    assert_eq!(p.timestamp(), ts);
                }
                res.is_ok()
            }
            1 => {
                let offset = arg as usize % (payload.len() + 2);
                let shift = 1 + (arg as usize >> 5);
                let res = p.shift_payload(offset, shift, true);
                if res.is_ok() {
                    p.shift_payload(offset, shift, false)
                        .expect("removing what was inserted");
                    assert_eq!(p.payload(), &payload[..]);
                }
                res.is_ok()
            }
            _ => match codecs::ensure_two_byte_picture_id(&mut p) {
                Ok(Some(d)) => {
                    assert!(d.picture_id.is_none() || d.two_byte_picture_id);
                    assert!(d.len <= p.payload_len());
                    true
                }
                Ok(None) => true,
                Err(_) => false,
            },
        };
        if !ok {
            // Failed rewrites leave the packet as it was.
            assert_eq!(p.data(), &before[..], "op {}", op % 3);
        }
        reparse(&p);
        if let Some(v) = p.extension_mut(arg & 0x0f) {
            let _ = ext::write_transport_wide_seq(v, 7);
            let _ = ext::write_abs_send_time(v, 123_456);
            let _ = ext::write_text(v, "x");
        }
        p.set_marker(arg & 1 == 1);
        p.set_payload_type(arg);
        p.set_sequence_number(seq.wrapping_add(1));
        p.set_timestamp(ts.wrapping_add(90));
        p.set_ssrc(ssrc.wrapping_add(1));
        reparse(&p);
    }
});
