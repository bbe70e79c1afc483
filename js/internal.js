'use strict';

// What ferrosoup's own helpers (ferrosoup/whip, ferrosoup/metrics) reach on
// objects that mediasoup's API does not expose. Nothing here is public.

// Which Worker created a Router (mediasoup's Router does not say).
const workers = new WeakMap();

function setWorkerOfRouter(router, worker) {
	workers.set(router, worker);
}

/** The Worker that created `router`, if it was created by ferrosoup. */
function workerOfRouter(router) {
	return workers.get(router);
}

/** `worker[kGetMetrics]()`: the worker thread's totals (see js/metrics.js). */
const kGetMetrics = Symbol('ferrosoup.getMetrics');

module.exports = { setWorkerOfRouter, workerOfRouter, kGetMetrics };
