//! ICE-lite for WebRtcTransport, sans-IO: STUN codec, the responder state
//! machine, and mediasoup's host candidates.

pub mod candidate;
pub mod crc32;
pub mod server;
pub mod stun;

#[cfg(test)]
mod alloc_count;

pub use server::{IceEvent, IceServer, IceState};
