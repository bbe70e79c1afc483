'use strict';

// Internal test hooks of the native worker. This module is not reachable
// through the package's exports map and the hooks hang off a Symbol, so an
// app cannot stumble on them; ferrosoup's own tests require it by path.

const kTestHook = Symbol('ferrosoup.testHook');

/**
 * Runs a hook on the worker thread, in order with its queued requests:
 * 'panic' makes the thread panic; 'block' makes it sleep `arg` ms while
 * ignoring close (a wedged worker). Returns false if the worker is gone.
 */
function testHook(worker, name, arg = 0) {
	return worker[kTestHook](name, arg);
}

module.exports = { kTestHook, testHook };
