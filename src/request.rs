//! Requests from JS, parsed once at the boundary into typed enums.
//!
//! The channel delivers `(method, handlerId, data)`; `Request::parse` turns
//! method and data into one of the enums below, rejecting what does not
//! parse with the error class and message mediasoup uses. Everything under
//! the worker dispatches on these enums, never on method strings.

use crate::data::{optional_u16, to_u16, u16_list};
use crate::error::{Error, Result};
use crate::trace::requested_types;
use serde_json::Value;

pub use crate::transport::connect::ConnectOptions;
pub use crate::transport::options::{TransportOptions, TransportType};

pub use crate::router::rtp_observer::{RtpObserverOptions, RtpObserverType};

#[derive(Debug, Clone, PartialEq)]
pub enum WorkerRequest {
    Dump,
    GetResourceUsage,
    UpdateSettings(SettingsUpdate),
    CreateRouter { router_id: String },
    CloseRouter { router_id: String },
    CreateWebRtcServer(WebRtcServerOptions),
    CloseWebRtcServer { web_rtc_server_id: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum RouterRequest {
    Dump,
    CreateTransport {
        transport_id: String,
        options: Box<TransportOptions>,
    },
    CloseTransport {
        transport_id: String,
    },
    CreateRtpObserver {
        rtp_observer_id: String,
        options: RtpObserverOptions,
    },
    CloseRtpObserver {
        rtp_observer_id: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum TransportRequest {
    Dump,
    GetStats,
    Connect(Box<ConnectOptions>),
    RestartIce,
    SetMaxIncomingBitrate(u32),
    SetMaxOutgoingBitrate(u32),
    SetMinOutgoingBitrate(u32),
    EnableTraceEvent(Vec<String>),
    Produce(Box<ProduceOptions>),
    Consume(Box<ConsumeOptions>),
    ProduceData(DataEndpointOptions),
    ConsumeData(DataEndpointOptions),
    CloseProducer { producer_id: String },
    CloseConsumer { consumer_id: String },
    CloseDataProducer { data_producer_id: String },
    CloseDataConsumer { data_consumer_id: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProducerRequest {
    Dump,
    GetStats,
    Pause,
    Resume,
    EnableTraceEvent(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConsumerRequest {
    Dump,
    GetStats,
    Pause,
    Resume,
    /// The layers, or why they did not parse (a simple consumer ignores
    /// them, so the error is only raised by a layered one).
    SetPreferredLayers(Result<RequestedLayers>),
    /// Already clamped to mediasoup's uint8.
    SetPriority(u8),
    RequestKeyFrame,
    EnableTraceEvent(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum DataProducerRequest {
    Dump,
    GetStats,
    Pause,
    Resume,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DataConsumerRequest {
    Dump,
    GetStats,
    Pause,
    Resume,
    GetBufferedAmount,
    SetBufferedAmountLowThreshold(u32),
    /// The decoded message, or `None` when it was missing or not base64
    /// (rejected after the consumer's own checks, in mediasoup's order).
    Send(Option<Vec<u8>>),
    SetSubchannels(Vec<u16>),
    AddSubchannel(u16),
    RemoveSubchannel(u16),
}

#[derive(Debug, Clone, PartialEq)]
pub enum RtpObserverRequest {
    Pause,
    Resume,
    AddProducer { producer_id: String },
    RemoveProducer { producer_id: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum WebRtcServerRequest {
    Dump,
}

/// A request addressed to the worker or to one of its objects.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Worker(WorkerRequest),
    Router(RouterRequest),
    Transport(TransportRequest),
    Producer(ProducerRequest),
    Consumer(ConsumerRequest),
    DataProducer(DataProducerRequest),
    DataConsumer(DataConsumerRequest),
    RtpObserver(RtpObserverRequest),
    WebRtcServer(WebRtcServerRequest),
}

/// One-way messages from JS (media and data sent through a DirectTransport
/// or `dataProducer.send()`), parsed like requests. Unknown or malformed
/// ones are dropped, as a notification has no one to answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Notification {
    /// An RTP packet for a producer (`producer.send()`).
    ProducerSend(Vec<u8>),
    /// An RTCP packet for a transport (`transport.sendRtcp()`).
    TransportSendRtcp(Vec<u8>),
    /// A message for a DataProducer's consumers.
    DataProducerSend {
        message: Vec<u8>,
        ppid: u32,
        subchannels: Vec<u16>,
        required_subchannel: Option<u16>,
        ignored_subchannel: Option<u16>,
    },
}

impl Notification {
    pub fn parse(event: &str, data: &Value, payload: Option<Vec<u8>>) -> Option<Notification> {
        let payload = payload?;
        Some(match event {
            "producer.send" => Notification::ProducerSend(payload),
            "transport.sendRtcp" => Notification::TransportSendRtcp(payload),
            "dataProducer.send" => Notification::DataProducerSend {
                message: payload,
                ppid: data
                    .get("ppid")
                    .and_then(Value::as_f64)
                    .filter(|p| p.is_finite())
                    .map_or(0, |p| p.trunc() as i64 as u32),
                subchannels: u16_list(data.get("subchannels")),
                required_subchannel: optional_u16(data, "requiredSubchannel"),
                ignored_subchannel: optional_u16(data, "ignoredSubchannel"),
            },
            _ => return None,
        })
    }
}

/// A required string field (TypeError `missing <key>` otherwise).
pub use crate::channel::SettingsUpdate;
pub use crate::consumer::{ConsumeOptions, RequestedLayers};
pub use crate::data::DataEndpointOptions;
pub use crate::json_fields::string_field;
pub use crate::producer::ProduceOptions;
pub use crate::transport::webrtc_server::WebRtcServerOptions;

fn bitrate_field(data: &Value) -> Result<u32> {
    data.get("bitrate")
        .and_then(Value::as_u64)
        .filter(|b| *b <= u32::MAX as u64)
        .map(|b| b as u32)
        .ok_or_else(|| Error::type_error("invalid bitrate"))
}

fn unknown(method: &str) -> Error {
    Error::other(format!("unknown method '{method}'"))
}

impl Request {
    /// [`Request::parse`] on the body's JSON text: the bulky bodies
    /// (produce, consume) deserialize straight into their typed options.
    pub fn parse_text(method: &str, body: &str) -> Result<Request> {
        use crate::consumer::ConsumeBody;
        use crate::producer::ProduceBody;
        use crate::rtp_parameters::invalid;
        match method {
            "transport.produce" => {
                let body: ProduceBody =
                    serde_json::from_str(body).map_err(|e| invalid("produce body", e))?;
                Ok(Request::Transport(TransportRequest::Produce(Box::new(
                    ProduceOptions::from_body(body)?,
                ))))
            }
            "transport.consume" => {
                let body: ConsumeBody =
                    serde_json::from_str(body).map_err(|e| invalid("consume body", e))?;
                Ok(Request::Transport(TransportRequest::Consume(Box::new(
                    ConsumeOptions::from_body(body)?,
                ))))
            }
            // Unreadable text is an absent body, which the parsers reject
            // with the message of the first field they miss.
            _ => Self::parse(method, &serde_json::from_str(body).unwrap_or(Value::Null)),
        }
    }

    /// Parses a request by its method name and body: `Error` "unknown
    /// method" for a method nobody handles, the field's error (usually a
    /// TypeError) for a body that does not parse.
    pub fn parse(method: &str, data: &Value) -> Result<Request> {
        let (scope, name) = method.split_once('.').ok_or_else(|| unknown(method))?;
        let request = match scope {
            "worker" => parse_worker(name, data)?.map(Request::Worker),
            "router" => parse_router(name, data)?.map(Request::Router),
            "transport" => parse_transport(name, data)?.map(Request::Transport),
            "producer" => parse_producer(name, data)?.map(Request::Producer),
            "consumer" => parse_consumer(name, data)?.map(Request::Consumer),
            "dataProducer" => parse_data_producer(name).map(Request::DataProducer),
            "dataConsumer" => parse_data_consumer(name, data).map(Request::DataConsumer),
            "rtpObserver" => parse_rtp_observer(name, data)?.map(Request::RtpObserver),
            "webRtcServer" => {
                (name == "dump").then_some(Request::WebRtcServer(WebRtcServerRequest::Dump))
            }
            _ => None,
        };
        request.ok_or_else(|| unknown(method))
    }
}

fn parse_worker(name: &str, data: &Value) -> Result<Option<WorkerRequest>> {
    use WorkerRequest as W;
    Ok(Some(match name {
        "dump" => W::Dump,
        "getResourceUsage" => W::GetResourceUsage,
        "updateSettings" => W::UpdateSettings(SettingsUpdate::parse(data)?),
        "createRouter" => W::CreateRouter {
            router_id: string_field(data, "routerId")?,
        },
        "closeRouter" => W::CloseRouter {
            router_id: string_field(data, "routerId")?,
        },
        "createWebRtcServer" => W::CreateWebRtcServer(WebRtcServerOptions::parse(data)?),
        "closeWebRtcServer" => W::CloseWebRtcServer {
            web_rtc_server_id: string_field(data, "webRtcServerId")?,
        },
        _ => return Ok(None),
    }))
}

fn parse_router(name: &str, data: &Value) -> Result<Option<RouterRequest>> {
    use RouterRequest as R;
    let transport = |kind| -> Result<RouterRequest> {
        Ok(R::CreateTransport {
            transport_id: string_field(data, "transportId")?,
            options: Box::new(TransportOptions::parse(
                kind,
                data.get("options").unwrap_or(&Value::Null),
            )?),
        })
    };
    let observer = |kind| -> Result<RouterRequest> {
        Ok(R::CreateRtpObserver {
            rtp_observer_id: string_field(data, "rtpObserverId")?,
            options: RtpObserverOptions::parse(kind, data.get("options").unwrap_or(&Value::Null))?,
        })
    };
    Ok(Some(match name {
        "dump" => R::Dump,
        "createWebRtcTransport" => transport(TransportType::WebRtc)?,
        "createWebRtcTransportWithServer" => transport(TransportType::WebRtcWithServer)?,
        "createPlainTransport" => transport(TransportType::Plain)?,
        "createDirectTransport" => transport(TransportType::Direct)?,
        "closeTransport" => R::CloseTransport {
            transport_id: string_field(data, "transportId")?,
        },
        "createActiveSpeakerObserver" => observer(RtpObserverType::ActiveSpeaker)?,
        "createAudioLevelObserver" => observer(RtpObserverType::AudioLevel)?,
        "closeRtpObserver" => R::CloseRtpObserver {
            rtp_observer_id: string_field(data, "rtpObserverId")?,
        },
        _ => return Ok(None),
    }))
}

fn parse_transport(name: &str, data: &Value) -> Result<Option<TransportRequest>> {
    use TransportRequest as T;
    Ok(Some(match name {
        "dump" => T::Dump,
        "getStats" => T::GetStats,
        "connect" => T::Connect(Box::new(ConnectOptions::parse(data))),
        "restartIce" => T::RestartIce,
        "setMaxIncomingBitrate" => T::SetMaxIncomingBitrate(bitrate_field(data)?),
        "setMaxOutgoingBitrate" => T::SetMaxOutgoingBitrate(bitrate_field(data)?),
        "setMinOutgoingBitrate" => T::SetMinOutgoingBitrate(bitrate_field(data)?),
        "enableTraceEvent" => T::EnableTraceEvent(requested_types(data.get("types"))?),
        "produce" => T::Produce(Box::new(ProduceOptions::parse(data)?)),
        "consume" => T::Consume(Box::new(ConsumeOptions::parse(data)?)),
        "produceData" => T::ProduceData(DataEndpointOptions::parse_produce(data)?),
        "consumeData" => T::ConsumeData(DataEndpointOptions::parse_consume(data)?),
        "closeProducer" => T::CloseProducer {
            producer_id: string_field(data, "producerId")?,
        },
        "closeConsumer" => T::CloseConsumer {
            consumer_id: string_field(data, "consumerId")?,
        },
        "closeDataProducer" => T::CloseDataProducer {
            data_producer_id: string_field(data, "dataProducerId")?,
        },
        "closeDataConsumer" => T::CloseDataConsumer {
            data_consumer_id: string_field(data, "dataConsumerId")?,
        },
        _ => return Ok(None),
    }))
}

fn parse_producer(name: &str, data: &Value) -> Result<Option<ProducerRequest>> {
    use ProducerRequest as P;
    Ok(Some(match name {
        "dump" => P::Dump,
        "getStats" => P::GetStats,
        "pause" => P::Pause,
        "resume" => P::Resume,
        "enableTraceEvent" => P::EnableTraceEvent(requested_types(data.get("types"))?),
        _ => return Ok(None),
    }))
}

fn parse_consumer(name: &str, data: &Value) -> Result<Option<ConsumerRequest>> {
    use ConsumerRequest as C;
    Ok(Some(match name {
        "dump" => C::Dump,
        "getStats" => C::GetStats,
        "pause" => C::Pause,
        "resume" => C::Resume,
        "setPreferredLayers" => C::SetPreferredLayers(RequestedLayers::parse(data)),
        "setPriority" => {
            let priority = data
                .get("priority")
                .and_then(Value::as_f64)
                .filter(|p| *p >= 1.0)
                .ok_or_else(|| Error::type_error("priority must be a positive number"))?;
            // mediasoup stores priority in a uint8.
            C::SetPriority((priority as u64).min(255) as u8)
        }
        "requestKeyFrame" => C::RequestKeyFrame,
        "enableTraceEvent" => C::EnableTraceEvent(requested_types(data.get("types"))?),
        _ => return Ok(None),
    }))
}

fn parse_data_producer(name: &str) -> Option<DataProducerRequest> {
    use DataProducerRequest as D;
    Some(match name {
        "dump" => D::Dump,
        "getStats" => D::GetStats,
        "pause" => D::Pause,
        "resume" => D::Resume,
        _ => return None,
    })
}

fn parse_data_consumer(name: &str, data: &Value) -> Option<DataConsumerRequest> {
    use base64::Engine as _;
    use DataConsumerRequest as D;
    Some(match name {
        "dump" => D::Dump,
        "getStats" => D::GetStats,
        "pause" => D::Pause,
        "resume" => D::Resume,
        "getBufferedAmount" => D::GetBufferedAmount,
        "setBufferedAmountLowThreshold" => {
            let threshold = data.get("threshold").and_then(Value::as_f64).unwrap_or(0.0);
            D::SetBufferedAmountLowThreshold((threshold.trunc() as i64) as u32)
        }
        "send" => D::Send(
            data.get("data")
                .and_then(Value::as_str)
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()),
        ),
        "setSubchannels" => D::SetSubchannels(u16_list(data.get("subchannels"))),
        "addSubchannel" => D::AddSubchannel(data.get("subchannel").map_or(0, to_u16)),
        "removeSubchannel" => D::RemoveSubchannel(data.get("subchannel").map_or(0, to_u16)),
        _ => return None,
    })
}

fn parse_rtp_observer(name: &str, data: &Value) -> Result<Option<RtpObserverRequest>> {
    use RtpObserverRequest as O;
    Ok(Some(match name {
        "pause" => O::Pause,
        "resume" => O::Resume,
        "addProducer" => O::AddProducer {
            producer_id: string_field(data, "producerId")?,
        },
        "removeProducer" => O::RemoveProducer {
            producer_id: string_field(data, "producerId")?,
        },
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    #[test]
    fn parses_methods_into_typed_requests() {
        let Request::Router(RouterRequest::CreateTransport {
            transport_id,
            options,
        }) = Request::parse(
            "router.createDirectTransport",
            &json!({"transportId": "t", "options": {"maxMessageSize": 1}}),
        )
        .unwrap()
        else {
            panic!("not a createTransport request");
        };
        assert_eq!(transport_id, "t");
        assert_eq!(
            options.kind,
            crate::transport::options::TransportKindOptions::Direct
        );
        let e = Request::parse(
            "router.createPlainTransport",
            &json!({"transportId": "t", "options": {"a": 1}}),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::TypeError);
        assert_eq!(
            Request::parse("consumer.setPriority", &json!({"priority": 300})).unwrap(),
            Request::Consumer(ConsumerRequest::SetPriority(255))
        );
        assert_eq!(
            Request::parse("dataConsumer.send", &json!({"data": "aGk="})).unwrap(),
            Request::DataConsumer(DataConsumerRequest::Send(Some(b"hi".to_vec())))
        );
        assert_eq!(
            Request::parse("dataConsumer.send", &json!({})).unwrap(),
            Request::DataConsumer(DataConsumerRequest::Send(None))
        );
    }

    #[test]
    fn rejects_bad_bodies_and_unknown_methods_like_mediasoup() {
        let e =
            Request::parse("transport.setMaxIncomingBitrate", &json!({"bitrate": -1})).unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::TypeError, "invalid bitrate")
        );
        let e = Request::parse("worker.createRouter", &json!({})).unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::TypeError, "missing routerId")
        );
        let e = Request::parse("consumer.setPriority", &json!({"priority": 0})).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TypeError);
        for method in ["producer.bogus", "nothing", "bogus.dump"] {
            let e = Request::parse(method, &Value::Null).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Error);
            assert_eq!(e.message, format!("unknown method '{method}'"));
        }
    }
}
