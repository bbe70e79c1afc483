'use strict';

// The media link between this node's router of a room and another node's
// router of the same room: one PipeTransport on each side (SRTP on, since it
// crosses the network; RTX on, so losses there are repaired), whatever the
// number of producers and consumers. What router.pipeToRouter() does inside
// one process, done across hosts with the addresses and SRTP keys exchanged
// over the bus:
//
//   node B (wants producer P)             node A (P's origin)
//   ensure(): create pipe, send   ----->  pipe.connect: create pipe (or reuse
//             own ip/port/SRTP              it), connect to B, answer with
//             connect to A's      <-----    A's ip/port/SRTP
//   pipeIn(P): ask pipe.consume   ----->  pipeOut(P): pipe consumer of P,
//              produce P (same id) <-----   answer its rtpParameters
//
// Both sides may call ensure() at once: each connects (once) to the other's
// transport and answers with its own, so they end up paired either way.

class PipeLink {
	/**
	 * `router`: this node's router of the room; `remoteNode`: the other
	 * node's id; `listenInfo`: where pipes listen (ip, announcedAddress,
	 * portRange); `bus`: requests to the other node.
	 */
	constructor({ room, router, remoteNode, listenInfo, bus }) {
		this.room = room;
		this.router = router;
		this.remoteNode = remoteNode;
		this.listenInfo = listenInfo;
		this.bus = bus;
		this.transport = null; // promise of our PipeTransport
		this.remote = null; // { transportId, ip, port } we connected to
		this.connecting = null;
		this.producers = new Map(); // producer id -> promise of our pipe producer
		this.consumers = new Map(); // producer id -> promise of our pipe consumer
		this.closed = false;
	}

	getTransport() {
		this.transport ??= this.router.createPipeTransport({
			listenInfo: { protocol: 'udp', ...this.listenInfo },
			enableSrtp: true,
			enableRtx: true,
			appData: { room: this.room, remoteNode: this.remoteNode },
		});
		return this.transport;
	}

	/** What the other side needs to reach our transport. */
	async localParameters() {
		const transport = await this.getTransport();
		return {
			room: this.room,
			transportId: transport.id,
			ip: this.listenInfo.announcedAddress || transport.tuple.localAddress,
			port: transport.tuple.localPort,
			srtpParameters: transport.srtpParameters,
		};
	}

	/** Connects our transport to the other side's (once). */
	async connectTo({ transportId, ip, port, srtpParameters }) {
		if (this.remote) {
			if (this.remote.transportId !== transportId) {
				throw new Error(`pipe to ${this.remoteNode} already connected to another transport`);
			}
			return;
		}
		this.remote = { transportId, ip, port };
		const transport = await this.getTransport();
		await transport.connect({ ip, port, srtpParameters });
	}

	/** Pairs both sides if not done yet. */
	ensure() {
		this.connecting ??= (async () => {
			const answer = await this.bus.request(this.remoteNode, 'pipe.connect', await this.localParameters());
			await this.connectTo(answer);
		})().catch((error) => {
			this.connecting = null;
			throw error;
		});
		return this.connecting;
	}

	/** The other side's pipe.connect: pair, answer our parameters. */
	async accept(parameters) {
		await this.connectTo(parameters);
		this.connecting ??= Promise.resolve();
		return this.localParameters();
	}

	/** Makes the other node's producer `producerId` a producer of our router. */
	pipeIn(producerId) {
		let producer = this.producers.get(producerId);
		if (!producer) {
			producer = (async () => {
				await this.ensure();
				const params = await this.bus.request(this.remoteNode, 'pipe.consume', { room: this.room, producerId });
				const transport = await this.getTransport();
				if (this.closed) {
					throw new Error('pipe closed');
				}
				// Same id as the origin's producer (what pipeToRouter does), so
				// consumers here name it as everyone else does.
				return transport.produce({
					id: producerId,
					kind: params.kind,
					rtpParameters: params.rtpParameters,
					paused: params.paused,
					appData: params.appData,
				});
			})();
			this.producers.set(producerId, producer);
			producer.catch(() => this.producers.delete(producerId));
		}
		return producer;
	}

	/** The other side's pipe.consume: our router's producer into the pipe. */
	async pipeOut(producerId) {
		let consumer = this.consumers.get(producerId);
		if (!consumer) {
			consumer = this.getTransport().then((transport) => transport.consume({ producerId }));
			this.consumers.set(producerId, consumer);
			consumer.then(
				(c) => c.observer.once('close', () => this.consumers.delete(producerId)),
				() => this.consumers.delete(producerId)
			);
		}
		const c = await consumer;
		return { kind: c.kind, rtpParameters: c.rtpParameters, paused: c.producerPaused, appData: c.appData };
	}

	/** Closes the piped-in producer `producerId` (its origin closed it). */
	closeProducer(producerId) {
		const producer = this.producers.get(producerId);
		this.producers.delete(producerId);
		producer?.then((p) => p.close(), () => {});
	}

	/** What /status shows of this link. */
	async status() {
		const transport = await this.transport?.catch(() => null);
		return {
			remoteNode: this.remoteNode,
			connected: Boolean(this.remote && transport),
			local: transport ? { ip: transport.tuple.localAddress, port: transport.tuple.localPort } : null,
			remote: this.remote,
			srtpCryptoSuite: transport?.srtpParameters?.cryptoSuite ?? null,
			producersIn: this.producers.size,
			consumersOut: this.consumers.size,
		};
	}

	/** Resolves once the transport is closed. */
	async close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		// Closing the transport closes its pipe producers, whose consumers
		// then tell their pages (producerclose).
		await this.transport?.then((t) => t.close(), () => {});
	}
}

module.exports = { PipeLink };
