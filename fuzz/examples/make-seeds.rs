//! Writes the seed corpora: well-formed inputs in each target's input
//! format, built with ferrosoup's own builders and the fixed test keys, so
//! the fuzzer starts from inputs that get past framing, integrity checks
//! and encryption. Usage: `cargo run --release --example make-seeds [corpus-dir]`
//! (default `corpus`, relative to the current directory).

use ferrosoup::dtls::{fingerprint_of, DtlsRole, DtlsTransport};
use ferrosoup::ice::stun::{Class, StunWriter};
use ferrosoup::rtcp::*;
use ferrosoup::srtp::{CryptoSuite, SrtpSession};
use ferrosoup_fuzz::stun::{binding_request, Request};
use ferrosoup_fuzz::{method_index, ICE_PASSWORD, ICE_UFRAG, SRTP_KEY};
use std::fs;
use std::path::{Path, PathBuf};

struct Out {
    root: PathBuf,
    count: usize,
}

impl Out {
    fn write(&mut self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir).expect("create corpus dir");
        fs::write(dir.join(format!("seed-{name}")), bytes).expect("write seed");
        self.count += 1;
    }
}

fn rtp(out: &mut Out) {
    let packets: [(&str, Vec<u8>); 5] = [
        (
            "onebyte-vp8",
            vec![
                0x90, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0x00, 0x02, 0x10, 0x30,
                0x22, 0x01, 0x02, 0x03, 0x31, 0x00, 0x90, 0xe0, 0x80, 0x6a, 0x12, 0x20, 0x50, 0x2a,
                0x00, 0x9d, 0x01, 0x2a,
            ],
        ),
        (
            "twobyte-csrc-padding-h264",
            vec![
                0xb1, 0x66, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9, 0x10, 0x00, 0x00, 0x02,
                0x01, 0x02, 0xaa, 0xbb, 0x16, 0x00, 0x00, 0x00, 0x78, 0x00, 0x02, 0x67, 0x42, 0x00,
                0x02, 0x68, 0xce, 0x00, 0x00, 0x03,
            ],
        ),
        (
            "minimal",
            vec![0x80, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x07],
        ),
        (
            "vp8-short-pictureid",
            vec![
                0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0xd0, 0xc0, 0x11, 0x05, 0x50, 0xaa,
            ],
        ),
        (
            "rtx-padding",
            vec![
                0xa0, 0x61, 0x12, 0x34, 0, 0, 0, 9, 0, 0, 0, 3, 0x56, 0x78, 0xde, 0xad, 0, 0, 3,
            ],
        ),
    ];
    for (name, p) in &packets {
        for op in 0u8..10 {
            // spare, (op, arg) x3, pad
            let control = [64, op, 0x45, (op + 4) % 10, 0x81, (op + 7) % 10, 0x13, 0];
            out.write(
                "rtp",
                &format!("{name}-op{op}"),
                &[&control[..], p].concat(),
            );
        }
    }
}

fn rtcp(out: &mut Out) {
    let mut buf = vec![0u8; 2048];
    let mut parts: Vec<(&str, usize)> = Vec::new();
    let mut off = 0;
    let mut add = |name: &'static str, n: usize, off: &mut usize| {
        parts.push((name, *off));
        *off += n;
    };
    let blocks = [ReportBlock {
        ssrc: 7,
        fraction_lost: 3,
        total_lost: -3,
        highest_seq: 70000,
        jitter: 11,
        lsr: 5,
        dlsr: 6,
    }];
    let n = write_sender_report(&mut buf[off..], 1, 2, 3, 4, 5, 6, &blocks).unwrap();
    add("sr", n, &mut off);
    let n = write_receiver_report(&mut buf[off..], 1, &blocks).unwrap();
    add("rr", n, &mut off);
    let n = write_sdes_cname(&mut buf[off..], 1, "fuzz-cname").unwrap();
    add("sdes", n, &mut off);
    let n = write_nack(&mut buf[off..], 1, 2, &[10, 11, 30, 65535, 0]).unwrap();
    add("nack", n, &mut off);
    let n = write_pli(&mut buf[off..], 1, 2).unwrap();
    add("pli", n, &mut off);
    let n = write_fir(&mut buf[off..], 1, 2, 3).unwrap();
    add("fir", n, &mut off);
    let n = write_remb(&mut buf[off..], 1, 1_500_000, &[2, 3]).unwrap();
    add("remb", n, &mut off);
    let statuses = [
        Some(4),
        None,
        Some(300),
        Some(-1),
        None,
        None,
        Some(1),
        Some(2),
        Some(3),
        Some(255),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        Some(0),
    ];
    let n = write_transport_cc(&mut buf[off..], 1, 2, 65530, -5, 1, &statuses).unwrap();
    add("tcc", n, &mut off);
    let n = write_xr_rrt(&mut buf[off..], 1, 2, 3).unwrap();
    add("xr-rrt", n, &mut off);
    let item = DlrrItem {
        ssrc: 1,
        lrr: 2,
        dlrr: 3,
    };
    let n = write_xr_dlrr(&mut buf[off..], 1, &[item, item]).unwrap();
    add("xr-dlrr", n, &mut off);
    let n = write_bye(&mut buf[off..], &[1, 2], Some("bye")).unwrap();
    add("bye", n, &mut off);
    // APP: V=2, subtype 1, PT 204, length 3, SSRC, name, 4 bytes of data.
    let app = [
        0x81, 204, 0, 3, 0, 0, 0, 1, b'f', b'u', b'z', b'z', 1, 2, 3, 4,
    ];
    buf[off..off + app.len()].copy_from_slice(&app);
    add("app", app.len(), &mut off);
    for (i, (name, start)) in parts.iter().enumerate() {
        let end = parts.get(i + 1).map_or(off, |p| p.1);
        out.write("rtcp", name, &buf[*start..end]);
    }
    out.write("rtcp", "compound-all", &buf[..off]);
}

fn stun_messages() -> Vec<(&'static str, Vec<u8>)> {
    let username = format!("{ICE_UFRAG}:remoteufrag");
    let mut v = Vec::new();
    let mut push = |name, req: Request<'_>| {
        let mut buf = [0u8; 512];
        let n = binding_request(&req, &mut buf);
        v.push((name, buf[..n].to_vec()));
    };
    let base = Request {
        transaction_id: *b"fuzztxid0001",
        username: Some(username.as_bytes()),
        priority: Some(0x6e7f_00ff),
        controlling: Some(0x0102_0304_0506_0708),
        password: Some(ICE_PASSWORD.as_bytes()),
        fingerprint: true,
        ..Default::default()
    };
    push("request", base.clone());
    push(
        "request-nominated",
        Request {
            use_candidate: true,
            nomination: Some(3),
            software: Some(b"fuzz agent"),
            ..base.clone()
        },
    );
    push(
        "request-controlled",
        Request {
            controlling: None,
            controlled: Some(9),
            ..base.clone()
        },
    );
    push(
        "indication",
        Request {
            class: Some(Class::Indication),
            password: None,
            ..base.clone()
        },
    );
    // Responses as a peer would send them.
    let mut buf = [0u8; 256];
    let mut w = StunWriter::new(&mut buf, Class::SuccessResponse, 1, b"fuzztxid0002").unwrap();
    w.add_xor_mapped_address("192.0.2.7:40000".parse().unwrap())
        .unwrap();
    let n = w.protect(Some(ICE_PASSWORD.as_bytes())).unwrap();
    v.push(("success-v4", buf[..n].to_vec()));
    let mut w = StunWriter::new(&mut buf, Class::SuccessResponse, 1, b"fuzztxid0003").unwrap();
    w.add_xor_mapped_address("[2001:db8::1]:443".parse().unwrap())
        .unwrap();
    let n = w.protect(Some(ICE_PASSWORD.as_bytes())).unwrap();
    v.push(("success-v6", buf[..n].to_vec()));
    let mut w = StunWriter::new(&mut buf, Class::ErrorResponse, 1, b"fuzztxid0004").unwrap();
    w.add_error_code(487, b"Role Conflict").unwrap();
    let n = w.protect(None).unwrap();
    v.push(("error", buf[..n].to_vec()));
    v
}

fn stun(out: &mut Out) {
    for (name, m) in stun_messages() {
        out.write("stun", name, &[&[0u8][..], &m].concat());
        out.write("stun", &format!("{name}-fixup"), &[&[1u8][..], &m].concat());
    }
}

fn ice_server(out: &mut Out) {
    // Zeros decode to authenticated requests with the current credentials.
    out.write("ice_server", "zeros", &[0u8; 40]);
    let req = |tuple: u8, which: u8, flags: u8| -> Vec<u8> {
        let mut s = vec![0, tuple, which, flags, 0, 0, 0, tuple, 0x6e, 0x7f, 0, 0xff];
        if flags & 32 != 0 {
            s.push(tuple + 1);
        }
        s
    };
    let mut script = vec![2u8]; // consent 10 s
    script.extend(req(1, 0, 0));
    script.extend(req(2, 0, 16)); // USE-CANDIDATE
    script.extend(req(3, 0, 32)); // NOMINATION
    script.extend([4, 0, 0xff, 0xff, 1]); // time passes, timer fires
    script.extend(req(4, 0, 16));
    script.extend([6, 0, 0]); // restart
    script.extend(req(5, 2, 0)); // old credentials
    script.extend(req(5, 0, 48));
    script.extend([5, 5]); // remove the selected tuple
    script.extend([6, 4, 1]); // force-select
    script.extend(req(6, 3, 0)); // wrong credentials
    script.extend(req(7, 0, 8)); // ICE-CONTROLLED: role conflict
    script.extend([7, 0, 0]); // close
    script.extend(req(1, 0, 0));
    out.write("ice_server", "script", &script);
    let mut many = vec![2u8];
    for t in 0..11 {
        many.extend(req(t, 0, if t % 3 == 0 { 16 } else { 0 }));
    }
    many.extend([4, 0, 0x02, 0x80, 1]);
    out.write("ice_server", "many-tuples", &many);
    // Raw datagrams with recomputed checks.
    let mut raw = vec![1u8];
    for (_, m) in stun_messages() {
        raw.extend([3, 1, 1, m.len() as u8]);
        raw.extend(&m);
    }
    out.write("ice_server", "raw", &raw);
}

fn srtp(out: &mut Out) {
    for (i, suite) in CryptoSuite::ALL.iter().enumerate() {
        let key = &SRTP_KEY[..suite.key_and_salt_len()];
        let mut tx = SrtpSession::new(*suite, key).unwrap();
        let mut raw = vec![i as u8, 0];
        for seq in [1u16, 2, 65535, 0] {
            let mut buf = vec![0u8; 12 + 40 + suite.rtp_overhead()];
            buf[..12].copy_from_slice(&[0x80, 96, 0, 0, 0, 0, 0, 9, 0x11, 0x11, 0x11, 0x11]);
            buf[2..4].copy_from_slice(&seq.to_be_bytes());
            buf[12..52].fill(0x5a);
            let n = tx.protect_rtp(&mut buf, 52).unwrap();
            raw.push(3);
            raw.extend((n as u16).to_be_bytes());
            raw.extend(&buf[..n]);
            raw.push(0);
        }
        for _ in 0..2 {
            let mut buf = vec![0u8; 256];
            let n = write_receiver_report(&mut buf, 0x2222_2222, &[]).unwrap();
            let m = write_pli(&mut buf[n..], 0x2222_2222, 0x1111_1111).unwrap();
            let n = tx.protect_rtcp(&mut buf, n + m).unwrap();
            raw.push(4);
            raw.extend((n as u16).to_be_bytes());
            raw.extend(&buf[..n]);
            raw.push(0);
        }
        raw.push(5);
        out.write("srtp_unprotect", &format!("raw-{}", suite.name()), &raw);

        // Paired steps: RTP, RTCP, a forged copy, replays.
        let mut paired = vec![i as u8, 0];
        for (op, seq) in [(0u8, 10u16), (0, 11), (1, 0), (0, 40000), (0, 9)] {
            paired.extend([op, 0, 0]);
            paired.extend(seq.to_be_bytes());
            paired.extend([0, 20]);
            paired.extend([0xab; 20]);
            paired.push(if seq == 11 { 1 } else { 0 });
            if seq == 11 {
                paired.extend([0, 5]);
            }
        }
        paired.extend([2, 0, 2, 1, 2, 4]);
        out.write(
            "srtp_unprotect",
            &format!("paired-{}", suite.name()),
            &paired,
        );
    }
}

fn dtls(out: &mut Out) {
    // A real ClientHello for the lone server.
    let c = rcgen::generate_simple_self_signed(vec!["fuzz".to_string()]).unwrap();
    let fp = fingerprint_of("sha-256", c.cert.der()).unwrap();
    let mut client = DtlsTransport::new(&c.cert.pem(), &c.key_pair.serialize_pem()).unwrap();
    client.start(DtlsRole::Client, ("sha-256".into(), fp), 1000);
    let mut lone = vec![0u8, 5];
    while let Some(d) = client.poll_transmit() {
        lone.push(0);
        lone.extend((d.len() as u16).to_be_bytes());
        lone.extend(&d);
    }
    lone.extend([4, 0x03, 0xe8, 4, 0x27, 0x10]);
    out.write("dtls_filter", "lone-clienthello", &lone);
    // Early datagrams (before start) then start.
    let mut early = vec![0u8];
    early.extend(&lone[2..]);
    early.push(5);
    out.write("dtls_filter", "lone-early", &early);
    // Man in the middle delivering everything (253: deliver, no time step),
    // then forged records injected into the connected ends.
    let record = |content_type: u8, epoch: u16, body: &[u8]| {
        let mut r = vec![content_type, 0xfe, 0xfd];
        r.extend(epoch.to_be_bytes());
        r.extend([0, 0, 0, 0, 0, 7]);
        r.extend((body.len() as u16).to_be_bytes());
        r.extend(body);
        r
    };
    let forged = [
        record(21, 0, &[2, 40]),
        record(20, 0, &[1]),
        record(20, 1, &[1]),
        record(22, 0, &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        record(23, 1, &[0; 40]),
        record(21, 1, &[0; 26]),
    ];
    let mut inject = Vec::new();
    for (i, d) in forged.iter().enumerate() {
        inject.push((i % 2) as u8);
        inject.push(d.len() as u8);
        inject.extend(d);
    }
    let mut mitm = vec![1u8];
    mitm.extend((inject.len() as u16).to_be_bytes());
    mitm.extend(&inject);
    mitm.extend([253u8; 160]);
    out.write("dtls_filter", "mitm-clean-inject", &mitm);
    let mut mitm = vec![1u8, 0, 0];
    for i in 0..160u8 {
        mitm.push(if i % 7 == 3 { 2 } else { 253 });
    }
    out.write("dtls_filter", "mitm-corrupt", &mitm);
}

fn codecs(out: &mut Out) {
    let payloads: [(&str, u8, &[u8]); 10] = [
        (
            "vp8-key",
            0,
            &[
                0x90, 0xe0, 0x80, 0x6a, 0x12, 0x20, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a,
            ],
        ),
        ("vp8-short-pid", 0, &[0xd0, 0xc0, 0x11, 0x05, 0x50, 0xaa]),
        (
            "vp8-delta",
            0,
            &[0x90, 0xe0, 0x80, 0x6b, 0x12, 0x80, 0x31, 0x0b, 0x00],
        ),
        ("vp8-tk", 0, &[0x88, 0x3e, 0xe4, 0x00]),
        ("vp9-key", 1, &[0xAD, 0xFF, 0xFF, 0x40, 0x00, 0x00]),
        ("vp9-layers", 1, &[0xE8, 0x05, 0x35, 0x07]),
        (
            "h264-stap",
            2,
            &[
                0x78, 0x00, 0x04, 0x67, 0x42, 0xc0, 0x1f, 0x00, 0x02, 0x68, 0xce,
            ],
        ),
        ("h264-fu", 2, &[0x7c, 0x85, 0x88, 0x84]),
        ("h265-ap", 3, &[0x60, 0x01, 0x00, 0x03, 0x40, 0x01, 0x0c]),
        ("av1", 3, &[0x18, 0x0a]),
    ];
    for (name, sel, p) in payloads {
        out.write(
            "codec_descriptors",
            name,
            &[&[sel, 0x12, 0x34][..], p].concat(),
        );
    }
}

fn json_index<T: PartialEq>(list: &[T], x: &T) -> u8 {
    list.iter().position(|y| y == x).expect("listed") as u8
}

fn tcp_framing(out: &mut Out) {
    let mut stream = Vec::new();
    for len in [0usize, 1, 20, 0, 300, 1200, 0, 5] {
        stream.extend((len as u16).to_be_bytes());
        stream.extend((0..len).map(|i| i as u8));
    }
    // An incomplete frame at the end.
    stream.extend([0x01, 0x00, 0xaa, 0xbb]);
    // One read; reads of 1 byte; reads cutting headers and payloads.
    for (name, sizes) in [
        ("one-read", vec![0u8]),
        ("tiny-reads", vec![1, 1, 1, 1, 1, 1, 1]),
        ("cuts", vec![3, 23, 150, 201, 7, 2]),
    ] {
        let mut input = vec![sizes.len() as u8 - 1];
        input.extend(&sizes);
        input.extend(&stream);
        out.write("tcp_framing", name, &input);
    }
    // A larger frame across reads of ~1 KiB (seeds stay a few KiB; the
    // fuzzer grows lengths itself).
    let mut input = vec![3u8, 200, 200, 200, 255];
    input.extend(3000u16.to_be_bytes());
    input.extend(vec![0x42; 3000]);
    out.write("tcp_framing", "large-frame", &input);
}

/// A `request` step: op 0 (template), method, template bytes, 0 edits.
fn step(method: &str, template: &[u8]) -> Vec<u8> {
    let mut s = vec![0, method_index(method)];
    s.extend(template);
    s.push(0);
    s
}

fn request(out: &mut Out) {
    let router = step("worker.createRouter", &[0, 0]);
    let direct = |t: u8| step("router.createDirectTransport", &[t, 0]);
    // t, slot, variant, paused(1 = no)
    let produce = |t: u8, slot: u8, variant: u8| step("transport.produce", &[t, slot, variant, 1]);
    // t, producer, pipe(1 = no), rtx, mid, consumer, paused, layers, ignoreDtx
    let consume = |t: u8, p: u8, c: u8| step("transport.consume", &[t, p, 1, 1, c, c, 1, 2, 2, 0]);
    let rtp = |p: u8, flags: u8, seq: u16| {
        let mut s = vec![10, p, 0, flags];
        s.extend(seq.to_be_bytes());
        s.extend([4, 1, 2, 3, 4]);
        s
    };
    let tick = |ms: u16| {
        let mut s = vec![14];
        s.extend(ms.to_be_bytes());
        s
    };

    // Direct transports: VP8 producer, consumer, media, RTCP, requests.
    let mut s = Vec::new();
    s.extend(&router);
    s.extend(direct(0));
    s.extend(produce(0, 0, 1));
    s.extend(direct(1));
    s.extend(consume(1, 0, 0));
    for seq in 0..6 {
        s.extend(rtp(0, if seq == 0 { 0 } else { 3 }, seq));
    }
    s.extend(tick(1000));
    s.extend([12, 1, 0, 0, 3]); // PLI from the consumer side
    s.extend([12, 0, 0, 0, 2, 0, 1, 0, 2]); // NACK
    s.extend(step("consumer.getStats", &[0, 0]));
    s.extend(step("consumer.pause", &[0, 0]));
    s.extend(step("producer.pause", &[0, 0]));
    s.extend(rtp(0, 0, 7));
    s.extend(step("producer.resume", &[0, 0]));
    s.extend(step("consumer.resume", &[0, 0]));
    s.extend(step("router.dump", &[0, 0]));
    s.extend(step("transport.dump", &[1]));
    s.extend(step("transport.closeProducer", &[0, 0]));
    s.extend(tick(2000));
    out.write("request", "direct-vp8", &s);

    // Simulcast and SVC producers with consumers.
    let mut s = Vec::new();
    s.extend(&router);
    s.extend(direct(0));
    s.extend(produce(0, 1, 2));
    s.extend(produce(0, 2, 4));
    s.extend(direct(1));
    s.extend(consume(1, 1, 1));
    s.extend(consume(1, 2, 2));
    for seq in 0..4 {
        s.extend(rtp(1, 0, seq));
        s.extend(rtp(2, 0, seq));
    }
    s.extend(step("consumer.setPreferredLayers", &[0, 1, 1, 1]));
    s.extend(step("consumer.requestKeyFrame", &[0, 2]));
    s.extend(tick(3000));
    s.extend(step("worker.closeRouter", &[0, 0]));
    out.write("request", "simulcast-svc", &s);

    // Audio with an observer.
    let mut s = Vec::new();
    s.extend(&router);
    s.extend(direct(0));
    s.extend(produce(0, 0, 0));
    s.extend(step("router.createAudioLevelObserver", &[0, 0, 0]));
    s.extend(step("router.createActiveSpeakerObserver", &[0, 0, 1]));
    s.extend(step("rtpObserver.addProducer", &[0, 0, 0]));
    s.extend(step("rtpObserver.addProducer", &[0, 1, 0]));
    for seq in 0..8 {
        s.extend(rtp(0, 1, seq));
        s.extend(tick(200));
    }
    s.extend(step("router.closeRtpObserver", &[0, 0, 0]));
    out.write("request", "audio-observers", &s);

    // WebRTC server, transports on it and a plain transport.
    let mut s = Vec::new();
    s.extend(&router);
    s.extend(step("worker.createWebRtcServer", &[0, 0]));
    s.extend(step(
        "router.createWebRtcTransportWithServer",
        &[0, 0, 0, 0],
    ));
    s.extend(step("transport.connect", &[0, 0]));
    s.extend(step("transport.restartIce", &[0]));
    s.extend(step("transport.getStats", &[0]));
    let suite = json_index(ferrosoup_fuzz::json::STRINGS, &"AES_CM_128_HMAC_SHA1_80");
    s.extend(step("router.createPlainTransport", &[1, 0, 0, 0, 1, suite]));
    s.extend(step("transport.connect", &[1, 1]));
    s.extend(step("router.createWebRtcTransport", &[2, 0, 0]));
    let bitrate = json_index(ferrosoup_fuzz::json::NUMBERS, &600000);
    s.extend(step("transport.setMaxOutgoingBitrate", &[2, bitrate]));
    s.extend(tick(1500));
    s.extend(step("webRtcServer.dump", &[0, 0]));
    s.extend(step("worker.closeWebRtcServer", &[0, 0]));
    s.extend(step("worker.dump", &[0]));
    out.write("request", "webrtc-plain", &s);

    // Datagrams from a peer to the WebRTC sockets: signed STUN (with and
    // without USE-CANDIDATE), a ClientHello, a re-signed mutated request.
    let mut s = Vec::new();
    s.extend(&router);
    s.extend(step("worker.createWebRtcServer", &[0, 0]));
    s.extend(step(
        "router.createWebRtcTransportWithServer",
        &[0, 0, 0, 0],
    ));
    s.extend(step("router.createWebRtcTransport", &[2, 0, 0]));
    s.extend(step("transport.connect", &[0, 0]));
    s.extend(step("transport.connect", &[2, 0]));
    for sock in 0..3 {
        s.extend([11, sock, 0, 0, 1]);
        s.extend([11, sock, 0, 1, 0]);
        s.extend([11, sock, 2]);
    }
    s.extend(tick(1000));
    s.extend([11, 2, 1, 0, 3, 2, 5, 7, 9, 11, 13, 17, 19]);
    s.extend(step("transport.getStats", &[2]));
    out.write("request", "webrtc-datagrams", &s);

    // Data producers and consumers on direct transports.
    let mut s = Vec::new();
    s.extend(&router);
    s.extend(direct(0));
    // t, direct, dp, paused
    s.extend(step("transport.produceData", &[0, 1, 0, 1]));
    // t, direct, dc, dp, subchannel
    s.extend(step("transport.consumeData", &[0, 1, 0, 0, 0, 7]));
    s.extend([13, 0, 0, 0, 7, 0, 7, 3, b'a', b'b', b'c']);
    s.extend(step("dataConsumer.setSubchannels", &[0, 0, 0, 9]));
    s.extend(step("dataConsumer.getStats", &[0, 0]));
    s.extend(step("dataProducer.pause", &[0, 0]));
    s.extend(step("transport.closeDataProducer", &[0, 0]));
    out.write("request", "data", &s);
}

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| "corpus".into());
    let mut out = Out {
        root: Path::new(&root).to_path_buf(),
        count: 0,
    };
    rtp(&mut out);
    rtcp(&mut out);
    stun(&mut out);
    ice_server(&mut out);
    srtp(&mut out);
    dtls(&mut out);
    codecs(&mut out);
    tcp_framing(&mut out);
    request(&mut out);
    println!("wrote {} seeds under {root}", out.count);
}
