'use strict';

const { ChannelObject } = require('./ChannelObject');
const { Logger } = require('./Logger');
const utils = require('./utils');

const logger = new Logger('DataConsumer');

/**
 * mediasoup's DataConsumerImpl: one DataProducer's messages leaving through
 * a transport.
 *
 * On a DirectTransport messages arrive as 'message' events; an 'sctp'
 * DataConsumer sends them on its SCTP stream, and its `send()` too.
 */
class DataConsumerImpl extends ChannelObject {
	#internal;
	#data;
	#paused;
	#dataProducerPaused;
	#subchannels;

	/** @private Use `transport.consumeData()`. */
	constructor({ internal, data, channel, paused, dataProducerPaused, subchannels, appData }) {
		super({ id: internal.dataConsumerId, channel, appData, logger });
		logger.debug('constructor()');
		this.#internal = internal;
		this.#data = data;
		this.#paused = paused;
		this.#dataProducerPaused = dataProducerPaused;
		this.#subchannels = subchannels;
	}

	get dataProducerId() {
		return this.#data.dataProducerId;
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

	get dataProducerPaused() {
		return this.#dataProducerPaused;
	}

	get subchannels() {
		return Array.from(this.#subchannels);
	}

	close() {
		this.closeThroughTransport('transport.closeDataConsumer', this.#internal.transportId, { dataConsumerId: this.id });
	}

	/** @private Called by the Transport when it closes. */
	transportClosed() {
		this.closeWithTransport();
	}

	async dump() {
		logger.debug('dump()');
		return this.request('dataConsumer.dump');
	}

	async getStats() {
		logger.debug('getStats()');
		return [await this.request('dataConsumer.getStats')];
	}

	async pause() {
		logger.debug('pause()');
		await this.request('dataConsumer.pause');
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused && !this.#dataProducerPaused) {
			this.observer.safeEmit('pause');
		}
	}

	async resume() {
		logger.debug('resume()');
		await this.request('dataConsumer.resume');
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused && !this.#dataProducerPaused) {
			this.observer.safeEmit('resume');
		}
	}

	async setBufferedAmountLowThreshold(threshold) {
		logger.debug(`setBufferedAmountLowThreshold() [threshold:${threshold}]`);
		await this.request('dataConsumer.setBufferedAmountLowThreshold', { threshold });
	}

	async getBufferedAmount() {
		logger.debug('getBufferedAmount()');
		const { bufferedAmount } = await this.request('dataConsumer.getBufferedAmount');
		return bufferedAmount;
	}

	/**
	 * Sends a message to the remote endpoint (SCTP DataConsumers only; on a
	 * DirectTransport it rejects with TypeError, as mediasoup's). Resolves
	 * with what did not leave at once (it waits for the SCTP association
	 * while that is not up).
	 */
	async send(message, ppid) {
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
		const { bufferedAmount } = await this.request('dataConsumer.send', {
			ppid,
			data: message.toString('base64'),
		});
		return bufferedAmount;
	}

	async setSubchannels(subchannels) {
		logger.debug('setSubchannels()');
		const response = await this.request('dataConsumer.setSubchannels', { subchannels });
		this.#subchannels = response.subchannels;
	}

	async addSubchannel(subchannel) {
		logger.debug('addSubchannel()');
		const response = await this.request('dataConsumer.addSubchannel', { subchannel });
		this.#subchannels = response.subchannels;
	}

	async removeSubchannel(subchannel) {
		logger.debug('removeSubchannel()');
		const response = await this.request('dataConsumer.removeSubchannel', { subchannel });
		this.#subchannels = response.subchannels;
	}

	/** @private */
	onNotification(event, data, payload) {
		switch (event) {
			case 'dataconsumer.dataproducerclose': {
				if (!this.markClosed()) {
					break;
				}
				this.emit('@dataproducerclose');
				this.safeEmit('dataproducerclose');
				this.observer.safeEmit('close');
				break;
			}
			case 'dataconsumer.dataproducerpause': {
				if (this.#dataProducerPaused) {
					break;
				}
				this.#dataProducerPaused = true;
				this.safeEmit('dataproducerpause');
				if (!this.#paused) {
					this.observer.safeEmit('pause');
				}
				break;
			}
			case 'dataconsumer.dataproducerresume': {
				if (!this.#dataProducerPaused) {
					break;
				}
				this.#dataProducerPaused = false;
				this.safeEmit('dataproducerresume');
				if (!this.#paused) {
					this.observer.safeEmit('resume');
				}
				break;
			}
			case 'dataconsumer.sctpsendbufferfull': {
				this.safeEmit('sctpsendbufferfull');
				break;
			}
			case 'dataconsumer.bufferedamountlow': {
				this.safeEmit('bufferedamountlow', data.bufferedAmount);
				break;
			}
			case 'dataconsumer.message': {
				if (this.closed) {
					break;
				}
				this.safeEmit('message', payload ?? Buffer.alloc(0), data.ppid);
				break;
			}
			default: {
				super.onNotification(event);
			}
		}
	}
}

module.exports = { DataConsumerImpl };
