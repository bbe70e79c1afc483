// Type declarations for `ferrosoup/types` and the type-only `types` namespace
// of the main module. Names and shapes are those of mediasoup 3.27.1's
// `mediasoup/types`, so code typed against mediasoup keeps compiling.
//
// Covered so far: the top-level module, Worker, Router, RTP/SCTP/SRTP
// parameter types, scalability modes and errors. WebRtcServer, transports,
// producers, consumers, data producers/consumers and RTP observers (and the
// methods that create them) are added together with their implementation.

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
	// TODO: becomes `[WebRtcServer]` once WebRtcServer is declared.
	newwebrtcserver: [PendingWebRtcServer];
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
	/** Creates a Router. */
	createRouter<RouterAppData extends AppData = AppData>(
		options?: RouterOptions<RouterAppData>
	): Promise<Router<RouterAppData>>;
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
	// TODO: become `[Transport]` and `[RtpObserver]` once those are declared.
	newtransport: [PendingTransport];
	newrtpobserver: [PendingRtpObserver];
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

// ---------------------------------------------------------------------------
// Placeholders (not exported) for entities that are declared in later work.
// Each carries the surface every mediasoup entity shares.
// ---------------------------------------------------------------------------

interface PendingEntity extends EnhancedEventEmitter<any> {
	get id(): string;
	get closed(): boolean;
	get appData(): AppData;
	set appData(appData: AppData);
	get observer(): EnhancedEventEmitter<any>;
	close(): void;
	dump(): Promise<any>;
}

interface PendingWebRtcServer extends PendingEntity {}

interface PendingTransport extends PendingEntity {
	get type(): 'webrtc' | 'plain' | 'pipe' | 'direct';
}

interface PendingRtpObserver extends PendingEntity {
	get type(): 'activespeaker' | 'audiolevel';
	get paused(): boolean;
}

export {};
