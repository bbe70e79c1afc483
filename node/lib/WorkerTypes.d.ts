// `mediasoup/node/lib/WorkerTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export type {
	Worker,
	WorkerDump,
	WorkerEvents,
	WorkerLogLevel,
	WorkerLogTag,
	WorkerObserver,
	WorkerObserverEvents,
	WorkerResourceUsage,
	WorkerSettings,
	WorkerUpdateableSettings,
} from '../../js/types';
