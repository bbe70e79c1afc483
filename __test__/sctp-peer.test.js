// SCTP on a PlainTransport against a real SCTP stack (werift-sctp, the
// peer of mediasoup's own test-werift-sctp) over loopback UDP: what the
// association does when the peer aborts or restarts, and that hostile
// datagrams from the peer's own tuple (bad checksums, bad chunk lengths,
// forged verification tags, INIT floods) are dropped without harm.
'use strict';

const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const path = require('node:path');
const { once } = require('node:events');
const ferrosoup = require('..');

// Installed by `npm test`'s pretest with mediasoup's own test dependencies.
const { SCTP, createUdpTransport, WEBRTC_PPID, SCTP_STATE } = require(
	path.join(__dirname, 'compat', 'node_modules', 'werift-sctp'),
);

const STREAM_ID = 123;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let ctx;

beforeEach(async () => {
	const worker = await ferrosoup.createWorker();
	const router = await worker.createRouter();
	const transport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		comedia: true,
		enableSctp: true,
	});
	const states = [];
	transport.on('sctpstatechange', (state) => states.push(state));
	const dataProducer = await transport.produceData({
		sctpStreamParameters: { streamId: STREAM_ID, ordered: true },
	});
	const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
	const socket = dgram.createSocket('udp4');
	const client = newClient(socket, transport);
	await client.start(5000);
	await waitFor(() => transport.sctpState === 'connected');
	ctx = { worker, transport, states, dataProducer, dataConsumer, socket, client };
});

afterEach(async () => {
	await ctx.client.stop();
	ctx.worker.close();
	ctx.socket.close();
});

function newClient(socket, transport) {
	return SCTP.client(
		createUdpTransport(socket, { port: transport.tuple.localPort, address: '127.0.0.1' }),
	);
}

async function waitFor(predicate, timeoutMs = 3000) {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${predicate}`);
		}
		await sleep(20);
	}
}

/** Sends `count` messages from `client` and resolves with those echoed back
 * through the DataProducer -> DataConsumer loop on the transport. */
async function roundTrip(client, count, tag) {
	const got = [];
	const sub = client.onReceive.subscribe((streamId, ppid, data) => got.push(data.toString()));
	for (let i = 0; i < count; i++) {
		await client.send(STREAM_ID, WEBRTC_PPID.STRING, Buffer.from(`${tag}-${i}`));
	}
	await waitFor(() => got.length >= count).catch(() => {});
	sub.unSubscribe?.();
	return got;
}

// CRC-32c (Castagnoli, reflected), as SCTP's checksum (RFC 9260 appendix B).
const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) {
		c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
	}
	return c >>> 0;
});

function withChecksum(packet) {
	packet.writeUInt32LE(0, 8);
	let crc = 0xffffffff;
	for (const byte of packet) {
		crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	}
	packet.writeUInt32LE((crc ^ 0xffffffff) >>> 0, 8);
	return packet;
}

/** An SCTP packet 5000 -> 5000 with `tag` and one chunk. */
function sctpPacket(tag, chunkType, chunkBody) {
	const chunk = Buffer.alloc(4 + chunkBody.length + ((4 - (chunkBody.length % 4)) % 4));
	chunk[0] = chunkType;
	chunk.writeUInt16BE(4 + chunkBody.length, 2);
	chunkBody.copy(chunk, 4);
	const header = Buffer.alloc(12);
	header.writeUInt16BE(5000, 0);
	header.writeUInt16BE(5000, 2);
	header.writeUInt32BE(tag, 4);
	return withChecksum(Buffer.concat([header, chunk]));
}

function initChunkBody(initiateTag) {
	const body = Buffer.alloc(16);
	body.writeUInt32BE(initiateTag, 0); // initiate tag
	body.writeUInt32BE(131072, 4); // a_rwnd
	body.writeUInt16BE(1024, 8); // OS
	body.writeUInt16BE(1024, 10); // MIS
	body.writeUInt32BE(initiateTag, 12); // initial TSN
	return body;
}

function dataChunkBody(streamId, text) {
	const body = Buffer.alloc(12 + text.length);
	body.writeUInt32BE(1, 0); // TSN
	body.writeUInt16BE(streamId, 4);
	body.writeUInt32BE(WEBRTC_PPID.STRING, 8);
	body.write(text, 12);
	return body;
}

function sendRaw(socket, transport, packet) {
	return new Promise((resolve) =>
		socket.send(packet, transport.tuple.localPort, '127.0.0.1', resolve),
	);
}

test('the association carries messages both ways with werift-sctp', async () => {
	assert.deepEqual(ctx.states, ['connecting', 'connected']);
	const got = await roundTrip(ctx.client, 50, 'm');
	assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => `m-${i}`));
});

test('an ABORT from the peer closes the association (as mediasoup: closed)', async () => {
	await ctx.client.stop();
	await waitFor(() => ctx.transport.sctpState === 'closed');
	assert.deepEqual(ctx.states, ['connecting', 'connected', 'closed']);
	assert.equal((await ctx.transport.dump()).sctpState, 'closed');
	// Data objects stay (mediasoup closes them only with the transport).
	assert.equal(ctx.dataConsumer.closed, false);
});

test('a peer that restarts (a new INIT on the same tuple) is served by a new association', async () => {
	const restarted = newClient(ctx.socket, ctx.transport);
	await restarted.start(5000);
	await waitFor(() => restarted.associationState === SCTP_STATE.ESTABLISHED);
	// mediasoup stays `connected` and says nothing.
	assert.deepEqual(ctx.states, ['connecting', 'connected']);
	const got = await roundTrip(restarted, 20, 'after-restart');
	assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => `after-restart-${i}`));
	await restarted.stop();
});

test('malformed, forged and flooding SCTP from the peer tuple is dropped; the association keeps working', async () => {
	const { socket, transport, worker } = ctx;
	const rssBefore = process.memoryUsage().rss;
	const forgedTag = 0x0badf00d;
	const hostile = [];
	// A DATA chunk that would reach stream 123 if anything trusted it.
	const forged = sctpPacket(forgedTag, 0, dataChunkBody(STREAM_ID, 'forged'));
	hostile.push(forged);
	const badChecksum = Buffer.from(forged);
	badChecksum[8] ^= 0xff;
	hostile.push(badChecksum);
	const badLength = Buffer.from(forged);
	badLength.writeUInt16BE(9000, 14);
	hostile.push(withChecksum(badLength));
	const shortChunk = Buffer.from(forged);
	shortChunk.writeUInt16BE(1, 14);
	hostile.push(withChecksum(shortChunk));
	hostile.push(Buffer.from([0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0]));
	for (let i = 0; i < 200; i++) {
		hostile.push(Buffer.from(Array.from({ length: 12 + (i % 300) }, () => (Math.random() * 64) | 0)));
	}
	for (const packet of hostile) {
		await sendRaw(socket, transport, packet);
	}
	// An INIT flood: 20,000 INITs nobody completes, each with its own tag.
	let initAcks = 0;
	const countInitAcks = (m) => (initAcks += m[12] === 2 ? 1 : 0);
	socket.on('message', countInitAcks);
	for (let i = 0; i < 20000; i++) {
		await sendRaw(socket, transport, sctpPacket(0, 1, initChunkBody(0x10000 + i)));
		if (i % 200 === 199) await sleep(5);
	}
	await sleep(300);
	socket.off('message', countInitAcks);
	// The SFU saw them (it answers an INIT as RFC 9260 says, statelessly
	// until a cookie comes back).
	assert.ok(initAcks > 10000, `${initAcks} INIT ACKs`);

	assert.equal(transport.sctpState, 'connected');
	assert.deepEqual(ctx.states, ['connecting', 'connected']);
	const stats = await ctx.dataProducer.getStats();
	assert.equal(stats[0].messagesReceived, 0, 'nothing forged was delivered');
	const got = await roundTrip(ctx.client, 100, 'after');
	assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => `after-${i}`));
	assert.equal(worker.closed, false);
	await worker.getResourceUsage();
	// 20,000 INITs must not each leave an association behind (~100 kB of
	// buffers each would be gigabytes).
	const grownMb = (process.memoryUsage().rss - rssBefore) / 1e6;
	assert.ok(grownMb < 100, `RSS grew ${grownMb.toFixed(1)} MB`);
});

// Real mediasoup 3.27.1 (its worker from ../shared/baseline) as the peer:
// its PlainTransport sends the INIT (usrsctp's, which ends with an empty
// Forward-TSN-Supported parameter) and ferrosoup's answers.
const baselineWorker = path.join(__dirname, '..', '..', 'shared', 'baseline', 'mediasoup-worker');
const noBaseline = !require('node:fs').existsSync(baselineWorker) && `no mediasoup worker at ${baselineWorker}`;

test('messages flow both ways between a ferrosoup and a mediasoup PlainTransport over SCTP', { skip: noBaseline }, async () => {
	process.env.MEDIASOUP_WORKER_BIN = baselineWorker;
	const mediasoup = require(path.join(__dirname, 'compat', 'node_modules', 'mediasoup'));
	const msWorker = await mediasoup.createWorker({ logLevel: 'error' });
	try {
		const msRouter = await msWorker.createRouter();
		const fsRouter = await ctx.worker.createRouter();
		const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
		const msPlain = await msRouter.createPlainTransport({ listenInfo, enableSctp: true });
		const fsPlain = await fsRouter.createPlainTransport({ listenInfo, enableSctp: true });
		// mediasoup -> ferrosoup: a direct DataProducer there, consumed on
		// its PlainTransport, arrives on the stream ferrosoup produces from.
		// (mediasoup starts SCTP on connect() once it has a DataConsumer.)
		const msDirect = await msRouter.createDirectTransport();
		const msSource = await msDirect.produceData();
		const msOut = await msPlain.consumeData({ dataProducerId: msSource.id });
		await fsPlain.connect({ ip: '127.0.0.1', port: msPlain.tuple.localPort });
		await msPlain.connect({ ip: '127.0.0.1', port: fsPlain.tuple.localPort });
		await waitFor(() => fsPlain.sctpState === 'connected' && msPlain.sctpState === 'connected', 5000);
		assert.deepEqual(fsPlain.sctpNegotiatedCapabilities, msPlain.sctpNegotiatedCapabilities);
		const fsIn = await fsPlain.produceData({ sctpStreamParameters: { streamId: msOut.sctpStreamParameters.streamId, ordered: true } });
		const fsDirect = await fsRouter.createDirectTransport();
		const fsSink = await fsDirect.consumeData({ dataProducerId: fsIn.id });
		const atFerrosoup = [];
		fsSink.on('message', (m) => atFerrosoup.push(m.toString()));

		// ferrosoup -> mediasoup, the same way round.
		const fsSource = await fsDirect.produceData();
		const fsOut = await fsPlain.consumeData({ dataProducerId: fsSource.id });
		const msIn = await msPlain.produceData({ sctpStreamParameters: { streamId: fsOut.sctpStreamParameters.streamId, ordered: true } });
		const msSink = await msDirect.consumeData({ dataProducerId: msIn.id });
		const atMediasoup = [];
		msSink.on('message', (m) => atMediasoup.push(m.toString()));

		const expected = Array.from({ length: 200 }, (_, i) => `m${i}`);
		for (const m of expected) {
			msSource.send(m);
			fsSource.send(m);
		}
		await waitFor(() => atFerrosoup.length === 200 && atMediasoup.length === 200, 5000);
		assert.deepEqual(atFerrosoup, expected);
		assert.deepEqual(atMediasoup, expected);
	} finally {
		msWorker.close();
	}
});
