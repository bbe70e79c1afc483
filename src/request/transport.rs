//! Transport bodies: the options of `router.create*Transport()` and
//! `transport.connect()`.

use super::listen::{listen_info, listen_infos, parse_ip, ListenInfoBody};
use crate::dtls::DtlsRole;
use crate::error::{Error, Result};
use crate::ice::candidate::ProtocolPrefs;
use crate::json_in::Js;
use crate::net::{ListenInfo, ListenProtocol};
use crate::srtp::CryptoSuite;
use crate::transport::connect::{ConnectOptions, RemoteDtls};
use crate::transport::options::{
    PipeOptions, PlainOptions, SctpOptions, TransportKindOptions, TransportOptions, TransportType,
    WebRtcListen, WebRtcOptions,
};
use serde::Deserialize;

/// mediasoup's default message size limits (bytes).
const DEFAULT_MESSAGE_SIZE: u64 = 262_144;
/// mediasoup's default `initialAvailableOutgoingBitrate`.
const DEFAULT_INITIAL_AVAILABLE_OUTGOING_BITRATE: u32 = 600_000;

/// The `options` of every create-transport request (each kind reads its
/// own fields).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TransportOptionsBody {
    // WebRtcTransport
    listen_infos: Js<Vec<Js<ListenInfoBody>>>,
    web_rtc_server_id: Js<String>,
    enable_udp: Js<bool>,
    enable_tcp: Js<bool>,
    prefer_udp: Js<bool>,
    prefer_tcp: Js<bool>,
    ice_consent_timeout: Js<u64>,
    initial_available_outgoing_bitrate: Js<u64>,
    // PlainTransport
    listen_info: Js<ListenInfoBody>,
    rtcp_listen_info: Js<ListenInfoBody>,
    rtcp_mux: Js<bool>,
    comedia: Js<bool>,
    enable_srtp: Js<bool>,
    srtp_crypto_suite: Js<String>,
    // PipeTransport (also listenInfo and enableSrtp)
    enable_rtx: Js<bool>,
    // Every kind
    max_send_message_size: Js<u64>,
    max_receive_message_size: Js<u64>,
    enable_sctp: Js<bool>,
    sctp_send_buffer_size: Js<u64>,
    sctp_per_stream_send_queue_limit: Js<u64>,
    sctp_max_receiver_window_buffer_size: Js<u64>,
    is_data_channel: Js<bool>,
    sctp_default_stream_buffered_amount_low_threshold: Js<u64>,
}

fn flag(value: &Js<bool>, default: bool) -> bool {
    value.copied().unwrap_or(default)
}

fn number(value: &Js<u64>, default: u64) -> u64 {
    value.copied().unwrap_or(default)
}

/// A UDP listen info (PlainTransports listen on UDP only).
fn udp_listen_info(value: &Js<ListenInfoBody>, what: &str) -> Result<ListenInfo> {
    let info = listen_info(value)?;
    if info.protocol != ListenProtocol::Udp {
        return Err(Error::type_error(format!(
            "unsupported {what}listen protocol"
        )));
    }
    Ok(info)
}

/// The options of a create-transport request of type `kind`.
pub fn transport_options(
    kind: TransportType,
    o: &TransportOptionsBody,
) -> Result<TransportOptions> {
    let enable_sctp = flag(&o.enable_sctp, false);
    let ice_consent_timeout = number(&o.ice_consent_timeout, 30).min(255) as u8;
    let kind = match kind {
        TransportType::WebRtc => TransportKindOptions::WebRtc(WebRtcOptions {
            listen: WebRtcListen::Own(listen_infos(&o.listen_infos)?),
            ice_consent_timeout,
        }),
        TransportType::WebRtcWithServer => {
            let web_rtc_server_id = o
                .web_rtc_server_id
                .as_str()
                .ok_or_else(|| Error::type_error("missing webRtcServerId"))?
                .to_string();
            TransportKindOptions::WebRtc(WebRtcOptions {
                listen: WebRtcListen::Server {
                    web_rtc_server_id,
                    prefs: ProtocolPrefs {
                        enable_udp: flag(&o.enable_udp, true),
                        enable_tcp: flag(&o.enable_tcp, true),
                        prefer_udp: flag(&o.prefer_udp, false),
                        prefer_tcp: flag(&o.prefer_tcp, false),
                    },
                },
                ice_consent_timeout,
            })
        }
        TransportType::Plain => TransportKindOptions::Plain(plain_options(o)?),
        TransportType::Pipe => TransportKindOptions::Pipe(PipeOptions {
            listen_info: udp_listen_info(&o.listen_info, "")?,
            enable_rtx: flag(&o.enable_rtx, false),
            enable_srtp: flag(&o.enable_srtp, false),
        }),
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
        max_send_message_size: number(&o.max_send_message_size, DEFAULT_MESSAGE_SIZE),
        max_receive_message_size: number(&o.max_receive_message_size, DEFAULT_MESSAGE_SIZE),
        sctp: enable_sctp.then(|| SctpOptions {
            send_buffer_size: number(&o.sctp_send_buffer_size, 2_000_000),
            per_stream_send_queue_limit: number(&o.sctp_per_stream_send_queue_limit, 2_000_000),
            max_receiver_window_buffer_size: number(
                &o.sctp_max_receiver_window_buffer_size,
                5_242_880,
            ),
            is_data_channel: flag(&o.is_data_channel, false),
        }),
        sctp_buffered_amount_low_threshold: o
            .sctp_default_stream_buffered_amount_low_threshold
            .copied()
            .map_or(1024, |t| t.min(u32::MAX as u64) as u32),
        initial_available_outgoing_bitrate: number(
            &o.initial_available_outgoing_bitrate,
            u64::from(DEFAULT_INITIAL_AVAILABLE_OUTGOING_BITRATE),
        )
        .min(u64::from(u32::MAX)) as u32,
        kind,
    })
}

fn plain_options(o: &TransportOptionsBody) -> Result<PlainOptions> {
    let listen_info = udp_listen_info(&o.listen_info, "")?;
    let rtcp_listen_info = match &o.rtcp_listen_info {
        Js::Absent | Js::Null => None,
        info => Some(udp_listen_info(info, "RTCP ")?),
    };
    let srtp_crypto_suite = if flag(&o.enable_srtp, false) {
        let name = o
            .srtp_crypto_suite
            .as_str()
            .unwrap_or("AES_CM_128_HMAC_SHA1_80");
        Some(
            CryptoSuite::from_name(name)
                .ok_or_else(|| Error::type_error(format!("invalid srtpCryptoSuite '{name}'")))?,
        )
    } else {
        None
    };
    Ok(PlainOptions {
        rtcp_mux: flag(&o.rtcp_mux, true) && rtcp_listen_info.is_none(),
        rtcp_listen_info,
        listen_info,
        comedia: flag(&o.comedia, false),
        srtp_crypto_suite,
    })
}

/// A `transport.connect()` body: every kind's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConnectBody {
    dtls_parameters: Js<DtlsParametersBody>,
    srtp_parameters: Js<SrtpParametersBody>,
    ip: Js<String>,
    port: Js<u64>,
    rtcp_port: Js<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DtlsParametersBody {
    role: Js<String>,
    fingerprints: Js<Vec<Js<FingerprintBody>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FingerprintBody {
    algorithm: Js<String>,
    value: Js<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SrtpParametersBody {
    crypto_suite: Js<String>,
    key_base64: Js<String>,
}

fn port_number(value: &Js<u64>) -> Option<u16> {
    value.copied().filter(|p| *p <= 65535).map(|p| p as u16)
}

/// Each part is kept with the outcome of its parse: the transport reads
/// the parts it uses, in mediasoup's order (state errors first).
pub fn connect_options(b: &ConnectBody) -> ConnectOptions {
    ConnectOptions {
        dtls: remote_dtls(&b.dtls_parameters),
        srtp: b
            .srtp_parameters
            .is_given()
            .then(|| srtp_parameters(&b.srtp_parameters)),
        ip: parse_ip(&b.ip),
        port: port_number(&b.port).ok_or_else(|| Error::type_error("missing port")),
        rtcp_port: b.rtcp_port.is_given().then(|| {
            port_number(&b.rtcp_port).ok_or_else(|| Error::type_error("invalid rtcpPort"))
        }),
    }
}

fn remote_dtls(params: &Js<DtlsParametersBody>) -> Result<RemoteDtls> {
    let params = params
        .get()
        .ok_or_else(|| Error::type_error("missing dtlsParameters"))?;
    let fingerprint = params
        .fingerprints
        .get()
        .and_then(|f| f.first())
        .ok_or_else(|| Error::type_error("empty dtlsParameters.fingerprints array"))?;
    // A fingerprint that is not an object has neither field.
    let none = FingerprintBody::default();
    let fingerprint = fingerprint.get().unwrap_or(&none);
    let algorithm = fingerprint
        .algorithm
        .as_str()
        .filter(|a| matches!(*a, "sha-1" | "sha-224" | "sha-256" | "sha-384" | "sha-512"))
        .ok_or_else(|| Error::type_error("invalid fingerprint.algorithm"))?;
    let value = fingerprint
        .value
        .as_str()
        .ok_or_else(|| Error::type_error("missing fingerprint.value"))?;
    let local_role = match params.role.as_str() {
        None | Some("auto") | Some("server") => DtlsRole::Client,
        Some("client") => DtlsRole::Server,
        Some(other) => {
            return Err(Error::type_error(format!(
                "invalid dtlsParameters.role '{other}'"
            )))
        }
    };
    Ok(RemoteDtls {
        local_role,
        algorithm: algorithm.to_string(),
        fingerprint: value.to_string(),
    })
}

/// `{cryptoSuite, keyBase64}`; every problem is a TypeError.
fn srtp_parameters(value: &Js<SrtpParametersBody>) -> Result<(CryptoSuite, Vec<u8>)> {
    use base64::Engine as _;
    let params = value
        .get()
        .ok_or_else(|| Error::type_error("invalid srtpParameters"))?;
    let suite_name = params
        .crypto_suite
        .as_str()
        .ok_or_else(|| Error::type_error("missing srtpParameters.cryptoSuite"))?;
    let suite = CryptoSuite::from_name(suite_name)
        .ok_or_else(|| Error::type_error(format!("invalid cryptoSuite '{suite_name}'")))?;
    let key_b64 = params
        .key_base64
        .as_str()
        .ok_or_else(|| Error::type_error("missing srtpParameters.keyBase64"))?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(key_b64)
        .map_err(|_| Error::type_error("invalid srtpParameters.keyBase64"))?;
    if key.len() != suite.key_and_salt_len() {
        return Err(Error::type_error("invalid decoded SRTP key length"));
    }
    Ok((suite, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::json_in::body;

    fn options(kind: TransportType, text: &str) -> Result<TransportOptions> {
        transport_options(kind, &body(text))
    }

    #[test]
    fn defaults_are_mediasoups() {
        let o = options(
            TransportType::WebRtc,
            r#"{"listenInfos": [{"protocol": "udp", "ip": "127.0.0.1"}]}"#,
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
        let o = options(
            TransportType::Plain,
            r#"{"listenInfo": {"protocol": "udp", "ip": "127.0.0.1"}, "enableSrtp": true,
                "enableSctp": true}"#,
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
        for (kind, text) in [
            (TransportType::WebRtc, r#"{"listenInfos": []}"#),
            (
                TransportType::WebRtc,
                r#"{"listenInfos": [{"protocol": "udp"}]}"#,
            ),
            (TransportType::WebRtcWithServer, r#"{}"#),
            (
                TransportType::Plain,
                r#"{"listenInfo": {"protocol": "tcp", "ip": "127.0.0.1"}}"#,
            ),
            (TransportType::Plain, r#"{"listenInfo": 3}"#),
            (
                TransportType::Plain,
                r#"{"listenInfo": {"protocol": "udp", "ip": "127.0.0.1"},
                    "enableSrtp": true, "srtpCryptoSuite": "ROT13"}"#,
            ),
            (TransportType::Direct, r#"{"enableSctp": true}"#),
        ] {
            let error = options(kind, text).unwrap_err();
            assert_eq!(error.kind, ErrorKind::TypeError, "{text}");
        }
    }

    #[test]
    fn an_rtcp_listen_info_turns_rtcp_mux_off() {
        let o = plain_options(&body(
            r#"{"listenInfo": {"protocol": "udp", "ip": "127.0.0.1"},
                "rtcpListenInfo": {"protocol": "udp", "ip": "127.0.0.1", "port": 5005},
                "rtcpMux": true}"#,
        ))
        .unwrap();
        assert!(!o.rtcp_mux);
        assert_eq!(o.rtcp_listen_info.unwrap().port, 5005);
    }

    #[test]
    fn connect_keeps_each_part_with_its_outcome() {
        let o = connect_options(&body(
            r#"{"ip": "127.0.0.1", "port": 5000, "rtcpPort": "x"}"#,
        ));
        assert_eq!(o.ip, Ok("127.0.0.1".parse().unwrap()));
        assert_eq!(o.port, Ok(5000));
        assert_eq!(
            o.rtcp_port.unwrap().unwrap_err().message,
            "invalid rtcpPort"
        );
        assert!(o.srtp.is_none());
        assert_eq!(o.dtls.unwrap_err().message, "missing dtlsParameters");
        let o = connect_options(&body(
            r#"{"dtlsParameters": {"role": "client",
                "fingerprints": [{"algorithm": "sha-256", "value": "AB:CD"}]}, "rtcpPort": null}"#,
        ));
        let dtls = o.dtls.unwrap();
        assert_eq!(dtls.local_role, DtlsRole::Server);
        assert_eq!(
            (dtls.algorithm.as_str(), dtls.fingerprint.as_str()),
            ("sha-256", "AB:CD")
        );
        assert!(o.rtcp_port.is_none());
        assert_eq!(o.port.unwrap_err().message, "missing port");
        let o = connect_options(&body(r#"{"dtlsParameters": {"fingerprints": [3]}}"#));
        assert_eq!(o.dtls.unwrap_err().message, "invalid fingerprint.algorithm");
    }

    #[test]
    fn srtp_parameters_are_checked() {
        let srtp = |text: &str| connect_options(&body(text)).srtp.unwrap();
        assert_eq!(
            srtp(r#"{"srtpParameters": 1}"#).unwrap_err().message,
            "invalid srtpParameters"
        );
        assert_eq!(
            srtp(r#"{"srtpParameters": {"cryptoSuite": "AES_CM_128_HMAC_SHA1_80", "keyBase64": "AAAA"}}"#)
                .unwrap_err()
                .message,
            "invalid decoded SRTP key length"
        );
    }
}
