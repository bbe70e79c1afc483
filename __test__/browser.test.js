'use strict';

// Real browsers against ferrosoup: headless Chromium pages running
// mediasoup-client 3.24.1. Page A publishes camera + microphone (Chromium's
// fake devices), page B consumes both; B must decode video frames and receive
// audio, and the server-side producer/consumer stats must count the packets.
// Runs over (a) WebRtcTransport UDP listenInfos, (b) a WebRtcServer,
// (c) ICE-TCP only, and (d) checks that a wrong remote DTLS fingerprint makes
// DTLS fail; (f) sends the camera as 3-layer VP8 simulcast and follows the
// consumer's layer switches on B. Signalling goes through playwright's
// page.exposeFunction bridge.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const mediasoup = require('..');
const { browserUnavailableReason, openTestSite, waitFor, withTimeout } = require('./helpers/browser');

// In CI a missing browser is a failure; elsewhere the suite is skipped.
const unavailable = browserUnavailableReason();
const skip = unavailable && !process.env.CI ? unavailable : false;

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const LOCALHOST = '127.0.0.1';

const modes = {
	udp: {
		title: '(a) WebRtcTransport with its own UDP listenInfos',
		transportOptions: () => ({ listenInfos: [{ protocol: 'udp', ip: LOCALHOST }] }),
		expectProtocol: 'udp',
	},
	server: {
		title: '(b) through a WebRtcServer (UDP + TCP)',
		transportOptions: (ctx) => ({ webRtcServer: ctx.webRtcServer }),
		expectProtocol: 'udp',
	},
	tcp: {
		title: '(c) ICE-TCP only',
		transportOptions: () => ({
			listenInfos: [{ protocol: 'tcp', ip: LOCALHOST }],
			enableUdp: false,
			enableTcp: true,
		}),
		expectProtocol: 'tcp',
	},
	'dtls-client': {
		title: '(e) ferrosoup as DTLS client (Chromium as DTLS server)',
		transportOptions: () => ({ listenInfos: [{ protocol: 'udp', ip: LOCALHOST }] }),
		expectProtocol: 'udp',
		// Given to mediasoup-client for page A's send transport, which then
		// takes the DTLS server role. (Only for sending: on a recv transport
		// mediasoup-client's SDP offer says actpass, so Chromium answers as
		// DTLS client whatever role it then reports, with mediasoup too.)
		sendDtlsRole: 'client',
		// BoringSSL as server picks by its own (Chrome's) order.
		expectSendCipher: 'SRTP_AES128_CM_HMAC_SHA1_80',
	},
};

/**
 * One room on its own router: the signalling handler the pages call, and
 * what the server saw (objects, timings, state changes).
 */
function createRoom(router, transportOptions, { tamperFingerprint = false, sendDtlsRole } = {}) {
	const room = {
		router,
		transports: new Map(),
		producers: new Map(),
		consumers: new Map(),
		log: [],
	};

	room.handle = async (method, data) => {
		try {
			return await handle(method, data);
		} catch (error) {
			room.log.push(`${method} failed: ${error.message}`);
			return { error: String(error.message) };
		}
	};

	async function handle(method, data) {
		switch (method) {
			case 'routerRtpCapabilities':
				return { routerRtpCapabilities: router.rtpCapabilities };
			case 'createTransport': {
				const transport = await router.createWebRtcTransport(transportOptions());
				const info = {
					transport,
					direction: data.direction,
					states: [],
					createdAt: Date.now(),
				};
				info.bweTraces = [];
				await transport.enableTraceEvent(['bwe']);
				transport.on('trace', (e) => {
					info.bweTraces.push(e);
					if (process.env.BWE_DEBUG) {
						transport.getStats().then(([s]) => console.log(`bwe ${data.direction} ${JSON.stringify(e.info)} probation ${s.probationBytesSent} loss ${s.rtpPacketLossSent} send ${s.sendBitrate}`));
					}
				});
				transport.on('icestatechange', (s) => {
					info.states.push(`ice:${s}`);
					if (s === 'connected' || s === 'completed') {
						info.iceConnectedAt ??= Date.now();
					}
				});
				transport.on('dtlsstatechange', (s) => {
					info.states.push(`dtls:${s}`);
					if (s === 'connected') {
						info.dtlsConnectedAt = Date.now();
					} else if (s === 'failed' || s === 'closed') {
						info.dtlsFailedAt = Date.now();
					}
				});
				transport.on('iceselectedtuplechange', (tuple) => {
					info.tuple = tuple;
				});
				room.transports.set(transport.id, info);
				return {
					id: transport.id,
					iceParameters: transport.iceParameters,
					iceCandidates: transport.iceCandidates,
					dtlsParameters:
						sendDtlsRole && data.direction === 'send'
							? { ...transport.dtlsParameters, role: sendDtlsRole }
							: transport.dtlsParameters,
				};
			}
			case 'connect': {
				const info = room.transports.get(data.transportId);
				let { dtlsParameters } = data;
				if (tamperFingerprint) {
					dtlsParameters = {
						...dtlsParameters,
						fingerprints: dtlsParameters.fingerprints.map((f) => ({
							...f,
							// Flip the first hex digit: a certificate that is not the peer's.
							value: (f.value[0] === 'A' ? 'B' : 'A') + f.value.slice(1),
						})),
					};
				}
				info.connectAt = Date.now();
				await info.transport.connect({ dtlsParameters });
				info.dtlsRole = info.transport.dtlsParameters.role;
				return {};
			}
			case 'produce': {
				const { transport } = room.transports.get(data.transportId);
				const producer = await transport.produce({ kind: data.kind, rtpParameters: data.rtpParameters });
				room.producers.set(producer.id, producer);
				return { id: producer.id };
			}
			case 'consume': {
				const { transport } = room.transports.get(data.transportId);
				if (!router.canConsume({ producerId: data.producerId, rtpCapabilities: data.rtpCapabilities })) {
					throw new Error('cannot consume');
				}
				const consumer = await transport.consume({
					producerId: data.producerId,
					rtpCapabilities: data.rtpCapabilities,
					paused: true,
				});
				room.consumers.set(consumer.id, consumer);
				return {
					id: consumer.id,
					producerId: consumer.producerId,
					kind: consumer.kind,
					rtpParameters: consumer.rtpParameters,
				};
			}
			case 'resume': {
				await room.consumers.get(data.consumerId).resume();
				return {};
			}
			default:
				throw new Error(`unknown method ${method}`);
		}
	}

	return room;
}

async function openPage(ctx, room) {
	const page = await ctx.browser.newPage();
	page.on('pageerror', (error) => room.log.push(`pageerror: ${error.message}`));
	page.on('console', (msg) => {
		if (msg.type() === 'error' || msg.type() === 'warning') {
			room.log.push(`console.${msg.type()}: ${msg.text()}`);
		}
	});
	await page.exposeFunction('fsRequest', room.handle);
	await page.goto(ctx.site.url, { timeout: 15_000 });
	return page;
}

function describeRoom(room) {
	const lines = [...room.log];
	for (const [id, info] of room.transports) {
		lines.push(`${info.direction} transport ${id.slice(0, 8)}: ${info.states.join(' ')}`);
	}
	return lines.join('\n');
}

function summary(mode, info) {
	const ms = (a, b) => (a && b ? `${b - a} ms` : 'n/a');
	return `${mode}: ${info.direction} ICE ${ms(info.createdAt, info.iceConnectedAt)} after creation, DTLS connect()->connected ${ms(info.connectAt, info.dtlsConnectedAt)}, ICE connected->DTLS connected ${ms(info.iceConnectedAt, info.dtlsConnectedAt)}`;
}

describe('real browser (Chromium + mediasoup-client)', { skip, timeout: 90_000 }, () => {
	const ctx = {};

	before(async () => {
		ctx.worker = await mediasoup.createWorker({ logLevel: 'warn' });
		ctx.webRtcServer = await ctx.worker.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ip: LOCALHOST, port: 0 },
				{ protocol: 'tcp', ip: LOCALHOST, port: 0 },
			],
		});
		ctx.test = await openTestSite(path.join(__dirname, 'fixtures', 'browser-client.js'), 'ferrosoup test');
		ctx.site = ctx.test.site;
		ctx.browser = ctx.test.browser;
	});

	after(async () => {
		await ctx.test?.close();
		ctx.worker?.close();
	});

	for (const [mode, { title, transportOptions, expectProtocol, sendDtlsRole, expectSendCipher }] of Object.entries(modes)) {
		test(title, { timeout: 30_000 }, async () => {
			const router = await ctx.worker.createRouter({ mediaCodecs });
			const room = createRoom(router, () => transportOptions(ctx), { sendDtlsRole });
			const pages = [];
			try {
				const pageA = await openPage(ctx, room);
				pages.push(pageA);
				const produced = await withTimeout(
					pageA.evaluate(() => window.client.produce()),
					15_000,
					'page A producing'
				);
				assert.deepEqual(produced.map((p) => p.kind).sort(), ['audio', 'video']);

				const pageB = await openPage(ctx, room);
				pages.push(pageB);
				const consumed = await withTimeout(
					pageB.evaluate((ids) => window.client.consume(ids), produced.map((p) => p.id)),
					15_000,
					'page B consuming'
				);
				assert.equal(consumed.length, 2);

				// B decodes video and receives audio, and both keep growing.
				let first;
				try {
					first = await waitFor(
						async () => {
							const s = await pageB.evaluate(() => window.client.stats());
							return s.inbound.video?.framesDecoded > 30 && s.inbound.audio?.packetsReceived > 50 ? s : null;
						},
						15_000,
						'page B to decode > 30 video frames and receive audio'
					);
				} catch (error) {
					const a = await pageA.evaluate(() => window.client.stats()).catch((e) => e.message);
					const b = await pageB.evaluate(() => window.client.stats()).catch((e) => e.message);
					error.message += `\nA: ${JSON.stringify(a)}\nB: ${JSON.stringify(b)}\n${describeRoom(room)}`;
					throw error;
				}
				await new Promise((r) => setTimeout(r, 1000));
				const second = await pageB.evaluate(() => window.client.stats());
				assert.ok(second.inbound.video.framesDecoded > first.inbound.video.framesDecoded, 'video frames keep being decoded');
				assert.ok(second.inbound.audio.packetsReceived > first.inbound.audio.packetsReceived, 'audio keeps arriving');
				assert.ok(
					second.inbound.audio.totalSamplesReceived > first.inbound.audio.totalSamplesReceived,
					'audio samples keep growing'
				);
				assert.ok(second.inbound.video.frameWidth > 0, 'decoded video has a size');
				assert.match(second.pair?.local ?? '', new RegExp(`^${expectProtocol} `));
				assert.match(second.pair?.remote ?? '', new RegExp(`^${expectProtocol} ${LOCALHOST.replace(/\./g, '\\.')}:`));

				// SRTP profile as mediasoup (OpenSSL) picks it: its own first
				// choice when it is the DTLS server.
				const sender = await pageA.evaluate(() => window.client.stats());
				assert.equal(second.srtpCipher, 'SRTP_AEAD_AES_256_GCM');
				assert.equal(sender.srtpCipher, expectSendCipher ?? 'SRTP_AEAD_AES_256_GCM');

				// Sender-side bandwidth estimation runs on our transport-cc
				// feedback: without it Chromium stays at (then drops below) its
				// 300 kbps start estimate.
				assert.ok(
					sender.pair?.availableOutgoingBitrate > 450_000,
					`A's available outgoing bitrate ${sender.pair?.availableOutgoingBitrate}`
				);

				// Server side: producers received and consumers sent.
				for (const producer of room.producers.values()) {
					// Chromium answers our XR receiver reference times with
					// DLRR: the producer knows its round-trip time (as in
					// mediasoup; on loopback well under 100 ms).
					const [stats] = await waitFor(
						async () => {
							const s = await producer.getStats();
							return s[0]?.roundTripTime > 0 ? s : null;
						},
						10_000,
						`${producer.kind} producer roundTripTime from Chromium's XR DLRR`
					);
					assert.equal(stats.type, 'inbound-rtp');
					assert.ok(stats.packetCount > 50, `${producer.kind} producer packetCount ${stats.packetCount}`);
					assert.ok(stats.byteCount > 0);
					assert.ok(stats.roundTripTime < 100, `${producer.kind} producer roundTripTime ${stats.roundTripTime}`);
				}
				for (const consumer of room.consumers.values()) {
					const stats = await consumer.getStats();
					const outbound = stats.find((s) => s.type === 'outbound-rtp');
					assert.ok(outbound, `${consumer.kind} consumer has outbound-rtp stats`);
					assert.ok(outbound.packetCount > 50, `${consumer.kind} consumer packetCount ${outbound.packetCount}`);
				}
				for (const info of room.transports.values()) {
					assert.ok(['connected', 'completed'].includes(info.transport.iceState), `iceState ${info.transport.iceState}`);
					assert.equal(info.transport.dtlsState, 'connected');
					const role = info.direction === 'send' && sendDtlsRole ? sendDtlsRole : 'server';
					assert.equal(info.dtlsRole, role, `${info.direction} transport DTLS role`);
					assert.equal(info.tuple?.protocol, expectProtocol);
					// Stats and dump carry the selected tuple and live bitrates.
					const [stats] = await info.transport.getStats();
					assert.deepEqual(stats.iceSelectedTuple, info.transport.iceSelectedTuple);
					assert.equal(stats.iceSelectedTuple.protocol, expectProtocol);
					assert.deepEqual((await info.transport.dump()).iceSelectedTuple, info.transport.iceSelectedTuple);
					const [bitrate, rtpBitrate] =
						info.direction === 'send'
							? [stats.recvBitrate, stats.rtpRecvBitrate]
							: [stats.sendBitrate, stats.rtpSendBitrate];
					assert.ok(bitrate > 50_000 && rtpBitrate > 50_000, `${info.direction} bitrates ${JSON.stringify(stats)}`);
					// The receiving browser's transport-cc feedback drives an
					// estimate for what the SFU sends it (mediasoup's tccClient).
					if (info.direction === 'recv') {
						console.log(`[${mode}] recv transport: available ${stats.availableOutgoingBitrate}, sent ${stats.sendBitrate}, probation ${stats.probationBytesSent} B, loss ${stats.rtpPacketLossSent}`);
						assert.ok(stats.availableOutgoingBitrate >= 30_000, JSON.stringify(stats));
						assert.ok(stats.availableOutgoingBitrate >= stats.rtpSendBitrate * 0.5, JSON.stringify(stats));
						// 'bwe' traces, mediasoup's shape, about once a second.
						assert.ok(info.bweTraces.length >= 2, `bwe traces: ${JSON.stringify(info.bweTraces)}`);
						const trace = info.bweTraces.at(-1);
						assert.equal(trace.type, 'bwe');
						assert.equal(trace.direction, 'out');
						assert.equal(trace.info.bweType, 'transport-cc');
						assert.equal(trace.info.startBitrate, 600_000);
						assert.equal(trace.info.minBitrate, 30_000);
						for (const key of ['desiredBitrate', 'effectiveDesiredBitrate', 'maxBitrate', 'maxPaddingBitrate', 'availableBitrate']) {
							assert.equal(typeof trace.info[key], 'number', key);
						}
						assert.ok(stats.rtpPacketLossSent >= 0 && stats.rtpPacketLossSent <= 0.05, `loss sent ${stats.rtpPacketLossSent}`);
						assert.equal(stats.availableIncomingBitrate, undefined);
					} else {
						assert.equal(stats.availableOutgoingBitrate, undefined);
						assert.equal(info.bweTraces.length, 0);
						// The sender takes transport-cc feedback from us: mediasoup
						// reports 0 available incoming, and the loss we saw.
						assert.equal(stats.availableIncomingBitrate, 0);
						assert.ok(stats.rtpPacketLossReceived >= 0 && stats.rtpPacketLossReceived <= 0.05, `loss received ${stats.rtpPacketLossReceived}`);
					}
				}

				const video = second.inbound.video;
				const audio = second.inbound.audio;
				for (const info of room.transports.values()) {
					console.log(`${summary(mode, info)}`);
				}
				console.log(
					`${mode}: A encoded ${sender.outbound.video?.framesEncoded} video frames (${sender.outbound.video?.bytesSent} bytes, ${sender.outbound.video?.pliCount} PLIs/${sender.outbound.video?.nackCount} NACKs received, available outgoing bitrate ${sender.pair?.availableOutgoingBitrate}), B decoded ${video.framesDecoded} video frames (${video.frameWidth}x${video.frameHeight}, ${video.packetsReceived} packets, lost ${video.packetsLost}), audio ${audio.packetsReceived} packets / ${audio.totalSamplesReceived} samples; srtp A ${sender.srtpCipher} / B ${second.srtpCipher}, dtls ${second.dtlsCipher}; pair ${second.pair.local} -> ${second.pair.remote}`
				);
			} finally {
				for (const page of pages) {
					await page.close().catch(() => {});
				}
				router.close();
			}
		});
	}

	// Page A sends its camera as 3-layer VP8 simulcast (RID-based, as
	// Chromium does it); B consumes it. 1280x720: at 640x480 Chromium sends
	// only two layers (its simulcast layer limit by resolution), whatever the
	// bandwidth estimate.
	test('(f) 3-layer VP8 simulcast: RID streams, layerschange, setPreferredLayers, a paused layer', { timeout: 30_000 }, async () => {
		const router = await ctx.worker.createRouter({ mediaCodecs });
		// Chromium sends RID-based simulcast only if the RID and repaired-RID
		// header extensions are negotiated.
		const videoExtensions = router.rtpCapabilities.headerExtensions
			.filter((e) => e.kind === 'video')
			.map((e) => e.uri);
		assert.ok(videoExtensions.includes('urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'));
		assert.ok(videoExtensions.includes('urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id'));
		const room = createRoom(router, () => modes.udp.transportOptions(ctx));
		// Spatial layers of every layerschange, hooked before B resumes.
		const layersSeen = [];
		router.observer.on('newtransport', (transport) =>
			transport.observer.on('newconsumer', (consumer) =>
				consumer.on('layerschange', (layers) => layersSeen.push(layers ? layers.spatialLayer : null))
			)
		);
		const encodings = [
			{ rid: 'r0', maxBitrate: 100_000, scaleResolutionDownBy: 4 },
			{ rid: 'r1', maxBitrate: 300_000, scaleResolutionDownBy: 2 },
			{ rid: 'r2', maxBitrate: 900_000 },
		];
		const pages = [];
		try {
			const pageA = await openPage(ctx, room);
			pages.push(pageA);
			const produced = await withTimeout(
				pageA.evaluate((encodings) => window.client.produceSimulcast({ encodings, width: 1280, height: 720 }), encodings),
				15_000,
				'page A producing simulcast'
			);
			const producer = room.producers.get(produced.id);
			assert.equal(producer.type, 'simulcast');
			assert.deepEqual(producer.rtpParameters.encodings.map((e) => e.rid), ['r0', 'r1', 'r2']);

			const pageB = await openPage(ctx, room);
			pages.push(pageB);
			const [consumed] = await withTimeout(
				pageB.evaluate((ids) => window.client.consume(ids), [produced.id]),
				15_000,
				'page B consuming'
			);
			const consumer = room.consumers.get(consumed.id);
			assert.equal(consumer.type, 'simulcast');

			const statsOf = (page) => withTimeout(page.evaluate(() => window.client.stats()), 5_000, 'page stats');
			const diagnose = async (error) => {
				const a = await statsOf(pageA).catch((e) => e.message);
				const b = await statsOf(pageB).catch((e) => e.message);
				const p = await producer.getStats().catch((e) => e.message);
				error.message += `\nA: ${JSON.stringify(a)}\nB: ${JSON.stringify(b)}\nproducer: ${JSON.stringify(p)}\nconsumer currentLayers ${JSON.stringify(consumer.currentLayers)}, layerschange ${JSON.stringify(layersSeen)}\n${describeRoom(room)}`;
				throw error;
			};

			// One producer stream per RID, all receiving.
			const producerStats = await waitFor(
				async () => {
					const stats = await producer.getStats();
					return stats.length === 3 && stats.every((s) => s.packetCount > 50) ? stats : null;
				},
				10_000,
				'3 producer streams receiving'
			).catch(diagnose);
			assert.deepEqual(producerStats.map((s) => s.rid).sort(), ['r0', 'r1', 'r2']);
			assert.equal(new Set(producerStats.map((s) => s.ssrc)).size, 3);

			// What A encodes per RID (sizes, in case Chromium adapts them).
			const sizeOf = (o) => o && `${o.frameWidth}x${o.frameHeight}`;
			const sender = await statsOf(pageA);
			const sent = sender.outboundByRid ?? {};
			for (const rid of ['r0', 'r1', 'r2']) {
				assert.ok(sent[rid]?.framesEncoded > 0, `A encodes ${rid}: ${JSON.stringify(sent)}`);
			}
			assert.ok(sent.r2.frameWidth > sent.r1.frameWidth && sent.r1.frameWidth > sent.r0.frameWidth, JSON.stringify(sent));

			// B follows a layer: it decodes frames of that layer's size.
			const follow = async (rid, spatialLayer, from, ms, what) =>
				waitFor(
					async () => {
						const [a, b] = await Promise.all([statsOf(pageA), statsOf(pageB)]);
						const video = b.inbound.video;
						const size = sizeOf(a.outboundByRid?.[rid]);
						return consumer.currentLayers?.spatialLayer === spatialLayer && sizeOf(video) === size
							? { video, size, ms: Date.now() - from }
							: null;
					},
					ms,
					what,
					100
				).catch(diagnose);
			const high = await follow('r2', 2, Date.now(), 12_000, 'B decoding layer 2 (r2)');
			assert.ok(layersSeen.includes(2), `layerschange ${JSON.stringify(layersSeen)}`);

			// From here on B's decoded frame count is sampled every 100 ms; the
			// longest time it stood still is recorded per phase.
			const monitor = { running: true, phase: '', last: null, stalls: {} };
			const sampling = (async () => {
				while (monitor.running) {
					const video = (await statsOf(pageB).catch(() => null))?.inbound.video;
					const now = Date.now();
					if (video && (!monitor.last || video.framesDecoded > monitor.last.frames)) {
						monitor.last = { at: now, frames: video.framesDecoded };
					} else if (monitor.last) {
						monitor.stalls[monitor.phase] = Math.max(monitor.stalls[monitor.phase] ?? 0, now - monitor.last.at);
					}
					await new Promise((r) => setTimeout(r, 100));
				}
			})();
			// Reaching a layer, then `keepMs` of decoding at its size.
			const reach = async (phase, rid, spatialLayer, ms, action, keepMs = 1000) => {
				monitor.phase = phase;
				const at = Date.now();
				await action();
				const reached = await follow(rid, spatialLayer, at, ms, `B decoding layer ${spatialLayer} (${rid}) after ${phase}`);
				assert.equal(layersSeen.at(-1), spatialLayer);
				await new Promise((r) => setTimeout(r, keepMs));
				const { inbound } = await statsOf(pageB);
				assert.ok(
					inbound.video.framesDecoded > reached.video.framesDecoded + (keepMs / 100),
					`frames keep being decoded at layer ${spatialLayer} after ${phase}: ${reached.video.framesDecoded} -> ${inbound.video.framesDecoded}; consumer layers ${JSON.stringify(consumer.currentLayers)}, layerschange ${JSON.stringify(layersSeen)}; sent ${JSON.stringify(await pageA.evaluate(() => window.client.stats()).then((s) => s.outboundByRid?.r2))}`
				);
				assert.equal(sizeOf(inbound.video), reached.size);
				return `${phase}: layer ${spatialLayer} (${reached.size}) after ${reached.ms} ms`;
			};

			const phases = [];
			try {
				// Down to the lowest layer on the server's word, and back up.
				for (const [spatialLayer, rid] of [[0, 'r0'], [2, 'r2']]) {
					phases.push(
						await reach(`setPreferredLayers(${spatialLayer})`, rid, spatialLayer, 5_000, () =>
							consumer.setPreferredLayers({ spatialLayer })
						)
					);
					assert.equal(consumer.preferredLayers.spatialLayer, spatialLayer);
				}
				// A stops sending r2 (as when its bandwidth drops): once the
				// stream is found inactive the consumer falls back to layer 1.
				phases.push(
					await reach('A pausing r2', 'r1', 1, 8_000, () =>
						pageA.evaluate(() => window.client.setMaxSpatialLayer(1))
					)
				);
				// r2 comes back, its PictureID / TL0PICIDX now behind r1's (it
				// skipped frames): the consumer switches up, and B keeps decoding
				// (watched longer: a decoder confused by those numbers stalls
				// only after a second or so).
				phases.push(
					await reach(
						'A resuming r2',
						'r2',
						2,
						5_000,
						() => pageA.evaluate(() => window.client.setMaxSpatialLayer(2)),
						3000
					)
				);
			} finally {
				monitor.running = false;
				await sampling;
			}
			// A paused stream freezes B until it is found inactive (about
			// 1.5 s, no bandwidth estimation tells earlier); switches must not.
			for (const phase of ['setPreferredLayers(0)', 'setPreferredLayers(2)', 'A resuming r2']) {
				assert.ok((monitor.stalls[phase] ?? 0) < 1000, `${phase}: no frame decoded for ${monitor.stalls[phase]} ms`);
			}

			const receiver = (await statsOf(pageB)).inbound.video;
			console.log(
				`simulcast: A sends ${['r0', 'r1', 'r2'].map((rid) => `${rid} ${sizeOf(sent[rid])}`).join(', ')} (available outgoing bitrate ${sender.pair?.availableOutgoingBitrate}); producer packets ${producerStats.map((s) => `${s.rid} ${s.packetCount}`).join(', ')}; B decoded layer 2 (${high.size}) after ${high.ms} ms; ${phases.join('; ')}; layerschange ${JSON.stringify(layersSeen)}; longest stalls ${JSON.stringify(monitor.stalls)} ms; B decoded ${receiver.framesDecoded} frames (${receiver.keyFramesDecoded} key frames), freezes ${receiver.freezeCount}, PLIs ${receiver.pliCount}, lost ${receiver.packetsLost}`
			);
		} finally {
			for (const page of pages) {
				await page.close().catch(() => {});
			}
			router.close();
		}
	});

	test('(d) a wrong remote DTLS fingerprint makes DTLS fail', { timeout: 30_000 }, async () => {
		const router = await ctx.worker.createRouter({ mediaCodecs });
		const room = createRoom(router, () => modes.udp.transportOptions(ctx), { tamperFingerprint: true });
		let page;
		try {
			page = await openPage(ctx, room);
			await withTimeout(page.evaluate(() => window.client.produce()), 15_000, 'producing');
			const [info] = room.transports.values();
			await waitFor(() => info.dtlsFailedAt, 15_000, `dtlsstatechange "failed" (${describeRoom(room)})`);
			assert.equal(info.transport.dtlsState, 'failed');
			assert.ok(info.states.includes('dtls:failed'));
			assert.ok(!info.states.includes('dtls:connected'));
			// Nothing from that peer reaches the producers.
			for (const producer of room.producers.values()) {
				const stats = await producer.getStats();
				assert.equal(stats.reduce((n, s) => n + s.packetCount, 0), 0);
			}
			console.log(
				`bad-fingerprint: DTLS failed ${info.dtlsFailedAt - info.connectAt} ms after connect(); states ${info.states.join(' ')}`
			);
		} finally {
			await page?.close().catch(() => {});
			router.close();
		}
	});
});
