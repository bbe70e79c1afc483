'use strict';

const { ChannelObject, checkTraceTypes } = require('./ChannelObject');
const { Logger } = require('./Logger');
const utils = require('./utils');

const logger = new Logger('Producer');

/**
 * mediasoup's ProducerImpl: media entering the router.
 */
const kConsumableRtpParameters = Symbol('consumableRtpParameters');

class ProducerImpl extends ChannelObject {
	#internal;
	#data;
	#paused;
	#score = [];

	/** @private Use `transport.produce()`. */
	constructor({ internal, data, channel, appData, paused }) {
		super({ id: internal.producerId, channel, appData, logger });
		logger.debug('constructor()');
		this.#internal = internal;
		this.#data = data;
		this.#paused = paused;
	}

	get kind() {
		return this.#data.kind;
	}

	get rtpParameters() {
		return utils.clone(this.#data.rtpParameters);
	}

	get type() {
		return this.#data.type;
	}

	/** @private The package's own copy (never mutated): no clone. */
	get [kConsumableRtpParameters]() {
		return this.#data.consumableRtpParameters;
	}

	get consumableRtpParameters() {
		return utils.clone(this.#data.consumableRtpParameters);
	}

	get paused() {
		return this.#paused;
	}

	get score() {
		return utils.clone(this.#score);
	}

	close() {
		this.closeThroughTransport('transport.closeProducer', this.#internal.transportId, { producerId: this.id });
	}

	/** @private Called by the Transport when it closes. */
	transportClosed() {
		this.closeWithTransport();
	}

	async dump() {
		logger.debug('dump()');
		return this.request('producer.dump');
	}

	async getStats() {
		logger.debug('getStats()');
		return this.request('producer.getStats');
	}

	async pause() {
		logger.debug('pause()');
		await this.request('producer.pause');
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused) {
			this.observer.safeEmit('pause');
		}
	}

	async resume() {
		logger.debug('resume()');
		await this.request('producer.resume');
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused) {
			this.observer.safeEmit('resume');
		}
	}

	async enableTraceEvent(types = []) {
		logger.debug('enableTraceEvent()');
		checkTraceTypes(types);
		await this.request('producer.enableTraceEvent', { types });
	}

	/**
	 * Injects an RTP packet (DirectTransport producers only).
	 */
	send(rtpPacket) {
		if (!Buffer.isBuffer(rtpPacket)) {
			throw new TypeError('rtpPacket must be a Buffer');
		}
		this.channel.notify('producer.send', this.id, undefined, rtpPacket);
	}

	/** @private */
	onNotification(event, data) {
		switch (event) {
			case 'producer.score': {
				this.#score = data;
				this.safeEmit('score', utils.clone(data));
				this.observer.safeEmit('score', utils.clone(data));
				break;
			}
			case 'producer.videoorientationchange': {
				this.safeEmit('videoorientationchange', data);
				this.observer.safeEmit('videoorientationchange', data);
				break;
			}
			case 'producer.trace': {
				this.safeEmit('trace', data);
				this.observer.safeEmit('trace', data);
				break;
			}
			default: {
				super.onNotification(event);
			}
		}
	}
}

module.exports = { ProducerImpl, kConsumableRtpParameters };
