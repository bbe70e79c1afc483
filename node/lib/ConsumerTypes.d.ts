// `mediasoup/node/lib/ConsumerTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	BaseConsumerDump,
	Consumer,
	ConsumerDump,
	ConsumerEvents,
	ConsumerLayers,
	ConsumerObserver,
	ConsumerObserverEvents,
	ConsumerOptions,
	ConsumerScore,
	ConsumerStat,
	ConsumerTraceEventData,
	ConsumerTraceEventType,
	ConsumerType,
	PipeConsumerDump,
	RtpStreamDump,
	RtpStreamParametersDump,
	RtxStreamDump,
	RtxStreamParameters,
	SimpleConsumerDump,
	SimulcastConsumerDump,
	SvcConsumerDump,
} from '../../js/types';
