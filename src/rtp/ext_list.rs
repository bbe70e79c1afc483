//! [`ExtensionList`]: a fixed-capacity, stack-allocated list of header
//! extensions used to rebuild a packet's extension block.

use super::RtpError;

/// Maximum number of entries of an [`ExtensionList`].
pub const EXTENSION_LIST_MAX_ENTRIES: usize = 32;
/// Maximum total value bytes of an [`ExtensionList`].
pub const EXTENSION_LIST_MAX_BYTES: usize = 512;

/// A fixed-capacity, stack-allocated list of `(id, value)` header
/// extensions. Values are copied in, so a caller can read extensions out of
/// a packet, map their ids, then write the list back into the same packet
/// with [`crate::rtp::RtpPacketBuf::set_extension_list`].
#[derive(Clone)]
pub struct ExtensionList {
    count: usize,
    used: usize,
    ids: [u8; EXTENSION_LIST_MAX_ENTRIES],
    offs: [u16; EXTENSION_LIST_MAX_ENTRIES],
    lens: [u8; EXTENSION_LIST_MAX_ENTRIES],
    data: [u8; EXTENSION_LIST_MAX_BYTES],
}

impl Default for ExtensionList {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ExtensionList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl ExtensionList {
    /// An empty list.
    pub const fn new() -> Self {
        ExtensionList {
            count: 0,
            used: 0,
            ids: [0; EXTENSION_LIST_MAX_ENTRIES],
            offs: [0; EXTENSION_LIST_MAX_ENTRIES],
            lens: [0; EXTENSION_LIST_MAX_ENTRIES],
            data: [0; EXTENSION_LIST_MAX_BYTES],
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.count = 0;
        self.used = 0;
    }

    /// Appends `(id, value)` (copied). Err(InvalidArgument) when the list is
    /// full, or the value is longer than 255 bytes or does not fit the
    /// remaining byte capacity. Duplicate ids are not checked: use
    /// [`ExtensionList::set`] to replace.
    pub fn push(&mut self, id: u8, value: &[u8]) -> Result<(), RtpError> {
        if self.count >= EXTENSION_LIST_MAX_ENTRIES
            || value.len() > 255
            || self.used + value.len() > EXTENSION_LIST_MAX_BYTES
        {
            return Err(RtpError::InvalidArgument);
        }
        let i = self.count;
        self.ids[i] = id;
        self.offs[i] = self.used as u16;
        self.lens[i] = value.len() as u8;
        self.data[self.used..self.used + value.len()].copy_from_slice(value);
        self.used += value.len();
        self.count += 1;
        Ok(())
    }

    /// Replaces the value of `id` (keeping its position) or appends it.
    pub fn set(&mut self, id: u8, value: &[u8]) -> Result<(), RtpError> {
        match self.position(id) {
            Some(i) if self.lens[i] as usize == value.len() => {
                let o = self.offs[i] as usize;
                self.data[o..o + value.len()].copy_from_slice(value);
                Ok(())
            }
            Some(i) => {
                let old = self.lens[i] as usize;
                if value.len() > 255 || self.used - old + value.len() > EXTENSION_LIST_MAX_BYTES {
                    return Err(RtpError::InvalidArgument);
                }
                // Move the tail of the data so that entry i gets the new size.
                let o = self.offs[i] as usize;
                let tail_from = o + old;
                let tail_to = o + value.len();
                self.data.copy_within(tail_from..self.used, tail_to);
                self.data[o..tail_to].copy_from_slice(value);
                self.used = self.used - old + value.len();
                self.lens[i] = value.len() as u8;
                for j in 0..self.count {
                    if self.offs[j] as usize >= tail_from && j != i {
                        self.offs[j] = (self.offs[j] as usize - old + value.len()) as u16;
                    }
                }
                Ok(())
            }
            None => self.push(id, value),
        }
    }

    /// Removes the entry with `id`; returns whether it existed.
    pub fn remove(&mut self, id: u8) -> bool {
        let Some(i) = self.position(id) else {
            return false;
        };
        let o = self.offs[i] as usize;
        let l = self.lens[i] as usize;
        self.data.copy_within(o + l..self.used, o);
        self.used -= l;
        for j in i..self.count - 1 {
            self.ids[j] = self.ids[j + 1];
            self.lens[j] = self.lens[j + 1];
            self.offs[j] = self.offs[j + 1];
        }
        self.count -= 1;
        for j in 0..self.count {
            if self.offs[j] as usize > o {
                self.offs[j] -= l as u16;
            }
        }
        true
    }

    fn position(&self, id: u8) -> Option<usize> {
        self.ids[..self.count].iter().position(|&x| x == id)
    }

    /// Value of `id`, if present.
    pub fn get(&self, id: u8) -> Option<&[u8]> {
        let i = self.position(id)?;
        let o = self.offs[i] as usize;
        self.data.get(o..o + self.lens[i] as usize)
    }

    /// Mutable value of `id`, if present (same length).
    pub fn get_mut(&mut self, id: u8) -> Option<&mut [u8]> {
        let i = self.position(id)?;
        let o = self.offs[i] as usize;
        self.data.get_mut(o..o + self.lens[i] as usize)
    }

    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &[u8])> + Clone + '_ {
        (0..self.count).map(move |i| {
            let o = self.offs[i] as usize;
            (self.ids[i], &self.data[o..o + self.lens[i] as usize])
        })
    }
}
