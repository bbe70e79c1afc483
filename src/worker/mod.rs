//! A worker: one OS thread running one event loop that owns every object of
//! that worker by value. JS talks to it through `Command`s and hears back
//! through batched messages delivered to an `EventSink`.
//!
//! A panic anywhere in the worker is caught on its thread: the worker tears
//! itself down and reports `died`; other workers and Node keep running.

mod os_bind;
mod os_sockets;
pub mod rusage;
mod spin;

use crate::certificate::DtlsCertificate;
use crate::channel::Reply;
pub use crate::channel::TestHook;
use crate::channel::{Command, EventSink, Outbox};
use crate::channel::{LogLevel, WorkerSettings};
use crate::error::{Error, Result};
use crate::net::SocketId;
use crate::request::{Notification, Request, WorkerRequest};
use crate::sfu::Core;
use os_sockets::OsSockets;
use serde::Serialize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// mio token of the command waker; socket tokens are slab keys below it.
const WAKER_TOKEN: mio::Token = mio::Token(usize::MAX);

/// Commands handled per loop turn before sockets and timers get their turn,
/// so that a flood of requests cannot starve media (and vice versa).
const COMMAND_BUDGET: usize = 256;

/// Where a worker thread is in its life, as seen from the JS thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// Still handling commands and sockets (or wedged doing so).
    Running,
    /// Saw the close request and is tearing its objects down.
    Stopping,
    /// Gone: every socket, the poll and the event sink are released.
    Ended,
}

impl ThreadState {
    pub fn as_str(self) -> &'static str {
        match self {
            ThreadState::Running => "running",
            ThreadState::Stopping => "stopping",
            ThreadState::Ended => "ended",
        }
    }
}

/// Shared by the JS handle and the worker thread: the close request, which
/// overtakes queued commands, and the thread's progress towards its end.
struct Lifecycle {
    closing: AtomicBool,
    /// The worker is (about to be) blocked in its poll: only then does a
    /// queued command need a wake-up. A wake-up is a syscall and, across
    /// CPUs, an interrupt; while the worker is busy, requests queue for
    /// free.
    asleep: AtomicBool,
    /// Commands sent and not yet taken off the queue.
    queued: AtomicUsize,
    state: Mutex<ThreadState>,
    changed: Condvar,
}

impl Lifecycle {
    fn closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    fn state(&self) -> ThreadState {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, state: ThreadState) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = state;
        self.changed.notify_all();
    }

    /// Waits at most `wait` for the thread to end; returns where it is.
    fn wait_for_end(&self, wait: Duration) -> ThreadState {
        let deadline = Instant::now() + wait;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while *state != ThreadState::Ended {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *state
    }
}

/// Marks the thread ended when dropped: the last thing the thread does,
/// after everything it owned (sink, waker, poll, sockets) is released.
struct EndGuard(Arc<Lifecycle>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.0.set(ThreadState::Ended);
    }
}

/// Owned by the JS-side handle: the command sender, the waker and the
/// thread. All are let go at close, not when the handle is collected.
pub struct WorkerThread {
    commands: Option<mpsc::Sender<Command>>,
    waker: Option<Arc<mio::Waker>>,
    lifecycle: Arc<Lifecycle>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerThread {
    /// Queues a command; false once the worker is closed or gone.
    pub fn send(&self, command: Command) -> bool {
        let (Some(tx), Some(waker)) = (&self.commands, &self.waker) else {
            return false;
        };
        if tx.send(command).is_err() {
            return false;
        }
        // Paired with the worker's store of `asleep` then load of `queued`
        // (both SeqCst): either it sees this command, or we see it asleep.
        self.lifecycle.queued.fetch_add(1, Ordering::SeqCst);
        if self.lifecycle.asleep.load(Ordering::SeqCst) {
            let _ = waker.wake();
        }
        true
    }

    /// Stops the worker without working through its queue: the close flag
    /// overtakes queued commands. Waits at most `wait` for the thread to
    /// end and joins it if it did; otherwise detaches it (it releases what
    /// it owns by itself when it ends). Idempotent. Returns the thread's
    /// state, `Ended` unless it was detached.
    pub fn close(&mut self, wait: Duration) -> ThreadState {
        self.lifecycle.closing.store(true, Ordering::Release);
        self.commands = None;
        // The thread holds its own reference to the waker, so the eventfd
        // stays valid until the thread has seen this wake.
        if let Some(waker) = self.waker.take() {
            let _ = waker.wake();
        }
        let Some(thread) = self.thread.take() else {
            return self.lifecycle.state();
        };
        let state = self.lifecycle.wait_for_end(wait);
        if state == ThreadState::Ended {
            let _ = thread.join();
        }
        state
    }

    /// Where the thread is (after a detaching close, whether it has ended).
    pub fn state(&self) -> ThreadState {
        self.lifecycle.state()
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        // Dropped on Node's thread (GC): never wait there.
        self.close(Duration::ZERO);
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
    let lifecycle = Arc::new(Lifecycle {
        closing: AtomicBool::new(false),
        asleep: AtomicBool::new(false),
        queued: AtomicUsize::new(0),
        state: Mutex::new(ThreadState::Running),
        changed: Condvar::new(),
    });
    let ended = EndGuard(lifecycle.clone());
    let thread_lifecycle = lifecycle.clone();
    let thread_waker = waker.clone();
    let thread = std::thread::Builder::new()
        .name("ferrosoup-worker".to_string())
        .spawn(move || {
            // Dropped last, after everything `run` owned.
            let _ended = ended;
            run(
                settings,
                Arc::new(certificate),
                poll,
                rx,
                sink,
                &thread_lifecycle,
            );
            drop(thread_waker);
        })
        .map_err(|e| Error::other(format!("cannot start worker thread: {e}")))?;
    Ok(WorkerThread {
        commands: Some(tx),
        waker: Some(waker),
        lifecycle,
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
    lifecycle: &Lifecycle,
) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut worker = Worker::new(settings, certificate, poll)?;
        worker.event_loop(&rx, &*sink, lifecycle);
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

/// `worker.dump()`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkerDump {
    pid: u32,
    web_rtc_server_ids: Vec<String>,
    router_ids: Vec<String>,
    channel_message_handlers: ChannelMessageHandlers,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChannelMessageHandlers {
    channel_request_handlers: Vec<String>,
    channel_notification_handlers: Vec<String>,
}

pub struct Worker {
    settings: WorkerSettings,
    #[allow(dead_code)] // read by WebRtcTransport once it lands
    certificate: Arc<DtlsCertificate>,
    poll: mio::Poll,
    core: Core,
    /// The sockets: the I/O shell around the core.
    sockets: OsSockets,
    outbox: Outbox,
    epoch: Instant,
    /// Whether to spin for the next command before sleeping.
    spin: spin::SpinPolicy,
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
        let mut core = Core::new(ports, certificate.clone());
        let sockets = OsSockets::new(registry, epoch);
        core.log_level = settings.log_level;
        // The core never reads a clock: NTP timestamps in its reports are
        // worker time plus this anchor.
        core.unix_ms_at_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Ok(Worker {
            settings,
            certificate,
            poll,
            core,
            sockets,
            outbox: Outbox::default(),
            epoch,
            spin: spin::SpinPolicy::default(),
        })
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn event_loop(&mut self, rx: &mpsc::Receiver<Command>, sink: &dyn EventSink, life: &Lifecycle) {
        self.log(LogLevel::Debug, "worker running".to_string());
        self.flush(sink);
        let mut events = mio::Events::with_capacity(256);
        let mut commands_left = false;
        // The core's next deadline, asked once per turn (it walks every
        // object): after the turn's work, which is all that can move it.
        let mut deadline = self.poll_timeout();
        // A close request is checked before every unit of work (socket,
        // command, timer): it must not wait behind the queue.
        'turns: while !life.closing() {
            // Sleep until input arrives or the core's next deadline; sockets
            // or commands left over last turn are served right away.
            let mut timeout = if !self.sockets.has_pending() && !commands_left {
                deadline.map(|at| {
                    (self.epoch + Duration::from_millis(at))
                        .saturating_duration_since(Instant::now())
                })
            } else {
                Some(Duration::ZERO)
            };
            if timeout != Some(Duration::ZERO) && self.spin_for_command(life) {
                timeout = Some(Duration::ZERO);
            }
            let sleep_started = (timeout != Some(Duration::ZERO)).then(Instant::now);
            if sleep_started.is_some() {
                life.asleep.store(true, Ordering::SeqCst);
                if life.queued.load(Ordering::SeqCst) > 0 {
                    timeout = Some(Duration::ZERO);
                }
            }
            let polled = self.poll.poll(&mut events, timeout);
            life.asleep.store(false, Ordering::SeqCst);
            let slept = sleep_started.map(|at| at.elapsed());
            if let Err(e) = polled {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    self.log(LogLevel::Error, format!("poll failed: {e}"));
                }
            }
            let now_ms = self.now_ms();
            self.core.now_ms = now_ms;
            for id in self.sockets.take_pending() {
                if life.closing() {
                    break 'turns;
                }
                self.sockets.serve(id, &mut self.core, &mut self.outbox);
            }
            for event in events.iter() {
                if life.closing() {
                    break 'turns;
                }
                if event.token() != WAKER_TOKEN {
                    let id = SocketId(event.token().0 as u32);
                    self.sockets.serve(id, &mut self.core, &mut self.outbox);
                }
            }
            // The waker only says "some": drain up to the budget, and come
            // back at once if it ran out.
            commands_left = true;
            let mut handled_commands = false;
            for _ in 0..COMMAND_BUDGET {
                if life.closing() {
                    break 'turns;
                }
                match rx.try_recv() {
                    Ok(command) => {
                        handled_commands = true;
                        life.queued.fetch_sub(1, Ordering::SeqCst);
                        self.handle_command(command);
                        self.sockets.flush(&mut self.core);
                    }
                    Err(mpsc::TryRecvError::Empty) => {
                        commands_left = false;
                        break;
                    }
                    // The handle was dropped without close().
                    Err(mpsc::TryRecvError::Disconnected) => break 'turns,
                }
            }
            if let (true, Some(slept)) = (handled_commands, slept) {
                self.spin.after_sleep_with_commands(slept);
            }
            let now_ms = self.now_ms();
            self.core.now_ms = now_ms;
            deadline = self.poll_timeout();
            if deadline.is_some_and(|at| at <= now_ms) {
                self.core.handle_timeout(now_ms, &mut self.outbox);
                self.sockets.flush(&mut self.core);
                if self.sockets.poll_timeout(now_ms).is_some() {
                    self.sockets
                        .handle_timeout(&mut self.core, &mut self.outbox);
                }
                deadline = self.poll_timeout();
            }
            self.flush(sink);
        }
        life.set(ThreadState::Stopping);
        // JS has rejected what was pending and stopped listening: tear down
        // without reporting anything.
        self.close();
        self.outbox = Outbox::default();
    }

    /// Spins (yielding the CPU to anyone who wants it) for up to the
    /// policy's budget, waiting for a command; true if one arrived (or
    /// close was asked), so the loop need not sleep.
    fn spin_for_command(&mut self, life: &Lifecycle) -> bool {
        let budget = self.spin.budget();
        if budget.is_zero() {
            return false;
        }
        let started = Instant::now();
        let caught = loop {
            if life.queued.load(Ordering::SeqCst) > 0 || life.closing() {
                break true;
            }
            if started.elapsed() >= budget {
                break false;
            }
            std::thread::yield_now();
        };
        self.spin.after_spin(caught);
        caught
    }

    /// The next deadline of the core and of the shell (accept retries).
    fn poll_timeout(&self) -> Option<u64> {
        let core = self.core.poll_timeout();
        match (core, self.sockets.poll_timeout(self.core.now_ms)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn flush(&mut self, sink: &dyn EventSink) {
        if let Some(batch) = self.outbox.take_batch() {
            sink.deliver(batch);
        }
    }

    fn handle_command(&mut self, command: Command) {
        match command {
            Command::Request {
                id,
                method,
                handler_id,
                data,
            } => {
                let result = self.handle_request(&method, &handler_id, &data);
                self.outbox.response(id, result);
            }
            Command::Notification {
                event,
                handler_id,
                data,
                payload,
            } => {
                let Some(notification) = Notification::parse(&event, &data, payload) else {
                    return;
                };
                let now_ms = self.now_ms();
                self.core
                    .handle_notification(&handler_id, notification, now_ms, &mut self.outbox);
            }
            Command::TestHook(TestHook::Panic) => panic!("panic requested by test"),
            // Deliberately deaf to close: this is what a wedged worker is.
            Command::TestHook(TestHook::Block(duration)) => std::thread::sleep(duration),
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

    /// The boundary: a request is parsed here, once, after its target is
    /// found (NotFoundError comes first, as in mediasoup's channel).
    fn handle_request(&mut self, method: &str, handler_id: &str, body: &str) -> Result<Reply> {
        if method.starts_with("worker.") {
            return match Request::parse(method, body)? {
                Request::Worker(request) => self.handle_worker_request(request),
                _ => Err(Error::other(format!("unknown method '{method}'"))),
            };
        }
        let handler = self.core.find_handler(handler_id, method)?;
        let request = Request::parse(method, body)?;
        let now_ms = self.now_ms();
        self.core.handle_request(
            handler,
            method,
            request,
            now_ms,
            &mut self.sockets,
            &mut self.outbox,
        )
    }

    fn handle_worker_request(&mut self, request: WorkerRequest) -> Result<Reply> {
        match request {
            WorkerRequest::Dump => Ok(self.dump()),
            WorkerRequest::GetResourceUsage => Ok(rusage::thread_resource_usage()
                .map_or_else(Reply::empty, |usage| Reply::typed(&usage))),
            WorkerRequest::GetMetrics => Ok(Reply::typed(&self.core.metrics())),
            WorkerRequest::UpdateSettings(update) => {
                self.settings.update(update);
                self.core.log_level = self.settings.log_level;
                Ok(Reply::Null)
            }
            WorkerRequest::CreateRouter { router_id } => {
                self.core.create_router(router_id.clone())?;
                self.log(LogLevel::Debug, format!("router created [id:{router_id}]"));
                Ok(Reply::Null)
            }
            WorkerRequest::CreateWebRtcServer(options) => {
                self.core.create_webrtc_server(options, &mut self.sockets)?;
                Ok(Reply::Null)
            }
            WorkerRequest::CloseWebRtcServer { web_rtc_server_id } => {
                self.core
                    .close_webrtc_server(&web_rtc_server_id, &mut self.outbox)?;
                Ok(Reply::Null)
            }
            WorkerRequest::CloseRouter { router_id } => {
                self.core.close_router(&router_id, &mut self.outbox)?;
                Ok(Reply::Null)
            }
        }
    }

    fn dump(&self) -> Reply {
        Reply::typed(&WorkerDump {
            pid: std::process::id(),
            web_rtc_server_ids: self.core.webrtc_server_ids(),
            router_ids: self.core.router_ids(),
            channel_message_handlers: ChannelMessageHandlers {
                channel_request_handlers: self.core.handlers.keys().cloned().collect(),
                channel_notification_handlers: Vec::new(),
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
    use serde_json::{json, Value};
    use std::sync::mpsc as std_mpsc;
    use std::sync::Mutex;

    struct ChannelSink(Mutex<std_mpsc::Sender<String>>);
    impl EventSink for ChannelSink {
        fn deliver(&self, batch: crate::channel::Batch) {
            let _ = self.0.lock().unwrap().send(batch.json);
        }
    }

    fn start() -> (WorkerThread, std_mpsc::Receiver<String>) {
        let (tx, rx) = std_mpsc::channel();
        let settings = crate::request::worker_settings(r#"{"logLevel": "none"}"#).unwrap();
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
            data: data.to_string(),
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
        assert_eq!(w.close(Duration::from_secs(5)), ThreadState::Ended);
        assert!(!w.send(Command::TestHook(TestHook::Panic)));
        // Idempotent.
        assert_eq!(w.close(Duration::from_secs(5)), ThreadState::Ended);
    }

    fn queue_requests(w: &WorkerThread, n: u32) {
        for id in 1..=n {
            assert!(w.send(Command::Request {
                id,
                method: "worker.getResourceUsage".into(),
                handler_id: String::new(),
                data: "null".into(),
            }));
        }
    }

    #[test]
    fn close_overtakes_queued_commands() {
        let (mut w, rx) = start();
        // Hold the thread so that the whole queue is still there at close.
        w.send(Command::TestHook(TestHook::Block(Duration::from_millis(
            100,
        ))));
        queue_requests(&w, 10_000);
        let started = Instant::now();
        assert_eq!(w.close(Duration::from_secs(5)), ThreadState::Ended);
        assert!(started.elapsed() < Duration::from_secs(1));
        let responses = rx
            .try_iter()
            .map(|json| serde_json::from_str::<Value>(&json).unwrap())
            .flat_map(|batch| batch.as_array().unwrap().clone())
            .filter(|m| m.get("id").is_some())
            .count();
        assert_eq!(responses, 0);
    }

    #[test]
    fn wedged_worker_is_detached_not_waited_for() {
        let (mut w, _rx) = start();
        w.send(Command::TestHook(TestHook::Block(Duration::from_millis(
            500,
        ))));
        std::thread::sleep(Duration::from_millis(20));
        let started = Instant::now();
        assert_eq!(w.close(Duration::from_millis(5)), ThreadState::Running);
        assert!(started.elapsed() < Duration::from_millis(200));
        assert!(!w.send(Command::TestHook(TestHook::Panic)));
        // It ends by itself once unblocked.
        let deadline = Instant::now() + Duration::from_secs(5);
        while w.state() != ThreadState::Ended && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(w.state(), ThreadState::Ended);
    }

    #[test]
    fn panic_reports_died_and_spares_other_workers() {
        let (mut doomed, doomed_rx) = start();
        let (mut healthy, healthy_rx) = start();
        doomed.send(Command::TestHook(TestHook::Panic));
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
        assert_eq!(doomed.close(Duration::from_secs(5)), ThreadState::Ended);
        let r = request(
            &healthy,
            &healthy_rx,
            1,
            "worker.getResourceUsage",
            "",
            Value::Null,
        );
        assert!(r["data"]["ru_utime"].is_number());
        assert_eq!(healthy.close(Duration::from_secs(5)), ThreadState::Ended);
    }
}
