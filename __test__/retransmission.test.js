'use strict';

// NACK -> retransmission through the SFU, observed on DirectTransports: the
// consumer rebuilds the NACKed packet from the producer's stored copy and
// resends it (RTX-encoded when negotiated), once per RTT.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const mediasoup = require('..');

function vp8Packet(seq, ssrc, key) {
	const packet = Buffer.alloc(12 + 2 + 100);
	packet[0] = 0x80;
	packet[1] = 96;
	packet.writeUInt16BE(seq & 0xffff, 2);
	packet.writeUInt32BE((seq * 3000) >>> 0, 4);
	packet.writeUInt32BE(ssrc, 8);
	packet[12] = 0x10; // VP8 descriptor: start of partition 0
	packet[13] = key ? 0x00 : 0x01; // P bit clear on key frames
	packet.fill(seq & 0xff, 14);
	return packet;
}

/** RTCP generic NACK (RFC 4585) for `seqs` of `mediaSsrc`. */
function nack(mediaSsrc, seqs) {
	const items = [];
	for (const seq of seqs) {
		const last = items.at(-1);
		const diff = last ? (seq - last.pid) & 0xffff : 0;
		if (last && diff >= 1 && diff <= 16) {
			last.blp |= 1 << (diff - 1);
		} else {
			items.push({ pid: seq, blp: 0 });
		}
	}
	const packet = Buffer.alloc(12 + 4 * items.length);
	packet[0] = 0x80 | 1;
	packet[1] = 205;
	packet.writeUInt16BE(packet.length / 4 - 1, 2);
	packet.writeUInt32BE(1, 4);
	packet.writeUInt32BE(mediaSsrc, 8);
	items.forEach(({ pid, blp }, i) => {
		packet.writeUInt16BE(pid, 12 + 4 * i);
		packet.writeUInt16BE(blp, 14 + 4 * i);
	});
	return packet;
}

const rtpSeq = packet => packet.readUInt16BE(2);
const rtpSsrc = packet => packet.readUInt32BE(8);

async function setup(enableRtx) {
	const worker = await mediasoup.createWorker();
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
			encodings: [{ ssrc: 5555 }],
		},
	});
	const consumer = await recvTransport.consume({
		producerId: producer.id,
		rtpCapabilities: router.rtpCapabilities,
		enableRtx,
	});
	const received = [];
	consumer.on('rtp', packet => received.push(packet));
	for (let seq = 0; seq < 50; seq++) {
		producer.send(vp8Packet(seq, 5555, seq === 0));
	}
	await new Promise(resolve => setTimeout(resolve, 200));
	return { worker, recvTransport, consumer, received };
}

test('a NACKed packet is resent over RTX with its original sequence number inside', async () => {
	const { worker, recvTransport, consumer, received } = await setup(true);
	try {
		assert.equal(received.length, 50);
		const { ssrc, rtx } = consumer.rtpParameters.encodings[0];
		const wanted = [rtpSeq(received[10]), rtpSeq(received[12]), rtpSeq(received[13])];
		received.length = 0;
		recvTransport.sendRtcp(nack(ssrc, wanted));
		// Asked again right away (within the RTT): not resent twice.
		recvTransport.sendRtcp(nack(ssrc, wanted));
		await new Promise(resolve => setTimeout(resolve, 100));
		assert.equal(received.length, 3);
		for (const [i, packet] of received.entries()) {
			assert.equal(rtpSsrc(packet), rtx.ssrc);
			const payloadStart = 12 + 4 * (packet[0] & 0x0f) + (packet[0] & 0x10 ? 4 + 4 * packet.readUInt16BE(14) : 0);
			// RFC 4588: the original sequence number leads the RTX payload.
			assert.equal(packet.readUInt16BE(payloadStart), wanted[i]);
		}
		const [stats] = await consumer.getStats();
		assert.equal(stats.nackCount, 2);
		assert.equal(stats.nackPacketCount, 6);
		assert.equal(stats.packetsRetransmitted, 3);
		assert.equal(stats.packetsRepaired, 3);
	} finally {
		worker.close();
	}
});

test('without RTX the packet is resent as it was first sent', async () => {
	const { worker, recvTransport, consumer, received } = await setup(false);
	try {
		const original = received[20];
		received.length = 0;
		recvTransport.sendRtcp(nack(consumer.rtpParameters.encodings[0].ssrc, [rtpSeq(original)]));
		await new Promise(resolve => setTimeout(resolve, 100));
		assert.equal(received.length, 1);
		// Same packet, except per-transport extension values.
		assert.equal(rtpSeq(received[0]), rtpSeq(original));
		assert.equal(rtpSsrc(received[0]), rtpSsrc(original));
		assert.deepEqual(received[0].subarray(-100), original.subarray(-100));
	} finally {
		worker.close();
	}
});
