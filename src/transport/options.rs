//! The options of `router.create*Transport()` as typed values: parsed once
//! at the boundary (see `request`), with mediasoup's error classes and
//! messages, then handed to the transport constructors.

use crate::error::{Error, Result};
use crate::ice::candidate::ProtocolPrefs;
use crate::net::{ListenInfo, ListenProtocol};
use crate::srtp::CryptoSuite;
use serde_json::Value;

/// mediasoup's default message size limits (bytes).
const DEFAULT_MESSAGE_SIZE: u64 = 262_144;

/// Options every transport kind takes.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportOptions {
    pub max_send_message_size: u64,
    pub max_receive_message_size: u64,
    /// Present when `enableSctp` is set.
    pub sctp: Option<SctpOptions>,
    /// Initial bufferedAmountLowThreshold of every SCTP stream.
    pub sctp_buffered_amount_low_threshold: u32,
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

/// The kind of transport a request creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportType {
    WebRtc,
    /// A WebRtcTransport on a WebRtcServer's sockets.
    WebRtcWithServer,
    Plain,
    Direct,
}

fn flag(options: &Value, key: &str, default: bool) -> bool {
    options.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn number(options: &Value, key: &str, default: u64) -> u64 {
    options.get(key).and_then(Value::as_u64).unwrap_or(default)
}

/// A UDP listen info (PlainTransports listen on UDP only).
fn udp_listen_info(value: &Value, what: &str) -> Result<ListenInfo> {
    let info = ListenInfo::from_json(value)?;
    if info.protocol != ListenProtocol::Udp {
        return Err(Error::type_error(format!(
            "unsupported {what}listen protocol"
        )));
    }
    Ok(info)
}

impl TransportOptions {
    /// The `options` of a create-transport request of type `kind`.
    pub fn parse(kind: TransportType, options: &Value) -> Result<Self> {
        let enable_sctp = flag(options, "enableSctp", false);
        let kind = match kind {
            TransportType::WebRtc => {
                let infos = options
                    .get("listenInfos")
                    .and_then(Value::as_array)
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| Error::type_error("empty listenInfos"))?;
                let infos = infos
                    .iter()
                    .map(ListenInfo::from_json)
                    .collect::<Result<Vec<_>>>()?;
                TransportKindOptions::WebRtc(WebRtcOptions {
                    listen: WebRtcListen::Own(infos),
                    ice_consent_timeout: ice_consent_timeout(options),
                })
            }
            TransportType::WebRtcWithServer => {
                let web_rtc_server_id = options
                    .get("webRtcServerId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::type_error("missing webRtcServerId"))?
                    .to_string();
                TransportKindOptions::WebRtc(WebRtcOptions {
                    listen: WebRtcListen::Server {
                        web_rtc_server_id,
                        prefs: ProtocolPrefs {
                            enable_udp: flag(options, "enableUdp", true),
                            enable_tcp: flag(options, "enableTcp", true),
                            prefer_udp: flag(options, "preferUdp", false),
                            prefer_tcp: flag(options, "preferTcp", false),
                        },
                    },
                    ice_consent_timeout: ice_consent_timeout(options),
                })
            }
            TransportType::Plain => TransportKindOptions::Plain(PlainOptions::parse(options)?),
            TransportType::Direct => {
                if enable_sctp {
                    return Err(Error::type_error(
                        "cannot enable SCTP in a direct Transport",
                    ));
                }
                TransportKindOptions::Direct
            }
        };
        Ok(TransportOptions {
            max_send_message_size: number(options, "maxSendMessageSize", DEFAULT_MESSAGE_SIZE),
            max_receive_message_size: number(
                options,
                "maxReceiveMessageSize",
                DEFAULT_MESSAGE_SIZE,
            ),
            sctp: enable_sctp.then(|| SctpOptions {
                send_buffer_size: number(options, "sctpSendBufferSize", 2_000_000),
                per_stream_send_queue_limit: number(
                    options,
                    "sctpPerStreamSendQueueLimit",
                    2_000_000,
                ),
                max_receiver_window_buffer_size: number(
                    options,
                    "sctpMaxReceiverWindowBufferSize",
                    5_242_880,
                ),
                is_data_channel: flag(options, "isDataChannel", false),
            }),
            sctp_buffered_amount_low_threshold: options
                .get("sctpDefaultStreamBufferedAmountLowThreshold")
                .and_then(Value::as_u64)
                .map_or(1024, |t| t.min(u32::MAX as u64) as u32),
            kind,
        })
    }
}

fn ice_consent_timeout(options: &Value) -> u8 {
    number(options, "iceConsentTimeout", 30).min(255) as u8
}

impl PlainOptions {
    fn parse(options: &Value) -> Result<Self> {
        let listen_info = udp_listen_info(options.get("listenInfo").unwrap_or(&Value::Null), "")?;
        let rtcp_listen_info = match options.get("rtcpListenInfo") {
            None | Some(Value::Null) => None,
            Some(v) => Some(udp_listen_info(v, "RTCP ")?),
        };
        let srtp_crypto_suite =
            if flag(options, "enableSrtp", false) {
                let name = options
                    .get("srtpCryptoSuite")
                    .and_then(Value::as_str)
                    .unwrap_or("AES_CM_128_HMAC_SHA1_80");
                Some(CryptoSuite::from_name(name).ok_or_else(|| {
                    Error::type_error(format!("invalid srtpCryptoSuite '{name}'"))
                })?)
            } else {
                None
            };
        Ok(PlainOptions {
            rtcp_mux: flag(options, "rtcpMux", true) && rtcp_listen_info.is_none(),
            rtcp_listen_info,
            listen_info,
            comedia: flag(options, "comedia", false),
            srtp_crypto_suite,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    #[test]
    fn defaults_are_mediasoups() {
        let o = TransportOptions::parse(
            TransportType::WebRtc,
            &json!({"listenInfos": [{"protocol": "udp", "ip": "127.0.0.1"}]}),
        )
        .unwrap();
        assert_eq!(
            (o.max_send_message_size, o.max_receive_message_size),
            (262_144, 262_144)
        );
        assert_eq!(o.sctp, None);
        assert_eq!(o.sctp_buffered_amount_low_threshold, 1024);
        let TransportKindOptions::WebRtc(w) = o.kind else {
            panic!("not WebRTC");
        };
        assert_eq!(w.ice_consent_timeout, 30);
        let o = TransportOptions::parse(
            TransportType::Plain,
            &json!({"listenInfo": {"protocol": "udp", "ip": "127.0.0.1"}, "enableSrtp": true,
                    "enableSctp": true}),
        )
        .unwrap();
        let TransportKindOptions::Plain(p) = o.kind else {
            panic!("not plain");
        };
        assert!(p.rtcp_mux && !p.comedia);
        assert_eq!(
            p.srtp_crypto_suite,
            CryptoSuite::from_name("AES_CM_128_HMAC_SHA1_80")
        );
        assert_eq!(o.sctp.unwrap().send_buffer_size, 2_000_000);
    }

    #[test]
    fn invalid_options_are_type_errors() {
        for (kind, options) in [
            (TransportType::WebRtc, json!({"listenInfos": []})),
            (
                TransportType::WebRtc,
                json!({"listenInfos": [{"protocol": "udp"}]}),
            ),
            (TransportType::WebRtcWithServer, json!({})),
            (
                TransportType::Plain,
                json!({"listenInfo": {"protocol": "tcp", "ip": "127.0.0.1"}}),
            ),
            (
                TransportType::Plain,
                json!({"listenInfo": {"protocol": "udp", "ip": "127.0.0.1"},
                       "enableSrtp": true, "srtpCryptoSuite": "ROT13"}),
            ),
            (TransportType::Direct, json!({"enableSctp": true})),
        ] {
            let error = TransportOptions::parse(kind, &options).unwrap_err();
            assert_eq!(error.kind, ErrorKind::TypeError, "{options}");
        }
    }

    #[test]
    fn an_rtcp_listen_info_turns_rtcp_mux_off() {
        let o = PlainOptions::parse(&json!({
            "listenInfo": {"protocol": "udp", "ip": "127.0.0.1"},
            "rtcpListenInfo": {"protocol": "udp", "ip": "127.0.0.1", "port": 5005},
            "rtcpMux": true
        }))
        .unwrap();
        assert!(!o.rtcp_mux);
        assert_eq!(o.rtcp_listen_info.unwrap().port, 5005);
    }
}
