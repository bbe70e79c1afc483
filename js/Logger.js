'use strict';

const debug = require('debug');

// Same namespaces as mediasoup, so DEBUG="mediasoup*" settings keep working.
const APP_NAME = 'mediasoup';

class Logger {
	static debugLogEmitter;
	static warnLogEmitter;
	static errorLogEmitter;

	static setEmitters(debugLogEmitter, warnLogEmitter, errorLogEmitter) {
		Logger.debugLogEmitter = debugLogEmitter;
		Logger.warnLogEmitter = warnLogEmitter;
		Logger.errorLogEmitter = errorLogEmitter;
	}

	#debug;
	#warn;
	#error;

	constructor(prefix) {
		const base = prefix ? `${APP_NAME}:${prefix}` : APP_NAME;
		this.#debug = debug(base);
		this.#warn = debug(prefix ? `${APP_NAME}:WARN:${prefix}` : `${APP_NAME}:WARN`);
		this.#error = debug(prefix ? `${APP_NAME}:ERROR:${prefix}` : `${APP_NAME}:ERROR`);
		/* eslint-disable no-console */
		this.#debug.log = console.debug.bind(console);
		this.#warn.log = console.warn.bind(console);
		this.#error.log = console.error.bind(console);
		/* eslint-enable no-console */
	}

	debug(log) {
		this.#debug(log);
		Logger.debugLogEmitter?.safeEmit('debuglog', this.#debug.namespace, log);
	}

	warn(log) {
		this.#warn(log);
		Logger.warnLogEmitter?.safeEmit('warnlog', this.#warn.namespace, log);
	}

	error(log, error) {
		this.#error(log, error);
		Logger.errorLogEmitter?.safeEmit('errorlog', this.#error.namespace, log, error);
	}
}

module.exports = { Logger };
