'use strict';

// SVC and temporal-layer selection in a real browser (issue #11, item 6).
// Page A (headless Chromium, mediasoup-client) sends its 1280x720 fake
// camera; page B (another page of the same Chromium) consumes it. What the
// server-side consumer's setPreferredLayers() selects must show in what B
// decodes (inbound-rtp frameWidth, framesDecoded per second):
//
//  1. VP9 L3T3 (one encoding: SVC): an `svc` consumer; spatial layer 0
//     gives B the smallest layer (a quarter of the width), 1 half of it,
//     2 the full width; temporal layer 0 cuts B's frame rate to about a
//     quarter, 1 to about a half, 2 restores it. consumer.currentLayers,
//     the layerschange events and the worker's dump agree.
//  2. The same with VP9 L3T3_KEY (K-SVC: spatial switches on key frames,
//     asked for with a PLI that the producer's `pli` trace reports).
//  3. VP8 L1T3 (one stream with temporal layers: an `svc` consumer):
//     temporal layers 0, 1, 2 as above; PictureIDs of dropped frames are
//     renumbered away, so B asks for no key frame.
//  4. H264 simulcast (3 encodings): a `simulcast` consumer; spatial 0 ->
//     the smallest stream's width, spatial 2 -> full width.
//  5. H264 temporal layers (OpenH264 L1T3 in each stream), which come
//     only from the dependency descriptor header extension (as in mediasoup
//     3.27): temporal layer 0 of the full-size stream cuts B's frame rate
//     to about a quarter. This one found the allocator overcharging a
//     consumer whose higher stream's base layer is cheaper than the lower
//     stream whole (it then held 2:1 where 2:2 fit the estimate).
//
// Scenarios skip (with the reason) when Chromium cannot encode that codec
// or mode. Switches asked for with setPreferredLayers must show in B within
// FAST_SWITCH_MS (waited for up to SWITCH_MS, to report how long they took);
// the measured numbers are printed.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { browserUnavailableReason, openTestSite, waitFor, withTimeout } = require('./helpers/browser');
const { createRoom, openRoomPage } = require('./helpers/room');

// In CI a missing browser is a failure; elsewhere the suite is skipped.
const unavailable = browserUnavailableReason();
let skip = unavailable && !process.env.CI ? unavailable : false;

// SVC_MODULE=mediasoup runs the same scenarios against real mediasoup
// 3.27.1 (its JS in __test__/compat, the baseline worker at
// $MEDIASOUP_WORKER_BIN or ../shared/baseline/mediasoup-worker), to compare.
// Seen so far: when Chromium's uplink estimate climbs, its VP9 numbers are
// ferrosoup's; in about half the runs that estimate stays near 770 kbit/s
// (so A never sends the 1280x720 layer or stream and those scenarios time
// out); with VP8 L1T3 B asks for key frames (6 PLIs); H264 temporal layers
// are filtered (it reads the dependency descriptor).
const MODULE = process.env.SVC_MODULE ?? 'ferrosoup';
let mediasoup;
if (MODULE === 'mediasoup') {
	const bin = process.env.MEDIASOUP_WORKER_BIN || path.join(__dirname, '..', '..', 'shared', 'baseline', 'mediasoup-worker');
	const root = path.join(__dirname, 'compat', 'node_modules', 'mediasoup');
	if (!fs.existsSync(bin) || !fs.existsSync(path.join(root, 'package.json'))) {
		skip ||= `SVC_MODULE=mediasoup needs ${bin} and ${root}`;
	} else {
		process.env.MEDIASOUP_WORKER_BIN = bin;
		mediasoup = require(root);
	}
} else {
	mediasoup = require('..');
}

const LOCALHOST = '127.0.0.1';
// At 640x480 (the fake camera's default) libwebrtc makes only 2 spatial
// layers of L3T3 (its smallest VP9 layer is at least 240x135).
const WIDTH = 1280;
const HEIGHT = 720;
// Longest wait for a layer to show in B, and how fast a switch asked for
// with setPreferredLayers must be (a key frame, when one is needed, is
// asked for at once and again after 1 s; Chromium ignores requests within
// 300 ms of the last one).
const SWITCH_MS = 12_000;
const FAST_SWITCH_MS = 3_000;
// Frame rate sampling window.
const FPS_WINDOW_MS = 2_000;

const VP8 = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
const VP9 = { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } };
const H264 = {
	kind: 'video',
	mimeType: 'video/H264',
	clockRate: 90000,
	parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
};
const H264_CONTENT_TYPE = 'video/H264;profile-level-id=42e01f;packetization-mode=1';
const SIMULCAST = [
	{ maxBitrate: 150_000, scaleResolutionDownBy: 4 },
	{ maxBitrate: 500_000, scaleResolutionDownBy: 2 },
	{ maxBitrate: 1_500_000 },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const layersText = (l) => (l ? `${l.spatialLayer}:${l.temporalLayer}` : String(l));

describe(`SVC and layer selection in a real browser (Chromium + mediasoup-client, ${MODULE})`, { skip, timeout: 150_000 }, () => {
	const ctx = {};

	before(async () => {
		ctx.worker = await mediasoup.createWorker({ logLevel: 'warn' });
		ctx.test = await openTestSite(path.join(__dirname, 'fixtures', 'svc-client.js'), 'ferrosoup svc test');
	});

	after(async () => {
		await ctx.test?.close();
		ctx.worker?.close();
	});

	/** What this Chromium says it can encode (see svc-client.js). */
	async function support(query) {
		const page = await ctx.test.browser.newPage();
		try {
			await page.goto(ctx.test.site.url, { timeout: 15_000 });
			return await page.evaluate((q) => window.client.videoSupport(q), query);
		} finally {
			await page.close().catch(() => {});
		}
	}

	/**
	 * A router with `mediaCodecs`, page A producing its camera with
	 * `encodings`, page B consuming it; the returned call has helpers to
	 * watch B. `close()` ends it.
	 */
	async function startCall(mediaCodecs, encodings) {
		const router = await ctx.worker.createRouter({ mediaCodecs });
		const t0 = Date.now();
		// Every layerschange and producer trace, timed from the start.
		const layersSeen = [];
		const traces = [];
		const room = createRoom(router, () => ({ listenInfos: [{ protocol: 'udp', ip: LOCALHOST }] }), {
			onConsumer: (consumer) =>
				consumer.on('layerschange', (layers) => layersSeen.push({ at: Date.now() - t0, layers: layers ?? null })),
		});
		const pages = [];
		const call = {
			router,
			room,
			layersSeen,
			traces,
			async close() {
				for (const page of pages) {
					await page.close().catch(() => {});
				}
				router.close();
			},
		};
		try {
			const { context } = ctx.test.browser;
			const { url } = ctx.test.site;
			call.pageA = await openRoomPage(context, url, room);
			pages.push(call.pageA);
			const produced = await withTimeout(
				call.pageA.evaluate(
					({ encodings, width, height }) => window.client.produceSimulcast({ encodings, width, height }),
					{ encodings, width: WIDTH, height: HEIGHT }
				),
				15_000,
				'page A producing'
			);
			call.producer = room.producers.get(produced.id);
			await call.producer.enableTraceEvent(['pli', 'fir', 'keyframe']);
			call.producer.on('trace', (e) => traces.push({ at: Date.now() - t0, ...e }));
			call.pageB = await openRoomPage(context, url, room);
			pages.push(call.pageB);
			const [consumed] = await withTimeout(
				call.pageB.evaluate((ids) => window.client.consume(ids), [produced.id]),
				15_000,
				'page B consuming'
			);
			call.consumer = room.consumers.get(consumed.id);
		} catch (error) {
			error.message += `\n${room.describe()}`;
			await call.close();
			throw error;
		}

		call.stats = (page) => withTimeout(page.evaluate(() => window.client.videoStats()), 5_000, 'page stats');
		call.timeline = () =>
			`layerschange ${layersSeen.map((l) => `${l.at}:${layersText(l.layers)}`).join(' ')}; producer traces ${traces
				.filter((e) => e.type !== 'keyframe')
				.map((e) => `${e.at}:${e.type}`)
				.join(' ')}`;
		/** Adds both pages' stats and the consumer's state to a failure. */
		call.diagnose = async (error) => {
			const a = await call.stats(call.pageA).catch((e) => e.message);
			const b = await call.stats(call.pageB).catch((e) => e.message);
			const dump = await call.consumer.dump().catch((e) => e.message);
			error.message += `\nA: ${JSON.stringify(a)}\nB: ${JSON.stringify(b)}\ncurrentLayers ${JSON.stringify(call.consumer.currentLayers)}, preferred ${JSON.stringify(call.consumer.preferredLayers)}, dump layers ${JSON.stringify(dumpLayers(dump))}\n${call.timeline()}\n${room.describe()}`;
			throw error;
		};
		/**
		 * Waits until B decodes `width` x `height` frames and the consumer's
		 * current spatial layer is `spatialLayer`; returns how long that took
		 * from `from` and B's inbound stats then.
		 */
		call.waitSize = async (spatialLayer, width, height, from, what) => {
			const reached = await waitFor(
				async () => {
					const { inbound } = await call.stats(call.pageB);
					return call.consumer.currentLayers?.spatialLayer === spatialLayer &&
						inbound?.frameWidth === width &&
						inbound?.frameHeight === height
						? inbound
						: null;
				},
				SWITCH_MS,
				what,
				100
			).catch(call.diagnose);
			return { ms: Date.now() - from, inbound: reached };
		};
		/**
		 * B's decoded frames per second over FPS_WINDOW_MS while the
		 * consumer sends `layers` all along (the bandwidth estimate, still
		 * climbing early in a call, may hold the temporal layer below the
		 * preferred one for a while: then the window is measured again).
		 * Returns the frame rate and how long the layers took to settle.
		 */
		call.fpsAt = async (layers, from = Date.now()) => {
			const deadline = Date.now() + SWITCH_MS;
			for (;;) {
				await waitFor(
					() => layersText(call.consumer.currentLayers) === layersText(layers),
					Math.max(deadline - Date.now(), 0),
					`current layers ${layersText(layers)}`,
					50
				).catch(call.diagnose);
				const settled = Date.now() - from;
				const changes = layersSeen.length;
				const first = await call.stats(call.pageB);
				await sleep(FPS_WINDOW_MS);
				const second = await call.stats(call.pageB);
				if (layersSeen.length === changes) {
					const fps = ((second.inbound.framesDecoded - first.inbound.framesDecoded) * 1000) / (second.at - first.at);
					return { fps, settled };
				}
			}
		};
		/**
		 * consumer.currentLayers (the last layerschange) is what the worker
		 * says it sends (dump), and B keeps decoding.
		 */
		call.assertLayersAgree = async () => {
			let dump;
			await waitFor(
				async () => {
					dump = dumpLayers(await call.consumer.dump());
					return (
						dump.current.spatialLayer === call.consumer.currentLayers?.spatialLayer &&
						dump.current.temporalLayer === call.consumer.currentLayers?.temporalLayer
					);
				},
				2_000,
				'the consumer dump to agree with currentLayers',
				50
			).catch(call.diagnose);
			assert.deepEqual(layersSeen.at(-1).layers, call.consumer.currentLayers);
			return dump;
		};
		return call;
	}

	/** Preferred/target/current layers of a consumer dump. */
	function dumpLayers(dump) {
		const pick = (kind) => ({
			spatialLayer: dump?.[`${kind}SpatialLayer`],
			temporalLayer: dump?.[`${kind}TemporalLayer`],
		});
		return { preferred: pick('preferred'), target: pick('target'), current: pick('current') };
	}

	/**
	 * Asks for `layers` and waits until B decodes the size of spatial layer
	 * `layers.spatialLayer` of `sizes`; checks it stays there and that the
	 * switch was fast. Returns a line for the report.
	 */
	async function switchSpatial(call, layers, sizes) {
		const { width, height } = sizes[layers.spatialLayer];
		const at = Date.now();
		await call.consumer.setPreferredLayers(layers);
		const { ms, inbound } = await call.waitSize(
			layers.spatialLayer,
			width,
			height,
			at,
			`B decoding ${width}x${height} (spatial layer ${layers.spatialLayer})`
		);
		// It stays there, and B keeps decoding.
		await sleep(500);
		const { inbound: later } = await call.stats(call.pageB);
		assert.equal(later.frameWidth, width);
		assert.ok(later.framesDecoded > inbound.framesDecoded, `B keeps decoding at spatial layer ${layers.spatialLayer}`);
		assert.equal(call.consumer.currentLayers.spatialLayer, layers.spatialLayer);
		const dump = await call.assertLayersAgree();
		assert.deepEqual(dump.preferred, call.consumer.preferredLayers);
		assert.ok(ms < FAST_SWITCH_MS, `spatial layer ${layers.spatialLayer} took ${ms} ms to reach B; ${call.timeline()}`);
		return `S${layers.spatialLayer} ${width}x${height} after ${ms} ms`;
	}

	/**
	 * Temporal layers 0, 1 and 2 of spatial layer `spatialLayer` in turn,
	 * with B's frame rate at each: of the 4-frame pattern of three temporal
	 * layers (T0 T2 T1 T2) T0 is 1 frame, T0+T1 2. Returns a report line
	 * and `check()`, which asserts the rates and switch times.
	 */
	async function temporalLayers(call, spatialLayer) {
		const fps = { full: (await call.fpsAt({ spatialLayer, temporalLayer: 2 })).fps };
		const ms = {};
		for (const temporalLayer of [0, 1, 2]) {
			const at = Date.now();
			await call.consumer.setPreferredLayers({ spatialLayer, temporalLayer });
			const measured = await call.fpsAt({ spatialLayer, temporalLayer }, at);
			ms[temporalLayer] = measured.settled;
			fps[temporalLayer] = measured.fps;
			await call.assertLayersAgree();
		}
		const ratio = (t) => fps[t] / fps.full;
		const report = `B fps T2 ${fps.full.toFixed(1)} -> T0 ${fps[0].toFixed(1)} (ratio ${ratio(0).toFixed(2)}, after ${ms[0]} ms) -> T1 ${fps[1].toFixed(1)} (ratio ${ratio(1).toFixed(2)}, after ${ms[1]} ms) -> T2 ${fps[2].toFixed(1)} (after ${ms[2]} ms)`;
		return {
			report,
			check() {
				assert.ok(fps.full >= 10, `B decodes ${fps.full.toFixed(1)} fps at temporal layer 2`);
				assert.ok(ratio(0) > 0.15 && ratio(0) < 0.35, `temporal layer 0: ${report}`);
				assert.ok(ratio(1) > 0.4 && ratio(1) < 0.6, `temporal layer 1: ${report}`);
				assert.ok(ratio(2) > 0.8, `temporal layer 2 again: ${report}`);
				for (const t of [0, 1, 2]) {
					assert.ok(ms[t] < FAST_SWITCH_MS, `temporal layer ${t} took ${ms[t]} ms: ${report}`);
				}
			},
		};
	}

	async function svcScenario(t, scalabilityMode) {
		const caps = await support({ mimeType: 'video/VP9', contentType: 'video/VP9', modes: [scalabilityMode] });
		if (!caps.sendable || caps.modes[scalabilityMode] !== true) {
			t.skip(`Chromium cannot send VP9 ${scalabilityMode}: ${JSON.stringify(caps)}`);
			return;
		}
		const call = await startCall([VP9], [{ scalabilityMode }]);
		try {
			const { producer, consumer, pageA, pageB } = call;
			assert.equal(producer.type, 'svc');
			assert.equal(producer.rtpParameters.encodings.length, 1);
			assert.equal(producer.rtpParameters.encodings[0].scalabilityMode, scalabilityMode);
			assert.equal(consumer.type, 'svc');
			assert.deepEqual(consumer.preferredLayers, { spatialLayer: 2, temporalLayer: 2 });

			// Full resolution first: all three spatial layers reach B.
			const start = Date.now();
			const full = await call.waitSize(2, WIDTH, HEIGHT, start, 'B decoding the full size (spatial layer 2)');
			const [sender] = (await call.stats(pageA)).outbound;
			assert.equal(sender.scalabilityMode, scalabilityMode, JSON.stringify(sender));
			assert.equal(sender.frameWidth, WIDTH, `A encodes ${JSON.stringify(sender)}`);
			await call.assertLayersAgree();

			// Spatial layers: B decodes each layer's size (L3: 1/4, 1/2, 1).
			const sizes = [4, 2, 1].map((d) => ({ width: WIDTH / d, height: HEIGHT / d }));
			const switches = [];
			for (const spatialLayer of [0, 1, 2]) {
				switches.push(await switchSpatial(call, { spatialLayer, temporalLayer: 2 }, sizes));
			}
			// The SFU asked A for key frames: a producer `pli` trace, going out
			// to A, for the SSRC A sends.
			const [producerStats] = await producer.getStats();
			const pli = call.traces.find((e) => e.type === 'pli');
			assert.ok(pli, `a producer pli trace: ${call.timeline()}`);
			assert.equal(pli.direction, 'out');
			assert.equal(pli.info.ssrc, producerStats.ssrc);

			const temporal = await temporalLayers(call, 2);
			const { inbound } = await call.stats(pageB);
			assert.equal(inbound.frameWidth, WIDTH, 'the temporal switches kept the spatial layer');
			console.log(
				`${scalabilityMode}: A ${sender.encoderImplementation} ${sender.scalabilityMode} ${sender.frameWidth}x${sender.frameHeight} @ ${sender.framesPerSecond} fps (quality limitation ${sender.qualityLimitationReason}); B full size after ${full.ms} ms; ${switches.join(', ')}; ${temporal.report}; ${call.timeline()}; B key frames ${inbound.keyFramesDecoded}, PLIs ${inbound.pliCount}, freezes ${inbound.freezeCount}, lost ${inbound.packetsLost}`
			);
			temporal.check();
		} finally {
			await call.close();
		}
	}

	test('VP9 L3T3 (SVC): spatial and temporal layers follow setPreferredLayers', { timeout: 50_000 }, (t) =>
		svcScenario(t, 'L3T3')
	);

	test('VP9 L3T3_KEY (K-SVC): spatial and temporal layers follow setPreferredLayers', { timeout: 50_000 }, (t) =>
		svcScenario(t, 'L3T3_KEY')
	);

	test('VP8 L1T3 (one stream, temporal layers only): temporal layers follow setPreferredLayers', { timeout: 40_000 }, async () => {
		const call = await startCall([VP8], [{ scalabilityMode: 'L1T3' }]);
		try {
			const { producer, consumer, pageA, pageB } = call;
			assert.equal(producer.type, 'svc');
			assert.equal(consumer.type, 'svc');
			assert.deepEqual(consumer.preferredLayers, { spatialLayer: 0, temporalLayer: 2 });
			// (A single VP8 stream starts small on Chromium's low start
			// bitrate and grows slowly: any size will do here.)
			const start = Date.now();
			await waitFor(
				async () => (await call.stats(pageB)).inbound?.framesDecoded > 0,
				SWITCH_MS,
				'B decoding'
			).catch(call.diagnose);
			const first = Date.now() - start;
			const [sender] = (await call.stats(pageA)).outbound;
			assert.equal(sender.scalabilityMode, 'L1T3', JSON.stringify(sender));
			const temporal = await temporalLayers(call, 0);
			// The dropped frames' PictureIDs are renumbered away: B decodes
			// every frame it gets, with no freeze and no key frame asked for.
			const { inbound } = await call.stats(pageB);
			console.log(
				`VP8 L1T3: A ${sender.encoderImplementation} ${sender.frameWidth}x${sender.frameHeight} @ ${sender.framesPerSecond} fps; B decoding after ${first} ms; ${temporal.report}; ${call.timeline()}; B key frames ${inbound.keyFramesDecoded}, PLIs ${inbound.pliCount}, dropped ${inbound.framesDropped}, freezes ${inbound.freezeCount}, lost ${inbound.packetsLost}`
			);
			temporal.check();
			assert.equal(inbound.pliCount, 0, 'B asked for no key frame');
		} finally {
			await call.close();
		}
	});

	/** Whether Chromium encodes H264 here, or why not (skip message). */
	async function h264Unsupported() {
		const caps = await support({ mimeType: 'video/H264', contentType: H264_CONTENT_TYPE, modes: ['L1T3'] });
		return caps.sendable && caps.modes.L1T3 === true ? null : `Chromium cannot send H264 L1T3: ${JSON.stringify(caps)}`;
	}

	test('H264 simulcast: spatial layers follow setPreferredLayers', { timeout: 40_000 }, async (t) => {
		const unsupported = await h264Unsupported();
		if (unsupported) {
			t.skip(unsupported);
			return;
		}
		const call = await startCall([H264], SIMULCAST);
		try {
			const { producer, consumer, pageA, pageB } = call;
			assert.equal(producer.type, 'simulcast');
			assert.equal(consumer.type, 'simulcast');
			const start = Date.now();
			const full = await call.waitSize(2, WIDTH, HEIGHT, start, 'B decoding the full size (stream 2)');
			const sent = (await call.stats(pageA)).outbound;
			assert.equal(sent.length, 3, JSON.stringify(sent));
			// Each stream's size as A encodes it.
			const sizes = sent.map((s) => ({ width: s.frameWidth, height: s.frameHeight }));
			assert.ok(sizes[0].width < sizes[1].width && sizes[1].width < sizes[2].width, JSON.stringify(sent));
			const switches = [];
			for (const spatialLayer of [0, 2]) {
				switches.push(await switchSpatial(call, { spatialLayer }, sizes));
			}
			const { inbound } = await call.stats(pageB);
			console.log(
				`H264 simulcast: A sends ${sent.map((s) => `${s.rid} ${s.frameWidth}x${s.frameHeight} (${s.encoderImplementation} ${s.scalabilityMode})`).join(', ')}; B full size after ${full.ms} ms; ${switches.join(', ')}; ${call.timeline()}; B key frames ${inbound.keyFramesDecoded}, freezes ${inbound.freezeCount}`
			);
		} finally {
			await call.close();
		}
	});

	test(
		'H264 simulcast: temporal layer 0 cuts the frame rate',
		{ timeout: 40_000 },
		async (t) => {
			const unsupported = await h264Unsupported();
			if (unsupported) {
				t.skip(unsupported);
				return;
			}
			const call = await startCall([H264], SIMULCAST);
			try {
				await call.waitSize(2, WIDTH, HEIGHT, Date.now(), 'B decoding the full size (stream 2)');
				const full = (await call.fpsAt(call.consumer.currentLayers)).fps;
				await call.consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 0 });
				const t0 = (await call.fpsAt({ spatialLayer: 2, temporalLayer: 0 })).fps;
				console.log(`H264 temporal: B fps T2 ${full.toFixed(1)} -> T0 ${t0.toFixed(1)}; ${call.timeline()}`);
				assert.ok(t0 / full < 0.35, `temporal layer 0: ${t0.toFixed(1)} fps of ${full.toFixed(1)}`);
			} finally {
				await call.close();
			}
		}
	);
});
