'use strict';

// mediasoup's `ortc` functions, computed by the Rust ortc module.
const { binding } = require('./native');
const { fromNative } = require('./errorKinds');
const { toJson } = require('./utils');

function call(name, args) {
	let json;
	try {
		json = binding.ortcCall(name, `[${args.map(toJson).join(',')}]`);
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
	return call('getConsumerRtpParameters', [
		{ consumableRtpParameters, remoteRtpCapabilities, pipe, enableRtx },
	]);
}

function getPipeConsumerRtpParameters({ consumableRtpParameters, enableRtx }) {
	return call('getPipeConsumerRtpParameters', [{ consumableRtpParameters, enableRtx }]);
}

module.exports = {
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
