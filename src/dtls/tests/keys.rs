//! User-provided certificates: the key forms `openssl` writes.

use super::super::*;
use super::harness::*;
use super::openssl_interop::{openssl_available, with_s_client, with_s_server, TempDir};
use std::process::Command;

/// Runs openssl in `dir` with `args`, panicking on failure.
fn openssl(dir: &TempDir, args: &[&str]) {
    let out = Command::new("/usr/bin/openssl")
        .current_dir(&dir.0)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(out.status.success(), "{args:?}: {out:?}");
}

/// An identity whose key is made by `keygen` (writing key.pem) and whose
/// self-signed certificate openssl makes from it.
fn openssl_identity(keygen: &[&str]) -> Identity {
    let dir = TempDir::new("keys");
    openssl(&dir, keygen);
    openssl(
        &dir,
        &[
            "req", "-new", "-x509", "-key", "key.pem", "-out", "cert.pem", "-subj", "/CN=test",
            "-days", "2",
        ],
    );
    let read = |n: &str| std::fs::read_to_string(dir.0.join(n)).unwrap();
    let cert_pem = read("cert.pem");
    let der = pem::parse(&cert_pem).unwrap().into_contents();
    Identity {
        cert_pem,
        key_pem: read("key.pem"),
        der,
    }
}

fn assert_handshakes_both_roles(id: &Identity, what: &str) {
    let peer = Identity::generate();
    for (client, server) in [(id, &peer), (&peer, id)] {
        let mut pair = Pair::start(client, server, None, None);
        pair.run(&mut never, 0);
        assert_eq!(pair.client.state(), DtlsState::Connected, "{what}");
        assert_eq!(pair.server.state(), DtlsState::Connected, "{what}");
    }
}

#[test]
fn accepts_sec1_pkcs8_and_pkcs1_keys() {
    if !openssl_available() {
        return;
    }
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "EC SEC1",
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                "key.pem",
            ],
            "BEGIN EC PRIVATE KEY",
        ),
        (
            "EC SEC1 with EC PARAMETERS block",
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-out",
                "key.pem",
            ],
            "BEGIN EC PARAMETERS",
        ),
        (
            "RSA PKCS#8",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "key.pem",
            ],
            "BEGIN PRIVATE KEY",
        ),
        (
            "RSA PKCS#1",
            &["genrsa", "-traditional", "-out", "key.pem", "2048"],
            "BEGIN RSA PRIVATE KEY",
        ),
    ];
    for (what, keygen, marker) in cases {
        let id = openssl_identity(keygen);
        assert!(id.key_pem.contains(marker), "{what}: {}", id.key_pem);
        assert_handshakes_both_roles(&id, what);
    }
}

#[test]
fn rejects_unusable_identities_without_panicking() {
    let a = Identity::generate();
    let b = Identity::generate();
    let err = |c: &str, k: &str| match DtlsTransport::new(c, k) {
        Err(DtlsError::Certificate(m)) => m,
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("accepted {c:.40} / {k:.40}"),
    };
    assert!(err(&a.cert_pem, &b.key_pem).contains("does not match"));
    err("", &a.key_pem);
    err(&a.cert_pem, "");
    err("garbage", "garbage");
    err(&a.key_pem, &a.cert_pem);
    if openssl_available() {
        let p384 = openssl_identity(&[
            "ecparam",
            "-name",
            "secp384r1",
            "-genkey",
            "-noout",
            "-out",
            "key.pem",
        ]);
        err(&p384.cert_pem, &p384.key_pem);
    }
}

#[test]
fn rsa_identities_and_fragmented_flights_interoperate_with_openssl() {
    if !openssl_available() {
        return;
    }
    let ours = openssl_identity(&["genrsa", "-traditional", "-out", "key.pem", "2048"]);
    let theirs = openssl_identity(&["genrsa", "-out", "key.pem", "3072"]);
    // A small MTU makes openssl fragment its certificate messages.
    let small_mtu = ["-mtu", "400"];
    // RSA server (ECDHE-RSA suite), then RSA client certificate.
    let served = with_s_client(&ours, &theirs, "SRTP_AEAD_AES_128_GCM", 56, &small_mtu);
    assert!(served.keys.is_some(), "{:?}", served.failure);
    assert!(served.material.is_some());
    let connected = with_s_server(&ours, &theirs, "SRTP_AEAD_AES_128_GCM", 56, &small_mtu);
    assert!(connected.keys.is_some(), "{:?}", connected.failure);
    assert_eq!(
        exporter_layout(&connected.keys.unwrap()),
        connected.material.unwrap()
    );
}
