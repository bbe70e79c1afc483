//! RFC 8285 header extensions: element walking (one-byte `0xBEDE` and
//! two-byte `0x100X` forms).

/// Profile of the one-byte header extension form.
pub(crate) const ONE_BYTE_PROFILE: u16 = 0xBEDE;
/// Profile of the two-byte header extension form (appbits 0).
pub(crate) const TWO_BYTE_PROFILE: u16 = 0x1000;

#[inline]
pub(crate) fn is_two_byte_profile(profile: u16) -> bool {
    profile & 0xFFF0 == TWO_BYTE_PROFILE
}

/// One element found while walking an extension block: id, value start and
/// value length (offsets relative to the block).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawElement {
    pub id: u8,
    pub start: usize,
    pub len: usize,
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
                let e = RawElement { id, start, len };
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
                let e = RawElement { id, start, len };
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
