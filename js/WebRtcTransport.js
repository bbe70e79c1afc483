'use strict';

const { Logger } = require('./Logger');
const { TransportImpl } = require('./Transport');
const utils = require('./utils');

const logger = new Logger('WebRtcTransport');

/**
 * ICE-lite + DTLS + SRTP transport for browsers (mediasoup's
 * WebRtcTransportImpl).
 */
class WebRtcTransportImpl extends TransportImpl {
	#data;

	constructor(options) {
		super(options);
		logger.debug('constructor()');
		const { data } = options;
		this.#data = {
			iceRole: data.iceRole,
			iceParameters: data.iceParameters,
			iceCandidates: data.iceCandidates,
			iceState: data.iceState,
			iceSelectedTuple: data.iceSelectedTuple,
			dtlsParameters: data.dtlsParameters,
			dtlsState: data.dtlsState,
			dtlsRemoteCert: data.dtlsRemoteCert,
			sctpParameters: data.sctpParameters,
			sctpState: data.sctpState,
		};
	}

	get type() {
		return 'webrtc';
	}

	get iceRole() {
		return this.#data.iceRole;
	}

	get iceParameters() {
		return utils.clone(this.#data.iceParameters);
	}

	get iceCandidates() {
		return utils.clone(this.#data.iceCandidates);
	}

	get iceState() {
		return this.#data.iceState;
	}

	get iceSelectedTuple() {
		return utils.clone(this.#data.iceSelectedTuple);
	}

	get dtlsParameters() {
		return utils.clone(this.#data.dtlsParameters);
	}

	get dtlsState() {
		return this.#data.dtlsState;
	}

	get dtlsRemoteCert() {
		return this.#data.dtlsRemoteCert;
	}

	get sctpParameters() {
		return utils.clone(this.#data.sctpParameters);
	}

	get sctpState() {
		return this.#data.sctpState;
	}

	get sctpNegotiatedCapabilities() {
		return utils.clone(this.#data.sctpNegotiatedCapabilities);
	}

	#markClosed() {
		this.#data.iceState = 'closed';
		this.#data.iceSelectedTuple = undefined;
		this.#data.dtlsState = 'closed';
		if (this.#data.sctpState) {
			this.#data.sctpState = 'closed';
		}
	}

	close() {
		if (this.closed) {
			return;
		}
		this.#markClosed();
		super.close();
	}

	routerClosed() {
		if (this.closed) {
			return;
		}
		this.#markClosed();
		super.routerClosed();
	}

	listenServerClosed() {
		if (this.closed) {
			return;
		}
		this.#markClosed();
		super.listenServerClosed();
	}

	async connect({ dtlsParameters } = {}) {
		logger.debug('connect()');
		// mediasoup fails while encoding a missing dtlsParameters: TypeError.
		if (!dtlsParameters || !Array.isArray(dtlsParameters.fingerprints)) {
			throw new TypeError('missing dtlsParameters.fingerprints');
		} else if (dtlsParameters.role !== undefined && !['auto', 'client', 'server'].includes(dtlsParameters.role)) {
			throw new TypeError(`invalid DtlsRole: ${dtlsParameters.role}`);
		}
		const response = await this.connectRequest({ dtlsParameters });
		this.#data.dtlsParameters.role = response.dtlsLocalRole;
	}

	async restartIce() {
		logger.debug('restartIce()');
		const iceParameters = await this.channel.request('transport.restartIce', this.id);
		this.#data.iceParameters = iceParameters;
		return utils.clone(iceParameters);
	}

	/** @private */
	get sctpData() {
		return this.#data;
	}

	/** @private */
	onNotification(event, data) {
		switch (event) {
			case 'webrtctransport.icestatechange': {
				this.#data.iceState = data.iceState;
				this.safeEmit('icestatechange', data.iceState);
				this.observer.safeEmit('icestatechange', data.iceState);
				break;
			}
			case 'webrtctransport.iceselectedtuplechange': {
				this.#data.iceSelectedTuple = data;
				this.safeEmit('iceselectedtuplechange', utils.clone(data));
				this.observer.safeEmit('iceselectedtuplechange', utils.clone(data));
				break;
			}
			case 'webrtctransport.dtlsstatechange': {
				this.#data.dtlsState = data.dtlsState;
				if (data.dtlsState === 'connected') {
					this.#data.dtlsRemoteCert = data.dtlsRemoteCert;
				}
				this.safeEmit('dtlsstatechange', data.dtlsState);
				this.observer.safeEmit('dtlsstatechange', data.dtlsState);
				break;
			}
			default: {
				super.onNotification(event, data);
			}
		}
	}
}

module.exports = { WebRtcTransportImpl };
