'use strict';

// A router's RTP capabilities from the media codecs given to createRouter().

const { UnsupportedError } = require('../errors');
const { clone } = require('../utils');
const supported = require('./supported');
const { validateAndNormalizeRtpCapabilities, validateAndNormalizeRtpCodecCapability } = require('./validate');
const { matchCodecs } = require('./codecs');

// Dynamic payload types in the order they are handed out.
const DYNAMIC_PAYLOAD_TYPES = [
	100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121,
	122, 123, 124, 125, 126, 127, 96, 97, 98, 99,
];

function takeDynamicPayloadType(pool) {
	const payloadType = pool.shift();
	if (payloadType === undefined) {
		throw new Error('cannot allocate more dynamic codec payload types');
	}
	return payloadType;
}

function generateRouterRtpCapabilities(mediaCodecs = []) {
	// Idempotent: the table is valid and normalizing it twice changes nothing.
	validateAndNormalizeRtpCapabilities(supported.table);
	if (!Array.isArray(mediaCodecs)) {
		throw new TypeError('mediaCodecs must be an Array');
	}
	const pool = DYNAMIC_PAYLOAD_TYPES.slice();
	const caps = { codecs: [], headerExtensions: clone(supported.table.headerExtensions) };
	for (const mediaCodec of mediaCodecs) {
		validateAndNormalizeRtpCodecCapability(mediaCodec);
		const supportedCodec = supported.table.codecs.find((candidate) =>
			matchCodecs(mediaCodec, candidate, { strict: false })
		);
		if (!supportedCodec) {
			throw new UnsupportedError(`media codec not supported [mimeType:${mediaCodec.mimeType}]`);
		}
		const codec = clone(supportedCodec);
		if (typeof mediaCodec.preferredPayloadType === 'number') {
			codec.preferredPayloadType = mediaCodec.preferredPayloadType;
			const index = pool.indexOf(codec.preferredPayloadType);
			if (index !== -1) {
				pool.splice(index, 1);
			}
		} else if (typeof codec.preferredPayloadType !== 'number') {
			codec.preferredPayloadType = takeDynamicPayloadType(pool);
		}
		if (caps.codecs.some((c) => c.preferredPayloadType === codec.preferredPayloadType)) {
			throw new TypeError('duplicated codec.preferredPayloadType');
		}
		codec.parameters = { ...codec.parameters, ...mediaCodec.parameters };
		caps.codecs.push(codec);
		if (codec.kind === 'video') {
			caps.codecs.push({
				kind: codec.kind,
				mimeType: `${codec.kind}/rtx`,
				preferredPayloadType: takeDynamicPayloadType(pool),
				clockRate: codec.clockRate,
				parameters: { apt: codec.preferredPayloadType },
				rtcpFeedback: [],
			});
		}
	}
	supported.markRouterCapabilitiesGenerated();
	return caps;
}

module.exports = { generateRouterRtpCapabilities };
