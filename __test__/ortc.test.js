'use strict';

// RTP negotiation (js/ortc/): every scenario in fixtures/ortc/scenarios.json
// was run through mediasoup 3.27.1's own ortc module (see
// fixtures/ortc/gen_scenarios.js); ours must give the same JSON (key order
// included) or the same error class and message. Random SSRCs compare as
// "RANDOM"; their relations are checked below.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ortc = require('../js/ortc');
const { parseScalabilityMode, getSupportedRtpCapabilities } = require('..');

const FIXTURES = path.join(__dirname, 'fixtures', 'ortc');
const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'scenarios.json'), 'utf8'));

function resolve(value) {
	if (Array.isArray(value)) {
		return value.map(resolve);
	}
	if (value && typeof value === 'object') {
		if (typeof value.$ref === 'string') {
			return structuredClone(fixture.refs[value.$ref]);
		}
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
	}
	return value;
}

function scrub(value, key) {
	if (Array.isArray(value)) {
		return value.map((v) => scrub(v));
	}
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)]));
	}
	if ((key === 'ssrc' || key === 'mappedSsrc') && typeof value === 'number' && value >= 100000000) {
		return 'RANDOM';
	}
	return value;
}

/** Runs one scenario the way gen_scenarios.js ran it on mediasoup. */
function run(func, args) {
	switch (func) {
		case 'validateAndNormalizeRtpCapabilities':
		case 'validateAndNormalizeRtpParameters':
		case 'validateAndNormalizeSctpStreamParameters':
			ortc[func](...args);
			return args[0];
		case 'getProducerRtpParametersMappingWithParameters': {
			const rtpMapping = ortc.getProducerRtpParametersMapping(...args);
			return { rtpMapping, rtpParameters: args[0] };
		}
		case 'parseScalabilityMode':
			return parseScalabilityMode(...args);
		default:
			return ortc[func](...args);
	}
}

test('every mediasoup ortc scenario gives mediasoup result or error', () => {
	assert.ok(fixture.scenarios.length > 200);
	const failures = [];
	for (const s of fixture.scenarios) {
		// The generator serialized `undefined` arguments as null.
		const args = resolve(s.args).map((a) => (a === null ? undefined : a));
		let outcome;
		try {
			outcome = { result: JSON.parse(JSON.stringify(scrub(run(s.func, args)))) };
		} catch (error) {
			outcome = { error: { name: error.name, message: error.message } };
		}
		const expected = s.error ? { error: s.error } : { result: resolve(s.result) };
		if (JSON.stringify(outcome) !== JSON.stringify(expected)) {
			failures.push(`${s.name}:\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(outcome)}`);
		}
	}
	assert.equal(failures.length, 0, `${failures.length} failures:\n${failures.join('\n')}`);
});

const ref = (name) => structuredClone(fixture.refs[name]);

function inRandomRange(n) {
	assert.ok(Number.isInteger(n) && n >= 100000000 && n < 999999999, `${n} out of range`);
	return n;
}

test('producer mapped SSRCs are consecutive', () => {
	const mapping = ortc.getProducerRtpParametersMapping(ref('videoParams'), ref('routerCaps'));
	const base = inRandomRange(mapping.encodings[0].mappedSsrc);
	mapping.encodings.forEach((e, i) => assert.equal(e.mappedSsrc, base + i));
});

test('a consumer RTX SSRC is its SSRC + 1', () => {
	ortc.generateRouterRtpCapabilities();
	const params = ortc.getConsumerRtpParameters({
		consumableRtpParameters: ref('videoConsumable'),
		remoteRtpCapabilities: ref('remoteAll'),
		enableRtx: true,
	});
	const [encoding] = params.encodings;
	assert.equal(encoding.rtx.ssrc, inRandomRange(encoding.ssrc) + 1);
});

test('pipe consumer SSRCs are consecutive per base', () => {
	const check = (params, rtx) => {
		assert.equal(params.encodings.length, 3);
		const base = inRandomRange(params.encodings[0].ssrc);
		const rtxBase = rtx ? inRandomRange(params.encodings[0].rtx.ssrc) : undefined;
		params.encodings.forEach((e, i) => {
			assert.equal(e.ssrc, base + i);
			if (rtx) {
				assert.equal(e.rtx.ssrc, rtxBase + i);
			} else {
				assert.equal(e.rtx, undefined);
			}
		});
	};
	for (const enableRtx of [true, false]) {
		check(ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: ref('videoConsumable'), enableRtx }), enableRtx);
		check(
			ortc.getConsumerRtpParameters({
				consumableRtpParameters: ref('videoConsumable'),
				remoteRtpCapabilities: ref('remoteAll'),
				pipe: true,
				enableRtx,
			}),
			enableRtx
		);
	}
});

test('the producer mapping rewrites a negotiated H264 level in place, as mediasoup does', () => {
	const params = ref('videoParams');
	params.codecs = [
		{
			mimeType: 'video/H264',
			payloadType: 111,
			clockRate: 90000,
			parameters: { 'packetization-mode': 1, 'profile-level-id': '42e034' },
		},
	];
	ortc.getProducerRtpParametersMapping(params, ref('routerCaps'));
	assert.equal(params.codecs[0].parameters['profile-level-id'], '42e01f');
});

test('consumer parameters leave the consumable parameters alone', () => {
	const consumable = ref('videoConsumable');
	const before = structuredClone(consumable);
	ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumable,
		remoteRtpCapabilities: ref('remoteAll'),
		enableRtx: false,
	});
	ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: consumable, enableRtx: false });
	assert.deepEqual(consumable, before);
});

test('getSupportedRtpCapabilities() is mediasoup table: bare until a router normalizes it', () => {
	const raw = fs.readFileSync(path.join(FIXTURES, 'supported_raw.json'), 'utf8').trim();
	const normalized = fs.readFileSync(path.join(FIXTURES, 'supported_normalized.json'), 'utf8').trim();
	assert.notEqual(raw, normalized);
	// A fresh process: no router capabilities generated yet.
	const script = `
		const { getSupportedRtpCapabilities, ortc } = require(${JSON.stringify(path.join(__dirname, '..'))});
		const first = getSupportedRtpCapabilities();
		first.codecs = 'bar';
		console.log(JSON.stringify(getSupportedRtpCapabilities()));
		ortc.generateRouterRtpCapabilities([]);
		console.log(JSON.stringify(getSupportedRtpCapabilities()));
	`;
	const { stdout, status } = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
	assert.equal(status, 0);
	assert.deepEqual(stdout.trim().split('\n'), [raw, normalized]);
});

test('parseScalabilityMode() reads layer counts like mediasoup', () => {
	const cases = {
		L1T3: [1, 3, false],
		L3T2_KEY: [3, 2, true],
		S2T3: [2, 3, false],
		foo: [1, 1, false],
		S0T3: [1, 1, false],
		L20T3: [20, 3, false],
		S200T3: [1, 1, false],
		L4T7_KEY_SHIFT: [4, 7, true],
		L1T123: [1, 12, false],
		L99T99_KEY: [99, 99, true],
		L1T3_key: [1, 3, false],
		L05T3: [1, 1, false],
		L1T05: [1, 1, false],
		' L1T3': [1, 1, false],
		L1T: [1, 1, false],
		L1T1_KE: [1, 1, false],
	};
	for (const [mode, [spatialLayers, temporalLayers, ksvc]] of Object.entries(cases)) {
		assert.deepEqual(parseScalabilityMode(mode), { spatialLayers, temporalLayers, ksvc }, mode);
	}
	assert.deepEqual(parseScalabilityMode(undefined), { spatialLayers: 1, temporalLayers: 1, ksvc: false });
});
