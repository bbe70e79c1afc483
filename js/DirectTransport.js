'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const { UnsupportedError } = require('./errors');
const { TransportImpl } = require('./Transport');

const logger = new Logger('DirectTransport');

/**
 * A transport without sockets: RTP and RTCP travel through the Node API
 * (mediasoup's DirectTransportImpl).
 */
class DirectTransportImpl extends TransportImpl {
	constructor(options) {
		super(options, new EnhancedEventEmitter());
		logger.debug('constructor()');
		this.channel.on(this.id, (event, data, payload) => this.#onNotification(event, data, payload));
	}

	get type() {
		return 'direct';
	}

	async connect() {
		logger.debug('connect()');
	}

	async setMaxIncomingBitrate() {
		throw new UnsupportedError('setMaxIncomingBitrate() not implemented in DirectTransport');
	}

	async setMaxOutgoingBitrate() {
		throw new UnsupportedError('setMaxOutgoingBitrate() not implemented in DirectTransport');
	}

	async setMinOutgoingBitrate() {
		throw new UnsupportedError('setMinOutgoingBitrate() not implemented in DirectTransport');
	}

	sendRtcp(rtcpPacket) {
		if (!Buffer.isBuffer(rtcpPacket)) {
			throw new TypeError('rtcpPacket must be a Buffer');
		}
		this.channel.notify('transport.sendRtcp', this.id, undefined, rtcpPacket);
	}

	#onNotification(event, data, payload) {
		switch (event) {
			case 'directtransport.rtcp': {
				if (this.closed) {
					break;
				}
				this.safeEmit('rtcp', payload);
				break;
			}
			case 'transport.trace': {
				this.safeEmit('trace', data);
				this.observer.safeEmit('trace', data);
				break;
			}
			default: {
				logger.error(`ignoring unknown event "${event}"`);
			}
		}
	}
}

module.exports = { DirectTransportImpl };
