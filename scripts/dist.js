#!/usr/bin/env node
// Prebuilt platform packages in napi-rs's layout: npm/<triple>/ is the package
// ferrosoup-<triple>, holding only ferrosoup.<triple>.node (stripped).
//
//   node scripts/dist.js sync [--check]
//       writes npm/<triple>/package.json (+ README.md) for every target in
//       js/platforms.js and the main package's optionalDependencies, all at the
//       main package's version (--check: only reports what is out of date)
//   node scripts/dist.js build [<triple>] [--no-cargo] [--cross]
//       this machine's triple (the default): the release build (`npm run
//       build`; --no-cargo: the one already in js/) stripped into npm/<triple>/,
//       its debug info kept beside it in target/dist/ (not packed);
//       another triple: `napi build --profile dist --target ...` straight
//       into npm/<triple>/ (--cross: napi's --cross-compile)
//   node scripts/dist.js pack [<dir>]
//       `npm pack` of the main package and of every platform package that has
//       its binary, into <dir> (default target/dist/packages); prints sizes
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { TARGETS, packageName, addonFileName, currentTriple, findTarget } = require('../js/platforms');

const root = path.join(__dirname, '..');
const mainManifestPath = path.join(root, 'package.json');
const distDir = path.join(root, 'target', 'dist');

function platformDir(triple) {
	return path.join(root, 'npm', triple);
}

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
	if (result.status !== 0) {
		throw new Error(`dist: ${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
	}
	return result;
}

function json(value) {
	return `${JSON.stringify(value, null, 2)}\n`;
}

function platformManifest(target, main) {
	return {
		name: packageName(target.triple),
		version: main.version,
		description: `ferrosoup's native addon for ${target.triple} (${target.rust})`,
		license: main.license,
		main: addonFileName(target.triple),
		files: [addonFileName(target.triple)],
		os: [target.os],
		cpu: [target.cpu],
		...(target.libc ? { libc: [target.libc] } : {}),
		engines: main.engines,
	};
}

function platformReadme(target) {
	return (
		`# ${packageName(target.triple)}\n\n` +
		`The \`${target.rust}\` binary of [ferrosoup](https://www.npmjs.com/package/ferrosoup).\n` +
		'Install `ferrosoup`, not this package: npm picks the one that fits the machine.\n'
	);
}

/** Files that sync would write, with their wanted contents. */
function syncPlan() {
	const main = JSON.parse(fs.readFileSync(mainManifestPath, 'utf8'));
	const plan = new Map();
	for (const target of TARGETS) {
		plan.set(path.join(platformDir(target.triple), 'package.json'), json(platformManifest(target, main)));
		plan.set(path.join(platformDir(target.triple), 'README.md'), platformReadme(target));
	}
	main.optionalDependencies = Object.fromEntries(TARGETS.map(target => [packageName(target.triple), main.version]));
	plan.set(mainManifestPath, json(main));
	return plan;
}

function sync({ check = false } = {}) {
	const stale = [];
	for (const [file, text] of syncPlan()) {
		const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
		if (current === text) {
			continue;
		}
		stale.push(path.relative(root, file));
		if (!check) {
			fs.mkdirSync(path.dirname(file), { recursive: true });
			fs.writeFileSync(file, text);
		}
	}
	return stale;
}

/** Strips `input` into `output`; the debug info goes to target/dist/, linked by name. */
function stripInto(input, output, triple) {
	fs.mkdirSync(distDir, { recursive: true });
	fs.rmSync(output, { force: true });
	if (triple.startsWith('linux-')) {
		const debugFile = path.join(distDir, `${path.basename(output)}.debug`);
		run('objcopy', ['--only-keep-debug', input, debugFile]);
		run('objcopy', ['--strip-all', input, output]);
		// gdb/perf find the debug file by this name (next to the binary or in
		// a debug directory) and check it by CRC.
		run('objcopy', [`--add-gnu-debuglink=${debugFile}`, output]);
	} else if (triple.startsWith('darwin-')) {
		run('dsymutil', [input, '-o', path.join(distDir, `${path.basename(output)}.dSYM`)]);
		run('strip', ['-x', '-o', output, input]);
	} else {
		// MSVC keeps debug info in a .pdb next to the build: nothing to strip.
		fs.copyFileSync(input, output);
	}
}

function buildHost(triple, { cargo }) {
	if (cargo) {
		run(process.execPath, [path.join(__dirname, 'build.js')]);
	}
	const local = path.join(root, 'js', addonFileName(triple));
	if (!fs.existsSync(local)) {
		throw new Error(`dist: no ${path.relative(root, local)}; run \`npm run build\` first`);
	}
	const output = path.join(platformDir(triple), addonFileName(triple));
	stripInto(local, output, triple);
	return output;
}

function buildOther(target, { cross }) {
	const cli = path.join(path.dirname(require.resolve('@napi-rs/cli/package.json')), 'dist', 'cli.js');
	const args = [
		cli, 'build', '--platform', '--no-js', '--profile', 'dist', '--target', target.rust,
		'--output-dir', path.relative(root, platformDir(target.triple)), '--features', 'node',
	];
	if (cross) {
		args.push('--cross-compile');
	}
	run(process.execPath, args);
	return path.join(platformDir(target.triple), addonFileName(target.triple));
}

function build(triple = currentTriple(), { cargo = true, cross = false } = {}) {
	const target = findTarget(triple);
	if (!target) {
		throw new Error(`dist: ${triple} is not a target (${TARGETS.map(t => t.triple).join(', ')})`);
	}
	return triple === currentTriple() ? buildHost(triple, { cargo }) : buildOther(target, { cross });
}

/** `npm pack` of `dir` into `outDir`: { filename, size, unpackedSize, files }. */
function npmPack(dir, outDir, env) {
	const result = run('npm', ['pack', '--json', '--pack-destination', outDir], {
		cwd: dir,
		env,
		stdio: ['ignore', 'pipe', 'inherit'],
		encoding: 'utf8',
	});
	// Lifecycle scripts may print before npm's JSON.
	const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
	return { ...info, path: path.join(outDir, info.filename) };
}

function pack(outDir = path.join(distDir, 'packages'), { env = process.env } = {}) {
	fs.mkdirSync(outDir, { recursive: true });
	const packed = [npmPack(root, outDir, env)];
	for (const target of TARGETS) {
		if (fs.existsSync(path.join(platformDir(target.triple), addonFileName(target.triple)))) {
			packed.push(npmPack(platformDir(target.triple), outDir, env));
		}
	}
	return packed;
}

function megabytes(bytes) {
	return `${(bytes / 1e6).toFixed(2)} MB`;
}

function main() {
	const [command, ...rest] = process.argv.slice(2);
	const positional = rest.filter(arg => !arg.startsWith('--'));
	if (command === 'sync') {
		const check = rest.includes('--check');
		const stale = sync({ check });
		for (const file of stale) {
			console.log(`${check ? 'out of date' : 'wrote'}: ${file}`);
		}
		process.exitCode = check && stale.length > 0 ? 1 : 0;
	} else if (command === 'build') {
		const output = build(positional[0], { cargo: !rest.includes('--no-cargo'), cross: rest.includes('--cross') });
		console.log(`${path.relative(root, output)}: ${megabytes(fs.statSync(output).size)}`);
	} else if (command === 'pack') {
		for (const info of pack(positional[0] && path.resolve(positional[0]))) {
			console.log(`${info.path}: ${megabytes(info.size)} packed, ${megabytes(info.unpackedSize)} unpacked`);
		}
	} else {
		console.error('usage: dist.js sync [--check] | build [<triple>] [--no-cargo] [--cross] | pack [<dir>]');
		process.exitCode = 2;
	}
}

if (require.main === module) {
	main();
}

module.exports = { sync, build, pack, stripInto, platformDir };
