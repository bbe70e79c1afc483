'use strict';

// Producer side: how a producer's RTP parameters map onto the router's
// capabilities, and the consumable RTP parameters every consumer of it
// derives its own from.

const { UnsupportedError } = require('../errors');
const { clone, generateRandomNumber } = require('../utils');
const URI = require('./uris');
const { isRtxCodec, matchCodecs } = require('./codecs');

/**
 * Payload type and SSRC mapping of a producer. Like mediasoup's, this may
 * rewrite `params`: a strictly matched H264 codec gets the negotiated
 * profile-level-id.
 */
function getProducerRtpParametersMapping(params, caps) {
	// Producer codec -> router capability codec, in insertion order.
	const capCodecOf = new Map();
	for (const codec of params.codecs) {
		if (isRtxCodec(codec)) {
			continue;
		}
		const capCodec = caps.codecs.find((candidate) =>
			matchCodecs(codec, candidate, { strict: true, modify: true })
		);
		if (!capCodec) {
			throw new UnsupportedError(
				`unsupported codec [mimeType:${codec.mimeType}, payloadType:${codec.payloadType}]`
			);
		}
		capCodecOf.set(codec, capCodec);
	}
	for (const codec of params.codecs) {
		if (!isRtxCodec(codec)) {
			continue;
		}
		const mediaCodec = params.codecs.find((c) => c.payloadType === codec.parameters.apt);
		if (!mediaCodec) {
			throw new TypeError(`missing media codec found for RTX PT ${codec.payloadType}`);
		}
		const capMediaCodec = capCodecOf.get(mediaCodec);
		const capRtxCodec = caps.codecs.find(
			(c) => isRtxCodec(c) && c.parameters.apt === capMediaCodec.preferredPayloadType
		);
		if (!capRtxCodec) {
			throw new UnsupportedError(`no RTX codec for capability codec PT ${capMediaCodec.preferredPayloadType}`);
		}
		capCodecOf.set(codec, capRtxCodec);
	}
	const rtpMapping = { codecs: [], encodings: [] };
	for (const [codec, capCodec] of capCodecOf) {
		rtpMapping.codecs.push({ payloadType: codec.payloadType, mappedPayloadType: capCodec.preferredPayloadType });
	}
	// Consecutive mapped SSRCs from a random base.
	let mappedSsrc = generateRandomNumber();
	for (const encoding of params.encodings) {
		const mapped = {};
		if (encoding.ssrc !== undefined) {
			mapped.ssrc = encoding.ssrc;
		}
		if (encoding.rid !== undefined) {
			mapped.rid = encoding.rid;
		}
		mapped.mappedSsrc = mappedSsrc++;
		rtpMapping.encodings.push(mapped);
	}
	return rtpMapping;
}

function getConsumableRtpParameters(kind, params, caps, rtpMapping) {
	const consumableParams = { codecs: [], headerExtensions: [], encodings: [], rtcp: {} };
	for (const codec of params.codecs) {
		if (isRtxCodec(codec)) {
			continue;
		}
		const consumableCodecPt = rtpMapping.codecs.find((entry) => entry.payloadType === codec.payloadType)
			.mappedPayloadType;
		const capCodec = caps.codecs.find((c) => c.preferredPayloadType === consumableCodecPt);
		const consumableCodec = {
			mimeType: capCodec.mimeType,
			payloadType: capCodec.preferredPayloadType,
			clockRate: capCodec.clockRate,
			channels: capCodec.channels,
			// The producer's own codec parameters are kept.
			parameters: codec.parameters,
			rtcpFeedback: capCodec.rtcpFeedback,
		};
		consumableParams.codecs.push(consumableCodec);
		const capRtxCodec = caps.codecs.find(
			(c) => isRtxCodec(c) && c.parameters.apt === consumableCodec.payloadType
		);
		if (capRtxCodec) {
			consumableParams.codecs.push({
				mimeType: capRtxCodec.mimeType,
				payloadType: capRtxCodec.preferredPayloadType,
				clockRate: capRtxCodec.clockRate,
				parameters: capRtxCodec.parameters,
				rtcpFeedback: capRtxCodec.rtcpFeedback,
			});
		}
	}
	for (const capExt of caps.headerExtensions) {
		if (capExt.kind !== kind || (capExt.direction !== 'sendrecv' && capExt.direction !== 'sendonly')) {
			continue;
		}
		// abs-capture-time is only relayed from the producer's own packets:
		// offered only when the producer negotiated it.
		if (capExt.uri === URI.ABS_CAPTURE_TIME && !params.headerExtensions.some((ext) => ext.uri === capExt.uri)) {
			continue;
		}
		consumableParams.headerExtensions.push({
			uri: capExt.uri,
			id: capExt.preferredId,
			encrypt: capExt.preferredEncrypt,
			parameters: {},
		});
	}
	const consumableEncodings = clone(params.encodings) ?? [];
	for (let i = 0; i < consumableEncodings.length; ++i) {
		const consumableEncoding = consumableEncodings[i];
		const { mappedSsrc } = rtpMapping.encodings[i];
		delete consumableEncoding.rid;
		delete consumableEncoding.rtx;
		delete consumableEncoding.codecPayloadType;
		consumableEncoding.ssrc = mappedSsrc;
		consumableParams.encodings.push(consumableEncoding);
	}
	consumableParams.rtcp = { cname: params.rtcp.cname, reducedSize: true };
	consumableParams.msid = params.msid;
	return consumableParams;
}

module.exports = { getProducerRtpParametersMapping, getConsumableRtpParameters };
