// mediasoup's file layout (`<package>/node/lib/<Module>`): ferrosoup ships
// declarations at those paths for TypeScript's node10 resolution (see
// node/lib/ and __test__/types/app-deep.ts), while its exports map keeps
// blocking them at runtime exactly as mediasoup 3.27's does. Compared with
// the mediasoup copy in __test__/compat when it is installed.

'use strict';

const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const root = path.join(__dirname, '..');
const msRoot = path.join(__dirname, 'compat', 'node_modules', 'mediasoup');
const haveMediasoup = fs.existsSync(path.join(msRoot, 'package.json'));
// Resolves `mediasoup` from __test__/compat, as an app installing it would.
const msRequire = createRequire(path.join(__dirname, 'compat', 'index.js'));
const skipNoMs = haveMediasoup ? false : 'mediasoup not installed in __test__/compat';

const deepPaths = ['node/lib/types', 'node/lib/index', 'node/lib/WorkerTypes', 'node/lib/Worker', 'node/lib/errors'];

function codeOf(fn) {
	try {
		fn();
	} catch (error) {
		return error.code;
	}
	return 'no error';
}

async function asyncCodeOf(fn) {
	try {
		await fn();
	} catch (error) {
		return error.code;
	}
	return 'no error';
}

test('require() of deep paths fails with ERR_PACKAGE_PATH_NOT_EXPORTED', () => {
	for (const p of deepPaths) {
		// Self-reference: the package's own exports map applies, as for an installed copy.
		assert.strictEqual(codeOf(() => require(`ferrosoup/${p}`)), 'ERR_PACKAGE_PATH_NOT_EXPORTED', p);
		assert.strictEqual(codeOf(() => require(`ferrosoup/${p}.js`)), 'ERR_PACKAGE_PATH_NOT_EXPORTED', `${p}.js`);
	}
});

test('import() of deep paths fails with ERR_PACKAGE_PATH_NOT_EXPORTED', async () => {
	for (const p of deepPaths) {
		assert.strictEqual(await asyncCodeOf(() => import(`ferrosoup/${p}`)), 'ERR_PACKAGE_PATH_NOT_EXPORTED', p);
	}
});

test('mediasoup fails the same way for the same paths', { skip: skipNoMs }, () => {
	for (const p of deepPaths) {
		const ms = codeOf(() => msRequire(`mediasoup/${p}`));
		assert.strictEqual(ms, 'ERR_PACKAGE_PATH_NOT_EXPORTED', `mediasoup/${p}`);
		assert.strictEqual(codeOf(() => require(`ferrosoup/${p}`)), ms, p);
	}
});

test('documented subpaths still resolve', () => {
	for (const p of ['', '/types', '/errors', '/ortc', '/extras']) {
		assert.ok(require.resolve(`ferrosoup${p}`).startsWith(path.join(root, 'js')), p);
		if (haveMediasoup) assert.ok(msRequire.resolve(`mediasoup${p}`).startsWith(msRoot), p);
	}
});

// ---------------------------------------------------------------------------
// Declarations: the same modules and export names as mediasoup's node/lib
// ---------------------------------------------------------------------------

// mediasoup-internal modules (worker channel, flatbuffers, logging, helpers,
// its own tests): not mirrored.
const classModules = new Set([
	'Worker',
	'WebRtcServer',
	'Router',
	'Transport',
	'WebRtcTransport',
	'PlainTransport',
	'PipeTransport',
	'DirectTransport',
	'Producer',
	'Consumer',
	'DataProducer',
	'DataConsumer',
	'RtpObserver',
	'ActiveSpeakerObserver',
	'AudioLevelObserver',
]);

const internalModules = new Set([
	'Channel',
	'Logger',
	'utils',
	'fbsUtils',
	'rtpParametersFbsUtils',
	'rtpStreamStatsFbsUtils',
	'sctpParametersFbsUtils',
	'srtpParametersFbsUtils',
	'supportedRtpCapabilities',
]);

// Names mediasoup exports that ferrosoup deliberately does not: the internal
// helpers (flatbuffers parsing and serialization, constructor data) of the
// class modules, and ortc's flatbuffers serializer (absent from ferrosoup/ortc
// too).
const isOmitted = (module, name) =>
	(module === 'ortc' && name === 'serializeRtpMapping') ||
	(classModules.has(module) &&
		/^(parse|serialize)|(ToFbs|FromFbs)$|^\w+(Data|Internal|ConstructorOptions)$/.test(name));

// Names ferrosoup exports beyond mediasoup's (as ferrosoup/types and
// ferrosoup/errors do, for apps written against mediasoup <= 3.19).
const extras = { types: ['InvalidStateError'], errors: ['InvalidStateError'] };

function exportsOf(dir) {
	const ts = require('typescript');
	const files = fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.d.ts'))
		.map((f) => path.join(dir, f));
	const program = ts.createProgram(files, {
		noEmit: true,
		types: [],
		target: ts.ScriptTarget.ES2022,
		moduleResolution: ts.ModuleResolutionKind.Node10,
	});
	const checker = program.getTypeChecker();
	const out = new Map();
	for (const file of files) {
		const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file));
		const symbols = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
		const names = new Map();
		for (const symbol of symbols) {
			const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
			names.set(symbol.name, (target.declarations ?? []).map((d) => d.getSourceFile().fileName));
		}
		out.set(path.basename(file, '.d.ts'), names);
	}
	return out;
}

test('node/lib declarations re-export ferrosoup\'s own, defining nothing twice', () => {
	const ours = exportsOf(path.join(root, 'node', 'lib'));
	const ownFiles = [path.join(root, 'index.d.ts'), path.join(root, 'js')];
	for (const [module, names] of ours) {
		for (const [name, declFiles] of names) {
			assert.ok(declFiles.length > 0, `${module}.${name} resolves to no declaration`);
			for (const file of declFiles) {
				const own = ownFiles.some((f) => path.resolve(file).startsWith(f));
				// XxxImpl aliases are the only declarations of node/lib itself.
				const implAlias = /Impl$/.test(name) && path.basename(file, '.d.ts') === module;
				assert.ok(own || implAlias, `${module}.${name} declared in ${file}`);
			}
		}
	}
});

test('node/lib has mediasoup\'s public modules with its export names', { skip: skipNoMs }, () => {
	const theirs = exportsOf(path.join(msRoot, 'node', 'lib'));
	const ours = exportsOf(path.join(root, 'node', 'lib'));
	for (const [module, names] of theirs) {
		if (internalModules.has(module)) {
			assert.ok(!ours.has(module), `${module} is internal`);
			continue;
		}
		assert.ok(ours.has(module), `node/lib/${module}.d.ts missing`);
		const expected = [...names.keys()].filter((n) => !isOmitted(module, n)).concat(extras[module] ?? []);
		assert.deepStrictEqual([...ours.get(module).keys()].sort(), expected.sort(), module);
	}
	for (const module of ours.keys()) assert.ok(theirs.has(module), `${module} is not a mediasoup module`);
});
