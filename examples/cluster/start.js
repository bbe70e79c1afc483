#!/usr/bin/env node
'use strict';

// A whole cluster on this machine: redis-server (Debian's, on REDIS_PORT,
// nothing written to disk) and NODES media nodes (node.js) on 127.0.0.1,
// node i on HTTP port PORT+i and media ports WEBRTC_PORT+10*i... Open
// http://localhost:3000/?room=demo in a few tabs (several nodes: try
// http://localhost:3001/ too, and kill a node to watch its tabs move).
// Ctrl-C stops everything.
//
// Environment: NODES (default 3), PORT (3000), WEBRTC_PORT (44444),
// REDIS_PORT (6379; an already running Redis there is used as is),
// WORKERS (per node, default 1 here: the nodes share this machine),
// ROOM_SPILL_AT (default 2 here, so a room spreads over the nodes soon).

const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');

const nodes = Number(process.env.NODES || 3);
const basePort = Number(process.env.PORT || 3000);
const baseWebRtcPort = Number(process.env.WEBRTC_PORT || 44444);
const redisPort = Number(process.env.REDIS_PORT || 6379);
const children = [];

function listening(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => (socket.destroy(), resolve(true)));
		socket.once('error', () => resolve(false));
	});
}

function start(name, command, args, env = {}) {
	const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
	child.once('exit', (code, signal) => console.log(`${name} exited (${signal ?? code})`));
	children.push(child);
	return child;
}

async function main() {
	if (await listening(redisPort)) {
		console.log(`using the Redis already listening on port ${redisPort}`);
	} else {
		start('redis-server', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning']);
		for (let i = 0; i < 50 && !(await listening(redisPort)); i++) {
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
	for (let i = 0; i < nodes; i++) {
		start(`node ${i + 1}`, process.execPath, [path.join(__dirname, 'node.js')], {
			PORT: String(basePort + i),
			WEBRTC_PORT: String(baseWebRtcPort + 10 * i),
			REDIS_URL: `redis://127.0.0.1:${redisPort}`,
			WORKERS: process.env.WORKERS || '1',
			ROOM_SPILL_AT: process.env.ROOM_SPILL_AT || '2',
		});
	}
	const stop = () => {
		for (const child of children) {
			child.kill('SIGTERM');
		}
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
