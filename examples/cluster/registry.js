'use strict';

// The cluster's shared state in Redis: which media nodes are alive (a key
// per node with a TTL, refreshed by a heartbeat, carrying the node's load),
// where each room lives, and who is in it.
//
// Keys (prefix P, CLUSTER_PREFIX):
//   P:{nodes}:set              SET   ids of nodes that registered
//   P:{nodes}:node:<id>        JSON  the node's info and load; expires (TTL)
//   P:room:{<room>}:home       the node new participants are sent to
//   P:room:{<room>}:nodes      HASH  node id -> participants there
//   P:room:{<room>}:peers      HASH  peer id -> { node, displayName, token }
//   P:room:{<room>}:producers  HASH  producer id -> { node, peerId, kind }
// The {hash tags} keep the keys that one command or script touches
// together in one slot of a Redis Cluster.
//
// A node is alive while its key exists: Redis' clock decides, not the
// nodes' clocks. Nothing here is authoritative about media: a Redis restart
// loses these keys, and every node writes its part back (see 'reregistered').

const { EventEmitter } = require('node:events');

// Sets the room's home to ARGV[2] unless someone already set it to
// something other than the stale value ARGV[1] we saw ('' = none).
const PLACE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
	redis.call('SET', KEYS[1], ARGV[2])
	return ARGV[2]
end
return current`;

// Removes node ARGV[1] from a room; the last one out deletes the room.
const LEAVE_SCRIPT = `
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then
	redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
	return 0
end
return 1`;

class Registry extends EventEmitter {
	/**
	 * `redis`: an ioredis client (commands only). `info()`: this node's
	 * current info ({ url, load, ... }), written on every heartbeat.
	 */
	constructor(redis, { prefix, nodeId, ttlMs, heartbeatMs, info }) {
		super();
		this.redis = redis;
		this.prefix = prefix;
		this.nodeId = nodeId;
		this.ttlMs = ttlMs;
		this.heartbeatMs = heartbeatMs;
		this.info = info;
		this.alive = new Map(); // node id -> info, as of the last poll
		this.dead = new Set(); // nodes seen alive, then gone
		this.registered = false;
		this.readyAt = Date.now();
		this.timer = null;
		redis.defineCommand('fsPlace', { numberOfKeys: 1, lua: PLACE_SCRIPT });
		redis.defineCommand('fsLeave', { numberOfKeys: 4, lua: LEAVE_SCRIPT });
		// After a reconnection, give every node one heartbeat to re-register
		// before calling anyone dead (a restarted Redis has no keys at all).
		redis.on('ready', () => {
			this.readyAt = Date.now();
			this.tick();
		});
	}

	key(...parts) {
		return [this.prefix, ...parts].join(':');
	}

	roomKeys(room) {
		return {
			home: this.key('room', `{${room}}`, 'home'),
			nodes: this.key('room', `{${room}}`, 'nodes'),
			peers: this.key('room', `{${room}}`, 'peers'),
			producers: this.key('room', `{${room}}`, 'producers'),
		};
	}

	start() {
		this.timer = setInterval(() => this.tick(), this.heartbeatMs);
		return this.tick();
	}

	/** Stops the heartbeat and removes this node's key (a clean exit). */
	async stop() {
		clearInterval(this.timer);
		this.timer = null;
		await Promise.all([
			this.redis.del(this.key('{nodes}', 'node', this.nodeId)),
			this.redis.srem(this.key('{nodes}', 'set'), this.nodeId),
		]).catch(() => {});
	}

	/** One heartbeat, then one look at the other nodes. Never throws. */
	async tick() {
		if (this.ticking) {
			return;
		}
		this.ticking = true;
		try {
			await this.heartbeat();
			await this.poll();
		} catch (error) {
			// Redis unreachable: media keeps flowing; try again next tick.
			this.emit('warning', error);
		} finally {
			this.ticking = false;
		}
	}

	async heartbeat() {
		const info = JSON.stringify({ ...this.info(), id: this.nodeId });
		// GET returns the previous value: none means our key had expired
		// (Redis restarted, or we were too slow) and others may have lost
		// what we had written.
		const [[, previous]] = await this.redis
			.multi()
			.set(this.key('{nodes}', 'node', this.nodeId), info, 'PX', this.ttlMs, 'GET')
			.sadd(this.key('{nodes}', 'set'), this.nodeId)
			.exec();
		if (previous === null && this.registered) {
			this.emit('reregistered');
		}
		this.registered = true;
	}

	/** Reads the live nodes; emits 'nodes' on changes and 'nodeDown' per death. */
	async poll() {
		const ids = await this.redis.smembers(this.key('{nodes}', 'set'));
		const values = ids.length ? await this.redis.mget(ids.map((id) => this.key('{nodes}', 'node', id))) : [];
		const alive = new Map();
		const missing = [];
		ids.forEach((id, i) => {
			if (values[i]) {
				alive.set(id, JSON.parse(values[i]));
			} else {
				missing.push(id);
			}
		});
		const settled = Date.now() - this.readyAt > this.ttlMs + this.heartbeatMs;
		const before = this.alive;
		if (!settled) {
			// Keep those we knew until they had a chance to re-register.
			for (const [id, info] of before) {
				if (!alive.has(id)) {
					alive.set(id, info);
				}
			}
		} else if (missing.length) {
			await this.redis.srem(this.key('{nodes}', 'set'), ...missing);
		}
		this.alive = alive;
		for (const id of alive.keys()) {
			this.dead.delete(id); // a restarted node reusing its id
		}
		const changed = alive.size !== before.size || [...alive.keys()].some((id) => !before.has(id));
		for (const id of before.keys()) {
			if (!alive.has(id)) {
				this.dead.add(id);
				this.emit('nodeDown', id);
			}
		}
		if (changed) {
			this.emit('nodes', this.nodes());
		}
	}

	/** Live nodes, least loaded first (this node first among equals). */
	nodes() {
		return [...this.alive.values()].sort(
			(a, b) => a.load - b.load || (b.id === this.nodeId) - (a.id === this.nodeId) || a.id.localeCompare(b.id)
		);
	}

	isAlive(nodeId) {
		return this.alive.has(nodeId);
	}

	isDead(nodeId) {
		return this.dead.has(nodeId);
	}

	/**
	 * The node `room` lives on: its current home if alive, else the least
	 * loaded live node, set atomically (two nodes placing the same room at
	 * once agree on one of them).
	 */
	async placeRoom(room) {
		const { home } = this.roomKeys(room);
		for (let attempt = 0; attempt < 3; attempt++) {
			const current = await this.redis.get(home);
			if (current && this.isAlive(current)) {
				return current;
			}
			const candidate = this.nodes()[0]?.id ?? this.nodeId;
			const placed = await this.redis.fsPlace(home, current ?? '', candidate);
			if (placed === candidate || this.isAlive(placed)) {
				return placed;
			}
		}
		return this.nodeId;
	}

	/** Moves the home of `room` off `deadNode` (no-op if it is elsewhere). */
	async replaceRoom(room, deadNode) {
		const candidate = this.nodes()[0]?.id ?? this.nodeId;
		return this.redis.fsPlace(this.roomKeys(room).home, deadNode, candidate);
	}

	/** How many participants of `room` are on `nodeId`. */
	async countOn(room, nodeId) {
		return Number((await this.redis.hget(this.roomKeys(room).nodes, nodeId)) ?? 0);
	}

	/** The room's peers and producers as stored: { peers: Map, producers: Map }. */
	async roomState(room) {
		const keys = this.roomKeys(room);
		const [peers, producers] = await Promise.all([this.redis.hgetall(keys.peers), this.redis.hgetall(keys.producers)]);
		const parse = (hash) => new Map(Object.entries(hash).map(([id, json]) => [id, JSON.parse(json)]));
		return { peers: parse(peers), producers: parse(producers) };
	}

	/** Writes this node's participant count in `room` (0 leaves the room). */
	async setCount(room, count) {
		const keys = this.roomKeys(room);
		if (count > 0) {
			await this.redis.hset(keys.nodes, this.nodeId, count);
		} else {
			await this.redis.fsLeave(keys.nodes, keys.home, keys.peers, keys.producers, this.nodeId);
		}
	}

	async claimHomeIfNone(room) {
		await this.redis.set(this.roomKeys(room).home, this.nodeId, 'NX');
	}

	putPeer(room, peerId, value) {
		return this.redis.hset(this.roomKeys(room).peers, peerId, JSON.stringify(value));
	}

	removePeer(room, peerId) {
		return this.redis.hdel(this.roomKeys(room).peers, peerId);
	}

	putProducer(room, producerId, value) {
		return this.redis.hset(this.roomKeys(room).producers, producerId, JSON.stringify(value));
	}

	removeProducer(room, producerId) {
		return this.redis.hdel(this.roomKeys(room).producers, producerId);
	}

	/** Drops what a dead node had written about `room`. */
	async forgetNode(room, nodeId) {
		const keys = this.roomKeys(room);
		const { peers, producers } = await this.roomState(room);
		const mine = (map) => [...map].filter(([, v]) => v.node === nodeId).map(([id]) => id);
		const deadPeers = mine(peers);
		const deadProducers = mine(producers);
		await Promise.all([
			deadPeers.length && this.redis.hdel(keys.peers, ...deadPeers),
			deadProducers.length && this.redis.hdel(keys.producers, ...deadProducers),
		]);
		await this.redis.fsLeave(keys.nodes, keys.home, keys.peers, keys.producers, nodeId);
	}
}

module.exports = { Registry };
