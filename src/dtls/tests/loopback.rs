//! Two of our transports back to back, in memory.

use super::super::*;
use super::harness::*;
use std::time::Instant;

fn connected_pair(profile: Option<usize>) -> Pair {
    let (a, b) = (Identity::generate(), Identity::generate());
    let mut client = a.transport();
    let server = b.transport();
    if let Some(i) = profile {
        client.set_srtp_profiles(vec![SRTP_PROFILES[i]]);
    }
    let mut pair = Pair::start_with(client, server, b.fingerprint(), a.fingerprint());
    pair.run(&mut never, 0);
    pair
}

#[test]
fn handshake_completes_with_mirrored_keys_for_every_profile() {
    let expected = [
        ("AEAD_AES_256_GCM", 44),
        ("AEAD_AES_128_GCM", 28),
        ("AES_CM_128_HMAC_SHA1_80", 30),
        ("AES_CM_128_HMAC_SHA1_32", 30),
    ];
    for (i, (name, len)) in expected.into_iter().enumerate() {
        let pair = connected_pair(Some(i));
        assert_eq!(pair.client.state(), DtlsState::Connected, "{name}");
        assert_eq!(pair.server.state(), DtlsState::Connected, "{name}");
        let c = srtp_of(&pair.client_events).unwrap();
        let s = srtp_of(&pair.server_events).unwrap();
        assert_eq!(c.profile, name);
        assert_eq!(s.profile, name);
        assert_eq!(c.local_key_and_salt.len(), len);
        assert_eq!(c.local_key_and_salt, s.remote_key_and_salt);
        assert_eq!(c.remote_key_and_salt, s.local_key_and_salt);
        assert_ne!(c.local_key_and_salt, c.remote_key_and_salt);
    }
}

#[test]
fn server_picks_the_profile_by_its_own_preference() {
    // Chrome offers AES_CM_128_HMAC_SHA1_80 before the GCM profiles;
    // mediasoup (OpenSSL) still picks AEAD_AES_256_GCM, and so do we.
    let (a, b) = (Identity::generate(), Identity::generate());
    let mut client = a.transport();
    client.set_srtp_profiles(vec![SRTP_PROFILES[2], SRTP_PROFILES[1], SRTP_PROFILES[0]]);
    let mut pair = Pair::start_with(client, b.transport(), b.fingerprint(), a.fingerprint());
    pair.run(&mut never, 0);
    assert_eq!(
        srtp_of(&pair.client_events).unwrap().profile,
        "AEAD_AES_256_GCM"
    );
    assert_eq!(
        srtp_of(&pair.server_events).unwrap().profile,
        "AEAD_AES_256_GCM"
    );
}

#[test]
fn events_follow_mediasoup_states_and_carry_the_peer_certificate() {
    let (a, b) = (Identity::generate(), Identity::generate());
    let mut pair = Pair::start(&a, &b, None, None);
    pair.run(&mut never, 0);
    // Full preference list on both sides: mediasoup's first choice wins.
    assert_eq!(
        srtp_of(&pair.client_events).unwrap().profile,
        "AEAD_AES_256_GCM"
    );
    assert_eq!(
        pair.client_events[0],
        DtlsEvent::StateChanged(DtlsState::Connecting)
    );
    match &pair.client_events[1] {
        DtlsEvent::Connected {
            remote_cert_pem, ..
        } => assert_eq!(remote_cert_pem.trim(), b.cert_pem.trim()),
        other => panic!("expected Connected, got {other:?}"),
    }
    assert_eq!(pair.client.poll_timeout(), None);
    assert_eq!(DtlsState::Connected.as_str(), "connected");
    assert_eq!(pair.client.role(), Some(DtlsRole::Client));
}

#[test]
fn wrong_fingerprint_fails_the_checking_side() {
    let (a, b, other) = (
        Identity::generate(),
        Identity::generate(),
        Identity::generate(),
    );

    // The client expects someone else.
    let mut pair = Pair::start(&a, &b, Some(other.fingerprint()), None);
    pair.run(&mut never, 10);
    assert_eq!(pair.client.state(), DtlsState::Failed);
    assert!(srtp_of(&pair.client_events).is_none());
    assert!(pair
        .client
        .failure_reason()
        .unwrap()
        .contains("fingerprint"));
    // It told the server (bad_certificate), which fails too.
    assert_eq!(pair.server.state(), DtlsState::Failed);

    // The server expects someone else.
    let mut pair = Pair::start(&a, &b, None, Some(other.fingerprint()));
    pair.run(&mut never, 10);
    assert_eq!(pair.server.state(), DtlsState::Failed);
    assert!(srtp_of(&pair.server_events).is_none());
    assert_ne!(pair.client.state(), DtlsState::Connected);

    // Unknown algorithm never matches.
    let mut pair = Pair::start(&a, &b, Some(("md5".into(), "00".into())), None);
    pair.run(&mut never, 10);
    assert_eq!(pair.client.state(), DtlsState::Failed);
}

#[test]
fn application_data_and_close_notify() {
    let mut pair = connected_pair(None);
    pair.client
        .send_application_data(b"sctp from client")
        .unwrap();
    pair.server
        .send_application_data(b"sctp from server")
        .unwrap();
    pair.pump(&mut never);
    assert!(pair
        .server_events
        .contains(&DtlsEvent::ApplicationData(b"sctp from client".to_vec())));
    assert!(pair
        .client_events
        .contains(&DtlsEvent::ApplicationData(b"sctp from server".to_vec())));

    pair.client.close();
    pair.pump(&mut never);
    assert_eq!(pair.client.state(), DtlsState::Closed);
    assert_eq!(pair.server.state(), DtlsState::Closed);
    assert!(pair
        .server_events
        .contains(&DtlsEvent::StateChanged(DtlsState::Closed)));
    assert!(pair.client.send_application_data(b"late").is_err());
}

#[test]
fn transport_can_move_to_the_worker_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<DtlsTransport>();
}

#[test]
fn send_before_connected_is_refused() {
    let a = Identity::generate();
    let mut t = a.transport();
    assert_eq!(t.state(), DtlsState::New);
    assert!(matches!(
        t.send_application_data(b"x"),
        Err(DtlsError::InvalidState(_))
    ));
}

#[test]
fn client_hello_before_start_is_kept_for_the_server() {
    let (a, b) = (Identity::generate(), Identity::generate());
    let mut client = a.transport();
    let mut server = b.transport();
    client.start(DtlsRole::Client, b.fingerprint(), 0);
    // The ClientHello beats the server's connect().
    let hello = client.poll_transmit().unwrap();
    server.handle_datagram(&hello, 0);
    let mut pair = Pair::start_with(client, server, b.fingerprint(), a.fingerprint());
    pair.run(&mut never, 0);
    assert_eq!(pair.client.state(), DtlsState::Connected);
    assert_eq!(pair.server.state(), DtlsState::Connected);
}

#[test]
fn measure_in_memory_handshake_time() {
    let (a, b) = (Identity::generate(), Identity::generate());
    let rounds = 20;
    let started = Instant::now();
    for _ in 0..rounds {
        let mut pair = Pair::start(&a, &b, None, None);
        pair.run(&mut never, 0);
        assert_eq!(pair.client.state(), DtlsState::Connected);
    }
    let per = started.elapsed() / rounds;
    println!("in-memory DTLS handshake (both sides, incl. config build): {per:?}");
}
