//! Worker handles for JS: one ThreadsafeFunction per worker delivers every
//! response and notification of that worker, in order.

use super::to_js_error;
use crate::channel::{Batch, Command, EventSink};
use crate::worker::{spawn, TestHook, ThreadState, WorkerThread};
use napi::bindgen_prelude::{Buffer, Function};
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, ThreadsafeFunctionHandle,
};
use napi::{Env, Status};
use napi_derive::napi;
use std::sync::Arc;
use std::time::Duration;

/// How long `close()` lets Node's thread wait for the worker thread to end
/// before detaching it.
const CLOSE_WAIT: Duration = Duration::from_millis(5);

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
    /// A second reference to the worker's threadsafe function, kept only to
    /// unref it if the thread has to be detached; dropped at close.
    tsfn: Option<Arc<ThreadsafeFunctionHandle>>,
}

#[napi]
impl WorkerHandle {
    /// Queues a request; the response arrives through the batch callback.
    /// Returns false if the worker is gone.
    #[napi(catch_unwind)]
    pub fn request(&self, id: u32, method: String, handler_id: String, data_json: String) -> bool {
        self.thread.send(Command::Request {
            id,
            method,
            handler_id,
            data: data_json,
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
        self.thread.send(Command::Notification {
            event,
            handler_id,
            data: data_json,
            payload: payload.map(|b| b.to_vec()),
        })
    }

    /// Stops the worker without working through its queue. Waits a few ms
    /// at most: a thread that has not ended by then is detached and no
    /// longer keeps Node alive. Returns the thread's state ("ended",
    /// "stopping" or "running"). Idempotent.
    #[napi(catch_unwind)]
    pub fn close(&mut self, env: Env) -> String {
        let state = self.thread.close(CLOSE_WAIT);
        if let Some(tsfn) = self.tsfn.take() {
            if state != ThreadState::Ended {
                unref(&env, &tsfn);
            }
            // If the thread has ended this was the last reference: the
            // function is released here and Node may exit.
            drop(tsfn);
        }
        state.as_str().to_string()
    }

    /// The thread's state: after a detaching close, whether it has ended.
    #[napi(catch_unwind)]
    pub fn thread_state(&self) -> String {
        self.thread.state().as_str().to_string()
    }

    /// Internal test hooks: "panic", or "block" for `arg` ms (ignoring
    /// close). Returns false if the worker is gone.
    #[napi(catch_unwind)]
    pub fn test_hook(&self, name: String, arg: u32) -> bool {
        let hook = match name.as_str() {
            "panic" => TestHook::Panic,
            "block" => TestHook::Block(Duration::from_millis(u64::from(arg))),
            _ => return false,
        };
        self.thread.send(Command::TestHook(hook))
    }
}

/// Lets Node exit although a detached worker thread still holds the
/// threadsafe function. Runs on Node's thread under the handle's `aborted`
/// lock, which its finalizer takes (also on Node's thread) before the raw
/// pointer becomes invalid.
fn unref(env: &Env, tsfn: &ThreadsafeFunctionHandle) {
    tsfn.with_read_aborted(|aborted| {
        if !aborted {
            // SAFETY: not aborted, so the function is not finalized; we are
            // on the thread that owns `env`.
            unsafe {
                napi::sys::napi_unref_threadsafe_function(env.raw(), tsfn.get_raw());
            }
        }
    });
}

/// Validates the settings, starts a worker thread and returns its handle.
/// `on_batch(json, buffers)` receives the worker's messages.
#[napi(catch_unwind)]
pub fn create_worker(
    settings_json: String,
    on_batch: Function<(String, Vec<Buffer>), ()>,
) -> napi::Result<WorkerHandle, String> {
    let settings = crate::request::worker_settings(&settings_json).map_err(to_js_error)?;
    let tsfn: BatchFn = on_batch
        .build_threadsafe_function::<Batch>()
        .callee_handled::<false>()
        .build_callback(|ctx| {
            let buffers = ctx.value.buffers.into_iter().map(Buffer::from).collect();
            Ok((ctx.value.json, buffers))
        })
        .map_err(|e| napi::Error::new("Error".to_string(), e.to_string()))?;
    let tsfn_ref = tsfn.handle.clone();
    let thread = spawn(settings, Box::new(JsSink(tsfn))).map_err(to_js_error)?;
    Ok(WorkerHandle {
        thread,
        tsfn: Some(tsfn_ref),
    })
}
