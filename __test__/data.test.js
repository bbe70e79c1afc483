'use strict';

// DataProducers and DataConsumers end to end: messages sent from Node on a
// DirectTransport reach DataConsumers as 'message' events (PPIDs,
// subchannels, pause/resume, size limits, stats), and close cascades. SCTP
// DataProducers/DataConsumers: stream ids, dumps, and messages queued until
// the association forms (browser.test.js and mediasoup's test-werift-sctp
// and test-PipeTransport check delivery over SCTP).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const mediasoup = require('..');
const { enhancedOnce } = mediasoup.extras;
const { NotFoundError } = mediasoup.errors;

async function setup(transportOptions) {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter();
	const transport = await router.createDirectTransport(transportOptions);
	return { worker, router, transport };
}

/** Collects a DataConsumer's messages as [text, ppid]. */
function collect(dataConsumer) {
	const messages = [];
	dataConsumer.on('message', (message, ppid) => {
		assert.ok(Buffer.isBuffer(message));
		messages.push([message.toString('utf8'), ppid]);
	});
	return messages;
}

/**
 * Resolves after every message (and notification) sent so far has been
 * delivered: `probe` is a DataConsumer subscribed to subchannel 65000, and
 * the worker's messages reach JS in order.
 */
function flush(dataProducer, probe) {
	return new Promise(resolve => {
		const onMessage = message => {
			if (message.toString() === 'flush') {
				probe.off('message', onMessage);
				resolve();
			}
		};
		probe.on('message', onMessage);
		dataProducer.send('flush', undefined, [65000]);
	});
}

test('strings and buffers reach DataConsumers with their PPIDs and counters', async () => {
	const { worker, transport } = await setup();
	try {
		const dataProducer = await transport.produceData({ label: 'chat', protocol: 'json' });
		assert.equal(dataProducer.type, 'direct');
		assert.equal(dataProducer.sctpStreamParameters, undefined);
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		assert.equal(dataConsumer.type, 'direct');
		assert.equal(dataConsumer.label, 'chat');
		assert.equal(dataConsumer.protocol, 'json');
		const messages = collect(dataConsumer);
		const probe = await transport.consumeData({ dataProducerId: dataProducer.id, subchannels: [65000] });

		dataProducer.send('hello');
		dataProducer.send(Buffer.from('bytes'));
		dataProducer.send('');
		dataProducer.send(Buffer.alloc(0));
		dataProducer.send('custom', 1234);
		assert.throws(() => dataProducer.send(42), TypeError);
		await flush(dataProducer, probe);

		assert.deepEqual(messages, [
			['hello', 51],
			['bytes', 53],
			[' ', 56],
			['\0', 57],
			['custom', 1234],
		]);
		const [producerStats] = await dataProducer.getStats();
		assert.equal(producerStats.type, 'data-producer');
		assert.equal(producerStats.label, 'chat');
		assert.equal(producerStats.messagesReceived, 6);
		assert.equal(producerStats.bytesReceived, 5 + 5 + 1 + 1 + 6 + 5);
		const [consumerStats] = await dataConsumer.getStats();
		assert.equal(consumerStats.type, 'data-consumer');
		assert.equal(consumerStats.messagesSent, 5);
		assert.equal(consumerStats.bytesSent, 18);
		assert.equal(consumerStats.bufferedAmount, 0);
		// The probe got all 6 (23 bytes), the other one 5 (18 bytes).
		const [transportStats] = await transport.getStats();
		assert.equal(transportStats.bytesReceived, 23);
		assert.equal(transportStats.bytesSent, 23 + 18);

		// DirectTransport DataConsumers cannot send, as in mediasoup.
		await assert.rejects(dataConsumer.send('nope'), TypeError);
		await assert.rejects(dataConsumer.getBufferedAmount(), TypeError);
	} finally {
		worker.close();
	}
});

test('subchannels, requiredSubchannel and ignoredSubchannel select the DataConsumers', async () => {
	const { worker, transport } = await setup();
	try {
		const dataProducer = await transport.produceData();
		const dc1 = await transport.consumeData({ dataProducerId: dataProducer.id, subchannels: [1, 11, 666] });
		const dc2 = await transport.consumeData({ dataProducerId: dataProducer.id, subchannels: [2, 22, 666] });
		const all = await transport.consumeData({ dataProducerId: dataProducer.id });
		const probe = await transport.consumeData({ dataProducerId: dataProducer.id, subchannels: [65000] });
		const got1 = collect(dc1);
		const got2 = collect(dc2);
		const gotAll = collect(all);

		dataProducer.send('both');
		dataProducer.send('both', undefined, [1, 2]);
		dataProducer.send('both', undefined, [11, 22, 33], 666);
		dataProducer.send('none', undefined, [3], 666);
		dataProducer.send('dc1', undefined, [666], 11);
		dataProducer.send('dc2', undefined, [666], 2);
		dataProducer.send('dc2', undefined, undefined, undefined, 11);
		dataProducer.send('dc1', undefined, [666], undefined, 22);
		await flush(dataProducer, probe);

		const texts = list => list.map(([text]) => text);
		assert.deepEqual(texts(got1), ['both', 'both', 'both', 'dc1', 'dc1']);
		assert.deepEqual(texts(got2), ['both', 'both', 'both', 'dc2', 'dc2']);
		// Without subchannels it only gets messages that name none (and that
		// require none).
		assert.deepEqual(texts(gotAll), ['both', 'dc2']);

		// Subchannels change on the fly (and wrap like uint16).
		await dc2.setSubchannels([...dc2.subchannels, 1, 65537]);
		assert.deepEqual([...dc2.subchannels].sort((a, b) => a - b), [1, 2, 22, 666]);
		await dc1.removeSubchannel(1);
		await dc1.addSubchannel(7);
		assert.deepEqual([...dc1.subchannels].sort((a, b) => a - b), [7, 11, 666]);
		dataProducer.send('one', undefined, [1]);
		dataProducer.send('seven', undefined, [7]);
		await flush(dataProducer, probe);
		assert.deepEqual(texts(got1).slice(5), ['seven']);
		assert.deepEqual(texts(got2).slice(5), ['one']);
		assert.deepEqual((await dc2.dump()).subchannels.sort((a, b) => a - b), [1, 2, 22, 666]);
	} finally {
		worker.close();
	}
});

test('pausing the DataProducer or a DataConsumer stops delivery', async () => {
	const { worker, transport } = await setup();
	try {
		const dataProducer = await transport.produceData();
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		const probe = await transport.consumeData({ dataProducerId: dataProducer.id, subchannels: [65000] });
		const messages = collect(dataConsumer);
		const events = [];
		for (const name of ['dataproducerpause', 'dataproducerresume']) {
			dataConsumer.on(name, () => events.push(name));
		}
		for (const name of ['pause', 'resume']) {
			dataConsumer.observer.on(name, () => events.push(`observer ${name}`));
		}

		dataProducer.send('1');
		await dataProducer.pause();
		dataProducer.send('2');
		await dataProducer.resume();
		dataProducer.send('3');
		await flush(dataProducer, probe);
		await dataConsumer.pause();
		dataProducer.send('4');
		await dataConsumer.resume();
		dataProducer.send('5');
		await flush(dataProducer, probe);

		assert.deepEqual(
			messages.map(([text]) => text),
			['1', '3', '5']
		);
		assert.deepEqual(events, [
			'dataproducerpause',
			'observer pause',
			'dataproducerresume',
			'observer resume',
			'observer pause',
			'observer resume',
		]);
		const [producerStats] = await dataProducer.getStats();
		assert.equal(producerStats.messagesReceived, 7);
		const [consumerStats] = await dataConsumer.getStats();
		assert.equal(consumerStats.messagesSent, 3);

		// A DataConsumer of a paused DataProducer starts with it paused.
		await dataProducer.pause();
		const late = await transport.consumeData({ dataProducerId: dataProducer.id });
		assert.equal(late.dataProducerPaused, true);
		assert.equal((await late.dump()).dataProducerPaused, true);
	} finally {
		worker.close();
	}
});

test('messages larger than maxMessageSize are dropped', async () => {
	const { worker, transport } = await setup({ maxReceiveMessageSize: 8, maxSendMessageSize: 4 });
	try {
		const dataProducer = await transport.produceData();
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		const messages = collect(dataConsumer);
		dataProducer.send('12345678');
		dataProducer.send('123456789');
		dataProducer.send('1234');
		const probe = enhancedOnce(dataConsumer, 'message');
		await probe;
		assert.deepEqual(messages, [['1234', 51]]);
		const [producerStats] = await dataProducer.getStats();
		// 9 bytes exceed what the producer accepts; 8 bytes what the consumer sends.
		assert.equal(producerStats.messagesReceived, 2);
	} finally {
		worker.close();
	}
});

test('close cascades: DataProducer, DataConsumer, transport and router', async () => {
	const { worker, router, transport } = await setup();
	try {
		const other = await router.createDirectTransport();
		const dataProducer = await transport.produceData();
		const local = await transport.consumeData({ dataProducerId: dataProducer.id });
		const remote = await other.consumeData({ dataProducerId: dataProducer.id });
		const closed = await other.consumeData({ dataProducerId: dataProducer.id });

		let dump = await router.dump();
		assert.deepEqual(dump.mapDataProducerIdDataConsumerIds, [
			{ key: dataProducer.id, values: [local.id, remote.id, closed.id] },
		]);
		assert.equal(dump.mapDataConsumerIdDataProducerId.length, 3);
		const workerDump = await worker.dump();
		for (const id of [dataProducer.id, local.id, remote.id]) {
			assert.ok(workerDump.channelMessageHandlers.channelRequestHandlers.includes(id));
		}

		closed.close();
		assert.equal(closed.closed, true);
		await assert.rejects(closed.dump(), NotFoundError);
		assert.deepEqual((await other.dump()).dataConsumerIds, [remote.id]);

		// Closing the DataProducer closes its DataConsumers everywhere.
		const remoteClosed = enhancedOnce(remote, 'dataproducerclose');
		const localClosed = enhancedOnce(local, 'dataproducerclose');
		dataProducer.close();
		await Promise.all([remoteClosed, localClosed]);
		assert.equal(remote.closed, true);
		dump = await router.dump();
		assert.deepEqual(dump.mapDataProducerIdDataConsumerIds, []);
		assert.deepEqual(dump.mapDataConsumerIdDataProducerId, []);
		await assert.rejects(
			transport.consumeData({ dataProducerId: dataProducer.id }),
			NotFoundError
		);

		// Closing a transport closes its DataProducers (and their remote
		// DataConsumers) and DataConsumers.
		const dp2 = await transport.produceData();
		const mine = await transport.consumeData({ dataProducerId: dp2.id });
		const theirs = await other.consumeData({ dataProducerId: dp2.id });
		const theirsClosed = enhancedOnce(theirs, 'dataproducerclose');
		const dpClosed = enhancedOnce(dp2, 'transportclose');
		const mineClosed = enhancedOnce(mine, 'transportclose');
		transport.close();
		await Promise.all([theirsClosed, dpClosed, mineClosed]);
		await assert.rejects(dp2.dump(), NotFoundError);
		assert.deepEqual((await other.dump()).dataConsumerIds, []);

		// Closing the router closes them too.
		const dp3 = await other.produceData();
		const dc3 = await other.consumeData({ dataProducerId: dp3.id });
		const dp3Closed = enhancedOnce(dp3, 'transportclose');
		const dc3Closed = enhancedOnce(dc3, 'transportclose');
		router.close();
		await Promise.all([dp3Closed, dc3Closed]);
		const handlers = (await worker.dump()).channelMessageHandlers.channelRequestHandlers;
		assert.deepEqual(handlers, []);
	} finally {
		worker.close();
	}
});

test('SCTP DataProducers/DataConsumers: stream ids, dumps, messages wait for the association', async () => {
	const worker = await mediasoup.createWorker();
	try {
		const router = await worker.createRouter();
		const sctpTransport = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
			enableSctp: true,
			sctpDefaultStreamBufferedAmountLowThreshold: 4096,
		});
		const plain = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
		const direct = await router.createDirectTransport();

		await assert.rejects(plain.produceData({ sctpStreamParameters: { streamId: 1 } }), Error);
		await assert.rejects(sctpTransport.produceData({}), TypeError);
		const sctpProducer = await sctpTransport.produceData({
			sctpStreamParameters: { streamId: 4, maxRetransmits: 2 },
			label: 'l',
		});
		assert.deepEqual(sctpProducer.sctpStreamParameters, { streamId: 4, ordered: false, maxRetransmits: 2 });
		await assert.rejects(sctpTransport.produceData({ sctpStreamParameters: { streamId: 4 } }), Error);

		// DataConsumers on the SCTP transport get stream ids 0, 1, ... and the
		// ids of closed ones are reused after a wrap only.
		const directProducer = await direct.produceData();
		const c0 = await sctpTransport.consumeData({ dataProducerId: sctpProducer.id });
		const c1 = await sctpTransport.consumeData({ dataProducerId: directProducer.id, ordered: false, maxPacketLifeTime: 100 });
		assert.deepEqual(c0.sctpStreamParameters, { streamId: 0, ordered: false, maxRetransmits: 2 });
		assert.deepEqual(c1.sctpStreamParameters, { streamId: 1, ordered: false, maxPacketLifeTime: 100 });
		c0.close();
		const c2 = await sctpTransport.consumeData({ dataProducerId: sctpProducer.id, ordered: true });
		assert.deepEqual(c2.sctpStreamParameters, { streamId: 2, ordered: true });
		const c2Dump = await c2.dump();
		assert.equal(c2Dump.bufferedAmountLowThreshold, 4096);
		await c2.setBufferedAmountLowThreshold(10);
		assert.equal((await c2.dump()).bufferedAmountLowThreshold, 10);
		assert.equal(await c2.getBufferedAmount(), 0);
		// The transport has no association yet (no peer): the message waits
		// for it, as mediasoup's SCTP stack queues it.
		assert.equal(await c2.send('x'), 1);
		assert.equal(sctpTransport.sctpState, 'new');

		const dump = await sctpTransport.dump();
		assert.deepEqual(dump.dataProducerIds, [sctpProducer.id]);
		assert.deepEqual(dump.dataConsumerIds, [c1.id, c2.id]);
		assert.deepEqual(dump.sctpListener, { streamIdTable: [{ key: 4, value: sctpProducer.id }] });

		// An SCTP DataProducer's message reaches the DirectTransport consumer
		// at once, and waits for the association on the SCTP one.
		const directConsumer = await direct.consumeData({ dataProducerId: sctpProducer.id });
		const received = enhancedOnce(directConsumer, 'message');
		sctpProducer.send('to direct');
		const [message, ppid] = await received;
		assert.equal(message.toString(), 'to direct');
		assert.equal(ppid, 51);
		const [c2Stats] = await c2.getStats();
		assert.equal(c2Stats.messagesSent, 2);
	} finally {
		worker.close();
	}
});

test("sctpParameters as mediasoup 3.27.1 reports them: OS/MIS 65535 whatever numSctpStreams asks", async () => {
	const worker = await mediasoup.createWorker();
	try {
		const router = await worker.createRouter();
		const expected = (isDataChannel, sendBufferSize = 2_000_000) => ({
			port: 5000,
			maxSendMessageSize: 262144,
			maxReceiveMessageSize: 262144,
			sendBufferSize,
			perStreamSendQueueLimit: 2_000_000,
			maxReceiverWindowBufferSize: 5_242_880,
			isDataChannel,
			OS: 65535,
			MIS: 65535,
			maxMessageSize: 262144,
		});
		const webRtc = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
			enableSctp: true,
			numSctpStreams: { OS: 2048, MIS: 100 },
		});
		// The same keys in the same order (apps log and snapshot them).
		assert.deepEqual(Object.entries(webRtc.sctpParameters), Object.entries(expected(true)));
		assert.deepEqual((await webRtc.dump()).sctpParameters, expected(true));
		const plain = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			enableSctp: true,
			sctpSendBufferSize: 300_000,
		});
		assert.deepEqual(Object.entries(plain.sctpParameters), Object.entries(expected(false, 300_000)));
	} finally {
		worker.close();
	}
});
