'use strict';

// RTP header extension URIs the negotiation rules single out.
module.exports = {
	MID: 'urn:ietf:params:rtp-hdrext:sdes:mid',
	ABS_SEND_TIME: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
	TRANSPORT_CC: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
	ABS_CAPTURE_TIME: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
	DEPENDENCY_DESCRIPTOR:
		'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
};
