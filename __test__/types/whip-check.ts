// Type-level test of `ferrosoup/whip` (compiled by `npm run test:types`,
// never run).

import * as http from 'node:http';
import { createWorker } from 'ferrosoup';
import { createWhipServer, bearerToken } from 'ferrosoup/whip';
import type { WhipServer, WhipSession, WhipServerOptions } from 'ferrosoup/whip';
import type { Producer, WebRtcTransport } from 'ferrosoup/types';

async function mount(): Promise<WhipServer> {
	const worker = await createWorker();
	const router = await worker.createRouter({ mediaCodecs: [] });
	const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
	const options: WhipServerOptions = {
		router,
		worker,
		webRtcServer,
		basePath: '/whip',
		whepBasePath: '/whep',
		authorize: (req, { kind, stream }) => bearerToken(req) === `${kind}:${stream}`,
		transportOptions: ({ kind }) => ({ enableTcp: kind === 'whip', appData: { kind } }),
	};
	const whip = createWhipServer(options);
	whip.on('publish', (session: WhipSession) => {
		const producers: Producer[] = session.producers;
		const transport: WebRtcTransport = session.transport;
		void producers;
		void transport.iceParameters.usernameFragment;
	});
	const server = http.createServer((req, res) => {
		if (!whip.handle(req, res)) {
			res.end();
		}
	});
	whip.attach(server);
	const live: Map<string, WhipSession> = whip.publishers;
	void live;
	// @ts-expect-error: a router is required
	createWhipServer({ listenInfos: [] });
	// @ts-expect-error: no such event
	whip.on('nothing', () => {});
	return whip;
}

void mount;
