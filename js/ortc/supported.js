'use strict';

// The RTP capabilities mediasoup 3.27.1 supports, and the process-wide state
// mediasoup keeps around that table: it normalizes the table in place the
// first time router capabilities are generated (so
// getSupportedRtpCapabilities() shows the bare table before and the
// normalized one after), and that first generation also makes pipe consumers
// announce the dependency descriptor extension.

const URI = require('./uris');

const FB_AUDIO = [{ type: 'nack' }, { type: 'transport-cc' }];
const FB_TCC = [{ type: 'transport-cc' }];
const FB_VIDEO = [
	{ type: 'nack' },
	{ type: 'nack', parameter: 'pli' },
	{ type: 'ccm', parameter: 'fir' },
	{ type: 'goog-remb' },
	{ type: 'transport-cc' },
];

/** One codec row; fields left undefined are absent from the table. */
function codec(mimeType, clockRate, { preferredPayloadType, channels, parameters, rtcpFeedback } = {}) {
	const row = { kind: mimeType.split('/')[0], mimeType };
	if (preferredPayloadType !== undefined) {
		row.preferredPayloadType = preferredPayloadType;
	}
	row.clockRate = clockRate;
	if (channels !== undefined) {
		row.channels = channels;
	}
	if (parameters !== undefined) {
		row.parameters = parameters;
	}
	if (rtcpFeedback !== undefined) {
		row.rtcpFeedback = rtcpFeedback.map((fb) => ({ ...fb }));
	}
	return row;
}

function multiopus(channels, channelMapping, numStreams, coupledStreams) {
	return codec('audio/multiopus', 48000, {
		channels,
		parameters: { channel_mapping: channelMapping, num_streams: numStreams, coupled_streams: coupledStreams },
		rtcpFeedback: FB_AUDIO,
	});
}

function codecRows() {
	return [
		codec('audio/opus', 48000, { channels: 2, rtcpFeedback: FB_AUDIO }),
		multiopus(4, '0,1,2,3', 2, 2),
		multiopus(6, '0,4,1,2,3,5', 4, 2),
		multiopus(8, '0,6,1,2,3,4,5,7', 5, 3),
		codec('audio/PCMU', 8000, { preferredPayloadType: 0, rtcpFeedback: FB_TCC }),
		codec('audio/PCMA', 8000, { preferredPayloadType: 8, rtcpFeedback: FB_TCC }),
		codec('audio/ISAC', 32000, { rtcpFeedback: FB_TCC }),
		codec('audio/ISAC', 16000, { rtcpFeedback: FB_TCC }),
		codec('audio/G722', 8000, { preferredPayloadType: 9, rtcpFeedback: FB_TCC }),
		codec('audio/iLBC', 8000, { rtcpFeedback: FB_TCC }),
		...[24000, 16000, 12000, 8000].map((rate) => codec('audio/SILK', rate, { rtcpFeedback: FB_TCC })),
		...[32000, 16000, 8000].map((rate) => codec('audio/CN', rate, { preferredPayloadType: 13 })),
		...[48000, 32000, 16000, 8000].map((rate) => codec('audio/telephone-event', rate)),
		codec('video/VP8', 90000, { rtcpFeedback: FB_VIDEO }),
		codec('video/VP9', 90000, { rtcpFeedback: FB_VIDEO }),
		codec('video/H264', 90000, { parameters: { 'level-asymmetry-allowed': 1 }, rtcpFeedback: FB_VIDEO }),
		codec('video/AV1', 90000, { parameters: {}, rtcpFeedback: FB_VIDEO }),
	];
}

const BOTH = [
	['audio', 'sendrecv'],
	['video', 'sendrecv'],
];

// [preferredId, uri, [kind, direction] variants]
const EXTENSION_ROWS = [
	[1, URI.MID, BOTH],
	[2, 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', [['video', 'recvonly']]],
	[3, 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', [['video', 'recvonly']]],
	[4, URI.ABS_SEND_TIME, BOTH],
	[
		5,
		URI.TRANSPORT_CC,
		[
			['audio', 'recvonly'],
			['video', 'sendrecv'],
		],
	],
	[6, 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', [['audio', 'sendrecv']]],
	[7, URI.DEPENDENCY_DESCRIPTOR, [['video', 'recvonly']]],
	[8, 'urn:3gpp:video-orientation', [['video', 'sendrecv']]],
	[9, 'urn:ietf:params:rtp-hdrext:toffset', [['video', 'sendrecv']]],
	[10, URI.ABS_CAPTURE_TIME, BOTH],
	[11, 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay', BOTH],
	[12, 'urn:mediasoup:params:rtp-hdrext:packet-id', BOTH],
];

function headerExtensionRows() {
	const rows = [];
	for (const [preferredId, uri, variants] of EXTENSION_ROWS) {
		for (const [kind, direction] of variants) {
			rows.push({ kind, uri, preferredId, preferredEncrypt: false, direction });
		}
	}
	return rows;
}

/** The module-level table (normalized in place by the first router). */
const table = { codecs: codecRows(), headerExtensions: headerExtensionRows() };

let generatedOnce = false;

/**
 * Called by generateRouterRtpCapabilities() once it succeeded: from then on
 * pipe consumers carry the dependency descriptor extension.
 */
function markRouterCapabilitiesGenerated() {
	generatedOnce = true;
}

/**
 * The dependency descriptor extension as pipe consumer header extension
 * parameters, or undefined before any router capabilities were generated.
 */
function dependencyDescriptorForPipe() {
	if (!generatedOnce) {
		return undefined;
	}
	const ext = table.headerExtensions.find(
		(e) => e.uri === URI.DEPENDENCY_DESCRIPTOR && e.direction !== 'sendrecv'
	);
	return ext && { uri: ext.uri, id: ext.preferredId, encrypt: ext.preferredEncrypt, parameters: {} };
}

module.exports = { table, markRouterCapabilitiesGenerated, dependencyDescriptorForPipe };
