'use strict';

// Bandwidth adaptation over a real rate-limited link (issue #11 item 6).
// Page A (Chromium, root namespace) publishes its camera (a noisy 1280x720
// test video written by ffmpeg) as 3-layer VP8 simulcast (L1T3 per layer),
// then as VP9 L3T3 SVC, through mediasoup-client; page B (Chromium in
// a network namespace, joined to the root one by a veth pair) consumes it.
// The SFU's recv-side WebRtcTransport listens on the root-side veth address,
// and a `tc tbf` qdisc on that end limits what the SFU sends to B. Signalling
// stays in Node (playwright's exposeFunction); only media crosses the link.
//
//  1. limit 300 kbit/s from the start: within 10 s the consumer settles on
//     layers that fit (layer 0, or layer 1 at a temporal layer A sends under
//     300 kbit/s) and B decodes that layer's size; for 5 s after that the
//     spatial layer stays, nothing over the limit is sent, and B never
//     stands still for 1 s or more;
//  2. limit lifted (20 mbit/s): back to spatial layer 2 within 15 s;
//  3. setPreferredLayers({ spatialLayer: 2, temporalLayer: 0 }): B's frame
//     rate drops to about a quarter, and comes back with temporalLayer 2;
//  4. limit back to 300 kbit/s while at layer 2: settles as in 1.
//
// Both with VP8 simulcast and with VP9 L3T3 SVC (A's layer bitrates then
// come from the one stream's spatial.temporal keys, which include the lower
// spatial layers). Runs against ferrosoup (about 80 s); with BWE_COMPARE=1
// also against real mediasoup
// 3.27.1 (__test__/compat/node_modules/mediasoup and the baseline worker,
// $MEDIASOUP_WORKER_BIN or ../shared/baseline/mediasoup-worker). Prints one
// line per module and writes the numbers and timelines (consumer layers,
// availableOutgoingBitrate, 'bwe' traces, B's stats) to
// /tmp/ferrosoup-bwe-netns.json. Skipped without root (ip netns, tc),
// Chromium or ffmpeg.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ferrosoup = require('..');
const { browserUnavailableReason, bundle, waitFor, withTimeout } = require('./helpers/browser');
const { createLink, haveFfmpeg, launchChromiumIn, routePage, writeNoiseVideo } = require('./helpers/netns-link');
const { createRoom: createSignallingRoom } = require('./helpers/room');

const LIMIT = '300kbit';
const LIMIT_BPS = 300_000;
const LIFTED = '20mbit';
// The bottleneck's queue (tc tbf latency): deep enough for queuing delay to
// build up (what delay-based estimation reacts to) before it drops. Its
// bursts leave at no more than PEAK (see setRate in helpers/netns-link.js).
const QUEUE = '300ms';
const PEAK = '330kbit';
const SETTLE_MS = 10_000;
const MAX_FREEZE_MS = 1_000;
const CLIMB_MS = 15_000;
// How long B is watched after settling on layer 0.
const OBSERVE_MS = 5_000;
// A failed wait goes on this much longer, to report when it did happen.
const GRACE_MS = 5_000;
const REPORT_FILE = process.env.BWE_REPORT ?? '/tmp/ferrosoup-bwe-netns.json';


// With noisy video every layer sends about its maxBitrate (Chromium caps a
// 640x360 layer near 650 kbit/s), and libwebrtc gives temporal layer 0 of
// L1T3 35-40 % of it: under 300 kbit/s all of layer 0 fits (100k, T0 40k);
// layer 1's base layer measures 220-360 kbit/s as the picture changes, so it
// fits at times (then it is a right answer too), and layer 2 needs about
// 600 kbit/s (its T0).
// (With Chromium's flat built-in fake camera layer 1's T0 is ~110 kbit/s and
// fits under 300 kbit/s: mediasoup then rightly stays on layer 1.)
const encodings = [
	{ rid: 'r0', maxBitrate: 100_000, scaleResolutionDownBy: 4, scalabilityMode: 'L1T3' },
	{ rid: 'r1', maxBitrate: 800_000, scaleResolutionDownBy: 2, scalabilityMode: 'L1T3' },
	{ rid: 'r2', maxBitrate: 1_500_000, scalabilityMode: 'L1T3' },
];

// What A publishes: VP8 simulcast (the default) and VP9 L3T3 SVC (one
// stream, spatial layers 320x180 / 640x360 / 1280x720), each through the
// four phases; BWE_CODECS=vp8 (or vp9) runs one.
const SCENARIOS = {
	vp8: { label: 'VP8 simulcast', codec: { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }, encodings, type: 'simulcast', streams: 3 },
	vp9: {
		label: 'VP9 L3T3',
		codec: { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
		encodings: [{ scalabilityMode: 'L3T3', maxBitrate: 2_400_000 }],
		type: 'svc',
		streams: 1,
	},
};
const scenarios = (process.env.BWE_CODECS ?? 'vp8,vp9').split(',').map((name) => ({ name, ...SCENARIOS[name] }));

// ------------------------------------------------------------ modules

// BWE_MODULES=ferrosoup,mediasoup picks explicitly; BWE_COMPARE=1 is both.
const wanted = (process.env.BWE_MODULES ?? (process.env.BWE_COMPARE ? 'ferrosoup,mediasoup' : 'ferrosoup')).split(',');
const modules = [];
if (wanted.includes('ferrosoup')) {
	modules.push({ name: 'ferrosoup', load: () => ferrosoup });
}
if (wanted.includes('mediasoup')) {
	const bin = process.env.MEDIASOUP_WORKER_BIN || path.join(__dirname, '..', '..', 'shared', 'baseline', 'mediasoup-worker');
	const root = path.join(__dirname, 'compat', 'node_modules', 'mediasoup');
	let skip = false;
	if (!fs.existsSync(bin)) {
		skip = `mediasoup baseline worker not found (${bin}; set MEDIASOUP_WORKER_BIN)`;
	} else if (!fs.existsSync(path.join(root, 'package.json'))) {
		skip = `mediasoup not installed at ${root} (npm run test:compat installs it)`;
	}
	modules.push({
		name: 'mediasoup',
		skip,
		load: () => {
			// mediasoup reads it when loaded; ferrosoup was loaded above.
			process.env.MEDIASOUP_WORKER_BIN = bin;
			return require(root);
		},
	});
}

// ------------------------------------------------------------ the link

// Part of `npm test` wherever it can run (root for `ip netns` and `tc`,
// Chromium, ffmpeg); skipped with the reason otherwise, or with
// BWE_NETNS=0.
let skip =
	process.env.BWE_NETNS === '0'
		? 'BWE_NETNS=0'
		: browserUnavailableReason() ?? (haveFfmpeg() ? false : 'ffmpeg missing (it writes the noisy camera video)');
let link = null;
if (!skip) {
	const made = createLink();
	skip = made.skip ?? false;
	link = made.link ?? null;
	// Belt and braces: the namespace goes even if the after hooks never run.
	process.on('exit', () => link?.teardown());
}

// ------------------------------------------------------------ signalling

/** Signalling of one room; B's transport listens on the link and traces its estimate. */
function createRoom(router) {
	const room = createSignallingRoom(
		router,
		(data) => ({ listenInfos: [{ protocol: 'udp', ip: data.direction === 'recv' ? link.rootIp : '127.0.0.1' }] }),
		{
			onTransport: async (transport, direction) => {
				if (direction === 'recv') {
					room.recvTransport = transport;
					await transport.enableTraceEvent(['bwe']);
					transport.on('trace', (e) => room.bwe.push({ at: Date.now(), ...e.info }));
				}
			},
		}
	);
	room.bwe = [];
	return room;
}

async function openPage(browser, room, script, title) {
	const page = await browser.context.newPage();
	page.on('pageerror', (error) => room.log.push(`${title} pageerror: ${error.message}`));
	page.on('console', (msg) => {
		if (msg.type() === 'error') {
			room.log.push(`${title} console.error: ${msg.text()}`);
		}
	});
	await page.exposeFunction('fsRequest', room.handle);
	await routePage(page, script, title);
	return page;
}

// ------------------------------------------------------------ sampling

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sizeOf = (o) => (o && o.w ? `${o.w}x${o.h}` : null);
/**
 * Whether B's decoded size is `size` ('WxH'). An SVC layer's size is a
 * quarter or half of A's, which the encoder rounds to even pixels (540/4
 * gives 136, not 135): a pixel or two either way is the same layer.
 */
const decodesSize = (o, size) => {
	if (!o?.w || !size) {
		return false;
	}
	const [w, h] = size.split('x').map(Number);
	return Math.abs(o.w - w) <= 2 && Math.abs(o.h - h) <= 2;
};

/**
 * B samples its inbound-rtp stats every 200 ms inside the page (no CDP
 * round trip in the timing); Node pulls the samples and, on its own 200 ms
 * tick, records the consumer's layers and the transport's estimate.
 */
function installSampler() {
	window.__bwe = { samples: [] };
	setInterval(async () => {
		const consumer = window.client.state.consumers[0];
		if (!consumer) {
			return;
		}
		const t = Date.now();
		const report = await consumer.getStats();
		for (const s of report.values()) {
			if (s.type === 'inbound-rtp') {
				window.__bwe.samples.push({
					t,
					frames: s.framesDecoded ?? 0,
					w: s.frameWidth,
					h: s.frameHeight,
					bytes: (s.bytesReceived ?? 0) + (s.headerBytesReceived ?? 0),
					fps: s.framesPerSecond,
					freezes: s.freezeCount ?? 0,
					freezeS: s.totalFreezesDuration ?? 0,
					keyFrames: s.keyFramesDecoded,
					lost: s.packetsLost,
					plis: s.pliCount,
					nacks: s.nackCount,
				});
			}
		}
	}, 200);
}

class Monitor {
	constructor({ consumer, producer, transport, receiver, sender, bweTraces }) {
		Object.assign(this, { consumer, producer, transport, receiver, sender, bweTraces, svc: consumer.type === 'svc' });
		this.server = [];
		this.origin = [];
		this.rx = [];
		this.layers = [];
		this.phase = 'start';
		this.sizes = {};
		this.running = true;
		consumer.on('layerschange', (layers) => this.layers.push({ at: Date.now(), layers: layers ?? null }));
		this.loop = this.#run();
	}

	async #run() {
		let tick = 0;
		while (this.running) {
			const started = Date.now();
			await Promise.all([
				this.transport.getStats().then(
					([s]) =>
						this.server.push({
							t: Date.now(),
							phase: this.phase,
							spatial: this.consumer.currentLayers?.spatialLayer ?? null,
							temporal: this.consumer.currentLayers?.temporalLayer ?? null,
							aob: s?.availableOutgoingBitrate,
							send: s?.sendBitrate,
							rtpSend: s?.rtpSendBitrate,
							probation: s?.probationSendBitrate,
							lossSent: s?.rtpPacketLossSent,
						}),
					() => {}
				),
				// What A sends per layer: what the allocation chooses from.
				this.producer.getStats().then(
					(streams) => this.origin.push({ t: Date.now(), byRid: Object.fromEntries(streams.map((s) => [s.rid, s.bitrateByLayer ?? {}])) }),
					() => {}
				),
				this.pull(),
				tick % 5 === 0 ? this.senderSizes().catch(() => {}) : null,
			]);
			tick++;
			await sleep(Math.max(0, 200 - (Date.now() - started)));
		}
	}

	/** B's samples so far. */
	async pull() {
		const samples = await withTimeout(this.receiver.evaluate(() => window.__bwe.samples.splice(0)), 5_000, 'B samples').catch(
			() => []
		);
		this.rx.push(...samples);
	}

	/** What A encodes per RID: `{ r0: '320x180', ... }`. */
	async senderSizes() {
		const stats = await withTimeout(this.sender.evaluate(() => window.client.stats()), 5_000, 'A stats');
		for (const [rid, o] of Object.entries(stats.outboundByRid ?? {})) {
			if (o.frameWidth) {
				this.sizes[rid] = `${o.frameWidth}x${o.frameHeight}`;
			}
		}
		// SVC: one stream whose spatial layers halve the size each.
		const svc = stats.outbound?.video;
		if (this.svc && svc?.frameWidth) {
			for (const layer of [0, 1, 2]) {
				const f = 2 ** (2 - layer);
				this.sizes[`r${layer}`] = `${svc.frameWidth / f}x${svc.frameHeight / f}`;
			}
		}
		this.senderStats = stats.outboundByRid;
		return this.sizes;
	}

	get latestRx() {
		return this.rx.at(-1);
	}

	/** On layer `spatialLayer` server-side, and B decodes that layer's size. */
	on(spatialLayer) {
		const rid = `r${spatialLayer}`;
		return this.consumer.currentLayers?.spatialLayer === spatialLayer && decodesSize(this.latestRx, this.sizes[rid]);
	}

	/** A's bitrate of layers (spatial, temporal) at `t` (producer stats). */
	layerBitrate(spatial, temporal, t = Date.now()) {
		const sample = [...this.origin].reverse().find((o) => o.t <= t) ?? this.origin[0];
		// SVC: the one stream's layer keys (with the lower spatial layers).
		return this.svc
			? Object.values(sample?.byRid ?? {})[0]?.[`${spatial}.${temporal}`]
			: sample?.byRid[`r${spatial}`]?.[`0.${temporal}`];
	}

	/**
	 * Whether layers (spatial, temporal) fit the limited link: layer 0
	 * always does; layer 1 (the noisy video's 640x360) only at a temporal
	 * layer A sends under the limit: its base layer is ~220-360 kbit/s, so
	 * sometimes it fits and sometimes it does not.
	 */
	fits(spatial, temporal, t) {
		if (spatial === 0) {
			return true;
		}
		const rate = this.layerBitrate(spatial, temporal, t);
		return rate !== undefined && rate <= LIMIT_BPS;
	}

	/**
	 * Where the samples since `from` end in a run on one spatial layer, on
	 * layers that fit throughout: `{ at, layer }` from when B decodes that
	 * layer's size, or null.
	 */
	fittingRun(from) {
		let run = null;
		for (const x of this.server) {
			if (x.t < from) {
				continue;
			}
			const ok = x.spatial !== null && this.fits(x.spatial, x.temporal, x.t);
			if (!ok) {
				run = null;
			} else if (run === null || run.layer !== x.spatial) {
				run = { at: x.t, layer: x.spatial };
			}
		}
		if (run === null) {
			return null;
		}
		// It starts for B once B decodes that layer's size.
		const size = this.sizes[`r${run.layer}`];
		const decoded = this.rx.find((x) => x.t >= run.at && decodesSize(x, size));
		return decoded ? { at: decoded.t, layer: run.layer, sentFrom: run.at } : null;
	}

	/**
	 * Waits for a run on layers that fit that started within `settleMs` of
	 * `from` and has lasted `observeMs`: `{ at, layer }`, or null when none
	 * did by `from + settleMs + observeMs + graceMs`.
	 */
	async settleOn(from, { settleMs, observeMs, graceMs }) {
		const deadline = from + settleMs + observeMs + graceMs;
		while (Date.now() < deadline) {
			const run = this.fittingRun(from);
			if (run && run.at - from <= settleMs && Date.now() - run.at >= observeMs) {
				return run;
			}
			await sleep(200);
		}
		return null;
	}

	/** Waits until `on(spatialLayer)`; the ms since `from`, or null. */
	async reach(spatialLayer, from, ms) {
		const ok = await waitFor(() => this.on(spatialLayer), ms, `layer ${spatialLayer}`, 100).catch(() => false);
		return ok ? Date.now() - from : null;
	}

	rxBetween(a, b) {
		return this.rx.filter((s) => s.t >= a && s.t <= b);
	}

	/**
	 * Longest time B's framesDecoded stood still, seen from samples within
	 * [a, b] (counted from the last sample that showed progress).
	 */
	longestFreeze(a, b) {
		let frames = null;
		let lastProgress = a;
		let max = 0;
		for (const s of this.rx) {
			if (s.t > b) {
				break;
			}
			if (frames === null || s.frames > frames) {
				frames = s.frames;
				lastProgress = s.t;
			} else if (s.t >= a) {
				max = Math.max(max, s.t - lastProgress);
			}
		}
		return max;
	}

	/** Bits per second B received within [a, b] (payload + RTP headers). */
	rxBitrate(a, b) {
		const s = this.rxBetween(a, b);
		return s.length < 2 ? null : ((s.at(-1).bytes - s[0].bytes) * 8 * 1000) / (s.at(-1).t - s[0].t);
	}

	/** Frames per second B decoded within [a, b]. */
	fps(a, b) {
		const s = this.rxBetween(a, b);
		return s.length < 2 ? null : ((s.at(-1).frames - s[0].frames) * 1000) / (s.at(-1).t - s[0].t);
	}

	/** Chromium's freeze counters over [a, b]. */
	freezes(a, b) {
		const s = this.rxBetween(a, b);
		return s.length < 2
			? null
			: { count: s.at(-1).freezes - s[0].freezes, ms: Math.round((s.at(-1).freezeS - s[0].freezeS) * 1000) };
	}


	/** A compact timeline of [a, b] (every ~500 ms) for failure messages. */
	timeline(a, b, origin = a) {
		const lines = [];
		let next = a;
		for (const s of this.server) {
			if (s.t < next || s.t > b) {
				continue;
			}
			next = s.t + 450;
			const rx = [...this.rx].reverse().find((r) => r.t <= s.t);
			const bwe = [...this.bweTraces].reverse().find((e) => e.at <= s.t);
			const a = [...this.origin].reverse().find((o) => o.t <= s.t)?.byRid ?? {};
			const layer = (rid, t) => kbps(a[rid]?.[`0.${t}`]);
			lines.push(
				`  +${((s.t - origin) / 1000).toFixed(1)}s L${s.spatial}/${s.temporal} aob ${kbps(s.aob)} send ${kbps(s.send)} probation ${kbps(s.probation)} loss ${s.lossSent?.toFixed?.(3)} | B ${sizeOf(rx)} frames ${rx?.frames} lost ${rx?.lost} freezes ${rx?.freezes} | bwe avail ${kbps(bwe?.availableBitrate)} desired ${kbps(bwe?.desiredBitrate)} | A r1 T0/T2 ${layer('r1', 0)}/${layer('r1', 2)} r2 T0 ${layer('r2', 0)}`
			);
		}
		return lines.join('\n');
	}

	async stop() {
		this.running = false;
		await this.loop;
	}
}

const median = (values) => {
	const v = values.filter((x) => typeof x === 'number').sort((x, y) => x - y);
	return v.length ? Math.round(v[v.length >> 1] / 1000) : null;
};
const kbps = (bps) => (typeof bps === 'number' ? `${Math.round(bps / 1000)}k` : String(bps));
const secs = (ms) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : 'never');

// ------------------------------------------------------------ the tests

const results = [];

describe('bandwidth adaptation over a rate-limited link (Chromium in a network namespace)', { skip }, () => {
	let script;
	let videoDir;
	let video;

	before(async () => {
		script = await bundle(path.join(__dirname, 'fixtures', 'browser-client.js'));
		videoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrosoup-bwe-video-'));
		video = writeNoiseVideo(videoDir, { width: 1280, height: 720 });
	});

	after(() => {
		link?.teardown();
		if (videoDir) {
			fs.rmSync(videoDir, { recursive: true, force: true });
		}
		const lines = results.map(summaryLine);
		console.log(`bwe-netns (tbf limit ${LIMIT}, peak ${PEAK}, queue ${QUEUE}, lifted ${LIFTED}):\n${lines.join('\n')}`);
		fs.writeFileSync(REPORT_FILE, `${JSON.stringify({ limit: LIMIT, peakrate: PEAK, queue: QUEUE, lifted: LIFTED, encodings, at: new Date().toISOString(), results }, null, 1)}\n`);
		console.log(`bwe-netns: numbers and timelines in ${REPORT_FILE}`);
	});

	for (const m of modules) {
		for (const sc of scenarios) {
		describe(`${m.name}, ${sc.label}`, { skip: m.skip }, () => {
			const ctx = {};
			const r = { module: m.name, scenario: sc.name, failures: [] };
			results.push(r);

			// A failed check is recorded, then asserted: the message carries the
			// timeline around it.
			const check = (ok, what, [a, b]) => {
				if (ok) {
					return;
				}
				r.failures.push(what);
				assert.fail(
					`${m.name}: ${what}\ntimeline:\n${ctx.monitor.timeline(a - 1000, b + 500, a)}\nlayerschange: ${JSON.stringify(
						ctx.monitor.layers.filter((l) => l.at >= a - 1000 && l.at <= b + 500).map((l) => ({ t: l.at - a, ...l.layers }))
					)}\nqdisc: ${link.qdiscStats()}\n${ctx.room.log.join('\n')}`
				);
			};

			before(async () => {
				link.history.length = 0;
				const mod = m.load();
				r.version = mod.version;
				ctx.worker = await mod.createWorker({ logLevel: 'warn' });
				const router = await ctx.worker.createRouter({ mediaCodecs: [sc.codec] });
				const room = createRoom(router);
				ctx.room = room;

				// A: simulcast camera, in the root namespace.
				ctx.senderBrowser = await withTimeout(
					launchChromiumIn(null, [`--use-file-for-fake-video-capture=${video}`]),
					30_000,
					'launching Chromium (A)'
				);
				const sender = await openPage(ctx.senderBrowser, room, script, 'A');
				const produced = await withTimeout(
					sender.evaluate(
						// A's own estimate starts high enough for all three layers
						// (its uplink is not what is tested).
						(encodings) =>
							window.client.produceSimulcast({ encodings, codecOptions: { videoGoogleStartBitrate: 1500 }, width: 1280, height: 720 }),
						sc.encodings
					),
					15_000,
					'A producing simulcast'
				);
				const producer = room.producers.get(produced.id);
				assert.equal(producer.type, sc.type);
				r.producerEncodings = producer.rtpParameters.encodings.map((e) => `${e.rid} ${e.scalabilityMode}`);
				let producerStats;
				await waitFor(
					async () => {
						producerStats = await producer.getStats();
						return producerStats.length === sc.streams && producerStats.every((s) => s.packetCount > 50);
					},
					15_000,
					`${sc.streams} producer stream(s) receiving`
				).catch(async (error) => {
					const a = await sender.evaluate(() => window.client.stats()).catch((e) => e.message);
					error.message += `\nproducer: ${JSON.stringify(producerStats?.map((s) => [s.rid, s.packetCount]))}\nA: ${JSON.stringify(a)}\n${room.log.join('\n')}`;
					throw error;
				});

				// B: in the namespace, behind the limit from the start.
				link.setRate(LIMIT, { latency: QUEUE, peakrate: PEAK });
				ctx.receiverBrowser = await withTimeout(launchChromiumIn(link), 30_000, 'launching Chromium (B) in the namespace');
				const receiver = await openPage(ctx.receiverBrowser, room, script, 'B');
				await receiver.evaluate(installSampler);
				const [consumed] = await withTimeout(
					receiver.evaluate((ids) => window.client.consume(ids), [produced.id]),
					20_000,
					'B consuming'
				);
				ctx.resumedAt = Date.now();
				ctx.consumer = room.consumers.get(consumed.id);
				assert.equal(ctx.consumer.type, sc.type);
				ctx.monitor = new Monitor({ consumer: ctx.consumer, producer, transport: room.recvTransport, receiver, sender, bweTraces: room.bwe });
				await ctx.monitor.senderSizes();
				r.senderSizes = { ...ctx.monitor.sizes };
			});

			after(async () => {
				await ctx.monitor?.stop();
				if (ctx.monitor) {
					const o = ctx.resumedAt;
					r.timeline = {
						origin: new Date(o).toISOString(),
						server: ctx.monitor.server.map((s) => ({ ...s, t: s.t - o })),
						producer: ctx.monitor.origin.map((s) => ({ ...s, t: s.t - o })),
						receiver: ctx.monitor.rx.map((s) => ({ ...s, t: s.t - o })),
						layerschange: ctx.monitor.layers.map((l) => ({ t: l.at - o, ...l.layers })),
						bwe: ctx.room.bwe.map((e) => ({ ...e, at: e.at - o })),
						tc: link.history.map((h) => ({ ...h, at: h.at - o })),
					};
					r.senderSizes = { ...ctx.monitor.sizes };
				}
				await ctx.receiverBrowser?.close();
				await ctx.senderBrowser?.close();
				ctx.worker?.close();
				try {
					link.setRate(null);
				} catch {
					// no limit left to remove
				}
			});

			// Settling on layers that fit after the limit starts at `from`:
			// within SETTLE_MS a run starts on one spatial layer, on layers
			// that fit, that lasts OBSERVE_MS; B decodes that layer and
			// never stands still for MAX_FREEZE_MS meanwhile.
			const settle = async (key, from) => {
				const mon = ctx.monitor;
				mon.phase = key;
				const run = await mon.settleOn(from, { settleMs: SETTLE_MS, observeMs: OBSERVE_MS, graceMs: GRACE_MS });
				await mon.pull();
				const last = mon.fittingRun(from);
				const out = { ...r[key], settleMs: run ? run.at - from : null, layer: run?.layer ?? null };
				r[key] = out;
				check(run !== null, `${key}: no run of ${OBSERVE_MS} ms on one spatial layer that fits started within ${secs(SETTLE_MS)} (last run: ${last ? `layer ${last.layer} from ${secs(last.at - from)}` : 'none'})`, [from, Date.now()]);
				const a = run.at;
				const b = a + OBSERVE_MS;
				Object.assign(out, {
					rxKbps: Math.round(mon.rxBitrate(a, b) / 1000),
					longestFreezeMs: mon.longestFreeze(a, b),
					freezes: mon.freezes(a, b),
					size: sizeOf(mon.latestRx),
					fps: mon.fps(a, b),
					aobKbps: median(mon.server.filter((x) => x.t >= a && x.t <= b).map((x) => x.aob)),
				});
				check(decodesSize(mon.latestRx, mon.sizes[`r${run.layer}`]), `${key}: B decodes ${out.size}, layer ${run.layer} is ${mon.sizes[`r${run.layer}`]}`, [a, b]);
				check(out.longestFreezeMs < MAX_FREEZE_MS, `${key}: B froze ${out.longestFreezeMs} ms after settling (Chromium: ${JSON.stringify(out.freezes)})`, [a, b]);
			};

			test(`limited to ${LIMIT} from the start: settles on layers that fit within ${SETTLE_MS / 1000} s, no freeze >= ${MAX_FREEZE_MS} ms`, { timeout: 40_000 }, async () => {
				await settle('limited', ctx.resumedAt);
			});

			test(`limit lifted (${LIFTED}): climbs back to layer 2 within ${CLIMB_MS / 1000} s`, { timeout: 40_000 }, async () => {
				const mon = ctx.monitor;
				mon.phase = 'lifted';
				link.setRate(LIFTED, { latency: QUEUE });
				const from = Date.now();
				const climbMs = await mon.reach(2, from, CLIMB_MS + GRACE_MS);
				await mon.pull();
				r.lifted = { climbMs, longestFreezeMs: mon.longestFreeze(from, Date.now()) };
				check(climbMs !== null && climbMs <= CLIMB_MS, `lifted: back on layer 2 after ${secs(climbMs)} (limit ${secs(CLIMB_MS)})`, [from, Date.now()]);
			});

			test('temporal layer 0 of layer 2: about a quarter of the frame rate, and back with temporal layer 2', { timeout: 40_000 }, async () => {
				const mon = ctx.monitor;
				const measure = async (phase, temporalLayer) => {
					mon.phase = phase;
					if (temporalLayer !== null) {
						await ctx.consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer });
						await waitFor(() => ctx.consumer.currentLayers?.temporalLayer === temporalLayer, 3_000, `temporal layer ${temporalLayer}`, 100).catch(
							() => {}
						);
					}
					await sleep(1_000);
					const a = Date.now();
					await sleep(2_000);
					await mon.pull();
					return { fps: mon.fps(a, Date.now()), layers: ctx.consumer.currentLayers, window: [a, Date.now()] };
				};
				// Layer 2 with all its temporal layers first (where the estimate
				// allows it: after the climb above).
				mon.phase = 'T2';
				await waitFor(() => ctx.consumer.currentLayers?.spatialLayer === 2 && ctx.consumer.currentLayers?.temporalLayer === 2, 5_000, 'layers 2/2', 100).catch(
					() => {}
				);
				const startLayers = ctx.consumer.currentLayers;
				const t2 = await measure('T2', null);
				const t0 = await measure('T0', 0);
				const t2back = await measure('T2 again', 2);
				r.temporal = {
					fpsT2: t2.fps,
					fpsT0: t0.fps,
					fpsT2Back: t2back.fps,
					ratio: t0.fps / t2.fps,
					startLayers,
					layersT0: t0.layers,
					layersT2Back: t2back.layers,
				};
				check(
					startLayers?.spatialLayer === 2 && startLayers?.temporalLayer === 2,
					`T2: the consumer is not on spatial 2 / temporal 2 before the test (currentLayers ${JSON.stringify(startLayers)})`,
					t2.window
				);
				check(t0.layers?.temporalLayer === 0, `T0: currentLayers ${JSON.stringify(t0.layers)}`, t0.window);
				check(r.temporal.ratio >= 0.15 && r.temporal.ratio <= 0.4, `T0: ${t0.fps?.toFixed(1)} fps vs ${t2.fps?.toFixed(1)} fps at T2 (ratio ${r.temporal.ratio.toFixed(2)}, want about 0.25)`, t0.window);
				check(t2back.layers?.temporalLayer === 2, `T2 again: currentLayers ${JSON.stringify(t2back.layers)}`, t2back.window);
				check(t2back.fps >= 0.75 * t2.fps, `T2 again: ${t2back.fps?.toFixed(1)} fps vs ${t2.fps?.toFixed(1)} fps before`, t2back.window);
			});

			test(`limited again while on layer 2: settles on layers that fit within ${SETTLE_MS / 1000} s, no freeze >= ${MAX_FREEZE_MS} ms`, { timeout: 40_000 }, async () => {
				// Only meaningful from layer 2 (reached after the climb above).
				await waitFor(() => ctx.monitor.on(2), 5_000, 'layer 2', 100).catch(() => {});
				const layers = ctx.consumer.currentLayers;
				r.relimited = { startLayers: layers };
				check(layers?.spatialLayer === 2, `relimited: the consumer is not on layer 2 when the limit comes back (currentLayers ${JSON.stringify(layers)})`, [
					Date.now() - 5_000,
					Date.now(),
				]);
				link.setRate(LIMIT, { latency: QUEUE, peakrate: PEAK });
				await settle('relimited', Date.now());
			});
		});
		}
	}
});

function summaryLine(r) {
	const settled = (p) =>
		p?.settleMs !== undefined
			? `settle L${p.layer ?? '?'} ${secs(p.settleMs)}, rx ${p.rxKbps ?? '-'} kbit/s (estimate ${p.aobKbps ?? '-'}k), longest freeze ${p.longestFreezeMs ?? '-'} ms (Chromium ${p.freezes ? `${p.freezes.count}/${p.freezes.ms} ms` : '-'})`
			: 'not run';
	const t = r.temporal;
	return [
		`${r.module.padEnd(9)} ${String(r.version ?? '').padEnd(6)} ${r.scenario}`,
		`limited: ${settled(r.limited)}`,
		`lifted: climb L2 ${r.lifted ? secs(r.lifted.climbMs) : 'not run'}`,
		`fps T0 ${t?.fpsT0?.toFixed(1) ?? '-'} / T2 ${t?.fpsT2?.toFixed(1) ?? '-'} (x${t?.ratio?.toFixed(2) ?? '-'}), T2 again ${t?.fpsT2Back?.toFixed(1) ?? '-'}`,
		`re-limited: ${settled(r.relimited)}`,
		r.failures.length ? `FAILED ${r.failures.length}` : 'ok',
	].join(' | ');
}
