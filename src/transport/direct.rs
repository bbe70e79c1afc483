//! DirectTransport: no sockets; RTP/RTCP and data messages travel between
//! JS and the worker through the channel.

pub struct DirectTransport;
