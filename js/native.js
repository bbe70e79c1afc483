'use strict';

// Finds and loads the native addon, in this order:
//   0. $NAPI_RS_NATIVE_LIBRARY_PATH, if set: that file and nothing else;
//   1. a local build, js/ferrosoup.<triple>.node (`npm run build`, or what
//      `npm install` builds in a clone), so a fresh build beats an older
//      prebuilt package that happens to be installed too;
//   2. the prebuilt package ferrosoup-<triple> (an optionalDependency that
//      npm installs only on its own os/cpu/libc);
//   3. with $FERROSOUP_BUILD_FROM_SOURCE=1, a build from source into js/
//      (needs cargo), instead of the prebuilt package.
// Otherwise it throws an Error that says what was looked for and what to do.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { currentTriple, packageName, addonFileName, findTarget, TARGETS } = require('./platforms');

const OVERRIDE_ENV = 'NAPI_RS_NATIVE_LIBRARY_PATH';
const BUILD_ENV = 'FERROSOUP_BUILD_FROM_SOURCE';
const packageDir = path.join(__dirname, '..');
const { version } = require('../package.json');

/** The prebuilt package's addon file, or null (with the reason in `misses`). */
function prebuiltAddon(triple, misses) {
	const name = packageName(triple);
	let manifestPath;
	try {
		manifestPath = require.resolve(`${name}/package.json`, { paths: [__dirname] });
	} catch {
		misses.push(`the prebuilt package ${name} is not installed`);
		return null;
	}
	const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	// The addon and this JS speak one internal protocol: only the same version fits.
	if (manifest.version !== version) {
		misses.push(`${name}@${manifest.version} is installed, but ferrosoup is ${version}`);
		return null;
	}
	return path.join(path.dirname(manifestPath), addonFileName(triple));
}

function buildFromSource() {
	// stdout goes to stderr: the app's own stdout may be a protocol.
	const result = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'build.js')], {
		cwd: packageDir,
		stdio: ['ignore', 2, 2],
	});
	return result.status === 0;
}

function howToFix(triple) {
	const name = packageName(triple);
	const supported = findTarget(triple)
		? `  - install ${name} (npm installs it as an optional dependency of ferrosoup unless optional dependencies are omitted, e.g. by --omit=optional or --no-optional; reinstall without that)\n`
		: `  - no prebuilt package exists for ${triple} (prebuilt: ${TARGETS.map(target => target.triple).join(', ')})\n`;
	return (
		'To fix it, either:\n' +
		supported +
		`  - build from source (needs Rust's cargo, https://rustup.rs): run \`npm run build\` in ${packageDir}, or set ${BUILD_ENV}=1 to build there on first load\n` +
		`  - or set ${OVERRIDE_ENV} to a ferrosoup .node file`
	);
}

/** The file to load, or an Error that explains why there is none. */
function locate() {
	const override = process.env[OVERRIDE_ENV];
	if (override) {
		return path.resolve(override);
	}
	const triple = currentTriple();
	const local = path.join(__dirname, addonFileName(triple));
	if (fs.existsSync(local)) {
		return local;
	}
	const misses = [`no local build at ${local}`];
	if (process.env[BUILD_ENV] && process.env[BUILD_ENV] !== '0') {
		if (buildFromSource() && fs.existsSync(local)) {
			return local;
		}
		misses.push(`${BUILD_ENV} is set, but building from source failed (see the output above)`);
	} else {
		const prebuilt = prebuiltAddon(triple, misses);
		if (prebuilt) {
			return prebuilt;
		}
	}
	return new Error(
		`ferrosoup: no native addon for this platform (${triple}):\n` +
			misses.map(miss => `  - ${miss}\n`).join('') +
			howToFix(triple)
	);
}

function load() {
	const located = locate();
	if (located instanceof Error) {
		throw located;
	}
	try {
		return { binding: require(located), addonPath: located };
	} catch (error) {
		throw new Error(`ferrosoup: cannot load the native addon ${located}: ${error.message}\n${howToFix(currentTriple())}`, {
			cause: error,
		});
	}
}

// addonPath: the file actually loaded; workers run inside it (`workerBin`).
module.exports = load();
