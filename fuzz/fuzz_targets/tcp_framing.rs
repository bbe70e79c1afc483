//! RFC 4571 framing for ICE-TCP (`ferrosoup::transport::framing`): a byte
//! stream cut into frames by 16-bit length prefixes, fed to the decoder in
//! fuzz-chosen reads. Input: a chunk count and chunk sizes, then the stream.
//!
//! Invariants: however the stream is split into reads, the frames decoded
//! are exactly those of a reference decoding of the whole stream, in order;
//! each call consumes input only up to the end of the read; the decoder
//! holds at most one incomplete frame (<= 65537 bytes), and what it holds
//! is the undecoded tail of the stream (its length prefix possibly kept
//! apart); an idle decoder keeps little memory; `encode_frame` inverts it.

#![no_main]

use ferrosoup::transport::framing::{encode_frame, FrameDecoder, MAX_FRAME};
use ferrosoup_fuzz::Reader;
use libfuzzer_sys::fuzz_target;

/// Frames of the whole stream, and how many bytes they used.
fn reference(stream: &[u8]) -> (Vec<&[u8]>, usize) {
    let mut frames = Vec::new();
    let mut pos = 0;
    while pos + 2 <= stream.len() {
        let len = u16::from_be_bytes([stream[pos], stream[pos + 1]]) as usize;
        if pos + 2 + len > stream.len() {
            break;
        }
        frames.push(&stream[pos + 2..pos + 2 + len]);
        pos += 2 + len;
    }
    (frames, pos)
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let chunks = 1 + r.u8() as usize % 8;
    // Read sizes; small ones are common on TCP under load.
    let sizes: Vec<usize> = (0..chunks)
        .map(|_| match r.u8() {
            b @ 0..=199 => b as usize,
            b => (b as usize - 199) * 1021,
        })
        .collect();
    let stream = r.rest();
    let (want, used) = reference(stream);

    let mut decoder = FrameDecoder::new();
    assert_eq!(decoder.buffered(), 0);
    let mut out = vec![0u8; MAX_FRAME];
    let mut got: Vec<Vec<u8>> = Vec::new();
    let mut start = 0;
    for (i, size) in sizes.iter().enumerate() {
        let end = if i + 1 == sizes.len() {
            stream.len()
        } else {
            (start + size).min(stream.len())
        };
        let input = &stream[start..end];
        let mut pos = 0;
        // Every call yields a frame or uses the read up; bound the calls so
        // a decoder that neither progresses nor stops fails loudly.
        let mut calls = 0;
        while let Some(n) = decoder.next_frame(input, &mut pos, &mut out) {
            assert!(pos <= input.len(), "consumed past the read");
            got.push(out[..n].to_vec());
            calls += 1;
            assert!(calls <= input.len() / 2 + 2, "no progress");
            assert!(decoder.buffered() <= 65537);
        }
        assert_eq!(pos, input.len(), "None before the read was used up");
        assert!(decoder.buffered() <= 65537);
        // Memory follows what is held: at most one frame (with Vec growth
        // slack), and little once nothing is held.
        assert!(decoder.capacity() <= 2 * 65537);
        if decoder.buffered() == 0 {
            assert!(
                decoder.capacity() <= 2048,
                "idle decoder keeps {}",
                decoder.capacity()
            );
        }
        start = end;
    }
    assert_eq!(
        got.len(),
        want.len(),
        "frame count differs from the reference"
    );
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(&g[..], *w);
    }
    // Encoding the frames again gives back the consumed stream.
    let mut again = Vec::new();
    for g in &got {
        assert!(encode_frame(g, &mut again));
    }
    assert_eq!(&again[..], &stream[..used]);
    let tail = stream.len() - used;
    let held = decoder.buffered();
    assert!(
        held <= tail && held + 2 >= tail,
        "holds {held} of a {tail}-byte tail"
    );
});
