// GStreamer's webrtcbin as a WebRTC peer: a third stack beside Chromium and
// aiortc (libnice as a full, controlling ICE agent against our ICE-lite,
// OpenSSL DTLS, GStreamer's SRTP and rtpbin RTCP). It publishes VP8 + Opus
// by WHIP (ferrosoup/whip) and another webrtcbin plays the video back by
// WHEP, decoding it: helpers/whip_webrtcbin.py drives both.
//
// libnice gathers no loopback candidates (and its checks from another
// local address to 127.0.0.1 go nowhere), so the clients run in a network
// namespace joined by a veth pair (helpers/netns-link.js) and the SFU
// listens on the root side: a real two-host path.
//
// Needs root (ip netns), Debian's python3-gi, gir1.2-gst-plugins-bad-1.0
// and gstreamer1.0-nice (.ci/run installs them); skipped with the reason
// elsewhere, a failure in CI.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const mediasoup = require('..');
const { createWhipServer } = require('../js/whip');
const { waitFor } = require('./helpers/browser');
const { createLink } = require('./helpers/netns-link');
const { runPythonClient } = require('./helpers/pyclient');

// Debian's interpreter: python3-gi is installed for it, not for another
// python3 that may come first on PATH.
const PYTHON = '/usr/bin/python3';
const CLIENT = path.join(__dirname, 'helpers', 'whip_webrtcbin.py');

/** Why webrtcbin cannot run here, or null. */
function webrtcbinUnavailableReason() {
	const probe = spawnSync(
		PYTHON,
		[
			'-c',
			[
				'import gi',
				"gi.require_version('Gst', '1.0'); gi.require_version('GstWebRTC', '1.0'); gi.require_version('GstSdp', '1.0')",
				'from gi.repository import Gst, GstWebRTC, GstSdp',
				'Gst.init(None)',
				"missing = [e for e in ('webrtcbin', 'nicesrc', 'vp8enc', 'vp8dec', 'opusenc') if not Gst.ElementFactory.find(e)]",
				"assert not missing, 'missing GStreamer elements: ' + ', '.join(missing)",
			].join('\n'),
		],
		{ encoding: 'utf8', timeout: 30_000 }
	);
	if (probe.error) {
		return `no ${PYTHON} (${probe.error.message})`;
	}
	const detail = (probe.stderr || '').trim().split('\n').pop();
	return probe.status === 0
		? null
		: `GStreamer webrtcbin from Python is not available (apt-get install python3-gi gir1.2-gst-plugins-bad-1.0 gstreamer1.0-nice): ${detail}`;
}

const unavailable = webrtcbinUnavailableReason();
const skip = unavailable && !process.env.CI ? unavailable : false;


describe('GStreamer webrtcbin as a WHIP publisher and a WHEP player', { skip, timeout: 90_000 }, () => {
	const ctx = {};
	const runWebrtcbin = (args) => runPythonClient(PYTHON, CLIENT, args, 'webrtcbin', { netns: ctx.link.ns });

	before(async (t) => {
		const { link, skip: noLink } = createLink(`wb${process.pid % 100000}`);
		if (noLink) {
			if (process.env.CI) {
				throw new Error(noLink);
			}
			t.skip(noLink);
			return;
		}
		ctx.link = link;
		ctx.worker = await mediasoup.createWorker({ logLevel: 'warn' });
		ctx.router = await ctx.worker.createRouter({
			mediaCodecs: [
				{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
				{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
			],
		});
		ctx.server = http.createServer();
		ctx.whip = createWhipServer({
			router: ctx.router,
			listenInfos: [{ protocol: 'udp', ip: link.rootIp }],
		}).attach(ctx.server);
		await new Promise((resolve) => ctx.server.listen(0, link.rootIp, resolve));
		ctx.base = `http://${link.rootIp}:${ctx.server.address().port}`;
	});

	after(async () => {
		ctx.whip?.close();
		if (ctx.server) {
			await new Promise((resolve) => ctx.server.close(resolve));
		}
		ctx.worker?.close();
		ctx.link?.teardown();
	});

	test('webrtcbin -> ferrosoup -> webrtcbin: media flows, RTCP comes back, DELETE ends both', async () => {
		const publisher = runWebrtcbin(['publish', `${ctx.base}/whip/gst`, '--seconds', '120']);
		try {
			await publisher.next('published', 30_000);
			await publisher.next('connected', 20_000);
			const session = ctx.whip.publishers.get('gst');
			assert.deepEqual(session.producers.map((p) => p.kind).sort(), ['audio', 'video']);
			const transport = session.transport;
			await waitFor(() => transport.dtlsState === 'connected', 15_000, 'DTLS connected with webrtcbin');
			const video = session.producers.find((p) => p.kind === 'video');
			const audio = session.producers.find((p) => p.kind === 'audio');
			assert.equal(video.rtpParameters.codecs[0].mimeType.toLowerCase(), 'video/vp8');
			// As webrtcbin's SDP names it (OPUS): mediasoup matches codecs case-insensitively.
			assert.equal(audio.rtpParameters.codecs[0].mimeType.toLowerCase(), 'audio/opus');
			// Media arrives, SRTP-decrypted, from the selected tuple, and the
			// streams score it.
			for (const producer of [video, audio]) {
				await waitFor(
					async () => {
						const [stats] = await producer.getStats();
						return stats?.byteCount > 10_000 && stats.score > 0;
					},
					15_000,
					`${producer.kind} from webrtcbin counted and scored`
				);
			}
			const transportStats = (await transport.getStats())[0];
			assert.equal(transportStats.iceSelectedTuple.remoteIp, ctx.link.nsIp);
			assert.equal(transportStats.iceState, 'completed');

			const player = runWebrtcbin(['play', `${ctx.base}/whep/gst`, '--frames', '60', '--timeout', '40']);
			try {
				await player.next('answered', 30_000);
				const viewer = [...ctx.whip.sessions.values()].find((s) => s.kind === 'whep' && s.stream === 'gst');
				assert.ok(viewer, 'the WHEP session exists');
				const [consumer] = viewer.consumers;
				assert.equal(consumer.kind, 'video');
				// webrtcbin's receiver reports reach the consumer (its score
				// comes from them) while it decodes.
				await waitFor(
					async () => {
						const stats = await consumer.getStats();
						const outbound = stats.find((s) => s.type === 'outbound-rtp');
						return outbound?.packetCount > 50 && outbound.score > 0 && consumer.score.score > 0;
					},
					20_000,
					'the consumer sending to webrtcbin, scored from its receiver reports'
				);
				const played = await player.next('frames', 45_000);
				console.log(`webrtcbin -> ferrosoup -> webrtcbin: ${JSON.stringify(played)}`);
				assert.ok(played.frames >= 60, `webrtcbin decoded ${played.frames} frames`);
				assert.equal(played.width, 320);
				assert.equal(played.height, 240);
				assert.equal(played.delete_status, 200);
				await waitFor(() => consumer.closed, 10_000, 'the WHEP consumer closed by DELETE');
			} finally {
				player.kill();
			}

			await publisher.stop();
			const done = await publisher.next('done', 1_000);
			assert.equal(done.delete_status, 200);
			await waitFor(() => !ctx.whip.publishers.has('gst'), 10_000, 'the WHIP session gone after DELETE');
			assert.ok(video.closed && transport.closed);
		} finally {
			publisher.kill();
		}
	});
});
