'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const { WorkerClosedError } = require('./errors');
const { errorFromKind } = require('./errorKinds');
const { toJson } = require('./utils');
const { kTestHook } = require('./testHooks');

const logger = new Logger('Channel');

// Request ids wrap like mediasoup's (uint32).
const MAX_REQUEST_ID = 4294967295;

// Pending requests rejected per macrotask at close: a WorkerClosedError
// costs 10-25 µs to build (up to ~100 µs before the JIT warms up), so
// thousands of them must not be rejected in one go on Node's thread. The
// first slice is rejected at once, as mediasoup does for all of them.
const REJECT_SLICE = 50;

/**
 * Requests to one worker thread and the messages it sends back. Responses
 * settle their promises at once; notifications are emitted on the next
 * macrotask so that code awaiting a response runs before notifications the
 * worker produced after it (mediasoup does the same).
 */
class Channel extends EnhancedEventEmitter {
	#handle;
	#closed = false;
	#nextId = 0;
	#sents = new Map();
	#onDied;

	/**
	 * @param {object} options
	 * @param {(onBatch: Function) => object} options.open - creates the
	 *   native worker given the batch callback; returns its handle.
	 * @param {(message: string) => void} options.onDied
	 */
	constructor({ open, onDied }) {
		super();
		this.#onDied = onDied;
		this.#handle = open((json, buffers) => this.#processBatch(json, buffers));
	}

	get closed() {
		return this.#closed;
	}

	/**
	 * Stops the worker thread without waiting for it to work through its
	 * queue, and rejects pending requests with WorkerClosedError. Returns the
	 * thread's state: 'ended', or 'stopping'/'running' if it did not end
	 * within a few ms and was detached. `onRejected` runs once every pending
	 * request has been rejected.
	 */
	close(onRejected = () => {}) {
		if (this.#closed) {
			return this.#handle.threadState();
		}
		this.#closed = true;
		const sents = [...this.#sents.values()];
		this.#sents.clear();
		const state = this.#handle.close();
		rejectPending(sents, 0, onRejected);
		return state;
	}

	/** Where the worker thread is: 'running', 'stopping' or 'ended'. */
	threadState() {
		return this.#handle.threadState();
	}

	/** @private See testHooks.js. */
	[kTestHook](name, arg) {
		return !this.#closed && this.#handle.testHook(name, arg);
	}

	/**
	 * Sends a request; resolves with the response data.
	 */
	request(method, handlerId = '', data = undefined) {
		if (this.#closed) {
			return Promise.reject(
				new WorkerClosedError(`Channel closed, cannot send request [method:${method}]`)
			);
		}
		this.#nextId = this.#nextId < MAX_REQUEST_ID ? this.#nextId + 1 : 1;
		const id = this.#nextId;
		return new Promise((resolve, reject) => {
			const sent = { id, method, resolve, reject };
			this.#sents.set(id, sent);
			if (!this.#handle.request(id, method, handlerId, toJson(data))) {
				this.#sents.delete(id);
				reject(new WorkerClosedError(`Channel closed, cannot send request [method:${method}]`));
			}
		});
	}

	/**
	 * Sends a one-way message (optionally with a Buffer payload).
	 */
	notify(event, handlerId = '', data = undefined, payload = undefined) {
		if (this.#closed) {
			throw new WorkerClosedError(`Channel closed, cannot send notification [event:${event}]`);
		}
		this.#handle.notify(event, handlerId, toJson(data), payload);
	}

	#processBatch(json, buffers) {
		let messages;
		try {
			messages = JSON.parse(json);
		} catch (error) {
			logger.error(`invalid batch from worker: ${error}`);
			return;
		}
		for (const message of messages) {
			if (message.id !== undefined) {
				this.#processResponse(message);
			} else if (message.target !== undefined) {
				const payload = message.buffer !== undefined ? buffers[message.buffer] : undefined;
				setImmediate(() => this.emit(message.target, message.event, message.data, payload));
			} else if (message.log !== undefined) {
				this.#processLog(message.log, message.text);
			} else if (message.died !== undefined) {
				this.#onDied(message.died);
			}
		}
	}

	#processResponse(message) {
		if (this.#closed) {
			return;
		}
		const sent = this.#sents.get(message.id);
		if (!sent) {
			logger.error(`received response does not match any sent request [id:${message.id}]`);
			return;
		}
		this.#sents.delete(message.id);
		if (message.ok) {
			logger.debug(`request succeeded [method:${sent.method}, id:${sent.id}]`);
			sent.resolve(message.data);
		} else {
			logger.warn(`request failed [method:${sent.method}, id:${sent.id}]: ${message.message}`);
			sent.reject(errorFromKind(message.kind, message.message));
		}
	}

	#processLog(level, text) {
		const line = `[pid:${process.pid}] ${text}`;
		if (level === 'debug') {
			logger.debug(line);
		} else if (level === 'warn') {
			logger.warn(line);
		} else {
			logger.error(line);
		}
	}
}

function rejectPending(sents, from, onRejected) {
	const to = Math.min(from + REJECT_SLICE, sents.length);
	for (let i = from; i < to; i++) {
		const sent = sents[i];
		sent.reject(
			new WorkerClosedError(
				`Channel closed, pending request aborted [method:${sent.method}, id:${sent.id}]`
			)
		);
	}
	if (to < sents.length) {
		setImmediate(() => rejectPending(sents, to, onRejected));
	} else {
		onRejected();
	}
}

module.exports = { Channel };
