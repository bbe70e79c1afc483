'use strict';

// Helpers for tests that drive ferrosoup with real RTP tools (GStreamer,
// ffmpeg) and with hand-made packets over real UDP sockets: RTP/RTCP
// parsing and building, a UDP splitter/relay, child process bookkeeping.

const dgram = require('node:dgram');
const { spawn, spawnSync } = require('node:child_process');

// ---------------------------------------------------------------- RTP / RTCP

/** True for RTCP (RFC 5761: payload types 192..223 in the second byte). */
function isRtcp(buf) {
	return buf.length >= 4 && buf[0] >> 6 === 2 && buf[1] >= 192 && buf[1] <= 223;
}

/** Parses an RTP header (no validation beyond lengths); null if too short. */
function parseRtp(buf) {
	if (buf.length < 12 || buf[0] >> 6 !== 2) {
		return null;
	}
	const cc = buf[0] & 0x0f;
	let offset = 12 + cc * 4;
	let extension = null;
	if (buf[0] & 0x10) {
		if (buf.length < offset + 4) {
			return null;
		}
		const words = buf.readUInt16BE(offset + 2);
		extension = { profile: buf.readUInt16BE(offset), data: buf.subarray(offset + 4, offset + 4 + words * 4) };
		offset += 4 + words * 4;
	}
	let end = buf.length;
	if (buf[0] & 0x20) {
		end -= buf[buf.length - 1];
	}
	if (offset > end) {
		return null;
	}
	return {
		marker: (buf[1] & 0x80) !== 0,
		payloadType: buf[1] & 0x7f,
		seq: buf.readUInt16BE(2),
		timestamp: buf.readUInt32BE(4),
		ssrc: buf.readUInt32BE(8),
		csrcCount: cc,
		extension,
		payload: buf.subarray(offset, end),
	};
}

/** Builds an RTP packet. */
function buildRtp({ payloadType, seq, timestamp, ssrc, marker = false, payload = Buffer.alloc(0) }) {
	const header = Buffer.alloc(12);
	header[0] = 0x80;
	header[1] = (marker ? 0x80 : 0) | payloadType;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(ssrc >>> 0, 8);
	return Buffer.concat([header, payload]);
}

/**
 * RFC 4588 RTX packet of an RTP packet: the RTX payload type, SSRC and
 * sequence number, the original sequence number leading the payload
 * (header extensions and CSRCs kept, padding dropped).
 */
function rtxEncode(buf, { payloadType, ssrc, seq }) {
	const rtp = parseRtp(buf);
	const headerLen = buf.length - (buf[0] & 0x20 ? buf[buf.length - 1] : 0) - rtp.payload.length;
	const header = Buffer.from(buf.subarray(0, headerLen));
	header[0] &= ~0x20;
	header[1] = (header[1] & 0x80) | payloadType;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(ssrc >>> 0, 8);
	const osn = Buffer.alloc(2);
	osn.writeUInt16BE(rtp.seq);
	return Buffer.concat([header, osn, rtp.payload]);
}

/** Sequence numbers a generic NACK's FCI items ask for. */
function nackSeqs(fci) {
	const seqs = [];
	for (let off = 0; off + 4 <= fci.length; off += 4) {
		const pid = fci.readUInt16BE(off);
		const blp = fci.readUInt16BE(off + 2);
		seqs.push(pid);
		for (let bit = 0; bit < 16; bit++) {
			if (blp & (1 << bit)) {
				seqs.push((pid + bit + 1) & 0xffff);
			}
		}
	}
	return seqs;
}

/** Splits a compound RTCP packet into {pt, fmt, ...} items. */
function parseRtcp(buf) {
	const out = [];
	let offset = 0;
	while (offset + 4 <= buf.length) {
		const fmt = buf[offset] & 0x1f;
		const pt = buf[offset + 1];
		const len = (buf.readUInt16BE(offset + 2) + 1) * 4;
		if (buf[offset] >> 6 !== 2 || offset + len > buf.length) {
			break;
		}
		const body = buf.subarray(offset, offset + len);
		const item = { pt, fmt, length: len };
		if ((pt === 205 || pt === 206) && len >= 12) {
			item.senderSsrc = body.readUInt32BE(4);
			item.mediaSsrc = body.readUInt32BE(8);
			if (pt === 205 && fmt === 1) {
				item.seqs = nackSeqs(body.subarray(12));
			}
		} else if ((pt === 200 || pt === 201) && len >= 8) {
			item.ssrc = body.readUInt32BE(4);
			if (pt === 200 && len >= 28) {
				item.ntpSec = body.readUInt32BE(8);
				item.ntpFrac = body.readUInt32BE(12);
				item.rtpTimestamp = body.readUInt32BE(16);
				item.packetCount = body.readUInt32BE(20);
				item.octetCount = body.readUInt32BE(24);
			}
			// Report blocks (RC of them, 24 bytes each) after the sender info.
			const first = pt === 200 ? 28 : 8;
			item.reportSsrcs = [];
			item.reports = [];
			for (let i = 0; i < fmt && first + (i + 1) * 24 <= len; i++) {
				const b = first + i * 24;
				item.reportSsrcs.push(body.readUInt32BE(b));
				item.reports.push({
					ssrc: body.readUInt32BE(b),
					fractionLost: body[b + 4],
					totalLost: body.readIntBE(b + 5, 3),
					highestSeq: body.readUInt32BE(b + 8),
					jitter: body.readUInt32BE(b + 12),
					lsr: body.readUInt32BE(b + 16),
					dlsr: body.readUInt32BE(b + 20),
				});
			}
		}
		out.push(item);
		offset += len;
	}
	return out;
}

/**
 * Generic NACK (RFC 4585 §6.2.1, PT 205 FMT 1) for sequence numbers given in
 * ascending order (extended numbers are fine: only their low 16 bits go out).
 */
function buildNack(senderSsrc, mediaSsrc, seqs) {
	const items = [];
	for (const ext of seqs) {
		const seq = ext & 0xffff;
		const last = items[items.length - 1];
		const diff = last ? (seq - last.pid) & 0xffff : 0;
		if (last && diff >= 1 && diff <= 16) {
			last.blp |= 1 << (diff - 1);
		} else {
			items.push({ pid: seq, blp: 0 });
		}
	}
	const buf = Buffer.alloc(12 + items.length * 4);
	buf[0] = 0x80 | 1;
	buf[1] = 205;
	buf.writeUInt16BE(buf.length / 4 - 1, 2);
	buf.writeUInt32BE(senderSsrc >>> 0, 4);
	buf.writeUInt32BE(mediaSsrc >>> 0, 8);
	items.forEach(({ pid, blp }, i) => {
		buf.writeUInt16BE(pid, 12 + i * 4);
		buf.writeUInt16BE(blp, 14 + i * 4);
	});
	return buf;
}

/** Picture Loss Indication (RFC 4585 §6.3.1, PT 206 FMT 1). */
function buildPli(senderSsrc, mediaSsrc) {
	const buf = Buffer.alloc(12);
	buf[0] = 0x80 | 1;
	buf[1] = 206;
	buf.writeUInt16BE(2, 2);
	buf.writeUInt32BE(senderSsrc >>> 0, 4);
	buf.writeUInt32BE(mediaSsrc >>> 0, 8);
	return buf;
}

/** Receiver report with one block (RFC 3550 §6.4.2). */
function buildReceiverReport(senderSsrc, { ssrc, fractionLost = 0, totalLost = 0, highestSeq, jitter = 0, lsr = 0, dlsr = 0 }) {
	const buf = Buffer.alloc(32);
	buf[0] = 0x81;
	buf[1] = 201;
	buf.writeUInt16BE(7, 2);
	buf.writeUInt32BE(senderSsrc >>> 0, 4);
	buf.writeUInt32BE(ssrc >>> 0, 8);
	buf[12] = fractionLost;
	buf.writeUIntBE(totalLost & 0xffffff, 13, 3);
	buf.writeUInt32BE(highestSeq >>> 0, 16);
	buf.writeUInt32BE(jitter >>> 0, 20);
	buf.writeUInt32BE(lsr >>> 0, 24);
	buf.writeUInt32BE(dlsr >>> 0, 28);
	return buf;
}

/**
 * Tracks the sequence numbers of one RTP stream: extended highest, which
 * are missing, how many arrived twice.
 */
class SeqTracker {
	constructor() {
		this.base = null;
		this.highest = null; // extended
		this.seen = new Set(); // extended
		this.duplicates = 0;
		this.received = 0;
	}

	/** Extends a 16-bit seq against the highest seen. */
	extend(seq) {
		if (this.highest === null) {
			return seq;
		}
		const delta = ((seq - (this.highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
		return this.highest + delta;
	}

	/** Records a seq; returns the extended seqs newly found missing. */
	add(seq) {
		const ext = this.extend(seq);
		this.received++;
		if (this.seen.has(ext)) {
			this.duplicates++;
			return [];
		}
		this.seen.add(ext);
		const gaps = [];
		if (this.highest === null) {
			this.base = ext;
			this.highest = ext;
		} else if (ext > this.highest) {
			for (let s = this.highest + 1; s < ext; s++) {
				gaps.push(s);
			}
			this.highest = ext;
		}
		return gaps;
	}

	/** Extended seqs between base and highest never received. */
	missing() {
		const out = [];
		if (this.highest === null) {
			return out;
		}
		for (let s = this.base; s <= this.highest; s++) {
			if (!this.seen.has(s)) {
				out.push(s);
			}
		}
		return out;
	}
}

// ---------------------------------------------------------------- UDP

// Every socket bindUdp() opened and not yet closed (see closeAllSockets()).
const openSockets = new Set();

function bindUdp(port = 0) {
	return new Promise((resolve, reject) => {
		const socket = dgram.createSocket('udp4');
		socket.once('error', reject);
		socket.bind(port, '127.0.0.1', () => {
			socket.off('error', reject);
			openSockets.add(socket);
			socket.once('close', () => openSockets.delete(socket));
			resolve(socket);
		});
	});
}

/** Closes every socket of bindUdp() still open (for `after` hooks). */
function closeAllSockets() {
	for (const socket of openSockets) {
		try {
			socket.close();
		} catch {
			// already closing
		}
	}
	openSockets.clear();
}

/** A UDP port that was free a moment ago (for tools that bind themselves). */
async function freeUdpPort() {
	const socket = await bindUdp(0);
	const { port } = socket.address();
	await new Promise(resolve => socket.close(resolve));
	return port;
}

/** Two free consecutive UDP ports (p, p + 1) for tools that bind RTP + RTCP. */
async function freeUdpPortPair() {
	for (let attempt = 0; attempt < 50; attempt++) {
		const first = await bindUdp(0);
		const { port } = first.address();
		const second = await bindUdp(port + 1).catch(() => null);
		await new Promise(resolve => first.close(resolve));
		if (second) {
			await new Promise(resolve => second.close(resolve));
			return port;
		}
	}
	throw new Error('no free UDP port pair');
}

/** True once something (a spawned tool) has bound 127.0.0.1:port. */
async function udpPortInUse(port) {
	const socket = await bindUdp(port).catch(() => null);
	if (!socket) {
		return true;
	}
	await new Promise(resolve => socket.close(resolve));
	return false;
}

/**
 * The endpoint a consumer transport sends to. Splits RTP by SSRC to local
 * ports (where a tool listens, one stream per port), counts per-SSRC
 * packets, shows RTP to `onRtp` and RTCP to `onRtcp`, and sends RTCP back
 * to the transport from the same socket (the transport accepts only its
 * connected tuple).
 */
class UdpSplitter {
	static async create(options = {}) {
		return new UdpSplitter(await bindUdp(0), options);
	}

	constructor(socket, { routes = new Map(), onRtp = null, onRtcp = null } = {}) {
		this.socket = socket;
		this.port = socket.address().port;
		this.routes = routes; // ssrc -> port | [port, ...] on 127.0.0.1
		this.onRtp = onRtp;
		this.onRtcp = onRtcp;
		this.remote = null; // where the SFU sends from
		this.rtpBySsrc = new Map(); // ssrc -> { packets, bytes, payloadTypes:Set, highestSeq }
		this.rtcpPackets = 0;
		socket.on('message', (buf, rinfo) => this.#onMessage(buf, rinfo));
	}

	#onMessage(buf, rinfo) {
		this.remote = { address: rinfo.address, port: rinfo.port };
		if (isRtcp(buf)) {
			this.rtcpPackets++;
			this.onRtcp?.(buf);
			return;
		}
		const rtp = parseRtp(buf);
		if (!rtp) {
			return;
		}
		let entry = this.rtpBySsrc.get(rtp.ssrc);
		if (!entry) {
			entry = { packets: 0, bytes: 0, payloadTypes: new Set(), highestSeq: rtp.seq };
			this.rtpBySsrc.set(rtp.ssrc, entry);
		}
		if (((rtp.seq - entry.highestSeq) & 0xffff) < 0x8000) {
			entry.highestSeq = rtp.seq;
		}
		entry.packets++;
		entry.bytes += buf.length;
		entry.payloadTypes.add(rtp.payloadType);
		this.onRtp?.(rtp, buf);
		// A route is a port or a list of ports (fan-out to several tools).
		for (const port of [this.routes.get(rtp.ssrc) ?? []].flat()) {
			this.socket.send(buf, port, '127.0.0.1');
		}
	}

	/** Sends a datagram back to the SFU (to the address it sends from). */
	sendToSfu(buf) {
		if (this.remote) {
			this.socket.send(buf, this.remote.port, this.remote.address);
		}
	}

	close() {
		try {
			this.socket.close();
		} catch {
			// already closed
		}
	}
}

/**
 * A UDP relay on 127.0.0.1 between an SFU transport (at `sfuPort`) and a
 * peer (at `peerPort`, or learnt from the first datagram that is not the
 * SFU's). What the peer sends goes to the SFU from the relay's socket (so
 * the transport sees one tuple); what the SFU sends is shown to
 * `onFromSfu(buf)` and goes to the peer unless `drop(rtp, buf)` says so
 * or `forwardToPeer` is false; `dropToSfu(rtp, buf)` drops the other way
 * (only RTP is ever dropped). With `peerRtcpPort`, RTCP from the SFU goes
 * there instead (for peers without rtcp-mux).
 */
class Relay {
	static async create(options) {
		return new Relay(await bindUdp(0), options);
	}

	constructor(
		socket,
		{
			sfuPort,
			peerPort = null,
			peerRtcpPort = null,
			drop = null,
			dropToSfu = null,
			onFromSfu = null,
			onFromPeer = null,
			forwardToPeer = true,
		}
	) {
		this.socket = socket;
		this.port = socket.address().port;
		this.sfuPort = sfuPort;
		this.peerPort = peerPort;
		this.peerRtcpPort = peerRtcpPort;
		this.drop = drop;
		this.dropToSfu = dropToSfu;
		this.onFromSfu = onFromSfu;
		this.onFromPeer = onFromPeer;
		this.forwardToPeer = forwardToPeer;
		this.fromSfu = 0;
		this.fromPeer = 0;
		this.dropped = [];
		this.droppedToSfu = [];
		socket.on('message', (buf, rinfo) => {
			if (rinfo.port === this.sfuPort) {
				this.fromSfu++;
				this.onFromSfu?.(buf);
				if (this.peerRtcpPort && isRtcp(buf)) {
					socket.send(buf, this.peerRtcpPort, '127.0.0.1');
					return;
				}
				if (this.drop && !isRtcp(buf)) {
					const rtp = parseRtp(buf);
					if (rtp && this.drop(rtp, buf)) {
						this.dropped.push(rtp);
						return;
					}
				}
				if (this.forwardToPeer && this.peerPort) {
					socket.send(buf, this.peerPort, '127.0.0.1');
				}
				return;
			}
			this.peerPort ??= rinfo.port;
			this.fromPeer++;
			this.onFromPeer?.(buf);
			if (this.dropToSfu && !isRtcp(buf)) {
				const rtp = parseRtp(buf);
				if (rtp && this.dropToSfu(rtp, buf)) {
					this.droppedToSfu.push(rtp);
					return;
				}
			}
			socket.send(buf, this.sfuPort, '127.0.0.1');
		});
	}

	/** Sends a datagram to the SFU from the relay's socket. */
	sendToSfu(buf) {
		this.socket.send(buf, this.sfuPort, '127.0.0.1');
	}

	close() {
		try {
			this.socket.close();
		} catch {
			// already closed
		}
	}
}

// ---------------------------------------------------------------- processes

/** True if `cmd` runs (e.g. `hasTool('gst-launch-1.0', '--version')`). */
function hasTool(cmd, ...args) {
	const result = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
	return result.status === 0;
}

/** True if every GStreamer element is installed. */
function hasGstElements(...names) {
	return names.every(name => hasTool('gst-inspect-1.0', '--exists', name));
}

/**
 * Spawned tools of a test file: each keeps its stdout/stderr text and
 * line-counting hooks; `killAll()` ends them (SIGINT first, so GStreamer
 * with -e and ffmpeg flush, then SIGKILL).
 */
class Processes {
	constructor() {
		this.children = new Set();
	}

	spawn(cmd, args, { name = cmd, onLine = null, env = {} } = {}) {
		const child = spawn(cmd, args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, ...env },
		});
		const proc = {
			name,
			child,
			stdout: '',
			stderr: '',
			exited: new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal }))),
			exitCode: undefined,
		};
		proc.exited.then(({ code }) => {
			proc.exitCode = code;
			this.children.delete(proc);
		});
		const lineSplitter = key => {
			let partial = '';
			return chunk => {
				const text = chunk.toString();
				// Keep the text bounded: tools like `gst-launch -v` are chatty.
				if (proc[key].length < 1_000_000) {
					proc[key] += text;
				}
				if (!onLine) {
					return;
				}
				const lines = (partial + text).split('\n');
				partial = lines.pop();
				for (const line of lines) {
					onLine(line);
				}
			};
		};
		child.stdout.on('data', lineSplitter('stdout'));
		child.stderr.on('data', lineSplitter('stderr'));
		child.on('error', error => {
			proc.stderr += `\nspawn error: ${error.message}`;
		});
		this.children.add(proc);
		return proc;
	}

	/** Stops one process: SIGINT, then SIGKILL after `graceMs`. */
	async stop(proc, graceMs = 2000) {
		if (proc.exitCode !== undefined || proc.child.exitCode !== null) {
			return proc.exited;
		}
		proc.child.kill('SIGINT');
		const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
		const result = await proc.exited;
		clearTimeout(timer);
		return result;
	}

	async killAll() {
		await Promise.all([...this.children].map(proc => this.stop(proc, 1000)));
	}
}

// ---------------------------------------------------------------- misc

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Polls `predicate` every `intervalMs` until true; throws after `timeoutMs`. */
async function waitFor(predicate, { timeoutMs = 5000, intervalMs = 50, what = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await predicate()) {
			return;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		}
		await sleep(intervalMs);
	}
}

/** Deterministic PRNG (mulberry32) for reproducible garbage. */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

module.exports = {
	isRtcp,
	parseRtp,
	buildRtp,
	rtxEncode,
	nackSeqs,
	parseRtcp,
	buildNack,
	buildPli,
	buildReceiverReport,
	SeqTracker,
	bindUdp,
	closeAllSockets,
	freeUdpPort,
	freeUdpPortPair,
	udpPortInUse,
	UdpSplitter,
	Relay,
	hasTool,
	hasGstElements,
	Processes,
	sleep,
	waitFor,
	prng,
};
