'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');

const logger = new Logger('WebRtcServer');

/**
 * UDP/TCP ports shared by many WebRtcTransports (mediasoup's
 * WebRtcServerImpl).
 */
class WebRtcServerImpl extends EnhancedEventEmitter {
	#internal;
	#channel;
	#closed = false;
	#appData;
	#webRtcTransports = new Map();
	#observer = new EnhancedEventEmitter();

	/** @private Use `worker.createWebRtcServer()`. */
	constructor({ internal, channel, appData }) {
		super();
		logger.debug('constructor()');
		this.#internal = internal;
		this.#channel = channel;
		this.#appData = appData ?? {};
		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id() {
		return this.#internal.webRtcServerId;
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

	/** @private Just for testing purposes. */
	get webRtcTransportsForTesting() {
		return this.#webRtcTransports;
	}

	close() {
		if (this.#closed) {
			return;
		}
		logger.debug('close()');
		this.#closed = true;
		this.#channel
			.request('worker.closeWebRtcServer', '', { webRtcServerId: this.id })
			.catch(() => {});
		for (const webRtcTransport of this.#webRtcTransports.values()) {
			webRtcTransport.listenServerClosed();
			this.#observer.safeEmit('webrtctransportunhandled', webRtcTransport);
		}
		this.#webRtcTransports.clear();
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
		this.#webRtcTransports.clear();
		this.safeEmit('workerclose');
		this.#observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.#channel.request('webRtcServer.dump', this.id);
	}

	/** @private A transport created on this server. */
	handleWebRtcTransport(webRtcTransport) {
		this.#webRtcTransports.set(webRtcTransport.id, webRtcTransport);
		this.#observer.safeEmit('webrtctransporthandled', webRtcTransport);
		webRtcTransport.on('@close', () => {
			this.#webRtcTransports.delete(webRtcTransport.id);
			this.#observer.safeEmit('webrtctransportunhandled', webRtcTransport);
		});
	}
}

module.exports = { WebRtcServerImpl };
