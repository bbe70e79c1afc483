// Type-level compatibility test between ferrosoup's declarations and those of
// mediasoup 3.27.1. It needs `mediasoup@3.27.1` installed in node_modules (a
// devDependency; `npm install --ignore-scripts` is enough, the worker binary is
// not needed) and is compiled, never run:
//
//   npx -p typescript@5 tsc -p __test__/types/tsconfig.compat.json
//
// Each data type that ferrosoup declares must be the same type as mediasoup's
// (mutual assignability plus identical key sets), and mediasoup application code
// must compile against ferrosoup.

import * as fs from 'ferrosoup';
import * as ms from 'mediasoup';
import type * as fsTypes from 'ferrosoup/types';
import type * as msTypes from 'mediasoup/types';
import * as fsErrors from 'ferrosoup/errors';
import * as msErrors from 'mediasoup/errors';
import * as fsOrtc from 'ferrosoup/ortc';
import * as msOrtc from 'mediasoup/ortc';
import * as fsExtras from 'ferrosoup/extras';
import * as msExtras from 'mediasoup/extras';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Mutual assignability. */
type AssertEqual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Mutual assignability, recursively with the same keys (mutual assignability
 * alone ignores an optional property present on one side only).
 */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type DeepEqual<A, B> =
	AssertEqual<A, B> extends true
		? [A] extends [(...args: any[]) => any]
			? true
			: [A] extends [readonly (infer EA)[]]
				? [B] extends [readonly (infer EB)[]]
					? DeepEqual<EA, EB>
					: false
				: [A] extends [object]
					? SameKeys<A, B> extends true
						? false extends { [K in keyof A & keyof B]: DeepEqual<NonNullable<A[K]>, NonNullable<B[K]>> }[keyof A & keyof B]
							? false
							: true
						: false
					: true
		: false;

function assert<T extends true>(): T | void {}

type MyAppData = { roomId: string; peers: number[] };

// ---------------------------------------------------------------------------
// Data types: identical
// ---------------------------------------------------------------------------

// Generic helpers
assert<DeepEqual<fsTypes.AppData, msTypes.AppData>>();
assert<DeepEqual<fsTypes.Either<{ a: string }, { b?: number }>, msTypes.Either<{ a: string }, { b?: number }>>>();

// Top-level module
assert<DeepEqual<fsTypes.LogEventListeners, msTypes.LogEventListeners>>();

// Worker
assert<DeepEqual<fsTypes.WorkerLogLevel, msTypes.WorkerLogLevel>>();
assert<DeepEqual<fsTypes.WorkerLogTag, msTypes.WorkerLogTag>>();
assert<DeepEqual<fsTypes.WorkerSettings, msTypes.WorkerSettings>>();
assert<DeepEqual<fsTypes.WorkerSettings<MyAppData>, msTypes.WorkerSettings<MyAppData>>>();
assert<DeepEqual<fsTypes.WorkerUpdateableSettings, msTypes.WorkerUpdateableSettings>>();
assert<DeepEqual<fsTypes.WorkerUpdateableSettings<MyAppData>, msTypes.WorkerUpdateableSettings<MyAppData>>>();
assert<DeepEqual<fsTypes.WorkerResourceUsage, msTypes.WorkerResourceUsage>>();
assert<DeepEqual<fsTypes.WorkerDump, msTypes.WorkerDump>>();
assert<DeepEqual<fsTypes.WorkerEvents, msTypes.WorkerEvents>>();

// Router
assert<DeepEqual<fsTypes.RouterOptions, msTypes.RouterOptions>>();
assert<DeepEqual<fsTypes.RouterOptions<MyAppData>, msTypes.RouterOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.RouterDump, msTypes.RouterDump>>();
assert<DeepEqual<fsTypes.RouterEvents, msTypes.RouterEvents>>();

// RTP parameters and capabilities
assert<DeepEqual<fsTypes.MediaKind, msTypes.MediaKind>>();
assert<DeepEqual<fsTypes.RtpCapabilities, msTypes.RtpCapabilities>>();
assert<DeepEqual<fsTypes.RouterRtpCapabilities, msTypes.RouterRtpCapabilities>>();
assert<DeepEqual<fsTypes.RtpCodecCapability, msTypes.RtpCodecCapability>>();
assert<DeepEqual<fsTypes.RouterRtpCodecCapability, msTypes.RouterRtpCodecCapability>>();
assert<DeepEqual<fsTypes.RtpHeaderExtensionDirection, msTypes.RtpHeaderExtensionDirection>>();
assert<DeepEqual<fsTypes.RtpHeaderExtension, msTypes.RtpHeaderExtension>>();
assert<DeepEqual<fsTypes.RtpParameters, msTypes.RtpParameters>>();
assert<DeepEqual<fsTypes.RtpCodecParameters, msTypes.RtpCodecParameters>>();
assert<DeepEqual<fsTypes.RtcpFeedback, msTypes.RtcpFeedback>>();
assert<DeepEqual<fsTypes.RtpEncodingParameters, msTypes.RtpEncodingParameters>>();
assert<DeepEqual<fsTypes.RtpHeaderExtensionUri, msTypes.RtpHeaderExtensionUri>>();
assert<DeepEqual<fsTypes.RtpHeaderExtensionParameters, msTypes.RtpHeaderExtensionParameters>>();
assert<DeepEqual<fsTypes.RtcpParameters, msTypes.RtcpParameters>>();

// SCTP, SRTP, scalability modes
assert<DeepEqual<fsTypes.SctpParameters, msTypes.SctpParameters>>();
assert<DeepEqual<fsTypes.SctpNegotiatedCapabilities, msTypes.SctpNegotiatedCapabilities>>();
assert<DeepEqual<fsTypes.SctpStreamParameters, msTypes.SctpStreamParameters>>();
assert<DeepEqual<fsTypes.SrtpParameters, msTypes.SrtpParameters>>();
assert<DeepEqual<fsTypes.SrtpCryptoSuite, msTypes.SrtpCryptoSuite>>();
assert<DeepEqual<fsTypes.ScalabilityMode, msTypes.ScalabilityMode>>();

// The same types reached through the `types` namespace of the main module.
assert<DeepEqual<fs.types.RtpParameters, ms.types.RtpParameters>>();
assert<DeepEqual<fs.types.RouterRtpCapabilities, ms.types.RouterRtpCapabilities>>();
assert<DeepEqual<fs.types.WorkerSettings, ms.types.WorkerSettings>>();

// ortc
assert<DeepEqual<fsOrtc.RtpCodecsEncodingsMapping, msOrtc.RtpCodecsEncodingsMapping>>();

// ---------------------------------------------------------------------------
// Values: same types
// ---------------------------------------------------------------------------

assert<AssertEqual<typeof fs.version, typeof ms.version>>();
assert<AssertEqual<typeof fs.workerBin, typeof ms.workerBin>>();
assert<AssertEqual<typeof fs.setLogEventListeners, typeof ms.setLogEventListeners>>();
assert<AssertEqual<typeof fs.getSupportedRtpCapabilities, typeof ms.getSupportedRtpCapabilities>>();
assert<AssertEqual<typeof fs.parseScalabilityMode, typeof ms.parseScalabilityMode>>();

// errors (ferrosoup additionally exports InvalidStateError).
assert<AssertEqual<typeof fsErrors.UnsupportedError, typeof msErrors.UnsupportedError>>();
assert<AssertEqual<typeof fsErrors.WorkerClosedError, typeof msErrors.WorkerClosedError>>();
assert<AssertEqual<typeof fsErrors.NotFoundError, typeof msErrors.NotFoundError>>();
assert<AssertEqual<fsTypes.UnsupportedError, msTypes.UnsupportedError>>();
assert<AssertEqual<fsTypes.WorkerClosedError, msTypes.WorkerClosedError>>();
assert<AssertEqual<fsTypes.NotFoundError, msTypes.NotFoundError>>();
assert<AssertEqual<typeof fs.errors.UnsupportedError, typeof ms.errors.UnsupportedError>>();
assert<AssertEqual<Exclude<keyof typeof fsErrors, 'InvalidStateError'>, keyof typeof msErrors>>();

// ortc (mediasoup's internal serializeRtpMapping() is not provided).
assert<AssertEqual<Exclude<keyof typeof msOrtc, 'serializeRtpMapping'>, keyof typeof fsOrtc>>();
assert<AssertEqual<typeof fsOrtc.validateAndNormalizeRtpCapabilities, typeof msOrtc.validateAndNormalizeRtpCapabilities>>();
assert<AssertEqual<typeof fsOrtc.validateAndNormalizeRtpParameters, typeof msOrtc.validateAndNormalizeRtpParameters>>();
assert<
	AssertEqual<typeof fsOrtc.validateAndNormalizeSctpStreamParameters, typeof msOrtc.validateAndNormalizeSctpStreamParameters>
>();
assert<AssertEqual<typeof fsOrtc.generateRouterRtpCapabilities, typeof msOrtc.generateRouterRtpCapabilities>>();
assert<AssertEqual<typeof fsOrtc.getProducerRtpParametersMapping, typeof msOrtc.getProducerRtpParametersMapping>>();
assert<AssertEqual<typeof fsOrtc.getConsumableRtpParameters, typeof msOrtc.getConsumableRtpParameters>>();
assert<AssertEqual<typeof fsOrtc.canConsume, typeof msOrtc.canConsume>>();
assert<AssertEqual<typeof fsOrtc.getConsumerRtpParameters, typeof msOrtc.getConsumerRtpParameters>>();
assert<AssertEqual<typeof fsOrtc.getPipeConsumerRtpParameters, typeof msOrtc.getPipeConsumerRtpParameters>>();
assert<AssertEqual<typeof fs.ortc.canConsume, typeof ms.ortc.canConsume>>();

// extras
assert<AssertEqual<keyof typeof fsExtras, keyof typeof msExtras>>();
assert<AssertEqual<typeof fsExtras.enhancedOnce, typeof msExtras.enhancedOnce>>();
assert<AssertEqual<typeof fsExtras.EnhancedEventEmitter, typeof msExtras.EnhancedEventEmitter>>();
assert<AssertEqual<fsExtras.EnhancedEventEmitter, msExtras.EnhancedEventEmitter>>();
assert<
	AssertEqual<
		fsExtras.EnhancedEventEmitter<{ a: [number]; b: [] }>,
		msExtras.EnhancedEventEmitter<{ a: [number]; b: [] }>
	>
>();
assert<AssertEqual<typeof fs.extras.EnhancedEventEmitter, typeof ms.extras.EnhancedEventEmitter>>();

// The top-level module object (`Index`); createWorker and observer carry
// Worker, which is compared below.
assert<AssertEqual<keyof fsTypes.Index, keyof msTypes.Index>>();
assert<DeepEqual<Omit<fsTypes.Index, 'createWorker' | 'observer'>, Omit<msTypes.Index, 'createWorker' | 'observer'>>>();

// ---------------------------------------------------------------------------
// Worker and Router: everything declared so far matches mediasoup.
//
// Not yet declared (later work): Worker.createWebRtcServer(), the Router's
// transport/pipe/RTP-observer methods, and the WebRtcServer, Transport and
// RtpObserver types carried by the observer events `newwebrtcserver`,
// `newtransport` and `newrtpobserver`. Until then Worker, Router and the
// types containing them (createWorker, Index, Observer*) are checked member by
// member instead of as a whole.
// ---------------------------------------------------------------------------

type NotYetWorker = 'createWebRtcServer';
type NotYetRouter =
	| 'createWebRtcTransport'
	| 'createPlainTransport'
	| 'createPipeTransport'
	| 'createDirectTransport'
	| 'pipeToRouter'
	| 'createActiveSpeakerObserver'
	| 'createAudioLevelObserver';

// Key sets.
assert<AssertEqual<keyof fsTypes.Worker, Exclude<keyof msTypes.Worker, NotYetWorker>>>();
assert<AssertEqual<keyof fsTypes.Router, Exclude<keyof msTypes.Router, NotYetRouter>>>();
assert<AssertEqual<keyof fsTypes.ObserverEvents, keyof msTypes.ObserverEvents>>();
assert<AssertEqual<keyof fsTypes.WorkerObserverEvents, keyof msTypes.WorkerObserverEvents>>();
assert<AssertEqual<keyof fsTypes.RouterObserverEvents, keyof msTypes.RouterObserverEvents>>();

// Both extend the event emitter with the same event map. (`on()` & co. return
// `this`, so they are compared here, through the emitter type, and left out of
// the member-by-member comparisons below.)
type EmitterKeys = keyof fsExtras.EnhancedEventEmitter<any>;
assert<AssertEqual<EmitterKeys, keyof msExtras.EnhancedEventEmitter<any>>>();
assert<fsTypes.Worker extends fsExtras.EnhancedEventEmitter<fsTypes.WorkerEvents> ? true : false>();
assert<fsTypes.Router extends fsExtras.EnhancedEventEmitter<fsTypes.RouterEvents> ? true : false>();
assert<
	AssertEqual<fsExtras.EnhancedEventEmitter<fsTypes.WorkerEvents>, msExtras.EnhancedEventEmitter<msTypes.WorkerEvents>>
>();
assert<
	AssertEqual<fsExtras.EnhancedEventEmitter<fsTypes.RouterEvents>, msExtras.EnhancedEventEmitter<msTypes.RouterEvents>>
>();

// Worker members other than observer and createRouter (which contain the
// not-yet-declared types).
type WorkerPlain<W> = Omit<W, EmitterKeys | 'observer' | 'createRouter' | NotYetWorker>;
assert<DeepEqual<WorkerPlain<fsTypes.Worker>, WorkerPlain<msTypes.Worker>>>();
assert<DeepEqual<WorkerPlain<fsTypes.Worker<MyAppData>>, WorkerPlain<msTypes.Worker<MyAppData>>>>();
declare const fsAnyWorker: fsTypes.Worker;
declare const msAnyWorker: msTypes.Worker;
assert<
	AssertEqual<
		Parameters<typeof fsAnyWorker.createRouter<MyAppData>>,
		Parameters<typeof msAnyWorker.createRouter<MyAppData>>
	>
>();

// Router members other than observer.
type RouterPlain<R> = Omit<R, EmitterKeys | 'observer' | NotYetRouter>;
assert<DeepEqual<RouterPlain<fsTypes.Router>, RouterPlain<msTypes.Router>>>();
assert<DeepEqual<RouterPlain<fsTypes.Router<MyAppData>>, RouterPlain<msTypes.Router<MyAppData>>>>();

// Observer event payloads that are already declared.
assert<AssertEqual<fsTypes.WorkerObserverEvents['close'], msTypes.WorkerObserverEvents['close']>>();
assert<AssertEqual<fsTypes.RouterObserverEvents['close'], msTypes.RouterObserverEvents['close']>>();

// createWorker() takes the same settings.
assert<
	AssertEqual<Parameters<typeof fs.createWorker<MyAppData>>, Parameters<typeof ms.createWorker<MyAppData>>>
>();

// A ferrosoup value passes where mediasoup's type is expected for all members
// declared so far.
declare const fsWorker: fs.types.Worker<MyAppData>;
declare const fsRouter: fs.types.Router<MyAppData>;
const asMsWorker: WorkerPlain<ms.types.Worker<MyAppData>> = fsWorker;
const asMsRouter: RouterPlain<ms.types.Router<MyAppData>> = fsRouter;
void asMsWorker;
void asMsRouter;

// ---------------------------------------------------------------------------
// A mediasoup application compiles against ferrosoup.
// ---------------------------------------------------------------------------

// Values typed with mediasoup's types (as a library written for mediasoup
// would hold them) are accepted by ferrosoup.
const msMediaCodecs: ms.types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];
const msSettings: ms.types.WorkerSettings<MyAppData> = {
	logLevel: 'warn',
	logTags: ['info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp'],
	rtcMinPort: 40000,
	rtcMaxPort: 49999,
	appData: { roomId: 'r', peers: [] },
};

// The same code as a mediasoup app, only the import changed.
async function app(mediasoup: typeof fs): Promise<void> {
	mediasoup.setLogEventListeners({
		onwarn: (namespace, log) => console.warn(namespace, log),
		onerror: (namespace, log, error) => console.error(namespace, log, error),
	});

	mediasoup.observer.on('newworker', (worker) => {
		console.log('new worker', worker.pid);
		worker.observer.on('newrouter', (router) => {
			console.log('new router', router.id);
			router.observer.on('close', () => console.log('router closed'));
		});
	});

	const worker = await mediasoup.createWorker(msSettings);

	worker.on('died', (error: Error) => {
		console.error('mediasoup worker died, exiting in 2 seconds... [pid:%d]', worker.pid, error);
		setTimeout(() => process.exit(1), 2000);
	});

	const appData: MyAppData = worker.appData;
	void appData;

	const usage: ms.types.WorkerResourceUsage = await worker.getResourceUsage();
	const dump: ms.types.WorkerDump = await worker.dump();
	void usage;
	void dump;

	await worker.updateSettings({ logLevel: 'debug' } satisfies ms.types.WorkerUpdateableSettings<MyAppData>);

	const router = await worker.createRouter({ mediaCodecs: msMediaCodecs, appData: { roomId: 'r', peers: [1] } });

	// Values from ferrosoup flow into mediasoup-typed code.
	const rtpCapabilities: ms.types.RtpCapabilities = router.rtpCapabilities;
	const routerDump: ms.types.RouterDump = await router.dump();
	const supported: ms.types.RouterRtpCapabilities = mediasoup.getSupportedRtpCapabilities();
	const mode: ms.types.ScalabilityMode = mediasoup.parseScalabilityMode('L1T3');
	void routerDump;
	void supported;
	void mode;

	const canConsume: boolean = router.canConsume({ producerId: 'id', rtpCapabilities });
	void canConsume;

	router.updateMediaCodecs(msMediaCodecs);

	// mediasoup-typed helpers accept ferrosoup's values.
	const consumerCaps = (caps: ms.types.RtpCapabilities): number => caps.codecs?.length ?? 0;
	consumerCaps(router.rtpCapabilities);

	const routerCaps: ms.types.RtpCapabilities = mediasoup.ortc.generateRouterRtpCapabilities(msMediaCodecs);
	void mediasoup.ortc.canConsume(msRtpParameters, routerCaps);

	router.on('workerclose', () => console.log('worker closed'));

	worker.close();
	if (!worker.subprocessClosed) {
		await mediasoup.extras.enhancedOnce(worker, 'subprocessclose');
	}

	try {
		await worker.createRouter();
	} catch (error) {
		if (error instanceof mediasoup.errors.WorkerClosedError) {
			console.log('worker closed', error.message);
		}
	}
}

// ferrosoup's module can be passed where an app expects the parts of
// mediasoup's module that ferrosoup has so far.
void app(fs);

// Code holding mediasoup-typed plain values keeps working when the values come
// from ferrosoup, and vice versa.
declare const fsRtpParameters: fs.types.RtpParameters;
declare const msRtpParameters: ms.types.RtpParameters;
const toMs: ms.types.RtpParameters = fsRtpParameters;
const toFs: fs.types.RtpParameters = msRtpParameters;
void toMs;
void toFs;

// Errors thrown by ferrosoup are caught by code checking ferrosoup's classes;
// the classes are structurally identical to mediasoup's.
const e1: msErrors.UnsupportedError = new fsErrors.UnsupportedError('x');
const e2: fsErrors.NotFoundError = new msErrors.NotFoundError('x');
void e1;
void e2;
