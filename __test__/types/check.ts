// Type-level test of ferrosoup's public declarations. It is compiled, never
// run: `npx -p typescript@5 tsc -p __test__/types` must report no errors.
//
// Lines marked `@ts-expect-error` must fail to compile; if one stops failing
// tsc reports it as an unused directive.

import * as mediasoup from 'ferrosoup';
import { createWorker, observer, version, workerBin, errors, ortc, extras } from 'ferrosoup';
import type { types } from 'ferrosoup';
import type {
	ActiveSpeakerObserver,
	ActiveSpeakerObserverDominantSpeaker,
	AppData,
	AudioLevelObserver,
	AudioLevelObserverVolume,
	BaseTransportStats,
	Consumer,
	ConsumerDump,
	ConsumerLayers,
	ConsumerScore,
	ConsumerStat,
	ConsumerTraceEventData,
	DataConsumer,
	DataConsumerDump,
	DataConsumerStat,
	DataProducer,
	DataProducerStat,
	DirectTransport,
	DirectTransportStat,
	DtlsParameters,
	DtlsState,
	Either,
	IceCandidate,
	IceParameters,
	IceState,
	Index,
	LogEventListeners,
	MediaKind,
	Observer,
	ObserverEvents,
	PlainTransport,
	PlainTransportDump,
	PlainTransportOptions,
	PlainTransportStat,
	Producer,
	ProducerScore,
	ProducerStat,
	ProducerTraceEventData,
	ProducerVideoOrientation,
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
	RtpObserver,
	RtpParameters,
	RtpStreamRecvStats,
	RtpStreamSendStats,
	ScalabilityMode,
	SctpNegotiatedCapabilities,
	SctpParameters,
	SctpState,
	SctpStreamParameters,
	SrtpCryptoSuite,
	SrtpParameters,
	Transport,
	TransportEvents,
	TransportListenInfo,
	TransportObserverEvents,
	TransportTraceEventData,
	TransportTuple,
	WebRtcServer,
	WebRtcServerDump,
	WebRtcTransport,
	WebRtcTransportOptions,
	WebRtcTransportStat,
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
		router.observer.on('newtransport', (transport) => {
			assertType<Equal<typeof transport, Transport>>();
			const type: 'webrtc' | 'plain' | 'pipe' | 'direct' = transport.type;
			void type;
			transport.observer.on('newproducer', (producer) => {
				assertType<Equal<typeof producer, Producer>>();
				producer.observer.on('score', (score) => assertType<Equal<typeof score, ProducerScore[]>>());
				producer.observer.on('pause', () => {});
			});
			transport.observer.on('newconsumer', (consumer) => {
				assertType<Equal<typeof consumer, Consumer>>();
				consumer.observer.on('layerschange', (layers) => assertType<Equal<typeof layers, ConsumerLayers | undefined>>());
			});
			transport.observer.on('trace', (trace) => assertType<Equal<typeof trace, TransportTraceEventData>>());
			transport.observer.on('close', () => {});
		});
		router.observer.on('newrtpobserver', (rtpObserver) => {
			assertType<Equal<typeof rtpObserver, RtpObserver>>();
			rtpObserver.observer.on('addproducer', (producer) => assertType<Equal<typeof producer, Producer>>());
			rtpObserver.observer.on('removeproducer', (producer) => void producer.id);
		});
	});
	worker.observer.on('newwebrtcserver', (webRtcServer) => {
		assertType<Equal<typeof webRtcServer, WebRtcServer>>();
		webRtcServer.observer.on('webrtctransporthandled', (transport) =>
			assertType<Equal<typeof transport, WebRtcTransport>>()
		);
		webRtcServer.observer.on('webrtctransportunhandled', (transport) => void transport.id);
	});
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
// Transports, Producers, Consumers and RTP observers
// ---------------------------------------------------------------------------

type PeerAppData = { peerId: string };
type SourceAppData = { source: 'ffmpeg' | 'camera' };

const videoRtpParameters: RtpParameters = {
	codecs: [
		{
			mimeType: 'video/VP8',
			payloadType: 101,
			clockRate: 90000,
			rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
		},
	],
	encodings: [{ ssrc: 22222222 }],
	rtcp: { cname: 'ffmpeg', reducedSize: false },
};

async function runMedia(worker: Worker<MyWorkerAppData>, router: Router<MyRouterAppData>): Promise<void> {
	const listenInfo: TransportListenInfo = {
		protocol: 'udp',
		ip: '0.0.0.0',
		announcedAddress: '203.0.113.1',
		portRange: { min: 40000, max: 49999 },
		flags: { ipv6Only: false, udpReusePort: false },
		sendBufferSize: 1048576,
		recvBufferSize: 1048576,
	};

	// A PlainTransport with comedia receiving from FFmpeg/GStreamer.
	const plainOptions: PlainTransportOptions<PeerAppData> = {
		listenInfo,
		rtcpMux: false,
		comedia: true,
		appData: { peerId: 'ffmpeg' },
	};
	const plainTransport = await router.createPlainTransport(plainOptions);

	assertType<Equal<typeof plainTransport, PlainTransport<PeerAppData>>>();
	assertType<Equal<typeof plainTransport.type, 'plain'>>();
	assertType<Equal<typeof plainTransport.appData.peerId, string>>();
	assertType<Equal<typeof plainTransport.rtcpTuple, TransportTuple | undefined>>();
	assertType<Equal<typeof plainTransport.sctpState, SctpState | undefined>>();

	// Where FFmpeg must send to.
	const { localAddress, localPort, protocol } = plainTransport.tuple;
	const rtcpPort: number | undefined = plainTransport.rtcpTuple?.localPort;
	void [localAddress, localPort, protocol, rtcpPort];

	plainTransport.on('tuple', (tuple) => {
		assertType<Equal<typeof tuple, TransportTuple>>();
		console.log('remote', tuple.remoteIp, tuple.remotePort);
	});
	plainTransport.on('rtcptuple', (tuple) => void tuple.localIp);
	plainTransport.on('sctpstatechange', (state) => assertType<Equal<typeof state, SctpState>>());
	plainTransport.on('trace', (trace) => {
		assertType<Equal<typeof trace, TransportTraceEventData>>();
		if (trace.type === 'bwe' && trace.direction === 'out') {
			assertType<Equal<typeof trace.info, unknown>>();
		}
	});
	plainTransport.on('routerclose', () => {});
	plainTransport.on('listenserverclose', () => {});
	plainTransport.observer.on('tuple', (tuple) => void tuple.remotePort);
	plainTransport.observer.on('close', () => {});
	await plainTransport.enableTraceEvent(['bwe', 'probation']);
	await plainTransport.enableTraceEvent();
	await plainTransport.setMaxIncomingBitrate(2000000);

	// Without comedia: the remote address is given to connect(); with SRTP, also its keys.
	const srtpTransport = await router.createPlainTransport({
		listenIp: { ip: '0.0.0.0', announcedIp: '203.0.113.1' },
		port: 20000,
		enableSrtp: true,
		srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
	});
	const localSrtp: SrtpParameters | undefined = srtpTransport.srtpParameters;
	await srtpTransport.connect({
		ip: '198.51.100.7',
		port: 5004,
		rtcpPort: 5005,
		srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: 'ZnQ3eWJraDg0d3ZoYzM5cXN1Y2pnaHU5NWxrZTVv' },
	});
	void localSrtp;

	// Producing what FFmpeg sends.
	const producer = await plainTransport.produce<SourceAppData>({
		kind: 'video',
		rtpParameters: videoRtpParameters,
		paused: false,
		keyFrameRequestDelay: 1000,
		appData: { source: 'ffmpeg' },
	});

	assertType<Equal<typeof producer, Producer<SourceAppData>>>();
	assertType<Equal<typeof producer.kind, MediaKind>>();
	assertType<Equal<typeof producer.type, 'simple' | 'simulcast' | 'svc'>>();
	assertType<Equal<typeof producer.score, ProducerScore[]>>();
	assertType<Equal<typeof producer.appData.source, 'ffmpeg' | 'camera'>>();

	producer.on('score', (score) => {
		assertType<Equal<typeof score, ProducerScore[]>>();
		for (const { encodingIdx, ssrc, rid, score: value } of score) {
			void [encodingIdx, ssrc, rid, value];
		}
	});
	producer.on('videoorientationchange', (orientation) => {
		assertType<Equal<typeof orientation, ProducerVideoOrientation>>();
		void [orientation.camera, orientation.flip, orientation.rotation];
	});
	producer.on('trace', (trace) => {
		assertType<Equal<typeof trace, ProducerTraceEventData>>();
		if (trace.type === 'keyframe') {
			assertType<Equal<typeof trace.info, Record<string, unknown>>>();
		}
	});
	producer.on('transportclose', () => {});
	producer.observer.on('pause', () => {});
	producer.observer.on('resume', () => {});
	await producer.enableTraceEvent(['rtp', 'keyframe', 'nack', 'pli', 'fir', 'sr']);
	await producer.pause();
	await producer.resume();

	const producerStats: ProducerStat[] = await producer.getStats();
	for (const stat of producerStats) {
		assertType<Equal<typeof stat, RtpStreamRecvStats>>();
		const fields: number[] = [stat.bitrate, stat.byteCount, stat.packetCount, stat.packetsLost, stat.jitter, stat.score];
		const layer1: number | undefined = stat.bitrateByLayer['1.2'];
		const rtt: number | undefined = stat.roundTripTime;
		const type: string = stat.type;
		void [fields, layer1, rtt, type];
	}

	// A WebRtcServer and a WebRtcTransport to a browser.
	const webRtcServer = await worker.createWebRtcServer<{ port: number }>({
		listenInfos: [
			{ protocol: 'udp', ip: '0.0.0.0', announcedAddress: 'sfu.example.com', port: 44444 },
			{ protocol: 'tcp', ip: '0.0.0.0', announcedAddress: 'sfu.example.com', port: 44444 },
		],
		appData: { port: 44444 },
	});

	assertType<Equal<typeof webRtcServer, WebRtcServer<{ port: number }>>>();

	const serverDump: WebRtcServerDump = await webRtcServer.dump();
	void serverDump.udpSockets[0]?.port;
	webRtcServer.on('workerclose', () => {});

	const webRtcOptions: WebRtcTransportOptions<PeerAppData> = {
		webRtcServer,
		enableUdp: true,
		enableTcp: true,
		preferUdp: true,
		iceConsentTimeout: 20,
		initialAvailableOutgoingBitrate: 1000000,
		appData: { peerId: 'browser' },
	};
	const transport = await router.createWebRtcTransport(webRtcOptions);

	assertType<Equal<typeof transport, WebRtcTransport<PeerAppData>>>();
	assertType<Equal<typeof transport.type, 'webrtc'>>();

	const iceParameters: IceParameters = transport.iceParameters;
	const iceCandidates: IceCandidate[] = transport.iceCandidates;
	const dtlsParameters: DtlsParameters = transport.dtlsParameters;
	const iceState: IceState = transport.iceState;
	const dtlsState: DtlsState = transport.dtlsState;
	void [iceParameters, iceCandidates, iceState, dtlsState, transport.iceSelectedTuple?.remoteIp];

	transport.on('icestatechange', (state) => assertType<Equal<typeof state, IceState>>());
	transport.on('iceselectedtuplechange', (tuple) => assertType<Equal<typeof tuple, TransportTuple>>());
	transport.on('dtlsstatechange', (state) => {
		if (state === 'failed' || state === 'closed') {
			transport.close();
		}
	});
	transport.observer.on('dtlsstatechange', (state) => assertType<Equal<typeof state, DtlsState>>());

	await transport.connect({ dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] } });
	const restarted: IceParameters = await transport.restartIce();
	void restarted;

	// Its own sockets instead of a WebRtcServer.
	const ownSockets = await router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: false });
	const legacy = await router.createWebRtcTransport({ listenIps: ['0.0.0.0', { ip: '::', announcedIp: '2001:db8::1' }] });
	void [ownSockets, legacy];

	// Consuming the Producer in the browser.
	const consumer = await transport.consume<PeerAppData>({
		producerId: producer.id,
		rtpCapabilities: router.rtpCapabilities,
		paused: true,
		preferredLayers: { spatialLayer: 0 },
		appData: { peerId: 'browser' },
	});

	assertType<Equal<typeof consumer, Consumer<PeerAppData>>>();
	assertType<Equal<typeof consumer.type, 'simple' | 'simulcast' | 'svc' | 'pipe'>>();
	assertType<Equal<typeof consumer.score, ConsumerScore>>();
	assertType<Equal<typeof consumer.currentLayers, ConsumerLayers | undefined>>();

	consumer.on('producerclose', () => {
		consumer.close();
	});
	consumer.on('producerpause', () => {});
	consumer.on('producerresume', () => {});
	consumer.on('transportclose', () => {});
	consumer.on('score', (score) => {
		assertType<Equal<typeof score, ConsumerScore>>();
		void [score.score, score.producerScore, score.producerScores];
	});
	consumer.on('layerschange', (layers) => void layers?.temporalLayer);
	consumer.on('trace', (trace) => {
		assertType<Equal<typeof trace, ConsumerTraceEventData>>();
		void trace.timestamp;
	});
	consumer.observer.on('close', () => {});
	await consumer.enableTraceEvent(['rtp', 'keyframe', 'nack', 'pli', 'fir']);
	await consumer.resume();
	await consumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 2 });
	await consumer.setPriority(2);
	await consumer.unsetPriority();
	await consumer.requestKeyFrame();

	const consumerStats = await consumer.getStats();
	assertType<Equal<typeof consumerStats, (ConsumerStat | ProducerStat)[]>>();
	for (const stat of consumerStats) {
		const sent: RtpStreamSendStats | RtpStreamRecvStats = stat;
		if ('bitrateByLayer' in stat) {
			void stat.bitrateByLayer;
		}
		void [sent.type, sent.bitrate, sent.packetsRetransmitted, sent.nackCount, sent.pliCount];
	}
	const consumerDump: ConsumerDump = await consumer.dump();
	void consumerDump.supportedCodecPayloadTypes;

	// Transport stats and dumps.
	const [plainStat] = await plainTransport.getStats();
	assertType<Equal<typeof plainStat, PlainTransportStat | undefined>>();
	if (plainStat) {
		const base: BaseTransportStats = plainStat;
		const fields: number[] = [plainStat.bytesReceived, plainStat.recvBitrate, plainStat.rtpBytesSent];
		const comedia: boolean = plainStat.comedia;
		const remote: string | undefined = plainStat.tuple.remoteIp;
		const available: number | undefined = plainStat.availableOutgoingBitrate;
		void [base, fields, comedia, remote, available];
	}
	const webRtcStats: WebRtcTransportStat[] = await transport.getStats();
	void webRtcStats[0]?.iceSelectedTuple;
	const plainDump: PlainTransportDump = await plainTransport.dump();
	void [plainDump.comedia, plainDump.producerIds, plainDump.rtpListener.ssrcTable];

	// Audio levels and the active speaker.
	const audioProducer = await transport.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
			headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 10 }],
			encodings: [{ ssrc: 11111111, dtx: true }],
		},
	});

	assertType<Equal<typeof audioProducer, Producer<AppData>>>();

	const audioLevelObserver = await router.createAudioLevelObserver<PeerAppData>({
		maxEntries: 3,
		threshold: -70,
		interval: 800,
		appData: { peerId: 'room' },
	});

	assertType<Equal<typeof audioLevelObserver, AudioLevelObserver<PeerAppData>>>();
	assertType<Equal<typeof audioLevelObserver.type, 'audiolevel'>>();

	audioLevelObserver.on('volumes', (volumes) => {
		assertType<Equal<typeof volumes, AudioLevelObserverVolume[]>>();
		const loudest = volumes[0];
		if (loudest) {
			assertType<Equal<typeof loudest.producer, Producer>>();
			console.log(loudest.producer.id, loudest.volume);
		}
	});
	audioLevelObserver.on('silence', () => {});
	audioLevelObserver.on('routerclose', () => {});
	audioLevelObserver.observer.on('volumes', (volumes) => void volumes.length);
	await audioLevelObserver.addProducer({ producerId: audioProducer.id });

	const activeSpeakerObserver = await router.createActiveSpeakerObserver({ interval: 300 });

	assertType<Equal<typeof activeSpeakerObserver, ActiveSpeakerObserver<AppData>>>();

	activeSpeakerObserver.on('dominantspeaker', (dominantSpeaker) => {
		assertType<Equal<typeof dominantSpeaker, ActiveSpeakerObserverDominantSpeaker>>();
		console.log('dominant speaker', dominantSpeaker.producer.id);
	});
	activeSpeakerObserver.observer.on('dominantspeaker', ({ producer: speaker }) => void speaker.paused);
	await activeSpeakerObserver.addProducer({ producerId: audioProducer.id });
	await activeSpeakerObserver.pause();
	await activeSpeakerObserver.resume();
	await activeSpeakerObserver.removeProducer({ producerId: audioProducer.id });
	const observerPaused: boolean = activeSpeakerObserver.paused;
	void observerPaused;

	// A DirectTransport: RTP and RTCP through the API.
	const directTransport = await router.createDirectTransport({ maxSendMessageSize: 1024 });

	assertType<Equal<typeof directTransport, DirectTransport<AppData>>>();

	const directProducer = await directTransport.produce({ kind: 'video', rtpParameters: videoRtpParameters });
	directProducer.send(Buffer.alloc(12));
	const directConsumer = await directTransport.consume({
		producerId: producer.id,
		rtpCapabilities: router.rtpCapabilities,
	});
	directConsumer.on('rtp', (packet) => assertType<Equal<typeof packet, Buffer>>());
	directTransport.on('rtcp', (packet) => assertType<Equal<typeof packet, Buffer>>());
	directTransport.sendRtcp(Buffer.alloc(8));
	await directTransport.connect();
	const directStats: DirectTransportStat[] = await directTransport.getStats();
	void directStats;
	await router.createDirectTransport();

	// Data channels: messages from Node on a DirectTransport.
	const dataProducer = await directTransport.produceData({ label: 'chat', appData: { peerId: 'p' } });
	assertType<Equal<typeof dataProducer, DataProducer<{ peerId: string }>>>();
	dataProducer.send('text');
	dataProducer.send(Buffer.from('bytes'), 53, [1, 2], 1, 3);
	const dataConsumer = await directTransport.consumeData({ dataProducerId: dataProducer.id, subchannels: [1] });
	assertType<Equal<typeof dataConsumer, DataConsumer<AppData>>>();
	dataConsumer.on('message', (message, ppid) => {
		assertType<Equal<typeof message, Buffer>>();
		assertType<Equal<typeof ppid, number>>();
	});
	await dataConsumer.addSubchannel(5);
	const subchannels: number[] = dataConsumer.subchannels;
	void subchannels;
	const dataProducerStats: DataProducerStat[] = await dataProducer.getStats();
	const dataConsumerStats: DataConsumerStat[] = await dataConsumer.getStats();
	const dataConsumerDump: DataConsumerDump = await dataConsumer.dump();
	void dataProducerStats;
	void dataConsumerStats;
	void dataConsumerDump;
	// SCTP ones need their stream parameters.
	await plainTransport.produceData({ sctpStreamParameters: { streamId: 0 } });
	const sent: number = await (await plainTransport.consumeData({ dataProducerId: dataProducer.id })).send('x');
	void sent;
	transport.observer.on('newdataproducer', (dp) => assertType<Equal<typeof dp, DataProducer>>());

	// Generic code over any transport.
	const transports: Transport[] = [plainTransport, transport, directTransport];
	for (const t of transports) {
		const stats: unknown[] = await t.getStats();
		void stats;
	}
	const closeAll = (list: { close(): void }[]): void => list.forEach((item) => item.close());
	closeAll([producer, consumer, audioLevelObserver, activeSpeakerObserver, webRtcServer, ...transports]);

	// Wrong usages.

	// @ts-expect-error: listenInfo and listenIp are exclusive
	await router.createPlainTransport({ listenInfo, listenIp: '0.0.0.0' });
	// @ts-expect-error: a listen option is required
	await router.createPlainTransport({ comedia: true });
	// @ts-expect-error: webRtcServer and listenInfos are exclusive
	await router.createWebRtcTransport({ webRtcServer, listenInfos: [listenInfo] });
	// @ts-expect-error: not a transport protocol
	await router.createPlainTransport({ listenInfo: { protocol: 'sctp', ip: '0.0.0.0' } });
	// @ts-expect-error: not an SRTP crypto suite
	await router.createPlainTransport({ listenInfo, enableSrtp: true, srtpCryptoSuite: 'NULL' });
	// @ts-expect-error: not a transport trace event type
	await plainTransport.enableTraceEvent(['rtp']);
	// @ts-expect-error: not a producer trace event type
	await producer.enableTraceEvent(['bwe']);
	// @ts-expect-error: 'sr' is a producer trace event type only
	await consumer.enableTraceEvent(['sr']);
	// @ts-expect-error: produce() needs kind
	await plainTransport.produce({ rtpParameters: videoRtpParameters });
	// @ts-expect-error: consume() needs rtpCapabilities
	await transport.consume({ producerId: producer.id });
	// @ts-expect-error: setPreferredLayers() needs spatialLayer
	await consumer.setPreferredLayers({ temporalLayer: 1 });
	// @ts-expect-error: WebRtcTransport.connect() takes DTLS parameters
	await transport.connect({ ip: '1.2.3.4', port: 5000 });
	// @ts-expect-error: DirectTransport.connect() takes nothing
	await directTransport.connect({ ip: '1.2.3.4' });
	// @ts-expect-error: `tuple` is a PlainTransport event
	transport.on('tuple', () => {});
	// @ts-expect-error: `volumes` listeners receive an array
	audioLevelObserver.on('volumes', (volume: AudioLevelObserverVolume) => void volume);
	// @ts-expect-error: the type of a transport is read-only
	plainTransport.type = 'plain';
	// @ts-expect-error: the producer's appData type is fixed
	producer.appData = { source: 'screen' };
	// @ts-expect-error: a WebRtcServer needs listenInfos
	await worker.createWebRtcServer({});

	// @ts-expect-error: consumeData() needs a dataProducerId
	await transport.consumeData({});
	// @ts-expect-error: DataProducer.send() takes a string or a Buffer
	(await transport.produceData()).send(42);

	// Pipe transports.
	const pipe = await router.createPipeTransport({ listenInfo, enableRtx: true, appData: { foo: 1 } });
	const pipeType: 'pipe' = pipe.type;
	void pipeType;
	const pipeConsumer: Consumer = await pipe.consume({ producerId: producer.id });
	void pipeConsumer;
	await pipe.connect({ ip: '127.0.0.1', port: 5000 });
	// @ts-expect-error: a pipe consumer takes no rtpCapabilities
	await pipe.consume({ producerId: producer.id, rtpCapabilities: {} });
	// @ts-expect-error: listenInfo and listenIp are exclusive
	await router.createPipeTransport({ listenInfo, listenIp: '127.0.0.1' });
	const piped = await router.pipeToRouter({ producerId: producer.id, router, enableSrtp: true });
	const pipeProducer: Producer | undefined = piped.pipeProducer;
	void pipeProducer;
	// @ts-expect-error: pipeToRouter() needs a router
	await router.pipeToRouter({ producerId: producer.id });
}
void runMedia;

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
assertType<Equal<WorkerObserverEvents['newwebrtcserver'], [WebRtcServer]>>();
assertType<Equal<RouterObserverEvents['newtransport'], [Transport]>>();
assertType<Equal<RouterObserverEvents['newrtpobserver'], [RtpObserver]>>();
assertType<
	Equal<
		keyof TransportEvents,
		| 'routerclose'
		| 'listenserverclose'
		| 'trace'
		| '@close'
		| '@newproducer'
		| '@producerclose'
		| '@newdataproducer'
		| '@dataproducerclose'
		| '@listenserverclose'
	>
>();
assertType<
	Equal<
		keyof TransportObserverEvents,
		'close' | 'newproducer' | 'newconsumer' | 'newdataproducer' | 'newdataconsumer' | 'trace'
	>
>();
assertType<Equal<Extract<keyof Transport, 'produceData' | 'consumeData'>, 'produceData' | 'consumeData'>>();
// Pipe transports.
assertType<Equal<Extract<keyof Router, 'createPipeTransport' | 'pipeToRouter'>, 'createPipeTransport' | 'pipeToRouter'>>();
// The WebRtcTransport listen variants.
assertType<Equal<WebRtcTransportOptions['webRtcServer'], WebRtcServer | undefined>>();
// A transport kind is a Transport with its own events and observer.
const asTransport: Transport<PeerAppDataForTypes> = {} as PlainTransport<PeerAppDataForTypes>;
void asTransport;
type PeerAppDataForTypes = { peerId: string };
assertType<Equal<ConsumerStat, RtpStreamSendStats>>();
assertType<Equal<ProducerStat, RtpStreamRecvStats>>();
assertType<Equal<ConsumerLayers, { spatialLayer: number; temporalLayer?: number }>>();
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
