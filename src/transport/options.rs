//! The options of `router.create*Transport()` as typed values: parsed once
//! at the boundary (see `request`), with mediasoup's error classes and
//! messages, then handed to the transport constructors.

use crate::ice::candidate::ProtocolPrefs;
use crate::net::ListenInfo;
use crate::srtp::CryptoSuite;

/// Options every transport kind takes.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportOptions {
    pub max_send_message_size: u64,
    pub max_receive_message_size: u64,
    /// Present when `enableSctp` is set.
    pub sctp: Option<SctpOptions>,
    /// Initial bufferedAmountLowThreshold of every SCTP stream.
    pub sctp_buffered_amount_low_threshold: u32,
    /// Where bandwidth estimation starts (bps).
    pub initial_available_outgoing_bitrate: u32,
    pub kind: TransportKindOptions,
}

/// SCTP settings a transport announces in `sctpParameters`.
#[derive(Debug, Clone, PartialEq)]
pub struct SctpOptions {
    pub send_buffer_size: u64,
    pub per_stream_send_queue_limit: u64,
    pub max_receiver_window_buffer_size: u64,
    pub is_data_channel: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TransportKindOptions {
    WebRtc(WebRtcOptions),
    Plain(PlainOptions),
    Pipe(PipeOptions),
    Direct,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebRtcOptions {
    pub listen: WebRtcListen,
    /// Seconds without a consent check before ICE disconnects (0: never).
    pub ice_consent_timeout: u8,
}

/// Where a WebRtcTransport listens.
#[derive(Debug, Clone, PartialEq)]
pub enum WebRtcListen {
    /// Its own sockets, one per listen info.
    Own(Vec<ListenInfo>),
    /// The sockets of a WebRtcServer.
    Server {
        web_rtc_server_id: String,
        prefs: ProtocolPrefs,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlainOptions {
    pub listen_info: ListenInfo,
    /// Given only when RTCP gets its own socket.
    pub rtcp_listen_info: Option<ListenInfo>,
    pub rtcp_mux: bool,
    pub comedia: bool,
    /// Set when `enableSrtp` is.
    pub srtp_crypto_suite: Option<CryptoSuite>,
}

/// A PipeTransport: plain UDP to another router's PipeTransport (rtcp-mux,
/// no comedia, AEAD_AES_256_GCM when SRTP is on).
#[derive(Debug, Clone, PartialEq)]
pub struct PipeOptions {
    pub listen_info: ListenInfo,
    pub enable_rtx: bool,
    pub enable_srtp: bool,
}

/// The kind of transport a request creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportType {
    WebRtc,
    /// A WebRtcTransport on a WebRtcServer's sockets.
    WebRtcWithServer,
    Plain,
    Pipe,
    Direct,
}
