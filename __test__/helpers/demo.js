'use strict';

// The room demo (examples/room/server.js) as the demo tests drive it: the
// server started as `npm start` would (a child process, ephemeral ports) and
// what a tab shows of its remote tiles.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { before, after } = require('node:test');
const { launchChromium, waitFor, withTimeout } = require('./browser');

const SERVER = path.join(__dirname, '..', '..', 'examples', 'room', 'server.js');

/** Starts the demo server; resolves with its URL once it listens. */
function startDemo(env = {}) {
	const child = spawn(process.execPath, [SERVER], {
		env: { ...process.env, PORT: '0', WEBRTC_PORT: '0', LISTEN_IP: '127.0.0.1', ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	const url = new Promise((resolve, reject) => {
		const onData = (chunk) => {
			output += chunk;
			const match = /listening on (http:\/\/\S+)/.exec(output);
			if (match) {
				resolve(match[1]);
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', (chunk) => {
			output += chunk;
		});
		child.once('exit', (code) => reject(new Error(`demo server exited (${code}) before listening:\n${output}`)));
	});
	return {
		child,
		url: withTimeout(url, 20_000, 'demo server start'),
		output: () => output,
		/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) {
				return { code: child.exitCode, signal: child.signalCode };
			}
			const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			const result = await exited;
			clearTimeout(timer);
			return result;
		},
	};
}

/**
 * Hooks of a describe(): the demo server (with `env`) and a Chromium started
 * before its tests, closed after them; the server must exit cleanly on
 * SIGTERM (worker closed, node exits). Returns `{ demo, browser }`, filled
 * once started.
 */
function useDemo(env = {}) {
	const ctx = { demo: null, browser: null };
	before(async () => {
		ctx.demo = startDemo(env);
		await ctx.demo.url;
		ctx.browser = await withTimeout(launchChromium(), 30_000, 'launching Chromium');
	});
	after(async () => {
		await ctx.browser?.close();
		if (ctx.demo) {
			const { code, signal } = await ctx.demo.stop();
			assert.equal(signal, null, `demo server killed by ${signal}:\n${ctx.demo.output()}`);
			assert.equal(code, 0, ctx.demo.output());
		}
	});
	return ctx;
}

/**
 * The tiles of a tab matching `selector` (remote cameras by default) with
 * their caption, their video's size, play time and share of lit pixels.
 */
function remoteVideos(page, selector = '.tile.remote') {
	return page.evaluate((selector) => {
		const canvas = document.createElement('canvas');
		return [...document.querySelectorAll(selector)].map((tile) => {
			const video = tile.querySelector('video');
			const result = {
				peerId: tile.dataset.peerId,
				name: tile.querySelector('figcaption')?.textContent,
				width: video.videoWidth,
				height: video.videoHeight,
				currentTime: video.currentTime,
				lit: 0,
			};
			if (video.videoWidth > 0) {
				canvas.width = video.videoWidth;
				canvas.height = video.videoHeight;
				const g = canvas.getContext('2d', { willReadFrequently: true });
				g.drawImage(video, 0, 0);
				const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
				let lit = 0;
				for (let i = 0; i < data.length; i += 4) {
					if (Math.max(data[i], data[i + 1], data[i + 2]) > 40) {
						lit++;
					}
				}
				result.lit = lit / (data.length / 4);
			}
			return result;
		});
	}, selector);
}

/** Waits until exactly `count` tiles (`selector`) play lit video. */
async function waitForRemoteVideos(page, count, what, selector = '.tile.remote') {
	return waitFor(
		async () => {
			const videos = await remoteVideos(page, selector);
			const playing = videos.filter((v) => v.width > 0 && v.currentTime > 0.5 && v.lit > 0.2);
			return playing.length === count && videos.length === count ? videos : null;
		},
		25_000,
		what,
		250
	).catch(async (error) => {
		const state = await page
			.evaluate(() => ({ status: window.demo?.status, error: window.demo?.error, peers: window.demo?.peers.size }))
			.catch((e) => e.message);
		error.message += `\nvideos: ${JSON.stringify(await remoteVideos(page, selector).catch((e) => e.message))}\nstate: ${JSON.stringify(state)}`;
		throw error;
	});
}

module.exports = { remoteVideos, startDemo, useDemo, waitForRemoteVideos };
