//! Worker handles for JS: one ThreadsafeFunction per worker delivers every
//! response and notification of that worker, in order.

use super::to_js_error;
use crate::worker::channel::{Batch, Command, EventSink};
use crate::worker::settings::WorkerSettings;
use crate::worker::{spawn, WorkerThread};
use napi::bindgen_prelude::{Buffer, Function};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use serde_json::Value;

type BatchFn = ThreadsafeFunction<Batch, (), (String, Vec<Buffer>), Status, false>;

struct JsSink(BatchFn);

impl EventSink for JsSink {
    fn deliver(&self, batch: Batch) {
        // Non-blocking into an unbounded queue: the worker never waits on JS.
        self.0.call(batch, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

#[napi]
pub struct WorkerHandle {
    thread: WorkerThread,
}

#[napi]
impl WorkerHandle {
    /// Queues a request; the response arrives through the batch callback.
    /// Returns false if the worker is gone.
    #[napi(catch_unwind)]
    pub fn request(&self, id: u32, method: String, handler_id: String, data_json: String) -> bool {
        let data = serde_json::from_str(&data_json).unwrap_or(Value::Null);
        self.thread.send(Command::Request {
            id,
            method,
            handler_id,
            data,
        })
    }

    /// Queues a one-way message, optionally with bytes (RTP/RTCP/data from
    /// JS). Returns false if the worker is gone.
    #[napi(catch_unwind)]
    pub fn notify(
        &self,
        event: String,
        handler_id: String,
        data_json: String,
        payload: Option<Buffer>,
    ) -> bool {
        let data = serde_json::from_str(&data_json).unwrap_or(Value::Null);
        self.thread.send(Command::Notification {
            event,
            handler_id,
            data,
            payload: payload.map(|b| b.to_vec()),
        })
    }

    /// Stops the worker and joins its thread (idempotent).
    #[napi(catch_unwind)]
    pub fn close(&mut self) {
        self.thread.close();
    }
}

/// Validates the settings, starts a worker thread and returns its handle.
/// `on_batch(json, buffers)` receives the worker's messages.
#[napi(catch_unwind)]
pub fn create_worker(
    settings_json: String,
    on_batch: Function<(String, Vec<Buffer>), ()>,
) -> napi::Result<WorkerHandle, String> {
    let settings_value: Value = serde_json::from_str(&settings_json)
        .map_err(|e| napi::Error::new("TypeError".to_string(), e.to_string()))?;
    let settings = WorkerSettings::from_json(&settings_value).map_err(to_js_error)?;
    let tsfn: BatchFn = on_batch
        .build_threadsafe_function::<Batch>()
        .callee_handled::<false>()
        .build_callback(|ctx| {
            let buffers = ctx.value.buffers.into_iter().map(Buffer::from).collect();
            Ok((ctx.value.json, buffers))
        })
        .map_err(|e| napi::Error::new("Error".to_string(), e.to_string()))?;
    let thread = spawn(settings, Box::new(JsSink(tsfn))).map_err(to_js_error)?;
    Ok(WorkerHandle { thread })
}
