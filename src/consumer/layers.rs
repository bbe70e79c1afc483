//! Which packets of a layered stream a simulcast or SVC consumer forwards,
//! packet by packet, and how it renumbers what the receiver's decoder
//! tracks. The rules are mediasoup's codec encoding contexts:
//!
//! - VP8 (temporal layers): a packet of a temporal layer above the target
//!   is dropped, and so is one above the layer being sent unless it is a
//!   layer sync point (Y bit); the PictureIDs of dropped frames are taken
//!   out of the numbering, so the receiver sees no missing picture.
//!   PictureID and TL0PICIDX also continue across stream switches.
//! - VP9 (spatial and temporal layers in one stream): spatial layers above
//!   the current one are dropped; the current one moves up on a key frame,
//!   down at the end of a frame of the target layer (K-SVC: on a key frame
//!   only, and inter-picture predicted frames of other spatial layers are
//!   dropped); temporal layers move up at a switching point (U bit) and
//!   down at the end of a frame of the target layer. The marker bit is set
//!   on the end of each frame of the spatial layer being sent.
//! - AV1, and H264 when it carries one: layers come from the Dependency
//!   Descriptor extension (resolved by the producer, `DdFrame`). Spatial
//!   layers move as VP9's (up on a key frame, down at the end of a frame of
//!   the target layer; K-SVC: on a key frame, and frames not part of the
//!   decode target being sent are dropped); temporal layers move up at the
//!   start of a frame that is a switch point (DTI "S") for the decode target
//!   aimed at, and down at the end of a frame at or below the target. The
//!   marker bit is set on the end of each frame of the spatial layer sent
//!   (AV1). mediasoup 3.27 moves the temporal layer up at any packet of a
//!   higher layer (its VP9 rule without the U bit), which can forward a
//!   frame whose reference was dropped, and resets the temporal layer to 0
//!   on a spatial switch; here that happens only where the descriptor maps
//!   no decode target to the layers (then: at the start of a frame of a
//!   higher layer, capped by the target). The extension itself is left as
//!   received (mediasoup 3.27.1 does not rewrite it either, and only pipe
//!   consumers carry it).
//! - H264 without the extension, and AV1 without it: no layer information;
//!   everything is forwarded.
//!
//! Layers are `i16` with -1 meaning "none", as in mediasoup, so that "a
//! target above the current layer" holds before anything was sent.

use crate::rtp::codecs::{parse_vp8, parse_vp9, Codec, DdFrame, Vp8Descriptor};
use crate::rtp_stream::seq::{is_seq_higher_than_in, is_seq_lower_than_in};
use crate::rtp_stream::SeqManager;

/// 15-bit VP8/VP9 PictureID space.
const PICTURE_ID_MAX: u16 = 0x7fff;
/// 7-bit (one-byte) PictureID space.
const SHORT_PICTURE_ID_MAX: u16 = 0x7f;

/// The VP8 PictureID and TL0PICIDX a packet was sent with, written again
/// into its retransmissions.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(super) struct Vp8Ids {
    pub picture_id: Option<u16>,
    pub tl0_pic_idx: Option<u8>,
}

impl Vp8Ids {
    pub fn is_empty(self) -> bool {
        self.picture_id.is_none() && self.tl0_pic_idx.is_none()
    }

    /// Writes the values into the descriptor of `payload` (the PictureID
    /// only in its 2-byte form).
    pub fn apply(self, payload: &mut [u8]) {
        if self.is_empty() {
            return;
        }
        let Some(d) = parse_vp8(payload) else {
            return;
        };
        if let (Some(p), true) = (self.picture_id, d.two_byte_picture_id) {
            d.write_picture_id(payload, p);
        }
        if let (Some(t), Some(_)) = (self.tl0_pic_idx, d.tl0_pic_idx) {
            d.write_tl0_pic_idx(payload, t);
        }
    }
}

/// VP8 PictureID / TL0PICIDX numbering of what a consumer sends.
///
/// Every simulcast encoding numbers its frames (PictureID) and base layer
/// frames (TL0PICIDX) on its own (Chromium: from a random start, and an
/// encoding it paused resumes behind the others). Forwarded as they are, a
/// switch makes both jump, and when they jump back a receiver's reference
/// finder (libwebrtc keeps state per TL0PICIDX, which the switch's key
/// frame does not reset for the indexes after its own) drops the frames
/// that follow the key frame: the video freezes for seconds. So the key
/// frame that starts a stream continues where the last one sent ended.
/// Frames of dropped temporal layers are taken out of the PictureID
/// sequence the same way sequence numbers of dropped packets are.
/// One-byte PictureIDs are left alone (browsers send two-byte ones).
#[derive(Debug)]
pub(super) struct Vp8Continuity {
    picture_id: SeqManager<u16>,
    tl0_pic_idx: SeqManager<u8>,
    /// The next packet re-bases both numberings.
    sync_pending: bool,
}

impl Default for Vp8Continuity {
    fn default() -> Self {
        Vp8Continuity {
            picture_id: SeqManager::with_bits(15, 0),
            tl0_pic_idx: SeqManager::new(0),
            sync_pending: false,
        }
    }
}

impl Vp8Continuity {
    /// The PictureID as this context handles it (2-byte form only).
    fn picture_id_of(d: &Vp8Descriptor) -> Option<u16> {
        d.picture_id.filter(|_| d.two_byte_picture_id)
    }

    /// On the first packet after a (re)start: its values follow the last
    /// ones sent (the very first stream keeps its own values).
    fn sync(&mut self, d: &Vp8Descriptor) {
        let picture_id = Self::picture_id_of(d);
        if picture_id.is_none() && d.tl0_pic_idx.is_none() {
            return;
        }
        self.sync_pending = false;
        if let Some(p) = picture_id.filter(|_| self.picture_id.started()) {
            self.picture_id.sync(p.wrapping_sub(1) & PICTURE_ID_MAX);
        }
        if let Some(t) = d.tl0_pic_idx.filter(|_| self.tl0_pic_idx.started()) {
            self.tl0_pic_idx.sync(t.wrapping_sub(1));
        }
    }

    /// Takes a frame out of the numbering.
    fn drop_frame(&mut self, picture_id: u16, tl0_pic_idx: u8, tid: u8) {
        self.picture_id.drop(picture_id);
        if tid == 0 {
            self.tl0_pic_idx.drop(tl0_pic_idx);
        }
    }
}

/// What the consumer has seen of a VP9 stream's PictureIDs: enough to tell
/// a late packet of an earlier picture (forwarded without layer checks)
/// from a new one.
#[derive(Debug, Default)]
pub(super) struct Vp9Pictures {
    max_picture_id: Option<u16>,
    sync_pending: bool,
}

#[derive(Debug)]
enum CodecContext {
    Vp8(Vp8Continuity),
    Vp9(Vp9Pictures),
    /// Layers from the Dependency Descriptor, if the packets carry one.
    H264,
    Av1,
    /// Not inspected: every packet is forwarded.
    Opaque,
}

/// What forwarding a packet changes in it.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(super) struct Processed {
    /// Ends a frame of the spatial layer being sent: set the marker bit.
    pub marker: bool,
    /// VP8 values to write into the descriptor.
    pub vp8: Vp8Ids,
}

/// A consumer's layer state: what it aims at (target), what it sends
/// (current), and the codec's numbering.
#[derive(Debug)]
pub(super) struct EncodingContext {
    spatial_layers: i16,
    temporal_layers: i16,
    ksvc: bool,
    target_spatial: i16,
    target_temporal: i16,
    current_spatial: i16,
    current_temporal: i16,
    codec: CodecContext,
}

impl EncodingContext {
    pub fn new(codec: Codec, spatial_layers: u8, temporal_layers: u8, ksvc: bool) -> Self {
        EncodingContext {
            spatial_layers: i16::from(spatial_layers.max(1)),
            temporal_layers: i16::from(temporal_layers.max(1)),
            ksvc,
            target_spatial: -1,
            target_temporal: -1,
            current_spatial: -1,
            current_temporal: -1,
            codec: match codec {
                Codec::Vp8 => CodecContext::Vp8(Vp8Continuity::default()),
                Codec::Vp9 => CodecContext::Vp9(Vp9Pictures::default()),
                Codec::H264 => CodecContext::H264,
                Codec::Av1 => CodecContext::Av1,
                _ => CodecContext::Opaque,
            },
        }
    }

    pub fn is_ksvc(&self) -> bool {
        self.ksvc
    }

    pub fn target_spatial(&self) -> i16 {
        self.target_spatial
    }

    pub fn current_spatial(&self) -> i16 {
        self.current_spatial
    }

    pub fn current_temporal(&self) -> i16 {
        self.current_temporal
    }

    pub fn set_target_spatial(&mut self, layer: u8) {
        self.target_spatial = i16::from(layer);
    }

    pub fn set_target_temporal(&mut self, layer: u8) {
        self.target_temporal = i16::from(layer);
    }

    pub fn set_current_spatial(&mut self, layer: u8) {
        self.current_spatial = i16::from(layer);
    }

    pub fn set_current_temporal(&mut self, layer: u8) {
        self.current_temporal = i16::from(layer);
    }

    /// The consumer (re)starts on the next packet: the codec's numbering
    /// continues from what was sent.
    pub fn sync_required(&mut self) {
        match &mut self.codec {
            CodecContext::Vp8(vp8) => vp8.sync_pending = true,
            CodecContext::Vp9(vp9) => vp9.sync_pending = true,
            CodecContext::H264 | CodecContext::Av1 | CodecContext::Opaque => {}
        }
    }

    /// Decides about one packet of the stream being sent (`payload`: its
    /// RTP payload; `dd`: its Dependency Descriptor as the producer resolved
    /// it). `None`: not forwarded (the caller drops its sequence number).
    pub fn process(&mut self, payload: &[u8], dd: Option<&DdFrame>) -> Option<Processed> {
        match (&self.codec, dd) {
            (CodecContext::Vp8(_), _) => self.process_vp8(payload),
            (CodecContext::Vp9(_), _) => self.process_vp9(payload),
            (CodecContext::H264, Some(dd)) => self.process_dd(dd, false),
            (CodecContext::Av1, Some(dd)) => self.process_dd(dd, true),
            (CodecContext::H264 | CodecContext::Av1, None) => {
                // No layer information: a single layer. (Layers once known
                // from descriptors are kept: a packet whose descriptor could
                // not be resolved says nothing about them.)
                if payload.len() >= 2 {
                    self.current_temporal = self.current_temporal.max(0);
                    self.current_spatial = self.current_spatial.max(0);
                }
                Some(Processed::default())
            }
            (CodecContext::Opaque, _) => Some(Processed::default()),
        }
    }

    /// Layer selection from a Dependency Descriptor (AV1; H264 with
    /// `spatial` false: one spatial layer, the stream, which a simulcast
    /// consumer picks).
    fn process_dd(&mut self, dd: &DdFrame, spatial_layers: bool) -> Option<Processed> {
        let sid = i16::from(dd.spatial);
        let tid = i16::from(dd.temporal);
        if tid >= self.temporal_layers || (spatial_layers && sid >= self.spatial_layers) {
            return None;
        }
        let mut spatial = self.current_spatial;
        let mut temporal = self.current_temporal;
        if spatial_layers {
            if self.target_spatial > spatial {
                // Up: a key frame is a switch point for every layer.
                if dd.key_frame {
                    spatial = self.target_spatial;
                    temporal = 0;
                }
            } else if self.target_spatial < spatial {
                // Down: full SVC at the end of a frame of the target layer
                // (its frames were all sent); K-SVC at a key frame (they
                // were not). The temporal layers sent stay the same.
                let switch = if self.ksvc {
                    dd.key_frame
                } else {
                    sid == self.target_spatial && dd.end_of_frame
                };
                if switch {
                    spatial = self.target_spatial;
                }
            }
            if sid > spatial {
                return None;
            }
        } else {
            spatial = spatial.max(0);
        }
        // The decode target being sent is (dt_spatial, temporal).
        let dt_spatial = if spatial_layers {
            u8::try_from(spatial).unwrap_or(0)
        } else {
            dd.spatial
        };
        if self.target_temporal > temporal {
            if dd.start_of_frame {
                let mut mapped = false;
                let mut up = None;
                for t in (temporal + 1..=self.target_temporal).rev() {
                    let t = u8::try_from(t).unwrap_or(0);
                    if dd.decode_target_layers.contains(dt_spatial, t) {
                        mapped = true;
                        if dd.switch_layers.contains(dt_spatial, t) {
                            up = Some(i16::from(t));
                            break;
                        }
                    }
                }
                match up {
                    Some(t) => temporal = t,
                    None if !mapped && tid > temporal && tid <= self.target_temporal => {
                        temporal = tid;
                    }
                    None => {}
                }
            }
        } else if self.target_temporal < temporal && tid <= self.target_temporal && dd.end_of_frame
        {
            temporal = self.target_temporal;
        }
        if tid > temporal {
            return None;
        }
        // K-SVC: a frame of another spatial layer that the decode target
        // being sent does not need (delta frames of the lower layers).
        if self.ksvc && spatial_layers {
            let t = u8::try_from(temporal).unwrap_or(0);
            if dd.decode_target_layers.contains(dt_spatial, t)
                && !dd.present_layers.contains(dt_spatial, t)
            {
                return None;
            }
        }
        self.current_spatial = spatial;
        self.current_temporal = temporal;
        Some(Processed {
            marker: spatial_layers && sid == spatial && dd.end_of_frame,
            vp8: Vp8Ids::default(),
        })
    }

    fn process_vp8(&mut self, payload: &[u8]) -> Option<Processed> {
        let CodecContext::Vp8(vp8) = &mut self.codec else {
            return None;
        };
        // Without the extension byte there is nothing to filter or rewrite.
        let Some(d) = parse_vp8(payload).filter(|d| d.extended) else {
            return Some(Processed::default());
        };
        if vp8.sync_pending {
            vp8.sync(&d);
        }
        let picture_id = Vp8Continuity::picture_id_of(&d);
        if let (Some(p), Some(tid), Some(tl0)) = (picture_id, d.tid, d.tl0_pic_idx) {
            // A new picture (not a late packet of an earlier one).
            if !is_seq_lower_than_in(p, vp8.picture_id.max_input(), PICTURE_ID_MAX) {
                let layer = i16::from(tid);
                let above_target = layer > self.target_temporal;
                // Up only where the frame depends on no frame of the layers
                // not sent: a layer sync or a key frame (or nothing was sent
                // yet: an SVC consumer's start).
                let can_switch = d.layer_sync || d.is_keyframe || self.current_temporal < 0;
                let needs_sync = layer > self.current_temporal && !can_switch;
                if above_target || needs_sync {
                    vp8.drop_frame(p, tl0, tid);
                    return None;
                }
            }
        }
        let ids = Vp8Ids {
            picture_id: match picture_id {
                Some(p) => Some(vp8.picture_id.input(p)?),
                None => None,
            },
            tl0_pic_idx: match d.tl0_pic_idx {
                Some(t) => Some(vp8.tl0_pic_idx.input(t)?),
                None => None,
            },
        };
        match d.tid {
            Some(tid) if i16::from(tid) > self.current_temporal => {
                self.current_temporal = i16::from(tid);
            }
            Some(_) => {}
            None => self.current_temporal = 0,
        }
        self.current_temporal = self.current_temporal.min(self.target_temporal.max(0));
        self.current_spatial = self.current_spatial.max(0);
        Some(Processed {
            marker: false,
            vp8: ids,
        })
    }

    fn process_vp9(&mut self, payload: &[u8]) -> Option<Processed> {
        let CodecContext::Vp9(vp9) = &mut self.codec else {
            return None;
        };
        let Some(d) = parse_vp9(payload) else {
            return Some(Processed::default());
        };
        let sid = i16::from(d.sid.unwrap_or(0));
        let tid = i16::from(d.tid.unwrap_or(0));
        if sid >= self.spatial_layers || tid >= self.temporal_layers {
            return None;
        }
        let picture_id_max = if d.two_byte_picture_id {
            PICTURE_ID_MAX
        } else {
            SHORT_PICTURE_ID_MAX
        };
        if let (true, Some(p)) = (vp9.sync_pending, d.picture_id) {
            vp9.max_picture_id = Some(p.wrapping_sub(1) & picture_id_max);
            vp9.sync_pending = false;
        }
        let is_old = match (d.picture_id, vp9.max_picture_id) {
            (Some(p), Some(max)) => is_seq_lower_than_in(p, max, picture_id_max),
            _ => false,
        };
        let mut spatial = self.current_spatial;
        let mut temporal = self.current_temporal;
        if self.target_spatial > self.current_spatial {
            // Up: only where no lower picture is needed.
            if d.is_keyframe {
                spatial = self.target_spatial;
                temporal = 0;
            }
        } else if self.target_spatial < self.current_spatial {
            // Down: K-SVC layers depend on each other at key frames only;
            // in full SVC the lower layer is complete at its frame's end.
            let switch = if self.ksvc {
                d.is_keyframe
            } else {
                sid == self.target_spatial && d.e
            };
            if switch {
                spatial = self.target_spatial;
                temporal = 0;
            }
        }
        if !is_old && (sid > spatial || (self.ksvc && d.p && sid != spatial)) {
            return None;
        }
        if !is_old {
            if self.target_temporal > self.current_temporal {
                // (mediasoup moves to the packet's layer even when it is
                // above the target, and back at the next frame end of the
                // target layer: here the target caps it.)
                let up = tid > self.current_temporal
                    && tid <= self.target_temporal
                    && (self.current_temporal == -1 || d.switching_up_point)
                    && d.b;
                if up {
                    temporal = tid;
                }
            } else if self.target_temporal < self.current_temporal
                && tid == self.target_temporal
                && d.e
            {
                temporal = self.target_temporal;
            }
            if tid > temporal {
                return None;
            }
        }
        if let Some(p) = d.picture_id {
            if vp9
                .max_picture_id
                .is_none_or(|max| is_seq_higher_than_in(p, max, picture_id_max))
            {
                vp9.max_picture_id = Some(p);
            }
        }
        self.current_spatial = spatial;
        self.current_temporal = temporal;
        Some(Processed {
            marker: sid == spatial && d.e,
            vp8: Vp8Ids::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::codecs::dependency_descriptor::LayerSet;

    /// VP8 descriptor with a 2-byte PictureID, TL0PICIDX and TID (Y bit),
    /// then a VP8 payload header byte (P = 0: key frame).
    fn vp8(picture_id: u16, tl0: u8, tid: u8, sync: bool, key: bool) -> Vec<u8> {
        vec![
            0x90,
            0xe0,
            0x80 | (picture_id >> 8) as u8,
            picture_id as u8,
            tl0,
            (tid << 6) | if sync { 0x20 } else { 0 },
            if key { 0x00 } else { 0x01 },
        ]
    }

    fn ids(payload: &[u8]) -> (u16, u8) {
        let d = parse_vp8(payload).unwrap();
        (d.picture_id.unwrap(), d.tl0_pic_idx.unwrap())
    }

    /// A VP8 context forwarding temporal layers up to `target`, started on
    /// a key frame's TID 0 as a consumer does.
    fn vp8_context(target: u8) -> EncodingContext {
        let mut ctx = EncodingContext::new(Codec::Vp8, 1, 3, false);
        ctx.set_target_spatial(0);
        ctx.set_target_temporal(target);
        ctx.set_current_spatial(0);
        ctx.set_current_temporal(0);
        ctx
    }

    /// Forwards `p` (rewritten in place) or returns None.
    fn run(ctx: &mut EncodingContext, mut p: Vec<u8>) -> Option<Vec<u8>> {
        let processed = ctx.process(&p, None)?;
        processed.vp8.apply(&mut p);
        Some(p)
    }

    #[test]
    fn vp8_ids_continue_across_a_stream_switch() {
        let mut ctx = vp8_context(2);
        // First stream: forwarded unchanged (TID 0 only here).
        ctx.sync_required();
        for (pid, tl0) in [(0x7ffe, 254), (0x7fff, 255), (0, 0)] {
            let p = run(&mut ctx, vp8(pid, tl0, 0, false, pid == 0x7ffe)).unwrap();
            assert_eq!(ids(&p), (pid, tl0));
        }
        // Switch to a stream whose values are behind: its key frame follows
        // the last ones sent, and its next frames follow that.
        ctx.sync_required();
        let key = run(&mut ctx, vp8(100, 7, 0, false, true)).unwrap();
        assert_eq!(ids(&key), (1, 1));
        let next = run(&mut ctx, vp8(101, 8, 0, false, false)).unwrap();
        assert_eq!(ids(&next), (2, 2));
        // A late packet of an earlier picture keeps its place.
        let old = run(&mut ctx, vp8(100, 7, 0, false, false)).unwrap();
        assert_eq!(ids(&old), (1, 1));
        // One-byte PictureIDs are left alone (TL0PICIDX still follows).
        let short = run(&mut ctx, vec![0x90, 0xc0, 0x05, 9, 0x01]).unwrap();
        let d = parse_vp8(&short).unwrap();
        assert_eq!((d.picture_id, d.tl0_pic_idx), (Some(5), Some(3)));
    }

    #[test]
    fn vp8_frames_above_the_target_temporal_layer_leave_no_picture_id_gap() {
        // L1T3: TID 0, 2, 1, 2, ... with TL0PICIDX counting TID 0 frames.
        let mut ctx = vp8_context(0);
        ctx.sync_required();
        let mut sent = Vec::new();
        for pid in 1000u16..1012 {
            let tid = [0, 2, 1, 2][pid as usize % 4];
            let tl0 = (pid / 4) as u8;
            if let Some(p) = run(&mut ctx, vp8(pid, tl0, tid, tid > 0, pid == 1000)) {
                sent.push(ids(&p));
            }
        }
        assert_eq!(sent, vec![(1000, 250), (1001, 251), (1002, 252)]);
        assert_eq!(ctx.current_temporal(), 0);
        // Raising the target: TID 1 goes out from its next sync frame.
        ctx.set_target_temporal(1);
        let mut out = Vec::new();
        for pid in 1012u16..1020 {
            let tid = [0, 2, 1, 2][pid as usize % 4];
            let sync = pid == 1018;
            if let Some(p) = run(&mut ctx, vp8(pid, (pid / 4) as u8, tid, sync, false)) {
                out.push((ids(&p).0, tid));
            }
        }
        // 1014 (TID 1, no Y bit) is held back; 1018 (Y) upgrades.
        assert_eq!(out, vec![(1003, 0), (1004, 0), (1005, 1)]);
        assert_eq!(ctx.current_temporal(), 1);
        // Lowering it: the current layer follows on the next packet sent.
        ctx.set_target_temporal(0);
        let p = run(&mut ctx, vp8(1020, 255, 0, false, false)).unwrap();
        assert_eq!(ids(&p), (1006, 255));
        assert_eq!(ctx.current_temporal(), 0);
        for (pid, tid) in [(1021u16, 2u8), (1022, 1), (1023, 2)] {
            assert!(run(&mut ctx, vp8(pid, 255, tid, true, false)).is_none());
        }
        let p = run(&mut ctx, vp8(1024, 0, 0, false, false)).unwrap();
        assert_eq!(ids(&p), (1007, 0));
    }

    /// VP9 flexible-off descriptor: I (2-byte PictureID), P, L, B, E; then
    /// TID/U/SID/D and TL0PICIDX.
    #[allow(clippy::too_many_arguments)]
    fn vp9(pid: u16, inter: bool, b: bool, e: bool, tid: u8, u: bool, sid: u8, tl0: u8) -> Vec<u8> {
        let mut first = 0x80 | 0x20;
        if inter {
            first |= 0x40;
        }
        if b {
            first |= 0x08;
        }
        if e {
            first |= 0x04;
        }
        let layer = (tid << 5) | if u { 0x10 } else { 0 } | (sid << 1) | u8::from(sid > 0);
        vec![first, 0x80 | (pid >> 8) as u8, pid as u8, layer, tl0, 0]
    }

    fn vp9_context(ksvc: bool, target: (u8, u8)) -> EncodingContext {
        let mut ctx = EncodingContext::new(Codec::Vp9, 3, 3, ksvc);
        ctx.set_target_spatial(target.0);
        ctx.set_target_temporal(target.1);
        ctx.sync_required();
        ctx
    }

    #[test]
    fn vp9_drops_layers_above_the_target_and_marks_the_last_one_sent() {
        let mut ctx = vp9_context(false, (1, 0));
        // Key picture: three spatial layers, one packet each.
        let mut marks = Vec::new();
        for sid in 0..3u8 {
            let p = vp9(10, false, true, true, 0, false, sid, 0);
            marks.push(ctx.process(&p, None).map(|r| r.marker));
        }
        assert_eq!(marks, vec![Some(false), Some(true), None]);
        assert_eq!((ctx.current_spatial(), ctx.current_temporal()), (1, 0));
        // TID 2 and 1 pictures are dropped at target temporal 0.
        for (pid, tid) in [(11u16, 2u8), (12, 1), (13, 2)] {
            for sid in 0..3 {
                assert!(ctx
                    .process(&vp9(pid, true, true, true, tid, true, sid, 0), None)
                    .is_none());
            }
        }
    }

    #[test]
    fn ksvc_drops_inter_frames_of_other_spatial_layers() {
        let mut ctx = vp9_context(true, (2, 2));
        for sid in 0..3u8 {
            assert!(ctx
                .process(&vp9(1, false, true, true, 0, false, sid, 0), None)
                .is_some());
        }
        assert_eq!(ctx.current_spatial(), 2);
        // Inter pictures: only the top layer's frames go out.
        let sent: Vec<bool> = (0..3u8)
            .map(|sid| {
                ctx.process(&vp9(2, true, true, true, 0, false, sid, 1), None)
                    .is_some()
            })
            .collect();
        assert_eq!(sent, vec![false, false, true]);
        // Down to layer 0: not before a key frame.
        ctx.set_target_spatial(0);
        assert!(ctx
            .process(&vp9(3, true, true, true, 0, false, 0, 2), None)
            .is_none());
        assert!(ctx
            .process(&vp9(3, true, true, true, 0, false, 2, 2), None)
            .is_some());
        let key = ctx
            .process(&vp9(4, false, true, true, 0, false, 0, 3), None)
            .unwrap();
        assert!(key.marker);
        assert_eq!(ctx.current_spatial(), 0);
        assert!(ctx
            .process(&vp9(4, false, true, true, 0, false, 1, 3), None)
            .is_none());
    }

    fn dd(sid: u8, tid: u8, sof: bool, eof: bool, key: bool) -> DdFrame {
        DdFrame {
            start_of_frame: sof,
            end_of_frame: eof,
            key_frame: key,
            spatial: sid,
            temporal: tid,
            ..DdFrame::default()
        }
    }

    fn layer_set(layers: &[(u8, u8)]) -> LayerSet {
        let mut set = LayerSet::default();
        for &(s, t) in layers {
            set.insert(s, t);
        }
        set
    }

    #[test]
    fn descriptor_without_decode_target_layers_moves_up_at_frame_starts() {
        // A structure whose decode targets say nothing of these layers:
        // mediasoup's rule, capped by the target and at a frame's start.
        let mut ctx = EncodingContext::new(Codec::Av1, 1, 3, false);
        ctx.set_target_spatial(0);
        ctx.set_target_temporal(1);
        assert!(ctx
            .process(&[0x08, 0], Some(&dd(0, 0, true, true, true)))
            .is_some());
        assert_eq!((ctx.current_spatial(), ctx.current_temporal()), (0, 0));
        // The middle of a T1 frame whose start was not seen: not sent.
        assert!(ctx
            .process(&[0, 0], Some(&dd(0, 1, false, true, false)))
            .is_none());
        assert!(ctx
            .process(&[0, 0], Some(&dd(0, 1, true, false, false)))
            .is_some());
        assert_eq!(ctx.current_temporal(), 1);
        assert!(ctx
            .process(&[0, 0], Some(&dd(0, 2, true, true, false)))
            .is_none());
        // Layers beyond the scalability mode are dropped.
        assert!(ctx
            .process(&[0, 0], Some(&dd(1, 0, true, true, false)))
            .is_none());
        // Without a descriptor: forwarded, layers kept.
        assert!(ctx.process(&[0, 0], None).is_some());
        assert_eq!(ctx.current_temporal(), 1);
    }

    #[test]
    fn ksvc_descriptor_drops_frames_outside_the_decode_target() {
        // L2T1_KEY: decode targets S0T0 and S1T0; delta frames of S0 are
        // not part of S1's decode target.
        let mut ctx = EncodingContext::new(Codec::Av1, 2, 1, true);
        ctx.set_target_spatial(1);
        ctx.set_target_temporal(0);
        let targets = layer_set(&[(0, 0), (1, 0)]);
        let frame = |sid: u8, key: bool, present: &[(u8, u8)]| DdFrame {
            decode_target_layers: targets,
            present_layers: layer_set(present),
            switch_layers: layer_set(present),
            ..dd(sid, 0, true, true, key)
        };
        let key_s0 = frame(0, true, &[(0, 0), (1, 0)]);
        let key_s1 = frame(1, false, &[(1, 0)]);
        let delta_s0 = frame(0, false, &[(0, 0)]);
        let delta_s1 = frame(1, false, &[(1, 0)]);
        let sent = |ctx: &mut EncodingContext, f: &DdFrame| ctx.process(&[0, 0], Some(f));
        assert_eq!(sent(&mut ctx, &key_s0).map(|p| p.marker), Some(false));
        assert_eq!(sent(&mut ctx, &key_s1).map(|p| p.marker), Some(true));
        assert_eq!((ctx.current_spatial(), ctx.current_temporal()), (1, 0));
        assert!(sent(&mut ctx, &delta_s0).is_none());
        assert!(sent(&mut ctx, &delta_s1).is_some());
        // Down to S0: not before a key frame (its delta frames were not
        // sent).
        ctx.set_target_spatial(0);
        assert!(sent(&mut ctx, &delta_s0).is_none());
        assert!(sent(&mut ctx, &delta_s1).is_some());
        assert_eq!(sent(&mut ctx, &key_s0).map(|p| p.marker), Some(true));
        assert_eq!(ctx.current_spatial(), 0);
        assert!(sent(&mut ctx, &key_s1).is_none());
        assert!(sent(&mut ctx, &delta_s0).is_some());
    }
}
