#!/usr/bin/env node
'use strict';

// ferrosoup room demo: `npm start`, then open http://localhost:3000 in two or
// more tabs. Every tab joins the one room, publishes its camera and
// microphone and renders every other participant; a chat goes over
// DataChannels (each tab produces data and consumes everyone else's).
//
// One Worker, one Router, one WebRtcServer (UDP + TCP on one port) by default;
// with WORKERS=N the room spreads over N workers (a router and a WebRtcServer
// each), participants placed round-robin, and what one publishes is piped to
// the other routers with router.pipeToRouter() when someone there consumes
// it. The page is served by this process (its script bundled with esbuild at
// startup, so nothing is fetched from anywhere) and signals over a WebSocket
// on /ws. WHIP publishers (RFC 9725: OBS, GStreamer's whipclientsink, a page with
// fetch + RTCPeerConnection) join the room through POST /whip/<name> like any
// participant that only publishes; WHEP players can watch them on
// /whep/<name> (ferrosoup/whip).
//
// The page's controls map onto the mediasoup API: mute and camera off pause
// the producer (its consumers follow, and their pages are told), a screen
// share is a second video producer, a remote tile's layer choice is
// consumer.setPreferredLayers() / setPriority(), the speaking ring comes from
// an ActiveSpeakerObserver per router, and the stats overlays poll getStats
// of the page's consumers, producers and transports plus the workers' CPU.
//
// Environment (all optional):
//   PORT               HTTP(S) port (default 3000; 0 picks a free one)
//   LISTEN_IP          IP the HTTP server and the media sockets bind to
//                      (default 127.0.0.1; 0.0.0.0 for every interface)
//   ANNOUNCED_ADDRESS  IP or host name given to browsers in ICE candidates
//                      (needed when LISTEN_IP is 0.0.0.0 or behind NAT)
//   WEBRTC_PORT        UDP and TCP port of the media (default 44444; 0 = any;
//                      worker i uses WEBRTC_PORT + i)
//   WORKERS            workers (CPU cores) the room uses (default 1)
//   HTTPS_CERT, HTTPS_KEY  PEM files: serve HTTPS (browsers only allow the
//                      camera on https:// or http://localhost)
//   DEBUG              e.g. "mediasoup*" for ferrosoup's logs

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const { WebSocketServer } = require('ws');
const mediasoup = require('../..');
const { createWhipServer } = require('../../js/whip');
const { createMetrics } = require('../../js/metrics');

const config = {
	port: Number(process.env.PORT ?? 3000),
	listenIp: process.env.LISTEN_IP || '127.0.0.1',
	announcedAddress: process.env.ANNOUNCED_ADDRESS || undefined,
	webRtcPort: Number(process.env.WEBRTC_PORT ?? 44444),
	workers: Math.max(1, Number(process.env.WORKERS ?? 1) || 1),
	httpsCert: process.env.HTTPS_CERT,
	httpsKey: process.env.HTTPS_KEY,
	mediaCodecs: [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
	],
};

/** Bundles the page script (mediasoup-client included) in memory. */
async function bundleClient() {
	let esbuild;
	try {
		esbuild = require('esbuild');
	} catch {
		throw new Error('esbuild is missing: run `npm install` (it is a dev dependency) first');
	}
	const result = await esbuild.build({
		entryPoints: [path.join(__dirname, 'client.js')],
		bundle: true,
		write: false,
		minify: true,
		format: 'iife',
		platform: 'browser',
		target: 'es2020',
		logLevel: 'silent',
	});
	return result.outputFiles[0].text;
}

/**
 * The room: its routers (one per worker, each with its WebRtcServer), its
 * peers and what they publish. A peer lives on one router; a producer is
 * piped to another router the first time someone there consumes it.
 */
class Room {
	constructor(slots) {
		this.slots = slots;
		this.peers = new Map();
		this.nextPeer = 1;
		// producer id -> router id -> promise of the piping into that router.
		this.piped = new Map();
		// The last dominant speaker (peer id), told to those who join later.
		this.dominantSpeaker = null;
	}

	addPeer(socket, { slot, displayName } = {}) {
		const peer = {
			id: String(this.nextPeer),
			displayName: displayName ?? `Participant ${this.nextPeer}`,
			slot: slot ?? this.slots[(this.nextPeer - 1) % this.slots.length],
			socket,
			joined: false,
			rtpCapabilities: null,
			transports: new Map(),
			producers: new Map(),
			consumers: new Map(),
			dataProducers: new Map(),
			dataConsumers: new Map(),
		};
		this.nextPeer += 1;
		this.peers.set(peer.id, peer);
		return peer;
	}

	removePeer(peer) {
		if (!this.peers.delete(peer.id)) {
			return;
		}
		// Closing the transports closes the peer's producers, whose consumers
		// then tell the other peers (consumerClosed).
		for (const transport of peer.transports.values()) {
			transport.close();
		}
		if (peer.joined) {
			this.broadcast(peer, 'peerClosed', { peerId: peer.id });
		}
		if (this.dominantSpeaker === peer.id) {
			this.dominantSpeaker = null;
		}
		console.log(`${peer.displayName} left (${this.peers.size} in the room)`);
	}

	/**
	 * A WHIP publisher (a ferrosoup/whip session on the first router) joins
	 * as a participant that only publishes: no socket, nothing consumed.
	 */
	addWhipPublisher(session) {
		const peer = this.addPeer(null, { slot: this.slots[0], displayName: `WHIP ${session.stream}` });
		peer.joined = true;
		peer.whipSessionId = session.id;
		peer.transports.set(session.transport.id, session.transport);
		this.broadcast(peer, 'newPeer', { id: peer.id, displayName: peer.displayName });
		console.log(`${peer.displayName} joined over WHIP (${this.peers.size} in the room)`);
		for (const producer of session.producers) {
			this.addProducer(peer, producer);
		}
	}

	removeWhipPublisher(session) {
		const peer = [...this.peers.values()].find((p) => p.whipSessionId === session.id);
		if (peer) {
			this.removePeer(peer);
		}
	}

	/** Records a peer's new producer and has every other peer consume it. */
	addProducer(peer, producer) {
		peer.producers.set(producer.id, producer);
		producer.on('transportclose', () => peer.producers.delete(producer.id));
		producer.observer.once('close', () => peer.producers.delete(producer.id));
		// Audio is only ever on its publisher's router, so that router's
		// observer alone hears it (a closed producer leaves it by itself).
		if (producer.kind === 'audio') {
			peer.slot.speakerObserver?.addProducer({ producerId: producer.id }).catch(() => {});
		}
		setImmediate(() => {
			for (const other of this.joinedPeers(peer)) {
				this.createConsumer(other, peer, producer).catch((error) => {
					console.warn(`consume failed: ${error.message}`);
				});
			}
		});
	}

	joinedPeers(except) {
		return [...this.peers.values()].filter((p) => p.joined && p !== except);
	}

	broadcast(from, method, data) {
		for (const peer of this.joinedPeers(from)) {
			notify(peer, method, data);
		}
	}

	async handle(peer, method, data) {
		switch (method) {
			case 'getRouterRtpCapabilities':
				return peer.slot.router.rtpCapabilities;

			case 'createWebRtcTransport': {
				const transport = await peer.slot.router.createWebRtcTransport({
					webRtcServer: peer.slot.webRtcServer,
					enableUdp: true,
					enableTcp: true,
					preferUdp: true,
					// The chat's DataChannels.
					enableSctp: true,
					numSctpStreams: data.sctpCapabilities?.numStreams ?? { OS: 1024, MIS: 1024 },
					appData: { consuming: Boolean(data.consuming) },
				});
				transport.on('dtlsstatechange', (state) => {
					if (state === 'failed' || state === 'closed') {
						console.warn(`${peer.displayName}: transport ${transport.id} DTLS ${state}`);
					}
				});
				peer.transports.set(transport.id, transport);
				return {
					id: transport.id,
					iceParameters: transport.iceParameters,
					iceCandidates: transport.iceCandidates,
					dtlsParameters: transport.dtlsParameters,
					sctpParameters: transport.sctpParameters,
				};
			}

			case 'connectWebRtcTransport': {
				const transport = peer.transports.get(data.transportId);
				if (!transport) {
					throw new Error(`transport ${data.transportId} not found`);
				}
				await transport.connect({ dtlsParameters: data.dtlsParameters });
				return {};
			}

			case 'join': {
				if (peer.joined) {
					throw new Error('already joined');
				}
				peer.joined = true;
				peer.rtpCapabilities = data.rtpCapabilities;
				const others = this.joinedPeers(peer);
				this.broadcast(peer, 'newPeer', { id: peer.id, displayName: peer.displayName });
				console.log(`${peer.displayName} joined (${this.peers.size} in the room)`);
				// Consume what the others already publish, once the reply is out.
				setImmediate(() => {
					for (const other of others) {
						for (const producer of other.producers.values()) {
							this.createConsumer(peer, other, producer).catch((error) => {
								console.warn(`consume failed: ${error.message}`);
							});
						}
						for (const dataProducer of other.dataProducers.values()) {
							this.createDataConsumer(peer, other, dataProducer).catch((error) => {
								console.warn(`consumeData failed: ${error.message}`);
							});
						}
					}
				});
				return {
					peerId: peer.id,
					displayName: peer.displayName,
					worker: peer.slot.index,
					workers: this.slots.length,
					peers: others.map((p) => ({ id: p.id, displayName: p.displayName })),
					dominantSpeaker: this.dominantSpeaker,
				};
			}

			case 'produce': {
				if (!peer.joined) {
					throw new Error('join first');
				}
				const transport = peer.transports.get(data.transportId);
				if (!transport) {
					throw new Error(`transport ${data.transportId} not found`);
				}
				const source = ['mic', 'camera', 'screen'].includes(data.appData?.source) ? data.appData.source : undefined;
				const producer = await transport.produce({
					kind: data.kind,
					rtpParameters: data.rtpParameters,
					appData: { peerId: peer.id, source: source ?? (data.kind === 'audio' ? 'mic' : 'camera') },
				});
				this.addProducer(peer, producer);
				return { id: producer.id };
			}

			case 'produceData': {
				if (!peer.joined) {
					throw new Error('join first');
				}
				const transport = peer.transports.get(data.transportId);
				if (!transport) {
					throw new Error(`transport ${data.transportId} not found`);
				}
				const dataProducer = await transport.produceData({
					sctpStreamParameters: data.sctpStreamParameters,
					label: data.label,
					protocol: data.protocol,
					appData: { peerId: peer.id },
				});
				peer.dataProducers.set(dataProducer.id, dataProducer);
				dataProducer.on('transportclose', () => peer.dataProducers.delete(dataProducer.id));
				setImmediate(() => {
					for (const other of this.joinedPeers(peer)) {
						this.createDataConsumer(other, peer, dataProducer).catch((error) => {
							console.warn(`consumeData failed: ${error.message}`);
						});
					}
				});
				return { id: dataProducer.id };
			}

			case 'resumeConsumer':
				await this.consumerOf(peer, data.consumerId).resume();
				return {};

			// Mute / camera off: the consumers follow the producer (see
			// createConsumer) and their pages are told.
			case 'pauseProducer':
				await this.producerOf(peer, data.producerId).pause();
				return {};

			case 'resumeProducer':
				await this.producerOf(peer, data.producerId).resume();
				return {};

			// The end of a screen share: its consumers close (consumerClosed).
			case 'closeProducer':
				this.producerOf(peer, data.producerId).close();
				return {};

			case 'setConsumerPreferredLayers':
				await this.consumerOf(peer, data.consumerId).setPreferredLayers({
					spatialLayer: data.spatialLayer,
					temporalLayer: data.temporalLayer,
				});
				return {};

			case 'setConsumerPriority':
				await this.consumerOf(peer, data.consumerId).setPriority(data.priority);
				return {};

			case 'getStats':
				return this.stats(peer);

			default:
				throw new Error(`unknown method "${method}"`);
		}
	}

	consumerOf(peer, consumerId) {
		const consumer = peer.consumers.get(consumerId);
		if (!consumer) {
			throw new Error(`consumer ${consumerId} not found`);
		}
		return consumer;
	}

	producerOf(peer, producerId) {
		const producer = peer.producers.get(producerId);
		if (!producer) {
			throw new Error(`producer ${producerId} not found`);
		}
		return producer;
	}

	/**
	 * What the SFU knows about a peer's media, for the page's graphs: per
	 * consumer and producer the RTP stats ferrosoup keeps, per transport the
	 * outgoing bitrate estimate, and every worker's CPU.
	 */
	async stats(peer) {
		const settle = (promise) => promise.catch(() => null);
		const consumers = {};
		const producers = {};
		const transports = {};
		await Promise.all([
			...[...peer.consumers.values()].map(async (consumer) => {
				const stats = (await settle(consumer.getStats())) ?? [];
				const out = stats.find((s) => s.type === 'outbound-rtp');
				consumers[consumer.id] = {
					bitrate: out?.bitrate ?? 0,
					packetCount: out?.packetCount ?? 0,
					packetsLost: out?.packetsLost ?? 0,
					fractionLost: out?.fractionLost ?? 0,
					score: consumer.score?.score ?? null,
					paused: consumer.paused,
					producerPaused: consumer.producerPaused,
					currentLayers: consumer.currentLayers ?? null,
					preferredLayers: consumer.preferredLayers ?? null,
					priority: consumer.priority,
				};
			}),
			...[...peer.producers.values()].map(async (producer) => {
				const stats = (await settle(producer.getStats())) ?? [];
				producers[producer.id] = {
					// One entry per simulcast layer (rid) the SFU receives.
					streams: stats
						.filter((s) => s.type === 'inbound-rtp')
						.map((s) => ({
							rid: s.rid ?? null,
							bitrate: s.bitrate ?? 0,
							packetCount: s.packetCount ?? 0,
							packetsLost: s.packetsLost ?? 0,
							fractionLost: s.fractionLost ?? 0,
							score: s.score ?? null,
						})),
					paused: producer.paused,
				};
			}),
			...[...peer.transports.values()].map(async (transport) => {
				const [stats] = (await settle(transport.getStats())) ?? [];
				transports[transport.id] = {
					consuming: Boolean(transport.appData.consuming),
					availableOutgoingBitrate: stats?.availableOutgoingBitrate ?? null,
					sendBitrate: stats?.sendBitrate ?? 0,
					recvBitrate: stats?.recvBitrate ?? 0,
				};
			}),
		]);
		return {
			consumers,
			producers,
			transports,
			worker: peer.slot.index,
			workers: this.slots.map((slot) => ({ index: slot.index, cpu: slot.cpu ?? null })),
		};
	}

	/**
	 * Makes a producer or data producer (on `from`) consumable on `to`
	 * (`pipeOptions`: `{ producerId }` or `{ dataProducerId }`): piped once
	 * per router, however many consumers there ask for it at the same time.
	 */
	pipe(entity, pipeOptions, from, to) {
		if (from === to) {
			return Promise.resolve();
		}
		let byRouter = this.piped.get(entity.id);
		if (!byRouter) {
			byRouter = new Map();
			this.piped.set(entity.id, byRouter);
			entity.observer.once('close', () => this.piped.delete(entity.id));
		}
		let piping = byRouter.get(to.id);
		if (!piping) {
			piping = from.pipeToRouter({ ...pipeOptions, router: to });
			byRouter.set(to.id, piping);
			piping.catch(() => byRouter.delete(to.id));
		}
		return piping;
	}

	/** Makes `consumerPeer` receive the chat of `producerPeer`. */
	async createDataConsumer(consumerPeer, producerPeer, dataProducer) {
		// Publish-only peers (WHIP) consume nothing.
		if (!consumerPeer.socket || !this.peers.has(consumerPeer.id) || dataProducer.closed) {
			return;
		}
		await this.pipe(
			dataProducer,
			{ dataProducerId: dataProducer.id },
			producerPeer.slot.router,
			consumerPeer.slot.router
		);
		const transport = [...consumerPeer.transports.values()].find((t) => t.appData.consuming);
		if (!transport || !this.peers.has(consumerPeer.id) || dataProducer.closed) {
			return;
		}
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		consumerPeer.dataConsumers.set(dataConsumer.id, dataConsumer);
		const forget = () => consumerPeer.dataConsumers.delete(dataConsumer.id);
		dataConsumer.on('transportclose', forget);
		dataConsumer.on('dataproducerclose', () => {
			forget();
			notify(consumerPeer, 'dataConsumerClosed', { dataConsumerId: dataConsumer.id });
		});
		notify(consumerPeer, 'newDataConsumer', {
			peerId: producerPeer.id,
			displayName: producerPeer.displayName,
			dataProducerId: dataProducer.id,
			id: dataConsumer.id,
			sctpStreamParameters: dataConsumer.sctpStreamParameters,
			label: dataConsumer.label,
			protocol: dataConsumer.protocol,
		});
	}

	/** Makes `consumer` (a peer) receive `producer` of `producerPeer`. */
	async createConsumer(consumerPeer, producerPeer, producer) {
		if (!consumerPeer.socket || !this.peers.has(consumerPeer.id) || producer.closed) {
			return;
		}
		const router = consumerPeer.slot.router;
		await this.pipe(producer, { producerId: producer.id }, producerPeer.slot.router, router);
		if (!this.peers.has(consumerPeer.id) || producer.closed) {
			return;
		}
		if (!router.canConsume({ producerId: producer.id, rtpCapabilities: consumerPeer.rtpCapabilities })) {
			return;
		}
		const transport = [...consumerPeer.transports.values()].find((t) => t.appData.consuming);
		if (!transport) {
			return;
		}
		const consumer = await transport.consume({
			producerId: producer.id,
			rtpCapabilities: consumerPeer.rtpCapabilities,
			// Resumed once the page has set it up (resumeConsumer), so the
			// first packets, and the key frame asked for on resume, reach it.
			paused: true,
		});
		consumerPeer.consumers.set(consumer.id, consumer);
		const forget = () => consumerPeer.consumers.delete(consumer.id);
		consumer.on('transportclose', forget);
		consumer.on('producerclose', () => {
			forget();
			notify(consumerPeer, 'consumerClosed', { consumerId: consumer.id });
		});
		// The consumer pauses with its producer (mute, camera off) by itself;
		// the page greys the tile.
		consumer.on('producerpause', () => notify(consumerPeer, 'producerPaused', { consumerId: consumer.id }));
		consumer.on('producerresume', () => notify(consumerPeer, 'producerResumed', { consumerId: consumer.id }));
		// Which simulcast layers reach the page now (null: none).
		consumer.on('layerschange', (layers) =>
			notify(consumerPeer, 'consumerLayersChanged', { consumerId: consumer.id, layers: layers ?? null })
		);
		notify(consumerPeer, 'newConsumer', {
			peerId: producerPeer.id,
			displayName: producerPeer.displayName,
			producerId: producer.id,
			id: consumer.id,
			kind: consumer.kind,
			type: consumer.type,
			source: producer.appData.source ?? (producer.kind === 'audio' ? 'mic' : 'camera'),
			producerPaused: consumer.producerPaused,
			rtpParameters: consumer.rtpParameters,
		});
	}
}

function notify(peer, method, data) {
	if (peer.socket && peer.socket.readyState === peer.socket.OPEN) {
		peer.socket.send(JSON.stringify({ notification: true, method, data }));
	}
}

/**
 * Each worker's CPU use over the last second, in % of one core: the growth
 * of its user + system time (getResourceUsage, in ms) over the wall time.
 */
async function sampleCpu(slots) {
	await Promise.all(
		slots.map(async (slot) => {
			const usage = await slot.worker.getResourceUsage().catch(() => null);
			if (!usage) {
				return;
			}
			const sample = { at: performance.now(), busy: usage.ru_utime + usage.ru_stime };
			const last = slot.lastUsage;
			if (last && sample.at > last.at) {
				slot.cpu = Math.max(0, (100 * (sample.busy - last.busy)) / (sample.at - last.at));
			}
			slot.lastUsage = sample;
		})
	);
}

function page() {
	return fs.readFileSync(path.join(__dirname, 'index.html'));
}

async function main() {
	const script = await bundleClient();
	// Prometheus metrics of every worker created from here on (/metrics).
	const metrics = createMetrics();

	const slots = [];
	for (let index = 0; index < config.workers; index++) {
		const worker = await mediasoup.createWorker({ logLevel: 'warn' });
		worker.on('died', (error) => {
			console.error(`worker ${index} died: ${error.message}`);
			process.exit(1);
		});
		const port = config.webRtcPort ? config.webRtcPort + index : 0;
		const listen = { ip: config.listenIp, announcedAddress: config.announcedAddress, port };
		const webRtcServer = await worker.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ...listen },
				{ protocol: 'tcp', ...listen },
			],
		});
		const router = await worker.createRouter({ mediaCodecs: config.mediaCodecs });
		// The loudest of the audio producers published on this router; the
		// pages show who speaks (with several workers, whichever router
		// changed its mind last).
		const speakerObserver = await router.createActiveSpeakerObserver({ interval: 300 });
		slots.push({ index, worker, router, webRtcServer, speakerObserver, cpu: null, lastUsage: null });
	}
	const room = new Room(slots);
	for (const slot of slots) {
		slot.speakerObserver.on('dominantspeaker', ({ producer }) => {
			// WHIP producers carry no peerId: look the publisher up.
			const peerId = [...room.peers.values()].find((p) => p.producers.has(producer.id))?.id;
			if (!peerId) {
				return;
			}
			room.dominantSpeaker = peerId;
			for (const peer of room.joinedPeers(null)) {
				notify(peer, 'dominantSpeaker', { peerId });
			}
		});
	}
	const cpuTimer = setInterval(() => sampleCpu(slots), 1000);
	cpuTimer.unref();

	const onRequest = (req, res) => {
		const { pathname } = new URL(req.url, 'http://localhost');
		if (pathname === '/' || pathname === '/index.html') {
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end(page());
		} else if (pathname === '/client.js') {
			res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
			res.end(script);
		} else if (pathname === '/metrics') {
			metrics.serve(req, res);
		} else {
			res.writeHead(404, { 'content-type': 'text/plain' });
			res.end('not found');
		}
	};
	const secure = Boolean(config.httpsCert && config.httpsKey);
	const server = secure
		? https.createServer({ cert: fs.readFileSync(config.httpsCert), key: fs.readFileSync(config.httpsKey) }, onRequest)
		: http.createServer(onRequest);

	// WHIP/WHEP on the first worker's router, served before the page's routes.
	const whip = createWhipServer({
		router: slots[0].router,
		webRtcServer: slots[0].webRtcServer,
	}).attach(server);
	whip.on('publish', (session) => room.addWhipPublisher(session));
	whip.on('unpublish', (session) => room.removeWhipPublisher(session));

	const wss = new WebSocketServer({ server, path: '/ws' });
	wss.on('connection', (socket) => {
		const peer = room.addPeer(socket);
		socket.on('message', async (raw) => {
			let message;
			try {
				message = JSON.parse(raw);
			} catch {
				return;
			}
			const { id, method, data } = message;
			try {
				const result = await room.handle(peer, method, data ?? {});
				socket.send(JSON.stringify({ id, ok: true, data: result }));
			} catch (error) {
				socket.send(JSON.stringify({ id, ok: false, error: error.message }));
			}
		});
		socket.on('close', () => room.removePeer(peer));
		socket.on('error', () => socket.close());
	});

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.listenIp, resolve);
	});
	const { port } = server.address();
	const host = config.listenIp === '127.0.0.1' || config.listenIp === '0.0.0.0' ? 'localhost' : config.listenIp;
	const origin = `${secure ? 'https' : 'http'}://${host}:${port}`;
	console.log(`ferrosoup room demo listening on ${origin}`);
	console.log(`WHIP publishers join at ${origin}/whip/<name>; WHEP players watch at ${origin}/whep/<name>`);
	const ports = config.webRtcPort ? slots.map((s) => config.webRtcPort + s.index).join(', ') : '(any)';
	console.log(
		`media on ${config.listenIp} port ${ports} UDP+TCP on ${slots.length} worker(s)` +
			(config.announcedAddress ? `, announced as ${config.announcedAddress}` : '')
	);
	if (config.listenIp === '0.0.0.0' && !config.announcedAddress) {
		console.warn('LISTEN_IP is 0.0.0.0 but ANNOUNCED_ADDRESS is unset: browsers will not reach the media sockets');
	}

	let closing = false;
	const shutdown = () => {
		if (closing) {
			return;
		}
		closing = true;
		clearInterval(cpuTimer);
		for (const client of wss.clients) {
			client.terminate();
		}
		wss.close();
		whip.close();
		server.closeAllConnections?.();
		server.close();
		for (const slot of slots) {
			slot.worker.close();
		}
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
