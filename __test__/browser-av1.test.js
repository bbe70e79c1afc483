'use strict';

// Real browser: headless Chromium (mediasoup-client 3.24.1) sends its camera
// as AV1 with scalabilityMode L1T3 through ferrosoup; the packets carry the
// Dependency Descriptor header extension, which gives each frame's temporal
// layer. Page B consumes it (an SVC consumer): at every temporal layer it
// decodes at the sender's frame rate; with preferredLayers temporalLayer 0
// it gets a quarter of it (L1T3: T0 is every fourth frame), keeps decoding
// without freezes, and currentLayers / layerschange follow.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const mediasoup = require('..');
const { browserUnavailableReason, openTestSite, waitFor, withTimeout } = require('./helpers/browser');
const { createRoom, openRoomPage } = require('./helpers/room');

const unavailable = browserUnavailableReason();
const skip = unavailable && !process.env.CI ? unavailable : false;

const DD_URI = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';

describe('real browser: AV1 L1T3 temporal layers (Dependency Descriptor)', { skip, timeout: 90_000 }, () => {
	const ctx = {};

	before(async () => {
		ctx.worker = await mediasoup.createWorker({ logLevel: 'warn' });
		ctx.test = await openTestSite(path.join(__dirname, 'fixtures', 'browser-client.js'), 'ferrosoup av1');
	});

	after(async () => {
		await ctx.test?.close();
		ctx.worker?.close();
	});

	test('preferredLayers temporalLayer 0 cuts the frame rate to a quarter', { timeout: 60_000 }, async () => {
		const router = await ctx.worker.createRouter({
			mediaCodecs: [{ kind: 'video', mimeType: 'video/AV1', clockRate: 90000 }],
		});
		const room = createRoom(router, () => ({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] }));
		const pages = [];
		const openPage = async () => {
			const page = await openRoomPage(ctx.test.browser, ctx.test.site.url, room);
			pages.push(page);
			return page;
		};
		try {
			const pageA = await openPage();
			const produced = await withTimeout(
				pageA.evaluate(() =>
					window.client.produceSimulcast({ encodings: [{ scalabilityMode: 'L1T3' }], width: 640, height: 480 })
				),
				15_000,
				'page A producing AV1 L1T3'
			);
			const producer = room.producers.get(produced.id);
			assert.equal(producer.type, 'svc', JSON.stringify(producer.rtpParameters.encodings));
			assert.equal(producer.rtpParameters.codecs[0].mimeType, 'video/AV1');
			assert.equal(producer.rtpParameters.encodings[0].scalabilityMode, 'L1T3');
			assert.ok(
				producer.rtpParameters.headerExtensions.some((e) => e.uri === DD_URI),
				'the producer negotiated the Dependency Descriptor'
			);

			const pageB = await openPage();
			const [consumed] = await withTimeout(
				pageB.evaluate((ids) => window.client.consume(ids), [produced.id]),
				15_000,
				'page B consuming'
			);
			const consumer = room.consumers.get(consumed.id);
			assert.equal(consumer.type, 'svc');
			const layersSeen = [];
			consumer.on('layerschange', (layers) => layersSeen.push(layers ?? null));

			const statsOf = (page) => withTimeout(page.evaluate(() => window.client.stats()), 5_000, 'page stats');
			const diagnose = async (error) => {
				const a = await statsOf(pageA).catch((e) => e.message);
				const b = await statsOf(pageB).catch((e) => e.message);
				error.message += `\nA: ${JSON.stringify(a)}\nB: ${JSON.stringify(b)}\nconsumer ${JSON.stringify(consumer.currentLayers)} layerschange ${JSON.stringify(layersSeen)}\n${room.log.join('\n')}`;
				throw error;
			};
			// Frames per second decoded by B and encoded by A over `ms`.
			const rates = async (ms) => {
				const [a0, b0] = await Promise.all([statsOf(pageA), statsOf(pageB)]);
				const t0 = Date.now();
				await new Promise((r) => setTimeout(r, ms));
				const [a1, b1] = await Promise.all([statsOf(pageA), statsOf(pageB)]);
				const s = (Date.now() - t0) / 1000;
				return {
					encoded: (a1.outbound.video.framesEncoded - a0.outbound.video.framesEncoded) / s,
					decoded: (b1.inbound.video.framesDecoded - b0.inbound.video.framesDecoded) / s,
					freezes: b1.inbound.video.freezeCount - b0.inbound.video.freezeCount,
				};
			};

			await waitFor(
				async () => (await statsOf(pageB)).inbound.video?.framesDecoded > 30,
				15_000,
				'B decoding AV1'
			).catch(diagnose);
			// Wait for the temporal layers to be all sent (from a switch point).
			await waitFor(() => consumer.currentLayers?.temporalLayer === 2, 5_000, 'currentLayers temporal 2').catch(
				diagnose
			);
			const full = await rates(3000);
			assert.ok(full.encoded > 10, `A encodes ${full.encoded} fps`);
			assert.ok(full.decoded > 0.8 * full.encoded, `all layers: B ${full.decoded} fps of A's ${full.encoded}`);

			await consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 0 });
			await waitFor(() => consumer.currentLayers?.temporalLayer === 0, 5_000, 'currentLayers temporal 0').catch(
				diagnose
			);
			assert.deepEqual(layersSeen.at(-1), { spatialLayer: 0, temporalLayer: 0 });
			await new Promise((r) => setTimeout(r, 500));
			const base = await rates(4000);
			const ratio = base.decoded / base.encoded;
			assert.ok(ratio > 0.15 && ratio < 0.35, `temporal layer 0: B ${base.decoded} fps of A's ${base.encoded} (${ratio})`);
			assert.equal(base.freezes, 0, 'no freezes at temporal layer 0');
			const [stats] = (await consumer.getStats()).filter((s) => s.type === 'outbound-rtp');
			const b = await statsOf(pageB);
			assert.ok(b.inbound.video.packetsLost < 5, `B lost ${b.inbound.video.packetsLost}`);

			// And back up.
			await consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 2 });
			await waitFor(() => consumer.currentLayers?.temporalLayer === 2, 5_000, 'currentLayers temporal 2 again').catch(
				diagnose
			);
			await new Promise((r) => setTimeout(r, 500));
			const again = await rates(3000);
			assert.ok(again.decoded > 0.8 * again.encoded, `all layers again: B ${again.decoded} fps of A's ${again.encoded}`);
			console.log(
				`av1 L1T3: A encodes ${full.encoded.toFixed(1)} fps; B decodes ${full.decoded.toFixed(1)} fps at T2, ${base.decoded.toFixed(1)} fps at T0 (${(ratio * 100).toFixed(0)} %), ${again.decoded.toFixed(1)} fps back at T2; freezes at T0 ${base.freezes}; consumer sent ${stats.packetCount} packets; B lost ${b.inbound.video.packetsLost}; layerschange ${JSON.stringify(layersSeen)}`
			);
		} finally {
			for (const page of pages) {
				await page.close().catch(() => {});
			}
			router.close();
		}
	});
});
