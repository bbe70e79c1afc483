'use strict';

// The media path with real tools (issue #3):
// - GStreamer encodes VP8 + Opus and sends it over RTP, or SRTP in each of
//   mediasoup's four suites, to a comedia PlainTransport; a second
//   PlainTransport forwards it to GStreamer and ffmpeg, which decode it. A
//   Node SRTP implementation (helpers/srtp.js) checks what the SFU protects
//   on both legs and talks (S)RTCP to it (receiver report, PLI).
// - Loss repair: NACKs from a receiver behind a lossy relay (RTX and plain
//   retransmissions), NACKs from the SFU to a sender that loses packets,
//   and GStreamer rtpbin on both sides (key frames on PLI, reports, NACKs).
// - DirectTransport round trips, a PlainTransport consumer connected late,
//   and malformed RTP/RTCP over real UDP.
// Tests that need GStreamer are skipped when it is not installed (.ci/run
// installs it); ffmpeg is used when present.

const { test, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const mediasoup = require('..');
const {
	isRtcp,
	parseRtp,
	buildRtp,
	rtxEncode,
	parseRtcp,
	buildNack,
	buildPli,
	buildReceiverReport,
	SeqTracker,
	bindUdp,
	closeAllSockets,
	freeUdpPort,
	freeUdpPortPair,
	udpPortInUse,
	UdpSplitter,
	Relay,
	hasTool,
	hasGstElements,
	Processes,
	sleep,
	waitFor,
	prng,
} = require('./helpers/rtp-tools');
const { SrtpContext, srtpKeyLength, SRTP_SUITES } = require('./helpers/srtp');
const {
	AUDIO_SSRC,
	VIDEO_SSRC,
	AUDIO_PT,
	VIDEO_PT,
	SRTP_SUITE,
	GST_SRTP,
	audioRtpParameters,
	videoRtpParameters,
	gstSenderArgs,
	gstReceiverArgs,
	startGstReceiver: startGstReceiverIn,
} = require('./helpers/gst');

const GST_ELEMENTS = [
	'videotestsrc', 'vp8enc', 'rtpvp8pay', 'audiotestsrc', 'opusenc', 'rtpopuspay', 'funnel', 'udpsink',
	'udpsrc', 'rtpjitterbuffer', 'rtpvp8depay', 'vp8dec', 'rtpopusdepay', 'opusdec', 'fakesink',
	'srtpenc', 'srtpdec',
];
const haveGst = hasTool('gst-launch-1.0', '--version') && hasGstElements(...GST_ELEMENTS);
const needGst = haveGst ? {} : { skip: 'GStreamer (gstreamer1.0-tools, -plugins-good/-bad) not installed' };
// ffmpeg decodes the same streams as a second, independent receiver.
const haveFfmpeg = hasTool('ffmpeg', '-version');

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const FFMPEG_SRTP = new Set(['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']);

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

const processes = new Processes();
const workers = new Set();

// Tools a failed test left running stop before the next test starts.
afterEach(() => processes.killAll());

after(async () => {
	closeAllSockets();
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

/** Starts a GStreamer receiver among this file's processes. */
function startGstReceiver(args) {
	return startGstReceiverIn(processes, args);
}

/** A random SRTP master key + salt for `suite`. */
function newSrtpKey(suite = SRTP_SUITE) {
	return crypto.randomBytes(srtpKeyLength(suite));
}

/**
 * An SDP for ffmpeg receiving the video consumer on `videoPort` and the
 * audio consumer on `audioPort` (RTCP on port + 1, which ffmpeg binds),
 * with an `a=crypto` line when SRTP-protected with `srtpKey`.
 */
function ffmpegSdp({ videoPort, videoConsumer, audioPort, audioConsumer, srtpKey = null, suite = SRTP_SUITE }) {
	const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=ferrosoup', 'c=IN IP4 127.0.0.1', 't=0 0'];
	for (const [port, consumer] of [[videoPort, videoConsumer], [audioPort, audioConsumer]]) {
		const codec = consumer.rtpParameters.codecs[0];
		const [media, name] = codec.mimeType.split('/');
		lines.push(`m=${media} ${port} RTP/${srtpKey ? 'SAVP' : 'AVP'} ${codec.payloadType}`);
		lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${codec.channels ? `/${codec.channels}` : ''}`);
		if (srtpKey) {
			lines.push(`a=crypto:1 ${suite} inline:${srtpKey.toString('base64')}`);
		}
	}
	return `${lines.join('\r\n')}\r\n`;
}

/** Starts ffmpeg decoding `seconds` of an SDP's streams to null outputs. */
async function startFfmpegReceiver(sdp, videoPort, seconds) {
	const file = path.join(os.tmpdir(), `ferrosoup-media-tools-${process.pid}-${videoPort}.sdp`);
	fs.writeFileSync(file, sdp);
	const proc = processes.spawn(
		'ffmpeg',
		[
			'-hide_banner', '-nostdin', '-loglevel', 'info', '-protocol_whitelist', 'file,udp,rtp',
			'-analyzeduration', '500000', '-i', file,
			// `seconds` of each stream, then ffmpeg exits with its final report.
			'-map', '0:v', '-t', `${seconds}`, '-f', 'null', '-', '-map', '0:a', '-t', `${seconds}`, '-f', 'null', '-',
		],
		{ name: 'ffmpeg receiver' }
	);
	proc.exited.then(() => fs.rmSync(file, { force: true }));
	await waitFor(async () => (await udpPortInUse(videoPort)) || proc.exitCode !== undefined, {
		timeoutMs: 10_000,
		what: 'ffmpeg to bind its port',
	});
	assert.equal(proc.exitCode, undefined, `ffmpeg exited early: ${proc.stderr}`);
	return proc;
}

/** Video frames and decoded audio kB in ffmpeg's (final) report. */
function ffmpegCounts(stderr) {
	const frames = [...stderr.matchAll(/frame=\s*(\d+)/g)].map(m => Number(m[1]));
	const audioKb = /audio:(\d+)kB/.exec(stderr);
	return { frames: frames.length ? frames[frames.length - 1] : 0, audioKb: audioKb ? Number(audioKb[1]) : 0 };
}

/**
 * GStreamer sender -> tap relay -> PlainTransport A (comedia) -> router ->
 * PlainTransport B -> splitter -> GStreamer and ffmpeg receivers, plain
 * RTP or SRTP on both legs. The tap sees the RTCP the SFU sends the sender;
 * the splitter checks (and with SRTP authenticates) what B sends and talks
 * RTCP back to B (a receiver report and a PLI for the video consumer).
 */
async function runToolsThroughSfu({ enableSrtp, suite = SRTP_SUITE, frames = 90 }) {
	const worker = await createWorker();
	const useFfmpeg = haveFfmpeg && (!enableSrtp || FFMPEG_SRTP.has(suite));
	// ffmpeg decodes a fixed media duration, ending before the GStreamer receiver.
	const ffmpegSeconds = frames / 30 - 0.5;
	const cleanups = [];
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const srtpOptions = enableSrtp ? { enableSrtp, srtpCryptoSuite: suite } : {};
		const transportA = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true, ...srtpOptions });
		const transportB = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false, ...srtpOptions });
		const tuples = [];
		transportA.on('tuple', tuple => tuples.push(tuple));

		// Keys: the sender's key goes to A.connect(); B's key goes to the receivers.
		const senderKey = enableSrtp ? newSrtpKey(suite) : null;
		if (enableSrtp) {
			assert.equal(transportA.srtpParameters.cryptoSuite, suite);
			assert.equal(Buffer.from(transportA.srtpParameters.keyBase64, 'base64').length, srtpKeyLength(suite));
			await transportA.connect({
				srtpParameters: { cryptoSuite: suite, keyBase64: senderKey.toString('base64') },
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
		const consumerScores = [];
		videoConsumer.on('score', score => consumerScores.push(score));
		const videoOutSsrc = videoConsumer.rtpParameters.encodings[0].ssrc;
		const audioOutSsrc = audioConsumer.rtpParameters.encodings[0].ssrc;

		// What the SFU sends back to the sender: RTCP (SRTCP under A's key).
		const toSender = { rtcp: [], unauthentic: 0, other: 0 };
		const fromA = enableSrtp ? new SrtpContext(Buffer.from(transportA.srtpParameters.keyBase64, 'base64'), suite) : null;
		const tap = await Relay.create({
			sfuPort: transportA.tuple.localPort,
			forwardToPeer: false,
			onFromSfu: buf => {
				if (!isRtcp(buf)) {
					toSender.other++;
					return;
				}
				const plain = fromA ? fromA.unprotectRtcp(buf)?.packet : buf;
				if (!plain) {
					toSender.unauthentic++;
					return;
				}
				toSender.rtcp.push(...parseRtcp(plain));
			},
		});
		cleanups.push(() => tap.close());

		// What B sends to the receivers, checked on the way.
		const fromB = { rtpAuthentic: 0, rtpUnauthentic: 0, rtcp: [], rtcpUnauthentic: 0 };
		const [videoPort, audioPort] = [await freeUdpPort(), await freeUdpPort()];
		const ffmpegPorts = useFfmpeg ? [await freeUdpPortPair(), await freeUdpPortPair()] : [];
		const receiverKey = enableSrtp ? newSrtpKey(suite) : null;
		const decryptKey = enableSrtp ? Buffer.from(transportB.srtpParameters.keyBase64, 'base64') : null;
		const bOut = enableSrtp ? new SrtpContext(decryptKey, suite) : null;
		const toB = enableSrtp ? new SrtpContext(receiverKey, suite) : null;
		const splitter = await UdpSplitter.create({
			routes: new Map([
				[videoOutSsrc, [videoPort, ...ffmpegPorts.slice(0, 1)]],
				[audioOutSsrc, [audioPort, ...ffmpegPorts.slice(1)]],
			]),
			onRtp: (rtp, buf) => {
				if (bOut) {
					bOut.unprotectRtp(buf) ? fromB.rtpAuthentic++ : fromB.rtpUnauthentic++;
				}
			},
			onRtcp: buf => {
				const plain = bOut ? bOut.unprotectRtcp(buf)?.packet : buf;
				if (!plain) {
					fromB.rtcpUnauthentic++;
					return;
				}
				const at = Date.now();
				fromB.rtcp.push(...parseRtcp(plain).map(item => ({ ...item, at })));
			},
		});
		cleanups.push(() => splitter.close());
		// The receivers never send media, but B needs the remote key to be connected.
		await transportB.connect({
			ip: '127.0.0.1',
			port: splitter.port,
			...(enableSrtp
				? { srtpParameters: { cryptoSuite: suite, keyBase64: receiverKey.toString('base64') } }
				: {}),
		});

		const receiver = await startGstReceiver(
			gstReceiverArgs({ videoPort, videoConsumer, audioPort, audioConsumer, srtpKey: decryptKey, suite })
		);
		const ffmpeg = useFfmpeg
			? await startFfmpegReceiver(
				ffmpegSdp({
					videoPort: ffmpegPorts[0],
					videoConsumer,
					audioPort: ffmpegPorts[1],
					audioConsumer,
					srtpKey: decryptKey,
					suite,
				}),
				ffmpegPorts[0],
				ffmpegSeconds
			)
			: null;
		const sender = processes.spawn(
			'gst-launch-1.0',
			gstSenderArgs({ port: tap.port, srtpKey: senderKey, suite }),
			{ name: 'gst sender' }
		);
		const failWith = error => {
			throw new Error(`${error.message}; sender: ${sender.stderr}; receiver: ${receiver.proc.stderr}`);
		};

		// Once video flows, the receiver side reports and asks for a key frame.
		await waitFor(() => receiver.counts.video >= 30 || sender.exitCode !== undefined, {
			timeoutMs: 10_000,
			what: `30 decoded video frames (got ${receiver.counts.video})`,
		}).catch(failWith);
		// The receiver report answers B's latest sender report (LSR), held
		// >= 80 ms but with a DLSR 40 ms short of that: B must measure a
		// 40 ms round trip (plus loopback and scheduling).
		await waitFor(() => fromB.rtcp.some(p => p.pt === 200 && p.ssrc === videoOutSsrc), {
			timeoutMs: 3000,
			what: 'a sender report from B',
		});
		const sr = fromB.rtcp.filter(p => p.pt === 200 && p.ssrc === videoOutSsrc).at(-1);
		await sleep(Math.max(0, 80 - (Date.now() - sr.at)));
		const highestSeq = splitter.rtpBySsrc.get(videoOutSsrc)?.highestSeq ?? 0;
		const lsr = (((sr.ntpSec & 0xffff) << 16) | (sr.ntpFrac >>> 16)) >>> 0;
		const dlsr = Math.round(((Date.now() - sr.at - 40) * 65536) / 1000);
		const feedback = Buffer.concat([
			buildReceiverReport(0x5eceed, { ssrc: videoOutSsrc, highestSeq, lsr, dlsr }),
			buildPli(0x5eceed, videoOutSsrc),
		]);
		splitter.sendToSfu(toB ? toB.protectRtcp(feedback) : feedback);

		// frames / 30 s of media: that many decoded frames and ffmpeg's end, or time out.
		const done = () => receiver.counts.video >= frames && (!ffmpeg || ffmpeg.exitCode !== undefined);
		await waitFor(() => done() || sender.exitCode !== undefined, {
			timeoutMs: 10_000,
			what: `${frames} decoded video frames (got ${receiver.counts.video})`,
		}).catch(failWith);
		assert.equal(sender.exitCode, undefined, `sender exited: ${sender.stderr}`);
		const [producerStats, audioProducerStats, consumerStats, audioConsumerStats, transportAStats, transportBStats] =
			await Promise.all([
				videoProducer.getStats(),
				audioProducer.getStats(),
				videoConsumer.getStats(),
				audioConsumer.getStats(),
				transportA.getStats(),
				transportB.getStats(),
			]);
		const videoPacketsOut = splitter.rtpBySsrc.get(videoOutSsrc)?.packets ?? 0;
		const audioPacketsOut = splitter.rtpBySsrc.get(audioOutSsrc)?.packets ?? 0;
		await processes.stop(sender);
		await sleep(200);
		await processes.stop(receiver.proc);
		const ffmpegResult = ffmpeg ? (await processes.stop(ffmpeg), ffmpegCounts(ffmpeg.stderr)) : null;

		return {
			result: {
				suite: enableSrtp ? suite : 'none',
				videoFrames: receiver.counts.video,
				audioBuffers: receiver.counts.audio,
				width: receiver.counts.width,
				height: receiver.counts.height,
				videoPacketsOut,
				audioPacketsOut,
				ffmpeg: ffmpegResult,
				ffmpegLog:
					ffmpegResult && (ffmpegResult.frames === 0 || ffmpegResult.audioKb === 0)
						? `exit ${ffmpeg.exitCode}: ${ffmpeg.stderr.slice(-1500)}`
						: undefined,
				toSender: {
					rtcpPackets: toSender.rtcp.length,
					plis: toSender.rtcp.filter(p => p.pt === 206 && p.fmt === 1).length,
					unauthentic: toSender.unauthentic,
				},
				fromB: { ...fromB, rtcp: fromB.rtcp.length },
				consumerRtt: consumerStats.find(st => st.type === 'outbound-rtp')?.roundTripTime,
			},
			enableSrtp,
			frames,
			ffmpegSeconds,
			tuples,
			tap,
			transportA,
			producerScores,
			consumerScores,
			producerStats,
			audioProducerStats,
			consumerStats,
			audioConsumerStats,
			transportAStats,
			transportBStats,
			videoConsumer,
			audioConsumer,
			toSender,
			fromB,
		};
	} finally {
		for (const cleanup of cleanups) {
			cleanup();
		}
		worker.close();
	}
}

function assertMediaFlowed(run, label) {
	const { result } = run;
	console.log(`[${label}]`, JSON.stringify(result));
	const { frames, ffmpegSeconds } = run;
	// frames / 30 s of 30 fps video decoded by vp8dec, at the sender's resolution.
	assert.ok(result.videoFrames >= frames, `decoded video frames: ${result.videoFrames}`);
	assert.equal(result.width, 320);
	assert.equal(result.height, 240);
	// Opus decodes 20 ms per buffer (50 a second): most of the audio.
	assert.ok(result.audioBuffers >= frames * 1.1, `decoded audio buffers: ${result.audioBuffers}`);
	if (result.ffmpeg) {
		// ffmpeg decoded the same streams for ffmpegSeconds (it may skip what
		// comes before its first key frame, 1 s at most): the video after
		// that, and half of the 48 kHz stereo s16 audio (192 kB/s) at least.
		assert.ok(
			result.ffmpeg.frames >= (ffmpegSeconds - 1) * 30,
			`ffmpeg frames: ${JSON.stringify(result.ffmpeg)} ${result.ffmpegLog}`
		);
		assert.ok(result.ffmpeg.audioKb >= ffmpegSeconds * 96, `ffmpeg audio: ${JSON.stringify(result.ffmpeg)} ${result.ffmpegLog}`);
	}

	// The comedia transport learnt the sender's tuple and said so.
	assert.equal(run.tuples.length, 1);
	assert.equal(run.tuples[0].remoteIp, '127.0.0.1');
	assert.equal(run.tuples[0].remotePort, run.tap.port);
	assert.equal(run.transportA.tuple.remotePort, run.tap.port);

	// Stats of both sides counted the packets.
	const [producerStat] = run.producerStats;
	assert.equal(producerStat.type, 'inbound-rtp');
	assert.equal(producerStat.ssrc, VIDEO_SSRC);
	assert.ok(producerStat.packetCount >= frames * 0.8, `producer packetCount ${producerStat.packetCount}`);
	assert.ok(producerStat.byteCount > 10_000, `producer byteCount ${producerStat.byteCount}`);
	assert.equal(producerStat.packetsLost, 0);
	const [audioProducerStat] = run.audioProducerStats;
	assert.ok(audioProducerStat.packetCount >= frames * 1.1, `audio producer packetCount ${audioProducerStat.packetCount}`);
	const outbound = run.consumerStats.find(s => s.type === 'outbound-rtp');
	assert.ok(outbound, JSON.stringify(run.consumerStats));
	assert.equal(outbound.ssrc, run.videoConsumer.rtpParameters.encodings[0].ssrc);
	assert.ok(outbound.packetCount >= frames * 0.8, `consumer packetCount ${outbound.packetCount}`);
	assert.ok(outbound.byteCount > 10_000, `consumer byteCount ${outbound.byteCount}`);
	const audioOutbound = run.audioConsumerStats.find(s => s.type === 'outbound-rtp');
	assert.ok(audioOutbound.packetCount >= frames * 1.1, `audio consumer packetCount ${audioOutbound.packetCount}`);
	// What the consumers counted is what left the socket (a packet or two may
	// have been in flight).
	assert.ok(Math.abs(outbound.packetCount - result.videoPacketsOut) <= 2, `${outbound.packetCount} vs ${result.videoPacketsOut}`);
	assert.ok(Math.abs(audioOutbound.packetCount - result.audioPacketsOut) <= 2);
	assert.ok(run.transportAStats[0].rtpBytesReceived > 10_000);
	assert.ok(run.transportBStats[0].rtpBytesSent > 10_000);
	// Live bitrates while media flows: everything >= RTP, RTP ~ VP8 + Opus.
	const [a, b] = [run.transportAStats[0], run.transportBStats[0]];
	assert.ok(a.rtpRecvBitrate > 30_000 && a.recvBitrate >= a.rtpRecvBitrate * 0.5, JSON.stringify(a));
	assert.ok(b.rtpSendBitrate > 30_000 && b.sendBitrate >= b.rtpSendBitrate * 0.5, JSON.stringify(b));
	assert.ok(a.bytesReceived >= a.rtpBytesReceived + a.rtxBytesReceived, JSON.stringify(a));

	// The producers reported their scores, and so did the video consumer.
	for (const [kind, ssrc] of [['video', VIDEO_SSRC], ['audio', AUDIO_SSRC]]) {
		const scores = run.producerScores.filter(([k]) => k === kind).map(([, s]) => s);
		assert.ok(scores.length > 0, `${kind} producer score events: ${JSON.stringify(run.producerScores)}`);
		assert.deepEqual(scores.at(-1), [{ encodingIdx: 0, ssrc, score: 10 }]);
	}
	assert.ok(run.consumerScores.length > 0, 'video consumer score events');
	assert.deepEqual(run.consumerScores.at(-1), { score: 10, producerScore: 10, producerScores: [10] });

	// B sent sender reports for both consumers (authentic SRTCP with SRTP),
	// and every RTP packet it sent authenticated under its key.
	const srSsrcs = new Set(run.fromB.rtcp.filter(p => p.pt === 200).map(p => p.ssrc));
	assert.ok(srSsrcs.has(outbound.ssrc), `SRs from B: ${[...srSsrcs]}`);
	assert.ok(srSsrcs.has(audioOutbound.ssrc), `SRs from B: ${[...srSsrcs]}`);
	assert.equal(run.fromB.rtcpUnauthentic, 0);
	if (run.enableSrtp) {
		assert.equal(run.fromB.rtpUnauthentic, 0);
		assert.ok(run.fromB.rtpAuthentic >= result.videoPacketsOut + result.audioPacketsOut - 2);
	}
	// Its receiver report gave the consumer a round trip time: 40 ms, plus
	// loopback and scheduling.
	assert.ok(result.consumerRtt >= 37 && result.consumerRtt <= 90, `consumer rtt ${result.consumerRtt} ms`);
	// The receiver's (SRTCP) PLI reached the video consumer...
	assert.equal(outbound.pliCount, 1, JSON.stringify(outbound));
	// ...and the sender got RTCP from A: receiver reports for both streams
	// and PLIs for the video SSRC (the consumer's first key frame request
	// and the receiver's), authentic SRTCP with SRTP.
	assert.equal(run.toSender.unauthentic, 0);
	assert.equal(run.toSender.other, 0);
	const rrSsrcs = new Set(run.toSender.rtcp.filter(p => p.pt === 201).flatMap(p => p.reportSsrcs));
	assert.ok(rrSsrcs.has(VIDEO_SSRC) && rrSsrcs.has(AUDIO_SSRC), `RR blocks to the sender: ${[...rrSsrcs]}`);
	const plis = run.toSender.rtcp.filter(p => p.pt === 206 && p.fmt === 1);
	assert.ok(plis.length >= 1, JSON.stringify(run.toSender.rtcp));
	assert.ok(plis.every(p => p.mediaSsrc === VIDEO_SSRC));
}

test('VP8 + Opus from GStreamer through the SFU over plain RTP', needGst, async () => {
	const run = await runToolsThroughSfu({ enableSrtp: false });
	assertMediaFlowed(run, 'rtp');
});

test('VP8 + Opus from GStreamer through the SFU over SRTP', needGst, async () => {
	const run = await runToolsThroughSfu({ enableSrtp: true });
	assertMediaFlowed(run, 'srtp');
});

for (const suite of ['AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM']) {
	test(`VP8 + Opus from GStreamer through the SFU over SRTP with ${suite}`, needGst, async () => {
		const run = await runToolsThroughSfu({ enableSrtp: true, suite, frames: 60 });
		assertMediaFlowed(run, `srtp ${suite}`);
	});
}

/**
 * A consumer of `producer` on its own PlainTransport, sending through a
 * lossy relay to a Node receiver that tracks sequence numbers, NACKs gaps
 * (again every 40 ms, up to 10 times) and counts what came back. The relay
 * drops ~8% of the original packets, deterministically (every 20th, plus
 * bursts of 3 every 100th) and never a retransmission of them.
 */
async function lossyReceiver(router, producer, rtpCapabilities) {
	const transport = await router.createPlainTransport({ listenInfo, rtcpMux: true });
	const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities });
	const mediaSsrc = consumer.rtpParameters.encodings[0].ssrc;
	const rtxSsrc = consumer.rtpParameters.encodings[0].rtx?.ssrc;
	const rtxPt = consumer.rtpParameters.codecs.find(c => c.mimeType === 'video/rtx')?.payloadType;
	assert.ok(consumer.rtpParameters.codecs[0].rtcpFeedback.some(fb => fb.type === 'nack' && !fb.parameter));

	const socket = await bindUdp(0);
	const state = {
		consumer,
		rtxSsrc,
		dropping: true,
		tracker: new SeqTracker(),
		outstanding: new Map(), // extended seq -> { at, nacks }
		nacksSent: 0,
		recovered: 0,
		retransmissions: 0,
		badRtx: 0,
	};
	const droppedSeqs = new Set();
	const relay = await Relay.create({
		sfuPort: transport.tuple.localPort,
		peerPort: socket.address().port,
		drop: rtp => {
			const lose = rtp.seq % 20 === 7 || [40, 41, 42].includes(rtp.seq % 100);
			if (!state.dropping || rtp.ssrc !== mediaSsrc || !lose || droppedSeqs.has(rtp.seq)) {
				return false;
			}
			droppedSeqs.add(rtp.seq);
			return true;
		},
	});
	state.relay = relay;
	await transport.connect({ ip: '127.0.0.1', port: relay.port });

	const RECEIVER_SSRC = 0xfeedbeef;
	const sendNack = seqs => {
		socket.send(buildNack(RECEIVER_SSRC, mediaSsrc, seqs), relay.port, '127.0.0.1');
		state.nacksSent++;
	};
	const onSeq = (seq, isRetransmission) => {
		const ext = state.tracker.extend(seq);
		if (isRetransmission) {
			state.retransmissions++;
			if (state.outstanding.delete(ext)) {
				state.recovered++;
			}
		}
		const gaps = state.tracker.add(seq);
		for (const gap of gaps) {
			state.outstanding.set(gap, { at: Date.now(), nacks: 1 });
		}
		if (gaps.length > 0) {
			sendNack(gaps);
		}
	};
	socket.on('message', buf => {
		const rtp = !isRtcp(buf) && parseRtp(buf);
		if (!rtp) {
			return;
		}
		if (rtp.ssrc === mediaSsrc) {
			// Without RTX a retransmission comes with its own seq.
			onSeq(rtp.seq, state.outstanding.has(state.tracker.extend(rtp.seq)));
		} else if (rtxSsrc !== undefined && rtp.ssrc === rtxSsrc) {
			if (rtp.payloadType !== rtxPt || rtp.payload.length < 2) {
				state.badRtx++;
				return;
			}
			// RFC 4588: the original sequence number leads the payload.
			onSeq(rtp.payload.readUInt16BE(0), true);
		}
	});
	state.renack = setInterval(() => {
		const now = Date.now();
		const again = [];
		for (const [seq, entry] of state.outstanding) {
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
	state.close = () => {
		clearInterval(state.renack);
		relay.close();
		socket.close();
	};
	return state;
}

test('lost packets are repaired: NACKs through a lossy relay get retransmissions (RTX and plain)', needGst, async () => {
	const worker = await createWorker();
	const receivers = [];
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const transportA = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
		const producer = await transportA.produce({ kind: 'video', rtpParameters: videoRtpParameters });
		// One consumer with RTX (the router's capabilities), one without.
		const noRtxCaps = {
			...router.rtpCapabilities,
			codecs: router.rtpCapabilities.codecs.filter(c => c.mimeType !== 'video/rtx'),
		};
		receivers.push(await lossyReceiver(router, producer, router.rtpCapabilities));
		receivers.push(await lossyReceiver(router, producer, noRtxCaps));
		assert.ok(receivers[0].rtxSsrc !== undefined, 'the first consumer has an RTX stream');
		assert.equal(receivers[1].rtxSsrc, undefined, 'the second consumer has none');

		const sender = processes.spawn(
			'gst-launch-1.0',
			gstSenderArgs({ port: transportA.tuple.localPort, audio: false, pattern: 'snow', videoBitrate: 1_500_000 }),
			{ name: 'gst sender' }
		);
		try {
			// Lossy until >= 300 packets reach each receiver, then clean for
			// 700 ms so the last repairs complete.
			await waitFor(() => receivers.every(r => r.tracker.received >= 300) || sender.exitCode !== undefined, {
				timeoutMs: 10_000,
				what: `300 packets at each receiver (got ${receivers.map(r => r.tracker.received)})`,
			});
			assert.equal(sender.exitCode, undefined, sender.stderr);
			for (const r of receivers) {
				r.dropping = false;
			}
			await sleep(700);
		} finally {
			await processes.stop(sender);
		}
		const [inbound] = await producer.getStats();
		for (const [name, r] of [['rtx', receivers[0]], ['no rtx', receivers[1]]]) {
			const outbound = (await r.consumer.getStats()).find(s => s.type === 'outbound-rtp');
			const dropped = r.relay.dropped.length;
			const missing = r.tracker.missing();
			const numbers = {
				received: r.tracker.received,
				dropped,
				nacksSent: r.nacksSent,
				retransmissions: r.retransmissions,
				recovered: r.recovered,
				stillMissing: missing.length,
				consumer: {
					nackCount: outbound.nackCount,
					nackPacketCount: outbound.nackPacketCount,
					packetsRetransmitted: outbound.packetsRetransmitted,
					packetsRepaired: outbound.packetsRepaired,
				},
			};
			console.log(`[nack ${name}]`, JSON.stringify(numbers));
			assert.ok(dropped >= 15, `${name}: dropped ${dropped}`);
			assert.ok(r.nacksSent > 0);
			assert.equal(r.badRtx, 0);
			// Every dropped packet came back (as RTX when negotiated) and
			// nothing is missing at the receiver.
			assert.ok(r.retransmissions >= dropped, `${name}: ${r.retransmissions} retransmissions < ${dropped} dropped`);
			assert.equal(r.recovered, dropped, name);
			assert.deepEqual(missing, [], name);
			// And the consumer counted it.
			assert.ok(outbound.nackCount > 0, JSON.stringify(outbound));
			assert.ok(outbound.nackPacketCount >= dropped, JSON.stringify(outbound));
			assert.ok(outbound.packetsRetransmitted >= dropped, JSON.stringify(outbound));
			assert.ok(outbound.packetsRepaired >= dropped, JSON.stringify(outbound));
		}
		// Nothing was lost between the sender and the SFU.
		assert.equal(inbound.packetsLost, 0);
	} finally {
		for (const r of receivers) {
			r.close();
		}
		worker.close();
	}
});

test('lost packets from the sender: the producer NACKs, an RTX answer repairs them', needGst, async () => {
	const worker = await createWorker();
	const receiver = await bindUdp(0);
	let tap;
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const transportA = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
		const transportB = await router.createPlainTransport({ listenInfo, rtcpMux: true });
		const VIDEO_RTX_SSRC = VIDEO_SSRC + 1;
		const RTX_PT = VIDEO_PT + 1;
		const producer = await transportA.produce({
			kind: 'video',
			rtpParameters: {
				...videoRtpParameters,
				codecs: [
					...videoRtpParameters.codecs,
					{ mimeType: 'video/rtx', payloadType: RTX_PT, clockRate: 90000, parameters: { apt: VIDEO_PT } },
				],
				encodings: [{ ssrc: VIDEO_SSRC, rtx: { ssrc: VIDEO_RTX_SSRC } }],
			},
		});
		const consumer = await transportB.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const outSsrc = consumer.rtpParameters.encodings[0].ssrc;
		await transportB.connect({ ip: '127.0.0.1', port: receiver.address().port });
		const downstream = new SeqTracker();
		receiver.on('message', buf => {
			const rtp = !isRtcp(buf) && parseRtp(buf);
			if (rtp && rtp.ssrc === outSsrc) {
				downstream.add(rtp.seq);
			}
		});

		// Between GStreamer and A: drop ~6% of the video packets (every 16th,
		// deterministic), keep them, and answer the SFU's NACKs with RTX
		// packets as a browser would.
		let dropping = true;
		const kept = new Map(); // seq -> original packet
		const nacked = new Set();
		let rtxSeq = 0;
		let rtxSent = 0;
		// A loss before the SFU has seen the stream cannot be detected (the
		// sender's first sequence number is random): let the start through.
		let videoSeen = 0;
		tap = await Relay.create({
			sfuPort: transportA.tuple.localPort,
			forwardToPeer: false,
			dropToSfu: (rtp, buf) => {
				if (rtp.ssrc === VIDEO_SSRC && !kept.has(rtp.seq)) {
					videoSeen++;
				}
				if (
					!dropping ||
					videoSeen <= 10 ||
					rtp.ssrc !== VIDEO_SSRC ||
					rtp.seq % 16 !== 5 ||
					kept.has(rtp.seq)
				) {
					return false;
				}
				kept.set(rtp.seq, buf);
				return true;
			},
			onFromSfu: buf => {
				for (const item of isRtcp(buf) ? parseRtcp(buf) : []) {
					if (item.pt !== 205 || item.fmt !== 1 || item.mediaSsrc !== VIDEO_SSRC) {
						continue;
					}
					for (const seq of item.seqs) {
						nacked.add(seq);
						const original = kept.get(seq);
						if (original) {
							tap.sendToSfu(rtxEncode(original, { payloadType: RTX_PT, ssrc: VIDEO_RTX_SSRC, seq: rtxSeq++ }));
							rtxSent++;
						}
					}
				}
			},
		});
		const sender = processes.spawn(
			'gst-launch-1.0',
			gstSenderArgs({ port: tap.port, audio: false, pattern: 'snow', videoBitrate: 1_500_000 }),
			{ name: 'gst sender' }
		);
		try {
			await waitFor(() => downstream.received >= 300 || sender.exitCode !== undefined, {
				timeoutMs: 10_000,
				what: `300 packets downstream (got ${downstream.received})`,
			});
			assert.equal(sender.exitCode, undefined, sender.stderr);
			dropping = false;
			await sleep(700);
		} finally {
			await processes.stop(sender);
		}
		const [inbound] = await producer.getStats();
		const dropped = [...kept.keys()];
		const missing = downstream.missing();
		console.log(
			'[producer nack]',
			JSON.stringify({
				dropped: dropped.length,
				nackedSeqs: nacked.size,
				rtxSent,
				stillMissingDownstream: missing.length,
				producer: {
					nackCount: inbound.nackCount,
					nackPacketCount: inbound.nackPacketCount,
					packetsRetransmitted: inbound.packetsRetransmitted,
					packetsRepaired: inbound.packetsRepaired,
					packetsLost: inbound.packetsLost,
				},
			})
		);
		assert.ok(dropped.length >= 15, `dropped ${dropped.length}`);
		// The SFU asked for every dropped packet, and only for those.
		assert.deepEqual([...nacked].sort((a, b) => a - b), dropped.sort((a, b) => a - b));
		assert.ok(inbound.nackCount > 0);
		assert.ok(inbound.nackPacketCount >= dropped.length, JSON.stringify(inbound));
		// The RTX answers repaired the stream...
		assert.ok(inbound.packetsRetransmitted >= dropped.length, JSON.stringify(inbound));
		assert.equal(inbound.packetsRepaired, dropped.length, JSON.stringify(inbound));
		// ...and went on to the consumer: the receiver misses nothing.
		assert.deepEqual(missing, []);
	} finally {
		tap?.close();
		receiver.close();
		worker.close();
	}
});

test('GStreamer rtpbin on both sides: key frames on PLI, sender and receiver reports, NACKs', needGst, async () => {
	const worker = await createWorker();
	const relays = [];
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const transportA = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
		const transportB = await router.createPlainTransport({ listenInfo, rtcpMux: true });
		const producer = await transportA.produce({ kind: 'video', rtpParameters: videoRtpParameters });

		// The sender: rtpbin with the AVPF profile, so it answers PLIs by
		// asking vp8enc for a key frame. The encoder makes no other key frame
		// than its first one (keyframe-max-dist is huge). RTP and RTCP go to
		// the tap (one tuple for comedia); the SFU's RTCP comes back to
		// rtpbin's RTCP source.
		const senderRtcpPort = await freeUdpPort();
		const toSender = [];
		const fromSender = [];
		const tap = await Relay.create({
			sfuPort: transportA.tuple.localPort,
			peerPort: senderRtcpPort,
			onFromSfu: buf => isRtcp(buf) && toSender.push({ at: Date.now(), items: parseRtcp(buf) }),
			onFromPeer: buf => isRtcp(buf) && fromSender.push(...parseRtcp(buf)),
		});
		relays.push(tap);
		const sender = processes.spawn(
			'gst-launch-1.0',
			[
				'-q', 'rtpbin', 'name=rb', 'rtp-profile=avpf',
				'videotestsrc', 'is-live=true', 'pattern=ball', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!',
				'vp8enc', 'deadline=1', 'cpu-used=8', 'keyframe-max-dist=100000', 'target-bitrate=600000', '!',
				'rtpvp8pay', `pt=${VIDEO_PT}`, `ssrc=${VIDEO_SSRC}`, 'mtu=1200', 'picture-id-mode=15-bit', '!',
				'rb.send_rtp_sink_0',
				'rb.send_rtp_src_0', '!', 'udpsink', 'host=127.0.0.1', `port=${tap.port}`, 'sync=false', 'async=false',
				'rb.send_rtcp_src_0', '!', 'udpsink', 'host=127.0.0.1', `port=${tap.port}`, 'sync=false', 'async=false',
				'udpsrc', `port=${senderRtcpPort}`, 'address=127.0.0.1', 'caps=application/x-rtcp', '!', 'rb.recv_rtcp_sink_0',
			],
			{ name: 'gst rtpbin sender' }
		);
		// Let the first (and only spontaneous) key frame pass.
		await waitFor(async () => (await producer.getStats())[0]?.packetCount >= 30 || sender.exitCode !== undefined, {
			timeoutMs: 10_000,
			what: 'the sender to start',
		});
		assert.equal(sender.exitCode, undefined, sender.stderr);

		// The receiver: rtpbin with do-retransmission (its jitter buffer NACKs
		// what is missing), without RTX (plain retransmissions), behind a
		// relay that drops every 25th packet once.
		const consumer = await transportB.consume({
			producerId: producer.id,
			rtpCapabilities: {
				...router.rtpCapabilities,
				codecs: router.rtpCapabilities.codecs.filter(c => c.mimeType !== 'video/rtx'),
			},
		});
		const outSsrc = consumer.rtpParameters.encodings[0].ssrc;
		const [receiverRtpPort, receiverRtcpPort] = [await freeUdpPort(), await freeUdpPort()];
		const droppedSeqs = new Set();
		const fromReceiver = [];
		const relay = await Relay.create({
			sfuPort: transportB.tuple.localPort,
			peerPort: receiverRtpPort,
			peerRtcpPort: receiverRtcpPort,
			drop: rtp => {
				if (rtp.seq % 25 !== 3 || droppedSeqs.has(rtp.seq)) {
					return false;
				}
				droppedSeqs.add(rtp.seq);
				return true;
			},
			onFromPeer: buf => isRtcp(buf) && fromReceiver.push(...parseRtcp(buf)),
		});
		relays.push(relay);
		let firstFrameAt = 0;
		let frames = 0;
		const codec = consumer.rtpParameters.codecs[0];
		const receiver = processes.spawn(
			'gst-launch-1.0',
			[
				'-v', 'rtpbin', 'name=rb', 'rtp-profile=avpf', 'latency=200', 'do-retransmission=true',
				'udpsrc', `port=${receiverRtpPort}`, 'address=127.0.0.1',
				`caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=${codec.payloadType}`, '!',
				'rb.recv_rtp_sink_0',
				'udpsrc', `port=${receiverRtcpPort}`, 'address=127.0.0.1', 'caps=application/x-rtcp', '!', 'rb.recv_rtcp_sink_0',
				'rb.send_rtcp_src_0', '!', 'udpsink', 'host=127.0.0.1', `port=${relay.port}`, 'sync=false', 'async=false',
				'rb.', '!', 'rtpvp8depay', '!', 'vp8dec', '!', 'fakesink', 'name=vsink', 'silent=false', 'sync=false',
			],
			{
				name: 'gst rtpbin receiver',
				onLine: line => {
					if (line.includes('vsink: last-message = chain')) {
						frames++;
						firstFrameAt ||= Date.now();
					}
				},
			}
		);
		// The receiver listens before B connects: what B sends from then on
		// (its first packet is the key frame it asked for) must not be lost.
		await waitFor(
			async () => ((await udpPortInUse(receiverRtpPort)) && (await udpPortInUse(receiverRtcpPort))) || receiver.exitCode !== undefined,
			{ timeoutMs: 10_000, what: 'the receiver to bind its ports' }
		);
		assert.equal(receiver.exitCode, undefined, receiver.stderr);
		// Like mediasoup, the PLI may leave while connect() is being handled.
		const connectStartedAt = Date.now();
		await transportB.connect({ ip: '127.0.0.1', port: relay.port });
		const consumedAt = Date.now();
		try {
			await waitFor(() => (frames >= 60 && droppedSeqs.size >= 3) || receiver.exitCode !== undefined, {
				timeoutMs: 10_000,
				what: `60 frames at the receiver (got ${frames})`,
			}).catch(async error => {
				const diag = {
					toSender: toSender.map(r => [r.at - consumedAt, r.items.map(p => `${p.pt}/${p.fmt}`).join(',')]),
					relay: { fromSfu: relay.fromSfu, fromPeer: relay.fromPeer },
					consumer: await consumer.getStats(),
					receiver: receiver.stderr.slice(-1000),
				};
				throw new Error(`${error.message}: ${JSON.stringify(diag)}`);
			});
			assert.equal(receiver.exitCode, undefined, receiver.stderr);
			// Clean for a moment: the last repairs and reports go through.
			relay.drop = null;
			await sleep(1200);
		} finally {
			await processes.stop(receiver);
			await processes.stop(sender);
		}
		const stats = await consumer.getStats();
		const outbound = stats.find(s => s.type === 'outbound-rtp');
		const [inbound] = await producer.getStats();
		const plisToSender = toSender.filter(r => r.items.some(p => p.pt === 206 && p.fmt === 1 && p.mediaSsrc === VIDEO_SSRC));
		const nacksFromReceiver = fromReceiver.filter(p => p.pt === 205 && p.fmt === 1);
		console.log(
			'[rtpbin]',
			JSON.stringify({
				frames,
				firstFrameAfterConnectMs: firstFrameAt - consumedAt,
				plisToSender: plisToSender.length,
				srsFromSender: fromSender.filter(p => p.pt === 200).length,
				rrBlocksFromReceiver: fromReceiver
					.filter(p => p.pt === 201)
					.flatMap(p => p.reports)
					.filter(b => b.ssrc === outSsrc)
					.map(b => ({ lsr: b.lsr, dlsr: b.dlsr, totalLost: b.totalLost })),
				droppedToReceiver: droppedSeqs.size,
				nacksFromReceiver: nacksFromReceiver.length,
				consumer: {
					nackCount: outbound.nackCount,
					nackPacketCount: outbound.nackPacketCount,
					packetsRetransmitted: outbound.packetsRetransmitted,
					roundTripTime: outbound.roundTripTime,
					score: outbound.score,
				},
				producer: { pliCount: inbound.pliCount, packetsLost: inbound.packetsLost },
			})
		);
		// The consumer asked for a key frame, the sender's rtpbin made vp8enc
		// produce one, and the receiver decoded from it on, within a second.
		assert.ok(plisToSender.some(r => r.at >= connectStartedAt), 'a PLI went to the sender on connect()');
		assert.ok(inbound.pliCount >= 1);
		assert.ok(firstFrameAt > 0 && firstFrameAt - consumedAt < 2000, `first frame ${firstFrameAt - consumedAt} ms after connect()`);
		assert.ok(frames >= 60, `frames ${frames}`);
		// The sender's reports reached the SFU; the receiver's came with a
		// block for the consumer, giving it a round trip time.
		assert.ok(fromSender.some(p => p.pt === 200 && p.ssrc === VIDEO_SSRC), 'SR from the sender');
		const blocks = fromReceiver.filter(p => p.pt === 201).flatMap(p => p.reports).filter(b => b.ssrc === outSsrc);
		assert.ok(blocks.length > 0, 'RR block for the consumer');
		assert.ok(blocks.at(-1).highestSeq > 0);
		// rtpbin reports every ~5 s, so its last block may predate the SFU's
		// first SR (LSR 0: no round trip to measure, and the RTT is 0).
		const last = blocks.at(-1);
		if (last.lsr !== 0 && last.dlsr !== 0) {
			assert.ok(
				outbound.roundTripTime > 0 && outbound.roundTripTime < 100,
				`rtt ${outbound.roundTripTime} from ${JSON.stringify(blocks)}`
			);
		} else {
			assert.equal(outbound.roundTripTime, 0);
		}
		// GStreamer's NACKs were understood and answered.
		assert.ok(nacksFromReceiver.length > 0 && nacksFromReceiver.every(p => p.mediaSsrc === outSsrc));
		assert.ok(outbound.nackCount > 0, JSON.stringify(outbound));
		assert.ok(outbound.packetsRetransmitted > 0, JSON.stringify(outbound));
		assert.equal(outbound.score, 10);
	} finally {
		for (const relay of relays) {
			relay.close();
		}
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

test('a consumer on a PlainTransport connected late starts on a key frame it asks for', async () => {
	const worker = await createWorker();
	const socket = await bindUdp(0);
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const directA = await router.createDirectTransport();
		const plainC = await router.createPlainTransport({ listenInfo, rtcpMux: true });
		const producer = await directA.produce({ kind: 'video', rtpParameters: videoRtpParameters });
		const consumer = await plainC.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const plis = [];
		directA.on('rtcp', buf => plis.push(...parseRtcp(Buffer.from(buf)).filter(p => p.pt === 206 && p.fmt === 1)));
		const got = [];
		socket.on('message', buf => !isRtcp(buf) && got.push(parseRtp(buf)));
		let seq = 1;
		const send = async (count, keyFrameFirst) => {
			for (let i = 0; i < count; i++) {
				const payload = vp8Payload(keyFrameFirst && i === 0, Buffer.alloc(100, seq & 0xff));
				producer.send(buildRtp({ payloadType: VIDEO_PT, seq, timestamp: seq * 3000, ssrc: VIDEO_SSRC, marker: true, payload }));
				seq++;
			}
			await sleep(50);
		};
		// Media flows (from a key frame on) while the consumer's transport
		// has no remote yet: nothing can be sent, nothing is counted.
		await send(20, true);
		let outbound = (await consumer.getStats()).find(s => s.type === 'outbound-rtp');
		assert.equal(outbound?.packetCount ?? 0, 0, 'no packets counted as sent before connect()');
		const plisBeforeConnect = plis.length;

		// connect(): like mediasoup, the consumer becomes active, asks the
		// producer for a key frame and waits for it, so the peer can decode
		// from its first packet. (mediasoup asks right in connect();
		// ferrosoup when the next packet shows it the connected transport.)
		await plainC.connect({ ip: '127.0.0.1', port: socket.address().port });
		await send(10, false);
		await waitFor(() => plis.length > plisBeforeConnect, { timeoutMs: 2000, what: 'a PLI after connect()' }).catch(
			error => assert.fail(`${error.message}: the consumer did not ask for a key frame when its transport connected`)
		);
		assert.ok(plis.every(p => p.mediaSsrc === VIDEO_SSRC));
		assert.deepEqual(got, [], 'inter frames before the next key frame are not forwarded');
		await send(10, true);
		await waitFor(() => got.length >= 10, { timeoutMs: 2000, what: '10 packets after the key frame' });
		assert.equal(got.length, 10);
		assert.equal(got[0].payload[1] & 0x01, 0, 'the first packet is the key frame');
		outbound = (await consumer.getStats()).find(s => s.type === 'outbound-rtp');
		assert.equal(outbound.packetCount, 10);
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

test('malformed, forged and replayed SRTP over real UDP, in every suite: only authentic packets pass, once', async () => {
	const worker = await createWorker();
	const receiver = await bindUdp(0);
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const transportB = await router.createPlainTransport({ listenInfo, rtcpMux: true });
		await transportB.connect({ ip: '127.0.0.1', port: receiver.address().port });
		const receivedBySsrc = new Map();
		receiver.on('message', buf => {
			const rtp = !isRtcp(buf) && parseRtp(buf);
			if (rtp) {
				receivedBySsrc.set(rtp.ssrc, [...(receivedBySsrc.get(rtp.ssrc) ?? []), rtp]);
			}
		});
		const garbage = malformedPackets({ audioSsrc: 1, videoSsrc: 2, videoRtxSsrc: 3 });
		const results = {};
		for (const [i, suite] of SRTP_SUITES.entries()) {
			const transport = await router.createPlainTransport({
				listenInfo,
				rtcpMux: true,
				comedia: true,
				enableSrtp: true,
				srtpCryptoSuite: suite,
			});
			const key = newSrtpKey(suite);
			await transport.connect({ srtpParameters: { cryptoSuite: suite, keyBase64: key.toString('base64') } });
			const ssrc = 0x5000 + i;
			const producer = await transport.produce({
				kind: 'audio',
				rtpParameters: { ...audioRtpParameters, encodings: [{ ssrc }] },
			});
			const consumer = await transportB.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
			const outSsrc = consumer.rtpParameters.encodings[0].ssrc;
			const ctx = new SrtpContext(key, suite);
			const forger = new SrtpContext(newSrtpKey(suite), suite);
			const sender = await bindUdp(0);
			const port = transport.tuple.localPort;
			const send = buf => sender.send(buf, port, '127.0.0.1');
			let seq = 65_500; // crosses the rollover
			const sentSeqs = [];
			const valid = () => {
				const packet = buildRtp({ payloadType: AUDIO_PT, seq: seq & 0xffff, timestamp: seq * 960, ssrc, payload: Buffer.alloc(40, seq & 0xff) });
				sentSeqs.push(seq & 0xffff);
				seq++;
				return ctx.protectRtp(packet);
			};
			// Forged packets carry the next authentic sequence number: they must
			// not take its place in the replay window.
			const next = payload => buildRtp({ payloadType: AUDIO_PT, seq: seq & 0xffff, timestamp: 0, ssrc, payload });
			let authentic = 0;
			// The first authentic packet teaches comedia the tuple.
			send(valid());
			authentic++;
			await waitFor(() => (receivedBySsrc.get(outSsrc)?.length ?? 0) >= 1, { what: `${suite}: the first packet` });
			for (let round = 0; round < 40; round++) {
				// A pause before each authentic packet: the flood that follows it
				// must not overflow the socket's receive buffer in front of it.
				await sleep(2);
				const packet = valid();
				authentic++;
				send(packet);
				// Replays of it, truncations of it, a flipped bit in each part.
				send(packet);
				for (let n = 0; n < packet.length; n += 3) {
					send(packet.subarray(0, n));
				}
				for (const at of [1, 12, 20, packet.length - 1]) {
					const flipped = Buffer.from(packet);
					flipped[at] ^= 0x01;
					send(flipped);
				}
				// Same packet protected under another key, and unprotected.
				send(forger.protectRtp(next(Buffer.alloc(40, 0xee))));
				send(next(Buffer.alloc(40, 0xee)));
				// Forged and broken SRTCP.
				send(forger.protectRtcp(buildPli(1, ssrc)));
				send(buildReceiverReport(1, { ssrc, highestSeq: 1 }));
				send(ctx.protectRtcp(buildReceiverReport(1, { ssrc, highestSeq: 1 })).subarray(0, 20));
				// Everything malformed, as it comes.
				for (let g = round; g < garbage.length; g += 40) {
					send(garbage[g]);
				}
			}
			await waitFor(() => (receivedBySsrc.get(outSsrc)?.length ?? 0) >= authentic, {
				timeoutMs: 3000,
				what: `${suite}: ${authentic} authentic packets (got ${receivedBySsrc.get(outSsrc)?.length ?? 0})`,
			}).catch(async error => {
				const [inbound] = await producer.getStats();
				const [tstats] = await transport.getStats();
				throw new Error(
					`${error.message}; producer got ${inbound.packetCount} (seqs sent ${sentSeqs.join(',')}; payload bytes received ${(receivedBySsrc.get(outSsrc) ?? []).map(r => r.payload[0]).join(',')}); ` +
						`transport ${JSON.stringify(tstats)}`
				);
			});
			await sleep(100);
			const received = receivedBySsrc.get(outSsrc);
			const [inbound] = await producer.getStats();
			results[suite] = { authentic, forwarded: received.length, producerPackets: inbound.packetCount };
			// Each authentic packet exactly once (replays dropped), in order,
			// with its payload, and nothing else.
			assert.equal(received.length, authentic, suite);
			assert.equal(inbound.packetCount, authentic, suite);
			received.forEach((rtp, k) => {
				if (k > 0) {
					assert.equal(rtp.seq, (received[k - 1].seq + 1) & 0xffff, `${suite} #${k}`);
				}
				assert.ok(rtp.payload.equals(Buffer.alloc(40, rtp.payload[0])), `${suite} payload #${k}`);
			});
			sender.close();
		}
		console.log('[srtp malformed]', JSON.stringify(results));
		assert.equal(worker.died, false);
		assert.ok(await worker.dump());
	} finally {
		receiver.close();
		worker.close();
	}
});
