// Type-level test of ferrosoup's public declarations. It is compiled, never
// run: `npx -p typescript@5 tsc -p __test__/types` must report no errors.
//
// Lines marked `@ts-expect-error` must fail to compile; if one stops failing
// tsc reports it as an unused directive.

import * as mediasoup from 'ferrosoup';
import { createWorker, observer, version, workerBin, errors, ortc, extras } from 'ferrosoup';
import type { types } from 'ferrosoup';
import type {
	AppData,
	Either,
	Index,
	LogEventListeners,
	MediaKind,
	Observer,
	ObserverEvents,
	Router,
	RouterDump,
	RouterEvents,
	RouterObserverEvents,
	RouterOptions,
	RouterRtpCapabilities,
	RouterRtpCodecCapability,
	RtcpFeedback,
	RtcpParameters,
	RtpCapabilities,
	RtpCodecCapability,
	RtpCodecParameters,
	RtpEncodingParameters,
	RtpHeaderExtension,
	RtpHeaderExtensionDirection,
	RtpHeaderExtensionParameters,
	RtpHeaderExtensionUri,
	RtpParameters,
	ScalabilityMode,
	SctpNegotiatedCapabilities,
	SctpParameters,
	SctpStreamParameters,
	SrtpCryptoSuite,
	SrtpParameters,
	Worker,
	WorkerDump,
	WorkerEvents,
	WorkerLogLevel,
	WorkerLogTag,
	WorkerObserverEvents,
	WorkerResourceUsage,
	WorkerSettings,
	WorkerUpdateableSettings,
} from 'ferrosoup/types';
import { UnsupportedError, WorkerClosedError, NotFoundError, InvalidStateError } from 'ferrosoup/errors';
import { EnhancedEventEmitter, enhancedOnce } from 'ferrosoup/extras';
import {
	canConsume,
	generateRouterRtpCapabilities,
	getConsumableRtpParameters,
	getConsumerRtpParameters,
	getPipeConsumerRtpParameters,
	getProducerRtpParametersMapping,
	validateAndNormalizeRtpCapabilities,
	validateAndNormalizeRtpParameters,
	validateAndNormalizeSctpStreamParameters,
	type RtpCodecsEncodingsMapping,
} from 'ferrosoup/ortc';

// Exact type equality (distinguishes `any`, optionality and readonly-ness).
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

// ---------------------------------------------------------------------------
// Top-level module
// ---------------------------------------------------------------------------

assertType<Equal<typeof version, string>>();
assertType<Equal<typeof workerBin, string>>();
assertType<Equal<typeof observer, Observer>>();
assertType<Equal<typeof mediasoup.getSupportedRtpCapabilities, () => RouterRtpCapabilities>>();
assertType<Equal<ReturnType<typeof mediasoup.parseScalabilityMode>, ScalabilityMode>>();
assertType<Equal<Parameters<typeof mediasoup.parseScalabilityMode>, [scalabilityMode?: string]>>();
assertType<Equal<Parameters<typeof mediasoup.setLogEventListeners>, [listeners?: LogEventListeners]>>();

// The module object satisfies the `Index` interface.
const moduleAsIndex: Index = mediasoup;
void moduleAsIndex;

// `types` is type-only: it is not a property of the module object.
// @ts-expect-error: no runtime 'types' property
void mediasoup.types;

// The `types` namespace and `ferrosoup/types` are the same declarations.
assertType<Equal<types.RtpParameters, RtpParameters>>();
assertType<Equal<types.Worker, Worker>>();
assertType<Equal<types.UnsupportedError, UnsupportedError>>();
assertType<Equal<types.InvalidStateError, InvalidStateError>>();

// The namespaces on the main module are the subpath modules.
assertType<Equal<typeof errors.UnsupportedError, typeof UnsupportedError>>();
assertType<Equal<typeof ortc.canConsume, typeof canConsume>>();
assertType<Equal<typeof extras.EnhancedEventEmitter, typeof EnhancedEventEmitter>>();
assertType<Equal<typeof extras.enhancedOnce, typeof enhancedOnce>>();

mediasoup.setLogEventListeners();
mediasoup.setLogEventListeners({
	ondebug: undefined,
	onwarn: (namespace: string, log: string) => console.warn(namespace, log),
	onerror: (namespace, log, error) => console.error(namespace, log, error?.message),
});

const scalability: ScalabilityMode = mediasoup.parseScalabilityMode('L3T3_KEY');
const layers: number = scalability.spatialLayers + scalability.temporalLayers;
const ksvc: boolean = scalability.ksvc;
void layers;
void ksvc;
mediasoup.parseScalabilityMode();

const supported: RouterRtpCapabilities = mediasoup.getSupportedRtpCapabilities();
// Supported codecs may lack a preferred payload type.
assertType<Equal<NonNullable<(typeof supported)['codecs']>[number]['preferredPayloadType'], number | undefined>>();

// ---------------------------------------------------------------------------
// A typical application
// ---------------------------------------------------------------------------

type MyWorkerAppData = { index: number };
type MyRouterAppData = { roomId: string };

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{
		kind: 'video',
		mimeType: 'video/VP8',
		clockRate: 90000,
		parameters: { 'x-google-start-bitrate': 1000 },
	},
	{
		kind: 'video',
		mimeType: 'video/H264',
		preferredPayloadType: 125,
		clockRate: 90000,
		parameters: {
			'packetization-mode': 1,
			'profile-level-id': '42e01f',
			'level-asymmetry-allowed': 1,
		},
		rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
	},
];

mediasoup.observer.on('newworker', (worker) => {
	assertType<Equal<typeof worker, Worker>>();
	worker.observer.on('close', () => {});
	worker.observer.on('newrouter', (router) => {
		assertType<Equal<typeof router, Router>>();
		router.observer.on('close', () => {});
		router.observer.on('newtransport', (transport) => void transport.id);
		router.observer.on('newrtpobserver', (rtpObserver) => void rtpObserver.id);
	});
	worker.observer.on('newwebrtcserver', (webRtcServer) => void webRtcServer.id);
});

async function runApp(): Promise<void> {
	const settings: WorkerSettings<MyWorkerAppData> = {
		logLevel: 'warn',
		logTags: ['info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp'],
		rtcMinPort: 40000,
		rtcMaxPort: 49999,
		dtlsCertificateFile: '/etc/cert.pem',
		dtlsPrivateKeyFile: '/etc/key.pem',
		libwebrtcFieldTrials: 'WebRTC-Bwe-AlrLimitedBackoff/Enabled/',
		appData: { index: 0 },
	};

	const worker = await createWorker<MyWorkerAppData>(settings);

	assertType<Equal<typeof worker, Worker<MyWorkerAppData>>>();
	assertType<Equal<typeof worker.appData, MyWorkerAppData>>();

	const defaultWorker = await mediasoup.createWorker();

	assertType<Equal<typeof defaultWorker, Worker<AppData>>>();

	// appData type is inferred from the settings.
	const inferred = await createWorker({ appData: { foo: 'bar' } });

	assertType<Equal<typeof inferred.appData, { foo: string }>>();

	worker.on('died', (error) => {
		assertType<Equal<typeof error, Error>>();
		console.error('worker died', error.message, worker.pid);
	});
	worker.on('subprocessclose', () => {});
	worker.once('died', () => {});
	worker.on('listenererror', (eventName, error) => {
		assertType<Equal<typeof eventName, keyof WorkerEvents>>();
		assertType<Equal<typeof error, Error>>();
	});

	const pid: number = worker.pid;
	const workerFlags: boolean[] = [worker.closed, worker.died, worker.subprocessClosed];
	void pid;
	void workerFlags;

	worker.appData.index = 1;
	worker.appData = { index: 2 };

	const usage: WorkerResourceUsage = await worker.getResourceUsage();
	const cpu: number = usage.ru_utime + usage.ru_stime + usage.ru_nivcsw;
	void cpu;

	const workerDump: WorkerDump = await worker.dump();
	const handlers: string[] = workerDump.channelMessageHandlers.channelRequestHandlers;
	void handlers;
	void workerDump.routerIds;

	await worker.updateSettings({ logLevel: 'debug', logTags: ['bwe'] });
	await worker.updateSettings();

	const router = await worker.createRouter<MyRouterAppData>({ mediaCodecs, appData: { roomId: 'r1' } });

	assertType<Equal<typeof router, Router<MyRouterAppData>>>();
	assertType<Equal<typeof router.appData.roomId, string>>();

	const bareRouter = await worker.createRouter();

	assertType<Equal<typeof bareRouter, Router<AppData>>>();

	const id: string = router.id;
	const closed: boolean = router.closed;
	void id;
	void closed;

	const caps: RtpCapabilities = router.rtpCapabilities;

	for (const codec of caps.codecs ?? []) {
		const kind: MediaKind = codec.kind;
		const pt: number = codec.preferredPayloadType;
		const apt = codec.parameters?.['apt'];
		assertType<Equal<typeof apt, unknown>>();
		void kind;
		void pt;
	}

	for (const ext of caps.headerExtensions ?? []) {
		const uri: RtpHeaderExtensionUri = ext.uri;
		const direction: RtpHeaderExtensionDirection | undefined = ext.direction;
		void uri;
		void direction;
	}

	const ok: boolean = router.canConsume({ producerId: 'p', rtpCapabilities: caps });
	void ok;

	router.updateMediaCodecs(mediaCodecs);

	const routerDump: RouterDump = await router.dump();
	for (const { key, values } of routerDump.mapProducerIdConsumerIds) {
		void key;
		void values.length;
	}

	router.on('workerclose', () => {});
	router.observer.once('close', () => {});

	router.close();
	worker.close();

	// Waiting for an event.
	const args: any[] = await enhancedOnce(worker, 'subprocessclose');
	void args;

	try {
		await worker.createRouter();
	} catch (error) {
		if (error instanceof WorkerClosedError || error instanceof InvalidStateError) {
			const message: string = error.message;
			void message;
		} else if (error instanceof errors.NotFoundError || error instanceof errors.UnsupportedError) {
			const name: string = error.name;
			void name;
		}
	}

	// Wrong usages.

	// @ts-expect-error: not a log level
	await createWorker({ logLevel: 'verbose' });
	// @ts-expect-error: not a log tag
	await createWorker({ logTags: ['foo'] });
	// @ts-expect-error: appData must be an object
	await createWorker({ appData: 'x' });
	// @ts-expect-error: appData does not match the type argument
	await createWorker<MyWorkerAppData>({ appData: { index: 'zero' } });
	// @ts-expect-error: updateSettings only takes logLevel and logTags
	await worker.updateSettings({ rtcMinPort: 1 });
	// @ts-expect-error: unknown Worker event
	worker.on('close', () => {});
	// @ts-expect-error: `died` listeners receive an Error
	worker.on('died', (error: string) => void error);
	// @ts-expect-error: pid is read-only
	worker.pid = 1;
	// @ts-expect-error: unknown Router event
	router.on('died', () => {});
	// @ts-expect-error: canConsume requires rtpCapabilities
	router.canConsume({ producerId: 'p' });
	// @ts-expect-error: 'data' is not a MediaKind
	router.updateMediaCodecs([{ kind: 'data', mimeType: 'x/y', clockRate: 1 }]);
	// @ts-expect-error: mimeType is required
	router.updateMediaCodecs([{ kind: 'audio', clockRate: 48000 }]);
	// @ts-expect-error: router observer has no `newrouter` event
	router.observer.on('newrouter', () => {});
}
void runApp;

// ---------------------------------------------------------------------------
// Data types
// ---------------------------------------------------------------------------

const rtpParameters: RtpParameters = {
	mid: '0',
	codecs: [
		{
			mimeType: 'video/VP8',
			payloadType: 101,
			clockRate: 90000,
			rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
		},
		{ mimeType: 'video/rtx', payloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
	],
	headerExtensions: [
		{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
		{ uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 2, encrypt: false },
		{ uri: 'urn:mediasoup:params:rtp-hdrext:packet-id', id: 12, parameters: {} },
	],
	encodings: [
		{ rid: 'r0', scalabilityMode: 'L1T3', maxBitrate: 100000 },
		{ ssrc: 1111, rtx: { ssrc: 1112 }, dtx: false, codecPayloadType: 101 },
	],
	rtcp: { cname: 'abc', reducedSize: true },
	msid: 'stream track',
};

// @ts-expect-error: codecs is required
const noCodecs: RtpParameters = { mid: '0' };
void noCodecs;

const badExtension: RtpHeaderExtensionParameters = {
	// @ts-expect-error: unknown header extension URI
	uri: 'urn:example:unknown',
	id: 1,
};
void badExtension;

const codecParams: RtpCodecParameters = rtpParameters.codecs[0]!;
const feedback: RtcpFeedback[] = codecParams.rtcpFeedback ?? [];
const encoding: RtpEncodingParameters | undefined = rtpParameters.encodings?.[0];
const rtcp: RtcpParameters | undefined = rtpParameters.rtcp;
void feedback;
void encoding;
void rtcp;

const codecCapability: RtpCodecCapability = {
	kind: 'audio',
	mimeType: 'audio/opus',
	preferredPayloadType: 100,
	clockRate: 48000,
	channels: 2,
};
// Every RtpCodecCapability is a RouterRtpCodecCapability, not the reverse.
const asRouterCodec: RouterRtpCodecCapability = codecCapability;
void asRouterCodec;
// @ts-expect-error: preferredPayloadType is required in RtpCodecCapability
const asCodec: RtpCodecCapability = mediaCodecs[0]!;
void asCodec;

const headerExtension: RtpHeaderExtension = {
	kind: 'video',
	uri: 'urn:3gpp:video-orientation',
	preferredId: 8,
	preferredEncrypt: false,
	direction: 'sendrecv',
};
const routerCaps: RouterRtpCapabilities = {
	codecs: mediaCodecs,
	headerExtensions: [headerExtension],
};
const fullCaps: RtpCapabilities = { codecs: [codecCapability], headerExtensions: [headerExtension] };
const fullAsRouterCaps: RouterRtpCapabilities = fullCaps;
void routerCaps;
void fullAsRouterCaps;

const sctpParameters: SctpParameters = {
	port: 5000,
	maxSendMessageSize: 262144,
	maxReceiveMessageSize: 262144,
	sendBufferSize: 2000000,
	perStreamSendQueueLimit: 2000000,
	maxReceiverWindowBufferSize: 5242880,
	isDataChannel: true,
	OS: 1024,
	MIS: 1024,
	maxMessageSize: 262144,
};
const sctpNegotiated: SctpNegotiatedCapabilities = {
	negotiatedMaxOutboundStreams: 65535,
	negotiatedMaxInboundStreams: 65535,
};
const sctpStream: SctpStreamParameters = { streamId: 1, ordered: false, maxRetransmits: 3 };
void sctpParameters;
void sctpNegotiated;

const suites: SrtpCryptoSuite[] = [
	'AEAD_AES_256_GCM',
	'AEAD_AES_128_GCM',
	'AES_CM_128_HMAC_SHA1_80',
	'AES_CM_128_HMAC_SHA1_32',
];
const srtp: SrtpParameters = { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: 'abc' };
// @ts-expect-error: not a supported crypto suite
const badSrtp: SrtpParameters = { cryptoSuite: 'NULL', keyBase64: 'abc' };
void suites;
void srtp;
void badSrtp;

const levels: WorkerLogLevel[] = ['debug', 'warn', 'error', 'none'];
const tags: WorkerLogTag[] = [
	'info',
	'ice',
	'dtls',
	'rtp',
	'srtp',
	'rtcp',
	'rtx',
	'bwe',
	'score',
	'simulcast',
	'svc',
	'sctp',
	'message',
];
void levels;
void tags;

assertType<Equal<WorkerUpdateableSettings, { logLevel?: WorkerLogLevel; logTags?: WorkerLogTag[] }>>();
assertType<Equal<RouterOptions['mediaCodecs'], RouterRtpCodecCapability[] | undefined>>();
assertType<Equal<keyof WorkerEvents, 'died' | 'subprocessclose' | '@success' | '@failure'>>();
assertType<Equal<keyof WorkerObserverEvents, 'close' | 'newwebrtcserver' | 'newrouter'>>();
assertType<Equal<keyof RouterEvents, 'workerclose' | '@close'>>();
assertType<Equal<keyof RouterObserverEvents, 'close' | 'newtransport' | 'newrtpobserver'>>();
assertType<Equal<ObserverEvents, { newworker: [Worker] }>>();
assertType<Equal<MediaKind, 'audio' | 'video'>>();
assertType<Equal<AppData, { [key: string]: unknown }>>();

// Either<T, U>: one side's fields only.
type ListenEither = Either<{ listenInfo: string }, { listenIp?: string }>;
const eitherA: ListenEither = { listenInfo: 'a' };
const eitherB: ListenEither = { listenIp: 'b' };
// @ts-expect-error: not both
const eitherBoth: ListenEither = { listenInfo: 'a', listenIp: 'b' };
void eitherA;
void eitherB;
void eitherBoth;

// ---------------------------------------------------------------------------
// errors, ortc, extras
// ---------------------------------------------------------------------------

const errorInstances: Error[] = [
	new UnsupportedError('x'),
	new WorkerClosedError('x'),
	new NotFoundError('x'),
	new InvalidStateError('x'),
	new errors.UnsupportedError('x'),
];
void errorInstances;

const routerRtpCapabilities: RtpCapabilities = generateRouterRtpCapabilities(mediaCodecs);
generateRouterRtpCapabilities();
validateAndNormalizeRtpCapabilities(routerCaps);
validateAndNormalizeRtpCapabilities(fullCaps);
validateAndNormalizeRtpParameters(rtpParameters);
validateAndNormalizeSctpStreamParameters(sctpStream);

const mapping: RtpCodecsEncodingsMapping = getProducerRtpParametersMapping(rtpParameters, routerRtpCapabilities);
const mapped: number = mapping.codecs[0]!.mappedPayloadType + mapping.encodings[0]!.mappedSsrc;
void mapped;

const consumable: RtpParameters = getConsumableRtpParameters('video', rtpParameters, routerRtpCapabilities, mapping);
const consumerParams: RtpParameters = getConsumerRtpParameters({
	consumableRtpParameters: consumable,
	remoteRtpCapabilities: routerRtpCapabilities,
	pipe: false,
	enableRtx: true,
});
const pipeParams: RtpParameters = getPipeConsumerRtpParameters({
	consumableRtpParameters: consumable,
	enableRtx: false,
});
const consumableOk: boolean = ortc.canConsume(consumable, routerRtpCapabilities);
void consumerParams;
void pipeParams;
void consumableOk;

// EnhancedEventEmitter with a custom event map.
type MyEvents = { tick: [number, string]; done: [] };

class Clock extends EnhancedEventEmitter<MyEvents> {
	tick(n: number): void {
		this.safeEmit('tick', n, 'ok');
		this.emit('done');
	}
}

const clock = new Clock();
clock.setMaxListeners(Infinity);
clock.on('tick', (n, label) => {
	assertType<Equal<typeof n, number>>();
	assertType<Equal<typeof label, string>>();
});
clock.on('listenererror', (eventName, error) => {
	assertType<Equal<typeof eventName, keyof MyEvents>>();
	void error.stack;
});
const tickCount: number = clock.listenerCount('tick');
void tickCount;
clock.removeAllListeners();
// @ts-expect-error: wrong argument type
clock.emit('tick', 'one', 'ok');
// @ts-expect-error: unknown event
clock.on('tock', () => {});

async function waitTick(): Promise<void> {
	const [n] = await enhancedOnce(clock, 'tick');
	void n;
}
void waitTick;

// A plain emitter without an event map accepts any event.
const loose = new extras.EnhancedEventEmitter();
loose.on('anything', (...args: any[]) => void args);
