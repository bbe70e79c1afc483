'use strict';

// Consumer side: whether a peer can consume a producer, and the RTP
// parameters of a consumer (regular or pipe) derived from the producer's
// consumable parameters.

const { UnsupportedError } = require('../errors');
const { clone, generateRandomNumber } = require('../utils');
const { parseScalabilityMode } = require('../scalabilityModes');
const URI = require('./uris');
const supported = require('./supported');
const { validateAndNormalizeRtpCapabilities, validateAndNormalizeRtpCodecCapability } = require('./validate');
const { isRtxCodec, matchCodecs } = require('./codecs');

/** Normalizes `caps` in place (as mediasoup does) and answers. */
function canConsume(consumableParams, caps) {
	validateAndNormalizeRtpCapabilities(caps);
	for (const codec of consumableParams.codecs) {
		if (caps.codecs.find((capCodec) => matchCodecs(capCodec, codec, { strict: true }))) {
			// The first codec both sides have must be a media codec.
			return !isRtxCodec(codec);
		}
	}
	return false;
}

/** What every consumer's parameters start from (mediasoup's key order). */
function emptyConsumerParams(consumableRtpParameters) {
	return {
		codecs: [],
		headerExtensions: [],
		encodings: [],
		rtcp: consumableRtpParameters.rtcp,
		msid: consumableRtpParameters.msid,
	};
}

function getConsumerRtpParameters({ consumableRtpParameters, remoteRtpCapabilities, pipe, enableRtx }) {
	const consumerParams = emptyConsumerParams(consumableRtpParameters);
	for (const capCodec of remoteRtpCapabilities.codecs) {
		validateAndNormalizeRtpCodecCapability(capCodec);
	}
	const consumableCodecs = clone(consumableRtpParameters.codecs) ?? [];
	for (const codec of consumableCodecs) {
		if (!enableRtx && isRtxCodec(codec)) {
			continue;
		}
		const matchedCapCodec = remoteRtpCapabilities.codecs.find((capCodec) =>
			matchCodecs(capCodec, codec, { strict: true })
		);
		if (!matchedCapCodec) {
			continue;
		}
		codec.rtcpFeedback = matchedCapCodec.rtcpFeedback.filter(
			(fb) => enableRtx || fb.type !== 'nack' || fb.parameter
		);
		consumerParams.codecs.push(codec);
	}
	// RTX codecs whose media codec did not make it go.
	let rtxSupported = false;
	for (let i = consumerParams.codecs.length - 1; i >= 0; --i) {
		const codec = consumerParams.codecs[i];
		if (!isRtxCodec(codec)) {
			continue;
		}
		if (consumerParams.codecs.find((mediaCodec) => mediaCodec.payloadType === codec.parameters.apt)) {
			rtxSupported = true;
		} else {
			consumerParams.codecs.splice(i, 1);
		}
	}
	if (consumerParams.codecs.length === 0 || isRtxCodec(consumerParams.codecs[0])) {
		throw new UnsupportedError('no compatible media codecs');
	}
	consumerParams.headerExtensions = consumableRtpParameters.headerExtensions.filter((ext) =>
		remoteRtpCapabilities.headerExtensions.some(
			(capExt) => capExt.preferredId === ext.id && capExt.uri === ext.uri
		)
	);
	keepOneCongestionControlFeedback(consumerParams);
	if (pipe) {
		consumerParams.encodings = pipeEncodings(consumableRtpParameters.encodings, rtxSupported);
	} else {
		consumerParams.encodings.push(singleEncoding(consumableRtpParameters, rtxSupported));
	}
	return consumerParams;
}

/**
 * transport-cc if its header extension is negotiated, else REMB if
 * abs-send-time is, else neither.
 */
function keepOneCongestionControlFeedback(consumerParams) {
	const has = (uri) => consumerParams.headerExtensions.some((ext) => ext.uri === uri);
	let dropped;
	if (has(URI.TRANSPORT_CC)) {
		dropped = ['goog-remb'];
	} else if (has(URI.ABS_SEND_TIME)) {
		dropped = ['transport-cc'];
	} else {
		dropped = ['transport-cc', 'goog-remb'];
	}
	for (const codec of consumerParams.codecs) {
		codec.rtcpFeedback = codec.rtcpFeedback.filter((fb) => !dropped.includes(fb.type));
	}
}

/** The one encoding of a regular consumer. */
function singleEncoding(consumableRtpParameters, rtxSupported) {
	const encoding = { ssrc: generateRandomNumber() };
	if (rtxSupported) {
		encoding.rtx = { ssrc: encoding.ssrc + 1 };
	}
	let scalabilityMode = consumableRtpParameters.encodings.find((e) => e.scalabilityMode)?.scalabilityMode;
	const encodings = consumableRtpParameters.encodings;
	// Simulcast: one spatial layer per encoding.
	if (encodings.length > 1) {
		const { temporalLayers } = parseScalabilityMode(scalabilityMode);
		scalabilityMode = `L${encodings.length}T${temporalLayers}`;
	}
	if (scalabilityMode) {
		encoding.scalabilityMode = scalabilityMode;
	}
	let maxBitrate = 0;
	for (const e of encodings) {
		if (e.maxBitrate && e.maxBitrate > maxBitrate) {
			maxBitrate = e.maxBitrate;
		}
	}
	if (maxBitrate) {
		encoding.maxBitrate = maxBitrate;
	}
	return encoding;
}

/** Every consumable encoding, with fresh consecutive SSRCs. */
function pipeEncodings(consumableEncodings, rtx) {
	const encodings = clone(consumableEncodings) ?? [];
	const baseSsrc = generateRandomNumber();
	const baseRtxSsrc = generateRandomNumber();
	const out = [];
	for (let i = 0; i < encodings.length; ++i) {
		const encoding = encodings[i];
		encoding.ssrc = baseSsrc + i;
		if (rtx) {
			encoding.rtx = { ssrc: baseRtxSsrc + i };
		} else {
			delete encoding.rtx;
		}
		out.push(encoding);
	}
	return out;
}

function getPipeConsumerRtpParameters({ consumableRtpParameters, enableRtx }) {
	const consumerParams = emptyConsumerParams(consumableRtpParameters);
	const consumableCodecs = clone(consumableRtpParameters.codecs) ?? [];
	for (const codec of consumableCodecs) {
		if (!enableRtx && isRtxCodec(codec)) {
			continue;
		}
		codec.rtcpFeedback = codec.rtcpFeedback.filter(
			(fb) =>
				(fb.type === 'nack' && fb.parameter === 'pli') ||
				(fb.type === 'ccm' && fb.parameter === 'fir') ||
				(enableRtx && fb.type === 'nack' && !fb.parameter)
		);
		consumerParams.codecs.push(codec);
	}
	// No transport level MID or bandwidth estimation between routers.
	consumerParams.headerExtensions = consumableRtpParameters.headerExtensions.filter(
		(ext) => ext.uri !== URI.MID && ext.uri !== URI.ABS_SEND_TIME && ext.uri !== URI.TRANSPORT_CC
	);
	// The dependency descriptor is recvonly in router capabilities, hence
	// missing from consumable parameters: pipes carry it.
	const dependencyDescriptor = supported.dependencyDescriptorForPipe();
	if (dependencyDescriptor) {
		consumerParams.headerExtensions.push(dependencyDescriptor);
		consumerParams.headerExtensions.sort((a, b) => a.id - b.id);
	}
	consumerParams.encodings = pipeEncodings(consumableRtpParameters.encodings, enableRtx);
	return consumerParams;
}

module.exports = { canConsume, getConsumerRtpParameters, getPipeConsumerRtpParameters };
