'use strict';

const { EventEmitter, once } = require('node:events');

/**
 * EventEmitter with no listener limit and `safeEmit()`, which reports a
 * throwing listener as a `listenererror` event instead of throwing.
 */
class EnhancedEventEmitter extends EventEmitter {
	constructor() {
		super();
		this.setMaxListeners(Infinity);
	}

	safeEmit(eventName, ...args) {
		try {
			return super.emit(eventName, ...args);
		} catch (error) {
			try {
				super.emit('listenererror', eventName, error);
			} catch {
				// A throwing listenererror handler must not break the caller.
			}
			return Boolean(super.listenerCount(eventName));
		}
	}
}

/**
 * `events.once()`, under mediasoup's name.
 */
async function enhancedOnce(emitter, eventName, options) {
	return once(emitter, eventName, options);
}

module.exports = { EnhancedEventEmitter, enhancedOnce };
