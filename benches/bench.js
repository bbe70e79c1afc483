#!/usr/bin/env node
// `npm run bench`: forwarding benchmark of one worker (see benches/README.md).
//
// A separate Rust process (benches/loadgen) sends paced 1000-byte VP8 RTP
// into one producer on a PlainTransport and receives the copies of N
// consumers, each on its own PlainTransport of the same worker. This driver
// sets up the SFU through the public mediasoup API, so the same run can drive
// ferrosoup or mediasoup, and reports worker CPU per forwarded packet, loss,
// latency and RSS per consumer.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const root = path.join(__dirname, '..');
const loadgenDir = path.join(__dirname, 'loadgen');
const loadgenBin = path.join(loadgenDir, 'target', 'release', 'loadgen');
const CRYPTO_SUITE = 'AES_CM_128_HMAC_SHA1_80';
const PRODUCER_SSRC = 22222222;
const PAYLOAD_TYPE = 101;
const RT_PRIORITY = 20;
// ferrosoup's worker thread name as /proc shows it (comm is cut to 15 bytes).
const WORKER_THREAD_COMM = 'ferrosoup-worker'.slice(0, 15);
// A getResourceUsage() answered later than this after the window edge is
// not trusted for the window; /proc is used instead (and reported).
const RU_MAX_DELAY_MS = 50;
const IDLE_MS = 1000;

const USAGE = `usage: npm run bench -- [options]
  --module <m>          ferrosoup (default: this package) | mediasoup (needs
                        MEDIASOUP_WORKER_BIN) | a path to a module; repeat or
                        comma-separate to run several side by side
  --consumers <list>    consumer counts, default 1,10,100,500
  --rate <pps>          input packets/s into the producer, default 1000
                        (N=100 then forwards ~100k packets/s)
  --duration <s>        measurement window per case, default 8
  --warmup <s>          sending before the window opens, default 2
  --srtp                SRTP only (AES_CM_128_HMAC_SHA1_80 both ways)
  --plain               plain RTP only (default: both plain and SRTP)
  --size <bytes>        RTP payload size, default 1000
  --recv-sockets <k>    loadgen receive sockets (consumer i -> socket i % k), default 1
  --poll-us <us>        loadgen receive polling interval, default 200 (0: block
                        in recvmmsg, which costs the SFU a wakeup per send)
  --rt                  run the loadgen threads and the SFU worker thread as
                        SCHED_FIFO (root only): steadier numbers on a busy box
  --json <file>         also write all results as JSON
  --no-build            do not run cargo build for the load generator
  --control-plane       the control-plane case instead (see benches/README.md)
  --data                the data-channel case instead: SCTP messages from one
                        DataProducer to N DataConsumers (--data --help)
  --topology <list>     where the consumers are, default single:
                        single  all on the producer's worker
                        pipe    producer on worker 1, pipeToRouter() to worker 2,
                                all N consumers there
                        split   producer on worker 1, N/2 consumers there and
                                N/2 on worker 2 through a pipe (two cores)
`;

function parseArgs(argv) {
	const o = {
		modules: [],
		consumers: [1, 10, 100, 500],
		rate: 1000,
		duration: 8,
		warmup: 2,
		modes: ['plain', 'srtp'],
		size: 1000,
		recvSockets: 1,
		pollUs: 200,
		rt: false,
		json: null,
		build: true,
		controlPlane: false,
		topologies: ['single'],
	};
	let plain = false;
	let srtp = false;
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
			case '--rate': o.rate = num(next()); break;
			case '--duration': o.duration = num(next()); break;
			case '--warmup': o.warmup = num(next()); break;
			case '--size': o.size = Math.round(num(next())); break;
			case '--recv-sockets': o.recvSockets = Math.round(num(next())); break;
			case '--json': o.json = next(); break;
			case '--poll-us': o.pollUs = Math.max(0, Math.round(Number(next()) || 0)); break;
			case '--rt': o.rt = true; break;
			case '--srtp': srtp = true; break;
			case '--plain': plain = true; break;
			case '--no-build': o.build = false; break;
			case '--control-plane': o.controlPlane = true; break;
			case '--topology': o.topologies = next().split(',').filter(Boolean); break;
			case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
			default: throw new Error(`unknown option ${a}\n${USAGE}`);
		}
	}
	if (plain || srtp) {
		o.modes = [...(plain ? ['plain'] : []), ...(srtp ? ['srtp'] : [])];
	}
	if (o.modules.length === 0) {
		o.modules = ['ferrosoup'];
	}
	for (const t of o.topologies) {
		if (!['single', 'pipe', 'split'].includes(t)) {
			throw new Error(`unknown topology ${t}`);
		}
	}
	if (o.size < 40 || o.size > 1400) {
		throw new Error('--size must be 40..1400');
	}
	return o;
}

// Returns { name, mod } or { name, skip: reason }.
function loadModule(name) {
	if (name === 'ferrosoup') {
		return { name, mod: require(root) };
	}
	if (name === 'mediasoup') {
		let resolved;
		for (const from of [process.cwd(), root, path.join(root, '__test__', 'compat')]) {
			try {
				resolved = require.resolve('mediasoup', { paths: [from] });
				break;
			} catch {
				// try the next place
			}
		}
		if (!resolved) {
			return { name, skip: 'npm package "mediasoup" is not installed (npm install mediasoup@3.27.1 --ignore-scripts)' };
		}
		const bin = process.env.MEDIASOUP_WORKER_BIN;
		if (!bin || !fs.existsSync(bin)) {
			return {
				name,
				skip: `set MEDIASOUP_WORKER_BIN to a mediasoup-worker binary (${bin ? `${bin} does not exist` : 'not set'}); mediasoup found at ${path.dirname(resolved)}`,
			};
		}
		const mod = require(resolved);
		return { name: `mediasoup ${mod.version}`, mod };
	}
	const mod = require(path.resolve(name));
	return { name: `${name} ${mod.version ?? ''}`.trim(), mod };
}

function buildLoadgen() {
	const r = spawnSync('cargo', ['build', '--release', '--quiet', '--manifest-path', path.join(loadgenDir, 'Cargo.toml')], {
		stdio: 'inherit',
	});
	if (r.status !== 0) {
		throw new Error('building benches/loadgen failed');
	}
}

function vmRssKiB(pid) {
	try {
		const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : 0;
	} catch {
		return 0;
	}
}

// RSS of everything the SFU uses: the node process, plus mediasoup's worker
// process when the worker is a separate process.
async function rssKiB(worker) {
	for (let i = 0; i < 3; i++) {
		global.gc?.();
		await new Promise((r) => setImmediate(r));
	}
	let kib = vmRssKiB(process.pid);
	if (worker.pid && worker.pid !== process.pid) {
		kib += vmRssKiB(worker.pid);
	}
	return kib;
}

// Linux threads of this process named `name`.
function threadsNamed(name) {
	const out = [];
	for (const tid of fs.readdirSync('/proc/self/task')) {
		try {
			if (fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name) {
				out.push(Number(tid));
			}
		} catch {
			// thread gone
		}
	}
	return out;
}

// CPU of a thread or process from /proc, read without asking the worker:
// precise total (schedstat, ns) split by the tick-sampled utime/stime ratio.
function procCpu(statDir) {
	try {
		const stat = fs.readFileSync(`${statDir}/stat`, 'utf8');
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const utime = Number(f[11]);
		const stime = Number(f[12]);
		let totalNs = null;
		try {
			totalNs = Number(fs.readFileSync(`${statDir}/schedstat`, 'utf8').split(' ')[0]);
		} catch {
			// no schedstat: ticks only
		}
		return { utime, stime, totalNs };
	} catch {
		return null;
	}
}

function procCpuDelta(a, b) {
	if (!a || !b) {
		return null;
	}
	const tickMs = 1000 / 100; // USER_HZ
	const du = (b.utime - a.utime) * tickMs;
	const ds = (b.stime - a.stime) * tickMs;
	if (a.totalNs === null || b.totalNs === null) {
		return { user_ms: du, sys_ms: ds };
	}
	const total = (b.totalNs - a.totalNs) / 1e6;
	const userShare = du + ds > 0 ? du / (du + ds) : 0;
	return { user_ms: total * userShare, sys_ms: total * (1 - userShare) };
}

function chrtFifo(id, prio, allThreads) {
	const r = spawnSync('chrt', [...(allThreads ? ['-a'] : []), '-f', '-p', String(prio), String(id)], { encoding: 'utf8' });
	if (r.status !== 0) {
		console.error(`note: chrt -f ${id} failed: ${(r.stderr || r.error?.message || '').trim()}`);
	}
}

class Loadgen {
	constructor() {
		this.proc = spawn(loadgenBin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
		this.waiters = [];
		this.events = [];
		this.exited = new Promise((resolve) => this.proc.on('exit', (code) => {
			this.closed = true;
			this.flushWaiters(new Error(`loadgen exited (${code})`));
			resolve(code);
		}));
		readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
			let ev;
			try {
				ev = JSON.parse(line);
			} catch {
				process.stderr.write(`loadgen: ${line}\n`);
				return;
			}
			if (ev.event === 'error') {
				this.flushWaiters(new Error(`loadgen: ${ev.message}`));
				return;
			}
			this.events.push(ev);
			this.dispatch();
		});
	}

	dispatch() {
		for (let i = 0; i < this.waiters.length; i++) {
			const w = this.waiters[i];
			const j = this.events.findIndex((e) => e.event === w.event);
			if (j >= 0) {
				const [ev] = this.events.splice(j, 1);
				this.waiters.splice(i--, 1);
				w.resolve(ev);
			}
		}
	}

	flushWaiters(err) {
		for (const w of this.waiters.splice(0)) {
			w.reject(err);
		}
	}

	send(obj) {
		this.proc.stdin.write(`${JSON.stringify(obj)}\n`);
	}

	wait(event) {
		return new Promise((resolve, reject) => {
			this.waiters.push({ event, resolve, reject });
			this.dispatch();
			if (this.closed) {
				// Not already queued, and never coming.
				this.flushWaiters(new Error(`loadgen exited before "${event}"`));
			}
		});
	}

	kill() {
		if (!this.closed) {
			this.proc.kill('SIGKILL');
		}
	}
}

/**
 * A worker and where to read its CPU without asking it: its thread
 * (ferrosoup) or its process (mediasoup).
 */
async function startWorker(mod, opts) {
	const before = new Set(threadsNamed(WORKER_THREAD_COMM));
	const worker = await mod.createWorker({ logLevel: 'error' });
	const sameProcess = worker.pid === process.pid;
	let statDir = null;
	if (sameProcess) {
		// A round trip makes sure the thread has started and named itself.
		await worker.getResourceUsage();
		const tid = threadsNamed(WORKER_THREAD_COMM).find((t) => !before.has(t));
		statDir = tid ? `/proc/self/task/${tid}` : null;
		if (!tid) {
			console.error('note: worker thread not found in /proc/self/task');
		}
		if (tid && opts.rt) {
			chrtFifo(tid, RT_PRIORITY, false);
		}
	} else if (worker.pid) {
		statDir = `/proc/${worker.pid}`;
		if (opts.rt) {
			chrtFifo(worker.pid, RT_PRIORITY, true);
		}
	}
	return { worker, sameProcess, statDir };
}

async function runCase(mod, opts, n, srtp, topology = 'single') {
	const workers = [await startWorker(mod, opts)];
	if (topology !== 'single') {
		workers.push(await startWorker(mod, opts));
	}
	const { sameProcess } = workers[0];
	const lg = new Loadgen();
	try {
		const mediaCodecs = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];
		const routers = [];
		for (const w of workers) {
			routers.push(await w.worker.createRouter({ mediaCodecs }));
		}
		const router = routers[0];
		lg.send({ cmd: 'open', recvSockets: opts.recvSockets });
		const opened = await lg.wait('opened');
		const srtpTransportOptions = srtp ? { enableSrtp: true, srtpCryptoSuite: CRYPTO_SUITE } : {};
		const transportOptions = {
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: true,
			comedia: false,
			...srtpTransportOptions,
		};
		// The loadgen encrypts what it sends with its own key; the transports
		// never receive anything else, so the same key serves every connect().
		const remoteSrtp = srtp ? { srtpParameters: { cryptoSuite: CRYPTO_SUITE, keyBase64: opened.srtpKey } } : {};

		const producerTransport = await router.createPlainTransport(transportOptions);
		await producerTransport.connect({ ip: '127.0.0.1', port: opened.sendPort, ...remoteSrtp });
		const producer = await producerTransport.produce({
			kind: 'video',
			rtpParameters: {
				codecs: [{
					mimeType: 'video/VP8',
					payloadType: PAYLOAD_TYPE,
					clockRate: 90000,
					rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
				}],
				encodings: [{ ssrc: PRODUCER_SSRC }],
			},
		});

		// Consumer i lives on this router: the producer's (single), the other
		// worker's (pipe), or alternately both (split).
		const routerOf = (i) =>
			topology === 'single' ? router : topology === 'pipe' ? routers[1] : routers[i % 2];
		if (topology !== 'single') {
			await router.pipeToRouter({ producerId: producer.id, router: routers[1] });
		}
		// This process (and the first worker's, for mediasoup), plus any other
		// worker process: threads of this process share its RSS.
		const rssAll = async () => {
			let total = await rssKiB(workers[0].worker);
			for (const w of workers.slice(1)) {
				if (w.worker.pid && w.worker.pid !== process.pid) {
					total += vmRssKiB(w.worker.pid);
				}
			}
			return total;
		};
		const rss0 = await rssAll();
		const transports = [];
		for (let i = 0; i < n; i++) {
			const t = await routerOf(i).createPlainTransport(transportOptions);
			await t.connect({ ip: '127.0.0.1', port: opened.recvPorts[i % opened.recvPorts.length], ...remoteSrtp });
			transports.push(t);
		}
		const rss1 = await rssAll();
		const consumers = [];
		for (const [i, t] of transports.entries()) {
			consumers.push(await t.consume({ producerId: producer.id, rtpCapabilities: routerOf(i).rtpCapabilities }));
		}
		const rss2 = await rssAll();

		// The workers' CPU with all consumers in place but no traffic.
		const procAll = () => workers.map((w) => (w.statDir ? procCpu(w.statDir) : null));
		const idle0 = procAll();
		await new Promise((r) => setTimeout(r, IDLE_MS));
		const idleDelta = sumCpu(procAll().map((p, i) => procCpuDelta(idle0[i], p)));

		lg.send({
			cmd: 'run',
			target: { ip: '127.0.0.1', port: producerTransport.tuple.localPort },
			ssrc: PRODUCER_SSRC,
			payloadType: PAYLOAD_TYPE,
			rate: opts.rate,
			size: opts.size,
			fps: 30,
			keyFrameInterval: 1,
			warmup: opts.warmup,
			duration: opts.duration,
			drain: 0.5,
			srtp,
			pollUs: opts.pollUs,
			rtPriority: opts.rt ? RT_PRIORITY : 0,
			consumers: consumers.map((c, i) => ({
				ssrc: c.rtpParameters.encodings[0].ssrc,
				socket: i % opened.recvPorts.length,
				key: srtp ? transports[i].srtpParameters.keyBase64 : null,
			})),
		});
		// Snapshot at each window edge: /proc at once, then ask each worker
		// (whose answer is late if its loop starves its control channel).
		const snapshot = async () => {
			const proc = procAll();
			const cpu = process.cpuUsage();
			const ru = [];
			let ruDelayMs = 0;
			for (const w of workers) {
				const t = performance.now();
				ru.push(await w.worker.getResourceUsage());
				ruDelayMs = Math.max(ruDelayMs, performance.now() - t);
			}
			return { proc, cpu, ru, ruDelayMs };
		};
		await lg.wait('measure_start');
		const s0 = await snapshot();
		await lg.wait('measure_end');
		const s1 = await snapshot();
		const r = await lg.wait('result');
		const producerStats = await producer.getStats();
		await lg.exited;
		// After the traffic: per-consumer state that grows with what was sent
		// (e.g. retransmission buffers) shows here.
		const rss3 = await rssAll();

		const fwd = r.received_window;
		const ruLate = Math.max(s0.ruDelayMs, s1.ruDelayMs) > RU_MAX_DELAY_MS;
		const procDeltas = workers.map((_, i) => procCpuDelta(s0.proc[i], s1.proc[i]));
		const procDelta = sumCpu(procDeltas);
		// Per worker, from getResourceUsage() (or /proc if it answered late).
		const perWorker = workers.map((_, i) =>
			ruLate && procDeltas[i]
				? procDeltas[i]
				: { user_ms: s1.ru[i].ru_utime - s0.ru[i].ru_utime, sys_ms: s1.ru[i].ru_stime - s0.ru[i].ru_stime }
		);
		const { user_ms: userMs, sys_ms: sysMs } = sumCpu(perWorker);
		const cpuSource = ruLate && procDelta ? '/proc' : 'getResourceUsage';
		const windowMs = r.window_s * 1000;
		const cpu1 = { user: s1.cpu.user - s0.cpu.user, system: s1.cpu.system - s0.cpu.system };
		const recvCpuS = r.loadgen_cpu.receivers.reduce((s, c) => s + c.user_ms + c.sys_ms, 0) / 1000;
		const recvUtil = recvCpuS / r.loadgen_cpu.run_s / r.loadgen_cpu.receivers.length;
		const lat = r.latency_kernel_us.count > 0 ? r.latency_kernel_us : r.latency_us;
		const result = {
			mode: srtp ? 'srtp' : 'plain',
			topology,
			consumers: n,
			// Per worker: CPU (ms) in the window and µs per forwarded packet
			// (worker 1 holds the producer; with a pipe, worker 2 the rest).
			workers: perWorker.map((c) => ({
				...c,
				us_per_pkt: fwd ? ((c.user_ms + c.sys_ms) * 1000) / fwd : null,
				cpu_util: (c.user_ms + c.sys_ms) / windowMs,
			})),
			input_pps: r.send_rate_pps,
			forwarded_pps: r.forwarded_pps,
			worker_user_us_per_pkt: fwd ? (userMs * 1000) / fwd : null,
			worker_sys_us_per_pkt: fwd ? (sysMs * 1000) / fwd : null,
			worker_us_per_pkt: fwd ? ((userMs + sysMs) * 1000) / fwd : null,
			// Summed over the workers (a share of one core; >1 with two workers).
			worker_cpu_util: (userMs + sysMs) / windowMs,
			loss: r.loss,
			// Send stamp -> kernel receive timestamp of the copy at the loadgen
			// socket (SO_TIMESTAMPNS): the loadgen's own polling delay excluded.
			latency_p50_us: lat.p50,
			latency_p99_us: lat.p99,
			latency_p999_us: lat.p999,
			latency_max_us: lat.max,
			// Send stamp -> the loadgen thread saw it (includes its poll interval).
			latency_app_p50_us: r.latency_us.p50,
			latency_app_p99_us: r.latency_us.p99,
			rss_per_consumer_kib: (rss2 - rss1) / n,
			rss_per_transport_kib: (rss1 - rss0) / n,
			rss_per_consumer_after_traffic_kib: (rss3 - rss1) / n,
			// CPU of the node process outside the worker thread (ferrosoup only:
			// there the worker is a thread of this process).
			other_threads_cpu_util: sameProcess ? ((cpu1.user + cpu1.system) / 1000 - userMs - sysMs) / windowMs : null,
			loadgen_recv_util: recvUtil,
			loadgen_bottleneck: recvUtil > 0.9 || r.loadgen_socket_drops > 0,
			worker_cpu_source: cpuSource,
			worker_cpu: { user_ms: userMs, sys_ms: sysMs, window_ms: windowMs },
			worker_cpu_proc: procDelta,
			// Worker CPU without traffic (timers, RTCP), as a share of one core.
			worker_idle_cpu_util: idleDelta ? (idleDelta.user_ms + idleDelta.sys_ms) / IDLE_MS : null,
			// How long getResourceUsage() took at the window edges: the worker's
			// control-channel latency under this load.
			control_latency_ms: Math.max(s0.ruDelayMs, s1.ruDelayMs),
			producer_packet_count: producerStats[0]?.packetCount ?? null,
			// Input datagrams the worker never read (its socket overflowed).
			producer_input_loss: producerStats[0] ? 1 - producerStats[0].packetCount / r.sent_total : null,
			loadgen: r,
		};
		return result;
	} finally {
		lg.kill();
		for (const w of workers) {
			w.worker.close();
		}
	}
}

/** The sum of CPU deltas ({ user_ms, sys_ms }), null if any is unknown. */
function sumCpu(deltas) {
	if (deltas.some((d) => !d)) {
		return null;
	}
	return deltas.reduce((a, d) => ({ user_ms: a.user_ms + d.user_ms, sys_ms: a.sys_ms + d.sys_ms }), { user_ms: 0, sys_ms: 0 });
}

const fmt = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(d));

function table(rows) {
	const head = ['module', 'mode', 'topology', 'N', 'in pps', 'fwd pps', 'user µs/pkt', 'sys µs/pkt', 'total µs/pkt', 'per worker µs/pkt', 'worker CPU', 'loss', 'p50 µs', 'p99 µs', 'RSS/consumer', 'after traffic', 'notes'];
	const lines = rows.map((r) => [
		r.module,
		r.mode,
		r.topology ?? 'single',
		String(r.consumers),
		fmt(r.input_pps, 0),
		fmt(r.forwarded_pps, 0),
		fmt(r.worker_user_us_per_pkt),
		fmt(r.worker_sys_us_per_pkt),
		fmt(r.worker_us_per_pkt),
		(r.workers ?? []).map((w) => fmt(w.us_per_pkt)).join(' + '),
		`${fmt(r.worker_cpu_util * 100, 0)}%`,
		`${fmt(r.loss * 100, 2)}%`,
		fmt(r.latency_p50_us, 0),
		fmt(r.latency_p99_us, 0),
		`${fmt(r.rss_per_consumer_kib, 1)} KiB`,
		`${fmt(r.rss_per_consumer_after_traffic_kib, 0)} KiB`,
		[
			r.loadgen_bottleneck ? 'LOADGEN-BOUND' : '',
			(r.workers ?? [{ cpu_util: r.worker_cpu_util }]).some((w) => w.cpu_util > 0.95) ? 'worker saturated' : '',
			r.producer_input_loss > 0.001 ? `input drops ${fmt(r.producer_input_loss * 100, 1)}%` : '',
			r.control_latency_ms > RU_MAX_DELAY_MS ? `control channel answered after ${fmt(r.control_latency_ms, 0)} ms` : '',
			r.loadgen.srtp_auth_failures ? `${r.loadgen.srtp_auth_failures} SRTP auth failures` : '',
			r.loadgen.silent_consumers ? `${r.loadgen.silent_consumers} silent consumers` : '',
		].filter(Boolean).join(', '),
	]);
	const all = [head, ...lines];
	const w = head.map((_, i) => Math.max(...all.map((l) => l[i].length)));
	const left = (i) => i < 3 || i === head.length - 1;
	const row = (l) => `| ${l.map((c, i) => (left(i) ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
	return [row(head), `|${w.map((x, i) => (left(i) ? `-${'-'.repeat(x)}-` : `${'-'.repeat(x + 1)}:`)).join('|')}|`, ...lines.map(row)].join('\n');
}

// Runs one case in a fresh node process (clean RSS baseline, no leftovers of
// earlier cases) and returns its result.
function runCaseInChild(moduleName, opts, n, mode, topology) {
	return new Promise((resolve, reject) => {
		const spec = JSON.stringify({ moduleName, opts, n, mode, topology });
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
				reject(new Error(`case ${moduleName} ${mode} ${topology} N=${n} failed (exit ${code})`));
			}
		});
	});
}

async function childMain(spec) {
	const { moduleName, opts, n, mode, topology } = JSON.parse(spec);
	const m = loadModule(moduleName);
	const r = { module: m.name, ...(await runCase(m.mod, opts, n, mode === 'srtp', topology)) };
	process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
}

async function main() {
	if (process.argv[2] === '--case') {
		await childMain(process.argv[3]);
		return;
	}
	if (process.argv.includes('--data')) {
		await require('./data').main(process.argv.slice(2).filter((a) => a !== '--data'));
		return;
	}
	const opts = parseArgs(process.argv.slice(2));
	if (opts.controlPlane) {
		await require('./control-plane').main(opts.modules, { loadModule, json: opts.json });
		return;
	}
	if (opts.build) {
		buildLoadgen();
	}
	if (!fs.existsSync(loadgenBin)) {
		throw new Error(`${loadgenBin} missing: run without --no-build`);
	}
	const rows = [];
	const skipped = [];
	for (const name of opts.modules) {
		const m = loadModule(name);
		if (m.skip) {
			console.error(`skipping ${name}: ${m.skip}`);
			skipped.push({ module: name, reason: m.skip });
			continue;
		}
		for (const topology of opts.topologies) {
			for (const mode of opts.modes) {
				for (const n of opts.consumers) {
					process.stderr.write(`${m.name} ${mode} ${topology} N=${n}: ${opts.rate} pps for ${opts.warmup}+${opts.duration} s ... `);
					const r = await runCaseInChild(name, opts, n, mode, topology);
					process.stderr.write(`${fmt(r.forwarded_pps, 0)} pkt/s, ${fmt(r.worker_us_per_pkt)} µs/pkt, p99 ${fmt(r.latency_p99_us, 0)} µs\n`);
					rows.push(r);
				}
			}
		}
	}
	if (rows.length === 0) {
		console.error('no case ran');
		return;
	}
	console.log(table(rows));
	const out = {
		date: new Date().toISOString(),
		host: { cpus: require('node:os').cpus().map((c) => c.model)[0], ncpu: require('node:os').cpus().length, node: process.version },
		options: opts,
		skipped,
		results: rows,
	};
	if (opts.json) {
		fs.writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
		console.error(`wrote ${opts.json}`);
	} else {
		console.log(JSON.stringify(out.results.map(({ loadgen, ...rest }) => rest)));
	}
	// The ratio of two modules, when both ran.
	if (rows.length && new Set(rows.map((r) => r.module)).size > 1) {
		const [a, b] = [...new Set(rows.map((r) => r.module))];
		for (const r of rows.filter((x) => x.module === a)) {
			const o = rows.find(
				(x) => x.module === b && x.mode === r.mode && x.consumers === r.consumers && x.topology === r.topology
			);
			if (o?.worker_us_per_pkt && r.worker_us_per_pkt) {
				console.log(
					`${r.mode} ${r.topology} N=${r.consumers}: ${b} / ${a} CPU per packet = ${fmt(o.worker_us_per_pkt / r.worker_us_per_pkt)}x`
				);
			}
		}
	}
}

// Before main() runs: benches/data.js (required by main) uses these.
module.exports = {
	loadModule,
	buildLoadgen,
	loadgenBin,
	Loadgen,
	startWorker,
	procCpu,
	procCpuDelta,
	RU_MAX_DELAY_MS,
	RT_PRIORITY,
};

if (require.main === module) {
	main().catch((err) => {
		console.error(err.stack || String(err));
		process.exit(1);
	});
}
