'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const { checkTypes } = require('./Producer');
const utils = require('./utils');

const logger = new Logger('Consumer');

/**
 * mediasoup's ConsumerImpl: one producer's media leaving through a
 * transport.
 */
class ConsumerImpl extends EnhancedEventEmitter {
	#internal;
	#data;
	#channel;
	#closed = false;
	#appData;
	#paused;
	#producerPaused;
	#priority = 1;
	#score;
	#preferredLayers;
	#currentLayers;
	#observer = new EnhancedEventEmitter();

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
		super();
		logger.debug('constructor()');
		this.#internal = internal;
		this.#data = data;
		this.#channel = channel;
		this.#paused = paused;
		this.#producerPaused = producerPaused;
		this.#score = score;
		this.#preferredLayers = preferredLayers;
		this.#appData = appData ?? {};
		this.#channel.on(this.#internal.consumerId, (event, payload, bytes) =>
			this.#onNotification(event, payload, bytes)
		);
		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id() {
		return this.#internal.consumerId;
	}

	get producerId() {
		return this.#data.producerId;
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
		this.#channel.removeAllListeners(this.#internal.consumerId);
		this.#channel
			.request('transport.closeConsumer', this.#internal.transportId, {
				consumerId: this.#internal.consumerId,
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
		this.#channel.removeAllListeners(this.#internal.consumerId);
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.#channel.request('consumer.dump', this.#internal.consumerId);
	}

	async getStats() {
		logger.debug('getStats()');
		return this.#channel.request('consumer.getStats', this.#internal.consumerId);
	}

	async pause() {
		logger.debug('pause()');
		await this.#channel.request('consumer.pause', this.#internal.consumerId);
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused && !this.#producerPaused) {
			this.#observer.safeEmit('pause');
		}
	}

	async resume() {
		logger.debug('resume()');
		await this.#channel.request('consumer.resume', this.#internal.consumerId);
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused && !this.#producerPaused) {
			this.#observer.safeEmit('resume');
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
		const response = await this.#channel.request('consumer.setPreferredLayers', this.#internal.consumerId, {
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
		const response = await this.#channel.request('consumer.setPriority', this.#internal.consumerId, {
			priority,
		});
		this.#priority = response.priority;
	}

	async unsetPriority() {
		logger.debug('unsetPriority()');
		await this.setPriority(1);
	}

	async requestKeyFrame() {
		logger.debug('requestKeyFrame()');
		await this.#channel.request('consumer.requestKeyFrame', this.#internal.consumerId);
	}

	async enableTraceEvent(types = []) {
		logger.debug('enableTraceEvent()');
		checkTypes(types);
		await this.#channel.request('consumer.enableTraceEvent', this.#internal.consumerId, { types });
	}

	#onNotification(event, data, bytes) {
		switch (event) {
			case 'consumer.producerclose': {
				if (this.#closed) {
					break;
				}
				this.#closed = true;
				this.#channel.removeAllListeners(this.#internal.consumerId);
				this.emit('@producerclose');
				this.safeEmit('producerclose');
				this.#observer.safeEmit('close');
				break;
			}
			case 'consumer.producerpause': {
				if (this.#producerPaused) {
					break;
				}
				this.#producerPaused = true;
				this.safeEmit('producerpause');
				if (!this.#paused) {
					this.#observer.safeEmit('pause');
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
					this.#observer.safeEmit('resume');
				}
				break;
			}
			case 'consumer.score': {
				this.#score = data;
				this.safeEmit('score', utils.clone(data));
				this.#observer.safeEmit('score', utils.clone(data));
				break;
			}
			case 'consumer.layerschange': {
				this.#currentLayers = data ?? undefined;
				this.safeEmit('layerschange', utils.clone(this.#currentLayers));
				this.#observer.safeEmit('layerschange', utils.clone(this.#currentLayers));
				break;
			}
			case 'consumer.trace': {
				this.safeEmit('trace', data);
				this.#observer.safeEmit('trace', data);
				break;
			}
			case 'consumer.rtp': {
				if (this.#closed) {
					break;
				}
				this.safeEmit('rtp', bytes);
				break;
			}
			default: {
				logger.error(`ignoring unknown event "${event}"`);
			}
		}
	}
}

module.exports = { ConsumerImpl };
