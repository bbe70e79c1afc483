'use strict';

// This node's part of a room: one router (on one of the node's workers),
// the participants connected here (local peers, with their transports,
// producers and consumers), what it knows of the participants on other
// nodes (remote peers and producers, from Redis and the room's events) and
// one PipeLink per other node that shares the room.
//
// A local peer consumes a local producer directly; a remote producer is
// first piped in (once per node, whoever asks first), then consumed.

const { PipeLink } = require('./pipes');

class Room {
	constructor({ name, router, node }) {
		this.name = name;
		this.router = router;
		this.node = node; // { id, registry, bus, pipeListenInfo }
		this.peers = new Map(); // local peers: id -> peer
		this.remotePeers = new Map(); // id -> { id, displayName, node }
		this.remoteProducers = new Map(); // id -> { id, peerId, node, kind }
		this.links = new Map(); // node id -> PipeLink
		this.closed = false;
	}

	get registry() {
		return this.node.registry;
	}

	get bus() {
		return this.node.bus;
	}

	/** Subscribes to the room's events, then reads what Redis knows. */
	async open() {
		await this.bus.joinRoom(this.name, (event, data, from) => this.onEvent(event, data, from));
		const { peers, producers } = await this.registry.roomState(this.name);
		for (const [id, peer] of peers) {
			this.onEvent('peer.joined', { id, ...peer }, peer.node);
		}
		for (const [id, producer] of producers) {
			this.onEvent('producer.added', { id, ...producer }, producer.node);
		}
	}

	joinedPeers(except) {
		return [...this.peers.values()].filter((p) => p.joined && p !== except);
	}

	/** Every participant but `except`, wherever it is: { id, displayName }. */
	everyone(except) {
		const local = this.joinedPeers(except).map((p) => ({ id: p.id, displayName: p.displayName }));
		const remote = [...this.remotePeers.values()].map((p) => ({ id: p.id, displayName: p.displayName }));
		return [...local, ...remote];
	}

	/** Producers of everyone but `peer`: { producer info, local producer or null }. */
	producersFor(peer) {
		const local = this.joinedPeers(peer).flatMap((p) =>
			[...p.producers.values()].map((producer) => ({ id: producer.id, peerId: p.id, displayName: p.displayName, local: producer }))
		);
		const remote = [...this.remoteProducers.values()].map((info) => ({
			...info,
			displayName: this.remotePeers.get(info.peerId)?.displayName,
			local: null,
		}));
		return [...local, ...remote];
	}

	notifyLocal(method, data, except) {
		for (const peer of this.joinedPeers(except)) {
			peer.notify(method, data);
		}
	}

	// --- local peers ---------------------------------------------------------

	async join(peer) {
		peer.joined = true;
		await Promise.all([
			this.registry.setCount(this.name, this.joinedPeers().length),
			this.registry.putPeer(this.name, peer.id, { node: this.node.id, displayName: peer.displayName, token: peer.token }),
		]);
		this.notifyLocal('newPeer', { id: peer.id, displayName: peer.displayName }, peer);
		await this.bus.publish(this.name, 'peer.joined', { id: peer.id, displayName: peer.displayName, node: this.node.id });
	}

	/** After `peer` answered its join: consume what everyone publishes. */
	consumeAll(peer) {
		for (const info of this.producersFor(peer)) {
			this.consume(peer, info);
		}
	}

	async addProducer(peer, producer) {
		peer.producers.set(producer.id, producer);
		producer.observer.once('close', () => {
			peer.producers.delete(producer.id);
			if (!this.closed) {
				this.registry.removeProducer(this.name, producer.id).catch(() => {});
				this.bus.publish(this.name, 'producer.closed', { id: producer.id });
			}
		});
		for (const other of this.joinedPeers(peer)) {
			this.consume(other, { id: producer.id, peerId: peer.id, displayName: peer.displayName, local: producer });
		}
		const info = { node: this.node.id, peerId: peer.id, kind: producer.kind };
		await this.registry.putProducer(this.name, producer.id, info);
		await this.bus.publish(this.name, 'producer.added', { id: producer.id, ...info });
	}

	async removePeer(peer) {
		if (!this.peers.delete(peer.id)) {
			return;
		}
		// Closing the transports closes the producers (see addProducer).
		for (const transport of peer.transports.values()) {
			transport.close();
		}
		if (!peer.joined) {
			return;
		}
		this.notifyLocal('peerClosed', { peerId: peer.id });
		await Promise.all([
			this.registry.removePeer(this.name, peer.id),
			this.registry.setCount(this.name, this.joinedPeers().length),
			this.bus.publish(this.name, 'peer.left', { id: peer.id }),
		]).catch((error) => console.warn(`room ${this.name}: ${error.message}`));
	}

	/** Makes `peer` receive the producer `info` (local or on another node). */
	consume(peer, info, attempt = 1) {
		// Once per producer and peer, however many events announce it.
		if (peer.consuming.has(info.id)) {
			return;
		}
		peer.consuming.add(info.id);
		this.createConsumer(peer, info).then(
			(created) => created || peer.consuming.delete(info.id),
			(error) => {
				peer.consuming.delete(info.id);
				if (this.closed || !this.peers.has(peer.id)) {
					return;
				}
				console.warn(`room ${this.name}: consume ${info.id} for ${peer.displayName} failed: ${error.message}`);
				// A lost or late bus message: ask again while the producer exists.
				if (attempt < 3 && (info.local ? !info.local.closed : this.remoteProducers.has(info.id))) {
					setTimeout(() => this.consume(peer, info, attempt + 1), 1000);
				}
			}
		);
	}

	async createConsumer(peer, info) {
		if (!info.local) {
			const remote = this.remoteProducers.get(info.id);
			if (!remote) {
				return false;
			}
			await this.link(remote.node).pipeIn(info.id);
		}
		const transport = [...peer.transports.values()].find((t) => t.appData.consuming);
		if (!transport || !this.peers.has(peer.id)) {
			return false;
		}
		if (!this.router.canConsume({ producerId: info.id, rtpCapabilities: peer.rtpCapabilities })) {
			return false;
		}
		const consumer = await transport.consume({
			producerId: info.id,
			rtpCapabilities: peer.rtpCapabilities,
			paused: true, // resumed by the page once it is ready (resumeConsumer)
		});
		peer.consumers.set(consumer.id, consumer);
		consumer.observer.once('close', () => {
			peer.consumers.delete(consumer.id);
			peer.consuming.delete(info.id);
		});
		consumer.on('producerclose', () => peer.notify('consumerClosed', { consumerId: consumer.id }));
		peer.notify('newConsumer', {
			peerId: info.peerId,
			displayName: info.displayName,
			producerId: info.id,
			id: consumer.id,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters,
		});
		return true;
	}

	// --- other nodes ---------------------------------------------------------

	link(nodeId) {
		let link = this.links.get(nodeId);
		if (!link) {
			link = new PipeLink({
				room: this.name,
				router: this.router,
				remoteNode: nodeId,
				listenInfo: this.node.pipeListenInfo,
				bus: this.bus,
			});
			this.links.set(nodeId, link);
		}
		return link;
	}

	/** The room's events from the other nodes (idempotent: may repeat). */
	onEvent(event, data, from) {
		if (this.closed || from === this.node.id || this.registry.isDead(from)) {
			return;
		}
		this.apply(event, data, from);
	}

	/** Applies an event about something on node `from`. */
	apply(event, data, from) {
		switch (event) {
			case 'peer.joined':
				if (!this.remotePeers.has(data.id)) {
					this.remotePeers.set(data.id, { id: data.id, displayName: data.displayName, node: from });
					this.notifyLocal('newPeer', { id: data.id, displayName: data.displayName });
				}
				break;
			case 'peer.left':
				if (this.remotePeers.delete(data.id)) {
					this.notifyLocal('peerClosed', { peerId: data.id });
				}
				break;
			case 'producer.added':
				if (!this.remoteProducers.has(data.id)) {
					const info = { id: data.id, peerId: data.peerId, node: from, kind: data.kind };
					this.remoteProducers.set(data.id, info);
					const displayName = this.remotePeers.get(data.peerId)?.displayName;
					for (const peer of this.joinedPeers()) {
						this.consume(peer, { ...info, displayName, local: null });
					}
				}
				break;
			case 'producer.closed': {
				const info = this.remoteProducers.get(data.id);
				if (info) {
					this.remoteProducers.delete(data.id);
					// Its consumers here close with it (producerclose).
					this.links.get(info.node)?.closeProducer(data.id);
				}
				break;
			}
			case 'node.left':
				// That node closed its router of the room: its pipe is gone.
				this.dropNode(from);
				break;
			default:
				break;
		}
	}

	/**
	 * A page that lost its node and reconnected here ends its previous
	 * session for everyone at once, instead of when the dead node's
	 * heartbeat expires: `previous` is { peerId, token } from its last join
	 * (the token proves it is that peer). Its old node may still be alive
	 * (only the page's connection broke): that node drops it on its own
	 * when the WebSocket closes.
	 */
	async evictPrevious(previous) {
		const { peers, producers } = await this.registry.roomState(this.name);
		const record = peers.get(previous.peerId);
		if (!record || !record.token || record.token !== previous.token || record.node === this.node.id) {
			return false;
		}
		for (const [id, producer] of producers) {
			if (producer.peerId === previous.peerId) {
				this.apply('producer.closed', { id }, record.node);
				await this.registry.removeProducer(this.name, id);
				await this.bus.publish(this.name, 'producer.closed', { id });
			}
		}
		this.apply('peer.left', { id: previous.peerId }, record.node);
		await this.registry.removePeer(this.name, previous.peerId);
		await this.bus.publish(this.name, 'peer.left', { id: previous.peerId });
		return true;
	}

	/**
	 * The other side of our pipe to `nodeId` made a new pipe (it reopened
	 * the room and we missed its node.left): replace ours, and pipe what our
	 * peers consumed from there again once the new one is paired.
	 */
	async replaceLink(nodeId) {
		await this.links.get(nodeId)?.close();
		this.links.delete(nodeId);
		return this.link(nodeId);
	}

	reconsumeFrom(nodeId) {
		for (const info of this.remoteProducers.values()) {
			if (info.node !== nodeId) {
				continue;
			}
			const displayName = this.remotePeers.get(info.peerId)?.displayName;
			for (const peer of this.joinedPeers()) {
				peer.consuming.delete(info.id);
				this.consume(peer, { ...info, displayName, local: null });
			}
		}
	}

	/** Forgets everything from `nodeId` (it left the room or died). */
	dropNode(nodeId) {
		this.links.get(nodeId)?.close();
		this.links.delete(nodeId);
		for (const [id, info] of this.remoteProducers) {
			if (info.node === nodeId) {
				this.remoteProducers.delete(id);
			}
		}
		for (const [id, peer] of this.remotePeers) {
			if (peer.node === nodeId) {
				this.remotePeers.delete(id);
				this.notifyLocal('peerClosed', { peerId: id });
			}
		}
	}

	/** Writes this node's part of the room back (after a Redis restart). */
	async republish() {
		const peers = this.joinedPeers();
		await this.registry.setCount(this.name, peers.length);
		await this.registry.claimHomeIfNone(this.name);
		for (const peer of peers) {
			const value = { node: this.node.id, displayName: peer.displayName };
			await this.registry.putPeer(this.name, peer.id, { ...value, token: peer.token });
			await this.bus.publish(this.name, 'peer.joined', { id: peer.id, ...value });
			for (const producer of peer.producers.values()) {
				const info = { node: this.node.id, peerId: peer.id, kind: producer.kind };
				await this.registry.putProducer(this.name, producer.id, info);
				await this.bus.publish(this.name, 'producer.added', { id: producer.id, ...info });
			}
		}
	}

	/** Closes the router (and with it every pipe); tells the other nodes. */
	async close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		for (const link of this.links.values()) {
			link.close();
		}
		this.router.close();
		await this.bus.publish(this.name, 'node.left', {});
		await this.bus.leaveRoom(this.name);
		await this.registry.setCount(this.name, 0).catch(() => {});
	}
}

module.exports = { Room };
