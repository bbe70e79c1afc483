//! Allocation-free SRTP/SRTCP (RFC 3711; AES-GCM per RFC 7714) for the four
//! crypto suites mediasoup negotiates.
//!
//! An [`SrtpSession`] is one direction (mediasoup keeps an inbound and an
//! outbound one per transport). Packets are transformed in place in the
//! caller's buffer, which must have room for the suite's overhead
//! ([`CryptoSuite::rtp_overhead`], [`CryptoSuite::rtcp_overhead`]).
//! Session keys, AES key schedules and HMAC states are computed once at
//! construction; per-SSRC state (ROC, SRTCP index, replay window) lives in a
//! bounded table, so the per-packet path never touches the heap.
//!
//! Interop notes: for `AES_CM_128_HMAC_SHA1_32` the SRTCP tag stays 80 bits
//! (RFC 5764 4.1.2; mediasoup configures libsrtp that way and webrtc-srtp
//! agrees). The first SRTCP index sent is 1, as in libsrtp.

mod aes_cm;
mod bench;
mod error;
mod gcm;
mod header;
mod kdf;
mod replay;
mod session;
mod ssrc_map;
mod suite;

#[cfg(test)]
mod interop_tests;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod test_util;

#[doc(hidden)]
pub use bench::{bench, bench_split, exercise_for_alloc_check, AllocExercise};
pub use error::SrtpError;
pub use session::SrtpSession;
pub use ssrc_map::MAX_SSRCS;
pub use suite::CryptoSuite;
