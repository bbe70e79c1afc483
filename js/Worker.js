'use strict';

const fs = require('node:fs');
const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const { Channel } = require('./Channel');
const { RouterImpl } = require('./Router');
const { WebRtcServerImpl } = require('./WebRtcServer');
const { binding, addonPath } = require('./native');
const { fromNative } = require('./errorKinds');
const ortc = require('./ortc');
const utils = require('./utils');
const { setWorkerOfRouter, kGetMetrics } = require('./internal');
const { kTestHook } = require('./testHooks');
const { closeOnSignal, forgetOnSignal } = require('./signals');

const logger = new Logger('Worker');

// A worker thread that has not ended this long after close() is reported.
const DETACHED_REPORT_MS = 500;

/**
 * What `mediasoup.workerBin` reports: `$MEDIASOUP_WORKER_BIN` if set, else
 * the native addon, which is the binary ferrosoup's workers run in.
 */
const defaultWorkerBin = process.env.MEDIASOUP_WORKER_BIN || addonPath;

/**
 * A worker: an OS thread of the native addon with its own event loop.
 * Same surface as mediasoup's WorkerImpl; `pid` is this process' pid.
 */
class WorkerImpl extends EnhancedEventEmitter {
	#channel;
	#closed = false;
	#died = false;
	#subprocessClosed = false;
	#appData;
	#webRtcServers = new Set();
	#routers = new Set();
	#observer = new EnhancedEventEmitter();

	/**
	 * @private Use `createWorker()`. Throws on invalid settings.
	 */
	constructor({ settings, appData }) {
		super();
		logger.debug('constructor()');
		this.#appData = appData ?? {};
		try {
			this.#channel = new Channel({
				open: onBatch =>
					binding.createWorker(JSON.stringify(settings), ([json, buffers]) => onBatch(json, buffers)),
				onDied: message => this.workerDied(new Error(message)),
			});
		} catch (error) {
			throw fromNative(error);
		}
		closeOnSignal(this);
		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get pid() {
		return process.pid;
	}

	get closed() {
		return this.#closed;
	}

	get died() {
		return this.#died;
	}

	get subprocessClosed() {
		return this.#subprocessClosed;
	}

	get appData() {
		return this.#appData;
	}

	set appData(appData) {
		this.#appData = appData;
	}

	get observer() {
		return this.#observer;
	}

	/** @private Just for testing purposes. */
	get webRtcServersForTesting() {
		return this.#webRtcServers;
	}

	/** @private Just for testing purposes. */
	get routersForTesting() {
		return this.#routers;
	}

	close() {
		if (this.#closed) {
			return;
		}
		logger.debug('close()');
		this.#closed = true;
		forgetOnSignal(this);
		this.#closeChildren();
		// Returns within a few ms whatever the worker thread is doing. Like
		// mediasoup's subprocess exit, subprocessclose comes asynchronously,
		// after every pending request has been rejected.
		const threadState = this.#channel.close(() =>
			setImmediate(() => this.#markSubprocessClosed())
		);
		this.#watchThread(threadState);
		this.#observer.safeEmit('close');
	}

	async dump() {
		logger.debug('dump()');
		return this.#channel.request('worker.dump');
	}

	async getResourceUsage() {
		logger.debug('getResourceUsage()');
		return this.#channel.request('worker.getResourceUsage');
	}

	/** ferrosoup only (not in mediasoup's API): the thread's totals. */
	async [kGetMetrics]() {
		return this.#channel.request('worker.getMetrics');
	}

	async updateSettings({ logLevel, logTags } = {}) {
		logger.debug('updateSettings()');
		await this.#channel.request('worker.updateSettings', '', { logLevel, logTags });
	}

	async createWebRtcServer({ listenInfos, appData } = {}) {
		logger.debug('createWebRtcServer()');
		if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		if (!Array.isArray(listenInfos)) {
			throw new TypeError('listenInfos must be an array');
		}
		const webRtcServerId = utils.generateUUIDv4();
		await this.#channel.request('worker.createWebRtcServer', '', { webRtcServerId, listenInfos });
		const webRtcServer = new WebRtcServerImpl({
			internal: { webRtcServerId },
			channel: this.#channel,
			appData,
		});
		this.#webRtcServers.add(webRtcServer);
		webRtcServer.on('@close', () => this.#webRtcServers.delete(webRtcServer));
		this.#observer.safeEmit('newwebrtcserver', webRtcServer);
		return webRtcServer;
	}

	async createRouter({ mediaCodecs, appData } = {}) {
		logger.debug('createRouter()');
		if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}
		// Never touch the caller's objects.
		const rtpCapabilities = ortc.generateRouterRtpCapabilities(utils.clone(mediaCodecs));
		const routerId = utils.generateUUIDv4();
		await this.#channel.request('worker.createRouter', '', { routerId });
		const router = new RouterImpl({
			internal: { routerId },
			data: { rtpCapabilities },
			channel: this.#channel,
			appData,
		});
		this.#routers.add(router);
		setWorkerOfRouter(router, this);
		router.on('@close', () => this.#routers.delete(router));
		this.#observer.safeEmit('newrouter', router);
		return router;
	}

	/** @private Called when the worker thread panicked. */
	workerDied(error) {
		if (this.#closed) {
			return;
		}
		logger.debug(`workerDied() [error:${error}]`);
		this.#closed = true;
		this.#died = true;
		this.#subprocessClosed = true;
		forgetOnSignal(this);
		this.#watchThread(this.#channel.close());
		this.#closeChildren();
		this.safeEmit('died', error);
		this.safeEmit('subprocessclose');
		this.#observer.safeEmit('close');
	}

	#closeChildren() {
		for (const router of this.#routers) {
			router.workerClosed();
		}
		this.#routers.clear();
		for (const webRtcServer of this.#webRtcServers) {
			webRtcServer.workerClosed();
		}
		this.#webRtcServers.clear();
	}

	/**
	 * A worker thread that did not end within close()'s few ms was detached:
	 * it no longer keeps Node alive and releases what it holds when it ends.
	 * If it is still there a while later (wedged), say so.
	 */
	#watchThread(threadState) {
		if (threadState === 'ended') {
			return;
		}
		logger.debug(`close(): worker thread ${threadState}, detached`);
		const timer = setTimeout(() => {
			const now = this.#channel.threadState();
			if (now !== 'ended') {
				logger.warn(
					`worker thread still ${now} ${DETACHED_REPORT_MS} ms after close(), detached (wedged?)`
				);
			}
		}, DETACHED_REPORT_MS);
		timer.unref();
	}

	#markSubprocessClosed() {
		if (this.#subprocessClosed) {
			return;
		}
		this.#subprocessClosed = true;
		logger.debug(`emitting 'subprocessclose' event`);
		this.safeEmit('subprocessclose');
	}

	/** @private Internal test hooks (see testHooks.js). */
	[kTestHook](name, arg) {
		return this.#channel[kTestHook](name, arg);
	}
}

/**
 * Validates settings the way mediasoup's createWorker() does before the
 * worker starts, and rejects a `workerBin` that does not exist (mediasoup's
 * spawn would fail the same way).
 */
function checkWorkerBin(workerBin) {
	if (workerBin === undefined || workerBin === defaultWorkerBin) {
		return;
	}
	if (typeof workerBin !== 'string' || !fs.existsSync(workerBin)) {
		throw new Error(`spawn ${workerBin} ENOENT`);
	}
}

module.exports = { WorkerImpl, defaultWorkerBin, checkWorkerBin };
