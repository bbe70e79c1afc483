'use strict';

// SIGINT and SIGTERM for workers that are threads. A mediasoup worker is a
// child process in the app's process group: Ctrl-C (or systemd's stop of
// the group) signals it too and it closes. Here the same signal closes
// every live worker; and since listening for a signal takes Node's default
// action away, the signal is raised again once they are closed when the
// app has no listener of its own: the process then ends by it, as a
// mediasoup app does (`docker stop`, `kill`), instead of lingering.

const SIGNALS = ['SIGINT', 'SIGTERM'];

/** Workers to close on a signal (anything with close()). */
const live = new Set();

function onSignal(signal) {
	for (const worker of [...live]) {
		worker.close();
	}
	stopListening();
	if (process.listenerCount(signal) === 0) {
		process.kill(process.pid, signal);
	}
}

function startListening() {
	for (const signal of SIGNALS) {
		process.on(signal, onSignal);
	}
}

function stopListening() {
	for (const signal of SIGNALS) {
		process.removeListener(signal, onSignal);
	}
}

/** A worker opened: a signal closes it. */
function closeOnSignal(worker) {
	if (live.size === 0) {
		startListening();
	}
	live.add(worker);
}

/** A worker closed or died. */
function forgetOnSignal(worker) {
	if (live.delete(worker) && live.size === 0) {
		stopListening();
	}
}

module.exports = { closeOnSignal, forgetOnSignal };
