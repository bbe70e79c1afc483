'use strict';

const { ChannelObject } = require('./ChannelObject');
const { Logger } = require('./Logger');
const utils = require('./utils');

const logger = new Logger('DataProducer');

/**
 * mediasoup's DataProducerImpl: data messages entering the router.
 *
 * An 'sctp' DataProducer receives its peer's messages on its SCTP stream;
 * `send()` injects messages from Node. Both reach every DataConsumer of it
 * (over SCTP, or as 'message' events on DirectTransports).
 */
class DataProducerImpl extends ChannelObject {
	#internal;
	#data;
	#paused;

	/** @private Use `transport.produceData()`. */
	constructor({ internal, data, channel, paused, appData }) {
		super({ id: internal.dataProducerId, channel, appData, logger });
		logger.debug('constructor()');
		this.#internal = internal;
		this.#data = data;
		this.#paused = paused;
	}

	get type() {
		return this.#data.type;
	}

	get sctpStreamParameters() {
		return utils.clone(this.#data.sctpStreamParameters);
	}

	get label() {
		return this.#data.label;
	}

	get protocol() {
		return this.#data.protocol;
	}

	get paused() {
		return this.#paused;
	}

	close() {
		this.closeThroughTransport('transport.closeDataProducer', this.#internal.transportId, { dataProducerId: this.id });
	}

	/** @private Called by the Transport when it closes. */
	transportClosed() {
		this.closeWithTransport();
	}

	async dump() {
		logger.debug('dump()');
		return this.request('dataProducer.dump');
	}

	async getStats() {
		logger.debug('getStats()');
		return [await this.request('dataProducer.getStats')];
	}

	async pause() {
		logger.debug('pause()');
		await this.request('dataProducer.pause');
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused) {
			this.observer.safeEmit('pause');
		}
	}

	async resume() {
		logger.debug('resume()');
		await this.request('dataProducer.resume');
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused) {
			this.observer.safeEmit('resume');
		}
	}

	/**
	 * Sends a message from Node (meant for DataProducers of DirectTransports).
	 * The PPID defaults to WebRTC string (51), empty string (56), binary (53)
	 * or empty binary (57); empty messages travel as one byte, as in WebRTC.
	 */
	send(message, ppid, subchannels, requiredSubchannel, ignoredSubchannel) {
		if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
			throw new TypeError('message must be a string or a Buffer');
		}
		if (typeof ppid !== 'number') {
			if (typeof message === 'string') {
				ppid = message.length > 0 ? 51 : 56;
			} else {
				ppid = message.length > 0 ? 53 : 57;
			}
		}
		if (ppid === 56) {
			message = ' ';
		} else if (ppid === 57) {
			message = Buffer.alloc(1);
		}
		if (typeof message === 'string') {
			message = Buffer.from(message);
		}
		this.channel.notify(
			'dataProducer.send',
			this.id,
			{
				ppid,
				subchannels: subchannels ?? [],
				requiredSubchannel: requiredSubchannel ?? undefined,
				ignoredSubchannel: ignoredSubchannel ?? undefined,
			},
			message
		);
	}
}

module.exports = { DataProducerImpl };
