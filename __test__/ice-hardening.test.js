'use strict';

// The network side under hostile or merely unusual peers, over real
// sockets: a WebRtcServer routes only tuples that ICE authenticated, ICE-TCP
// connections keep bounded buffers, bounded work per read and back-pressure
// instead of disconnects, unauthenticated connections are closed and capped,
// and a port range that is full fails like mediasoup's.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const fs = require('node:fs');
const net = require('node:net');
const mediasoup = require('..');
const stun = require('./helpers/stun');

const REMOTE_UFRAG = 'peerufrag';

async function setup(t, { webRtcServer = false, listenInfos, workerSettings } = {}) {
	const worker = await mediasoup.createWorker({ logLevel: 'none', ...workerSettings });
	t.after(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs: [] });
	let server;
	if (webRtcServer) {
		server = await worker.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ip: '127.0.0.1', port: 0 },
				{ protocol: 'tcp', ip: '127.0.0.1', port: 0 },
			],
		});
	}
	const createTransport = () =>
		router.createWebRtcTransport(
			server ? { webRtcServer: server } : { listenInfos: listenInfos ?? [{ protocol: 'tcp', ip: '127.0.0.1' }] }
		);
	return { worker, router, server, createTransport };
}

function candidatePort(transport, protocol) {
	return transport.iceCandidates.find((c) => c.protocol === protocol).port;
}

function request(transport, { password = transport.iceParameters.password, useCandidate = true } = {}) {
	return stun.bindingRequest({
		username: `${transport.iceParameters.usernameFragment}:${REMOTE_UFRAG}`,
		password,
		useCandidate,
	});
}

async function udpSocket(address = '127.0.0.1') {
	const socket = dgram.createSocket('udp4');
	await new Promise((resolve) => socket.bind(0, address, resolve));
	return socket;
}

/** Sends a STUN request (again, as ICE agents do, if a loaded socket
 * dropped it) and resolves with the parsed answer to it. */
function exchange(socket, packet, port, attempts = 4) {
	const tid = packet.subarray(8, 20).toString('hex');
	return new Promise((resolve, reject) => {
		let sent = 0;
		const send = () => {
			if (sent++ === attempts) {
				socket.off('message', onMessage);
				reject(new Error('no STUN answer'));
				return;
			}
			socket.send(packet, port, '127.0.0.1');
			timer = setTimeout(send, 500);
		};
		let timer;
		const onMessage = (message) => {
			const parsed = stun.parse(message);
			if (parsed?.transactionId === tid) {
				clearTimeout(timer);
				socket.off('message', onMessage);
				resolve(parsed);
			}
		};
		socket.on('message', onMessage);
		send();
	});
}

/** Resolves once `condition()` holds (JS hears of state changes after the
 * peer got its answer). */
async function waitFor(condition, what, timeoutMs = 2000) {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

async function bytesReceived(transport) {
	const [stats] = await transport.getStats();
	return stats.bytesReceived;
}

test('WebRtcServer: unauthenticated STUN maps no tuple and costs no memory', async (t) => {
	const { server, createTransport } = await setup(t, { webRtcServer: true });
	const a = await createTransport();
	const b = await createTransport();
	const port = candidatePort(a, 'udp');
	// Many sources on several loopback addresses, each naming a real ufrag
	// with a wrong password.
	const sockets = [];
	for (let i = 0; i < 40; i++) {
		sockets.push(await udpSocket(`127.0.0.${1 + (i % 4)}`));
	}
	t.after(() => sockets.forEach((s) => s.close()));
	const answers = new Map();
	for (const socket of sockets) {
		socket.on('message', (m) => {
			const parsed = stun.parse(m);
			if (parsed) {
				answers.set(parsed.errorCode, (answers.get(parsed.errorCode) ?? 0) + 1);
			}
		});
	}
	for (let round = 0; round < 250; round++) {
		for (const [i, socket] of sockets.entries()) {
			socket.send(request(i % 2 ? a : b, { password: 'not-the-password' }), port, '127.0.0.1');
		}
		if (round % 25 === 24) {
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	}
	// A valid check from a fresh socket after the burst: once it is
	// answered, the worker has read all of the burst (the checks named A's
	// and B's fragments, so they count as bytes received by them).
	const probe = await udpSocket();
	t.after(() => probe.close());
	assert.equal((await exchange(probe, request(a), port)).type, 'success');
	// Then each sends what would be media: routed nowhere.
	const beforeA = await bytesReceived(a);
	const beforeB = await bytesReceived(b);
	const junk = Buffer.alloc(100, 0x80);
	for (const socket of sockets) {
		socket.send(junk, port, '127.0.0.1');
	}
	// Another check after the junk: once answered, the junk has been read.
	const answer = await exchange(probe, request(a), port);
	assert.equal(answer.type, 'success');
	// Most of them were answered (UDP may drop some under the burst).
	assert.ok((answers.get(401) ?? 0) > 5000, `401 answers: ${answers.get(401)}`);
	const probeBytes = request(a).length;
	// Only the probe (maybe sent more than once) reached A.
	const gotA = (await bytesReceived(a)) - beforeA;
	assert.ok(gotA > 0 && gotA <= 4 * probeBytes && gotA % probeBytes === 0, `A got ${gotA} bytes`);
	assert.equal(await bytesReceived(b), beforeB, 'no junk reached transport B');
	const dump = await server.dump();
	assert.deepEqual(
		dump.tupleHashes.map((h) => h.webRtcTransportId),
		[a.id],
		'only the authenticated tuple is mapped'
	);
	assert.equal(b.iceState, 'new');
});

test('WebRtcServer: a peer\'s tuple never moves to another transport on unauthenticated input', async (t) => {
	const { server, createTransport } = await setup(t, { webRtcServer: true });
	const a = await createTransport();
	const b = await createTransport();
	const port = candidatePort(a, 'udp');
	const victim = await udpSocket();
	t.after(() => victim.close());
	assert.equal((await exchange(victim, request(a), port)).type, 'success');
	await waitFor(() => a.iceState === 'completed', 'ICE completed');
	assert.equal(a.iceSelectedTuple.remotePort, victim.address().port);

	// The same source (as a spoofer would forge it) names B's ufrag without
	// B's password.
	const forged = await exchange(victim, request(b, { password: 'wrong' }), port);
	assert.equal(forged.type, 'error');
	assert.equal(forged.errorCode, 401);

	// The victim's media still reaches A, not B.
	const beforeA = await bytesReceived(a);
	const beforeB = await bytesReceived(b);
	victim.send(Buffer.alloc(100, 0x80), port, '127.0.0.1');
	const consent = request(a, { useCandidate: false });
	assert.equal((await exchange(victim, consent, port)).type, 'success');
	const gotA = (await bytesReceived(a)) - beforeA - 100;
	assert.ok(gotA > 0 && gotA % consent.length === 0, `A got ${gotA + 100} bytes`);
	assert.equal(await bytesReceived(b), beforeB);
	let dump = await server.dump();
	assert.deepEqual(dump.tupleHashes.map((h) => h.webRtcTransportId), [a.id]);

	// Authenticated input does move it (the peer really is B's now).
	assert.equal((await exchange(victim, request(b), port)).type, 'success');
	dump = await server.dump();
	assert.deepEqual(dump.tupleHashes.map((h) => h.webRtcTransportId), [b.id]);
	const beforeB2 = await bytesReceived(b);
	victim.send(Buffer.alloc(60, 0x80), port, '127.0.0.1');
	assert.equal((await exchange(victim, request(b, { useCandidate: false }), port)).type, 'success');
	assert.ok((await bytesReceived(b)) >= beforeB2 + 60);
});

/** An ICE-TCP client: frames out, frames (parsed STUN) in. */
async function tcpClient(port) {
	const socket = net.connect({ port, host: '127.0.0.1' });
	socket.setNoDelay(true);
	await new Promise((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('error', reject);
	});
	const deframe = stun.deframer();
	const answers = [];
	let waiter;
	socket.on('data', (chunk) => {
		for (const f of deframe.push(chunk)) {
			answers.push(stun.parse(f));
		}
		waiter?.();
	});
	socket.on('error', () => {});
	const closed = new Promise((resolve) => socket.once('close', resolve));
	return {
		socket,
		answers,
		closed,
		send: (packet) => socket.write(stun.frame(packet)),
		/** Resolves once `count` answers arrived (or rejects after a while). */
		waitAnswers(count, timeoutMs = 5000) {
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`${answers.length}/${count} answers`)), timeoutMs);
				waiter = () => {
					if (answers.length >= count) {
						clearTimeout(timer);
						waiter = undefined;
						resolve();
					}
				};
				waiter();
			});
		},
	};
}

/** A transport on a WebRtcServer with an ICE-TCP peer it authenticated. */
async function authenticatedTcpPeer(t) {
	const { createTransport } = await setup(t, { webRtcServer: true });
	const transport = await createTransport();
	const client = await tcpClient(candidatePort(transport, 'tcp'));
	t.after(() => client.socket.destroy());
	client.send(request(transport));
	await client.waitAnswers(1);
	assert.equal(client.answers[0].type, 'success');
	return { transport, client };
}

test('ICE-TCP: a burst of 3,000 Binding requests is all answered, the peer is not disconnected', async (t) => {
	const { transport, client } = await authenticatedTcpPeer(t);
	const burst = [];
	for (let i = 0; i < 3000; i++) {
		burst.push(stun.frame(request(transport, { useCandidate: false })));
	}
	client.socket.write(Buffer.concat(burst));
	await client.waitAnswers(3001, 15000);
	assert.equal(client.answers.filter((a) => a.type === 'success').length, 3001);
	assert.equal(client.socket.destroyed, false);
	await waitFor(() => transport.iceState === 'completed', 'ICE completed');
});

test('ICE-TCP: a flood of zero-length frames costs no more than other bytes', async (t) => {
	const { transport, client } = await authenticatedTcpPeer(t);
	// 8 MiB of zeros are 4 million empty frames, then one real request.
	const zeros = Buffer.alloc(1 << 20);
	const started = Date.now();
	let slowestDump = 0;
	let flooding = true;
	const dumps = (async () => {
		while (flooding) {
			const t0 = process.hrtime.bigint();
			await transport.dump();
			slowestDump = Math.max(slowestDump, Number(process.hrtime.bigint() - t0) / 1e6);
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
	})();
	for (let i = 0; i < 8; i++) {
		if (!client.socket.write(zeros)) {
			await new Promise((resolve) => client.socket.once('drain', resolve));
		}
	}
	client.send(request(transport, { useCandidate: false }));
	await client.waitAnswers(2, 10000);
	flooding = false;
	await dumps;
	const elapsed = Date.now() - started;
	assert.equal(client.answers[1].type, 'success');
	assert.equal(client.socket.destroyed, false);
	// Before the fix: ~1 s of worker time per MiB and dump() blocked for
	// 300 ms. Loose bounds for a busy CI machine.
	assert.ok(elapsed < 5000, `8 MiB of empty frames took ${elapsed} ms`);
	assert.ok(slowestDump < 250, `dump() took up to ${slowestDump.toFixed(1)} ms during the flood`);
});

function rssMiB() {
	return process.memoryUsage().rss / (1 << 20);
}

test('ICE-TCP: connections that sent large frames and went idle keep no buffers', async (t) => {
	const { createTransport } = await setup(t);
	const frame = stun.frame(Buffer.alloc(65535, 0x80));
	const four = Buffer.concat([frame, frame, frame, frame]);
	const clients = [];
	t.after(() => clients.forEach((c) => c.socket.destroy()));
	const transports = [];
	for (let i = 0; i < 20; i++) {
		transports.push(await createTransport());
	}
	global.gc?.();
	const before = rssMiB();
	// 8 authenticated connections per transport (ICE keeps 8 tuples), each
	// sends four 64 KiB frames of junk and idles: 160 x 256 KiB = 40 MiB if
	// buffers were kept.
	for (const transport of transports) {
		for (let i = 0; i < 8; i++) {
			const client = await tcpClient(candidatePort(transport, 'tcp'));
			clients.push(client);
			client.send(request(transport, { useCandidate: false }));
			await client.waitAnswers(1);
			client.socket.write(four);
		}
	}
	// Everything was read once a last request on each connection is answered.
	for (const [i, client] of clients.entries()) {
		client.send(request(transports[Math.floor(i / 8)], { useCandidate: false }));
	}
	await Promise.all(clients.map((c) => c.waitAnswers(2, 10000)));
	global.gc?.();
	const grown = rssMiB() - before;
	assert.ok(clients.every((c) => !c.socket.destroyed), 'authenticated peers stay connected');
	assert.ok(grown < 20, `RSS grew by ${grown.toFixed(1)} MiB`);
});

test('ICE-TCP: unauthenticated connections are closed after a few seconds, authenticated ones stay', async (t) => {
	const { createTransport } = await setup(t);
	const transport = await createTransport();
	const port = candidatePort(transport, 'tcp');
	const silent = await tcpClient(port);
	const wrongPassword = await tcpClient(port);
	const good = await tcpClient(port);
	t.after(() => [silent, wrongPassword, good].forEach((c) => c.socket.destroy()));
	wrongPassword.send(request(transport, { password: 'wrong' }));
	good.send(request(transport));
	await wrongPassword.waitAnswers(1);
	await good.waitAnswers(1);
	assert.equal(wrongPassword.answers[0].errorCode, 401);
	assert.equal(good.answers[0].type, 'success');
	const started = Date.now();
	await Promise.all([silent.closed, wrongPassword.closed]);
	const waited = Date.now() - started;
	assert.ok(waited > 3000 && waited < 9000, `closed after ${waited} ms`);
	// The authenticated one is still served.
	good.send(request(transport, { useCandidate: false }));
	await good.waitAnswers(2);
	assert.equal(good.socket.destroyed, false);
});

function openFds() {
	return fs.readdirSync('/proc/self/fd').length;
}

test('ICE-TCP: 2,000 idle connections to a WebRtcServer neither hold descriptors nor starve a real peer', async (t) => {
	const warnings = [];
	mediasoup.setLogEventListeners({ onwarn: (namespace, log) => warnings.push(log) });
	t.after(() => mediasoup.setLogEventListeners(undefined));
	const { createTransport } = await setup(t, { webRtcServer: true, workerSettings: { logLevel: 'warn' } });
	const transport = await createTransport();
	const port = candidatePort(transport, 'tcp');
	const baseline = openFds();
	const idle = new Set();
	t.after(() => idle.forEach((s) => s.destroy()));
	for (let batch = 0; batch < 10; batch++) {
		const sockets = [];
		for (let i = 0; i < 200; i++) {
			const socket = net.connect({ port, host: '127.0.0.1' });
			socket.on('error', () => {});
			// The server closes the oldest ones: let them go.
			socket.on('end', () => socket.destroy());
			socket.on('close', () => idle.delete(socket));
			idle.add(socket);
			sockets.push(
				new Promise((resolve) => {
					socket.once('connect', resolve);
					socket.once('close', resolve);
					setTimeout(resolve, 3000);
				})
			);
		}
		await Promise.all(sockets);
	}
	await new Promise((resolve) => setTimeout(resolve, 200));
	const heldByWorker = openFds() - baseline - idle.size;
	assert.ok(heldByWorker <= 64, `the worker holds ${heldByWorker} descriptors for idle connections`);

	const peer = await tcpClient(port);
	t.after(() => peer.socket.destroy());
	peer.send(request(transport));
	await peer.waitAnswers(1);
	assert.equal(peer.answers[0].type, 'success');
	await waitFor(() => transport.iceState === 'completed', 'ICE completed');
	assert.ok(
		warnings.some((w) => /too many unauthenticated ICE-TCP connections/.test(w)),
		'the worker says why it closed connections'
	);
});

test('a full port range fails with mediasoup\'s error, and closing a transport frees its port', async (t) => {
	const rtcMinPort = 20000 + Math.floor(Math.random() * 20000);
	const rtcMaxPort = rtcMinPort + 9;
	const worker = await mediasoup.createWorker({ logLevel: 'none', rtcMinPort, rtcMaxPort });
	t.after(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs: [] });
	const options = { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] };
	const transports = [];
	for (let i = 0; i < 10; i++) {
		transports.push(await router.createWebRtcTransport(options));
	}
	const ports = new Set(transports.map((tr) => tr.iceCandidates[0].port));
	assert.equal(ports.size, 10);
	assert.ok([...ports].every((p) => p >= rtcMinPort && p <= rtcMaxPort));
	await assert.rejects(router.createWebRtcTransport(options), (error) => {
		assert.equal(error.constructor, Error);
		assert.match(error.message, /no more available ports \[protocol:udp, ip:'127\.0\.0\.1', numAttempt:10\]/);
		return true;
	});
	const freed = transports[3].iceCandidates[0].port;
	transports[3].close();
	const again = await router.createWebRtcTransport(options);
	assert.equal(again.iceCandidates[0].port, freed);
});
