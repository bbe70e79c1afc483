'use strict';

const { ChannelObject } = require('./ChannelObject');
const { Logger } = require('./Logger');
const { NotFoundError } = require('./errors');

const logger = new Logger('RtpObserver');

/**
 * Base of AudioLevelObserver and ActiveSpeakerObserver (mediasoup's
 * RtpObserverImpl): pause/resume, the observed producers, close cascade.
 */
class RtpObserverImpl extends ChannelObject {
	#internal;
	#paused = false;
	#getProducerById;

	constructor({ internal, channel, appData, getProducerById }) {
		super({ id: internal.rtpObserverId, channel, appData, logger });
		this.#internal = internal;
		this.#getProducerById = getProducerById;
	}

	get paused() {
		return this.#paused;
	}

	/** @private */
	getProducerById(producerId) {
		return this.#getProducerById(producerId);
	}

	close() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('close()');
		this.channel
			.request('router.closeRtpObserver', this.#internal.routerId, { rtpObserverId: this.id })
			.catch(() => {});
		this.emit('@close');
		this.observer.safeEmit('close');
	}

	/** @private Called by the Router when it closes. */
	routerClosed() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('routerClosed()');
		this.safeEmit('routerclose');
		this.observer.safeEmit('close');
	}

	async pause() {
		logger.debug('pause()');
		await this.request('rtpObserver.pause');
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused) {
			this.observer.safeEmit('pause');
		}
	}

	async resume() {
		logger.debug('resume()');
		await this.request('rtpObserver.resume');
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused) {
			this.observer.safeEmit('resume');
		}
	}

	async addProducer({ producerId }) {
		logger.debug('addProducer()');
		const producer = this.#getProducerById(producerId);
		if (!producer) {
			throw new NotFoundError(`Producer with id "${producerId}" not found`);
		}
		await this.request('rtpObserver.addProducer', { producerId });
		this.observer.safeEmit('addproducer', producer);
	}

	async removeProducer({ producerId }) {
		logger.debug('removeProducer()');
		const producer = this.#getProducerById(producerId);
		if (!producer) {
			throw new NotFoundError(`Producer with id "${producerId}" not found`);
		}
		await this.request('rtpObserver.removeProducer', { producerId });
		this.observer.safeEmit('removeproducer', producer);
	}

}

module.exports = { RtpObserverImpl };
