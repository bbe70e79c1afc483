//! RFC 8285 header extensions: element walking (one-byte `0xBEDE` and
//! two-byte `0x100X` forms) and block serialisation.

use super::RtpError;

/// Profile of the one-byte header extension form.
pub(crate) const ONE_BYTE_PROFILE: u16 = 0xBEDE;
/// Profile of the two-byte header extension form (appbits 0).
pub(crate) const TWO_BYTE_PROFILE: u16 = 0x1000;

#[inline]
pub(crate) fn is_two_byte_profile(profile: u16) -> bool {
    profile & 0xFFF0 == TWO_BYTE_PROFILE
}

/// Which form [`crate::rtp::RtpPacketBuf::set_extensions_form`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExtensionForm {
    /// One-byte if every id is 1..=14 and every value 1..=16 bytes, else
    /// two-byte.
    #[default]
    Auto,
    /// One-byte form; entries that do not fit it are skipped (as mediasoup).
    OneByte,
    /// Two-byte form; entries with id 0 are skipped, values over 255 bytes
    /// are an error.
    TwoByte,
}

/// One element found while walking an extension block: id, value start,
/// value length, element start (all offsets relative to the block).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawElement {
    pub id: u8,
    pub start: usize,
    pub len: usize,
    pub elem: usize,
}

/// Iterator over the `(id, value)` elements of an extension block.
///
/// Walks like mediasoup's `ParseExtensions`: id 0 bytes are padding, id 15
/// stops a one-byte block, an element running past the block ends the walk.
/// Zero-length two-byte elements are yielded with an empty value.
#[derive(Debug, Clone)]
pub struct ExtensionIter<'a> {
    block: &'a [u8],
    pos: usize,
    two_byte: bool,
}

impl<'a> ExtensionIter<'a> {
    pub(crate) fn new(block: &'a [u8], two_byte: bool) -> Self {
        ExtensionIter {
            block,
            pos: 0,
            two_byte,
        }
    }

    pub(crate) fn empty() -> Self {
        ExtensionIter::new(&[], false)
    }

    fn skip_zeros(&mut self) {
        while self.block.get(self.pos) == Some(&0) {
            self.pos += 1;
        }
    }

    pub(crate) fn next_raw(&mut self) -> Option<RawElement> {
        loop {
            if self.two_byte {
                let id = *self.block.get(self.pos)?;
                let len = *self.block.get(self.pos + 1)? as usize;
                if id == 0 {
                    self.pos += 1;
                    self.skip_zeros();
                    continue;
                }
                let start = self.pos + 2;
                if start + len > self.block.len() {
                    self.pos = self.block.len();
                    return None;
                }
                let e = RawElement {
                    id,
                    start,
                    len,
                    elem: self.pos,
                };
                self.pos = start + len;
                self.skip_zeros();
                return Some(e);
            } else {
                let b = *self.block.get(self.pos)?;
                let id = b >> 4;
                let len = (b & 0x0F) as usize + 1;
                if id == 15 {
                    self.pos = self.block.len();
                    return None;
                }
                if id == 0 {
                    self.pos += 1;
                    self.skip_zeros();
                    continue;
                }
                let start = self.pos + 1;
                if start + len > self.block.len() {
                    self.pos = self.block.len();
                    return None;
                }
                let e = RawElement {
                    id,
                    start,
                    len,
                    elem: self.pos,
                };
                self.pos = start + len;
                self.skip_zeros();
                return Some(e);
            }
        }
    }
}

impl<'a> Iterator for ExtensionIter<'a> {
    type Item = (u8, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let e = self.next_raw()?;
        let v = self.block.get(e.start..e.start + e.len)?;
        Some((e.id, v))
    }
}

/// Finds the first non-empty element with `id` in a block.
pub(crate) fn find(block: &[u8], two_byte: bool, id: u8) -> Option<RawElement> {
    if id == 0 {
        return None;
    }
    let mut it = ExtensionIter::new(block, two_byte);
    while let Some(e) = it.next_raw() {
        if e.id == id && e.len > 0 {
            return Some(e);
        }
    }
    None
}

#[inline]
fn fits_one_byte(id: u8, len: usize) -> bool {
    (1..=14).contains(&id) && (1..=16).contains(&len)
}

/// Decides the form (true = two-byte) for a set of entries.
pub(crate) fn resolve_form<'e, I>(form: ExtensionForm, exts: I) -> bool
where
    I: Iterator<Item = (u8, &'e [u8])>,
{
    match form {
        ExtensionForm::OneByte => false,
        ExtensionForm::TwoByte => true,
        ExtensionForm::Auto => exts
            .filter(|(id, _)| *id != 0)
            .any(|(id, v)| !fits_one_byte(id, v.len())),
    }
}

/// Unpadded size of the elements written for `exts` in the given form.
pub(crate) fn body_size<'e, I>(two_byte: bool, exts: I) -> Result<usize, RtpError>
where
    I: Iterator<Item = (u8, &'e [u8])>,
{
    let mut total = 0usize;
    for (id, v) in exts {
        if two_byte {
            if id == 0 {
                continue;
            }
            if v.len() > 255 {
                return Err(RtpError::BadExtension);
            }
            total += 2 + v.len();
        } else if fits_one_byte(id, v.len()) {
            total += 1 + v.len();
        }
    }
    Ok(total)
}

/// Writes the elements then zero padding into `dst` (exactly the padded
/// size, as computed from [`body_size`]).
pub(crate) fn write_body<'e, I>(dst: &mut [u8], two_byte: bool, exts: I)
where
    I: Iterator<Item = (u8, &'e [u8])>,
{
    let mut p = 0usize;
    for (id, v) in exts {
        let hdr = if two_byte {
            if id == 0 || v.len() > 255 {
                continue;
            }
            2
        } else {
            if !fits_one_byte(id, v.len()) {
                continue;
            }
            1
        };
        let Some(out) = dst.get_mut(p..p + hdr + v.len()) else {
            return;
        };
        if two_byte {
            out[0] = id;
            out[1] = v.len() as u8;
        } else {
            out[0] = (id << 4) | ((v.len() - 1) as u8 & 0x0F);
        }
        out[hdr..].copy_from_slice(v);
        p += hdr + v.len();
    }
    if let Some(rest) = dst.get_mut(p..) {
        rest.fill(0);
    }
}
