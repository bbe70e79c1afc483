//! The boundary: requests and notifications from JS, parsed once into
//! typed enums and options.
//!
//! The channel delivers `(method, handlerId, body)` with the body as JSON
//! text; `Request::parse` reads it with serde derive into the body types
//! of this module (fields as [`Js`], see `crate::json_in`) and turns it into
//! one of the enums below, rejecting what does not parse with the error
//! class and message mediasoup uses. Everything under the worker
//! dispatches on these enums and options, never on method strings or JSON.

pub mod data;
mod listen;
mod transport;
mod worker;

pub use worker::worker_settings;

pub use crate::channel::SettingsUpdate;
pub use crate::consumer::{ConsumeOptions, RequestedLayers};
pub use crate::data::DataEndpointOptions;
pub use crate::producer::ProduceOptions;
pub use crate::transport::webrtc_server::WebRtcServerOptions;

use crate::error::{Error, Result};
use crate::json_in::{body, wrap_u16, Js};
use serde::Deserialize;

pub use crate::transport::connect::ConnectOptions;
pub use crate::transport::options::{TransportOptions, TransportType};

pub use crate::router::rtp_observer::{RtpObserverOptions, RtpObserverType};

#[derive(Debug, Clone, PartialEq)]
pub enum WorkerRequest {
    Dump,
    GetResourceUsage,
    /// ferrosoup's own: worker-wide totals for `ferrosoup/metrics`.
    GetMetrics,
    UpdateSettings(SettingsUpdate),
    CreateRouter {
        router_id: String,
    },
    CloseRouter {
        router_id: String,
    },
    CreateWebRtcServer(WebRtcServerOptions),
    CloseWebRtcServer {
        web_rtc_server_id: String,
    },
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
    Send {
        data: Option<Vec<u8>>,
        ppid: u32,
    },
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
    /// A notification by its event name and body; `None` (dropped) when
    /// unknown or without the bytes it carries.
    pub fn parse(event: &str, text: &str, payload: Option<Vec<u8>>) -> Option<Notification> {
        let payload = payload?;
        Some(match event {
            "producer.send" => Notification::ProducerSend(payload),
            "transport.sendRtcp" => Notification::TransportSendRtcp(payload),
            "dataProducer.send" => {
                let b: data::DataMessageBody = body(text);
                Notification::DataProducerSend {
                    message: payload,
                    ppid: b.ppid(),
                    subchannels: b.subchannels(),
                    required_subchannel: data::DataMessageBody::optional_u16(
                        &b.required_subchannel,
                    ),
                    ignored_subchannel: data::DataMessageBody::optional_u16(&b.ignored_subchannel),
                }
            }
            _ => return None,
        })
    }
}

/// A required string field (TypeError `missing <key>` otherwise).
pub(crate) fn string_field(value: &Js<String>, key: &str) -> Result<String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Error::type_error(format!("missing {key}")))
}

/// The small bodies: ids and single values (each request reads its own).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SmallBody {
    router_id: Js<String>,
    web_rtc_server_id: Js<String>,
    transport_id: Js<String>,
    rtp_observer_id: Js<String>,
    producer_id: Js<String>,
    consumer_id: Js<String>,
    data_producer_id: Js<String>,
    data_consumer_id: Js<String>,
    bitrate: Js<u64>,
    priority: Js<f64>,
    types: Js<Vec<Js<String>>>,
}

impl SmallBody {
    fn bitrate(&self) -> Result<u32> {
        self.bitrate
            .copied()
            .filter(|b| *b <= u32::MAX as u64)
            .map(|b| b as u32)
            .ok_or_else(|| Error::type_error("invalid bitrate"))
    }

    /// The type names of `enableTraceEvent`: TypeError if `types` is not an
    /// array; non-string entries are ignored.
    fn trace_types(&self) -> Result<Vec<String>> {
        let types = self
            .types
            .get()
            .ok_or_else(|| Error::type_error("types must be an array"))?;
        Ok(types
            .iter()
            .filter_map(Js::as_str)
            .map(str::to_string)
            .collect())
    }
}

/// `router.create*Transport` and `router.create*Observer`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct CreateBody<O> {
    transport_id: Js<String>,
    rtp_observer_id: Js<String>,
    options: Js<O>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ObserverOptionsBody {
    max_entries: Js<f64>,
    threshold: Js<f64>,
    interval: Js<f64>,
}

fn unknown(method: &str) -> Error {
    Error::other(format!("unknown method '{method}'"))
}

impl Request {
    /// Parses a request by its method name and body text: `Error`
    /// "unknown method" for a method nobody handles, the field's error
    /// (usually a TypeError) for a body that does not parse. Unreadable
    /// text reads as an empty body, which the parsers reject with the
    /// message of the first field they miss.
    pub fn parse(method: &str, text: &str) -> Result<Request> {
        let (scope, name) = method.split_once('.').ok_or_else(|| unknown(method))?;
        let request = match scope {
            "worker" => parse_worker(name, text)?.map(Request::Worker),
            "router" => parse_router(name, text)?.map(Request::Router),
            "transport" => parse_transport(name, text)?.map(Request::Transport),
            "producer" => parse_producer(name, text)?.map(Request::Producer),
            "consumer" => parse_consumer(name, text)?.map(Request::Consumer),
            "dataProducer" => parse_data_producer(name).map(Request::DataProducer),
            "dataConsumer" => parse_data_consumer(name, text).map(Request::DataConsumer),
            "rtpObserver" => parse_rtp_observer(name, text)?.map(Request::RtpObserver),
            "webRtcServer" => {
                (name == "dump").then_some(Request::WebRtcServer(WebRtcServerRequest::Dump))
            }
            _ => None,
        };
        request.ok_or_else(|| unknown(method))
    }
}

fn parse_worker(name: &str, text: &str) -> Result<Option<WorkerRequest>> {
    use WorkerRequest as W;
    let small = || body::<SmallBody>(text);
    Ok(Some(match name {
        "dump" => W::Dump,
        "getResourceUsage" => W::GetResourceUsage,
        "getMetrics" => W::GetMetrics,
        "updateSettings" => W::UpdateSettings(worker::settings_update(text)?),
        "createRouter" => W::CreateRouter {
            router_id: string_field(&small().router_id, "routerId")?,
        },
        "closeRouter" => W::CloseRouter {
            router_id: string_field(&small().router_id, "routerId")?,
        },
        "createWebRtcServer" => W::CreateWebRtcServer(worker::webrtc_server(text)?),
        "closeWebRtcServer" => W::CloseWebRtcServer {
            web_rtc_server_id: string_field(&small().web_rtc_server_id, "webRtcServerId")?,
        },
        _ => return Ok(None),
    }))
}

fn parse_router(name: &str, text: &str) -> Result<Option<RouterRequest>> {
    use RouterRequest as R;
    let create_transport = |kind| -> Result<RouterRequest> {
        let b: CreateBody<transport::TransportOptionsBody> = body(text);
        let transport_id = string_field(&b.transport_id, "transportId")?;
        let options = b.options.into_option().unwrap_or_default();
        Ok(R::CreateTransport {
            transport_id,
            options: Box::new(transport::transport_options(kind, &options)?),
        })
    };
    let create_observer = |kind| -> Result<RouterRequest> {
        let b: CreateBody<ObserverOptionsBody> = body(text);
        let rtp_observer_id = string_field(&b.rtp_observer_id, "rtpObserverId")?;
        let options = b.options.into_option().unwrap_or_default();
        Ok(R::CreateRtpObserver {
            rtp_observer_id,
            options: observer_options(kind, &options)?,
        })
    };
    let small = || body::<SmallBody>(text);
    Ok(Some(match name {
        "dump" => R::Dump,
        "createWebRtcTransport" => create_transport(TransportType::WebRtc)?,
        "createWebRtcTransportWithServer" => create_transport(TransportType::WebRtcWithServer)?,
        "createPlainTransport" => create_transport(TransportType::Plain)?,
        "createPipeTransport" => create_transport(TransportType::Pipe)?,
        "createDirectTransport" => create_transport(TransportType::Direct)?,
        "closeTransport" => R::CloseTransport {
            transport_id: string_field(&small().transport_id, "transportId")?,
        },
        "createActiveSpeakerObserver" => create_observer(RtpObserverType::ActiveSpeaker)?,
        "createAudioLevelObserver" => create_observer(RtpObserverType::AudioLevel)?,
        "closeRtpObserver" => R::CloseRtpObserver {
            rtp_observer_id: string_field(&small().rtp_observer_id, "rtpObserverId")?,
        },
        _ => return Ok(None),
    }))
}

/// The options of a `router.create*Observer` request.
fn observer_options(kind: RtpObserverType, o: &ObserverOptionsBody) -> Result<RtpObserverOptions> {
    // The detectors clamp intervals to mediasoup's bounds; this only
    // brings a JS number into u16.
    let interval = |default: f64| {
        let v = o.interval.copied().unwrap_or(default);
        if v.is_nan() {
            0
        } else {
            v.clamp(0.0, u16::MAX as f64) as u16
        }
    };
    Ok(match kind {
        RtpObserverType::AudioLevel => {
            let max_entries = o
                .max_entries
                .copied()
                .filter(|v| *v >= 1.0)
                .ok_or_else(|| Error::type_error("maxEntries must be a positive number"))?;
            let threshold = o
                .threshold
                .copied()
                .filter(|v| (-127.0..=0.0).contains(v))
                .ok_or_else(|| Error::type_error("threshold must be between -127 and 0"))?;
            RtpObserverOptions::AudioLevel {
                max_entries: max_entries.min(u16::MAX as f64) as u16,
                threshold_dbov: threshold as i8,
                interval_ms: interval(1000.0),
            }
        }
        RtpObserverType::ActiveSpeaker => RtpObserverOptions::ActiveSpeaker {
            interval_ms: interval(300.0),
        },
    })
}

fn parse_transport(name: &str, text: &str) -> Result<Option<TransportRequest>> {
    use crate::consumer::ConsumeBody;
    use crate::producer::ProduceBody;
    use crate::rtp_parameters::invalid;
    use TransportRequest as T;
    let small = || body::<SmallBody>(text);
    Ok(Some(match name {
        "dump" => T::Dump,
        "getStats" => T::GetStats,
        "connect" => T::Connect(Box::new(transport::connect_options(&body(text)))),
        "restartIce" => T::RestartIce,
        "setMaxIncomingBitrate" => T::SetMaxIncomingBitrate(small().bitrate()?),
        "setMaxOutgoingBitrate" => T::SetMaxOutgoingBitrate(small().bitrate()?),
        "setMinOutgoingBitrate" => T::SetMinOutgoingBitrate(small().bitrate()?),
        "enableTraceEvent" => T::EnableTraceEvent(small().trace_types()?),
        // The bulky bodies deserialize straight into typed RTP parameters.
        "produce" => {
            let b: ProduceBody =
                serde_json::from_str(text).map_err(|e| invalid("produce body", e))?;
            T::Produce(Box::new(ProduceOptions::from_body(b)?))
        }
        "consume" => {
            let b: ConsumeBody =
                serde_json::from_str(text).map_err(|e| invalid("consume body", e))?;
            T::Consume(Box::new(ConsumeOptions::from_body(b)?))
        }
        "produceData" => T::ProduceData(data::produce_data(&body(text))?),
        "consumeData" => T::ConsumeData(data::consume_data(&body(text))?),
        "closeProducer" => T::CloseProducer {
            producer_id: string_field(&small().producer_id, "producerId")?,
        },
        "closeConsumer" => T::CloseConsumer {
            consumer_id: string_field(&small().consumer_id, "consumerId")?,
        },
        "closeDataProducer" => T::CloseDataProducer {
            data_producer_id: string_field(&small().data_producer_id, "dataProducerId")?,
        },
        "closeDataConsumer" => T::CloseDataConsumer {
            data_consumer_id: string_field(&small().data_consumer_id, "dataConsumerId")?,
        },
        _ => return Ok(None),
    }))
}

fn parse_producer(name: &str, text: &str) -> Result<Option<ProducerRequest>> {
    use ProducerRequest as P;
    Ok(Some(match name {
        "dump" => P::Dump,
        "getStats" => P::GetStats,
        "pause" => P::Pause,
        "resume" => P::Resume,
        "enableTraceEvent" => P::EnableTraceEvent(body::<SmallBody>(text).trace_types()?),
        _ => return Ok(None),
    }))
}

fn parse_consumer(name: &str, text: &str) -> Result<Option<ConsumerRequest>> {
    use ConsumerRequest as C;
    Ok(Some(match name {
        "dump" => C::Dump,
        "getStats" => C::GetStats,
        "pause" => C::Pause,
        "resume" => C::Resume,
        "setPreferredLayers" => C::SetPreferredLayers(RequestedLayers::from_body(&body(text))),
        "setPriority" => {
            let priority = body::<SmallBody>(text)
                .priority
                .copied()
                .filter(|p| *p >= 1.0)
                .ok_or_else(|| Error::type_error("priority must be a positive number"))?;
            // mediasoup stores priority in a uint8.
            C::SetPriority((priority as u64).min(255) as u8)
        }
        "requestKeyFrame" => C::RequestKeyFrame,
        "enableTraceEvent" => C::EnableTraceEvent(body::<SmallBody>(text).trace_types()?),
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

fn parse_data_consumer(name: &str, text: &str) -> Option<DataConsumerRequest> {
    use base64::Engine as _;
    use DataConsumerRequest as D;
    let message = || body::<data::DataMessageBody>(text);
    Some(match name {
        "dump" => D::Dump,
        "getStats" => D::GetStats,
        "pause" => D::Pause,
        "resume" => D::Resume,
        "getBufferedAmount" => D::GetBufferedAmount,
        "setBufferedAmountLowThreshold" => {
            let threshold = message().threshold.copied().unwrap_or(0.0);
            D::SetBufferedAmountLowThreshold((threshold.trunc() as i64) as u32)
        }
        "send" => {
            let body = message();
            D::Send {
                data: body
                    .data
                    .as_str()
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()),
                ppid: body.ppid(),
            }
        }
        "setSubchannels" => D::SetSubchannels(message().subchannels()),
        "addSubchannel" => D::AddSubchannel(wrap_u16(&message().subchannel)),
        "removeSubchannel" => D::RemoveSubchannel(wrap_u16(&message().subchannel)),
        _ => return None,
    })
}

fn parse_rtp_observer(name: &str, text: &str) -> Result<Option<RtpObserverRequest>> {
    use RtpObserverRequest as O;
    let producer_id = || string_field(&body::<SmallBody>(text).producer_id, "producerId");
    Ok(Some(match name {
        "pause" => O::Pause,
        "resume" => O::Resume,
        "addProducer" => O::AddProducer {
            producer_id: producer_id()?,
        },
        "removeProducer" => O::RemoveProducer {
            producer_id: producer_id()?,
        },
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::{json, Value};

    fn parse(method: &str, body: Value) -> Result<Request> {
        Request::parse(method, &body.to_string())
    }

    #[test]
    fn parses_methods_into_typed_requests() {
        let Request::Router(RouterRequest::CreateTransport {
            transport_id,
            options,
        }) = parse(
            "router.createDirectTransport",
            json!({"transportId": "t", "options": {"maxMessageSize": 1}}),
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
        let e = parse(
            "router.createPlainTransport",
            json!({"transportId": "t", "options": {"a": 1}}),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::TypeError);
        assert_eq!(
            parse("consumer.setPriority", json!({"priority": 300})).unwrap(),
            Request::Consumer(ConsumerRequest::SetPriority(255))
        );
        assert_eq!(
            parse("dataConsumer.send", json!({"data": "aGk="})).unwrap(),
            Request::DataConsumer(DataConsumerRequest::Send {
                data: Some(b"hi".to_vec()),
                ppid: 0
            })
        );
        assert_eq!(
            parse("dataConsumer.send", json!({})).unwrap(),
            Request::DataConsumer(DataConsumerRequest::Send {
                data: None,
                ppid: 0
            })
        );
    }

    #[test]
    fn rejects_bad_bodies_and_unknown_methods_like_mediasoup() {
        let e = parse("transport.setMaxIncomingBitrate", json!({"bitrate": -1})).unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::TypeError, "invalid bitrate")
        );
        let e = parse("worker.createRouter", json!({})).unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::TypeError, "missing routerId")
        );
        let e = parse("consumer.setPriority", json!({"priority": 0})).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TypeError);
        for method in ["producer.bogus", "nothing", "bogus.dump"] {
            let e = parse(method, Value::Null).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Error);
            assert_eq!(e.message, format!("unknown method '{method}'"));
        }
    }
}
