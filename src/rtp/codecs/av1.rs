//! AV1 keyframe detection from the RTP aggregation header (AV1 RTP spec
//! 4.4). Not in mediasoup 3.14.

/// True when the aggregation header has N=1 (first packet of a coded video
/// sequence, i.e. a keyframe with a sequence header) and Z=0 (the packet
/// starts a new OBU rather than continuing one).
pub fn av1_is_keyframe(payload: &[u8]) -> bool {
    match payload.first() {
        Some(&h) => h & 0x08 != 0 && h & 0x80 == 0,
        None => false,
    }
}
