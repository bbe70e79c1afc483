'use strict';

// Prometheus/OpenMetrics metrics of ferrosoup workers, on prom-client:
//
//   const { createMetrics } = require('ferrosoup/metrics');
//   const metrics = createMetrics(); // every worker created from now on
//   http.createServer((req, res) => {
//     if (req.url === '/metrics') return metrics.serve(req, res);
//   });
//
// Values are read when scraped: each worker thread's totals (CPU, packets
// and bytes, drops by reason, DTLS/ICE failures, how long its loop takes to
// answer), the objects it holds, and RTP loss and NACKs from the live
// producers' and consumers' stats. Counters stay monotonic when objects
// close: what a closed stream counted by the last scrape is kept.

const client = require('prom-client');
const { observer } = require('./index');
const { kGetMetrics } = require('./internal');

const OBJECT_KINDS = ['routers', 'transports', 'producers', 'consumers', 'dataProducers', 'dataConsumers'];
const DROP_REASONS = {
	malformed: 'malformed',
	unauthenticated: 'unauthenticated',
	replayed: 'replayed',
	noRoute: 'no_route',
};

/** One worker and the objects on it, kept from its observer's events. */
class TrackedWorker {
	constructor(worker, label) {
		this.worker = worker;
		this.label = label;
		this.objects = Object.fromEntries(OBJECT_KINDS.map((kind) => [kind, new Set()]));
		// RTP loss and NACKs: the last values read per live stream, and what
		// closed streams had counted.
		this.rtpLast = new Map();
		this.rtpClosed = emptyRtpTotals();
		this.#follow();
	}

	#follow() {
		const { worker, objects } = this;
		const add = (kind, object, onAdded) => {
			objects[kind].add(object);
			object.observer.once('close', () => {
				objects[kind].delete(object);
				this.#retire(object);
			});
			onAdded?.(object);
		};
		worker.observer.on('newrouter', (router) =>
			add('routers', router, () =>
				router.observer.on('newtransport', (transport) =>
					add('transports', transport, () => {
						transport.observer.on('newproducer', (p) => add('producers', p));
						transport.observer.on('newconsumer', (c) => add('consumers', c));
						transport.observer.on('newdataproducer', (p) => add('dataProducers', p));
						transport.observer.on('newdataconsumer', (c) => add('dataConsumers', c));
					})
				)
			)
		);
	}

	#retire(object) {
		const last = this.rtpLast.get(object);
		if (last) {
			addRtpTotals(this.rtpClosed, last);
			this.rtpLast.delete(object);
		}
	}

	/** Reads the worker's totals and its streams' stats. */
	async read({ rtpStats }) {
		const { worker } = this;
		if (worker.closed) {
			return null;
		}
		const asked = process.hrtime.bigint();
		const [usage, totals] = await Promise.all([worker.getResourceUsage(), worker[kGetMetrics]()]);
		const loopLagSeconds = Number(process.hrtime.bigint() - asked) / 1e9;
		if (rtpStats) {
			await this.#readRtp();
		}
		const rtp = emptyRtpTotals();
		addRtpTotals(rtp, this.rtpClosed);
		for (const last of this.rtpLast.values()) {
			addRtpTotals(rtp, last);
		}
		return { usage, totals, loopLagSeconds, rtp };
	}

	async #readRtp() {
		const read = async (object, direction) => {
			let stats;
			try {
				stats = await object.getStats();
			} catch {
				return; // closed meanwhile
			}
			if (object.closed) {
				return;
			}
			const mine = direction === 'in' ? 'inbound-rtp' : 'outbound-rtp';
			const totals = emptyRtpTotals();
			for (const s of stats) {
				if (s.type === mine) {
					totals[direction].lost += Math.max(0, s.packetsLost ?? 0);
					totals[direction].nacks += s.nackCount ?? 0;
					totals[direction].retransmitted += s.packetsRetransmitted ?? 0;
				}
			}
			this.rtpLast.set(object, totals);
		};
		await Promise.all([
			...[...this.objects.producers].map((p) => read(p, 'in')),
			...[...this.objects.consumers].map((c) => read(c, 'out')),
		]);
	}
}

function emptyRtpTotals() {
	return {
		in: { lost: 0, nacks: 0, retransmitted: 0 },
		out: { lost: 0, nacks: 0, retransmitted: 0 },
	};
}

function addRtpTotals(into, from) {
	for (const direction of ['in', 'out']) {
		for (const key of Object.keys(into[direction])) {
			into[direction][key] += from[direction][key];
		}
	}
}

class Metrics {
	#register;
	#prefix;
	#rtpStats;
	#workers = new Set();
	#nextLabel = 0;
	#pending = null;
	#onNewWorker;

	constructor({ register, prefix = 'ferrosoup_', rtpStats = true, defaultMetrics = true, workers = [] } = {}) {
		this.#register = register ?? new client.Registry();
		this.#prefix = prefix;
		this.#rtpStats = rtpStats;
		if (defaultMetrics) {
			// Node's own: CPU, memory, event-loop lag of the app's thread.
			client.collectDefaultMetrics({ register: this.#register });
		}
		this.#define();
		for (const worker of workers) {
			this.addWorker(worker);
		}
		this.#onNewWorker = (worker) => this.addWorker(worker);
		observer.on('newworker', this.#onNewWorker);
	}

	get register() {
		return this.#register;
	}

	/** Follows a worker created before these metrics were. */
	addWorker(worker) {
		if ([...this.#workers].some((t) => t.worker === worker)) {
			return;
		}
		const tracked = new TrackedWorker(worker, String(this.#nextLabel++));
		this.#workers.add(tracked);
		worker.observer.once('close', () => this.#workers.delete(tracked));
	}

	/** Stops following new workers (the registry keeps its metrics). */
	close() {
		observer.off('newworker', this.#onNewWorker);
	}

	/** The exposition text (`text/plain; version=0.0.4`). */
	metrics() {
		return this.#register.metrics();
	}

	/** Answers an HTTP request with the metrics. */
	async serve(req, res) {
		try {
			const body = await this.#register.metrics();
			res.writeHead(200, { 'content-type': this.#register.contentType });
			res.end(body);
		} catch (error) {
			res.writeHead(500, { 'content-type': 'text/plain' });
			res.end(`metrics failed: ${error.message}\n`);
		}
	}

	/**
	 * One reading of every worker, shared by the metrics of one scrape:
	 * prom-client starts every metric's collect() in the same tick, so the
	 * reading is shared while it is pending and a later scrape reads anew.
	 */
	#read() {
		if (!this.#pending) {
			const workers = [...this.#workers];
			this.#pending = Promise.all(
				workers.map((t) => t.read({ rtpStats: this.#rtpStats }).catch(() => null))
			)
				.then((readings) => workers.map((t, i) => ({ tracked: t, reading: readings[i] })).filter((r) => r.reading))
				.finally(() => {
					this.#pending = null;
				});
		}
		return this.#pending;
	}

	#define() {
		const registers = [this.#register];
		const name = (n) => `${this.#prefix}${n}`;
		const read = () => this.#read();
		// A counter or gauge whose values are all set from one reading.
		const metric = (Kind, n, help, labelNames, fill) =>
			new Kind({
				name: name(n),
				help,
				labelNames: ['worker', ...labelNames],
				registers,
				async collect() {
					const readings = await read();
					this.reset();
					for (const { tracked, reading } of readings) {
						fill((labels, value) => {
							const all = { worker: tracked.label, ...labels };
							if (Kind === client.Counter) {
								this.inc(all, value);
							} else {
								this.set(all, value);
							}
						}, reading, tracked);
					}
				},
			});
		metric(client.Counter, 'worker_cpu_seconds_total', 'CPU time of the worker thread', ['mode'], (put, r) => {
			put({ mode: 'user' }, r.usage.ru_utime / 1000);
			put({ mode: 'system' }, r.usage.ru_stime / 1000);
		});
		metric(client.Gauge, 'worker_loop_lag_seconds', 'How long the worker thread took to answer the last scrape', [], (put, r) =>
			put({}, r.loopLagSeconds)
		);
		metric(client.Gauge, 'objects', 'Objects alive on the worker', ['kind'], (put, _r, tracked) => {
			for (const kind of OBJECT_KINDS) {
				put({ kind }, tracked.objects[kind].size);
			}
		});
		metric(client.Counter, 'packets_received_total', 'Datagrams (and TCP frames) received', [], (put, r) =>
			put({}, r.totals.packetsReceived)
		);
		metric(client.Counter, 'bytes_received_total', 'Bytes received', [], (put, r) => put({}, r.totals.bytesReceived));
		metric(client.Counter, 'packets_sent_total', 'Datagrams (and TCP frames) sent', [], (put, r) =>
			put({}, r.totals.packetsSent)
		);
		metric(client.Counter, 'bytes_sent_total', 'Bytes sent', [], (put, r) => put({}, r.totals.bytesSent));
		metric(client.Counter, 'packets_dropped_total', 'Received datagrams dropped, by reason', ['reason'], (put, r) => {
			for (const [key, reason] of Object.entries(DROP_REASONS)) {
				put({ reason }, r.totals.drops[key]);
			}
		});
		metric(client.Counter, 'dtls_failures_total', 'DTLS handshakes that failed', [], (put, r) =>
			put({}, r.totals.dtlsFailures)
		);
		metric(client.Counter, 'ice_disconnections_total', 'ICE connections lost (consent expired)', [], (put, r) =>
			put({}, r.totals.iceDisconnections)
		);
		const direction = { in: 'received', out: 'sent' };
		metric(
			client.Counter,
			'rtp_packets_lost_total',
			'RTP packets lost: received (producers, as counted here) or sent (consumers, as receivers report)',
			['direction'],
			(put, r) => {
				for (const [d, label] of Object.entries(direction)) {
					put({ direction: label }, r.rtp[d].lost);
				}
			}
		);
		metric(client.Counter, 'rtp_nacks_total', 'NACKs sent to senders (received) or got from receivers (sent)', ['direction'], (put, r) => {
			for (const [d, label] of Object.entries(direction)) {
				put({ direction: label }, r.rtp[d].nacks);
			}
		});
		metric(client.Counter, 'rtp_packets_retransmitted_total', 'RTP packets retransmitted to receivers', [], (put, r) =>
			put({}, r.rtp.out.retransmitted)
		);
	}
}

/** Metrics of every worker created from now on (and of `workers`). */
function createMetrics(options) {
	return new Metrics(options);
}

module.exports = { createMetrics, Metrics };
