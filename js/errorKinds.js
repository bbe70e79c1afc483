'use strict';

// Turns the error kinds the native side reports into mediasoup's classes.
const {
	UnsupportedError,
	InvalidStateError,
	WorkerClosedError,
	NotFoundError,
} = require('./errors');

const classesByKind = {
	TypeError,
	UnsupportedError,
	InvalidStateError,
	WorkerClosedError,
	NotFoundError,
};

/**
 * Builds the JS error for an error kind coming from Rust.
 */
function errorFromKind(kind, message) {
	const ErrorClass = classesByKind[kind] ?? Error;
	return new ErrorClass(message);
}

/**
 * Rethrows an error thrown by the native binding as mediasoup's class.
 */
function fromNative(error) {
	if (error && typeof error.code === 'string' && error.code in classesByKind) {
		return errorFromKind(error.code, error.message);
	}
	return error instanceof Error ? new Error(error.message) : error;
}

module.exports = { errorFromKind, fromNative };
