'use strict';

// The bad-input table: invalid calls across the API and the error class
// real mediasoup 3.27.1 answers each with ('ok' when mediasoup accepts
// it). `sync: true` marks calls mediasoup throws synchronously (all others
// reject). A row with `why` is one where ferrosoup deliberately differs:
// mediasoup accepts something harmful and ferrosoup rejects it with
// `ferrosoup`'s class.

const { listenInfo, dtlsParameters, ssrc, audioRtpParameters, videoRtpParameters } = require('./bad-input-setup');

const rows = [];

function add(area, group, name, call, ms, extra = {}) {
	rows.push({ area, group, name, call, ms, ...extra });
}

const OPUS = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const NO_CANDIDATES = 'a WebRtcTransport without ICE candidates can never connect; mediasoup creates it (its WebRtcServer rejects empty listenInfos with TypeError)';
const UNKNOWN_PROTOCOL = 'mediasoup sends a protocol other than "udp"/"tcp" (or none) as 0, which its worker takes for TCP: the app gets no UDP at all';
const WRAPS_PORT = 'mediasoup writes the port as 16 bits (70000 -> 4464, -5 -> 65531, 1.5 -> 1, "abc" -> 0) and binds a port the app did not ask for';
const WRAPS_REMOTE_PORT = 'mediasoup writes the port as 16 bits (70000 -> 4464, -5 -> 65531, 1.5 -> 1) and sends to a port the app did not give';

// Helpers building variations of valid parameters.
function audio(mutate) {
	const params = audioRtpParameters();
	mutate(params);
	return params;
}

function video(mutate) {
	const params = videoRtpParameters();
	mutate(params);
	return params;
}

function caps(o, mutate) {
	const value = o.router.rtpCapabilities;
	mutate(value);
	return value;
}

// ---------------------------------------------------------------- createWorker
{
	const cw = (name, settings, ms, extra) => add('createWorker', 'none', name, (o, m) => m.createWorker(settings), ms, extra);
	cw('logLevel unknown string', { logLevel: 'verbose' }, 'TypeError');
	cw('logLevel a number', { logLevel: 3 }, 'ok');
	cw('logTags an unknown tag', { logTags: ['nope'] }, 'ok');
	cw('logTags not an array', { logTags: 'info' }, 'ok');
	cw('logTags with a number', { logTags: [5] }, 'ok');
	cw('rtcMaxPort a string', { rtcMaxPort: 'x' }, 'ok');
	cw('rtcMinPort NaN', { rtcMinPort: NaN }, 'ok');
	cw('dtlsCertificateFile a number', { dtlsCertificateFile: 5, dtlsPrivateKeyFile: 5 }, 'ok');
	cw('rtcMinPort a string', { rtcMinPort: 'abc' }, 'ok');
	cw('rtcMinPort above rtcMaxPort', { rtcMinPort: 20000, rtcMaxPort: 10000 }, 'TypeError');
	cw('rtcMaxPort 70000', { rtcMaxPort: 70000 }, 'TypeError');
	cw('rtcMinPort -1', { rtcMinPort: -1 }, 'TypeError');
	cw('rtcMinPort 0', { rtcMinPort: 0 }, 'ok');
	cw('rtcMinPort 1.5', { rtcMinPort: 1.5 }, 'ok', { ferrosoup: 'TypeError', why: 'not a port; mediasoup\'s worker reads 1.5 as 1 and may then bind privileged ports' });
	cw('dtlsCertificateFile missing file', { dtlsCertificateFile: '/nonexistent/cert.pem', dtlsPrivateKeyFile: '/nonexistent/key.pem' }, 'TypeError');
	cw('dtlsCertificateFile without dtlsPrivateKeyFile', { dtlsCertificateFile: '/nonexistent/cert.pem' }, 'TypeError');
	cw('dtlsPrivateKeyFile not a PEM', { dtlsCertificateFile: __filename, dtlsPrivateKeyFile: __filename }, 'Error');
	cw('appData a string', { appData: 'x' }, 'TypeError');
	cw('appData a number', { appData: 5 }, 'TypeError');
	cw('workerBin a missing file', { workerBin: '/nonexistent/mediasoup-worker' }, 'Error');
	cw('settings null', null, 'TypeError');
}

// ---------------------------------------------------------------- worker methods
{
	const w = (name, call, ms, extra) => add('worker', 'live', name, call, ms, extra);
	w('updateSettings logLevel unknown', o => o.worker.updateSettings({ logLevel: 'verbose' }), 'TypeError');
	w('updateSettings logLevel a number', o => o.worker.updateSettings({ logLevel: 1 }), 'TypeError');
	w('updateSettings logTags unknown tag', o => o.worker.updateSettings({ logTags: ['nope'] }), 'ok');
	w('updateSettings null', o => o.worker.updateSettings(null), 'TypeError');
	w('createRouter appData a string', o => o.worker.createRouter({ appData: 'x' }), 'TypeError');
	w('createRouter null', o => o.worker.createRouter(null), 'TypeError');
	w('createRouter mediaCodecs not an array', o => o.worker.createRouter({ mediaCodecs: 'opus' }), 'TypeError');
	w('createRouter unsupported codec', o => o.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/foo', clockRate: 8000 }] }), 'UnsupportedError');
	w('createRouter codec without mimeType', o => o.worker.createRouter({ mediaCodecs: [{ kind: 'audio', clockRate: 48000 }] }), 'TypeError');
	w('createRouter mimeType without slash', o => o.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'opus', clockRate: 48000 }] }), 'TypeError');
	w('createRouter kind not matching mimeType', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, kind: 'video' }] }), 'ok');
	w('createRouter clockRate a string', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, clockRate: '48000' }] }), 'TypeError');
	w('createRouter clockRate missing', o => o.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', channels: 2 }] }), 'TypeError');
	w('createRouter channels a string', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, channels: 'two' }] }), 'UnsupportedError');
	w('createRouter opus with 1 channel', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, channels: 1 }] }), 'UnsupportedError');
	w('createRouter duplicated preferredPayloadType', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, preferredPayloadType: 100 }, { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 100 }] }), 'TypeError');
	w('createRouter preferredPayloadType a string', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, preferredPayloadType: 'x' }] }), 'TypeError');
	w('createRouter parameter value an object', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, parameters: { foo: {} } }] }), 'TypeError');
	w('createRouter apt a string', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, parameters: { apt: 'x' } }] }), 'TypeError');
	w('createRouter parameters a string', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, parameters: 'x' }] }), 'ok');
	w('createRouter rtcpFeedback a string', o => o.worker.createRouter({ mediaCodecs: [{ ...OPUS, rtcpFeedback: 'nack' }] }), 'ok');
	w('createRouter video/rtx as media codec', o => o.worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/rtx', clockRate: 90000 }] }), 'UnsupportedError');
	w('createRouter VP8 with wrong clockRate', o => o.worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 48000 }] }), 'UnsupportedError');
	w('createRouter codec null', o => o.worker.createRouter({ mediaCodecs: [null] }), 'TypeError');

	const ws = (name, options, ms, extra) => w(`createWebRtcServer ${name}`, o => o.worker.createWebRtcServer(options), ms, extra);
	ws('without options', undefined, 'TypeError');
	ws('listenInfos missing', {}, 'TypeError');
	ws('listenInfos a string', { listenInfos: '127.0.0.1' }, 'TypeError');
	ws('listenInfos empty', { listenInfos: [] }, 'TypeError');
	ws('protocol unknown', { listenInfos: [{ protocol: 'sctp', ip: '127.0.0.1' }] }, 'ok', { ferrosoup: 'TypeError', why: UNKNOWN_PROTOCOL });
	ws('protocol missing', { listenInfos: [{ ip: '127.0.0.1' }] }, 'ok', { ferrosoup: 'TypeError', why: UNKNOWN_PROTOCOL });
	ws('ip missing', { listenInfos: [{ protocol: 'udp' }] }, 'TypeError');
	ws('ip not an IP', { listenInfos: [{ protocol: 'udp', ip: 'not-an-ip' }] }, 'TypeError');
	ws('ip not local', { listenInfos: [{ protocol: 'udp', ip: '8.8.8.8' }] }, 'Error');
	ws('port 70000', { listenInfos: [{ ...listenInfo, port: 70000 }] }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	ws('port -5', { listenInfos: [{ ...listenInfo, port: -5 }] }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	ws('port 1.5', { listenInfos: [{ ...listenInfo, port: 1.5 }] }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	ws('port a string', { listenInfos: [{ ...listenInfo, port: 'abc' }] }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	ws('portRange min above max', { listenInfos: [{ ...listenInfo, portRange: { min: 30000, max: 20000 } }] }, 'TypeError');
	ws('appData a string', { listenInfos: [listenInfo], appData: 'x' }, 'TypeError');
	ws('listenInfo null', { listenInfos: [null] }, 'TypeError');
}

// ---------------------------------------------------------------- router factories
{
	const r = (name, call, ms, extra) => add('router', 'live', name, call, ms, extra);
	const wt = (name, options, ms, extra) => r(`createWebRtcTransport ${name}`, o => o.router.createWebRtcTransport(typeof options === 'function' ? options(o) : options), ms, extra);
	wt('without options', undefined, 'TypeError');
	wt('no listen source', {}, 'TypeError');
	wt('listenInfos a string', { listenInfos: '127.0.0.1' }, 'TypeError');
	wt('listenInfos empty', { listenInfos: [] }, 'ok', { ferrosoup: 'TypeError', why: NO_CANDIDATES });
	wt('listenInfo ip missing', { listenInfos: [{ protocol: 'udp' }] }, 'TypeError');
	wt('listenInfo protocol unknown', { listenInfos: [{ protocol: 'quic', ip: '127.0.0.1' }] }, 'ok', { ferrosoup: 'TypeError', why: UNKNOWN_PROTOCOL });
	wt('listenInfo protocol missing', { listenInfos: [{ ip: '127.0.0.1' }] }, 'ok', { ferrosoup: 'TypeError', why: UNKNOWN_PROTOCOL });
	wt('listenInfo protocol "TCP"', { listenInfos: [{ protocol: 'TCP', ip: '127.0.0.1' }] }, 'ok', { ferrosoup: 'TypeError', why: UNKNOWN_PROTOCOL });
	wt('listenInfo ip not an IP', { listenInfos: [{ protocol: 'udp', ip: 'nope' }] }, 'TypeError');
	wt('listenInfo ip not local', { listenInfos: [{ protocol: 'udp', ip: '8.8.8.8' }] }, 'Error');
	wt('listenInfo port 70000', { listenInfos: [{ ...listenInfo, port: 70000 }] }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	wt('listenInfo port -5', { listenInfos: [{ ...listenInfo, port: -5 }] }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	wt('listenInfo port 1.5', { listenInfos: [{ ...listenInfo, port: 1.5 }] }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	wt('listenInfo portRange min above max', { listenInfos: [{ ...listenInfo, portRange: { min: 30000, max: 20000 } }] }, 'TypeError');
	wt('listenIps not an IP', { listenIps: ['nope'] }, 'TypeError');
	wt('listenIps entry a number', { listenIps: [5] }, 'TypeError');
	wt('listenIps empty', { listenIps: [] }, 'ok', { ferrosoup: 'TypeError', why: NO_CANDIDATES });
	wt('webRtcServer of another worker', o => ({ webRtcServer: o.otherWebRtcServer }), 'Error');
	wt('webRtcServer, listenInfos and listenIps', o => ({ webRtcServer: o.webRtcServer, listenInfos: [listenInfo], listenIps: ['127.0.0.1'] }), 'TypeError');
	wt('enableUdp and enableTcp false', { listenInfos: [listenInfo], enableUdp: false, enableTcp: false }, 'ok');
	wt('enableUdp and enableTcp false with webRtcServer', o => ({ webRtcServer: o.webRtcServer, enableUdp: false, enableTcp: false }), 'TypeError');
	wt('initialAvailableOutgoingBitrate -1', { listenInfos: [listenInfo], initialAvailableOutgoingBitrate: -1 }, 'TypeError');
	wt('initialAvailableOutgoingBitrate a string', { listenInfos: [listenInfo], initialAvailableOutgoingBitrate: 'x' }, 'SyntaxError');
	wt('initialAvailableOutgoingBitrate NaN', { listenInfos: [listenInfo], initialAvailableOutgoingBitrate: NaN }, 'RangeError');
	wt('initialAvailableOutgoingBitrate Infinity', { listenInfos: [listenInfo], initialAvailableOutgoingBitrate: Infinity }, 'RangeError');
	wt('initialAvailableOutgoingBitrate 1.5', { listenInfos: [listenInfo], initialAvailableOutgoingBitrate: 1.5 }, 'RangeError');
	wt('initialAvailableOutgoingBitrate null', { listenInfos: [listenInfo], initialAvailableOutgoingBitrate: null }, 'TypeError');
	wt('initialAvailableOutgoingBitrate a numeric string', { listenInfos: [listenInfo], initialAvailableOutgoingBitrate: '700000' }, 'ok');
	wt('iceConsentTimeout -1', { listenInfos: [listenInfo], iceConsentTimeout: -1 }, 'ok');
	wt('iceConsentTimeout a string', { listenInfos: [listenInfo], iceConsentTimeout: 'x' }, 'ok');
	wt('numSctpStreams (removed in 3.20) ignored', { listenInfos: [listenInfo], enableSctp: true, numSctpStreams: { OS: -1, MIS: 'x' } }, 'ok');
	wt('maxSctpMessageSize (removed in 3.20) ignored', { listenInfos: [listenInfo], enableSctp: true, maxSctpMessageSize: -1 }, 'ok');
	wt('maxSendMessageSize -1', { listenInfos: [listenInfo], enableSctp: true, maxSendMessageSize: -1 }, 'ok');
	wt('maxReceiveMessageSize a string', { listenInfos: [listenInfo], enableSctp: true, maxReceiveMessageSize: 'x' }, 'ok');
	wt('sctpSendBufferSize -1', { listenInfos: [listenInfo], enableSctp: true, sctpSendBufferSize: -1 }, 'ok');
	wt('appData a string', { listenInfos: [listenInfo], appData: 'x' }, 'TypeError');
	wt('appData a number', { listenInfos: [listenInfo], appData: 3 }, 'TypeError');

	const pt = (name, options, ms, extra) => r(`createPlainTransport ${name}`, o => o.router.createPlainTransport(options), ms, extra);
	pt('without options', undefined, 'TypeError');
	pt('no listen source', {}, 'TypeError');
	pt('listenInfo and listenIp', { listenInfo, listenIp: '127.0.0.1' }, 'TypeError');
	pt('listenInfo tcp', { listenInfo: { protocol: 'tcp', ip: '127.0.0.1' } }, 'TypeError');
	pt('listenInfo protocol missing', { listenInfo: { ip: '127.0.0.1' } }, 'TypeError');
	pt('listenInfo protocol unknown', { listenInfo: { protocol: 'quic', ip: '127.0.0.1' } }, 'TypeError');
	pt('listenInfo ip not an IP', { listenInfo: { protocol: 'udp', ip: 'nope' } }, 'TypeError');
	pt('listenInfo ip not local', { listenInfo: { protocol: 'udp', ip: '8.8.8.8' } }, 'Error');
	pt('listenInfo port 70000', { listenInfo: { ...listenInfo, port: 70000 } }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	pt('listenInfo port -5', { listenInfo: { ...listenInfo, port: -5 } }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	pt('listenInfo port 1.5', { listenInfo: { ...listenInfo, port: 1.5 } }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	pt('listenIp port 70000', { listenIp: '127.0.0.1', port: 70000 }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	pt('rtcpListenInfo ip not an IP', { listenInfo, rtcpListenInfo: { protocol: 'udp', ip: 'nope' } }, 'TypeError');
	pt('srtpCryptoSuite unknown', { listenInfo, enableSrtp: true, srtpCryptoSuite: 'AES_FOO' }, 'TypeError');
	pt('appData a string', { listenInfo, appData: 'x' }, 'TypeError');

	const pp = (name, options, ms, extra) => r(`createPipeTransport ${name}`, o => o.router.createPipeTransport(options), ms, extra);
	pp('without options', undefined, 'TypeError');
	pp('no listen source', {}, 'TypeError');
	pp('listenInfo and listenIp', { listenInfo, listenIp: '127.0.0.1' }, 'TypeError');
	pp('listenInfo tcp', { listenInfo: { protocol: 'tcp', ip: '127.0.0.1' } }, 'TypeError');
	pp('listenInfo ip not an IP', { listenInfo: { protocol: 'udp', ip: 'nope' } }, 'TypeError');
	pp('listenIp not an IP', { listenIp: '123' }, 'TypeError');
	pp('listenInfo ip not local', { listenInfo: { protocol: 'udp', ip: '8.8.8.8' } }, 'Error');
	pp('listenInfo portRange inverted', { listenInfo: { ...listenInfo, portRange: { min: 4000, max: 3000 } } }, 'TypeError');
	pp('listenInfo port 70000', { listenInfo: { ...listenInfo, port: 70000 } }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_PORT });
	pp('appData a string', { listenInfo, appData: 'x' }, 'TypeError');
	pp('enableRtx and enableSrtp', { listenInfo, enableRtx: true, enableSrtp: true }, 'ok');

	const ptr = (name, options, ms, extra) => r(`pipeToRouter ${name}`, o => o.router.pipeToRouter(typeof options === 'function' ? options(o) : options), ms, extra);
	ptr('without options', undefined, 'TypeError');
	ptr('neither producerId nor dataProducerId', o => ({ router: o.router2 }), 'TypeError');
	ptr('both producerId and dataProducerId', o => ({ router: o.router2, producerId: o.audioProducer.id, dataProducerId: 'x' }), 'TypeError');
	ptr('router missing', o => ({ producerId: o.audioProducer.id }), 'TypeError');
	ptr('router itself', o => ({ producerId: o.audioProducer.id, router: o.router }), 'TypeError');
	ptr('unknown producer', o => ({ producerId: 'nope', router: o.router2 }), 'NotFoundError');
	ptr('unknown dataProducer', o => ({ dataProducerId: 'nope', router: o.router2 }), 'NotFoundError');
	ptr('listenInfo and listenIp', o => ({ producerId: o.audioProducer.id, router: o.router2, listenInfo, listenIp: '127.0.0.1' }), 'TypeError');
	ptr('keepId on the same worker', o => ({ producerId: o.audioProducer.id, router: o.router2, keepId: true }), 'Error');
	ptr('keepId false on the same worker', o => ({ producerId: o.audioProducer.id, router: o.router2, keepId: false }), 'ok');


	const dt = (name, options, ms, extra) => r(`createDirectTransport ${name}`, o => o.router.createDirectTransport(options), ms, extra);
	dt('maxMessageSize (removed in 3.20) -1 ignored', { maxMessageSize: -1 }, 'ok');
	dt('maxSendMessageSize -1', { maxSendMessageSize: -1 }, 'ok', { ferrosoup: 'TypeError', why: 'mediasoup wraps -1 to 2^32-1: no bound on the size of a message' });
	dt('maxReceiveMessageSize a string', { maxReceiveMessageSize: 'x' }, 'ok', { ferrosoup: 'TypeError', why: 'mediasoup reads "x" as 0: no message fits' });
	dt('maxSendMessageSize NaN', { maxSendMessageSize: NaN }, 'ok', { ferrosoup: 'TypeError', why: 'mediasoup reads NaN as 0: no message fits' });
	dt('appData a string', { appData: 'x' }, 'TypeError');
	dt('null options', null, 'TypeError');


	const aso = (name, options, ms, extra) => r(`createActiveSpeakerObserver ${name}`, o => o.router.createActiveSpeakerObserver(options), ms, extra);
	aso('interval a string', { interval: 'x' }, 'TypeError');
	aso('interval null', { interval: null }, 'TypeError');
	aso('appData a string', { appData: 'x' }, 'TypeError');
	aso('null options', null, 'TypeError');

	const alo = (name, options, ms, extra) => r(`createAudioLevelObserver ${name}`, o => o.router.createAudioLevelObserver(options), ms, extra);
	alo('maxEntries 0', { maxEntries: 0 }, 'TypeError');
	alo('maxEntries a string', { maxEntries: '1' }, 'TypeError');
	alo('maxEntries -1', { maxEntries: -1 }, 'TypeError');
	alo('threshold 1', { threshold: 1 }, 'TypeError');
	alo('threshold -128', { threshold: -128 }, 'TypeError');
	alo('threshold a string', { threshold: '-80' }, 'TypeError');
	alo('interval a string', { interval: 'x' }, 'TypeError');
	alo('appData a string', { appData: 'x' }, 'TypeError');

	r('canConsume unknown producer', o => o.router.canConsume({ producerId: 'nope', rtpCapabilities: o.router.rtpCapabilities }), 'ok', { sync: true });
	r('canConsume invalid capabilities', o => o.router.canConsume({ producerId: o.audioProducer.id, rtpCapabilities: { codecs: 'x' } }), 'ok', { sync: true });
	r('canConsume without arguments', o => o.router.canConsume(), 'TypeError', { sync: true });
	r('updateMediaCodecs unsupported codec', o => o.router.updateMediaCodecs([{ kind: 'audio', mimeType: 'audio/foo', clockRate: 8000 }]), 'UnsupportedError', { sync: true });
	r('updateMediaCodecs codec without clockRate', o => o.router.updateMediaCodecs([{ kind: 'audio', mimeType: 'audio/opus' }]), 'TypeError', { sync: true });
	r('updateMediaCodecs not an array', o => o.router.updateMediaCodecs('x'), 'TypeError', { sync: true });
}

// ---------------------------------------------------------------- connect
{
	const c = (name, call, ms, extra) => add('connect', 'live', name, call, ms, extra);
	const fresh = o => o.router.createWebRtcTransport({ listenInfos: [listenInfo] });
	const wc = (name, params, ms, extra) => c(`webrtc ${name}`, (o, m, t) => t.connect(params), ms, { prep: fresh, ...extra });
	wc('without arguments', undefined, 'TypeError');
	wc('without dtlsParameters', {}, 'TypeError');
	wc('fingerprints missing', { dtlsParameters: { role: 'client' } }, 'TypeError');
	wc('fingerprints a string', { dtlsParameters: { role: 'client', fingerprints: 'x' } }, 'TypeError');
	wc('fingerprints empty', { dtlsParameters: { role: 'client', fingerprints: [] } }, 'TypeError');
	wc('fingerprint algorithm md5', { dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'md5', value: 'AA' }] } }, 'TypeError');
	wc('fingerprint value missing', { dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256' }] } }, 'TypeError');
	wc('role unknown', { dtlsParameters: { ...dtlsParameters, role: 'both' } }, 'TypeError');
	wc('role a number', { dtlsParameters: { ...dtlsParameters, role: 1 } }, 'TypeError');
	wc('role missing', { dtlsParameters: { fingerprints: dtlsParameters.fingerprints } }, 'ok');
	wc('role an empty string', { dtlsParameters: { ...dtlsParameters, role: '' } }, 'TypeError');
	wc('fingerprint algorithm upper case', { dtlsParameters: { ...dtlsParameters, fingerprints: [{ ...dtlsParameters.fingerprints[0], algorithm: 'SHA-256' }] } }, 'TypeError');
	c('webrtc twice', (o, m, t) => t.connect({ dtlsParameters }).then(() => t.connect({ dtlsParameters })), 'Error', { prep: fresh });

	const freshPlain = options => o => o.router.createPlainTransport({ listenInfo, ...options });
	const pc = (name, options, params, ms, extra) => c(`plain ${name}`, (o, m, t) => t.connect(params), ms, { prep: freshPlain(options), ...extra });
	pc('without arguments', {}, undefined, 'TypeError');
	pc('ip missing', {}, { port: 5000 }, 'TypeError');
	pc('port missing', {}, { ip: '127.0.0.1' }, 'TypeError');
	pc('ip not an IP', {}, { ip: 'nope', port: 5000 }, 'TypeError');
	pc('port 70000', {}, { ip: '127.0.0.1', port: 70000 }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_REMOTE_PORT });
	pc('port -5', {}, { ip: '127.0.0.1', port: -5 }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_REMOTE_PORT });
	pc('port 1.5', {}, { ip: '127.0.0.1', port: 1.5 }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_REMOTE_PORT });
	pc('port a string', {}, { ip: '127.0.0.1', port: 'x' }, 'TypeError');
	pc('port 0', {}, { ip: '127.0.0.1', port: 0 }, 'ok');
	pc('rtcpPort missing without rtcpMux', { rtcpMux: false }, { ip: '127.0.0.1', port: 5000 }, 'TypeError');
	pc('rtcpPort 70000 without rtcpMux', { rtcpMux: false }, { ip: '127.0.0.1', port: 5000, rtcpPort: 70000 }, 'ok', { ferrosoup: 'TypeError', why: WRAPS_REMOTE_PORT });
	pc('srtpParameters missing with enableSrtp', { enableSrtp: true }, { ip: '127.0.0.1', port: 5000 }, 'TypeError');
	pc('srtpParameters cryptoSuite unknown', { enableSrtp: true }, { ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'AES_FOO', keyBase64: 'ZnCbY7xXBIMvaTRsZaAPIjt1M6slgEJGQDoyzvg0ZQ8Q/mLw5/KCXaA9cQN2BA==' } }, 'TypeError');
	pc('srtpParameters key too short', { enableSrtp: true }, { ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: 'AAAA' } }, 'TypeError');
	pc('srtpParameters keyBase64 missing', { enableSrtp: true }, { ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80' } }, 'TypeError');
	c('plain twice', (o, m, t) => t.connect({ ip: '127.0.0.1', port: 5000 }).then(() => t.connect({ ip: '127.0.0.1', port: 5001 })), 'Error', { prep: freshPlain({}) });

	const freshPipe = options => o => o.router.createPipeTransport({ listenInfo, ...options });
	const GCM_KEY = 'YTdjcDBvY2JoMGY5YXNlNDc0eDJsdGgwaWRvNnJsamRrdG16aWVpZHphdHo=';
	const pic = (name, options, params, ms, extra) => c(`pipe ${name}`, (o, m, t) => t.connect(params), ms, { prep: freshPipe(options), ...extra });
	pic('without arguments', {}, undefined, 'TypeError');
	pic('ip missing', {}, { port: 5000 }, 'TypeError');
	pic('port missing', {}, { ip: '127.0.0.1' }, 'TypeError');
	pic('ip not an IP', {}, { ip: 'nope', port: 5000 }, 'TypeError');
	pic('srtpParameters without enableSrtp', {}, { ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: GCM_KEY } }, 'TypeError');
	pic('srtpParameters missing with enableSrtp', { enableSrtp: true }, { ip: '127.0.0.1', port: 5000 }, 'TypeError');
	pic('srtpParameters another suite', { enableSrtp: true }, { ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: 'ZnCbY7xXBIMvaTRsZaAPIjt1M6slgEJGQDoyzvg0' } }, 'TypeError');
	pic('srtpParameters key too short', { enableSrtp: true }, { ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: 'AAAA' } }, 'TypeError');
	pic('srtpParameters valid', { enableSrtp: true }, { ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: GCM_KEY } }, 'ok');
	c('pipe twice', (o, m, t) => t.connect({ ip: '127.0.0.1', port: 5000 }).then(() => t.connect({ ip: '127.0.0.1', port: 5001 })), 'Error', { prep: freshPipe({}) });
	c('pipe consume unknown producer', (o, m, t) => t.consume({ producerId: 'nope' }), 'NotFoundError', { prep: freshPipe({}) });
	c('pipe consume without producerId', (o, m, t) => t.consume({}), 'TypeError', { prep: freshPipe({}) });

	c('direct with anything', o => o.direct.connect({ dtlsParameters: 'x' }), 'ok');
}

// ---------------------------------------------------------------- transport setters
{
	const s = (name, call, ms, extra) => add('setters', 'live', name, call, ms, extra);
	for (const method of ['setMaxIncomingBitrate', 'setMaxOutgoingBitrate', 'setMinOutgoingBitrate']) {
		s(`${method} NaN`, o => o.webrtc[method](NaN), 'RangeError');
		s(`${method} Infinity`, o => o.webrtc[method](Infinity), 'RangeError');
		s(`${method} -1`, o => o.webrtc[method](-1), 'TypeError');
		s(`${method} 0`, o => o.webrtc[method](0), 'ok');
		s(`${method} a string`, o => o.webrtc[method]('x'), 'SyntaxError');
		s(`${method} a numeric string`, o => o.webrtc[method]('1000000'), 'ok');
		s(`${method} null`, o => o.webrtc[method](null), 'TypeError');
		s(`${method} 2^64 (wraps to 0, unlimited)`, o => o.webrtc[method](2 ** 64), 'ok');
		s(`${method} 2^40`, o => o.webrtc[method](2 ** 40), 'ok');
		s(`${method} 2^63`, o => o.webrtc[method](2 ** 63), 'TypeError');
		s(`${method} undefined`, o => o.webrtc[method](), 'TypeError');
		s(`${method} 1.5`, o => o.webrtc[method](1.5), 'RangeError');
		s(`${method} on a DirectTransport`, o => o.direct[method](100000), 'UnsupportedError');
	}
	s('setMinOutgoingBitrate above the max', async o => {
		const t = await o.router.createWebRtcTransport({ listenInfos: [listenInfo] });
		try {
			await t.setMaxOutgoingBitrate(200000);
			await t.setMinOutgoingBitrate(300000);
		} finally {
			t.close();
		}
	}, 'TypeError');
	s('setMaxOutgoingBitrate below the min', async o => {
		const t = await o.router.createWebRtcTransport({ listenInfos: [listenInfo] });
		try {
			await t.setMinOutgoingBitrate(300000);
			await t.setMaxOutgoingBitrate(200000);
		} finally {
			t.close();
		}
	}, 'TypeError');
	s('setMinOutgoingBitrate 1000 (below 30000)', o => o.webrtc.setMinOutgoingBitrate(1000), 'TypeError');
	s('plain setMaxIncomingBitrate NaN', o => o.plain.setMaxIncomingBitrate(NaN), 'RangeError');

	for (const [label, get] of [
		['transport', o => o.webrtc],
		['producer', o => o.videoProducer],
		['consumer', o => o.consumer],
	]) {
		s(`${label}.enableTraceEvent a string`, o => get(o).enableTraceEvent('bwe'), 'TypeError');
		s(`${label}.enableTraceEvent a number inside`, o => get(o).enableTraceEvent([1]), 'TypeError');
		s(`${label}.enableTraceEvent an unknown type`, o => get(o).enableTraceEvent(['nope']), 'ok');
		s(`${label}.enableTraceEvent null`, o => get(o).enableTraceEvent(null), 'TypeError');
	}
	s('producer.enableTraceEvent a transport type', o => o.videoProducer.enableTraceEvent(['bwe']), 'ok');
	s('consumer.enableTraceEvent "sr" (producer-only type)', o => o.consumer.enableTraceEvent(['sr']), 'ok');
}

// ---------------------------------------------------------------- produce
{
	const p = (name, options, ms, extra) =>
		add('produce', 'live', name, o => o.webrtc.produce(typeof options === 'function' ? options(o) : options), ms, extra);
	p('without arguments', undefined, 'TypeError');
	p('kind missing', () => ({ rtpParameters: audioRtpParameters() }), 'TypeError');
	p('kind "data"', () => ({ kind: 'data', rtpParameters: audioRtpParameters() }), 'TypeError');
	p('kind "Audio"', () => ({ kind: 'Audio', rtpParameters: audioRtpParameters() }), 'TypeError');
	p('rtpParameters missing', { kind: 'audio' }, 'TypeError');
	p('rtpParameters a string', { kind: 'audio', rtpParameters: 'x' }, 'TypeError');
	p('codecs missing', () => ({ kind: 'audio', rtpParameters: audio(x => delete x.codecs) }), 'TypeError');
	p('codecs a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs = 'opus')) }), 'TypeError');
	p('codecs empty', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs = [])) }), 'TypeError');
	p('codec null', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs = [null])) }), 'TypeError');
	p('codec mimeType missing', () => ({ kind: 'audio', rtpParameters: audio(x => delete x.codecs[0].mimeType) }), 'TypeError');
	p('codec mimeType without slash', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].mimeType = 'opus')) }), 'TypeError');
	p('codec payloadType missing', () => ({ kind: 'audio', rtpParameters: audio(x => delete x.codecs[0].payloadType) }), 'TypeError');
	p('codec payloadType a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].payloadType = '111')) }), 'TypeError');
	p('codec payloadType 300', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].payloadType = 300)) }), 'ok', {
		ferrosoup: 'TypeError',
		why: 'an RTP payload type has 7 bits; mediasoup truncates 300 to 44 and maps packets of another payload type',
	});
	p('codec payloadType -1', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].payloadType = -1)) }), 'ok', {
		ferrosoup: 'TypeError',
		why: 'an RTP payload type has 7 bits; mediasoup truncates -1 to 255',
	});
	p('codec clockRate missing', () => ({ kind: 'audio', rtpParameters: audio(x => delete x.codecs[0].clockRate) }), 'TypeError');
	p('codec clockRate a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].clockRate = '48000')) }), 'TypeError');
	p('codec channels a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].channels = 'two')) }), 'UnsupportedError');
	p('codec not in the router', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0] = { mimeType: 'audio/PCMU', payloadType: 0, clockRate: 8000 })) }), 'UnsupportedError');
	p('codec of another kind', () => ({ kind: 'video', rtpParameters: audioRtpParameters() }), 'ok');
	p('opus with 1 channel', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].channels = 1)) }), 'UnsupportedError');
	p('codec parameters a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].parameters = 'x')) }), 'ok');
	p('codec parameter value an object', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].parameters = { foo: {} })) }), 'TypeError');
	p('codec rtcpFeedback a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].rtcpFeedback = 'nack')) }), 'ok');
	p('codec rtcpFeedback entry without type', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].rtcpFeedback = [{ parameter: 'pli' }])) }), 'TypeError');
	p('rtx without apt', () => ({ kind: 'video', rtpParameters: video(x => delete x.codecs[1].parameters) }), 'TypeError');
	p('rtx apt a string', () => ({ kind: 'video', rtpParameters: video(x => (x.codecs[1].parameters.apt = 'x')) }), 'TypeError');
	p('rtx apt of no codec', () => ({ kind: 'video', rtpParameters: video(x => (x.codecs[1].parameters.apt = 120)) }), 'TypeError');
	p('rtx only', () => ({ kind: 'video', rtpParameters: video(x => x.codecs.shift()) }), 'TypeError');
	p('duplicated payloadType', () => ({ kind: 'video', rtpParameters: video(x => (x.codecs[1].payloadType = 96)) }), 'TypeError');
	p('encodings a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings = 'x')) }), 'TypeError');
	p('encoding null', () => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings = [null])) }), 'TypeError');
	p('encoding ssrc a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings[0].ssrc = 'x')) }), 'TypeError');
	p('encoding ssrc -1', () => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings[0].ssrc = -1)) }), 'ok');
	p('encoding ssrc 2^32', () => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings[0].ssrc = 2 ** 32)) }), 'ok');
	p('encoding rid a number', () => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings[0] = { rid: 1 })) }), 'TypeError');
	p('encoding rtx without ssrc', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings[0].rtx = {})) }), 'TypeError');
	p('encoding rtx ssrc a string', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings[0].rtx = { ssrc: 'x' })) }), 'TypeError');
	p('encoding rtx ssrc equal to ssrc', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings[0].rtx.ssrc = x.encodings[0].ssrc)) }), 'Error');
	p('encoding rtx ssrc equal to the ssrc of another encoding', () => ({ kind: 'video', rtpParameters: video(x => x.encodings.push({ ssrc: x.encodings[0].rtx.ssrc })) }), 'Error');
	p('two encodings with the same ssrc', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings = [{ ssrc: x.encodings[0].ssrc }, { ssrc: x.encodings[0].ssrc }])) }), 'Error');
	p('encoding dtx a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings[0].dtx = 'yes')) }), 'ok');
	p('encoding scalabilityMode a number', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings[0].scalabilityMode = 3)) }), 'TypeError');
	p('encoding maxBitrate 1.5', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings[0].maxBitrate = 1.5)) }), 'RangeError');
	p('encoding maxBitrate NaN', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings[0].maxBitrate = NaN)) }), 'RangeError');
	p('encoding maxBitrate a numeric string', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings[0].maxBitrate = '100000')) }), 'ok');
	p('codec payloadType 1.5', () => ({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0].payloadType = 1.5)) }), 'ok', {
		ferrosoup: 'TypeError',
		why: 'not a payload type; mediasoup truncates 1.5 to 1 and maps packets of payload type 1',
	});
	p('encoding maxBitrate a string', () => ({ kind: 'video', rtpParameters: video(x => (x.encodings[0].maxBitrate = 'x')) }), 'SyntaxError');
	p('encoding codecPayloadType unknown', () => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings[0].codecPayloadType = 99)) }), 'TypeError');
	p('ssrc of an existing producer', o => ({ kind: 'audio', rtpParameters: audio(x => (x.encodings[0].ssrc = o.audioProducer.rtpParameters.encodings[0].ssrc)) }), 'Error');
	p('mid a number', () => ({ kind: 'audio', rtpParameters: audio(x => (x.mid = 1)) }), 'TypeError');
	add('produce', 'live', 'mid of an existing producer', (o, m, first) => o.webrtc.produce({ kind: 'audio', rtpParameters: audio(x => (x.mid = first.rtpParameters.mid)) }), 'Error', {
		prep: o => o.webrtc.produce({ kind: 'audio', rtpParameters: audio(x => (x.mid = `dup${ssrc()}`)) }),
	});
	p('headerExtensions a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.headerExtensions = 'x')) }), 'TypeError');
	p('headerExtension without id', () => ({ kind: 'audio', rtpParameters: audio(x => delete x.headerExtensions[0].id) }), 'TypeError');
	p('headerExtension id a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.headerExtensions[0].id = '1')) }), 'TypeError');
	p('headerExtension without uri', () => ({ kind: 'audio', rtpParameters: audio(x => delete x.headerExtensions[0].uri) }), 'TypeError');
	p('headerExtension encrypt a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.headerExtensions[0].encrypt = 'x')) }), 'TypeError');
	p('headerExtension id 300', () => ({ kind: 'audio', rtpParameters: audio(x => (x.headerExtensions[0].id = 300)) }), 'ok', {
		ferrosoup: 'TypeError',
		why: 'a header extension id has at most 8 bits (1-14 one-byte, up to 255 two-byte); mediasoup truncates 300 to 44',
	});
	p('rtcp a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.rtcp = 'x')) }), 'TypeError');
	p('rtcp cname a number', () => ({ kind: 'audio', rtpParameters: audio(x => (x.rtcp.cname = 1)) }), 'TypeError');
	p('rtcp reducedSize a string', () => ({ kind: 'audio', rtpParameters: audio(x => (x.rtcp.reducedSize = 'x')) }), 'ok');
	p('paused a string', () => ({ kind: 'audio', rtpParameters: audioRtpParameters(), paused: 'x' }), 'ok');
	p('keyFrameRequestDelay -1', () => ({ kind: 'video', rtpParameters: videoRtpParameters(), keyFrameRequestDelay: -1 }), 'ok');
	p('keyFrameRequestDelay a string', () => ({ kind: 'video', rtpParameters: videoRtpParameters(), keyFrameRequestDelay: 'x' }), 'ok');
	p('appData a string', () => ({ kind: 'audio', rtpParameters: audioRtpParameters(), appData: 'x' }), 'TypeError');
	p('id of an existing producer', o => ({ id: o.audioProducer.id, kind: 'audio', rtpParameters: audioRtpParameters() }), 'TypeError');
	p('msid a number', () => ({ kind: 'audio', rtpParameters: audio(x => (x.msid = 5)) }), 'TypeError');
	add('produce', 'live', 'on a DirectTransport: codec not in the router', o => o.direct.produce({ kind: 'audio', rtpParameters: audio(x => (x.codecs[0] = { mimeType: 'audio/PCMA', payloadType: 8, clockRate: 8000 })) }), 'UnsupportedError');
	add('produce', 'live', 'on a PlainTransport: rtx ssrc equal to ssrc', o => o.plain.produce({ kind: 'video', rtpParameters: video(x => (x.encodings[0].rtx.ssrc = x.encodings[0].ssrc)) }), 'Error');
}

// ---------------------------------------------------------------- consume
{
	const c = (name, options, ms, extra) =>
		add('consume', 'live', name, o => o.webrtc.consume(typeof options === 'function' ? options(o) : options), ms, extra);
	c('without arguments', undefined, 'TypeError');
	c('producerId missing', o => ({ rtpCapabilities: o.router.rtpCapabilities }), 'TypeError');
	c('producerId a number', o => ({ producerId: 5, rtpCapabilities: o.router.rtpCapabilities }), 'TypeError');
	c('producerId unknown', o => ({ producerId: 'nope', rtpCapabilities: o.router.rtpCapabilities }), 'NotFoundError');
	c('rtpCapabilities missing', o => ({ producerId: o.audioProducer.id }), 'TypeError');
	c('rtpCapabilities a string', o => ({ producerId: o.audioProducer.id, rtpCapabilities: 'x' }), 'TypeError');
	c('rtpCapabilities empty', o => ({ producerId: o.audioProducer.id, rtpCapabilities: {} }), 'UnsupportedError');
	c('rtpCapabilities codecs a string', o => ({ producerId: o.audioProducer.id, rtpCapabilities: { codecs: 'x' } }), 'TypeError');
	c('rtpCapabilities without the codec', o => ({ producerId: o.videoProducer.id, rtpCapabilities: caps(o, x => (x.codecs = x.codecs.filter(k => k.kind === 'audio'))) }), 'UnsupportedError');
	c('rtpCapabilities codec clockRate a string', o => ({ producerId: o.audioProducer.id, rtpCapabilities: caps(o, x => (x.codecs[0].clockRate = 'x')) }), 'TypeError');
	c('rtpCapabilities codec mimeType missing', o => ({ producerId: o.audioProducer.id, rtpCapabilities: caps(o, x => delete x.codecs[0].mimeType) }), 'TypeError');
	c('rtpCapabilities codec kind not matching', o => ({ producerId: o.audioProducer.id, rtpCapabilities: caps(o, x => (x.codecs[0].kind = 'video')) }), 'ok');
	c('rtpCapabilities preferredPayloadType missing', o => ({ producerId: o.audioProducer.id, rtpCapabilities: caps(o, x => delete x.codecs[0].preferredPayloadType) }), 'ok');
	c('rtpCapabilities headerExtension kind unknown', o => ({ producerId: o.audioProducer.id, rtpCapabilities: caps(o, x => (x.headerExtensions[0].kind = 'data')) }), 'TypeError');
	c('rtpCapabilities headerExtension preferredId missing', o => ({ producerId: o.audioProducer.id, rtpCapabilities: caps(o, x => delete x.headerExtensions[0].preferredId) }), 'TypeError');
	c('rtpCapabilities headerExtension direction unknown', o => ({ producerId: o.audioProducer.id, rtpCapabilities: caps(o, x => (x.headerExtensions[0].direction = 'up')) }), 'ok');
	c('rtpCapabilities headerExtensions a string', o => ({ producerId: o.audioProducer.id, rtpCapabilities: caps(o, x => (x.headerExtensions = 'x')) }), 'TypeError');
	c('mid a number', o => ({ producerId: o.audioProducer.id, rtpCapabilities: o.router.rtpCapabilities, mid: 5 }), 'TypeError');
	c('appData a string', o => ({ producerId: o.audioProducer.id, rtpCapabilities: o.router.rtpCapabilities, appData: 'x' }), 'TypeError');
	c('preferredLayers a string', o => ({ producerId: o.videoProducer.id, rtpCapabilities: o.router.rtpCapabilities, preferredLayers: 'x' }), 'ok');
	c('preferredLayers spatialLayer a string', o => ({ producerId: o.videoProducer.id, rtpCapabilities: o.router.rtpCapabilities, preferredLayers: { spatialLayer: 'x' } }), 'ok');
	c('preferredLayers spatialLayer -1', o => ({ producerId: o.videoProducer.id, rtpCapabilities: o.router.rtpCapabilities, preferredLayers: { spatialLayer: -1 } }), 'ok');
	c('paused a string', o => ({ producerId: o.audioProducer.id, rtpCapabilities: o.router.rtpCapabilities, paused: 'x' }), 'ok');
	c('ignoreDtx a string', o => ({ producerId: o.audioProducer.id, rtpCapabilities: o.router.rtpCapabilities, ignoreDtx: 'x' }), 'ok');
	c('enableRtx a string', o => ({ producerId: o.videoProducer.id, rtpCapabilities: o.router.rtpCapabilities, enableRtx: 'x' }), 'ok');
	c('pipe true on a WebRtcTransport', o => ({ producerId: o.audioProducer.id, rtpCapabilities: o.router.rtpCapabilities, pipe: true }), 'ok');
	add('consume', 'live', 'on a DirectTransport: rtpCapabilities empty', o => o.direct.consume({ producerId: o.audioProducer.id, rtpCapabilities: {} }), 'UnsupportedError');
}

// ---------------------------------------------------------------- produceData / consumeData
{
	const pd = (name, options, ms, extra) =>
		add('data', 'live', `produceData ${name}`, o => o.webrtc.produceData(typeof options === 'function' ? options(o) : options), ms, extra);
	pd('without sctpStreamParameters', {}, 'TypeError');
	pd('without arguments', undefined, 'TypeError');
	pd('streamId missing', { sctpStreamParameters: {} }, 'TypeError');
	pd('streamId a string', { sctpStreamParameters: { streamId: '2' } }, 'TypeError');
	pd('streamId -1', { sctpStreamParameters: { streamId: -1 } }, 'TypeError');
	pd('streamId 65535', { sctpStreamParameters: { streamId: 65535 } }, 'TypeError');
	pd('streamId in use', { sctpStreamParameters: { streamId: 1 } }, 'Error');
	pd('ordered and maxPacketLifeTime', { sctpStreamParameters: { streamId: 3, ordered: true, maxPacketLifeTime: 100 } }, 'TypeError');
	pd('ordered and maxRetransmits', { sctpStreamParameters: { streamId: 3, ordered: true, maxRetransmits: 3 } }, 'TypeError');
	pd('maxPacketLifeTime and maxRetransmits', { sctpStreamParameters: { streamId: 3, maxPacketLifeTime: 100, maxRetransmits: 3 } }, 'TypeError');
	pd('maxPacketLifeTime a string', { sctpStreamParameters: { streamId: 3, maxPacketLifeTime: 'x' } }, 'TypeError');
	pd('maxRetransmits a string', { sctpStreamParameters: { streamId: 3, maxRetransmits: 'x' } }, 'TypeError');
	pd('ordered a string', { sctpStreamParameters: { streamId: 3, ordered: 'x' } }, 'ok');
	pd('label a number', { sctpStreamParameters: { streamId: 4 }, label: 5 }, 'ok');
	pd('protocol a number', { sctpStreamParameters: { streamId: 5 }, protocol: 5 }, 'ok');
	pd('appData a string', { sctpStreamParameters: { streamId: 6 }, appData: 'x' }, 'TypeError');
	pd('id of an existing data producer', o => ({ id: o.dataProducer.id, sctpStreamParameters: { streamId: 7 } }), 'TypeError');
	add('data', 'live', 'produceData on a transport without SCTP', o => o.webrtcNoSctp.produceData({ sctpStreamParameters: { streamId: 8 } }), 'Error');
	add('data', 'live', 'produceData on a DirectTransport: label a number', o => o.direct.produceData({ label: 5 }), 'ok');
	add('data', 'live', 'produceData on a DirectTransport: appData a string', o => o.direct.produceData({ appData: 'x' }), 'TypeError');

	const cd = (name, options, ms, extra) =>
		add('data', 'live', `consumeData ${name}`, o => o.webrtc.consumeData(typeof options === 'function' ? options(o) : options), ms, extra);
	cd('without arguments', undefined, 'TypeError');
	cd('dataProducerId missing', {}, 'TypeError');
	cd('dataProducerId a number', { dataProducerId: 5 }, 'TypeError');
	cd('dataProducerId unknown', { dataProducerId: 'nope' }, 'NotFoundError');
	cd('appData a string', o => ({ dataProducerId: o.dataProducer.id, appData: 'x' }), 'TypeError');
	cd('subchannels a string', o => ({ dataProducerId: o.dataProducer.id, subchannels: 'x' }), 'ok');
	cd('subchannels [-1]', o => ({ dataProducerId: o.dataProducer.id, subchannels: [-1] }), 'ok');
	cd('subchannels [70000]', o => ({ dataProducerId: o.dataProducer.id, subchannels: [70000] }), 'ok');
	cd('subchannels ["a"]', o => ({ dataProducerId: o.dataProducer.id, subchannels: ['a'] }), 'ok');
	cd('maxPacketLifeTime a string', o => ({ dataProducerId: o.dataProducer.id, maxPacketLifeTime: 'x' }), 'ok');
	cd('maxRetransmits -1', o => ({ dataProducerId: o.dataProducer.id, maxRetransmits: -1 }), 'ok');
	cd('ordered and maxRetransmits', o => ({ dataProducerId: o.dataProducer.id, ordered: true, maxRetransmits: 3 }), 'ok');
	cd('paused a string', o => ({ dataProducerId: o.dataProducer.id, paused: 'x' }), 'ok');
	add('data', 'live', 'consumeData on a transport without SCTP', o => o.webrtcNoSctp.consumeData({ dataProducerId: o.dataProducer.id }), 'Error');
	add('data', 'live', 'consumeData on a DirectTransport: dataProducerId unknown', o => o.direct.consumeData({ dataProducerId: 'nope' }), 'NotFoundError');
	add('data', 'live', 'consumeData on a DirectTransport: subchannels a string', o => o.direct.consumeData({ dataProducerId: o.directDataProducer.id, subchannels: 'x' }), 'ok');
}

// ---------------------------------------------------------------- object methods with bad arguments
{
	const m = (name, call, ms, extra) => add('methods', 'live', name, call, ms, extra);
	m('consumer.setPreferredLayers without arguments', o => o.consumer.setPreferredLayers(), 'TypeError');
	m('consumer.setPreferredLayers {}', o => o.consumer.setPreferredLayers({}), 'TypeError');
	m('consumer.setPreferredLayers spatialLayer a string', o => o.consumer.setPreferredLayers({ spatialLayer: '1' }), 'TypeError');
	m('consumer.setPreferredLayers temporalLayer a string', o => o.consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 'x' }), 'TypeError');
	m('consumer.setPreferredLayers spatialLayer -1', o => o.consumer.setPreferredLayers({ spatialLayer: -1 }), 'ok');
	m('consumer.setPreferredLayers spatialLayer 300', o => o.consumer.setPreferredLayers({ spatialLayer: 300 }), 'ok');
	m('consumer.setPreferredLayers spatialLayer NaN', o => o.consumer.setPreferredLayers({ spatialLayer: NaN }), 'ok');
	m('consumer.setPriority -1', o => o.consumer.setPriority(-1), 'TypeError');
	m('consumer.setPriority a string', o => o.consumer.setPriority('1'), 'TypeError');
	m('consumer.setPriority NaN', o => o.consumer.setPriority(NaN), 'TypeError');
	m('consumer.setPriority Infinity', o => o.consumer.setPriority(Infinity), 'TypeError');
	m('consumer.setPriority 1e12', o => o.consumer.setPriority(1e12), 'TypeError');
	m('consumer.setPriority 0', o => o.consumer.setPriority(0), 'TypeError');
	m('consumer.setPriority 256', o => o.consumer.setPriority(256), 'TypeError');
	m('consumer.setPriority 0.5', o => o.consumer.setPriority(0.5), 'TypeError');
	m('consumer.setPriority 1.5', o => o.consumer.setPriority(1.5), 'ok');
	m('consumer.setPriority 300', o => o.consumer.setPriority(300), 'ok', {
		ferrosoup: 'TypeError',
		why: 'priority is 8 bits; mediasoup wraps 300 to 44, below what the app meant',
	});
	m('consumer.setPriority undefined', o => o.consumer.setPriority(), 'TypeError');
	m('dataConsumer.setSubchannels a string', o => o.dataConsumer.setSubchannels('x'), 'ok');
	m('dataConsumer.setSubchannels undefined', o => o.dataConsumer.setSubchannels(), 'ok');
	m('dataConsumer.setSubchannels [-1]', o => o.dataConsumer.setSubchannels([-1]), 'ok');
	m('dataConsumer.setSubchannels [70000]', o => o.dataConsumer.setSubchannels([70000]), 'ok');
	m('dataConsumer.setSubchannels ["a"]', o => o.dataConsumer.setSubchannels(['a']), 'ok');
	m('dataConsumer.addSubchannel a string', o => o.dataConsumer.addSubchannel('x'), 'ok');
	m('dataConsumer.addSubchannel -1', o => o.dataConsumer.addSubchannel(-1), 'ok');
	m('dataConsumer.removeSubchannel a string', o => o.dataConsumer.removeSubchannel('x'), 'ok');
	m('dataConsumer.setBufferedAmountLowThreshold -1', o => o.dataConsumer.setBufferedAmountLowThreshold(-1), 'ok');
	m('dataConsumer.setBufferedAmountLowThreshold a string', o => o.dataConsumer.setBufferedAmountLowThreshold('x'), 'ok');
	m('dataConsumer.setBufferedAmountLowThreshold NaN', o => o.dataConsumer.setBufferedAmountLowThreshold(NaN), 'ok');
	m('dataConsumer.send a number', o => o.dataConsumer.send(5), 'TypeError');
	m('directDataConsumer.send on a DirectTransport', o => o.directDataConsumer.send('hi'), 'TypeError');
	m('directDataProducer.send a number', o => o.directDataProducer.send(5), 'TypeError', { sync: true });
	m('directDataProducer.send ppid a string', o => o.directDataProducer.send('hi', 'x'), 'ok', { sync: true });
	m('directProducer.send a string', o => o.directProducer.send('x'), 'TypeError', { sync: true });
	m('direct.sendRtcp a string', o => o.direct.sendRtcp('x'), 'TypeError', { sync: true });
	m('webrtc.restartIce twice concurrently', o => Promise.all([o.webrtc.restartIce(), o.webrtc.restartIce()]), 'ok');

	const ob = (name, call, ms, extra) => add('observers', 'live', name, call, ms, extra);
	for (const label of ['audioLevelObserver', 'activeSpeakerObserver']) {
		ob(`${label}.addProducer unknown id`, o => o[label].addProducer({ producerId: 'nope' }), 'NotFoundError');
		ob(`${label}.removeProducer unknown id`, o => o[label].removeProducer({ producerId: 'nope' }), 'NotFoundError');
		ob(`${label}.addProducer without arguments`, o => o[label].addProducer(), 'TypeError');
		ob(`${label}.addProducer producerId a number`, o => o[label].addProducer({ producerId: 5 }), 'NotFoundError');
		ob(`${label}.addProducer a video producer`, o => o[label].addProducer({ producerId: o.videoProducer.id }), 'TypeError');
		ob(`${label}.removeProducer not added`, o => o[label].removeProducer({ producerId: o.audioProducer.id }), 'ok');
	}
	ob('appData setter a string', o => {
		o.audioProducer.appData = 'x';
	}, 'ok', { sync: true });
}

// ---------------------------------------------------------------- closed objects
{
	const cl = (name, call, ms, extra) => add('closed', 'closed', name, call, ms, extra);
	for (const method of ['dump', 'getStats', 'pause', 'resume', 'enableTraceEvent']) {
		cl(`producer.${method}`, o => o.producer[method](), 'NotFoundError');
	}
	cl('producer.send (DirectTransport)', o => o.directProducer.send(Buffer.alloc(20)), 'ok', { sync: true });
	for (const method of ['dump', 'getStats', 'pause', 'resume', 'requestKeyFrame', 'unsetPriority', 'enableTraceEvent']) {
		cl(`consumer.${method}`, o => o.consumer[method](), 'NotFoundError');
	}
	cl('consumer.setPriority', o => o.consumer.setPriority(2), 'NotFoundError');
	cl('consumer.setPreferredLayers', o => o.consumer.setPreferredLayers({ spatialLayer: 0 }), 'NotFoundError');
	for (const method of ['dump', 'getStats', 'pause', 'resume']) {
		cl(`dataProducer.${method}`, o => o.dataProducer[method](), 'NotFoundError');
	}
	cl('dataProducer.send (DirectTransport)', o => o.directDataProducer.send('hi'), 'ok', { sync: true });
	for (const method of ['dump', 'getStats', 'pause', 'resume', 'getBufferedAmount']) {
		cl(`dataConsumer.${method}`, o => o.dataConsumer[method](), 'NotFoundError');
	}
	cl('dataConsumer.setBufferedAmountLowThreshold', o => o.dataConsumer.setBufferedAmountLowThreshold(10), 'NotFoundError');
	cl('dataConsumer.send', o => o.dataConsumer.send('hi'), 'NotFoundError');
	cl('dataConsumer.setSubchannels', o => o.dataConsumer.setSubchannels([1]), 'NotFoundError');
	cl('dataConsumer.addSubchannel', o => o.dataConsumer.addSubchannel(1), 'NotFoundError');
	cl('dataConsumer.removeSubchannel', o => o.dataConsumer.removeSubchannel(1), 'NotFoundError');
	for (const label of ['audioLevelObserver', 'activeSpeakerObserver']) {
		cl(`${label}.pause`, o => o[label].pause(), 'NotFoundError');
		cl(`${label}.resume`, o => o[label].resume(), 'NotFoundError');
		cl(`${label}.addProducer`, o => o[label].addProducer({ producerId: o.audioProducer.id }), 'NotFoundError');
		cl(`${label}.removeProducer`, o => o[label].removeProducer({ producerId: o.audioProducer.id }), 'NotFoundError');
	}
	const t = o => o.closedTransport;
	for (const method of ['dump', 'getStats', 'restartIce', 'enableTraceEvent']) {
		cl(`webRtcTransport.${method}`, o => t(o)[method](), 'NotFoundError');
	}
	cl('webRtcTransport.connect', o => t(o).connect({ dtlsParameters }), 'NotFoundError');
	for (const method of ['setMaxIncomingBitrate', 'setMaxOutgoingBitrate', 'setMinOutgoingBitrate']) {
		cl(`webRtcTransport.${method}`, o => t(o)[method](100000), 'NotFoundError');
	}
	cl('webRtcTransport.produce', o => t(o).produce({ kind: 'audio', rtpParameters: audioRtpParameters() }), 'NotFoundError');
	cl('webRtcTransport.consume', o => t(o).consume({ producerId: o.audioProducer.id, rtpCapabilities: o.router.rtpCapabilities }), 'NotFoundError');
	cl('webRtcTransport.produceData', o => t(o).produceData({ sctpStreamParameters: { streamId: 1 } }), 'NotFoundError');
	cl('webRtcTransport.consumeData', o => t(o).consumeData({ dataProducerId: o.dataProducer.id }), 'NotFoundError');
	cl('plainTransport.connect', o => o.closedPlain.connect({ ip: '127.0.0.1', port: 5000 }), 'NotFoundError');
	cl('plainTransport.getStats', o => o.closedPlain.getStats(), 'NotFoundError');
	cl('directTransport.dump', o => o.closedDirect.dump(), 'NotFoundError');
	cl('directTransport.connect', o => o.closedDirect.connect(), 'ok');
	cl('directTransport.produceData', o => o.closedDirect.produceData(), 'NotFoundError');
	cl('directTransport.sendRtcp', o => o.closedDirect.sendRtcp(Buffer.alloc(8)), 'ok', { sync: true });
	const r = o => o.closedRouter;
	cl('router.dump', o => r(o).dump(), 'NotFoundError');
	cl('router.createWebRtcTransport', o => r(o).createWebRtcTransport({ listenInfos: [listenInfo] }), 'NotFoundError');
	cl('router.createPlainTransport', o => r(o).createPlainTransport({ listenInfo }), 'NotFoundError');
	cl('router.createPipeTransport', o => r(o).createPipeTransport({ listenInfo }), 'NotFoundError');
	cl('router.createDirectTransport', o => r(o).createDirectTransport(), 'NotFoundError');
	cl('router.createActiveSpeakerObserver', o => r(o).createActiveSpeakerObserver(), 'NotFoundError');
	cl('router.createAudioLevelObserver', o => r(o).createAudioLevelObserver(), 'NotFoundError');
	cl('router.canConsume', o => r(o).canConsume({ producerId: o.audioProducer.id, rtpCapabilities: o.router.rtpCapabilities }), 'ok', { sync: true });
	cl('router.updateMediaCodecs', o => r(o).updateMediaCodecs([OPUS]), 'ok', { sync: true });
	cl('webRtcServer.dump', o => o.closedWebRtcServer.dump(), 'NotFoundError');
	cl('createWebRtcTransport on a closed webRtcServer', o => o.router.createWebRtcTransport({ webRtcServer: o.closedWebRtcServer }), 'Error');

	const wc = (name, call, ms, extra) => add('closed', 'workerClosed', `closed worker: ${name}`, call, ms, extra);
	for (const method of ['dump', 'getResourceUsage']) {
		wc(`worker.${method}`, o => o.worker[method](), 'WorkerClosedError');
	}
	wc('worker.updateSettings', o => o.worker.updateSettings({ logLevel: 'warn' }), 'WorkerClosedError');
	wc('worker.createRouter', o => o.worker.createRouter({ mediaCodecs: [OPUS] }), 'WorkerClosedError');
	wc('worker.createRouter invalid codecs', o => o.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/foo', clockRate: 8000 }] }), 'UnsupportedError');
	wc('worker.createWebRtcServer', o => o.worker.createWebRtcServer({ listenInfos: [listenInfo] }), 'WorkerClosedError');
	wc('router.dump', o => o.router.dump(), 'WorkerClosedError');
	wc('router.createWebRtcTransport', o => o.router.createWebRtcTransport({ listenInfos: [listenInfo] }), 'WorkerClosedError');
	wc('router.createPlainTransport', o => o.router.createPlainTransport({ listenInfo }), 'WorkerClosedError');
	wc('router.createPipeTransport', o => o.router.createPipeTransport({ listenInfo }), 'WorkerClosedError');
	wc('router.createDirectTransport', o => o.router.createDirectTransport(), 'WorkerClosedError');
	wc('router.createAudioLevelObserver', o => o.router.createAudioLevelObserver(), 'WorkerClosedError');
	wc('router.createActiveSpeakerObserver', o => o.router.createActiveSpeakerObserver(), 'WorkerClosedError');
	wc('webRtcServer.dump', o => o.webRtcServer.dump(), 'WorkerClosedError');
	wc('transport.dump', o => o.webrtc.dump(), 'WorkerClosedError');
	wc('transport.connect', o => o.webrtc.connect({ dtlsParameters }), 'WorkerClosedError');
	wc('transport.setMaxIncomingBitrate', o => o.webrtc.setMaxIncomingBitrate(100000), 'WorkerClosedError');
	wc('transport.produce', o => o.webrtc.produce({ kind: 'audio', rtpParameters: audioRtpParameters() }), 'WorkerClosedError');
	wc('transport.consume', o => o.webrtc.consume({ producerId: o.audioProducer.id, rtpCapabilities: o.router.rtpCapabilities }), 'NotFoundError');
	wc('transport.produceData', o => o.webrtc.produceData({ sctpStreamParameters: { streamId: 9 } }), 'WorkerClosedError');
	wc('producer.getStats', o => o.audioProducer.getStats(), 'WorkerClosedError');
	wc('producer.pause', o => o.audioProducer.pause(), 'WorkerClosedError');
	wc('consumer.dump', o => o.consumer.dump(), 'WorkerClosedError');
	wc('consumer.setPriority', o => o.consumer.setPriority(2), 'WorkerClosedError');
	wc('dataProducer.dump', o => o.dataProducer.dump(), 'WorkerClosedError');
	wc('dataConsumer.getBufferedAmount', o => o.dataConsumer.getBufferedAmount(), 'WorkerClosedError');
	wc('directDataProducer.send', o => o.directDataProducer.send('hi'), 'WorkerClosedError', { sync: true });
	wc('directProducer.send', o => o.directProducer.send(Buffer.alloc(20)), 'WorkerClosedError', { sync: true });
	wc('audioLevelObserver.pause', o => o.audioLevelObserver.pause(), 'WorkerClosedError');
	wc('activeSpeakerObserver.addProducer', o => o.activeSpeakerObserver.addProducer({ producerId: o.audioProducer.id }), 'NotFoundError');
}

module.exports = { rows, ssrc };
