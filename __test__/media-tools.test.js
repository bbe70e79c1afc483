'use strict';

// The media path with real tools: GStreamer encodes VP8 + Opus and sends it
// over (S)RTP to a PlainTransport; a second PlainTransport forwards it to a
// GStreamer receiver that decodes it. Then loss repair (NACK/RTX through a
// lossy relay), DirectTransport round trips, and malformed packets over
// real UDP. Tests that need GStreamer are skipped when it is not installed
// (.ci/run installs it).

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const mediasoup = require('..');
const {
	isRtcp,
	parseRtp,
	buildRtp,
	parseRtcp,
	buildNack,
	buildPli,
	buildReceiverReport,
	SeqTracker,
	bindUdp,
	freeUdpPort,
	UdpSplitter,
	hasTool,
	hasGstElements,
	Processes,
	sleep,
	waitFor,
	prng,
} = require('./helpers/rtp-tools');

const GST_ELEMENTS = [
	'videotestsrc', 'vp8enc', 'rtpvp8pay', 'audiotestsrc', 'opusenc', 'rtpopuspay', 'funnel', 'udpsink',
	'udpsrc', 'rtpjitterbuffer', 'rtpvp8depay', 'vp8dec', 'rtpopusdepay', 'opusdec', 'fakesink',
	'srtpenc', 'srtpdec',
];
const haveGst = hasTool('gst-launch-1.0', '--version') && hasGstElements(...GST_ELEMENTS);
const needGst = haveGst ? {} : { skip: 'GStreamer (gstreamer1.0-tools, -plugins-good/-bad) not installed' };

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const AUDIO_SSRC = 11111111;
const VIDEO_SSRC = 22222222;
const AUDIO_PT = 101;
const VIDEO_PT = 102;
const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80';

const audioRtpParameters = {
	codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc: AUDIO_SSRC }],
	rtcp: { cname: 'gst-sender' },
};
const videoRtpParameters = {
	codecs: [
		{
			mimeType: 'video/VP8',
			payloadType: VIDEO_PT,
			clockRate: 90000,
			rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
		},
	],
	encodings: [{ ssrc: VIDEO_SSRC }],
	rtcp: { cname: 'gst-sender' },
};

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

const processes = new Processes();
const workers = new Set();

after(async () => {
	await processes.killAll();
	for (const worker of workers) {
		worker.close();
	}
});

async function createWorker() {
	const worker = await mediasoup.createWorker();
	workers.add(worker);
	worker.observer.once('close', () => workers.delete(worker));
	return worker;
}

/** A random SRTP master key + salt for AES_CM_128_HMAC_SHA1_80 (30 bytes). */
function newSrtpKey() {
	return crypto.randomBytes(30);
}

/**
 * gst-launch arguments of a live VP8 (testsrc 320x240@30, key frame every
 * 30 frames) + Opus (sine) sender to 127.0.0.1:port, both streams from one
 * socket, optionally SRTP-protected with `srtpKey`.
 */
function gstSenderArgs({ port, srtpKey = null, videoBitrate = 600_000, audio = true, pattern = 'ball' }) {
	const out = srtpKey ? ['srtpenc', `key=${srtpKey.toString('hex')}`, '!'] : [];
	return [
		'-q',
		'videotestsrc', 'is-live=true', `pattern=${pattern}`, '!',
		'video/x-raw,width=320,height=240,framerate=30/1', '!',
		'vp8enc', 'deadline=1', 'cpu-used=8', 'keyframe-max-dist=30', `target-bitrate=${videoBitrate}`, '!',
		'rtpvp8pay', `pt=${VIDEO_PT}`, `ssrc=${VIDEO_SSRC}`, 'mtu=1200', 'picture-id-mode=15-bit', '!',
		'funnel', 'name=f', '!',
		...out,
		'udpsink', 'host=127.0.0.1', `port=${port}`, 'sync=false', 'async=false',
		...(audio
			? [
				'audiotestsrc', 'is-live=true', 'wave=sine', 'freq=440', '!',
				'audio/x-raw,rate=48000,channels=2', '!',
				'opusenc', 'bitrate=64000', '!',
				'rtpopuspay', `pt=${AUDIO_PT}`, `ssrc=${AUDIO_SSRC}`, '!',
				'f.',
			]
			: []),
	];
}

/** Caps of a udpsrc receiving one consumer's stream (RTP or SRTP). */
function receiverCaps(consumer, srtpKey) {
	const codec = consumer.rtpParameters.codecs[0];
	const ssrc = consumer.rtpParameters.encodings[0].ssrc;
	const [media, encodingName] = codec.mimeType.split('/');
	const fields = [
		srtpKey ? 'application/x-srtp' : 'application/x-rtp',
		`media=(string)${media}`,
		`clock-rate=(int)${codec.clockRate}`,
		`encoding-name=(string)${encodingName.toUpperCase()}`,
		`payload=(int)${codec.payloadType}`,
		`ssrc=(uint)${ssrc}`,
	];
	if (srtpKey) {
		fields.push(
			`srtp-key=(buffer)${srtpKey.toString('hex')}`,
			'srtp-cipher=(string)aes-128-icm',
			'srtp-auth=(string)hmac-sha1-80',
			'srtcp-cipher=(string)aes-128-icm',
			'srtcp-auth=(string)hmac-sha1-80'
		);
	}
	return fields.join(',');
}

/**
 * gst-launch arguments of a receiver decoding the video consumer's stream on
 * `videoPort` and the audio consumer's on `audioPort` into fakesinks named
 * vsink/asink (with -v, each decoded buffer prints a `last-message = chain`).
 */
function gstReceiverArgs({ videoPort, videoConsumer, audioPort, audioConsumer, srtpKey = null }) {
	const dec = srtpKey ? ['srtpdec', '!'] : [];
	return [
		'-v',
		'udpsrc', `port=${videoPort}`, 'address=127.0.0.1', `caps=${receiverCaps(videoConsumer, srtpKey)}`, '!',
		...dec,
		'rtpjitterbuffer', 'latency=50', '!', 'rtpvp8depay', '!', 'vp8dec', '!',
		'fakesink', 'name=vsink', 'silent=false', 'sync=false',
		'udpsrc', `port=${audioPort}`, 'address=127.0.0.1', `caps=${receiverCaps(audioConsumer, srtpKey)}`, '!',
		...dec,
		'rtpjitterbuffer', 'latency=50', '!', 'rtpopusdepay', '!', 'opusdec', '!',
		'fakesink', 'name=asink', 'silent=false', 'sync=false',
	];
}

/** Starts a GStreamer receiver; resolves once its pipeline is PLAYING. */
async function startGstReceiver(args) {
	const counts = { video: 0, audio: 0, width: 0, height: 0 };
	const proc = processes.spawn('gst-launch-1.0', args, {
		name: 'gst receiver',
		onLine: line => {
			if (line.includes('vsink: last-message = chain')) {
				counts.video++;
			} else if (line.includes('asink: last-message = chain')) {
				counts.audio++;
			} else if (line.includes('GstFakeSink:vsink.GstPad:sink: caps = video/x-raw')) {
				counts.width = Number(/width=\(int\)(\d+)/.exec(line)?.[1] ?? 0);
				counts.height = Number(/height=\(int\)(\d+)/.exec(line)?.[1] ?? 0);
			}
		},
	});
	await waitFor(() => proc.stdout.includes('Setting pipeline to PLAYING') || proc.exitCode !== undefined, {
		timeoutMs: 10_000,
		what: 'the GStreamer receiver to start',
	});
	assert.equal(proc.exitCode, undefined, `receiver exited early: ${proc.stderr}`);
	return { proc, counts };
}

/**
 * Sender -> PlainTransport A (comedia) -> router -> PlainTransport B ->
 * splitter -> GStreamer receiver, plain RTP or SRTP on both legs.
 */
async function runToolsThroughSfu({ enableSrtp }) {
	const worker = await createWorker();
	const router = await worker.createRouter({ mediaCodecs });
	const transportA = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true, enableSrtp });
	const transportB = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false, enableSrtp });
	const tuples = [];
	transportA.on('tuple', tuple => tuples.push(tuple));

	// Keys: the sender's key goes to A.connect(); B's key goes to the receiver.
	const senderKey = enableSrtp ? newSrtpKey() : null;
	if (enableSrtp) {
		assert.equal(transportA.srtpParameters.cryptoSuite, SRTP_SUITE);
		await transportA.connect({
			srtpParameters: { cryptoSuite: SRTP_SUITE, keyBase64: senderKey.toString('base64') },
		});
	}

	const audioProducer = await transportA.produce({ kind: 'audio', rtpParameters: audioRtpParameters });
	const videoProducer = await transportA.produce({ kind: 'video', rtpParameters: videoRtpParameters });
	const producerScores = [];
	audioProducer.on('score', score => producerScores.push(['audio', score]));
	videoProducer.on('score', score => producerScores.push(['video', score]));

	const audioConsumer = await transportB.consume({
		producerId: audioProducer.id,
		rtpCapabilities: router.rtpCapabilities,
	});
	const videoConsumer = await transportB.consume({
		producerId: videoProducer.id,
		rtpCapabilities: router.rtpCapabilities,
	});
	assert.equal(audioConsumer.paused, false);
	assert.equal(videoConsumer.paused, false);

	const [videoPort, audioPort] = [await freeUdpPort(), await freeUdpPort()];
	const splitter = await UdpSplitter.create({
		routes: new Map([
			[videoConsumer.rtpParameters.encodings[0].ssrc, { port: videoPort }],
			[audioConsumer.rtpParameters.encodings[0].ssrc, { port: audioPort }],
		]),
	});
	// The receiver never sends, but B needs the remote key to be connected.
	const receiverKey = enableSrtp ? newSrtpKey() : null;
	await transportB.connect({
		ip: '127.0.0.1',
		port: splitter.port,
		...(enableSrtp
			? { srtpParameters: { cryptoSuite: SRTP_SUITE, keyBase64: receiverKey.toString('base64') } }
			: {}),
	});
	const decryptKey = enableSrtp ? Buffer.from(transportB.srtpParameters.keyBase64, 'base64') : null;

	try {
		const receiver = await startGstReceiver(
			gstReceiverArgs({ videoPort, videoConsumer, audioPort, audioConsumer, srtpKey: decryptKey })
		);
		const sender = processes.spawn(
			'gst-launch-1.0',
			gstSenderArgs({ port: transportA.tuple.localPort, srtpKey: senderKey }),
			{ name: 'gst sender' }
		);
		// ~3 s of media: wait for 90 decoded frames (30 fps), or time out.
		await waitFor(() => receiver.counts.video >= 90 || sender.exitCode !== undefined, {
			timeoutMs: 10_000,
			what: `90 decoded video frames (got ${receiver.counts.video})`,
		}).catch(error => {
			throw new Error(`${error.message}; sender: ${sender.stderr}; receiver: ${receiver.proc.stderr}`);
		});
		assert.equal(sender.exitCode, undefined, `sender exited: ${sender.stderr}`);
		const [producerStats, consumerStats, audioConsumerStats, transportAStats, transportBStats] =
			await Promise.all([
				videoProducer.getStats(),
				videoConsumer.getStats(),
				audioConsumer.getStats(),
				transportA.getStats(),
				transportB.getStats(),
			]);
		const audioProducerStats = await audioProducer.getStats();
		await processes.stop(sender);
		await sleep(200);
		await processes.stop(receiver.proc);

		const result = {
			producerScore: videoProducer.score,
			videoFrames: receiver.counts.video,
			audioBuffers: receiver.counts.audio,
			width: receiver.counts.width,
			height: receiver.counts.height,
			videoPacketsOut: splitter.rtpBySsrc.get(videoConsumer.rtpParameters.encodings[0].ssrc)?.packets ?? 0,
			audioPacketsOut: splitter.rtpBySsrc.get(audioConsumer.rtpParameters.encodings[0].ssrc)?.packets ?? 0,
		};
		return {
			result,
			tuples,
			transportA,
			producerScores,
			producerStats,
			audioProducerStats,
			consumerStats,
			audioConsumerStats,
			transportAStats,
			transportBStats,
			videoConsumer,
			audioConsumer,
			splitter,
			worker,
		};
	} finally {
		splitter.close();
		worker.close();
	}
}

function assertMediaFlowed(run, label) {
	const { result } = run;
	console.log(`[${label}]`, JSON.stringify(result));
	// ~3 s of 30 fps video decoded by vp8dec, at the sender's resolution.
	assert.ok(result.videoFrames >= 90, `decoded video frames: ${result.videoFrames}`);
	assert.equal(result.width, 320);
	assert.equal(result.height, 240);
	// Opus decodes 20 ms per buffer: >= 2 s of audio.
	assert.ok(result.audioBuffers >= 100, `decoded audio buffers: ${result.audioBuffers}`);

	// The comedia transport learnt the sender's tuple and said so.
	assert.equal(run.tuples.length, 1);
	assert.equal(run.tuples[0].remoteIp, '127.0.0.1');
	assert.ok(run.tuples[0].remotePort > 0);
	assert.equal(run.transportA.tuple.remotePort, run.tuples[0].remotePort);

	// Stats of both sides counted the packets.
	const [producerStat] = run.producerStats;
	assert.equal(producerStat.type, 'inbound-rtp');
	assert.equal(producerStat.ssrc, VIDEO_SSRC);
	assert.ok(producerStat.packetCount >= 90, `producer packetCount ${producerStat.packetCount}`);
	assert.ok(producerStat.byteCount > 10_000, `producer byteCount ${producerStat.byteCount}`);
	const [audioProducerStat] = run.audioProducerStats;
	assert.ok(audioProducerStat.packetCount >= 100, `audio producer packetCount ${audioProducerStat.packetCount}`);
	const outbound = run.consumerStats.find(s => s.type === 'outbound-rtp');
	assert.ok(outbound, JSON.stringify(run.consumerStats));
	assert.equal(outbound.ssrc, run.videoConsumer.rtpParameters.encodings[0].ssrc);
	assert.ok(outbound.packetCount >= 90, `consumer packetCount ${outbound.packetCount}`);
	assert.ok(outbound.byteCount > 10_000, `consumer byteCount ${outbound.byteCount}`);
	const audioOutbound = run.audioConsumerStats.find(s => s.type === 'outbound-rtp');
	assert.ok(audioOutbound.packetCount >= 100, `audio consumer packetCount ${audioOutbound.packetCount}`);
	// What the consumer counted is what left the socket.
	assert.ok(Math.abs(outbound.packetCount - result.videoPacketsOut) <= 5);
	assert.ok(run.transportAStats[0].rtpBytesReceived > 10_000);
	assert.ok(run.transportBStats[0].rtpBytesSent > 10_000);

	// The producers reported their scores.
	assert.ok(run.producerScores.some(([kind]) => kind === 'video'), JSON.stringify(run.producerScores));
	const lastVideo = run.producerScores.filter(([kind]) => kind === 'video').pop()[1];
	assert.equal(lastVideo[0].ssrc, VIDEO_SSRC);
	assert.ok(lastVideo[0].score >= 9, JSON.stringify(lastVideo));
}

test('VP8 + Opus from GStreamer through the SFU over plain RTP', needGst, async () => {
	const run = await runToolsThroughSfu({ enableSrtp: false });
	assertMediaFlowed(run, 'rtp');
});

test('VP8 + Opus from GStreamer through the SFU over SRTP', needGst, async () => {
	const run = await runToolsThroughSfu({ enableSrtp: true });
	assertMediaFlowed(run, 'srtp');
});

test('lost packets are repaired: NACKs through a lossy relay get retransmissions', needGst, async () => {
	const worker = await createWorker();
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const transportA = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
		const transportB = await router.createPlainTransport({ listenInfo, rtcpMux: true });
		const producer = await transportA.produce({ kind: 'video', rtpParameters: videoRtpParameters });
		const consumer = await transportB.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const mediaSsrc = consumer.rtpParameters.encodings[0].ssrc;
		const rtxSsrc = consumer.rtpParameters.encodings[0].rtx?.ssrc;
		const rtxPt = consumer.rtpParameters.codecs.find(c => c.mimeType === 'video/rtx')?.payloadType;
		assert.ok(consumer.rtpParameters.codecs[0].rtcpFeedback.some(fb => fb.type === 'nack' && !fb.parameter));

		// The receiver: a Node socket that tracks sequence numbers, NACKs gaps
		// (again every 40 ms, up to 10 times) and counts what came back.
		const receiver = await bindUdp(0);
		const receiverPort = receiver.address().port;
		// The relay drops every 20th original packet (5%), deterministically,
		// and never a retransmission of it.
		let dropping = true;
		const droppedSeqs = new Set();
		const relay = await LossyRelay.create({
			receiverPort,
			drop: rtp => {
				if (!dropping || rtp.ssrc !== mediaSsrc || rtp.seq % 20 !== 7 || droppedSeqs.has(rtp.seq)) {
					return false;
				}
				droppedSeqs.add(rtp.seq);
				return true;
			},
		});
		await transportB.connect({ ip: '127.0.0.1', port: relay.port });

		const RECEIVER_SSRC = 0xfeedbeef;
		const tracker = new SeqTracker();
		const outstanding = new Map(); // extended seq -> { at, nacks }
		let nacksSent = 0;
		let recovered = 0;
		let rtxPackets = 0;
		let badRtx = 0;
		const sendNack = seqs => {
			receiver.send(buildNack(RECEIVER_SSRC, mediaSsrc, seqs), relay.port, '127.0.0.1');
			nacksSent++;
		};
		const onSeq = (seq, isRetransmission) => {
			const ext = tracker.extend(seq);
			if (isRetransmission && outstanding.delete(ext)) {
				recovered++;
			}
			const gaps = tracker.add(seq);
			for (const gap of gaps) {
				outstanding.set(gap, { at: Date.now(), nacks: 1 });
			}
			if (gaps.length > 0) {
				sendNack(gaps);
			}
		};
		receiver.on('message', buf => {
			if (isRtcp(buf)) {
				return;
			}
			const rtp = parseRtp(buf);
			if (!rtp) {
				return;
			}
			if (rtp.ssrc === mediaSsrc) {
				// Without RTX a retransmission comes with its own seq.
				onSeq(rtp.seq, outstanding.has(tracker.extend(rtp.seq)));
			} else if (rtxSsrc !== undefined && rtp.ssrc === rtxSsrc) {
				rtxPackets++;
				if (rtp.payloadType !== rtxPt || rtp.payload.length < 2) {
					badRtx++;
					return;
				}
				// RFC 4588: the original sequence number leads the payload.
				onSeq(rtp.payload.readUInt16BE(0), true);
			}
		});
		const renack = setInterval(() => {
			const now = Date.now();
			const again = [];
			for (const [seq, entry] of outstanding) {
				if (now - entry.at >= 40 && entry.nacks < 10) {
					entry.at = now;
					entry.nacks++;
					again.push(seq);
				}
			}
			if (again.length > 0) {
				sendNack(again.sort((a, b) => a - b));
			}
		}, 20);

		const sender = processes.spawn(
			'gst-launch-1.0',
			gstSenderArgs({ port: transportA.tuple.localPort, audio: false, pattern: 'snow', videoBitrate: 1_500_000 }),
			{ name: 'gst sender' }
		);
		try {
			// Lossy for a while (>= 300 packets reach the receiver), then clean
			// for 700 ms so the last repairs complete.
			await waitFor(() => tracker.received >= 300 || sender.exitCode !== undefined, {
				timeoutMs: 10_000,
				what: `300 packets at the receiver (got ${tracker.received})`,
			});
			assert.equal(sender.exitCode, undefined, sender.stderr);
			dropping = false;
			await sleep(700);
		} finally {
			clearInterval(renack);
			await processes.stop(sender);
		}
		const stats = await consumer.getStats();
		const outbound = stats.find(s => s.type === 'outbound-rtp');
		const [inbound] = await producer.getStats();
		const missing = tracker.missing();
		const numbers = {
			receivedAtReceiver: tracker.received,
			dropped: relay.dropped.length,
			nacksSent,
			rtxPackets,
			recovered,
			stillMissing: missing.length,
			consumer: {
				nackCount: outbound.nackCount,
				nackPacketCount: outbound.nackPacketCount,
				packetsRetransmitted: outbound.packetsRetransmitted,
				packetsRepaired: outbound.packetsRepaired,
			},
			producerPacketsLost: inbound.packetsLost,
		};
		console.log('[nack]', JSON.stringify(numbers));
		relay.close();
		receiver.close();

		assert.ok(relay.dropped.length >= 10, `dropped ${relay.dropped.length}`);
		assert.ok(nacksSent > 0);
		assert.equal(badRtx, 0);
		// The SFU answered: as RTX when negotiated (it is, with the router's
		// capabilities), each dropped packet came back.
		assert.ok(rtxSsrc !== undefined, 'consumer has an RTX stream');
		assert.ok(rtxPackets >= relay.dropped.length, `rtx ${rtxPackets} < dropped ${relay.dropped.length}`);
		assert.equal(recovered, relay.dropped.length);
		assert.deepEqual(missing, []);
		// And counted it.
		assert.ok(outbound.nackCount > 0, JSON.stringify(outbound));
		assert.ok(outbound.nackPacketCount >= relay.dropped.length, JSON.stringify(outbound));
		assert.ok(outbound.packetsRetransmitted >= relay.dropped.length, JSON.stringify(outbound));
		assert.ok(outbound.packetsRepaired >= relay.dropped.length, JSON.stringify(outbound));
		// Nothing was lost between the sender and the SFU.
		assert.equal(inbound.packetsLost, 0);
	} finally {
		worker.close();
	}
});

/** A VP8 payload: 1-byte descriptor (S=1, PID 0), then the payload header's P bit. */
function vp8Payload(keyFrame, body) {
	return Buffer.concat([Buffer.from([0x10, keyFrame ? 0x00 : 0x01]), body]);
}

test('DirectTransport round trip: producer.send() to DirectTransport and PlainTransport consumers', async () => {
	const worker = await createWorker();
	const socket = await bindUdp(0);
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const directA = await router.createDirectTransport();
		const directB = await router.createDirectTransport();
		const plainC = await router.createPlainTransport({ listenInfo, rtcpMux: true });
		const producer = await directA.produce({ kind: 'video', rtpParameters: videoRtpParameters });
		const consumerB = await directB.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const consumerC = await plainC.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		await plainC.connect({ ip: '127.0.0.1', port: socket.address().port });

		const rtcpOnA = [];
		directA.on('rtcp', buf => rtcpOnA.push(...parseRtcp(Buffer.from(buf))));
		const gotB = [];
		consumerB.on('rtp', buf => gotB.push(parseRtp(Buffer.from(buf))));
		const gotC = [];
		const rtcpOnC = [];
		socket.on('message', buf => {
			if (isRtcp(buf)) {
				rtcpOnC.push(...parseRtcp(buf));
			} else {
				gotC.push(parseRtp(buf));
			}
		});

		// 200 packets across the seq and timestamp wrap, key frames at 0 and 100.
		const N = 200;
		const SEQ0 = 65_500;
		const TS0 = 4_294_960_000;
		const random = prng(7);
		const sent = [];
		for (let i = 0; i < N; i++) {
			const body = Buffer.from(Array.from({ length: 50 + (i % 200) }, () => Math.floor(random() * 256)));
			const payload = vp8Payload(i % 100 === 0, body);
			sent.push(payload);
			producer.send(
				buildRtp({ payloadType: VIDEO_PT, seq: SEQ0 + i, timestamp: TS0 + i * 3000, ssrc: VIDEO_SSRC, marker: true, payload })
			);
			if (i % 20 === 19) {
				await sleep(2);
			}
		}
		await waitFor(() => gotB.length >= N && gotC.length >= N, {
			timeoutMs: 5000,
			what: `${N} packets at both consumers (B ${gotB.length}, C ${gotC.length})`,
		});

		for (const [name, consumer, got] of [['direct', consumerB, gotB], ['plain', consumerC, gotC]]) {
			const ssrc = consumer.rtpParameters.encodings[0].ssrc;
			const pt = consumer.rtpParameters.codecs[0].payloadType;
			assert.equal(got.length, N, name);
			got.forEach((rtp, i) => {
				assert.equal(rtp.ssrc, ssrc, `${name} ssrc #${i}`);
				assert.equal(rtp.payloadType, pt, `${name} pt #${i}`);
				assert.equal(rtp.seq, (got[0].seq + i) & 0xffff, `${name} seq #${i}`);
				assert.equal(rtp.timestamp, (got[0].timestamp + i * 3000) >>> 0, `${name} ts #${i}`);
				assert.ok(rtp.payload.equals(sent[i]), `${name} payload #${i}`);
			});
		}
		assert.notEqual(consumerB.rtpParameters.encodings[0].ssrc, VIDEO_SSRC);
		const [producerStat] = await producer.getStats();
		assert.equal(producerStat.packetCount, N);
		assert.equal((await consumerB.getStats()).find(s => s.type === 'outbound-rtp').packetCount, N);

		// A PLI for consumer B's SSRC through directB.sendRtcp(): B counts it,
		// and the producer's DirectTransport emits a PLI for the sender's SSRC.
		const plis = () => rtcpOnA.filter(p => p.pt === 206 && p.fmt === 1 && p.mediaSsrc === VIDEO_SSRC).length;
		const plisBefore = plis();
		directB.sendRtcp(buildPli(0x1234, consumerB.rtpParameters.encodings[0].ssrc));
		await waitFor(() => plis() > plisBefore, { timeoutMs: 3000, what: 'a PLI on the producer DirectTransport' });
		assert.equal((await consumerB.getStats()).find(s => s.type === 'outbound-rtp').pliCount, 1);

		// A NACK from the PlainTransport's peer gets two RTX retransmissions
		// carrying the original sequence numbers and payloads.
		const ssrcC = consumerC.rtpParameters.encodings[0].ssrc;
		const rtxC = consumerC.rtpParameters.encodings[0].rtx;
		const rtxPtC = consumerC.rtpParameters.codecs.find(c => c.mimeType === 'video/rtx').payloadType;
		const wanted = [gotC[150].seq, gotC[152].seq];
		gotC.length = 0;
		socket.send(buildNack(0x5678, ssrcC, wanted), plainC.tuple.localPort, '127.0.0.1');
		await waitFor(() => gotC.length >= 2, { timeoutMs: 3000, what: 'retransmissions at the PlainTransport peer' });
		assert.deepEqual(gotC.map(rtp => [rtp.ssrc, rtp.payloadType]), [[rtxC.ssrc, rtxPtC], [rtxC.ssrc, rtxPtC]]);
		assert.deepEqual(gotC.map(rtp => rtp.payload.readUInt16BE(0)), wanted);
		assert.ok(gotC[0].payload.subarray(2).equals(sent[150]));
		assert.ok(gotC[1].payload.subarray(2).equals(sent[152]));
		const outboundC = (await consumerC.getStats()).find(s => s.type === 'outbound-rtp');
		assert.equal(outboundC.nackCount, 1);
		assert.equal(outboundC.packetsRetransmitted, 2);
		// And a PLI over UDP is counted too.
		socket.send(buildPli(0x5678, ssrcC), plainC.tuple.localPort, '127.0.0.1');
		await waitFor(async () => (await consumerC.getStats()).find(s => s.type === 'outbound-rtp').pliCount === 1, {
			timeoutMs: 3000,
			what: 'pliCount 1 on the PlainTransport consumer',
		});
		console.log('[direct]', JSON.stringify({ packets: N, plisOnProducerTransport: plis(), rtcpAtPlainPeer: rtcpOnC.length }));
	} finally {
		socket.close();
		worker.close();
	}
});

/** Malformed datagrams: RTP and RTCP broken in every way we could think of. */
function malformedPackets({ audioSsrc, videoSsrc, videoRtxSsrc }) {
	const random = prng(42);
	const bytes = n => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
	const valid = buildRtp({ payloadType: AUDIO_PT, seq: 1, timestamp: 1, ssrc: audioSsrc, payload: bytes(40) });
	const header = (b0, pt, ssrc, extra = Buffer.alloc(0)) => {
		const h = buildRtp({ payloadType: pt, seq: Math.floor(random() * 65536), timestamp: 0, ssrc, payload: extra });
		h[0] = b0;
		return h;
	};
	const out = [];
	// Truncated RTP (valid prefixes of 0..11 bytes).
	for (let n = 0; n < 12; n++) {
		out.push(valid.subarray(0, n));
	}
	for (const ssrc of [audioSsrc, videoSsrc, videoRtxSsrc, 0xdeadbeef]) {
		const pt = ssrc === audioSsrc ? AUDIO_PT : ssrc === videoRtxSsrc ? VIDEO_PT + 1 : VIDEO_PT;
		// Bad versions.
		for (const version of [0, 1, 3]) {
			out.push(header((version << 6) | 0x00, pt, ssrc, bytes(20)));
		}
		// Bad padding: zero, longer than the payload, longer than the packet, only padding.
		out.push(header(0xa0, pt, ssrc, Buffer.concat([bytes(10), Buffer.from([0])])));
		out.push(header(0xa0, pt, ssrc, Buffer.concat([bytes(10), Buffer.from([50])])));
		out.push(header(0xa0, pt, ssrc, Buffer.from([255])));
		out.push(header(0xa0, pt, ssrc, Buffer.from([0, 0, 0, 4])));
		// Extension length past the end (one-byte and two-byte profiles, and garbage).
		for (const profile of [0xbede, 0x1000, 0x1234]) {
			const ext = Buffer.alloc(8);
			ext.writeUInt16BE(profile, 0);
			ext.writeUInt16BE(0xffff, 2);
			ext[4] = 0x1f; // one-byte: id 1 len 2... past the end anyway
			out.push(header(0x90, pt, ssrc, ext));
			const ext2 = Buffer.alloc(4);
			ext2.writeUInt16BE(profile, 0);
			ext2.writeUInt16BE(1, 2);
			out.push(header(0x90, pt, ssrc, ext2));
			// Elements whose lengths run past the extension block.
			const ext3 = Buffer.from([profile >> 8, profile & 0xff, 0, 1, 0xff, 0xff, 0xff, 0xff]);
			out.push(header(0x90, pt, ssrc, Buffer.concat([ext3, bytes(8)])));
		}
		// CC=15 with fewer than 15 CSRCs, with and without extension/padding.
		out.push(header(0x8f, pt, ssrc, bytes(8)));
		out.push(header(0x9f, pt, ssrc, bytes(60)));
		out.push(header(0xbf, pt, ssrc, bytes(61)));
		// Empty payload; unknown payload type on a known SSRC.
		out.push(header(0x80, pt, ssrc));
		out.push(header(0x80, 127, ssrc, bytes(20)));
		out.push(header(0x80, 0, ssrc, bytes(20)));
		// Truncated VP8 payload descriptors (X, I, M, L, T, K set, nothing after).
		for (const d of [[0x80], [0x90, 0x80], [0x90, 0x80, 0x80], [0x90, 0xf0], [0x90, 0xff, 0xff], [0x10], [0x90, 0x40]]) {
			out.push(header(0x80, pt, ssrc, Buffer.from(d)));
		}
		// RTX with payloads too short for the original sequence number.
		out.push(header(0x80, VIDEO_PT + 1, ssrc));
		out.push(header(0x80, VIDEO_PT + 1, ssrc, Buffer.from([1])));
		out.push(header(0xa0, VIDEO_PT + 1, ssrc, Buffer.from([1, 2, 3])));
	}
	// Malformed RTCP.
	const rtcp = (b0, pt, lengthWords, body) => {
		const buf = Buffer.alloc(4);
		buf[0] = b0;
		buf[1] = pt;
		buf.writeUInt16BE(lengthWords, 2);
		return Buffer.concat([buf, body]);
	};
	const ssrcBytes = ssrc => {
		const b = Buffer.alloc(4);
		b.writeUInt32BE(ssrc);
		return b;
	};
	for (const pt of [200, 201, 202, 203, 204, 205, 206, 207, 192, 193, 195]) {
		for (const b0 of [0x80, 0x81, 0x8f, 0x9f, 0xa0, 0xbf, 0x00, 0x40, 0xc0]) {
			out.push(rtcp(b0, pt, 0, Buffer.alloc(0)));
			out.push(rtcp(b0, pt, 0xffff, ssrcBytes(audioSsrc)));
			out.push(rtcp(b0, pt, 1, ssrcBytes(videoSsrc)));
			out.push(rtcp(b0, pt, 6, Buffer.concat([ssrcBytes(1), ssrcBytes(videoSsrc), bytes(8)])));
			out.push(rtcp(b0, pt, 2, Buffer.concat([ssrcBytes(1), ssrcBytes(videoSsrc), bytes(3)])));
		}
	}
	// Generic NACK / PLI / REMB / TCC for consumer-unknown SSRCs and with broken FCI.
	out.push(Buffer.concat([buildNack(1, videoSsrc, [1, 2, 3]).subarray(0, 13)]));
	const tcc = rtcp(0x8f, 205, 5, Buffer.concat([ssrcBytes(1), ssrcBytes(videoSsrc), Buffer.from([0, 1, 0xff, 0xff, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])]));
	out.push(tcc);
	const remb = rtcp(0x8f, 206, 4, Buffer.concat([ssrcBytes(1), ssrcBytes(0), Buffer.from('REMB'), Buffer.from([0xff, 0xff, 0xff, 0xff])]));
	out.push(remb);
	// SDES with items running past the chunk; BYE with SC=31; XR with a long block.
	out.push(rtcp(0x81, 202, 2, Buffer.concat([ssrcBytes(audioSsrc), Buffer.from([1, 200, 65, 0])])));
	out.push(rtcp(0x9f, 203, 1, ssrcBytes(audioSsrc)));
	out.push(rtcp(0x80, 207, 2, Buffer.concat([ssrcBytes(1), Buffer.from([4, 0, 0xff, 0xff])])));
	out.push(rtcp(0x80, 207, 3, Buffer.concat([ssrcBytes(1), Buffer.from([5, 0, 0, 9]), ssrcBytes(audioSsrc)])));
	// A valid RR followed by garbage in the same compound packet.
	out.push(Buffer.concat([buildReceiverReport(1, { ssrc: audioSsrc, highestSeq: 5 }), bytes(7)]));
	out.push(Buffer.concat([buildReceiverReport(1, { ssrc: audioSsrc, highestSeq: 5 }), rtcp(0x80, 201, 200, bytes(8))]));
	// Random garbage of every size, and RTP/RTCP-looking garbage.
	for (let i = 0; i < 300; i++) {
		out.push(bytes(Math.floor(random() * 1400)));
		const g = bytes(12 + Math.floor(random() * 300));
		g[0] = 0x80 | (g[0] & 0x3f);
		out.push(g);
		const r = bytes(4 + Math.floor(random() * 100));
		r[0] = 0x80 | (r[0] & 0x3f);
		r[1] = 192 + Math.floor(random() * 32);
		out.push(r);
	}
	return out;
}

test('malformed RTP and RTCP over real UDP: the worker survives and media keeps flowing', async () => {
	const worker = await createWorker();
	let died = false;
	worker.on('died', () => (died = true));
	const sender = await bindUdp(0);
	const receiver = await bindUdp(0);
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const transportA = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
		const transportB = await router.createPlainTransport({ listenInfo, rtcpMux: true });
		const VIDEO_RTX_SSRC = VIDEO_SSRC + 1;
		const audioProducer = await transportA.produce({ kind: 'audio', rtpParameters: audioRtpParameters });
		const videoProducer = await transportA.produce({
			kind: 'video',
			rtpParameters: {
				...videoRtpParameters,
				codecs: [
					...videoRtpParameters.codecs,
					{ mimeType: 'video/rtx', payloadType: VIDEO_PT + 1, clockRate: 90000, parameters: { apt: VIDEO_PT } },
				],
				encodings: [{ ssrc: VIDEO_SSRC, rtx: { ssrc: VIDEO_RTX_SSRC } }],
			},
		});
		const audioConsumer = await transportB.consume({ producerId: audioProducer.id, rtpCapabilities: router.rtpCapabilities });
		const videoConsumer = await transportB.consume({ producerId: videoProducer.id, rtpCapabilities: router.rtpCapabilities });
		await transportB.connect({ ip: '127.0.0.1', port: receiver.address().port });
		const audioOutSsrc = audioConsumer.rtpParameters.encodings[0].ssrc;
		const received = [];
		receiver.on('message', buf => {
			const rtp = !isRtcp(buf) && parseRtp(buf);
			if (rtp && rtp.ssrc === audioOutSsrc) {
				received.push(rtp);
			}
		});
		// Peers keep talking RTCP to B as well (malformed included).
		const target = transportA.tuple.localPort;
		let seq = 1000;
		const sendValid = async count => {
			for (let i = 0; i < count; i++) {
				const payload = Buffer.alloc(60, seq & 0xff);
				sender.send(buildRtp({ payloadType: AUDIO_PT, seq, timestamp: seq * 960, ssrc: AUDIO_SSRC, payload }), target, '127.0.0.1');
				seq++;
				await sleep(2);
			}
		};
		// Valid media first: comedia learns the sender's tuple.
		await sendValid(20);
		await waitFor(() => received.length >= 20, { what: 'the first valid packets' });

		// Then ~20k malformed datagrams as fast as the socket takes them, to
		// both transports, interleaved with valid packets.
		const packets = malformedPackets({ audioSsrc: AUDIO_SSRC, videoSsrc: VIDEO_SSRC, videoRtxSsrc: VIDEO_RTX_SSRC });
		const bPort = transportB.tuple.localPort;
		let sentMalformed = 0;
		const started = Date.now();
		for (let round = 0; round < 10; round++) {
			for (const [i, packet] of packets.entries()) {
				sender.send(packet, target, '127.0.0.1');
				receiver.send(packet, bPort, '127.0.0.1');
				sentMalformed += 2;
				if (i % 200 === 199) {
					await new Promise(resolve => setImmediate(resolve));
				}
			}
			await sendValid(2);
		}
		const floodMs = Date.now() - started;
		assert.equal(died, false);
		assert.equal(worker.died, false);
		// The worker still answers and still forwards valid media.
		const dump = await worker.dump();
		assert.deepEqual(dump.routerIds, [router.id]);
		const before = received.length;
		await sendValid(50);
		await waitFor(() => received.length >= before + 45, {
			timeoutMs: 3000,
			what: `valid packets after the flood (${received.length - before})`,
		});
		const tail = received.slice(-40);
		tail.forEach((rtp, i) => {
			if (i > 0) {
				assert.equal(rtp.seq, (tail[i - 1].seq + 1) & 0xffff);
			}
		});
		const [transportStats] = await transportA.getStats();
		const [audioStat] = await audioProducer.getStats();
		console.log(
			'[malformed]',
			JSON.stringify({
				sentMalformed,
				floodMs,
				distinct: packets.length,
				validForwarded: received.length,
				producerPackets: audioStat.packetCount,
				transportBytesReceived: transportStats.bytesReceived,
			})
		);
		assert.equal(worker.died, false);
		assert.equal(died, false);
		assert.ok(!transportA.closed && !audioProducer.closed && !videoProducer.closed);
		assert.deepEqual(await transportA.dump().then(d => d.producerIds.sort()), [audioProducer.id, videoProducer.id].sort());
	} finally {
		sender.close();
		receiver.close();
		worker.close();
	}
});
