'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const { NotFoundError } = require('./errors');

const logger = new Logger('RtpObserver');

/**
 * Base of AudioLevelObserver and ActiveSpeakerObserver (mediasoup's
 * RtpObserverImpl): pause/resume, the observed producers, close cascade.
 */
class RtpObserverImpl extends EnhancedEventEmitter {
	#internal;
	#channel;
	#closed = false;
	#paused = false;
	#appData;
	#getProducerById;
	#observer;

	constructor({ internal, channel, appData, getProducerById }, observer) {
		super();
		this.#internal = internal;
		this.#channel = channel;
		this.#appData = appData ?? {};
		this.#getProducerById = getProducerById;
		this.#observer = observer;
		this.#channel.on(this.#internal.rtpObserverId, (event, data) => this.onNotification(event, data));
		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id() {
		return this.#internal.rtpObserverId;
	}

	get closed() {
		return this.#closed;
	}

	get paused() {
		return this.#paused;
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
	getProducerById(producerId) {
		return this.#getProducerById(producerId);
	}

	close() {
		if (this.#closed) {
			return;
		}
		logger.debug('close()');
		this.#closed = true;
		this.#channel.removeAllListeners(this.#internal.rtpObserverId);
		this.#channel
			.request('router.closeRtpObserver', this.#internal.routerId, {
				rtpObserverId: this.#internal.rtpObserverId,
			})
			.catch(() => {});
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
		this.#channel.removeAllListeners(this.#internal.rtpObserverId);
		this.safeEmit('routerclose');
		this.#observer.safeEmit('close');
	}

	async pause() {
		logger.debug('pause()');
		await this.#channel.request('rtpObserver.pause', this.#internal.rtpObserverId);
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused) {
			this.#observer.safeEmit('pause');
		}
	}

	async resume() {
		logger.debug('resume()');
		await this.#channel.request('rtpObserver.resume', this.#internal.rtpObserverId);
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused) {
			this.#observer.safeEmit('resume');
		}
	}

	async addProducer({ producerId } = {}) {
		logger.debug('addProducer()');
		const producer = this.#getProducerById(producerId);
		if (!producer) {
			throw new NotFoundError(`Producer with id "${producerId}" not found`);
		}
		await this.#channel.request('rtpObserver.addProducer', this.#internal.rtpObserverId, { producerId });
		this.#observer.safeEmit('addproducer', producer);
	}

	async removeProducer({ producerId } = {}) {
		logger.debug('removeProducer()');
		const producer = this.#getProducerById(producerId);
		if (!producer) {
			throw new NotFoundError(`Producer with id "${producerId}" not found`);
		}
		await this.#channel.request('rtpObserver.removeProducer', this.#internal.rtpObserverId, {
			producerId,
		});
		this.#observer.safeEmit('removeproducer', producer);
	}

	/** @protected Subclasses handle their events. */
	onNotification(event) {
		logger.error(`ignoring unknown event "${event}"`);
	}
}

module.exports = { RtpObserverImpl };
