'use strict';

// A network namespace joined to the root namespace by a veth pair, with a
// `tc tbf` rate limit on the root-side end (what the root namespace sends
// into the namespace), and Chromium launched inside the namespace.
// Used by __test__/bwe-netns.test.js: the SFU listens on the root-side
// address, the receiving browser runs in the namespace, so the SFU's
// downlink to it crosses the limited link while signalling stays in Node
// (playwright's exposeFunction) and the page is served by page.route().

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { CHROMIUM_ARGS, chromiumPath, withTimeout } = require('./browser');

function run(cmd, args) {
	return spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
}

function failure(cmd, args, result) {
	return `${cmd} ${args.join(' ')}: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}`;
}

/**
 * Sets up namespace + veth + addresses (synchronously). Returns
 * `{ link }` or `{ skip: reason }` (nothing left behind then).
 * `tag` keeps names unique per process (interface names: <= 15 chars).
 */
function createLink(tag = String(process.pid)) {
	if (process.getuid?.() !== 0) {
		return { skip: 'network namespaces and tc need root (ip netns, tc qdisc)' };
	}
	const third = 1 + (Number.parseInt(tag, 10) % 250 || 0);
	const link = {
		ns: `fs-bwe-${tag}`,
		rootDev: `fsbwe${tag}r`.slice(0, 15),
		nsDev: `fsbwe${tag}n`.slice(0, 15),
		rootIp: `10.214.${third}.1`,
		nsIp: `10.214.${third}.2`,
		rate: null,
		history: [],
	};
	const steps = [
		['ip', ['netns', 'add', link.ns]],
		['ip', ['link', 'add', link.rootDev, 'type', 'veth', 'peer', 'name', link.nsDev]],
		['ip', ['link', 'set', link.nsDev, 'netns', link.ns]],
		['ip', ['addr', 'add', `${link.rootIp}/24`, 'dev', link.rootDev]],
		['ip', ['link', 'set', link.rootDev, 'up']],
		['ip', ['-n', link.ns, 'addr', 'add', `${link.nsIp}/24`, 'dev', link.nsDev]],
		['ip', ['-n', link.ns, 'link', 'set', link.nsDev, 'up']],
		['ip', ['-n', link.ns, 'link', 'set', 'lo', 'up']],
	];
	link.teardown = () => {
		if (link.closed) {
			return;
		}
		link.closed = true;
		run('tc', ['qdisc', 'del', 'dev', link.rootDev, 'root']);
		run('ip', ['link', 'del', link.rootDev]);
		run('ip', ['netns', 'del', link.ns]);
		if (link.wrapperDir) {
			fs.rmSync(link.wrapperDir, { recursive: true, force: true });
		}
	};
	for (const [cmd, args] of steps) {
		const result = run(cmd, args);
		if (result.status !== 0) {
			link.teardown();
			return { skip: `cannot set up a network namespace (${failure(cmd, args, result)})` };
		}
	}
	/**
	 * Limits the root-side egress (root -> namespace) to `rate` (tc syntax,
	 * e.g. '300kbit') with a token bucket whose queue holds `latency` of
	 * packets (beyond that it drops), or removes the limit with null.
	 * `peakrate` (e.g. '330kbit') also caps how fast a burst leaves: without
	 * it the bucket's `burst` bytes go out at the veth's speed after a
	 * pause, which a probe cluster measures as a link far faster than
	 * `rate`. Throws on failure.
	 */
	link.setRate = (rate, { latency = '300ms', burst = '6000', peakrate } = {}) => {
		const base = ['qdisc', rate === null ? 'del' : link.rate === null ? 'add' : 'replace', 'dev', link.rootDev, 'root'];
		const args =
			rate === null
				? base
				: [...base, 'tbf', 'rate', rate, 'burst', burst, 'latency', latency, ...(peakrate ? ['peakrate', peakrate, 'mtu', '1600'] : [])];
		const result = run('tc', args);
		if (result.status !== 0) {
			throw new Error(`tc failed: ${failure('tc', args, result)}`);
		}
		link.rate = rate;
		link.history.push({ at: Date.now(), rate, peakrate });
	};
	/** `tc -s qdisc` of the root-side end (sent/dropped/overlimits). */
	link.qdiscStats = () => run('tc', ['-s', 'qdisc', 'show', 'dev', link.rootDev]).stdout.trim().replace(/\s+/g, ' ');
	// tc must work here too (the kernel may lack sch_tbf).
	try {
		link.setRate('300kbit', { peakrate: '330kbit' });
		link.setRate(null);
		link.history.length = 0;
	} catch (error) {
		link.teardown();
		return { skip: `cannot rate-limit the link (${error.message})` };
	}
	return { link };
}

/**
 * Chromium (playwright-core persistent context) with extra `args`, inside
 * `link`'s namespace when given: the executable playwright starts is then a
 * wrapper script that `exec`s `ip netns exec <ns> chromium`, keeping
 * playwright's pipe fds.
 */
async function launchChromiumIn(link, args = []) {
	const { chromium } = require('playwright-core');
	let executablePath = chromiumPath();
	if (link) {
		link.wrapperDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'ferrosoup-netns-chromium-'));
		executablePath = path.join(link.wrapperDir, 'chromium-in-netns');
		fs.writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${link.ns} ${chromiumPath()} "$@"\n`, { mode: 0o755 });
	}
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrosoup-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		args: [...CHROMIUM_ARGS, ...args],
		timeout: 30_000,
	});
	return {
		context,
		async close() {
			await withTimeout(context.close(), 10_000, 'chromium close').catch(() => {});
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

/**
 * Writes `seconds` of noisy test video (MJPEG, which Chromium's fake camera
 * plays in a loop with --use-file-for-fake-video-capture) with ffmpeg.
 * Chromium's own fake camera draws a flat picture that VP8 encodes far
 * below any layer's maxBitrate; noise makes every layer use its bitrate.
 * Returns the file's path, or throws when ffmpeg is missing or fails.
 */
function writeNoiseVideo(dir, { width, height, fps = 30, seconds = 2 }) {
	const file = path.join(dir, `noise-${width}x${height}.mjpeg`);
	const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=${fps},noise=alls=30:allf=t+u`,
		'-t', String(seconds), '-q:v', '6', '-f', 'mjpeg', file];
	const result = spawnSync('ffmpeg', args, { encoding: 'utf8', timeout: 30_000 });
	if (result.status !== 0) {
		throw new Error(`ffmpeg ${args.join(' ')}: ${(result.stderr || result.error?.message || '').trim()}`);
	}
	return file;
}

/** Whether ffmpeg runs here. */
function haveFfmpeg() {
	return spawnSync('ffmpeg', ['-version'], { timeout: 10_000 }).status === 0;
}

/**
 * Serves `html` + `script` at http://localhost/ (a secure context) from
 * Node through page.route(): no network needed, wherever the browser runs.
 */
async function routePage(page, script, title) {
	await page.route('http://localhost/**', (route) => {
		const { pathname } = new URL(route.request().url());
		if (pathname === '/client.js') {
			return route.fulfill({ status: 200, contentType: 'text/javascript', body: script });
		}
		if (pathname === '/') {
			return route.fulfill({
				status: 200,
				contentType: 'text/html',
				body: `<!doctype html><meta charset="utf-8"><title>${title}</title><body><script src="/client.js"></script></body>`,
			});
		}
		return route.fulfill({ status: 404, body: '' });
	});
	await page.goto('http://localhost/', { timeout: 15_000 });
}

module.exports = { createLink, haveFfmpeg, launchChromiumIn, routePage, writeNoiseVideo };
