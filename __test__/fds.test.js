'use strict';

// File descriptors are released when their object closes, not when it is
// garbage collected: workers (epoll, eventfd), routers, transports (UDP and
// TCP, with accepted connections) and WebRtcServers. Handles stay
// referenced throughout, so GC cannot be what frees them.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const mediasoup = require('..');

const LOCALHOST = '127.0.0.1';

// Whatever a failed test left open must not keep node alive.
const created = [];
mediasoup.observer.on('newworker', worker => created.push(worker));
after(() => created.forEach(worker => worker.close()));

const fdCount = () => fs.readdirSync('/proc/self/fd').length;

/**
 * Waits (briefly) for the fd count to come back to `expected`: a worker
 * thread finishes its teardown right after close(), usually before it
 * returns, but a loaded machine may delay it by a few ms.
 */
async function settlesAt(expected, what) {
	const deadline = Date.now() + 2_000;
	let count = fdCount();
	while (count !== expected && Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 10));
		count = fdCount();
	}
	assert.equal(count, expected, `${what}: ${count} fds open, expected ${expected}`);
}

/** Opens TCP connections to `port` and waits until they are established. */
async function connectTcp(port, n) {
	const sockets = await Promise.all(
		Array.from(
			{ length: n },
			() =>
				new Promise((resolve, reject) => {
					const socket = net.connect(port, LOCALHOST, () => resolve(socket));
					socket.on('error', reject);
				})
		)
	);
	// Let the worker accept them.
	await new Promise(resolve => setTimeout(resolve, 50));
	return sockets;
}

async function destroyAll(sockets) {
	await Promise.all(
		sockets.map(socket =>
			socket.closed
				? undefined
				: new Promise(resolve => socket.once('close', resolve).destroy())
		)
	);
}

/** A worker full of socket-owning objects, plus client TCP connections to it. */
async function populate(worker) {
	const router = await worker.createRouter();
	const webRtcServer = await worker.createWebRtcServer({
		listenInfos: [
			{ protocol: 'udp', ip: LOCALHOST, port: 0 },
			{ protocol: 'tcp', ip: LOCALHOST, port: 0 },
		],
	});
	const transports = [
		await router.createWebRtcTransport({
			listenInfos: [
				{ protocol: 'udp', ip: LOCALHOST },
				{ protocol: 'tcp', ip: LOCALHOST },
			],
		}),
		await router.createWebRtcTransport({ webRtcServer }),
		await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCALHOST }, rtcpMux: false }),
		await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCALHOST }, rtcpMux: true }),
	];
	const tcpPort = transports[0].iceCandidates.find(c => c.protocol === 'tcp').port;
	const serverTcpPort = (await webRtcServer.dump()).tcpServers[0].port;
	const clients = [...(await connectTcp(tcpPort, 2)), ...(await connectTcp(serverTcpPort, 2))];
	return { router, webRtcServer, transports, clients };
}

test('warm-up: node opens its own lazily created fds', async () => {
	// TCP clients, timers, the addon's first worker...: everything the
	// counting tests below use, so that their baselines are stable.
	const worker = await mediasoup.createWorker();
	const { clients } = await populate(worker);
	await destroyAll(clients);
	worker.close();
	await new Promise(resolve => setTimeout(resolve, 100));
});

test('closed workers release every fd, though still referenced', async () => {
	const baseline = fdCount();
	const workers = [];
	for (let i = 0; i < 20; i++) {
		workers.push(await mediasoup.createWorker());
	}
	await Promise.all(workers.map(w => w.createRouter()));
	assert.ok(fdCount() > baseline);
	for (const worker of workers) {
		worker.close();
	}
	await settlesAt(baseline, '20 closed workers');
	assert.equal(workers.length, 20);
});

test('closing routers, transports and WebRtcServers releases their sockets', async () => {
	const worker = await mediasoup.createWorker();
	await worker.dump();
	const withWorker = fdCount();
	const first = await populate(worker);
	const second = await populate(worker);
	const populated = fdCount();
	assert.ok(populated > withWorker + 10, `${populated} vs ${withWorker}`);

	// Transports one by one, then the server, then the router.
	for (const transport of first.transports) {
		transport.close();
	}
	first.webRtcServer.close();
	first.router.close();
	// A request queued after the closes is answered after them.
	await worker.dump();
	await destroyAll(first.clients);
	await settlesAt(withWorker + (populated - withWorker) / 2, 'first set closed');

	// The router's close takes its transports with it.
	second.router.close();
	second.webRtcServer.close();
	await worker.dump();
	await destroyAll(second.clients);
	await settlesAt(withWorker, 'second set closed');
	assert.equal(first.transports.every(t => t.closed) && second.transports.every(t => t.closed), true);
	worker.close();
});

test('closing a worker releases the sockets of everything it held', async () => {
	const baseline = fdCount();
	const workers = [];
	const held = [];
	for (let i = 0; i < 3; i++) {
		const worker = await mediasoup.createWorker();
		workers.push(worker);
		held.push(await populate(worker));
	}
	assert.ok(fdCount() > baseline + 30);
	for (const worker of workers) {
		worker.close();
	}
	for (const { clients } of held) {
		await destroyAll(clients);
	}
	await settlesAt(baseline, '3 closed workers with routers, transports, servers');
	assert.equal(held.length, 3);
});
