'use strict';

// Bad input like mediasoup: every row of the table in
// helpers/bad-input-table.js is an invalid (or doubtful) call and the error
// class real mediasoup 3.27.1 answers it with. ferrosoup must answer the
// same class, thrown the same way (synchronously or as a rejection), except
// on rows whose `why` says what mediasoup accepts that it should not.
// When mediasoup's worker binary is around (CI: ../shared/baseline), the
// table itself is checked against live mediasoup.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const ferrosoup = require('..');
const { rows } = require('./helpers/bad-input-table');
const { runTable, mediaCodecs, listenInfo, videoRtpParameters } = require('./helpers/bad-input-setup');

const repoRoot = path.resolve(__dirname, '..');
const mediasoupWorkerBin = path.resolve(repoRoot, '..', 'shared', 'baseline', 'mediasoup-worker');
const mediasoupPackage = path.join(__dirname, 'compat', 'node_modules', 'mediasoup');

const classes = [
	'ok',
	'TypeError',
	'RangeError',
	'SyntaxError',
	'Error',
	'UnsupportedError',
	'NotFoundError',
	'InvalidStateError',
	'WorkerClosedError',
];

function describe(outcome) {
	return `${outcome.cls}${outcome.sync ? ' (sync)' : ''}${outcome.message ? ` "${outcome.message}"` : ''}`;
}

test('the table covers the API with at least 200 well-formed rows', () => {
	assert.ok(rows.length >= 200, `only ${rows.length} rows`);
	const names = new Set();
	for (const row of rows) {
		const name = `${row.area} | ${row.name}`;
		assert.ok(!names.has(name), `duplicated row ${name}`);
		names.add(name);
		assert.ok(classes.includes(row.ms), `${name}: unknown class ${row.ms}`);
		// A deliberate difference needs its reason, and only when mediasoup
		// accepts what ferrosoup rejects.
		if (row.why || row.ferrosoup) {
			assert.ok(row.why && row.ferrosoup, `${name}: "ferrosoup" and "why" go together`);
			assert.equal(row.ms, 'ok', `${name}: ferrosoup may only differ where mediasoup accepts`);
			assert.notEqual(row.ferrosoup, 'ok', `${name}: a difference must be a rejection`);
		}
	}
	const areas = new Set(rows.map(row => row.area));
	for (const area of ['createWorker', 'worker', 'router', 'connect', 'setters', 'produce', 'consume', 'data', 'methods', 'observers', 'closed']) {
		assert.ok(areas.has(area), `no rows for ${area}`);
	}
});

test('ferrosoup rejects bad input with the class mediasoup does', { timeout: 60000 }, async () => {
	const outcomes = await runTable(ferrosoup, rows);
	const failures = [];
	for (const [index, row] of rows.entries()) {
		const expected = row.ferrosoup ?? row.ms;
		const got = outcomes[index];
		const sync = Boolean(row.sync);
		if (got.cls !== expected || got.sync !== sync) {
			failures.push(
				`${row.area} | ${row.name}: expected ${expected}${sync ? ' (sync)' : ''}, got ${describe(got)}`
			);
		}
	}
	assert.deepEqual(failures, [], `${failures.length} of ${rows.length} rows differ:\n${failures.join('\n')}`);
});

test('an RTX ssrc equal to a media ssrc is rejected and leaves nothing behind', async () => {
	const worker = await ferrosoup.createWorker();
	try {
		const router = await worker.createRouter({ mediaCodecs });
		const transport = await router.createPlainTransport({ listenInfo, comedia: true });
		const rtpParameters = videoRtpParameters();
		const { ssrc } = rtpParameters.encodings[0];
		rtpParameters.encodings[0].rtx.ssrc = ssrc;
		await assert.rejects(transport.produce({ kind: 'video', rtpParameters }), error => {
			assert.equal(error.constructor, Error);
			assert.match(error.message, /RTX ssrc already exists/);
			return true;
		});
		// No half-registered producer whose table would take RTX for media.
		let dump = await transport.dump();
		assert.deepEqual(dump.producerIds, []);
		assert.deepEqual(dump.rtpListener.ssrcTable, []);
		// The same media ssrc with its own RTX ssrc is fine afterwards.
		rtpParameters.encodings[0].rtx.ssrc = ssrc + 1;
		const producer = await transport.produce({ kind: 'video', rtpParameters });
		dump = await transport.dump();
		assert.deepEqual(
			dump.rtpListener.ssrcTable.map(({ key }) => key).sort(),
			[ssrc, ssrc + 1]
		);
		assert.ok(dump.rtpListener.ssrcTable.every(({ value }) => value === producer.id));
	} finally {
		worker.close();
	}
});

test('the table records what live mediasoup 3.27.1 answers', { timeout: 60000 }, async t => {
	if (!fs.existsSync(mediasoupWorkerBin) || !fs.existsSync(mediasoupPackage)) {
		t.skip(`mediasoup is not here (${mediasoupWorkerBin}, ${mediasoupPackage}): table not compared`);
		return;
	}
	process.env.MEDIASOUP_WORKER_BIN = mediasoupWorkerBin;
	const mediasoup = require(mediasoupPackage);
	const outcomes = await runTable(mediasoup, rows);
	const failures = [];
	for (const [index, row] of rows.entries()) {
		const got = outcomes[index];
		const sync = Boolean(row.sync);
		if (got.cls !== row.ms || got.sync !== sync) {
			failures.push(`${row.area} | ${row.name}: table says ${row.ms}${sync ? ' (sync)' : ''}, mediasoup ${describe(got)}`);
		}
	}
	assert.deepEqual(failures, [], `${failures.length} rows disagree with mediasoup:\n${failures.join('\n')}`);
});
