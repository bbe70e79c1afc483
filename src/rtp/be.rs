//! Bounds-checked big-endian accessors shared by `rtp` and `rtcp`.
//! Readers return `None` when out of range; writers return `false`.

#[inline]
pub(crate) fn u16_at(d: &[u8], i: usize) -> Option<u16> {
    let b = d.get(i..i.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

#[inline]
pub(crate) fn u24_at(d: &[u8], i: usize) -> Option<u32> {
    let b = d.get(i..i.checked_add(3)?)?;
    Some(u32::from_be_bytes([0, b[0], b[1], b[2]]))
}

/// 24-bit two's complement signed value.
#[inline]
pub(crate) fn i24_at(d: &[u8], i: usize) -> Option<i32> {
    let v = u24_at(d, i)?;
    Some(((v << 8) as i32) >> 8)
}

#[inline]
pub(crate) fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    let b = d.get(i..i.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

#[inline]
pub(crate) fn u64_at(d: &[u8], i: usize) -> Option<u64> {
    let hi = u32_at(d, i)?;
    let lo = u32_at(d, i.checked_add(4)?)?;
    Some(((hi as u64) << 32) | lo as u64)
}

#[inline]
pub(crate) fn put_u16(d: &mut [u8], i: usize, v: u16) -> bool {
    match i.checked_add(2).and_then(|e| d.get_mut(i..e)) {
        Some(b) => {
            b.copy_from_slice(&v.to_be_bytes());
            true
        }
        None => false,
    }
}

#[inline]
pub(crate) fn put_u24(d: &mut [u8], i: usize, v: u32) -> bool {
    match i.checked_add(3).and_then(|e| d.get_mut(i..e)) {
        Some(b) => {
            b.copy_from_slice(&v.to_be_bytes()[1..]);
            true
        }
        None => false,
    }
}
