//! H265 keyframe detection (RFC 7798). Not in mediasoup 3.14.

const AP: u8 = 48;
const FU: u8 = 49;

/// IRAP pictures (BLA/IDR/CRA, types 16..=21) and VPS/SPS (32/33).
#[inline]
fn is_key_nal(t: u8) -> bool {
    (16..=21).contains(&t) || t == 32 || t == 33
}

/// True if the payload carries a VPS/SPS or an IRAP slice: single NAL
/// unit, inside an aggregation packet, or first fragment of a FU.
pub fn h265_is_keyframe(payload: &[u8]) -> bool {
    if payload.len() < 3 {
        return false;
    }
    let t = (payload[0] >> 1) & 0x3F;
    match t {
        AP => {
            let mut off = 2;
            while off + 2 < payload.len() {
                let size = u16::from_be_bytes([payload[off], payload[off + 1]]) as usize;
                if is_key_nal((payload[off + 2] >> 1) & 0x3F) {
                    return true;
                }
                off += 2 + size;
            }
            false
        }
        FU => {
            let fu = payload[2];
            fu & 0x80 != 0 && is_key_nal(fu & 0x3F)
        }
        t => is_key_nal(t),
    }
}
