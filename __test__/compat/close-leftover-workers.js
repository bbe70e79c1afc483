'use strict';

// Jest `setupFilesAfterEnv` entry of the compat harness (see README.md).
//
// A test that fails half-way (for instance one that the process.kill guard
// stopped) can leave a worker open; with ferrosoup the worker is a thread whose
// threadsafe function keeps jest alive after the tests, which would hide real
// leaks behind an expected failure. After all tests of the file, this closes
// the workers that are still open, and tells run.js how many it closed. A
// worker that was closed but still keeps the process alive is not touched: run.js
// reports that as "jest did not exit by itself".

const fs = require('node:fs');

let mediasoup = null;
try {
	// The same module instance as the tests' `require('../')` (moduleNameMapper).
	mediasoup = require(process.env.FERROSOUP_COMPAT_ENTRY);
} catch {
	// The tests report the failure to load the entry themselves.
}

const workers = new Set();

if (mediasoup && mediasoup.observer) {
	mediasoup.observer.on('newworker', (worker) => workers.add(worker));
}

afterAll(async () => {
	const leftovers = [...workers].filter((worker) => !worker.closed);
	if (leftovers.length === 0) {
		return;
	}
	if (process.env.FERROSOUP_COMPAT_CASES_FILE) {
		fs.appendFileSync(
			process.env.FERROSOUP_COMPAT_CASES_FILE,
			`${JSON.stringify({ event: 'leftover-workers', count: leftovers.length })}\n`
		);
	}
	await Promise.all(
		leftovers.map(
			(worker) =>
				new Promise((resolve) => {
					const timer = setTimeout(resolve, 2000);
					const done = () => {
						clearTimeout(timer);
						resolve();
					};
					if (typeof worker.once === 'function') {
						worker.once('subprocessclose', done);
					}
					worker.close();
					if (worker.subprocessClosed !== false) {
						done();
					}
				})
		)
	);
});
