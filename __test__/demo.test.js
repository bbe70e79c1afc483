'use strict';

// The room demo (`npm start`, examples/room/) end to end: the server is
// started as `npm start` would (a child `node examples/room/server.js`, on
// ephemeral ports), headless Chromium tabs join the room and each must render
// the others' video (non-black pixels, read through a canvas in the page and
// from a screenshot of the element); a tab that leaves disappears from the
// others. With WORKERS=2 the room spans two workers: two tabs land on
// different workers and see each other through router.pipeToRouter().

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { browserUnavailableReason, waitFor } = require('./helpers/browser');
const { useDemo, waitForRemoteVideos } = require('./helpers/demo');
const { decodePng, nonBlackShare } = require('./helpers/browser-png');

const unavailable = browserUnavailableReason();
const skip = unavailable && !process.env.CI ? unavailable : false;

/** A chat line typed in `from` shows up in `to` (DataChannels through the SFU). */
async function chatReaches(from, to, text) {
	await waitFor(() => from.evaluate((t) => window.demo.sendChat(t), text), 10_000, 'the chat DataChannel to open');
	await waitFor(
		async () => (await to.evaluate(() => window.demo.chat.map((c) => c.text))).includes(text),
		10_000,
		`"${text}" to reach the other tab`
	);
}

describe('room demo (npm start) in headless Chromium', { skip, timeout: 90_000 }, () => {
	// The demo shuts down cleanly on SIGTERM (worker closed, node exits).
	const room = useDemo();
	// Kept for a reviewer (CI artifacts, gitignored).
	const shots = path.join(__dirname, 'artifacts', 'demo');
	fs.mkdirSync(shots, { recursive: true });

	test('two tabs see each other, a third joins, leaving tabs disappear', { timeout: 80_000 }, async () => {
		const { demo, browser } = room;
		const url = await demo.url;
		const errors = [];
		const open = async (name) => {
			const page = await browser.newPage();
			await page.setViewportSize({ width: 1000, height: 700 });
			page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
			await page.goto(url, { timeout: 15_000 });
			await waitFor(() => page.evaluate(() => window.demo?.status === 'live' || window.demo?.error), 15_000, `${name} live`);
			const error = await page.evaluate(() => window.demo.error);
			assert.equal(error, null, `${name}: ${error}`);
			return page;
		};

		const tab1 = await open('tab 1');
		const tab2 = await open('tab 2');
		const seen1 = await waitForRemoteVideos(tab1, 1, 'tab 1 to render tab 2');
		const seen2 = await waitForRemoteVideos(tab2, 1, 'tab 2 to render tab 1');
		const id1 = await tab1.evaluate(() => window.demo.peerId);
		const id2 = await tab2.evaluate(() => window.demo.peerId);
		assert.equal(seen1[0].peerId, id2);
		assert.equal(seen2[0].peerId, id1);
		await chatReaches(tab1, tab2, 'hello from tab 1');
		await chatReaches(tab2, tab1, 'and hello from tab 2');

		// /metrics (Prometheus text): the counters move with the tabs' media.
		const scrape = async () => {
			const response = await fetch(new URL('/metrics', url));
			assert.equal(response.status, 200);
			const text = await response.text();
			const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
			return {
				received: value('ferrosoup_packets_received_total\\{worker="0"\\}'),
				sent: value('ferrosoup_packets_sent_total\\{worker="0"\\}'),
				producers: value('ferrosoup_objects\\{worker="0",kind="producers"\\}'),
				consumers: value('ferrosoup_objects\\{worker="0",kind="consumers"\\}'),
				eventLoopLag: /^nodejs_eventloop_lag_seconds \S+$/m.test(text),
			};
		};
		const first = await scrape();
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const second = await scrape();
		assert.ok(first.producers >= 4 && first.consumers >= 4, JSON.stringify(first));
		assert.ok(second.received > first.received + 50, `received ${first.received} -> ${second.received}`);
		assert.ok(second.sent > first.sent + 50, `sent ${first.sent} -> ${second.sent}`);
		assert.ok(second.eventLoopLag, 'Node event-loop lag in /metrics');

		// Screenshots of the remote video elements: decoded, mostly not black.
		for (const [name, page] of [['tab1', tab1], ['tab2', tab2]]) {
			const png = await page.locator('.tile.remote video').first().screenshot({ timeout: 10_000 });
			const file = path.join(shots, `room-${name}-remote.png`);
			fs.writeFileSync(file, png);
			const image = decodePng(png);
			const share = nonBlackShare(image);
			assert.ok(share > 0.2, `${name}: only ${(share * 100).toFixed(1)}% of the remote video is not black (${file})`);
			console.log(`demo ${name}: remote video ${image.width}x${image.height} on screen, ${(share * 100).toFixed(0)}% non-black pixels (${file})`);
		}
		await tab1.screenshot({ path: path.join(shots, 'room-tab1.png') });

		// A third participant sees both, and both see it.
		const tab3 = await open('tab 3');
		await waitForRemoteVideos(tab3, 2, 'tab 3 to render tabs 1 and 2');
		await waitForRemoteVideos(tab1, 2, 'tab 1 to render tabs 2 and 3');
		await waitForRemoteVideos(tab2, 2, 'tab 2 to render tabs 1 and 3');

		// Leaving: the others drop the tile.
		await tab3.close();
		await waitFor(
			async () => (await tab1.evaluate(() => document.querySelectorAll('.tile.remote').length)) === 1,
			10_000,
			'tab 1 to remove tab 3'
		);
		await tab2.close();
		await waitFor(
			async () => (await tab1.evaluate(() => document.querySelectorAll('.tile.remote').length)) === 0,
			10_000,
			'tab 1 to remove tab 2'
		);
		assert.equal(await tab1.evaluate(() => window.demo.consumers.size), 0);
		await tab1.close();
		assert.deepEqual(errors, []);
		console.log(`demo: screenshots in ${shots}`);
	});
});

describe('room demo with WORKERS=2 in headless Chromium', { skip, timeout: 90_000 }, () => {
	const room = useDemo({ WORKERS: '2' });

	test('two tabs on different workers see each other through pipes', { timeout: 80_000 }, async () => {
		const { demo, browser } = room;
		const url = await demo.url;
		assert.match(demo.output(), /on 2 worker\(s\)/);
		const errors = [];
		const open = async (name) => {
			const page = await browser.newPage();
			page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
			await page.goto(url, { timeout: 15_000 });
			await waitFor(() => page.evaluate(() => window.demo?.status === 'live' || window.demo?.error), 15_000, `${name} live`);
			assert.equal(await page.evaluate(() => window.demo.error), null);
			return page;
		};
		const tab1 = await open('tab 1');
		const tab2 = await open('tab 2');
		const workers = [await tab1.evaluate(() => window.demo.worker), await tab2.evaluate(() => window.demo.worker)];
		assert.deepEqual(workers.sort(), [0, 1], 'round-robin places the tabs on both workers');
		await waitForRemoteVideos(tab1, 1, 'tab 1 to render tab 2 (piped from the other worker)');
		await waitForRemoteVideos(tab2, 1, 'tab 2 to render tab 1 (piped from the other worker)');
		// The chat crosses the workers' pipe over SCTP.
		await chatReaches(tab1, tab2, 'hello across workers');
		// Each router has its speaker observer; both tabs learn who speaks,
		// and the room panel gets both workers' CPU.
		for (const page of [tab1, tab2]) {
			await waitFor(
				() =>
					page.evaluate(
						() =>
							window.demo.dominantSpeaker !== null &&
							window.demo.lastStats?.workers.length === 2 &&
							window.demo.lastStats.workers.every((w) => typeof w.cpu === 'number')
					),
				15_000,
				'a dominant speaker and both workers\' CPU'
			);
		}
		// Camera off crosses the pipe too (the pipe producer pauses with it).
		await tab1.click('#camera');
		await waitFor(
			() => tab2.evaluate(() => document.querySelector('.tile.remote')?.classList.contains('video-paused')),
			10_000,
			'tab 2 to show tab 1 camera off across workers'
		);
		await tab1.click('#camera');
		await waitForRemoteVideos(tab2, 1, 'tab 2 to render tab 1 again (piped)');
		// Leaving closes the pipe producer too: the other tab drops the tile.
		await tab2.close();
		await waitFor(
			async () => (await tab1.evaluate(() => document.querySelectorAll('.tile.remote').length)) === 0,
			10_000,
			'tab 1 to remove tab 2'
		);
		await tab1.close();
		assert.deepEqual(errors, []);
	});
});
