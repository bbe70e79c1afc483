//! A worker: one OS thread running one event loop that owns every object of
//! that worker by value. JS talks to it through `Command`s and hears back
//! through batched messages delivered to an `EventSink`.
//!
//! A panic anywhere in the worker is caught on its thread: the worker tears
//! itself down and reports `died`; other workers and Node keep running.

pub mod certificate;
pub mod channel;
pub mod rusage;
pub mod settings;

use crate::error::{Error, Result};
use crate::router::Router;
use certificate::DtlsCertificate;
use channel::{Command, EventSink, Outbox};
use serde_json::{json, Value};
use settings::{LogLevel, WorkerSettings};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Owned by the JS-side handle: the command sender and the thread to join.
pub struct WorkerThread {
    commands: Option<mpsc::UnboundedSender<Command>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerThread {
    /// Queues a request; false once the worker is gone.
    pub fn send(&self, command: Command) -> bool {
        self.commands
            .as_ref()
            .map(|tx| tx.send(command).is_ok())
            .unwrap_or(false)
    }

    /// Stops the worker and waits for its thread, so that no handle is left
    /// behind (Node can exit right after the last worker closes).
    pub fn close(&mut self) {
        if let Some(tx) = self.commands.take() {
            let _ = tx.send(Command::Close);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        self.close();
    }
}

/// Starts a worker thread. Settings errors (including unreadable DTLS files)
/// are returned here, before any thread exists.
pub fn spawn(settings: WorkerSettings, sink: Box<dyn EventSink>) -> Result<WorkerThread> {
    let certificate = match (&settings.dtls_certificate_file, &settings.dtls_private_key_file) {
        (Some(cert), Some(key)) => DtlsCertificate::load(cert, key)?,
        _ => DtlsCertificate::generate()?,
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let thread = std::thread::Builder::new()
        .name("ferrosoup-worker".to_string())
        .spawn(move || run(settings, Arc::new(certificate), rx, sink))
        .map_err(|e| Error::other(format!("cannot start worker thread: {e}")))?;
    Ok(WorkerThread {
        commands: Some(tx),
        thread: Some(thread),
    })
}

/// Thread body: the loop, wrapped so a panic becomes a `died` message.
fn run(
    settings: WorkerSettings,
    certificate: Arc<DtlsCertificate>,
    rx: mpsc::UnboundedReceiver<Command>,
    sink: Box<dyn EventSink>,
) {
    let mut worker = Worker::new(settings, certificate);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("worker runtime");
        runtime.block_on(worker.event_loop(rx, &*sink));
    }));
    if let Err(panic) = result {
        let message = panic_message(&panic);
        // Whatever the panic left half-done is discarded with the worker.
        let mut outbox = Outbox::default();
        outbox.died(format!("worker panicked: {message}"));
        if let Some(batch) = outbox.take_batch() {
            sink.deliver(batch);
        }
        // Dropping a half-updated state could panic again; leak it instead.
        std::mem::forget(worker);
    }
    drop(sink);
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Which object a handler id addresses.
#[derive(Debug, Clone)]
enum Handler {
    Router,
}

pub struct Worker {
    settings: WorkerSettings,
    #[allow(dead_code)] // read by WebRtcTransport once it lands
    certificate: Arc<DtlsCertificate>,
    routers: BTreeMap<String, Router>,
    router_order: Vec<String>,
    handlers: Vec<(String, Handler)>,
    outbox: Outbox,
}

impl Worker {
    fn new(settings: WorkerSettings, certificate: Arc<DtlsCertificate>) -> Self {
        Worker {
            settings,
            certificate,
            routers: BTreeMap::new(),
            router_order: Vec::new(),
            handlers: Vec::new(),
            outbox: Outbox::default(),
        }
    }

    async fn event_loop(
        &mut self,
        mut rx: mpsc::UnboundedReceiver<Command>,
        sink: &dyn EventSink,
    ) {
        self.log(LogLevel::Debug, "worker running".to_string());
        self.flush(sink);
        while let Some(command) = rx.recv().await {
            let mut running = self.handle_command(command);
            // Drain whatever else is queued, then flush it as one batch.
            while running {
                match rx.try_recv() {
                    Ok(command) => running = self.handle_command(command),
                    Err(_) => break,
                }
            }
            self.flush(sink);
            if !running {
                break;
            }
        }
        self.close();
        self.flush(sink);
    }

    fn flush(&mut self, sink: &dyn EventSink) {
        if let Some(batch) = self.outbox.take_batch() {
            sink.deliver(batch);
        }
    }

    /// Returns false when the loop must stop.
    fn handle_command(&mut self, command: Command) -> bool {
        match command {
            Command::Close => false,
            Command::Request {
                id,
                method,
                handler_id,
                data,
            } => {
                let result = self.handle_request(&method, &handler_id, &data);
                self.outbox.response(id, result);
                true
            }
        }
    }

    fn log(&mut self, level: LogLevel, text: String) {
        if level >= self.settings.log_level && self.settings.log_level != LogLevel::None {
            let name = match level {
                LogLevel::Debug => "debug",
                LogLevel::Warn => "warn",
                _ => "error",
            };
            self.outbox.log(name, text);
        }
    }

    fn handle_request(&mut self, method: &str, handler_id: &str, data: &Value) -> Result<Value> {
        if let Some(worker_method) = method.strip_prefix("worker.") {
            return self.handle_worker_request(worker_method, data);
        }
        match self.handler(handler_id) {
            Some(Handler::Router) => {
                let router = self
                    .routers
                    .get_mut(handler_id)
                    .ok_or_else(|| Error::not_found(format!("Router '{handler_id}' not found")))?;
                router.handle_request(method, data)
            }
            None => Err(Error::not_found(format!(
                "Channel request handler with ID {handler_id} not found [method:{method}]"
            ))),
        }
    }

    fn handler(&self, id: &str) -> Option<Handler> {
        self.handlers
            .iter()
            .find(|(handler_id, _)| handler_id == id)
            .map(|(_, h)| h.clone())
    }

    fn register_handler(&mut self, id: &str, handler: Handler) -> Result<()> {
        if self.handler(id).is_some() {
            return Err(Error::other(format!(
                "a handler with ID '{id}' already exists"
            )));
        }
        self.handlers.push((id.to_string(), handler));
        Ok(())
    }

    fn unregister_handler(&mut self, id: &str) {
        self.handlers.retain(|(handler_id, _)| handler_id != id);
    }

    fn handle_worker_request(&mut self, method: &str, data: &Value) -> Result<Value> {
        match method {
            "dump" => Ok(self.dump()),
            "getResourceUsage" => Ok(rusage::thread_resource_usage()),
            "updateSettings" => {
                self.settings.update(data)?;
                Ok(Value::Null)
            }
            "createRouter" => {
                let router_id = string_field(data, "routerId")?;
                self.register_handler(&router_id, Handler::Router)?;
                self.log(LogLevel::Debug, format!("router created [id:{router_id}]"));
                self.router_order.push(router_id.clone());
                self.routers.insert(router_id.clone(), Router::new(router_id));
                Ok(Value::Null)
            }
            "closeRouter" => {
                let router_id = string_field(data, "routerId")?;
                if self.routers.remove(&router_id).is_none() {
                    return Err(Error::not_found(format!("Router '{router_id}' not found")));
                }
                self.router_order.retain(|id| *id != router_id);
                self.unregister_handler(&router_id);
                Ok(Value::Null)
            }
            // Test hook: proves a panic kills only this worker.
            "panicForTesting" => panic!("panic requested by test"),
            other => Err(Error::other(format!("unknown method 'worker.{other}'"))),
        }
    }

    fn dump(&self) -> Value {
        json!({
            "pid": std::process::id(),
            "webRtcServerIds": [],
            "routerIds": self.router_order,
            "channelMessageHandlers": {
                "channelRequestHandlers":
                    self.handlers.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
                "channelNotificationHandlers": [],
            },
        })
    }

    fn close(&mut self) {
        self.routers.clear();
        self.router_order.clear();
        self.handlers.clear();
    }
}

fn string_field(data: &Value, key: &str) -> Result<String> {
    data.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::type_error(format!("missing {key}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc as std_mpsc;
    use std::sync::Mutex;

    struct ChannelSink(Mutex<std_mpsc::Sender<String>>);
    impl EventSink for ChannelSink {
        fn deliver(&self, batch: channel::Batch) {
            let _ = self.0.lock().unwrap().send(batch.json);
        }
    }

    fn start() -> (WorkerThread, std_mpsc::Receiver<String>) {
        let (tx, rx) = std_mpsc::channel();
        let settings = WorkerSettings::from_json(&json!({"logLevel": "none"})).unwrap();
        let worker = spawn(settings, Box::new(ChannelSink(Mutex::new(tx)))).unwrap();
        (worker, rx)
    }

    fn request(w: &WorkerThread, rx: &std_mpsc::Receiver<String>, id: u32, method: &str, handler: &str, data: Value) -> Value {
        assert!(w.send(Command::Request {
            id,
            method: method.to_string(),
            handler_id: handler.to_string(),
            data,
        }));
        loop {
            let batch: Value = serde_json::from_str(&rx.recv().unwrap()).unwrap();
            if let Some(m) = batch.as_array().unwrap().iter().find(|m| m["id"] == id) {
                return m.clone();
            }
        }
    }

    #[test]
    fn routers_are_registered_dumped_and_closed() {
        let (mut w, rx) = start();
        let r = request(&w, &rx, 1, "worker.createRouter", "", json!({"routerId": "r1"}));
        assert_eq!(r["ok"], true);
        let dump = request(&w, &rx, 2, "worker.dump", "", Value::Null);
        assert_eq!(dump["data"]["routerIds"], json!(["r1"]));
        assert_eq!(dump["data"]["channelMessageHandlers"]["channelRequestHandlers"], json!(["r1"]));
        let dup = request(&w, &rx, 3, "worker.createRouter", "", json!({"routerId": "r1"}));
        assert_eq!(dup["kind"], "Error");
        let rd = request(&w, &rx, 4, "router.dump", "r1", Value::Null);
        assert_eq!(rd["data"]["id"], "r1");
        request(&w, &rx, 5, "worker.closeRouter", "", json!({"routerId": "r1"}));
        let gone = request(&w, &rx, 6, "router.dump", "r1", Value::Null);
        assert_eq!(gone["kind"], "NotFoundError");
        w.close();
        assert!(!w.send(Command::Close));
    }

    #[test]
    fn panic_reports_died_and_spares_other_workers() {
        let (mut doomed, doomed_rx) = start();
        let (mut healthy, healthy_rx) = start();
        doomed.send(Command::Request {
            id: 1,
            method: "worker.panicForTesting".into(),
            handler_id: String::new(),
            data: Value::Null,
        });
        let died = loop {
            let batch: Value = serde_json::from_str(&doomed_rx.recv().unwrap()).unwrap();
            if let Some(m) = batch.as_array().unwrap().iter().find(|m| m.get("died").is_some()) {
                break m.clone();
            }
        };
        assert!(died["died"].as_str().unwrap().contains("panic requested by test"));
        doomed.close();
        let r = request(&healthy, &healthy_rx, 1, "worker.getResourceUsage", "", Value::Null);
        assert!(r["data"]["ru_utime"].is_number());
        healthy.close();
    }
}
