// `mediasoup/node/lib/WebRtcTransportTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	DtlsFingerprint,
	DtlsParameters,
	DtlsRole,
	DtlsState,
	FingerprintAlgorithm,
	IceCandidate,
	IceCandidateTcpType,
	IceCandidateType,
	IceParameters,
	IceRole,
	IceState,
	WebRtcTransport,
	WebRtcTransportDump,
	WebRtcTransportEvents,
	WebRtcTransportObserver,
	WebRtcTransportObserverEvents,
	WebRtcTransportOptions,
	WebRtcTransportStat,
} from '../../js/types';
