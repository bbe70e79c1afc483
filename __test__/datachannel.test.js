'use strict';

// DataChannels with a real browser: headless Chromium running
// mediasoup-client produces data over SCTP on a WebRtcTransport (SCTP over
// DTLS); the SFU hands its messages to a DirectTransport DataConsumer in
// Node and back to the page through a DataConsumer on its receive
// transport; a DirectTransport DataProducer in Node reaches the page too.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const mediasoup = require('..');
const { browserUnavailableReason, openTestSite, waitFor, withTimeout } = require('./helpers/browser');

const unavailable = browserUnavailableReason();
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
		const transports = new Map();
		const states = [];
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
						return {
							id: t.id,
							iceParameters: t.iceParameters,
							iceCandidates: t.iceCandidates,
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

		const messages = Array.from({ length: 1000 }, (_, i) => `message ${i}`);
		await page.evaluate((m) => window.client.send(m), messages);
		const big = 'x'.repeat(200_000);
		await page.evaluate((m) => window.client.send([m]), big);
		nodeProducer.send('hello page');
		nodeProducer.send(Buffer.alloc(3000, 7));

		await waitFor(
			async () => (await page.evaluate(() => window.client.received('chat').length)) === 1001,
			20_000,
			'the page to get its 1001 messages back'
		);
		const back = await page.evaluate(() => window.client.received('chat'));
		assert.deepEqual(back.slice(0, 1000), messages, 'in order, none lost');
		assert.equal(back[1000].length, 200_000);
		await waitFor(() => atNode.length === 1001, 10_000, 'Node to get 1001 messages');
		assert.deepEqual(atNode[0], ['message 0', 51]);
		await waitFor(
			async () => (await page.evaluate(() => window.client.received('from-node').length)) === 2,
			10_000,
			'the page to get Node\'s messages'
		);
		assert.deepEqual(await page.evaluate(() => window.client.received('from-node')), ['hello page', 'binary:3000']);
		const [stats] = await nodeConsumer.getStats();
		assert.equal(stats.messagesSent, 1001);
		assert.deepEqual(errors, []);
		await page.close();
		router.close();
	});
});
