'use strict';

const { randomUUID, randomInt } = require('node:crypto');

/**
 * Deep clone, keeping `undefined` and NaN as given (mediasoup's clone(),
 * which is structuredClone()). Plain data (objects, arrays, primitives) is
 * copied directly, several times faster than structuredClone(); anything
 * else (class instances, cycles, functions...) goes through
 * structuredClone() so that the result, or the error, is the same.
 */
function clone(value) {
	if (value === undefined) {
		return undefined;
	} else if (Number.isNaN(value)) {
		return NaN;
	} else if (typeof value !== 'object' || value === null) {
		return structuredClone(value);
	}
	try {
		return copyPlain(value, 0);
	} catch (error) {
		if (error !== NOT_PLAIN) {
			throw error;
		}
		return structuredClone(value);
	}
}

const NOT_PLAIN = Symbol('not plain data');
// Deeper than any RTP parameters; also how cycles are caught.
const MAX_PLAIN_DEPTH = 32;

function copyPlain(value, depth) {
	if (typeof value !== 'object' || value === null) {
		if (typeof value === 'function' || typeof value === 'symbol') {
			throw NOT_PLAIN;
		}
		return value;
	}
	if (depth > MAX_PLAIN_DEPTH) {
		throw NOT_PLAIN;
	}
	if (Array.isArray(value)) {
		if (Object.getPrototypeOf(value) !== Array.prototype) {
			throw NOT_PLAIN;
		}
		const copy = new Array(value.length);
		for (let i = 0; i < value.length; i++) {
			if (i in value) {
				copy[i] = copyPlain(value[i], depth + 1);
			}
		}
		return copy;
	}
	const proto = Object.getPrototypeOf(value);
	if (proto !== Object.prototype && proto !== null) {
		throw NOT_PLAIN;
	}
	const copy = {};
	for (const key in value) {
		if (key === '__proto__') {
			// Assigning it would set the copy's prototype.
			throw NOT_PLAIN;
		}
		if (Object.hasOwn(value, key)) {
			copy[key] = copyPlain(value[key], depth + 1);
		}
	}
	return copy;
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
