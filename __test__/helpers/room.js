'use strict';

// A minimal room for the real-browser tests: the signalling handler that a
// page's mediasoup-client calls through playwright's exposeFunction
// (`window.fsRequest(method, data)`, as __test__/fixtures/browser-client.js
// does), the server-side objects it created, and a log of what went wrong.

/**
 * `transportOptions(data)`: options of each createWebRtcTransport (`data`:
 * the page's request, with its `direction`).
 * `onTransport(transport, direction)`: awaited for every transport right
 * after it is created.
 * `onConsumer(consumer)`: called for every consumer right after it is
 * created (paused), before the page resumes it.
 */
function createRoom(router, transportOptions, { onTransport, onConsumer } = {}) {
	const room = {
		router,
		transports: new Map(),
		producers: new Map(),
		consumers: new Map(),
		log: [],
	};

	async function handle(method, data) {
		switch (method) {
			case 'routerRtpCapabilities':
				return { routerRtpCapabilities: router.rtpCapabilities };
			case 'createTransport': {
				const transport = await router.createWebRtcTransport(transportOptions(data));
				const states = [];
				transport.on('icestatechange', (s) => states.push(`ice:${s}`));
				transport.on('dtlsstatechange', (s) => states.push(`dtls:${s}`));
				room.transports.set(transport.id, { transport, direction: data.direction, states });
				await onTransport?.(transport, data.direction);
				return {
					id: transport.id,
					iceParameters: transport.iceParameters,
					iceCandidates: transport.iceCandidates,
					dtlsParameters: transport.dtlsParameters,
				};
			}
			case 'connect': {
				await room.transports.get(data.transportId).transport.connect({ dtlsParameters: data.dtlsParameters });
				return {};
			}
			case 'produce': {
				const { transport } = room.transports.get(data.transportId);
				const producer = await transport.produce({ kind: data.kind, rtpParameters: data.rtpParameters });
				room.producers.set(producer.id, producer);
				return { id: producer.id };
			}
			case 'consume': {
				const { transport } = room.transports.get(data.transportId);
				if (!router.canConsume({ producerId: data.producerId, rtpCapabilities: data.rtpCapabilities })) {
					throw new Error('cannot consume');
				}
				const consumer = await transport.consume({
					producerId: data.producerId,
					rtpCapabilities: data.rtpCapabilities,
					paused: true,
				});
				room.consumers.set(consumer.id, consumer);
				onConsumer?.(consumer);
				return {
					id: consumer.id,
					producerId: consumer.producerId,
					kind: consumer.kind,
					rtpParameters: consumer.rtpParameters,
				};
			}
			case 'resume': {
				await room.consumers.get(data.consumerId).resume();
				return {};
			}
			default:
				throw new Error(`unknown method ${method}`);
		}
	}

	room.handle = async (method, data) => {
		try {
			return await handle(method, data);
		} catch (error) {
			room.log.push(`${method} failed: ${error.message}`);
			return { error: String(error.message) };
		}
	};

	/** The room's log and each transport's ICE/DTLS states, for failures. */
	room.describe = () => {
		const lines = [...room.log];
		for (const [id, info] of room.transports) {
			lines.push(`${info.direction} transport ${id.slice(0, 8)}: ${info.states.join(' ')}`);
		}
		return lines.join('\n');
	};

	return room;
}

/**
 * A new page of `context` (a playwright BrowserContext) at `url`, wired to
 * `room`: page errors and console errors/warnings go to its log.
 */
async function openRoomPage(context, url, room) {
	const page = await context.newPage();
	page.on('pageerror', (error) => room.log.push(`pageerror: ${error.message}`));
	page.on('console', (msg) => {
		if (msg.type() === 'error' || msg.type() === 'warning') {
			room.log.push(`console.${msg.type()}: ${msg.text()}`);
		}
	});
	await page.exposeFunction('fsRequest', room.handle);
	await page.goto(url, { timeout: 15_000 });
	return page;
}

module.exports = { createRoom, openRoomPage };
