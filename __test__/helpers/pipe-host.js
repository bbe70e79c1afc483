'use strict';

// One "host" of the cross-host pipe test (__test__/pipe.test.js), run as its
// own Node process (in a network namespace when the test can make them):
// a worker and a router driven by JSON commands on stdin, one per line
// ({ rpc, op, ...args }), answered on stdout ({ rpc, ok, result | error }).
// What pipeToRouter() does inside one process is done here across two, by
// the test relaying the answers: pipe transports created, connected to each
// other, a pipe consumer on one host and its producer on the other.

const dgram = require('node:dgram');
const readline = require('node:readline');
const mediasoup = require('../..');

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const state = { worker: null, router: null, pipe: null, ingest: null, producers: new Map(), consumers: [] };

/**
 * A UDP relay on the link between the hosts, dropping `loss` of the
 * datagrams each way and delaying the rest by `delayMs` (what `tc netem`
 * does, for kernels without it). The local pipe talks to `near`; `far`
 * talks to the other host's pipe.
 */
async function startRelay({ nearIp, farIp, loss, delayMs, seed = 1 }) {
	const bind = ip =>
		new Promise((resolve, reject) => {
			const socket = dgram.createSocket('udp4');
			socket.once('error', reject);
			socket.bind(0, ip, () => resolve(socket));
		});
	const near = await bind(nearIp);
	const far = await bind(farIp);
	let random = seed >>> 0;
	const roll = () => {
		random = (random * 1664525 + 1013904223) >>> 0;
		return random / 2 ** 32;
	};
	const relay = { near, far, localPipe: null, remotePipe: null, dropped: 0, forwarded: 0 };
	const pass = (socket, to, buf) => {
		if (!to) {
			return;
		}
		if (roll() < loss) {
			relay.dropped++;
			return;
		}
		relay.forwarded++;
		setTimeout(() => socket.send(buf, to.port, to.address), delayMs);
	};
	near.on('message', (buf, rinfo) => {
		relay.localPipe = rinfo;
		pass(far, relay.remotePipe, buf);
	});
	far.on('message', buf => pass(near, relay.localPipe, buf));
	return relay;
}

const ops = {
	async setup() {
		state.worker = await mediasoup.createWorker({ logLevel: 'warn' });
		state.router = await state.worker.createRouter({ mediaCodecs });
		return { pid: process.pid };
	},

	async createPipe({ ip, enableSrtp, enableRtx }) {
		state.pipe = await state.router.createPipeTransport({ listenInfo: { protocol: 'udp', ip }, enableSrtp, enableRtx });
		return { tuple: state.pipe.tuple, srtpParameters: state.pipe.srtpParameters };
	},

	/** The link's relay: returns the far address the other host connects to. */
	async startRelay(args) {
		state.relay = await startRelay(args);
		return { near: state.relay.near.address(), far: state.relay.far.address() };
	},

	/** Tells the relay where the other host's pipe is. */
	async relayTo({ address, port }) {
		state.relay.remotePipe = { address, port };
		return {};
	},

	async connectPipe({ ip, port, srtpParameters }) {
		await state.pipe.connect({ ip, port, srtpParameters });
		return { tuple: state.pipe.tuple };
	},

	/** A comedia PlainTransport on loopback for a local sender (GStreamer). */
	async createIngest() {
		state.ingest = await state.router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: true,
			comedia: true,
		});
		return { port: state.ingest.tuple.localPort };
	},

	async produce({ kind, rtpParameters }) {
		const producer = await state.ingest.produce({ kind, rtpParameters });
		state.producers.set(producer.id, producer);
		return { id: producer.id };
	},

	/** pipeToRouter()'s first half: the pipe consumer of a local producer. */
	async pipeConsume({ producerId }) {
		const consumer = await state.pipe.consume({ producerId });
		state.consumers.push(consumer);
		return { kind: consumer.kind, rtpParameters: consumer.rtpParameters, producerPaused: consumer.producerPaused };
	},

	/** Its second half, on the other host: the pipe producer. */
	async pipeProduce({ id, kind, rtpParameters, paused }) {
		const producer = await state.pipe.produce({ id, kind, rtpParameters, paused });
		state.producers.set(producer.id, producer);
		return { id: producer.id };
	},

	/** A PlainTransport sending `producerId` to a local receiver's port. */
	async consumeTo({ producerId, port }) {
		const transport = await state.router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: true,
			comedia: false,
		});
		await transport.connect({ ip: '127.0.0.1', port });
		const consumer = await transport.consume({ producerId, rtpCapabilities: state.router.rtpCapabilities });
		state.consumers.push(consumer);
		return { rtpParameters: consumer.rtpParameters };
	},

	async stats() {
		const producers = {};
		for (const [id, producer] of state.producers) {
			producers[id] = await producer.getStats();
		}
		const consumers = await Promise.all(state.consumers.map(c => c.getStats().then(stats => ({ type: c.type, stats }))));
		return {
			pipe: state.pipe ? (await state.pipe.getStats())[0] : null,
			producers,
			consumers,
			relay: state.relay ? { dropped: state.relay.dropped, forwarded: state.relay.forwarded } : null,
		};
	},

	async close() {
		state.worker?.close();
		state.relay?.near.close();
		state.relay?.far.close();
		setImmediate(() => process.exit(0));
		return {};
	},
};

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async line => {
	let command;
	try {
		command = JSON.parse(line);
	} catch {
		return;
	}
	const { rpc, op, ...args } = command;
	try {
		const result = await ops[op](args);
		process.stdout.write(`${JSON.stringify({ rpc, ok: true, result })}\n`);
	} catch (error) {
		process.stdout.write(`${JSON.stringify({ rpc, ok: false, error: `${error.name}: ${error.message}` })}\n`);
	}
});
lines.on('close', () => {
	state.worker?.close();
	process.exit(0);
});
