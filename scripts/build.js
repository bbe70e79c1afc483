#!/usr/bin/env node
// Builds the Rust addon into js/ (run by `npm install` and `npm run build`).
// Only Rust (cargo) and Node are needed: @napi-rs/cli drives cargo and writes
// js/ferrosoup.<platform>.node plus its loader js/binding.js.
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const debug = process.argv.includes('--debug');
const cli = require.resolve('@napi-rs/cli/package.json');
const napiBin = path.join(path.dirname(cli), 'dist', 'cli.js');

const args = [
	napiBin,
	'build',
	'--platform',
	'--output-dir',
	'js',
	'--js',
	'binding.js',
	'--dts',
	'binding.d.ts',
	'--no-dts-header',
	'--features',
	'node',
];
if (!debug) {
	args.push('--release');
}

const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
	console.error('ferrosoup: building the Rust addon failed (is cargo installed?)');
	process.exit(result.status ?? 1);
}
