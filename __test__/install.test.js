// Installing like a napi-rs package: `npm pack` of the main package and of
// this machine's prebuilt platform package (npm/<triple>/, the stripped
// release build), both installed into a fresh app with no cargo or rustc on
// PATH; the app then creates a worker and a router. Also: the main package
// alone fails with a message that says what to do. Sizes and the install time
// are printed as test diagnostics.

'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const dist = require('../scripts/dist');
const { currentTriple, packageName, addonFileName } = require('../js/platforms');

const root = path.join(__dirname, '..');
const triple = currentTriple();
const localAddon = path.join(root, 'js', addonFileName(triple));
const platformAddon = path.join(dist.platformDir(triple), addonFileName(triple));
const INSTALL_TIMEOUT_MS = 180_000;

function onPath(bin) {
	return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

const skip =
	process.platform !== 'linux'
		? 'packs the Linux build only'
		: !fs.existsSync(localAddon)
			? `no local build ${localAddon} (npm run build)`
			: !onPath('objcopy')
				? 'objcopy (binutils) is needed to strip the addon'
				: false;

/** The environment of a user's shell: no cargo/rustc, no npm script variables. */
function userEnv(extra = {}) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_/i.test(key) && key !== 'NAPI_RS_NATIVE_LIBRARY_PATH' && key !== 'FERROSOUP_BUILD_FROM_SOURCE') {
			env[key] = value;
		}
	}
	env.PATH = process.env.PATH.split(path.delimiter)
		.filter(dir => !['cargo', 'rustc'].some(bin => fs.existsSync(path.join(dir, bin))))
		.join(path.delimiter);
	return { ...env, ...extra };
}

function megabytes(bytes) {
	return `${(bytes / 1e6).toFixed(2)} MB`;
}

function newApp(dir) {
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
	return dir;
}

function npmInstall(app, args) {
	const started = performance.now();
	const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...args], {
		cwd: app,
		env: userEnv(),
		encoding: 'utf8',
		timeout: INSTALL_TIMEOUT_MS,
	});
	const seconds = (performance.now() - started) / 1000;
	assert.equal(result.status, 0, `npm install failed:\n${result.stdout}\n${result.stderr}`);
	return { seconds, output: result.stdout + result.stderr };
}

function runInApp(app, script, env = {}) {
	return spawnSync(process.execPath, ['-e', script], {
		cwd: app,
		env: userEnv(env),
		encoding: 'utf8',
		timeout: 60_000,
	});
}

const workerScript = `
const mediasoup = require('ferrosoup');
(async () => {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
	console.log(JSON.stringify({ workerBin: mediasoup.workerBin, codecs: router.rtpCapabilities.codecs.length }));
	router.close();
	worker.close();
})().catch(error => {
	console.error(error);
	process.exit(1);
});
`;

let tmp;
let mainTarball;
let platformTarball;

before(() => {
	if (skip) {
		return;
	}
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrosoup-install-'));
	// A stripped copy of the local release build (no second cargo build),
	// unless the one in npm/<triple>/ is already newer.
	const fresh =
		fs.existsSync(platformAddon) && fs.statSync(platformAddon).mtimeMs >= fs.statSync(localAddon).mtimeMs;
	if (!fresh) {
		dist.build(triple, { cargo: false });
	}
	const packed = dist.pack(path.join(tmp, 'packages'), { env: userEnv() });
	mainTarball = packed.find(info => info.name === 'ferrosoup');
	platformTarball = packed.find(info => info.name === packageName(triple));
});

after(() => {
	if (tmp) {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});

test('platform packages are at the main package version', { skip }, () => {
	assert.deepEqual(dist.sync({ check: true }), [], 'run `npm run sync:platforms`');
});

test('the main tarball carries no binary and no install script', { skip }, t => {
	const paths = mainTarball.files.map(file => file.path);
	assert.deepEqual(paths.filter(file => file.endsWith('.node')), []);
	assert.ok(paths.includes('js/native.js') && paths.includes('js/platforms.js'), 'the loader is packed');
	assert.ok(paths.includes('Cargo.toml') && paths.includes('scripts/build.js'), 'building from source stays possible');
	const tar = spawnSync('tar', ['-xzOf', mainTarball.path, 'package/package.json'], { encoding: 'utf8' });
	const manifest = JSON.parse(tar.stdout);
	for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
		assert.equal(manifest.scripts[script], undefined, `packed package.json has a ${script} script`);
	}
	assert.equal(manifest.optionalDependencies[packageName(triple)], manifest.version);
	assert.equal(manifest.dependencies['@napi-rs/cli'], undefined, '@napi-rs/cli is a devDependency');
	// postpack put the clone's build-on-install back.
	const repoManifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	assert.ok(repoManifest.scripts.prepare, 'package.json lost its prepare script');
	t.diagnostic(`main tarball ${mainTarball.filename}: ${megabytes(mainTarball.size)}, unpacked ${megabytes(mainTarball.unpackedSize)}, ${paths.length} files`);
});

test('the platform tarball carries the stripped addon', { skip }, t => {
	const paths = platformTarball.files.map(file => file.path).sort();
	assert.deepEqual(paths, ['README.md', addonFileName(triple), 'package.json']);
	const stripped = fs.statSync(platformAddon).size;
	const unstripped = fs.statSync(localAddon).size;
	assert.ok(stripped < unstripped, `stripped ${stripped} >= unstripped ${unstripped}`);
	t.diagnostic(`platform tarball ${platformTarball.filename}: ${megabytes(platformTarball.size)}, unpacked ${megabytes(platformTarball.unpackedSize)}`);
	t.diagnostic(`${addonFileName(triple)}: ${megabytes(stripped)} stripped, ${megabytes(unstripped)} unstripped (js/)`);
});

test('installs both tarballs without cargo, runs no install script, and createWorker() works', { skip }, t => {
	assert.notEqual(spawnSync('cargo', ['--version'], { env: userEnv() }).status, 0, 'cargo is still on PATH');
	const app = newApp(path.join(tmp, 'app'));
	const { seconds, output } = npmInstall(app, [mainTarball.path, platformTarball.path]);
	t.diagnostic(`npm install of both tarballs: ${seconds.toFixed(1)} s`);
	assert.doesNotMatch(output, /install-scripts|prepare|scripts\/build\.js/, 'an install script ran or waits for approval');
	const installed = path.join(app, 'node_modules', 'ferrosoup');
	assert.ok(!fs.existsSync(path.join(installed, 'target')), 'cargo ran');
	assert.deepEqual(fs.readdirSync(path.join(installed, 'js')).filter(file => file.endsWith('.node')), []);

	const result = runInApp(app, workerScript);
	assert.equal(result.status, 0, result.stderr);
	const report = JSON.parse(result.stdout);
	assert.ok(report.codecs > 0);
	// Workers run inside the addon the loader opened: the platform package's.
	assert.equal(report.workerBin, fs.realpathSync(path.join(app, 'node_modules', packageName(triple), addonFileName(triple))));
});

test('the main package alone fails with a message that says what to do', { skip }, t => {
	const app = newApp(path.join(tmp, 'app-alone'));
	const { seconds } = npmInstall(app, ['--omit=optional', mainTarball.path]);
	t.diagnostic(`npm install of the main tarball alone: ${seconds.toFixed(1)} s`);

	const missing = runInApp(app, "require('ferrosoup')");
	assert.notEqual(missing.status, 0);
	for (const hint of [triple, packageName(triple), 'npm run build', 'FERROSOUP_BUILD_FROM_SOURCE=1', 'NAPI_RS_NATIVE_LIBRARY_PATH']) {
		assert.ok(missing.stderr.includes(hint), `no "${hint}" in:\n${missing.stderr}`);
	}

	// Building from source on first load needs cargo, which is not on PATH here.
	const noCargo = runInApp(app, "require('ferrosoup')", { FERROSOUP_BUILD_FROM_SOURCE: '1' });
	assert.notEqual(noCargo.status, 0);
	assert.match(noCargo.stderr, /is cargo installed\?/);
	assert.match(noCargo.stderr, /FERROSOUP_BUILD_FROM_SOURCE is set, but building from source failed/);

	// An explicit addon file wins over everything.
	const override = runInApp(app, workerScript, { NAPI_RS_NATIVE_LIBRARY_PATH: platformAddon });
	assert.equal(override.status, 0, override.stderr);
	assert.equal(JSON.parse(override.stdout).workerBin, platformAddon);
});
