'use strict';

const { ChannelObject, checkTraceTypes } = require('./ChannelObject');
const { Logger } = require('./Logger');
const { NotFoundError } = require('./errors');
const { ProducerImpl, kConsumableRtpParameters } = require('./Producer');
const { ConsumerImpl } = require('./Consumer');
const { DataProducerImpl } = require('./DataProducer');
const { DataConsumerImpl } = require('./DataConsumer');
const ortc = require('./ortc');
const utils = require('./utils');

const logger = new Logger('Transport');

/**
 * What every transport shares: producers, consumers, data producers and
 * consumers, bitrate limits, trace events, and the close cascade.
 * Subclasses add their kind's getters, `connect()` and notifications.
 *
 * Data channels: on SCTP transports (`enableSctp`) the worker runs the SCTP
 * association; on DirectTransports messages flow through Node.
 */
class TransportImpl extends ChannelObject {
	#internal;
	#getRouterRtpCapabilities;
	#getProducerById;
	#getDataProducerById;
	#producers = new Map();
	#consumers = new Map();
	#dataProducers = new Map();
	#dataConsumers = new Map();
	#cnameForProducers;
	#nextMidForConsumers = 0;
	// SCTP stream ids of this transport's DataConsumers (1 = taken).
	#sctpStreamIds;
	#nextSctpStreamId = 0;
	#sctpNegotiatedMaxOutboundStreams;

	constructor({ internal, channel, appData, getRouterRtpCapabilities, getProducerById, getDataProducerById }) {
		super({ id: internal.transportId, channel, appData, logger });
		this.#internal = internal;
		this.#getRouterRtpCapabilities = getRouterRtpCapabilities;
		this.#getProducerById = getProducerById;
		this.#getDataProducerById = getDataProducerById;
	}

	/** @private */
	get internal() {
		return this.#internal;
	}

	close() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('close()');
		this.channel
			.request('router.closeTransport', this.#internal.routerId, { transportId: this.id })
			.catch(() => {});
		this.#closeChildren();
		this.emit('@close');
		this.observer.safeEmit('close');
	}

	/** @private Called by the Router when it closes. */
	routerClosed() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('routerClosed()');
		this.#closeChildren();
		this.safeEmit('routerclose');
		this.observer.safeEmit('close');
	}

	/** @private Called by a WebRtcServer when it closes. */
	listenServerClosed() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('listenServerClosed()');
		this.#closeChildren();
		this.emit('@listenserverclose');
		this.safeEmit('listenserverclose');
		this.observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.request('transport.dump');
	}

	async getStats() {
		logger.debug('getStats()');
		return [await this.request('transport.getStats')];
	}

	/** @private Sends `connect` and returns the worker's response. */
	async connectRequest(data) {
		return this.request('transport.connect', data);
	}

	async setMaxIncomingBitrate(bitrate) {
		logger.debug(`setMaxIncomingBitrate() [bitrate:${bitrate}]`);
		await this.request('transport.setMaxIncomingBitrate', { bitrate: utils.bitrateField(bitrate) });
	}

	async setMaxOutgoingBitrate(bitrate) {
		logger.debug(`setMaxOutgoingBitrate() [bitrate:${bitrate}]`);
		await this.request('transport.setMaxOutgoingBitrate', { bitrate: utils.bitrateField(bitrate) });
	}

	async setMinOutgoingBitrate(bitrate) {
		logger.debug(`setMinOutgoingBitrate() [bitrate:${bitrate}]`);
		await this.request('transport.setMinOutgoingBitrate', { bitrate: utils.bitrateField(bitrate) });
	}

	async enableTraceEvent(types = []) {
		logger.debug('enableTraceEvent()');
		checkTraceTypes(types);
		await this.request('transport.enableTraceEvent', { types });
	}

	/**
	 * @private The object an SCTP-capable kind keeps its `sctpState` and
	 * `sctpNegotiatedCapabilities` in (none for DirectTransports).
	 */
	get sctpData() {
		return undefined;
	}

	/** @private Events all transport kinds share. */
	onNotification(event, data) {
		const sctp = this.sctpData;
		if (event === 'transport.trace') {
			this.safeEmit('trace', data);
			this.observer.safeEmit('trace', data);
		} else if (sctp && event === 'transport.sctpnegotiatedcapabilities') {
			sctp.sctpNegotiatedCapabilities = data;
			this.handleSctpNegotiatedCapabilities(data);
		} else if (sctp && event === 'transport.sctpstatechange') {
			sctp.sctpState = data.sctpState;
			this.safeEmit('sctpstatechange', data.sctpState);
			this.observer.safeEmit('sctpstatechange', data.sctpState);
		} else {
			super.onNotification(event);
		}
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
		// The router's own capabilities object: ortc only reads it.
		const routerCaps = this.#getRouterRtpCapabilities();
		const rtpMapping = ortc.getProducerRtpParametersMapping(params, routerCaps);
		const consumableRtpParameters = ortc.getConsumableRtpParameters(kind, params, routerCaps, rtpMapping);
		// mediasoup sends encodings' maxBitrate as a 64-bit BigInt: check the
		// given values (NaN does not survive validation's JSON round trip).
		for (const encoding of Array.isArray(rtpParameters.encodings) ? rtpParameters.encodings : []) {
			if (encoding?.maxBitrate !== undefined) {
				BigInt(encoding.maxBitrate);
			}
		}
		const producerId = id ?? utils.generateUUIDv4();
		const response = await this.request('transport.produce', {
			producerId,
			kind,
			rtpParameters: params,
			rtpMapping,
			// A boolean on the wire, as mediasoup's flatbuffers field is.
			paused: Boolean(paused),
			keyFrameRequestDelay,
			enableMediasoupPacketIdHeaderExtension,
		});
		const producer = new ProducerImpl({
			internal: { ...this.#internal, producerId },
			data: { kind, rtpParameters: params, type: response.type, consumableRtpParameters },
			channel: this.channel,
			appData,
			paused,
		});
		this.#producers.set(producer.id, producer);
		producer.on('@close', () => {
			this.#producers.delete(producer.id);
			this.emit('@producerclose', producer);
		});
		this.emit('@newproducer', producer);
		this.observer.safeEmit('newproducer', producer);
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
		// A PipeTransport's consumers forward every stream as is (mediasoup's
		// PipeTransport.consume(): no capabilities, RTX as the transport says).
		const pipeTransport = this.type === 'pipe';
		let remoteRtpCapabilities;
		if (!pipeTransport) {
			// Never touch the caller's object.
			remoteRtpCapabilities = utils.clone(rtpCapabilities);
			ortc.validateAndNormalizeRtpCapabilities(remoteRtpCapabilities);
		}
		const producer = this.#getProducerById(producerId);
		if (!producer) {
			throw new NotFoundError(`Producer with id "${producerId}" not found`);
		}
		if (enableRtx === undefined) {
			enableRtx = producer.kind === 'video';
		}
		const consumable = producer[kConsumableRtpParameters];
		const rtpParameters = pipeTransport
			? ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: consumable, enableRtx: this.pipeRtx })
			: ortc.getConsumerRtpParameters({
					consumableRtpParameters: consumable,
					remoteRtpCapabilities,
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
		const response = await this.request('transport.consume', {
			consumerId,
			producerId,
			kind: producer.kind,
			rtpParameters,
			type,
			consumableRtpEncodings: consumable.encodings,
			paused: Boolean(paused),
			preferredLayers,
			ignoreDtx: Boolean(ignoreDtx),
		});
		const consumer = new ConsumerImpl({
			internal: { ...this.#internal, consumerId },
			data: { producerId, kind: producer.kind, rtpParameters, type },
			channel: this.channel,
			appData,
			paused: response.paused,
			producerPaused: response.producerPaused,
			// mediasoup's PipeTransport does not read the worker's score.
			score: pipeTransport ? undefined : response.score,
			preferredLayers: response.preferredLayers ?? undefined,
		});
		this.#consumers.set(consumer.id, consumer);
		consumer.on('@close', () => this.#consumers.delete(consumer.id));
		consumer.on('@producerclose', () => this.#consumers.delete(consumer.id));
		this.observer.safeEmit('newconsumer', consumer);
		return consumer;
	}

	async produceData({ id = undefined, sctpStreamParameters, label = '', protocol = '', paused = false, appData } = {}) {
		logger.debug('produceData()');
		if (id && this.#dataProducers.has(id)) {
			throw new TypeError(`a DataProducer with same id "${id}" already exists`);
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		let type;
		let params = utils.clone(sctpStreamParameters);
		if (this.type !== 'direct') {
			type = 'sctp';
			ortc.validateAndNormalizeSctpStreamParameters(params);
		} else {
			type = 'direct';
			if (sctpStreamParameters) {
				logger.warn('produceData() | sctpStreamParameters are ignored when producing data on a DirectTransport');
				params = undefined;
			}
		}
		const dataProducerId = id ?? utils.generateUUIDv4();
		const dump = await this.request('transport.produceData', {
			dataProducerId,
			type,
			sctpStreamParameters: params,
			label,
			protocol,
			paused,
		});
		const dataProducer = new DataProducerImpl({
			internal: { ...this.#internal, dataProducerId },
			data: {
				type: dump.type,
				sctpStreamParameters: dump.sctpStreamParameters,
				label: dump.label,
				protocol: dump.protocol,
			},
			channel: this.channel,
			paused,
			appData,
		});
		this.#dataProducers.set(dataProducer.id, dataProducer);
		dataProducer.on('@close', () => {
			this.#dataProducers.delete(dataProducer.id);
			this.emit('@dataproducerclose', dataProducer);
		});
		this.emit('@newdataproducer', dataProducer);
		this.observer.safeEmit('newdataproducer', dataProducer);
		return dataProducer;
	}

	async consumeData({ dataProducerId, ordered, maxPacketLifeTime, maxRetransmits, paused = false, subchannels, appData }) {
		logger.debug('consumeData()');
		if (!dataProducerId || typeof dataProducerId !== 'string') {
			throw new TypeError('missing dataProducerId');
		} else if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		const dataProducer = this.#getDataProducerById(dataProducerId);
		if (!dataProducer) {
			throw new NotFoundError(`DataProducer with id "${dataProducerId}" not found`);
		}
		let type;
		let sctpStreamParameters;
		let sctpStreamId;
		if (this.type === 'direct') {
			type = 'direct';
			if (ordered !== undefined || maxPacketLifeTime !== undefined || maxRetransmits !== undefined) {
				logger.warn(
					'consumeData() | ordered, maxPacketLifeTime and maxRetransmits are ignored when consuming data on a DirectTransport'
				);
			}
		} else {
			// The DataProducer's parameters (or reliable ordered ones) on a
			// stream id of this transport, with the given overrides.
			type = 'sctp';
			sctpStreamId = this.#allocateSctpStreamId();
			sctpStreamParameters = dataProducer.sctpStreamParameters ?? { streamId: sctpStreamId, ordered: true };
			sctpStreamParameters.streamId = sctpStreamId;
			if (ordered !== undefined) {
				sctpStreamParameters.ordered = ordered;
				if (ordered) {
					sctpStreamParameters.maxPacketLifeTime = undefined;
					sctpStreamParameters.maxRetransmits = undefined;
				}
			}
			if (!ordered) {
				if (maxPacketLifeTime !== undefined) {
					sctpStreamParameters.ordered = false;
					sctpStreamParameters.maxPacketLifeTime = maxPacketLifeTime;
				}
				if (maxRetransmits !== undefined) {
					sctpStreamParameters.ordered = false;
					sctpStreamParameters.maxRetransmits = maxRetransmits;
				}
			}
		}
		const releaseStreamId = () => {
			if (this.#sctpStreamIds && sctpStreamId !== undefined) {
				this.#sctpStreamIds[sctpStreamId] = 0;
			}
		};
		const { label, protocol } = dataProducer;
		const dataConsumerId = utils.generateUUIDv4();
		let dump;
		try {
			dump = await this.request('transport.consumeData', {
				dataConsumerId,
				dataProducerId,
				type,
				sctpStreamParameters,
				label,
				protocol,
				paused,
				subchannels,
			});
		} catch (error) {
			releaseStreamId();
			throw error;
		}
		const dataConsumer = new DataConsumerImpl({
			internal: { ...this.#internal, dataConsumerId },
			data: {
				dataProducerId: dump.dataProducerId,
				type: dump.type,
				sctpStreamParameters: dump.sctpStreamParameters,
				label: dump.label,
				protocol: dump.protocol,
				bufferedAmountLowThreshold: dump.bufferedAmountLowThreshold,
			},
			channel: this.channel,
			paused: dump.paused,
			subchannels: dump.subchannels,
			dataProducerPaused: dump.dataProducerPaused,
			appData,
		});
		this.#dataConsumers.set(dataConsumer.id, dataConsumer);
		dataConsumer.on('@close', () => {
			this.#dataConsumers.delete(dataConsumer.id);
			releaseStreamId();
		});
		dataConsumer.on('@dataproducerclose', () => {
			this.#dataConsumers.delete(dataConsumer.id);
			releaseStreamId();
		});
		this.observer.safeEmit('newdataconsumer', dataConsumer);
		return dataConsumer;
	}

	/**
	 * @private The negotiated SCTP outbound streams bound the stream ids of
	 * new DataConsumers (called when the association reports them).
	 */
	handleSctpNegotiatedCapabilities(sctpNegotiatedCapabilities) {
		this.#sctpNegotiatedMaxOutboundStreams = sctpNegotiatedCapabilities.negotiatedMaxOutboundStreams;
	}

	/** The next free SCTP stream id of this transport (mediasoup's rule). */
	#allocateSctpStreamId() {
		if (!this.#sctpStreamIds) {
			// 65535 is the maximum number of streams of an SCTP association.
			this.#sctpStreamIds = Buffer.alloc(65535, 0);
		}
		if (
			this.#sctpNegotiatedMaxOutboundStreams !== undefined &&
			this.#nextSctpStreamId + 1 > this.#sctpNegotiatedMaxOutboundStreams
		) {
			logger.warn(
				'SCTP negotiated max outbound streams is higher than current next SCTP streamId + 1, resetting it to 0'
			);
			this.#nextSctpStreamId = 0;
		}
		for (let idx = 0; idx < this.#sctpStreamIds.length; ++idx) {
			const sctpStreamId = (this.#nextSctpStreamId + idx) % this.#sctpStreamIds.length;
			if (this.#sctpStreamIds[sctpStreamId] === 0) {
				this.#sctpStreamIds[sctpStreamId] = 1;
				this.#nextSctpStreamId = sctpStreamId + 1;
				return sctpStreamId;
			}
		}
		throw new Error('no sctpStreamId available');
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
		for (const dataProducer of this.#dataProducers.values()) {
			dataProducer.transportClosed();
			this.emit('@dataproducerclose', dataProducer);
		}
		this.#dataProducers.clear();
		for (const dataConsumer of this.#dataConsumers.values()) {
			dataConsumer.transportClosed();
		}
		this.#dataConsumers.clear();
	}
}

/**
 * mediasoup's listenIp (string or {ip, announcedIp}) as a listenInfo.
 */
function listenIpToListenInfo(listenIp, port) {
	const { ip, announcedIp } = typeof listenIp === 'string' ? { ip: listenIp } : listenIp;
	return { protocol: 'udp', ip, announcedAddress: announcedIp, port };
}

module.exports = { TransportImpl, listenIpToListenInfo };
