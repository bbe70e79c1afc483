'use strict';

// The room demo's controls, layers and stats in headless Chromium: two tabs,
// and every control pressed in one tab must change what the other shows:
// camera off greys the tile, mute shows the muted mic, the speaking ring
// follows the ActiveSpeakerObserver, a screen share adds a tile, a layer
// picked on a remote tile changes the decoded resolution, leave/rejoin
// drops and brings back the tile; the stats graphs draw non-empty series.
// Tab 1 shares its screen through getDisplayMedia() (Chromium's fake capture
// under --use-fake-ui-for-media-stream), tab 2 through the page's drawn
// canvas (?fakeScreen=1), which also makes the README's screenshot.
// Screenshots of each step go to __test__/artifacts/demo/ (CI artifacts).

const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { browserUnavailableReason, waitFor } = require('./helpers/browser');
const { remoteVideos, useDemo, waitForRemoteVideos } = require('./helpers/demo');

const unavailable = browserUnavailableReason();
const skip = unavailable && !process.env.CI ? unavailable : false;

const SHOTS = path.join(__dirname, 'artifacts', 'demo');

/** The graphs of a tab: per tile (by selector) key -> series, and the room's. */
function graphsOf(page, selector) {
	return page.evaluate((selector) => {
		const tile = document.querySelector(selector);
		const peer = [...window.demo.peers.values()].find((p) => p.tile.element === tile);
		const graphs = tile?.id === 'me' ? window.demo.me.graphs : peer?.tile.graphs;
		// Pixels drawn on each sparkline canvas of the tile.
		const inked = [...(tile?.querySelectorAll('.graph canvas') ?? [])].map((canvas) => {
			const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
			let n = 0;
			for (let i = 3; i < data.length; i += 4) {
				n += data[i] > 0 ? 1 : 0;
			}
			return n;
		});
		return { series: graphs?.series() ?? {}, inked, room: window.demo.room.series() };
	}, selector);
}

const known = (values) => values.filter((v) => v != null);

describe('room demo controls, layers and stats in headless Chromium', { skip, timeout: 150_000 }, () => {
	fs.mkdirSync(SHOTS, { recursive: true });
	const room = useDemo();
	after(() => console.log(`demo controls: screenshots in ${SHOTS}`));

	test('each control in one tab changes what the other sees; graphs draw', { timeout: 140_000 }, async () => {
		const { demo, browser } = room;
		const url = await demo.url;
		const errors = [];
		const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
		const open = async (name, query = '') => {
			const page = await browser.newPage();
			await page.setViewportSize({ width: 1280, height: 760 });
			page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
			await page.goto(new URL(`/${query}`, url).href, { timeout: 15_000 });
			await waitFor(() => page.evaluate(() => window.demo?.status === 'live' || window.demo?.error), 20_000, `${name} live`);
			assert.equal(await page.evaluate(() => window.demo.error), null);
			return page;
		};
		const tab1 = await open('tab 1');
		const tab2 = await open('tab 2', '?fakeScreen=1');
		const id1 = await tab1.evaluate(() => window.demo.peerId);
		const id2 = await tab2.evaluate(() => window.demo.peerId);
		await waitForRemoteVideos(tab2, 1, 'tab 2 to render tab 1');
		await waitForRemoteVideos(tab1, 1, 'tab 1 to render tab 2');
		const remoteTile = (page) => page.locator('.tile.remote').first();
		const hasClass = (page, name) => remoteTile(page).evaluate((e, name) => e.classList.contains(name), name);

		// Simulcast: tab 1's camera producer has 3 encodings (1280x720 fake camera).
		const encodings = await tab1.evaluate(() => window.demo.producers.find((p) => p.kind === 'video').rtpParameters.encodings.length);
		assert.equal(encodings, 3, 'the camera is sent as 3-layer simulcast');

		// Speaking indicator: Chromium's fake microphone beeps, the observer picks someone.
		await waitFor(
			() => tab2.evaluate(() => window.demo.dominantSpeaker && document.querySelector('.tile.speaking') !== null),
			15_000,
			'a dominant speaker in tab 2'
		);
		assert.ok([id1, id2].includes(await tab2.evaluate(() => window.demo.dominantSpeaker)));

		// Stats: non-empty series, drawn, on the remote tile, the local tile and the room panel.
		const stats = await waitFor(
			async () => {
				const remote = await graphsOf(tab2, '.tile.remote');
				const local = await graphsOf(tab1, '#me');
				const ok =
					known(remote.series.bitrate).filter((v) => v > 0).length >= 3 &&
					known(remote.series.fps).some((v) => v > 0) &&
					known(remote.series.loss).length >= 3 &&
					known(remote.series.layer).length >= 3 &&
					remote.inked.length === 4 &&
					remote.inked.every((n) => n > 0) &&
					known(local.series.bitrate).some((v) => v > 0) &&
					known(local.series.layers).some((v) => v >= 1) &&
					local.inked.every((n) => n > 0) &&
					known(remote.room.cpu).length >= 2 &&
					known(remote.room.sfuBitrate).some((v) => v > 0);
				return ok ? { remote, local } : null;
			},
			20_000,
			'the graphs to fill'
		).catch(async (error) => {
			error.message += `\n${JSON.stringify(await graphsOf(tab2, '.tile.remote'))}\n${JSON.stringify(await graphsOf(tab1, '#me'))}`;
			throw error;
		});
		console.log(
			`demo controls: tab 2 receives ${known(stats.remote.series.bitrate).at(-1).toFixed(0)} kb/s at ` +
				`${known(stats.remote.series.fps).at(-1)} fps, layer S${known(stats.remote.series.layer).at(-1)}; ` +
				`worker CPU ${known(stats.remote.room.cpu).at(-1).toFixed(1)} %`
		);
		await shot(tab2, 'controls-1-stats');

		// Layers: spatial layer 0 on tab 2's remote tile -> a smaller decoded
		// video; back to 2 -> larger again. Priority 3 reaches the consumer.
		const width = async () => (await remoteVideos(tab2))[0]?.width ?? 0;
		const high = await waitFor(async () => ((await width()) >= 640 ? width() : null), 20_000, 'tab 2 to decode at least 640 wide');
		await remoteTile(tab2).locator('select[name=spatial]').selectOption('0');
		const low = await waitFor(async () => {
			const w = await width();
			return w > 0 && w <= high / 2 ? w : null;
		}, 15_000, `tab 2 to decode below ${high / 2} wide after picking S0`);
		await waitFor(
			async () => /^S0 /.test(await remoteTile(tab2).locator('.layers .now').textContent()),
			10_000,
			'the tile to show S0'
		);
		await shot(tab2, 'controls-2-layer-s0');
		await remoteTile(tab2).locator('select[name=spatial]').selectOption('2');
		await remoteTile(tab2).locator('select[name=priority]').selectOption('3');
		const back = await waitFor(async () => ((await width()) > low ? width() : null), 15_000, `tab 2 to decode above ${low} wide after picking S2`);
		await waitFor(
			() => tab2.evaluate(() => Object.values(window.demo.lastStats?.consumers ?? {}).some((c) => c.priority === 3)),
			5_000,
			'consumer priority 3'
		);
		console.log(`demo controls: decoded width ${high} -> S0 ${low} -> S2 ${back}`);

		// Camera off / on: tab 2's tile greys, then plays again.
		await tab1.click('#camera');
		await waitFor(() => hasClass(tab2, 'video-paused'), 10_000, 'tab 2 to show tab 1 camera off');
		assert.equal(await tab2.evaluate((id) => window.demo.peers.get(id).videoPaused, id1), true);
		await shot(tab2, 'controls-3-camera-off');
		await tab1.click('#camera');
		await waitFor(async () => !(await hasClass(tab2, 'video-paused')), 10_000, 'tab 2 to show tab 1 camera on');
		await waitForRemoteVideos(tab2, 1, 'tab 2 to render tab 1 again');

		// Mute / unmute: the muted mic shows on tab 2's tile.
		await tab1.click('#mic');
		await waitFor(() => hasClass(tab2, 'audio-paused'), 10_000, 'tab 2 to show tab 1 muted');
		await waitFor(async () => (await tab1.locator('#mic').textContent()) === 'Unmute', 5_000, 'the button to say Unmute');
		await tab1.click('#mic');
		await waitFor(async () => !(await hasClass(tab2, 'audio-paused')), 10_000, 'tab 2 to show tab 1 unmuted');

		// Screen share: a second video producer, a new tile in tab 2.
		await tab1.click('#screen');
		const [share] = await waitForRemoteVideos(tab2, 1, 'tab 2 to render tab 1 screen share', '.tile.share');
		assert.equal(share.peerId, id1);
		console.log(`demo controls: screen share decoded at ${share.width}x${share.height}`);
		await shot(tab2, 'controls-4-screen-share');
		await tab1.click('#screen');
		await waitFor(
			async () => (await tab2.locator('.tile.share').count()) === 0,
			10_000,
			'tab 2 to drop the screen share tile'
		);

		// Tab 2 shares the drawn canvas; its graphs fill (no layer graph: one encoding).
		await tab2.click('#screen');
		await waitForRemoteVideos(tab1, 1, 'tab 1 to render tab 2 screen share', '.tile.share');
		await waitFor(
			() =>
				tab1.evaluate(() => {
					const tile = [...window.demo.shares.values()][0];
					return tile.graphs.series().bitrate.filter((v) => v > 0).length >= 3;
				}),
			15_000,
			'the screen share graphs to fill'
		);
		// The room as the README shows it (docs/demo-room.png comes from here).
		await tab1.screenshot({ path: path.join(SHOTS, 'room.png'), clip: { x: 0, y: 0, width: 1280, height: 330 } });
		await shot(tab2, 'controls-4-screen-share-sender');
		await tab2.click('#screen');
		await waitFor(
			async () => (await tab1.locator('.tile.share').count()) === 0,
			10_000,
			'tab 1 to drop the screen share tile'
		);

		// Leave / rejoin: the tile goes, then comes back (a new participant).
		await tab1.click('#leave');
		await waitFor(async () => (await tab2.locator('.tile.remote').count()) === 0, 10_000, 'tab 2 to drop tab 1');
		assert.equal(await tab1.evaluate(() => window.demo.status), 'left the room');
		await shot(tab1, 'controls-5-left');
		await tab1.click('#leave');
		await waitFor(() => tab1.evaluate(() => window.demo.status === 'live'), 20_000, 'tab 1 live again');
		await waitForRemoteVideos(tab2, 1, 'tab 2 to render tab 1 after rejoining');
		await waitForRemoteVideos(tab1, 1, 'tab 1 to render tab 2 after rejoining');
		await shot(tab2, 'controls-6-rejoined');

		await tab1.close();
		await tab2.close();
		assert.deepEqual(errors, []);
	});
});
