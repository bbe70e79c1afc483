// Page script of the cluster example (bundled by node.js with esbuild).
// Says hello to a node for a room (?room=name, default "demo"); follows a
// redirect to the room's node; publishes camera + microphone and shows one
// tile per other participant. When the node's WebSocket closes (the node
// died), it tries the other nodes it was told about and joins again there.

import { Device } from 'mediasoup-client';

const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);
const roomName = params.get('room') || 'demo';
const displayName = params.get('name') || `guest-${Math.random().toString(36).slice(2, 6)}`;
const wsUrl = (httpUrl) => `${httpUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`;

/** The page's state, also read by __test__/cluster.test.js. */
const cluster = {
	room: roomName,
	displayName,
	status: 'connecting',
	error: null,
	node: null, // id of the node serving us
	nodeUrl: null,
	peerId: null,
	joins: 0, // how many times we joined (1 + reconnections)
	redirects: 0,
	nodes: [], // [{ id, url, load }], as last told by a node
	peers: new Map(), // peerId -> { displayName, tile, consumers: Map }
};
window.cluster = cluster;

function setStatus(text, error) {
	cluster.status = text;
	cluster.error = error ? String(error.message ?? error) : null;
	$('#status').textContent = error ? `${text}: ${cluster.error}` : text;
	$('#status').className = error ? 'error' : '';
}

// --- one session: a WebSocket to one node ------------------------------------

class Session {
	constructor(url) {
		this.url = url;
		this.socket = new WebSocket(wsUrl(url));
		this.pending = new Map();
		this.nextId = 1;
		this.notifications = Promise.resolve();
		this.closed = new Promise((resolve) => this.socket.addEventListener('close', resolve, { once: true }));
		this.socket.addEventListener('message', ({ data }) => this.onMessage(JSON.parse(data)));
		this.closed.then(() => {
			for (const { reject } of this.pending.values()) {
				reject(new Error('connection closed'));
			}
			this.pending.clear();
		});
		this.onNotification = async () => {};
	}

	opened(timeoutMs) {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.socket.close();
				reject(new Error(`${this.url}: no answer`));
			}, timeoutMs);
			this.socket.addEventListener('open', () => (clearTimeout(timer), resolve()), { once: true });
			this.closed.then(() => (clearTimeout(timer), reject(new Error(`${this.url}: unreachable`))));
		});
	}

	request(method, data = {}) {
		return new Promise((resolve, reject) => {
			const id = this.nextId++;
			this.pending.set(id, { resolve, reject });
			this.socket.send(JSON.stringify({ id, method, data }));
		});
	}

	onMessage(message) {
		if (message.notification) {
			// One at a time, in order: a consumerClosed must find its consumer.
			this.notifications = this.notifications
				.then(() => this.onNotification(message.method, message.data))
				.catch((error) => console.error(message.method, error));
			return;
		}
		const handlers = this.pending.get(message.id);
		if (handlers) {
			this.pending.delete(message.id);
			message.ok ? handlers.resolve(message.data) : handlers.reject(new Error(message.error));
		}
	}

	close() {
		this.socket.close();
	}
}

// --- tiles ---------------------------------------------------------------------

function peerTile(peerId, name) {
	let peer = cluster.peers.get(peerId);
	if (!peer) {
		const tile = document.createElement('figure');
		tile.className = 'tile remote';
		tile.dataset.peerId = peerId;
		tile.innerHTML = '<video autoplay playsinline muted></video><figcaption></figcaption>';
		tile.querySelector('figcaption').textContent = name ?? '';
		$('#tiles').appendChild(tile);
		peer = { displayName: name, tile, consumers: new Map() };
		cluster.peers.set(peerId, peer);
	}
	return peer;
}

function removePeer(peerId) {
	const peer = cluster.peers.get(peerId);
	if (peer) {
		for (const consumer of peer.consumers.values()) {
			consumer.close();
		}
		peer.tile.remove();
		cluster.peers.delete(peerId);
	}
}

function attach(peer, consumer) {
	if (consumer.kind === 'video') {
		const video = peer.tile.querySelector('video');
		video.srcObject = new MediaStream([consumer.track]);
		video.play().catch(() => {});
	} else {
		const audio = document.createElement('audio');
		audio.autoplay = true;
		audio.dataset.consumerId = consumer.id;
		audio.srcObject = new MediaStream([consumer.track]);
		peer.tile.appendChild(audio);
		audio.play().catch(() => {});
	}
}

function removeConsumer(consumerId) {
	for (const peer of cluster.peers.values()) {
		const consumer = peer.consumers.get(consumerId);
		if (consumer) {
			consumer.close();
			peer.consumers.delete(consumerId);
			peer.tile.querySelector(`audio[data-consumer-id="${consumerId}"]`)?.remove();
		}
	}
}

/** Per remote peer: decoded video frames and received audio (for tests). */
cluster.mediaStats = async () => {
	const result = [];
	for (const [peerId, peer] of cluster.peers) {
		// receivedAgoMs: how long ago the last packet (audio or video) of
		// this peer arrived, as of these stats (a gap in the media, unlike
		// a late sample, makes it grow).
		const entry = { peerId, displayName: peer.displayName, framesDecoded: 0, audioPackets: 0, receivedAgoMs: 0, packetsLost: 0, pliCount: 0 };
		for (const consumer of peer.consumers.values()) {
			// A consumer may close while we wait (its node went away).
			const stats = consumer.closed ? new Map() : await consumer.getStats().catch(() => new Map());
			for (const s of stats.values()) {
				if (s.type === 'inbound-rtp') {
					entry.packetsLost += s.packetsLost ?? 0;
					entry.pliCount += s.pliCount ?? 0;
				}
				if (s.type === 'inbound-rtp' && s.lastPacketReceivedTimestamp) {
					entry.receivedAgoMs = Math.max(entry.receivedAgoMs, s.timestamp - s.lastPacketReceivedTimestamp);
				}
				if (s.type === 'inbound-rtp' && s.kind === 'video') {
					entry.framesDecoded += s.framesDecoded ?? 0;
				} else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
					entry.audioPackets += s.packetsReceived ?? 0;
				}
			}
		}
		result.push(entry);
	}
	return result;
};

// --- joining a node --------------------------------------------------------------

let localStream;

/** Joins the room through the node at `url`; resolves when that node is gone. */
async function run(url, redirected) {
	const session = new Session(url);
	try {
		return await runSession(session, url, redirected);
	} finally {
		session.close();
		session.cleanup?.();
	}
}

async function runSession(session, url, redirected) {
	await session.opened(3000);
	// `previous` lets the node end our last session (on a dead node) now.
	const previous = cluster.peerId ? { peerId: cluster.peerId, token: cluster.token } : undefined;
	const hello = await session.request('hello', { room: roomName, displayName, redirected, previous });
	if (hello.redirect) {
		cluster.redirects++;
		return { redirect: hello.redirect };
	}
	cluster.node = hello.node;
	cluster.nodeUrl = url;
	cluster.nodes = hello.nodes;
	$('#where').textContent = `node ${hello.node} (room ${roomName} lives on ${hello.home})`;

	const device = new Device();
	await device.load({ routerRtpCapabilities: hello.routerRtpCapabilities });
	const createTransport = async (direction) => {
		const info = await session.request('createWebRtcTransport', { consuming: direction === 'recv' });
		const transport = direction === 'send' ? device.createSendTransport(info) : device.createRecvTransport(info);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			session.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters }).then(callback, errback);
		});
		transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
			session.request('produce', { transportId: transport.id, kind, rtpParameters }).then(callback, errback);
		});
		return transport;
	};
	const sendTransport = await createTransport('send');
	const recvTransport = await createTransport('recv');
	session.cleanup = () => {
		session.ended = true;
		sendTransport.close();
		recvTransport.close();
		// The next node tells us who is there.
		for (const peerId of [...cluster.peers.keys()]) {
			removePeer(peerId);
		}
	};

	session.onNotification = async (method, data) => {
		if (session.ended) {
			return;
		}
		switch (method) {
			case 'newPeer':
				peerTile(data.id, data.displayName);
				break;
			case 'peerClosed':
				removePeer(data.peerId);
				break;
			case 'newConsumer': {
				const peer = peerTile(data.peerId, data.displayName);
				const consumer = await recvTransport.consume({
					id: data.id,
					producerId: data.producerId,
					kind: data.kind,
					rtpParameters: data.rtpParameters,
				});
				peer.consumers.set(consumer.id, consumer);
				attach(peer, consumer);
				await session.request('resumeConsumer', { consumerId: consumer.id });
				break;
			}
			case 'consumerClosed':
				removeConsumer(data.consumerId);
				break;
			case 'nodes':
				cluster.nodes = data.nodes;
				break;
			default:
				break;
		}
	};

	const joined = await session.request('join', { rtpCapabilities: device.rtpCapabilities });
	cluster.peerId = joined.peerId;
	cluster.token = joined.token;
	cluster.joins++;
	for (const peer of joined.peers) {
		peerTile(peer.id, peer.displayName);
	}
	$('#me figcaption').textContent = `${displayName} (you)`;

	localStream ??= await navigator.mediaDevices.getUserMedia({
		audio: true,
		video: {
			width: { ideal: Number(params.get('width') || 640) },
			height: { ideal: Number(params.get('height') || 480) },
			frameRate: { ideal: Number(params.get('fps') || 30) },
		},
	});
	const local = $('#me video');
	local.srcObject ??= new MediaStream(localStream.getVideoTracks());
	local.play().catch(() => {});
	for (const track of localStream.getTracks()) {
		// The tracks outlive this session: a reconnection publishes them again.
		await sendTransport.produce({ track, stopTracks: false });
	}
	setStatus('live');
	cluster.joinedAt = Date.now();

	await session.closed;
	return { lost: url };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Joins, and joins again elsewhere whenever the node goes away. */
async function main() {
	let queue = [location.origin];
	let lost = null;
	let rounds = 0;
	for (;;) {
		if (queue.length === 0) {
			// Every candidate tried: the live nodes (least loaded first), then
			// the lost one (it may be back), pausing between rounds.
			const urls = cluster.nodes.map((n) => n.url).filter((u) => u !== lost);
			queue = [...new Set([...urls, lost ?? location.origin])];
			if (rounds++ > 0) {
				await sleep(Math.min(500 * rounds, 3000));
			}
		}
		const target = queue.shift();
		try {
			let outcome = await run(target, false);
			if (outcome.redirect) {
				outcome = await run(outcome.redirect, true);
			}
			lost = outcome.lost;
			queue = [];
			rounds = 0;
			setStatus('node lost, reconnecting');
		} catch (error) {
			setStatus('reconnecting', error);
		}
	}
}

if (!navigator.mediaDevices) {
	setStatus('no camera access', new Error('open this page over https:// (or http://localhost)'));
} else {
	main();
}
