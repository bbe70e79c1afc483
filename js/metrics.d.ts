// Type declarations for `ferrosoup/metrics`: a Prometheus/OpenMetrics
// exporter of ferrosoup workers on prom-client.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Worker } from './types';

export type MetricsOptions = {
	/** Registry to add the metrics to (default: a new one). */
	register?: Registry;
	/** Prefix of every metric name (default 'ferrosoup_'). */
	prefix?: string;
	/** Read RTP loss and NACKs from producers' and consumers' stats (default true). */
	rtpStats?: boolean;
	/** Also Node's default metrics (CPU, memory, event-loop lag; default true). */
	defaultMetrics?: boolean;
	/** Workers created before the metrics (later ones are followed). */
	workers?: Worker[];
};

export declare class Metrics {
	constructor(options?: MetricsOptions);
	get register(): Registry;
	addWorker(worker: Worker): void;
	/** Stops following new workers. */
	close(): void;
	/** The exposition text. */
	metrics(): Promise<string>;
	/** Answers an HTTP request with the exposition text. */
	serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export declare function createMetrics(options?: MetricsOptions): Metrics;
