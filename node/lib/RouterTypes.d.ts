// `mediasoup/node/lib/RouterTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	PipeToRouterOptions,
	PipeToRouterResult,
	PipeTransportPair,
	Router,
	RouterDump,
	RouterEvents,
	RouterObserver,
	RouterObserverEvents,
	RouterOptions,
} from '../../js/types';
