'use strict';

// Receive-side estimation for a REMB-only sender (a producer whose RTP
// parameters offer abs-send-time and goog-remb but no transport-cc): the
// transport estimates what reaches it and sends REMBs back to the sender,
// `availableIncomingBitrate` reports the estimate, and
// `setMaxIncomingBitrate()` caps the REMBs. A Node UDP socket plays the
// sender over a real PlainTransport. Runs against real mediasoup 3.27.1
// too when its package (npm run test:compat installs it) and the baseline
// worker are there, so both answer the same questions.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const ferrosoup = require('..');
const { bindUdp, closeAllSockets } = require('./helpers/rtp-tools');

const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const SSRC = 0x1111;

const modules = [{ name: 'ferrosoup', load: () => ferrosoup }];
{
	const bin = process.env.MEDIASOUP_WORKER_BIN || path.join(__dirname, '..', '..', 'shared', 'baseline', 'mediasoup-worker');
	const root = path.join(__dirname, 'compat', 'node_modules', 'mediasoup');
	const missing = !fs.existsSync(bin) ? `baseline worker not found (${bin})` : !fs.existsSync(path.join(root, 'package.json')) ? `mediasoup not installed at ${root}` : false;
	modules.push({
		name: 'mediasoup',
		skip: missing,
		load: () => {
			process.env.MEDIASOUP_WORKER_BIN = bin;
			return require(root);
		},
	});
}

/** 24-bit abs-send-time (6.18 fixed-point seconds) of now. */
function absSendTimeNow() {
	const us = process.hrtime.bigint() / 1000n;
	return Number(((us << 18n) / 1_000_000n) & 0xffffffn);
}

/** A VP8 RTP packet with a 1000-byte payload and abs-send-time (id 3). */
function rtpWithAbsSendTime(seq) {
	const packet = Buffer.alloc(12 + 8 + 1000);
	packet[0] = 0x90; // V=2, X=1
	packet[1] = 96;
	packet.writeUInt16BE(seq & 0xffff, 2);
	packet.writeUInt32BE((seq * 900) >>> 0, 4);
	packet.writeUInt32BE(SSRC, 8);
	packet.writeUInt16BE(0xbede, 12);
	packet.writeUInt16BE(1, 14);
	packet[16] = (3 << 4) | 2;
	packet.writeUIntBE(absSendTimeNow(), 17, 3);
	packet[20] = 0x10; // VP8 descriptor: start of partition
	packet[21] = seq === 0 ? 0x00 : 0x01;
	return packet;
}

/** The REMBs (PT 206, FMT 15) in a compound RTCP packet. */
function rembsIn(buf) {
	const out = [];
	let offset = 0;
	while (offset + 4 <= buf.length) {
		const len = (buf.readUInt16BE(offset + 2) + 1) * 4;
		if (buf[offset] >> 6 !== 2 || offset + len > buf.length) {
			break;
		}
		const body = buf.subarray(offset, offset + len);
		if (body[1] === 206 && (body[0] & 0x1f) === 15 && len >= 20 && body.toString('latin1', 12, 16) === 'REMB') {
			const count = body[16];
			const exp = body[17] >> 2;
			const mantissa = ((body[17] & 0x03) << 16) | body.readUInt16BE(18);
			const ssrcs = [];
			for (let i = 0; i < count && 20 + 4 * (i + 1) <= len; i++) {
				ssrcs.push(body.readUInt32BE(20 + 4 * i));
			}
			out.push({ at: Date.now(), bitrate: mantissa * 2 ** exp, ssrcs });
		}
		offset += len;
	}
	return out;
}

async function waitFor(predicate, ms, what) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		const value = await predicate();
		if (value) {
			return value;
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

for (const m of modules) {
	describe(`REMB-only sender (${m.name})`, { skip: m.skip }, () => {
		const ctx = {};

		before(async () => {
			const lib = m.load();
			ctx.worker = await lib.createWorker({ logLevel: 'warn' });
			ctx.router = await ctx.worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
		});

		after(() => {
			ctx.worker?.close();
			closeAllSockets();
		});

		/** A PlainTransport fed by a local socket at ~800 kbit/s; collects REMBs. */
		async function sender({ feedback, extensions }) {
			const socket = await bindUdp();
			const transport = await ctx.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
			await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
			const producer = await transport.produce({
				kind: 'video',
				rtpParameters: {
					codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: feedback }],
					headerExtensions: extensions,
					encodings: [{ ssrc: SSRC }],
				},
			});
			const rembs = [];
			socket.on('message', (msg) => rembs.push(...rembsIn(msg)));
			let seq = 0;
			const port = transport.tuple.localPort;
			const timer = setInterval(() => socket.send(rtpWithAbsSendTime(seq++), port, '127.0.0.1'), 10);
			return {
				transport,
				producer,
				rembs,
				stop: () => {
					clearInterval(timer);
					transport.close();
				},
			};
		}

		test('REMBs come back listing the stream, availableIncomingBitrate follows, setMaxIncomingBitrate caps them', { timeout: 30_000 }, async (t) => {
			const startedAt = Date.now();
			const s = await sender({
				feedback: [{ type: 'goog-remb' }],
				extensions: [{ uri: ABS_SEND_TIME_URI, id: 3 }],
			});
			try {
				const first = await waitFor(() => s.rembs.find((r) => r.bitrate > 0), 8_000, 'a REMB with an estimate');
				assert.deepEqual(first.ssrcs, [SSRC]);
				// What arrives is ~830 kbit/s of RTP: the estimate is of that order.
				await new Promise((resolve) => setTimeout(resolve, 1_500));
				const recent = s.rembs.filter((r) => r.at >= Date.now() - 1_200);
				assert.ok(recent.length >= 1, `REMBs in the last 1.2 s: ${recent.length}`);
				const last = s.rembs.at(-1).bitrate;
				assert.ok(last >= 400_000 && last <= 3_000_000, `REMB ${last}`);
				const [stats] = await s.transport.getStats();
				t.diagnostic(`${m.name}: first REMB after ${first.at - startedAt} ms (${first.bitrate} bps), ${recent.length} in the last 1.2 s, last ${last} bps, availableIncomingBitrate ${stats.availableIncomingBitrate}`);
				assert.ok(stats.availableIncomingBitrate >= 400_000, `availableIncomingBitrate ${stats.availableIncomingBitrate}`);
				// The app's cap: REMBs say no more than it.
				await s.transport.setMaxIncomingBitrate(150_000);
				const capFrom = Date.now();
				await waitFor(() => s.rembs.some((r) => r.at > capFrom && r.bitrate <= 150_000), 3_000, 'a REMB at the cap');
				assert.ok(s.rembs.filter((r) => r.at > capFrom + 1_100).every((r) => r.bitrate <= 150_000));
			} finally {
				s.stop();
			}
		});

		test('a transport-cc sender gets no estimate (availableIncomingBitrate 0)', { timeout: 20_000 }, async () => {
			const s = await sender({
				feedback: [{ type: 'transport-cc' }],
				extensions: [
					{ uri: ABS_SEND_TIME_URI, id: 3 },
					{ uri: TRANSPORT_CC_URI, id: 5 },
				],
			});
			try {
				await waitFor(async () => (await s.producer.getStats())[0]?.packetCount > 100, 5_000, '100 packets received');
				const [stats] = await s.transport.getStats();
				assert.equal(stats.availableIncomingBitrate, 0);
				assert.equal(s.rembs.length, 0);
			} finally {
				s.stop();
			}
		});
	});
}
