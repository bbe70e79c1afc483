'use strict';

const { Logger } = require('./Logger');
const { TransportImpl } = require('./Transport');
const utils = require('./utils');

const logger = new Logger('PipeTransport');

/**
 * RTP between two routers (on one worker, two workers or two hosts):
 * mediasoup's PipeTransportImpl. Its consumers are pipe consumers, which
 * forward every stream of their producer unchanged.
 */
class PipeTransportImpl extends TransportImpl {
	#data;

	constructor(options) {
		super(options);
		logger.debug('constructor()');
		const { data } = options;
		this.#data = {
			tuple: data.tuple,
			sctpParameters: data.sctpParameters,
			sctpState: data.sctpState,
			rtx: data.rtx,
			srtpParameters: data.srtpParameters,
		};
	}

	get type() {
		return 'pipe';
	}

	get tuple() {
		return utils.clone(this.#data.tuple);
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

	/** @private Whether its pipe consumers send RTX. */
	get pipeRtx() {
		return Boolean(this.#data.rtx);
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

	async connect({ ip, port, srtpParameters } = {}) {
		logger.debug('connect()');
		const response = await this.connectRequest({ ip, port, srtpParameters });
		if (response.tuple) {
			this.#data.tuple = response.tuple;
		}
	}

	/** @private */
	get sctpData() {
		return this.#data;
	}

	/** Pipe consumers take only `producerId` and `appData`. */
	async consume({ producerId, appData } = {}) {
		return super.consume({ producerId, appData, pipe: true });
	}
}

module.exports = { PipeTransportImpl };
