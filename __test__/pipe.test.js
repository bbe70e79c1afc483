'use strict';

// Pipes with real peers (issue #9):
// - Two workers in this process: GStreamer sends VP8 + Opus to a router on
//   worker 1, router.pipeToRouter() (SRTP and RTX on the pipe) makes it
//   available on worker 2, where a PlainTransport hands it to a GStreamer
//   receiver that decodes it.
// - Two hosts: two Node processes (__test__/helpers/pipe-host.js) in two
//   network namespaces joined by a veth pair, each with a worker; the pipe
//   crosses the link with 20 ms delay and 2 % loss each way (`tc netem`
//   where the kernel has it, otherwise a relay on the link that drops and
//   delays datagrams the same way). GStreamer sends on host A, GStreamer
//   decodes on host B, and RTX over the pipe repairs what the link lost.
// Skipped with a reason where GStreamer or network namespaces are missing.

const { test, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const mediasoup = require('..');
const { hasTool, hasGstElements, Processes, sleep, waitFor, freeUdpPort } = require('./helpers/rtp-tools');
const {
	audioRtpParameters,
	videoRtpParameters,
	gstSenderArgs,
	gstReceiverArgs,
	startGstReceiver,
} = require('./helpers/gst');

const GST_ELEMENTS = [
	'videotestsrc', 'vp8enc', 'rtpvp8pay', 'audiotestsrc', 'opusenc', 'rtpopuspay', 'funnel', 'udpsink',
	'udpsrc', 'rtpjitterbuffer', 'rtpvp8depay', 'vp8dec', 'rtpopusdepay', 'opusdec', 'fakesink',
];
const haveGst = hasTool('gst-launch-1.0', '--version') && hasGstElements(...GST_ELEMENTS);
const needGst = haveGst ? {} : { skip: 'GStreamer (gstreamer1.0-tools, -plugins-good) not installed' };

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];
const loopback = { protocol: 'udp', ip: '127.0.0.1' };

const processes = new Processes();
const workers = new Set();
afterEach(() => processes.killAll());
after(() => {
	for (const worker of workers) {
		worker.close();
	}
});

async function createWorker() {
	const worker = await mediasoup.createWorker();
	workers.add(worker);
	worker.observer.once('close', () => workers.delete(worker));
	return worker;
}

test('GStreamer -> worker 1 -> pipeToRouter (SRTP, RTX) -> worker 2 -> GStreamer decodes', needGst, async () => {
	const router1 = await (await createWorker()).createRouter({ mediaCodecs });
	const router2 = await (await createWorker()).createRouter({ mediaCodecs });
	const ingest = await router1.createPlainTransport({ listenInfo: loopback, rtcpMux: true, comedia: true });
	const video = await ingest.produce({ kind: 'video', rtpParameters: videoRtpParameters });
	const audio = await ingest.produce({ kind: 'audio', rtpParameters: audioRtpParameters });
	const pipes = [];
	for (const producer of [video, audio]) {
		pipes.push(
			await router1.pipeToRouter({ producerId: producer.id, router: router2, enableSrtp: true, enableRtx: true })
		);
	}
	// One pipe pair for both, SRTP (AEAD_AES_256_GCM) on it.
	const pipe1 = pipes[0].pipeConsumer;
	assert.equal(pipes[1].pipeProducer.id, audio.id);
	assert.equal(pipe1.type, 'pipe');
	assert.deepEqual(
		pipe1.rtpParameters.codecs.map(c => c.mimeType),
		['video/VP8', 'video/rtx'],
		'RTX on the pipe'
	);
	const dump1 = await router1.dump();
	const dump2 = await router2.dump();
	assert.equal(dump1.transportIds.length, 2);
	assert.equal(dump2.transportIds.length, 1);

	const egress = await router2.createPlainTransport({ listenInfo: loopback, rtcpMux: true, comedia: false });
	const [videoPort, audioPort] = [await freeUdpPort(), await freeUdpPort()];
	const videoConsumer = await egress.consume({ producerId: video.id, rtpCapabilities: router2.rtpCapabilities });
	// A second transport for audio: one remote port each.
	const egressAudio = await router2.createPlainTransport({ listenInfo: loopback, rtcpMux: true, comedia: false });
	const audioConsumer = await egressAudio.consume({ producerId: audio.id, rtpCapabilities: router2.rtpCapabilities });
	const receiver = await startGstReceiver(
		processes,
		gstReceiverArgs({ videoPort, videoConsumer, audioPort, audioConsumer })
	);
	await egress.connect({ ip: '127.0.0.1', port: videoPort });
	await egressAudio.connect({ ip: '127.0.0.1', port: audioPort });
	processes.spawn('gst-launch-1.0', gstSenderArgs({ port: ingest.tuple.localPort }), { name: 'gst sender' });

	await waitFor(() => receiver.counts.video >= 60 && receiver.counts.audio >= 50, {
		timeoutMs: 15_000,
		what: `frames decoded on worker 2's side (video ${receiver.counts.video}, audio ${receiver.counts.audio})`,
	});
	assert.equal(receiver.counts.width, 320);
	// What crossed the pipe: sent by the pipe consumer, received by the pipe
	// producer, SRTP-protected on the way.
	const [consumerStats] = await pipes[0].pipeConsumer.getStats();
	const [producerStats] = await pipes[0].pipeProducer.getStats();
	assert.equal(consumerStats.type, 'outbound-rtp');
	assert.ok(consumerStats.packetCount >= 50, JSON.stringify(consumerStats));
	assert.ok(producerStats.packetCount >= 50, JSON.stringify(producerStats));
	const pipe2 = [...router2.transportsForTesting.values()].find(t => t.type === 'pipe');
	const [pipeStats] = await pipe2.getStats();
	assert.equal(pipeStats.type, 'pipe-transport');
	assert.ok(pipeStats.bytesReceived > 10_000, JSON.stringify(pipeStats));

	// Pause and close travel through the pipe.
	const paused = new Promise(resolve => videoConsumer.once('producerpause', resolve));
	await video.pause();
	await paused;
	const closed = new Promise(resolve => videoConsumer.once('producerclose', resolve));
	video.close();
	await closed;
	assert.equal(pipes[0].pipeProducer.closed, true);
});

// ------------------------------------------------------------- two hosts

const NS_A = `fs-pipe-a-${process.pid}`;
const NS_B = `fs-pipe-b-${process.pid}`;
const IP_A = '10.213.0.1';
const IP_B = '10.213.0.2';

function run(cmd, args) {
	return spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
}

/** Why the namespaces cannot be made here, or null once they are up. */
function setUpNamespaces() {
	if (process.getuid?.() !== 0) {
		return 'network namespaces need root (ip netns)';
	}
	const steps = [
		['ip', ['netns', 'add', NS_A]],
		['ip', ['netns', 'add', NS_B]],
		['ip', ['link', 'add', `veth-a-${process.pid}`, 'type', 'veth', 'peer', 'name', `veth-b-${process.pid}`]],
		['ip', ['link', 'set', `veth-a-${process.pid}`, 'netns', NS_A]],
		['ip', ['link', 'set', `veth-b-${process.pid}`, 'netns', NS_B]],
		['ip', ['-n', NS_A, 'addr', 'add', `${IP_A}/24`, 'dev', `veth-a-${process.pid}`]],
		['ip', ['-n', NS_B, 'addr', 'add', `${IP_B}/24`, 'dev', `veth-b-${process.pid}`]],
		['ip', ['-n', NS_A, 'link', 'set', `veth-a-${process.pid}`, 'up']],
		['ip', ['-n', NS_B, 'link', 'set', `veth-b-${process.pid}`, 'up']],
		['ip', ['-n', NS_A, 'link', 'set', 'lo', 'up']],
		['ip', ['-n', NS_B, 'link', 'set', 'lo', 'up']],
	];
	for (const [cmd, args] of steps) {
		const result = run(cmd, args);
		if (result.status !== 0) {
			tearDownNamespaces();
			return `cannot set up network namespaces (${cmd} ${args.join(' ')}: ${(result.stderr || result.error?.message || '').trim()})`;
		}
	}
	return null;
}

function tearDownNamespaces() {
	run('ip', ['netns', 'del', NS_A]);
	run('ip', ['netns', 'del', NS_B]);
}

/** `tc netem` on both ends of the link, if the kernel has it. */
function tryNetem(delayMs, lossPercent) {
	for (const [ns, dev] of [[NS_A, `veth-a-${process.pid}`], [NS_B, `veth-b-${process.pid}`]]) {
		const result = run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'netem',
			'delay', `${delayMs}ms`, 'loss', `${lossPercent}%`]);
		if (result.status !== 0) {
			return (result.stderr || '').trim() || 'tc failed';
		}
	}
	return null;
}

/** A pipe-host process in namespace `ns`, with a request() function. */
function startHost(ns, name) {
	const child = spawn('ip', ['netns', 'exec', ns, process.execPath, path.join(__dirname, 'helpers', 'pipe-host.js')], {
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr.on('data', chunk => {
		stderr += chunk;
	});
	const pending = new Map();
	let nextId = 1;
	readline.createInterface({ input: child.stdout }).on('line', line => {
		let reply;
		try {
			reply = JSON.parse(line);
		} catch {
			return;
		}
		const waiter = pending.get(reply.rpc);
		pending.delete(reply.rpc);
		if (reply.ok) {
			waiter?.resolve(reply.result);
		} else {
			waiter?.reject(new Error(`${name}: ${reply.error}`));
		}
	});
	child.once('exit', code => {
		for (const waiter of pending.values()) {
			waiter.reject(new Error(`${name} exited (${code}): ${stderr}`));
		}
	});
	return {
		child,
		request(op, args = {}) {
			const rpc = nextId++;
			child.stdin.write(`${JSON.stringify({ rpc, op, ...args })}\n`);
			return new Promise((resolve, reject) => pending.set(rpc, { resolve, reject }));
		},
		stop() {
			child.stdin.end();
			return new Promise(resolve => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
		},
	};
}

const namespacesOk = haveGst && !process.env.FERROSOUP_SKIP_NETNS ? setUpNamespaces() : 'GStreamer missing';
if (namespacesOk === null) {
	after(tearDownNamespaces);
}
const needHosts = namespacesOk === null ? {} : { skip: namespacesOk };

test('two hosts: a producer piped across a lossy link (20 ms, 2 %) is decoded on the other host, repaired by RTX', { ...needHosts, timeout: 60_000 }, async () => {
	const netemError = tryNetem(20, 2);
	const a = startHost(NS_A, 'host A');
	const b = startHost(NS_B, 'host B');
	try {
		await a.request('setup');
		await b.request('setup');
		const pipeA = await a.request('createPipe', { ip: IP_A, enableSrtp: true, enableRtx: true });
		const pipeB = await b.request('createPipe', { ip: IP_B, enableSrtp: true, enableRtx: true });
		// Without netem, the link's delay and loss come from a relay on host
		// A's end of it, which both pipes talk through.
		let aTarget = { ip: IP_B, port: pipeB.tuple.localPort };
		let bTarget = { ip: IP_A, port: pipeA.tuple.localPort };
		if (netemError) {
			const relay = await a.request('startRelay', { nearIp: '127.0.0.1', farIp: IP_A, loss: 0.02, delayMs: 20 });
			await a.request('relayTo', { address: IP_B, port: pipeB.tuple.localPort });
			aTarget = { ip: '127.0.0.1', port: relay.near.port };
			bTarget = { ip: IP_A, port: relay.far.port };
		}
		await a.request('connectPipe', { ...aTarget, srtpParameters: pipeB.srtpParameters });
		await b.request('connectPipe', { ...bTarget, srtpParameters: pipeA.srtpParameters });

		const { port: ingestPort } = await a.request('createIngest');
		const video = await a.request('produce', { kind: 'video', rtpParameters: videoRtpParameters });
		const piped = await a.request('pipeConsume', { producerId: video.id });
		assert.ok(piped.rtpParameters.encodings[0].rtx, 'RTX on the pipe');
		await b.request('pipeProduce', { id: video.id, kind: piped.kind, rtpParameters: piped.rtpParameters });

		const videoPort = 47000 + (process.pid % 1000);
		const egress = await b.request('consumeTo', { producerId: video.id, port: videoPort });
		const receiver = await startGstReceiver(
			processes,
			[
				'-v',
				'udpsrc', `port=${videoPort}`, 'address=127.0.0.1',
				`caps=application/x-rtp,media=(string)video,clock-rate=(int)90000,encoding-name=(string)VP8,payload=(int)${egress.rtpParameters.codecs[0].payloadType}`, '!',
				'rtpjitterbuffer', 'latency=200', 'do-lost=true', '!', 'rtpvp8depay', '!', 'vp8dec', '!',
				'fakesink', 'name=vsink', 'silent=false', 'sync=false',
			],
			{ netns: NS_B }
		);
		processes.spawn('ip', ['netns', 'exec', NS_A, 'gst-launch-1.0', ...gstSenderArgs({ port: ingestPort, audio: false })], {
			name: 'gst sender (host A)',
		});

		// 10 s of video at 30 fps through the lossy link.
		await sleep(10_000);
		const statsA = await a.request('stats');
		const statsB = await b.request('stats');
		const decoded = receiver.counts.video;
		const pipeConsumer = statsA.consumers.find(c => c.type === 'pipe').stats[0];
		const pipeProducer = statsB.producers[video.id][0];
		const lossMode = netemError ? `relay (netem unavailable: ${netemError})` : 'tc netem';
		console.log(
			`two hosts over ${lossMode}: ${decoded} frames decoded on host B in 10 s; pipe consumer sent ` +
				`${pipeConsumer.packetCount} packets, retransmitted ${pipeConsumer.packetsRetransmitted}; pipe producer ` +
				`received ${pipeProducer.packetCount}, lost ${pipeProducer.packetsLost}, repaired ` +
				`${pipeProducer.packetsRepaired}, sent ${pipeProducer.nackCount} NACKs` +
				(statsA.relay ? `; relay dropped ${statsA.relay.dropped} of ${statsA.relay.dropped + statsA.relay.forwarded}` : '')
		);
		assert.ok(decoded >= 200, `only ${decoded} frames decoded in 10 s`);
		assert.equal(receiver.counts.width, 320);
		if (statsA.relay) {
			assert.ok(statsA.relay.dropped > 0, 'the link lost packets');
		}
		assert.ok(pipeProducer.nackCount > 0, 'host B asked for what the link lost');
		assert.ok(pipeConsumer.packetsRetransmitted > 0, 'host A resent it (RTX)');
		assert.ok(pipeProducer.packetsRepaired > 0, 'and it arrived');
	} finally {
		await a.request('close').catch(() => {});
		await b.request('close').catch(() => {});
		await Promise.all([a.stop(), b.stop()]);
	}
});

test('data over a pipe: bufferedAmount rises with what the pipe holds, then bufferedamountlow', async () => {
	const worker = await createWorker();
	const router1 = await worker.createRouter({ mediaCodecs });
	const router2 = await worker.createRouter({ mediaCodecs });
	const direct1 = await router1.createDirectTransport();
	const direct2 = await router2.createDirectTransport();
	const dataProducer = await direct1.produceData({ label: 'bulk' });
	const { pipeDataConsumer, pipeDataProducer } = await router1.pipeToRouter({
		dataProducerId: dataProducer.id,
		router: router2,
		keepId: false,
	});
	const pipe1 = [...router1.transportsForTesting.values()].find(t => t.type === 'pipe');
	// new -> connecting -> connected: wait for the last one, not the next.
	await waitFor(() => pipe1.sctpState === 'connected', { timeoutMs: 5000, what: `pipe SCTP connected (${pipe1.sctpState})` });
	assert.ok(pipe1.sctpNegotiatedCapabilities.negotiatedMaxOutboundStreams > 0);
	const [pipeStats] = await pipe1.getStats();
	assert.equal(pipeStats.sctpState, 'connected');
	assert.equal((await pipe1.dump()).sctpState, 'connected');
	const sink = await direct2.consumeData({ dataProducerId: pipeDataProducer.id });
	let bytes = 0;
	sink.on('message', m => {
		bytes += m.length;
	});
	await pipeDataConsumer.setBufferedAmountLowThreshold(1000);
	const low = new Promise(resolve => pipeDataConsumer.once('bufferedamountlow', resolve));
	for (let i = 0; i < 40; i++) {
		dataProducer.send(Buffer.alloc(50_000, i));
	}
	const pending = await pipeDataConsumer.getBufferedAmount();
	const amount = await low;
	assert.ok(amount <= 1000, `bufferedamountlow with ${amount} buffered`);
	await waitFor(() => bytes === 40 * 50_000, { timeoutMs: 10_000, what: `all 2 MB across the pipe (${bytes})` });
	console.log(`pipe data: ${pending} bytes buffered right after sending 2 MB, then bufferedamountlow at ${amount}`);
	worker.close();
});
