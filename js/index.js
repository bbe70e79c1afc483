'use strict';

const { Logger } = require('./Logger');
const { EnhancedEventEmitter } = require('./enhancedEvents');
const { WorkerImpl, defaultWorkerBin, checkWorkerBin } = require('./Worker');
const utils = require('./utils');
const supportedRtpCapabilities = require('./ortc/supported');
const { parseScalabilityMode } = require('./scalabilityModes');

const logger = new Logger();

/** The mediasoup version whose API this package implements. */
const version = require('../package.json').version;

const observer = new EnhancedEventEmitter();

/**
 * Routes ferrosoup's logs to the given listeners (none if called without).
 */
function setLogEventListeners(listeners) {
	logger.debug('setLogEventListeners()');
	const emitterFor = (eventName, listener) => {
		if (!listener) {
			return undefined;
		}
		const emitter = new EnhancedEventEmitter();
		emitter.on(eventName, listener);
		return emitter;
	};
	Logger.setEmitters(
		emitterFor('debuglog', listeners?.ondebug),
		emitterFor('warnlog', listeners?.onwarn),
		emitterFor('errorlog', listeners?.onerror)
	);
}

/**
 * Creates a Worker (an OS thread of the addon).
 */
async function createWorker({
	logLevel = 'error',
	logTags,
	rtcMinPort = 10000,
	rtcMaxPort = 59999,
	dtlsCertificateFile,
	dtlsPrivateKeyFile,
	workerBin,
	libwebrtcFieldTrials,
	appData,
} = {}) {
	logger.debug('createWorker()');
	if (appData && typeof appData !== 'object') {
		throw new TypeError('if given, appData must be an object');
	}
	checkWorkerBin(workerBin);
	// mediasoup passes a setting to its worker only if it has the right
	// type, so a setting of another type means its default.
	const nonEmptyString = value => (typeof value === 'string' && value ? value : undefined);
	const number = value => (typeof value === 'number' && !Number.isNaN(value) ? value : undefined);
	let worker;
	try {
		worker = new WorkerImpl({
			settings: {
				logLevel: nonEmptyString(logLevel) ?? 'error',
				logTags: Array.isArray(logTags) ? logTags.filter(nonEmptyString) : undefined,
				rtcMinPort: number(rtcMinPort) ?? 10000,
				rtcMaxPort: number(rtcMaxPort) ?? 59999,
				dtlsCertificateFile: nonEmptyString(dtlsCertificateFile),
				dtlsPrivateKeyFile: nonEmptyString(dtlsPrivateKeyFile),
				libwebrtcFieldTrials: nonEmptyString(libwebrtcFieldTrials),
			},
			appData,
		});
	} catch (error) {
		logger.error(`worker failed due to wrong settings: ${error}`);
		throw error;
	}
	logger.debug(`worker running [pid:${worker.pid}]`);
	observer.safeEmit('newworker', worker);
	return worker;
}

/**
 * A clone of the RTP capabilities ferrosoup supports (mediasoup's table).
 */
function getSupportedRtpCapabilities() {
	return utils.clone(supportedRtpCapabilities.table);
}

module.exports = {
	version,
	observer,
	workerBin: defaultWorkerBin,
	setLogEventListeners,
	createWorker,
	getSupportedRtpCapabilities,
	parseScalabilityMode,
	errors: require('./errors'),
	ortc: require('./ortc'),
	extras: require('./extras'),
};
