'use strict';

// WHIP (RFC 9725) and WHEP through ferrosoup/whip with real clients:
// (1) HTTP-level answers without media (bad SDP, unknown sessions, trickle
// PATCH, ETag preconditions, OPTIONS, bearer tokens); (2) a headless
// Chromium page that publishes camera + microphone with plain fetch() +
// RTCPeerConnection and a second page that plays it via WHEP, then an ICE
// restart by PATCH and DELETE; (3) aiortc (PyPI) as a non-browser WHIP
// publisher and WHEP player; (4) a WHIP publisher showing up as a tile in
// the room demo.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const mediasoup = require('..');
const { createWhipServer } = require('../js/whip');
const { browserUnavailableReason, openTestSite, waitFor, withTimeout } = require('./helpers/browser');
const { remoteVideos, startDemo } = require('./helpers/demo');
const { pythonModuleUnavailableReason, runPythonClient } = require('./helpers/pyclient');

const unavailable = browserUnavailableReason();
const skipBrowser = unavailable && !process.env.CI ? unavailable : false;

const AIORTC_CLIENT = path.join(__dirname, 'helpers', 'whip_aiortc.py');

const aiortcUnavailable = pythonModuleUnavailableReason('python3', 'aiortc', 'pip3 install aiortc');
const skipAiortc = skipBrowser || (aiortcUnavailable && !process.env.CI ? aiortcUnavailable : false);

/** Runs helpers/whip_aiortc.py (see helpers/pyclient.js). */
const runAiortc = (args) => runPythonClient('python3', AIORTC_CLIENT, args, 'aiortc');

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
	},
];

const TOKEN = 'secret-token';

/** A minimal WebRTC offer (one Opus m-line) for the tests without media. */
function minimalOffer({ ufrag = 'abcd', mid = '0', direction = 'sendonly', codec = 'opus/48000/2' } = {}) {
	return [
		'v=0',
		'o=- 1 2 IN IP4 127.0.0.1',
		's=-',
		't=0 0',
		`a=group:BUNDLE ${mid}`,
		'm=audio 9 UDP/TLS/RTP/SAVPF 111',
		'c=IN IP4 0.0.0.0',
		`a=ice-ufrag:${ufrag}`,
		'a=ice-pwd:0123456789abcdefghijkl',
		'a=fingerprint:sha-256 8B:87:09:8A:5D:C2:F3:33:EF:C5:B1:F6:84:3A:3D:D6:A3:E2:9C:17:4C:E7:46:3B:1B:CE:84:98:DD:8E:AF:7B',
		'a=setup:actpass',
		`a=mid:${mid}`,
		`a=${direction}`,
		'a=rtcp-mux',
		`a=rtpmap:111 ${codec}`,
		'a=ssrc:1111 cname:test',
		'',
	].join('\r\n');
}

/** A ferrosoup router with WHIP/WHEP mounted on an HTTP server on 127.0.0.1. */
async function startServer(whipOptions = {}) {
	const worker = await mediasoup.createWorker({ logLevel: 'warn' });
	const router = await worker.createRouter({ mediaCodecs });
	const server = http.createServer((req, res) => {
		res.writeHead(200, { 'content-type': 'text/plain' }).end('other route');
	});
	// No `worker`: WHEP viewers whose payload types clash get a router on
	// the router's own worker.
	const whip = createWhipServer({
		router,
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		...whipOptions,
	}).attach(server);
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${server.address().port}`;
	return {
		worker,
		router,
		whip,
		base,
		async close() {
			whip.close();
			server.closeAllConnections?.();
			await new Promise((resolve) => server.close(resolve));
			worker.close();
		},
	};
}

function post(url, body, headers = {}) {
	return fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp', ...headers }, body });
}

describe('WHIP/WHEP over HTTP (no media)', { timeout: 30_000 }, () => {
	let ctx;

	before(async () => {
		ctx = await startServer({ authorize: (req) => req.headers.authorization !== 'Bearer wrong' });
	});
	after(() => ctx?.close());

	test('other routes still reach the server\'s own handler', async () => {
		const response = await fetch(`${ctx.base}/elsewhere`);
		assert.equal(response.status, 200);
		assert.equal(await response.text(), 'other route');
	});

	test('OPTIONS: 200 with Accept-Post and CORS; other methods 405', async () => {
		const options = await fetch(`${ctx.base}/whip/cam`, { method: 'OPTIONS' });
		assert.equal(options.status, 200);
		assert.equal(options.headers.get('accept-post'), 'application/sdp');
		assert.equal(options.headers.get('access-control-allow-origin'), '*');
		assert.match(options.headers.get('access-control-expose-headers'), /Location/);
		const get = await fetch(`${ctx.base}/whip/cam`);
		assert.equal(get.status, 405);
		assert.equal(get.headers.get('allow'), 'OPTIONS, POST');
	});

	test('bad requests: garbage SDP 400, wrong content type 415, no codec 406, token refused 401', async () => {
		assert.equal((await post(`${ctx.base}/whip/cam`, 'hello')).status, 400);
		assert.equal((await post(`${ctx.base}/whip/cam`, 'v=0\r\nm=audio 9 RTP/AVP 0\r\n')).status, 400);
		assert.equal((await post(`${ctx.base}/whip/cam`, minimalOffer(), { 'content-type': 'text/plain' })).status, 415);
		assert.equal((await post(`${ctx.base}/whip/cam`, minimalOffer({ codec: 'G729/8000' }))).status, 406);
		const refused = await post(`${ctx.base}/whip/cam`, minimalOffer(), { authorization: 'Bearer wrong' });
		assert.equal(refused.status, 401);
		assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
		// WHEP of a stream nobody publishes.
		const nothing = await post(`${ctx.base}/whep/nobody`, minimalOffer({ direction: 'recvonly' }));
		assert.equal(nothing.status, 409);
		assert.ok(nothing.headers.get('retry-after'));
		assert.equal(ctx.whip.sessions.size, 0, 'failed POSTs leave no session behind');
	});

	test('a session: 201 + Location + ETag; PATCH preconditions, trickle 422, ICE restart, DELETE', async () => {
		const response = await post(`${ctx.base}/whip/cam`, minimalOffer());
		assert.equal(response.status, 201, await response.clone().text());
		assert.equal(response.headers.get('content-type'), 'application/sdp');
		assert.equal(response.headers.get('accept-patch'), 'application/trickle-ice-sdpfrag');
		const answer = await response.text();
		assert.match(answer, /a=ice-lite/);
		assert.match(answer, /a=recvonly/);
		assert.match(answer, /a=setup:passive/);
		assert.match(answer, /a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
		assert.match(answer, /a=end-of-candidates/);
		const location = new URL(response.headers.get('location'), ctx.base).href;
		const etag = response.headers.get('etag');
		assert.match(etag, /^"[0-9a-f]+"$/);
		assert.equal(ctx.whip.publishers.get('cam').producers.length, 1);

		// A second publisher of the same stream is refused.
		assert.equal((await post(`${ctx.base}/whip/cam`, minimalOffer())).status, 409);

		const patch = (body, headers) =>
			fetch(location, {
				method: 'PATCH',
				headers: { 'content-type': 'application/trickle-ice-sdpfrag', ...headers },
				body,
			});
		const trickle = [
			'a=ice-ufrag:abcd',
			'a=ice-pwd:0123456789abcdefghijkl',
			'm=audio 9 UDP/TLS/RTP/SAVPF 0',
			'a=mid:0',
			'a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host',
			'',
		].join('\r\n');
		assert.equal((await patch(trickle, {})).status, 428, 'no If-Match');
		assert.equal((await patch(trickle, { 'if-match': '"stale"' })).status, 412, 'If-Match mismatch');
		assert.equal((await patch(trickle, { 'if-match': etag })).status, 422, 'trickle ICE is not supported');
		assert.equal((await patch(trickle, { 'if-match': etag, 'content-type': 'application/sdp' })).status, 415);

		const transport = ctx.whip.publishers.get('cam').transport;
		const restart = await patch('a=ice-ufrag:efgh\r\na=ice-pwd:9876543210abcdefghijkl\r\n', { 'if-match': '*' });
		assert.equal(restart.status, 200);
		assert.equal(restart.headers.get('content-type'), 'application/trickle-ice-sdpfrag');
		const fragment = await restart.text();
		const newEtag = restart.headers.get('etag');
		assert.notEqual(newEtag, etag);
		assert.equal(/a=ice-ufrag:(\S+)/.exec(fragment)[1], transport.iceParameters.usernameFragment);
		assert.notEqual(/a=ice-ufrag:(\S+)/.exec(answer)[1], transport.iceParameters.usernameFragment);
		assert.match(fragment, /a=candidate:/);
		// The old ETag no longer matches.
		assert.equal((await patch(trickle, { 'if-match': etag })).status, 412);

		assert.equal((await fetch(location, { method: 'GET' })).status, 405);
		assert.equal((await fetch(location, { method: 'DELETE', headers: { authorization: 'Bearer wrong' } })).status, 401);
		assert.equal((await fetch(location, { method: 'DELETE' })).status, 200);
		assert.ok(transport.closed);
		assert.equal(ctx.whip.publishers.size, 0);
		assert.equal((await fetch(location, { method: 'DELETE' })).status, 404);
		assert.equal((await fetch(`${ctx.base}/whip/cam/not-a-session`, { method: 'DELETE' })).status, 404);
		assert.equal((await patch(trickle, { 'if-match': '*' })).status, 404);
	});
});

test('a session whose peer never connects is closed after connectTimeout', { timeout: 20_000 }, async () => {
	const ctx = await startServer({ connectTimeout: 300 });
	try {
		const unpublished = new Promise((resolve) => ctx.whip.once('unpublish', resolve));
		const response = await post(`${ctx.base}/whip/idle`, minimalOffer());
		assert.equal(response.status, 201);
		const session = await withTimeout(unpublished, 10_000, 'unpublish of the idle session');
		assert.equal(session.stream, 'idle');
		assert.ok(session.transport.closed);
		const location = new URL(response.headers.get('location'), ctx.base).href;
		assert.equal((await fetch(location, { method: 'DELETE' })).status, 404);
	} finally {
		await ctx.close();
	}
});

/** Packets and frames a page's session has received so far. */
async function received(page, name) {
	return page.evaluate((n) => window.whip.stats(n), name);
}

async function framesGrow(page, name, what, minFrames = 30) {
	const first = await waitFor(
		async () => {
			const s = await received(page, name);
			return s.inbound.video?.framesDecoded > 0 ? s : null;
		},
		25_000,
		`${what}: first decoded frame`
	);
	return waitFor(
		async () => {
			const s = await received(page, name);
			return s.inbound.video.framesDecoded >= first.inbound.video.framesDecoded + minFrames ? s : null;
		},
		25_000,
		`${what}: ${minFrames} more frames decoded`
	);
}

describe('WHIP/WHEP with headless Chromium (fetch + RTCPeerConnection)', { skip: skipBrowser, timeout: 90_000 }, () => {
	let ctx;
	let site;
	let publisher;
	let player;

	before(async () => {
		ctx = await startServer();
		// The pages come from another origin than the endpoints: CORS is exercised.
		site = await openTestSite(path.join(__dirname, 'fixtures', 'whip-client.js'), 'whip');
		publisher = await site.browser.newPage();
		player = await site.browser.newPage();
		await publisher.goto(site.site.url);
		await player.goto(site.site.url);
	});
	after(async () => {
		await site?.close();
		await ctx?.close();
	});

	test('publish via WHIP, play via WHEP, ICE restart, DELETE', { timeout: 80_000 }, async () => {
		const published = await publisher.evaluate((url) => window.whip.publish('pub', url), `${ctx.base}/whip/cam`);
		assert.match(published.answer, /a=recvonly/);
		const session = ctx.whip.publishers.get('cam');
		assert.deepEqual(session.producers.map((p) => p.kind).sort(), ['audio', 'video']);
		await waitFor(() => session.transport.dtlsState === 'connected', 15_000, 'publisher DTLS connected');

		const played = await player.evaluate((url) => window.whip.play('view', url), `${ctx.base}/whep/cam`);
		assert.match(played.answer, /a=sendonly/);
		assert.match(played.answer, /a=ssrc:\d+ cname:/);
		const stats = await framesGrow(player, 'view', 'WHEP page');
		assert.ok(stats.inbound.audio?.bytesReceived > 0, 'audio bytes received');
		const { video, audio } = stats.inbound;
		console.log(`whep: ${video.framesDecoded} frames (${video.frameWidth} px wide), ${audio.bytesReceived} audio bytes`);

		// ICE restart of the publisher through PATCH: new ETag, media flows on.
		const restarted = await publisher.evaluate(() => window.whip.restartIce('pub'));
		assert.notEqual(restarted.etag, restarted.oldEtag);
		assert.equal(restarted.ufrag, session.transport.iceParameters.usernameFragment);
		await waitFor(
			async () => (await received(publisher, 'pub')).connectionState === 'connected',
			15_000,
			'publisher connected after the ICE restart'
		);
		const before = (await publisher.evaluate(() => window.whip.stats('pub'))).outbound.video.bytesSent;
		await framesGrow(player, 'view', 'WHEP page after the publisher\'s ICE restart');
		const after = (await publisher.evaluate(() => window.whip.stats('pub'))).outbound.video.bytesSent;
		assert.ok(after > before);
		// The restart's ETag is the one a PATCH must now match.
		const stale = await publisher.evaluate(
			([url, etag]) =>
				window.whip.request(url, {
					method: 'PATCH',
					headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': etag },
					body: 'a=end-of-candidates\r\n',
				}),
			[published.url, restarted.oldEtag]
		);
		assert.equal(stale.status, 412);

		// The player's restart too (WHEP side).
		const viewRestart = await player.evaluate(() => window.whip.restartIce('view'));
		assert.notEqual(viewRestart.etag, viewRestart.oldEtag);
		await framesGrow(player, 'view', 'WHEP page after its own ICE restart');

		// DELETE of the player: its transport closes; a second DELETE is 404.
		const viewer = [...ctx.whip.sessions.values()].find((s) => s.kind === 'whep');
		assert.equal(await player.evaluate(() => window.whip.stop('view')), 200);
		assert.ok(viewer.transport.closed);
		const again = await player.evaluate((url) => window.whip.request(url, { method: 'DELETE' }), played.url);
		assert.equal(again.status, 404);
		// Its own router (the offer's payload types) and the pipe into it are gone too.
		await waitFor(
			async () => (await ctx.router.dump()).transportIds.length === 1 && (await ctx.worker.dump()).routerIds.length === 1,
			10_000,
			'only the publisher\'s transport and the main router left'
		);

		// DELETE of the publisher ends the stream.
		const unpublished = new Promise((resolve) => ctx.whip.once('unpublish', resolve));
		assert.equal(await publisher.evaluate(() => window.whip.stop('pub')), 200);
		assert.equal((await unpublished).id, session.id);
		assert.ok(session.producers.every((p) => p.closed));
		assert.equal(ctx.whip.sessions.size, 0);
	});

	test('simulcast: a=simulcast/a=rid offers become one producer with three encodings', { timeout: 60_000 }, async () => {
		const published = await publisher.evaluate(
			(url) => window.whip.publish('sim', url, { simulcast: true }),
			`${ctx.base}/whip/sim`
		);
		assert.match(published.answer, /a=simulcast:recv q;h;f/);
		const video = ctx.whip.publishers.get('sim').producers.find((p) => p.kind === 'video');
		assert.deepEqual(video.rtpParameters.encodings.map((e) => e.rid), ['q', 'h', 'f']);
		// Chromium starts the top layer once its bandwidth estimate allows.
		const streams = await waitFor(
			async () => {
				const rids = (await video.getStats()).filter((s) => s.packetCount > 0).map((s) => s.rid);
				return rids.length >= 2 ? rids : null;
			},
			20_000,
			'two or more simulcast streams received'
		);
		console.log(`simulcast: receiving rids ${streams.sort().join(', ')}`);
		await player.evaluate((url) => window.whip.play('sim-view', url), `${ctx.base}/whep/sim`);
		const stats = await framesGrow(player, 'sim-view', 'WHEP page playing the simulcast stream');
		console.log(`simulcast: viewer decodes ${stats.inbound.video.frameWidth} px wide`);
		assert.equal(await player.evaluate(() => window.whip.stop('sim-view')), 200);
		assert.equal(await publisher.evaluate(() => window.whip.stop('sim')), 200);
	});

	test('H264: a publisher limited to H264 is produced and played as H264', { timeout: 60_000 }, async () => {
		await publisher.evaluate((url) => window.whip.publish('h264', url, { videoCodec: 'video/H264' }), `${ctx.base}/whip/h264`);
		const video = ctx.whip.publishers.get('h264').producers.find((p) => p.kind === 'video');
		assert.equal(video.rtpParameters.codecs[0].mimeType, 'video/H264');
		assert.equal(video.rtpParameters.codecs[0].parameters['packetization-mode'], 1);
		await player.evaluate((url) => window.whip.play('h264-view', url), `${ctx.base}/whep/h264`);
		const stats = await framesGrow(player, 'h264-view', 'WHEP page playing H264');
		assert.equal(stats.inbound.video.mimeType, 'video/H264');
		assert.equal(await player.evaluate(() => window.whip.stop('h264-view')), 200);
		assert.equal(await publisher.evaluate(() => window.whip.stop('h264')), 200);
	});

	const aiortcTitle = 'aiortc as a second client: aiortc WHIP -> Chromium WHEP, Chromium WHIP -> aiortc WHEP';
	test(aiortcTitle, { skip: skipAiortc, timeout: 80_000 }, async () => {
		const publisherProcess = runAiortc(['publish', `${ctx.base}/whip/aiortc`, '--seconds', '120']);
		try {
			await publisherProcess.next('published', 30_000);
			const session = ctx.whip.publishers.get('aiortc');
			assert.deepEqual(session.producers.map((p) => p.kind), ['video']);
			await player.evaluate((url) => window.whip.play('aiortc-view', url), `${ctx.base}/whep/aiortc`);
			const stats = await framesGrow(player, 'aiortc-view', 'Chromium playing the aiortc publisher', 20);
			assert.equal(stats.inbound.video.frameWidth, 320, 'the generated 320x240 video');
			console.log(`aiortc -> chromium: ${stats.inbound.video.framesDecoded} frames decoded`);
			assert.equal(await player.evaluate(() => window.whip.stop('aiortc-view')), 200);
		} finally {
			// Killed without its DELETE: the server ends the session itself.
			publisherProcess.kill();
			ctx.whip.publishers.get('aiortc')?.close();
		}

		await publisher.evaluate((url) => window.whip.publish('pub2', url), `${ctx.base}/whip/cam2`);
		const player2 = runAiortc(['play', `${ctx.base}/whep/cam2`, '--frames', '30', '--timeout', '30']);
		const played = await player2.next('frames', 45_000);
		console.log(`chromium -> aiortc: ${JSON.stringify(played)}`);
		assert.ok(played.frames >= 30, `aiortc decoded ${played.frames} frames`);
		assert.equal(played.width, 640);
		assert.equal(played.delete_status, 200);
		assert.equal(await publisher.evaluate(() => window.whip.stop('pub2')), 200);
		await waitFor(
			() => ![...ctx.whip.sessions.values()].some((s) => s.stream === 'cam2'),
			10_000,
			'the cam2 sessions closed'
		);
	});
});

/** Starts the room demo (examples/room/server.js) on ephemeral ports. */
describe('room demo: a WHIP publisher is a participant', { skip: skipBrowser, timeout: 60_000 }, () => {
	let demo;
	let site;

	before(async () => {
		demo = startDemo();
		await demo.url;
		site = await openTestSite(path.join(__dirname, 'fixtures', 'whip-client.js'), 'whip');
	});
	after(async () => {
		await site?.close();
		await demo?.stop();
	});

	test('a page publishing over WHIP shows up as a tile with video in a demo tab, and leaves', { timeout: 50_000 }, async () => {
		assert.match(demo.output(), /WHIP publishers join at/);
		const tab = await site.browser.newPage();
		await tab.goto(await demo.url);
		await waitFor(() => tab.evaluate(() => window.demo?.status === 'live' || window.demo?.error), 15_000, 'demo tab live');
		assert.equal(await tab.evaluate(() => window.demo.error), null);

		const publisher = await site.browser.newPage();
		await publisher.goto(site.site.url);
		await publisher.evaluate((url) => window.whip.publish('guest', url), new URL('/whip/guest', await demo.url).href);
		const tiles = await waitFor(
			async () => {
				const found = (await remoteVideos(tab)).find((t) => t.name === 'WHIP guest');
				return found && found.width > 0 && found.lit > 0.2 ? found : null;
			},
			25_000,
			'the WHIP publisher\'s tile to play video in the demo tab'
		).catch(async (error) => {
			error.message += `\ntiles: ${JSON.stringify(await remoteVideos(tab))}\n${demo.output()}`;
			throw error;
		});
		console.log(`demo: WHIP tile ${tiles.width} px wide, ${(tiles.lit * 100).toFixed(0)}% lit`);
		assert.match(demo.output(), /WHIP guest joined over WHIP/);

		// DELETE: the participant leaves the room.
		assert.equal(await publisher.evaluate(() => window.whip.stop('guest')), 200);
		await waitFor(
			async () => !(await remoteVideos(tab)).some((t) => t.name === 'WHIP guest'),
			10_000,
			'the WHIP tile to go'
		);
	});
});
