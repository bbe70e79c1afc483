'use strict';

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
		super(options);
		logger.debug('constructor()');
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

	/** @private */
	onNotification(event, data, payload) {
		switch (event) {
			case 'directtransport.rtcp': {
				if (this.closed) {
					break;
				}
				this.safeEmit('rtcp', payload);
				break;
			}
			default: {
				super.onNotification(event, data);
			}
		}
	}
}

module.exports = { DirectTransportImpl };
