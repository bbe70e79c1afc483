//! Helpers for a crate-level allocation-count test and a micro benchmark
//! (no criterion). Not part of the API proper.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use super::{CryptoSuite, SrtpSession};

const SSRCS: [u32; 3] = [0x1111_1111, 0x2222_2222, 0x3333_3333];
const BUF_LEN: usize = 1500;

struct Pair {
    suite: CryptoSuite,
    tx: SrtpSession,
    rx: SrtpSession,
}

/// Sender/receiver session pairs of every suite plus packet buffers, with
/// every SSRC it will use already seen. After `new()`, `run()` must not
/// allocate at all.
pub struct AllocExercise {
    pairs: Vec<Pair>,
    buf: Vec<u8>,
    seq: u16,
    rounds: u64,
}

impl Default for AllocExercise {
    fn default() -> Self {
        Self::new()
    }
}

impl AllocExercise {
    /// Sets everything up (allocates) and warms up every SSRC.
    pub fn new() -> Self {
        let pairs = CryptoSuite::ALL
            .iter()
            .map(|&suite| {
                let key: Vec<u8> = (0..suite.key_and_salt_len() as u8).collect();
                Pair {
                    suite,
                    tx: SrtpSession::new(suite, &key).unwrap(),
                    rx: SrtpSession::new(suite, &key).unwrap(),
                }
            })
            .collect();
        let mut this = Self {
            pairs,
            buf: vec![0; BUF_LEN],
            // Starts just before a wrap so runs cross a ROC change.
            seq: 65_500,
            rounds: 0,
        };
        this.run(1);
        this
    }

    /// Protects and unprotects RTP (plain, CSRC + extension) and RTCP
    /// packets of every suite and SSRC, `iterations` times; panics if a
    /// packet does not round-trip.
    pub fn run(&mut self, iterations: usize) {
        for _ in 0..iterations {
            self.seq = self.seq.wrapping_add(1);
            self.rounds += 1;
            let seq = self.seq;
            let variant = (self.rounds % 3) as usize;
            for pair in &mut self.pairs {
                for &ssrc in &SSRCS {
                    let len = write_rtp(&mut self.buf, ssrc, seq, variant);
                    let checksum = sum(&self.buf[..len]);
                    let n = pair.tx.protect_rtp(&mut self.buf, len).unwrap();
                    assert_eq!(n, len + pair.suite.rtp_overhead());
                    let m = pair.rx.unprotect_rtp(&mut self.buf, n).unwrap();
                    assert_eq!((m, sum(&self.buf[..m])), (len, checksum));

                    let len = write_rtcp(&mut self.buf, ssrc, 40 + 4 * variant);
                    let checksum = sum(&self.buf[..len]);
                    let n = pair.tx.protect_rtcp(&mut self.buf, len).unwrap();
                    let m = pair.rx.unprotect_rtcp(&mut self.buf, n).unwrap();
                    assert_eq!((m, sum(&self.buf[..m])), (len, checksum));
                }
            }
        }
    }
}

fn sum(b: &[u8]) -> u64 {
    b.iter()
        .enumerate()
        .map(|(i, &x)| (i as u64 + 1) * u64::from(x))
        .sum()
}

/// Writes an RTP packet; variant 1 adds 2 CSRCs, variant 2 a 3-word
/// header extension too. Returns its length.
fn write_rtp(buf: &mut [u8], ssrc: u32, seq: u16, variant: usize) -> usize {
    let csrcs = if variant >= 1 { 2 } else { 0 };
    buf[0] = 0x80 | csrcs as u8 | if variant == 2 { 0x10 } else { 0 };
    buf[1] = 96;
    buf[2..4].copy_from_slice(&seq.to_be_bytes());
    buf[4..8].copy_from_slice(&(u32::from(seq) * 90).to_be_bytes());
    buf[8..12].copy_from_slice(&ssrc.to_be_bytes());
    let mut at = 12 + 4 * csrcs;
    if variant == 2 {
        buf[at..at + 4].copy_from_slice(&[0xbe, 0xde, 0, 3]);
        at += 4 + 12;
    }
    let payload = 160 + 400 * variant;
    for (i, b) in buf[at..at + payload].iter_mut().enumerate() {
        *b = i as u8 ^ seq as u8;
    }
    at + payload
}

fn write_rtcp(buf: &mut [u8], ssrc: u32, len: usize) -> usize {
    buf[0] = 0x81;
    buf[1] = 201;
    buf[2..4].copy_from_slice(&((len / 4 - 1) as u16).to_be_bytes());
    buf[4..8].copy_from_slice(&ssrc.to_be_bytes());
    for (i, b) in buf[8..len].iter_mut().enumerate() {
        *b = i as u8;
    }
    len
}

thread_local! {
    static EXERCISE: RefCell<Option<AllocExercise>> = const { RefCell::new(None) };
}

/// Protects + unprotects RTP and RTCP of every suite `iterations` times.
/// The first call on a thread sets up (and allocates); every later call on
/// the same thread must allocate nothing, so measure a second call. For
/// explicit control use [`AllocExercise`].
#[doc(hidden)]
pub fn exercise_for_alloc_check(iterations: usize) {
    EXERCISE.with(|cell| {
        let mut slot = cell.borrow_mut();
        slot.get_or_insert_with(AllocExercise::new).run(iterations);
    });
}

/// Time for `iterations` protect + unprotect round trips of RTP packets with
/// `payload_len` payload bytes (12-byte header).
#[doc(hidden)]
pub fn bench(suite: CryptoSuite, payload_len: usize, iterations: usize) -> Duration {
    let (p, u) = bench_split(suite, payload_len, iterations);
    p + u
}

/// Like [`bench`], with protect and unprotect timed separately. Packets are
/// processed in batches so each call is timed without a clock read per packet.
#[doc(hidden)]
pub fn bench_split(
    suite: CryptoSuite,
    payload_len: usize,
    iterations: usize,
) -> (Duration, Duration) {
    const BATCH: usize = 256;
    let key: Vec<u8> = (0..suite.key_and_salt_len() as u8).collect();
    let mut tx = SrtpSession::new(suite, &key).unwrap();
    let mut rx = SrtpSession::new(suite, &key).unwrap();
    let stride = 12 + payload_len + suite.rtp_overhead();
    let mut bufs = vec![0u8; stride * BATCH];
    let mut lens = [0usize; BATCH];
    let (mut protect, mut unprotect) = (Duration::ZERO, Duration::ZERO);
    let mut seq = 0u16;
    let mut done = 0;
    while done < iterations {
        let n = BATCH.min(iterations - done);
        for (i, buf) in bufs.chunks_mut(stride).take(n).enumerate() {
            buf[0] = 0x80;
            buf[1] = 96;
            buf[2..4].copy_from_slice(&seq.wrapping_add(i as u16).to_be_bytes());
            buf[8..12].copy_from_slice(&0x1234_5678u32.to_be_bytes());
        }
        let t = Instant::now();
        for (buf, len) in bufs.chunks_mut(stride).zip(lens.iter_mut()).take(n) {
            *len = tx.protect_rtp(buf, 12 + payload_len).unwrap();
        }
        protect += t.elapsed();
        let t = Instant::now();
        for (buf, len) in bufs.chunks_mut(stride).zip(lens.iter()).take(n) {
            rx.unprotect_rtp(buf, *len).unwrap();
        }
        unprotect += t.elapsed();
        seq = seq.wrapping_add(n as u16);
        done += n;
    }
    (protect, unprotect)
}
