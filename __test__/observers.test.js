'use strict';

// AudioLevelObserver and ActiveSpeakerObserver fed by real RTP packets
// carrying the ssrc-audio-level header extension (through DirectTransport).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const mediasoup = require('..');
const { enhancedOnce } = mediasoup.extras;

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** An Opus RTP packet with a one-byte ssrc-audio-level extension (id 1). */
function audioPacket(ssrc, seq, level) {
	const packet = Buffer.alloc(12 + 8 + 20);
	packet[0] = 0x90; // V=2, X=1
	packet[1] = 100;
	packet.writeUInt16BE(seq & 0xffff, 2);
	packet.writeUInt32BE((seq * 960) >>> 0, 4);
	packet.writeUInt32BE(ssrc, 8);
	packet.writeUInt16BE(0xbede, 12);
	packet.writeUInt16BE(1, 14);
	packet[16] = (1 << 4) | 0; // id 1, length 1
	packet[17] = 0x80 | level; // V bit + level (-dBov)
	packet.fill(0xaa, 20);
	return packet;
}

async function setup() {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
	const transport = await router.createDirectTransport();
	const produce = ssrc =>
		transport.produce({
			kind: 'audio',
			rtpParameters: {
				codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
				headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: 1 }],
				encodings: [{ ssrc }],
			},
		});
	return { worker, router, produce };
}

/** Sends 20 ms packets of each producer with its level for `ms`. */
async function talk(producers, levels, ms) {
	const start = Date.now();
	let seq = 0;
	while (Date.now() - start < ms) {
		producers.forEach((p, i) => p.send(audioPacket(1000 + i, seq, levels[i])));
		seq++;
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

test('AudioLevelObserver reports the loudest producers, then silence', async () => {
	const { worker, router, produce } = await setup();
	try {
		const loud = await produce(1000);
		const quiet = await produce(1001);
		const observer = await router.createAudioLevelObserver({ maxEntries: 2, threshold: -70, interval: 300 });
		await observer.addProducer({ producerId: loud.id });
		await observer.addProducer({ producerId: quiet.id });
		const volumes = enhancedOnce(observer, 'volumes');
		await talk([loud, quiet], [20, 60], 700);
		const [entries] = await volumes;
		assert.equal(entries[0].producer, loud);
		assert.equal(entries[0].volume, -20);
		assert.equal(entries[1].producer, quiet);
		assert.equal(entries[1].volume, -60);
		// Everybody below the threshold: one silence event.
		const silence = enhancedOnce(observer, 'silence');
		await talk([loud, quiet], [90, 100], 700);
		await silence;
	} finally {
		worker.close();
	}
});

test('ActiveSpeakerObserver picks the producer that talks', async () => {
	const { worker, router, produce } = await setup();
	try {
		const a = await produce(1000);
		const b = await produce(1001);
		const observer = await router.createActiveSpeakerObserver({ interval: 100 });
		await observer.addProducer({ producerId: a.id });
		await observer.addProducer({ producerId: b.id });
		const speakers = [];
		observer.on('dominantspeaker', ({ producer }) => speakers.push(producer.id));
		// B talks (a quieter onset, then varying loud levels), A is silent.
		const start = Date.now();
		let seq = 0;
		while (Date.now() - start < 2500 && speakers.at(-1) !== b.id) {
			a.send(audioPacket(1000, seq, 127));
			b.send(audioPacket(1001, seq, seq === 0 ? 70 : 20 + (seq % 11)));
			seq++;
			await new Promise(resolve => setTimeout(resolve, 20));
		}
		assert.equal(speakers.at(-1), b.id, `dominant speakers: ${speakers}`);
	} finally {
		worker.close();
	}
});
