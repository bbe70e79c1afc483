'use strict';

// Messages between media nodes over Redis pub/sub:
//   - requests to one node (channel P:to:<node>) answered on the asker's
//     channel, matched by a correlation id, failing after a timeout;
//   - room events (channel P:room:<room>) to every node serving the room.
// Pub/sub delivers at most once and only to connected subscribers: callers
// treat a timeout as "try again", and events are idempotent. ioredis
// re-subscribes by itself after a reconnection.

const crypto = require('node:crypto');

class Bus {
	/** `pub`, `sub`: two ioredis clients (a subscriber cannot send commands). */
	constructor(pub, sub, { prefix, nodeId, timeoutMs = 5000 }) {
		this.pub = pub;
		this.sub = sub;
		this.prefix = prefix;
		this.nodeId = nodeId;
		this.timeoutMs = timeoutMs;
		this.handlers = new Map(); // method -> async (data, fromNode) => result
		this.pending = new Map(); // correlation id -> { resolve, reject, timer }
		this.rooms = new Map(); // channel -> (event, data, fromNode) => void
		this.inbox = `${prefix}:to:${nodeId}`;
		sub.on('message', (channel, raw) => this.onMessage(channel, raw));
	}

	async start() {
		await this.sub.subscribe(this.inbox);
	}

	/** Answers requests for `method` with `handler(data, fromNode)`. */
	handle(method, handler) {
		this.handlers.set(method, handler);
	}

	/** Asks node `to`; resolves with its handler's result. */
	request(to, method, data) {
		const id = crypto.randomUUID();
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(`${method} to node ${to}: no answer within ${this.timeoutMs} ms`));
			}, this.timeoutMs);
			this.pending.set(id, { resolve, reject, timer });
			this.send(to, { type: 'request', id, method, data }).catch((error) => {
				clearTimeout(timer);
				this.pending.delete(id);
				reject(error);
			});
		});
	}

	send(to, message) {
		return this.pub.publish(`${this.prefix}:to:${to}`, JSON.stringify({ ...message, from: this.nodeId }));
	}

	/** Receives the events of `room` (other nodes' only). */
	async joinRoom(room, onEvent) {
		const channel = `${this.prefix}:room:${room}`;
		this.rooms.set(channel, onEvent);
		await this.sub.subscribe(channel);
	}

	async leaveRoom(room) {
		const channel = `${this.prefix}:room:${room}`;
		this.rooms.delete(channel);
		await this.sub.unsubscribe(channel).catch(() => {});
	}

	/** Tells every node serving `room`. Never throws (events are best effort). */
	async publish(room, event, data) {
		const message = JSON.stringify({ event, data, from: this.nodeId });
		await this.pub.publish(`${this.prefix}:room:${room}`, message).catch(() => {});
	}

	async onMessage(channel, raw) {
		let message;
		try {
			message = JSON.parse(raw);
		} catch {
			return;
		}
		if (channel !== this.inbox) {
			if (message.from !== this.nodeId) {
				this.rooms.get(channel)?.(message.event, message.data, message.from);
			}
			return;
		}
		if (message.type === 'response') {
			const waiter = this.pending.get(message.id);
			if (waiter) {
				this.pending.delete(message.id);
				clearTimeout(waiter.timer);
				if (message.ok) {
					waiter.resolve(message.data);
				} else {
					waiter.reject(new Error(message.error));
				}
			}
			return;
		}
		const handler = this.handlers.get(message.method);
		let reply;
		try {
			if (!handler) {
				throw new Error(`unknown method ${message.method}`);
			}
			reply = { ok: true, data: await handler(message.data, message.from) };
		} catch (error) {
			reply = { ok: false, error: error.message };
		}
		await this.send(message.from, { type: 'response', id: message.id, ...reply }).catch(() => {});
	}

	close() {
		for (const { reject, timer } of this.pending.values()) {
			clearTimeout(timer);
			reject(new Error('bus closed'));
		}
		this.pending.clear();
	}
}

module.exports = { Bus };
