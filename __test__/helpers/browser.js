'use strict';

// Shared pieces of the real-browser tests: Chromium through playwright-core
// (Debian's /usr/bin/chromium, flags of ARCHITECTURE.md section 5), esbuild
// bundling of a page client, a tiny static HTTP server, and timeouts.

const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const CHROMIUM_CANDIDATES = [
	process.env.CHROMIUM_PATH,
	'/usr/bin/chromium',
	'/usr/bin/chromium-browser',
	'/usr/bin/google-chrome',
].filter(Boolean);

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--use-fake-device-for-media-stream',
	'--use-fake-ui-for-media-stream',
	// Keep pages that are not in front producing and rendering media.
	'--disable-background-timer-throttling',
	'--disable-backgrounding-occluded-windows',
	'--disable-renderer-backgrounding',
	'--autoplay-policy=no-user-gesture-required',
];

function chromiumPath() {
	return CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p));
}

/** Why the browser tests cannot run here, or null when they can. */
function browserUnavailableReason() {
	try {
		require.resolve('playwright-core');
		require.resolve('mediasoup-client');
		require.resolve('esbuild');
	} catch (error) {
		return `missing dev dependency (${error.message.split('\n')[0]})`;
	}
	if (!chromiumPath()) {
		return 'no Chromium found (apt-get install chromium)';
	}
	return null;
}

/**
 * Launches Chromium with a fresh profile; `close()` kills it and removes the
 * profile directory.
 */
async function launchChromium() {
	const { chromium } = require('playwright-core');
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrosoup-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: chromiumPath(),
		headless: true,
		args: CHROMIUM_ARGS,
		ignoreDefaultArgs: ['--mute-audio'],
		timeout: 30_000,
	});
	return {
		context,
		async newPage() {
			return context.newPage();
		},
		async close() {
			await withTimeout(context.close(), 10_000, 'chromium close').catch(() => {});
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

/** Bundles a browser script (and mediasoup-client) into one IIFE string. */
async function bundle(entry) {
	const esbuild = require('esbuild');
	const result = await esbuild.build({
		entryPoints: [entry],
		bundle: true,
		write: false,
		format: 'iife',
		platform: 'browser',
		target: 'chrome100',
		logLevel: 'silent',
	});
	return result.outputFiles[0].text;
}

/**
 * Serves fixed files (path -> { type, body }) on 127.0.0.1 and an
 * ephemeral port.
 */
async function serveStatic(files) {
	const server = http.createServer((req, res) => {
		const { pathname } = new URL(req.url, 'http://x');
		const file = files[pathname];
		if (!file && pathname === '/favicon.ico') {
			res.writeHead(204).end();
			return;
		}
		if (!file) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
		res.end(file.body);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		// localhost is a secure context, which getUserMedia needs.
		url: `http://localhost:${port}/`,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}

/**
 * A test page (`fixture`, a page script bundled with its imports) served
 * on localhost, and Chromium to open it: `{ site, browser, close() }`.
 */
async function openTestSite(fixture, title) {
	const script = await bundle(fixture);
	const site = await serveStatic({
		'/': {
			type: 'text/html',
			body: `<!doctype html><meta charset="utf-8"><title>${title}</title><body><script src="/client.js"></script></body>`,
		},
		'/client.js': { type: 'text/javascript', body: script },
	});
	const browser = await withTimeout(launchChromium(), 30_000, 'launching Chromium').catch(async (error) => {
		await site.close();
		throw error;
	});
	return {
		site,
		browser,
		async close() {
			await browser.close();
			await site.close();
		},
	};
}

/** Rejects after `ms` with a message naming what timed out. */
function withTimeout(promise, ms, what) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `fn` until it returns a truthy value (returned) or time runs out. */
async function waitFor(fn, ms, what, intervalMs = 200) {
	const deadline = Date.now() + ms;
	let last;
	for (;;) {
		last = await fn();
		if (last) {
			return last;
		}
		if (Date.now() > deadline) {
			throw new Error(`timeout after ${ms} ms waiting for ${what}`);
		}
		await new Promise((r) => setTimeout(r, intervalMs));
	}
}

module.exports = {
	CHROMIUM_ARGS,
	browserUnavailableReason,
	bundle,
	chromiumPath,
	launchChromium,
	openTestSite,
	serveStatic,
	waitFor,
	withTimeout,
};
