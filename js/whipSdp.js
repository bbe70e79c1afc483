'use strict';

// SDP side of the WHIP/WHEP helper (js/whip.js): reads a client's offer
// (sdp-transform) into what a WebRtcTransport needs (ICE and DTLS
// parameters, a Producer's RTP parameters per sendonly m-line, consumer RTP
// capabilities per recvonly m-line) and writes the answer of an ICE-lite
// server from the transport and the producers or consumers it made.

const crypto = require('node:crypto');
const sdpTransform = require('sdp-transform');
const { isRtxCodec, matchCodecs } = require('./ortc/codecs');

/** An offer (or SDP fragment) we cannot read: answered with 400. */
class SdpError extends Error {
	constructor(message) {
		super(message);
		this.name = 'SdpError';
	}
}

/** Parses an SDP offer, checking what a WebRTC offer must carry. */
function parseOffer(text) {
	if (typeof text !== 'string' || !/^v=0\r?\n/.test(text)) {
		throw new SdpError('not an SDP offer (no "v=0" first line)');
	}
	let sdp;
	try {
		sdp = sdpTransform.parse(text);
	} catch (error) {
		throw new SdpError(`unparsable SDP: ${error.message}`);
	}
	if (!Array.isArray(sdp.media) || sdp.media.length === 0) {
		throw new SdpError('the offer has no m= section');
	}
	for (const media of sdp.media) {
		if (media.mid === undefined || media.mid === '') {
			throw new SdpError(`an m=${media.type} section has no a=mid`);
		}
	}
	const ice = iceParametersOf(sdp, sdp.media[0]);
	if (!ice) {
		throw new SdpError('the offer has no a=ice-ufrag/a=ice-pwd');
	}
	const fingerprint = sdp.media[0].fingerprint ?? sdp.fingerprint;
	if (!fingerprint) {
		throw new SdpError('the offer has no a=fingerprint');
	}
	return sdp;
}

/** Parses an application/trickle-ice-sdpfrag body (RFC 8840). */
function parseFragment(text) {
	if (typeof text !== 'string') {
		throw new SdpError('empty SDP fragment');
	}
	let frag;
	try {
		frag = sdpTransform.parse(text);
	} catch (error) {
		throw new SdpError(`unparsable SDP fragment: ${error.message}`);
	}
	const media = frag.media ?? [];
	const candidates = media.flatMap((m) => m.candidates ?? []);
	return { ice: iceParametersOf(frag, media[0]), candidates };
}

/** The remote ICE username fragment and password (media or session level). */
function iceParametersOf(sdp, media) {
	const usernameFragment = media?.iceUfrag ?? sdp.iceUfrag;
	const password = media?.icePwd ?? sdp.icePwd;
	return usernameFragment && password ? { usernameFragment, password } : null;
}

/**
 * The client's DTLS parameters for transport.connect() and the a=setup of
 * our answer. An actpass or active client is the DTLS client, so the
 * server (the WebRtcTransport) is the DTLS server and answers passive.
 */
function remoteDtls(sdp) {
	const media = sdp.media[0];
	const fingerprint = media.fingerprint ?? sdp.fingerprint;
	const setup = media.setup ?? sdp.setup ?? 'actpass';
	const role = setup === 'passive' ? 'server' : 'client';
	return {
		dtlsParameters: { role, fingerprints: [{ algorithm: fingerprint.type.toLowerCase(), value: fingerprint.hash }] },
		answerSetup: role === 'client' ? 'passive' : 'active',
	};
}

/** Whether an offered m-line sends media to us (WHIP) or wants to receive it (WHEP). */
function offersToSend(media) {
	const direction = media.direction ?? 'sendrecv';
	return direction === 'sendonly' || direction === 'sendrecv';
}

function offersToReceive(media) {
	const direction = media.direction ?? 'sendrecv';
	return direction === 'recvonly' || direction === 'sendrecv';
}

/**
 * An audio/video m-line on offer: port 0 means rejected unless the m-line
 * is a=bundle-only (JSEP: it rides the BUNDLE transport; GStreamer's
 * webrtcbin offers every m-line after the first so).
 */
function isRtpMedia(media) {
	return (
		(media.type === 'audio' || media.type === 'video') &&
		/RTP/.test(media.protocol) &&
		(media.port !== 0 || media.bundleOnly === 'bundle-only')
	);
}

/** The codecs of an m-line, in the offer's order of preference. */
function offeredCodecs(media) {
	const order = String(media.payloads ?? '')
		.split(' ')
		.map(Number)
		.filter((pt) => Number.isInteger(pt));
	const codecs = [];
	for (const payloadType of order) {
		const rtp = (media.rtp ?? []).find((r) => r.payload === payloadType);
		if (!rtp) {
			continue;
		}
		const fmtp = (media.fmtp ?? []).find((f) => f.payload === payloadType);
		const parameters = fmtp ? sdpTransform.parseParams(fmtp.config) : {};
		const rtcpFeedback = (media.rtcpFb ?? [])
			.filter((fb) => fb.payload === payloadType || fb.payload === '*')
			.map((fb) => (fb.subtype ? { type: fb.type, parameter: fb.subtype } : { type: fb.type }));
		const codec = {
			mimeType: `${media.type}/${rtp.codec}`,
			payloadType,
			clockRate: rtp.rate,
			parameters,
			rtcpFeedback,
		};
		if (media.type === 'audio') {
			codec.channels = rtp.encoding ? Number(rtp.encoding) : 1;
		}
		codecs.push(codec);
	}
	return codecs;
}

/** The router capability codec `codec` matches (strictly), if any. */
function routerCodecFor(codec, routerCaps, kind) {
	return routerCaps.codecs.find(
		(cap) => cap.kind === kind && !isRtxCodec(cap) && matchCodecs(codec, cap, { strict: true, modify: true })
	);
}

/** Keeps the feedback types the router supports for that codec. */
function supportedFeedback(offered, capCodec) {
	const caps = capCodec.rtcpFeedback ?? [];
	return offered.filter((fb) => caps.some((c) => c.type === fb.type && (c.parameter ?? '') === (fb.parameter ?? '')));
}

/** Offered header extensions the router takes in `direction` ('recv' | 'send'). */
function supportedExtensions(media, routerCaps, direction) {
	const ok = direction === 'recv' ? ['sendrecv', 'recvonly'] : ['sendrecv', 'sendonly'];
	return (media.ext ?? [])
		.filter((ext) =>
			routerCaps.headerExtensions.some(
				(cap) => cap.kind === media.type && cap.uri === ext.uri && ok.includes(cap.direction ?? 'sendrecv')
			)
		)
		.map((ext) => ({ uri: ext.uri, id: ext.value }));
}

/**
 * A Producer's RTP parameters for a sendonly m-line of a WHIP offer: the
 * client's first codec the router supports (and its RTX), the extensions
 * the router reads, and one encoding per a=rid (simulcast) or the SSRCs
 * of a=ssrc-group:FID / a=ssrc. Null when no codec fits (m-line rejected).
 */
function producerParameters(media, routerCaps) {
	const codecs = offeredCodecs(media);
	let chosen;
	let capCodec;
	for (const codec of codecs) {
		if (isRtxCodec(codec) || /\/(red|ulpfec|flexfec-03|telephone-event|cn)$/i.test(codec.mimeType)) {
			continue;
		}
		capCodec = routerCodecFor(codec, routerCaps, media.type);
		if (capCodec) {
			chosen = codec;
			break;
		}
	}
	if (!chosen) {
		return null;
	}
	chosen.rtcpFeedback = supportedFeedback(chosen.rtcpFeedback, capCodec);
	const rtx = codecs.find((c) => isRtxCodec(c) && Number(c.parameters.apt) === chosen.payloadType);
	const rtpCodecs = [chosen];
	if (rtx) {
		rtpCodecs.push({ ...rtx, parameters: { apt: chosen.payloadType }, rtcpFeedback: [] });
	}
	const rtpParameters = {
		mid: String(media.mid),
		codecs: rtpCodecs,
		headerExtensions: supportedExtensions(media, routerCaps, 'recv'),
		encodings: producerEncodings(media, Boolean(rtx)),
		rtcp: { cname: cnameOf(media), reducedSize: Boolean(media.rtcpRsize), mux: true },
	};
	return { kind: media.type, rtpParameters };
}

/** Simulcast rids we receive (a=simulcast:send ...), in the client's order. */
function sentRids(media) {
	const simulcast = media.simulcast;
	if (!simulcast) {
		return [];
	}
	const list = simulcast.dir1 === 'send' ? simulcast.list1 : simulcast.dir2 === 'send' ? simulcast.list2 : '';
	return String(list ?? '')
		.split(';')
		.map((alternatives) => alternatives.split(',')[0].replace(/^~/, ''))
		.filter(Boolean);
}

function producerEncodings(media, withRtx) {
	const rids = sentRids(media);
	if (rids.length > 0) {
		return rids.map((rid) => ({ rid }));
	}
	const ssrcs = [...new Set((media.ssrcs ?? []).map((s) => Number(s.id)))];
	if (ssrcs.length === 0) {
		// No SSRC announced: the MID extension routes the stream.
		return [{}];
	}
	const fid = (media.ssrcGroups ?? []).find((g) => g.semantics === 'FID');
	if (fid) {
		const [ssrc, rtxSsrc] = fid.ssrcs.split(' ').map(Number);
		return [withRtx && rtxSsrc ? { ssrc, rtx: { ssrc: rtxSsrc } } : { ssrc }];
	}
	return [{ ssrc: ssrcs[0] }];
}

function cnameOf(media) {
	return (media.ssrcs ?? []).find((s) => s.attribute === 'cname')?.value;
}

/**
 * RTP capabilities of a WHEP client from one recvonly m-line, for
 * transport.consume(): every offered codec the router has (with the
 * client's payload types; RTX by apt) and the offered extensions.
 */
function consumerCapabilities(media, routerCaps) {
	const codecs = [];
	const offered = offeredCodecs(media);
	for (const codec of offered) {
		if (isRtxCodec(codec)) {
			continue;
		}
		const capCodec = routerCodecFor(codec, routerCaps, media.type);
		if (!capCodec) {
			continue;
		}
		codecs.push({
			kind: media.type,
			mimeType: codec.mimeType,
			preferredPayloadType: codec.payloadType,
			clockRate: codec.clockRate,
			...(codec.channels !== undefined && { channels: codec.channels }),
			parameters: codec.parameters,
			rtcpFeedback: supportedFeedback(codec.rtcpFeedback, capCodec),
		});
		const rtx = offered.find((c) => isRtxCodec(c) && Number(c.parameters.apt) === codec.payloadType);
		if (rtx) {
			codecs.push({
				kind: media.type,
				mimeType: rtx.mimeType,
				preferredPayloadType: rtx.payloadType,
				clockRate: rtx.clockRate,
				parameters: { apt: codec.payloadType },
				rtcpFeedback: [],
			});
		}
	}
	const headerExtensions = supportedExtensions(media, routerCaps, 'send').map((ext) => ({
		kind: media.type,
		uri: ext.uri,
		preferredId: ext.id,
		direction: 'sendrecv',
	}));
	return { codecs, headerExtensions };
}

/**
 * RTP parameters for answering an audio/video m-line we take nothing on as
 * inactive (its first offered codec): unlike a port-0 rejection it stays in
 * the BUNDLE group, whose first m-line Chromium will not see rejected.
 */
function inactiveParameters(media) {
	const codec = offeredCodecs(media).find((c) => !isRtxCodec(c));
	return codec ? { codecs: [{ ...codec, rtcpFeedback: [] }], headerExtensions: [], encodings: [] } : undefined;
}

/**
 * Whether RTP sent with `codecs` (a consumer's, or the router's it would
 * get) can go in an answer to `offer`: each payload type is either unused
 * in the offer or offered for that very codec. The offerer keeps its own
 * meaning of a payload type it offered (Chromium does, across the whole
 * BUNDLE group), so a clash leaves the stream undecodable.
 */
function payloadTypesFit(offer, codecs) {
	const offered = new Map();
	for (const media of offer.media) {
		for (const codec of offeredCodecs(media)) {
			offered.set(codec.payloadType, codec);
		}
	}
	return codecs.every((codec) => {
		const other = offered.get(codec.payloadType);
		if (!other) {
			return true;
		}
		if (other.mimeType.toLowerCase() !== codec.mimeType.toLowerCase() || other.clockRate !== codec.clockRate) {
			return false;
		}
		return !isRtxCodec(codec) || Number(other.parameters.apt) === Number(codec.parameters.apt);
	});
}

/** The payload type the offer gives `capCodec` in `media`, if it offers it. */
function offeredPayloadType(media, capCodec) {
	return offeredCodecs(media).find(
		(codec) => !isRtxCodec(codec) && matchCodecs(codec, capCodec, { strict: true })
	)?.payloadType;
}

// --- answer -----------------------------------------------------------------

function fmtpConfig(parameters) {
	return Object.entries(parameters ?? {})
		.map(([key, value]) => `${key}=${value}`)
		.join(';');
}

/** The rtpmap/fmtp/rtcp-fb/extmap lines of `rtpParameters`. */
function codecLines(rtpParameters) {
	const lines = { rtp: [], fmtp: [], rtcpFb: [], ext: [] };
	for (const codec of rtpParameters.codecs) {
		const [, name] = codec.mimeType.split('/');
		lines.rtp.push({
			payload: codec.payloadType,
			codec: name,
			rate: codec.clockRate,
			...(codec.channels > 1 && { encoding: codec.channels }),
		});
		const config = fmtpConfig(codec.parameters);
		if (config) {
			lines.fmtp.push({ payload: codec.payloadType, config });
		}
		for (const fb of codec.rtcpFeedback ?? []) {
			lines.rtcpFb.push({ payload: codec.payloadType, type: fb.type, ...(fb.parameter && { subtype: fb.parameter }) });
		}
	}
	for (const ext of rtpParameters.headerExtensions ?? []) {
		lines.ext.push({ value: ext.id, uri: ext.uri });
	}
	return lines;
}

function candidateLines(iceCandidates) {
	return iceCandidates.map((c) => ({
		foundation: c.foundation,
		component: 1,
		transport: c.protocol,
		priority: c.priority,
		ip: c.address ?? c.ip,
		port: c.port,
		type: c.type,
		...(c.protocol === 'tcp' && { tcptype: c.tcpType ?? 'passive' }),
	}));
}

/** The SSRC lines of a consumer's sendonly m-line (a=ssrc, FID group, msid). */
function senderLines(rtpParameters, streamId, trackId) {
	const encoding = rtpParameters.encodings[0];
	const cname = rtpParameters.rtcp?.cname ?? 'ferrosoup';
	const msid = `${streamId} ${trackId}`;
	const ssrcs = [encoding.ssrc, encoding.rtx?.ssrc].filter(Boolean);
	return {
		msid: [{ id: streamId, appdata: trackId }],
		ssrcs: ssrcs.flatMap((id) => [
			{ id, attribute: 'cname', value: cname },
			{ id, attribute: 'msid', value: msid },
		]),
		...(ssrcs.length === 2 && { ssrcGroups: [{ semantics: 'FID', ssrcs: ssrcs.join(' ') }] }),
	};
}

/**
 * Writes the answer. `sections` has one entry per offered m-line:
 * `{ media, rtpParameters?, direction: 'recvonly' | 'sendonly' | 'inactive', trackId? }`;
 * without rtpParameters the m-line is rejected (port 0, inactive).
 */
function writeAnswer({ offer, transport, iceParameters, answerSetup, sections, streamId }) {
	const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ??
		transport.dtlsParameters.fingerprints[0];
	const accepted = sections.filter((s) => s.rtpParameters).map((s) => String(s.media.mid));
	const answer = {
		version: 0,
		origin: {
			username: 'ferrosoup',
			sessionId: BigInt.asUintN(62, crypto.randomBytes(8).readBigUInt64BE()).toString(),
			sessionVersion: 1,
			netType: 'IN',
			ipVer: 4,
			address: '0.0.0.0',
		},
		name: '-',
		timing: { start: 0, stop: 0 },
		icelite: 'ice-lite',
		fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
		msidSemantic: { semantic: 'WMS', token: '*' },
		groups: accepted.length > 0 ? [{ type: 'BUNDLE', mids: accepted.join(' ') }] : [],
		media: sections.map((section) => answerMedia(section, { transport, iceParameters, answerSetup, streamId })),
	};
	if (offer.extmapAllowMixed) {
		answer.extmapAllowMixed = offer.extmapAllowMixed;
	}
	return sdpTransform.write(answer);
}

function answerMedia(section, { transport, iceParameters, answerSetup, streamId }) {
	const { media, rtpParameters } = section;
	const common = {
		type: media.type,
		protocol: media.protocol,
		connection: { version: 4, ip: '0.0.0.0' },
		mid: String(media.mid),
	};
	if (!rtpParameters) {
		// Rejected. The ICE credentials are there all the same: webrtcbin
		// refuses an answer with any m-line lacking them.
		return {
			...common,
			port: 0,
			payloads: media.payloads,
			direction: 'inactive',
			iceUfrag: iceParameters.usernameFragment,
			icePwd: iceParameters.password,
		};
	}
	const answer = {
		...common,
		port: 9,
		payloads: rtpParameters.codecs.map((c) => c.payloadType).join(' '),
		...codecLines(rtpParameters),
		direction: section.direction,
		iceUfrag: iceParameters.usernameFragment,
		icePwd: iceParameters.password,
		setup: answerSetup,
		rtcpMux: 'rtcp-mux',
		candidates: candidateLines(transport.iceCandidates),
		endOfCandidates: 'end-of-candidates',
	};
	if (media.rtcpRsize) {
		answer.rtcpRsize = 'rtcp-rsize';
	}
	if (section.direction === 'inactive') {
		return answer;
	}
	if (section.direction === 'recvonly') {
		const rids = rtpParameters.encodings.map((e) => e.rid).filter(Boolean);
		if (rids.length > 0) {
			answer.rids = rids.map((id) => ({ id, direction: 'recv' }));
			answer.simulcast = { dir1: 'recv', list1: rids.join(';') };
		}
	} else {
		Object.assign(answer, senderLines(rtpParameters, streamId, section.trackId));
	}
	return answer;
}

/**
 * The body of a 200 to an ICE restart PATCH (application/trickle-ice-sdpfrag):
 * our new ICE credentials and candidates for the first bundled m-line.
 */
function writeIceFragment({ iceParameters, iceCandidates, mid, kind }) {
	const lines = ['a=ice-lite', `a=ice-ufrag:${iceParameters.usernameFragment}`, `a=ice-pwd:${iceParameters.password}`];
	if (mid !== undefined) {
		lines.push(`m=${kind ?? 'audio'} 9 UDP/TLS/RTP/SAVPF 0`, `a=mid:${mid}`);
	}
	for (const c of candidateLines(iceCandidates)) {
		const tcp = c.tcptype ? ` tcptype ${c.tcptype}` : '';
		lines.push(`a=candidate:${c.foundation} 1 ${c.transport} ${c.priority} ${c.ip} ${c.port} typ ${c.type}${tcp}`);
	}
	lines.push('a=end-of-candidates');
	return `${lines.join('\r\n')}\r\n`;
}

module.exports = {
	SdpError,
	parseOffer,
	parseFragment,
	remoteDtls,
	iceParametersOf,
	isRtpMedia,
	offersToSend,
	offersToReceive,
	producerParameters,
	consumerCapabilities,
	payloadTypesFit,
	offeredPayloadType,
	inactiveParameters,
	writeAnswer,
	writeIceFragment,
};
