'use strict';

// WHIP (RFC 9725) and WHEP (draft-ietf-wish-whep) on a Node HTTP server:
// `require('ferrosoup/whip').createWhipServer({ router, webRtcServer })`.
//
//   POST   <basePath>[/<stream>]          SDP offer (sendonly)  -> 201 + answer: Producers
//   POST   <whepBasePath>[/<stream>]      SDP offer (recvonly)  -> 201 + answer: Consumers
//   PATCH  <base>/<stream>/<session>      ICE restart (If-Match) -> 200 + sdpfrag, new ETag
//   DELETE <base>/<stream>/<session>      ends the session (transport closed)
//   OPTIONS on either                     CORS preflight, Accept-Post / Accept-Patch
//
// Each session is one WebRtcTransport (ICE-lite, every candidate in the
// answer: no trickle). The helper only speaks HTTP and SDP; media go
// through the router as for any mediasoup peer.

const crypto = require('node:crypto');
const { EnhancedEventEmitter } = require('./enhancedEvents');
const { Logger } = require('./Logger');
const sdp = require('./whipSdp');
const { isRtxCodec, matchCodecs } = require('./ortc/codecs');
const { workerOfRouter } = require('./internal');

const logger = new Logger('Whip');

const SDP_TYPE = 'application/sdp';
const SDPFRAG_TYPE = 'application/trickle-ice-sdpfrag';
const MAX_BODY_BYTES = 128 * 1024;
const STREAM_NAME = /^[\w.~-]{1,128}$/;

/** An HTTP error answer: status, text body, extra headers. */
class HttpError extends Error {
	constructor(status, message, headers = {}) {
		super(message);
		this.status = status;
		this.headers = headers;
	}
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
function bearerToken(req) {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
	return match?.[1];
}

function newEtag() {
	return `"${crypto.randomBytes(12).toString('hex')}"`;
}

function mediaType(req) {
	return String(req.headers['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				req.removeAllListeners('data');
				req.resume();
				reject(new HttpError(413, 'body too large'));
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/**
 * One WHIP or WHEP session: its transport and the producers (WHIP) or
 * consumers (WHEP) made from the offer.
 */
class WhipSession {
	constructor({ id, kind, stream, location, transport, remoteIce, firstMedia }) {
		this.id = id;
		this.kind = kind;
		this.stream = stream;
		this.location = location;
		this.transport = transport;
		this.producers = [];
		this.consumers = [];
		this.etag = newEtag();
		this.remoteIce = remoteIce;
		this.firstMedia = firstMedia;
		this.createdAt = Date.now();
		this.announced = false;
	}

	get closed() {
		return this.transport.closed;
	}

	/** Ends the session: closes its transport (and so its producers/consumers). */
	close() {
		this.transport.close();
	}
}

class WhipServer extends EnhancedEventEmitter {
	#router;
	#worker;
	#webRtcServer;
	#listenInfos;
	#transportOptions;
	#whipBase;
	#whepBase;
	#authorize;
	#cors;
	#connectTimeout;
	#disconnectTimeout;
	#sessions = new Map();
	// stream -> WHIP session, or null while its POST is being answered.
	#streams = new Map();
	#detach;
	#closed = false;

	constructor({
		router,
		worker,
		webRtcServer,
		listenInfos,
		transportOptions,
		basePath = '/whip',
		whepBasePath = '/whep',
		authorize,
		onPublish,
		onUnpublish,
		cors = '*',
		connectTimeout = 30_000,
		disconnectTimeout = 15_000,
	} = {}) {
		super();
		if (!router || typeof router.createWebRtcTransport !== 'function') {
			throw new TypeError('createWhipServer() needs a router');
		}
		if (!webRtcServer && !listenInfos && typeof transportOptions !== 'function' && !transportOptions?.listenInfos) {
			throw new TypeError('createWhipServer() needs webRtcServer, listenInfos or transportOptions');
		}
		this.#router = router;
		this.#worker = worker ?? workerOfRouter(router);
		this.#webRtcServer = webRtcServer;
		this.#listenInfos = listenInfos;
		this.#transportOptions = transportOptions;
		this.#whipBase = basePath.replace(/\/+$/, '');
		this.#whepBase = whepBasePath ? whepBasePath.replace(/\/+$/, '') : null;
		this.#authorize = authorize;
		this.#cors = cors;
		this.#connectTimeout = connectTimeout;
		this.#disconnectTimeout = disconnectTimeout;
		if (onPublish) {
			this.on('publish', onPublish);
		}
		if (onUnpublish) {
			this.on('unpublish', onUnpublish);
		}
	}

	/** Live sessions by id (WHIP and WHEP). */
	get sessions() {
		return new Map(this.#sessions);
	}

	/** Live WHIP sessions by stream name. */
	get publishers() {
		return new Map([...this.#streams].filter(([, session]) => session));
	}

	get closed() {
		return this.#closed;
	}

	/**
	 * Serves `req` if its path is under the WHIP or WHEP base path and
	 * returns true; returns false (and leaves `res` alone) otherwise.
	 */
	handle(req, res) {
		if (this.#closed) {
			return false;
		}
		const route = this.#route(req);
		if (!route) {
			return false;
		}
		this.#serve(route, req, res).catch((error) => this.#fail(res, error));
		return true;
	}

	/**
	 * Mounts the endpoints on `server`: WHIP/WHEP paths are served here,
	 * every other request goes to the server's existing 'request'
	 * listeners (404 if it has none).
	 */
	attach(server) {
		const previous = server.listeners('request');
		const listener = (req, res) => {
			if (this.handle(req, res)) {
				return;
			}
			if (previous.length === 0) {
				res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
				return;
			}
			for (const other of previous) {
				other.call(server, req, res);
			}
		};
		server.removeAllListeners('request');
		server.on('request', listener);
		this.#detach = () => {
			server.removeListener('request', listener);
			for (const other of previous) {
				server.on('request', other);
			}
		};
		return this;
	}

	/** Ends every session and stops serving. */
	close() {
		if (this.#closed) {
			return;
		}
		this.#closed = true;
		this.#detach?.();
		for (const session of this.#sessions.values()) {
			session.close();
		}
	}

	// --- routing --------------------------------------------------------------

	#route(req) {
		let pathname;
		try {
			pathname = new URL(req.url, 'http://x').pathname;
		} catch {
			return null;
		}
		for (const [kind, base] of [
			['whip', this.#whipBase],
			['whep', this.#whepBase],
		]) {
			if (base === null || (pathname !== base && !pathname.startsWith(`${base}/`))) {
				continue;
			}
			let segments;
			try {
				segments = pathname.slice(base.length).split('/').filter(Boolean).map(decodeURIComponent);
			} catch {
				return { kind, base, invalid: true };
			}
			if (segments.length <= 1) {
				return { kind, base, stream: segments[0] ?? 'default' };
			}
			if (segments.length === 2) {
				return { kind, base, stream: segments[0], sessionId: segments[1] };
			}
			return { kind, base, invalid: true };
		}
		return null;
	}

	async #serve(route, req, res) {
		if (route.invalid || !STREAM_NAME.test(route.stream)) {
			throw new HttpError(404, 'no such endpoint');
		}
		if (route.sessionId === undefined) {
			await this.#serveEndpoint(route, req, res);
		} else {
			await this.#serveSession(route, req, res);
		}
	}

	async #serveEndpoint(route, req, res) {
		switch (req.method) {
			case 'OPTIONS':
				this.#send(res, 200, { 'accept-post': SDP_TYPE });
				return;
			case 'POST':
				break;
			default:
				throw new HttpError(405, 'the endpoint takes POST (and OPTIONS)', { allow: 'OPTIONS, POST' });
		}
		await this.#checkAuthorized(req, { kind: route.kind, stream: route.stream });
		if (mediaType(req) !== SDP_TYPE) {
			throw new HttpError(415, `the offer must be ${SDP_TYPE}`, { 'accept-post': SDP_TYPE });
		}
		const offer = sdp.parseOffer(await readBody(req));
		const { session, answer } =
			route.kind === 'whip' ? await this.#publish(route, offer) : await this.#play(route, offer);
		this.#send(
			res,
			201,
			{
				'content-type': SDP_TYPE,
				location: session.location,
				etag: session.etag,
				'accept-patch': SDPFRAG_TYPE,
			},
			answer
		);
		session.announced = true;
		this.safeEmit(route.kind === 'whip' ? 'publish' : 'play', session);
	}

	async #serveSession(route, req, res) {
		const session = this.#sessions.get(route.sessionId);
		const found = session && session.kind === route.kind && session.stream === route.stream && !session.closed;
		switch (req.method) {
			case 'OPTIONS':
				this.#send(res, 200, { 'accept-patch': SDPFRAG_TYPE });
				return;
			case 'DELETE':
				await this.#checkAuthorized(req, { kind: route.kind, stream: route.stream, session });
				if (!found) {
					throw new HttpError(404, 'no such session');
				}
				session.close();
				this.#send(res, 200);
				return;
			case 'PATCH':
				await this.#checkAuthorized(req, { kind: route.kind, stream: route.stream, session });
				if (!found) {
					throw new HttpError(404, 'no such session');
				}
				await this.#patch(session, req, res);
				return;
			default:
				throw new HttpError(405, 'a session takes PATCH and DELETE', { allow: 'OPTIONS, PATCH, DELETE' });
		}
	}

	async #checkAuthorized(req, context) {
		if (!this.#authorize) {
			return;
		}
		if (!(await this.#authorize(req, context))) {
			throw new HttpError(401, 'unauthorized', { 'www-authenticate': 'Bearer' });
		}
	}

	// --- WHIP: producers ------------------------------------------------------

	async #publish(route, offer) {
		const { stream } = route;
		if (this.#streams.has(stream)) {
			throw new HttpError(409, `stream "${stream}" is already being published`);
		}
		// Claimed now, so a second POST racing this one gets 409.
		this.#streams.set(stream, null);
		let transport;
		try {
			const sections = offer.media.map((media) => ({
				media,
				direction: 'recvonly',
				produce:
					sdp.isRtpMedia(media) && sdp.offersToSend(media)
						? sdp.producerParameters(media, this.#router.rtpCapabilities)
						: null,
			}));
			if (!sections.some((s) => s.produce)) {
				throw new HttpError(406, 'no sendonly audio/video m-line with a codec the router supports');
			}
			transport = await this.#createTransport(route);
			const { session, answerSetup } = await this.#startSession(route, offer, transport);
			for (const section of sections) {
				if (!section.produce) {
					answerInactive(section);
					continue;
				}
				const producer = await transport
					.produce({ ...section.produce, appData: { whip: stream, whipSessionId: session.id } })
					.catch(rejectAsHttp);
				session.producers.push(producer);
				section.rtpParameters = section.produce.rtpParameters;
			}
			this.#streams.set(stream, session);
			const answer = sdp.writeAnswer({
				offer,
				transport,
				iceParameters: transport.iceParameters,
				answerSetup,
				sections,
				streamId: stream,
			});
			logger.debug(`publish: stream "${stream}", session ${session.id}, ${session.producers.length} producer(s)`);
			return { session, answer };
		} catch (error) {
			if (this.#streams.get(stream) === null) {
				this.#streams.delete(stream);
			}
			transport?.close();
			throw error;
		}
	}

	// --- WHEP: consumers ------------------------------------------------------

	async #play(route, offer) {
		const publisher = this.#streams.get(route.stream);
		if (!publisher) {
			throw new HttpError(409, `stream "${route.stream}" is not being published`, { 'retry-after': '5' });
		}
		const plan = this.#planViewing(publisher, offer);
		if (plan.length === 0) {
			throw new HttpError(406, 'no recvonly m-line matches a track of the stream with a common codec');
		}
		const router = await this.#viewerRouter(plan, offer);
		let transport;
		try {
			transport = await this.#createTransport(route, router);
			const { session, answerSetup } = await this.#startSession(route, offer, transport);
			if (router !== this.#router) {
				// The viewer's own router goes with its transport.
				transport.observer.once('close', () => router.close());
			}
			const sections = offer.media.map((media) => ({ media, direction: 'sendonly' }));
			for (const { media, producer } of plan) {
				let producerId = producer.id;
				if (router !== this.#router) {
					// A new id: the viewer's router may be on the same worker.
					const { pipeProducer } = await this.#router.pipeToRouter({ producerId, router, keepId: false });
					producerId = pipeProducer.id;
				}
				const rtpCapabilities = sdp.consumerCapabilities(media, router.rtpCapabilities);
				// Paused until DTLS is up, so the key frame asked for on
				// resume reaches the viewer.
				const consumer = await transport.consume({
					producerId,
					rtpCapabilities,
					paused: true,
					enableRtx: this.#rtxFits(router, offer, producer),
					appData: { whep: route.stream, whepSessionId: session.id },
				});
				session.consumers.push(consumer);
				consumer.on('producerclose', () => this.#onConsumerGone(session, consumer));
				const section = sections.find((s) => s.media === media);
				section.rtpParameters = consumer.rtpParameters;
				section.trackId = consumer.id;
			}
			for (const section of sections.filter((s) => !s.rtpParameters)) {
				answerInactive(section);
			}
			const answer = sdp.writeAnswer({
				offer,
				transport,
				iceParameters: transport.iceParameters,
				answerSetup,
				sections,
				streamId: route.stream,
			});
			logger.debug(`play: stream "${route.stream}", session ${session.id}, ${session.consumers.length} consumer(s)`);
			return { session, answer };
		} catch (error) {
			if (transport) {
				transport.close();
			} else if (router !== this.#router) {
				router.close();
			}
			throw error;
		}
	}

	/** Which producer of the stream each recvonly m-line of the offer gets. */
	#planViewing(publisher, offer) {
		const unused = publisher.producers.filter((p) => !p.closed);
		const plan = [];
		for (const media of offer.media) {
			if (!sdp.isRtpMedia(media) || !sdp.offersToReceive(media)) {
				continue;
			}
			const rtpCapabilities = sdp.consumerCapabilities(media, this.#router.rtpCapabilities);
			const producer = unused.find(
				(p) => p.kind === media.type && this.#router.canConsume({ producerId: p.id, rtpCapabilities })
			);
			if (producer) {
				unused.splice(unused.indexOf(producer), 1);
				plan.push({ media, producer });
			}
		}
		return plan;
	}

	/** The router codecs (and RTX) a producer is consumed with. */
	#routerCodecsOf(router, producer) {
		const capCodec = router.rtpCapabilities.codecs.find(
			(cap) => cap.kind === producer.kind && matchCodecs(producer.rtpParameters.codecs[0], cap, { strict: true })
		);
		const rtx = router.rtpCapabilities.codecs.find(
			(cap) => isRtxCodec(cap) && cap.parameters.apt === capCodec?.preferredPayloadType
		);
		return { capCodec, rtx };
	}

	/**
	 * Consumers send with their router's payload types (as in mediasoup).
	 * When those clash with the viewer's offer, and a `worker` was given,
	 * the viewer gets a router of its own on that worker whose codecs carry
	 * the offer's payload types; the stream is piped into it.
	 */
	async #viewerRouter(plan, offer) {
		const fits = plan.every(({ producer }) => {
			const { capCodec, rtx } = this.#routerCodecsOf(this.#router, producer);
			return capCodec && sdp.payloadTypesFit(offer, rtx ? [asCodec(capCodec), asCodec(rtx)] : [asCodec(capCodec)]);
		});
		if (fits) {
			return this.#router;
		}
		if (!this.#worker) {
			logger.warn('WHEP offer uses the router\'s payload types for other codecs and the router\'s worker is unknown; pass `worker` to createWhipServer()');
			return this.#router;
		}
		const mediaCodecs = plan.map(({ media, producer }) => {
			const { capCodec } = this.#routerCodecsOf(this.#router, producer);
			const codec = {
				kind: capCodec.kind,
				mimeType: capCodec.mimeType,
				clockRate: capCodec.clockRate,
				parameters: { ...capCodec.parameters },
				preferredPayloadType: sdp.offeredPayloadType(media, capCodec),
			};
			if (capCodec.channels !== undefined) {
				codec.channels = capCodec.channels;
			}
			return codec;
		});
		return this.#worker.createRouter({ mediaCodecs, appData: { whepViewer: true } });
	}

	/** Whether the consumer's RTX payload type can go in the answer. */
	#rtxFits(router, offer, producer) {
		const { rtx } = this.#routerCodecsOf(router, producer);
		return !rtx || sdp.payloadTypesFit(offer, [asCodec(rtx)]);
	}

	#onConsumerGone(session, consumer) {
		session.consumers = session.consumers.filter((c) => c !== consumer);
		// Nothing left to watch: end the viewer's session.
		if (session.consumers.length === 0) {
			session.close();
		}
	}

	// --- sessions -------------------------------------------------------------

	async #createTransport({ kind, stream }, router = this.#router) {
		const extra =
			typeof this.#transportOptions === 'function'
				? await this.#transportOptions({ kind, stream })
				: (this.#transportOptions ?? {});
		let where = {};
		if (this.#webRtcServer) {
			where = { webRtcServer: this.#webRtcServer };
		} else if (this.#listenInfos) {
			where = { listenInfos: this.#listenInfos };
		}
		return router.createWebRtcTransport({
			enableUdp: true,
			enableTcp: true,
			preferUdp: true,
			...where,
			...extra,
			appData: { ...extra.appData, [kind]: stream },
		});
	}

	/** Connects DTLS from the offer and registers the session and its timers. */
	async #startSession(route, offer, transport) {
		const id = crypto.randomUUID();
		const session = new WhipSession({
			id,
			kind: route.kind,
			stream: route.stream,
			location: `${route.base}/${encodeURIComponent(route.stream)}/${id}`,
			transport,
			remoteIce: sdp.iceParametersOf(offer, offer.media[0]),
			firstMedia: offer.media[0],
		});
		const { dtlsParameters, answerSetup } = sdp.remoteDtls(offer);
		await transport.connect({ dtlsParameters }).catch(rejectAsHttp);
		if (this.#closed) {
			// close() ran while this POST was being answered.
			throw new HttpError(503, 'shutting down');
		}
		this.#sessions.set(id, session);
		this.#watch(session);
		return { session, answerSetup };
	}

	/**
	 * Ends a session whose peer never connected, whose DTLS failed or whose
	 * ICE consent stayed lost, and forgets it once its transport closes
	 * (DELETE, router closed, ...).
	 */
	#watch(session) {
		const { transport } = session;
		let disconnectTimer;
		const connectTimer = setTimeout(() => {
			if (transport.dtlsState !== 'connected') {
				logger.warn(`session ${session.id}: not connected after ${this.#connectTimeout} ms, closing`);
				session.close();
			}
		}, this.#connectTimeout);
		connectTimer.unref?.();
		transport.on('dtlsstatechange', (state) => {
			if (state === 'connected') {
				for (const consumer of session.consumers) {
					consumer.resume().catch(() => {});
				}
			} else if (state === 'failed' || state === 'closed') {
				session.close();
			}
		});
		transport.on('icestatechange', (state) => {
			clearTimeout(disconnectTimer);
			if (state === 'disconnected') {
				disconnectTimer = setTimeout(() => session.close(), this.#disconnectTimeout);
				disconnectTimer.unref?.();
			}
		});
		transport.observer.once('close', () => {
			clearTimeout(connectTimer);
			clearTimeout(disconnectTimer);
			this.#sessions.delete(session.id);
			if (session.kind === 'whip' && this.#streams.get(session.stream) === session) {
				this.#streams.delete(session.stream);
			}
			// Only sessions whose 201 went out were announced.
			if (session.announced) {
				logger.debug(`${session.kind} session ${session.id} of "${session.stream}" closed`);
				this.safeEmit(session.kind === 'whip' ? 'unpublish' : 'stop', session);
			}
		});
	}

	// --- PATCH: ICE restart ---------------------------------------------------

	async #patch(session, req, res) {
		if (mediaType(req) !== SDPFRAG_TYPE) {
			throw new HttpError(415, `PATCH takes ${SDPFRAG_TYPE}`, { 'accept-patch': SDPFRAG_TYPE });
		}
		const ifMatch = req.headers['if-match'];
		if (ifMatch === undefined) {
			throw new HttpError(428, 'If-Match is required');
		}
		const tags = ifMatch.split(',').map((t) => t.trim());
		if (!tags.includes('*') && !tags.includes(session.etag)) {
			throw new HttpError(412, 'the ICE session changed (ETag mismatch)');
		}
		const fragment = sdp.parseFragment(await readBody(req));
		const restart =
			fragment.ice &&
			(fragment.ice.usernameFragment !== session.remoteIce?.usernameFragment ||
				fragment.ice.password !== session.remoteIce?.password);
		if (!restart) {
			// RFC 9725 4.3.1: supporting ICE restarts but not trickle ICE.
			throw new HttpError(422, 'trickle ICE is not supported (the server is ICE-lite: no candidates needed)');
		}
		const iceParameters = await session.transport.restartIce();
		session.remoteIce = fragment.ice;
		session.etag = newEtag();
		const body = sdp.writeIceFragment({
			iceParameters,
			iceCandidates: session.transport.iceCandidates,
			mid: session.firstMedia?.mid,
			kind: session.firstMedia?.type,
		});
		logger.debug(`session ${session.id}: ICE restarted`);
		this.#send(res, 200, { 'content-type': SDPFRAG_TYPE, etag: session.etag }, body);
	}

	// --- responses ------------------------------------------------------------

	#corsHeaders() {
		if (!this.#cors) {
			return {};
		}
		return {
			'access-control-allow-origin': this.#cors,
			'access-control-allow-methods': 'OPTIONS, POST, PATCH, DELETE',
			'access-control-allow-headers': 'Authorization, Content-Type, If-Match',
			'access-control-expose-headers': 'Location, ETag, Accept-Patch, Accept-Post, Link',
		};
	}

	#send(res, status, headers = {}, body = '') {
		if (res.headersSent) {
			return;
		}
		res.writeHead(status, {
			...this.#corsHeaders(),
			'cache-control': 'no-store',
			'content-length': Buffer.byteLength(body),
			...headers,
		});
		res.end(body);
	}

	#fail(res, error) {
		if (error instanceof HttpError) {
			this.#send(res, error.status, { 'content-type': 'text/plain', ...error.headers }, `${error.message}\n`);
		} else if (error instanceof sdp.SdpError) {
			this.#send(res, 400, { 'content-type': 'text/plain' }, `${error.message}\n`);
		} else {
			logger.error(`request failed: ${error?.stack ?? error}`);
			this.#send(res, 500, { 'content-type': 'text/plain' }, 'internal error\n');
		}
	}
}

/** Answers an audio/video m-line we send and receive nothing on as inactive. */
function answerInactive(section) {
	if (sdp.isRtpMedia(section.media)) {
		section.rtpParameters = sdp.inactiveParameters(section.media);
		section.direction = 'inactive';
	}
}

/** A router capability codec in RtpCodecParameters' shape. */
function asCodec(cap) {
	return {
		mimeType: cap.mimeType,
		payloadType: cap.preferredPayloadType,
		clockRate: cap.clockRate,
		parameters: cap.parameters ?? {},
	};
}

/**
 * ferrosoup's errors from the offer's parameters as HTTP errors: what the
 * router cannot take is 406, malformed parameters 400.
 */
function rejectAsHttp(error) {
	if (error?.name === 'UnsupportedError') {
		throw new HttpError(406, error.message);
	}
	if (error instanceof TypeError) {
		throw new HttpError(400, error.message);
	}
	throw error;
}

/** Creates the WHIP/WHEP endpoints of one router (see the file comment). */
function createWhipServer(options) {
	return new WhipServer(options);
}

module.exports = { createWhipServer, WhipServer, WhipSession, bearerToken };
