//! A worker: one OS thread running one event loop that owns every object of
//! that worker by value. JS talks to it through `Command`s and hears back
//! through batched messages delivered to an `EventSink`.
//!
//! A panic anywhere in the worker is caught on its thread: the worker tears
//! itself down and reports `died`; other workers and Node keep running.

pub mod certificate;
pub mod channel;
pub mod core;
mod data;
mod media;
mod objects;
mod observers;
mod rtcp;
pub mod rusage;
pub mod settings;
mod webrtc_io;
mod webrtc_server;

use crate::error::{Error, Result};
use certificate::DtlsCertificate;
use channel::{Command, EventSink, Outbox};
use core::{string_field, Core};
use serde_json::{json, Value};
use settings::{LogLevel, WorkerSettings};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Index of an object in one of the worker's slabs.
pub type Key = usize;

/// mio token of the command waker; socket tokens are slab keys below it.
const WAKER_TOKEN: mio::Token = mio::Token(usize::MAX);

/// Period of the worker's housekeeping tick (RTCP, NACK retries, scores,
/// observers all run from it).
const TICK: Duration = Duration::from_millis(20);

/// Owned by the JS-side handle: the command sender and the thread to join.
pub struct WorkerThread {
    commands: Option<mpsc::Sender<Command>>,
    waker: Arc<mio::Waker>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerThread {
    /// Queues a command; false once the worker is gone.
    pub fn send(&self, command: Command) -> bool {
        let sent = self
            .commands
            .as_ref()
            .map(|tx| tx.send(command).is_ok())
            .unwrap_or(false);
        if sent {
            let _ = self.waker.wake();
        }
        sent
    }

    /// Stops the worker and waits for its thread, so that no handle is left
    /// behind (Node can exit right after the last worker closes).
    pub fn close(&mut self) {
        if let Some(tx) = self.commands.take() {
            let _ = tx.send(Command::Close);
            let _ = self.waker.wake();
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
    let certificate = match (
        &settings.dtls_certificate_file,
        &settings.dtls_private_key_file,
    ) {
        (Some(cert), Some(key)) => DtlsCertificate::load(cert, key)?,
        _ => DtlsCertificate::generate()?,
    };
    let poll = mio::Poll::new().map_err(|e| Error::other(format!("cannot create poll: {e}")))?;
    let waker = Arc::new(
        mio::Waker::new(poll.registry(), WAKER_TOKEN)
            .map_err(|e| Error::other(format!("cannot create waker: {e}")))?,
    );
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("ferrosoup-worker".to_string())
        .spawn(move || run(settings, Arc::new(certificate), poll, rx, sink))
        .map_err(|e| Error::other(format!("cannot start worker thread: {e}")))?;
    Ok(WorkerThread {
        commands: Some(tx),
        waker,
        thread: Some(thread),
    })
}

/// Thread body: the loop, wrapped so a panic becomes a `died` message.
fn run(
    settings: WorkerSettings,
    certificate: Arc<DtlsCertificate>,
    poll: mio::Poll,
    rx: mpsc::Receiver<Command>,
    sink: Box<dyn EventSink>,
) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut worker = Worker::new(settings, certificate, poll)?;
        worker.event_loop(&rx, &*sink);
        Ok::<(), Error>(())
    }));
    let failure = match result {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(format!("worker failed: {}", error.message)),
        Err(panic) => Some(format!("worker panicked: {}", panic_message(&panic))),
    };
    if let Some(message) = failure {
        let mut outbox = Outbox::default();
        outbox.died(message);
        if let Some(batch) = outbox.take_batch() {
            sink.deliver(batch);
        }
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

pub struct Worker {
    settings: WorkerSettings,
    #[allow(dead_code)] // read by WebRtcTransport once it lands
    certificate: Arc<DtlsCertificate>,
    poll: mio::Poll,
    core: Core,
    outbox: Outbox,
    epoch: Instant,
}

impl Worker {
    fn new(
        settings: WorkerSettings,
        certificate: Arc<DtlsCertificate>,
        poll: mio::Poll,
    ) -> Result<Self> {
        let registry = poll
            .registry()
            .try_clone()
            .map_err(|e| Error::other(format!("cannot clone registry: {e}")))?;
        let ports = (settings.rtc_min_port, settings.rtc_max_port);
        let epoch = Instant::now();
        let mut core = Core::new(ports, registry, certificate.clone(), epoch);
        core.log_level = settings.log_level;
        Ok(Worker {
            settings,
            certificate,
            poll,
            core,
            outbox: Outbox::default(),
            epoch,
        })
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn event_loop(&mut self, rx: &mpsc::Receiver<Command>, sink: &dyn EventSink) {
        self.log(LogLevel::Debug, "worker running".to_string());
        self.flush(sink);
        let mut events = mio::Events::with_capacity(256);
        let mut next_tick = Instant::now() + TICK;
        loop {
            // Sockets left with data last turn are read again right away.
            let timeout = if self.core.pending_readable.is_empty() {
                next_tick.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            if let Err(e) = self.poll.poll(&mut events, Some(timeout)) {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    self.log(LogLevel::Error, format!("poll failed: {e}"));
                }
            }
            let now_ms = self.now_ms();
            self.core.now_ms = now_ms;
            for token in std::mem::take(&mut self.core.pending_readable) {
                self.core
                    .on_socket_readable(token, now_ms, &mut self.outbox);
            }
            for event in events.iter() {
                if event.token() != WAKER_TOKEN {
                    self.core
                        .on_socket_readable(event.token().0, now_ms, &mut self.outbox);
                }
            }
            // Commands are drained on every turn: the waker only says "some".
            let mut running = true;
            while running {
                match rx.try_recv() {
                    Ok(command) => running = self.handle_command(command),
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => running = false,
                }
            }
            if Instant::now() >= next_tick {
                self.core.on_tick(self.now_ms(), &mut self.outbox);
                next_tick += TICK;
                if next_tick < Instant::now() {
                    next_tick = Instant::now() + TICK;
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
            Command::Notification {
                event,
                handler_id,
                data,
                payload,
            } => {
                let now_ms = self.now_ms();
                self.core.handle_notification(
                    &event,
                    &handler_id,
                    &data,
                    payload,
                    now_ms,
                    &mut self.outbox,
                );
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
        let now_ms = self.now_ms();
        self.core
            .handle_request(method, handler_id, data, now_ms, &mut self.outbox)
    }

    fn handle_worker_request(&mut self, method: &str, data: &Value) -> Result<Value> {
        match method {
            "dump" => Ok(self.dump()),
            "getResourceUsage" => Ok(rusage::thread_resource_usage()),
            "updateSettings" => {
                self.settings.update(data)?;
                self.core.log_level = self.settings.log_level;
                Ok(Value::Null)
            }
            "createRouter" => {
                let router_id = string_field(data, "routerId")?;
                self.core.create_router(router_id.clone())?;
                self.log(LogLevel::Debug, format!("router created [id:{router_id}]"));
                Ok(Value::Null)
            }
            "createWebRtcServer" => {
                self.core.create_webrtc_server(data)?;
                Ok(Value::Null)
            }
            "closeWebRtcServer" => {
                let id = string_field(data, "webRtcServerId")?;
                self.core.close_webrtc_server(&id, &mut self.outbox)?;
                Ok(Value::Null)
            }
            "closeRouter" => {
                let router_id = string_field(data, "routerId")?;
                self.core.close_router(&router_id, &mut self.outbox)?;
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
            "webRtcServerIds": self.core.webrtc_server_ids(),
            "routerIds": self.core.router_ids(),
            "channelMessageHandlers": {
                "channelRequestHandlers": self.core.handlers.keys().collect::<Vec<_>>(),
                "channelNotificationHandlers": [],
            },
        })
    }

    fn close(&mut self) {
        let routers: Vec<String> = self.core.router_ids();
        for id in routers {
            let _ = self.core.close_router(&id, &mut self.outbox);
        }
        for id in self.core.webrtc_server_ids() {
            let _ = self.core.close_webrtc_server(&id, &mut self.outbox);
        }
    }
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

    fn request(
        w: &WorkerThread,
        rx: &std_mpsc::Receiver<String>,
        id: u32,
        method: &str,
        handler: &str,
        data: Value,
    ) -> Value {
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
        let r = request(
            &w,
            &rx,
            1,
            "worker.createRouter",
            "",
            json!({"routerId": "r1"}),
        );
        assert_eq!(r["ok"], true);
        let dump = request(&w, &rx, 2, "worker.dump", "", Value::Null);
        assert_eq!(dump["data"]["routerIds"], json!(["r1"]));
        assert_eq!(
            dump["data"]["channelMessageHandlers"]["channelRequestHandlers"],
            json!(["r1"])
        );
        let dup = request(
            &w,
            &rx,
            3,
            "worker.createRouter",
            "",
            json!({"routerId": "r1"}),
        );
        assert_eq!(dup["kind"], "Error");
        let rd = request(&w, &rx, 4, "router.dump", "r1", Value::Null);
        assert_eq!(rd["data"]["id"], "r1");
        request(
            &w,
            &rx,
            5,
            "worker.closeRouter",
            "",
            json!({"routerId": "r1"}),
        );
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
            if let Some(m) = batch
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m.get("died").is_some())
            {
                break m.clone();
            }
        };
        assert!(died["died"]
            .as_str()
            .unwrap()
            .contains("panic requested by test"));
        doomed.close();
        let r = request(
            &healthy,
            &healthy_rx,
            1,
            "worker.getResourceUsage",
            "",
            Value::Null,
        );
        assert!(r["data"]["ru_utime"].is_number());
        healthy.close();
    }
}
