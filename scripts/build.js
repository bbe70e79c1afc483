#!/usr/bin/env node
// Builds the Rust addon from source into js/ferrosoup.<triple>.node, where the
// loader (js/native.js) looks first. Needs cargo and Node only.
//
//   node scripts/build.js            release build (`npm run build`)
//   node scripts/build.js --debug    debug build (`npm run build:debug`)
//   node scripts/build.js --prepare  what `npm install` in a clone runs
//   node scripts/build.js --cargo    plain cargo, as in an installed package
//
// In a clone @napi-rs/cli (a devDependency) drives cargo and also writes the
// native API's types to js/binding.d.ts. In an installed package it is absent,
// so plain `cargo build` is run and its cdylib copied into place.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { currentTriple, addonFileName } = require('../js/platforms');

const root = path.join(__dirname, '..');
const jsDir = path.join(root, 'js');

function napiCliPath() {
	try {
		return path.join(path.dirname(require.resolve('@napi-rs/cli/package.json')), 'dist', 'cli.js');
	} catch {
		return null;
	}
}

function buildWithNapi(cli, release) {
	const args = [
		cli, 'build', '--platform', '--no-js', '--output-dir', 'js',
		'--dts', 'binding.d.ts', '--no-dts-header', '--features', 'node',
	];
	if (release) {
		args.push('--release');
	}
	return spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status === 0;
}

/** `cargo build`, then the cdylib it reports copied to js/ under napi's name. */
function buildWithCargo(release) {
	const args = ['build', '--locked', '--lib', '--features', 'node', '--message-format=json-render-diagnostics'];
	if (release) {
		args.push('--release');
	}
	const result = spawnSync('cargo', args, {
		cwd: root,
		stdio: ['ignore', 'pipe', 'inherit'],
		encoding: 'utf8',
		maxBuffer: 256 * 1024 * 1024,
	});
	if (result.status !== 0) {
		return false;
	}
	let cdylib = null;
	for (const line of result.stdout.split('\n')) {
		const message = line.startsWith('{') ? JSON.parse(line) : null;
		if (message?.reason === 'compiler-artifact' && message.target.kind.includes('cdylib')) {
			cdylib = message.filenames.find(file => /\.(so|dylib|dll)$/.test(file));
		}
	}
	if (!cdylib) {
		console.error('ferrosoup: cargo reported no cdylib');
		return false;
	}
	const dest = path.join(jsDir, addonFileName(currentTriple()));
	// Copy to a new inode: a running process may have the old file mapped.
	fs.rmSync(dest, { force: true });
	fs.copyFileSync(cdylib, dest);
	console.error(`ferrosoup: built ${path.relative(root, dest)}`);
	return true;
}

function main() {
	const argv = process.argv.slice(2);
	// `prepare` also runs before `npm pack` / `npm publish`; the packed main
	// package carries no binary, so building there would only cost time.
	if (argv.includes('--prepare') && ['pack', 'publish'].includes(process.env.npm_command)) {
		console.error(`ferrosoup: no build for npm ${process.env.npm_command}`);
		return;
	}
	const release = !argv.includes('--debug');
	const cli = argv.includes('--cargo') ? null : napiCliPath();
	const ok = cli ? buildWithNapi(cli, release) : buildWithCargo(release);
	if (!ok) {
		console.error('ferrosoup: building the Rust addon failed (is cargo installed? see https://rustup.rs)');
		process.exit(1);
	}
}

main();
