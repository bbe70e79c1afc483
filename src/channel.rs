//! What flows between JS and a worker thread: commands in, batched messages
//! out. Messages leave in the order the worker produced them, and a response
//! is queued before any notification produced after it, so JS sees them in
//! that order too.

use crate::error::{Error, Result};
use serde::Serialize;
use std::time::Duration;

/// Internal hooks for tests, reached through `Command::TestHook` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestHook {
    /// Panics on the worker thread (crash isolation).
    Panic,
    /// Blocks the worker thread, ignoring close (a wedged worker).
    Block(Duration),
}

/// A command from JS to the worker thread.
#[derive(Debug)]
pub enum Command {
    Request {
        id: u32,
        method: String,
        handler_id: String,
        /// The request body as JSON text: parsed on the worker thread, off
        /// Node's.
        data: String,
    },
    /// A one-way message to an object, possibly carrying bytes (RTP, RTCP
    /// or data messages sent from JS).
    Notification {
        event: String,
        handler_id: String,
        /// JSON text, parsed on the worker thread.
        data: String,
        payload: Option<Vec<u8>>,
    },
    /// An internal test hook (never reachable through a request name).
    TestHook(TestHook),
}

/// One batch of messages for JS: a JSON array plus the binary payloads its
/// entries refer to by index.
#[derive(Debug, Default)]
pub struct Batch {
    pub json: String,
    pub buffers: Vec<Vec<u8>>,
}

/// Where a worker delivers its batches (a napi ThreadsafeFunction in the
/// addon, a plain channel in Rust tests).
pub trait EventSink: Send {
    fn deliver(&self, batch: Batch);
}

/// A response body: `null`, or JSON text written straight from a typed
/// value (no tree of values in between).
#[derive(Debug, Clone)]
pub enum Reply {
    Null,
    Json(Box<serde_json::value::RawValue>),
}

impl Reply {
    /// The reply of a typed body (`null` in the impossible case that it
    /// does not serialize: every key here is a string).
    pub fn typed<T: Serialize>(body: &T) -> Self {
        serde_json::value::to_raw_value(body).map_or(Reply::Null, Reply::Json)
    }

    /// `{}`, the answer of requests that report nothing but success.
    pub fn empty() -> Self {
        Self::typed(&crate::json_out::Empty {})
    }

    /// The reply's JSON text (for tests and tools that inspect replies).
    pub fn json(&self) -> &str {
        match self {
            Reply::Null => "null",
            Reply::Json(raw) => raw.get(),
        }
    }
}

impl Serialize for Reply {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Reply::Null => serializer.serialize_unit(),
            Reply::Json(raw) => raw.serialize(serializer),
        }
    }
}

/// Messages produced during one turn of the loop, flushed as one batch.
/// Each message is written as JSON text when it is queued (no tree of
/// values is built and then walked again).
#[derive(Default)]
pub struct Outbox {
    /// `[` then the messages separated by commas; empty when none.
    json: Vec<u8>,
    buffers: Vec<Vec<u8>>,
}

/// One message of a batch, serialized in place.
#[derive(Serialize)]
#[serde(untagged)]
enum Message<'a, T: Serialize> {
    Ok {
        id: u32,
        ok: bool,
        data: &'a T,
    },
    Err {
        id: u32,
        ok: bool,
        kind: &'a str,
        message: &'a str,
    },
    Notification {
        target: &'a str,
        event: &'a str,
        data: &'a T,
        #[serde(skip_serializing_if = "Option::is_none")]
        buffer: Option<usize>,
    },
    Log {
        log: &'a str,
        text: &'a str,
    },
    Died {
        died: &'a str,
    },
}

impl Outbox {
    fn push<T: Serialize>(&mut self, message: Message<'_, T>) {
        let start = self.json.len();
        self.json.push(if start == 0 { b'[' } else { b',' });
        // Writing into a Vec cannot fail and the message types serialize;
        // should one ever not, it is dropped whole so that the batch stays
        // valid JSON.
        if serde_json::to_writer(&mut self.json, &message).is_err() {
            self.json.truncate(start);
        }
    }

    pub fn response<T: Serialize>(&mut self, id: u32, result: Result<T>) {
        match &result {
            Ok(data) => self.push(Message::Ok { id, ok: true, data }),
            Err(e) => self.push::<()>(Message::Err {
                id,
                ok: false,
                kind: e.kind.as_str(),
                message: &e.message,
            }),
        }
    }

    pub fn notification<T: Serialize>(&mut self, target: &str, event: &str, data: T) {
        self.push(Message::Notification {
            target,
            event,
            data: &data,
            buffer: None,
        });
    }

    /// A notification carrying bytes (RTP/RTCP/data messages for JS).
    pub fn binary_notification<T: Serialize>(
        &mut self,
        target: &str,
        event: &str,
        data: T,
        bytes: Vec<u8>,
    ) {
        self.buffers.push(bytes);
        let buffer = Some(self.buffers.len() - 1);
        self.push(Message::Notification {
            target,
            event,
            data: &data,
            buffer,
        });
    }

    pub fn log(&mut self, level: &str, text: String) {
        self.push::<()>(Message::Log {
            log: level,
            text: &text,
        });
    }

    pub fn died(&mut self, message: String) {
        self.push::<()>(Message::Died { died: &message });
    }

    pub fn is_empty(&self) -> bool {
        self.json.is_empty()
    }

    pub fn take_batch(&mut self) -> Option<Batch> {
        if self.json.is_empty() {
            return None;
        }
        self.json.push(b']');
        let json = String::from_utf8(std::mem::take(&mut self.json))
            // serde_json writes UTF-8 only.
            .unwrap_or_default();
        Some(Batch {
            json,
            buffers: std::mem::take(&mut self.buffers),
        })
    }
}

/// Log tags mediasoup knows; unknown ones are ignored like mediasoup does.
pub const LOG_TAGS: [&str; 13] = [
    "info",
    "ice",
    "dtls",
    "rtp",
    "srtp",
    "rtcp",
    "rtx",
    "bwe",
    "score",
    "simulcast",
    "svc",
    "sctp",
    "message",
];

/// The settings of a worker (`createWorker()`), validated at the boundary
/// the way mediasoup-worker validates its command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerSettings {
    pub log_level: LogLevel,
    pub log_tags: Vec<String>,
    pub rtc_min_port: u16,
    pub rtc_max_port: u16,
    pub dtls_certificate_file: Option<String>,
    pub dtls_private_key_file: Option<String>,
    pub libwebrtc_field_trials: Option<String>,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            log_level: LogLevel::Error,
            log_tags: Vec::new(),
            rtc_min_port: 10000,
            rtc_max_port: 59999,
            dtls_certificate_file: None,
            dtls_private_key_file: None,
            libwebrtc_field_trials: None,
        }
    }
}

impl WorkerSettings {
    /// Applies `worker.updateSettings()` (parsed at the boundary).
    pub fn update(&mut self, update: SettingsUpdate) {
        if let Some(level) = update.log_level {
            self.log_level = level;
        }
        if let Some(tags) = update.log_tags {
            self.log_tags = tags;
        }
    }
}

/// `worker.updateSettings()`, parsed at the boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsUpdate {
    pub log_level: Option<LogLevel>,
    pub log_tags: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    use serde_json::json;

    struct Unserializable;

    impl Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> std::result::Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("cannot"))
        }
    }

    #[test]
    fn a_message_that_fails_to_serialize_leaves_the_batch_valid() {
        for first in [false, true] {
            let mut outbox = Outbox::default();
            if !first {
                outbox.response(1, Ok(json!(1)));
            }
            outbox.notification("t", "e", Unserializable);
            outbox.response(2, Ok(json!(2)));
            let v: Value = serde_json::from_str(&outbox.take_batch().unwrap().json).unwrap();
            let ids: Vec<_> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].clone())
                .collect();
            assert_eq!(
                ids,
                if first {
                    vec![json!(2)]
                } else {
                    vec![json!(1), json!(2)]
                }
            );
        }
    }

    #[test]
    fn batch_keeps_order_and_buffer_indexes() {
        let mut outbox = Outbox::default();
        outbox.response(7, Ok(json!({"a": 1})));
        outbox.binary_notification("p", "rtp", Value::Null, vec![1, 2]);
        outbox.response::<Value>(8, Err(Error::type_error("bad")));
        let batch = outbox.take_batch().unwrap();
        let v: Value = serde_json::from_str(&batch.json).unwrap();
        assert_eq!(v[0]["id"], 7);
        assert_eq!(v[1]["buffer"], 0);
        assert_eq!(v[2]["kind"], "TypeError");
        assert_eq!(batch.buffers, vec![vec![1, 2]]);
        assert!(outbox.take_batch().is_none());
        outbox.log("warn", "a \"quoted\" line".into());
        outbox.died("gone".into());
        let v: Value = serde_json::from_str(&outbox.take_batch().unwrap().json).unwrap();
        assert_eq!(
            v,
            json!([{"log": "warn", "text": "a \"quoted\" line"}, {"died": "gone"}])
        );
    }
}

/// The worker's logLevel: which log messages reach JS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Warn,
    Error,
    None,
}

impl LogLevel {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "debug" => Ok(LogLevel::Debug),
            "warn" => Ok(LogLevel::Warn),
            "error" => Ok(LogLevel::Error),
            "none" => Ok(LogLevel::None),
            other => Err(Error::type_error(format!("invalid logLevel '{other}'"))),
        }
    }
}
