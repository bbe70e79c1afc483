// Type-level compatibility test between ferrosoup's declarations and those of
// mediasoup 3.27.1. It is compiled, never run:
//
//   npx tsc -p __test__/types/tsconfig.compat.json
//
// `mediasoup` resolves (through tsconfig.compat.json's `paths`) to the copy of
// mediasoup 3.27.1 in __test__/compat/node_modules, which
// `node __test__/compat/run.js --install-only` installs (`npm run pretest`).
//
// Each data type that ferrosoup declares must be the same type as mediasoup's
// (mutual assignability plus identical key sets); entities (Producer, ...) must
// be mediasoup's, or mediasoup's minus the listed members ferrosoup does not
// implement yet; and mediasoup application code must compile against
// ferrosoup.

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
 * alone ignores an optional property present on one side only). Functions
 * must also have mutually assignable parameter lists and return types (method
 * parameters are otherwise compared bivariantly).
 */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type SameSignature<A, B> = [A, B] extends [(...args: infer PA) => infer RA, (...args: infer PB) => infer RB]
	? AssertEqual<PA, PB> extends true
		? AssertEqual<RA, RB>
		: false
	: false;
type DeepEqual<A, B> =
	AssertEqual<A, B> extends true
		? [A] extends [(...args: any[]) => any]
			? SameSignature<A, B>
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

// RTP stream stats
assert<DeepEqual<fsTypes.RtpStreamRecvStats, msTypes.RtpStreamRecvStats>>();
assert<DeepEqual<fsTypes.RtpStreamSendStats, msTypes.RtpStreamSendStats>>();
assert<DeepEqual<fsTypes.BaseRtpStreamStats, msTypes.BaseRtpStreamStats>>();
assert<DeepEqual<fsTypes.BitrateByLayer, msTypes.BitrateByLayer>>();

// Transport (common)
assert<DeepEqual<fsTypes.TransportType, msTypes.TransportType>>();
assert<DeepEqual<fsTypes.TransportListenInfo, msTypes.TransportListenInfo>>();
assert<DeepEqual<fsTypes.TransportListenIp, msTypes.TransportListenIp>>();
assert<DeepEqual<fsTypes.TransportProtocol, msTypes.TransportProtocol>>();
assert<DeepEqual<fsTypes.TransportPortRange, msTypes.TransportPortRange>>();
assert<DeepEqual<fsTypes.TransportSocketFlags, msTypes.TransportSocketFlags>>();
assert<DeepEqual<fsTypes.TransportTuple, msTypes.TransportTuple>>();
assert<DeepEqual<fsTypes.SctpState, msTypes.SctpState>>();
assert<DeepEqual<fsTypes.RtpListenerDump, msTypes.RtpListenerDump>>();
assert<DeepEqual<fsTypes.SctpListenerDump, msTypes.SctpListenerDump>>();
assert<DeepEqual<fsTypes.RecvRtpHeaderExtensions, msTypes.RecvRtpHeaderExtensions>>();
assert<DeepEqual<fsTypes.BaseTransportDump, msTypes.BaseTransportDump>>();
assert<DeepEqual<fsTypes.BaseTransportStats, msTypes.BaseTransportStats>>();
assert<DeepEqual<fsTypes.TransportTraceEventType, msTypes.TransportTraceEventType>>();
assert<DeepEqual<fsTypes.TransportTraceEventData, msTypes.TransportTraceEventData>>();

// WebRtcServer (WebRtcServerObserverEvents carry WebRtcTransport: compared below)
assert<DeepEqual<fsTypes.WebRtcServerOptions, msTypes.WebRtcServerOptions>>();
assert<DeepEqual<fsTypes.WebRtcServerOptions<MyAppData>, msTypes.WebRtcServerOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.WebRtcServerListenInfo, msTypes.WebRtcServerListenInfo>>();
assert<DeepEqual<fsTypes.IpPort, msTypes.IpPort>>();
assert<DeepEqual<fsTypes.IceUserNameFragment, msTypes.IceUserNameFragment>>();
assert<DeepEqual<fsTypes.WebRtcServerDump, msTypes.WebRtcServerDump>>();
assert<DeepEqual<fsTypes.WebRtcServerEvents, msTypes.WebRtcServerEvents>>();

// WebRtcTransport (WebRtcTransportOptions carries WebRtcServer: compared below)
assert<DeepEqual<fsTypes.IceParameters, msTypes.IceParameters>>();
assert<DeepEqual<fsTypes.IceCandidate, msTypes.IceCandidate>>();
assert<DeepEqual<fsTypes.DtlsParameters, msTypes.DtlsParameters>>();
assert<DeepEqual<fsTypes.FingerprintAlgorithm, msTypes.FingerprintAlgorithm>>();
assert<DeepEqual<fsTypes.DtlsFingerprint, msTypes.DtlsFingerprint>>();
assert<DeepEqual<fsTypes.IceRole, msTypes.IceRole>>();
assert<DeepEqual<fsTypes.IceState, msTypes.IceState>>();
assert<DeepEqual<fsTypes.IceCandidateType, msTypes.IceCandidateType>>();
assert<DeepEqual<fsTypes.IceCandidateTcpType, msTypes.IceCandidateTcpType>>();
assert<DeepEqual<fsTypes.DtlsRole, msTypes.DtlsRole>>();
assert<DeepEqual<fsTypes.DtlsState, msTypes.DtlsState>>();
assert<DeepEqual<fsTypes.WebRtcTransportDump, msTypes.WebRtcTransportDump>>();
assert<DeepEqual<fsTypes.WebRtcTransportStat, msTypes.WebRtcTransportStat>>();

// PlainTransport
assert<DeepEqual<fsTypes.PlainTransportOptions, msTypes.PlainTransportOptions>>();
assert<DeepEqual<fsTypes.PlainTransportOptions<MyAppData>, msTypes.PlainTransportOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.PlainTransportDump, msTypes.PlainTransportDump>>();
assert<DeepEqual<fsTypes.PlainTransportStat, msTypes.PlainTransportStat>>();

// DirectTransport
assert<DeepEqual<fsTypes.DirectTransportOptions, msTypes.DirectTransportOptions>>();
assert<DeepEqual<fsTypes.DirectTransportOptions<MyAppData>, msTypes.DirectTransportOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.DirectTransportDump, msTypes.DirectTransportDump>>();
assert<DeepEqual<fsTypes.DirectTransportStat, msTypes.DirectTransportStat>>();

// Producer
assert<DeepEqual<fsTypes.ProducerOptions, msTypes.ProducerOptions>>();
assert<DeepEqual<fsTypes.ProducerOptions<MyAppData>, msTypes.ProducerOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.ProducerType, msTypes.ProducerType>>();
assert<DeepEqual<fsTypes.ProducerScore, msTypes.ProducerScore>>();
assert<DeepEqual<fsTypes.ProducerVideoOrientation, msTypes.ProducerVideoOrientation>>();
assert<DeepEqual<fsTypes.ProducerDump, msTypes.ProducerDump>>();
assert<DeepEqual<fsTypes.ProducerStat, msTypes.ProducerStat>>();
assert<DeepEqual<fsTypes.ProducerTraceEventType, msTypes.ProducerTraceEventType>>();
assert<DeepEqual<fsTypes.ProducerTraceEventData, msTypes.ProducerTraceEventData>>();
assert<DeepEqual<fsTypes.ProducerEvents, msTypes.ProducerEvents>>();
assert<DeepEqual<fsTypes.ProducerObserverEvents, msTypes.ProducerObserverEvents>>();

// Consumer
assert<DeepEqual<fsTypes.ConsumerOptions, msTypes.ConsumerOptions>>();
assert<DeepEqual<fsTypes.ConsumerOptions<MyAppData>, msTypes.ConsumerOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.ConsumerType, msTypes.ConsumerType>>();
assert<DeepEqual<fsTypes.ConsumerScore, msTypes.ConsumerScore>>();
assert<DeepEqual<fsTypes.ConsumerLayers, msTypes.ConsumerLayers>>();
assert<DeepEqual<fsTypes.ConsumerDump, msTypes.ConsumerDump>>();
assert<DeepEqual<fsTypes.SimpleConsumerDump, msTypes.SimpleConsumerDump>>();
assert<DeepEqual<fsTypes.SimulcastConsumerDump, msTypes.SimulcastConsumerDump>>();
assert<DeepEqual<fsTypes.SvcConsumerDump, msTypes.SvcConsumerDump>>();
assert<DeepEqual<fsTypes.PipeConsumerDump, msTypes.PipeConsumerDump>>();
assert<DeepEqual<fsTypes.BaseConsumerDump, msTypes.BaseConsumerDump>>();
assert<DeepEqual<fsTypes.RtpStreamDump, msTypes.RtpStreamDump>>();
assert<DeepEqual<fsTypes.RtpStreamParametersDump, msTypes.RtpStreamParametersDump>>();
assert<DeepEqual<fsTypes.RtxStreamDump, msTypes.RtxStreamDump>>();
assert<DeepEqual<fsTypes.RtxStreamParameters, msTypes.RtxStreamParameters>>();
assert<DeepEqual<fsTypes.ConsumerStat, msTypes.ConsumerStat>>();
assert<DeepEqual<fsTypes.ConsumerTraceEventType, msTypes.ConsumerTraceEventType>>();
assert<DeepEqual<fsTypes.ConsumerTraceEventData, msTypes.ConsumerTraceEventData>>();
assert<DeepEqual<fsTypes.ConsumerEvents, msTypes.ConsumerEvents>>();
assert<DeepEqual<fsTypes.ConsumerObserverEvents, msTypes.ConsumerObserverEvents>>();

// DataProducer
assert<DeepEqual<fsTypes.DataProducerOptions, msTypes.DataProducerOptions>>();
assert<DeepEqual<fsTypes.DataProducerOptions<MyAppData>, msTypes.DataProducerOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.DataProducerType, msTypes.DataProducerType>>();
assert<DeepEqual<fsTypes.DataProducerDump, msTypes.DataProducerDump>>();
assert<DeepEqual<fsTypes.DataProducerStat, msTypes.DataProducerStat>>();
assert<DeepEqual<fsTypes.DataProducerEvents, msTypes.DataProducerEvents>>();
assert<DeepEqual<fsTypes.DataProducerObserverEvents, msTypes.DataProducerObserverEvents>>();

// DataConsumer
assert<DeepEqual<fsTypes.DataConsumerOptions, msTypes.DataConsumerOptions>>();
assert<DeepEqual<fsTypes.DataConsumerOptions<MyAppData>, msTypes.DataConsumerOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.DataConsumerType, msTypes.DataConsumerType>>();
assert<DeepEqual<fsTypes.DataConsumerDump, msTypes.DataConsumerDump>>();
assert<DeepEqual<fsTypes.DataConsumerStat, msTypes.DataConsumerStat>>();
assert<DeepEqual<fsTypes.DataConsumerEvents, msTypes.DataConsumerEvents>>();
assert<DeepEqual<fsTypes.DataConsumerObserverEvents, msTypes.DataConsumerObserverEvents>>();

// RTP observers
assert<DeepEqual<fsTypes.RtpObserverType, msTypes.RtpObserverType>>();
assert<DeepEqual<fsTypes.RtpObserverEvents, msTypes.RtpObserverEvents>>();
assert<DeepEqual<fsTypes.RtpObserverObserverEvents, msTypes.RtpObserverObserverEvents>>();
assert<DeepEqual<fsTypes.ActiveSpeakerObserverOptions, msTypes.ActiveSpeakerObserverOptions>>();
assert<
	DeepEqual<fsTypes.ActiveSpeakerObserverOptions<MyAppData>, msTypes.ActiveSpeakerObserverOptions<MyAppData>>
>();
assert<DeepEqual<fsTypes.ActiveSpeakerObserverDominantSpeaker, msTypes.ActiveSpeakerObserverDominantSpeaker>>();
assert<DeepEqual<fsTypes.ActiveSpeakerObserverEvents, msTypes.ActiveSpeakerObserverEvents>>();
assert<DeepEqual<fsTypes.ActiveSpeakerObserverObserverEvents, msTypes.ActiveSpeakerObserverObserverEvents>>();
assert<DeepEqual<fsTypes.AudioLevelObserverOptions, msTypes.AudioLevelObserverOptions>>();
assert<DeepEqual<fsTypes.AudioLevelObserverOptions<MyAppData>, msTypes.AudioLevelObserverOptions<MyAppData>>>();
assert<DeepEqual<fsTypes.AudioLevelObserverVolume, msTypes.AudioLevelObserverVolume>>();
assert<DeepEqual<fsTypes.AudioLevelObserverEvents, msTypes.AudioLevelObserverEvents>>();
assert<DeepEqual<fsTypes.AudioLevelObserverObserverEvents, msTypes.AudioLevelObserverObserverEvents>>();

// The same types reached through the `types` namespace of the main module.
assert<DeepEqual<fs.types.RtpParameters, ms.types.RtpParameters>>();
assert<DeepEqual<fs.types.RouterRtpCapabilities, ms.types.RouterRtpCapabilities>>();
assert<DeepEqual<fs.types.WorkerSettings, ms.types.WorkerSettings>>();
assert<DeepEqual<fs.types.PlainTransportStat, ms.types.PlainTransportStat>>();
assert<DeepEqual<fs.types.ConsumerScore, ms.types.ConsumerScore>>();

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

// The top-level module object (`Index`) is compared with the entities below.

// ---------------------------------------------------------------------------
// Entities identical to mediasoup's: Producer, Consumer, DataProducer,
// DataConsumer and the RTP observers.
// ---------------------------------------------------------------------------

assert<AssertEqual<fsTypes.Producer, msTypes.Producer>>();
assert<AssertEqual<fsTypes.Producer<MyAppData>, msTypes.Producer<MyAppData>>>();
assert<DeepEqual<fsTypes.Producer<MyAppData>, msTypes.Producer<MyAppData>>>();
assert<AssertEqual<fsTypes.ProducerObserver, msTypes.ProducerObserver>>();
assert<AssertEqual<fsTypes.Consumer, msTypes.Consumer>>();
assert<AssertEqual<fsTypes.Consumer<MyAppData>, msTypes.Consumer<MyAppData>>>();
assert<DeepEqual<fsTypes.Consumer<MyAppData>, msTypes.Consumer<MyAppData>>>();
assert<AssertEqual<fsTypes.ConsumerObserver, msTypes.ConsumerObserver>>();
assert<AssertEqual<fsTypes.DataProducer, msTypes.DataProducer>>();
assert<AssertEqual<fsTypes.DataProducer<MyAppData>, msTypes.DataProducer<MyAppData>>>();
assert<DeepEqual<fsTypes.DataProducer<MyAppData>, msTypes.DataProducer<MyAppData>>>();
assert<AssertEqual<fsTypes.DataProducerObserver, msTypes.DataProducerObserver>>();
assert<AssertEqual<fsTypes.DataConsumer, msTypes.DataConsumer>>();
assert<AssertEqual<fsTypes.DataConsumer<MyAppData>, msTypes.DataConsumer<MyAppData>>>();
assert<DeepEqual<fsTypes.DataConsumer<MyAppData>, msTypes.DataConsumer<MyAppData>>>();
assert<AssertEqual<fsTypes.DataConsumerObserver, msTypes.DataConsumerObserver>>();
assert<AssertEqual<fsTypes.RtpObserver, msTypes.RtpObserver>>();
assert<DeepEqual<fsTypes.RtpObserver<MyAppData>, msTypes.RtpObserver<MyAppData>>>();
assert<AssertEqual<fsTypes.RtpObserverObserver, msTypes.RtpObserverObserver>>();
assert<AssertEqual<fsTypes.ActiveSpeakerObserver, msTypes.ActiveSpeakerObserver>>();
assert<DeepEqual<fsTypes.ActiveSpeakerObserver<MyAppData>, msTypes.ActiveSpeakerObserver<MyAppData>>>();
assert<AssertEqual<fsTypes.ActiveSpeakerObserverObserver, msTypes.ActiveSpeakerObserverObserver>>();
assert<AssertEqual<fsTypes.AudioLevelObserver, msTypes.AudioLevelObserver>>();
assert<DeepEqual<fsTypes.AudioLevelObserver<MyAppData>, msTypes.AudioLevelObserver<MyAppData>>>();
assert<AssertEqual<fsTypes.AudioLevelObserverObserver, msTypes.AudioLevelObserverObserver>>();

// ---------------------------------------------------------------------------
// Entities that are a subset of mediasoup's.
//
// ferrosoup does not implement pipe transports yet. Their methods are left
// out; every other member is mediasoup's. So Router lacks members, and so
// (through their observer events, options or return types) do Transport and
// its kinds, WebRtcServer, Worker and the module (`Index`). These are
// compared member by member: the key sets must be mediasoup's minus the
// `Missing*` lists below, and the members whose types do not carry such an
// entity must be identical. The others (`Nested`) are checked one by one to be
// mediasoup's with ferrosoup's entity in place of mediasoup's. (The
// Transport lists are empty since data channels were implemented.)
//
// When ferrosoup implements one of the missing members, remove it from its
// list: the key-set checks then fail until it is declared.
// ---------------------------------------------------------------------------

/** Transport members ferrosoup lacks (none). */
type MissingTransport = never;
/** Transport events ferrosoup lacks (none). */
type MissingTransportEvents = never;
/** Transport observer events ferrosoup lacks (none). */
type MissingTransportObserverEvents = never;
/** Router members ferrosoup lacks (none). */
type MissingRouter = never;

// Methods of the event emitter. (`on()` & co. return `this`, so they are
// compared through the event maps instead.)
type EmitterKeys = keyof fsExtras.EnhancedEventEmitter<any>;
assert<AssertEqual<EmitterKeys, keyof msExtras.EnhancedEventEmitter<any>>>();

/**
 * `F` has the members of `M` except `Missing` (which must all be members of
 * `M`), and those other than `Nested` and the emitter's methods are identical.
 */
type Subset<F, M, Missing extends PropertyKey, Nested extends PropertyKey = never> = [Missing] extends [keyof M]
	? AssertEqual<keyof F, Exclude<keyof M, Missing>> extends true
		? DeepEqual<Omit<F, EmitterKeys | Nested>, Omit<M, EmitterKeys | Missing | Nested>>
		: false
	: false;

/** `F` is the event emitter of event map `E` (ferrosoup's extras). */
type EmitterOf<F, E extends Record<string, any[]>> = AssertEqual<F, fsExtras.EnhancedEventEmitter<E>>;
/** `F` is an event emitter with event map `E`. */
type EmitsEvents<F, E extends Record<string, any[]>> = F extends fsExtras.EnhancedEventEmitter<E> ? true : false;

/** Parameters of two (instantiated) methods are identical. */
type SameParameters<F extends (...args: any[]) => any, M extends (...args: any[]) => any> = DeepEqual<
	Parameters<F>,
	Parameters<M>
>;

/** `F` returns a promise of `R`. */
type Resolves<F extends (...args: any[]) => any, R> = AssertEqual<ReturnType<F>, Promise<R>>;

// Transport (the base) and its kinds: complete (the observer is compared
// through its event map).
type TransportNested = 'observer';

assert<Subset<fsTypes.Transport, msTypes.Transport, MissingTransport, TransportNested>>();
assert<Subset<fsTypes.Transport<MyAppData>, msTypes.Transport<MyAppData>, MissingTransport, TransportNested>>();
assert<Subset<fsTypes.TransportEvents, msTypes.TransportEvents, MissingTransportEvents>>();
assert<Subset<fsTypes.TransportObserverEvents, msTypes.TransportObserverEvents, MissingTransportObserverEvents>>();
assert<EmitsEvents<fsTypes.Transport, fsTypes.TransportEvents>>();
assert<EmitterOf<fsTypes.Transport['observer'], fsTypes.TransportObserverEvents>>();
assert<EmitterOf<fsTypes.TransportObserver, fsTypes.TransportObserverEvents>>();

assert<Subset<fsTypes.WebRtcTransport, msTypes.WebRtcTransport, MissingTransport, TransportNested>>();
assert<
	Subset<fsTypes.WebRtcTransport<MyAppData>, msTypes.WebRtcTransport<MyAppData>, MissingTransport, TransportNested>
>();
assert<Subset<fsTypes.WebRtcTransportEvents, msTypes.WebRtcTransportEvents, MissingTransportEvents>>();
assert<
	Subset<fsTypes.WebRtcTransportObserverEvents, msTypes.WebRtcTransportObserverEvents, MissingTransportObserverEvents>
>();
assert<EmitsEvents<fsTypes.WebRtcTransport, fsTypes.WebRtcTransportEvents>>();
assert<EmitterOf<fsTypes.WebRtcTransport['observer'], fsTypes.WebRtcTransportObserverEvents>>();
assert<EmitterOf<fsTypes.WebRtcTransportObserver, fsTypes.WebRtcTransportObserverEvents>>();

assert<Subset<fsTypes.PlainTransport, msTypes.PlainTransport, MissingTransport, TransportNested>>();
assert<
	Subset<fsTypes.PlainTransport<MyAppData>, msTypes.PlainTransport<MyAppData>, MissingTransport, TransportNested>
>();
assert<Subset<fsTypes.PlainTransportEvents, msTypes.PlainTransportEvents, MissingTransportEvents>>();
assert<
	Subset<fsTypes.PlainTransportObserverEvents, msTypes.PlainTransportObserverEvents, MissingTransportObserverEvents>
>();
assert<EmitsEvents<fsTypes.PlainTransport, fsTypes.PlainTransportEvents>>();
assert<EmitterOf<fsTypes.PlainTransport['observer'], fsTypes.PlainTransportObserverEvents>>();
assert<EmitterOf<fsTypes.PlainTransportObserver, fsTypes.PlainTransportObserverEvents>>();

assert<Subset<fsTypes.DirectTransport, msTypes.DirectTransport, MissingTransport, TransportNested>>();
assert<
	Subset<fsTypes.DirectTransport<MyAppData>, msTypes.DirectTransport<MyAppData>, MissingTransport, TransportNested>
>();
assert<Subset<fsTypes.DirectTransportEvents, msTypes.DirectTransportEvents, MissingTransportEvents>>();
assert<
	Subset<fsTypes.DirectTransportObserverEvents, msTypes.DirectTransportObserverEvents, MissingTransportObserverEvents>
>();
assert<EmitsEvents<fsTypes.DirectTransport, fsTypes.DirectTransportEvents>>();
assert<EmitterOf<fsTypes.DirectTransport['observer'], fsTypes.DirectTransportObserverEvents>>();
assert<EmitterOf<fsTypes.DirectTransportObserver, fsTypes.DirectTransportObserverEvents>>();

// Every transport kind is a Transport.
assert<fsTypes.WebRtcTransport extends fsTypes.Transport ? true : false>();
assert<fsTypes.PlainTransport extends fsTypes.Transport ? true : false>();
assert<fsTypes.DirectTransport extends fsTypes.Transport ? true : false>();

// WebRtcServer: complete; observer events and handleWebRtcTransport() carry
// WebRtcTransport.
assert<Subset<fsTypes.WebRtcServer, msTypes.WebRtcServer, never, 'observer' | 'handleWebRtcTransport'>>();
assert<
	Subset<fsTypes.WebRtcServer<MyAppData>, msTypes.WebRtcServer<MyAppData>, never, 'observer' | 'handleWebRtcTransport'>
>();
assert<EmitsEvents<fsTypes.WebRtcServer, fsTypes.WebRtcServerEvents>>();
assert<EmitterOf<fsTypes.WebRtcServer['observer'], fsTypes.WebRtcServerObserverEvents>>();
assert<EmitterOf<fsTypes.WebRtcServerObserver, fsTypes.WebRtcServerObserverEvents>>();
type WebRtcServerObserverNested = 'webrtctransporthandled' | 'webrtctransportunhandled';
assert<
	Subset<fsTypes.WebRtcServerObserverEvents, msTypes.WebRtcServerObserverEvents, never, WebRtcServerObserverNested>
>();
assert<AssertEqual<fsTypes.WebRtcServerObserverEvents['webrtctransporthandled'], [fsTypes.WebRtcTransport]>>();
assert<AssertEqual<fsTypes.WebRtcServerObserverEvents['webrtctransportunhandled'], [fsTypes.WebRtcTransport]>>();
assert<AssertEqual<Parameters<fsTypes.WebRtcServer['handleWebRtcTransport']>, [fsTypes.WebRtcTransport]>>();
assert<AssertEqual<ReturnType<fsTypes.WebRtcServer['handleWebRtcTransport']>, void>>();

// WebRtcTransportOptions: the three listen variants; the `webRtcServer` one
// takes ferrosoup's WebRtcServer.
type WithServer<T> = Extract<T, { webRtcServer: object }>;
type WithoutServer<T> = Exclude<T, { webRtcServer: object }>;
assert<DeepEqual<WithoutServer<fsTypes.WebRtcTransportOptions>, WithoutServer<msTypes.WebRtcTransportOptions>>>();
assert<
	DeepEqual<
		WithoutServer<fsTypes.WebRtcTransportOptions<MyAppData>>,
		WithoutServer<msTypes.WebRtcTransportOptions<MyAppData>>
	>
>();
assert<
	DeepEqual<
		Omit<WithServer<fsTypes.WebRtcTransportOptions<MyAppData>>, 'webRtcServer'>,
		Omit<WithServer<msTypes.WebRtcTransportOptions<MyAppData>>, 'webRtcServer'>
	>
>();
assert<AssertEqual<WithServer<fsTypes.WebRtcTransportOptions>['webRtcServer'], fsTypes.WebRtcServer>>();
assert<AssertEqual<WithServer<msTypes.WebRtcTransportOptions>['webRtcServer'], msTypes.WebRtcServer>>();

// Router. Observer events and the transport-creating methods carry
// Transport kinds.
declare const fsAnyRouter: fsTypes.Router;
declare const msAnyRouter: msTypes.Router;
type RouterNested =
	| 'observer'
	| 'createWebRtcTransport'
	| 'createPlainTransport'
	| 'createPipeTransport'
	| 'pipeToRouter'
	| 'createDirectTransport';
assert<Subset<fsTypes.Router, msTypes.Router, MissingRouter, RouterNested>>();
assert<Subset<fsTypes.Router<MyAppData>, msTypes.Router<MyAppData>, MissingRouter, RouterNested>>();
assert<EmitsEvents<fsTypes.Router, fsTypes.RouterEvents>>();
assert<
	AssertEqual<fsExtras.EnhancedEventEmitter<fsTypes.RouterEvents>, msExtras.EnhancedEventEmitter<msTypes.RouterEvents>>
>();
assert<EmitterOf<fsTypes.Router['observer'], fsTypes.RouterObserverEvents>>();
assert<EmitterOf<fsTypes.RouterObserver, fsTypes.RouterObserverEvents>>();
assert<Subset<fsTypes.RouterObserverEvents, msTypes.RouterObserverEvents, never, 'newtransport'>>();
assert<AssertEqual<fsTypes.RouterObserverEvents['newtransport'], [fsTypes.Transport]>>();
// (Its options differ from mediasoup's only in `webRtcServer`: compared above.)
assert<
	AssertEqual<
		Parameters<typeof fsAnyRouter.createWebRtcTransport<MyAppData>>,
		[fsTypes.WebRtcTransportOptions<MyAppData>]
	>
>();
assert<
	Resolves<typeof fsAnyRouter.createWebRtcTransport<MyAppData>, fsTypes.WebRtcTransport<MyAppData>>
>();
assert<
	SameParameters<typeof fsAnyRouter.createPlainTransport<MyAppData>, typeof msAnyRouter.createPlainTransport<MyAppData>>
>();
assert<Resolves<typeof fsAnyRouter.createPlainTransport<MyAppData>, fsTypes.PlainTransport<MyAppData>>>();
assert<
	SameParameters<
		typeof fsAnyRouter.createDirectTransport<MyAppData>,
		typeof msAnyRouter.createDirectTransport<MyAppData>
	>
>();
assert<Resolves<typeof fsAnyRouter.createDirectTransport<MyAppData>, fsTypes.DirectTransport<MyAppData>>>();
assert<Resolves<typeof fsAnyRouter.createDirectTransport, fsTypes.DirectTransport>>();

// Worker: complete; observer events and createWebRtcServer()/createRouter()
// carry WebRtcServer and Router.
declare const fsAnyWorker: fsTypes.Worker;
declare const msAnyWorker: msTypes.Worker;
type WorkerNested = 'observer' | 'createWebRtcServer' | 'createRouter';
assert<Subset<fsTypes.Worker, msTypes.Worker, never, WorkerNested>>();
assert<Subset<fsTypes.Worker<MyAppData>, msTypes.Worker<MyAppData>, never, WorkerNested>>();
assert<EmitsEvents<fsTypes.Worker, fsTypes.WorkerEvents>>();
assert<
	AssertEqual<fsExtras.EnhancedEventEmitter<fsTypes.WorkerEvents>, msExtras.EnhancedEventEmitter<msTypes.WorkerEvents>>
>();
assert<EmitterOf<fsTypes.Worker['observer'], fsTypes.WorkerObserverEvents>>();
assert<EmitterOf<fsTypes.WorkerObserver, fsTypes.WorkerObserverEvents>>();
assert<Subset<fsTypes.WorkerObserverEvents, msTypes.WorkerObserverEvents, never, 'newwebrtcserver' | 'newrouter'>>();
assert<AssertEqual<fsTypes.WorkerObserverEvents['newwebrtcserver'], [fsTypes.WebRtcServer]>>();
assert<AssertEqual<fsTypes.WorkerObserverEvents['newrouter'], [fsTypes.Router]>>();
assert<
	SameParameters<typeof fsAnyWorker.createWebRtcServer<MyAppData>, typeof msAnyWorker.createWebRtcServer<MyAppData>>
>();
assert<Resolves<typeof fsAnyWorker.createWebRtcServer<MyAppData>, fsTypes.WebRtcServer<MyAppData>>>();
assert<SameParameters<typeof fsAnyWorker.createRouter<MyAppData>, typeof msAnyWorker.createRouter<MyAppData>>>();
assert<Resolves<typeof fsAnyWorker.createRouter<MyAppData>, fsTypes.Router<MyAppData>>>();

// The module: complete; `observer` and `createWorker` carry Worker.
assert<Subset<fsTypes.Index, msTypes.Index, never, 'observer' | 'createWorker'>>();
assert<AssertEqual<fsTypes.ObserverEvents, { newworker: [fsTypes.Worker] }>>();
assert<AssertEqual<keyof fsTypes.ObserverEvents, keyof msTypes.ObserverEvents>>();
assert<EmitterOf<fsTypes.Observer, fsTypes.ObserverEvents>>();
assert<EmitterOf<typeof fs.observer, fsTypes.ObserverEvents>>();
assert<SameParameters<typeof fs.createWorker<MyAppData>, typeof ms.createWorker<MyAppData>>>();
assert<Resolves<typeof fs.createWorker<MyAppData>, fsTypes.Worker<MyAppData>>>();

// A ferrosoup value passes where mediasoup's type is expected, for every
// member but the missing (and nested) ones.
declare const fsWorker: fs.types.Worker<MyAppData>;
declare const fsRouter: fs.types.Router<MyAppData>;
declare const fsPlainTransport: fs.types.PlainTransport<MyAppData>;
declare const fsWebRtcServer: fs.types.WebRtcServer<MyAppData>;
const asMsWorker: Omit<ms.types.Worker<MyAppData>, EmitterKeys | WorkerNested> = fsWorker;
const asMsRouter: Omit<ms.types.Router<MyAppData>, EmitterKeys | MissingRouter | RouterNested> = fsRouter;
const asMsPlainTransport: Omit<ms.types.PlainTransport<MyAppData>, EmitterKeys | MissingTransport | TransportNested> =
	fsPlainTransport;
const asMsWebRtcServer: Omit<ms.types.WebRtcServer<MyAppData>, EmitterKeys | 'observer' | 'handleWebRtcTransport'> =
	fsWebRtcServer;
void asMsWorker;
void asMsRouter;
void asMsPlainTransport;
void asMsWebRtcServer;

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

	// WebRTC media, as in mediasoup-demo.
	const listenInfo: ms.types.TransportListenInfo = {
		protocol: 'udp',
		ip: '0.0.0.0',
		announcedAddress: '203.0.113.1',
		portRange: { min: 40000, max: 49999 },
	};
	const webRtcServer = await worker.createWebRtcServer({
		listenInfos: [listenInfo, { ...listenInfo, protocol: 'tcp', port: 44444 }],
	});
	const webRtcServerDump: ms.types.WebRtcServerDump = await webRtcServer.dump();
	void webRtcServerDump;
	webRtcServer.observer.on('webrtctransporthandled', (transport) => void transport.iceState);

	const webRtcTransportOptions: ms.types.WebRtcTransportOptions<MyAppData> = {
		listenInfos: [listenInfo],
		enableUdp: true,
		preferUdp: true,
		initialAvailableOutgoingBitrate: 1000000,
		appData: { roomId: 'r', peers: [] },
	};
	const sendTransport = await router.createWebRtcTransport(webRtcTransportOptions);
	const recvTransport = await router.createWebRtcTransport({ webRtcServer, enableTcp: false });
	const iceParameters: ms.types.IceParameters = sendTransport.iceParameters;
	const iceCandidates: ms.types.IceCandidate[] = sendTransport.iceCandidates;
	const dtlsParameters: ms.types.DtlsParameters = sendTransport.dtlsParameters;
	void iceParameters;
	void iceCandidates;
	sendTransport.on('dtlsstatechange', (dtlsState: ms.types.DtlsState) => {
		if (dtlsState === 'failed' || dtlsState === 'closed') sendTransport.close();
	});
	sendTransport.on('icestatechange', (iceState: ms.types.IceState) => void iceState);
	sendTransport.observer.on('iceselectedtuplechange', (tuple: ms.types.TransportTuple) => void tuple.remotePort);
	await sendTransport.connect({ dtlsParameters });
	await sendTransport.setMaxIncomingBitrate(1500000);
	const newIceParameters: ms.types.IceParameters = await recvTransport.restartIce();
	void newIceParameters;

	// Producer and Consumer values are mediasoup's types.
	const producer: ms.types.Producer<MyAppData> = await sendTransport.produce({
		kind: 'video',
		rtpParameters: msRtpParameters,
		appData: { roomId: 'r', peers: [] },
	});
	producer.on('score', (score: ms.types.ProducerScore[]) => void score);
	producer.on('videoorientationchange', (orientation: ms.types.ProducerVideoOrientation) => void orientation);
	producer.on('trace', (trace: ms.types.ProducerTraceEventData) => void trace.info);
	await producer.enableTraceEvent(['rtp', 'pli']);

	const consumer: ms.types.Consumer = await recvTransport.consume({
		producerId: producer.id,
		rtpCapabilities,
		paused: true,
		enableRtx: true,
		ignoreDtx: true,
	} satisfies ms.types.ConsumerOptions);
	consumer.on('layerschange', (layers?: ms.types.ConsumerLayers) => void layers);
	consumer.on('score', (score: ms.types.ConsumerScore) => void score.producerScores);
	await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
	await consumer.resume();
	const consumerStats: (ms.types.ConsumerStat | ms.types.ProducerStat)[] = await consumer.getStats();
	const consumerDump: ms.types.ConsumerDump = await consumer.dump();
	void consumerStats;
	void consumerDump;

	// mediasoup-typed helpers accept ferrosoup's Producers and Consumers.
	const describeProducer = (p: ms.types.Producer): string => `${p.kind} ${p.type} ${p.paused}`;
	describeProducer(producer);
	const consumers = new Map<string, ms.types.Consumer>([[consumer.id, consumer]]);
	void consumers;

	// Stats and dumps of transports are mediasoup's types.
	const transportStats: ms.types.WebRtcTransportStat[] = await sendTransport.getStats();
	const transportDump: ms.types.WebRtcTransportDump = await sendTransport.dump();
	void transportStats;
	void transportDump;

	// PlainTransport (e.g. to FFmpeg).
	const plainTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		rtcpMux: false,
		comedia: true,
		enableSrtp: true,
		srtpCryptoSuite: 'AEAD_AES_256_GCM',
	} satisfies ms.types.PlainTransportOptions);
	const tuple: ms.types.TransportTuple = plainTransport.tuple;
	const srtpParameters: ms.types.SrtpParameters | undefined = plainTransport.srtpParameters;
	void tuple;
	plainTransport.on('tuple', (t: ms.types.TransportTuple) => void t.remoteIp);
	plainTransport.on('trace', (trace: ms.types.TransportTraceEventData) => void trace.direction);
	await plainTransport.enableTraceEvent(['bwe']);
	if (srtpParameters) {
		await plainTransport.connect({ srtpParameters });
	}
	const plainStats: ms.types.PlainTransportStat[] = await plainTransport.getStats();
	void plainStats;

	// DirectTransport.
	const directTransport = await router.createDirectTransport({ maxSendMessageSize: 65536 } satisfies ms.types.DirectTransportOptions);
	directTransport.on('rtcp', (packet: Buffer) => void packet.length);
	directTransport.sendRtcp(Buffer.alloc(8));

	// RTP observers are mediasoup's types.
	const audioLevelObserver: ms.types.AudioLevelObserver = await router.createAudioLevelObserver({
		maxEntries: 1,
		threshold: -80,
		interval: 800,
	});
	audioLevelObserver.on('volumes', (volumes: ms.types.AudioLevelObserverVolume[]) => {
		const { producer: loudest, volume } = volumes[0]!;
		console.log(loudest.id, volume);
	});
	audioLevelObserver.on('silence', () => {});
	const activeSpeakerObserver: ms.types.ActiveSpeakerObserver = await router.createActiveSpeakerObserver();
	activeSpeakerObserver.on('dominantspeaker', ({ producer: dominant }: ms.types.ActiveSpeakerObserverDominantSpeaker) => {
		console.log(dominant.id);
	});
	await audioLevelObserver.addProducer({ producerId: producer.id });

	// Data channels (DirectTransport messages; SCTP ones exist but carry no
	// messages in ferrosoup yet).
	const dataProducer: ms.types.DataProducer<MyAppData> = await directTransport.produceData({
		label: 'chat',
		appData: { roomId: 'r', peers: [] },
	} satisfies ms.types.DataProducerOptions<MyAppData>);
	const dataConsumer: ms.types.DataConsumer = await directTransport.consumeData({
		dataProducerId: dataProducer.id,
		subchannels: [1, 2],
	} satisfies ms.types.DataConsumerOptions);
	dataConsumer.on('message', (message: Buffer, ppid: number) => void [message.length, ppid]);
	dataConsumer.on('dataproducerclose', () => {});
	dataProducer.send('hello', undefined, [1], undefined, 2);
	await dataConsumer.setSubchannels([3]);
	const dataProducerStats: ms.types.DataProducerStat[] = await dataProducer.getStats();
	const dataConsumerDump: ms.types.DataConsumerDump = await dataConsumer.dump();
	void dataProducerStats;
	void dataConsumerDump;
	const sctpDataProducer = await sendTransport.produceData({
		sctpStreamParameters: { streamId: 1, ordered: false, maxRetransmits: 3 } satisfies ms.types.SctpStreamParameters,
	});
	const sctpDataConsumer = await recvTransport.consumeData({ dataProducerId: sctpDataProducer.id, ordered: true });
	const bufferedAmount: number = await sctpDataConsumer.getBufferedAmount();
	void bufferedAmount;

	router.observer.on('newtransport', (transport) => {
		transport.observer.on('newproducer', (p: ms.types.Producer) => void p.id);
		transport.observer.on('newconsumer', (c: ms.types.Consumer) => void c.id);
		transport.observer.on('newdataproducer', (dp: ms.types.DataProducer) => void dp.id);
		transport.observer.on('newdataconsumer', (dc: ms.types.DataConsumer) => void dc.id);
	});
	router.observer.on('newrtpobserver', (rtpObserver: ms.types.RtpObserver) => void rtpObserver.type);

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
