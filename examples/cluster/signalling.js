'use strict';

// A page's requests over its WebSocket, on the node it reached:
//   hello { room, displayName, redirected?, previous? }
//        -> { redirect, node } (go to the room's home node)
//         | { node, home, routerRtpCapabilities, nodes }
//   createWebRtcTransport { consuming }, connectWebRtcTransport,
//   join { rtpCapabilities } -> { peerId, token, peers },
//   produce, resumeConsumer
// and notifications to it: newPeer, peerClosed, newConsumer,
// consumerClosed, nodes (the live nodes, for reconnecting elsewhere).

const crypto = require('node:crypto');

function notify(socket, method, data) {
	if (socket.readyState === socket.OPEN) {
		socket.send(JSON.stringify({ notification: true, method, data }));
	}
}

/**
 * Answers one request of a page. `ctx`: { nodeId, spillAt, registry,
 * openRoom(name), publicNodes(), log }.
 */
async function handleRequest(ctx, socket, method, data) {
	const { registry } = ctx;
	const peer = socket.peer;
	if (method === 'hello') {
		if (peer) {
			throw new Error('hello already said');
		}
		const name = String(data.room || 'demo').slice(0, 64);
		const home = await registry.placeRoom(name);
		if (home !== ctx.nodeId && !data.redirected) {
			const count = await registry.countOn(name, home);
			const url = registry.alive.get(home)?.url;
			if (count < ctx.spillAt && url) {
				return { redirect: url, node: home };
			}
		}
		const room = await ctx.openRoom(name);
		socket.peer = {
			id: crypto.randomUUID(),
			displayName: String(data.displayName || 'someone').slice(0, 64),
			token: crypto.randomBytes(16).toString('hex'),
			room,
			joined: false,
			rtpCapabilities: null,
			transports: new Map(),
			producers: new Map(),
			consumers: new Map(),
			consuming: new Set(),
			notify: (m, d) => notify(socket, m, d),
		};
		room.peers.set(socket.peer.id, socket.peer);
		if (data.previous?.peerId) {
			const evicted = await room.evictPrevious(data.previous).catch(() => false);
			if (evicted) {
				ctx.log(`${socket.peer.displayName} came back: its previous session ${data.previous.peerId} is over`);
			}
		}
		return {
			node: ctx.nodeId,
			home,
			routerRtpCapabilities: room.router.rtpCapabilities,
			nodes: ctx.publicNodes(),
		};
	}
	if (!peer) {
		throw new Error('say hello first');
	}
	const { room } = peer;
	switch (method) {
		case 'createWebRtcTransport': {
			const transport = await room.router.createWebRtcTransport({
				webRtcServer: room.slot.webRtcServer,
				enableUdp: true,
				enableTcp: true,
				preferUdp: true,
				appData: { consuming: Boolean(data.consuming) },
			});
			peer.transports.set(transport.id, transport);
			return {
				id: transport.id,
				iceParameters: transport.iceParameters,
				iceCandidates: transport.iceCandidates,
				dtlsParameters: transport.dtlsParameters,
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
			peer.rtpCapabilities = data.rtpCapabilities;
			const peers = room.everyone(peer);
			await room.join(peer);
			ctx.log(`${peer.displayName} joined room ${room.name} (${room.peers.size} here)`);
			setImmediate(() => room.consumeAll(peer));
			return { peerId: peer.id, token: peer.token, peers };
		}
		case 'produce': {
			const transport = peer.transports.get(data.transportId);
			if (!peer.joined || !transport) {
				throw new Error('join first, with a transport');
			}
			const producer = await transport.produce({ kind: data.kind, rtpParameters: data.rtpParameters });
			setImmediate(() => room.addProducer(peer, producer).catch((error) => ctx.log(`produce: ${error.message}`)));
			return { id: producer.id };
		}
		case 'resumeConsumer': {
			await peer.consumers.get(data.consumerId)?.resume();
			return {};
		}
		default:
			throw new Error(`unknown method "${method}"`);
	}
}

module.exports = { handleRequest, notify };
