#!/usr/bin/env node
// Keeps the clone's `prepare` script (which builds the addon on `npm install`
// in a clone) out of the packed package.json: npm 11 lists `prepare` of a
// package installed from a tarball or git among the install scripts that
// `allowScripts` must approve, and the published package needs no build.
//
//   node scripts/pack-manifest.js strip     (prepack)
//   node scripts/pack-manifest.js restore   (postpack)
//
// The same trick as husky's pinst. If a pack fails before postpack, the next
// strip (or an explicit restore) puts the original back first.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const manifest = path.join(__dirname, '..', 'package.json');
const backup = path.join(__dirname, '..', '.package.json.packing');

function restore() {
	if (fs.existsSync(backup)) {
		fs.renameSync(backup, manifest);
	}
}

function strip() {
	restore();
	const text = fs.readFileSync(manifest, 'utf8');
	const pkg = JSON.parse(text);
	if (!pkg.scripts?.prepare) {
		return;
	}
	fs.writeFileSync(backup, text);
	delete pkg.scripts.prepare;
	fs.writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}

const command = process.argv[2];
if (command === 'strip') {
	strip();
} else if (command === 'restore') {
	restore();
} else {
	console.error('usage: pack-manifest.js strip|restore');
	process.exit(2);
}
