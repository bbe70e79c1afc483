//! What flows between JS and a worker thread: commands in, batched messages
//! out. Messages leave in the order the worker produced them, and a response
//! is queued before any notification produced after it, so JS sees them in
//! that order too.

use crate::error::{Error, Result};
use serde_json::{json, Value};
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

/// Messages produced during one turn of the loop, flushed as one batch.
#[derive(Default)]
pub struct Outbox {
    entries: Vec<Value>,
    buffers: Vec<Vec<u8>>,
}

impl Outbox {
    pub fn response(&mut self, id: u32, result: Result<Value>) {
        self.entries.push(match result {
            Ok(data) => json!({"id": id, "ok": true, "data": data}),
            Err(e) => json!({"id": id, "ok": false, "kind": e.kind.as_str(), "message": e.message}),
        });
    }

    pub fn notification(&mut self, target: &str, event: &str, data: Value) {
        self.entries
            .push(json!({"target": target, "event": event, "data": data}));
    }

    /// A notification carrying bytes (RTP/RTCP/data messages for JS).
    pub fn binary_notification(&mut self, target: &str, event: &str, data: Value, bytes: Vec<u8>) {
        self.buffers.push(bytes);
        let index = self.buffers.len() - 1;
        self.entries
            .push(json!({"target": target, "event": event, "data": data, "buffer": index}));
    }

    pub fn log(&mut self, level: &str, text: String) {
        self.entries.push(json!({"log": level, "text": text}));
    }

    pub fn died(&mut self, message: String) {
        self.entries.push(json!({"died": message}));
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn take_batch(&mut self) -> Option<Batch> {
        if self.entries.is_empty() {
            return None;
        }
        let json = Value::Array(std::mem::take(&mut self.entries)).to_string();
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

/// The known tags of a `logTags` array, in order, once each; unknown or
/// non-string tags are dropped silently, as mediasoup does.
pub fn parse_log_tags(value: &Value) -> Vec<String> {
    let mut tags = Vec::new();
    if let Value::Array(items) = value {
        for item in items {
            if let Some(tag) = item.as_str() {
                if LOG_TAGS.contains(&tag) && !tags.iter().any(|t| t == tag) {
                    tags.push(tag.to_string());
                }
            }
        }
    }
    tags
}

/// `worker.updateSettings()`, parsed at the boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsUpdate {
    pub log_level: Option<LogLevel>,
    pub log_tags: Option<Vec<String>>,
}

impl SettingsUpdate {
    pub fn parse(value: &Value) -> Result<Self> {
        let log_level = match value.get("logLevel").unwrap_or(&Value::Null) {
            Value::Null => None,
            Value::String(s) => Some(LogLevel::parse(s)?),
            _ => return Err(Error::type_error("logLevel must be a string")),
        };
        let log_tags = value
            .get("logTags")
            .filter(|v| !v.is_null())
            .map(parse_log_tags);
        Ok(SettingsUpdate {
            log_level,
            log_tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_keeps_order_and_buffer_indexes() {
        let mut outbox = Outbox::default();
        outbox.response(7, Ok(json!({"a": 1})));
        outbox.binary_notification("p", "rtp", Value::Null, vec![1, 2]);
        outbox.response(8, Err(Error::type_error("bad")));
        let batch = outbox.take_batch().unwrap();
        let v: Value = serde_json::from_str(&batch.json).unwrap();
        assert_eq!(v[0]["id"], 7);
        assert_eq!(v[1]["buffer"], 0);
        assert_eq!(v[2]["kind"], "TypeError");
        assert_eq!(batch.buffers, vec![vec![1, 2]]);
        assert!(outbox.take_batch().is_none());
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
