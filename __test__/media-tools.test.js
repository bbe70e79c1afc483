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
function gstSenderArgs({ port, srtpKey = null, videoBitrate = 600_000, audio = true }) {
	const out = srtpKey ? ['srtpenc', `key=${srtpKey.toString('hex')}`, '!'] : [];
	return [
		'-q',
		'videotestsrc', 'is-live=true', 'pattern=ball', '!',
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
