'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');

/**
 * What every worker-side object's JS handle shares: its id, the channel to
 * its worker, `closed`, `appData`, `observer`, logging of throwing
 * listeners, and the notifications the worker sends to its id.
 */
class ChannelObject extends EnhancedEventEmitter {
	#id;
	#channel;
	#closed = false;
	#appData;
	#observer;
	#logger;

	constructor({ id, channel, appData, logger, observer = new EnhancedEventEmitter() }) {
		super();
		this.#id = id;
		this.#channel = channel;
		this.#appData = appData ?? {};
		this.#observer = observer;
		this.#logger = logger;
		channel.on(id, (event, data, payload) => this.onNotification(event, data, payload));
		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id() {
		return this.#id;
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
	get channel() {
		return this.#channel;
	}

	/** @private Just for testing purposes. */
	get channelForTesting() {
		return this.#channel;
	}

	/**
	 * @protected Marks the object closed and stops its notifications.
	 * Returns false if it already was closed.
	 */
	markClosed() {
		if (this.#closed) {
			return false;
		}
		this.#closed = true;
		this.#channel.removeAllListeners(this.#id);
		return true;
	}

	/**
	 * @protected The app closes an object its transport owns: tell the
	 * transport's worker side, then `@close` and the observer's `close`.
	 */
	closeThroughTransport(method, transportId, data) {
		if (!this.markClosed()) {
			return;
		}
		this.#logger.debug('close()');
		this.#channel.request(method, transportId, data).catch(() => {});
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @protected The owning transport closed: `transportclose`, then the observer's `close`. */
	closeWithTransport() {
		if (!this.markClosed()) {
			return;
		}
		this.#logger.debug('transportClosed()');
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	/** @protected A request addressed to this object. */
	request(method, data) {
		return this.#channel.request(method, this.#id, data);
	}

	/** @protected Subclasses handle the events the worker sends them. */
	onNotification(event) {
		this.#logger.error(`ignoring unknown event "${event}"`);
	}
}

/**
 * `types` argument of `enableTraceEvent()`: an array of strings.
 */
function checkTraceTypes(types) {
	if (!Array.isArray(types)) {
		throw new TypeError('types must be an array');
	}
	if (types.find(type => typeof type !== 'string')) {
		throw new TypeError('every type must be a string');
	}
}

module.exports = { ChannelObject, checkTraceTypes };
