'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const ortc = require('./ortc');
const utils = require('./utils');

const logger = new Logger('Router');

/**
 * A Router: mediasoup's RouterImpl. Its state lives in the worker thread;
 * this object keeps the JS-side maps mediasoup keeps.
 */
class RouterImpl extends EnhancedEventEmitter {
	#internal;
	#data;
	#channel;
	#closed = false;
	#appData;
	#transports = new Map();
	#producers = new Map();
	#rtpObservers = new Map();
	#dataProducers = new Map();
	#observer = new EnhancedEventEmitter();

	/** @private Use `worker.createRouter()`. */
	constructor({ internal, data, channel, appData }) {
		super();
		logger.debug('constructor()');
		this.#internal = internal;
		this.#data = data;
		this.#channel = channel;
		this.#appData = appData ?? {};
		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id() {
		return this.#internal.routerId;
	}

	get closed() {
		return this.#closed;
	}

	get rtpCapabilities() {
		return utils.clone(this.#data.rtpCapabilities);
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
	get transportsForTesting() {
		return this.#transports;
	}

	close() {
		if (this.#closed) {
			return;
		}
		logger.debug('close()');
		this.#closed = true;
		this.#channel
			.request('worker.closeRouter', '', { routerId: this.#internal.routerId })
			.catch(() => {});
		this.#closeChildren();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private Called by the Worker when it closes. */
	workerClosed() {
		if (this.#closed) {
			return;
		}
		logger.debug('workerClosed()');
		this.#closed = true;
		this.#closeChildren();
		this.safeEmit('workerclose');
		this.#observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.#channel.request('router.dump', this.#internal.routerId);
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
