// Type declarations for `ferrosoup`, a drop-in replacement for mediasoup
// 3.27.1: the module's exports and their types are those of `mediasoup`.

import type { Observer, LogEventListeners, Worker, WorkerSettings, RouterRtpCapabilities, ScalabilityMode, AppData } from './js/types';

/** All public types (type-only: `types` is not a value at runtime). */
export type * as types from './js/types';

/** Error classes thrown by ferrosoup (`UnsupportedError`, `WorkerClosedError`, ...). */
export * as errors from './js/errors';

/** ORTC negotiation helpers. */
export * as ortc from './js/ortc';

/** `EnhancedEventEmitter` and `enhancedOnce`. */
export * as extras from './js/extras';

/** Version of the mediasoup API this package implements (the package version). */
export declare const version: string;

/** Module observer; emits `newworker` for every Worker created. */
export declare const observer: Observer;

/**
 * Path of the worker binary as mediasoup reports it (`MEDIASOUP_WORKER_BIN`
 * when set). ferrosoup runs its workers inside the Node.js process.
 */
export declare const workerBin: string;

/**
 * Routes the library's logs to the given listeners. Calling it without
 * arguments stops log events.
 */
export declare function setLogEventListeners(listeners?: LogEventListeners): void;

/** Creates a Worker. */
export declare function createWorker<WorkerAppData extends AppData = AppData>({
	logLevel,
	logTags,
	rtcMinPort,
	rtcMaxPort,
	dtlsCertificateFile,
	dtlsPrivateKeyFile,
	workerBin,
	libwebrtcFieldTrials,
	appData,
}?: WorkerSettings<WorkerAppData>): Promise<Worker<WorkerAppData>>;

/** Returns a copy of the RTP capabilities ferrosoup supports. */
export declare function getSupportedRtpCapabilities(): RouterRtpCapabilities;

/**
 * Parses a scalability mode string ('L1T3', 'S3T3', 'L2T2_KEY', ...). Invalid
 * or missing input yields 1 spatial layer, 1 temporal layer, no K-SVC.
 */
export declare function parseScalabilityMode(scalabilityMode?: string): ScalabilityMode;
