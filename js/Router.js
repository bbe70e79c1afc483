'use strict';

const { ChannelObject } = require('./ChannelObject');
const { Logger } = require('./Logger');
const { PlainTransportImpl } = require('./PlainTransport');
const { PipeTransportImpl } = require('./PipeTransport');
const { NotFoundError } = require('./errors');
const { DirectTransportImpl } = require('./DirectTransport');
const { WebRtcTransportImpl } = require('./WebRtcTransport');
const { listenIpToListenInfo } = require('./Transport');
const { AudioLevelObserverImpl } = require('./AudioLevelObserver');
const { ActiveSpeakerObserverImpl } = require('./ActiveSpeakerObserver');
const ortc = require('./ortc');
const utils = require('./utils');

const logger = new Logger('Router');

/**
 * A Router: mediasoup's RouterImpl. Its state lives in the worker thread;
 * this object keeps the JS-side maps mediasoup keeps.
 */
class RouterImpl extends ChannelObject {
	#internal;
	#data;
	#transports = new Map();
	#producers = new Map();
	#rtpObservers = new Map();
	#dataProducers = new Map();
	// Other router's id -> promise of { [routerId]: PipeTransport } for both
	// ends: one pipe pair per router pair, however many pipeToRouter() calls
	// race for it.
	#pipeTransportPairs = new Map();

	/** @private Use `worker.createRouter()`. */
	constructor({ internal, data, channel, appData }) {
		super({ id: internal.routerId, channel, appData, logger });
		logger.debug('constructor()');
		this.#internal = internal;
		this.#data = data;
	}

	get rtpCapabilities() {
		return utils.clone(this.#data.rtpCapabilities);
	}

	/** @private Just for testing purposes. */
	get transportsForTesting() {
		return this.#transports;
	}

	close() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('close()');
		this.channel
			.request('worker.closeRouter', '', { routerId: this.#internal.routerId })
			.catch(() => {});
		this.#closeChildren();
		this.emit('@close');
		this.observer.safeEmit('close');
	}

	/** @private Called by the Worker when it closes. */
	workerClosed() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('workerClosed()');
		this.#closeChildren();
		this.safeEmit('workerclose');
		this.observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.request('router.dump');
	}

	async createPlainTransport({
		listenInfo,
		rtcpListenInfo,
		listenIp,
		port,
		rtcpMux = true,
		comedia = false,
		enableSctp = false,
		maxSendMessageSize = 262144,
		maxReceiveMessageSize = 262144,
		sctpSendBufferSize = 2000000,
		sctpPerStreamSendQueueLimit = 2000000,
		sctpMaxReceiverWindowBufferSize = 5242880,
		sctpDefaultStreamBufferedAmountLowThreshold = 1024,
		enableSrtp = false,
		srtpCryptoSuite = 'AES_CM_128_HMAC_SHA1_80',
		appData,
	}) {
		logger.debug('createPlainTransport()');
		if (!listenInfo && !listenIp) {
			throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
		} else if (listenInfo && listenIp) {
			throw new TypeError('only one of listenInfo and listenIp must be given');
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		if (rtcpMux && rtcpListenInfo) {
			logger.warn('createPlainTransport() | ignoring rtcpMux since rtcpListenInfo is given');
			rtcpMux = false;
		}
		if (listenIp) {
			listenInfo = listenIpToListenInfo(listenIp, port);
		}
		const transportId = utils.generateUUIDv4();
		const data = await this.channel.request('router.createPlainTransport', this.#internal.routerId, {
			transportId,
			options: {
				listenInfo,
				rtcpListenInfo,
				rtcpMux,
				comedia,
				enableSctp,
				maxSendMessageSize,
				maxReceiveMessageSize,
				sctpSendBufferSize,
				sctpPerStreamSendQueueLimit,
				sctpMaxReceiverWindowBufferSize,
				sctpDefaultStreamBufferedAmountLowThreshold,
				enableSrtp,
				srtpCryptoSuite,
			},
		});
		return this.#addTransport(PlainTransportImpl, transportId, data, appData);
	}

	async createPipeTransport({
		listenInfo,
		listenIp,
		port,
		enableSctp = false,
		maxSendMessageSize = 262144,
		maxReceiveMessageSize = 262144,
		sctpSendBufferSize = 2000000,
		sctpPerStreamSendQueueLimit = 2000000,
		sctpMaxReceiverWindowBufferSize = 5242880,
		sctpDefaultStreamBufferedAmountLowThreshold = 1024,
		enableRtx = false,
		enableSrtp = false,
		appData,
	} = {}) {
		logger.debug('createPipeTransport()');
		if (!listenInfo && !listenIp) {
			throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
		} else if (listenInfo && listenIp) {
			throw new TypeError('only one of listenInfo and listenIp must be given');
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		if (listenIp) {
			listenInfo = listenIpToListenInfo(listenIp, port);
		}
		const transportId = utils.generateUUIDv4();
		const data = await this.channel.request('router.createPipeTransport', this.#internal.routerId, {
			transportId,
			options: {
				listenInfo,
				enableSctp,
				maxSendMessageSize,
				maxReceiveMessageSize,
				sctpSendBufferSize,
				sctpPerStreamSendQueueLimit,
				sctpMaxReceiverWindowBufferSize,
				sctpDefaultStreamBufferedAmountLowThreshold,
				isDataChannel: false,
				enableRtx,
				enableSrtp,
			},
		});
		return this.#addTransport(PipeTransportImpl, transportId, data, appData);
	}

	/**
	 * Makes a producer (or data producer) of this router available in
	 * `router` (same worker, another worker, or through the same pipe
	 * transports another host), as mediasoup's pipeToRouter() does.
	 */
	async pipeToRouter({
		producerId,
		dataProducerId,
		router,
		keepId = true,
		listenInfo,
		listenIp,
		enableSctp = true,
		maxSendMessageSize = 262144,
		maxReceiveMessageSize = 262144,
		sctpSendBufferSize = 2000000,
		sctpPerStreamSendQueueLimit = 2000000,
		sctpMaxReceiverWindowBufferSize = 5242880,
		sctpDefaultStreamBufferedAmountLowThreshold = 1024,
		enableRtx = false,
		enableSrtp = false,
	} = {}) {
		logger.debug('pipeToRouter()');
		if (!listenInfo && !listenIp) {
			listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
		}
		if (listenInfo && listenIp) {
			throw new TypeError('only one of listenInfo and listenIp must be given');
		} else if (!producerId && !dataProducerId) {
			throw new TypeError('missing producerId or dataProducerId');
		} else if (producerId && dataProducerId) {
			throw new TypeError('just producerId or dataProducerId can be given');
		} else if (!router) {
			throw new TypeError('missing router');
		} else if (router === this) {
			throw new TypeError('cannot use this Router as destination');
		}
		if (listenIp) {
			const { ip, announcedIp } = typeof listenIp === 'string' ? { ip: listenIp } : listenIp;
			listenInfo = { protocol: 'udp', ip, announcedAddress: announcedIp };
		}
		const producer = producerId ? this.#producers.get(producerId) : undefined;
		const dataProducer = dataProducerId ? this.#dataProducers.get(dataProducerId) : undefined;
		if (producerId && !producer) {
			throw new NotFoundError('Producer not found');
		} else if (dataProducerId && !dataProducer) {
			throw new NotFoundError('DataProducer not found');
		}
		const options = {
			listenInfo,
			enableSctp,
			maxSendMessageSize,
			maxReceiveMessageSize,
			sctpSendBufferSize,
			sctpPerStreamSendQueueLimit,
			sctpMaxReceiverWindowBufferSize,
			sctpDefaultStreamBufferedAmountLowThreshold,
			enableRtx,
			enableSrtp,
		};
		const pair = await this.#pipeTransportPair(router, options);
		const localPipeTransport = pair[this.id];
		const remotePipeTransport = pair[router.id];
		if (producer) {
			return pipeProducer({ producer, keepId, localPipeTransport, remotePipeTransport });
		}
		return pipeDataProducer({ dataProducer, keepId, localPipeTransport, remotePipeTransport });
	}

	/** The pipe transport pair between this router and `router`, made once. */
	#pipeTransportPair(router, options) {
		const existing = this.#pipeTransportPairs.get(router.id);
		if (existing) {
			return existing;
		}
		const key = router.id;
		const promise = (async () => {
			let local;
			let remote;
			try {
				[local, remote] = await Promise.all([
					this.createPipeTransport(options),
					router.createPipeTransport(options),
				]);
				await Promise.all([
					local.connect({
						ip: remote.tuple.localAddress,
						port: remote.tuple.localPort,
						srtpParameters: remote.srtpParameters,
					}),
					remote.connect({
						ip: local.tuple.localAddress,
						port: local.tuple.localPort,
						srtpParameters: local.srtpParameters,
					}),
				]);
			} catch (error) {
				logger.error('pipeToRouter() | error creating PipeTransport pair:', error);
				local?.close();
				remote?.close();
				throw error instanceof Error ? error : new Error(String(error));
			}
			// Either end closing closes the other and forgets the pair.
			local.observer.on('close', () => {
				remote.close();
				this.#pipeTransportPairs.delete(key);
			});
			remote.observer.on('close', () => {
				local.close();
				this.#pipeTransportPairs.delete(key);
			});
			return { [this.id]: local, [router.id]: remote };
		})();
		this.#pipeTransportPairs.set(key, promise);
		promise.catch(() => this.#pipeTransportPairs.delete(key));
		router.addPipeTransportPair(this.id, promise);
		return promise;
	}

	/** @private The other end of a pipe pair made by `pipeToRouter()`. */
	addPipeTransportPair(key, promise) {
		if (this.#pipeTransportPairs.has(key)) {
			throw new Error('given pipeTransportPairKey already exists in this Router');
		}
		this.#pipeTransportPairs.set(key, promise);
		promise
			.then(pair => pair[this.id].observer.on('close', () => this.#pipeTransportPairs.delete(key)))
			.catch(() => this.#pipeTransportPairs.delete(key));
	}

	async createWebRtcTransport({
		webRtcServer,
		listenInfos,
		listenIps,
		port,
		enableUdp,
		enableTcp,
		preferUdp = false,
		preferTcp = false,
		initialAvailableOutgoingBitrate = 600000,
		enableSctp = false,
		maxSendMessageSize = 262144,
		maxReceiveMessageSize = 262144,
		sctpSendBufferSize = 2000000,
		sctpPerStreamSendQueueLimit = 2000000,
		sctpMaxReceiverWindowBufferSize = 5242880,
		sctpDefaultStreamBufferedAmountLowThreshold = 1024,
		iceConsentTimeout = 30,
		appData,
	} = {}) {
		logger.debug('createWebRtcTransport()');
		if (!webRtcServer && !Array.isArray(listenInfos) && !Array.isArray(listenIps)) {
			throw new TypeError('missing webRtcServer, listenInfos and listenIps (one of them is mandatory)');
		} else if (webRtcServer && listenInfos && listenIps) {
			throw new TypeError('only one of webRtcServer, listenInfos and listenIps must be given');
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		enableUdp ??= true;
		enableTcp ??= Boolean(webRtcServer);
		// mediasoup sends it as a 64-bit BigInt (this throws as it does there).
		const initialBitrate = utils.bitrateField(initialAvailableOutgoingBitrate, 'initialAvailableOutgoingBitrate');
		if (listenIps) {
			// Deprecated listenIps: one listen info per IP and enabled
			// protocol, the preferred protocol first (mediasoup's order).
			const protocols = [];
			if (enableUdp && (preferUdp || !enableTcp || !preferTcp)) {
				protocols.push('udp');
				if (enableTcp) {
					protocols.push('tcp');
				}
			} else if (enableTcp && ((preferTcp && !preferUdp) || !enableUdp)) {
				protocols.push('tcp');
				if (enableUdp) {
					protocols.push('udp');
				}
			}
			listenInfos = [];
			for (const listenIp of listenIps) {
				const { ip, announcedIp } = typeof listenIp === 'string' ? { ip: listenIp } : listenIp;
				for (const protocol of protocols) {
					listenInfos.push({ protocol, ip, announcedAddress: announcedIp, port });
				}
			}
		}
		const transportId = utils.generateUUIDv4();
		const options = {
			listenInfos: webRtcServer ? undefined : listenInfos,
			webRtcServerId: webRtcServer?.id,
			enableUdp,
			enableTcp,
			preferUdp,
			preferTcp,
			initialAvailableOutgoingBitrate: initialBitrate,
			enableSctp,
			maxSendMessageSize,
			maxReceiveMessageSize,
			sctpSendBufferSize,
			sctpPerStreamSendQueueLimit,
			sctpMaxReceiverWindowBufferSize,
			sctpDefaultStreamBufferedAmountLowThreshold,
			isDataChannel: true,
			iceConsentTimeout,
		};
		const data = await this.channel.request(
			webRtcServer ? 'router.createWebRtcTransportWithServer' : 'router.createWebRtcTransport',
			this.#internal.routerId,
			{ transportId, options }
		);
		const transport = this.#addTransport(WebRtcTransportImpl, transportId, data, appData);
		if (webRtcServer) {
			webRtcServer.handleWebRtcTransport(transport);
		}
		return transport;
	}

	async createDirectTransport({ maxSendMessageSize = 262144, maxReceiveMessageSize = 262144, appData } = {}) {
		logger.debug('createDirectTransport()');
		// mediasoup does not check these: it wraps -1 to 2^32-1 (no bound at
		// all) and reads NaN or a string as 0 (no message fits).
		if (typeof maxSendMessageSize !== 'number' || !(maxSendMessageSize >= 0)) {
			throw new TypeError('if given, maxSendMessageSize must be a positive number');
		} else if (typeof maxReceiveMessageSize !== 'number' || !(maxReceiveMessageSize >= 0)) {
			throw new TypeError('if given, maxReceiveMessageSize must be a positive number');
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		const transportId = utils.generateUUIDv4();
		const data = await this.channel.request('router.createDirectTransport', this.#internal.routerId, {
			transportId,
			options: { direct: true, maxSendMessageSize, maxReceiveMessageSize },
		});
		return this.#addTransport(DirectTransportImpl, transportId, data, appData);
	}

	async createActiveSpeakerObserver({ interval = 300, appData } = {}) {
		logger.debug('createActiveSpeakerObserver()');
		if (typeof interval !== 'number') {
			throw new TypeError('if given, interval must be an number');
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		return this.#addRtpObserver(ActiveSpeakerObserverImpl, 'router.createActiveSpeakerObserver', { interval }, appData);
	}

	async createAudioLevelObserver({ maxEntries = 1, threshold = -80, interval = 1000, appData } = {}) {
		logger.debug('createAudioLevelObserver()');
		if (typeof maxEntries !== 'number' || maxEntries <= 0) {
			throw new TypeError('if given, maxEntries must be a positive number');
		} else if (typeof threshold !== 'number' || threshold < -127 || threshold > 0) {
			throw new TypeError('if given, threshole must be a negative number greater than -127');
		} else if (typeof interval !== 'number') {
			throw new TypeError('if given, interval must be an number');
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		return this.#addRtpObserver(
			AudioLevelObserverImpl,
			'router.createAudioLevelObserver',
			{ maxEntries, threshold, interval },
			appData
		);
	}

	async #addRtpObserver(ObserverClass, method, options, appData) {
		const rtpObserverId = utils.generateUUIDv4();
		await this.channel.request(method, this.#internal.routerId, { rtpObserverId, options });
		const rtpObserver = new ObserverClass({
			internal: { ...this.#internal, rtpObserverId },
			channel: this.channel,
			appData,
			getProducerById: producerId => this.#producers.get(producerId),
		});
		this.#rtpObservers.set(rtpObserver.id, rtpObserver);
		rtpObserver.on('@close', () => this.#rtpObservers.delete(rtpObserver.id));
		this.observer.safeEmit('newrtpobserver', rtpObserver);
		return rtpObserver;
	}

	#addTransport(TransportClass, transportId, data, appData) {
		const transport = new TransportClass({
			internal: { ...this.#internal, transportId },
			data,
			channel: this.channel,
			appData,
			getRouterRtpCapabilities: () => this.#data.rtpCapabilities,
			getProducerById: producerId => this.#producers.get(producerId),
			getDataProducerById: dataProducerId => this.#dataProducers.get(dataProducerId),
		});
		this.#transports.set(transport.id, transport);
		transport.on('@close', () => this.#transports.delete(transport.id));
		transport.on('@listenserverclose', () => this.#transports.delete(transport.id));
		transport.on('@newproducer', producer => this.#producers.set(producer.id, producer));
		transport.on('@producerclose', producer => this.#producers.delete(producer.id));
		transport.on('@newdataproducer', dataProducer => this.#dataProducers.set(dataProducer.id, dataProducer));
		transport.on('@dataproducerclose', dataProducer => this.#dataProducers.delete(dataProducer.id));
		this.observer.safeEmit('newtransport', transport);
		return transport;
	}

	canConsume({ producerId, rtpCapabilities }) {
		const producer = this.#producers.get(producerId);
		if (!producer) {
			logger.error(`canConsume() | Producer with id "${producerId}" not found`);
			return false;
		}
		try {
			return ortc.canConsume(producer.consumableRtpParameters, utils.clone(rtpCapabilities));
		} catch (error) {
			logger.error(`canConsume() | unexpected error: ${error}`);
			return false;
		}
	}

	updateMediaCodecs(mediaCodecs) {
		logger.debug('updateMediaCodecs()');
		// This may throw; the current capabilities stay if it does.
		this.#data.rtpCapabilities = ortc.generateRouterRtpCapabilities(utils.clone(mediaCodecs));
	}

	#closeChildren() {
		for (const transport of this.#transports.values()) {
			transport.routerClosed();
		}
		this.#transports.clear();
		this.#producers.clear();
		for (const rtpObserver of this.#rtpObservers.values()) {
			rtpObserver.routerClosed();
		}
		this.#rtpObservers.clear();
		this.#dataProducers.clear();
	}
}

/** Consumes `producer` on the local pipe and produces it on the remote one. */
async function pipeProducer({ producer, keepId, localPipeTransport, remotePipeTransport }) {
	let pipeConsumer;
	let pipeProducer;
	try {
		pipeConsumer = await localPipeTransport.consume({ producerId: producer.id });
		pipeProducer = await remotePipeTransport.produce({
			id: keepId ? producer.id : utils.generateUUIDv4(),
			kind: pipeConsumer.kind,
			rtpParameters: pipeConsumer.rtpParameters,
			paused: pipeConsumer.producerPaused,
			appData: producer.appData,
		});
		if (producer.closed) {
			throw new NotFoundError('original Producer closed');
		}
		// The producer may have been paused or resumed meanwhile.
		if (pipeProducer.paused !== producer.paused) {
			await (producer.paused ? pipeProducer.pause() : pipeProducer.resume());
		}
		pipeConsumer.observer.on('close', () => pipeProducer.close());
		pipeConsumer.observer.on('pause', () => void pipeProducer.pause().catch(() => {}));
		pipeConsumer.observer.on('resume', () => void pipeProducer.resume().catch(() => {}));
		pipeProducer.observer.on('close', () => pipeConsumer.close());
		return { pipeConsumer, pipeProducer };
	} catch (error) {
		logger.error('pipeToRouter() | error creating pipe Consumer/Producer pair:', error);
		pipeConsumer?.close();
		pipeProducer?.close();
		throw error;
	}
}

/** The same for a DataProducer (SCTP streams on the pipe transports). */
async function pipeDataProducer({ dataProducer, keepId, localPipeTransport, remotePipeTransport }) {
	let pipeDataConsumer;
	let pipeDataProducer;
	try {
		pipeDataConsumer = await localPipeTransport.consumeData({ dataProducerId: dataProducer.id });
		pipeDataProducer = await remotePipeTransport.produceData({
			id: keepId ? dataProducer.id : utils.generateUUIDv4(),
			sctpStreamParameters: pipeDataConsumer.sctpStreamParameters,
			label: pipeDataConsumer.label,
			protocol: pipeDataConsumer.protocol,
			appData: dataProducer.appData,
		});
		if (dataProducer.closed) {
			throw new NotFoundError('original DataProducer closed');
		}
		pipeDataConsumer.observer.on('close', () => pipeDataProducer.close());
		pipeDataProducer.observer.on('close', () => pipeDataConsumer.close());
		return { pipeDataConsumer, pipeDataProducer };
	} catch (error) {
		logger.error('pipeToRouter() | error creating pipe DataConsumer/DataProducer pair:', error);
		pipeDataConsumer?.close();
		pipeDataProducer?.close();
		throw error;
	}
}

module.exports = { RouterImpl };
