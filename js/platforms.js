'use strict';

// The platforms ferrosoup publishes a prebuilt addon package for, in
// napi-rs's naming: package `ferrosoup-<triple>` holds `ferrosoup.<triple>.node`.
// The loader (native.js), the source build (scripts/build.js) and the
// packaging scripts (scripts/dist.js) all read this one list.

const fs = require('node:fs');

const TARGETS = [
	{ triple: 'linux-x64-gnu', rust: 'x86_64-unknown-linux-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
	{ triple: 'linux-arm64-gnu', rust: 'aarch64-unknown-linux-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
	{ triple: 'linux-x64-musl', rust: 'x86_64-unknown-linux-musl', os: 'linux', cpu: 'x64', libc: 'musl' },
	{ triple: 'linux-arm64-musl', rust: 'aarch64-unknown-linux-musl', os: 'linux', cpu: 'arm64', libc: 'musl' },
	{ triple: 'darwin-x64', rust: 'x86_64-apple-darwin', os: 'darwin', cpu: 'x64' },
	{ triple: 'darwin-arm64', rust: 'aarch64-apple-darwin', os: 'darwin', cpu: 'arm64' },
	{ triple: 'win32-x64-msvc', rust: 'x86_64-pc-windows-msvc', os: 'win32', cpu: 'x64' },
];

const PACKAGE_PREFIX = 'ferrosoup-';

function packageName(triple) {
	return PACKAGE_PREFIX + triple;
}

function addonFileName(triple) {
	return `ferrosoup.${triple}.node`;
}

/** musl or glibc: what Node itself runs on, as napi-rs's loader decides it. */
function isMusl() {
	try {
		return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
	} catch {
		// No ldd (e.g. a slim Alpine image): ask Node's diagnostic report.
		const header = process.report?.getReport?.()?.header;
		return Boolean(header) && !header.glibcVersionRuntime;
	}
}

/** This process' triple, e.g. `linux-x64-gnu`, even if none is published for it. */
function currentTriple() {
	const { platform, arch } = process;
	if (platform === 'linux') {
		return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
	}
	if (platform === 'win32') {
		return `win32-${arch}-msvc`;
	}
	return `${platform}-${arch}`;
}

function findTarget(triple) {
	return TARGETS.find(target => target.triple === triple);
}

module.exports = { TARGETS, packageName, addonFileName, currentTriple, findTarget };
