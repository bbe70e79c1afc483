//! ferrosoup: a WebRTC SFU exposing mediasoup v3's API to Node.js.
//! Module map only; each module documents what it owns.

pub mod bwe;
pub mod certificate;
pub mod channel;
pub mod consumer;
pub mod data;
pub mod dtls;
pub mod error;
pub mod ice;
pub mod ids;
pub mod json_in;
pub mod json_out;
#[cfg(feature = "node")]
pub mod napi;
pub mod net;
pub mod observer;
pub mod producer;
pub mod request;
pub mod router;
pub mod rtcp;
pub mod rtp;
pub mod rtp_parameters;
pub mod rtp_stream;
pub mod scalability;
pub mod sctp;
pub mod sfu;
pub mod srtp;
pub mod trace;
pub mod transport;
pub mod worker;
