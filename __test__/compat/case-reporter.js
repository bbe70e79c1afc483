'use strict';

// Jest reporter of the compat harness: appends one JSON line per finished test
// case to $FERROSOUP_COMPAT_CASES_FILE as soon as it finishes, so that run.js
// still knows which tests ran (and how) when it has to kill a jest process
// that hangs. It also marks the end of the run, after which run.js only waits
// a short grace period for jest to exit by itself.

const fs = require('node:fs');
const path = require('node:path');

const MAX_MESSAGE = 4000;

class CaseReporter {
	constructor() {
		this._out = process.env.FERROSOUP_COMPAT_CASES_FILE;
	}

	_write(record) {
		if (this._out) {
			fs.appendFileSync(this._out, `${JSON.stringify(record)}\n`);
		}
	}

	onTestCaseStart(test, testCaseStartInfo) {
		this._write({
			event: 'start',
			file: path.basename(test.path),
			fullName: testCaseStartInfo.fullName,
		});
	}

	onTestCaseResult(test, testCaseResult) {
		this._write({
			event: 'case',
			file: path.basename(test.path),
			fullName: testCaseResult.fullName,
			status: testCaseResult.status,
			duration: testCaseResult.duration,
			failureMessages: (testCaseResult.failureMessages || []).map((message) =>
				String(message).slice(0, MAX_MESSAGE)
			),
		});
	}

	onTestFileResult(test, testResult) {
		this._write({
			event: 'file',
			file: path.basename(test.path),
			failureMessage: testResult.testExecError
				? String(testResult.failureMessage || testResult.testExecError.message).slice(0, MAX_MESSAGE)
				: null,
		});
	}

	onRunComplete() {
		this._write({ event: 'complete' });
	}

	getLastError() {
		return undefined;
	}
}

module.exports = CaseReporter;
