'use strict';

// Worker lifecycle, settings validation, dump/resource usage, panics and
// process exit, against the real addon.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');
const crypto = require('node:crypto');
const mediasoup = require('..');
const { WorkerClosedError, InvalidStateError } = mediasoup.errors;
const { enhancedOnce } = mediasoup.extras;
const { makeCertificatePair } = require('./helpers/certs');
const { testHook } = require('../js/testHooks');

async function closeAndWait(worker) {
	worker.close();
	if (!worker.subprocessClosed) {
		await enhancedOnce(worker, 'subprocessclose');
	}
}

test('createWorker() resolves a running WorkerImpl and emits newworker', async () => {
	let observed;
	mediasoup.observer.once('newworker', w => (observed = w));
	const worker = await mediasoup.createWorker({ appData: { foo: 1 } });
	assert.equal(observed, worker);
	assert.equal(worker.constructor.name, 'WorkerImpl');
	assert.equal(worker.pid, process.pid);
	assert.equal(worker.closed, false);
	assert.equal(worker.died, false);
	assert.equal(worker.subprocessClosed, false);
	assert.deepEqual(worker.appData, { foo: 1 });
	worker.appData = { bar: 2 };
	assert.deepEqual(worker.appData, { bar: 2 });
	await closeAndWait(worker);
	assert.equal(worker.closed, true);
	assert.equal(worker.subprocessClosed, true);
	assert.equal(worker.died, false);
});

test('createWorker() rejects invalid settings with TypeError', async () => {
	const invalid = [
		{ logLevel: 'chicken' },
		{ rtcMinPort: 1000, rtcMaxPort: 999 },
		{ rtcMinPort: 1000, rtcMaxPort: 65536 },
		{ rtcMinPort: -5 },
		{ rtcMinPort: 10.5 },
		{ dtlsCertificateFile: '/notfound/cert.pem' },
		{ dtlsPrivateKeyFile: '/notfound/priv.pem' },
		{ dtlsCertificateFile: '/notfound/cert.pem', dtlsPrivateKeyFile: '/notfound/priv.pem' },
		{ appData: 'NOT-AN-OBJECT' },
	];
	for (const settings of invalid) {
		await assert.rejects(mediasoup.createWorker(settings), TypeError, JSON.stringify(settings));
	}
	// mediasoup hands a setting to its worker only if it has the right
	// type: one of another type means the default.
	for (const settings of [{ logLevel: 42 }, { rtcMaxPort: 'x' }, { logTags: 'info' }, { dtlsCertificateFile: 5 }]) {
		const worker = await mediasoup.createWorker(settings);
		await closeAndWait(worker);
	}
});

test('createWorker() rejects a workerBin that does not exist with Error', async () => {
	await assert.rejects(mediasoup.createWorker({ workerBin: '/tmp/foo/mediasoup-worker' }), Error);
	// The default one is accepted.
	const worker = await mediasoup.createWorker({ workerBin: mediasoup.workerBin });
	await closeAndWait(worker);
});

test('createWorker() loads a PEM certificate pair and accepts every setting', async () => {
	const { certFile, keyFile } = makeCertificatePair();
	const worker = await mediasoup.createWorker({
		logLevel: 'debug',
		logTags: ['info', 'ice', 'not-a-tag'],
		rtcMinPort: 0,
		rtcMaxPort: 9999,
		dtlsCertificateFile: certFile,
		dtlsPrivateKeyFile: keyFile,
		libwebrtcFieldTrials: 'WebRTC-Bwe-AlrLimitedBackoff/Disabled/',
		appData: { foo: 456 },
	});
	assert.deepEqual(worker.appData, { foo: 456 });
	await closeAndWait(worker);
	// A key file that holds no key is refused, with an Error as mediasoup's
	// worker aborts on it.
	await assert.rejects(
		mediasoup.createWorker({ dtlsCertificateFile: certFile, dtlsPrivateKeyFile: certFile }),
		error => error.constructor === Error
	);
});

test('worker.dump() and getResourceUsage() have mediasoup shapes', async () => {
	const worker = await mediasoup.createWorker();
	assert.deepEqual(await worker.dump(), {
		pid: process.pid,
		webRtcServerIds: [],
		routerIds: [],
		channelMessageHandlers: { channelRequestHandlers: [], channelNotificationHandlers: [] },
	});
	const router = await worker.createRouter();
	const dump = await worker.dump();
	assert.deepEqual(dump.routerIds, [router.id]);
	assert.deepEqual(dump.channelMessageHandlers.channelRequestHandlers, [router.id]);
	const usage = await worker.getResourceUsage();
	const fields = [
		'ru_utime', 'ru_stime', 'ru_maxrss', 'ru_ixrss', 'ru_idrss', 'ru_isrss', 'ru_minflt',
		'ru_majflt', 'ru_nswap', 'ru_inblock', 'ru_oublock', 'ru_msgsnd', 'ru_msgrcv',
		'ru_nsignals', 'ru_nvcsw', 'ru_nivcsw',
	];
	assert.deepEqual(Object.keys(usage).sort(), [...fields].sort());
	for (const field of fields) {
		assert.ok(Number.isInteger(usage[field]) && usage[field] >= 0, field);
	}
	// ru_maxrss is the process' peak RSS in KiB: at least a few MiB for node.
	assert.ok(usage.ru_maxrss > 10_000);
	await closeAndWait(worker);
});

test('an idle worker sleeps until its next deadline instead of ticking', async () => {
	const worker = await mediasoup.createWorker({ logLevel: 'none' });
	try {
		const router = await worker.createRouter({
			mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
		});
		// Objects with no traffic: nothing of theirs is due.
		await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
		await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
		await router.createActiveSpeakerObserver({ interval: 300 });
		await new Promise((resolve) => setTimeout(resolve, 300));
		const before = await worker.getResourceUsage();
		await new Promise((resolve) => setTimeout(resolve, 2000));
		const after = await worker.getResourceUsage();
		// Every wake-up of the worker thread is a voluntary context switch:
		// a fixed 20 ms tick would make about 100 in 2 s. The active speaker
		// observer's 300 ms interval (7 in 2 s) and the two requests remain.
		const wakeups = after.ru_nvcsw - before.ru_nvcsw;
		assert.ok(wakeups <= 20, `worker woke ${wakeups} times in 2 s while idle`);
		const cpuMs = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime;
		assert.ok(cpuMs <= 20, `idle worker used ${cpuMs} ms of CPU in 2 s`);
	} finally {
		worker.close();
	}
});

test('worker.updateSettings() validates like mediasoup', async () => {
	const worker = await mediasoup.createWorker();
	assert.equal(await worker.updateSettings({ logLevel: 'debug', logTags: ['ice'] }), undefined);
	await assert.rejects(worker.updateSettings({ logLevel: 'chicken' }), TypeError);
	await closeAndWait(worker);
});

test('methods of a closed worker reject with WorkerClosedError', async () => {
	const worker = await mediasoup.createWorker();
	let observerClosed = 0;
	worker.observer.on('close', () => observerClosed++);
	worker.close();
	worker.close();
	assert.equal(observerClosed, 1);
	for (const call of [
		() => worker.dump(),
		() => worker.getResourceUsage(),
		() => worker.updateSettings({ logLevel: 'error' }),
		() => worker.createRouter(),
	]) {
		await assert.rejects(call(), WorkerClosedError);
		// Apps written for mediasoup <= 3.19 catch InvalidStateError.
		await assert.rejects(call(), InvalidStateError);
	}
	await enhancedOnce(worker, 'subprocessclose');
});

test('pending requests are rejected when the worker closes', async () => {
	const worker = await mediasoup.createWorker();
	const pending = worker.dump();
	worker.close();
	await assert.rejects(pending, WorkerClosedError);
});

test('a panic kills only its own worker, with died', async () => {
	const doomed = await mediasoup.createWorker();
	const healthy = await mediasoup.createWorker();
	const router = await doomed.createRouter();
	let routerWorkerClose = 0;
	router.on('workerclose', () => routerWorkerClose++);
	const died = enhancedOnce(doomed, 'died');
	const subprocessClose = enhancedOnce(doomed, 'subprocessclose');
	assert.equal(testHook(doomed, 'panic'), true);
	// Queued behind the panic (or sent after the thread is already gone):
	// rejected either way. The handler is attached now so that an early
	// rejection is not reported as unhandled.
	const pending = assert.rejects(doomed.dump(), WorkerClosedError);
	const [error] = await died;
	await subprocessClose;
	assert.ok(error instanceof Error);
	assert.match(error.message, /panic/);
	assert.equal(doomed.died, true);
	assert.equal(doomed.closed, true);
	assert.equal(doomed.subprocessClosed, true);
	assert.equal(router.closed, true);
	assert.equal(routerWorkerClose, 1);
	await pending;
	await assert.rejects(doomed.dump(), WorkerClosedError);
	// The other worker keeps working.
	const healthyRouter = await healthy.createRouter();
	assert.deepEqual((await healthy.dump()).routerIds, [healthyRouter.id]);
	await closeAndWait(healthy);
});

test('test hooks are not part of the public API', async () => {
	const worker = await mediasoup.createWorker();
	assert.equal(worker.panicForTesting, undefined);
	const names = new Set();
	for (let o = worker; o; o = Object.getPrototypeOf(o)) {
		for (const name of Object.getOwnPropertyNames(o)) names.add(name);
	}
	assert.deepEqual([...names].filter(n => /hook|panic/i.test(n)), []);
	// Only reachable by path inside the package, not through its exports.
	assert.throws(() => require('ferrosoup/js/testHooks'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
	await closeAndWait(worker);
});

test('node exits on its own after the last worker closes', () => {
	const script = `
		const mediasoup = require(${JSON.stringify(path.join(__dirname, '..'))});
		(async () => {
			const workers = await Promise.all([1, 2, 3].map(() => mediasoup.createWorker()));
			await Promise.all(workers.map(w => w.createRouter()));
			for (const w of workers) w.close();
			console.log('closed');
		})();
	`;
	const started = Date.now();
	const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
	assert.equal(result.status, 0, result.stderr);
	assert.equal(result.stdout.trim(), 'closed');
	assert.ok(Date.now() - started < 5_000);
});

test('an open worker keeps node alive until closed, like a subprocess', () => {
	const script = `
		const mediasoup = require(${JSON.stringify(path.join(__dirname, '..'))});
		mediasoup.createWorker().then(w => setTimeout(() => { console.log('closing'); w.close(); }, 300));
	`;
	const started = Date.now();
	const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
	assert.equal(result.status, 0, result.stderr);
	assert.equal(result.stdout.trim(), 'closing');
	assert.ok(Date.now() - started >= 300);
});

test('a worker that died does not keep node alive', () => {
	const script = `
		const mediasoup = require(${JSON.stringify(path.join(__dirname, '..'))});
		const { testHook } = require(${JSON.stringify(path.join(__dirname, '..', 'js', 'testHooks'))});
		mediasoup.createWorker().then(w => {
			w.on('died', () => console.log('died'));
			testHook(w, 'panic');
		});
	`;
	const result = spawnSync(process.execPath, ['-e', script], {
		encoding: 'utf8',
		timeout: 10_000,
		env: { ...process.env, RUST_BACKTRACE: '0' },
	});
	assert.equal(result.status, 0, result.stderr);
	assert.equal(result.stdout.trim(), 'died');
});

test('SIGINT closes workers the way mediasoup does', () => {
	const script = `
		const mediasoup = require(${JSON.stringify(path.join(__dirname, '..'))});
		mediasoup.createWorker().then(w => {
			w.observer.on('close', () => console.log('worker closed'));
			process.kill(process.pid, 'SIGINT');
		});
	`;
	const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
	assert.equal(result.stdout.trim(), 'worker closed');
	// With no SIGINT listener of the app's own, Node's default action.
	assert.equal(result.signal, 'SIGINT', result.stderr);
});

test('SIGTERM ends a process kept alive by a server, as in a mediasoup app without a handler', () => {
	const script = `
		const http = require('node:http');
		const mediasoup = require(${JSON.stringify(path.join(__dirname, '..'))});
		http.createServer().listen(0, '127.0.0.1', async () => {
			const workers = [await mediasoup.createWorker(), await mediasoup.createWorker()];
			for (const w of workers) w.observer.on('close', () => console.log('worker closed'));
			process.kill(process.pid, 'SIGTERM');
			setTimeout(() => console.log('still alive'), 2000);
		});
	`;
	const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
	assert.deepEqual(result.stdout.trim().split('\n'), ['worker closed', 'worker closed']);
	assert.equal(result.signal, 'SIGTERM', `${result.stdout}${result.stderr}`);
});

test("an app's own SIGTERM handler decides when the process ends", () => {
	const script = `
		const http = require('node:http');
		const mediasoup = require(${JSON.stringify(path.join(__dirname, '..'))});
		const server = http.createServer().listen(0, '127.0.0.1', async () => {
			const worker = await mediasoup.createWorker();
			process.on('SIGTERM', () => {
				console.log('handler: worker closed ' + worker.closed);
				setTimeout(() => { console.log('graceful exit'); server.close(); }, 200);
			});
			process.kill(process.pid, 'SIGTERM');
		});
	`;
	const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
	assert.equal(result.signal, null, result.stderr);
	assert.equal(result.status, 0, result.stderr);
	assert.deepEqual(result.stdout.trim().split('\n'), ['handler: worker closed true', 'graceful exit']);
});

test('listener errors go to listenererror, not to the caller', async () => {
	const worker = await mediasoup.createWorker();
	const seen = [];
	worker.observer.on('listenererror', (eventName, error) => seen.push([eventName, error.message]));
	worker.observer.on('newrouter', () => {
		throw new Error('boom');
	});
	await worker.createRouter();
	assert.deepEqual(seen, [['newrouter', 'boom']]);
	await closeAndWait(worker);
});

test('workerBin names the binary workers run in', () => {
	const bin = process.env.MEDIASOUP_WORKER_BIN;
	if (bin) {
		assert.equal(mediasoup.workerBin, bin);
	} else {
		assert.match(path.basename(mediasoup.workerBin), /^ferrosoup\..*\.node$/);
		// It is the file the addon was really loaded from.
		const loaded = execFileSync(
			process.execPath,
			['-e', `require(${JSON.stringify(path.join(__dirname, '..'))}); console.log(Object.keys(require.cache).filter(k => k.endsWith('.node')).join())`],
			{ encoding: 'utf8' }
		).trim();
		assert.equal(loaded, mediasoup.workerBin);
	}
	assert.ok(crypto.randomUUID());
});
