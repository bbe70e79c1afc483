'use strict';

const { ChannelObject, checkTraceTypes } = require('./ChannelObject');
const { Logger } = require('./Logger');
const utils = require('./utils');

const logger = new Logger('Consumer');

/**
 * mediasoup's ConsumerImpl: one producer's media leaving through a
 * transport.
 */
class ConsumerImpl extends ChannelObject {
	#internal;
	#data;
	#paused;
	#producerPaused;
	#priority = 1;
	#score;
	#preferredLayers;
	#currentLayers;

	/** @private Use `transport.consume()`. */
	constructor({
		internal,
		data,
		channel,
		appData,
		paused,
		producerPaused,
		score = { score: 10, producerScore: 10, producerScores: [] },
		preferredLayers,
	}) {
		super({ id: internal.consumerId, channel, appData, logger });
		logger.debug('constructor()');
		this.#internal = internal;
		this.#data = data;
		this.#paused = paused;
		this.#producerPaused = producerPaused;
		this.#score = score;
		this.#preferredLayers = preferredLayers;
	}

	get producerId() {
		return this.#data.producerId;
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

	get paused() {
		return this.#paused;
	}

	get producerPaused() {
		return this.#producerPaused;
	}

	get priority() {
		return this.#priority;
	}

	get score() {
		return utils.clone(this.#score);
	}

	get preferredLayers() {
		return utils.clone(this.#preferredLayers);
	}

	get currentLayers() {
		return utils.clone(this.#currentLayers);
	}

	close() {
		this.closeThroughTransport('transport.closeConsumer', this.#internal.transportId, { consumerId: this.id });
	}

	/** @private Called by the Transport when it closes. */
	transportClosed() {
		this.closeWithTransport();
	}

	async dump() {
		logger.debug('dump()');
		return this.request('consumer.dump');
	}

	async getStats() {
		logger.debug('getStats()');
		return this.request('consumer.getStats');
	}

	async pause() {
		logger.debug('pause()');
		await this.request('consumer.pause');
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused && !this.#producerPaused) {
			this.observer.safeEmit('pause');
		}
	}

	async resume() {
		logger.debug('resume()');
		await this.request('consumer.resume');
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused && !this.#producerPaused) {
			this.observer.safeEmit('resume');
		}
	}

	async setPreferredLayers({ spatialLayer, temporalLayer } = {}) {
		logger.debug('setPreferredLayers()');
		if (typeof spatialLayer !== 'number') {
			throw new TypeError('spatialLayer must be a number');
		}
		if (temporalLayer != null && typeof temporalLayer !== 'number') {
			throw new TypeError('if given, temporalLayer must be a number');
		}
		const response = await this.request('consumer.setPreferredLayers', {
			spatialLayer,
			temporalLayer: temporalLayer ?? undefined,
		});
		this.#preferredLayers = response?.preferredLayers ?? undefined;
	}

	async setPriority(priority) {
		logger.debug('setPriority()');
		if (typeof priority !== 'number' || priority < 0) {
			throw new TypeError('priority must be a positive number');
		}
		// mediasoup's priority is 8 bits and 0 is rejected. (It wraps 300 to
		// 44, below what the app meant: ferrosoup rejects it instead.)
		const integer = Math.trunc(priority);
		if (!(integer >= 1 && integer <= 255)) {
			throw new TypeError('wrong priority (must be an integer from 1 to 255)');
		}
		const response = await this.request('consumer.setPriority', { priority: integer });
		this.#priority = response.priority;
	}

	async unsetPriority() {
		logger.debug('unsetPriority()');
		await this.setPriority(1);
	}

	async requestKeyFrame() {
		logger.debug('requestKeyFrame()');
		await this.request('consumer.requestKeyFrame');
	}

	async enableTraceEvent(types = []) {
		logger.debug('enableTraceEvent()');
		checkTraceTypes(types);
		await this.request('consumer.enableTraceEvent', { types });
	}

	/** @private */
	onNotification(event, data, bytes) {
		switch (event) {
			case 'consumer.producerclose': {
				if (!this.markClosed()) {
					break;
				}
				this.emit('@producerclose');
				this.safeEmit('producerclose');
				this.observer.safeEmit('close');
				break;
			}
			case 'consumer.producerpause': {
				if (this.#producerPaused) {
					break;
				}
				this.#producerPaused = true;
				this.safeEmit('producerpause');
				if (!this.#paused) {
					this.observer.safeEmit('pause');
				}
				break;
			}
			case 'consumer.producerresume': {
				if (!this.#producerPaused) {
					break;
				}
				this.#producerPaused = false;
				this.safeEmit('producerresume');
				if (!this.#paused) {
					this.observer.safeEmit('resume');
				}
				break;
			}
			case 'consumer.score': {
				this.#score = data;
				this.safeEmit('score', utils.clone(data));
				this.observer.safeEmit('score', utils.clone(data));
				break;
			}
			case 'consumer.layerschange': {
				this.#currentLayers = data ?? undefined;
				this.safeEmit('layerschange', utils.clone(this.#currentLayers));
				this.observer.safeEmit('layerschange', utils.clone(this.#currentLayers));
				break;
			}
			case 'consumer.trace': {
				this.safeEmit('trace', data);
				this.observer.safeEmit('trace', data);
				break;
			}
			case 'consumer.rtp': {
				if (this.closed) {
					break;
				}
				this.safeEmit('rtp', bytes);
				break;
			}
			default: {
				super.onNotification(event);
			}
		}
	}
}

module.exports = { ConsumerImpl };
