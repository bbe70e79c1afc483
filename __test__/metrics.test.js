'use strict';

// ferrosoup/metrics scraped while real RTP goes through PlainTransports
// over loopback UDP: the counters move with the traffic, drops are counted
// by reason, object gauges follow the objects, and counters never go back
// when the objects they were counted on close.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const mediasoup = require('..');
const { createMetrics } = require('../js/metrics');
const { buildRtp, bindUdp, closeAllSockets, sleep, waitFor } = require('./helpers/rtp-tools');
const { SrtpContext, srtpKeyLength } = require('./helpers/srtp');

const VIDEO_PT = 101;
const mediaCodecs = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];
const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

function videoParameters(ssrc) {
	return {
		codecs: [
			{
				mimeType: 'video/VP8',
				payloadType: VIDEO_PT,
				clockRate: 90000,
				rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
			},
		],
		encodings: [{ ssrc }],
	};
}

/** `{ 'name{labels}': value }` of an exposition text. */
function parse(text) {
	const values = {};
	for (const line of text.split('\n')) {
		const match = /^(ferrosoup_\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
		if (match) {
			values[match[1].replace(/worker="\d+",?/, '').replace('{}', '')] = Number(match[2]);
		}
	}
	return values;
}

/** A VP8 key-frame-looking payload (the descriptor and a key frame bit). */
function vp8Payload(n) {
	return Buffer.concat([Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]), Buffer.alloc(300, n & 0xff)]);
}

let worker;
let metrics;

after(async () => {
	closeAllSockets();
	metrics?.close();
	worker?.close();
});

test('metrics move with traffic, count drops by reason and outlive closed objects', { timeout: 30_000 }, async () => {
	metrics = createMetrics({ defaultMetrics: false });
	worker = await mediasoup.createWorker({ logLevel: 'error' });
	const router = await worker.createRouter({ mediaCodecs });
	const scrape = async () => parse(await metrics.metrics());

	const empty = await scrape();
	assert.equal(empty['ferrosoup_objects{kind="routers"}'], 1);
	assert.equal(empty['ferrosoup_objects{kind="transports"}'], 0);
	assert.equal(empty.ferrosoup_packets_received_total, 0);

	// A sender through a comedia PlainTransport, a receiver behind another.
	const sendTransport = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
	const producer = await sendTransport.produce({ kind: 'video', rtpParameters: videoParameters(1111) });
	const receiver = await bindUdp(0);
	const received = [];
	receiver.on('message', (buf) => received.push(buf));
	const recvTransport = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
	await recvTransport.connect({ ip: '127.0.0.1', port: receiver.address().port });
	const consumer = await recvTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	await consumer.resume();

	const sender = await bindUdp(0);
	const port = sendTransport.tuple.localPort;
	const send = (buf, from = sender) => new Promise((resolve) => from.send(buf, port, '127.0.0.1', resolve));
	// 200 packets with 10 missing (seq 100..109): the producer counts them
	// lost and asks for them with NACKs.
	let sent = 0;
	for (let seq = 0; seq < 210; seq++) {
		if (seq >= 100 && seq < 110) {
			continue;
		}
		await send(buildRtp({ payloadType: VIDEO_PT, seq, timestamp: seq * 3000, ssrc: 1111, payload: vp8Payload(seq) }));
		sent++;
		if (seq % 20 === 0) {
			await sleep(5);
		}
	}
	await waitFor(() => received.filter((b) => b.length > 100).length >= 190, { what: 'the consumer\'s packets' });
	await waitFor(async () => (await producer.getStats())[0]?.nackCount > 0, { what: 'a NACK from the producer' });
	// Loss is counted when the producer writes its receiver report (each
	// second or so, as mediasoup's).
	await waitFor(async () => (await producer.getStats())[0]?.packetsLost >= 10, {
		timeoutMs: 5000,
		what: 'the producer counting the 10 lost packets',
	});

	const busy = await scrape();
	assert.equal(busy['ferrosoup_objects{kind="transports"}'], 2);
	assert.equal(busy['ferrosoup_objects{kind="producers"}'], 1);
	assert.equal(busy['ferrosoup_objects{kind="consumers"}'], 1);
	assert.ok(busy.ferrosoup_packets_received_total >= sent, `received ${busy.ferrosoup_packets_received_total} of ${sent}`);
	assert.ok(busy.ferrosoup_bytes_received_total >= sent * 300);
	assert.ok(busy.ferrosoup_packets_sent_total >= 190, `sent ${busy.ferrosoup_packets_sent_total}`);
	assert.ok(busy.ferrosoup_bytes_sent_total >= 190 * 300);
	assert.ok(busy['ferrosoup_rtp_packets_lost_total{direction="received"}'] >= 10, JSON.stringify(busy));
	assert.ok(busy['ferrosoup_rtp_nacks_total{direction="received"}'] >= 1);
	assert.ok(busy['ferrosoup_worker_cpu_seconds_total{mode="user"}'] >= 0);
	assert.ok(busy.ferrosoup_worker_loop_lag_seconds > 0);
	for (const reason of ['malformed', 'unauthenticated', 'replayed', 'no_route']) {
		assert.equal(busy[`ferrosoup_packets_dropped_total{reason="${reason}"}`], 0, reason);
	}

	// Drops, one reason at a time.
	await send(Buffer.from('not rtp at all, just text'));
	// Media to transports that have no authenticated source: a PlainTransport
	// not connected yet, a WebRtcTransport before ICE. (Strangers sending to
	// a connected PlainTransport never get here: its socket is connected.)
	const stranger = await bindUdp(0);
	const media = buildRtp({ payloadType: VIDEO_PT, seq: 500, timestamp: 0, ssrc: 1111, payload: vp8Payload(0) });
	const unconnected = await router.createPlainTransport({ listenInfo, comedia: false });
	const webRtcTransport = await router.createWebRtcTransport({ listenInfos: [listenInfo] });
	for (const to of [unconnected.tuple.localPort, webRtcTransport.iceCandidates[0].port]) {
		await new Promise((resolve) => stranger.send(media, to, '127.0.0.1', resolve));
	}
	await send(buildRtp({ payloadType: VIDEO_PT, seq: 1, timestamp: 0, ssrc: 999_999, payload: vp8Payload(0) }));
	await send(buildRtp({ payloadType: VIDEO_PT, seq: 2, timestamp: 0, ssrc: 999_999, payload: vp8Payload(0) }));
	// A replayed SRTP packet, on a transport with SRTP.
	const suite = 'AES_CM_128_HMAC_SHA1_80';
	const key = crypto.randomBytes(srtpKeyLength(suite));
	const srtpTransport = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true, enableSrtp: true, srtpCryptoSuite: suite });
	await srtpTransport.connect({ srtpParameters: { cryptoSuite: suite, keyBase64: key.toString('base64') } });
	await srtpTransport.produce({ kind: 'video', rtpParameters: videoParameters(2222) });
	const protectedPacket = new SrtpContext(key, suite).protectRtp(
		buildRtp({ payloadType: VIDEO_PT, seq: 7, timestamp: 0, ssrc: 2222, payload: vp8Payload(7) })
	);
	const srtpSender = await bindUdp(0);
	for (let i = 0; i < 3; i++) {
		await new Promise((resolve) => srtpSender.send(protectedPacket, srtpTransport.tuple.localPort, '127.0.0.1', resolve));
	}
	let dropped;
	await waitFor(
		async () => {
			dropped = await scrape();
			return dropped['ferrosoup_packets_dropped_total{reason="replayed"}'] >= 2;
		},
		{ what: 'the replays counted' }
	);
	assert.equal(dropped['ferrosoup_packets_dropped_total{reason="malformed"}'], 1);
	assert.equal(dropped['ferrosoup_packets_dropped_total{reason="unauthenticated"}'], 2);
	assert.equal(dropped['ferrosoup_packets_dropped_total{reason="no_route"}'], 2);
	assert.equal(dropped['ferrosoup_packets_dropped_total{reason="replayed"}'], 2);

	// Closing objects lowers the gauges, never the counters.
	sendTransport.close();
	recvTransport.close();
	srtpTransport.close();
	unconnected.close();
	webRtcTransport.close();
	await sleep(50);
	const closed = await scrape();
	assert.equal(closed['ferrosoup_objects{kind="transports"}'], 0);
	assert.equal(closed['ferrosoup_objects{kind="producers"}'], 0);
	for (const [name, value] of Object.entries(dropped)) {
		if (name.includes('_total') && !name.includes('cpu')) {
			assert.ok(closed[name] >= value, `${name} went from ${value} to ${closed[name]}`);
		}
	}

	// Served over HTTP with Prometheus' content type.
	const http = require('node:http');
	const server = http.createServer((req, res) => metrics.serve(req, res));
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const response = await fetch(`http://127.0.0.1:${server.address().port}/metrics`);
	assert.match(response.headers.get('content-type'), /^text\/plain/);
	assert.match(await response.text(), /^ferrosoup_packets_received_total\{worker="0"\} \d+$/m);
	server.close();
});

test('a worker created before the metrics is followed once added; a closed one leaves', async () => {
	const early = await mediasoup.createWorker({ logLevel: 'error' });
	const own = createMetrics({ defaultMetrics: false, workers: [early] });
	await early.createRouter({ mediaCodecs });
	const text = await own.metrics();
	assert.match(text, /ferrosoup_objects\{worker="0",kind="routers"\} 1/);
	early.close();
	assert.doesNotMatch(await own.metrics(), /ferrosoup_objects\{worker="0"/);
	own.close();
});
