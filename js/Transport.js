'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const { NotFoundError } = require('./errors');
const { ProducerImpl } = require('./Producer');
const { ConsumerImpl } = require('./Consumer');
const ortc = require('./ortc');
const utils = require('./utils');

const logger = new Logger('Transport');

/**
 * What every transport shares: producers, consumers, bitrate limits, trace
 * events, and the close cascade. Subclasses add their kind's getters,
 * `connect()` and notifications.
 */
class TransportImpl extends EnhancedEventEmitter {
	#internal;
	#channel;
	#closed = false;
	#appData;
	#getRouterRtpCapabilities;
	#getProducerById;
	#producers = new Map();
	#consumers = new Map();
	#cnameForProducers;
	#nextMidForConsumers = 0;
	#observer;

	constructor(
		{ internal, channel, appData, getRouterRtpCapabilities, getProducerById },
		observer
	) {
		super();
		this.#internal = internal;
		this.#channel = channel;
		this.#appData = appData ?? {};
		this.#getRouterRtpCapabilities = getRouterRtpCapabilities;
		this.#getProducerById = getProducerById;
		this.#observer = observer;
		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id() {
		return this.#internal.transportId;
	}

	get closed() {
		return this.#closed;
	}

	get appData() {
		return this.#appData;
	}

	set appData(appData) {
		this.#appData = appData;
	}

	get observer() {
		return this.#observer;
	}

	/** @private */
	get internal() {
		return this.#internal;
	}

	/** @private */
	get channel() {
		return this.#channel;
	}

	/** @private Just for testing purposes. */
	get channelForTesting() {
		return this.#channel;
	}

	close() {
		if (this.#closed) {
			return;
		}
		logger.debug('close()');
		this.#closed = true;
		this.#channel.removeAllListeners(this.#internal.transportId);
		this.#channel
			.request('router.closeTransport', this.#internal.routerId, {
				transportId: this.#internal.transportId,
			})
			.catch(() => {});
		this.#closeChildren();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private Called by the Router when it closes. */
	routerClosed() {
		if (this.#closed) {
			return;
		}
		logger.debug('routerClosed()');
		this.#closed = true;
		this.#channel.removeAllListeners(this.#internal.transportId);
		this.#closeChildren();
		this.safeEmit('routerclose');
		this.#observer.safeEmit('close');
	}

	/** @private Called by a WebRtcServer when it closes. */
	listenServerClosed() {
		if (this.#closed) {
			return;
		}
		logger.debug('listenServerClosed()');
		this.#closed = true;
		this.#channel.removeAllListeners(this.#internal.transportId);
		this.#closeChildren();
		this.emit('@listenserverclose');
		this.safeEmit('listenserverclose');
		this.#observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.#channel.request('transport.dump', this.#internal.transportId);
	}

	async getStats() {
		logger.debug('getStats()');
		return [await this.#channel.request('transport.getStats', this.#internal.transportId)];
	}

	/** @private Sends `connect` and returns the worker's response. */
	async connectRequest(data) {
		return this.#channel.request('transport.connect', this.#internal.transportId, data);
	}

	async setMaxIncomingBitrate(bitrate) {
		logger.debug(`setMaxIncomingBitrate() [bitrate:${bitrate}]`);
		await this.#channel.request('transport.setMaxIncomingBitrate', this.#internal.transportId, {
			bitrate,
		});
	}

	async setMaxOutgoingBitrate(bitrate) {
		logger.debug(`setMaxOutgoingBitrate() [bitrate:${bitrate}]`);
		await this.#channel.request('transport.setMaxOutgoingBitrate', this.#internal.transportId, {
			bitrate,
		});
	}

	async setMinOutgoingBitrate(bitrate) {
		logger.debug(`setMinOutgoingBitrate() [bitrate:${bitrate}]`);
		await this.#channel.request('transport.setMinOutgoingBitrate', this.#internal.transportId, {
			bitrate,
		});
	}

	async enableTraceEvent(types = []) {
		logger.debug('enableTraceEvent()');
		checkTraceTypes(types);
		await this.#channel.request('transport.enableTraceEvent', this.#internal.transportId, { types });
	}

	async produce({
		id = undefined,
		kind,
		rtpParameters,
		paused = false,
		keyFrameRequestDelay,
		enableMediasoupPacketIdHeaderExtension,
		appData,
	}) {
		logger.debug('produce()');
		if (id && this.#producers.has(id)) {
			throw new TypeError(`a Producer with same id "${id}" already exists`);
		} else if (!['audio', 'video'].includes(kind)) {
			throw new TypeError(`invalid kind "${kind}"`);
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		const params = utils.clone(rtpParameters);
		ortc.validateAndNormalizeRtpParameters(params);
		if (!Array.isArray(params.encodings) || params.encodings.length === 0) {
			params.encodings = [{}];
		}
		this.#setProducerCname(params);
		const routerCaps = this.#getRouterRtpCapabilities();
		const rtpMapping = ortc.getProducerRtpParametersMapping(params, routerCaps);
		const consumableRtpParameters = ortc.getConsumableRtpParameters(kind, params, routerCaps, rtpMapping);
		const producerId = id ?? utils.generateUUIDv4();
		const response = await this.#channel.request('transport.produce', this.#internal.transportId, {
			producerId,
			kind,
			rtpParameters: params,
			rtpMapping,
			paused,
			keyFrameRequestDelay,
			enableMediasoupPacketIdHeaderExtension,
		});
		const producer = new ProducerImpl({
			internal: { ...this.#internal, producerId },
			data: { kind, rtpParameters: params, type: response.type, consumableRtpParameters },
			channel: this.#channel,
			appData,
			paused,
		});
		this.#producers.set(producer.id, producer);
		producer.on('@close', () => {
			this.#producers.delete(producer.id);
			this.emit('@producerclose', producer);
		});
		this.emit('@newproducer', producer);
		this.#observer.safeEmit('newproducer', producer);
		return producer;
	}

	async consume({
		producerId,
		rtpCapabilities,
		paused = false,
		mid,
		preferredLayers,
		ignoreDtx = false,
		enableRtx,
		pipe = false,
		appData,
	}) {
		logger.debug('consume()');
		if (!producerId || typeof producerId !== 'string') {
			throw new TypeError('missing producerId');
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		} else if (mid && (typeof mid !== 'string' || mid.length === 0)) {
			throw new TypeError('if given, mid must be non empty string');
		}
		const caps = utils.clone(rtpCapabilities);
		ortc.validateAndNormalizeRtpCapabilities(caps);
		const producer = this.#getProducerById(producerId);
		if (!producer) {
			throw new NotFoundError(`Producer with id "${producerId}" not found`);
		}
		if (enableRtx === undefined) {
			enableRtx = producer.kind === 'video';
		}
		const rtpParameters = ortc.getConsumerRtpParameters({
			consumableRtpParameters: producer.consumableRtpParameters,
			remoteRtpCapabilities: caps,
			pipe,
			enableRtx,
		});
		if (!pipe) {
			if (mid) {
				rtpParameters.mid = mid;
			} else {
				rtpParameters.mid = `${this.#nextMidForConsumers++}`;
				// MIDs are sent in at most 8 bytes.
				if (this.#nextMidForConsumers === 100000000) {
					logger.error(`consume() | reaching max MID value "${this.#nextMidForConsumers}"`);
					this.#nextMidForConsumers = 0;
				}
			}
		}
		const consumerId = utils.generateUUIDv4();
		const type = pipe ? 'pipe' : producer.type;
		const response = await this.#channel.request('transport.consume', this.#internal.transportId, {
			consumerId,
			producerId,
			kind: producer.kind,
			rtpParameters,
			type,
			consumableRtpEncodings: producer.consumableRtpParameters.encodings,
			paused,
			preferredLayers,
			ignoreDtx: Boolean(ignoreDtx),
		});
		const consumer = new ConsumerImpl({
			internal: { ...this.#internal, consumerId },
			data: { producerId, kind: producer.kind, rtpParameters, type },
			channel: this.#channel,
			appData,
			paused: response.paused,
			producerPaused: response.producerPaused,
			score: response.score,
			preferredLayers: response.preferredLayers ?? undefined,
		});
		this.#consumers.set(consumer.id, consumer);
		consumer.on('@close', () => this.#consumers.delete(consumer.id));
		consumer.on('@producerclose', () => this.#consumers.delete(consumer.id));
		this.#observer.safeEmit('newconsumer', consumer);
		return consumer;
	}

	async produceData() {
		throw new Error('produceData() not supported yet by ferrosoup (data channels are not implemented)');
	}

	async consumeData() {
		throw new Error('consumeData() not supported yet by ferrosoup (data channels are not implemented)');
	}

	/** mediasoup gives every non-pipe producer of a transport one CNAME. */
	#setProducerCname(params) {
		if (this.type === 'pipe') {
			if (!params.rtcp?.cname) {
				params.rtcp = params.rtcp ?? {};
				params.rtcp.cname = utils.generateUUIDv4().substr(0, 8);
			}
			return;
		}
		if (!this.#cnameForProducers && params.rtcp?.cname) {
			this.#cnameForProducers = params.rtcp.cname;
		} else if (!this.#cnameForProducers) {
			this.#cnameForProducers = utils.generateUUIDv4().substr(0, 8);
		}
		params.rtcp = params.rtcp ?? {};
		params.rtcp.cname = this.#cnameForProducers;
	}

	#closeChildren() {
		for (const producer of this.#producers.values()) {
			producer.transportClosed();
			this.emit('@producerclose', producer);
		}
		this.#producers.clear();
		for (const consumer of this.#consumers.values()) {
			consumer.transportClosed();
		}
		this.#consumers.clear();
	}
}

function checkTraceTypes(types) {
	if (!Array.isArray(types)) {
		throw new TypeError('types must be an array');
	}
	if (types.find(type => typeof type !== 'string')) {
		throw new TypeError('every type must be a string');
	}
}

/**
 * mediasoup's listenIp (string or {ip, announcedIp}) as a listenInfo.
 */
function listenIpToListenInfo(listenIp, port) {
	const { ip, announcedIp } = typeof listenIp === 'string' ? { ip: listenIp } : listenIp;
	return { protocol: 'udp', ip, announcedAddress: announcedIp, port };
}

module.exports = { TransportImpl, checkTraceTypes, listenIpToListenInfo };
