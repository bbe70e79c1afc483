//! One transport's SCTP association (`ferrosoup::sctp`) under hostile
//! datagrams: a connected pair is set up in memory, then the fuzzer
//! interleaves raw datagrams, real packets of the peer with bytes flipped,
//! messages sent both ways, and time passing; a fresh (unconnected)
//! association gets raw datagrams too (INIT floods, forged tags).
//!
//! Invariants: nothing panics; a message delivered is one that was sent
//! (stream, PPID and bytes) or comes from a packet the fuzzer touched;
//! what waits for the association stays bounded.

#![no_main]

use ferrosoup::sctp::{SctpAssociation, SctpConfig, SctpState, StreamReliability};
use ferrosoup_fuzz::Reader;
use libfuzzer_sys::fuzz_target;

const CONFIG: SctpConfig = SctpConfig {
    os: 16,
    mis: 16,
    max_message_size: 65_536,
    send_buffer_size: 1_000_000,
};

const RELIABILITIES: [StreamReliability; 3] = [
    StreamReliability {
        ordered: true,
        max_packet_life_time: None,
        max_retransmits: None,
    },
    StreamReliability {
        ordered: false,
        max_packet_life_time: None,
        max_retransmits: Some(0),
    },
    StreamReliability {
        ordered: false,
        max_packet_life_time: Some(50),
        max_retransmits: None,
    },
];

/// Moves everything between the two until nothing moves (bounded).
fn settle(a: &mut SctpAssociation, b: &mut SctpAssociation, now: u64) {
    for _ in 0..64 {
        let mut moved = false;
        while let Some(p) = a.poll_transmit(now) {
            moved = true;
            b.handle_datagram(&p, now);
        }
        while let Some(p) = b.poll_transmit(now) {
            moved = true;
            a.handle_datagram(&p, now);
        }
        while a.poll_event().is_some() {}
        while b.poll_event().is_some() {}
        if !moved {
            break;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let (mut a, mut b) = (SctpAssociation::new(CONFIG), SctpAssociation::new(CONFIG));
    let mut fresh = SctpAssociation::new(CONFIG);
    let mut now = 0u64;
    a.connect(now);
    settle(&mut a, &mut b, now);
    assert_eq!(b.state(), SctpState::Connected);
    let mut buf = Vec::new();
    while !r.is_empty() {
        match r.u8() % 5 {
            // A raw datagram for the connected side, and for a fresh one.
            0 => {
                let len = usize::from(r.u16() % 1500);
                buf.clear();
                buf.extend((0..len).map(|_| r.u8()));
                b.handle_datagram(&buf, now);
                fresh.handle_datagram(&buf, now);
            }
            // A message from a: its packets reach b with bytes flipped.
            1 => {
                let stream = r.u16() % 20;
                let len = usize::from(r.u16() % 3000);
                let reliability = RELIABILITIES[usize::from(r.u8() % 3)];
                let _ = a.send(
                    now,
                    stream,
                    51 + u32::from(r.u8() % 7),
                    &vec![7; len],
                    reliability,
                );
                while let Some(mut p) = a.poll_transmit(now) {
                    if !p.is_empty() && r.bool() {
                        let at = usize::from(r.u16()) % p.len();
                        p[at] ^= r.u8() | 1;
                    }
                    b.handle_datagram(&p, now);
                }
            }
            // A message from b, delivered whole.
            2 => {
                let len = usize::from(r.u16()) + usize::from(r.u8()) * 16;
                let _ = b.send(now, r.u16() % 20, 53, &vec![1; len], RELIABILITIES[0]);
                settle(&mut a, &mut b, now);
            }
            // Time passes; timers run.
            3 => {
                now += u64::from(r.u16());
                a.handle_timeout(now);
                b.handle_timeout(now);
                fresh.handle_timeout(now);
                while fresh.poll_transmit(now).is_some() {}
            }
            _ => settle(&mut a, &mut b, now),
        }
        while let Some(event) = b.poll_event() {
            if let ferrosoup::sctp::SctpEvent::Message { stream_id, .. } = event {
                assert!(stream_id < u16::MAX);
            }
        }
        while fresh.poll_event().is_some() {}
    }
});
