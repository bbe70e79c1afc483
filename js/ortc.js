'use strict';

// mediasoup's `ortc` functions, computed by the Rust ortc module.
const { binding } = require('./native');
const { fromNative } = require('./errorKinds');
const { toJson } = require('./utils');

/**
 * JSON text of an object the package never mutates after creating it (a
 * router's capabilities, a producer's consumable parameters): serialized
 * once, reused by every ortc call that passes it.
 */
class FrozenJson {
	constructor(text, normalizedCapabilities = false) {
		this.text = text;
		// RTP capabilities that validateAndNormalizeRtpCapabilities()
		// produced: later calls need not normalize them again.
		this.normalizedCapabilities = normalizedCapabilities;
	}
}

const frozenJsonCache = new WeakMap();

function frozenJson(object) {
	let json = frozenJsonCache.get(object);
	if (!json) {
		json = new FrozenJson(toJson(object));
		frozenJsonCache.set(object, json);
	}
	return json;
}

const argJson = (arg) => (arg instanceof FrozenJson ? arg.text : toJson(arg));

function call(name, args) {
	let json;
	try {
		json = binding.ortcCall(name, args.map(argJson));
	} catch (error) {
		throw fromNative(error);
	}
	return JSON.parse(json);
}

/**
 * mediasoup's validate* functions fill defaults into the given object; copy
 * the normalized result back so callers observe the same mutation.
 */
function normalizeInPlace(name, target) {
	replaceContents(target, call(name, [target]));
}

function replaceContents(target, source) {
	if (target && typeof target === 'object' && source && typeof source === 'object') {
		for (const key of Object.keys(target)) {
			if (!(key in source)) {
				delete target[key];
			}
		}
		Object.assign(target, source);
	}
}

function validateAndNormalizeRtpCapabilities(caps) {
	normalizeInPlace('validateAndNormalizeRtpCapabilities', caps);
}

// Input JSON -> normalized JSON of capabilities that validated: apps pass
// the same few capabilities (one per kind of device) to every consume().
const normalizedCapsCache = new Map();
const NORMALIZED_CAPS_CACHE_SIZE = 64;

/**
 * The JSON text of a normalized copy of the given RTP capabilities (the
 * given object is left alone), for further ortc calls. Throws as
 * validateAndNormalizeRtpCapabilities() does.
 */
function normalizedRtpCapabilities(caps) {
	const input = toJson(caps);
	let output = normalizedCapsCache.get(input);
	if (output === undefined) {
		const result = call('validateAndNormalizeRtpCapabilities', [new FrozenJson(input)]);
		output = new FrozenJson(JSON.stringify(result), true);
		if (normalizedCapsCache.size >= NORMALIZED_CAPS_CACHE_SIZE) {
			normalizedCapsCache.delete(normalizedCapsCache.keys().next().value);
		}
		normalizedCapsCache.set(input, output);
	}
	return output;
}

function validateAndNormalizeRtpParameters(params) {
	normalizeInPlace('validateAndNormalizeRtpParameters', params);
}

function validateAndNormalizeSctpStreamParameters(params) {
	normalizeInPlace('validateAndNormalizeSctpStreamParameters', params);
}

function generateRouterRtpCapabilities(mediaCodecs = []) {
	return call('generateRouterRtpCapabilities', [mediaCodecs]);
}

/**
 * Like mediasoup's, this may rewrite the given parameters (H264
 * profile-level-id is set to the negotiated one).
 */
function getProducerRtpParametersMapping(params, caps) {
	const { rtpMapping, rtpParameters } = call('getProducerRtpParametersMappingWithParameters', [
		params,
		caps,
	]);
	replaceContents(params, rtpParameters);
	return rtpMapping;
}

function getConsumableRtpParameters(kind, params, caps, rtpMapping) {
	return call('getConsumableRtpParameters', [kind, params, caps, rtpMapping]);
}

function canConsume(consumableParams, caps) {
	return call('canConsume', [consumableParams, caps]);
}

function getConsumerRtpParameters({ consumableRtpParameters, remoteRtpCapabilities, pipe, enableRtx }) {
	if (remoteRtpCapabilities instanceof FrozenJson && remoteRtpCapabilities.normalizedCapabilities) {
		return call('getConsumerRtpParametersOfNormalizedCapabilities', [
			consumableRtpParameters,
			remoteRtpCapabilities,
			pipe,
			enableRtx,
		]);
	}
	// One object argument, built as text so that frozen parts are reused.
	const options = new FrozenJson(
		`{"consumableRtpParameters":${argJson(consumableRtpParameters)},` +
			`"remoteRtpCapabilities":${argJson(remoteRtpCapabilities)},` +
			`"pipe":${toJson(pipe)},"enableRtx":${toJson(enableRtx)}}`
	);
	return call('getConsumerRtpParameters', [options]);
}

function getPipeConsumerRtpParameters({ consumableRtpParameters, enableRtx }) {
	return call('getPipeConsumerRtpParameters', [{ consumableRtpParameters, enableRtx }]);
}

module.exports = {
	frozenJson,
	normalizedRtpCapabilities,
	validateAndNormalizeRtpCapabilities,
	validateAndNormalizeRtpParameters,
	validateAndNormalizeSctpStreamParameters,
	generateRouterRtpCapabilities,
	getProducerRtpParametersMapping,
	getConsumableRtpParameters,
	canConsume,
	getConsumerRtpParameters,
	getPipeConsumerRtpParameters,
};
