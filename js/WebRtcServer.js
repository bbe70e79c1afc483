'use strict';

const { ChannelObject } = require('./ChannelObject');
const { Logger } = require('./Logger');

const logger = new Logger('WebRtcServer');

/**
 * UDP/TCP ports shared by many WebRtcTransports (mediasoup's
 * WebRtcServerImpl).
 */
class WebRtcServerImpl extends ChannelObject {
	#webRtcTransports = new Map();

	/** @private Use `worker.createWebRtcServer()`. */
	constructor({ internal, channel, appData }) {
		super({ id: internal.webRtcServerId, channel, appData, logger });
		logger.debug('constructor()');
	}

	/** @private Just for testing purposes. */
	get webRtcTransportsForTesting() {
		return this.#webRtcTransports;
	}

	close() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('close()');
		this.channel
			.request('worker.closeWebRtcServer', '', { webRtcServerId: this.id })
			.catch(() => {});
		for (const webRtcTransport of this.#webRtcTransports.values()) {
			webRtcTransport.listenServerClosed();
			this.observer.safeEmit('webrtctransportunhandled', webRtcTransport);
		}
		this.#webRtcTransports.clear();
		this.emit('@close');
		this.observer.safeEmit('close');
	}

	/** @private Called by the Worker when it closes. */
	workerClosed() {
		if (!this.markClosed()) {
			return;
		}
		logger.debug('workerClosed()');
		this.#webRtcTransports.clear();
		this.safeEmit('workerclose');
		this.observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.request('webRtcServer.dump');
	}

	/** @private A transport created on this server. */
	handleWebRtcTransport(webRtcTransport) {
		this.#webRtcTransports.set(webRtcTransport.id, webRtcTransport);
		this.observer.safeEmit('webrtctransporthandled', webRtcTransport);
		webRtcTransport.on('@close', () => {
			this.#webRtcTransports.delete(webRtcTransport.id);
			this.observer.safeEmit('webrtctransportunhandled', webRtcTransport);
		});
	}
}

module.exports = { WebRtcServerImpl };
