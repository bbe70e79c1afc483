'use strict';

// Codec identity: RTX detection and codec matching (loose when building
// router capabilities, strict when negotiating).

const h264 = require('h264-profile-level-id');

/** Whether the codec's mimeType is `<type>/rtx` (any case). */
function isRtxCodec(codec) {
	return /.+\/rtx$/i.test(codec.mimeType);
}

/**
 * Whether aCodec matches bCodec: same mimeType (ignoring case), clockRate
 * and channels, plus codec specific rules when `strict`. With `modify`, a
 * strict H264 match writes the negotiated profile-level-id into aCodec.
 */
function matchCodecs(aCodec, bCodec, { strict = false, modify = false } = {}) {
	const aMimeType = aCodec.mimeType.toLowerCase();
	const bMimeType = bCodec.mimeType.toLowerCase();
	if (aMimeType !== bMimeType || aCodec.clockRate !== bCodec.clockRate || aCodec.channels !== bCodec.channels) {
		return false;
	}
	switch (aMimeType) {
		case 'audio/multiopus': {
			const a = aCodec.parameters;
			const b = bCodec.parameters;
			return a.num_streams === b.num_streams && a.coupled_streams === b.coupled_streams;
		}
		case 'video/h264':
			return !strict || matchH264(aCodec, bCodec, modify);
		case 'video/vp9':
			return (
				!strict || (aCodec.parameters['profile-id'] || 0) === (bCodec.parameters['profile-id'] || 0)
			);
		default:
			return true;
	}
}

function matchH264(aCodec, bCodec, modify) {
	if ((aCodec.parameters['packetization-mode'] || 0) !== (bCodec.parameters['packetization-mode'] || 0)) {
		return false;
	}
	if (!h264.isSameProfile(aCodec.parameters, bCodec.parameters)) {
		return false;
	}
	let selectedProfileLevelId;
	try {
		selectedProfileLevelId = h264.generateProfileLevelIdStringForAnswer(aCodec.parameters, bCodec.parameters);
	} catch {
		return false;
	}
	if (modify) {
		if (selectedProfileLevelId) {
			aCodec.parameters['profile-level-id'] = selectedProfileLevelId;
		} else {
			delete aCodec.parameters['profile-level-id'];
		}
	}
	return true;
}

module.exports = { isRtxCodec, matchCodecs };
