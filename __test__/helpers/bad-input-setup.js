'use strict';

// Objects the bad-input table calls into, built the same way with either
// module (ferrosoup or real mediasoup), and the runner that turns one row's
// call into an outcome: which error class, thrown synchronously or not.

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

// A well-formed remote DTLS fingerprint (any 32 bytes do).
const dtlsParameters = {
	role: 'client',
	fingerprints: [
		{
			algorithm: 'sha-256',
			value: '82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57:AC:2D:65:E5:80:C4:B6:FB:AF:1A:A0:21:9F:6D:0C:AD',
		},
	],
};

let nextSsrc = 11110000;

/** A fresh SSRC per call, so producers of different rows never collide. */
function ssrc() {
	nextSsrc += 10;
	return nextSsrc;
}

function audioRtpParameters(ssrcValue = ssrc()) {
	return {
		codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
		headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
		encodings: [{ ssrc: ssrcValue }],
		rtcp: { cname: 'bad-input' },
	};
}

function videoRtpParameters(ssrcValue = ssrc()) {
	return {
		codecs: [
			{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
			{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
		],
		headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
		encodings: [{ ssrc: ssrcValue, rtx: { ssrc: ssrcValue + 1 } }],
		rtcp: { cname: 'bad-input' },
	};
}

/**
 * One live worker with one of everything, plus a second worker with a
 * WebRtcServer (for "server of another worker").
 */
async function buildLive(m) {
	const o = { m };
	o.worker = await m.createWorker();
	o.worker2 = await m.createWorker();
	o.router = await o.worker.createRouter({ mediaCodecs });
	o.router2 = await o.worker.createRouter({ mediaCodecs });
	o.webRtcServer = await o.worker.createWebRtcServer({ listenInfos: [listenInfo] });
	o.otherWebRtcServer = await o.worker2.createWebRtcServer({ listenInfos: [listenInfo] });
	o.webrtc = await o.router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
	o.webrtcNoSctp = await o.router.createWebRtcTransport({ listenInfos: [listenInfo] });
	o.plain = await o.router.createPlainTransport({ listenInfo });
	o.plainNoMux = await o.router.createPlainTransport({ listenInfo, rtcpMux: false });
	o.plainSrtp = await o.router.createPlainTransport({ listenInfo, enableSrtp: true });
	o.direct = await o.router.createDirectTransport();
	o.audioProducer = await o.webrtc.produce({ kind: 'audio', rtpParameters: audioRtpParameters() });
	o.videoProducer = await o.webrtc.produce({ kind: 'video', rtpParameters: videoRtpParameters() });
	o.consumer = await o.webrtc.consume({
		producerId: o.videoProducer.id,
		rtpCapabilities: o.router.rtpCapabilities,
	});
	o.directProducer = await o.direct.produce({ kind: 'audio', rtpParameters: audioRtpParameters() });
	o.dataProducer = await o.webrtc.produceData({ sctpStreamParameters: { streamId: 1 } });
	o.dataConsumer = await o.webrtc.consumeData({ dataProducerId: o.dataProducer.id });
	o.directDataProducer = await o.direct.produceData();
	o.directDataConsumer = await o.direct.consumeData({ dataProducerId: o.directDataProducer.id });
	o.audioLevelObserver = await o.router.createAudioLevelObserver();
	o.activeSpeakerObserver = await o.router.createActiveSpeakerObserver();
	o.died = [];
	for (const worker of [o.worker, o.worker2]) {
		worker.on('died', error => o.died.push(error));
	}
	o.close = () => {
		for (const worker of [o.worker, o.worker2]) {
			try {
				worker.close();
			} catch {
				// A worker that died is closed already.
			}
		}
	};
	return o;
}

/**
 * Every kind of object, each closed by its own close() (leaves first, so
 * each one is closed by the app and not by a cascade).
 */
async function buildClosed(m) {
	const o = await buildLive(m);
	o.producer = await o.webrtc.produce({ kind: 'audio', rtpParameters: audioRtpParameters() });
	o.closedTransport = await o.router2.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
	o.closedDirect = await o.router2.createDirectTransport();
	o.closedPlain = await o.router2.createPlainTransport({ listenInfo });
	o.closedRouter = await o.worker.createRouter({ mediaCodecs });
	o.closedWebRtcServer = await o.worker.createWebRtcServer({ listenInfos: [listenInfo] });
	for (const name of [
		'producer',
		'consumer',
		'dataConsumer',
		'directDataConsumer',
		'directProducer',
		'audioLevelObserver',
		'activeSpeakerObserver',
		'closedTransport',
		'closedDirect',
		'closedPlain',
		'closedRouter',
		'closedWebRtcServer',
	]) {
		o[name].close();
	}
	// Closed DataProducers after their consumers, so those closed above by
	// the app and not by the producer.
	o.dataProducer.close();
	o.directDataProducer.close();
	return o;
}

/** Everything of a worker the app closed. */
async function buildWorkerClosed(m) {
	const o = await buildLive(m);
	o.worker.close();
	return o;
}

const builders = { live: buildLive, closed: buildClosed, workerClosed: buildWorkerClosed };

/**
 * The class of an error, named by the module's own classes (instanceof)
 * or the built-in one.
 */
function classify(m, error) {
	for (const name of ['WorkerClosedError', 'NotFoundError', 'UnsupportedError', 'InvalidStateError']) {
		if (m.errors[name] && error instanceof m.errors[name]) {
			return name;
		}
	}
	if (error instanceof Error && ['TypeError', 'RangeError', 'SyntaxError', 'Error'].includes(error.constructor.name)) {
		return error.constructor.name;
	}
	return `non-Error ${String(error)}`;
}

function withTimeout(promise, ms) {
	let timer;
	return Promise.race([
		promise,
		new Promise((_, reject) => {
			timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms`)), ms);
		}),
	]).finally(() => clearTimeout(timer));
}

/**
 * mediasoup serializes requests with one flatbuffers builder per worker
 * channel; a call that throws while serializing leaves it mid-object and
 * breaks the next request. Reset it, so rows stay independent.
 */
function resetRequestBuilder(o) {
	for (const name of ['webrtc', 'closedTransport']) {
		o[name]?.channelForTesting?.bufferBuilder?.clear();
	}
}

/** Closes whatever an accepted call created. */
function closeResult(result) {
	// An object with close(), or a plain object/array of them (pipeToRouter,
	// Promise.all()).
	let values = [result];
	if (Array.isArray(result)) {
		values = result;
	} else if (result && Object.getPrototypeOf(result) === Object.prototype) {
		values = Object.values(result);
	}
	for (const value of values) {
		if (value && typeof value.close === 'function') {
			try {
				value.close();
			} catch {
				// Nothing to do.
			}
		}
	}
}

/**
 * Runs one row against module `m` and objects `o`.
 * Returns { cls: 'ok' | class name, sync: boolean, message }.
 */
async function runRow(row, m, o) {
	const arg = row.prep ? await row.prep(o, m) : undefined;
	let returned;
	try {
		returned = row.call(o, m, arg);
	} catch (error) {
		return { cls: classify(m, error), sync: true, message: error?.message };
	}
	if (!returned || typeof returned.then !== 'function') {
		closeResult(returned);
		return { cls: 'ok', sync: true };
	}
	try {
		closeResult(await withTimeout(returned, 5000));
		return { cls: 'ok', sync: false };
	} catch (error) {
		if (error?.message?.startsWith('timeout after')) {
			return { cls: 'timeout', sync: false, message: error.message };
		}
		return { cls: classify(m, error), sync: false, message: error?.message };
	}
}

/**
 * Runs all rows against one module: a shared setup per group, built
 * lazily, closed at the end. Returns one outcome per row (same order).
 */
async function runTable(m, rows) {
	const outcomes = new Array(rows.length);
	const groups = [...new Set(rows.map(row => row.group))];
	for (const group of groups) {
		const o = builders[group] ? await builders[group](m) : { m, close() {} };
		try {
			for (const [index, row] of rows.entries()) {
				if (row.group === group) {
					outcomes[index] = await runRow(row, m, o);
					resetRequestBuilder(o);
					if (o.died?.length) {
						throw new Error(`worker died after row "${row.name}": ${o.died[0]}`);
					}
				}
			}
		} finally {
			o.close();
		}
	}
	return outcomes;
}

module.exports = {
	mediaCodecs,
	listenInfo,
	dtlsParameters,
	ssrc,
	audioRtpParameters,
	videoRtpParameters,
	runTable,
};
