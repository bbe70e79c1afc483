//! H264 keyframe detection (RFC 6184), as mediasoup's `Codecs::H264`.

const SPS: u8 = 7;
const IDR: u8 = 5;
const STAP_A: u8 = 24;
const STAP_B: u8 = 25;
const FU_A: u8 = 28;
const FU_B: u8 = 29;

#[inline]
fn is_key_nal(t: u8) -> bool {
    t == SPS || t == IDR
}

/// True if the payload carries an SPS or an IDR slice: a single NAL unit
/// of type 7/5, such a NAL unit inside a STAP-A/STAP-B, or the first
/// fragment (S bit) of such a NAL unit in a FU-A/FU-B.
///
/// mediasoup 3.14 only looks for SPS (type 7); IDR (type 5) is accepted too
/// so that senders which signal SPS/PPS out of band (sprop-parameter-sets)
/// still get keyframe detection.
pub fn h264_is_keyframe(payload: &[u8]) -> bool {
    if payload.len() < 2 {
        return false;
    }
    let nal = payload[0] & 0x1F;
    match nal {
        STAP_A | STAP_B => {
            // STAP-B carries a 16-bit DON before the first NAL unit.
            let mut off = if nal == STAP_B { 3 } else { 1 };
            while off + 2 < payload.len() {
                let size = u16::from_be_bytes([payload[off], payload[off + 1]]) as usize;
                if is_key_nal(payload[off + 2] & 0x1F) {
                    return true;
                }
                off += 2 + size;
            }
            false
        }
        FU_A | FU_B => {
            let fu = payload[1];
            fu & 0x80 != 0 && is_key_nal(fu & 0x1F)
        }
        t => is_key_nal(t),
    }
}
