//! ferrosoup: a WebRTC SFU exposing mediasoup v3's API to Node.js.
//! Module map only; each module documents what it owns.

pub mod error;
pub mod napi;
pub mod ortc;
pub mod router;
pub mod worker;
