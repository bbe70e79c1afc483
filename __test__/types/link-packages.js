// Links __test__/types/node_modules/ferrosoup to the repository root (and
// mediasoup to the copy in __test__/compat, when installed) so that the
// resolution tests (tsconfig.node10/node16/bundler.json) resolve both as
// installed packages: package.json `types`, `exports` and files on disk are
// really exercised, with no `paths` mapping.

'use strict';

const fs = require('node:fs');
const path = require('node:path');

const modules = path.join(__dirname, 'node_modules');
const links = {
	ferrosoup: path.join('..', '..', '..'),
	mediasoup: path.join('..', '..', 'compat', 'node_modules', 'mediasoup'),
};

fs.mkdirSync(modules, { recursive: true });
for (const [name, target] of Object.entries(links)) {
	const link = path.join(modules, name);
	if (!fs.existsSync(path.resolve(modules, target, 'package.json'))) {
		console.error(`link-packages: ${name} not found at ${path.resolve(modules, target)}`);
		process.exitCode = 1;
		continue;
	}
	fs.rmSync(link, { force: true, recursive: false });
	fs.symlinkSync(target, link, 'dir');
}
