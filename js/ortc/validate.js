'use strict';

// Validation of RTP capabilities, RTP parameters and SCTP stream parameters
// as mediasoup applies it: defaults are filled in place, invalid input
// throws a TypeError with mediasoup's message.

/** An optional list: truthy must be an array, falsy becomes []. */
function normalizeList(object, key, message) {
	if (object[key] && !Array.isArray(object[key])) {
		throw new TypeError(message);
	} else if (!object[key]) {
		object[key] = [];
	}
}

/** The media kind of a codec ("audio" or "video"), from its mimeType. */
function validateMimeType(codec) {
	if (typeof codec !== 'object') {
		throw new TypeError('codec is not an object');
	}
	if (!codec.mimeType || typeof codec.mimeType !== 'string') {
		throw new TypeError('missing codec.mimeType');
	}
	const match = /^(audio|video)\/(.+)/i.exec(codec.mimeType);
	if (!match) {
		throw new TypeError('invalid codec.mimeType');
	}
	return match[1].toLowerCase();
}

/** channels, parameters and rtcpFeedback, shared by both codec flavours. */
function normalizeCodecTail(codec, kind) {
	if (kind === 'audio') {
		if (typeof codec.channels !== 'number') {
			codec.channels = 1;
		}
	} else {
		delete codec.channels;
	}
	if (!codec.parameters || typeof codec.parameters !== 'object') {
		codec.parameters = {};
	}
	for (const key of Object.keys(codec.parameters)) {
		const value = codec.parameters[key];
		if (typeof value !== 'string' && typeof value !== 'number') {
			// "key:...s" is mediasoup's wording, kept for compatibility.
			throw new TypeError(`invalid codec parameter [key:${key}s, value:${value}]`);
		}
		if (key === 'apt' && typeof value !== 'number') {
			throw new TypeError('invalid codec apt parameter');
		}
	}
	if (!codec.rtcpFeedback || !Array.isArray(codec.rtcpFeedback)) {
		codec.rtcpFeedback = [];
	}
	for (const fb of codec.rtcpFeedback) {
		validateAndNormalizeRtcpFeedback(fb);
	}
}

function validateAndNormalizeRtpCodecCapability(codec) {
	const kind = validateMimeType(codec);
	codec.kind = kind;
	if (codec.preferredPayloadType && typeof codec.preferredPayloadType !== 'number') {
		throw new TypeError('invalid codec.preferredPayloadType');
	}
	if (typeof codec.clockRate !== 'number') {
		throw new TypeError('missing codec.clockRate');
	}
	normalizeCodecTail(codec, kind);
}

function validateAndNormalizeRtpCodecParameters(codec) {
	const kind = validateMimeType(codec);
	if (typeof codec.payloadType !== 'number') {
		throw new TypeError('missing codec.payloadType');
	}
	if (typeof codec.clockRate !== 'number') {
		throw new TypeError('missing codec.clockRate');
	}
	normalizeCodecTail(codec, kind);
}

function validateAndNormalizeRtcpFeedback(fb) {
	if (typeof fb !== 'object') {
		throw new TypeError('fb is not an object');
	}
	if (!fb.type || typeof fb.type !== 'string') {
		throw new TypeError('missing fb.type');
	}
	if (!fb.parameter || typeof fb.parameter !== 'string') {
		fb.parameter = '';
	}
}

function validateAndNormalizeHeaderExtensionCapability(ext) {
	if (typeof ext !== 'object') {
		throw new TypeError('ext is not an object');
	}
	if (ext.kind !== 'audio' && ext.kind !== 'video') {
		throw new TypeError('invalid ext.kind');
	}
	if (!ext.uri || typeof ext.uri !== 'string') {
		throw new TypeError('missing ext.uri');
	}
	if (typeof ext.preferredId !== 'number') {
		throw new TypeError('missing ext.preferredId');
	}
	if (ext.preferredEncrypt && typeof ext.preferredEncrypt !== 'boolean') {
		throw new TypeError('invalid ext.preferredEncrypt');
	} else if (!ext.preferredEncrypt) {
		ext.preferredEncrypt = false;
	}
	if (ext.direction && typeof ext.direction !== 'string') {
		throw new TypeError('invalid ext.direction');
	} else if (!ext.direction) {
		ext.direction = 'sendrecv';
	}
}

function validateAndNormalizeRtpCapabilities(caps) {
	if (typeof caps !== 'object') {
		throw new TypeError('caps is not an object');
	}
	normalizeList(caps, 'codecs', 'caps.codecs is not an array');
	for (const codec of caps.codecs) {
		validateAndNormalizeRtpCodecCapability(codec);
	}
	normalizeList(caps, 'headerExtensions', 'caps.headerExtensions is not an array');
	for (const ext of caps.headerExtensions) {
		validateAndNormalizeHeaderExtensionCapability(ext);
	}
}

function validateAndNormalizeHeaderExtensionParameters(ext) {
	if (typeof ext !== 'object') {
		throw new TypeError('ext is not an object');
	}
	if (!ext.uri || typeof ext.uri !== 'string') {
		throw new TypeError('missing ext.uri');
	}
	if (typeof ext.id !== 'number') {
		throw new TypeError('missing ext.id');
	}
	if (ext.encrypt && typeof ext.encrypt !== 'boolean') {
		throw new TypeError('invalid ext.encrypt');
	} else if (!ext.encrypt) {
		ext.encrypt = false;
	}
	if (!ext.parameters || typeof ext.parameters !== 'object') {
		ext.parameters = {};
	}
	for (const value of Object.values(ext.parameters)) {
		if (typeof value !== 'string' && typeof value !== 'number') {
			throw new TypeError('invalid header extension parameter');
		}
	}
}

function validateAndNormalizeEncoding(encoding) {
	if (typeof encoding !== 'object') {
		throw new TypeError('encoding is not an object');
	}
	if (encoding.ssrc && typeof encoding.ssrc !== 'number') {
		throw new TypeError('invalid encoding.ssrc');
	}
	if (encoding.rid && typeof encoding.rid !== 'string') {
		throw new TypeError('invalid encoding.rid');
	}
	if (encoding.rtx && typeof encoding.rtx !== 'object') {
		throw new TypeError('invalid encoding.rtx');
	} else if (encoding.rtx && typeof encoding.rtx.ssrc !== 'number') {
		throw new TypeError('missing encoding.rtx.ssrc');
	}
	if (!encoding.dtx || typeof encoding.dtx !== 'boolean') {
		encoding.dtx = false;
	}
	if (encoding.scalabilityMode && typeof encoding.scalabilityMode !== 'string') {
		throw new TypeError('invalid encoding.scalabilityMode');
	}
}

function validateAndNormalizeRtcpParameters(rtcp) {
	if (typeof rtcp !== 'object') {
		throw new TypeError('rtcp is not an object');
	}
	if (rtcp.cname && typeof rtcp.cname !== 'string') {
		throw new TypeError('invalid rtcp.cname');
	}
	if (!rtcp.reducedSize || typeof rtcp.reducedSize !== 'boolean') {
		rtcp.reducedSize = true;
	}
}

function validateAndNormalizeRtpParameters(params) {
	if (typeof params !== 'object') {
		throw new TypeError('params is not an object');
	}
	if (params.mid && typeof params.mid !== 'string') {
		throw new TypeError('params.mid is not a string');
	}
	if (!Array.isArray(params.codecs)) {
		throw new TypeError('missing params.codecs');
	}
	for (const codec of params.codecs) {
		validateAndNormalizeRtpCodecParameters(codec);
	}
	normalizeList(params, 'headerExtensions', 'params.headerExtensions is not an array');
	for (const ext of params.headerExtensions) {
		validateAndNormalizeHeaderExtensionParameters(ext);
	}
	normalizeList(params, 'encodings', 'params.encodings is not an array');
	for (const encoding of params.encodings) {
		validateAndNormalizeEncoding(encoding);
	}
	if (params.rtcp && typeof params.rtcp !== 'object') {
		throw new TypeError('params.rtcp is not an object');
	} else if (!params.rtcp) {
		params.rtcp = {};
	}
	if (params.msid && typeof params.msid !== 'string') {
		throw new TypeError('params.msid is not a string');
	}
	validateAndNormalizeRtcpParameters(params.rtcp);
}

function validateAndNormalizeSctpStreamParameters(params) {
	if (typeof params !== 'object') {
		throw new TypeError('params is not an object');
	}
	if (typeof params.streamId !== 'number') {
		throw new TypeError('missing params.streamId');
	}
	const orderedGiven = typeof params.ordered === 'boolean';
	if (!orderedGiven) {
		params.ordered = true;
	}
	if (params.maxPacketLifeTime && typeof params.maxPacketLifeTime !== 'number') {
		throw new TypeError('invalid params.maxPacketLifeTime');
	}
	if (params.maxRetransmits && typeof params.maxRetransmits !== 'number') {
		throw new TypeError('invalid params.maxRetransmits');
	}
	const partialReliability = Boolean(params.maxPacketLifeTime || params.maxRetransmits);
	if (params.maxPacketLifeTime && params.maxRetransmits) {
		throw new TypeError('cannot provide both maxPacketLifeTime and maxRetransmits');
	}
	if (orderedGiven && params.ordered && partialReliability) {
		throw new TypeError('cannot be ordered with maxPacketLifeTime or maxRetransmits');
	} else if (!orderedGiven && partialReliability) {
		params.ordered = false;
	}
}

module.exports = {
	validateAndNormalizeRtpCapabilities,
	validateAndNormalizeRtpCodecCapability,
	validateAndNormalizeRtpParameters,
	validateAndNormalizeSctpStreamParameters,
};
