// `mediasoup/node/lib/rtpParametersTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	MediaKind,
	RouterRtpCapabilities,
	RouterRtpCodecCapability,
	RtcpFeedback,
	RtcpParameters,
	RtpCapabilities,
	RtpCodecCapability,
	RtpCodecParameters,
	RtpEncodingParameters,
	RtpHeaderExtension,
	RtpHeaderExtensionDirection,
	RtpHeaderExtensionParameters,
	RtpHeaderExtensionUri,
	RtpParameters,
} from '../../js/types';
