'use strict';

// Jest `setupFiles` entry of the compat harness (see README.md).
//
// mediasoup's tests signal `worker.pid`, which in mediasoup is a child process.
// ferrosoup's workers are threads of the process that loaded the addon, so
// `worker.pid === process.pid`: `process.kill(worker.pid, 'SIGINT')` would kill
// the jest process and lose every result of the file. This guard turns a signal
// aimed at the test runner itself into a thrown Error, so such a test fails
// cleanly (and is listed in expected-failures.json) while the rest of the file
// goes on. Signals to any other pid are passed through unchanged.

const realKill = process.kill;

process.kill = function kill(pid, signal) {
	if (Number(pid) === process.pid) {
		throw new Error(
			`[ferrosoup compat harness] refused process.kill(${pid}, ${String(signal)}): ` +
				'that pid is the jest process itself (ferrosoup workers are threads, ' +
				'worker.pid === process.pid)'
		);
	}
	return realKill.call(process, pid, signal);
};
