'use strict';

// Control-plane benchmark (`npm run bench -- --control-plane`): how fast the
// request path is, through the public mediasoup API only, so the same code
// drives ferrosoup and real mediasoup side by side.
//
//   cycles/s   create two WebRtcTransports -> produce (opus) on one ->
//              consume on the other -> close both, with 1 and 32 cycles in
//              flight (a room where people join and leave)
//   queued     latency of one request issued behind 3,000 queued ones
//              (transport.getStats() x 3000, then transport.dump()), and
//              how long the whole burst takes; p50/p99 over repetitions
//
// Every module runs in its own fresh node process.

const { spawn } = require('node:child_process');

const MEDIA_CODECS = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const OPUS_RTP_PARAMETERS = {
	mid: '0',
	codecs: [
		{
			mimeType: 'audio/opus',
			payloadType: 111,
			clockRate: 48000,
			channels: 2,
			parameters: { useinbandfec: 1, usedtx: 1 },
			rtcpFeedback: [{ type: 'transport-cc' }],
		},
	],
	headerExtensions: [
		{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
		{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 10 },
	],
	encodings: [{ ssrc: 11111111 }],
	rtcp: { cname: 'bench' },
};

const QUEUED = 3000;

function percentile(sorted, p) {
	if (sorted.length === 0) {
		return NaN;
	}
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function cycle(router) {
	const listenInfos = [{ protocol: 'udp', ip: '127.0.0.1' }];
	const send = await router.createWebRtcTransport({ listenInfos });
	const recv = await router.createWebRtcTransport({ listenInfos });
	const producer = await send.produce({ kind: 'audio', rtpParameters: OPUS_RTP_PARAMETERS });
	await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	send.close();
	recv.close();
}

async function cyclesPerSecond(router, inFlight, seconds) {
	const deadline = Date.now() + seconds * 1000;
	let done = 0;
	const started = process.hrtime.bigint();
	await Promise.all(
		Array.from({ length: inFlight }, async () => {
			while (Date.now() < deadline) {
				await cycle(router);
				done += 1;
			}
		})
	);
	const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
	return done / elapsed;
}

async function queuedLatency(router, repetitions) {
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
	const last = [];
	const burst = [];
	for (let i = 0; i < repetitions; i++) {
		const t0 = process.hrtime.bigint();
		const queued = [];
		for (let j = 0; j < QUEUED; j++) {
			queued.push(transport.getStats());
		}
		const t1 = process.hrtime.bigint();
		await transport.dump();
		const t2 = process.hrtime.bigint();
		await Promise.all(queued);
		const t3 = process.hrtime.bigint();
		// From the moment the last request is issued until it resolves.
		last.push(Number(t2 - t1) / 1e6);
		burst.push(Number(t3 - t0) / 1e6);
	}
	transport.close();
	last.sort((a, b) => a - b);
	burst.sort((a, b) => a - b);
	return {
		last_p50_ms: percentile(last, 50),
		last_p99_ms: percentile(last, 99),
		burst_p50_ms: percentile(burst, 50),
	};
}

async function childMain(moduleName, opts) {
	const { loadModule } = require('./bench');
	const m = loadModule(moduleName);
	if (m.skip) {
		throw new Error(m.skip);
	}
	const worker = await m.mod.createWorker({ logLevel: 'error' });
	const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
	// Warm up both sides (JIT, allocator, port pool).
	await cyclesPerSecond(router, 8, 0.5);
	const result = { module: m.name };
	for (const inFlight of [1, 32]) {
		result[`cycles_per_s_${inFlight}`] = await cyclesPerSecond(router, inFlight, opts.duration);
	}
	Object.assign(result, await queuedLatency(router, opts.repetitions));
	worker.close();
	process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function runChild(moduleName, opts) {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[__filename, '--child', moduleName, String(opts.duration), String(opts.repetitions)],
			{ stdio: ['ignore', 'pipe', 'inherit'] }
		);
		let out = '';
		child.stdout.on('data', (d) => {
			out += d;
		});
		child.on('exit', (code) => {
			const line = out.split('\n').find((l) => l.startsWith('RESULT '));
			if (code !== 0 || !line) {
				reject(new Error(`control-plane case for ${moduleName} failed (exit ${code})`));
				return;
			}
			resolve(JSON.parse(line.slice(7)));
		});
	});
}

const f = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '-');

// Called by bench.js with its parsed module list.
async function main(modules, { loadModule, duration = 4, repetitions = 15, json } = {}) {
	const opts = { duration, repetitions };
	const rows = [];
	for (const name of modules) {
		const m = loadModule(name);
		if (m.skip) {
			console.error(`skipping ${name}: ${m.skip}`);
			continue;
		}
		process.stderr.write(`${m.name} control plane ... `);
		const r = await runChild(name, opts);
		process.stderr.write('done\n');
		rows.push(r);
	}
	if (rows.length === 0) {
		console.error('no case ran');
		return;
	}
	console.log('| module | cycles/s (1 in flight) | cycles/s (32 in flight) | 1 request behind 3,000: p50 / p99 ms | 3,001 requests: p50 ms |');
	console.log('|---|---|---|---|---|');
	for (const r of rows) {
		console.log(
			`| ${r.module} | ${f(r.cycles_per_s_1)} | ${f(r.cycles_per_s_32)} | ${f(r.last_p50_ms, 1)} / ${f(r.last_p99_ms, 1)} | ${f(r.burst_p50_ms, 1)} |`
		);
	}
	if (rows.length > 1) {
		const [a, b] = rows;
		console.log(
			`${a.module} / ${b.module}: cycles/s ${f(a.cycles_per_s_1 / b.cycles_per_s_1, 2)}x (1 in flight), ${f(a.cycles_per_s_32 / b.cycles_per_s_32, 2)}x (32 in flight); queued request latency ${f(b.last_p50_ms / a.last_p50_ms, 2)}x lower`
		);
	}
	if (json) {
		require('node:fs').writeFileSync(json, `${JSON.stringify({ date: new Date().toISOString(), results: rows }, null, 2)}\n`);
	}
}

if (require.main === module && process.argv[2] === '--child') {
	childMain(process.argv[3], { duration: Number(process.argv[4]), repetitions: Number(process.argv[5]) }).catch((e) => {
		console.error(e);
		process.exit(1);
	});
}

module.exports = { main };
