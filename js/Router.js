'use strict';

const { ChannelObject } = require('./ChannelObject');
const { Logger } = require('./Logger');
const { PlainTransportImpl } = require('./PlainTransport');
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

module.exports = { RouterImpl };
