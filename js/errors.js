'use strict';

// mediasoup's error classes. InvalidStateError is what mediasoup <= 3.19
// threw for closed workers; WorkerClosedError extends it so apps written
// against either version catch what they expect.

class UnsupportedError extends Error {
	constructor(message) {
		super(message);
		this.name = 'UnsupportedError';
		Error.captureStackTrace(this, UnsupportedError);
	}
}

class InvalidStateError extends Error {
	constructor(message) {
		super(message);
		this.name = 'InvalidStateError';
		// A subclass captures its own trace (a capture costs ~10 µs, and
		// closing a worker can reject thousands of requests).
		if (new.target === InvalidStateError) {
			Error.captureStackTrace(this, InvalidStateError);
		}
	}
}

class WorkerClosedError extends InvalidStateError {
	constructor(message) {
		super(message);
		this.name = 'WorkerClosedError';
		Error.captureStackTrace(this, WorkerClosedError);
	}
}

class NotFoundError extends Error {
	constructor(message) {
		super(message);
		this.name = 'NotFoundError';
		Error.captureStackTrace(this, NotFoundError);
	}
}

module.exports = {
	UnsupportedError,
	InvalidStateError,
	WorkerClosedError,
	NotFoundError,
};
