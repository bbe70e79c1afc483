'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const utils = require('./utils');

const logger = new Logger('Producer');

/**
 * mediasoup's ProducerImpl: media entering the router.
 */
class ProducerImpl extends EnhancedEventEmitter {
	#internal;
	#data;
	#channel;
	#closed = false;
	#paused;
	#appData;
	#score = [];
	#observer = new EnhancedEventEmitter();

	/** @private Use `transport.produce()`. */
	constructor({ internal, data, channel, appData, paused }) {
		super();
		logger.debug('constructor()');
		this.#internal = internal;
		this.#data = data;
		this.#channel = channel;
		this.#paused = paused;
		this.#appData = appData ?? {};
		this.#channel.on(this.#internal.producerId, (event, payload) => this.#onNotification(event, payload));
		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id() {
		return this.#internal.producerId;
	}

	get closed() {
		return this.#closed;
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

	get consumableRtpParameters() {
		return utils.clone(this.#data.consumableRtpParameters);
	}

	get paused() {
		return this.#paused;
	}

	get score() {
		return utils.clone(this.#score);
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
		this.#channel.removeAllListeners(this.#internal.producerId);
		this.#channel
			.request('transport.closeProducer', this.#internal.transportId, {
				producerId: this.#internal.producerId,
			})
			.catch(() => {});
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private Called by the Transport when it closes. */
	transportClosed() {
		if (this.#closed) {
			return;
		}
		logger.debug('transportClosed()');
		this.#closed = true;
		this.#channel.removeAllListeners(this.#internal.producerId);
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.#channel.request('producer.dump', this.#internal.producerId);
	}

	async getStats() {
		logger.debug('getStats()');
		return this.#channel.request('producer.getStats', this.#internal.producerId);
	}

	async pause() {
		logger.debug('pause()');
		await this.#channel.request('producer.pause', this.#internal.producerId);
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused) {
			this.#observer.safeEmit('pause');
		}
	}

	async resume() {
		logger.debug('resume()');
		await this.#channel.request('producer.resume', this.#internal.producerId);
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused) {
			this.#observer.safeEmit('resume');
		}
	}

	async enableTraceEvent(types = []) {
		logger.debug('enableTraceEvent()');
		checkTypes(types);
		await this.#channel.request('producer.enableTraceEvent', this.#internal.producerId, { types });
	}

	/**
	 * Injects an RTP packet (DirectTransport producers only).
	 */
	send(rtpPacket) {
		if (!Buffer.isBuffer(rtpPacket)) {
			throw new TypeError('rtpPacket must be a Buffer');
		}
		this.#channel.notify('producer.send', this.#internal.producerId, undefined, rtpPacket);
	}

	#onNotification(event, data) {
		switch (event) {
			case 'producer.score': {
				this.#score = data;
				this.safeEmit('score', utils.clone(data));
				this.#observer.safeEmit('score', utils.clone(data));
				break;
			}
			case 'producer.videoorientationchange': {
				this.safeEmit('videoorientationchange', data);
				this.#observer.safeEmit('videoorientationchange', data);
				break;
			}
			case 'producer.trace': {
				this.safeEmit('trace', data);
				this.#observer.safeEmit('trace', data);
				break;
			}
			default: {
				logger.error(`ignoring unknown event "${event}"`);
			}
		}
	}
}

function checkTypes(types) {
	if (!Array.isArray(types)) {
		throw new TypeError('types must be an array');
	}
	if (types.find(type => typeof type !== 'string')) {
		throw new TypeError('every type must be a string');
	}
}

module.exports = { ProducerImpl, checkTypes };
