// Type declarations for `ferrosoup/types` and the type-only `types` namespace
// of the main module. Names and shapes are those of mediasoup 3.27.1's
// `mediasoup/types`, so code typed against mediasoup keeps compiling.

import type { EnhancedEventEmitter } from './extras';

export type * from './errors';

// ---------------------------------------------------------------------------
// Generic helpers
// ---------------------------------------------------------------------------

/** Custom application data attached to any ferrosoup entity. */
export type AppData = {
	[key: string]: unknown;
};

type Only<T, U> = { [P in keyof T]: T[P] } & { [P in keyof U]?: never };

/** Either the fields of `T` or those of `U`, never a mix of both. */
export type Either<T, U> = Only<T, U> | Only<U, T>;

// ---------------------------------------------------------------------------
// Top-level module (mediasoup `indexTypes`)
// ---------------------------------------------------------------------------

export type ObserverEvents = {
	newworker: [Worker];
};

/** The module-level observer (`observer` export). */
export type Observer = EnhancedEventEmitter<ObserverEvents>;

/** Listeners that receive the library's log lines (see `setLogEventListeners()`). */
export type LogEventListeners = {
	ondebug?: (namespace: string, log: string) => void;
	onwarn?: (namespace: string, log: string) => void;
	onerror?: (namespace: string, log: string, error?: Error) => void;
};

/** Shape of the main module. */
export interface Index {
	version: string;
	observer: EnhancedEventEmitter<ObserverEvents>;
	workerBin: string;
	setLogEventListeners: (listeners?: LogEventListeners) => void;
	createWorker: <WorkerAppData extends AppData = AppData>(
		options?: WorkerSettings<WorkerAppData>
	) => Promise<Worker<WorkerAppData>>;
	getSupportedRtpCapabilities: () => RouterRtpCapabilities;
	parseScalabilityMode: (scalabilityMode?: string) => ScalabilityMode;
}

// ---------------------------------------------------------------------------
// Worker
// ---------------------------------------------------------------------------

export type WorkerLogLevel = 'debug' | 'warn' | 'error' | 'none';

export type WorkerLogTag =
	| 'info'
	| 'ice'
	| 'dtls'
	| 'rtp'
	| 'srtp'
	| 'rtcp'
	| 'rtx'
	| 'bwe'
	| 'score'
	| 'simulcast'
	| 'svc'
	| 'sctp'
	| 'message';

export type WorkerSettings<WorkerAppData extends AppData = AppData> = {
	/** Log level of the worker's own logs. Default 'error'. */
	logLevel?: WorkerLogLevel;
	/** Enabled debug log tags. */
	logTags?: WorkerLogTag[];
	/**
	 * Lowest port for RTC sockets. Default 10000.
	 *
	 * @deprecated Use `portRange` in `TransportListenInfo` instead.
	 */
	rtcMinPort?: number;
	/**
	 * Highest port for RTC sockets. Default 59999.
	 *
	 * @deprecated Use `portRange` in `TransportListenInfo` instead.
	 */
	rtcMaxPort?: number;
	/** PEM file with the DTLS certificate. Generated at startup if unset. */
	dtlsCertificateFile?: string;
	/** PEM file with the DTLS private key. Generated at startup if unset. */
	dtlsPrivateKeyFile?: string;
	/** Path of the worker binary (a mediasoup setting; ferrosoup's workers run inside the Node.js process). */
	workerBin?: string;
	/** libwebrtc field trials string (advanced). */
	libwebrtcFieldTrials?: string;
	/** Custom application data. */
	appData?: WorkerAppData;
};

/** Settings that `worker.updateSettings()` can change at runtime. */
export type WorkerUpdateableSettings<T extends AppData = AppData> = Pick<
	WorkerSettings<T>,
	'logLevel' | 'logTags'
>;

/** Resource usage of the worker, with the fields of libuv's `uv_rusage_t`. */
export type WorkerResourceUsage = {
	/** User CPU time (ms). */
	ru_utime: number;
	/** System CPU time (ms). */
	ru_stime: number;
	/** Maximum resident set size. */
	ru_maxrss: number;
	/** Integral shared memory size. */
	ru_ixrss: number;
	/** Integral unshared data size. */
	ru_idrss: number;
	/** Integral unshared stack size. */
	ru_isrss: number;
	/** Soft page faults. */
	ru_minflt: number;
	/** Hard page faults. */
	ru_majflt: number;
	/** Swaps. */
	ru_nswap: number;
	/** Block input operations. */
	ru_inblock: number;
	/** Block output operations. */
	ru_oublock: number;
	/** IPC messages sent. */
	ru_msgsnd: number;
	/** IPC messages received. */
	ru_msgrcv: number;
	/** Signals received. */
	ru_nsignals: number;
	/** Voluntary context switches. */
	ru_nvcsw: number;
	/** Involuntary context switches. */
	ru_nivcsw: number;
};

export type WorkerDump = {
	pid: number;
	webRtcServerIds: string[];
	routerIds: string[];
	channelMessageHandlers: {
		channelRequestHandlers: string[];
		channelNotificationHandlers: string[];
	};
};

export type WorkerEvents = {
	died: [Error];
	subprocessclose: [];
	'@success': [];
	'@failure': [Error];
};

export type WorkerObserver = EnhancedEventEmitter<WorkerObserverEvents>;

export type WorkerObserverEvents = {
	close: [];
	newwebrtcserver: [WebRtcServer];
	newrouter: [Router];
};

export interface Worker<WorkerAppData extends AppData = AppData> extends EnhancedEventEmitter<WorkerEvents> {
	/** Process id reported for the Worker. */
	get pid(): number;
	/** Whether the Worker is closed. */
	get closed(): boolean;
	/** Whether the Worker died unexpectedly. */
	get died(): boolean;
	/** Whether the Worker's subprocess (or thread) has terminated. */
	get subprocessClosed(): boolean;
	/** Custom application data. */
	get appData(): WorkerAppData;
	set appData(appData: WorkerAppData);
	/** Observer of Worker lifecycle events. */
	get observer(): WorkerObserver;
	/** Closes the Worker and everything created in it. */
	close(): void;
	/** Internal state of the Worker. */
	dump(): Promise<WorkerDump>;
	/** Resource usage of the Worker. */
	getResourceUsage(): Promise<WorkerResourceUsage>;
	/** Changes the log level and/or log tags. */
	updateSettings(options?: WorkerUpdateableSettings<WorkerAppData>): Promise<void>;
	/** Creates a WebRtcServer: shared listening sockets for WebRtcTransports. */
	createWebRtcServer<WebRtcServerAppData extends AppData = AppData>(
		options: WebRtcServerOptions<WebRtcServerAppData>
	): Promise<WebRtcServer<WebRtcServerAppData>>;
	/** Creates a Router. */
	createRouter<RouterAppData extends AppData = AppData>(
		options?: RouterOptions<RouterAppData>
	): Promise<Router<RouterAppData>>;
}

// ---------------------------------------------------------------------------
// WebRtcServer
// ---------------------------------------------------------------------------

export type WebRtcServerOptions<WebRtcServerAppData extends AppData = AppData> = {
	/** Addresses (UDP and/or TCP) the server listens on. */
	listenInfos: TransportListenInfo[];
	/** Custom application data. */
	appData?: WebRtcServerAppData;
};

/** @deprecated Use `TransportListenInfo`. */
export type WebRtcServerListenInfo = TransportListenInfo;

/** A bound socket address. */
export type IpPort = {
	ip: string;
	port: number;
};

/** A local ICE username fragment and the WebRtcTransport it belongs to. */
export type IceUserNameFragment = {
	localIceUsernameFragment: string;
	webRtcTransportId: string;
};

export type WebRtcServerDump = {
	/** WebRtcServer id. */
	id: string;
	/** Bound UDP sockets. */
	udpSockets: IpPort[];
	/** Listening TCP servers. */
	tcpServers: IpPort[];
	/** Ids of the WebRtcTransports using the server. */
	webRtcTransportIds: string[];
	/** Local ICE username fragments the server dispatches on. */
	localIceUsernameFragments: IceUserNameFragment[];
};

export type WebRtcServerEvents = {
	workerclose: [];
	'@close': [];
};

export type WebRtcServerObserver = EnhancedEventEmitter<WebRtcServerObserverEvents>;

export type WebRtcServerObserverEvents = {
	close: [];
	webrtctransporthandled: [WebRtcTransport];
	webrtctransportunhandled: [WebRtcTransport];
};

export interface WebRtcServer<WebRtcServerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<WebRtcServerEvents> {
	/** WebRtcServer id. */
	get id(): string;
	/** Whether the WebRtcServer is closed. */
	get closed(): boolean;
	/** Custom application data. */
	get appData(): WebRtcServerAppData;
	set appData(appData: WebRtcServerAppData);
	/** Observer of WebRtcServer lifecycle events. */
	get observer(): WebRtcServerObserver;
	/** Closes the WebRtcServer and the WebRtcTransports using it. */
	close(): void;
	/**
	 * Called when the Worker closes.
	 *
	 * @private
	 */
	workerClosed(): void;
	/** Internal state of the WebRtcServer. */
	dump(): Promise<WebRtcServerDump>;
	/**
	 * Registers a WebRtcTransport created on this server.
	 *
	 * @private
	 */
	handleWebRtcTransport(webRtcTransport: WebRtcTransport): void;
}

// ---------------------------------------------------------------------------
// Router
// ---------------------------------------------------------------------------

export type RouterOptions<RouterAppData extends AppData = AppData> = {
	/** Media codecs the Router offers (RTX is added for video codecs). */
	mediaCodecs?: RouterRtpCodecCapability[];
	/** Custom application data. */
	appData?: RouterAppData;
};

export type PipeToRouterOptions = {
	/** The Producer to pipe (or `dataProducerId`). */
	producerId?: string;
	/** The DataProducer to pipe (or `producerId`). */
	dataProducerId?: string;
	/** The destination Router. */
	router: Router;
	/** Whether the pipe Producer keeps the Producer's id. Default true. */
	keepId?: boolean;
	/** Create an SCTP association on the pipe (for DataProducers). Default true. */
	enableSctp?: boolean;
	maxSendMessageSize?: number;
	maxReceiveMessageSize?: number;
	sctpSendBufferSize?: number;
	sctpPerStreamSendQueueLimit?: number;
	sctpMaxReceiverWindowBufferSize?: number;
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
	/** RTX on the pipe. Default false. */
	enableRtx?: boolean;
	/** SRTP on the pipe. Default false. */
	enableSrtp?: boolean;
} & PipeToRouterListen;

type PipeToRouterListen = Either<PipeToRouterListenInfo, PipeToRouterListenIp>;

type PipeToRouterListenInfo = {
	listenInfo: TransportListenInfo;
};

type PipeToRouterListenIp = {
	/** IP of the PipeTransport pair. Default '127.0.0.1'. */
	listenIp?: TransportListenIp | string;
};

export type PipeToRouterResult = {
	/** The Consumer on the local pipe (producer piping). */
	pipeConsumer?: Consumer;
	/** The Producer on the remote pipe (producer piping). */
	pipeProducer?: Producer;
	/** The DataConsumer on the local pipe (data producer piping). */
	pipeDataConsumer?: DataConsumer;
	/** The DataProducer on the remote pipe (data producer piping). */
	pipeDataProducer?: DataProducer;
};

/** Both ends of a pipe, by Router id. */
export type PipeTransportPair = {
	[key: string]: PipeTransport;
};

export type RouterDump = {
	/** Router id. */
	id: string;
	/** Ids of the Router's transports. */
	transportIds: string[];
	/** Ids of the Router's RTP observers. */
	rtpObserverIds: string[];
	/** Each Producer id with the ids of its Consumers. */
	mapProducerIdConsumerIds: {
		key: string;
		values: string[];
	}[];
	/** Each Consumer id with the id of its Producer. */
	mapConsumerIdProducerId: {
		key: string;
		value: string;
	}[];
	/** Each Producer id with the ids of the RTP observers watching it. */
	mapProducerIdObserverIds: {
		key: string;
		values: string[];
	}[];
	/** Each DataProducer id with the ids of its DataConsumers. */
	mapDataProducerIdDataConsumerIds: {
		key: string;
		values: string[];
	}[];
	/** Each DataConsumer id with the id of its DataProducer. */
	mapDataConsumerIdDataProducerId: {
		key: string;
		value: string;
	}[];
};

export type RouterEvents = {
	workerclose: [];
	'@close': [];
};

export type RouterObserver = EnhancedEventEmitter<RouterObserverEvents>;

export type RouterObserverEvents = {
	close: [];
	newtransport: [Transport];
	newrtpobserver: [RtpObserver];
};

export interface Router<RouterAppData extends AppData = AppData> extends EnhancedEventEmitter<RouterEvents> {
	/** Router id. */
	get id(): string;
	/** Whether the Router is closed. */
	get closed(): boolean;
	/** RTP capabilities of the Router (a copy). */
	get rtpCapabilities(): RtpCapabilities;
	/** Custom application data. */
	get appData(): RouterAppData;
	set appData(appData: RouterAppData);
	/** Observer of Router lifecycle events. */
	get observer(): RouterObserver;
	/** Closes the Router and everything created in it. */
	close(): void;
	/**
	 * Called when the Worker closes.
	 *
	 * @private
	 */
	workerClosed(): void;
	/** Internal state of the Router. */
	dump(): Promise<RouterDump>;
	/** Creates a WebRtcTransport (ICE + DTLS), on its own sockets or on a WebRtcServer. */
	createWebRtcTransport<WebRtcTransportAppData extends AppData = AppData>(
		options: WebRtcTransportOptions<WebRtcTransportAppData>
	): Promise<WebRtcTransport<WebRtcTransportAppData>>;
	/** Creates a PlainTransport (plain RTP/RTCP over UDP, optionally SRTP). */
	createPlainTransport<PlainTransportAppData extends AppData = AppData>(
		options: PlainTransportOptions<PlainTransportAppData>
	): Promise<PlainTransport<PlainTransportAppData>>;
	/** Creates a PipeTransport (RTP between routers, on one host or two). */
	createPipeTransport<PipeTransportAppData extends AppData = AppData>(
		options: PipeTransportOptions<PipeTransportAppData>
	): Promise<PipeTransport<PipeTransportAppData>>;
	/**
	 * Makes a Producer or DataProducer of this Router available in another
	 * Router (same or another Worker) through a PipeTransport pair, created
	 * once per pair of Routers.
	 */
	pipeToRouter(options: PipeToRouterOptions): Promise<PipeToRouterResult>;
	/** Creates a DirectTransport (RTP/RTCP exchanged through the Node.js API). */
	createDirectTransport<DirectTransportAppData extends AppData = AppData>(
		options?: DirectTransportOptions<DirectTransportAppData>
	): Promise<DirectTransport<DirectTransportAppData>>;
	/** Creates an ActiveSpeakerObserver. */
	createActiveSpeakerObserver<ActiveSpeakerObserverAppData extends AppData = AppData>(
		options?: ActiveSpeakerObserverOptions<ActiveSpeakerObserverAppData>
	): Promise<ActiveSpeakerObserver<ActiveSpeakerObserverAppData>>;
	/** Creates an AudioLevelObserver. */
	createAudioLevelObserver<AudioLevelObserverAppData extends AppData = AppData>(
		options?: AudioLevelObserverOptions<AudioLevelObserverAppData>
	): Promise<AudioLevelObserver<AudioLevelObserverAppData>>;
	/** Whether an endpoint with `rtpCapabilities` can consume the given Producer. */
	canConsume({
		producerId,
		rtpCapabilities,
	}: {
		producerId: string;
		rtpCapabilities: RtpCapabilities;
	}): boolean;
	/** Replaces the Router's media codecs, which changes `rtpCapabilities`. */
	updateMediaCodecs(mediaCodecs: RouterRtpCodecCapability[]): void;
}

// ---------------------------------------------------------------------------
// Transport (base of every transport kind)
// ---------------------------------------------------------------------------

export type TransportType = 'webrtc' | 'plain' | 'pipe' | 'direct';

/** Where a transport (or WebRtcServer) listens. */
export type TransportListenInfo = {
	/** Network protocol. */
	protocol: TransportProtocol;
	/** Local IPv4 or IPv6 address to bind. */
	ip: string;
	/**
	 * Public address announced to the remote side.
	 *
	 * @deprecated Use `announcedAddress`.
	 */
	announcedIp?: string;
	/** Public IPv4, IPv6 or hostname announced to the remote side (e.g. behind NAT). */
	announcedAddress?: string;
	/** With `announcedAddress`, also offer an ICE candidate with `ip` itself. */
	exposeInternalIp?: boolean;
	/** Port to bind (a free one is picked when unset). */
	port?: number;
	/** Port range to pick a free port from (overrides `port`). */
	portRange?: TransportPortRange;
	/** Socket flags. */
	flags?: TransportSocketFlags;
	/** Socket send buffer size (bytes). */
	sendBufferSize?: number;
	/** Socket receive buffer size (bytes). */
	recvBufferSize?: number;
};

/** @deprecated Use `TransportListenInfo`. */
export type TransportListenIp = {
	/** Local IPv4 or IPv6 address to bind. */
	ip: string;
	/** Public IPv4, IPv6 or hostname announced to the remote side. */
	announcedIp?: string;
};

export type TransportProtocol = 'udp' | 'tcp';

/** An inclusive port range. */
export type TransportPortRange = {
	/** Lowest port. */
	min: number;
	/** Highest port. */
	max: number;
};

export type TransportSocketFlags = {
	/** Bind an IPv6 address without dual-stack (IPv4-mapped) support. */
	ipv6Only?: boolean;
	/** Let several transports bind the same UDP address and port (SO_REUSEPORT). */
	udpReusePort?: boolean;
};

/** Local and (when known) remote address of a transport's connection. */
export type TransportTuple = {
	/** Local IP (the announced address when one is set). */
	localIp: string;
	/** Local address (the announced address when one is set). */
	localAddress: string;
	localPort: number;
	remoteIp?: string;
	remotePort?: number;
	protocol: TransportProtocol;
};

export type SctpState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** How incoming RTP is routed to Producers (by SSRC, MID or RID). */
export type RtpListenerDump = {
	ssrcTable: {
		key: number;
		value: string;
	}[];
	midTable: {
		key: number;
		value: string;
	}[];
	ridTable: {
		key: number;
		value: string;
	}[];
};

/** How incoming SCTP streams are routed to DataProducers. */
export type SctpListenerDump = {
	streamIdTable: {
		key: number;
		value: string;
	}[];
};

/** Ids of the header extensions the transport reads from incoming RTP. */
export type RecvRtpHeaderExtensions = {
	mid?: number;
	rid?: number;
	rrid?: number;
	absSendTime?: number;
	transportWideCc01?: number;
};

/** Dump fields every transport kind has. */
export type BaseTransportDump = {
	id: string;
	producerIds: string[];
	consumerIds: string[];
	mapSsrcConsumerId: {
		key: number;
		value: string;
	}[];
	mapRtxSsrcConsumerId: {
		key: number;
		value: string;
	}[];
	recvRtpHeaderExtensions: RecvRtpHeaderExtensions;
	rtpListener: RtpListenerDump;
	maxSendMessageSize: number;
	maxReceiveMessageSize: number;
	dataProducerIds: string[];
	dataConsumerIds: string[];
	sctpParameters?: SctpParameters;
	sctpState?: SctpState;
	sctpNegotiatedCapabilities?: SctpNegotiatedCapabilities;
	sctpListener?: SctpListenerDump;
	traceEventTypes?: string[];
};

/** Stats fields every transport kind has. Bitrates are in bps. */
export type BaseTransportStats = {
	transportId: string;
	/** Time of the sample (ms). */
	timestamp: number;
	sctpState?: SctpState;
	bytesReceived: number;
	recvBitrate: number;
	bytesSent: number;
	sendBitrate: number;
	rtpBytesReceived: number;
	rtpRecvBitrate: number;
	rtpBytesSent: number;
	rtpSendBitrate: number;
	rtxBytesReceived: number;
	rtxRecvBitrate: number;
	rtxBytesSent: number;
	rtxSendBitrate: number;
	probationBytesSent: number;
	probationSendBitrate: number;
	availableOutgoingBitrate?: number;
	availableIncomingBitrate?: number;
	maxIncomingBitrate?: number;
	maxOutgoingBitrate?: number;
	minOutgoingBitrate?: number;
	rtpPacketLossReceived?: number;
	rtpPacketLossSent?: number;
};

/** Event types `transport.enableTraceEvent()` accepts. */
export type TransportTraceEventType = 'probation' | 'bwe';

/** Payload of a transport's `trace` event. */
export type TransportTraceEventData = {
	/** Trace type. */
	type: TransportTraceEventType;
	/** Time of the event (ms). */
	timestamp: number;
	/** Direction of the traced traffic. */
	direction: 'in' | 'out';
	/** Type-specific details. */
	info: unknown;
};

export type TransportEvents = {
	routerclose: [];
	listenserverclose: [];
	trace: [TransportTraceEventData];
	'@close': [];
	'@newproducer': [Producer];
	'@producerclose': [Producer];
	'@newdataproducer': [DataProducer];
	'@dataproducerclose': [DataProducer];
	'@listenserverclose': [];
};

export type TransportObserver = EnhancedEventEmitter<TransportObserverEvents>;

export type TransportObserverEvents = {
	close: [];
	newproducer: [Producer];
	newconsumer: [Consumer];
	newdataproducer: [DataProducer];
	newdataconsumer: [DataConsumer];
	trace: [TransportTraceEventData];
};

/**
 * What every transport kind has. `Events` and `Observer` are the kind's own
 * event map and observer type.
 */
export interface Transport<
	TransportAppData extends AppData = AppData,
	Events extends TransportEvents = TransportEvents,
	Observer extends TransportObserver = TransportObserver,
> extends EnhancedEventEmitter<Events> {
	/** Transport id. */
	get id(): string;
	/** Whether the transport is closed. */
	get closed(): boolean;
	/** Transport kind. */
	get type(): TransportType;
	/** Custom application data. */
	get appData(): TransportAppData;
	set appData(appData: TransportAppData);
	/** Observer of transport lifecycle events. */
	get observer(): Observer;
	/** Closes the transport and its Producers and Consumers. */
	close(): void;
	/**
	 * Called when the Router closes.
	 *
	 * @private
	 */
	routerClosed(): void;
	/**
	 * Called when the WebRtcServer the transport uses closes.
	 *
	 * @private
	 */
	listenServerClosed(): void;
	/** Internal state of the transport. */
	dump(): Promise<unknown>;
	/** Current stats of the transport. */
	getStats(): Promise<unknown[]>;
	/** Gives the transport the remote endpoint's parameters. */
	connect(params: unknown): Promise<void>;
	/** Limits the bitrate the remote endpoint may send (bps; 0 removes the limit). */
	setMaxIncomingBitrate(bitrate: number): Promise<void>;
	/** Limits the bitrate sent to the remote endpoint (bps; 0 removes the limit). */
	setMaxOutgoingBitrate(bitrate: number): Promise<void>;
	/** Sets the bitrate the send-side estimation does not go below (bps; 0 removes it). */
	setMinOutgoingBitrate(bitrate: number): Promise<void>;
	/** Creates a Producer: media the remote endpoint sends into the Router. */
	produce<ProducerAppData extends AppData = AppData>(
		options: ProducerOptions<ProducerAppData>
	): Promise<Producer<ProducerAppData>>;
	/** Creates a Consumer: a Producer's media sent to the remote endpoint. */
	consume<ConsumerAppData extends AppData = AppData>(
		options: ConsumerOptions<ConsumerAppData>
	): Promise<Consumer<ConsumerAppData>>;
	/**
	 * Creates a DataProducer: data messages entering the Router (from the
	 * endpoint over SCTP, or from Node on a DirectTransport). ferrosoup has
	 * no SCTP association yet: SCTP DataProducers receive no messages.
	 */
	produceData<DataProducerAppData extends AppData = AppData>(
		options?: DataProducerOptions<DataProducerAppData>
	): Promise<DataProducer<DataProducerAppData>>;
	/**
	 * Creates a DataConsumer: a DataProducer's messages sent to the endpoint
	 * (over SCTP, or as `message` events on a DirectTransport). ferrosoup has
	 * no SCTP association yet: SCTP DataConsumers deliver no messages.
	 */
	consumeData<DataConsumerAppData extends AppData = AppData>(
		options: DataConsumerOptions<DataConsumerAppData>
	): Promise<DataConsumer<DataConsumerAppData>>;
	/** Selects the `trace` event types to emit (none when called without types). */
	enableTraceEvent(types?: TransportTraceEventType[]): Promise<void>;
}

// ---------------------------------------------------------------------------
// WebRtcTransport
// ---------------------------------------------------------------------------

export type WebRtcTransportOptions<WebRtcTransportAppData extends AppData = AppData> =
	WebRtcTransportOptionsBase<WebRtcTransportAppData> & WebRtcTransportListen;

type WebRtcTransportOptionsBase<WebRtcTransportAppData> = {
	/** Use UDP. Default true. */
	enableUdp?: boolean;
	/** Use TCP. Default true with a WebRtcServer, false otherwise. */
	enableTcp?: boolean;
	/** Give UDP candidates higher priority. Default false. */
	preferUdp?: boolean;
	/** Give TCP candidates higher priority. Default false. */
	preferTcp?: boolean;
	/** ICE consent timeout (s); 0 disables consent checks. Default 30. */
	iceConsentTimeout?: number;
	/** Initial available outgoing bitrate (bps). Default 600000. */
	initialAvailableOutgoingBitrate?: number;
	/** Create an SCTP association. Default false. */
	enableSctp?: boolean;
	/** Largest SCTP message DataConsumers may send (bytes). Default 262144. */
	maxSendMessageSize?: number;
	/** Largest SCTP message DataProducers may receive (bytes). Default 262144. */
	maxReceiveMessageSize?: number;
	/** SCTP send buffer size (bytes). Default 2000000. */
	sctpSendBufferSize?: number;
	/** Per-stream SCTP send queue limit (bytes). Default 2000000. */
	sctpPerStreamSendQueueLimit?: number;
	/** SCTP receiver window buffer size (bytes). Default 5242880. */
	sctpMaxReceiverWindowBufferSize?: number;
	/** Default `bufferedamountlow` threshold of SCTP streams (bytes). Default 1024. */
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
	/** Custom application data. */
	appData?: WebRtcTransportAppData;
};

/** Exactly one of: `listenInfos`, `listenIps` (+ `port`), `webRtcServer`. */
type WebRtcTransportListen = Either<
	Either<WebRtcTransportListenIndividualListenInfo, WebRtcTransportListenIndividualListenIp>,
	WebRtcTransportListenServer
>;

type WebRtcTransportListenIndividualListenInfo = {
	/** Addresses to listen on, most preferred first. */
	listenInfos: TransportListenInfo[];
};

type WebRtcTransportListenIndividualListenIp = {
	/** IPs to listen on, most preferred first. */
	listenIps: (TransportListenIp | string)[];
	/** Fixed port (otherwise one from the Worker's port range). */
	port?: number;
};

type WebRtcTransportListenServer = {
	/** WebRtcServer whose sockets the transport uses. */
	webRtcServer: WebRtcServer;
};

export type IceParameters = {
	usernameFragment: string;
	password: string;
	iceLite?: boolean;
};

export type IceCandidate = {
	foundation: string;
	priority: number;
	ip: string;
	address: string;
	protocol: TransportProtocol;
	port: number;
	type: IceCandidateType;
	tcpType?: IceCandidateTcpType;
};

export type DtlsParameters = {
	/** DTLS role of the endpoint. Default 'auto'. */
	role?: DtlsRole;
	/** Certificate fingerprints. */
	fingerprints: DtlsFingerprint[];
};

/** Hash function of a certificate fingerprint (RFC 4572 names). */
export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

/** A certificate fingerprint: hash function and lowercase hex value. */
export type DtlsFingerprint = {
	algorithm: FingerprintAlgorithm;
	value: string;
};

export type IceRole = 'controlled' | 'controlling';

export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';

export type IceCandidateType = 'host';

export type IceCandidateTcpType = 'passive';

export type DtlsRole = 'auto' | 'client' | 'server';

export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export type WebRtcTransportDump = BaseTransportDump & {
	iceRole: 'controlled';
	iceParameters: IceParameters;
	iceCandidates: IceCandidate[];
	iceState: IceState;
	iceSelectedTuple?: TransportTuple;
	dtlsParameters: DtlsParameters;
	dtlsState: DtlsState;
	dtlsRemoteCert?: string;
};

export type WebRtcTransportStat = BaseTransportStats & {
	type: string;
	iceRole: string;
	iceState: IceState;
	iceSelectedTuple?: TransportTuple;
	dtlsState: DtlsState;
};

export type WebRtcTransportEvents = TransportEvents & {
	icestatechange: [IceState];
	iceselectedtuplechange: [TransportTuple];
	dtlsstatechange: [DtlsState];
	sctpstatechange: [SctpState];
};

export type WebRtcTransportObserver = EnhancedEventEmitter<WebRtcTransportObserverEvents>;

export type WebRtcTransportObserverEvents = TransportObserverEvents & {
	icestatechange: [IceState];
	iceselectedtuplechange: [TransportTuple];
	dtlsstatechange: [DtlsState];
	sctpstatechange: [SctpState];
};

/** A transport to a WebRTC endpoint (ICE-Lite, DTLS-SRTP, optionally SCTP). */
export interface WebRtcTransport<WebRtcTransportAppData extends AppData = AppData>
	extends Transport<WebRtcTransportAppData, WebRtcTransportEvents, WebRtcTransportObserver> {
	get type(): 'webrtc';
	get observer(): WebRtcTransportObserver;
	/** ICE role (always 'controlled': the server is ICE-Lite). */
	get iceRole(): 'controlled';
	/** Local ICE parameters. */
	get iceParameters(): IceParameters;
	/** Local ICE candidates. */
	get iceCandidates(): IceCandidate[];
	/** ICE state. */
	get iceState(): IceState;
	/** Tuple of the selected ICE candidate pair, once there is one. */
	get iceSelectedTuple(): TransportTuple | undefined;
	/** Local DTLS parameters. */
	get dtlsParameters(): DtlsParameters;
	/** DTLS state. */
	get dtlsState(): DtlsState;
	/** Remote certificate (PEM), once DTLS is connected. */
	get dtlsRemoteCert(): string | undefined;
	/** Local SCTP parameters, if SCTP is enabled. */
	get sctpParameters(): SctpParameters | undefined;
	/** SCTP state, if SCTP is enabled. */
	get sctpState(): SctpState | undefined;
	/** Negotiated SCTP capabilities, once the association is connected. */
	get sctpNegotiatedCapabilities(): SctpNegotiatedCapabilities | undefined;
	dump(): Promise<WebRtcTransportDump>;
	getStats(): Promise<WebRtcTransportStat[]>;
	/** Gives the transport the remote endpoint's DTLS parameters. */
	connect({ dtlsParameters }: { dtlsParameters: DtlsParameters }): Promise<void>;
	/** Generates new local ICE credentials and returns them. */
	restartIce(): Promise<IceParameters>;
}

// ---------------------------------------------------------------------------
// PlainTransport
// ---------------------------------------------------------------------------

export type PlainTransportOptions<PlainTransportAppData extends AppData = AppData> = {
	/** RTP and RTCP on the same port (RTCP-mux). Default true. */
	rtcpMux?: boolean;
	/**
	 * Learn the remote address from the first RTP/RTCP packet received. Then
	 * `connect()` is only called (with `srtpParameters`) when SRTP is enabled.
	 * Default false.
	 */
	comedia?: boolean;
	/** Create an SCTP association. Default false. */
	enableSctp?: boolean;
	/** Largest SCTP message DataConsumers may send (bytes). Default 262144. */
	maxSendMessageSize?: number;
	/** Largest SCTP message DataProducers may receive (bytes). Default 262144. */
	maxReceiveMessageSize?: number;
	/** SCTP send buffer size (bytes). Default 2000000. */
	sctpSendBufferSize?: number;
	/** Per-stream SCTP send queue limit (bytes). Default 2000000. */
	sctpPerStreamSendQueueLimit?: number;
	/** SCTP receiver window buffer size (bytes). Default 5242880. */
	sctpMaxReceiverWindowBufferSize?: number;
	/** Default `bufferedamountlow` threshold of SCTP streams (bytes). Default 1024. */
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
	/** Use SRTP (the remote keys are given to `connect()`). Default false. */
	enableSrtp?: boolean;
	/** SRTP crypto suite when `enableSrtp` is set. Default 'AES_CM_128_HMAC_SHA1_80'. */
	srtpCryptoSuite?: SrtpCryptoSuite;
	/** Custom application data. */
	appData?: PlainTransportAppData;
} & PlainTransportListen;

/** Either `listenInfo` (+ `rtcpListenInfo`) or the deprecated `listenIp` (+ `port`). */
type PlainTransportListen = Either<PlainTransportListenInfo, PlainTransportListenIp>;

type PlainTransportListenInfo = {
	/** Address to listen on (RTP, and RTCP with RTCP-mux). */
	listenInfo: TransportListenInfo;
	/** Separate address for RTCP (disables RTCP-mux). */
	rtcpListenInfo?: TransportListenInfo;
};

type PlainTransportListenIp = {
	/** IP to listen on. */
	listenIp: TransportListenIp | string;
	/** Fixed port (otherwise one from the Worker's port range). */
	port?: number;
};

export type PlainTransportDump = BaseTransportDump & {
	rtcpMux: boolean;
	comedia: boolean;
	tuple: TransportTuple;
	rtcpTuple?: TransportTuple;
	srtpParameters?: SrtpParameters;
};

export type PlainTransportStat = BaseTransportStats & {
	type: string;
	rtcpMux: boolean;
	comedia: boolean;
	tuple: TransportTuple;
	rtcpTuple?: TransportTuple;
};

export type PlainTransportEvents = TransportEvents & {
	tuple: [TransportTuple];
	rtcptuple: [TransportTuple];
	sctpstatechange: [SctpState];
};

export type PlainTransportObserver = EnhancedEventEmitter<PlainTransportObserverEvents>;

export type PlainTransportObserverEvents = TransportObserverEvents & {
	tuple: [TransportTuple];
	rtcptuple: [TransportTuple];
	sctpstatechange: [SctpState];
};

/** RTP/RTCP over plain UDP (optionally SRTP), e.g. to FFmpeg or GStreamer. */
export interface PlainTransport<PlainTransportAppData extends AppData = AppData>
	extends Transport<PlainTransportAppData, PlainTransportEvents, PlainTransportObserver> {
	get type(): 'plain';
	get observer(): PlainTransportObserver;
	/** RTP (and, with RTCP-mux, RTCP) tuple. */
	get tuple(): TransportTuple;
	/** RTCP tuple when RTCP-mux is off. */
	get rtcpTuple(): TransportTuple | undefined;
	/** Local SCTP parameters, if SCTP is enabled. */
	get sctpParameters(): SctpParameters | undefined;
	/** SCTP state, if SCTP is enabled. */
	get sctpState(): SctpState | undefined;
	/** Negotiated SCTP capabilities, once the association is connected. */
	get sctpNegotiatedCapabilities(): SctpNegotiatedCapabilities | undefined;
	/** Local SRTP parameters, if SRTP is enabled. */
	get srtpParameters(): SrtpParameters | undefined;
	dump(): Promise<PlainTransportDump>;
	getStats(): Promise<PlainTransportStat[]>;
	/** Gives the transport the remote address and/or the remote SRTP parameters. */
	connect({
		ip,
		port,
		rtcpPort,
		srtpParameters,
	}: {
		ip?: string;
		port?: number;
		rtcpPort?: number;
		srtpParameters?: SrtpParameters;
	}): Promise<void>;
}

// ---------------------------------------------------------------------------
// PipeTransport
// ---------------------------------------------------------------------------

export type PipeTransportOptions<PipeTransportAppData extends AppData = AppData> = {
	/** Create an SCTP association. Default false. */
	enableSctp?: boolean;
	/** Largest SCTP message DataConsumers may send (bytes). Default 262144. */
	maxSendMessageSize?: number;
	/** Largest SCTP message DataProducers may receive (bytes). Default 262144. */
	maxReceiveMessageSize?: number;
	/** SCTP send buffer size (bytes). Default 2000000. */
	sctpSendBufferSize?: number;
	/** Per-stream SCTP send queue limit (bytes). Default 2000000. */
	sctpPerStreamSendQueueLimit?: number;
	/** SCTP receiver window buffer size (bytes). Default 5242880. */
	sctpMaxReceiverWindowBufferSize?: number;
	/** Default `bufferedamountlow` threshold of SCTP streams (bytes). Default 1024. */
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
	/** Pipe consumers send RTX (and answer NACKs with it). Default false. */
	enableRtx?: boolean;
	/** SRTP (AEAD_AES_256_GCM) on the pipe. Default false. */
	enableSrtp?: boolean;
	/** Custom application data. */
	appData?: PipeTransportAppData;
} & PipeTransportListen;

/** Either `listenInfo` or the deprecated `listenIp` (+ `port`). */
type PipeTransportListen = Either<PipeTransportListenInfo, PipeTransportListenIp>;

type PipeTransportListenInfo = {
	/** Address to listen on (UDP). */
	listenInfo: TransportListenInfo;
};

type PipeTransportListenIp = {
	/** IP to listen on. */
	listenIp: TransportListenIp | string;
	/** Fixed port (otherwise one from the Worker's port range). */
	port?: number;
};

export type PipeConsumerOptions<ConsumerAppData extends AppData = AppData> = {
	/** The Producer to consume. */
	producerId: string;
	/** Custom application data. */
	appData?: ConsumerAppData;
};

export type PipeTransportDump = BaseTransportDump & {
	tuple: TransportTuple;
	rtx: boolean;
	srtpParameters?: SrtpParameters;
};

export type PipeTransportStat = BaseTransportStats & {
	type: string;
	tuple: TransportTuple;
};

export type PipeTransportEvents = TransportEvents & {
	sctpstatechange: [SctpState];
};

export type PipeTransportObserver = EnhancedEventEmitter<PipeTransportObserverEvents>;

export type PipeTransportObserverEvents = TransportObserverEvents & {
	sctpstatechange: [SctpState];
};

/** RTP (and SCTP) between two Routers, on one host or across hosts. */
export interface PipeTransport<PipeTransportAppData extends AppData = AppData>
	extends Transport<PipeTransportAppData, PipeTransportEvents, PipeTransportObserver> {
	get type(): 'pipe';
	get observer(): PipeTransportObserver;
	/** The UDP tuple (remote side once connected). */
	get tuple(): TransportTuple;
	/** Local SCTP parameters, if SCTP is enabled. */
	get sctpParameters(): SctpParameters | undefined;
	/** SCTP state, if SCTP is enabled. */
	get sctpState(): SctpState | undefined;
	/** Negotiated SCTP capabilities, once the association is connected. */
	get sctpNegotiatedCapabilities(): SctpNegotiatedCapabilities | undefined;
	/** Local SRTP parameters, if SRTP is enabled. */
	get srtpParameters(): SrtpParameters | undefined;
	dump(): Promise<PipeTransportDump>;
	getStats(): Promise<PipeTransportStat[]>;
	/** Gives the pipe the other end's address (and SRTP parameters). */
	connect({ ip, port, srtpParameters }: { ip: string; port: number; srtpParameters?: SrtpParameters }): Promise<void>;
	/** A pipe Consumer: every stream of the Producer, forwarded as is. */
	consume<ConsumerAppData extends AppData = AppData>({
		producerId,
		appData,
	}: PipeConsumerOptions<ConsumerAppData>): Promise<Consumer<ConsumerAppData>>;
}

// ---------------------------------------------------------------------------
// DirectTransport
// ---------------------------------------------------------------------------

export type DirectTransportOptions<DirectTransportAppData extends AppData = AppData> = {
	/** Largest message DataConsumers may send (bytes). Default 262144. */
	maxSendMessageSize?: number;
	/** Largest message DataProducers may receive (bytes). Default 262144. */
	maxReceiveMessageSize?: number;
	/** Custom application data. */
	appData?: DirectTransportAppData;
};

export type DirectTransportDump = BaseTransportDump;

export type DirectTransportStat = BaseTransportStats & {
	type: string;
};

export type DirectTransportEvents = TransportEvents & {
	rtcp: [Buffer];
};

export type DirectTransportObserver = EnhancedEventEmitter<DirectTransportObserverEvents>;

export type DirectTransportObserverEvents = TransportObserverEvents & {
	rtcp: [Buffer];
};

/**
 * A transport without sockets: the application injects RTP with
 * `producer.send()` and RTCP with `sendRtcp()`, and receives them through the
 * `rtp` event of Consumers and the `rtcp` event.
 */
export interface DirectTransport<DirectTransportAppData extends AppData = AppData>
	extends Transport<DirectTransportAppData, DirectTransportEvents, DirectTransportObserver> {
	get type(): 'direct';
	get observer(): DirectTransportObserver;
	dump(): Promise<DirectTransportDump>;
	getStats(): Promise<DirectTransportStat[]>;
	/** Does nothing (there is no remote endpoint to connect to). */
	connect(): Promise<void>;
	/** Sends an RTCP packet (compound or not) to the Router. */
	sendRtcp(rtcpPacket: Buffer): void;
}

// ---------------------------------------------------------------------------
// Producer
// ---------------------------------------------------------------------------

export type ProducerOptions<ProducerAppData extends AppData = AppData> = {
	/** Producer id (only for `router.pipeToRouter()`). */
	id?: string;
	/** Media kind. */
	kind: MediaKind;
	/** RTP parameters of what the endpoint sends. */
	rtpParameters: RtpParameters;
	/** Start paused. Default false. */
	paused?: boolean;
	/** Video: minimum time (ms) between two key frame requests to the sender. Default 0. */
	keyFrameRequestDelay?: number;
	/** Add the 'urn:mediasoup:params:rtp-hdrext:packet-id' header extension to received RTP. */
	enableMediasoupPacketIdHeaderExtension?: boolean;
	/** Custom application data. */
	appData?: ProducerAppData;
};

export type ProducerType = 'simple' | 'simulcast' | 'svc';

/** Score of one of a Producer's RTP streams. */
export type ProducerScore = {
	/** Index of the stream in `rtpParameters.encodings`. */
	encodingIdx: number;
	/** SSRC of the stream. */
	ssrc: number;
	/** RID of the stream. */
	rid?: string;
	/** Score, 0 (worst) to 10 (best). */
	score: number;
};

/** Video orientation (urn:3gpp:video-orientation). */
export type ProducerVideoOrientation = {
	/** Whether the source is a camera. */
	camera: boolean;
	/** Whether the video is flipped. */
	flip: boolean;
	/** Rotation in degrees: 0, 90, 180 or 270. */
	rotation: number;
};

export type ProducerDump = {
	id: string;
	kind: string;
	type: ProducerType;
	rtpParameters: RtpParameters;
	rtpMapping: unknown;
	rtpStreams: unknown;
	traceEventTypes: string[];
	paused: boolean;
};

/** Stats of one of a Producer's RTP streams. */
export type ProducerStat = RtpStreamRecvStats;

/** Event types `producer.enableTraceEvent()` accepts. */
export type ProducerTraceEventType = 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir' | 'sr';

/** Payload of a Producer's `trace` event. */
export type ProducerTraceEventData = {
	/** Trace type. */
	type: ProducerTraceEventType;
	/** Time of the event (ms). */
	timestamp: number;
	/** Direction of the traced packet. */
	direction: 'in' | 'out';
	/** Type-specific details. */
	info: Record<string, unknown>;
};

export type ProducerEvents = {
	transportclose: [];
	score: [ProducerScore[]];
	videoorientationchange: [ProducerVideoOrientation];
	trace: [ProducerTraceEventData];
	'@close': [];
};

export type ProducerObserver = EnhancedEventEmitter<ProducerObserverEvents>;

export type ProducerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
	score: [ProducerScore[]];
	videoorientationchange: [ProducerVideoOrientation];
	trace: [ProducerTraceEventData];
};

/** Media an endpoint sends into the Router. */
export interface Producer<ProducerAppData extends AppData = AppData> extends EnhancedEventEmitter<ProducerEvents> {
	/** Producer id. */
	get id(): string;
	/** Whether the Producer is closed. */
	get closed(): boolean;
	/** Media kind. */
	get kind(): MediaKind;
	/** RTP parameters given to `produce()` (normalized). */
	get rtpParameters(): RtpParameters;
	/** Producer type, from its encodings. */
	get type(): ProducerType;
	/**
	 * RTP parameters Consumers of this Producer are derived from.
	 *
	 * @private
	 */
	get consumableRtpParameters(): RtpParameters;
	/** Whether the Producer is paused. */
	get paused(): boolean;
	/** Scores of the Producer's RTP streams. */
	get score(): ProducerScore[];
	/** Custom application data. */
	get appData(): ProducerAppData;
	set appData(appData: ProducerAppData);
	/** Observer of Producer lifecycle events. */
	get observer(): ProducerObserver;
	/** Closes the Producer (and its Consumers). */
	close(): void;
	/**
	 * Called when the transport closes.
	 *
	 * @private
	 */
	transportClosed(): void;
	/** Internal state of the Producer. */
	dump(): Promise<ProducerDump>;
	/** Stats of the Producer's RTP streams. */
	getStats(): Promise<ProducerStat[]>;
	/** Pauses the Producer (its Consumers stop sending). */
	pause(): Promise<void>;
	/** Resumes the Producer. */
	resume(): Promise<void>;
	/** Selects the `trace` event types to emit (none when called without types). */
	enableTraceEvent(types?: ProducerTraceEventType[]): Promise<void>;
	/** Injects an RTP packet (Producers of a DirectTransport only). */
	send(rtpPacket: Buffer): void;
}

// ---------------------------------------------------------------------------
// Consumer
// ---------------------------------------------------------------------------

export type ConsumerOptions<ConsumerAppData extends AppData = AppData> = {
	/** Id of the Producer to consume. */
	producerId: string;
	/** RTP capabilities of the consuming endpoint. */
	rtpCapabilities: RtpCapabilities;
	/**
	 * Start paused. Default false. For video, creating the Consumer paused and
	 * resuming it once the endpoint is ready avoids a key frame arriving too early.
	 */
	paused?: boolean;
	/** MID of the Consumer (a growing number by default). */
	mid?: string;
	/** Preferred spatial/temporal layers (simulcast, SVC). Default: the highest. */
	preferredLayers?: ConsumerLayers;
	/**
	 * Retransmit on NACK (when both sides support it for the codec). Default:
	 * true for video, false for audio.
	 */
	enableRtx?: boolean;
	/** Drop DTX packets (Opus only) instead of forwarding them. */
	ignoreDtx?: boolean;
	/** Consume all of the Producer's RTP streams (as a PipeTransport does). */
	pipe?: boolean;
	/** Custom application data. */
	appData?: ConsumerAppData;
};

export type ConsumerType = 'simple' | 'simulcast' | 'svc' | 'pipe';

/** Scores (0 to 10) of a Consumer and of the Producer stream it forwards. */
export type ConsumerScore = {
	/** Score of the Consumer's RTP stream. */
	score: number;
	/** Score of the Producer stream currently forwarded. */
	producerScore: number;
	/** Scores of all the Producer's streams, by encoding. */
	producerScores: number[];
};

/** Spatial and temporal layer indexes (from 0). */
export type ConsumerLayers = {
	/** Spatial layer. */
	spatialLayer: number;
	/** Temporal layer. */
	temporalLayer?: number;
};

export type ConsumerDump = SimpleConsumerDump | SimulcastConsumerDump | SvcConsumerDump | PipeConsumerDump;

export type SimpleConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStream: RtpStreamDump;
};

export type SimulcastConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStream: RtpStreamDump;
	preferredSpatialLayer: number;
	targetSpatialLayer: number;
	currentSpatialLayer: number;
	preferredTemporalLayer: number;
	targetTemporalLayer: number;
	currentTemporalLayer: number;
};

export type SvcConsumerDump = SimulcastConsumerDump;

export type PipeConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStreams: RtpStreamDump[];
};

export type BaseConsumerDump = {
	id: string;
	producerId: string;
	kind: MediaKind;
	rtpParameters: RtpParameters;
	consumableRtpEncodings?: RtpEncodingParameters[];
	supportedCodecPayloadTypes: number[];
	traceEventTypes: string[];
	paused: boolean;
	producerPaused: boolean;
	priority: number;
};

export type RtpStreamDump = {
	params: RtpStreamParametersDump;
	score: number;
	rtxStream?: RtxStreamDump;
};

export type RtpStreamParametersDump = {
	encodingIdx: number;
	ssrc: number;
	payloadType: number;
	mimeType: string;
	clockRate: number;
	rid?: string;
	cname: string;
	rtxSsrc?: number;
	rtxPayloadType?: number;
	useNack: boolean;
	usePli: boolean;
	useFir: boolean;
	useInBandFec: boolean;
	useDtx: boolean;
	spatialLayers: number;
	temporalLayers: number;
};

export type RtxStreamDump = {
	params: RtxStreamParameters;
};

export type RtxStreamParameters = {
	ssrc: number;
	payloadType: number;
	mimeType: string;
	clockRate: number;
	rrid?: string;
	cname: string;
};

/** Stats of a Consumer's RTP stream. */
export type ConsumerStat = RtpStreamSendStats;

/** Event types `consumer.enableTraceEvent()` accepts. */
export type ConsumerTraceEventType = 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir';

/** Payload of a Consumer's `trace` event. */
export type ConsumerTraceEventData = {
	/** Trace type. */
	type: ConsumerTraceEventType;
	/** Time of the event (ms). */
	timestamp: number;
	/** Direction of the traced packet. */
	direction: 'in' | 'out';
	/** Type-specific details. */
	info: Record<string, unknown>;
};

export type ConsumerEvents = {
	transportclose: [];
	producerclose: [];
	producerpause: [];
	producerresume: [];
	score: [ConsumerScore];
	layerschange: [ConsumerLayers?];
	trace: [ConsumerTraceEventData];
	rtp: [Buffer];
	'@close': [];
	'@producerclose': [];
};

export type ConsumerObserver = EnhancedEventEmitter<ConsumerObserverEvents>;

export type ConsumerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
	score: [ConsumerScore];
	layerschange: [ConsumerLayers?];
	trace: [ConsumerTraceEventData];
};

/** A Producer's media sent to an endpoint through a transport. */
export interface Consumer<ConsumerAppData extends AppData = AppData> extends EnhancedEventEmitter<ConsumerEvents> {
	/** Consumer id. */
	get id(): string;
	/** Id of the consumed Producer. */
	get producerId(): string;
	/** Whether the Consumer is closed. */
	get closed(): boolean;
	/** Media kind. */
	get kind(): MediaKind;
	/** RTP parameters of what the Consumer sends. */
	get rtpParameters(): RtpParameters;
	/** Consumer type. */
	get type(): ConsumerType;
	/** Whether the Consumer itself is paused. */
	get paused(): boolean;
	/** Whether the consumed Producer is paused. */
	get producerPaused(): boolean;
	/** Priority when the available bitrate is shared among Consumers. */
	get priority(): number;
	/** Current score. */
	get score(): ConsumerScore;
	/** Preferred layers (simulcast, SVC). */
	get preferredLayers(): ConsumerLayers | undefined;
	/** Layers currently sent (simulcast, SVC). */
	get currentLayers(): ConsumerLayers | undefined;
	/** Custom application data. */
	get appData(): ConsumerAppData;
	set appData(appData: ConsumerAppData);
	/** Observer of Consumer lifecycle events. */
	get observer(): ConsumerObserver;
	/** Closes the Consumer. */
	close(): void;
	/**
	 * Called when the transport closes.
	 *
	 * @private
	 */
	transportClosed(): void;
	/** Internal state of the Consumer. */
	dump(): Promise<ConsumerDump>;
	/** Stats of the Consumer's stream, followed by those of the Producer stream it forwards. */
	getStats(): Promise<(ConsumerStat | ProducerStat)[]>;
	/** Pauses the Consumer. */
	pause(): Promise<void>;
	/** Resumes the Consumer. */
	resume(): Promise<void>;
	/** Sets the preferred spatial/temporal layers. */
	setPreferredLayers({ spatialLayer, temporalLayer }: ConsumerLayers): Promise<void>;
	/** Sets the priority (1 by default; higher gets bitrate first). */
	setPriority(priority: number): Promise<void>;
	/** Restores the default priority (1). */
	unsetPriority(): Promise<void>;
	/** Asks the Producer's sender for a key frame. */
	requestKeyFrame(): Promise<void>;
	/** Selects the `trace` event types to emit (none when called without types). */
	enableTraceEvent(types?: ConsumerTraceEventType[]): Promise<void>;
}

// ---------------------------------------------------------------------------
// DataProducer
// ---------------------------------------------------------------------------

export type DataProducerOptions<DataProducerAppData extends AppData = AppData> = {
	/** DataProducer id (just for Router.pipeToRouter()). */
	id?: string;
	/** How the endpoint sends over SCTP (SCTP transports only, mandatory there). */
	sctpStreamParameters?: SctpStreamParameters;
	/** Label of the DataChannel. Default ''. */
	label?: string;
	/** Sub-protocol of the DataChannel. Default ''. */
	protocol?: string;
	/** Start paused. Default false. */
	paused?: boolean;
	/** Custom application data. */
	appData?: DataProducerAppData;
};

/** 'sctp' on SCTP transports, 'direct' on DirectTransports. */
export type DataProducerType = 'sctp' | 'direct';

export type DataProducerDump = {
	id: string;
	paused: boolean;
	type: DataProducerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
};

export type DataProducerStat = {
	type: string;
	timestamp: number;
	label: string;
	protocol: string;
	messagesReceived: number;
	bytesReceived: number;
};

export type DataProducerEvents = {
	transportclose: [];
	'@close': [];
};

export type DataProducerObserver = EnhancedEventEmitter<DataProducerObserverEvents>;

export type DataProducerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
};

/** Data messages entering the Router. */
export interface DataProducer<DataProducerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<DataProducerEvents> {
	/** DataProducer id. */
	get id(): string;
	/** Whether the DataProducer is closed. */
	get closed(): boolean;
	/** DataProducer type. */
	get type(): DataProducerType;
	/** SCTP stream parameters ('sctp' DataProducers). */
	get sctpStreamParameters(): SctpStreamParameters | undefined;
	/** DataChannel label. */
	get label(): string;
	/** DataChannel sub-protocol. */
	get protocol(): string;
	/** Whether the DataProducer is paused. */
	get paused(): boolean;
	/** Custom application data. */
	get appData(): DataProducerAppData;
	set appData(appData: DataProducerAppData);
	/** Observer of DataProducer lifecycle events. */
	get observer(): DataProducerObserver;
	/** Closes the DataProducer (and its DataConsumers). */
	close(): void;
	/**
	 * Called when the transport closes.
	 *
	 * @private
	 */
	transportClosed(): void;
	/** Internal state of the DataProducer. */
	dump(): Promise<DataProducerDump>;
	/** Message counters. */
	getStats(): Promise<DataProducerStat[]>;
	/** Pauses the DataProducer (messages are counted, not forwarded). */
	pause(): Promise<void>;
	/** Resumes the DataProducer. */
	resume(): Promise<void>;
	/**
	 * Sends a message from Node (meant for DataProducers of DirectTransports).
	 * The PPID defaults to 51 (string), 56 (empty string), 53 (binary) or 57
	 * (empty binary). Subchannels select the DataConsumers that get it.
	 */
	send(
		message: string | Buffer,
		ppid?: number,
		subchannels?: number[],
		requiredSubchannel?: number,
		ignoredSubchannel?: number
	): void;
}

// ---------------------------------------------------------------------------
// DataConsumer
// ---------------------------------------------------------------------------

export type DataConsumerOptions<DataConsumerAppData extends AppData = AppData> = {
	/** Id of the DataProducer to consume. */
	dataProducerId: string;
	/**
	 * SCTP only: deliver in order (reliably). Defaults to the DataProducer's
	 * ('sctp') or true ('direct').
	 */
	ordered?: boolean;
	/** SCTP only, unordered: ms after which a message is no longer retransmitted. */
	maxPacketLifeTime?: number;
	/** SCTP only, unordered: how many times a message is retransmitted at most. */
	maxRetransmits?: number;
	/** Start paused. Default false. */
	paused?: boolean;
	/** Subchannels subscribed to initially. */
	subchannels?: number[];
	/** Custom application data. */
	appData?: DataConsumerAppData;
};

/** 'sctp' on SCTP transports, 'direct' on DirectTransports. */
export type DataConsumerType = 'sctp' | 'direct';

export type DataConsumerDump = {
	id: string;
	paused: boolean;
	dataProducerPaused: boolean;
	subchannels: number[];
	dataProducerId: string;
	type: DataConsumerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
	bufferedAmount: number;
	bufferedAmountLowThreshold: number;
};

export type DataConsumerStat = {
	type: string;
	timestamp: number;
	label: string;
	protocol: string;
	messagesSent: number;
	bytesSent: number;
	bufferedAmount: number;
};

export type DataConsumerEvents = {
	transportclose: [];
	dataproducerclose: [];
	dataproducerpause: [];
	dataproducerresume: [];
	message: [Buffer, number];
	sctpsendbufferfull: [];
	bufferedamountlow: [number];
	'@close': [];
	'@dataproducerclose': [];
};

export type DataConsumerObserver = EnhancedEventEmitter<DataConsumerObserverEvents>;

export type DataConsumerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
};

/** A DataProducer's messages sent to an endpoint through a transport. */
export interface DataConsumer<DataConsumerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<DataConsumerEvents> {
	/** DataConsumer id. */
	get id(): string;
	/** Id of the consumed DataProducer. */
	get dataProducerId(): string;
	/** Whether the DataConsumer is closed. */
	get closed(): boolean;
	/** DataConsumer type. */
	get type(): DataConsumerType;
	/** SCTP stream parameters ('sctp' DataConsumers). */
	get sctpStreamParameters(): SctpStreamParameters | undefined;
	/** DataChannel label (the DataProducer's). */
	get label(): string;
	/** DataChannel sub-protocol (the DataProducer's). */
	get protocol(): string;
	/** Whether the DataConsumer itself is paused. */
	get paused(): boolean;
	/** Whether the consumed DataProducer is paused. */
	get dataProducerPaused(): boolean;
	/** Subchannels subscribed to. */
	get subchannels(): number[];
	/** Custom application data. */
	get appData(): DataConsumerAppData;
	set appData(appData: DataConsumerAppData);
	/** Observer of DataConsumer lifecycle events. */
	get observer(): DataConsumerObserver;
	/** Closes the DataConsumer. */
	close(): void;
	/**
	 * Called when the transport closes.
	 *
	 * @private
	 */
	transportClosed(): void;
	/** Internal state of the DataConsumer. */
	dump(): Promise<DataConsumerDump>;
	/** Message counters. */
	getStats(): Promise<DataConsumerStat[]>;
	/** Pauses the DataConsumer. */
	pause(): Promise<void>;
	/** Resumes the DataConsumer. */
	resume(): Promise<void>;
	/** Sets the SCTP stream's bufferedAmountLowThreshold (bytes; SCTP only). */
	setBufferedAmountLowThreshold(threshold: number): Promise<void>;
	/** Bytes queued on the SCTP stream (SCTP only). */
	getBufferedAmount(): Promise<number>;
	/**
	 * Sends a message to the endpoint (SCTP only) and resolves with the
	 * buffered amount. ferrosoup has no SCTP association yet: it rejects.
	 */
	send(message: string | Buffer, ppid?: number): Promise<number>;
	/** Replaces the subscribed subchannels. */
	setSubchannels(subchannels: number[]): Promise<void>;
	/** Subscribes to a subchannel. */
	addSubchannel(subchannel: number): Promise<void>;
	/** Unsubscribes from a subchannel. */
	removeSubchannel(subchannel: number): Promise<void>;
}

// ---------------------------------------------------------------------------
// RtpObserver (base of AudioLevelObserver and ActiveSpeakerObserver)
// ---------------------------------------------------------------------------

export type RtpObserverType = 'audiolevel' | 'activespeaker';

export type RtpObserverEvents = {
	routerclose: [];
	'@close': [];
};

export type RtpObserverObserver = EnhancedEventEmitter<RtpObserverObserverEvents>;

export type RtpObserverObserverEvents = {
	close: [];
	pause: [];
	resume: [];
	addproducer: [Producer];
	removeproducer: [Producer];
};

/**
 * What every RTP observer kind has. `Events` and `Observer` are the kind's
 * own event map and observer type.
 */
export interface RtpObserver<
	RtpObserverAppData extends AppData = AppData,
	Events extends RtpObserverEvents = RtpObserverEvents,
	Observer extends RtpObserverObserver = RtpObserverObserver,
> extends EnhancedEventEmitter<Events> {
	/** RtpObserver id. */
	get id(): string;
	/** Whether the RtpObserver is closed. */
	get closed(): boolean;
	/** RtpObserver kind. */
	get type(): RtpObserverType;
	/** Whether the RtpObserver is paused. */
	get paused(): boolean;
	/** Custom application data. */
	get appData(): RtpObserverAppData;
	set appData(appData: RtpObserverAppData);
	/** Observer of RtpObserver lifecycle events. */
	get observer(): Observer;
	/** Closes the RtpObserver. */
	close(): void;
	/**
	 * Called when the Router closes.
	 *
	 * @private
	 */
	routerClosed(): void;
	/** Pauses the RtpObserver (no events while paused). */
	pause(): Promise<void>;
	/** Resumes the RtpObserver. */
	resume(): Promise<void>;
	/** Starts observing a Producer. */
	addProducer({ producerId }: { producerId: string }): Promise<void>;
	/** Stops observing a Producer. */
	removeProducer({ producerId }: { producerId: string }): Promise<void>;
}

// ---------------------------------------------------------------------------
// ActiveSpeakerObserver
// ---------------------------------------------------------------------------

export type ActiveSpeakerObserverOptions<ActiveSpeakerObserverAppData extends AppData = AppData> = {
	/** Evaluation interval (ms). Default 300. */
	interval?: number;
	/** Custom application data. */
	appData?: ActiveSpeakerObserverAppData;
};

/** Payload of `dominantspeaker`. */
export type ActiveSpeakerObserverDominantSpeaker = {
	/** The dominant speaker's audio Producer. */
	producer: Producer;
};

export type ActiveSpeakerObserverEvents = RtpObserverEvents & {
	dominantspeaker: [ActiveSpeakerObserverDominantSpeaker];
};

export type ActiveSpeakerObserverObserver = EnhancedEventEmitter<ActiveSpeakerObserverObserverEvents>;

export type ActiveSpeakerObserverObserverEvents = RtpObserverObserverEvents & {
	dominantspeaker: [ActiveSpeakerObserverDominantSpeaker];
};

/** Tracks which audio Producer is the dominant speaker. */
export interface ActiveSpeakerObserver<ActiveSpeakerObserverAppData extends AppData = AppData>
	extends RtpObserver<ActiveSpeakerObserverAppData, ActiveSpeakerObserverEvents, ActiveSpeakerObserverObserver> {
	get type(): 'activespeaker';
	get observer(): ActiveSpeakerObserverObserver;
}

// ---------------------------------------------------------------------------
// AudioLevelObserver
// ---------------------------------------------------------------------------

export type AudioLevelObserverOptions<AudioLevelObserverAppData extends AppData = AppData> = {
	/** Most Producers reported per `volumes` event. Default 1. */
	maxEntries?: number;
	/** Lowest volume reported (dBvo, -127 to 0). Default -80. */
	threshold?: number;
	/** Reporting interval (ms). Default 1000. */
	interval?: number;
	/** Custom application data. */
	appData?: AudioLevelObserverAppData;
};

/** An entry of `volumes`. */
export type AudioLevelObserverVolume = {
	/** The audio Producer. */
	producer: Producer;
	/** Its average volume over the interval (dBvo, -127 to 0). */
	volume: number;
};

export type AudioLevelObserverEvents = RtpObserverEvents & {
	volumes: [AudioLevelObserverVolume[]];
	silence: [];
};

export type AudioLevelObserverObserver = EnhancedEventEmitter<AudioLevelObserverObserverEvents>;

export type AudioLevelObserverObserverEvents = RtpObserverObserverEvents & {
	volumes: [AudioLevelObserverVolume[]];
	silence: [];
};

/** Periodically reports the loudest audio Producers (`volumes`) or `silence`. */
export interface AudioLevelObserver<AudioLevelObserverAppData extends AppData = AppData>
	extends RtpObserver<AudioLevelObserverAppData, AudioLevelObserverEvents, AudioLevelObserverObserver> {
	get type(): 'audiolevel';
	get observer(): AudioLevelObserverObserver;
}

// ---------------------------------------------------------------------------
// RTP parameters and capabilities (mediasoup `rtpParametersTypes`)
// ---------------------------------------------------------------------------

export type MediaKind = 'audio' | 'video';

/** What an endpoint can receive (or, for a Router, what it can route). */
export type RtpCapabilities = {
	/** Supported media and RTX codecs. */
	codecs?: RtpCodecCapability[];
	/** Supported RTP header extensions. */
	headerExtensions?: RtpHeaderExtension[];
};

/** RTP capabilities whose codecs may omit `preferredPayloadType`. */
export type RouterRtpCapabilities = Omit<RtpCapabilities, 'codecs'> & {
	codecs?: RouterRtpCodecCapability[];
};

/** A codec within RTP capabilities. */
export type RtpCodecCapability = {
	/** Media kind. */
	kind: MediaKind;
	/** MIME type, e.g. 'audio/opus' or 'video/VP8'. */
	mimeType: string;
	/** Preferred RTP payload type. */
	preferredPayloadType: number;
	/** RTP clock rate. */
	clockRate: number;
	/** Number of channels (audio only). Default 1. */
	channels?: number;
	/** Codec-specific (fmtp) parameters. */
	parameters?: Record<string, unknown>;
	/** Supported RTCP feedback mechanisms. */
	rtcpFeedback?: RtcpFeedback[];
};

/** A codec in a Router's media codecs: `preferredPayloadType` is optional. */
export type RouterRtpCodecCapability = Omit<RtpCodecCapability, 'preferredPayloadType'> & {
	preferredPayloadType?: number;
};

export type RtpHeaderExtensionDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** A header extension within RTP capabilities. */
export type RtpHeaderExtension = {
	/** Media kind. */
	kind: MediaKind;
	/** Extension URI. */
	uri: RtpHeaderExtensionUri;
	/** Preferred extension id. */
	preferredId: number;
	/** Whether the extension is encrypted (not supported). Default false. */
	preferredEncrypt?: boolean;
	/** Direction the extension is supported in (from the Router's point of view). Default 'sendrecv'. */
	direction?: RtpHeaderExtensionDirection;
};

/** What a Producer sends or a Consumer receives. */
export type RtpParameters = {
	/** MID (RFC 8843) of the media section. */
	mid?: string;
	/** Media and RTX codecs in use. */
	codecs: RtpCodecParameters[];
	/** RTP header extensions in use. */
	headerExtensions?: RtpHeaderExtensionParameters[];
	/** Encodings (simulcast streams, or a single stream). */
	encodings?: RtpEncodingParameters[];
	/** RTCP parameters. */
	rtcp?: RtcpParameters;
	/** MSID ("stream-id track-id"). */
	msid?: string;
};

/** A codec within RTP parameters. */
export type RtpCodecParameters = {
	/** MIME type, e.g. 'audio/opus' or 'video/VP8'. */
	mimeType: string;
	/** RTP payload type. */
	payloadType: number;
	/** RTP clock rate. */
	clockRate: number;
	/** Number of channels (audio only). Default 1. */
	channels?: number;
	/** Codec-specific (fmtp) parameters. */
	parameters?: Record<string, unknown>;
	/** RTCP feedback mechanisms in use. */
	rtcpFeedback?: RtcpFeedback[];
};

/** An RTCP feedback mechanism, e.g. `{ type: 'nack', parameter: 'pli' }`. */
export type RtcpFeedback = {
	/** Feedback type. */
	type: string;
	/** Feedback parameter. */
	parameter?: string;
};

/** One RTP stream (encoding) within RTP parameters. */
export type RtpEncodingParameters = {
	/** Media SSRC. */
	ssrc?: number;
	/** RID (RtpStreamId) of the stream. */
	rid?: string;
	/** Payload type of the codec this encoding uses. */
	codecPayloadType?: number;
	/** RTX stream information. */
	rtx?: {
		ssrc: number;
	};
	/** Whether discontinuous transmission is used. Default false. */
	dtx?: boolean;
	/** Scalability mode, e.g. 'L1T3' or 'S3T3'. */
	scalabilityMode?: string;
	/** Maximum bitrate (bps). */
	maxBitrate?: number;
};

/** Header extension URIs known to the Router. */
export type RtpHeaderExtensionUri =
	| 'urn:ietf:params:rtp-hdrext:sdes:mid'
	| 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'
	| 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'
	| 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'
	| 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'
	| 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'
	| 'urn:3gpp:video-orientation'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time'
	| 'urn:ietf:params:rtp-hdrext:toffset'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay'
	| 'urn:mediasoup:params:rtp-hdrext:packet-id';

/** A header extension within RTP parameters. */
export type RtpHeaderExtensionParameters = {
	/** Extension URI. */
	uri: RtpHeaderExtensionUri;
	/** Extension id used in RTP packets. */
	id: number;
	/** Whether the extension is encrypted (not supported). Default false. */
	encrypt?: boolean;
	/** Extension-specific configuration. */
	parameters?: Record<string, unknown>;
};

/** RTCP parameters of a stream. */
export type RtcpParameters = {
	/** CNAME used in RTCP SDES. */
	cname?: string;
	/** Whether reduced-size RTCP (RFC 5506) is used. Default true. */
	reducedSize?: boolean;
};

// ---------------------------------------------------------------------------
// RTP stream stats (mediasoup `rtpStreamStatsTypes`)
// ---------------------------------------------------------------------------

/** Stats of a received RTP stream (a Producer's). Bitrates are in bps. */
export type RtpStreamRecvStats = BaseRtpStreamStats & {
	/** 'inbound-rtp'. */
	type: string;
	packetCount: number;
	byteCount: number;
	bitrate: number;
	/** Bitrate per layer, keyed "spatial.temporal". */
	bitrateByLayer: BitrateByLayer;
};

/** Stats of a sent RTP stream (a Consumer's). Bitrates are in bps. */
export type RtpStreamSendStats = BaseRtpStreamStats & {
	/** 'outbound-rtp'. */
	type: string;
	packetCount: number;
	byteCount: number;
	bitrate: number;
};

/** Stats fields of every RTP stream. */
export type BaseRtpStreamStats = {
	/** Time of the sample (ms). */
	timestamp: number;
	ssrc: number;
	rtxSsrc?: number;
	rid?: string;
	kind: string;
	mimeType: string;
	packetsLost: number;
	fractionLost: number;
	jitter: number;
	packetsDiscarded: number;
	packetsRetransmitted: number;
	packetsRepaired: number;
	nackCount: number;
	nackPacketCount: number;
	pliCount: number;
	firCount: number;
	/** Round-trip time (ms). */
	roundTripTime?: number;
	rtxPacketsDiscarded?: number;
	/** Score, 0 (worst) to 10 (best). */
	score: number;
};

export type BitrateByLayer = {
	[key: string]: number;
};

// ---------------------------------------------------------------------------
// SCTP parameters (mediasoup `sctpParametersTypes`)
// ---------------------------------------------------------------------------

/** SCTP association parameters of a transport. */
export type SctpParameters = {
	/** SCTP port (always 5000). */
	port: number;
	/** Largest message DataConsumers can send (bytes). */
	maxSendMessageSize: number;
	/** Largest message DataProducers can receive (bytes). */
	maxReceiveMessageSize: number;
	/** SCTP send buffer size (bytes). */
	sendBufferSize: number;
	/** Per-stream send queue limit (bytes). */
	perStreamSendQueueLimit: number;
	/** Receiver window buffer size (bytes). */
	maxReceiverWindowBufferSize: number;
	/** Whether the association carries WebRTC DataChannels (DCEP). */
	isDataChannel: boolean;
	/** Initially requested number of outgoing streams. */
	OS: number;
	/** Maximum number of incoming streams. */
	MIS: number;
	/** Maximum message size, for SDP negotiation (bytes). */
	maxMessageSize: number;
};

/** Stream counts agreed with the remote SCTP endpoint. */
export type SctpNegotiatedCapabilities = {
	negotiatedMaxOutboundStreams: number;
	negotiatedMaxInboundStreams: number;
};

/** Parameters of one SCTP stream (a DataChannel). */
export type SctpStreamParameters = {
	/** SCTP stream id. */
	streamId: number;
	/** Whether messages are delivered in order. Default true. */
	ordered?: boolean;
	/** Partial reliability: give up after this many ms. */
	maxPacketLifeTime?: number;
	/** Partial reliability: give up after this many retransmissions. */
	maxRetransmits?: number;
};

// ---------------------------------------------------------------------------
// SRTP parameters (mediasoup `srtpParametersTypes`)
// ---------------------------------------------------------------------------

/** SRTP keying for PlainTransport and PipeTransport. */
export type SrtpParameters = {
	/** Crypto suite. */
	cryptoSuite: SrtpCryptoSuite;
	/** Master key and salt, base64-encoded. */
	keyBase64: string;
};

export type SrtpCryptoSuite =
	| 'AEAD_AES_256_GCM'
	| 'AEAD_AES_128_GCM'
	| 'AES_CM_128_HMAC_SHA1_80'
	| 'AES_CM_128_HMAC_SHA1_32';

// ---------------------------------------------------------------------------
// Scalability modes (mediasoup `scalabilityModesTypes`)
// ---------------------------------------------------------------------------

/** A parsed scalability mode such as 'L3T3_KEY'. */
export type ScalabilityMode = {
	spatialLayers: number;
	temporalLayers: number;
	ksvc: boolean;
};

export {};
