//! RFC 4571 framing of ICE-TCP streams: each packet is preceded by its
//! length as a 16-bit big-endian number.
//!
//! The decoder is sans-IO and pull-based: the caller reads a chunk from the
//! socket and asks for frames one at a time, so it can act on each frame
//! (which may close the connection) before asking for the next. Frames
//! wholly inside the chunk are copied out once; only an incomplete frame's
//! bytes are kept, so a connection never holds more than one frame, and the
//! buffer is released once that frame completes. A zero-length frame costs
//! the same constant work as any other two bytes.

/// The largest frame: its length must fit in 16 bits.
pub const MAX_FRAME: usize = u16::MAX as usize;

/// Buffers larger than this are released after the frame they held
/// completes, so idle connections keep (almost) nothing.
const KEEP_CAPACITY: usize = 2048;

#[derive(Default)]
pub struct FrameDecoder {
    /// Length prefix and payload bytes of an incomplete frame.
    partial: Vec<u8>,
}

impl FrameDecoder {
    pub fn new() -> Self {
        FrameDecoder::default()
    }

    /// Next complete frame from what was buffered plus `input[*pos..]`;
    /// copies its payload to `out` (which must hold `MAX_FRAME` bytes) and
    /// returns its length; advances `*pos` over the bytes used. Returns
    /// None when `input` is used up (an incomplete frame's bytes are kept
    /// inside, at most one frame).
    pub fn next_frame(&mut self, input: &[u8], pos: &mut usize, out: &mut [u8]) -> Option<usize> {
        let rest = input.get(*pos..).unwrap_or_default();
        if self.partial.is_empty() {
            // Fast path: the frame lies wholly in `input`.
            if rest.len() >= 2 {
                let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
                if rest.len() >= 2 + len && len <= out.len() {
                    out[..len].copy_from_slice(&rest[2..2 + len]);
                    *pos += 2 + len;
                    return Some(len);
                }
            }
            if rest.is_empty() {
                return None;
            }
        }
        // Complete the buffered header, then the buffered payload.
        let mut used = 0;
        if self.partial.len() < 2 {
            let take = (2 - self.partial.len()).min(rest.len());
            self.partial.extend_from_slice(&rest[..take]);
            used += take;
        }
        if self.partial.len() < 2 {
            *pos += used;
            return None;
        }
        let len = u16::from_be_bytes([self.partial[0], self.partial[1]]) as usize;
        let missing = 2 + len - self.partial.len();
        let take = missing.min(rest.len() - used);
        self.partial.extend_from_slice(&rest[used..used + take]);
        used += take;
        *pos += used;
        if self.partial.len() < 2 + len || len > out.len() {
            return None;
        }
        out[..len].copy_from_slice(&self.partial[2..]);
        self.partial.clear();
        if self.partial.capacity() > KEEP_CAPACITY {
            self.partial = Vec::new();
        }
        Some(len)
    }

    /// Bytes held for an incomplete frame.
    pub fn buffered(&self) -> usize {
        self.partial.len()
    }

    /// Memory held (for tests and accounting).
    pub fn capacity(&self) -> usize {
        self.partial.capacity()
    }
}

/// Appends `packet` with its length prefix to `out`; false if it is too
/// long to frame.
pub fn encode_frame(packet: &[u8], out: &mut Vec<u8>) -> bool {
    let Ok(len) = u16::try_from(packet.len()) else {
        return false;
    };
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(packet);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames_of(decoder: &mut FrameDecoder, chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = vec![0u8; MAX_FRAME];
        let mut frames = Vec::new();
        for chunk in chunks {
            let mut pos = 0;
            while let Some(len) = decoder.next_frame(chunk, &mut pos, &mut out) {
                frames.push(out[..len].to_vec());
            }
            assert_eq!(pos, chunk.len(), "every byte of a chunk is used");
        }
        frames
    }

    fn stream(packets: &[&[u8]]) -> Vec<u8> {
        let mut bytes = Vec::new();
        for p in packets {
            assert!(encode_frame(p, &mut bytes));
        }
        bytes
    }

    #[test]
    fn whole_frames_in_one_chunk() {
        let bytes = stream(&[b"abc", b"", b"de"]);
        let mut d = FrameDecoder::new();
        let frames = frames_of(&mut d, &[&bytes]);
        assert_eq!(frames, vec![b"abc".to_vec(), vec![], b"de".to_vec()]);
        assert_eq!(d.buffered(), 0);
        assert_eq!(d.capacity(), 0, "nothing buffered on the fast path");
    }

    #[test]
    fn frames_split_at_every_byte_boundary() {
        let bytes = stream(&[b"hello", b"", b"world!", &[7u8; 300]]);
        let expected = frames_of(&mut FrameDecoder::new(), &[&bytes]);
        for cut in 0..=bytes.len() {
            let mut d = FrameDecoder::new();
            let frames = frames_of(&mut d, &[&bytes[..cut], &bytes[cut..]]);
            assert_eq!(frames, expected, "cut at {cut}");
            assert_eq!(d.buffered(), 0);
        }
        // One byte at a time.
        let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(frames_of(&mut FrameDecoder::new(), &chunks), expected);
    }

    #[test]
    fn a_large_frame_is_released_once_complete() {
        let big = vec![1u8; MAX_FRAME];
        let bytes = stream(&[&big]);
        let mut d = FrameDecoder::new();
        let frames = frames_of(&mut d, &[&bytes[..40_000]]);
        assert!(frames.is_empty());
        assert_eq!(d.buffered(), 40_000);
        let frames = frames_of(&mut d, &[&bytes[40_000..]]);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].len(), MAX_FRAME);
        assert_eq!(d.buffered(), 0);
        assert_eq!(d.capacity(), 0, "the frame's buffer was given back");
    }

    #[test]
    fn many_zero_length_frames_cost_linear_work() {
        // 1 MiB of empty frames in 16 KiB chunks: each chunk is walked once.
        let bytes = vec![0u8; 1 << 20];
        let mut d = FrameDecoder::new();
        let mut out = vec![0u8; MAX_FRAME];
        let mut count = 0;
        for chunk in bytes.chunks(16384) {
            let mut pos = 0;
            while let Some(len) = d.next_frame(chunk, &mut pos, &mut out) {
                assert_eq!(len, 0);
                count += 1;
            }
        }
        assert_eq!(count, (1 << 20) / 2);
    }

    #[test]
    fn too_long_packets_are_not_framed() {
        let mut out = Vec::new();
        assert!(!encode_frame(&vec![0u8; MAX_FRAME + 1], &mut out));
        assert!(out.is_empty());
    }
}
