'use strict';

const { Logger } = require('./Logger');
const { TransportImpl } = require('./Transport');
const utils = require('./utils');

const logger = new Logger('PlainTransport');

/**
 * RTP over plain UDP (optionally SRTP), mediasoup's PlainTransportImpl.
 */
class PlainTransportImpl extends TransportImpl {
	#data;

	constructor(options) {
		super(options);
		logger.debug('constructor()');
		const { data } = options;
		this.#data = {
			rtcpMux: data.rtcpMux,
			comedia: data.comedia,
			tuple: data.tuple,
			rtcpTuple: data.rtcpTuple,
			sctpParameters: data.sctpParameters,
			sctpState: data.sctpState,
			srtpParameters: data.srtpParameters,
		};
	}

	get type() {
		return 'plain';
	}

	get tuple() {
		return utils.clone(this.#data.tuple);
	}

	get rtcpTuple() {
		return utils.clone(this.#data.rtcpTuple);
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

	get srtpParameters() {
		return utils.clone(this.#data.srtpParameters);
	}

	close() {
		if (this.closed) {
			return;
		}
		if (this.#data.sctpState) {
			this.#data.sctpState = 'closed';
		}
		super.close();
	}

	routerClosed() {
		if (this.closed) {
			return;
		}
		if (this.#data.sctpState) {
			this.#data.sctpState = 'closed';
		}
		super.routerClosed();
	}

	async connect({ ip, port, rtcpPort, srtpParameters } = {}) {
		logger.debug('connect()');
		const response = await this.connectRequest({ ip, port, rtcpPort, srtpParameters });
		if (response.tuple) {
			this.#data.tuple = response.tuple;
		}
		if (response.rtcpTuple) {
			this.#data.rtcpTuple = response.rtcpTuple;
		}
		if (response.srtpParameters) {
			this.#data.srtpParameters = response.srtpParameters;
		}
	}

	/** @private */
	get sctpData() {
		return this.#data;
	}

	/** @private */
	onNotification(event, data) {
		switch (event) {
			case 'plaintransport.tuple': {
				this.#data.tuple = data;
				this.safeEmit('tuple', utils.clone(data));
				this.observer.safeEmit('tuple', utils.clone(data));
				break;
			}
			case 'plaintransport.rtcptuple': {
				this.#data.rtcpTuple = data;
				this.safeEmit('rtcptuple', utils.clone(data));
				this.observer.safeEmit('rtcptuple', utils.clone(data));
				break;
			}
			default: {
				super.onNotification(event, data);
			}
		}
	}
}

module.exports = { PlainTransportImpl };
