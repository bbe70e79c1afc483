'use strict';

// Data-channel benchmark (`npm run bench -- --data`, see benches/README.md):
// SCTP messages from ONE DataProducer to N DataConsumers, each on its own
// PlainTransport with enableSctp, driven through the public mediasoup API
// only, so the same code measures ferrosoup and real mediasoup side by side.
//
// The load generator (benches/loadgen, SCTP mode) is the remote SCTP peer of
// every transport: one association writes messages into the DataProducer,
// N associations receive the DataConsumers' copies and check their order.
// Every case runs in a fresh node process.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const bench = require('./bench');

const USAGE = `usage: npm run bench -- --data [options]
  --module <m>          ferrosoup (default) | mediasoup (needs MEDIASOUP_WORKER_BIN)
                        | a path; comma-separate to run side by side (with ratios)
  --consumers <list>    DataConsumer counts N, default 1,10,100
  --rate <msgs/s|max>   messages/s into the DataProducer, default 500 (N=100
                        then delivers 50,000 msg/s, which mediasoup sustains on
                        2 cores); "max": as fast as the loadgen's send buffer
                        allows (an overload test, see benches/README.md)
  --size <bytes>        message size, default 1000 (>= 20)
  --duration <s>        measurement window per case, default 8
  --warmup <s>          sending before the window opens, default 2
  --repeat <k>          runs per case (modules interleaved), medians reported; default 1
  --send-buffer <bytes> most bytes the loadgen keeps buffered on its sending
                        association, default 1048576
  --poll-us <us>        loadgen receive polling interval, default 200 (0: block)
  --rt                  SCHED_FIFO for the loadgen threads and the worker (root only)
  --json <file>         also write all runs as JSON
  --no-build            do not run cargo build for the load generator
`;

// An SCTP handshake that takes longer than this is a failure.
const ASSOCIATE_TIMEOUT_MS = 10000;
const DRAIN_S = 1;

function parseArgs(argv) {
	const o = {
		modules: [],
		consumers: [1, 10, 100],
		rate: 500,
		size: 1000,
		duration: 8,
		warmup: 2,
		repeat: 1,
		sendBuffer: 1048576,
		pollUs: 200,
		rt: false,
		json: null,
		build: true,
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const next = () => {
			if (i + 1 >= argv.length) {
				throw new Error(`${a} needs a value`);
			}
			return argv[++i];
		};
		const num = (v) => {
			const n = Number(v);
			if (!Number.isFinite(n) || n <= 0) {
				throw new Error(`${a}: not a positive number: ${v}`);
			}
			return n;
		};
		switch (a) {
			case '--module': o.modules.push(...next().split(',').filter(Boolean)); break;
			case '--consumers': o.consumers = next().split(',').map((v) => Math.round(num(v))); break;
			case '--rate': { const v = next(); o.rate = v === 'max' ? 0 : num(v); break; }
			case '--size': o.size = Math.round(num(next())); break;
			case '--duration': o.duration = num(next()); break;
			case '--warmup': o.warmup = num(next()); break;
			case '--repeat': o.repeat = Math.round(num(next())); break;
			case '--send-buffer': o.sendBuffer = Math.round(num(next())); break;
			case '--poll-us': o.pollUs = Math.max(0, Math.round(Number(next()) || 0)); break;
			case '--rt': o.rt = true; break;
			case '--json': o.json = next(); break;
			case '--no-build': o.build = false; break;
			case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
			default: throw new Error(`unknown option ${a}\n${USAGE}`);
		}
	}
	if (o.modules.length === 0) {
		o.modules = ['ferrosoup'];
	}
	if (o.size < 20 || o.size > 262144) {
		throw new Error('--size must be 20..262144');
	}
	return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once every transport reports sctpState 'connected'. */
async function allSctpConnected(transports, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (transports.some((t) => t.sctpState !== 'connected')) {
		if (Date.now() > deadline) {
			const states = {};
			for (const t of transports) {
				states[t.sctpState] = (states[t.sctpState] ?? 0) + 1;
			}
			throw new Error(`SCTP not connected after ${timeoutMs} ms: ${JSON.stringify(states)}`);
		}
		await sleep(5);
	}
}

/** Records every sctpState a transport goes through (for the report). */
function trackSctpStates(transport, log) {
	transport.on('sctpstatechange', (state) => log.push(state));
}

/**
 * The room: a DataProducer on one PlainTransport, N DataConsumers each on
 * its own, every transport connect()ed to the loadgen's sockets.
 */
async function buildRoom(router, opened, n) {
	const transportOptions = {
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		rtcpMux: true,
		comedia: false,
		enableSctp: true,
	};
	const states = [];
	const producerTransport = await router.createPlainTransport(transportOptions);
	trackSctpStates(producerTransport, states);
	await producerTransport.connect({ ip: '127.0.0.1', port: opened.sendPort });
	const dataProducer = await producerTransport.produceData({
		sctpStreamParameters: { streamId: 0, ordered: true },
		label: 'bench',
	});
	const consumerTransports = [];
	const dataConsumers = [];
	for (let i = 0; i < n; i++) {
		const t = await router.createPlainTransport(transportOptions);
		trackSctpStates(t, states);
		await t.connect({ ip: '127.0.0.1', port: opened.recvPort });
		dataConsumers.push(await t.consumeData({ dataProducerId: dataProducer.id }));
		consumerTransports.push(t);
	}
	return { producerTransport, dataProducer, consumerTransports, dataConsumers, states };
}

/** Worker CPU between two snapshots: getResourceUsage(), or /proc if it answered late. */
async function cpuSnapshot(w) {
	const at = performance.now();
	const proc = w.statDir ? bench.procCpu(w.statDir) : null;
	const ru = await w.worker.getResourceUsage();
	return { at, proc, ru, delayMs: performance.now() - at };
}

/**
 * CPU ms between two snapshots and the interval they span. getResourceUsage()
 * is sampled by the worker at the window edges (interval: the loadgen's
 * window). When it answered late, /proc is read instead, at the moment this
 * process saw the edge, which a flooded event loop (an overloaded worker's
 * notifications) can delay: then the interval is the snapshots' own.
 */
function cpuDelta(s0, s1, windowMs) {
	const late = Math.max(s0.delayMs, s1.delayMs) > bench.RU_MAX_DELAY_MS;
	const proc = bench.procCpuDelta(s0.proc, s1.proc);
	if (late && proc) {
		return { ...proc, source: '/proc', interval_ms: s1.at - s0.at };
	}
	return {
		user_ms: s1.ru.ru_utime - s0.ru.ru_utime,
		sys_ms: s1.ru.ru_stime - s0.ru.ru_stime,
		source: 'getResourceUsage',
		interval_ms: windowMs,
	};
}

async function sumStats(objects, field) {
	let total = 0;
	for (const o of objects) {
		const [s] = await o.getStats();
		total += s?.[field] ?? 0;
	}
	return total;
}

async function runDataCase(mod, opts, n) {
	const w = await bench.startWorker(mod, opts);
	const lg = new bench.Loadgen();
	try {
		const router = await w.worker.createRouter({ mediaCodecs: [] });
		lg.send({ cmd: 'open', mode: 'sctp' });
		const opened = await lg.wait('opened');
		const room = await buildRoom(router, opened, n);
		let bufferFull = 0;
		for (const c of room.dataConsumers) {
			c.on('sctpsendbufferfull', () => bufferFull++);
		}
		lg.send({
			cmd: 'associate',
			target: { ip: '127.0.0.1', port: room.producerTransport.tuple.localPort },
			consumers: room.consumerTransports.map((t) => ({ port: t.tuple.localPort })),
			rate: opts.rate,
			size: opts.size,
			warmup: opts.warmup,
			duration: opts.duration,
			drain: DRAIN_S,
			sendBuffer: opts.sendBuffer,
			pollUs: opts.pollUs,
			rtPriority: opts.rt ? bench.RT_PRIORITY : 0,
		});
		const associated = await lg.wait('associated');
		if (associated.connected !== n + 1) {
			throw new Error(`loadgen: ${associated.connected}/${n + 1} SCTP associations up (${associated.failed} failed)`);
		}
		await allSctpConnected([room.producerTransport, ...room.consumerTransports], ASSOCIATE_TIMEOUT_MS);
		lg.send({ cmd: 'start' });
		await lg.wait('measure_start');
		const s0 = await cpuSnapshot(w);
		await lg.wait('measure_end');
		const s1 = await cpuSnapshot(w);
		const r = await lg.wait('result');
		await lg.exited;
		return summarize(r, cpuDelta(s0, s1, r.window_s * 1000), {
			n,
			associateMs: associated.ms,
			bufferFull,
			controlLatencyMs: Math.max(s0.delayMs, s1.delayMs),
			producerMessagesReceived: await sumStats([room.dataProducer], 'messagesReceived'),
			consumerMessagesSent: await sumStats(room.dataConsumers, 'messagesSent'),
			sctpStates: [...new Set(room.states)],
		});
	} finally {
		lg.kill();
		w.worker.close();
	}
}

/** One run's figures from the loadgen's result and the worker's CPU. */
function summarize(r, cpu, extra) {
	const windowMs = r.window_s * 1000;
	const cpuUtil = (cpu.user_ms + cpu.sys_ms) / cpu.interval_ms;
	const delivered = r.receivers.received_window;
	const threadUtil = (c) => (c.user_ms + c.sys_ms) / 1000 / r.run_s;
	const recvUtil = threadUtil(r.receivers.cpu);
	return {
		consumers: extra.n,
		size: r.size,
		rate_target: r.rate_target,
		offered_msgs_per_s: r.offered_msgs_per_s,
		delivered_msgs_per_s: r.delivered_msgs_per_s,
		delivered_mb_per_s: r.delivered_bytes_per_s / 1e6,
		loss: r.loss,
		missing: r.receivers.missing,
		out_of_order: r.receivers.out_of_order,
		silent_consumers: r.receivers.silent_consumers,
		blocked_window: r.sender.blocked_window,
		latency_p50_us: r.receivers.latency_us.p50,
		latency_p99_us: r.receivers.latency_us.p99,
		worker_cpu_util: cpuUtil,
		// The worker's CPU over the loadgen's window per message delivered in it.
		worker_us_per_msg: delivered ? (cpuUtil * windowMs * 1000) / delivered : null,
		worker_cpu: { ...cpu, window_ms: windowMs },
		loadgen_sender_util: threadUtil(r.sender.cpu),
		loadgen_recv_util: recvUtil,
		loadgen_bottleneck: recvUtil > 0.9 || r.receivers.socket_drops > 0,
		udp_rcvbuf_errors: r.udp_rcvbuf_errors,
		sctp_send_buffer_full_events: extra.bufferFull,
		control_latency_ms: extra.controlLatencyMs,
		associate_ms: extra.associateMs,
		producer_messages_received: extra.producerMessagesReceived,
		consumer_messages_sent: extra.consumerMessagesSent,
		sctp_states: extra.sctpStates,
		loadgen: r,
	};
}

// Runs one case in a fresh node process and returns its result.
function runInChild(moduleName, opts, n) {
	return new Promise((resolve, reject) => {
		const spec = JSON.stringify({ moduleName, opts, n });
		const child = spawn(process.execPath, ['--expose-gc', __filename, '--case', spec], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.on('exit', (code) => {
			const line = out.split('\n').find((l) => l.startsWith('RESULT '));
			if (code === 0 && line) {
				resolve(JSON.parse(line.slice(7)));
			} else {
				reject(new Error(`data case ${moduleName} N=${n} failed (exit ${code})`));
			}
		});
	});
}

async function childMain(spec) {
	const { moduleName, opts, n } = JSON.parse(spec);
	const m = bench.loadModule(moduleName);
	const r = { module: m.name, ...(await runDataCase(m.mod, opts, n)) };
	process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
}

// The figures the table shows, as medians over the repetitions.
const MEDIAN_FIELDS = [
	'offered_msgs_per_s', 'delivered_msgs_per_s', 'delivered_mb_per_s', 'loss', 'missing', 'out_of_order',
	'blocked_window', 'latency_p50_us', 'latency_p99_us', 'worker_cpu_util', 'worker_us_per_msg',
	'loadgen_recv_util', 'sctp_send_buffer_full_events', 'udp_rcvbuf_errors',
];

function median(values) {
	const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
	if (v.length === 0) {
		return null;
	}
	const mid = Math.floor(v.length / 2);
	return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** One row per (module, N): medians of its runs, plus the notes of any run. */
function medianRow(runs) {
	const row = { module: runs[0].module, consumers: runs[0].consumers, runs: runs.length };
	for (const f of MEDIAN_FIELDS) {
		row[f] = median(runs.map((r) => r[f]));
	}
	row.loadgen_bottleneck = runs.some((r) => r.loadgen_bottleneck);
	row.silent_consumers = Math.max(...runs.map((r) => r.silent_consumers));
	row.control_latency_ms = Math.max(...runs.map((r) => r.control_latency_ms));
	row.offered_spread = runs.map((r) => r.offered_msgs_per_s);
	row.delivered_spread = runs.map((r) => r.delivered_msgs_per_s);
	return row;
}

const fmt = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(d));

function notes(r) {
	return [
		r.loadgen_bottleneck ? 'LOADGEN-BOUND' : '',
		r.worker_cpu_util > 0.95 ? 'worker saturated' : '',
		r.blocked_window > 0 ? `sender blocked ${fmt(r.blocked_window, 0)} msgs` : '',
		r.sctp_send_buffer_full_events > 0 ? `sctpsendbufferfull x${fmt(r.sctp_send_buffer_full_events, 0)}` : '',
		r.udp_rcvbuf_errors > 0 ? `${fmt(r.udp_rcvbuf_errors, 0)} UDP rcvbuf drops` : '',
		r.silent_consumers > 0 ? `${r.silent_consumers} silent consumers` : '',
		r.control_latency_ms > bench.RU_MAX_DELAY_MS ? `control channel answered after ${fmt(r.control_latency_ms, 0)} ms` : '',
	].filter(Boolean).join(', ');
}

function table(rows) {
	const head = ['module', 'N', 'runs', 'offered msg/s', 'delivered msg/s', 'MB/s', 'loss', 'missing', 'out of order', 'worker CPU', 'µs/msg', 'p50 µs', 'p99 µs', 'notes'];
	const lines = rows.map((r) => [
		r.module,
		String(r.consumers),
		String(r.runs),
		fmt(r.offered_msgs_per_s, 0),
		fmt(r.delivered_msgs_per_s, 0),
		fmt(r.delivered_mb_per_s, 1),
		`${fmt(r.loss * 100, 2)}%`,
		fmt(r.missing, 0),
		fmt(r.out_of_order, 0),
		`${fmt(r.worker_cpu_util * 100, 0)}%`,
		fmt(r.worker_us_per_msg),
		fmt(r.latency_p50_us, 0),
		fmt(r.latency_p99_us, 0),
		notes(r),
	]);
	const all = [head, ...lines];
	const w = head.map((_, i) => Math.max(...all.map((l) => l[i].length)));
	const left = (i) => i === 0 || i === head.length - 1;
	const row = (l) => `| ${l.map((c, i) => (left(i) ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
	return [row(head), `|${w.map((x, i) => (left(i) ? `-${'-'.repeat(x)}-` : `${'-'.repeat(x + 1)}:`)).join('|')}|`, ...lines.map(row)].join('\n');
}

/** ferrosoup/mediasoup (first/second module) per N: throughput and CPU per message. */
function ratios(rows) {
	const names = [...new Set(rows.map((r) => r.module))];
	if (names.length < 2) {
		return [];
	}
	const [a, b] = names;
	const out = [];
	for (const r of rows.filter((x) => x.module === a)) {
		const o = rows.find((x) => x.module === b && x.consumers === r.consumers);
		if (!o) {
			continue;
		}
		out.push(
			`N=${r.consumers}: ${a} / ${b}: delivered msg/s ${fmt(r.delivered_msgs_per_s / o.delivered_msgs_per_s)}x, ` +
				`CPU per message ${fmt(r.worker_us_per_msg / o.worker_us_per_msg)}x`
		);
	}
	return out;
}

async function main(argv) {
	const opts = parseArgs(argv);
	if (opts.build) {
		bench.buildLoadgen();
	}
	if (!fs.existsSync(bench.loadgenBin)) {
		throw new Error(`${bench.loadgenBin} missing: run without --no-build`);
	}
	const modules = [];
	for (const name of opts.modules) {
		const m = bench.loadModule(name);
		if (m.skip) {
			console.error(`skipping ${name}: ${m.skip}`);
		} else {
			modules.push({ name, label: m.name });
		}
	}
	const runs = [];
	const rateLabel = opts.rate ? `${opts.rate} msg/s` : 'max rate';
	// Repetitions outermost, modules innermost: drift of the shared machine
	// spreads over both modules alike.
	for (let rep = 0; rep < opts.repeat; rep++) {
		for (const n of opts.consumers) {
			for (const m of modules) {
				process.stderr.write(`${m.label} data N=${n} (${rep + 1}/${opts.repeat}): ${rateLabel}, ${opts.size} B for ${opts.warmup}+${opts.duration} s ... `);
				const r = await runInChild(m.name, opts, n);
				process.stderr.write(`${fmt(r.delivered_msgs_per_s, 0)} msg/s delivered, CPU ${fmt(r.worker_cpu_util * 100, 0)}%, loss ${fmt(r.loss * 100, 2)}%\n`);
				runs.push(r);
			}
		}
	}
	if (runs.length === 0) {
		console.error('no case ran');
		return;
	}
	const rows = [];
	for (const m of modules) {
		for (const n of opts.consumers) {
			const mine = runs.filter((r) => r.module === m.label && r.consumers === n);
			if (mine.length) {
				rows.push(medianRow(mine));
			}
		}
	}
	console.log(table(rows));
	for (const line of ratios(rows)) {
		console.log(line);
	}
	if (opts.json) {
		const out = {
			date: new Date().toISOString(),
			host: { cpus: os.cpus()[0]?.model, ncpu: os.cpus().length, node: process.version },
			options: opts,
			medians: rows,
			runs,
		};
		fs.writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
		console.error(`wrote ${opts.json}`);
	}
}

if (require.main === module) {
	if (process.argv[2] === '--case') {
		childMain(process.argv[3]).catch((err) => {
			console.error(err.stack || String(err));
			process.exit(1);
		});
	}
}

module.exports = { main };
