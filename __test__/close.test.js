'use strict';

// close() never waits behind queued work: worker.close() overtakes the
// worker's queue and returns within a few ms, even when the worker thread is
// wedged; router.close() and transport.close() return at once under load and
// the worker keeps answering.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const mediasoup = require('..');
const { WorkerClosedError } = mediasoup.errors;
const { enhancedOnce } = mediasoup.extras;

const ROOT = path.join(__dirname, '..');
const HOOKS = path.join(ROOT, 'js', 'testHooks');
// Generous for a loaded CI machine; what matters is that it does not grow
// with the queue (10,000 requests took 60-300 ms before).
const CLOSE_BUDGET_MS = 50;

const ms = since => Number(process.hrtime.bigint() - since) / 1e6;

function runNode(script, { timeout = 15_000, env = {} } = {}) {
	const started = Date.now();
	const result = spawnSync(process.execPath, ['-e', script], {
		encoding: 'utf8',
		timeout,
		env: { ...process.env, ...env },
	});
	return { ...result, elapsed: Date.now() - started };
}

test('worker.close() overtakes 10,000 queued requests and rejects them all', async () => {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter();
	const pending = [];
	for (let i = 0; i < 10_000; i++) {
		pending.push(i % 2 ? router.dump() : worker.getResourceUsage());
	}
	const subprocessClose = enhancedOnce(worker, 'subprocessclose');
	const started = process.hrtime.bigint();
	worker.close();
	const closeMs = ms(started);
	assert.ok(closeMs < CLOSE_BUDGET_MS, `close() took ${closeMs.toFixed(1)} ms`);
	assert.equal(worker.closed, true);
	assert.equal(router.closed, true);
	const results = await Promise.allSettled(pending);
	for (const result of results) {
		assert.equal(result.status, 'rejected');
		assert.ok(result.reason instanceof WorkerClosedError, String(result.reason));
	}
	await subprocessClose;
	assert.equal(worker.subprocessClosed, true);
});

test('after close() behind a queue, node exits on its own', () => {
	const script = `
		const mediasoup = require(${JSON.stringify(ROOT)});
		(async () => {
			const worker = await mediasoup.createWorker();
			const pending = [];
			for (let i = 0; i < 10000; i++) pending.push(worker.dump().catch(e => e));
			const started = process.hrtime.bigint();
			worker.close();
			const closeMs = Number(process.hrtime.bigint() - started) / 1e6;
			worker.on('subprocessclose', () => console.log('subprocessclose'));
			const results = await Promise.all(pending);
			const rejected = results.filter(r => r instanceof mediasoup.errors.WorkerClosedError).length;
			console.log(JSON.stringify({ closeMs, rejected }));
		})();
	`;
	const result = runNode(script);
	assert.equal(result.status, 0, result.stderr);
	const [first, second] = result.stdout.trim().split('\n');
	const report = JSON.parse(first);
	assert.equal(second, 'subprocessclose');
	assert.equal(report.rejected, 10_000);
	assert.ok(report.closeMs < CLOSE_BUDGET_MS, first);
	assert.ok(result.elapsed < 5_000, `child took ${result.elapsed} ms`);
});

test('a wedged worker thread is detached, reported, and does not keep node alive', () => {
	// The thread sleeps 6 s ignoring close; the child must be gone well before.
	const script = `
		const mediasoup = require(${JSON.stringify(ROOT)});
		const { testHook } = require(${JSON.stringify(HOOKS)});
		(async () => {
			const worker = await mediasoup.createWorker();
			await worker.createRouter();
			testHook(worker, 'block', 6000);
			const pending = [];
			for (let i = 0; i < 1000; i++) pending.push(worker.dump().catch(e => e));
			const started = process.hrtime.bigint();
			worker.close();
			const closeMs = Number(process.hrtime.bigint() - started) / 1e6;
			worker.on('subprocessclose', () => console.log('subprocessclose'));
			const results = await Promise.all(pending);
			const rejected = results.filter(r => r instanceof mediasoup.errors.WorkerClosedError).length;
			console.log(JSON.stringify({ closeMs, rejected }));
			// Stay long enough for the wedge to be reported.
			setTimeout(() => {}, 1000);
		})();
	`;
	const result = runNode(script, { env: { DEBUG: 'mediasoup:WARN*' } });
	assert.equal(result.status, 0, result.stderr);
	const [line, subprocessClose] = result.stdout.trim().split('\n');
	assert.equal(subprocessClose, 'subprocessclose');
	const report = JSON.parse(line);
	assert.equal(report.rejected, 1000);
	assert.ok(report.closeMs < CLOSE_BUDGET_MS, line);
	assert.match(result.stderr, /mediasoup:WARN:Worker worker thread still running .* \(wedged\?\)/);
	assert.ok(result.elapsed < 4_500, `child took ${result.elapsed} ms`);
});

test('SIGINT with a wedged worker thread still lets node exit', () => {
	const script = `
		const mediasoup = require(${JSON.stringify(ROOT)});
		const { testHook } = require(${JSON.stringify(HOOKS)});
		mediasoup.createWorker().then(w => {
			w.observer.on('close', () => console.log('worker closed'));
			testHook(w, 'block', 6000);
			process.kill(process.pid, 'SIGINT');
		});
	`;
	const result = runNode(script);
	// Ended by the signal itself (the app has no listener), not held by
	// the wedged thread.
	assert.equal(result.signal, 'SIGINT', result.stderr);
	assert.equal(result.stdout.trim(), 'worker closed');
	assert.ok(result.elapsed < 4_500, `child took ${result.elapsed} ms`);
});

test('router.close() returns at once behind 10,000 queued requests; the worker answers next', async () => {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter();
	const other = await worker.createRouter();
	const queued = [];
	for (let i = 0; i < 10_000; i++) {
		queued.push(other.dump());
	}
	const started = process.hrtime.bigint();
	router.close();
	const closeMs = ms(started);
	assert.ok(closeMs < CLOSE_BUDGET_MS, `router.close() took ${closeMs.toFixed(1)} ms`);
	assert.equal(router.closed, true);
	await assert.rejects(router.dump(), Error);
	const asked = process.hrtime.bigint();
	const dump = await worker.dump();
	const answeredMs = ms(asked);
	assert.deepEqual(dump.routerIds, [other.id]);
	assert.ok(answeredMs < 5_000, `worker answered after ${answeredMs.toFixed(0)} ms`);
	assert.equal((await Promise.all(queued)).length, 10_000);
	worker.close();
});

/** A child process sending RTP-looking datagrams to `port` as fast as it can. */
function udpFlood(port) {
	const script = `
		const dgram = require('node:dgram');
		const socket = dgram.createSocket('udp4');
		const packet = Buffer.alloc(200);
		packet[0] = 0x80; packet[1] = 100;
		let seq = 0;
		(function burst() {
			for (let i = 0; i < 200; i++) {
				packet.writeUInt16BE(seq++ & 0xffff, 2);
				packet.writeUInt32BE(0x11223344, 8);
				socket.send(packet, ${port}, '127.0.0.1');
			}
			setImmediate(burst);
		})();
		process.stdout.write('flooding\\n');
	`;
	const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
	const started = new Promise(resolve => child.stdout.once('data', resolve));
	return { child, started };
}

test('transport.close() returns at once while UDP floods it; the worker keeps answering', async () => {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter();
	const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
	const flooded = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
	const bystander = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
	const { child, started } = udpFlood(flooded.tuple.localPort);
	try {
		await started;
		await new Promise(resolve => setTimeout(resolve, 300));
		// The worker is busy with the flood but still answers.
		let asked = process.hrtime.bigint();
		assert.equal((await worker.dump()).routerIds.length, 1);
		assert.ok(ms(asked) < 2_000, `answered after ${ms(asked).toFixed(0)} ms under flood`);
		const closing = process.hrtime.bigint();
		flooded.close();
		const closeMs = ms(closing);
		assert.ok(closeMs < CLOSE_BUDGET_MS, `transport.close() took ${closeMs.toFixed(1)} ms`);
		assert.equal(flooded.closed, true);
		asked = process.hrtime.bigint();
		const dump = await router.dump();
		assert.ok(ms(asked) < 2_000, `answered after ${ms(asked).toFixed(0)} ms`);
		assert.deepEqual(dump.transportIds, [bystander.id]);
	} finally {
		child.kill();
	}
	const closing = process.hrtime.bigint();
	worker.close();
	assert.ok(ms(closing) < CLOSE_BUDGET_MS);
	assert.equal(bystander.closed, true);
});

test('worker.close() while UDP floods a transport returns within a few ms', async () => {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter();
	const transport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		rtcpMux: true,
		comedia: true,
	});
	const { child, started } = udpFlood(transport.tuple.localPort);
	try {
		await started;
		await new Promise(resolve => setTimeout(resolve, 300));
		const pending = [];
		for (let i = 0; i < 1000; i++) pending.push(router.dump());
		const closing = process.hrtime.bigint();
		worker.close();
		const closeMs = ms(closing);
		assert.ok(closeMs < CLOSE_BUDGET_MS, `close() took ${closeMs.toFixed(1)} ms`);
		for (const result of await Promise.allSettled(pending)) {
			assert.ok(result.reason instanceof WorkerClosedError);
		}
	} finally {
		child.kill();
	}
});
