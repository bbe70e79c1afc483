#!/usr/bin/env node
'use strict';

// Runs mediasoup 3.27.1's own published jest suite (the compiled tests in
// node_modules/mediasoup/node/lib/test/) against ferrosoup, and compares the
// outcome of every test with expected-failures.json. See README.md.
//
//   node __test__/compat/run.js [FILTER...] [--update-expected] [--verbose]
//        [--idle-timeout=SECONDS] [--file-timeout=SECONDS]
//
// Exit code: 0 when every test behaved as listed, 1 on a regression (a failing
// test that is not listed) or an unexpected pass (a listed test that passed),
// 2 when the harness itself could not run.

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const COMPAT_DIR = __dirname;
const REPO_DIR = path.resolve(COMPAT_DIR, '..', '..');
const NODE_MODULES = path.join(COMPAT_DIR, 'node_modules');
const MEDIASOUP_LIB = path.join(NODE_MODULES, 'mediasoup', 'node', 'lib');
const MEDIASOUP_TESTS = path.join(MEDIASOUP_LIB, 'test');
const JEST_BIN = path.join(NODE_MODULES, 'jest', 'bin', 'jest.js');
const WORK_DIR = path.join(COMPAT_DIR, 'work');
// Three levels below work/, so that test-mediasoup's
// `path.join(__dirname, '..', '..', '..', 'package.json')` is work/package.json.
const TESTS_DIR = path.join(WORK_DIR, 'node', 'lib', 'test');
const RESULTS_DIR = path.join(WORK_DIR, 'results');
const JEST_CONFIG = path.join(WORK_DIR, 'jest.config.json');
const EXPECTED_FILE = path.join(COMPAT_DIR, 'expected-failures.json');
const STAMP_FILE = path.join(NODE_MODULES, '.ferrosoup-compat.stamp');
const DEFAULT_REASON = 'not implemented yet';
// Key of expected-failures.json for a file whose jest process does not exit by
// itself after its tests (open handles) and has to be killed.
const EXIT_KEY = '(jest exits by itself after the tests)';
// After jest reported the end of the run, how long it may take to exit.
const EXIT_GRACE_MS = 15_000;

class HarnessError extends Error {}

function parseArgs(argv) {
	const options = {
		filters: [],
		updateExpected: false,
		verbose: false,
		idleTimeout: 60,
		fileTimeout: 600,
	};
	for (const arg of argv) {
		let match;
		if (arg === '--update-expected') {
			options.updateExpected = true;
		} else if (arg === '--install-only') {
			options.installOnly = true;
		} else if (arg === '--verbose' || arg === '-v') {
			options.verbose = true;
		} else if ((match = /^--idle-timeout=(\d+)$/.exec(arg))) {
			options.idleTimeout = Number(match[1]);
		} else if ((match = /^--file-timeout=(\d+)$/.exec(arg))) {
			options.fileTimeout = Number(match[1]);
		} else if (arg === '--help' || arg === '-h') {
			process.stdout.write(
				'usage: node __test__/compat/run.js [FILTER...] [--update-expected] [--install-only] [--verbose]\n' +
					'                                   [--idle-timeout=S (60)] [--file-timeout=S (600)]\n' +
					'FILTER: a test file name (test-Worker, test-Worker.js) or a part of one.\n'
			);
			process.exit(0);
		} else if (arg.startsWith('-')) {
			throw new HarnessError(`unknown option ${arg} (see --help)`);
		} else {
			options.filters.push(arg);
		}
	}
	return options;
}

// ---------------------------------------------------------------------------
// (a) dependencies

function sha256(...files) {
	const hash = crypto.createHash('sha256');
	for (const file of files) {
		hash.update(fs.readFileSync(file));
	}
	return hash.digest('hex');
}

function npmCommand() {
	const execPath = process.env.npm_execpath;
	if (execPath && /\.c?js$/.test(execPath) && /npm/.test(path.basename(execPath))) {
		return { command: process.execPath, prefix: [execPath] };
	}
	return { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', prefix: [] };
}

function ensureDependencies() {
	const wanted = sha256(path.join(COMPAT_DIR, 'package.json'), path.join(COMPAT_DIR, 'package-lock.json'));
	const have = fs.existsSync(STAMP_FILE) ? fs.readFileSync(STAMP_FILE, 'utf8').trim() : null;
	if (have === wanted && fs.existsSync(JEST_BIN) && fs.existsSync(MEDIASOUP_TESTS)) {
		return;
	}
	console.log(
		`compat: ${fs.existsSync(NODE_MODULES) ? 'stale' : 'missing'} node_modules, ` +
			'running npm ci --ignore-scripts in __test__/compat'
	);
	const npm = npmCommand();
	const result = childProcess.spawnSync(
		npm.command,
		[...npm.prefix, 'ci', '--ignore-scripts', '--no-audit', '--no-fund'],
		{ cwd: COMPAT_DIR, stdio: 'inherit' }
	);
	if (result.error || result.status !== 0) {
		throw new HarnessError(`npm ci failed (${result.error ? result.error.message : `exit ${result.status}`})`);
	}
	fs.writeFileSync(STAMP_FILE, `${wanted}\n`);
}

// ---------------------------------------------------------------------------
// (b) work folder

function findAddon() {
	const jsDir = path.join(REPO_DIR, 'js');
	const preferred = path.join(jsDir, 'ferrosoup.linux-x64-gnu.node');
	if (fs.existsSync(preferred)) {
		return preferred;
	}
	const found = fs.existsSync(jsDir) ? fs.readdirSync(jsDir).filter((name) => name.endsWith('.node')).sort() : [];
	if (found.length === 0) {
		throw new HarnessError(`no native addon js/*.node in ${REPO_DIR}: build it first (npm run build)`);
	}
	return path.join(jsDir, found[0]);
}

function ferrosoupEntry() {
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8'));
	return path.resolve(REPO_DIR, pkg.main || 'index.js');
}

function derLength(length) {
	if (length < 0x80) {
		return Buffer.from([length]);
	}
	const bytes = [];
	for (let rest = length; rest > 0; rest >>= 8) {
		bytes.unshift(rest & 0xff);
	}
	return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag, ...parts) {
	const body = Buffer.concat(parts);
	return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derOid(oid) {
	const [first, second, ...rest] = oid.split('.').map(Number);
	const bytes = [first * 40 + second];
	for (const arc of rest) {
		const chunk = [arc & 0x7f];
		for (let value = arc >> 7; value > 0; value >>= 7) {
			chunk.unshift(0x80 | (value & 0x7f));
		}
		bytes.push(...chunk);
	}
	return der(0x06, Buffer.from(bytes));
}

function derTime(date) {
	const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
	return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}

// A self-signed prime256v1 certificate built with node's crypto only, for
// machines without the openssl CLI.
function makeCertificateWithNodeCrypto(certFile, keyFile) {
	const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
	const ecdsaWithSha256 = der(0x30, derOid('1.2.840.10045.4.3.2'));
	const name = der(0x30, der(0x31, der(0x30, derOid('2.5.4.3'), der(0x0c, Buffer.from('compat')))));
	const serial = crypto.randomBytes(16);
	serial[0] &= 0x7f;
	serial[0] |= 0x01;
	const now = new Date();
	const tbs = der(
		0x30,
		der(0xa0, der(0x02, Buffer.from([2]))),
		der(0x02, serial),
		ecdsaWithSha256,
		name,
		der(0x30, derTime(new Date(now.getTime() - 86_400_000)), derTime(new Date(now.getTime() + 3650 * 86_400_000))),
		name,
		publicKey.export({ type: 'spki', format: 'der' })
	);
	const signature = crypto.sign('sha256', tbs, privateKey);
	const certificate = der(0x30, tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
	const pem = `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
	if (!new crypto.X509Certificate(pem).verify(publicKey)) {
		throw new HarnessError('generated DTLS certificate does not verify');
	}
	fs.writeFileSync(certFile, pem);
	fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
}

function ensureDtlsCertificate() {
	const dataDir = path.join(TESTS_DIR, 'data');
	const certFile = path.join(dataDir, 'dtls-cert.pem');
	const keyFile = path.join(dataDir, 'dtls-key.pem');
	if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
		return;
	}
	fs.mkdirSync(dataDir, { recursive: true });
	const result = childProcess.spawnSync(
		'openssl',
		[
			'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
			'-days', '3650', '-subj', '/CN=compat', '-keyout', keyFile, '-out', certFile,
		],
		{ stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' }
	);
	if (result.error || result.status !== 0 || !fs.existsSync(certFile) || !fs.existsSync(keyFile)) {
		makeCertificateWithNodeCrypto(certFile, keyFile);
	}
}

function prepareWorkFolder(testFiles) {
	fs.mkdirSync(TESTS_DIR, { recursive: true });
	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	// test-mediasoup's `version` test reads the package.json three folders up.
	fs.copyFileSync(path.join(REPO_DIR, 'package.json'), path.join(WORK_DIR, 'package.json'));
	for (const name of fs.readdirSync(TESTS_DIR)) {
		if (/^test-.*\.js$/.test(name)) {
			fs.rmSync(path.join(TESTS_DIR, name));
		}
	}
	for (const name of testFiles) {
		fs.copyFileSync(path.join(MEDIASOUP_TESTS, name), path.join(TESTS_DIR, name));
	}
	ensureDtlsCertificate();
	const jsDir = path.join(REPO_DIR, 'js');
	const config = {
		rootDir: WORK_DIR,
		roots: ['<rootDir>/node/lib/test'],
		testEnvironment: 'node',
		testRegex: 'node/lib/test/test-.*\\.js$',
		// The compiled tests and ferrosoup's js/ run as they are.
		transform: {},
		cacheDirectory: path.join(WORK_DIR, '.jest-cache'),
		testTimeout: 5000,
		maxWorkers: 1,
		setupFiles: [path.join(COMPAT_DIR, 'guard-process-kill.js')],
		setupFilesAfterEnv: [path.join(COMPAT_DIR, 'close-leftover-workers.js')],
		moduleNameMapper: {
			'^\\.\\./?$': ferrosoupEntry(),
			'^\\.\\.$': ferrosoupEntry(),
			'^\\.\\./(enhancedEvents|errors|ortc|extras|utils)$': path.join(jsDir, '$1.js'),
			// Only the 3 tests that inject mediasoup flatbuffers notifications use these.
			'^\\.\\./fbs/(.*)$': path.join(MEDIASOUP_LIB, 'fbs', '$1'),
			'^\\.\\./Transport$': path.join(MEDIASOUP_LIB, 'Transport.js'),
		},
	};
	fs.writeFileSync(JEST_CONFIG, `${JSON.stringify(config, null, 2)}\n`);
}

// ---------------------------------------------------------------------------
// Test discovery (names are read statically so that a killed or crashed file
// still counts every one of its tests).

function unescapeJsString(body) {
	return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, escape) => {
		if (escape[0] === 'u') {
			return String.fromCodePoint(parseInt(escape.replace(/[u{}]/g, ''), 16));
		}
		if (escape[0] === 'x' && escape.length === 3) {
			return String.fromCharCode(parseInt(escape.slice(1), 16));
		}
		return { n: '\n', t: '\t', r: '\r', 0: '\0' }[escape] ?? escape;
	});
}

function staticTestNames(file) {
	const source = fs.readFileSync(file, 'utf8');
	const names = [];
	const regex = /\b(?:test|it)\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
	let match;
	while ((match = regex.exec(source))) {
		names.push(unescapeJsString(match[2]));
	}
	return names;
}

function selectTestFiles(filters) {
	const all = fs
		.readdirSync(MEDIASOUP_TESTS)
		.filter((name) => /^test-.*\.js$/.test(name))
		.sort();
	if (filters.length === 0) {
		return all;
	}
	const selected = new Set();
	for (const filter of filters) {
		const exact = all.filter((name) => name === filter || name === `${filter}.js`);
		const matched = exact.length > 0 ? exact : all.filter((name) => name.includes(filter));
		if (matched.length === 0) {
			throw new HarnessError(`no test file matches "${filter}" (files: ${all.join(', ')})`);
		}
		matched.forEach((name) => selected.add(name));
	}
	return all.filter((name) => selected.has(name));
}

// ---------------------------------------------------------------------------
// (c) one jest process per file, with a wall-clock and an idle timeout

function readNdjson(file) {
	if (!fs.existsSync(file)) {
		return [];
	}
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => {
			try {
				return JSON.parse(line);
			} catch {
				return null;
			}
		})
		.filter(Boolean);
}

function runJestFile(name, addon, options) {
	const base = name.replace(/\.js$/, '');
	const jsonFile = path.join(RESULTS_DIR, `${base}.json`);
	const casesFile = path.join(RESULTS_DIR, `${base}.cases.ndjson`);
	const logFile = path.join(RESULTS_DIR, `${base}.log`);
	for (const file of [jsonFile, casesFile, logFile]) {
		fs.rmSync(file, { force: true });
	}
	const args = [
		JEST_BIN,
		'--config', JEST_CONFIG,
		'--runInBand',
		'--silent', 'false',
		'--detectOpenHandles',
		'--ci',
		'--colors=false',
		'--json', '--outputFile', jsonFile,
		'--reporters', 'default',
		'--reporters', path.join(COMPAT_DIR, 'case-reporter.js'),
		'--runTestsByPath', path.join(TESTS_DIR, name),
	];
	const env = {
		...process.env,
		MEDIASOUP_WORKER_BIN: addon,
		FERROSOUP_COMPAT_CASES_FILE: casesFile,
		FERROSOUP_COMPAT_ENTRY: ferrosoupEntry(),
		FORCE_COLOR: '0',
	};
	delete env.NODE_OPTIONS;
	const log = fs.openSync(logFile, 'w');
	const started = Date.now();

	return new Promise((resolve) => {
		const child = childProcess.spawn(process.execPath, args, {
			cwd: WORK_DIR,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			// Own process group, so a kill also takes any process jest started.
			detached: process.platform !== 'win32',
		});
		currentChild = child;
		const onData = (chunk) => {
			fs.writeSync(log, chunk);
			if (options.verbose) {
				process.stdout.write(chunk);
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);

		let killedFor = null;
		let lastProgress = Date.now();
		let lastCount = 0;
		let completedAt = null;
		const kill = (why) => {
			if (killedFor) {
				return;
			}
			killedFor = why;
			try {
				if (process.platform === 'win32') {
					child.kill('SIGKILL');
				} else {
					process.kill(-child.pid, 'SIGKILL');
				}
			} catch {
				// Already gone.
			}
		};
		const timer = setInterval(() => {
			const records = readNdjson(casesFile);
			if (records.length !== lastCount) {
				lastCount = records.length;
				lastProgress = Date.now();
			}
			if (completedAt === null && records.some((record) => record.event === 'complete')) {
				completedAt = Date.now();
			}
			const now = Date.now();
			if (completedAt !== null && now - completedAt > EXIT_GRACE_MS) {
				kill('exit');
			} else if (completedAt === null && now - lastProgress > options.idleTimeout * 1000) {
				kill(`no test finished for ${options.idleTimeout} s`);
			} else if (completedAt === null && now - started > options.fileTimeout * 1000) {
				kill(`file took longer than ${options.fileTimeout} s`);
			}
		}, 250);

		child.on('close', (code, signal) => {
			clearInterval(timer);
			fs.closeSync(log);
			currentChild = null;
			resolve({
				name,
				code,
				signal,
				killedFor,
				seconds: (Date.now() - started) / 1000,
				jsonFile,
				casesFile,
				logFile,
			});
		});
	});
}

let currentChild = null;

function firstLine(text) {
	return (
		String(text || '')
			.split('\n')
			.map((line) => line.trim())
			.find((line) => line && !/^●/.test(line)) || ''
	);
}

// Turns one file's run into { tests: Map(fullName -> {status, message}), problem }.
function collectResults(run) {
	const names = staticTestNames(path.join(TESTS_DIR, run.name));
	const tests = new Map();
	let problem = null;

	let json = null;
	if (fs.existsSync(run.jsonFile)) {
		try {
			json = JSON.parse(fs.readFileSync(run.jsonFile, 'utf8'));
		} catch {
			json = null;
		}
	}
	const records = readNdjson(run.casesFile);
	const fileRecord = records.find((record) => record.event === 'file');

	if (json && json.testResults && json.testResults.length > 0) {
		const suite = json.testResults[0];
		for (const assertion of suite.assertionResults || []) {
			tests.set(assertion.fullName, {
				status: assertion.status,
				message: firstLine((assertion.failureMessages || [])[0]),
			});
		}
		if (suite.status === 'failed' && (suite.assertionResults || []).length === 0) {
			problem = `test suite failed to run: ${firstLine(suite.message)}`;
		}
	} else {
		for (const record of records.filter((r) => r.event === 'case')) {
			tests.set(record.fullName, {
				status: record.status,
				message: firstLine((record.failureMessages || [])[0]),
			});
		}
		if (fileRecord && fileRecord.failureMessage) {
			problem = `test suite failed to run: ${firstLine(fileRecord.failureMessage)}`;
		}
	}

	if (run.killedFor && run.killedFor !== 'exit') {
		const running = records.filter((r) => r.event === 'start').map((r) => r.fullName).pop();
		problem = `jest killed: ${run.killedFor}${running && !tests.has(running) ? ` (while running "${running}")` : ''}`;
	} else if (!run.killedFor && !json) {
		problem = problem || `jest exited with ${run.signal ? `signal ${run.signal}` : `code ${run.code}`} and wrote no results`;
	}

	// Every test of the file that has no result (the file crashed, was killed,
	// or failed to load) counts as failed.
	for (const testName of names) {
		if (!tests.has(testName)) {
			tests.set(testName, { status: 'failed', message: problem || 'no result (test did not run)' });
		}
	}
	const leftoverWorkers = records
		.filter((record) => record.event === 'leftover-workers')
		.reduce((sum, record) => sum + record.count, 0);
	return {
		name: run.name,
		tests,
		problem,
		exitProblem: run.killedFor === 'exit',
		leftoverWorkers,
		seconds: run.seconds,
		logFile: run.logFile,
	};
}

// ---------------------------------------------------------------------------
// (d) table, (e) comparison, (f) update

function loadExpected() {
	if (!fs.existsSync(EXPECTED_FILE)) {
		return {};
	}
	return JSON.parse(fs.readFileSync(EXPECTED_FILE, 'utf8'));
}

function compare(results, expected) {
	const regressions = [];
	const unexpectedPasses = [];
	const stale = [];
	for (const result of results) {
		const listed = expected[result.name] || {};
		const wholeFile = Object.prototype.hasOwnProperty.call(listed, '*');
		for (const [testName, outcome] of result.tests) {
			const isListed = wholeFile || Object.prototype.hasOwnProperty.call(listed, testName);
			if (outcome.status === 'failed' && !isListed) {
				regressions.push({ file: result.name, test: testName, message: outcome.message });
			} else if (outcome.status === 'passed' && isListed) {
				unexpectedPasses.push({
					file: result.name,
					test: testName,
					reason: listed[testName] ?? `(whole file) ${listed['*']}`,
				});
			}
		}
		const exitListed = Object.prototype.hasOwnProperty.call(listed, EXIT_KEY) || wholeFile;
		if (result.exitProblem && !exitListed) {
			regressions.push({
				file: result.name,
				test: EXIT_KEY,
				message: `jest did not exit within ${EXIT_GRACE_MS / 1000} s after the tests (open handles, see ${path.relative(REPO_DIR, result.logFile)}); it was killed`,
			});
		} else if (!result.exitProblem && Object.prototype.hasOwnProperty.call(listed, EXIT_KEY)) {
			unexpectedPasses.push({ file: result.name, test: EXIT_KEY, reason: listed[EXIT_KEY] });
		}
		for (const testName of Object.keys(listed)) {
			if (testName !== '*' && testName !== EXIT_KEY && !result.tests.has(testName)) {
				stale.push({ file: result.name, test: testName });
			}
		}
	}
	return { regressions, unexpectedPasses, stale };
}

function updateExpected(results, expected) {
	const updated = { ...expected };
	for (const result of results) {
		const old = expected[result.name] || {};
		const fallback = old['*'] ?? DEFAULT_REASON;
		const failing = [...result.tests].filter(([, outcome]) => outcome.status === 'failed');
		const entry = {};
		if (failing.length > 0 && failing.length === result.tests.size && (old['*'] !== undefined || result.problem)) {
			entry['*'] = old['*'] ?? (result.problem ? `${DEFAULT_REASON} (${result.problem})` : DEFAULT_REASON);
		} else {
			for (const [testName] of failing) {
				entry[testName] = old[testName] ?? fallback;
			}
		}
		if (result.exitProblem && entry['*'] === undefined) {
			entry[EXIT_KEY] = old[EXIT_KEY] ?? 'open handles keep the jest process alive after the tests';
		}
		if (Object.keys(entry).length > 0) {
			updated[result.name] = entry;
		} else {
			delete updated[result.name];
		}
	}
	const sorted = {};
	for (const key of Object.keys(updated).sort()) {
		sorted[key] = updated[key];
	}
	fs.writeFileSync(EXPECTED_FILE, `${JSON.stringify(sorted, null, '\t')}\n`);
}

function printTable(results, expected) {
	const width = Math.max(...results.map((r) => r.name.length), 'total'.length) + 2;
	let passedTotal = 0;
	let testsTotal = 0;
	let expectedTotal = 0;
	console.log('');
	console.log(`${'file'.padEnd(width)}${'passed/total'.padStart(12)}  ${'expected-fail'.padStart(13)}  time`);
	for (const result of results) {
		const passed = [...result.tests.values()].filter((t) => t.status === 'passed').length;
		const listed = expected[result.name] || {};
		const expectedFailures = Object.prototype.hasOwnProperty.call(listed, '*')
			? result.tests.size
			: Object.keys(listed).filter((k) => result.tests.has(k)).length;
		passedTotal += passed;
		testsTotal += result.tests.size;
		expectedTotal += expectedFailures;
		const notes = [
			result.problem,
			result.exitProblem ? 'jest did not exit by itself (killed)' : null,
			result.leftoverWorkers ? `closed ${result.leftoverWorkers} worker(s) left open by failing tests` : null,
		]
			.filter(Boolean)
			.join('; ');
		console.log(
			`${result.name.padEnd(width)}${`${passed}/${result.tests.size}`.padStart(12)}  ` +
				`${String(expectedFailures).padStart(13)}  ${result.seconds.toFixed(1)}s${notes ? `  ${notes}` : ''}`
		);
	}
	console.log(`${'total'.padEnd(width)}${`${passedTotal}/${testsTotal}`.padStart(12)}  ${String(expectedTotal).padStart(13)}`);
	return { passedTotal, testsTotal };
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	ensureDependencies();
	if (options.installOnly) {
		return 0;
	}
	const testFiles = selectTestFiles(options.filters);
	const addon = findAddon();
	prepareWorkFolder(testFiles);
	console.log(`compat: ${testFiles.length} file(s) of mediasoup 3.27.1's suite against ${path.relative(process.cwd(), ferrosoupEntry()) || '.'}`);
	console.log(`compat: MEDIASOUP_WORKER_BIN=${addon}`);

	const results = [];
	for (const name of testFiles) {
		const run = await runJestFile(name, addon, options);
		const result = collectResults(run);
		const passed = [...result.tests.values()].filter((t) => t.status === 'passed').length;
		console.log(
			`  ${name}: ${passed}/${result.tests.size} passed in ${run.seconds.toFixed(1)}s` +
				(run.killedFor ? ` [killed: ${run.killedFor === 'exit' ? 'did not exit after the tests' : run.killedFor}]` : '')
		);
		results.push(result);
	}

	const expected = loadExpected();
	const { passedTotal, testsTotal } = printTable(results, expected);

	if (options.updateExpected) {
		updateExpected(results, expected);
		console.log(`\ncompat: rewrote ${path.relative(process.cwd(), EXPECTED_FILE)} from this run`);
		return 0;
	}

	const { regressions, unexpectedPasses, stale } = compare(results, expected);
	for (const entry of stale) {
		console.log(`warning: expected-failures.json lists "${entry.test}" in ${entry.file}, which has no such test`);
	}
	if (regressions.length > 0) {
		console.log(`\nREGRESSIONS (failing, not in expected-failures.json): ${regressions.length}`);
		for (const entry of regressions) {
			console.log(`  ${entry.file} > ${entry.test}\n      ${entry.message}`);
		}
	}
	if (unexpectedPasses.length > 0) {
		console.log(`\nUNEXPECTED PASSES (listed in expected-failures.json, passed; remove them): ${unexpectedPasses.length}`);
		for (const entry of unexpectedPasses) {
			console.log(`  ${entry.file} > ${entry.test}  (listed: ${entry.reason})`);
		}
	}
	const failed = testsTotal - passedTotal;
	console.log(
		`\ncompat: ${passedTotal} of ${testsTotal} tests pass, ${failed} fail ` +
			`(${failed - regressions.filter((r) => r.test !== EXIT_KEY).length} expected); ` +
			`${regressions.length} regression(s), ${unexpectedPasses.length} unexpected pass(es)`
	);
	return regressions.length > 0 || unexpectedPasses.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		if (currentChild) {
			try {
				process.kill(-currentChild.pid, 'SIGKILL');
			} catch {
				currentChild.kill('SIGKILL');
			}
		}
		process.exit(130);
	});
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error) => {
		console.error(`compat: ${error instanceof HarnessError ? error.message : error.stack}`);
		process.exitCode = 2;
	}
);
