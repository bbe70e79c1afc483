'use strict';

// Router creation, capabilities (compared with real mediasoup), updates,
// validation and close cascades.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const mediasoup = require('..');
const { UnsupportedError, WorkerClosedError, NotFoundError } = mediasoup.errors;
const { enhancedOnce } = mediasoup.extras;
const { deepFreeze } = require('../js/utils');
const { referenceOrtc } = require('./helpers/reference');

const codecSets = {
	'audio and video': [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
		{
			kind: 'video',
			mimeType: 'video/H264',
			clockRate: 90000,
			parameters: { 'level-asymmetry-allowed': 1, 'packetization-mode': 1, 'profile-level-id': '4d0032', foo: 'bar' },
		},
	],
	'H264 profiles': [
		{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } },
		{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 0, 'profile-level-id': '42e01f' } },
		{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '640032' } },
		{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '4d001f' } },
	],
	multiopus: [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		{ kind: 'audio', mimeType: 'audio/multiopus', clockRate: 48000, channels: 6, parameters: { channel_mapping: '0,4,1,2,3,5', num_streams: 4, coupled_streams: 2 } },
		{ kind: 'audio', mimeType: 'audio/multiopus', clockRate: 48000, channels: 8, parameters: { channel_mapping: '0,6,1,2,3,4,5,7', num_streams: 5, coupled_streams: 3 } },
	],
	'explicit preferredPayloadTypes': [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 },
		{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 96 },
		{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000, preferredPayloadType: 98, parameters: { 'profile-id': 2 } },
		{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
		{ kind: 'audio', mimeType: 'audio/G722', clockRate: 8000, preferredPayloadType: 100 },
	],
	'every supported codec': null,
	'every supported codec but one CN': 'noDuplicateStatic',
	none: [],
};

function everySupportedCodec() {
	return mediasoup.getSupportedRtpCapabilities().codecs.map(({ kind, mimeType, clockRate, channels, parameters }) => ({
		kind,
		mimeType,
		clockRate,
		...(channels ? { channels } : {}),
		parameters,
	}));
}

async function withWorker(fn) {
	const worker = await mediasoup.createWorker();
	try {
		await fn(worker);
	} finally {
		worker.close();
	}
}

test('router.rtpCapabilities deep-equals mediasoup for the same mediaCodecs', async () => {
	const reference = referenceOrtc();
	await withWorker(async worker => {
		for (const [name, set] of Object.entries(codecSets)) {
			const mediaCodecs = deepFreeze(
				set === null
					? everySupportedCodec()
					: set === 'noDuplicateStatic'
						? everySupportedCodec().filter(c => c.mimeType !== 'audio/CN' || c.clockRate === 8000)
						: set
			);
			let expected;
			try {
				expected = reference.generateRouterRtpCapabilities(structuredClone(mediaCodecs));
			} catch (error) {
				// Where mediasoup refuses the set, ferrosoup must refuse it alike.
				await assert.rejects(worker.createRouter({ mediaCodecs }), {
					name: error.name,
					message: error.message,
				});
				continue;
			}
			const router = await worker.createRouter({ mediaCodecs });
			assert.deepStrictEqual(router.rtpCapabilities, expected, name);
		}
		// No mediaCodecs at all.
		const bare = await worker.createRouter();
		assert.deepStrictEqual(bare.rtpCapabilities, reference.generateRouterRtpCapabilities());
	});
});

test('createRouter() emits newrouter, keeps appData and returns clones', async () => {
	await withWorker(async worker => {
		let observed;
		worker.observer.once('newrouter', r => (observed = r));
		const router = await worker.createRouter({ mediaCodecs: codecSets['audio and video'], appData: { foo: 123 } });
		assert.equal(observed, router);
		assert.equal(router.constructor.name, 'RouterImpl');
		assert.match(router.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		assert.equal(router.closed, false);
		assert.deepEqual(router.appData, { foo: 123 });
		assert.equal(worker.routersForTesting.size, 1);
		// 3 media codecs + RTX for each of the 2 video codecs.
		assert.equal(router.rtpCapabilities.codecs.length, 5);
		const caps = router.rtpCapabilities;
		caps.codecs.length = 0;
		assert.equal(router.rtpCapabilities.codecs.length, 5);
		assert.notEqual(router.rtpCapabilities, router.rtpCapabilities);
		assert.deepEqual(await router.dump(), {
			id: router.id,
			transportIds: [],
			rtpObserverIds: [],
			mapProducerIdConsumerIds: [],
			mapConsumerIdProducerId: [],
			mapProducerIdObserverIds: [],
			mapDataProducerIdDataConsumerIds: [],
			mapDataConsumerIdDataProducerId: [],
		});
	});
});

test('createRouter() rejects bad input with mediasoup error classes', async () => {
	await withWorker(async worker => {
		await assert.rejects(
			worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/chicken', clockRate: 4800 }] }),
			UnsupportedError
		);
		await assert.rejects(
			worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/H265', clockRate: 90000 }] }),
			UnsupportedError
		);
		await assert.rejects(worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus' }] }), TypeError);
		await assert.rejects(worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'opus', clockRate: 48000 }] }), TypeError);
		await assert.rejects(
			worker.createRouter({
				mediaCodecs: [
					{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
					{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 100 },
				],
			}),
			TypeError
		);
		// Too many codecs for the dynamic payload type pool.
		const many = [];
		for (let i = 0; i < 40; i++) {
			many.push({ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { n: i } });
		}
		await assert.rejects(worker.createRouter({ mediaCodecs: many }), err => err.constructor === Error);
		await assert.rejects(worker.createRouter({ appData: 'NOT-AN-OBJECT' }), TypeError);
		// Nothing was created by the failed calls.
		assert.equal(worker.routersForTesting.size, 0);
		assert.deepEqual((await worker.dump()).routerIds, []);
	});
});

test('router.updateMediaCodecs() replaces capabilities, or throws and keeps them', async () => {
	await withWorker(async worker => {
		const router = await worker.createRouter({ mediaCodecs: codecSets['audio and video'] });
		const reference = referenceOrtc();
		router.updateMediaCodecs(deepFreeze(codecSets.multiopus));
		assert.deepStrictEqual(
			router.rtpCapabilities,
			reference.generateRouterRtpCapabilities(structuredClone(codecSets.multiopus))
		);
		const before = router.rtpCapabilities;
		assert.throws(
			() => router.updateMediaCodecs([{ kind: 'audio', mimeType: 'audio/chicken', clockRate: 1 }]),
			UnsupportedError
		);
		assert.deepStrictEqual(router.rtpCapabilities, before);
	});
});

test('router.canConsume() is false for an unknown producer', async () => {
	await withWorker(async worker => {
		const router = await worker.createRouter({ mediaCodecs: codecSets['audio and video'] });
		assert.equal(router.canConsume({ producerId: 'nope', rtpCapabilities: router.rtpCapabilities }), false);
	});
});

test('router.close() closes it in the worker; dump() then rejects NotFoundError', async () => {
	await withWorker(async worker => {
		const router = await worker.createRouter();
		let observerClose = 0;
		router.observer.on('close', () => observerClose++);
		router.close();
		router.close();
		assert.equal(router.closed, true);
		assert.equal(observerClose, 1);
		assert.equal(worker.routersForTesting.size, 0);
		await assert.rejects(router.dump(), NotFoundError);
		assert.deepEqual((await worker.dump()).routerIds, []);
	});
});

test('worker.close() emits workerclose on its routers', async () => {
	const worker = await mediasoup.createWorker();
	const routers = await Promise.all([worker.createRouter(), worker.createRouter()]);
	const closes = routers.map(r => enhancedOnce(r, 'workerclose'));
	let observerCloses = 0;
	for (const r of routers) {
		r.observer.on('close', () => observerCloses++);
	}
	worker.close();
	await Promise.all(closes);
	assert.equal(observerCloses, 2);
	assert.ok(routers.every(r => r.closed));
	await assert.rejects(routers[0].dump(), WorkerClosedError);
	await assert.rejects(worker.createRouter(), WorkerClosedError);
});
