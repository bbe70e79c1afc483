'use strict';

// Top-level exports: version, capabilities table, scalability modes, log
// listeners, the exports map and runtime shape of the module.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const mediasoup = require('..');
const { referenceSupportedRtpCapabilities, referenceScalabilityModes } = require('./helpers/reference');

test('version is the package version', () => {
	assert.equal(mediasoup.version, require('../package.json').version);
});

test('getSupportedRtpCapabilities() equals mediasoup 3.27 and returns clones', () => {
	const caps = mediasoup.getSupportedRtpCapabilities();
	assert.deepStrictEqual(caps, referenceSupportedRtpCapabilities());
	caps.codecs = [];
	assert.notDeepEqual(mediasoup.getSupportedRtpCapabilities().codecs, []);
});

test('parseScalabilityMode() matches mediasoup for valid and invalid modes', () => {
	const reference = referenceScalabilityModes();
	const modes = [
		undefined, '', 'L1T3', 'L3T2', 'L3T3_KEY', 'S2T3', 'L10T10', 'L99T99', 'L100T1', 'S3T3_KEY_SHIFT',
		'L0T1', 'foo', 'l1t3', 'L3T', 'T3', 'L3T3KEY', 'S1T1_KEY',
	];
	for (const mode of modes) {
		assert.deepStrictEqual(mediasoup.parseScalabilityMode(mode), reference.parseScalabilityMode(mode), String(mode));
	}
	assert.deepStrictEqual(mediasoup.parseScalabilityMode('L2T3_KEY'), { spatialLayers: 2, temporalLayers: 3, ksvc: true });
});

test('setLogEventListeners() delivers debug, warn and error logs', async () => {
	const logs = { debug: [], warn: [], error: [] };
	mediasoup.setLogEventListeners({
		ondebug: (namespace, log) => logs.debug.push([namespace, log]),
		onwarn: (namespace, log) => logs.warn.push([namespace, log]),
		onerror: (namespace, log) => logs.error.push([namespace, log]),
	});
	try {
		const worker = await mediasoup.createWorker();
		await assert.rejects(worker.updateSettings({ logLevel: 'chicken' }), TypeError);
		await assert.rejects(mediasoup.createWorker({ logLevel: 'chicken' }), TypeError);
		worker.close();
	} finally {
		mediasoup.setLogEventListeners();
	}
	assert.ok(logs.debug.some(([ns, log]) => ns === 'mediasoup' && log === 'createWorker()'));
	assert.ok(logs.debug.some(([ns, log]) => ns === 'mediasoup:Worker' && log === 'close()'));
	assert.ok(logs.warn.some(([ns, log]) => ns === 'mediasoup:WARN:Channel' && /chicken/.test(log)));
	assert.ok(logs.error.some(([ns]) => ns === 'mediasoup:ERROR'));
	// Once removed, nothing more arrives.
	const count = logs.debug.length;
	(await mediasoup.createWorker()).close();
	assert.equal(logs.debug.length, count);
});

test('module shape matches mediasoup: runtime exports and the exports map', () => {
	assert.deepEqual(Object.keys(mediasoup).sort(), [
		'createWorker', 'errors', 'extras', 'getSupportedRtpCapabilities', 'observer', 'ortc',
		'parseScalabilityMode', 'setLogEventListeners', 'version', 'workerBin',
	]);
	// `types` is type-only, as in mediasoup >= 3.19.
	assert.equal(mediasoup.types, undefined);
	// Resolved by package name through the exports map (self-reference).
	assert.equal(require('ferrosoup/errors'), mediasoup.errors);
	assert.equal(require('ferrosoup/ortc'), mediasoup.ortc);
	assert.equal(require('ferrosoup/extras'), mediasoup.extras);
	assert.deepEqual(require('ferrosoup/types'), {});
	assert.equal(require('ferrosoup'), mediasoup);
	assert.throws(() => require('ferrosoup/js/Worker'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
	assert.deepEqual(Object.keys(mediasoup.errors).sort(), [
		'InvalidStateError', 'NotFoundError', 'UnsupportedError', 'WorkerClosedError',
	]);
	assert.deepEqual(Object.keys(mediasoup.extras).sort(), ['EnhancedEventEmitter', 'enhancedOnce']);
	for (const name of ['UnsupportedError', 'WorkerClosedError', 'NotFoundError', 'InvalidStateError']) {
		const error = new mediasoup.errors[name]('msg');
		assert.ok(error instanceof Error);
		assert.equal(error.name, name);
		assert.equal(error.message, 'msg');
	}
});

test('EnhancedEventEmitter.safeEmit() reports throwing listeners', async () => {
	const { EnhancedEventEmitter, enhancedOnce } = mediasoup.extras;
	const emitter = new EnhancedEventEmitter();
	assert.equal(emitter.getMaxListeners(), Infinity);
	const errors = [];
	emitter.on('listenererror', (eventName, error) => errors.push([eventName, error.message]));
	emitter.on('foo', () => {
		throw new Error('bad listener');
	});
	assert.equal(emitter.safeEmit('foo', 1), true);
	assert.deepEqual(errors, [['foo', 'bad listener']]);
	assert.equal(emitter.safeEmit('nobody'), false);
	const waited = enhancedOnce(emitter, 'bar');
	emitter.safeEmit('bar', 1, 2);
	assert.deepEqual(await waited, [1, 2]);
});
