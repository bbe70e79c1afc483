// Type-level test of `ferrosoup/metrics` (compiled by `npm run test:types`,
// never run).

import * as http from 'node:http';
import { createWorker } from 'ferrosoup';
import { createMetrics } from 'ferrosoup/metrics';
import type { Metrics, MetricsOptions } from 'ferrosoup/metrics';

async function exporter(): Promise<Metrics> {
	const worker = await createWorker();
	const options: MetricsOptions = { prefix: 'sfu_', rtpStats: false, workers: [worker] };
	const metrics = createMetrics(options);
	metrics.addWorker(worker);
	const text: string = await metrics.metrics();
	void text;
	http.createServer((req, res) => void metrics.serve(req, res));
	return metrics;
}

void exporter;
