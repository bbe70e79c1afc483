// Sample application code using only the package root and the documented
// subpaths, as a mediasoup app would. Compiled (never run) under
// moduleResolution node10, node16 and bundler: see tsconfig.<mode>.json.
// `ferrosoup` resolves as an installed package (link-packages.js).

import * as mediasoup from 'ferrosoup';
import { createWorker, errors, observer } from 'ferrosoup';
import type { types } from 'ferrosoup';

type RoomAppData = { roomId: string };

const mediaCodecs: types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];

export async function startRoom(roomId: string): Promise<types.Router<RoomAppData>> {
	observer.on('newworker', (worker: types.Worker) => {
		worker.observer.on('newrouter', (router: types.Router) => void router.id);
	});

	const worker = await createWorker<RoomAppData>({
		logLevel: 'warn',
		logTags: ['ice', 'dtls'],
		rtcMinPort: 40000,
		rtcMaxPort: 49999,
		appData: { roomId },
	});
	worker.on('died', (error: Error) => console.error(error.message));

	const router = await worker.createRouter<RoomAppData>({ mediaCodecs, appData: { roomId } });
	const caps: types.RtpCapabilities = router.rtpCapabilities;
	void caps;

	return router;
}

export async function connectPeer(
	router: types.Router<RoomAppData>,
	clientCaps: types.RtpCapabilities,
	producer: types.Producer
): Promise<types.Consumer | undefined> {
	const transport: types.WebRtcTransport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		enableUdp: true,
	});
	const iceParameters: types.IceParameters = transport.iceParameters;
	const dtls: types.DtlsParameters = transport.dtlsParameters;
	void iceParameters;
	void dtls;

	transport.observer.on('newproducer', (p: types.Producer) => void p.kind);
	transport.on('dtlsstatechange', (state: types.DtlsState) => void state);

	if (!router.canConsume({ producerId: producer.id, rtpCapabilities: clientCaps })) {
		return undefined;
	}

	try {
		const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: clientCaps, paused: true });
		const params: types.RtpParameters = consumer.rtpParameters;
		void params;
		consumer.on('layerschange', (layers?: types.ConsumerLayers) => void layers);
		return consumer;
	} catch (error) {
		if (error instanceof errors.UnsupportedError) return undefined;
		throw error;
	}
}

export async function plainTuple(router: types.Router): Promise<types.TransportTuple> {
	const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true });
	return plain.tuple;
}

export const supported: types.RouterRtpCapabilities = mediasoup.getSupportedRtpCapabilities();
export const version: string = mediasoup.version;
