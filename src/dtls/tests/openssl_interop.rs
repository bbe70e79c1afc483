//! Interop with OpenSSL 3 (`openssl s_client` / `s_server` over real UDP),
//! the DTLS stack of mediasoup and of Chromium-like peers' counterparts.

use super::super::*;
use super::harness::*;
use std::io::{BufRead, BufReader, Write};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OPENSSL: &str = "/usr/bin/openssl";

/// (OpenSSL profile name, mediasoup name, exporter length).
const PROFILES: [(&str, &str, usize); 4] = [
    ("SRTP_AES128_CM_SHA1_80", "AES_CM_128_HMAC_SHA1_80", 60),
    ("SRTP_AES128_CM_SHA1_32", "AES_CM_128_HMAC_SHA1_32", 60),
    ("SRTP_AEAD_AES_128_GCM", "AEAD_AES_128_GCM", 56),
    ("SRTP_AEAD_AES_256_GCM", "AEAD_AES_256_GCM", 88),
];

pub fn openssl_available() -> bool {
    let ok = Path::new(OPENSSL).exists();
    if !ok {
        println!("SKIPPED: {OPENSSL} not found; OpenSSL interop not tested");
    }
    ok
}

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("ferrosoup-dtls-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// An openssl process whose stdout+stderr lines are collected.
struct Peer {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Peer {
    fn spawn(args: &[&str]) -> Peer {
        let mut child = Command::new(OPENSSL)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn openssl");
        let output = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for reader in [
            Box::new(stdout) as Box<dyn std::io::Read + Send>,
            Box::new(stderr),
        ] {
            let out = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(reader).lines().map_while(Result::ok) {
                    let mut o = out.lock().unwrap();
                    o.push_str(&line);
                    o.push('\n');
                }
            });
        }
        Peer { child, output }
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// The hex after "Keying material: ", once printed.
    fn keying_material(&self) -> Option<Vec<u8>> {
        let out = self.output();
        let hex = out
            .split("Keying material: ")
            .nth(1)?
            .lines()
            .next()?
            .trim();
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect()
    }

    /// Closes stdin (s_client then sends close_notify and exits).
    fn close_stdin(&mut self) {
        if let Some(mut stdin) = self.child.stdin.take() {
            stdin.flush().ok();
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // Only our own child, by handle.
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Pumps `transport` over `socket` with the real clock until `done` or the
/// deadline; datagrams go to `peer_addr` (learned from the first datagram
/// when None).
fn drive(
    transport: &mut DtlsTransport,
    socket: &UdpSocket,
    mut peer_addr: Option<std::net::SocketAddr>,
    events: &mut Vec<DtlsEvent>,
    deadline: Duration,
    done: &mut dyn FnMut(&DtlsTransport, &[DtlsEvent]) -> bool,
) {
    let origin = Instant::now();
    let ms = || origin.elapsed().as_millis() as u64 + 1;
    socket
        .set_read_timeout(Some(Duration::from_millis(10)))
        .unwrap();
    let mut buf = [0u8; 2048];
    while origin.elapsed() < deadline && !done(transport, events) {
        if let Some(addr) = peer_addr {
            while let Some(d) = transport.poll_transmit() {
                socket.send_to(&d, addr).unwrap();
            }
        }
        if let Ok((n, from)) = socket.recv_from(&mut buf) {
            peer_addr.get_or_insert(from);
            transport.handle_datagram(&buf[..n], ms());
        }
        if transport.poll_timeout().is_some_and(|t| t <= ms()) {
            transport.handle_timeout(ms());
        }
        while let Some(e) = transport.poll_event() {
            events.push(e);
        }
    }
    if let Some(addr) = peer_addr {
        while let Some(d) = transport.poll_transmit() {
            socket.send_to(&d, addr).ok();
        }
    }
}

/// What one run against openssl produced.
pub(super) struct Outcome {
    pub keys: Option<SrtpKeys>,
    /// What openssl exported (printed).
    pub material: Option<Vec<u8>>,
    pub events: Vec<DtlsEvent>,
    pub failure: Option<String>,
}

/// Our server against `openssl s_client`.
pub(super) fn with_s_client(
    ours: &Identity,
    theirs: &Identity,
    openssl_profile: &str,
    export_len: usize,
    extra: &[&str],
) -> Outcome {
    let dir = TempDir::new("s_client");
    let cert = dir.write("cert.pem", &theirs.cert_pem);
    let key = dir.write("key.pem", &theirs.key_pem);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let mut transport = ours.transport();
    transport.start(DtlsRole::Server, theirs.fingerprint(), 1);
    let (connect, export_len) = (format!("127.0.0.1:{port}"), export_len.to_string());
    let mut args = vec![
        "s_client",
        "-dtls1_2",
        "-connect",
        &connect,
        "-use_srtp",
        openssl_profile,
        "-keymatexportlen",
        &export_len,
        "-keymatexport",
        "EXTRACTOR-dtls_srtp",
        "-cert",
        &cert,
        "-key",
        &key,
        "-noservername",
    ];
    args.extend_from_slice(extra);
    let mut peer = Peer::spawn(&args);
    let mut events = vec![];
    let deadline = Duration::from_secs(10);
    drive(
        &mut transport,
        &socket,
        None,
        &mut events,
        deadline,
        &mut |t, _| {
            t.state() == DtlsState::Failed
                || (t.state() != DtlsState::Connecting && peer.keying_material().is_some())
        },
    );
    let material = peer.keying_material();
    // EOF on stdin makes s_client close with close_notify.
    peer.close_stdin();
    drive(
        &mut transport,
        &socket,
        None,
        &mut events,
        Duration::from_secs(3),
        &mut |t, _| matches!(t.state(), DtlsState::Closed | DtlsState::Failed),
    );
    if material.is_none() || transport.state() != DtlsState::Closed {
        println!("s_client output:\n{}", peer.output());
    }
    Outcome {
        keys: srtp_of(&events),
        material,
        events,
        failure: transport.failure_reason().map(str::to_string),
    }
}

/// Our client against `openssl s_server` (which does the cookie exchange).
pub(super) fn with_s_server(
    ours: &Identity,
    theirs: &Identity,
    openssl_profile: &str,
    export_len: usize,
    extra: &[&str],
) -> Outcome {
    let dir = TempDir::new("s_server");
    let cert = dir.write("cert.pem", &theirs.cert_pem);
    let key = dir.write("key.pem", &theirs.key_pem);
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (accept, export_len) = (format!("127.0.0.1:{port}"), export_len.to_string());
    let mut args = vec![
        "s_server",
        "-dtls1_2",
        "-accept",
        &accept,
        "-naccept",
        "1",
        "-use_srtp",
        openssl_profile,
        "-keymatexportlen",
        &export_len,
        "-keymatexport",
        "EXTRACTOR-dtls_srtp",
        "-cert",
        &cert,
        "-key",
        &key,
        // Ask for our certificate, as mediasoup and browsers do.
        "-verify",
        "1",
    ];
    args.extend_from_slice(extra);
    let peer = Peer::spawn(&args);
    let ready = Instant::now();
    while !peer.output().contains("ACCEPT") && ready.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut transport = ours.transport();
    transport.start(DtlsRole::Client, theirs.fingerprint(), 1);
    let mut events = vec![];
    drive(
        &mut transport,
        &socket,
        Some(addr),
        &mut events,
        Duration::from_secs(10),
        &mut |t, _| {
            t.state() == DtlsState::Failed
                || (t.state() != DtlsState::Connecting && peer.keying_material().is_some())
        },
    );
    let material = peer.keying_material();
    if material.is_none() || transport.state() != DtlsState::Connected {
        println!("s_server output:\n{}", peer.output());
    }
    Outcome {
        keys: srtp_of(&events),
        material,
        events,
        failure: transport.failure_reason().map(str::to_string),
    }
}

#[test]
fn our_server_with_openssl_s_client_every_profile() {
    if !openssl_available() {
        return;
    }
    let (ours, theirs) = (Identity::generate(), Identity::generate());
    for (openssl_name, name, len) in PROFILES {
        let Outcome {
            keys,
            material,
            events,
            ..
        } = with_s_client(&ours, &theirs, openssl_name, len, &[]);
        let keys = keys.unwrap_or_else(|| panic!("{name}: not connected: {events:?}"));
        assert_eq!(keys.profile, name);
        let material = material.expect("openssl printed no keying material");
        assert_eq!(material.len(), len);
        // We are the server: our remote keys are the client's.
        let as_client = SrtpKeys {
            profile: keys.profile,
            local_key_and_salt: keys.remote_key_and_salt.clone(),
            remote_key_and_salt: keys.local_key_and_salt.clone(),
        };
        assert_eq!(exporter_layout(&as_client), material, "{name}");
        // s_client's close_notify closes us.
        assert_eq!(
            events.last(),
            Some(&DtlsEvent::StateChanged(DtlsState::Closed)),
            "{name}"
        );
        println!("s_client {openssl_name}: keying material matches");
    }
}

#[test]
fn our_client_with_openssl_s_server_every_profile() {
    if !openssl_available() {
        return;
    }
    let (ours, theirs) = (Identity::generate(), Identity::generate());
    for (openssl_name, name, len) in PROFILES {
        let Outcome {
            keys,
            material,
            events,
            ..
        } = with_s_server(&ours, &theirs, openssl_name, len, &[]);
        let keys = keys.unwrap_or_else(|| panic!("{name}: not connected: {events:?}"));
        assert_eq!(keys.profile, name);
        let material = material.expect("openssl printed no keying material");
        assert_eq!(exporter_layout(&keys), material, "{name}");
        println!("s_server {openssl_name}: keying material matches");
    }
}

#[test]
fn openssl_peer_with_unexpected_fingerprint_fails() {
    if !openssl_available() {
        return;
    }
    let (ours, theirs, other) = (
        Identity::generate(),
        Identity::generate(),
        Identity::generate(),
    );
    // We expect `other`'s fingerprint but openssl presents `theirs`.
    let impostor = impostor_peer(&theirs, &other);
    let outcome = with_s_server(&ours, &impostor, PROFILES[0].0, 60, &[]);
    assert!(outcome.keys.is_none());
    assert!(outcome
        .events
        .contains(&DtlsEvent::StateChanged(DtlsState::Failed)));
    let reason = outcome.failure.unwrap();
    assert!(reason.contains("fingerprint"), "{reason}");

    // Same as server, against s_client.
    let outcome = with_s_client(&ours, &impostor, PROFILES[0].0, 60, &[]);
    assert!(outcome.keys.is_none());
    assert!(outcome.failure.unwrap().contains("fingerprint"));
}

/// An identity whose PEM files are `real`'s but whose expected fingerprint
/// is `claimed`'s.
fn impostor_peer(real: &Identity, claimed: &Identity) -> Identity {
    Identity {
        cert_pem: real.cert_pem.clone(),
        key_pem: real.key_pem.clone(),
        der: claimed.der.clone(),
    }
}
