'use strict';

// A simulcast consumer forwards the best active layer up to its preferred
// one, switches on key frames (asking for them), keeps sequence numbers and
// timestamps continuous, and reports layerschange.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const mediasoup = require('..');

const SSRCS = [1001, 1002, 1003];

function vp8(ssrc, seq, ts, key) {
	const packet = Buffer.alloc(12 + 2 + 50);
	packet[0] = 0x80;
	packet[1] = 96;
	packet.writeUInt16BE(seq & 0xffff, 2);
	packet.writeUInt32BE(ts >>> 0, 4);
	packet.writeUInt32BE(ssrc, 8);
	packet[12] = 0x10;
	packet[13] = key ? 0x00 : 0x01;
	packet.writeUInt32BE(ssrc, 14); // which layer, to check what was forwarded
	return packet;
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** The SSRC marker the sender put in the payload (after the VP8 descriptor). */
function layerOf(packet) {
	let offset = 12 + 4 * (packet[0] & 0x0f);
	if (packet[0] & 0x10) {
		offset += 4 + 4 * packet.readUInt16BE(offset + 2);
	}
	return packet.readUInt32BE(offset + 2);
}

test('simulcast consumer follows the active layers and switches on key frames', async () => {
	const worker = await mediasoup.createWorker();
	try {
		const router = await worker.createRouter({
			mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
		});
		const sendTransport = await router.createDirectTransport();
		const recvTransport = await router.createDirectTransport();
		const producer = await sendTransport.produce({
			kind: 'video',
			rtpParameters: {
				codecs: [
					{
						mimeType: 'video/VP8',
						payloadType: 96,
						clockRate: 90000,
						rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
					},
				],
				encodings: SSRCS.map(ssrc => ({ ssrc, scalabilityMode: 'L1T1' })),
			},
		});
		assert.equal(producer.type, 'simulcast');
		const consumer = await recvTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		assert.equal(consumer.type, 'simulcast');
		assert.deepEqual(consumer.preferredLayers, { spatialLayer: 2, temporalLayer: 0 });

		const plis = new Set();
		sendTransport.on('rtcp', packet => {
			// PSFB (206) FMT 1 = PLI; media SSRC at offset 8.
			for (let off = 0; off + 12 <= packet.length; off += (packet.readUInt16BE(off + 2) + 1) * 4) {
				if (packet[off + 1] === 206 && (packet[off] & 0x1f) === 1) {
					plis.add(packet.readUInt32BE(off + 8));
				}
			}
		});
		const layers = [];
		consumer.on('layerschange', l => layers.push(l && l.spatialLayer));
		const received = [];
		consumer.on('rtp', packet => received.push(packet));

		// Random, unrelated timestamp bases per layer, like real senders.
		const seqs = [100, 20000, 40000];
		const tsBase = [5000, 2_000_000_000, 4_000_000_000];
		let frame = 0;
		const sendFrame = (active, keyOn = []) => {
			for (const i of active) {
				producer.send(vp8(SSRCS[i], seqs[i]++, tsBase[i] + frame * 3000, keyOn.includes(i)));
			}
			frame++;
		};

		// Only the lowest layer: the consumer falls back to it.
		for (let k = 0; k < 10; k++) {
			sendFrame([0], k === 0 ? [0] : []);
			await sleep(20);
		}
		await sleep(100);
		for (let k = 0; k < 5; k++) {
			sendFrame([0], k === 0 ? [0] : []);
			await sleep(20);
		}
		assert.ok(received.length > 0, 'layer 0 forwarded');
		assert.ok(received.every(p => layerOf(p) === SSRCS[0]));
		assert.equal(layers.at(-1), 0);

		// All three layers: the consumer asks layer 2 for a key frame and
		// switches when it comes, forwarding layer 0 until then.
		const waiting = received.length;
		for (let k = 0; k < 10; k++) {
			sendFrame([0, 1, 2]);
			await sleep(20);
		}
		assert.ok(plis.has(SSRCS[2]), `PLI for the top layer: ${[...plis]}`);
		const meanwhile = received.slice(waiting);
		assert.equal(meanwhile.length, 10, 'layer 0 goes on while the switch waits');
		assert.ok(meanwhile.every(p => layerOf(p) === SSRCS[0]));
		assert.equal(layers.at(-1), 0);
		const before = received.length;
		sendFrame([0, 1, 2], [2]);
		for (let k = 0; k < 5; k++) {
			sendFrame([0, 1, 2]);
			await sleep(20);
		}
		// That frame's layer 0 packet was sent before its layer 2 key frame.
		const after = received.slice(before);
		assert.deepEqual(after.map(layerOf), [SSRCS[0], ...Array(6).fill(SSRCS[2])], 'only layer 2 after the switch');
		assert.equal(layers.at(-1), 2);

		// One output stream: continuous sequence numbers, timestamps never
		// going back across the switch.
		const ssrc = consumer.rtpParameters.encodings[0].ssrc;
		for (let i = 1; i < received.length; i++) {
			assert.equal(received[i].readUInt32BE(8), ssrc);
			assert.equal(received[i].readUInt16BE(2), (received[i - 1].readUInt16BE(2) + 1) & 0xffff);
			const dt = (received[i].readUInt32BE(4) - received[i - 1].readUInt32BE(4)) | 0;
			assert.ok(dt >= 0 && dt < 90000, `timestamp step ${dt}`);
		}
	} finally {
		worker.close();
	}
});
