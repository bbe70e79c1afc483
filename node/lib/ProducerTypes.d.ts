// `mediasoup/node/lib/ProducerTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	Producer,
	ProducerDump,
	ProducerEvents,
	ProducerObserver,
	ProducerObserverEvents,
	ProducerOptions,
	ProducerScore,
	ProducerStat,
	ProducerTraceEventData,
	ProducerTraceEventType,
	ProducerType,
	ProducerVideoOrientation,
} from '../../js/types';
