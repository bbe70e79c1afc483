'use strict';

// DataChannels with a real browser: headless Chromium running
// mediasoup-client produces data over SCTP on a WebRtcTransport (SCTP over
// DTLS); the SFU hands its messages to a DirectTransport DataConsumer in
// Node and back to the page through a DataConsumer on its receive
// transport; a DirectTransport DataProducer in Node reaches the page too.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const path = require('node:path');
const mediasoup = require('..');
const { browserUnavailableReason, openTestSite, waitFor, withTimeout } = require('./helpers/browser');

const unavailable = browserUnavailableReason();

/** A UDP relay between the page and one transport that loses `lossRate`
 * of the DTLS application data (SCTP) each way, seeded; handshakes and
 * STUN pass untouched so the setup stays quick. */
async function lossyRelay(target, lossRate) {
	const toPage = dgram.createSocket('udp4');
	const toSfu = dgram.createSocket('udp4');
	await Promise.all([
		new Promise((resolve) => toPage.bind(0, '127.0.0.1', resolve)),
		new Promise((resolve) => toSfu.bind(0, '127.0.0.1', resolve)),
	]);
	let seed = 20261204;
	const relay = { port: toPage.address().port, dropped: 0, passed: 0, page: null };
	const lose = (packet) => {
		seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
		const isApplicationData = packet[0] === 23;
		if (isApplicationData && seed / 2 ** 32 < lossRate) {
			relay.dropped++;
			return true;
		}
		relay.passed++;
		return false;
	};
	toPage.on('message', (packet, from) => {
		relay.page = from;
		if (!lose(packet)) {
			toSfu.send(packet, target.port, target.ip);
		}
	});
	toSfu.on('message', (packet) => {
		if (relay.page && !lose(packet)) {
			toPage.send(packet, relay.page.port, relay.page.address);
		}
	});
	relay.close = () => {
		toPage.close();
		toSfu.close();
	};
	return relay;
}

/** The page's signalling: mediasoup-client requests answered on `router`. */
function signalling(router) {
	const transports = new Map();
	const states = [];
	const relays = [];
	const handle = async (method, data) => {
		try {
			switch (method) {
				case 'routerRtpCapabilities':
					return { routerRtpCapabilities: router.rtpCapabilities };
				case 'createTransport': {
					const t = await router.createWebRtcTransport({
						listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
						enableSctp: true,
						numSctpStreams: data.sctpCapabilities?.numStreams ?? { OS: 1024, MIS: 1024 },
					});
					t.on('sctpstatechange', (s) => states.push(`${data.direction}:${s}`));
					transports.set(t.id, t);
					let iceCandidates = t.iceCandidates;
					if (data.lossy) {
						const relay = await lossyRelay({ ip: '127.0.0.1', port: t.iceCandidates[0].port }, LOSS_RATE);
						relays.push(relay);
						iceCandidates = [{ ...t.iceCandidates[0], port: relay.port }];
					}
					return {
						id: t.id,
						iceParameters: t.iceParameters,
						iceCandidates,
						dtlsParameters: t.dtlsParameters,
						sctpParameters: t.sctpParameters,
					};
				}
				case 'connect':
					await transports.get(data.transportId).connect({ dtlsParameters: data.dtlsParameters });
					return {};
				case 'produceData': {
					const dp = await transports.get(data.transportId).produceData(data);
					return { id: dp.id };
				}
				case 'consumeData': {
					const dc = await transports.get(data.transportId).consumeData({ dataProducerId: data.dataProducerId });
					return {
						id: dc.id,
						dataProducerId: dc.dataProducerId,
						sctpStreamParameters: dc.sctpStreamParameters,
						label: dc.label,
						protocol: dc.protocol,
					};
				}
				default:
					throw new Error(`unknown method ${method}`);
			}
		} catch (error) {
			return { error: String(error.message) };
		}
	};
	return { handle, transports, states, relays };
}

const LOSS_RATE = 0.05;
const skip = unavailable && !process.env.CI ? unavailable : false;

describe('DataChannels with Chromium (mediasoup-client, SCTP over DTLS)', { skip, timeout: 90_000 }, () => {
	const ctx = {};

	before(async () => {
		ctx.worker = await mediasoup.createWorker({ logLevel: 'warn' });
		ctx.test = await openTestSite(path.join(__dirname, 'fixtures', 'datachannel-client.js'), 'ferrosoup data');
		ctx.site = ctx.test.site;
		ctx.browser = ctx.test.browser;
	});

	after(async () => {
		await ctx.test?.close();
		ctx.worker?.close();
	});

	test('messages go browser -> SFU -> Node and browser, and Node -> browser', { timeout: 60_000 }, async () => {
		const router = await ctx.worker.createRouter({ mediaCodecs: [] });
		const { handle, transports, states } = signalling(router);
		const page = await ctx.browser.newPage();
		const errors = [];
		page.on('pageerror', (e) => errors.push(e.message));
		await page.exposeFunction('fsRequest', handle);
		await page.goto(ctx.site.url, { timeout: 15_000 });

		const { dataProducerId } = await withTimeout(page.evaluate(() => window.client.start()), 20_000, 'the page producing data');
		await waitFor(() => states.includes('send:connected'), 10_000, 'the send transport\'s SCTP association');
		const sendTransport = [...transports.values()][0];
		assert.equal(sendTransport.sctpState, 'connected');
		assert.ok(sendTransport.sctpNegotiatedCapabilities.negotiatedMaxOutboundStreams > 0);

		// Node listens to the page's DataProducer on a DirectTransport.
		const direct = await router.createDirectTransport();
		const nodeConsumer = await direct.consumeData({ dataProducerId });
		const atNode = [];
		nodeConsumer.on('message', (m, ppid) => atNode.push([m.toString(), ppid]));
		// The page consumes its own DataProducer and one Node feeds.
		await withTimeout(page.evaluate((id) => window.client.consume(id), dataProducerId), 15_000, 'the page consuming');
		const nodeProducer = await direct.produceData({ label: 'from-node' });
		await withTimeout(page.evaluate((id) => window.client.consume(id), nodeProducer.id), 15_000, 'the page consuming Node');

		const messages = Array.from({ length: 10_000 }, (_, i) => `message ${i}`);
		await page.evaluate((m) => window.client.send(m), messages);
		// maxMessageSize (262144) exactly.
		const big = 'x'.repeat(262_144);
		await page.evaluate((m) => window.client.send([m]), big);
		const fromNode = Array.from({ length: 10_000 }, (_, i) => `from node ${i}`);
		for (const m of fromNode) {
			nodeProducer.send(m);
		}
		nodeProducer.send(Buffer.alloc(262_144, 7));

		await waitFor(
			async () => (await page.evaluate(() => window.client.received('chat').length)) === 10_001,
			30_000,
			'the page to get its 10,001 messages back'
		);
		const back = await page.evaluate(() => window.client.received('chat'));
		assert.deepEqual(back.slice(0, 10_000), messages, 'in order, none lost');
		assert.equal(back[10_000].length, 262_144);
		await waitFor(() => atNode.length === 10_001, 10_000, 'Node to get 10,001 messages');
		assert.deepEqual(atNode.slice(0, 10_000).map(([m]) => m), messages);
		assert.equal(atNode[10_000][0].length, 262_144);
		assert.deepEqual(atNode[0], ['message 0', 51]);
		await waitFor(
			async () => (await page.evaluate(() => window.client.received('from-node').length)) === 10_001,
			30_000,
			'the page to get Node\'s 10,001 messages'
		);
		assert.deepEqual(await page.evaluate(() => window.client.received('from-node')), [...fromNode, 'binary:262144']);
		const [stats] = await nodeConsumer.getStats();
		assert.equal(stats.messagesSent, 10_001);
		assert.deepEqual(errors, []);
		await page.close();
		router.close();
	});

	test('under 5 % loss an unordered maxRetransmits:0 channel delivers what arrives and the ordered one does not stall', { timeout: 60_000 }, async () => {
		const router = await ctx.worker.createRouter({ mediaCodecs: [] });
		const { handle, relays } = signalling(router);
		const page = await ctx.browser.newPage();
		const errors = [];
		page.on('pageerror', (e) => errors.push(e.message));
		await page.exposeFunction('fsRequest', handle);
		await page.goto(ctx.site.url, { timeout: 15_000 });

		const { dataProducerId: orderedId } = await withTimeout(
			page.evaluate(() => window.client.start({ lossy: true })),
			30_000,
			'the page producing data through the lossy relay'
		);
		const { id: unorderedId } = await page.evaluate(() =>
			window.client.produce('unordered', { ordered: false, maxRetransmits: 0 })
		);
		// The page consumes both back, each with its producer's reliability.
		await withTimeout(page.evaluate((id) => window.client.consume(id), orderedId), 15_000, 'consuming ordered');
		await withTimeout(page.evaluate((id) => window.client.consume(id), unorderedId), 15_000, 'consuming unordered');
		const droppedBefore = relays.reduce((n, r) => n + r.dropped, 0);

		// 1000-byte messages, one per packet, interleaved on both channels.
		const count = 1000;
		const pad = '.'.repeat(990);
		const started = Date.now();
		for (let batch = 0; batch < count; batch += 100) {
			await page.evaluate(
				({ from, pad }) => {
					for (let i = from; i < from + 100; i++) {
						window.client.send([`${i}${pad}`], 'chat');
						window.client.send([`${i}${pad}`], 'unordered');
					}
				},
				{ from: batch, pad }
			);
		}
		const index = (m) => Number(m.slice(0, m.indexOf('.')));
		await waitFor(
			async () => (await page.evaluate(() => window.client.received('chat').length)) === count,
			30_000,
			'every ordered message through the loss'
		);
		const orderedMs = Date.now() - started;
		const ordered = (await page.evaluate(() => window.client.received('chat'))).map(index);
		assert.deepEqual(ordered, Array.from({ length: count }, (_, i) => i), 'ordered: all, in order');
		// Unordered: whatever made it, once each; what was lost stays lost.
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const unordered = (await page.evaluate(() => window.client.received('unordered'))).map(index);
		const dropped = relays.reduce((n, r) => n + r.dropped, 0) - droppedBefore;
		console.log(
			`# loss relay: ${dropped} SCTP packets dropped; ordered ${count}/${count} in ${orderedMs} ms; unordered ${unordered.length}/${count}`
		);
		assert.ok(dropped >= 20, `the relay dropped ${dropped}`);
		assert.equal(new Set(unordered).size, unordered.length, 'no duplicates');
		assert.ok(unordered.every((i) => i >= 0 && i < count));
		assert.ok(unordered.length >= count * 0.8, `unordered got ${unordered.length}`);
		assert.ok(unordered.length < count, 'maxRetransmits: 0 retransmits nothing');
		assert.deepEqual(errors, []);
		await page.close();
		for (const relay of relays) {
			relay.close();
		}
		router.close();
	});
});
