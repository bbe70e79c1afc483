'use strict';

const { randomUUID, randomInt } = require('node:crypto');

/**
 * Deep clone, keeping `undefined` and NaN as given (mediasoup's clone()).
 */
function clone(value) {
	if (value === undefined) {
		return undefined;
	} else if (Number.isNaN(value)) {
		return NaN;
	}
	return structuredClone(value);
}

function generateUUIDv4() {
	return randomUUID();
}

/**
 * A random integer in [100000000, 999999999], like mediasoup's SSRCs.
 */
function generateRandomNumber() {
	return randomInt(100_000_000, 999_999_999);
}

/**
 * Freezes an object and everything it reaches (used by tests).
 */
function deepFreeze(object) {
	for (const name of Reflect.ownKeys(object)) {
		const value = object[name];
		if ((value && typeof value === 'object') || typeof value === 'function') {
			deepFreeze(value);
		}
	}
	return Object.freeze(object);
}

/**
 * JSON for the native side: `undefined` fields vanish, as mediasoup's
 * flatbuffers encoding drops them.
 */
function toJson(value) {
	return value === undefined ? 'null' : JSON.stringify(value);
}

module.exports = { clone, generateUUIDv4, generateRandomNumber, deepFreeze, toJson };
