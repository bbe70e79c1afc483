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

/**
 * An unsigned 64-bit field the way mediasoup sends one: `BigInt(value)`
 * (so NaN, Infinity and fractions throw RangeError, other strings
 * SyntaxError, null and undefined TypeError), wrapped to 64 bits as its
 * flatbuffers writer does, and bounded as its worker bounds it.
 */
function uint64Field(value, name) {
	const big = BigInt.asUintN(64, BigInt(value));
	if (big > 9223372036854775806n) {
		throw new TypeError(`${name} must be <= 9223372036854775806`);
	}
	return big;
}

/**
 * A bitrate for the worker, which counts in 32 bits: anything above
 * 2^32-1 bps is as good as unlimited.
 */
function bitrateField(value, name = 'bitrate') {
	const big = uint64Field(value, name);
	return Number(big > 4294967295n ? 4294967295n : big);
}

module.exports = { clone, generateUUIDv4, generateRandomNumber, deepFreeze, toJson, uint64Field, bitrateField };
