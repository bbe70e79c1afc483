// `mediasoup/node/lib/TransportTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	BaseTransportDump,
	BaseTransportStats,
	RecvRtpHeaderExtensions,
	RtpListenerDump,
	SctpListenerDump,
	SctpState,
	Transport,
	TransportEvents,
	TransportListenInfo,
	TransportListenIp,
	TransportObserver,
	TransportObserverEvents,
	TransportPortRange,
	TransportProtocol,
	TransportSocketFlags,
	TransportTraceEventData,
	TransportTraceEventType,
	TransportTuple,
	TransportType,
} from '../../js/types';
