//! The SFU core: every object of one worker (routers, transports,
//! producers, consumers, observers, data channels) and the requests and
//! packets that address them. It knows nothing of threads or JS; the
//! worker's loop drives it.

mod allocation;
mod bwe_io;
pub mod core;
mod data;
mod media;
pub mod metrics;
mod objects;
mod observers;
mod rtcp;
mod sctp_io;
mod timers;
mod webrtc_io;
mod webrtc_server;

pub use self::core::Core;
