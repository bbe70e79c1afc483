// `mediasoup/node/lib/DirectTransportTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	DirectTransport,
	DirectTransportDump,
	DirectTransportEvents,
	DirectTransportObserver,
	DirectTransportObserverEvents,
	DirectTransportOptions,
	DirectTransportStat,
} from '../../js/types';
