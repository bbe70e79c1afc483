// `mediasoup/node/lib/RouterTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// PipeToRouterOptions, PipeToRouterResult and PipeTransportPair are absent, as
// from ferrosoup's `types` (pipe transports are not implemented yet).

export type {
	Router,
	RouterDump,
	RouterEvents,
	RouterObserver,
	RouterObserverEvents,
	RouterOptions,
} from '../../js/types';
