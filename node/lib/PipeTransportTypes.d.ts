// `mediasoup/node/lib/PipeTransportTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	PipeConsumerOptions,
	PipeTransport,
	PipeTransportDump,
	PipeTransportEvents,
	PipeTransportObserver,
	PipeTransportObserverEvents,
	PipeTransportOptions,
	PipeTransportStat,
} from '../../js/types';
