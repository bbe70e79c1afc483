#!/usr/bin/env node
'use strict';

// One media node of the ferrosoup cluster example: a Worker per CPU core,
// each with a WebRtcServer; the page and its signalling (WebSocket on /ws);
// its presence, load and rooms in Redis; pipes to the other nodes of a room.
// See README.md ("Cluster on Redis") and start.js (a local cluster); the
// page's requests are answered in signalling.js.
//
// Environment (all optional):
//   REDIS_URL          redis://host:port (default redis://127.0.0.1:6379)
//   REDIS_SENTINELS    host:port,host:port: use Redis Sentinel instead
//   REDIS_SENTINEL_NAME  the master's name in Sentinel (default mymaster)
//   REDIS_CLUSTER      host:port,host:port: use a Redis Cluster instead
//   CLUSTER_PREFIX     prefix of every Redis key and channel (default fscluster)
//   NODE_ID            this node's id (default: host name + random suffix)
//   PORT               HTTP(S) port of the page + WebSocket (default 3000)
//   LISTEN_IP          IP of HTTP and media sockets (default 127.0.0.1)
//   ANNOUNCED_ADDRESS  IP/host given to browsers and other nodes (behind NAT,
//                      or with LISTEN_IP 0.0.0.0)
//   PUBLIC_URL         this node's URL for browsers (default from the above)
//   WEBRTC_PORT        UDP+TCP media port of worker 0; worker i uses +i
//                      (default 44444)
//   WORKERS            workers (default: one per CPU core)
//   PIPE_LISTEN_IP, PIPE_ANNOUNCED_ADDRESS  where other nodes reach this
//                      node's pipes (default LISTEN_IP, and ANNOUNCED_ADDRESS
//                      unless PIPE_LISTEN_IP is set)
//   PIPE_PORT_MIN, PIPE_PORT_MAX  UDP port range of the pipes (default any)
//   ROOM_SPILL_AT      participants on a room's home node before newcomers
//                      reaching another node are served there (default 8)
//   HEARTBEAT_MS, NODE_TTL_MS  heartbeat period and expiry (default 1000, 3000)
//   HTTPS_CERT, HTTPS_KEY  PEM files: serve HTTPS (camera needs a secure page)

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const Redis = require('ioredis');
const { WebSocketServer } = require('ws');
const mediasoup = require('../..');
const { Registry } = require('./registry');
const { Bus } = require('./bus');
const { Room } = require('./room');
const { handleRequest, notify } = require('./signalling');

const env = process.env;
const config = {
	nodeId: env.NODE_ID || `${os.hostname()}-${crypto.randomBytes(3).toString('hex')}`,
	redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
	sentinels: env.REDIS_SENTINELS,
	sentinelName: env.REDIS_SENTINEL_NAME || 'mymaster',
	clusterNodes: env.REDIS_CLUSTER,
	prefix: env.CLUSTER_PREFIX || 'fscluster',
	port: Number(env.PORT ?? 3000),
	listenIp: env.LISTEN_IP || '127.0.0.1',
	announcedAddress: env.ANNOUNCED_ADDRESS || undefined,
	publicUrl: env.PUBLIC_URL,
	webRtcPort: Number(env.WEBRTC_PORT ?? 44444),
	workers: Math.max(1, Number(env.WORKERS) || os.availableParallelism()),
	pipeListenIp: env.PIPE_LISTEN_IP || env.LISTEN_IP || '127.0.0.1',
	// A pipe on its own (private) address is announced as that address, not
	// as the browsers' ANNOUNCED_ADDRESS.
	pipeAnnouncedAddress: env.PIPE_ANNOUNCED_ADDRESS || (env.PIPE_LISTEN_IP ? undefined : env.ANNOUNCED_ADDRESS) || undefined,
	pipePorts: env.PIPE_PORT_MIN ? { min: Number(env.PIPE_PORT_MIN), max: Number(env.PIPE_PORT_MAX || 65535) } : null,
	spillAt: Number(env.ROOM_SPILL_AT ?? 8),
	heartbeatMs: Number(env.HEARTBEAT_MS ?? 1000),
	ttlMs: Number(env.NODE_TTL_MS ?? 3000),
	httpsCert: env.HTTPS_CERT,
	httpsKey: env.HTTPS_KEY,
	mediaCodecs: [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
	],
};

function log(...args) {
	console.log(`[${config.nodeId}]`, ...args);
}

function createRedis() {
	const options = {
		// Fail commands fast while Redis is away (the media does not wait for
		// it); reconnect every second at most.
		maxRetriesPerRequest: 2,
		retryStrategy: (times) => Math.min(times * 200, 1000),
	};
	const hosts = (list, defaultPort) =>
		list.split(',').map((hostPort) => {
			const [host, port] = hostPort.split(':');
			return { host, port: Number(port || defaultPort) };
		});
	if (config.sentinels) {
		// ioredis asks the sentinels for the master and follows failovers.
		return new Redis({ ...options, sentinels: hosts(config.sentinels, 26379), name: config.sentinelName });
	}
	if (config.clusterNodes) {
		return new Redis.Cluster(hosts(config.clusterNodes, 6379), { redisOptions: options });
	}
	return new Redis(config.redisUrl, options);
}

async function bundleClient() {
	const esbuild = require('esbuild');
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

async function createSlots() {
	const slots = [];
	for (let index = 0; index < config.workers; index++) {
		const worker = await mediasoup.createWorker({ logLevel: 'warn' });
		worker.on('died', (error) => {
			console.error(`worker ${index} died: ${error.message}`);
			process.exit(1);
		});
		const listen = {
			ip: config.listenIp,
			announcedAddress: config.announcedAddress,
			port: config.webRtcPort ? config.webRtcPort + index : 0,
		};
		const webRtcServer = await worker.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ...listen },
				{ protocol: 'tcp', ...listen },
			],
		});
		slots.push({ index, worker, webRtcServer, rooms: 0 });
	}
	return slots;
}

async function main() {
	const script = await bundleClient();
	const slots = await createSlots();
	const redis = createRedis();
	const sub = createRedis();
	for (const client of [redis, sub]) {
		client.on('error', () => {}); // reconnects by itself; 'warning' below says it
	}
	const sockets = new Set(); // every page connected here
	const rooms = new Map(); // name -> promise of Room
	const openRooms = new Map(); // name -> Room, once created
	let publicUrl = config.publicUrl;

	const joinedPeers = () => [...sockets].filter((s) => s.peer?.joined).length;
	const registry = new Registry(redis, {
		prefix: config.prefix,
		nodeId: config.nodeId,
		ttlMs: config.ttlMs,
		heartbeatMs: config.heartbeatMs,
		info: () => ({
			url: publicUrl,
			peers: joinedPeers(),
			workers: slots.length,
			load: joinedPeers() / slots.length,
			rooms: rooms.size,
		}),
	});
	const bus = new Bus(redis, sub, { prefix: config.prefix, nodeId: config.nodeId });
	const node = {
		id: config.nodeId,
		registry,
		bus,
		pipeListenInfo: {
			ip: config.pipeListenIp,
			announcedAddress: config.pipeAnnouncedAddress,
			...(config.pipePorts ? { portRange: config.pipePorts } : {}),
		},
	};

	let redisDown = false;
	registry.on('warning', (error) => {
		if (!redisDown) {
			redisDown = true;
			log(`Redis unreachable (${error.message}): media continues, retrying`);
		}
	});
	redis.on('ready', () => {
		if (redisDown) {
			redisDown = false;
			log('Redis back');
		}
	});

	/** The room's part on this node, created on first use. */
	function openRoom(name) {
		let room = rooms.get(name);
		if (!room) {
			const slot = slots.reduce((a, b) => (b.rooms < a.rooms ? b : a));
			slot.rooms++;
			room = (async () => {
				const router = await slot.worker.createRouter({ mediaCodecs: config.mediaCodecs });
				router.observer.once('close', () => slot.rooms--);
				const r = new Room({ name, router, node });
				r.slot = slot;
				openRooms.set(name, r);
				await r.open();
				return r;
			})();
			rooms.set(name, room);
			room.catch(() => rooms.delete(name));
		}
		return room;
	}

	/** Closes our part of the room once nobody here is in it. */
	async function maybeCloseRoom(room) {
		// Synchronous check-and-delete: a hello arriving meanwhile opens a new one.
		if (room.peers.size === 0 && openRooms.get(room.name) === room) {
			rooms.delete(room.name);
			openRooms.delete(room.name);
			await room.close();
			log(`room ${room.name}: nobody left here, router closed`);
		}
	}

	const roomsNow = async () => Promise.all([...rooms.values()].map((r) => r.catch(() => null))).then((rs) => rs.filter(Boolean));

	// --- cluster events ---------------------------------------------------------

	bus.handle('pipe.connect', async (data, from) => {
		const room = await rooms.get(data.room);
		if (!room) {
			throw new Error(`room ${data.room} is not on ${config.nodeId}`);
		}
		const link = room.link(from);
		if (!link.remote || link.remote.transportId === data.transportId) {
			return link.accept(data);
		}
		// The other side made a new pipe (it closed and reopened the room).
		const answer = await (await room.replaceLink(from)).accept(data);
		room.reconsumeFrom(from);
		return answer;
	});

	bus.handle('pipe.consume', async (data, from) => {
		const room = await rooms.get(data.room);
		if (!room) {
			throw new Error(`room ${data.room} is not on ${config.nodeId}`);
		}
		return room.link(from).pipeOut(data.producerId);
	});

	registry.on('nodeDown', async (deadNode) => {
		log(`node ${deadNode} is gone (heartbeat expired)`);
		for (const room of await roomsNow()) {
			room.dropNode(deadNode);
			try {
				await registry.forgetNode(room.name, deadNode);
				const home = await registry.replaceRoom(room.name, deadNode);
				log(`room ${room.name}: home is ${home}`);
			} catch (error) {
				log(`room ${room.name}: cannot re-place it yet (${error.message})`);
			}
		}
	});

	registry.on('nodes', (nodes) => {
		for (const socket of sockets) {
			notify(socket, 'nodes', { nodes: publicNodes(nodes) });
		}
	});

	registry.on('reregistered', async () => {
		log('our Redis key had expired (Redis restarted?): writing our rooms back');
		for (const room of await roomsNow()) {
			await room.republish().catch((error) => log(`room ${room.name}: ${error.message}`));
		}
	});

	const publicNodes = (nodes = registry.nodes()) => nodes.map((n) => ({ id: n.id, url: n.url, load: n.load }));

	const signalling = {
		nodeId: config.nodeId,
		spillAt: config.spillAt,
		registry,
		openRoom,
		publicNodes,
		log,
	};

	// --- HTTP + WebSocket -------------------------------------------------------

	async function status() {
		const list = await roomsNow();
		return {
			node: config.nodeId,
			rooms: await Promise.all(
				list.map(async (room) => ({
					name: room.name,
					peers: room.peers.size,
					remotePeers: room.remotePeers.size,
					remoteProducers: room.remoteProducers.size,
					pipes: await Promise.all([...room.links.values()].map((link) => link.status())),
				}))
			),
		};
	}

	const onRequest = (req, res) => {
		const { pathname } = new URL(req.url, 'http://localhost');
		if (pathname === '/' || pathname === '/index.html') {
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end(fs.readFileSync(path.join(__dirname, 'index.html')));
		} else if (pathname === '/client.js') {
			res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
			res.end(script);
		} else if (pathname === '/status') {
			// This node's rooms and pipes (for operators and the test).
			status().then((body) => {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify(body));
			});
		} else if (pathname === '/nodes') {
			res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
			res.end(JSON.stringify({ node: config.nodeId, nodes: publicNodes() }));
		} else {
			res.writeHead(404, { 'content-type': 'text/plain' });
			res.end('not found');
		}
	};
	const secure = Boolean(config.httpsCert && config.httpsKey);
	const server = secure
		? https.createServer({ cert: fs.readFileSync(config.httpsCert), key: fs.readFileSync(config.httpsKey) }, onRequest)
		: http.createServer(onRequest);
	const wss = new WebSocketServer({ server, path: '/ws' });
	wss.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('message', async (raw) => {
			let message;
			try {
				message = JSON.parse(raw);
			} catch {
				return;
			}
			try {
				const result = await handleRequest(signalling, socket, message.method, message.data ?? {});
				socket.send(JSON.stringify({ id: message.id, ok: true, data: result }));
			} catch (error) {
				socket.send(JSON.stringify({ id: message.id, ok: false, error: error.message }));
			}
		});
		socket.on('close', async () => {
			sockets.delete(socket);
			const peer = socket.peer;
			if (peer) {
				await peer.room.removePeer(peer);
				log(`${peer.displayName} left room ${peer.room.name}`);
				await maybeCloseRoom(peer.room);
			}
		});
		socket.on('error', () => socket.terminate());
	});

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.listenIp, resolve);
	});
	const host = config.announcedAddress || (['0.0.0.0', '127.0.0.1'].includes(config.listenIp) ? 'localhost' : config.listenIp);
	publicUrl ??= `${secure ? 'https' : 'http'}://${host}:${server.address().port}`;

	await bus.start();
	await registry.start();
	const redisName = config.sentinels ? `sentinels ${config.sentinels}` : config.clusterNodes ? `cluster ${config.clusterNodes}` : config.redisUrl;
	log(`media node listening on ${publicUrl} (${slots.length} workers, Redis ${redisName})`);
	if (config.pipeListenIp === '0.0.0.0' && !config.pipeAnnouncedAddress) {
		console.warn('PIPE_LISTEN_IP is 0.0.0.0 without PIPE_ANNOUNCED_ADDRESS: other nodes cannot reach the pipes');
	}

	let closing = false;
	const shutdown = async () => {
		if (closing) {
			return;
		}
		closing = true;
		for (const socket of sockets) {
			socket.terminate();
		}
		wss.close();
		server.closeAllConnections?.();
		server.close();
		await registry.stop();
		bus.close();
		for (const slot of slots) {
			slot.worker.close();
		}
		redis.disconnect();
		sub.disconnect();
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
